#include "tests/integration/it_run.h"
#include "tests/integration/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t it__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: own process group (so a timeout kills the tool and anything it forked),
 * death with the test, output into the pipe, extra environment, exec. Never returns. */
static void it__child(int out_fd, pid_t parent, char *const argv[], char *const env[])
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	close(out_fd);
	for (size_t i = 0; env && env[i]; i++)
		putenv(env[i]);
	execvp(argv[0], argv);
	fprintf(stderr, "it_run: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reads the pipe until EOF or the deadline; returns false on timeout. */
static bool it__collect(struct it_run *r, int fd, int64_t deadline, size_t *cap)
{
	for (;;) {
		int64_t left = deadline - it__now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		if (*cap - r->len < 4096 + 1 && *cap < IT_RUN_OUT_MAX) {
			char *p = realloc(r->out, *cap * 2);
			if (p) {
				r->out = p;
				*cap *= 2;
			}
		}
		size_t room = *cap - r->len - 1;
		char sink[4096];
		ssize_t got = room ? read(fd, r->out + r->len, room) : read(fd, sink, sizeof sink);
		if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
			return true;        /* EOF: every writer is gone */
		if (got > 0 && room)
			r->len += (size_t)got;
	}
}

static void it__echo(char *const argv[], char *const env[], const struct it_run *r)
{
	fprintf(stderr, "---- it_run:");
	for (size_t i = 0; env && env[i]; i++)
		fprintf(stderr, " %s", env[i]);
	for (size_t i = 0; argv[i]; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n%s---- exit %d%s\n", r->out, r->status,
		r->timed_out ? " (timed out, killed)" : "");
}

int it_run(struct it_run *r, char *const argv[], char *const env[], int timeout_s, bool echo)
{
	memset(r, 0, sizeof *r);
	r->status = -1;
	size_t cap = 65536;
	r->out = malloc(cap);
	int fds[2];
	if (!r->out)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(fds[0]);
		close(fds[1]);
		return e;
	}
	if (pid == 0)
		it__child(fds[1], parent, argv, env);
	close(fds[1]);
	setpgid(pid, pid);          /* also here: no window where a kill(-pid) misses it */
	bool done = it__collect(r, fds[0], it__now_ms() + (int64_t)timeout_s * 1000, &cap);
	if (!done) {
		r->timed_out = true;
		kill(-pid, SIGKILL);
	}
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out[r->len] = '\0';
	if (echo)
		it__echo(argv, env, r);
	return 0;
}

void it_run_free(struct it_run *r)
{
	free(r->out);
	r->out = NULL;
	r->len = 0;
}

/* Calls match(line, len, arg) for each line; counts the true answers. */
static size_t it__count(const char *text, bool (*match)(const char *, size_t, const char *),
			const char *arg)
{
	size_t n = 0;
	while (text && *text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);
		size_t trimmed = len;
		while (trimmed && (text[trimmed - 1] == ' ' || text[trimmed - 1] == '\r'))
			trimmed--;
		if (match(text, trimmed, arg))
			n++;
		text = end ? end + 1 : text + len;
	}
	return n;
}

static bool it__eq(const char *line, size_t len, const char *want)
{
	return strlen(want) == len && !memcmp(line, want, len);
}

static bool it__prefix(const char *line, size_t len, const char *want)
{
	size_t w = strlen(want);
	return w <= len && !memcmp(line, want, w);
}

size_t it_count_lines(const char *text, const char *line)
{
	return it__count(text, it__eq, line);
}

size_t it_count_prefix(const char *text, const char *prefix)
{
	return it__count(text, it__prefix, prefix);
}

int it_sanitizer_reports(const char *path)
{
	return logfile_sanitizer_reports(path);
}
