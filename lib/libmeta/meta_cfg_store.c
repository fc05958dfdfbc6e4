// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration model's store on a set's mddb.
 *
 * Thin glue: struct meta_store's operations map one to one onto the mddb
 * API (mddb.h).  Units are records of type MDDB_RT_UNIT with the unit number
 * as id, pools records of type MDDB_RT_HSP with the pool number as id.  A
 * change is one mddb transaction: meta_cfg_apply() encodes every record
 * first, then begins, puts and deletes, and commits, so that the mddb's
 * atomic commit makes the whole change visible or none of it.  A STALE or
 * TOOFEW database refuses the transaction and the model stays as it was.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/mddb.h>
#include <oban/meta_cfg.h>

_Static_assert(META_RSSLOTS == MDDB_RS_SLOTS,
	       "one resync slot per mirror: the model and the mddb agree");

static uint32_t rectype(uint32_t rkind)
{
	return rkind == META_RK_UNIT ? MDDB_RT_UNIT : MDDB_RT_HSP;
}

static int st_foreach(void *arg, uint32_t rkind,
		      int (*fn)(void *farg, uint32_t id, const void *data,
				size_t len),
		      void *farg, meta_error_t *ep)
{
	return mddb_rec_foreach(arg, rectype(rkind), fn, farg, ep) == 0 ? 0 :
									  -1;
}

static int st_begin(void *arg, void **txnp, meta_error_t *ep)
{
	struct mddb_txn *txn;

	if (mddb_txn_begin(arg, &txn, ep) != 0)
		return -1;
	*txnp = txn;
	return 0;
}

static int st_put(void *txn, uint32_t rkind, uint32_t id, const void *data,
		  size_t len, meta_error_t *ep)
{
	return mddb_txn_put(txn, rectype(rkind), id, data, len, ep);
}

static int st_del(void *txn, uint32_t rkind, uint32_t id, meta_error_t *ep)
{
	return mddb_txn_del(txn, rectype(rkind), id, ep);
}

static int st_commit(void *txn, meta_error_t *ep)
{
	return mddb_txn_commit(txn, ep);
}

static void st_abort(void *txn)
{
	mddb_txn_abort(txn);
}

static const struct meta_store_ops mddb_store_ops = {
	.so_foreach = st_foreach,
	.so_begin = st_begin,
	.so_put = st_put,
	.so_del = st_del,
	.so_commit = st_commit,
	.so_abort = st_abort,
};

void meta_store_mddb(struct meta_store *st, struct mddb *db)
{
	st->ms_ops = &mddb_store_ops;
	st->ms_arg = db;
	st->ms_post = NULL;
	st->ms_post_arg = NULL;
}

int meta_cfgh_reload(struct meta_cfgh *h, meta_error_t *ep)
{
	meta_cfg_destroy(h->ch_cfg);
	h->ch_cfg = NULL;
	if (meta_cfg_create(h->ch_set, h->ch_setno, h->ch_mn, h->ch_lookup,
			    h->ch_lookup_arg, &h->ch_cfg, ep) != 0)
		return -1;
	if (meta_cfg_load(h->ch_cfg, &h->ch_store, ep) != 0) {
		meta_cfg_destroy(h->ch_cfg);
		h->ch_cfg = NULL;
		return -1;
	}
	return 0;
}

int meta_cfgh_init(struct meta_cfgh *h, struct mddb *db, const char *set,
		   uint32_t setno, bool mn, meta_drive_lookup_fn lookup,
		   void *arg, meta_error_t *ep)
{
	memset(h, 0, sizeof(*h));
	if (meta_setname_check(set, ep) != 0)
		return -1;
	snprintf(h->ch_set, sizeof(h->ch_set), "%s", set);
	h->ch_setno = setno;
	h->ch_mn = mn;
	h->ch_lookup = lookup;
	h->ch_lookup_arg = arg;
	h->ch_db = db;
	meta_store_mddb(&h->ch_store, db);
	return meta_cfgh_reload(h, ep);
}

void meta_cfgh_release(struct meta_cfgh *h)
{
	if (h == NULL)
		return;
	meta_cfg_destroy(h->ch_cfg);
	h->ch_cfg = NULL;
}
