/* table.c - see table.h. */
#include "client/table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_table_init(struct cli_table *t, const char *const *heads, size_t ncols)
{
	memset(t, 0, sizeof *t);
	if (ncols == 0 || ncols > CLI_TABLE_MAX_COLS)
		return -EINVAL;
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		t->heads[i] = heads[i];
	return 0;
}

void cli_table_fini(struct cli_table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

/* Control bytes (from etcd, say) must not move the cursor or end the line. */
static void table__sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int cli_table_cell(struct cli_table *t, const char *fmt, ...)
{
	if (t->err)
		return t->err;
	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **cells = realloc(t->cells, cap * sizeof *cells);
		if (!cells)
			return t->err = -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return t->err = -ENOMEM;
	table__sanitize(s);
	t->cells[t->ncells++] = s;
	return 0;
}

size_t cli_table_rows(const struct cli_table *t)
{
	return t->ncols ? t->ncells / t->ncols : 0;
}

/* Characters, not bytes: a UTF-8 continuation byte does not take a column. */
static size_t table__width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void table__line(const struct cli_table *t, const char *const *row,
			const size_t *width, FILE *out)
{
	for (size_t c = 0; c < t->ncols; c++) {
		if (c + 1 == t->ncols) {
			fprintf(out, "%s\n", row[c]);
			break;
		}
		fprintf(out, "%s%*s", row[c], (int)(width[c] - table__width(row[c]) + 2), "");
	}
}

int cli_table_print(const struct cli_table *t, FILE *out)
{
	if (t->err)
		return t->err;
	size_t width[CLI_TABLE_MAX_COLS], rows = cli_table_rows(t);
	for (size_t c = 0; c < t->ncols; c++)
		width[c] = table__width(t->heads[c]);
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = table__width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	table__line(t, t->heads, width, out);
	for (size_t r = 0; r < rows; r++)
		table__line(t, (const char *const *)&t->cells[r * t->ncols], width, out);
	return 0;
}
