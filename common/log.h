/* log.h - one line per event, for the operator at 3 a.m.
 *
 * Every line: time, level, a stable message id, then key=value fields. Callers name the
 * node, library, initiator and epoch involved:
 *
 *   vtl_log(LOG_WARN, "ISCSI_LOGIN_REJECT", "lib=%s initiator=%s reason=%s", ...);
 *
 * Lines go to stderr (one write(2) per line, so concurrent threads never interleave).
 * vtl_log_ratelimited() drops repeats of the same id beyond a burst per second: use it
 * for anything a peer can trigger.
 *
 * Concurrency: safe from any thread; the node id is set once at start-up before threads. */
#ifndef VTL_COMMON_LOG_H
#define VTL_COMMON_LOG_H

enum vtl_log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void vtl_log_set_node(const char *node_id);   /* copied; prefixes every line with node=<id> */
void vtl_log_set_level(enum vtl_log_level min);

__attribute__((format(printf, 3, 4)))
void vtl_log(enum vtl_log_level lvl, const char *msgid, const char *fmt, ...);

/* At most `burst` lines per second for this msgid; the next line that passes reports how
 * many were suppressed. */
__attribute__((format(printf, 3, 4)))
void vtl_log_ratelimited(enum vtl_log_level lvl, const char *msgid, const char *fmt, ...);

#endif
