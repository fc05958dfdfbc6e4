/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The local replica: this node's knowledge of its sets, in one LMDB
 * environment at oban_dir(OBAN_DIR_STATE)/local (doc/storage.md).
 *
 * Keys (one unnamed database, ordered, so that a prefix is a range):
 *   "S/<set>"                 struct ml_set
 *   "D/<set>/<seq, 8 digits>" struct ml_drive, in the order drives joined
 *   "N/<set>/<id, 8 digits>"  struct ml_node
 * Values are the structs below: fixed-width fields, explicit zeroed pads, a
 * version first; little-endian, the only byte order this file builds for.
 * Every read checks a value's size and version.
 *
 * Transactions.  A call outside a transaction is one of its own LMDB
 * transaction, on the process's one environment handle (opened at first
 * use, reopened in a forked child, closed by meta_local_close() or at
 * exit); commands and daemons share the database through LMDB's own
 * locking.  A change of
 * several records is made atomic by meta_local_begin(): until
 * meta_local_commit() or meta_local_abort(), every meta_local_* call of the
 * calling thread reads and writes inside that one transaction (and sees its
 * own uncommitted writes); other threads and processes see none of it, and
 * wait for it to end before they write.  One transaction per thread at a
 * time.  A write that fails inside it poisons it: later calls fail with
 * ME_LOCAL_DB and so does the commit, which then aborts.
 */
#ifndef OBAN_META_LOCAL_H
#define OBAN_META_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>

#define ML_VERSION 1
#define ML_SF_MN 0x1 /* multi-owner set */

struct ml_set {
	uint32_t ms_version;
	uint32_t ms_setno;
	uint32_t ms_flags; /* ML_SF_* */
	uint32_t ms_pad0;
	uint8_t ms_uuid[16];
	uint64_t ms_ctime;
	uint64_t ms_rep_size; /* bytes per replica, 0 until the first drive */
	char ms_name[32];
	char ms_master[64]; /* "" when there is no master */
};

struct ml_drive {
	uint32_t md_version;
	uint32_t md_seq; /* order of joining */
	uint8_t md_uuid[16];
	char md_name[128]; /* canonical name */
	char md_path[128]; /* last path it was found at on this node */
	uint64_t md_rep_off, md_rep_size;
	uint32_t md_rep_cap, md_lsz;
	uint64_t md_data_off, md_data_len;
};

struct ml_node {
	uint32_t mn_version;
	uint32_t mn_nodeid;
	uint32_t mn_flags; /* META_NODE_* */
	uint32_t mn_pad0;
	char mn_name[64];
};

struct ml_txn;

/*
 * meta_local_begin - begin a write transaction on this thread; *@tp is for
 * meta_local_commit / meta_local_abort, which free it.  Errors: ME_LOCAL_DB
 * (a transaction is already open on this thread; LMDB errors), errnos of
 * the state directory.
 */
int meta_local_begin(struct ml_txn **tp, meta_error_t *ep);
/* Commit @t (all its writes become visible at once) and end it.  A
 * poisoned transaction is aborted and ME_LOCAL_DB returned. */
int meta_local_commit(struct ml_txn *t, meta_error_t *ep);
/* Abort @t (NULL: nothing): none of its writes happened. */
void meta_local_abort(struct ml_txn *t);
/*
 * meta_local_close - close the process's LMDB environment (the first call
 * after it opens it again); it stays open while a transaction is.  Also
 * run at exit.  Call it only when no other thread uses the local replica.
 */
void meta_local_close(void);

/*
 * meta_local_rec_check - check a set, drive or node record of @len bytes
 * read from the local replica or a set's mddb, whose struct is @want bytes:
 * ME_MDDB_BADVERSION for a version other than ML_VERSION (checked first:
 * another version may have another size), ME_LOCAL_DB for another size;
 * @what names it in the error.
 */
int meta_local_rec_check(const char *what, const void *val, size_t len,
			 size_t want, meta_error_t *ep);

#ifdef OBAN_TEST_HOOKS
/* Test only: the @nth local write (put, delete or commit) from now on this
 * thread fails with EIO; 0 cancels. */
void meta_local_test_fail(int nth);
#endif

/* Each of these: in this thread's transaction if one is open.  Readers
 * return ME_SET_NOTFOUND (set_get) or an empty list for what is absent. */
int meta_local_set_get(const char *name, struct ml_set *s, meta_error_t *ep);
int meta_local_set_put(const struct ml_set *s, meta_error_t *ep);
/* Delete the set and its drive and node records (atomically). */
int meta_local_set_del(const char *name, meta_error_t *ep);
/* All sets, malloc'd array in *@sets (caller frees). */
int meta_local_sets(struct ml_set **sets, int *n, meta_error_t *ep);
/* As meta_local_sets, but a set record that fails its check (another
 * version or size) is listed too, with ms_version 0, its name and, if the
 * value holds one, its set number. */
int meta_local_sets_all(struct ml_set **sets, int *n, meta_error_t *ep);
int meta_local_drives(const char *set, struct ml_drive **d, int *n,
		      meta_error_t *ep);
int meta_local_drive_put(const char *set, const struct ml_drive *d,
			 meta_error_t *ep);
int meta_local_drive_del(const char *set, uint32_t seq, meta_error_t *ep);
int meta_local_nodes(const char *set, struct ml_node **nodes, int *n,
		     meta_error_t *ep);
int meta_local_node_put(const char *set, const struct ml_node *nd,
			meta_error_t *ep);
int meta_local_node_del(const char *set, uint32_t nodeid, meta_error_t *ep);

/*
 * meta_set_commit_nodes (meta_set.c) - on the set's master: commit the
 * local replica's node records of set @name to its mddb (deleting those
 * of nodes no longer hosts).  A set without drives: nothing to do.
 */
int meta_set_commit_nodes(const char *name, meta_error_t *ep);

#endif /* OBAN_META_LOCAL_H */
