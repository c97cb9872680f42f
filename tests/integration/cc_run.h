/* cc_run.h - running the clusterctl binary from a test: once to completion with its
 * stdout, stderr and exit code captured, or in the background (events --watch) with its
 * output read line by line under a deadline. The child gets PR_SET_PDEATHSIG, so it
 * dies with the test; cc_stop() ends it by PID. */
#ifndef VTL_TESTS_CC_RUN_H
#define VTL_TESTS_CC_RUN_H

#include <stddef.h>
#include <sys/types.h>

struct cc_result {
	int exit;                /* exit code; -1 if killed by a signal */
	char out[256 * 1024];    /* stdout, NUL-terminated (cut if longer) */
	char err[16 * 1024];     /* stderr, likewise */
	size_t err_lines;        /* '\n' count of stderr */
};

/* Runs clusterctl with argv (NULL-terminated, without the program name). 0 or -errno. */
int cc_run(struct cc_result *r, const char *const *argv);
#define CC_RUN(r, ...) cc_run((r), (const char *const[]){__VA_ARGS__, NULL})

struct cc_proc {
	pid_t pid;
	int out, err;            /* read ends, non-blocking */
	char obuf[64 * 1024], ebuf[8 * 1024];
	size_t olen, elen;
};

int cc_spawn(struct cc_proc *p, const char *const *argv);
/* The next line (without '\n') of stdout (err = 0) or stderr (err = 1) into line[cap],
 * waiting up to ms. 0, or -ETIMEDOUT / -EPIPE (closed). */
int cc_line(struct cc_proc *p, int err, char *line, size_t cap, int ms);
/* Sends sig, reaps; returns the exit code (-1 if killed by a signal). */
int cc_stop(struct cc_proc *p, int sig);

#endif
