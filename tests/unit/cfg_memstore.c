// SPDX-License-Identifier: GPL-2.0-or-later
/* In-memory record store and fake drives for the configuration tests. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "cfg_memstore.h"

struct memop {
	uint32_t mo_kind, mo_id;
	void *mo_data; /* NULL: delete */
	size_t mo_len;
};

struct memtxn {
	struct memstore *mt_ms;
	uint32_t mt_n;
	uint32_t mt_puts;
	bool mt_bad;
	struct memop mt_ops[64];
};

struct memrec *memstore_find(struct memstore *ms, uint32_t kind, uint32_t id)
{
	for (uint32_t i = 0; i < ms->ms_n; i++)
		if (ms->ms_recs[i].mr_kind == kind &&
		    ms->ms_recs[i].mr_id == id)
			return &ms->ms_recs[i];
	return NULL;
}

static int ms_foreach(void *arg, uint32_t kind,
		      int (*fn)(void *, uint32_t, const void *, size_t),
		      void *farg, meta_error_t *ep)
{
	struct memstore *ms = arg;

	for (uint32_t i = 0; i < ms->ms_n; i++) {
		int rc;

		if (ms->ms_recs[i].mr_kind != kind)
			continue;
		rc = fn(farg, ms->ms_recs[i].mr_id, ms->ms_recs[i].mr_data,
			ms->ms_recs[i].mr_len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int ms_begin(void *arg, void **txnp, meta_error_t *ep)
{
	struct memstore *ms = arg;
	struct memtxn *t;

	if (ms->ms_intxn)
		return meta_error_set(ep, SET_ERROR(EBUSY), 0, NULL, "begin");
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL, "begin");
	t->mt_ms = ms;
	ms->ms_intxn = true;
	*txnp = t;
	return 0;
}

static int ms_op(void *txn, uint32_t kind, uint32_t id, const void *data,
		 size_t len, meta_error_t *ep)
{
	struct memtxn *t = txn;

	if (data != NULL && t->mt_ms->ms_fail_put != 0 &&
	    (int)++t->mt_puts == t->mt_ms->ms_fail_put) {
		t->mt_bad = true;
		return meta_error_set(ep, SET_ERROR(EIO), 0, NULL,
				      "injected put failure");
	}
	if (t->mt_bad || t->mt_n >= 64) {
		t->mt_bad = true;
		return meta_error_set(ep, SET_ERROR(EINVAL), 0, NULL, "txn");
	}
	t->mt_ops[t->mt_n].mo_kind = kind;
	t->mt_ops[t->mt_n].mo_id = id;
	t->mt_ops[t->mt_n].mo_len = len;
	t->mt_ops[t->mt_n].mo_data = NULL;
	if (data != NULL) {
		t->mt_ops[t->mt_n].mo_data = malloc(len ? len : 1);
		VERIFY(t->mt_ops[t->mt_n].mo_data != NULL);
		memcpy(t->mt_ops[t->mt_n].mo_data, data, len);
	}
	t->mt_n++;
	return 0;
}

static int ms_put(void *txn, uint32_t kind, uint32_t id, const void *data,
		  size_t len, meta_error_t *ep)
{
	return ms_op(txn, kind, id, data, len, ep);
}

static int ms_del(void *txn, uint32_t kind, uint32_t id, meta_error_t *ep)
{
	struct memtxn *t = txn;

	if (memstore_find(t->mt_ms, kind, id) == NULL) {
		t->mt_bad = true;
		return meta_error_set(ep, SET_ERROR(ENOENT), 0, NULL, "del");
	}
	return ms_op(txn, kind, id, NULL, 0, ep);
}

static void ms_abort(void *txn)
{
	struct memtxn *t = txn;

	for (uint32_t i = 0; i < t->mt_n; i++)
		free(t->mt_ops[i].mo_data);
	t->mt_ms->ms_intxn = false;
	free(t);
}

static int ms_commit(void *txn, meta_error_t *ep)
{
	struct memtxn *t = txn;
	struct memstore *ms = t->mt_ms;

	if (t->mt_bad || ms->ms_fail_commit) {
		ms_abort(txn);
		return meta_error_set(ep, SET_ERROR(EIO), 0, NULL,
				      "injected commit failure");
	}
	for (uint32_t i = 0; i < t->mt_n; i++) {
		struct memop *op = &t->mt_ops[i];
		struct memrec *r = memstore_find(ms, op->mo_kind, op->mo_id);

		if (op->mo_data == NULL) {
			if (r != NULL) {
				free(r->mr_data);
				*r = ms->ms_recs[--ms->ms_n];
			}
			continue;
		}
		if (r == NULL) {
			if (ms->ms_n == ms->ms_cap) {
				ms->ms_cap = ms->ms_cap ? ms->ms_cap * 2 : 64;
				ms->ms_recs = realloc(ms->ms_recs,
						      ms->ms_cap * sizeof(*r));
				VERIFY(ms->ms_recs != NULL);
			}
			r = &ms->ms_recs[ms->ms_n++];
		} else {
			free(r->mr_data);
		}
		r->mr_kind = op->mo_kind;
		r->mr_id = op->mo_id;
		r->mr_data = op->mo_data;
		r->mr_len = op->mo_len;
		op->mo_data = NULL;
	}
	ms->ms_commits++;
	ms_abort(txn);
	return 0;
}

static const struct meta_store_ops memstore_ops = {
	.so_foreach = ms_foreach,
	.so_begin = ms_begin,
	.so_put = ms_put,
	.so_del = ms_del,
	.so_commit = ms_commit,
	.so_abort = ms_abort,
};

void memstore_init(struct memstore *ms, struct meta_store *st)
{
	memset(ms, 0, sizeof(*ms));
	st->ms_ops = &memstore_ops;
	st->ms_arg = ms;
	st->ms_post = NULL;
	st->ms_post_arg = NULL;
}

void memstore_release(struct memstore *ms)
{
	for (uint32_t i = 0; i < ms->ms_n; i++)
		free(ms->ms_recs[i].mr_data);
	free(ms->ms_recs);
	memset(ms, 0, sizeof(*ms));
}

uint64_t memstore_hash(const struct memstore *ms)
{
	uint64_t h = 1469598103934665603ULL;

	/* order-independent: sum of per-record FNV hashes */
	uint64_t sum = 0;

	for (uint32_t i = 0; i < ms->ms_n; i++) {
		const struct memrec *r = &ms->ms_recs[i];
		uint64_t x = h ^ r->mr_kind;

		x = (x ^ r->mr_id) * 1099511628211ULL;
		for (size_t k = 0; k < r->mr_len; k++)
			x = (x ^ ((const uint8_t *)r->mr_data)[k]) *
			    1099511628211ULL;
		sum += x;
	}
	return sum + ms->ms_n;
}

void fakedrives_add(struct fakedrives *fd, const char *name, uint64_t blocks,
		    uint32_t nrepl)
{
	struct meta_drive *d;

	VERIFY(fd->fd_n < 600);
	d = &fd->fd_d[fd->fd_n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->md_name, sizeof(d->md_name), "%s", name);
	for (int i = 0; i < META_UUIDLEN; i++)
		d->md_uuid[i] = (uint8_t)(fd->fd_n * 16 + i);
	d->md_len = blocks;
	d->md_nrepl = nrepl;
}

int fakedrives_lookup(void *arg, const char *name, struct meta_drive *d,
		      meta_error_t *ep)
{
	struct fakedrives *fd = arg;

	for (uint32_t i = 0; i < fd->fd_n; i++)
		if (strcmp(fd->fd_d[i].md_name, name) == 0) {
			*d = fd->fd_d[i];
			return 0;
		}
	return meta_error_set(ep, SET_ERROR(ENOENT), 0, name,
			      "no such drive in the set");
}
