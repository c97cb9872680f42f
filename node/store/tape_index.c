/* tape_index.c - the in-memory index of an open cartridge: where each object starts in the
 * segment file, and which objects are filemarks.
 *
 * One array of header offsets (8 bytes per object: a cartridge of a million 64 KiB blocks
 * costs 8 MB) gives an object's place and length in O(1); a sorted array of filemark
 * numbers answers SPACE FILEMARKS (SSC-3 7.7) with a binary search. Both grow by doubling.
 * Used only by the thread that holds the tape (store.h). */
#include "node/store/store_int.h"

#include <errno.h>
#include <stdlib.h>

int store__idx_init(struct store_tape *t)
{
	t->pos_cap = 1024;
	t->pos = malloc(t->pos_cap * sizeof *t->pos);
	if (!t->pos)
		return -ENOMEM;
	t->pos[0] = 0;
	t->eod = 0;
	t->nfm = 0;
	return 0;
}

void store__idx_fini(struct store_tape *t)
{
	free(t->pos);
	free(t->fm);
	t->pos = NULL;
	t->fm = NULL;
}

/* Returns arr grown to hold `need` elements (arr itself if it already does), or NULL with
 * arr untouched. */
static void *idx__grow(void *arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return arr;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(arr, n * elem);
	if (p)
		*cap = n;
	return p;
}

int store__idx_push(struct store_tape *t, uint32_t len)
{
	uint64_t *pos = idx__grow(t->pos, &t->pos_cap, t->eod + 2, sizeof *t->pos);
	if (!pos)
		return -ENOMEM;
	t->pos = pos;
	if (len == 0) {
		uint64_t *fm = idx__grow(t->fm, &t->fm_cap, t->nfm + 1, sizeof *t->fm);
		if (!fm)
			return -ENOMEM;
		t->fm = fm;
		t->fm[t->nfm++] = t->eod;
	}
	t->pos[t->eod + 1] = t->pos[t->eod] + STORE__HDR_LEN + len;
	t->eod++;
	return 0;
}

/* Index of the first filemark >= n (nfm if none). */
static size_t idx__fm_lower(const struct store_tape *t, uint64_t n)
{
	size_t lo = 0, hi = t->nfm;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->fm[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void store__idx_cut(struct store_tape *t, uint64_t n)
{
	if (n >= t->eod)
		return;
	t->nfm = idx__fm_lower(t, n);
	t->eod = n;
}

uint64_t store_tape_eod(const struct store_tape *t)
{
	return t->eod;
}

uint64_t store_tape_used(const struct store_tape *t)
{
	/* offsets are contiguous: everything before eod that is not a header is data */
	return t->pos[t->eod] - t->eod * STORE__HDR_LEN;
}

uint64_t store_tape_capacity(const struct store_tape *t)
{
	return t->capacity;
}

int store_tape_stat(struct store_tape *t, uint64_t n, struct store_obj *obj)
{
	if (n >= t->eod)
		return -ENOENT;
	obj->len = store__idx_len(t, n);
	obj->type = obj->len ? STORE_OBJ_BLOCK : STORE_OBJ_FILEMARK;
	return 0;
}

int store_tape_find_filemark(struct store_tape *t, uint64_t from, int dir, uint64_t *n)
{
	if (dir == 0)
		return -EINVAL;
	size_t i = idx__fm_lower(t, from);
	if (dir > 0) {
		if (i == t->nfm)
			return -ENOENT;
		*n = t->fm[i];
	} else {
		if (i == 0)
			return -ENOENT;
		*n = t->fm[i - 1];
	}
	return 0;
}
