/* lease.c - one-shot lease calls (shared/notes/etcd-v3-json.md section 5). Lease ids
 * exceed 2^53: they travel as strings and are parsed with strtoll, never via double. */
#include "common/etcd/etcd_int.h"

#include <errno.h>

int etcd_lease_grant(struct etcd *c, int64_t ttl_s, int64_t *id, int64_t *granted_ttl)
{
	*id = 0;
	if (ttl_s <= 0)
		return -EINVAL;
	/* upper-case TTL: "ttl" would be ignored and the minimum TTL granted */
	json_t *req = json_pack("{so}", "TTL", etcd__i64(ttl_s)), *resp = NULL;
	if (!req)
		return -ENOMEM;
	int64_t got = 0;
	int rc = etcd__call(c, "/v3/lease/grant", req, &resp);
	if (!rc)
		rc = etcd__int(resp, "ID", id);
	if (!rc)
		rc = etcd__int(resp, "TTL", &got);
	if (!rc && (*id == 0 || got <= 0))
		rc = -EBADMSG;
	if (rc)
		*id = 0;
	if (granted_ttl)
		*granted_ttl = rc ? 0 : got;
	json_decref(resp);
	return rc;
}

/* The keepalive stream answers one {"result":{...}} line per request line; an unknown
 * or expired lease comes back with HTTP 200 and no TTL. */
int etcd_lease_keepalive(struct etcd *c, int64_t id, int64_t *ttl)
{
	json_t *req = json_pack("{so}", "ID", etcd__i64(id)), *resp = NULL;
	if (!req)
		return -ENOMEM;
	int64_t got = 0;
	int rc = etcd__call(c, "/v3/lease/keepalive", req, &resp);
	json_t *res = json_object_get(resp, "result");
	if (!rc && !json_is_object(res))
		rc = -EBADMSG;
	if (!rc)
		rc = etcd__int(res, "TTL", &got);
	if (!rc && got <= 0)
		rc = -ENOENT;
	if (ttl)
		*ttl = rc ? 0 : got;
	json_decref(resp);
	return rc;
}

int etcd_lease_revoke(struct etcd *c, int64_t id)
{
	json_t *req = json_pack("{so}", "ID", etcd__i64(id)), *resp = NULL;
	if (!req)
		return -ENOMEM;
	int rc = etcd__call(c, "/v3/lease/revoke", req, &resp);
	json_decref(resp);
	return rc;
}
