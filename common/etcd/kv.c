/* kv.c - get, range, put, delete and transactions (shared/notes/etcd-v3-json.md
 * sections 3 and 4). */
#include "common/etcd/etcd_int.h"

#include <errno.h>
#include <stdlib.h>

static int etcd__read(struct etcd *c, const void *key, size_t len, bool prefix,
		      struct etcd_kvs *out)
{
	*out = (struct etcd_kvs){0};
	json_t *req = json_object(), *resp = NULL;
	int rc = req ? etcd__key_range(req, key, len, prefix) : -ENOMEM;
	if (rc) {
		json_decref(req);
		return rc;
	}
	rc = etcd__call(c, "/v3/kv/range", req, &resp);
	if (!rc)
		rc = etcd__parse_kvs(resp, out);
	json_decref(resp);
	return rc;
}

int etcd_get(struct etcd *c, const void *key, size_t key_len, struct etcd_kvs *out)
{
	return etcd__read(c, key, key_len, false, out);
}

int etcd_range(struct etcd *c, const void *prefix, size_t prefix_len, struct etcd_kvs *out)
{
	return etcd__read(c, prefix, prefix_len, true, out);
}

int etcd_put(struct etcd *c, const void *key, size_t key_len, const void *value,
	     size_t value_len, int64_t lease, int64_t *revision)
{
	json_t *req = json_object(), *resp = NULL;
	int rc = req ? etcd__key_range(req, key, key_len, false) : -ENOMEM;
	if (!rc && json_object_set_new(req, "value", etcd__b64(value, value_len)))
		rc = -ENOMEM;
	if (!rc && lease && json_object_set_new(req, "lease", etcd__i64(lease)))
		rc = -ENOMEM;
	if (rc) {
		json_decref(req);
		return rc;
	}
	int64_t rev = 0;
	rc = etcd__call(c, "/v3/kv/put", req, &resp);
	if (!rc)
		rc = etcd__header_revision(resp, &rev);
	if (revision)
		*revision = rev;
	json_decref(resp);
	return rc;
}

int etcd_delete(struct etcd *c, const void *key, size_t key_len, bool prefix, int64_t *deleted)
{
	json_t *req = json_object(), *resp = NULL;
	int rc = req ? etcd__key_range(req, key, key_len, prefix) : -ENOMEM;
	if (rc) {
		json_decref(req);
		return rc;
	}
	int64_t n = 0;
	rc = etcd__call(c, "/v3/kv/deleterange", req, &resp);
	if (!rc)
		rc = etcd__int(resp, "deleted", &n);
	if (deleted)
		*deleted = n;
	json_decref(resp);
	return rc;
}

int etcd_compact(struct etcd *c, int64_t revision)
{
	json_t *req = json_pack("{sosb}", "revision", etcd__i64(revision), "physical", 1);
	json_t *resp = NULL;
	if (!req)
		return -ENOMEM;
	int rc = etcd__call(c, "/v3/kv/compaction", req, &resp);
	json_decref(resp);
	return rc;
}

/* ---- transactions ---- */

/* Target names and the field that carries the compared value: they must match, a value
 * in the wrong field is silently compared against 0 (etcd-v3-json.md section 4). */
static const struct {
	const char *target;
	const char *field;
} etcd__targets[] = {
	[ETCD_CMP_VERSION] = {"VERSION", "version"},
	[ETCD_CMP_CREATE] = {"CREATE", "create_revision"},
	[ETCD_CMP_MOD] = {"MOD", "mod_revision"},
	[ETCD_CMP_VALUE] = {"VALUE", "value"},
};
static const char *const etcd__results[] = {
	[ETCD_CMP_EQUAL] = "EQUAL",
	[ETCD_CMP_GREATER] = "GREATER",
	[ETCD_CMP_LESS] = "LESS",
	[ETCD_CMP_NOT_EQUAL] = "NOT_EQUAL",
};

static json_t *etcd__cmp_json(const struct etcd_cmp *cmp)
{
	if ((unsigned)cmp->target > ETCD_CMP_VALUE || (unsigned)cmp->result > ETCD_CMP_NOT_EQUAL)
		return NULL;
	json_t *j = json_object();
	if (!j || etcd__key_range(j, cmp->key, cmp->key_len, false) ||
	    json_object_set_new(j, "target", json_string(etcd__targets[cmp->target].target)) ||
	    json_object_set_new(j, "result", json_string(etcd__results[cmp->result])) ||
	    json_object_set_new(j, etcd__targets[cmp->target].field,
				cmp->target == ETCD_CMP_VALUE ? etcd__b64(cmp->value, cmp->value_len)
							      : etcd__i64(cmp->number))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *etcd__op_json(const struct etcd_op *op)
{
	static const char *const names[] = {
		[ETCD_OP_PUT] = "request_put",
		[ETCD_OP_DELETE] = "request_delete_range",
		[ETCD_OP_RANGE] = "request_range",
	};
	if ((unsigned)op->type > ETCD_OP_RANGE)
		return NULL;
	json_t *inner = json_object();
	bool prefix = op->type != ETCD_OP_PUT && op->prefix;
	int rc = inner ? etcd__key_range(inner, op->key, op->key_len, prefix) : -ENOMEM;
	if (!rc && op->type == ETCD_OP_PUT &&
	    json_object_set_new(inner, "value", etcd__b64(op->value, op->value_len)))
		rc = -ENOMEM;
	if (!rc && op->type == ETCD_OP_PUT && op->lease &&
	    json_object_set_new(inner, "lease", etcd__i64(op->lease)))
		rc = -ENOMEM;
	if (rc) {
		json_decref(inner);
		return NULL;
	}
	return json_pack("{so}", names[op->type], inner);
}

static int etcd__txn_list(json_t *req, const char *name, const void *items, size_t n, bool cmp)
{
	json_t *arr = json_array();
	if (!arr || json_object_set_new(req, name, arr))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *j = cmp ? etcd__cmp_json((const struct etcd_cmp *)items + i)
				: etcd__op_json((const struct etcd_op *)items + i);
		if (!j || json_array_append_new(arr, j))
			return -EINVAL;
	}
	return 0;
}

void etcd_txn_result_free(struct etcd_txn_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_ranges; i++)
		etcd_kvs_free(&r->ranges[i]);
	free(r->ranges);
	*r = (struct etcd_txn_result){0};
}

/* "responses": one {"response_put"|"response_range"|"response_delete_range": {...}} per
 * op of the branch that ran, in order. Only ranges carry data. */
static int etcd__txn_parse(json_t *resp, struct etcd_txn_result *res)
{
	res->succeeded = json_is_true(json_object_get(resp, "succeeded"));
	int rc = etcd__header_revision(resp, &res->revision);
	json_t *arr = json_object_get(resp, "responses");
	if (rc || !arr)
		return rc;
	size_t n = json_array_size(arr);
	if (!json_is_array(arr) || n > ETCD__MAX_OPS)
		return -EBADMSG;
	res->ranges = calloc(n ? n : 1, sizeof *res->ranges);
	if (!res->ranges)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *range = json_object_get(json_array_get(arr, i), "response_range");
		if (range)
			rc = etcd__parse_kvs(range, &res->ranges[i]);
		res->n_ranges++;
	}
	return rc;
}

int etcd_txn(struct etcd *c, const struct etcd_cmp *cmp, size_t ncmp,
	     const struct etcd_op *success, size_t nsuccess,
	     const struct etcd_op *failure, size_t nfailure, struct etcd_txn_result *res)
{
	*res = (struct etcd_txn_result){0};
	if (ncmp > ETCD__MAX_OPS || nsuccess > ETCD__MAX_OPS || nfailure > ETCD__MAX_OPS)
		return -E2BIG;
	json_t *req = json_object(), *resp = NULL;
	int rc = req ? 0 : -ENOMEM;
	if (!rc)
		rc = etcd__txn_list(req, "compare", cmp, ncmp, true);
	if (!rc)
		rc = etcd__txn_list(req, "success", success, nsuccess, false);
	if (!rc)
		rc = etcd__txn_list(req, "failure", failure, nfailure, false);
	if (rc) {
		json_decref(req);
		return rc;
	}
	rc = etcd__call(c, "/v3/kv/txn", req, &resp);
	if (!rc)
		rc = etcd__txn_parse(resp, res);
	if (rc)
		etcd_txn_result_free(res);
	json_decref(resp);
	return rc;
}
