/* etcdproc.c - see etcdproc.h. */
#include "tests/integration/etcdproc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/etcd/etcd.h"

int etcdproc_init(struct etcdproc *ep, const char *dir, uint16_t port)
{
	memset(ep, 0, sizeof *ep);
	if (snprintf(ep->dir, sizeof ep->dir, "%s", dir) >= (int)sizeof ep->dir)
		return -ENAMETOOLONG;
	ep->port = port;
	snprintf(ep->url, sizeof ep->url, "http://127.0.0.1:%u", port);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	return system(cmd) == 0 ? 0 : -EIO;
}

static void etcdproc__exec(const struct etcdproc *ep, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	char data[PATH_MAX], log[PATH_MAX], peer[64];
	snprintf(data, sizeof data, "%s/data", ep->dir);
	snprintf(log, sizeof log, "%s/etcd.log", ep->dir);
	snprintf(peer, sizeof peer, "http://127.0.0.1:%u", ep->port + 1);
	char cluster[96];
	snprintf(cluster, sizeof cluster, "t=%s", peer);
	if (!freopen("/dev/null", "r", stdin) || !freopen(log, "a", stdout) ||
	    !freopen(log, "a", stderr))
		_exit(127);
	execlp("etcd", "etcd", "--name", "t", "--data-dir", data, "--log-level", "warn",
	       "--logger", "zap", "--listen-client-urls", ep->url, "--advertise-client-urls",
	       ep->url, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
	       "--initial-cluster", cluster, (char *)NULL);
	_exit(127);
}

int etcdproc_start(struct etcdproc *ep)
{
	if (ep->pid > 0)
		return -EALREADY;
	struct etcd *c = NULL;
	struct etcd_config cfg = {.endpoints = ep->url, .timeout_ms = 500};
	int rc = etcd_open(&cfg, &c);
	if (rc)
		return rc;
	/* someone else's etcd on our port would answer the reads below: refuse */
	struct etcd_kvs kvs;
	if (!etcd_get(c, "x", 1, &kvs)) {
		etcd_kvs_free(&kvs);
		etcd_close(c);
		fprintf(stderr, "etcdproc: %s already answers: another etcd holds the port\n", ep->url);
		return -EADDRINUSE;
	}
	pid_t parent = getpid();
	ep->pid = fork();
	if (ep->pid < 0) {
		ep->pid = 0;
		etcd_close(c);
		return -errno;
	}
	if (ep->pid == 0)
		etcdproc__exec(ep, parent);
	for (int i = 0; i < 100; i++) {
		if (!etcd_get(c, "x", 1, &kvs)) {
			etcd_kvs_free(&kvs);
			etcd_close(c);
			return 0;
		}
		if (waitpid(ep->pid, NULL, WNOHANG) == ep->pid) {
			ep->pid = 0;
			rc = -ECHILD;
			break;
		}
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	etcd_close(c);
	etcdproc_stop(ep);
	return rc ? rc : -ETIMEDOUT;
}

void etcdproc_stop(struct etcdproc *ep)
{
	if (ep->pid > 0) {
		kill(ep->pid, SIGKILL);
		waitpid(ep->pid, NULL, 0);
		ep->pid = 0;
	}
}
