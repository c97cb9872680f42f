/* args.h: both option forms, global options merged with a command's, values checked
 * against their ranges with exact reasons, positionals and "--". Plus the exit-code
 * table of cli.h, which scripts depend on. */
#include "client/args.h"
#include "client/cli.h"
#include "tests/testutil.h"

#include <errno.h>
#include <string.h>

struct opts {
	bool json, force;
	const char *etcd, *policy;
	uint64_t drives, capacity;
	bool seen_drives;
};

static struct opts o;
static char err[256];
static char *pos[3];
static size_t npos;

static const struct cli_opt cmd_opts[] = {
	{"drives", CLI_OPT_UINT, &o.drives, 1, 64, &o.seen_drives, "N", "drives"},
	{"capacity", CLI_OPT_SIZE, &o.capacity, 1 << 20, UINT64_C(1) << 50, NULL, "SIZE", "cap"},
	{"force", CLI_OPT_FLAG, &o.force, 0, 0, NULL, NULL, "force"},
	{"policy", CLI_OPT_STR, &o.policy, 0, 0, NULL, "P", "policy"},
};
static const struct cli_opt global_opts[] = {
	{"json", CLI_OPT_FLAG, &o.json, 0, 0, NULL, NULL, "json"},
	{"etcd", CLI_OPT_STR, &o.etcd, 0, 0, NULL, "URLS", "etcd"},
};

/* Parses a NULL-terminated argument list into o; returns the parser's code. */
static int parse(const char **args)
{
	static char *argv[32];
	int argc = 0;
	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	memset(&o, 0, sizeof o);
	struct cli_optset set = {.opts = {cmd_opts, global_opts}, .n = {4, 2}};
	return cli_args_parse(&set, argc, argv, pos, 3, &npos, err, sizeof err);
}

#define PARSE(...) parse((const char *[]){__VA_ARGS__, NULL})

static void expect_err(int rc, const char *want)
{
	CHECK_EQ(rc, -EINVAL);
	if (strcmp(err, want)) {
		fprintf(stderr, "reason '%s', want '%s'\n", err, want);
		exit(1);
	}
}

int main(void)
{
	CHECK_EQ(PARSE("L1", "--drives", "4", "--json", "--capacity=1.5G", "--etcd=http://x:1",
		       "--policy", "single", "--force"), 0);
	CHECK_EQ(npos, 1);
	CHECK(!strcmp(pos[0], "L1"));
	CHECK_EQ(o.drives, 4);
	CHECK(o.seen_drives && o.json && o.force);
	CHECK_EQ(o.capacity, UINT64_C(3) << 29);
	CHECK(!strcmp(o.etcd, "http://x:1") && !strcmp(o.policy, "single"));

	CHECK_EQ(PARSE("a", "--", "--json", "-"), 0);        /* after "--" all positional */
	CHECK_EQ(npos, 3);
	CHECK(!o.json && !strcmp(pos[1], "--json") && !strcmp(pos[2], "-"));
	CHECK_EQ(PARSE("x"), 0);
	CHECK(!o.seen_drives);

	expect_err(PARSE("--drives", "0"), "option '--drives': '0' is out of range (1..64)");
	expect_err(PARSE("--drives", "65"), "option '--drives': '65' is out of range (1..64)");
	expect_err(PARSE("--drives", "two"), "option '--drives': 'two' is not a number");
	expect_err(PARSE("--drives", "-1"), "option '--drives': '-1' is not a number");
	expect_err(PARSE("--drives"), "option '--drives' needs a value (N)");
	expect_err(PARSE("--capacity", "1K"),
		   "option '--capacity': '1K' is out of range (1.0 MiB..1.0 PiB)");
	expect_err(PARSE("--capacity", "lots"),
		   "option '--capacity': 'lots' is not a size (e.g. 4G, 512M, 1.5T)");
	expect_err(PARSE("--json=1"), "option '--json' takes no value");
	expect_err(PARSE("--etcd="), "option '--etcd' needs a non-empty value");
	expect_err(PARSE("--nope"), "unknown option '--nope'");
	expect_err(PARSE("--nope=3"), "unknown option '--nope'");
	expect_err(PARSE("-x"), "unknown option '-x'");
	expect_err(PARSE("--dri", "3"), "unknown option '--dri'");   /* no prefix matching */
	expect_err(PARSE("a", "b", "c", "d"), "too many arguments ('d')");

	/* the documented exit codes (docs/control-api.md) */
	CHECK_EQ(cli_exit_code(PROTO_CTL_OK), 0);
	CHECK_EQ(cli_exit_code(PROTO_CTL_INTERNAL), 1);
	CHECK_EQ(cli_exit_code(PROTO_CTL_INVALID), 2);
	CHECK_EQ(cli_exit_code(PROTO_CTL_UNKNOWN_OP), 2);
	CHECK_EQ(cli_exit_code(PROTO_CTL_NOT_FOUND), 3);
	CHECK_EQ(cli_exit_code(PROTO_CTL_EXISTS), 4);
	CHECK_EQ(cli_exit_code(PROTO_CTL_BUSY), 5);
	CHECK_EQ(cli_exit_code(PROTO_CTL_NO_PLACEMENT), 6);
	CHECK_EQ(cli_exit_code(PROTO_CTL_NODE_DOWN), 7);
	CHECK_EQ(cli_exit_code(PROTO_CTL_NOT_LEADER), 8);
	CHECK_EQ(cli_exit_code(PROTO_CTL_ETCD), 9);
	CHECK_EQ(cli_exit_code(PROTO_CTL_CONFLICT), 10);
	CHECK_EQ(cli_exit_code(PROTO_CTL_UNAVAILABLE), 11);
	CHECK_EQ(cli_exit_code((enum proto_ctl_err)99), 1);
	printf("ok\n");
	return 0;
}
