/* evtext_lib.c - library configuration and ownership changes in words (events_int.h). */
#include "client/events_int.h"

#include <stdio.h>
#include <string.h>

#include "client/format.h"
#include "proto/records.h"

#define EVLIB__LIST_MAX 4       /* barcodes named per change; more are counted */

/* ---- libraries/<lib>/config ---- */

static bool evlib__has(const struct proto_libcfg *c, const char *barcode)
{
	for (size_t i = 0; i < c->n_carts; i++)
		if (!strcmp(c->carts[i].barcode, barcode))
			return true;
	return false;
}

/* How many cartridges of `in` `notin` lacks. */
static size_t evlib__missing(const struct proto_libcfg *in, const struct proto_libcfg *notin)
{
	size_t n = 0;
	for (size_t i = 0; i < in->n_carts; i++)
		n += !evlib__has(notin, in->carts[i].barcode);
	return n;
}

/* "added A, B and 3 more": cartridges of `in` that `notin` lacks. */
static void evlib__carts(struct cli__ev *o, const char *verb, const struct proto_libcfg *in,
			 const struct proto_libcfg *notin)
{
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < in->n_carts; i++) {
		if (evlib__has(notin, in->carts[i].barcode))
			continue;
		if (shown == EVLIB__LIST_MAX) {
			more++;
			continue;
		}
		cli__ev_add(o, "%s%s", shown ? ", " : verb, in->carts[i].barcode);
		shown++;
	}
	if (more)
		cli__ev_add(o, " and %zu more", more);
}

static void evlib__created(const struct proto_libcfg *c, struct cli__ev *o)
{
	char sz[CLI_SIZE_STR];
	o->event = "library.created";
	cli__ev_add(o, "library %s created: %u drives, %u slots, %u import/export, %zu "
		    "cartridge%s of %s, %s", c->name, c->drives, c->slots, c->ie_slots, c->n_carts,
		    c->n_carts == 1 ? "" : "s", cli_fmt_size(c->capacity, sz),
		    proto_policy_name(c->policy));
}

static void evlib__changed(const struct proto_libcfg *p, const struct proto_libcfg *c,
			   struct cli__ev *o)
{
	o->event = "library.changed";
	o->first_diff = true;
	cli__ev_add(o, "library %s changed: ", c->name);
	cli__ev_diff(o, "id", p->id, c->id);
	cli__ev_diff_u64(o, "drives", p->drives, c->drives);
	cli__ev_diff_u64(o, "slots", p->slots, c->slots);
	cli__ev_diff_u64(o, "import/export", p->ie_slots, c->ie_slots);
	cli__ev_diff_size(o, "cartridge capacity", p->capacity, c->capacity);
	cli__ev_diff(o, "policy", proto_policy_name(p->policy), proto_policy_name(c->policy));
	cli__ev_diff(o, "changer", p->changer_product, c->changer_product);
	cli__ev_diff(o, "drive", p->drive_product, c->drive_product);
	size_t added = evlib__missing(c, p), removed = evlib__missing(p, c);
	if (p->n_carts != c->n_carts)
		cli__ev_diff_u64(o, "cartridges", p->n_carts, c->n_carts);
	else if (added || removed)
		cli__ev_add(o, "%scartridges", o->first_diff ? "" : ", ");
	if (added || removed) {
		cli__ev_add(o, " (");
		if (added)
			evlib__carts(o, "added ", c, p);
		if (added && removed)
			cli__ev_add(o, "; ");
		if (removed)
			evlib__carts(o, "removed ", p, c);
		cli__ev_add(o, ")");
		o->first_diff = false;
	}
	if (o->first_diff)
		cli__ev_add(o, "cartridge details");    /* e.g. one cartridge's capacity */
}

void cli__ev_libcfg(const struct cli__change *c, struct cli__ev *o)
{
	struct proto_libcfg n = {0}, p = {0};
	char why[PROTO_REASON_MAX];
	if (!c->val) {
		o->event = "library.deleted";
		cli__ev_add(o, "library %s deleted", c->k->name);
		return;
	}
	if (proto_libcfg_decode(c->val, c->val_len, &n, why, sizeof why)) {
		cli__ev_bad(o, c->key, why);
		return;
	}
	bool have_prev = c->prev && !proto_libcfg_decode(c->prev, c->prev_len, &p, NULL, 0);
	if (!have_prev)
		evlib__created(&n, o);
	else if (!proto_libcfg_equal(&n, &p))
		evlib__changed(&p, &n, o);
	proto_libcfg_fini(&p);
	proto_libcfg_fini(&n);
}

/* ---- libraries/<lib>/owner ---- */

static const char *evlib__partners(const struct proto_owner *w, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < w->n_partners && len < cap; i++) {
		int n = snprintf(buf + len, cap - len, "%s%s", i ? "," : "", w->partners[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, cap, "none");
	return buf;
}

void cli__ev_owner(const struct cli__change *c, struct cli__ev *o)
{
	struct proto_owner w, p;
	char why[PROTO_REASON_MAX], a[600], b[600];
	if (!c->val && !c->lib_config_known)
		return;                 /* the library's deletion was told already */
	if (!c->val) {
		o->event = "library.unowned";
		cli__ev_add(o, "library %s has no owner record (deleted or being recreated)",
			    c->k->name);
		return;
	}
	if (proto_owner_decode(c->val, c->val_len, &w, why, sizeof why)) {
		cli__ev_bad(o, c->key, why);
		return;
	}
	bool have_prev = c->prev && !proto_owner_decode(c->prev, c->prev_len, &p, NULL, 0);
	if (have_prev && proto_owner_equal(&w, &p))
		return;
	o->event = "library.owner";
	if (!have_prev) {
		cli__ev_add(o, "library %s owner %s (epoch %llu, %s, partners %s)", c->k->name,
			    w.node, (unsigned long long)w.epoch, proto_owner_state_name(w.state),
			    evlib__partners(&w, a, sizeof a));
		return;
	}
	o->first_diff = true;
	cli__ev_add(o, "library %s ", c->k->name);
	cli__ev_diff(o, "owner", p.node, w.node);
	cli__ev_diff_u64(o, "epoch", p.epoch, w.epoch);
	cli__ev_diff(o, "state", proto_owner_state_name(p.state), proto_owner_state_name(w.state));
	cli__ev_diff(o, "partners", evlib__partners(&p, a, sizeof a),
		     evlib__partners(&w, b, sizeof b));
	if (!strcmp(p.node, w.node))
		cli__ev_add(o, " (owner %s)", w.node);
}
