/* cmd_events.c - `events --watch [--since REV]`: membership, drain, library and
 * ownership changes as they happen, straight from an etcd watch on the prefix (no
 * manager needed), rendered by events.h.
 *
 * Threads: the main thread reads the prefix (the state events are compared with), starts
 * the watch, then waits for SIGINT/SIGTERM (blocked in every thread, taken with
 * sigtimedwait) and checks etcd every 2 s, so that an outage is said once on stderr
 * ("etcd unreachable ...; the watch keeps retrying") and its end once more. The watch
 * thread owns the struct cli_events and prints every event line; after a RESYNC it
 * re-reads the prefix on the shared etcd client (etcd.h allows it). The main thread
 * touches the renderer only before the watch starts and after it stopped. */
#include "client/cmds.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client/conn.h"
#include "client/events.h"
#include "client/format.h"
#include "common/etcd/etcd.h"

#define EVENTS__CHECK_S 2

struct events__ctx {
	struct cli_events ev;
	struct etcd *etcd;
	const char *prefix;
};

/* The watch thread. */
static void events__on_event(void *arg, const struct etcd_event *e)
{
	struct events__ctx *x = arg;
	cli_events_render(&x->ev, e, cli_now_ms());
	if (e->type != ETCD_EV_RESYNC)
		return;
	struct etcd_kvs kvs;
	if (!etcd_range(x->etcd, x->prefix, strlen(x->prefix), &kvs)) {
		cli_events_seed(&x->ev, &kvs);
		etcd_kvs_free(&kvs);
	}
}

/* Waits for SIGINT/SIGTERM, saying on stderr when etcd goes away and comes back. */
static void events__wait(struct cli *cli, const sigset_t *stop)
{
	bool down = false;
	struct timespec every = {EVENTS__CHECK_S, 0};
	char why[600];
	while (sigtimedwait(stop, NULL, &every) < 0) {
		struct etcd_kvs kvs;
		int rc = etcd_get(cli->conn->etcd, cli->conn->leader_key,
				  strlen(cli->conn->leader_key), &kvs);
		if (!rc)
			etcd_kvs_free(&kvs);
		if (rc && !down)
			fprintf(stderr, CLI_NAME ": %s; the watch keeps retrying and will show "
				"what it missed\n", cli_etcd_why(cli, rc, why, sizeof why));
		else if (!rc && down)
			fprintf(stderr, CLI_NAME ": etcd at %s answers again\n", cli->etcd);
		down = rc != 0;
	}
}

static int events__run(struct cli *cli, struct events__ctx *x, int64_t since)
{
	struct etcd_kvs kvs;
	int rc = etcd_range(x->etcd, cli->prefix, strlen(cli->prefix), &kvs);
	if (rc)
		return cli_etcd_fail(cli, rc);
	int64_t from = since ? since : kvs.revision + 1;
	rc = since ? 0 : cli_events_seed(&x->ev, &kvs);
	etcd_kvs_free(&kvs);
	if (rc)
		return cli_fail(cli, PROTO_CTL_INTERNAL, "out of memory");
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);        /* the watch thread inherits it */
	struct etcd_watch *w = NULL;
	rc = etcd_watch_start(x->etcd, cli->prefix, strlen(cli->prefix), from, events__on_event,
			      x, &w);
	if (rc)
		return cli_fail(cli, PROTO_CTL_INTERNAL, "cannot start the watch: %s", strerror(-rc));
	fprintf(stderr, CLI_NAME ": watching %s at %s from revision %lld (Ctrl-C to stop)\n",
		cli->prefix, cli->etcd, (long long)from);
	events__wait(cli, &stop);
	etcd_watch_stop(w);
	return 0;
}

int cli_cmd_events(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	bool watch = false;
	uint64_t since = 0;
	const struct cli_opt opts[] = {
		{"watch", CLI_OPT_FLAG, &watch, 0, 0, NULL, NULL,
		 "stream changes until Ctrl-C (the only mode; accepted for clarity)"},
		{"since", CLI_OPT_UINT, &since, 1, INT64_MAX, NULL, "REV",
		 "replay from etcd revision REV instead of starting now"},
	};
	char *pos[1];
	size_t npos;
	struct cli_conn *c;
	int ex = cli_parse(cli, cmd, opts, 2, argc, argv, pos, 0, 0, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	if ((ex = cli_conn_get(cli, &c)))
		return ex;
	struct events__ctx x = {.etcd = c->etcd, .prefix = cli->prefix};
	setvbuf(stdout, NULL, _IOLBF, 0);       /* a pipe reader sees each line at once */
	if (cli_events_init(&x.ev, cli->prefix, cli->json, stdout))
		return cli_fail(cli, PROTO_CTL_INVALID, "bad --prefix '%s'", cli->prefix);
	ex = events__run(cli, &x, (int64_t)since);
	cli_events_fini(&x.ev);
	return ex;
}
