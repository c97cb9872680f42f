/* conn.c - see conn.h: etcd, the leader key, and control-API calls with retry. */
#include "client/conn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/etcd/etcd.h"
#include "common/rpc/rpc.h"

#define CONN__RETRY_MS 200
#define CONN__ETCD_TIMEOUT_MS 2000      /* per etcd request; --timeout may lower it */

int cli_conn_get(struct cli *cli, struct cli_conn **out)
{
	*out = cli->conn;
	if (cli->conn)
		return 0;
	if (!proto_prefix_valid(cli->prefix))
		return cli_fail(cli, PROTO_CTL_INVALID, "bad --prefix '%.140s': it starts and ends "
				"with '/', has no spaces and at most %d characters", cli->prefix,
				PROTO_PREFIX_MAX);
	struct cli_conn *c = calloc(1, sizeof *c);
	if (!c)
		return cli_fail(cli, PROTO_CTL_INTERNAL, "out of memory");
	proto_key_leader(c->leader_key, sizeof c->leader_key, cli->prefix);
	struct etcd_config cfg = {
		.endpoints = cli->etcd,
		.timeout_ms = cli->timeout_ms < CONN__ETCD_TIMEOUT_MS ? (int)cli->timeout_ms
								      : CONN__ETCD_TIMEOUT_MS,
	};
	int rc = etcd_open(&cfg, &c->etcd);
	if (rc) {
		free(c);
		if (rc == -ENOMEM)
			return cli_fail(cli, PROTO_CTL_INTERNAL, "out of memory");
		return cli_fail(cli, PROTO_CTL_INVALID, "bad --etcd '%.200s': want "
				"http://HOST:PORT or https://HOST:PORT, comma-separated", cli->etcd);
	}
	cli->conn = *out = c;
	return 0;
}

void cli_conn_close(struct cli *cli)
{
	if (!cli->conn)
		return;
	etcd_close(cli->conn->etcd);
	free(cli->conn);
	cli->conn = NULL;
}

const char *cli_etcd_why(struct cli *cli, int rc, char *buf, size_t cap)
{
	const char *how = NULL;
	switch (rc) {
	case -ECONNREFUSED: how = "connection refused by"; break;
	case -ETIMEDOUT: how = "no answer in time from"; break;
	case -EHOSTUNREACH: how = "no route to"; break;
	case -ECONNRESET: how = "connection dropped by"; break;
	}
	const char *text = cli->conn ? etcd_last_error(cli->conn->etcd) : "";
	if (how)
		snprintf(buf, cap, "etcd unreachable: %s %s", how, cli->etcd);
	else
		snprintf(buf, cap, "etcd at %s failed: %s", cli->etcd, *text ? text : strerror(-rc));
	return buf;
}

int cli_etcd_fail(struct cli *cli, int rc)
{
	char why[600];
	cli_etcd_why(cli, rc, why, sizeof why);
	if (strncmp(why, "etcd unreachable", 16))
		return cli_fail(cli, PROTO_CTL_ETCD, "%s", why);
	return cli_fail(cli, PROTO_CTL_ETCD, "%s (check --etcd or VTL_ETCD)", why);
}

int cli_conn_leader(struct cli *cli, struct proto_leader *out, char *why, size_t why_cap)
{
	struct cli_conn *c = cli->conn;
	struct etcd_kvs kvs;
	int rc = etcd_get(c->etcd, c->leader_key, strlen(c->leader_key), &kvs);
	if (rc)
		return rc;
	if (kvs.n == 0)
		rc = -ENOENT;
	else if (proto_leader_decode(kvs.kv[0].value, kvs.kv[0].value_len, out, why, why_cap))
		rc = -EINVAL;
	etcd_kvs_free(&kvs);
	return rc;
}

static uint64_t conn__mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* What an operator can do about each code when the command gives no better hint. */
static const char *conn__hint(enum proto_ctl_err err, const struct cli_hint *hints)
{
	for (const struct cli_hint *h = hints; h && h->text; h++)
		if (h->err == err)
			return h->text;
	switch (err) {
	case PROTO_CTL_INVALID: return "see: " CLI_NAME " COMMAND --help";
	case PROTO_CTL_UNKNOWN_OP: return "vtl-manager is older than this " CLI_NAME;
	case PROTO_CTL_NO_PLACEMENT: return "see: " CLI_NAME " nodes; start or undrain a node";
	case PROTO_CTL_NODE_DOWN: return "see: " CLI_NAME " nodes";
	case PROTO_CTL_CONFLICT: return "another change won the race; run the command again";
	case PROTO_CTL_ETCD: return "vtl-manager cannot reach etcd; see: " CLI_NAME " status";
	case PROTO_CTL_INTERNAL: return "a bug: report it with the vtl-manager log";
	default: return NULL;
	}
}

static int conn__reply_fail(struct cli *cli, enum proto_ctl_err err, const char *msg,
			    const struct cli_hint *hints)
{
	const char *hint = conn__hint(err, hints);
	if (hint && strstr(hint, "--force") && strstr(msg, "--force"))
		hint = NULL;            /* the manager said it already */
	if (!*msg)
		msg = proto_ctl_err_name(err);
	return hint ? cli_fail(cli, err, "%s (%s)", msg, hint) : cli_fail(cli, err, "%s", msg);
}

/* One control-API call in progress: what is asked, and why the last attempt failed. */
struct conn__call {
	const char *op;
	const json_t *args;
	const struct cli_hint *hints;
	json_t **result;
	int exit;                       /* when done: 0 or the printed failure's code */
	char last[1024];                /* why the last attempt must be retried */
	enum proto_ctl_err last_err;    /* NOT_LEADER or UNAVAILABLE */
};

/* One attempt within left_ms. false: done (k->exit set); true: retry (k->last says why). */
static bool conn__attempt(struct cli *cli, struct conn__call *k, int left_ms)
{
	struct proto_leader l;
	char why[PROTO_REASON_MAX], msg[PROTO_CTL_MSG_MAX + 1], buf[300];
	int rc = cli_conn_leader(cli, &l, why, sizeof why);
	k->last_err = PROTO_CTL_UNAVAILABLE;
	if (rc == -ENOENT || rc == -EINVAL) {
		if (rc == -ENOENT)
			snprintf(k->last, sizeof k->last, "no active manager (%s is absent)",
				 cli->conn->leader_key);
		else
			snprintf(k->last, sizeof k->last, "bad value at %s: %s", cli->conn->leader_key,
				 why);
		return true;
	}
	if (rc) {
		k->exit = cli_etcd_fail(cli, rc);
		return false;
	}
	enum proto_ctl_err err;
	rc = rpc_call(l.control, k->op, k->args, left_ms, &err, k->result, msg, sizeof msg);
	if (rc == -ECONNREFUSED) {
		snprintf(k->last, sizeof k->last, "%s", rpc_strerror(rc, l.control, buf, sizeof buf));
		return true;
	}
	if (!rc && err == PROTO_CTL_NOT_LEADER) {
		snprintf(k->last, sizeof k->last, "manager '%s' at %s is a standby: %s", l.id,
			 l.control, msg);
		k->last_err = PROTO_CTL_NOT_LEADER;
		return true;
	}
	if (rc)
		k->exit = cli_fail(cli, PROTO_CTL_UNAVAILABLE, "manager unreachable: %s (is "
				   "vtl-manager running? see: " CLI_NAME " status)",
				   rpc_strerror(rc, l.control, buf, sizeof buf));
	else
		k->exit = err == PROTO_CTL_OK ? 0 : conn__reply_fail(cli, err, msg, k->hints);
	return false;
}

int cli_call(struct cli *cli, const char *op, const json_t *args, const struct cli_hint *hints,
	     json_t **result)
{
	struct cli_conn *c;
	*result = NULL;
	int exit = cli_conn_get(cli, &c);
	if (exit)
		return exit;
	struct conn__call k = {.op = op, .args = args, .hints = hints, .result = result};
	uint64_t deadline = conn__mono_ms() + cli->timeout_ms;
	for (;;) {
		uint64_t now = conn__mono_ms();
		if (!conn__attempt(cli, &k, now < deadline ? (int)(deadline - now) : 1))
			return k.exit;
		if (conn__mono_ms() + CONN__RETRY_MS >= deadline)
			break;
		struct timespec ts = {0, CONN__RETRY_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (k.last_err == PROTO_CTL_NOT_LEADER)
		return cli_fail(cli, PROTO_CTL_NOT_LEADER, "no active manager answered within "
				"%llu ms; %s (see: " CLI_NAME " status)",
				(unsigned long long)cli->timeout_ms, k.last);
	return cli_fail(cli, PROTO_CTL_UNAVAILABLE, "manager unreachable: %s (is vtl-manager "
			"running? see: " CLI_NAME " status)", k.last);
}
