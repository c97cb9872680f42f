/* harness.h - the transport server and the test backend behind plain C types, so test
 * files that drive it with libiscsi need none of the node's headers. */
#ifndef VTL_TESTS_ISCSI_HARNESS_H
#define VTL_TESTS_ISCSI_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

struct harness;

/* Starts a server on 127.0.0.1:0 with TPGT 1 over a shared test backend serving
 * iqn.2026-11.io.vtl:t0 and :t1. Zero limits take the defaults; zero NOP timing too. */
struct harness *harness_start(uint32_t mrdsl, uint32_t first_burst, uint32_t max_burst,
			      unsigned nop_idle_ms, unsigned nop_timeout_ms);
uint16_t harness_port(const struct harness *h);
void harness_stop(struct harness *h);

struct harness_stats {
	uint64_t logins, login_failures, logouts, rejects, drops, reinstatements;
	uint32_t sessions;
};
void harness_stats(struct harness *h, struct harness_stats *out);

/* What the backend saw (shared by every harness). */
bool harness_last_write_is(const uint8_t *data, uint32_t len);
bool harness_last_nexus_is(const char *initiator, uint16_t tpgt, const char *target);
unsigned harness_tmf_count(void);
int harness_last_tmf_fn(void);
uint64_t harness_last_tmf_lun(void);

#endif
