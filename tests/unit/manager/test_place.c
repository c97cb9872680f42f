/* The placement rule (manager/place/place.h), table-driven: fewest owned libraries, then
 * most free bytes, then id; draining nodes never chosen; partners on other nodes by the
 * same order; the requested owner honoured or refused with the exact code. */
#include "manager/place/place.h"
#include "tests/testutil.h"

#include <errno.h>
#include <string.h>

#define N(id_, free_, owned_, drain_) {.id = id_, .free_bytes = free_, .owned = owned_, .draining = drain_}

struct place_case {
	const char *what;
	struct place_node nodes[6];
	size_t n;
	const char *want;
	size_t n_partners;
	int rc;
	const char *owner;
	const char *partners[3];
};

static const struct place_case cases[] = {
	{"no nodes", {{0}}, 0, NULL, 0, -ENOSPC, NULL, {NULL}},
	{"no nodes, mirrored", {{0}}, 0, NULL, 1, -ENOSPC, NULL, {NULL}},
	{"one node, single", {N("n1", 5, 0, false)}, 1, NULL, 0, 0, "n1", {NULL}},
	{"one node, mirrored: no partner", {N("n1", 5, 0, false)}, 1, NULL, 1, -ENOSPC, NULL, {NULL}},
	{"fewest owned beats free bytes",
	 {N("n1", 900, 2, false), N("n2", 10, 1, false), N("n3", 500, 3, false)}, 3, NULL, 1, 0,
	 "n2", {"n1"}},
	{"tie on owned: most free bytes",
	 {N("n1", 100, 1, false), N("n2", 300, 1, false), N("n3", 200, 1, false)}, 3, NULL, 1, 0,
	 "n2", {"n3"}},
	{"tie on owned and free: id order",
	 {N("nc", 100, 0, false), N("na", 100, 0, false), N("nb", 100, 0, false)}, 3, NULL, 2, 0,
	 "na", {"nb", "nc"}},
	{"draining never owner",
	 {N("n1", 100, 0, true), N("n2", 1, 5, false), N("n3", 1, 6, false)}, 3, NULL, 1, 0, "n2",
	 {"n3"}},
	{"draining never partner",
	 {N("n1", 100, 0, false), N("n2", 100, 0, true), N("n3", 1, 9, false)}, 3, NULL, 1, 0, "n1",
	 {"n3"}},
	{"all draining", {N("n1", 1, 0, true), N("n2", 1, 0, true)}, 2, NULL, 0, -ENOSPC, NULL, {NULL}},
	{"two live, one draining: mirrored impossible",
	 {N("n1", 1, 0, false), N("n2", 1, 0, true)}, 2, NULL, 1, -ENOSPC, NULL, {NULL}},
	{"requested owner honoured though fuller",
	 {N("n1", 1, 7, false), N("n2", 100, 0, false), N("n3", 50, 0, false)}, 3, "n1", 1, 0, "n1",
	 {"n2"}},
	{"requested owner not registered",
	 {N("n1", 1, 0, false), N("n2", 1, 0, false)}, 2, "n9", 1, -ENOENT, NULL, {NULL}},
	{"requested owner draining",
	 {N("n1", 1, 0, true), N("n2", 1, 0, false)}, 2, "n1", 0, -EBUSY, NULL, {NULL}},
	{"requested owner, no partner left",
	 {N("n1", 1, 0, false), N("n2", 1, 0, true)}, 2, "n1", 1, -ENOSPC, NULL, {NULL}},
	{"too many partners", {N("n1", 1, 0, false)}, 1, NULL, 9, -EINVAL, NULL, {NULL}},
	{"partner is never the owner",
	 {N("n1", 1, 0, false), N("n2", 1, 1, false)}, 2, NULL, 1, 0, "n1", {"n2"}},
};

static void run(const struct place_case *c)
{
	size_t owner = 99, partners[8];
	memset(partners, 0xff, sizeof partners);
	int rc = place_choose(c->nodes, c->n, c->want, c->n_partners, &owner, partners);
	if (rc != c->rc) {
		fprintf(stderr, "case '%s': rc %d, want %d\n", c->what, rc, c->rc);
		exit(1);
	}
	if (rc)
		return;
	CHECK(owner < c->n);
	if (strcmp(c->nodes[owner].id, c->owner)) {
		fprintf(stderr, "case '%s': owner %s, want %s\n", c->what, c->nodes[owner].id, c->owner);
		exit(1);
	}
	for (size_t p = 0; p < c->n_partners; p++) {
		CHECK(partners[p] < c->n);
		if (strcmp(c->nodes[partners[p]].id, c->partners[p])) {
			fprintf(stderr, "case '%s': partner %zu is %s, want %s\n", c->what, p,
				c->nodes[partners[p]].id, c->partners[p]);
			exit(1);
		}
	}
}

/* Placing one library after another spreads owners and partners over equal nodes. */
static void spread(void)
{
	struct place_node nodes[3] = {N("n1", 100, 0, false), N("n2", 100, 0, false),
				      N("n3", 100, 0, false)};
	unsigned partner_of[3] = {0};
	for (int lib = 0; lib < 6; lib++) {
		size_t o, p;
		CHECK_EQ(place_choose(nodes, 3, NULL, 1, &o, &p), 0);
		CHECK(o != p);
		nodes[o].owned++;
		partner_of[p]++;
	}
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(nodes[i].owned, 2);
		CHECK_EQ(partner_of[i], 2);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run(&cases[i]);
	spread();
	printf("place: %zu cases ok\n", sizeof cases / sizeof cases[0]);
	return 0;
}
