/* fuzz_run.h - runs one iSCSI connection of the transport over a socketpair: a feeder
 * thread writes the given bytes, half-closes, and drains whatever the target answers,
 * while the connection runs to completion in the calling thread. A cheap backend
 * answers every command (no sleeping, small reads). */
#ifndef VTL_TESTS_FUZZ_ISCSI_RUN_H
#define VTL_TESTS_FUZZ_ISCSI_RUN_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_TARGET "iqn.2026-11.io.vtl:fuzz"

/* Feeds `prefix` then `data` to a fresh connection of a process-wide server. */
void fuzz_run_stream(const uint8_t *prefix, size_t plen, const uint8_t *data, size_t len);

/* A Login Request PDU (CSG 1 -> FFP) carrying `text` (key=value\0...). Returns its size. */
size_t fuzz_login_pdu(uint8_t *out, size_t cap, const char *text, size_t tlen);

#endif
