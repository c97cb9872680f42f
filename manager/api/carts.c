/* carts.c - cartridges.add and cartridges.remove (docs/control-api.md).
 *
 * Both edit the library config by compare-and-swap on its mod_revision (and the fence):
 * read, edit, write if unchanged; a lost race re-reads and tries again, API__CAS_TRIES
 * times in all, then answers `conflict`. The owner node notices the new config through
 * its watch and places new cartridges in free import/export slots (node side).
 *
 * remove first asks the owner where the cartridges are (library.status): one in a drive
 * is refused even with force; without force each must sit in an import/export slot (the
 * backup application exported it), and an owner that cannot be asked gives `busy`. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define CARTS__NUM_MAX 9999             /* generated barcodes: prefix + 4 digits + media */

/* Edits c in place for request q, appending the barcodes it adds or removes to list.
 * 0, or -1 with r set. */
typedef int carts__edit_fn(struct proto_libcfg *c, const struct api__carts_req *q,
			   json_t *list, struct rpc_reply *r);

static long carts__find(const struct proto_libcfg *c, const char *bc)
{
	for (size_t i = 0; i < c->n_carts; i++)
		if (!strcmp(c->carts[i].barcode, bc))
			return (long)i;
	return -1;
}

/* The number in a generated barcode <prefix>NNNN<media>, 0 if bc has another form. */
static unsigned carts__number(const struct proto_libcfg *c, const char *bc)
{
	size_t pl = strlen(c->barcode_prefix), ml = strlen(c->media);
	if (strlen(bc) != pl + 4 + ml || strncmp(bc, c->barcode_prefix, pl) ||
	    strcmp(bc + pl + 4, c->media))
		return 0;
	unsigned n = 0;
	for (size_t i = pl; i < pl + 4; i++) {
		if (bc[i] < '0' || bc[i] > '9')
			return 0;
		n = n * 10 + (unsigned)(bc[i] - '0');
	}
	return n;
}

/* The next free generated barcode after *num (wrapping once past 9999). */
static int carts__next(const struct proto_libcfg *c, unsigned *num, char out[PROTO_BARCODE_MAX + 1])
{
	for (unsigned tries = 0; tries < CARTS__NUM_MAX; tries++) {
		*num = *num >= CARTS__NUM_MAX ? 1 : *num + 1;
		snprintf(out, PROTO_BARCODE_MAX + 1, "%.7s%04u%.3s", c->barcode_prefix,
			 *num % 10000, c->media);
		if (carts__find(c, out) < 0)
			return 0;
	}
	return -ENOSPC;
}

static int carts__add_edit(struct proto_libcfg *c, const struct api__carts_req *q, json_t *list,
			   struct rpc_reply *r)
{
	size_t more = q->count ? q->count : q->n_barcodes;
	if (c->n_carts + more > c->slots) {
		rpc_fail(r, PROTO_CTL_INVALID, "member '%s': %zu more cartridges do not fit: %s has "
			 "%zu of %u slots filled", q->count ? "count" : "barcodes", more, c->name,
			 c->n_carts, c->slots);
		return -1;
	}
	struct proto_cart *carts = realloc(c->carts, (c->n_carts + more) * sizeof *carts);
	if (!carts) {
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
		return -1;
	}
	c->carts = carts;
	unsigned num = 0;
	for (size_t i = 0; i < c->n_carts; i++) {
		unsigned n = carts__number(c, c->carts[i].barcode);
		num = n > num ? n : num;
	}
	for (size_t i = 0; i < more; i++) {
		struct proto_cart *k = &c->carts[c->n_carts];
		if (q->count && carts__next(c, &num, k->barcode)) {
			rpc_fail(r, PROTO_CTL_INVALID, "member 'count': no free barcode numbers left");
			return -1;
		}
		if (!q->count && carts__find(c, q->barcodes[i]) >= 0) {
			rpc_fail(r, PROTO_CTL_EXISTS, "barcode %s is already in library %s", q->barcodes[i],
				 c->name);
			return -1;
		}
		if (!q->count)
			snprintf(k->barcode, sizeof k->barcode, "%s", q->barcodes[i]);
		k->capacity = q->capacity ? q->capacity : c->capacity;
		c->n_carts++;
		if (json_array_append_new(list, json_string(k->barcode))) {
			rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int carts__remove_edit(struct proto_libcfg *c, const struct api__carts_req *q,
			      json_t *list, struct rpc_reply *r)
{
	for (size_t i = 0; i < q->n_barcodes; i++) {
		long at = carts__find(c, q->barcodes[i]);
		if (at < 0) {
			rpc_fail(r, PROTO_CTL_NOT_FOUND, "cartridge %s is not in library %s",
				 q->barcodes[i], c->name);
			return -1;
		}
		memmove(&c->carts[at], &c->carts[at + 1], (c->n_carts - (size_t)at - 1) * sizeof *c->carts);
		c->n_carts--;
		if (json_array_append_new(list, json_string(q->barcodes[i]))) {
			rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Writes c if its key is still at mod. 0 written, 1 changed meanwhile, -1 with r set. */
static int carts__put(struct api *a, int64_t fence, const struct proto_libcfg *c, int64_t mod,
		      struct rpc_reply *r)
{
	char key[PROTO_KEY_MAX], *json = NULL, why[PROTO_REASON_MAX];
	if (proto_key_lib_config(key, sizeof key, a->prefix, c->name) ||
	    proto_libcfg_encode(c, &json, why, sizeof why)) {
		rpc_fail(r, PROTO_CTL_INTERNAL, "cannot encode library '%s'", c->name);
		return -1;
	}
	struct etcd_cmp cmp = {.key = key, .key_len = strlen(key), .target = ETCD_CMP_MOD,
			       .result = ETCD_CMP_EQUAL, .number = mod};
	struct etcd_op put = {.type = ETCD_OP_PUT, .key = key, .key_len = strlen(key),
			      .value = json, .value_len = strlen(json)};
	int rc = api__txn(a, fence, &cmp, 1, &put, 1, r);
	free(json);
	return rc;
}

/* The compare-and-swap loop (file comment). 0 with *list, or -1 with r set. */
static int carts__cas(struct api *a, int64_t fence, const struct api__carts_req *q,
		      carts__edit_fn *edit, json_t **list, struct rpc_reply *r)
{
	for (int t = 0; t < API__CAS_TRIES; t++) {
		struct view_lib l;
		int rc = view_load_lib(a->etcd, a->prefix, q->library, &l);
		if (rc) {
			api__etcd_fail(a, rc, r);
			return -1;
		}
		json_t *lst = json_array();
		rc = -1;
		if (!lst)
			rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
		else if (!l.cfg_present)
			rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' does not exist", q->library);
		else if (!l.cfg_valid)
			rpc_fail(r, PROTO_CTL_INTERNAL, "library '%s': its config in etcd is invalid: %s",
				 q->library, l.cfg_reason);
		else if (!edit(&l.cfg, q, lst, r))
			rc = carts__put(a, fence, &l.cfg, l.cfg_mod, r);
		view_lib_fini(&l);
		if (rc == 0) {
			*list = lst;
			return 0;
		}
		json_decref(lst);
		if (rc < 0)
			return -1;
	}
	rpc_fail(r, PROTO_CTL_CONFLICT, "library '%s' kept changing during the update; retry",
		 q->library);
	return -1;
}

void api__op_carts_add(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__carts_req q;
	int64_t fence;
	json_t *added = NULL;
	if (api__parse_carts_add(args, &q, r))
		return;
	if (api__lead(a, &fence, r) && !carts__cas(a, fence, &q, carts__add_edit, &added, r)) {
		vtl_log(LOG_INFO, "MGR_CARTS_ADDED", "lib=%s count=%zu first=%s", q.library,
			json_array_size(added), json_string_value(json_array_get(added, 0)));
		if (!(r->result = json_pack("{s:s, s:o}", "library", q.library, "added", added)))
			rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
	}
	api__carts_req_fini(&q);
}

/* Where a cartridge is in a library.status result: "drive", "ie", "slot" or NULL. */
static const char *carts__where(json_t *status, const char *bc, json_int_t *lun)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(status, "drives"), i, e) {
		const char *b = json_string_value(json_object_get(e, "barcode"));
		if (b && !strcmp(b, bc)) {
			*lun = json_integer_value(json_object_get(e, "lun"));
			return "drive";
		}
	}
	json_array_foreach(json_object_get(status, "elements"), i, e) {
		const char *b = json_string_value(json_object_get(e, "barcode"));
		const char *type = json_string_value(json_object_get(e, "type"));
		if (b && type && !strcmp(b, bc))
			return !strcmp(type, "ie") ? "ie" : "slot";
	}
	return NULL;
}

/* The owner check of a remove (file comment): 0, or -1 with r set (busy). */
static int carts__remove_check(struct api *a, const struct api__carts_req *q, struct rpc_reply *r)
{
	char why[PROTO_CTL_MSG_MAX + 1] = "the library is not placed";
	struct view_lib l;
	json_t *status = NULL;
	int rc = view_load_lib(a->etcd, a->prefix, q->library, &l);
	if (rc) {
		api__etcd_fail(a, rc, r);
		return -1;
	}
	/* unknown library or cartridge first: not_found beats busy */
	for (size_t i = 0; l.cfg_valid && i < q->n_barcodes; i++)
		if (carts__find(&l.cfg, q->barcodes[i]) < 0) {
			rpc_fail(r, PROTO_CTL_NOT_FOUND, "cartridge %s is not in library %s",
				 q->barcodes[i], q->library);
			view_lib_fini(&l);
			return -1;
		}
	if (!l.cfg_present) {
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' does not exist", q->library);
		view_lib_fini(&l);
		return -1;
	}
	rc = l.owner_valid ? api__ask_owner(a, &l.owner, q->library, &status, why, sizeof why)
			   : -ENOENT;
	view_lib_fini(&l);
	if (rc && !q->force) {
		rpc_fail(r, PROTO_CTL_BUSY, "cannot check where the cartridges are (%s); use --force",
			 why);
		return -1;
	}
	int out = 0;
	for (size_t i = 0; status && !out && i < q->n_barcodes; i++) {
		json_int_t lun = 0;
		const char *where = carts__where(status, q->barcodes[i], &lun);
		if (where && !strcmp(where, "drive")) {
			rpc_fail(r, PROTO_CTL_BUSY, "cartridge %s is in drive %lld of %s; unload it first",
				 q->barcodes[i], (long long)lun, q->library);
			out = -1;
		} else if (!q->force && (!where || strcmp(where, "ie"))) {
			rpc_fail(r, PROTO_CTL_BUSY, "cartridge %s is not in an import/export slot of %s; "
				 "export it first or use --force", q->barcodes[i], q->library);
			out = -1;
		}
	}
	json_decref(status);
	return out;
}

void api__op_carts_remove(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__carts_req q;
	int64_t fence;
	json_t *removed = NULL;
	if (api__parse_carts_remove(args, &q, r))
		return;
	if (api__lead(a, &fence, r) && !carts__remove_check(a, &q, r) &&
	    !carts__cas(a, fence, &q, carts__remove_edit, &removed, r)) {
		vtl_log(LOG_INFO, "MGR_CARTS_REMOVED", "lib=%s count=%zu first=%s force=%d", q.library,
			json_array_size(removed), json_string_value(json_array_get(removed, 0)), q.force);
		if (!(r->result = json_pack("{s:s, s:o}", "library", q.library, "removed", removed)))
			rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
	}
	api__carts_req_fini(&q);
}
