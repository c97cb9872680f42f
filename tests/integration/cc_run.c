/* cc_run.c - see cc_run.h. */
#include "tests/integration/cc_run.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t cc__fork(const char *const *argv, int *out, int *err)
{
	int po[2], pe[2];
	if (pipe(po) || pipe(pe))
		return -1;
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		int n = 0;
		while (argv[n])
			n++;
		char **av = calloc((size_t)n + 2, sizeof *av);
		av[0] = (char *)CLUSTERCTL_BIN;
		memcpy(av + 1, argv, (size_t)n * sizeof *av);
		execv(CLUSTERCTL_BIN, av);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	*out = po[0];
	*err = pe[0];
	fcntl(*out, F_SETFL, O_NONBLOCK);
	fcntl(*err, F_SETFL, O_NONBLOCK);
	return pid;
}

/* Reads what is there from fd into buf (keeps it NUL-terminated); false at EOF. */
static bool cc__drain(int fd, char *buf, size_t cap, size_t *len)
{
	char tmp[4096];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		size_t take = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;
		memcpy(buf + *len, tmp, take);
		*len += take;
		buf[*len] = 0;
	}
}

static int cc__exit(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int cc_run(struct cc_result *r, const char *const *argv)
{
	int out, err;
	size_t ol = 0, el = 0;
	memset(r, 0, sizeof *r);
	pid_t pid = cc__fork(argv, &out, &err);
	if (pid < 0)
		return -errno;
	bool o_open = true, e_open = true;
	while (o_open || e_open) {
		struct pollfd fds[2] = {{o_open ? out : -1, POLLIN, 0}, {e_open ? err : -1, POLLIN, 0}};
		poll(fds, 2, 1000);
		if (o_open)
			o_open = cc__drain(out, r->out, sizeof r->out, &ol);
		if (e_open)
			e_open = cc__drain(err, r->err, sizeof r->err, &el);
	}
	close(out);
	close(err);
	r->exit = cc__exit(pid);
	for (const char *p = r->err; *p; p++)
		r->err_lines += *p == '\n';
	return 0;
}

int cc_spawn(struct cc_proc *p, const char *const *argv)
{
	memset(p, 0, sizeof *p);
	p->pid = cc__fork(argv, &p->out, &p->err);
	return p->pid < 0 ? -errno : 0;
}

static long cc__ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int cc_line(struct cc_proc *p, int err, char *line, size_t cap, int ms)
{
	int fd = err ? p->err : p->out;
	char *buf = err ? p->ebuf : p->obuf;
	size_t *len = err ? &p->elen : &p->olen, bufcap = err ? sizeof p->ebuf : sizeof p->obuf;
	long deadline = cc__ms() + ms;
	for (;;) {
		char *nl = memchr(buf, '\n', *len);
		if (nl) {
			size_t n = (size_t)(nl - buf);
			snprintf(line, cap, "%.*s", (int)n, buf);
			memmove(buf, nl + 1, *len - n - 1);
			*len -= n + 1;
			buf[*len] = 0;
			return 0;
		}
		long left = deadline - cc__ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pfd = {fd, POLLIN, 0};
		poll(&pfd, 1, (int)left);
		if (!cc__drain(fd, buf, bufcap, len) && !memchr(buf, '\n', *len))
			return -EPIPE;
	}
}

int cc_stop(struct cc_proc *p, int sig)
{
	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	int ex = cc__exit(p->pid);
	close(p->out);
	close(p->err);
	p->pid = 0;
	return ex;
}
