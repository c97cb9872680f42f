/* mgrproc.h - integration tests start real vtl-manager processes: control URL
 * tcp://127.0.0.1:0 (the kernel picks a free port, so parallel tests never collide), the
 * bound URL read back from the manager's MGR_READY log line.
 *
 * Cleanup even on failure: the manager is started with PR_SET_PDEATHSIG, so it dies with
 * the test process; mgrproc_stop() ends it by PID. */
#ifndef VTL_TESTS_MGRPROC_H
#define VTL_TESTS_MGRPROC_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct mgrproc {
	pid_t pid;
	char id[64];
	char etcd[128];            /* etcd URL(s) */
	unsigned ttl;              /* --lease-ttl */
	char log[PATH_MAX];        /* <dir>/<id>.log, truncated at each start */
	char control[128];         /* "tcp://127.0.0.1:<port>" once started */
};

/* Remembers the settings; starts nothing. */
int mgrproc_init(struct mgrproc *mp, const char *dir, const char *id, const char *etcd_url,
		 unsigned ttl);
/* Starts vtl-manager and waits (up to 10 s) for MGR_READY. 0, -ECHILD (it exited; see
 * the log), -ETIMEDOUT. */
int mgrproc_start(struct mgrproc *mp);
/* Sends sig (SIGTERM: clean stop, SIGKILL: crash) and reaps; SIGKILL after 10 s. */
int mgrproc_stop(struct mgrproc *mp, int sig);

/* True if this run's log has a line containing `what`. */
bool mgrproc_log_has(const struct mgrproc *mp, const char *what);
/* Polls every 50 ms for up to ms. */
bool mgrproc_wait_log(const struct mgrproc *mp, const char *what, int ms);
/* True if the log holds no AddressSanitizer, LeakSanitizer or UBSan report. */
bool mgrproc_log_clean(const struct mgrproc *mp);

#endif
