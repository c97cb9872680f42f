/* store.c - opening the store (RocksDB and the tapes directory) and the key/value records.
 *
 * RocksDB is the edge of this module: every error string it returns is logged once, here
 * or through store__rocks_err, and becomes a negative errno. Concurrency: see store_int.h
 * (RocksDB calls are thread-safe; s->lock guards only the list of open tapes). */
#include "node/store/store_int.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int store__rocks_err(const char *op, const char *subject, char **err)
{
	/* RocksDB statuses start with their code name ("Corruption: ...", "IO error: ...") */
	int rc = strncmp(*err, "Corruption", 10) == 0 ? -EBADMSG : -EIO;
	vtl_log(LOG_ERROR, "STORE_ROCKSDB_ERROR", "op=%s subject=%s err=\"%s\"", op,
		subject ? subject : "-", *err);
	rocksdb_free(*err);
	*err = NULL;
	return rc;
}

static int store__mkdir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	int rc = -errno;
	vtl_log(LOG_ERROR, "STORE_MKDIR_FAILED", "path=%s err=\"%s\"", path, strerror(-rc));
	return rc;
}

static int store__open_db(struct store *s, const char *path)
{
	s->opt = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(s->opt, 1);
	rocksdb_options_set_create_missing_column_families(s->opt, 1);
	rocksdb_options_increase_parallelism(s->opt, 2);
	rocksdb_options_set_keep_log_file_num(s->opt, 4);
	/* both column families hold small values only (tape data lives in segment files),
	 * so the defaults fit them */
	const char *names[2] = {"default", "tape"};
	const rocksdb_options_t *cf_opts[2] = {s->opt, s->opt};
	rocksdb_column_family_handle_t *cf[2] = {NULL, NULL};
	char *err = NULL;
	s->db = rocksdb_open_column_families(s->opt, path, 2, names, cf_opts, cf, &err);
	if (err) {
		/* RocksDB's lock file: another process (or this one) has the store open */
		int busy = strstr(err, "/LOCK") != NULL;
		int rc = store__rocks_err("open", path, &err);
		return busy ? -EBUSY : rc;
	}
	s->cf_kv = cf[0];
	s->cf_tape = cf[1];
	s->wo = rocksdb_writeoptions_create();
	s->wo_sync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(s->wo_sync, 1);
	s->ro = rocksdb_readoptions_create();
	return 0;
}

int store_open(const char *dir, struct store **out)
{
	char path[PATH_MAX];
	struct store *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->tapes_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	int rc = store__mkdir(dir);
	if (rc == 0 && snprintf(path, sizeof path, "%s/tapes", dir) >= (int)sizeof path)
		rc = -ENAMETOOLONG;
	if (rc == 0)
		rc = store__mkdir(path);
	if (rc == 0) {
		s->tapes_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->tapes_fd < 0)
			rc = -errno;
	}
	if (rc == 0)
		snprintf(path, sizeof path, "%s/db", dir);
	if (rc == 0)
		rc = store__open_db(s, path);
	if (rc) {
		vtl_log(LOG_ERROR, "STORE_OPEN_FAILED", "dir=%s err=\"%s\"", dir, strerror(-rc));
		store_close(s);
		return rc;
	}
	vtl_log(LOG_INFO, "STORE_OPEN", "dir=%s", dir);
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	/* a tape left open is the caller's bug; closing it here still syncs its data */
	while (s->tapes) {
		vtl_log(LOG_WARN, "STORE_TAPE_LEFT_OPEN", "tape=%s", s->tapes->name);
		store_tape_close(s->tapes);
	}
	if (s->cf_kv)
		rocksdb_column_family_handle_destroy(s->cf_kv);
	if (s->cf_tape)
		rocksdb_column_family_handle_destroy(s->cf_tape);
	if (s->db)
		rocksdb_close(s->db);
	if (s->wo)
		rocksdb_writeoptions_destroy(s->wo);
	if (s->wo_sync)
		rocksdb_writeoptions_destroy(s->wo_sync);
	if (s->ro)
		rocksdb_readoptions_destroy(s->ro);
	if (s->opt)
		rocksdb_options_destroy(s->opt);
	if (s->tapes_fd >= 0)
		close(s->tapes_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* --- small records ------------------------------------------------------------------- */

int store_kv_put(struct store *s, const char *key, const void *val, size_t len, bool sync)
{
	if (!key || !*key || (!val && len))
		return -EINVAL;
	char *err = NULL;
	rocksdb_put_cf(s->db, sync ? s->wo_sync : s->wo, s->cf_kv, key, strlen(key), val, len,
		       &err);
	return err ? store__rocks_err("kv_put", key, &err) : 0;
}

int store_kv_get(struct store *s, const char *key, void **val, size_t *len)
{
	if (!key || !*key)
		return -EINVAL;
	char *err = NULL;
	size_t n = 0;
	char *v = rocksdb_get_cf(s->db, s->ro, s->cf_kv, key, strlen(key), &n, &err);
	if (err)
		return store__rocks_err("kv_get", key, &err);
	if (!v)
		return -ENOENT;
	/* the contract says free(): hand over our own copy, not RocksDB's allocation */
	void *copy = malloc(n ? n : 1);
	if (copy)
		memcpy(copy, v, n);
	rocksdb_free(v);
	if (!copy)
		return -ENOMEM;
	*val = copy;
	*len = n;
	return 0;
}

/* Deleting an absent key succeeds (RocksDB writes a tombstone either way). */
int store_kv_delete(struct store *s, const char *key, bool sync)
{
	if (!key || !*key)
		return -EINVAL;
	char *err = NULL;
	rocksdb_delete_cf(s->db, sync ? s->wo_sync : s->wo, s->cf_kv, key, strlen(key), &err);
	return err ? store__rocks_err("kv_delete", key, &err) : 0;
}

/* The least key greater than every key starting with prefix: drop trailing 0xff bytes and
 * increment the last one. Returns its length, 0 if there is none (scan to the end). */
static size_t kv__upper_bound(char *ub, const char *prefix, size_t n)
{
	memcpy(ub, prefix, n);
	while (n > 0 && (unsigned char)ub[n - 1] == 0xff)
		n--;
	if (n > 0)
		ub[n - 1] = (char)((unsigned char)ub[n - 1] + 1);
	return n;
}

static int kv__scan_iter(rocksdb_iterator_t *it, const char *prefix, size_t plen,
			 int (*fn)(void *, const char *, const void *, size_t), void *arg)
{
	char *key = NULL;
	size_t key_cap = 0;
	int rc = 0;
	for (rocksdb_iter_seek(it, prefix, plen); rc == 0 && rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t klen, vlen;
		const char *k = rocksdb_iter_key(it, &klen);
		const char *v = rocksdb_iter_value(it, &vlen);
		if (klen + 1 > key_cap) {
			char *p = realloc(key, klen + 1);
			if (!p) {
				rc = -ENOMEM;
				break;
			}
			key = p;
			key_cap = klen + 1;
		}
		/* iterator keys are not NUL-terminated and die at the next move */
		memcpy(key, k, klen);
		key[klen] = '\0';
		rc = fn(arg, key, v, vlen);
	}
	char *err = NULL;
	rocksdb_iter_get_error(it, &err);
	if (err)
		rc = store__rocks_err("kv_scan", prefix, &err);
	free(key);
	return rc;
}

int store_kv_scan(struct store *s, const char *prefix,
		  int (*fn)(void *arg, const char *key, const void *val, size_t len), void *arg)
{
	if (!prefix || !fn)
		return -EINVAL;
	size_t plen = strlen(prefix);
	char *ub = malloc(plen ? plen : 1);
	if (!ub)
		return -ENOMEM;
	rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
	size_t ublen = kv__upper_bound(ub, prefix, plen);
	if (ublen)
		rocksdb_readoptions_set_iterate_upper_bound(ro, ub, ublen); /* ub outlives it */
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, ro, s->cf_kv);
	int rc = kv__scan_iter(it, prefix, plen, fn, arg);
	rocksdb_iter_destroy(it);
	rocksdb_readoptions_destroy(ro);
	free(ub);
	return rc;
}
