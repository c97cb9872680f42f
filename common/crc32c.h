/* crc32c.h - CRC-32C (Castagnoli), for iSCSI digests (RFC 7143 13.1, vectors in RFC 3720
 * B.4) and segment-file checksums. zlib-style: vtl_crc32c(0, buf, len) is the CRC of buf,
 * and vtl_crc32c(vtl_crc32c(0, a, la), b, lb) the CRC of a followed by b. On the iSCSI wire
 * a digest travels least significant byte first.
 *
 * Concurrency: pure; tables are built once under pthread_once. SSE4.2 when the CPU has it
 * (checked at run time), else slicing-by-8. */
#ifndef VTL_COMMON_CRC32C_H
#define VTL_COMMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t vtl_crc32c(uint32_t crc, const void *buf, size_t len);
/* The table path, always available (tests compare it with the hardware path). */
uint32_t vtl_crc32c_soft(uint32_t crc, const void *buf, size_t len);

#endif
