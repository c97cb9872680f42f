/* etcdproc.h - a private etcd server for one integration test: its own directory, client
 * port `port` and peer port `port + 1` on 127.0.0.1 (tests pick distinct ranges, listed
 * in docs/testing.md, so parallel tests never collide).
 *
 * Cleanup even on failure: etcd is started with PR_SET_PDEATHSIG, so it dies with the
 * test process; etcdproc_stop() ends it by PID. Its log is dir/etcd.log. */
#ifndef VTL_TESTS_ETCDPROC_H
#define VTL_TESTS_ETCDPROC_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

struct etcdproc {
	pid_t pid;
	uint16_t port;
	char dir[PATH_MAX - 64];   /* data in dir/data, kept across stop/start */
	char url[64];              /* "http://127.0.0.1:<port>" */
};

/* Remembers dir and port; creates dir (mkdir -p). Does not start anything. */
int etcdproc_init(struct etcdproc *ep, const char *dir, uint16_t port);
/* Starts etcd on ep->dir/data (the data survives a stop) and waits up to 10 s until
 * it answers a read. 0 or -errno (-ETIMEDOUT: did not come up; see the log). */
int etcdproc_start(struct etcdproc *ep);
/* SIGKILL and reap; a no-op when not running. */
void etcdproc_stop(struct etcdproc *ep);

#endif
