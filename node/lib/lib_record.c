/* lib_record.c - a library config record from etcd (proto/records.h) becomes the engine's
 * struct lib_config. proto/ knows nothing of the node, so the node owns the conversion
 * (docs/etcd-layout.md). The record was validated by its decoder; the engine's own limits
 * are checked again here, so a record that a newer proto would accept but this engine
 * cannot serve is refused, not truncated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/lib/lib_int.h"
#include "proto/records.h"

_Static_assert(PROTO_NAME_MAX < LIB_NAME_MAX, "library names fit");
_Static_assert(PROTO_LIB_ID_LEN == LIB_ID_LEN, "library ids match");
_Static_assert(PROTO_BARCODE_MAX <= LIB_BARCODE_MAX, "barcodes fit");

/* Copies src into dst[cap]; false if it does not fit. */
static bool lib__copy(char *dst, size_t cap, const char *src)
{
	return (size_t)snprintf(dst, cap, "%s", src) < cap;
}

static int lib__record_strings(const struct proto_libcfg *rec, struct lib_config *out)
{
	bool ok = lib__copy(out->name, sizeof out->name, rec->name) &&
		  lib__copy(out->id, sizeof out->id, rec->id) &&
		  lib__copy(out->barcode_prefix, sizeof out->barcode_prefix, rec->barcode_prefix) &&
		  lib__copy(out->media, sizeof out->media, rec->media) &&
		  lib__copy(out->changer_vendor, sizeof out->changer_vendor, rec->changer_vendor) &&
		  lib__copy(out->changer_product, sizeof out->changer_product, rec->changer_product) &&
		  lib__copy(out->changer_rev, sizeof out->changer_rev, rec->changer_rev) &&
		  lib__copy(out->drive_vendor, sizeof out->drive_vendor, rec->drive_vendor) &&
		  lib__copy(out->drive_product, sizeof out->drive_product, rec->drive_product) &&
		  lib__copy(out->drive_rev, sizeof out->drive_rev, rec->drive_rev);
	return ok ? 0 : -EINVAL;
}

int lib_config_from_record(const struct proto_libcfg *rec, const char *iqn_prefix,
			   struct lib_config *out)
{
	memset(out, 0, sizeof *out);
	int rc = lib__record_strings(rec, out);
	if (rc)
		goto fail;
	int n = snprintf(out->target, sizeof out->target, "%s:%s", iqn_prefix, rec->name);
	if (n < 0 || (size_t)n >= sizeof out->target) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	if (rec->drives < 1 || rec->drives > LIB_MAX_DRIVES || rec->slots < 1 ||
	    rec->slots > LIB_MAX_SLOTS || rec->ie_slots > LIB_MAX_IE ||
	    rec->n_carts > rec->slots || (rec->n_carts && !rec->carts)) {
		rc = -EINVAL;
		goto fail;
	}
	out->drives = rec->drives;
	out->slots = rec->slots;
	out->ie_slots = rec->ie_slots;
	out->capacity = rec->capacity;
	out->has_cart_list = true;      /* the record's list is the whole inventory */
	out->cart_list = calloc(rec->n_carts + 1, sizeof *out->cart_list);
	if (!out->cart_list) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < rec->n_carts; i++) {
		if (!lib__copy(out->cart_list[i].barcode, sizeof out->cart_list[i].barcode,
			       rec->carts[i].barcode)) {
			rc = -EINVAL;
			goto fail;
		}
		out->cart_list[i].capacity = rec->carts[i].capacity;
	}
	out->n_cart_list = rec->n_carts;
	if (lib__list_check(out)) {
		rc = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	lib_config_fini(out);
	memset(out, 0, sizeof *out);
	return rc;
}
