/* create_bench: how long from `library create` to the first successful INQUIRY of the new
 * library's changer on its owner, and how many etcd requests one create costs (the
 * manager's and every node's, from etcd's own gRPC counters at /metrics).
 *
 *   create_bench --etcd URL [--prefix /vtl/] [--count N]
 *
 * Against a running cluster (bench/cluster/run.sh starts one). Creates bench-<pid>-<i>,
 * times each, deletes them afterwards. Requests are counted per gRPC method between just
 * before the create and the first good INQUIRY; lease keep-alives (background, not caused
 * by the create) are shown apart. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/etcd/etcd.h"
#include "common/rpc/rpc.h"
#include "proto/keys.h"
#include "proto/records.h"
#include "tests/client/tclient.h"

#define METHODS 8
static const char *const methods[METHODS] = {"Range", "Put", "Txn", "DeleteRange",
					      "LeaseGrant", "LeaseRevoke", "LeaseKeepAlive", "Watch"};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
	char **buf = arg;
	size_t old = *buf ? strlen(*buf) : 0;
	char *nb = realloc(*buf, old + sz * n + 1);
	if (!nb)
		return 0;
	memcpy(nb + old, p, sz * n);
	nb[old + sz * n] = 0;
	*buf = nb;
	return sz * n;
}

/* grpc_server_started_total per method, from etcd's /metrics. */
static int scrape(const char *etcd, double out[METHODS])
{
	char url[256], *body = NULL;
	snprintf(url, sizeof url, "%s/metrics", etcd);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	int rc = curl_easy_perform(c) == CURLE_OK && body ? 0 : -1;
	curl_easy_cleanup(c);
	memset(out, 0, sizeof(double) * METHODS);
	for (char *l = body; !rc && l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "grpc_server_started_total{", 26))
			continue;
		for (int m = 0; m < METHODS; m++) {
			char pat[64];
			snprintf(pat, sizeof pat, "grpc_method=\"%s\"", methods[m]);
			char *end = strchr(l, '\n');
			char *hit = strstr(l, pat);
			if (hit && (!end || hit < end))
				out[m] += strtod(strchr(l, '}') + 1, NULL);
		}
	}
	free(body);
	return rc;
}

static int leader_url(struct etcd *e, const char *prefix, char *url, size_t cap)
{
	char key[PROTO_KEY_MAX];
	struct etcd_kvs kvs;
	struct proto_leader l;
	proto_key_leader(key, sizeof key, prefix);
	if (etcd_get(e, key, strlen(key), &kvs))
		return -1;
	int rc = kvs.n == 1 && !proto_leader_decode(kvs.kv[0].value, kvs.kv[0].value_len, &l, NULL, 0)
			 ? 0 : -1;
	etcd_kvs_free(&kvs);
	if (!rc)
		snprintf(url, cap, "%s", l.control);
	return rc;
}

static int node_portal(struct etcd *e, const char *prefix, const char *id, char *portal, size_t cap)
{
	char key[PROTO_KEY_MAX];
	struct etcd_kvs kvs;
	struct proto_node n;
	proto_key_node(key, sizeof key, prefix, id);
	if (etcd_get(e, key, strlen(key), &kvs))
		return -1;
	int rc = kvs.n == 1 && !proto_node_decode(kvs.kv[0].value, kvs.kv[0].value_len, &n, NULL, 0)
			 ? 0 : -1;
	etcd_kvs_free(&kvs);
	if (!rc)
		snprintf(portal, cap, "%s", n.portal);
	return rc;
}

/* Polls INQUIRY on LUN 0 of the target until GOOD (30 s at most). */
static int first_inquiry(const char *portal, const char *target)
{
	double until = now_ms() + 30000;
	struct tc_opts opts = {0};
	while (now_ms() < until) {
		struct tc *tc = NULL;
		if (!tc_connect(&tc, portal, target, 0, &opts)) {
			uint8_t buf[96];
			struct tc_result res;
			int rc = tc_inquiry(tc, false, 0, buf, sizeof buf, &res);
			tc_close(tc);
			if (!rc && res.status == TC_GOOD)
				return 0;
		}
		usleep(2000);
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: create_bench --etcd URL [--prefix /vtl/] [--count N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *etcd_url = NULL, *prefix = PROTO_KEY_PREFIX_DEFAULT;
	int count = 10, c;
	static const struct option opts[] = {{"etcd", 1, 0, 'e'}, {"prefix", 1, 0, 'p'},
					     {"count", 1, 0, 'n'}, {0, 0, 0, 0}};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'e') etcd_url = optarg;
		else if (c == 'p') prefix = optarg;
		else if (c == 'n') count = atoi(optarg);
		else usage();
	}
	if (!etcd_url || count < 1 || count > 1000)
		usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct etcd *e = NULL;
	struct etcd_config ec = {.endpoints = etcd_url};
	char mgr[300];
	if (etcd_open(&ec, &e) || leader_url(e, prefix, mgr, sizeof mgr)) {
		fprintf(stderr, "create_bench: no active manager found through %s\n", etcd_url);
		return 1;
	}
	double *ms = calloc((size_t)count, sizeof *ms), total[METHODS] = {0};
	for (int i = 0; i < count; i++) {
		char name[64], owner[64], portal[300], target[128], msg[PROTO_CTL_MSG_MAX + 1];
		snprintf(name, sizeof name, "bench-%d-%d", (int)getpid(), i);
		json_t *args = json_pack("{s:s, s:i, s:i}", "name", name, "cartridges", 2, "slots", 4), *res = NULL;
		enum proto_ctl_err err;
		double before[METHODS], after[METHODS];
		scrape(etcd_url, before);
		double t0 = now_ms();
		int rc = rpc_call(mgr, "library.create", args, 10000, &err, &res, msg, sizeof msg);
		json_decref(args);
		if (rc || err) {
			fprintf(stderr, "create %s failed: rc %d %s %s\n", name, rc, proto_ctl_err_name(err), msg);
			return 1;
		}
		snprintf(owner, sizeof owner, "%s", json_string_value(json_object_get(res, "owner")));
		json_decref(res);
		snprintf(target, sizeof target, "iqn.2026-11.io.vtl:%s", name);
		if (node_portal(e, prefix, owner, portal, sizeof portal) || first_inquiry(portal, target)) {
			fprintf(stderr, "%s: owner %s never answered INQUIRY\n", name, owner);
			return 1;
		}
		ms[i] = now_ms() - t0;
		scrape(etcd_url, after);
		for (int m = 0; m < METHODS; m++)
			total[m] += after[m] - before[m];
		printf("create %-20s owner %-8s first INQUIRY after %7.1f ms\n", name, owner, ms[i]);
	}
	qsort(ms, (size_t)count, sizeof *ms, cmp_double);
	printf("\ncreate -> first good INQUIRY over %d creates: p50 %.1f ms, p90 %.1f ms, max %.1f ms\n",
	       count, ms[count / 2], ms[(count * 9) / 10 < count ? (count * 9) / 10 : count - 1],
	       ms[count - 1]);
	double per = 0;
	printf("etcd requests per create (gRPC starts at etcd, all processes):");
	for (int m = 0; m < METHODS; m++) {
		if (strcmp(methods[m], "LeaseKeepAlive"))
			per += total[m] / count;
		if (total[m] > 0)
			printf(" %s %.1f", methods[m], total[m] / count);
	}
	printf("\n  total without keep-alives: %.1f requests per create\n", per);
	for (int i = 0; i < count; i++) {      /* clean up */
		char name[64];
		snprintf(name, sizeof name, "bench-%d-%d", (int)getpid(), i);
		json_t *args = json_pack("{s:s, s:b}", "name", name, "force", 1);
		enum proto_ctl_err err;
		rpc_call(mgr, "library.delete", args, 10000, &err, NULL, NULL, 0);
		json_decref(args);
	}
	free(ms);
	etcd_close(e);
	curl_global_cleanup();
	return 0;
}
