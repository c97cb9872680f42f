/* wl_common.h - pieces of the backup-shaped workflow shared by integration tests:
 * deterministic block contents, a multi-file layout, and changer moves. */
#ifndef VTL_TESTS_WL_COMMON_H
#define VTL_TESTS_WL_COMMON_H

#include <stdint.h>

#include "tests/client/tclient.h"

#define WL_FILES 4

/* Block sizes of each file of the backup (0 ends a file). */
extern const uint32_t wl_layout[WL_FILES][12];

/* Fills buf with the content of block b of file f in generation gen. */
void wl_fill(uint8_t *buf, uint32_t len, unsigned gen, unsigned f, unsigned b);

/* Object number where file f starts (blocks and filemarks both count). */
uint64_t wl_file_start(unsigned f);

/* Writes every file followed by a filemark; the last WRITE FILEMARKS is IMMED=0 (sync). */
void wl_write_all(struct tc *tc, unsigned gen);
/* Reads file f from the current position (at its start) and checks every byte, then the
 * filemark that ends it. */
void wl_read_file(struct tc *tc, unsigned gen, unsigned f);

/* Changer helpers on LUN 0 of tc: the element a barcode is in, and a checked move. */
uint16_t wl_find_barcode(struct tc *tc, const char *barcode);
void wl_move(struct tc *tc, uint16_t src, uint16_t dst);

#endif
