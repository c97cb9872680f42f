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
 *    renewed; node/peer answers the manager's questions on the peer endpoint, whose
 *    URL (with the port bound) goes into the node record.
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
#include "node/peer/peer.h"
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
static int start_cluster(const struct node_config *cfg, uint16_t port, const char *peer_url,
			 struct store *store, struct route *route, struct cluster **cluster,
			 struct ownership **own)
{
	struct cluster_config ccfg = {
		.endpoints = cfg->etcd.endpoints, .prefix = cfg->etcd.prefix,
		.lease_ttl = cfg->etcd.lease_ttl, .username = cfg->etcd.username,
		.password = cfg->etcd.password, .id = cfg->id, .portal = cfg->portal,
		.bound_port = port, .peer = peer_url, .data_dir = cfg->data_dir};
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

/* peer.h callbacks: the routing table's references, with the epoch a library is served at */
static struct lib *peer_acquire(void *arg, const char *name, uint64_t *epoch)
{
	return route_acquire_epoch(arg, name, epoch);
}

static void peer_release(void *arg, struct lib *lib)
{
	route_release(arg, lib);
}

/* The peer endpoint listens on cfg->peer, or by default on the portal's host at the
 * portal's port + 1000 (port 0 when the portal's port was 0: tests let the kernel pick).
 * *url gets what peers are told: the URL with the port actually bound. */
static int start_peer(const struct node_config *cfg, uint16_t portal_port, struct route *route,
		      struct peer **peer, char *url, size_t cap)
{
	char listen[300];
	const char *colon = strrchr(cfg->portal, ':');
	int host_len = colon ? (int)(colon - cfg->portal) : (int)strlen(cfg->portal);
	bool port0 = colon && !strcmp(colon, ":0");
	unsigned port = port0 ? 0 : portal_port + 1000u > 65535u ? portal_port - 1000u : portal_port + 1000u;
	if (cfg->peer[0])
		snprintf(listen, sizeof listen, "%s", cfg->peer);
	else
		snprintf(listen, sizeof listen, "tcp://%.*s:%u", host_len, cfg->portal, port);
	struct peer_config pc = {.url = listen, .node_id = cfg->id, .arg = route,
				 .acquire = peer_acquire, .release = peer_release};
	int rc = peer_start(&pc, peer);
	if (rc) {
		fprintf(stderr, "vtl-node: cannot listen for peers on %s: %s\n", listen, strerror(-rc));
		return rc;
	}
	/* the URL with the bound port: "tcp://host:" + port */
	const char *pc_colon = strrchr(listen, ':');
	snprintf(url, cap, "%.*s:%u", (int)(pc_colon - listen), listen, peer_port(*peer));
	return 0;
}

int main(int argc, char **argv)
{
	static struct node_config cfg;
	struct store *store = NULL;
	struct lib *libs[CONFIG_MAX_LIBS] = {0};
	struct iscsi_server *srv = NULL;
	struct cluster *cluster = NULL;
	struct ownership *own = NULL;
	struct peer *peer = NULL;
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
		char peer_url[300];
		rc = start_peer(&cfg, iscsi_server_port(srv), &route, &peer, peer_url, sizeof peer_url);
		if (!rc)
			rc = start_cluster(&cfg, iscsi_server_port(srv), peer_url, store, &route,
					   &cluster, &own);
		if (rc)
			goto out;
	}
	int sig = wait_for_signal();
	vtl_log(LOG_INFO, "NODE_STOPPING", "signal=%d", sig);
out:
	ownership_stop(own);
	cluster_stop(cluster);
	peer_stop(peer);
	iscsi_server_stop(srv);
	close_libraries(&cfg, &route, libs);
	route_fini(&route);
	store_close(store);
	return rc ? 1 : 0;
}
