/* format.h: sizes both ways, numbers, times, ages, name lists. */
#include "client/format.h"
#include "tests/testutil.h"

#include <errno.h>
#include <string.h>

static void check_size(uint64_t v, const char *want)
{
	char buf[CLI_SIZE_STR];
	cli_fmt_size(v, buf);
	if (strcmp(buf, want)) {
		fprintf(stderr, "cli_fmt_size(%llu) = '%s', want '%s'\n", (unsigned long long)v, buf, want);
		exit(1);
	}
}

static void fmt_size(void)
{
	check_size(0, "0 B");
	check_size(1023, "1023 B");
	check_size(1024, "1.0 KiB");
	check_size(1536, "1.5 KiB");
	check_size(UINT64_C(4) << 30, "4.0 GiB");
	check_size(1000000000000ull, "931.3 GiB");
	check_size((UINT64_C(1) << 20) - 1, "1.0 MiB");   /* 1023.999 KiB rounds up a unit */
	check_size((UINT64_C(1) << 20) - 60, "1023.9 KiB");
	check_size(UINT64_C(1) << 50, "1.0 PiB");
	check_size(UINT64_MAX, "16.0 EiB");
}

static uint64_t size_ok(const char *s)
{
	uint64_t v = 0;
	CHECK_EQ(cli_parse_size(s, &v), 0);
	return v;
}

static void parse_size(void)
{
	CHECK_EQ(size_ok("4096"), 4096);
	CHECK_EQ(size_ok("4G"), UINT64_C(4) << 30);
	CHECK_EQ(size_ok("4GiB"), UINT64_C(4) << 30);
	CHECK_EQ(size_ok("4gb"), UINT64_C(4) << 30);
	CHECK_EQ(size_ok("512k"), 512 * 1024);
	CHECK_EQ(size_ok("1.5T"), UINT64_C(3) << 39);
	CHECK_EQ(size_ok("0.5K"), 512);
	CHECK_EQ(size_ok("10B"), 10);
	CHECK_EQ(size_ok("8191P"), UINT64_C(8191) << 50);
	uint64_t v = 77;
	const char *bad[] = {"", "G", "-1", "+1", "1.", ".5", "1.2345G", "4X", "4GG", "4 G",
			     "4Gi", "1e3", "0x10", "4G ", NULL};
	for (size_t i = 0; bad[i]; i++)
		CHECK_EQ(cli_parse_size(bad[i], &v), -EINVAL);
	CHECK_EQ(cli_parse_size(NULL, &v), -EINVAL);
	CHECK_EQ(cli_parse_size("8192P", &v), -ERANGE);            /* 2^63 */
	CHECK_EQ(cli_parse_size("99999999999999999999", &v), -ERANGE);
	CHECK_EQ(cli_parse_size("1.5", &v), -ERANGE);               /* half a byte */
	CHECK_EQ(v, 77);                                            /* untouched on error */
}

static void parse_uint(void)
{
	uint64_t v = 5;
	CHECK_EQ(cli_parse_uint("64", 1, 64, &v), 0);
	CHECK_EQ(v, 64);
	CHECK_EQ(cli_parse_uint("65", 1, 64, &v), -ERANGE);
	CHECK_EQ(cli_parse_uint("0", 1, 64, &v), -ERANGE);
	CHECK_EQ(cli_parse_uint("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ(cli_parse_uint("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(cli_parse_uint("", 0, 9, &v), -EINVAL);
	CHECK_EQ(cli_parse_uint("-1", 0, 9, &v), -EINVAL);
	CHECK_EQ(cli_parse_uint("1x", 0, 9, &v), -EINVAL);
	CHECK_EQ(cli_parse_uint(" 1", 0, 9, &v), -EINVAL);
}

static void times_and_names(void)
{
	char t[CLI_TIME_STR], a[32], n[64];
	CHECK(!strcmp(cli_fmt_time(1795000004500ull, t), "2026-11-18T11:06:44.500Z"));
	CHECK(!strcmp(cli_fmt_time(0, t), "1970-01-01T00:00:00.000Z"));
	CHECK(!strcmp(cli_fmt_time(UINT64_MAX, t), "?"));
	CHECK(!strcmp(cli_fmt_age(4999, a, sizeof a), "4s"));
	CHECK(!strcmp(cli_fmt_age(180000, a, sizeof a), "3m"));
	CHECK(!strcmp(cli_fmt_age(7500000, a, sizeof a), "2h5m"));
	CHECK(!strcmp(cli_fmt_age(97200000ull * 6, a, sizeof a), "6d18h"));
	json_t *arr = json_pack("[sss]", "node-2", "node-3", "node-4");
	CHECK(!strcmp(cli_fmt_names(arr, n, sizeof n), "node-2, node-3, node-4"));
	CHECK(!strcmp(cli_fmt_names(arr, n, 12), "node-2"));     /* cut at a name */
	json_decref(arr);
	arr = json_array();
	CHECK(!strcmp(cli_fmt_names(arr, n, sizeof n), "-"));
	CHECK(!strcmp(cli_fmt_names(NULL, n, sizeof n), "-"));
	json_array_append_new(arr, json_integer(7));             /* not a string: '?' */
	CHECK(!strcmp(cli_fmt_names(arr, n, sizeof n), "?"));
	json_decref(arr);
}

int main(void)
{
	fmt_size();
	parse_size();
	parse_uint();
	times_and_names();
	printf("ok\n");
	return 0;
}
