/* main.c - vtl-manager: the cluster manager (docs/operations.md, "Running vtl-manager").
 *
 * Start-up: parse flags, open the etcd client the request handlers share, listen on the
 * control URL (port 0: the kernel picks; the bound port is what the leader record
 * publishes), log MGR_READY, then campaign (manager/election). The main thread then
 * waits for SIGINT/SIGTERM: step down (revoking the lease, so a standby takes over at
 * once), stop the control server, close etcd.
 *
 * Threads: main (start-up, signals, shutdown), the election thread, its keeper and watch
 * threads, and the rpc workers running manager/api handlers. Every thread inherits the
 * blocked signal mask; only main takes signals (sigwait). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/etcd/etcd.h"
#include "common/log.h"
#include "common/rpc/rpc.h"
#include "manager/api/api.h"
#include "manager/election/elect.h"

#define MGR_WORKERS 4
#define MGR_ETCD_TIMEOUT_MS 1500        /* per request: an operator waits at most this */
#define MGR_PEER_TIMEOUT_MS 2000        /* library.status asked of a node */

struct mgr_flags {
	char id[PROTO_NAME_MAX + 1];
	const char *etcd, *prefix, *listen, *advertise;
	unsigned ttl;
	enum vtl_log_level level;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vtl-manager --etcd URLS [--id ID] [--prefix /vtl/]\n"
		   "                   [--listen tcp://HOST:PORT] [--advertise HOST]\n"
		   "                   [--lease-ttl SECONDS] [--log-level debug|info|warn|error]\n"
		   "  --etcd       etcd client URLs, comma-separated (default: $VTL_ETCD)\n"
		   "  --id         manager id [A-Za-z0-9_-]{1,63} (default: hostname-pid)\n"
		   "  --listen     control API URL (default tcp://127.0.0.1:7100; port 0 = any)\n"
		   "  --advertise  host put in the published control URL (default: the listen host,\n"
		   "               or the hostname when listening on every address)\n"
		   "  --lease-ttl  leader lease TTL, 2..60 s (default 5): the takeover time\n");
}

/* hostname-pid with every character outside [A-Za-z0-9_-] replaced by '-'. */
static void default_id(char id[PROTO_NAME_MAX + 1])
{
	char host[64] = "manager";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = 0;
	snprintf(id, PROTO_NAME_MAX + 1, "%.48s-%d", host, (int)getpid());
	for (char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			*p = '-';
}

static int parse_level(const char *s, enum vtl_log_level *out)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum vtl_log_level)i;
			return 0;
		}
	return -EINVAL;
}

static int parse_flags(int argc, char **argv, struct mgr_flags *f)
{
	static const struct option opts[] = {
		{"id", 1, 0, 'i'}, {"etcd", 1, 0, 'e'}, {"prefix", 1, 0, 'p'}, {"listen", 1, 0, 'l'},
		{"advertise", 1, 0, 'a'}, {"lease-ttl", 1, 0, 't'}, {"log-level", 1, 0, 'v'},
		{"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	*f = (struct mgr_flags){.etcd = getenv("VTL_ETCD"), .prefix = PROTO_KEY_PREFIX_DEFAULT,
				.listen = "tcp://127.0.0.1:7100", .ttl = 5, .level = LOG_INFO};
	default_id(f->id);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'i': snprintf(f->id, sizeof f->id, "%s", optarg);
			  if (strlen(optarg) > PROTO_NAME_MAX) f->id[0] = 0;
			  break;
		case 'e': f->etcd = optarg; break;
		case 'p': f->prefix = optarg; break;
		case 'l': f->listen = optarg; break;
		case 'a': f->advertise = optarg; break;
		case 't': f->ttl = (unsigned)strtoul(optarg, &end, 10);
			  if (!*optarg || *end) f->ttl = 0;
			  break;
		case 'v': if (parse_level(optarg, &f->level)) return -EINVAL; break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	const char *bad = optind < argc ? "unexpected argument"
		: !f->etcd || !f->etcd[0] ? "--etcd (or VTL_ETCD) is required"
		: !proto_name_valid(f->id) ? "--id: want [A-Za-z0-9_-]{1,63}"
		: !proto_prefix_valid(f->prefix) ? "--prefix: want /.../ (printable, no spaces)"
		: strncmp(f->listen, "tcp://", 6) || !strrchr(f->listen + 6, ':')
		? "--listen: want tcp://HOST:PORT"
		: f->ttl < 2 || f->ttl > 60 ? "--lease-ttl: want 2..60 seconds" : NULL;
	if (bad)
		fprintf(stderr, "vtl-manager: %s\n", bad);
	return bad ? -EINVAL : 0;
}

/* The URL clients dial: the listen host (or --advertise, or the hostname for a
 * wildcard listen) with the port actually bound. */
static void control_url(const struct mgr_flags *f, uint16_t port, char *out, size_t cap)
{
	const char *h = f->listen + 6, *colon = strrchr(h, ':');
	char host[256];
	snprintf(host, sizeof host, "%.*s", (int)(colon - h), h);
	if (f->advertise)
		snprintf(host, sizeof host, "%s", f->advertise);
	else if (!host[0] || !strcmp(host, "*") || !strcmp(host, "0.0.0.0") || !strcmp(host, "[::]"))
		gethostname(host, sizeof host - 1);
	snprintf(out, cap, "tcp://%.200s:%u", host, port);
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

int main(int argc, char **argv)
{
	struct mgr_flags f;
	struct etcd *etcd = NULL;
	struct elect *el = NULL;
	struct rpc_server *srv = NULL;
	static struct api api;
	char control[PROTO_ADDR_MAX + 1];
	if (parse_flags(argc, argv, &f)) {
		usage(stderr);
		return 2;
	}
	vtl_log_set_node(f.id);
	vtl_log_set_level(f.level);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct etcd_config ecfg = {.endpoints = f.etcd, .timeout_ms = MGR_ETCD_TIMEOUT_MS};
	struct elect_config elc = {.endpoints = f.etcd, .prefix = f.prefix, .id = f.id,
				   .ttl = f.ttl, .on_elected = api_resume, .arg = &api};
	int rc = etcd_open(&ecfg, &etcd);
	if (!rc)
		rc = elect_create(&elc, &el);
	if (rc) {
		fprintf(stderr, "vtl-manager: cannot start: %s\n", strerror(-rc));
		goto out;
	}
	api = (struct api){.etcd = etcd, .el = el, .peer_timeout_ms = MGR_PEER_TIMEOUT_MS};
	snprintf(api.prefix, sizeof api.prefix, "%s", f.prefix);
	snprintf(api.id, sizeof api.id, "%s", f.id);
	rc = rpc_server_start(f.listen, MGR_WORKERS, api_handle, &api, &srv);
	if (rc) {
		fprintf(stderr, "vtl-manager: cannot listen on %s: %s\n", f.listen, strerror(-rc));
		goto out;
	}
	control_url(&f, rpc_server_port(srv), control, sizeof control);
	vtl_log(LOG_INFO, "MGR_READY", "id=%s control=%s etcd=%s prefix=%s ttl=%u", f.id, control,
		f.etcd, f.prefix, f.ttl);
	rc = elect_start(el, control);
	if (rc) {
		fprintf(stderr, "vtl-manager: cannot start the election: %s\n", strerror(-rc));
		goto out;
	}
	int sig = wait_for_signal();
	vtl_log(LOG_INFO, "MGR_STOPPING", "signal=%d", sig);
out:
	elect_stop(el);         /* first: a standby takes over while we close the server */
	rpc_server_stop(srv);   /* then no handler uses the election or etcd any more */
	elect_destroy(el);
	etcd_close(etcd);
	if (!rc)
		vtl_log(LOG_INFO, "MGR_STOPPED", "id=%s", f.id);
	return rc ? 1 : 0;
}
