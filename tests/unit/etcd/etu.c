#include "tests/unit/etcd/etu.h"

#include "tests/testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* copies: the atexit handler runs after the callers' frames are gone */
static struct etu_etcd etu__started[4];
static size_t etu__n;

const char *etu_fixture_url(void)
{
	const char *u = getenv("ETCD_URL");
	CHECK(u && *u);
	return u;
}

static void etu__cleanup(void)
{
	for (size_t i = 0; i < etu__n; i++)
		etu_stop(&etu__started[i]);
}

void etu_start(struct etu_etcd *e, const char *name, int port, int keep)
{
	static int registered;
	const char *base = getenv("ETCD_FIXTURE_DIR");
	CHECK(base && *base);
	snprintf(e->dir, sizeof e->dir, "%s/%s", base, name);
	e->port = port;
	snprintf(e->url, sizeof e->url, "http://127.0.0.1:%d", port);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "%s/etcd_start.sh '%s' %d %s >/dev/null", ETU_SCRIPTS, e->dir,
		 port, keep ? "keep" : "");
	CHECK_EQ(system(cmd), 0);
	size_t i;
	for (i = 0; i < etu__n && strcmp(etu__started[i].dir, e->dir); i++)
		;
	if (i == etu__n && etu__n < 4)
		etu__started[etu__n++] = *e;
	if (!registered++)
		atexit(etu__cleanup);
}

void etu_stop(struct etu_etcd *e)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "%s/etcd_stop.sh '%s' >/dev/null", ETU_SCRIPTS, e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "etcd_stop.sh failed for %s\n", e->dir);
}

void etu_freeze(struct etu_etcd *e, int frozen)
{
	char path[600];
	snprintf(path, sizeof path, "%s/etcd.pid", e->dir);
	FILE *f = fopen(path, "r");
	CHECK(f);
	long pid = 0;
	CHECK_EQ(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	CHECK(pid > 1);
	CHECK_EQ(kill((pid_t)pid, frozen ? SIGSTOP : SIGCONT), 0);
}

struct etcd *etu_open(const char *endpoints, int timeout_ms, int retries)
{
	struct etcd_config cfg = {.endpoints = endpoints, .timeout_ms = timeout_ms,
				  .retries = retries, .backoff_ms = 50};
	struct etcd *c = NULL;
	CHECK_EQ(etcd_open(&cfg, &c), 0);
	return c;
}

int64_t etu_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void etu_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

const char *etu_key(char *buf, size_t len, const char *tag, const char *suffix)
{
	snprintf(buf, len, "%s/%d/%s", tag, (int)getpid(), suffix);
	return buf;
}
