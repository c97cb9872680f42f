/* cmd_status.c - `status`: is the cluster healthy, at a glance. It reads etcd itself (one
 * read of the prefix, so every count is from one revision) and then asks the active
 * manager its `status`, once, so it still answers when no manager runs: that is when an
 * operator needs it. Exit 0 when the manager answered, 11 (after the report) when not. */
#include "client/cmds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/conn.h"
#include "client/format.h"
#include "common/etcd/etcd.h"
#include "common/rpc/rpc.h"
#include "proto/records.h"

#define STATUS__MGR_TIMEOUT_MS 3000

struct status__counts {
	int64_t revision;
	unsigned nodes, draining, libs, online, offline, migrating, unplaced, migrations, bad;
};

/* Is key in the read? etcd returns a range sorted by key bytes: binary search. */
static bool status__has_key(const struct etcd_kvs *kvs, const char *key)
{
	size_t lo = 0, hi = kvs->n, len = strlen(key);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct etcd_kv *kv = &kvs->kv[mid];
		size_t n = kv->key_len < len ? kv->key_len : len;
		int c = memcmp(kv->key, key, n);
		if (!c)
			c = kv->key_len < len ? -1 : kv->key_len > len;
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A drain record of a node, or an owner record of a library. */
static bool status__has(const struct etcd_kvs *kvs, const char *prefix, enum proto_key_kind kind,
			const char *name)
{
	char key[PROTO_KEY_MAX];
	int rc = kind == PROTO_KEY_DRAIN ? proto_key_drain(key, sizeof key, prefix, name)
					 : proto_key_lib_owner(key, sizeof key, prefix, name);
	return !rc && status__has_key(kvs, key);
}

static void status__count_one(const struct etcd_kvs *kvs, const struct etcd_kv *kv,
			      const struct proto_key *k, const char *prefix, struct status__counts *s)
{
	union { struct proto_node n; struct proto_owner o; struct proto_mig m; } r;
	struct proto_libcfg cfg = {0};
	int rc = 0;
	switch (k->kind) {
	case PROTO_KEY_NODE:
		rc = proto_node_decode(kv->value, kv->value_len, &r.n, NULL, 0);
		s->nodes += !rc;
		s->draining += !rc && (r.n.draining || status__has(kvs, prefix, PROTO_KEY_DRAIN, k->name));
		break;
	case PROTO_KEY_LIB_CONFIG:
		rc = proto_libcfg_decode(kv->value, kv->value_len, &cfg, NULL, 0);
		proto_libcfg_fini(&cfg);
		s->libs++;
		s->unplaced += !status__has(kvs, prefix, PROTO_KEY_LIB_OWNER, k->name);
		break;
	case PROTO_KEY_LIB_OWNER:
		rc = proto_owner_decode(kv->value, kv->value_len, &r.o, NULL, 0);
		s->online += !rc && r.o.state == PROTO_OWNER_ONLINE;
		s->offline += !rc && r.o.state == PROTO_OWNER_OFFLINE;
		s->migrating += !rc && r.o.state == PROTO_OWNER_MIGRATING;
		break;
	case PROTO_KEY_MIGRATION:
		rc = proto_mig_decode(kv->value, kv->value_len, &r.m, NULL, 0);
		s->migrations += !rc && !proto_mig_phase_final(r.m.phase);
		break;
	default:
		break;
	}
	s->bad += rc != 0;
}

static void status__count(const struct etcd_kvs *kvs, const char *prefix, struct status__counts *s)
{
	struct proto_key k;
	memset(s, 0, sizeof *s);
	s->revision = kvs->revision;
	for (size_t i = 0; i < kvs->n; i++)
		if (!proto_key_parse(prefix, kvs->kv[i].key, kvs->kv[i].key_len, &k))
			status__count_one(kvs, &kvs->kv[i], &k, prefix, s);
}

/* The manager's line; false when it did not answer (why in err). */
static bool status__manager(struct cli *cli, struct proto_leader *l, int lrc, char *err,
			    size_t cap)
{
	char why[PROTO_REASON_MAX], buf[300];
	if (lrc == -ENOENT) {
		snprintf(err, cap, "no active manager (%s is absent)", cli->conn->leader_key);
		return false;
	}
	if (lrc) {
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, cap, "bad value at %s: %s", cli->conn->leader_key, why);
		return false;
	}
	enum proto_ctl_err e;
	char msg[PROTO_CTL_MSG_MAX + 1];
	int tmo = cli->timeout_ms < STATUS__MGR_TIMEOUT_MS ? (int)cli->timeout_ms
							   : STATUS__MGR_TIMEOUT_MS;
	int rc = rpc_call(l->control, "status", NULL, tmo, &e, NULL, msg, sizeof msg);
	if (rc)
		snprintf(err, cap, "manager %s: %s", l->id, rpc_strerror(rc, l->control, buf, sizeof buf));
	else if (e != PROTO_CTL_OK)
		snprintf(err, cap, "manager %s at %s answered %s: %s", l->id, l->control,
			 proto_ctl_err_name(e), msg);
	return !rc && e == PROTO_CTL_OK;
}

static void status__human(struct cli *cli, const struct status__counts *s,
			  const struct proto_leader *l, bool have_leader, bool ok, const char *err)
{
	char t[CLI_TIME_STR], age[32];
	printf("etcd        %s, revision %lld\n", cli->etcd, (long long)s->revision);
	if (have_leader) {
		uint64_t now = cli_now_ms();
		printf("manager     %s, control %s, active %s (since %s)%s%s\n", l->id, l->control,
		       cli_fmt_age(now > l->since ? now - l->since : 0, age, sizeof age),
		       cli_fmt_time(l->since, t), ok ? "" : ", NOT ANSWERING: ", ok ? "" : err);
	} else {
		printf("manager     NONE: %s\n", err);
	}
	printf("nodes       %u up, %u draining\n", s->nodes, s->draining);
	printf("libraries   %u: %u online, %u offline, %u migrating, %u unplaced\n", s->libs,
	       s->online, s->offline, s->migrating, s->unplaced);
	printf("migrations  %u in progress\n", s->migrations);
	if (s->bad)
		printf("bad values  %u records do not decode (see: " CLI_NAME " events)\n", s->bad);
}

static int status__json(struct cli *cli, const struct status__counts *s,
			const struct proto_leader *l, bool have_leader, bool ok, const char *err)
{
	json_t *m = have_leader ? json_pack("{sssssI}", "leader", l->id, "control", l->control,
					    "since", (json_int_t)l->since)
				: json_pack("{snsnsn}", "leader", "control", "since");
	if (m) {
		json_object_set_new(m, "reachable", json_boolean(ok));
		json_object_set_new(m, "error", ok ? json_null() : json_string(err));
	}
	json_t *j = json_pack("{s{sssI}so s{sisi} s{sisisisisi} s{si} si}",
		"etcd", "endpoints", cli->etcd, "revision", (json_int_t)s->revision,
		"manager", m,
		"nodes", "live", (int)s->nodes, "draining", (int)s->draining,
		"libraries", "total", (int)s->libs, "online", (int)s->online, "offline",
		(int)s->offline, "migrating", (int)s->migrating, "unplaced", (int)s->unplaced,
		"migrations", "active", (int)s->migrations, "bad_values", (int)s->bad);
	int rc = cli_print_json(j);
	json_decref(j);
	return rc;
}

int cli_cmd_status(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char *pos[1], err[600] = "";
	size_t npos;
	struct cli_conn *c;
	int ex = cli_parse(cli, cmd, NULL, 0, argc, argv, pos, 0, 0, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	if ((ex = cli_conn_get(cli, &c)))
		return ex;
	struct etcd_kvs kvs;
	int rc = etcd_range(c->etcd, cli->prefix, strlen(cli->prefix), &kvs);
	if (rc)
		return cli_etcd_fail(cli, rc);
	struct status__counts s;
	status__count(&kvs, cli->prefix, &s);
	etcd_kvs_free(&kvs);
	struct proto_leader l = {0};
	int lrc = cli_conn_leader(cli, &l, err, sizeof err);
	if (lrc && lrc != -ENOENT && lrc != -EINVAL)
		return cli_etcd_fail(cli, lrc);
	bool ok = status__manager(cli, &l, lrc, err, sizeof err);
	ex = cli->json ? status__json(cli, &s, &l, !lrc, ok, err)
		       : (status__human(cli, &s, &l, !lrc, ok, err), 0);
	fflush(stdout);
	if (!ok)
		ex = cli_fail(NULL, PROTO_CTL_UNAVAILABLE, "manager unreachable: %s (is vtl-manager "
			      "running?)", err);
	return ex;
}
