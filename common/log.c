#include "common/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char log__node[64] = "-";
static enum vtl_log_level log__min = LOG_INFO;

void vtl_log_set_node(const char *node_id)
{
	snprintf(log__node, sizeof log__node, "%s", node_id ? node_id : "-");
}

void vtl_log_set_level(enum vtl_log_level min)
{
	log__min = min;
}

static const char *log__level_name(enum vtl_log_level lvl)
{
	static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	return (unsigned)lvl < 4 ? names[lvl] : "?";
}

static void log__emit(enum vtl_log_level lvl, const char *msgid, const char *suffix,
		      const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s node=%s ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, log__level_name(lvl), msgid, log__node);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	size_t len = strnlen(line, sizeof line - 2);
	if (suffix && len + strlen(suffix) < sizeof line - 2) {
		memcpy(line + len, suffix, strlen(suffix));
		len += strlen(suffix);
	}
	/* a peer-supplied string must never break the one-line rule */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

void vtl_log(enum vtl_log_level lvl, const char *msgid, const char *fmt, ...)
{
	if (lvl < log__min)
		return;
	va_list ap;
	va_start(ap, fmt);
	log__emit(lvl, msgid, NULL, fmt, ap);
	va_end(ap);
}

/* A small fixed table keyed by msgid pointer identity (ids are string literals). */
#define LOG__RL_SLOTS 64
#define LOG__RL_BURST 5
static struct {
	const char *id;
	time_t sec;
	unsigned count;
	unsigned dropped;
} log__rl[LOG__RL_SLOTS];
static pthread_mutex_t log__rl_lock = PTHREAD_MUTEX_INITIALIZER;

void vtl_log_ratelimited(enum vtl_log_level lvl, const char *msgid, const char *fmt, ...)
{
	if (lvl < log__min)
		return;
	time_t now = time(NULL);
	unsigned dropped = 0;
	int pass = 1;
	pthread_mutex_lock(&log__rl_lock);
	unsigned h = (unsigned)(((unsigned long)msgid >> 3) % LOG__RL_SLOTS);
	if (log__rl[h].id != msgid || log__rl[h].sec != now) {
		dropped = log__rl[h].id == msgid ? log__rl[h].dropped : 0;
		log__rl[h].id = msgid;
		log__rl[h].sec = now;
		log__rl[h].count = 0;
		log__rl[h].dropped = 0;
	}
	if (++log__rl[h].count > LOG__RL_BURST) {
		log__rl[h].dropped++;
		pass = 0;
	}
	pthread_mutex_unlock(&log__rl_lock);
	if (!pass)
		return;
	char suffix[48] = "";
	if (dropped)
		snprintf(suffix, sizeof suffix, " suppressed=%u", dropped);
	va_list ap;
	va_start(ap, fmt);
	log__emit(lvl, msgid, dropped ? suffix : NULL, fmt, ap);
	va_end(ap);
}
