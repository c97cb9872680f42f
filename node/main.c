/* vtl-node: serves virtual tape libraries over iSCSI.
 *
 *   vtl-node --config FILE [--id ID] [--portal HOST:PORT] [--data-dir DIR]
 *
 * Two modes, chosen by the configuration file:
 *  - standalone (no [etcd]): the [library NAME] sections are opened at start-up and
 *    published in the routing table before the portal listens;
 *  - cluster ([etcd]): the portal starts with an empty routing table; node/cluster
 *    registers the node on a lease (after the portal listens, so the record names the
 *    bound port) and node/ownership onlines the libraries etcd says this node owns,
 *    offlines them when ownership moves, and fences itself when the lease cannot be
 *    renewed.
 *
 * Shutdown on SIGINT/SIGTERM, in reverse: stop serving first (ownership offlines its
 * libraries; in-flight commands finish, tapes are synced), then revoke the lease (the
 * record goes at once; nothing is served any more that another node could take over),
 * stop the portal (drains connections), close the standalone libraries, close the
 * store. kill -9 is safe by design (DESIGN.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/cluster/cluster.h"
#include "node/config/config.h"
#include "node/iscsi/iscsi.h"
#include "node/lib/lib.h"
#include "node/ownership/ownership.h"
#include "node/route/route.h"
#include "node/store/store.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vtl-node --config FILE [--id ID] [--portal HOST:PORT] [--data-dir DIR]\n"
		   "Serves the virtual tape libraries of FILE, or with [etcd] those the cluster\n"
		   "assigns to this node, over iSCSI (format: docs/operations.md).\n");
}

static int parse_args(int argc, char **argv, struct node_config *cfg)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"id", required_argument, NULL, 'i'},
		{"portal", required_argument, NULL, 'p'}, {"data-dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *file = NULL, *id = NULL, *portal = NULL, *dir = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:i:p:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'i': id = optarg; break;
		case 'p': portal = optarg; break;
		case 'd': dir = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc || !file) {
		usage(stderr);
		return -EINVAL;
	}
	char err[512];
	config_defaults(cfg);
	int rc = config_load(cfg, file, err, sizeof err);
	if (!rc) {
		/* flags override the file */
		if (id)
			snprintf(cfg->id, sizeof cfg->id, "%s", id);
		if (portal)
			snprintf(cfg->portal, sizeof cfg->portal, "%s", portal);
		if (dir)
			snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dir);
		rc = config_finish(cfg, err, sizeof err);
	}
	if (rc)
		fprintf(stderr, "vtl-node: %s\n", err);
	return rc;
}

static int wait_for_signal(void)
{
	sigset_t set;
	int sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigwait(&set, &sig);
	return sig;
}

/* Standalone mode: open and publish the configured libraries. */
static int open_libraries(const struct node_config *cfg, struct store *store, struct route *route,
			  struct lib **libs)
{
	for (size_t i = 0; i < cfg->n_libs; i++) {
		int rc = lib_open(store, &cfg->libs[i], &libs[i]);
		if (!rc && (rc = route_add(route, libs[i])) != 0) {
			lib_close(libs[i]);
			libs[i] = NULL;
		}
		if (rc) {
			fprintf(stderr, "vtl-node: library '%s' cannot be opened: %s\n", cfg->libs[i].name,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void close_libraries(const struct node_config *cfg, struct route *route, struct lib **libs)
{
	for (size_t i = 0; i < cfg->n_libs; i++) {
		if (libs[i])
			route_remove(route, cfg->libs[i].name);
		lib_close(libs[i]);
	}
}

/* Cluster mode: registration, then the libraries etcd assigns to this node. */
static int start_cluster(const struct node_config *cfg, uint16_t port, struct store *store,
			 struct route *route, struct cluster **cluster, struct ownership **own)
{
	struct cluster_config ccfg = {
		.endpoints = cfg->etcd.endpoints, .prefix = cfg->etcd.prefix,
		.lease_ttl = cfg->etcd.lease_ttl, .username = cfg->etcd.username,
		.password = cfg->etcd.password, .id = cfg->id, .portal = cfg->portal,
		.bound_port = port, .peer = cfg->peer, .data_dir = cfg->data_dir};
	int rc = cluster_start(&ccfg, cluster);
	if (rc) {
		fprintf(stderr, "vtl-node: cannot start cluster registration: %s\n", strerror(-rc));
		return rc;
	}
	struct ownership_config ocfg = {
		.endpoints = cfg->etcd.endpoints, .prefix = cfg->etcd.prefix,
		.username = cfg->etcd.username, .password = cfg->etcd.password, .node_id = cfg->id,
		.iqn_prefix = cfg->iqn_prefix, .cluster = *cluster, .route = route, .store = store};
	rc = ownership_start(&ocfg, own);
	if (rc)
		fprintf(stderr, "vtl-node: cannot start library ownership: %s\n", strerror(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	static struct node_config cfg;
	struct store *store = NULL;
	struct lib *libs[CONFIG_MAX_LIBS] = {0};
	struct iscsi_server *srv = NULL;
	struct cluster *cluster = NULL;
	struct ownership *own = NULL;
	struct route route;
	int rc = parse_args(argc, argv, &cfg);
	if (rc)
		return 2;
	vtl_log_set_node(cfg.id);
	vtl_log_set_level(cfg.log_level);
	rc = route_init(&route);
	if (rc)
		return 1;

	/* signals are taken by sigwait in main; every thread inherits the mask */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = store_open(cfg.data_dir, &store);
	if (rc) {
		fprintf(stderr, "vtl-node: cannot open data directory %s: %s\n", cfg.data_dir, strerror(-rc));
		goto out;
	}
	rc = open_libraries(&cfg, store, &route, libs);
	if (rc)
		goto out;
	struct iscsi_backend be;
	route_backend(&route, &be);
	struct iscsi_config icfg = {.portal = cfg.portal, .tpgt = 1};
	rc = iscsi_server_start(&icfg, &be, &srv);
	if (rc) {
		fprintf(stderr, "vtl-node: cannot listen on %s: %s\n", cfg.portal, strerror(-rc));
		goto out;
	}
	vtl_log(LOG_INFO, "NODE_READY", "portal=%s port=%u libraries=%zu data_dir=%s mode=%s",
		cfg.portal, iscsi_server_port(srv), cfg.n_libs, cfg.data_dir,
		cfg.etcd.endpoints[0] ? "cluster" : "standalone");
	if (cfg.etcd.endpoints[0]) {
		rc = start_cluster(&cfg, iscsi_server_port(srv), store, &route, &cluster, &own);
		if (rc)
			goto out;
	}
	int sig = wait_for_signal();
	vtl_log(LOG_INFO, "NODE_STOPPING", "signal=%d", sig);
out:
	ownership_stop(own);
	cluster_stop(cluster);
	iscsi_server_stop(srv);
	close_libraries(&cfg, &route, libs);
	route_fini(&route);
	store_close(store);
	return rc ? 1 : 0;
}
