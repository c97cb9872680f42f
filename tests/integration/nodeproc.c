#include "tests/integration/nodeproc.h"
#include "tests/integration/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef VTL_NODE_BIN
#error "VTL_NODE_BIN must name the vtl-node binary"
#endif

int nodeproc_configure(struct nodeproc *np, const char *dir, const char *libraries)
{
	return nodeproc_configure_ex(np, dir, "", libraries);
}

int nodeproc_configure_ex(struct nodeproc *np, const char *dir, const char *extra,
			  const char *libraries)
{
	char path[PATH_MAX + 16];
	memset(np, 0, sizeof *np);
	snprintf(np->dir, sizeof np->dir, "%s", dir);
	snprintf(path, sizeof path, "%s/node.conf", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "[node]\nid = test-node\nportal = 127.0.0.1:0\ndata_dir = %s/data\n"
		   "iqn_prefix = iqn.2026-11.io.vtl\n%s\n%s", dir, extra, libraries);
	return fclose(f) ? -errno : 0;
}

/* Finds "NODE_READY ... port=N" in the log; 0 until it appears. */
static uint16_t nodeproc__ready_port(const char *log)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	uint16_t port = 0;
	if (!f)
		return 0;
	while (!port && fgets(line, sizeof line, f)) {
		const char *p = strstr(line, "NODE_READY");
		p = p ? strstr(p, " port=") : NULL;
		if (p)
			port = (uint16_t)atoi(p + 6);
	}
	fclose(f);
	return port;
}

int nodeproc_start(struct nodeproc *np)
{
	char conf[PATH_MAX + 16], log[PATH_MAX + 16];
	snprintf(conf, sizeof conf, "%s/node.conf", np->dir);
	snprintf(log, sizeof log, "%s/node.log", np->dir);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return -errno;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(VTL_NODE_BIN, "vtl-node", "--config", conf, (char *)NULL);
		_exit(127);
	}
	close(fd);
	np->pid = pid;
	for (int i = 0; i < 400; i++) {
		np->port = nodeproc__ready_port(log);
		if (np->port) {
			snprintf(np->portal, sizeof np->portal, "127.0.0.1:%u", np->port);
			return 0;
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "vtl-node exited during start-up; log %s\n", log);
			np->pid = 0;
			return -ECHILD;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	nodeproc_stop(np, SIGKILL);
	return -ETIMEDOUT;
}

int nodeproc_stop(struct nodeproc *np, int sig)
{
	if (np->pid <= 0)
		return 0;
	kill(np->pid, sig);
	int st = 0;
	for (int i = 0; i < 200; i++) {     /* up to 10 s for a clean stop */
		if (waitpid(np->pid, &st, WNOHANG) == np->pid) {
			np->pid = 0;
			return 0;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(np->pid, SIGKILL);
	waitpid(np->pid, &st, 0);
	np->pid = 0;
	return -ETIMEDOUT;
}

static void nodeproc__log_path(const struct nodeproc *np, char *path, size_t cap)
{
	snprintf(path, cap, "%s/node.log", np->dir);
}

bool nodeproc_log_has(const struct nodeproc *np, const char *what)
{
	char path[PATH_MAX + 16];
	nodeproc__log_path(np, path, sizeof path);
	return logfile_has(path, what);
}

bool nodeproc_wait_log(const struct nodeproc *np, const char *what, int ms)
{
	char path[PATH_MAX + 16];
	nodeproc__log_path(np, path, sizeof path);
	return logfile_wait(path, what, ms);
}
