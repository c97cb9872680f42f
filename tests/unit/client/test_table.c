/* table.h: columns as wide as their widest cell, no trailing blanks, control bytes made
 * harmless, partial rows not printed. */
#include "client/table.h"
#include "tests/testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *render(const struct cli_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f);
	CHECK_EQ(cli_table_print(t, f), 0);
	fclose(f);
	return buf;
}

int main(void)
{
	static const char *heads[] = {"NAME", "OWNER", "PARTNERS", "EPOCH"};
	struct cli_table t;
	CHECK_EQ(cli_table_init(&t, heads, 4), 0);
	CHECK_EQ(cli_table_cell(&t, "%s", "demo"), 0);
	cli_table_cell(&t, "node-1");
	cli_table_cell(&t, "node-2");
	cli_table_cell(&t, "%d", 1);
	cli_table_cell(&t, "a-much-longer-name");
	cli_table_cell(&t, "-");
	cli_table_cell(&t, "-");
	cli_table_cell(&t, "%d", 12345);
	CHECK_EQ(cli_table_rows(&t), 2);
	char *s = render(&t);
	const char *want =
		"NAME                OWNER   PARTNERS  EPOCH\n"
		"demo                node-1  node-2    1\n"
		"a-much-longer-name  -       -         12345\n";
	if (strcmp(s, want)) {
		fprintf(stderr, "got:\n%s\nwant:\n%s", s, want);
		return 1;
	}
	free(s);

	/* a partial row is not printed; hostile bytes cannot break a line; UTF-8 counts as
	 * characters */
	cli_table_cell(&t, "evil\nname\x1b[2J");
	cli_table_cell(&t, "n\xc3\xb6" "de");
	s = render(&t);
	CHECK(!strstr(s, "evil"));
	free(s);
	cli_table_cell(&t, "x");
	cli_table_cell(&t, "y");
	s = render(&t);
	CHECK(strstr(s, "evil?name?[2J       n\xc3\xb6" "de    x         y\n"));
	size_t lines = 0;
	for (char *p = s; *p; p++) {
		lines += *p == '\n';
		CHECK(!(*p == ' ' && p[1] == '\n'));    /* no trailing blanks */
	}
	CHECK_EQ(lines, 4);
	free(s);
	cli_table_fini(&t);

	CHECK_EQ(cli_table_init(&t, heads, 0), -EINVAL);
	cli_table_fini(&t);
	CHECK_EQ(cli_table_init(&t, heads, CLI_TABLE_MAX_COLS + 1), -EINVAL);
	cli_table_fini(&t);

	/* header only */
	CHECK_EQ(cli_table_init(&t, heads, 1), 0);
	s = render(&t);
	CHECK(!strcmp(s, "NAME\n"));
	free(s);
	cli_table_fini(&t);
	printf("ok\n");
	return 0;
}
