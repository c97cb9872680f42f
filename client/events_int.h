/* events_int.h - inside the event renderer (events.h): one change of one key, and what
 * it means in words. events.c keeps the state and prints; evtext.c and evtext_lib.c
 * turn a change into text. */
#ifndef VTL_CLIENT_EVENTS_INT_H
#define VTL_CLIENT_EVENTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/keys.h"

struct cli__evkv {
	char *key;                   /* NUL-terminated copy */
	size_t klen;
	uint8_t *val;                /* NUL-terminated copy */
	size_t vlen;
};

/* One change: the previous value (NULL: absent or never seen) and the new one (NULL:
 * deleted). All borrowed for the call. */
struct cli__change {
	const char *key;
	const struct proto_key *k;
	const uint8_t *prev;
	size_t prev_len;
	const uint8_t *val;
	size_t val_len;
	bool lib_config_known;       /* LIB_OWNER: the library's config key is present */
};

#define CLI__EV_TEXT 1024

/* What the change means: event NULL = print nothing (a rewrite with no change). */
struct cli__ev {
	const char *event;
	char text[CLI__EV_TEXT];
	char reason[256];            /* bad_value only */
	size_t len;
	bool first_diff;             /* cli__ev_diff: no ", " before the first difference */
};

/* Appends printf-style text (cut at the buffer's end). */
__attribute__((format(printf, 2, 3)))
void cli__ev_add(struct cli__ev *o, const char *fmt, ...);
/* Appends "name A -> B" when a and b differ, ", "-separated from earlier differences. */
void cli__ev_diff(struct cli__ev *o, const char *name, const char *a, const char *b);
void cli__ev_diff_u64(struct cli__ev *o, const char *name, uint64_t a, uint64_t b);
void cli__ev_diff_size(struct cli__ev *o, const char *name, uint64_t a, uint64_t b);
/* Sets the bad_value event for a value that does not decode. */
void cli__ev_bad(struct cli__ev *o, const char *key, const char *reason);

void cli__ev_node(const struct cli__change *c, struct cli__ev *o);
void cli__ev_drain(const struct cli__change *c, struct cli__ev *o);
void cli__ev_leader(const struct cli__change *c, struct cli__ev *o);
void cli__ev_mig(const struct cli__change *c, struct cli__ev *o);
void cli__ev_libcfg(const struct cli__change *c, struct cli__ev *o);
void cli__ev_owner(const struct cli__change *c, struct cli__ev *o);

#endif
