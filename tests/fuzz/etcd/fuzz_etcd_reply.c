/* fuzz_etcd_reply.c - libFuzzer target for what the etcd client reads off the network:
 * a reply body from the v3 JSON gateway (bounded JSON, base64 keys and values, int64
 * strings) goes through the same decoders the client uses for range, txn, lease and watch
 * replies. Invariants: never a crash or leak; a decoded kv list is self-consistent. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/etcd/etcd.h"
#include "common/etcd/etcd_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	struct etcd_kvs kvs;
	memset(&kvs, 0, sizeof kvs);
	if (etcd__parse_kvs(j, &kvs) == 0) {
		for (size_t i = 0; i < kvs.n; i++) {
			/* the decoder promises NUL-terminated buffers of the stated lengths */
			if (kvs.kv[i].key[kvs.kv[i].key_len] != 0)
				abort();
			if (kvs.kv[i].value && kvs.kv[i].value[kvs.kv[i].value_len] != 0)
				abort();
		}
	}
	etcd_kvs_free(&kvs);
	int64_t rev = 0;
	(void)etcd__header_revision(j, &rev);
	struct etcd_kv kv;
	memset(&kv, 0, sizeof kv);
	if (etcd__parse_kv(j, &kv) == 0)
		etcd__kv_fini(&kv);
	/* watch messages carry events under result.events[].kv */
	json_t *evs = json_object_get(json_object_get(j, "result"), "events"), *ev;
	size_t i;
	json_array_foreach(evs, i, ev) {
		memset(&kv, 0, sizeof kv);
		if (etcd__parse_kv(json_object_get(ev, "kv"), &kv) == 0)
			etcd__kv_fini(&kv);
	}
	json_decref(j);
	return 0;
}
