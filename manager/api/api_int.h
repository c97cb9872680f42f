/* api_int.h - what the files of manager/api share (api.h for the module's story).
 *
 *   api.c     dispatch, leadership check, etcd error mapping, the fenced transaction
 *   args.c    typed access to request members (every error names the member)
 *   parse.c   per-operation argument parsing: pure, unit-tested
 *   nodes.c   status, nodes.list, node.drain, node.undrain
 *   libs.c    libraries.list, library.show, the library entry, asking an owner node
 *   create.c  library.create, placement of an owner record (shared with resume.c)
 *   delete.c  library.delete
 *   carts.c   cartridges.add, cartridges.remove
 *   resume.c  api_resume */
#ifndef VTL_MGR_API_INT_H
#define VTL_MGR_API_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/etcd/etcd.h"
#include "manager/api/api.h"
#include "manager/view/view.h"
#include "proto/records.h"

#define API__CAS_TRIES 4        /* cartridges.add/remove: attempts before `conflict` */

/* ---- request arguments (parse.c) -------------------------------------------------- */

struct api__create_req {
	struct proto_libcfg cfg;        /* everything but id and cartridges */
	unsigned n_carts;               /* generated barcodes <prefix>0001<media> up */
	char node[PROTO_NAME_MAX + 1];  /* requested owner; "" = the manager picks */
};

struct api__lib_req {                   /* library.show, library.delete */
	char name[PROTO_NAME_MAX + 1];
	bool force;
};

struct api__node_req {                  /* node.drain, node.undrain */
	char node[PROTO_NAME_MAX + 1];
};

struct api__carts_req {                 /* cartridges.add, cartridges.remove */
	char library[PROTO_NAME_MAX + 1];
	unsigned count;                 /* add: generate this many (0 when barcodes given) */
	char (*barcodes)[PROTO_BARCODE_MAX + 1];        /* owned, unique */
	size_t n_barcodes;
	uint64_t capacity;              /* add: 0 = the library's */
	bool force;                     /* remove */
};

/* Each returns 0, or -EINVAL with r set to invalid_argument naming the member. Unknown
 * members are refused too (a misspelt option must not be silently ignored); JSON null
 * counts as absent. */
int api__parse_empty(json_t *args, struct rpc_reply *r);
int api__parse_create(json_t *args, struct api__create_req *q, struct rpc_reply *r);
int api__parse_lib(json_t *args, bool with_force, struct api__lib_req *q, struct rpc_reply *r);
int api__parse_node(json_t *args, struct api__node_req *q, struct rpc_reply *r);
int api__parse_carts_add(json_t *args, struct api__carts_req *q, struct rpc_reply *r);
int api__parse_carts_remove(json_t *args, struct api__carts_req *q, struct rpc_reply *r);
void api__carts_req_fini(struct api__carts_req *q);

/* ---- member access (args.c) -------------------------------------------------------- */

/* Every member of args is one of known[] (NULL-terminated). */
int api__args_known(json_t *args, const char *const *known, struct rpc_reply *r);
/* A string member, shorter than cap. Absent: 0 with out untouched, or -EINVAL (missing)
 * when required. valid(s) (may be NULL) checks the content; what names the rule in the
 * message. */
int api__arg_str(json_t *args, const char *member, bool required, bool (*valid)(const char *),
		 const char *what, char *out, size_t cap, struct rpc_reply *r);
/* An integer member in lo..hi; absent leaves *out untouched (error when required). */
int api__arg_uint(json_t *args, const char *member, bool required, uint64_t lo, uint64_t hi,
		  uint64_t *out, struct rpc_reply *r);
int api__arg_bool(json_t *args, const char *member, bool *out, struct rpc_reply *r);
/* A non-empty array of at most max unique barcodes; *out malloc'ed (caller frees). */
int api__arg_barcodes(json_t *args, const char *member, size_t max,
		      char (**out)[PROTO_BARCODE_MAX + 1], size_t *n, struct rpc_reply *r);

/* ---- shared machinery (api.c) ------------------------------------------------------- */

/* True when this manager leads, with its fence; else false with r set (not_leader naming
 * the leader, or etcd_unavailable). */
bool api__lead(struct api *a, int64_t *fence, struct rpc_reply *r);
/* Sets r for an etcd failure rc: etcd_unavailable when etcd could not be reached,
 * internal otherwise. Returns rc. */
int api__etcd_fail(struct api *a, int rc, struct rpc_reply *r);
/* One transaction: cmp[] plus "leader key create_revision == fence", then ops[]. 0 when
 * it ran, 1 when one of cmp[] failed (fence intact), -1 with r set (fence lost ->
 * not_leader, or an etcd failure). ncmp <= 7, nops <= 8. */
int api__txn(struct api *a, int64_t fence, const struct etcd_cmp *cmp, size_t ncmp,
	     const struct etcd_op *ops, size_t nops, struct rpc_reply *r);
uint64_t api__unix_ms(void);

/* ---- libraries (libs.c, create.c) ------------------------------------------------- */

/* The libraries.list entry of a library whose config is valid. NULL on ENOMEM. */
json_t *api__lib_entry(const struct view_lib *l);
/* Asks the owner's peer endpoint for library.status. 0 with *status (new reference);
 * -ENOENT owner not registered, -ENXIO the owner does not serve the library
 * (not_found), else it could not be asked; why says what happened. */
int api__ask_owner(struct api *a, const struct proto_owner *o, const char *lib,
		   json_t **status, char *why, size_t why_cap);
/* An owner record for a new library (epoch 1, online) placed on v's nodes (VIEW_NODES,
 * VIEW_DRAINS, VIEW_LIBS loaded). Returns place_choose's codes. */
int api__place(const struct view *v, const char *want, enum proto_policy policy,
	       struct proto_owner *o);
/* Sets r for a place_choose failure. */
void api__place_fail(int rc, const char *want, enum proto_policy policy, struct rpc_reply *r);

/* ---- handlers --------------------------------------------------------------------- */

typedef void api__op_fn(struct api *a, json_t *args, struct rpc_reply *r);
api__op_fn api__op_status, api__op_nodes_list, api__op_node_drain, api__op_node_undrain,
	api__op_libs_list, api__op_lib_show, api__op_lib_create, api__op_lib_delete,
	api__op_carts_add, api__op_carts_remove;

#endif
