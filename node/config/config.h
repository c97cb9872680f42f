/* config.h - the node's configuration: a small INI file plus command-line flags.
 *
 *   [node]                       # this node's own settings
 *   id = node1
 *   portal = 127.0.0.1:3260
 *   data_dir = /var/lib/vtl/node1
 *   iqn_prefix = iqn.2026-11.io.vtl
 *   log_level = info             # debug | info | warn | error
 *   peer = tcp://127.0.0.1:4260  # nng URL advertised to peers (default: portal port + 1000)
 *
 *   [etcd]                       # cluster mode: register (node/cluster) and serve the
 *   endpoints = http://127.0.0.1:2379,http://10.0.0.2:2379   # libraries etcd says this
 *   prefix = /vtl/               # node owns (node/ownership); endpoints required
 *   lease_ttl = 5                # seconds, 2..60
 *   username = vtl               # optional etcd auth
 *   password = secret
 *
 *   [library demo]               # standalone mode only (no [etcd]): a library to serve;
 *   drives = 2                   # with [etcd] libraries come from etcd and this is refused
 *   slots = 20
 *   ie_slots = 4
 *   cartridges = 10              # VT0001L8 ... generated at first start
 *   barcode_prefix = VT
 *   media = L8
 *   capacity = 4G                # cartridge native capacity; K, M, G, T suffixes (powers of 2)
 *   changer_vendor = IBM         # identity backup software accepts
 *   changer_product = 03584L32
 *   changer_revision = 0100
 *   drive_vendor = IBM
 *   drive_product = ULT3580-TD8
 *   drive_revision = Q380
 *
 * A bad file is reported as "FILE:LINE: field 'NAME': what is wrong" and the node stops. */
#ifndef VTL_NODE_CONFIG_H
#define VTL_NODE_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "node/lib/lib.h"
#include "proto/keys.h"

#define CONFIG_MAX_LIBS 64

struct node_config {
	char id[64];
	char portal[128];
	char data_dir[PATH_MAX];
	char iqn_prefix[128];
	enum vtl_log_level log_level;
	char peer[256];                       /* "" = tcp://<portal host>:<bound port + 1000> */
	struct {                              /* [etcd]: endpoints "" = no cluster */
		char endpoints[1024];
		char prefix[PROTO_PREFIX_MAX + 1];
		uint32_t lease_ttl;           /* seconds */
		char username[128];
		char password[128];
	} etcd;
	struct lib_config libs[CONFIG_MAX_LIBS];
	size_t n_libs;
	/* where things were set, so config_finish can name file and line too (0: default or flag) */
	char source[PATH_MAX];
	unsigned portal_line;
	unsigned peer_line, etcd_prefix_line;
	unsigned etcd_line;                   /* the [etcd] header; 0: standalone mode */
	unsigned lib_line[CONFIG_MAX_LIBS];   /* the [library NAME] header */
};

/* Defaults for everything (no libraries). */
void config_defaults(struct node_config *cfg);

/* Parses the file into cfg (on top of what is there). 0, or -EINVAL with the reason,
 * naming file, line and field, written into err. */
int config_load(struct node_config *cfg, const char *path, char *err, size_t errlen);

/* Parses text as if it were the file `name` (for tests and fuzzing). */
int config_parse(struct node_config *cfg, const char *name, const char *text, char *err, size_t errlen);

/* Checks what the file cannot check line by line (required fields, unique names, no
 * [library] sections with [etcd]) and fills derived fields (library target names). */
int config_finish(struct node_config *cfg, char *err, size_t errlen);

#endif
