/* Configuration parsing: good files parse into the right fields; every bad file names the
 * file, line and field. */
#include <string.h>

#include "node/config/config.h"
#include "tests/testutil.h"

static void expect_error(const char *text, const char *want)
{
	struct node_config cfg;
	char err[512] = "";
	config_defaults(&cfg);
	int rc = config_parse(&cfg, "t.conf", text, err, sizeof err);
	if (!rc)
		rc = config_finish(&cfg, err, sizeof err);
	CHECK(rc < 0);
	if (!strstr(err, want)) {
		fprintf(stderr, "error '%s' does not contain '%s'\n", err, want);
		exit(1);
	}
}

static void test_good(void)
{
	struct node_config cfg;
	char err[512] = "";
	config_defaults(&cfg);
	const char *text = "# comment\n[node]\nid = n7\nportal = 127.0.0.1:3999\n"
			   "data_dir = /tmp/x\nlog_level = debug\n\n"
			   "[library lib-a]\ndrives = 4\nslots = 100\nie_slots = 2\ncartridges = 50 # half\n"
			   "capacity = 2G\nbarcode_prefix = AB\nmedia = L7\n"
			   "changer_vendor = STK\nchanger_product = L700\n"
			   "[library b]\n";
	CHECK_EQ(config_parse(&cfg, "t.conf", text, err, sizeof err), 0);
	CHECK_EQ(config_finish(&cfg, err, sizeof err), 0);
	CHECK(!strcmp(cfg.id, "n7"));
	CHECK(!strcmp(cfg.portal, "127.0.0.1:3999"));
	CHECK_EQ(cfg.log_level, LOG_DEBUG);
	CHECK_EQ(cfg.n_libs, 2);
	CHECK_EQ(cfg.libs[0].drives, 4);
	CHECK_EQ(cfg.libs[0].slots, 100);
	CHECK_EQ(cfg.libs[0].cartridges, 50);
	CHECK_EQ(cfg.libs[0].capacity, 2ull << 30);
	CHECK(!strcmp(cfg.libs[0].changer_vendor, "STK"));
	CHECK(!strcmp(cfg.libs[0].target, "iqn.2026-11.io.vtl:lib-a"));
	/* defaults for an empty section */
	CHECK_EQ(cfg.libs[1].drives, 2);
	CHECK(!strcmp(cfg.libs[1].drive_product, "ULT3580-TD8"));
}

/* [etcd] and peer: values land in the struct; defaults hold without the section */
static void test_etcd(void)
{
	struct node_config cfg;
	char err[512] = "";
	config_defaults(&cfg);
	CHECK_EQ(config_parse(&cfg, "t.conf", "[node]\nid = n1\n", err, sizeof err), 0);
	CHECK_EQ(config_finish(&cfg, err, sizeof err), 0);
	CHECK_EQ(cfg.etcd.endpoints[0], 0);
	CHECK(!strcmp(cfg.etcd.prefix, "/vtl/"));
	CHECK_EQ(cfg.etcd.lease_ttl, 5);
	CHECK_EQ(cfg.peer[0], 0);

	config_defaults(&cfg);
	const char *text = "[node]\nid = n_2\npeer = tcp://10.0.0.1:7000\n"
			   "[etcd]\nendpoints = http://127.0.0.1:2379,http://h2:2379\n"
			   "prefix = /other/vtl/\nlease_ttl = 60\nusername = u\npassword = p w\n";
	CHECK_EQ(config_parse(&cfg, "t.conf", text, err, sizeof err), 0);
	CHECK_EQ(config_finish(&cfg, err, sizeof err), 0);
	CHECK(!strcmp(cfg.etcd.endpoints, "http://127.0.0.1:2379,http://h2:2379"));
	CHECK(!strcmp(cfg.etcd.prefix, "/other/vtl/"));
	CHECK_EQ(cfg.etcd.lease_ttl, 60);
	CHECK(!strcmp(cfg.etcd.username, "u"));
	CHECK(!strcmp(cfg.etcd.password, "p w"));
	CHECK(!strcmp(cfg.peer, "tcp://10.0.0.1:7000"));

	config_defaults(&cfg);
	CHECK_EQ(config_parse(&cfg, "t.conf", "[etcd]\nlease_ttl = 2\n", err, sizeof err), 0);
	CHECK_EQ(cfg.etcd.lease_ttl, 2);
}

int main(void)
{
	test_good();
	test_etcd();
	expect_error("[etcd]\nlease_ttl = 1\n", "t.conf:2: field 'lease_ttl': number out of range");
	expect_error("[etcd]\nlease_ttl = 61\n", "t.conf:2: field 'lease_ttl': number out of range");
	expect_error("[etcd]\nlease_ttl = 5s\n", "field 'lease_ttl': trailing characters");
	expect_error("[etcd]\nlease_ttl = -3\n", "field 'lease_ttl': expected a number");
	expect_error("[etcd]\nendpoints =\n", "t.conf:2: field 'endpoints': must not be empty");
	expect_error("[etcd]\nbogus = 1\n", "t.conf:2: field 'bogus': unknown field");
	expect_error("[etcd]\nportal = 1.2.3.4:5\n", "t.conf:2: field 'portal': unknown field");
	expect_error("[node]\nendpoints = http://x:1\n", "t.conf:2: field 'endpoints': unknown field");
	expect_error("[etcd]\nendpoints = http://x:1\n\nprefix = vtl\n",
		     "t.conf:4: field 'prefix': must start and end with '/'");
	expect_error("[etcd]\nendpoints = http://x:1\nprefix = /a b/\n", "t.conf:3: field 'prefix'");
	expect_error("[node]\nid = a.b\n[etcd]\nendpoints = http://x:1\n", "field 'id': with [etcd]");
	/* cluster mode: libraries come from etcd, wherever the sections are */
	expect_error("[node]\n[etcd]\nendpoints = http://x:1\n\n[library L1]\ndrives = 2\n",
		     "t.conf:5: [library L1]: libraries come from etcd when [etcd] is set");
	expect_error("[library L0]\n[etcd]\nendpoints = http://x:1\n",
		     "t.conf:1: [library L0]: libraries come from etcd when [etcd] is set");
	expect_error("[node]\n[etcd]\nlease_ttl = 3\n", "t.conf:2: [etcd]: field 'endpoints': required");
	expect_error("[node]\n\npeer = 10.0.0.1:7000\n", "t.conf:3: field 'peer': expected an nng URL");
	expect_error("[node]\nid\n", "t.conf:2: expected 'key = value'");
	expect_error("id = x\n", "t.conf:1: field 'id': key outside a section");
	expect_error("[node]\nbogus = 1\n", "t.conf:2: field 'bogus': unknown field");
	expect_error("[library x]\ndrives = 0\n", "t.conf:2: field 'drives': number out of range");
	expect_error("[library x]\ndrives = 65\n", "field 'drives': number out of range");
	expect_error("[library x]\ndrives = two\n", "field 'drives': expected a number");
	expect_error("[library x]\ncapacity = 4X\n", "field 'capacity': unknown size suffix");
	expect_error("[library x]\nslots = 3\ncartridges = 4\n", "t.conf:1: library 'x': field 'cartridges'");
	expect_error("[library x]\n[library x]\n", "t.conf:2: library defined twice");
	expect_error("[library x/y]\n", "library name may hold only");
	expect_error("[weird]\n", "unknown section");
	expect_error("[node]\nlog_level = loud\n", "field 'log_level'");
	expect_error("[node]\nportal = nohostport\n", "t.conf:2: field 'portal'");
	expect_error("[node]\n\n[library x]\nbarcode_prefix = a b\n", "t.conf:3: library 'x': field 'barcode_prefix'");
	expect_error("[library x]\nmedia = l8\n", "library 'x': field 'media': only A-Z and 0-9");
	expect_error("[node]\nid =\n", "field 'id': must not be empty");
	expect_error("[library a]\n[library b]\nmedia = L8\n",
		     "t.conf:2: library 'b': field 'barcode_prefix': same barcode prefix and media as another library");
	return 0;
}
