/* etu.h - helpers for the etcd client tests: the shared fixture's URL, private etcd
 * instances a test may stop, freeze and restart, and small waits.
 *
 * Private instances live in $ETCD_FIXTURE_DIR/<name>/ so the fixture's cleanup step
 * (etcd_stop.sh) stops them even when a test crashed or timed out; etu_cleanup() also
 * runs at exit. */
#ifndef VTL_TESTS_ETCD_ETU_H
#define VTL_TESTS_ETCD_ETU_H

#include "common/etcd/etcd.h"

#include <stdint.h>

struct etu_etcd {
	char dir[512];
	int port;
	char url[64];
};

/* $ETCD_URL of the shared fixture (the test fails if unset). */
const char *etu_fixture_url(void);
/* Starts (keep = 0: fresh data; 1: same data dir) a private etcd on port, port + 1. */
void etu_start(struct etu_etcd *e, const char *name, int port, int keep);
void etu_stop(struct etu_etcd *e);
/* SIGSTOP / SIGCONT the private etcd. */
void etu_freeze(struct etu_etcd *e, int frozen);
struct etcd *etu_open(const char *endpoints, int timeout_ms, int retries);
int64_t etu_now_ms(void);
void etu_sleep_ms(int ms);
/* A key unique to this process run: "<tag>/<pid>/<suffix>". */
const char *etu_key(char *buf, size_t len, const char *tag, const char *suffix);

#endif
