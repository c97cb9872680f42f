/* evtext.c - membership, drain, manager and migration changes in words (events_int.h). */
#include "client/events_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/format.h"
#include "proto/records.h"

void cli__ev_add(struct cli__ev *o, const char *fmt, ...)
{
	if (o->len + 1 >= sizeof o->text)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->text + o->len, sizeof o->text - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < sizeof o->text - o->len ? (size_t)n : sizeof o->text - o->len - 1;
}

void cli__ev_diff(struct cli__ev *o, const char *name, const char *a, const char *b)
{
	if (!strcmp(a, b))
		return;
	cli__ev_add(o, "%s%s %s -> %s", o->first_diff ? "" : ", ", name, a, b);
	o->first_diff = false;
}

void cli__ev_diff_u64(struct cli__ev *o, const char *name, uint64_t a, uint64_t b)
{
	char x[24], y[24];
	snprintf(x, sizeof x, "%llu", (unsigned long long)a);
	snprintf(y, sizeof y, "%llu", (unsigned long long)b);
	cli__ev_diff(o, name, x, y);
}

void cli__ev_diff_size(struct cli__ev *o, const char *name, uint64_t a, uint64_t b)
{
	char x[CLI_SIZE_STR], y[CLI_SIZE_STR];
	if (a == b)
		return;
	cli_fmt_size(a, x);
	cli_fmt_size(b, y);
	if (!strcmp(x, y))      /* a real change that rounds alike: show the bytes */
		cli__ev_diff_u64(o, name, a, b);
	else
		cli__ev_diff(o, name, x, y);
}

void cli__ev_bad(struct cli__ev *o, const char *key, const char *reason)
{
	o->event = "bad_value";
	o->len = 0;
	snprintf(o->reason, sizeof o->reason, "%s", reason);
	cli__ev_add(o, "bad value at %s: %s", key, reason);
}

/* ---- nodes/<id> ---- */

static void ev__node_joined(const struct proto_node *n, struct cli__ev *o)
{
	char cap[CLI_SIZE_STR], free_[CLI_SIZE_STR];
	o->event = "node.joined";
	cli__ev_add(o, "node %s joined: portal %s, peer %s, version %s, %s (%s free)%s", n->id,
		    n->portal, n->peer, n->version, cli_fmt_size(n->capacity_bytes, cap),
		    cli_fmt_size(n->free_bytes, free_), n->draining ? ", draining" : "");
}

void cli__ev_node(const struct cli__change *c, struct cli__ev *o)
{
	struct proto_node n, p;
	char why[PROTO_REASON_MAX];
	bool have_prev = c->prev && !proto_node_decode(c->prev, c->prev_len, &p, NULL, 0);
	if (!c->val) {
		o->event = "node.left";
		cli__ev_add(o, "node %s left", c->k->name);
		if (have_prev)
			cli__ev_add(o, " (portal %s)", p.portal);
		return;
	}
	if (proto_node_decode(c->val, c->val_len, &n, why, sizeof why)) {
		cli__ev_bad(o, c->key, why);
		return;
	}
	if (!have_prev) {
		ev__node_joined(&n, o);
		return;
	}
	if (proto_node_equal(&n, &p))
		return;
	o->event = "node.changed";
	o->first_diff = true;
	cli__ev_add(o, "node %s changed: ", n.id);
	cli__ev_diff(o, "portal", p.portal, n.portal);
	cli__ev_diff(o, "peer", p.peer, n.peer);
	cli__ev_diff(o, "version", p.version, n.version);
	cli__ev_diff_size(o, "capacity", p.capacity_bytes, n.capacity_bytes);
	cli__ev_diff_size(o, "free", p.free_bytes, n.free_bytes);
	cli__ev_diff(o, "draining", p.draining ? "yes" : "no", n.draining ? "yes" : "no");
}

/* ---- drain/<node> ---- */

void cli__ev_drain(const struct cli__change *c, struct cli__ev *o)
{
	struct proto_drain d;
	char why[PROTO_REASON_MAX];
	if (!c->val) {
		o->event = "node.undrained";
		cli__ev_add(o, "node %s undrained: it may take new libraries again", c->k->name);
		return;
	}
	if (proto_drain_decode(c->val, c->val_len, &d, why, sizeof why)) {
		cli__ev_bad(o, c->key, why);
		return;
	}
	if (c->prev && !proto_drain_decode(c->prev, c->prev_len, &(struct proto_drain){0}, NULL, 0))
		return;                 /* already draining: a rewrite */
	o->event = "node.drained";
	cli__ev_add(o, "node %s drained: it takes no new libraries", d.node);
}

/* ---- manager/leader ---- */

void cli__ev_leader(const struct cli__change *c, struct cli__ev *o)
{
	struct proto_leader l, p;
	char why[PROTO_REASON_MAX];
	bool have_prev = c->prev && !proto_leader_decode(c->prev, c->prev_len, &p, NULL, 0);
	if (!c->val) {
		o->event = "manager.none";
		if (have_prev)
			cli__ev_add(o, "no active manager: %s stepped down or died", p.id);
		else
			cli__ev_add(o, "no active manager: the leader key was removed");
		cli__ev_add(o, " (a standby takes over within the lease TTL)");
		return;
	}
	if (proto_leader_decode(c->val, c->val_len, &l, why, sizeof why)) {
		cli__ev_bad(o, c->key, why);
		return;
	}
	if (have_prev && proto_leader_equal(&l, &p))
		return;
	o->event = "manager.leader";
	cli__ev_add(o, "manager %s is active, control API %s", l.id, l.control);
}

/* ---- migrations/<id> ---- */

void cli__ev_mig(const struct cli__change *c, struct cli__ev *o)
{
	struct proto_mig m, p;
	char why[PROTO_REASON_MAX], sz[CLI_SIZE_STR];
	if (!c->val) {
		o->event = "migration.removed";
		cli__ev_add(o, "migration %s removed", c->k->name);
		return;
	}
	if (proto_mig_decode(c->val, c->val_len, &m, why, sizeof why)) {
		cli__ev_bad(o, c->key, why);
		return;
	}
	if (c->prev && !proto_mig_decode(c->prev, c->prev_len, &p, NULL, 0) && proto_mig_equal(&m, &p))
		return;
	o->event = "migration";
	cli__ev_add(o, "migration %s of library %s, %s -> %s: %s", m.id, m.library, m.source,
		    m.destination, proto_mig_phase_name(m.phase));
	if (m.bytes_copied)
		cli__ev_add(o, ", %s copied", cli_fmt_size(m.bytes_copied, sz));
	if (m.reason[0])
		cli__ev_add(o, " (%s)", m.reason);
}
