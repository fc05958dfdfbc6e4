// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The message completion table in LMDB; see include/oban/mdc_mct.h.
 *
 * Key (12 bytes, little-endian): set u32, originating node u32, class u8
 * (the original's class for a submessage), submessage u8, 2 zero bytes.
 * So each originator has one slot per (set, class, submessage): it can
 * have only one message of a class in flight, and the slot keeps the last.
 *
 * Value (40 bytes + output): version u32 (1), state u32, message id
 * (seq u64, node u32, sub u8, oclass u8, 2 zero), type u32, answer code
 * u32, exit value i32, output length u32, then the output bytes.
 */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_mct.h>

#define MCT_MAPSIZE (64u << 20)
#define MCT_KEYLEN 12
#define MCT_VALHDR 40
#define MCT_VERSION 1

struct mdc_mct {
	MDB_env *mc_env;
	MDB_dbi mc_dbi;
};

static int mct_fail(meta_error_t *ep, int rc, const char *what)
{
	return meta_error_set(ep, SET_ERROR(ME_COMM_MCT), 0, "mct",
			      "cannot %s completion table: %s", what,
			      mdb_strerror(rc));
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void mct_key(const struct mdc_msg *msg, uint8_t key[MCT_KEYLEN])
{
	uint8_t cls = msg->mm_id.mi_sub != 0 ?
			      msg->mm_id.mi_oclass :
			      (uint8_t)mdc_class_of(msg->mm_type);

	memset(key, 0, MCT_KEYLEN);
	le32(key, msg->mm_set);
	le32(key + 4, msg->mm_id.mi_nid);
	key[8] = cls;
	key[9] = msg->mm_id.mi_sub;
}

int mdc_mct_open(const char *dir, struct mdc_mct **mctp, meta_error_t *ep)
{
	char path[4096];
	struct mdc_mct *mct;
	MDB_txn *txn;
	int rc;

	if (snprintf(path, sizeof(path), "%s/mct.lmdb", dir) >=
	    (int)sizeof(path))
		return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0, dir,
				      "cannot open completion table");
	mct = calloc(1, sizeof(*mct));
	if (mct == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, path,
				      "cannot open completion table");
	rc = mdb_env_create(&mct->mc_env);
	if (rc != 0)
		goto out_free;
	rc = mdb_env_set_mapsize(mct->mc_env, MCT_MAPSIZE);
	if (rc != 0)
		goto out_env;
	/*
	 * MDB_NOSYNC: the table lives in /run, which a reboot empties; it
	 * must outlive a daemon, not the machine.  A commit's pages are in
	 * the kernel when mdb_txn_commit() returns, so a daemon that dies
	 * after it loses nothing; a flush would only protect against the
	 * system crash that wipes /run anyway (doc/mdcommd.md, 6).
	 */
	rc = mdb_env_open(mct->mc_env, path, MDB_NOSUBDIR | MDB_NOSYNC, 0600);
	if (rc != 0)
		goto out_env;
	rc = mdb_txn_begin(mct->mc_env, NULL, 0, &txn);
	if (rc != 0)
		goto out_env;
	rc = mdb_dbi_open(txn, NULL, 0, &mct->mc_dbi);
	if (rc != 0) {
		mdb_txn_abort(txn);
		goto out_env;
	}
	rc = mdb_txn_commit(txn);
	if (rc != 0)
		goto out_env;
	*mctp = mct;
	return 0;

out_env:
	mdb_env_close(mct->mc_env);
out_free:
	free(mct);
	return meta_error_set(ep, SET_ERROR(ME_COMM_MCT), 0, path,
			      "cannot open completion table: %s",
			      mdb_strerror(rc));
}

void mdc_mct_close(struct mdc_mct *mct)
{
	if (mct == NULL)
		return;
	mdb_env_close(mct->mc_env);
	free(mct);
}

int mdc_mct_check(struct mdc_mct *mct, const struct mdc_msg *msg,
		  struct mdc_result *res, meta_error_t *ep)
{
	uint8_t key[MCT_KEYLEN];
	const uint8_t *v;
	MDB_val k, d;
	MDB_txn *txn;
	uint32_t state, outlen;
	int rc, ret = MDC_MCT_NOT_DONE;

	if (msg->mm_flags & MDC_F_NO_MCT)
		return MDC_MCT_NOT_DONE;
	mct_key(msg, key);
	k.mv_size = sizeof(key);
	k.mv_data = key;
	rc = mdb_txn_begin(mct->mc_env, NULL, MDB_RDONLY, &txn);
	if (rc != 0)
		return mct_fail(ep, rc, "read");
	rc = mdb_get(txn, mct->mc_dbi, &k, &d);
	if (rc == MDB_NOTFOUND)
		goto out_abort;
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mct_fail(ep, rc, "read");
	}
	v = d.mv_data;
	if (d.mv_size < MCT_VALHDR || ld32(v) != MCT_VERSION)
		goto out_abort; /* a record we cannot read is "not done" */
	if (ld32(v + 16) != msg->mm_id.mi_nid ||
	    (ld32(v + 8) | ((uint64_t)ld32(v + 12) << 32)) !=
		    msg->mm_id.mi_seq ||
	    v[20] != msg->mm_id.mi_sub)
		goto out_abort;
	state = ld32(v + 4);
	outlen = ld32(v + 36);
	if (state == MDC_MCT_IN_PROGRESS) {
		ret = MDC_MCT_IN_PROGRESS;
	} else if (state == MDC_MCT_DONE && outlen <= MDC_MAXOUT &&
		   d.mv_size == MCT_VALHDR + (size_t)outlen) {
		memset(res, 0, sizeof(*res));
		res->mr_id = msg->mm_id;
		res->mr_type = ld32(v + 24);
		res->mr_set = msg->mm_set;
		res->mr_comm_state = ld32(v + 28);
		res->mr_exitval = (int32_t)ld32(v + 32);
		res->mr_outlen = outlen;
		memcpy(res->mr_out, v + MCT_VALHDR, outlen);
		ret = MDC_MCT_DONE;
	}
out_abort:
	mdb_txn_abort(txn);
	return ret;
}

int mdc_mct_mark(struct mdc_mct *mct, const struct mdc_msg *msg,
		 enum mdc_mct_state state, const struct mdc_result *res,
		 meta_error_t *ep)
{
	uint8_t key[MCT_KEYLEN];
	uint8_t val[MCT_VALHDR + MDC_MAXOUT];
	uint32_t outlen = 0;
	MDB_val k, d;
	MDB_txn *txn;
	int rc;

	if (msg->mm_flags & MDC_F_NO_MCT)
		return 0;
	VERIFY(state == MDC_MCT_DONE || state == MDC_MCT_IN_PROGRESS);
	VERIFY(state != MDC_MCT_DONE || res != NULL);
	mct_key(msg, key);
	memset(val, 0, MCT_VALHDR);
	le32(val, MCT_VERSION);
	le32(val + 4, state);
	le32(val + 8, (uint32_t)msg->mm_id.mi_seq);
	le32(val + 12, (uint32_t)(msg->mm_id.mi_seq >> 32));
	le32(val + 16, msg->mm_id.mi_nid);
	val[20] = msg->mm_id.mi_sub;
	val[21] = msg->mm_id.mi_oclass;
	le32(val + 24, msg->mm_type);
	if (res != NULL) {
		outlen = res->mr_outlen <= MDC_MAXOUT ? res->mr_outlen :
							MDC_MAXOUT;
		le32(val + 28, res->mr_comm_state);
		le32(val + 32, (uint32_t)res->mr_exitval);
		le32(val + 36, outlen);
		memcpy(val + MCT_VALHDR, res->mr_out, outlen);
	}
	k.mv_size = sizeof(key);
	k.mv_data = key;
	d.mv_size = MCT_VALHDR + outlen;
	d.mv_data = val;
	rc = mdb_txn_begin(mct->mc_env, NULL, 0, &txn);
	if (rc != 0)
		return mct_fail(ep, rc, "write");
	rc = mdb_put(txn, mct->mc_dbi, &k, &d, 0);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return mct_fail(ep, rc, "write");
	}
	rc = mdb_txn_commit(txn);
	if (rc != 0)
		return mct_fail(ep, rc, "write");
	return 0;
}
