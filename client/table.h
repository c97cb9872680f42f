/* table.h - aligned text tables for clusterctl's human output:
 *
 *   NAME  OWNER   PARTNERS  EPOCH
 *   demo  node-1  node-2    1
 *
 * Columns are as wide as their widest cell (counted in characters, not bytes) and
 * separated by two spaces; the last column is not padded, so no line has trailing blanks.
 * Cells are added one at a time, row by row; control characters in a cell (they may come
 * from etcd) are shown as '?', so a cell can never break a line.
 *
 * A table owns copies of its cells. Allocation failure is sticky: the add functions keep
 * returning -ENOMEM and cli_table_print() prints nothing and returns -ENOMEM. Not shared
 * between threads. */
#ifndef VTL_CLIENT_TABLE_H
#define VTL_CLIENT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define CLI_TABLE_MAX_COLS 16

struct cli_table {
	size_t ncols;
	const char *heads[CLI_TABLE_MAX_COLS];  /* borrowed: string literals in practice */
	char **cells;                           /* row-major, nrows * ncols once complete */
	size_t ncells, cap;
	int err;                                /* sticky -ENOMEM */
};

/* heads are borrowed for the table's life. -EINVAL if ncols is 0 or too many. */
int cli_table_init(struct cli_table *t, const char *const *heads, size_t ncols);
void cli_table_fini(struct cli_table *t);      /* accepts a zeroed or half-built table */

/* Appends one cell (printf-style) to the current row; a row is complete after ncols. */
__attribute__((format(printf, 2, 3)))
int cli_table_cell(struct cli_table *t, const char *fmt, ...);

size_t cli_table_rows(const struct cli_table *t);   /* complete rows */

/* Header and complete rows. 0 or -ENOMEM (then nothing was printed). */
int cli_table_print(const struct cli_table *t, FILE *out);

#endif
