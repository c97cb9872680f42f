/* nodeproc.h - integration tests start real vtl-node processes: a private data directory
 * and configuration, portal port 0 (the kernel picks a free port, so parallel tests never
 * collide), the bound port read back from the node's NODE_READY log line.
 *
 * Cleanup even on failure: the node is started with PR_SET_PDEATHSIG, so it dies with the
 * test process (CHECK failures exit, ctest timeouts kill); nodeproc_stop() ends it by PID. */
#ifndef VTL_TESTS_NODEPROC_H
#define VTL_TESTS_NODEPROC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct nodeproc {
	pid_t pid;
	uint16_t port;
	char dir[PATH_MAX];        /* holds node.conf, node.log and data/ */
	char portal[64];           /* "127.0.0.1:<port>" once started */
};

/* Creates dir/node.conf with a [node] section (portal 127.0.0.1:0, data_dir dir/data)
 * followed by `libraries` (INI text of [library ...] sections). */
int nodeproc_configure(struct nodeproc *np, const char *dir, const char *libraries);
/* The same, with `extra` (INI text: more [node] lines, then other sections such as
 * [etcd]) written between the [node] section and the libraries. */
int nodeproc_configure_ex(struct nodeproc *np, const char *dir, const char *extra,
			  const char *libraries);
/* Starts vtl-node on np's configuration and waits (up to 20 s) for NODE_READY. */
int nodeproc_start(struct nodeproc *np);
/* Sends sig (SIGTERM for a clean stop, SIGKILL for a crash) and reaps the process. */
int nodeproc_stop(struct nodeproc *np, int sig);

/* True if the node's log (this run's: it is truncated at each start) has a line
 * containing `what`. */
bool nodeproc_log_has(const struct nodeproc *np, const char *what);
/* Polls nodeproc_log_has every 100 ms for up to ms; returns its last answer. */
bool nodeproc_wait_log(const struct nodeproc *np, const char *what, int ms);

#endif
