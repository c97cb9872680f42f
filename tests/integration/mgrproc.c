/* mgrproc.c - see mgrproc.h. */
#include "tests/integration/mgrproc.h"
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

#ifndef VTL_MANAGER_BIN
#error "VTL_MANAGER_BIN must name the vtl-manager binary"
#endif

static void mgrproc__sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int mgrproc_init(struct mgrproc *mp, const char *dir, const char *id, const char *etcd_url,
		 unsigned ttl)
{
	memset(mp, 0, sizeof *mp);
	if (snprintf(mp->id, sizeof mp->id, "%s", id) >= (int)sizeof mp->id ||
	    snprintf(mp->etcd, sizeof mp->etcd, "%s", etcd_url) >= (int)sizeof mp->etcd ||
	    snprintf(mp->log, sizeof mp->log, "%s/%s.log", dir, id) >= (int)sizeof mp->log)
		return -ENAMETOOLONG;
	mp->ttl = ttl;
	return 0;
}

/* The control URL from "MGR_READY ... control=URL"; false until it appears. */
static bool mgrproc__ready(struct mgrproc *mp)
{
	FILE *f = fopen(mp->log, "r");
	char line[2048];
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f)) {
		const char *p = strstr(line, "MGR_READY");
		p = p ? strstr(p, " control=") : NULL;
		if (p && sscanf(p + 9, "%127s", mp->control) == 1)
			found = true;
	}
	if (f)
		fclose(f);
	return found;
}

static void mgrproc__exec(const struct mgrproc *mp, pid_t parent, int fd)
{
	char ttl[16];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	int null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	snprintf(ttl, sizeof ttl, "%u", mp->ttl);
	execl(VTL_MANAGER_BIN, "vtl-manager", "--id", mp->id, "--etcd", mp->etcd, "--listen",
	      "tcp://127.0.0.1:0", "--lease-ttl", ttl, (char *)NULL);
	_exit(127);
}

int mgrproc_start(struct mgrproc *mp)
{
	int fd = open(mp->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd < 0)
		return -errno;
	mp->control[0] = 0;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return -errno;
	}
	if (pid == 0)
		mgrproc__exec(mp, parent, fd);
	close(fd);
	mp->pid = pid;
	for (int i = 0; i < 200; i++) {
		if (mgrproc__ready(mp))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "vtl-manager %s exited during start-up; log %s\n", mp->id, mp->log);
			mp->pid = 0;
			return -ECHILD;
		}
		mgrproc__sleep_ms(50);
	}
	mgrproc_stop(mp, SIGKILL);
	return -ETIMEDOUT;
}

int mgrproc_stop(struct mgrproc *mp, int sig)
{
	if (mp->pid <= 0)
		return 0;
	kill(mp->pid, sig);
	for (int i = 0; i < 200; i++) {
		if (waitpid(mp->pid, NULL, WNOHANG) == mp->pid) {
			mp->pid = 0;
			return 0;
		}
		mgrproc__sleep_ms(50);
	}
	kill(mp->pid, SIGKILL);
	waitpid(mp->pid, NULL, 0);
	mp->pid = 0;
	return -ETIMEDOUT;
}

bool mgrproc_log_has(const struct mgrproc *mp, const char *what)
{
	return logfile_has(mp->log, what);
}

bool mgrproc_wait_log(const struct mgrproc *mp, const char *what, int ms)
{
	return logfile_wait(mp->log, what, ms);
}

bool mgrproc_log_clean(const struct mgrproc *mp)
{
	return logfile_sanitizer_reports(mp->log) == 0;
}
