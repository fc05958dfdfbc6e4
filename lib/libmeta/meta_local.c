// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The local replica in LMDB (see meta_local.h for the layout).
 *
 * Theory.  Node-local knowledge is small (32 sets, their drives and nodes)
 * and written rarely (metaset).  LMDB allows one MDB_env per environment
 * per process (closing a second handle drops the locks of the first), so
 * the process has one, opened at the first use, shared by its threads
 * (LMDB serialises writers, and each thread has at most one transaction),
 * reopened for a new state directory and, after fork() (LMDB forbids using
 * a parent's handle), in the child, which leaves the parent's alone.  It is
 * closed by meta_local_close() or at exit, once no transaction is open.
 * A call made outside meta_local_begin() .. meta_local_commit() is its own
 * transaction; a call made inside one, on the same thread, reads and
 * writes in it (the thread's current transaction, ml_cur), so that a
 * caller changing several records changes all or none of them: a crash or
 * a failed write before the commit leaves LMDB's last committed state.
 * A failed write poisons the transaction (ME_LOCAL_DB) until it is
 * aborted, as LMDB's MDB_BAD_TXN.
 *
 * Every value read is checked: its version must be ML_VERSION
 * (ME_MDDB_BADVERSION otherwise, naming the key) and its size its
 * struct's (ME_LOCAL_DB).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/paths.h>

#include "meta_crc.h"
#include "meta_local.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	      "the local replica's values are little-endian structs");
static_assert(sizeof(struct ml_set) == 144, "ml_set size");
static_assert(sizeof(struct ml_drive) == 320, "ml_drive size");
static_assert(sizeof(struct ml_node) == 80, "ml_node size");

struct ml_txn {
	MDB_txn *mt_txn;
	MDB_dbi mt_dbi;
	bool mt_rdonly;
	bool mt_bad; /* a write failed: only abort is left */
};

/* This thread's open transaction (meta_local_begin), or NULL. */
static __thread struct ml_txn *ml_cur;

/* The process's environment, for directory ml_dir, with ml_ntxn
 * transactions open on it; all under ml_mtx.  A forked child starts
 * without it (ml_postfork_child). */
static pthread_mutex_t ml_mtx = PTHREAD_MUTEX_INITIALIZER;
static MDB_env *ml_env;
static char ml_dir[4096];
static int ml_ntxn;
static bool ml_atexit;
/*
 * fork(): a child must not use its parent's environment or transaction
 * (LMDB forbids it; a write there would be lost with no error). The child
 * handler runs in the child's one thread, the one that forked, so it
 * clears that thread's transaction; ml_mtx is held across the fork so the
 * child's copy is consistent.
 */
static pthread_once_t ml_fork_once = PTHREAD_ONCE_INIT;

static void ml_prefork(void)
{
	pthread_mutex_lock(&ml_mtx);
}

static void ml_postfork_parent(void)
{
	pthread_mutex_unlock(&ml_mtx);
}

static void ml_postfork_child(void)
{
	ml_cur = NULL; /* the parent's; its memory is left to the child */
	ml_env = NULL;
	ml_ntxn = 0;
	pthread_mutex_unlock(&ml_mtx);
}

static void ml_fork_init(void)
{
	(void)pthread_atfork(ml_prefork, ml_postfork_parent, ml_postfork_child);
}

#ifdef OBAN_TEST_HOOKS
/* Writes left before the one that fails (0: none fails). */
static __thread int ml_fail_in;

void meta_local_test_fail(int nth)
{
	ml_fail_in = nth;
}

static int ml_fault(void)
{
	if (ml_fail_in > 0 && --ml_fail_in == 0)
		return EIO;
	return 0;
}
#else
static int ml_fault(void)
{
	return 0;
}
#endif

static int ml_err(meta_error_t *ep, int rc, const char *what)
{
	if (rc > 0 && rc < 20000)
		return meta_error_set(ep, rc, 0, "local", "%s", what);
	return meta_error_set(ep, ME_LOCAL_DB, 0, "local", "%s: %s", what,
			      mdb_strerror(rc));
}

static void ml_env_close_locked(void)
{
	if (ml_env != NULL && ml_ntxn == 0) {
		mdb_env_close(ml_env);
		ml_env = NULL;
	}
}

void meta_local_close(void)
{
	pthread_mutex_lock(&ml_mtx);
	ml_env_close_locked();
	pthread_mutex_unlock(&ml_mtx);
}

/* The process's environment for @dir (ml_mtx held), opened if need be. */
static int ml_env_get(const char *dir, meta_error_t *ep)
{
	int rc;

	if (ml_env != NULL && strcmp(ml_dir, dir) != 0) {
		if (ml_ntxn > 0)
			return meta_error_set(ep, ME_LOCAL_DB, 0, dir,
					      "cannot open local state "
					      "database (another is in use)");
		ml_env_close_locked();
	}
	if (ml_env != NULL)
		return 0;
	if (!ml_atexit && atexit(meta_local_close) == 0)
		ml_atexit = true;
	rc = mdb_env_create(&ml_env);
	if (rc != 0) {
		ml_env = NULL;
		return ml_err(ep, rc, "cannot open local state database");
	}
	rc = mdb_env_set_mapsize(ml_env, 64UL << 20);
	if (rc == 0)
		rc = mdb_env_open(ml_env, dir, 0, 0600);
	if (rc != 0) {
		mdb_env_close(ml_env);
		ml_env = NULL;
		return ml_err(ep, rc, "cannot open local state database");
	}
	snprintf(ml_dir, sizeof(ml_dir), "%s", dir);
	return 0;
}

/* Begin a transaction in @t on the process's environment. */
static int ml_open(struct ml_txn *t, bool rdonly, meta_error_t *ep)
{
	char dir[4096];
	MDB_env *env;
	int rc;

	(void)pthread_once(&ml_fork_once, ml_fork_init);
	memset(t, 0, sizeof(*t));
	t->mt_rdonly = rdonly;
	if (oban_path(dir, sizeof(dir), OBAN_DIR_STATE, "local") == NULL)
		return meta_error_set(ep, ENAMETOOLONG, 0, "local",
				      "cannot open local state database");
	(void)mkdir(oban_dir(OBAN_DIR_STATE), 0755);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return meta_error_set(ep, errno, 0, dir,
				      "cannot create local state database");
	pthread_mutex_lock(&ml_mtx);
	if (ml_env_get(dir, ep) != 0) {
		pthread_mutex_unlock(&ml_mtx);
		return -1;
	}
	env = ml_env;
	ml_ntxn++;
	pthread_mutex_unlock(&ml_mtx);
	/* Outside ml_mtx: a writer may wait here for another's commit. */
	rc = mdb_txn_begin(env, NULL, rdonly ? MDB_RDONLY : 0, &t->mt_txn);
	if (rc == 0)
		rc = mdb_dbi_open(t->mt_txn, NULL, 0, &t->mt_dbi);
	if (rc != 0) {
		if (t->mt_txn != NULL)
			mdb_txn_abort(t->mt_txn);
		pthread_mutex_lock(&ml_mtx);
		ml_ntxn--;
		pthread_mutex_unlock(&ml_mtx);
		return ml_err(ep, rc, "cannot open local state database");
	}
	return 0;
}

/* Commit (when @commit and not poisoned) or abort @t. */
static int ml_close(struct ml_txn *t, bool commit, meta_error_t *ep)
{
	int rc = 0;

	if (commit && !t->mt_rdonly && !t->mt_bad) {
		rc = ml_fault();
		if (rc == 0)
			rc = mdb_txn_commit(t->mt_txn);
		else
			mdb_txn_abort(t->mt_txn);
	} else {
		mdb_txn_abort(t->mt_txn);
	}
	pthread_mutex_lock(&ml_mtx);
	ml_ntxn--;
	pthread_mutex_unlock(&ml_mtx);
	if (rc != 0)
		return ml_err(ep, rc, "cannot write local state database");
	if (commit && t->mt_bad)
		return meta_error_set(ep, ME_LOCAL_DB, 0, "local",
				      "cannot commit local state database "
				      "(a write failed: transaction aborted)");
	return 0;
}

/*
 * One operation: in this thread's transaction if it has one (@t points at
 * it), else in a transaction of its own (@own, ended by ml_op_end).
 */
static int ml_op_begin(struct ml_txn *own, bool rdonly, struct ml_txn **t,
		       meta_error_t *ep)
{
	if (ml_cur != NULL) {
		if (ml_cur->mt_bad)
			return meta_error_set(ep, ME_LOCAL_DB, 0, "local",
					      "cannot use local state "
					      "database (a write failed: "
					      "the transaction must be "
					      "aborted)");
		*t = ml_cur;
		return 0;
	}
	*t = own;
	return ml_open(own, rdonly, ep);
}

/* End an operation that returned @rc (0 or -1 with @ep set); a failed
 * write (@write) poisons the thread's transaction. */
static int ml_op_end(struct ml_txn *t, int rc, bool write, meta_error_t *ep)
{
	if (t == ml_cur) {
		if (rc != 0 && write)
			t->mt_bad = true;
		return rc;
	}
	if (ml_close(t, rc == 0, rc == 0 ? ep : NULL) != 0)
		return -1;
	return rc;
}

int meta_local_begin(struct ml_txn **tp, meta_error_t *ep)
{
	struct ml_txn *t;

	if (ml_cur != NULL)
		return meta_error_set(ep, ME_LOCAL_DB, 0, "local",
				      "cannot begin a local transaction "
				      "inside another");
	t = malloc(sizeof(*t));
	if (t == NULL)
		return meta_error_set(ep, ENOMEM, 0, "local",
				      "cannot begin a local transaction");
	if (ml_open(t, false, ep) != 0) {
		free(t);
		return -1;
	}
	ml_cur = t;
	*tp = t;
	return 0;
}

int meta_local_commit(struct ml_txn *t, meta_error_t *ep)
{
	int rc;

	VERIFY(t == ml_cur);
	ml_cur = NULL;
	rc = ml_close(t, true, ep);
	free(t);
	return rc;
}

void meta_local_abort(struct ml_txn *t)
{
	if (t == NULL)
		return;
	VERIFY(t == ml_cur);
	ml_cur = NULL;
	(void)ml_close(t, false, NULL);
	free(t);
}

int meta_local_rec_check(const char *what, const void *val, size_t len,
			 size_t want, meta_error_t *ep)
{
	uint32_t v;

	/* The version first: another version may have another size. */
	if (len >= 4) {
		v = meta_get32(val);
		if (v != ML_VERSION)
			return meta_error_set(ep, ME_MDDB_BADVERSION, 0, what,
					      "cannot read version %u (this "
					      "build reads %u) of record",
					      v, ML_VERSION);
	}
	if (len != want)
		return meta_error_set(ep, ME_LOCAL_DB, 0, what,
				      "cannot read record of %zu bytes "
				      "(not %zu)",
				      len, want);
	return 0;
}

/* Key of a record: "<tag>/<set>/<id, 8 digits>", or "<tag>/<set>/" (the
 * prefix of the set's records of that tag) when @id is ML_ALL. */
#define ML_ALL UINT64_MAX
static const char *ml_key(char *key, size_t len, char tag, const char *set,
			  uint64_t id)
{
	if (id == ML_ALL)
		snprintf(key, len, "%c/%s/", tag, set);
	else
		snprintf(key, len, "%c/%s/%08u", tag, set, (uint32_t)id);
	return key;
}

static int ml_get(const char *key, void *val, size_t len, meta_error_t *ep)
{
	struct ml_txn own, *t;
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc;

	if (ml_op_begin(&own, true, &t, ep) != 0)
		return -1;
	rc = mdb_get(t->mt_txn, t->mt_dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		rc = meta_error_set(ep, ENOENT, 0, key, "no local record");
	else if (rc != 0)
		rc = ml_err(ep, rc, "cannot read local state database");
	else if (meta_local_rec_check(key, v.mv_data, v.mv_size, len, ep) != 0)
		rc = -1;
	else
		memcpy(val, v.mv_data, len);
	return ml_op_end(t, rc, false, ep);
}

static int ml_put(const char *key, const void *val, size_t len,
		  meta_error_t *ep)
{
	struct ml_txn own, *t;
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };
	int rc;

	if (ml_op_begin(&own, false, &t, ep) != 0)
		return -1;
	rc = ml_fault();
	if (rc == 0)
		rc = mdb_put(t->mt_txn, t->mt_dbi, &k, &v, 0);
	if (rc != 0)
		rc = ml_err(ep, rc, "cannot write local state database");
	return ml_op_end(t, rc, true, ep);
}

/* Delete every key starting with @prefix (all of them when @all, else the
 * exact key @prefix). */
static int ml_del(const char *prefix, bool all, meta_error_t *ep)
{
	struct ml_txn own, *t;
	MDB_cursor *cur = NULL;
	MDB_val k = { strlen(prefix), (void *)prefix }, v;
	size_t plen = strlen(prefix);
	int rc;

	if (ml_op_begin(&own, false, &t, ep) != 0)
		return -1;
	rc = ml_fault();
	if (rc == 0)
		rc = mdb_cursor_open(t->mt_txn, t->mt_dbi, &cur);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size >= plen &&
	       memcmp(k.mv_data, prefix, plen) == 0 &&
	       (all || k.mv_size == plen)) {
		rc = mdb_cursor_del(cur, 0);
		if (rc == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
		if (rc == EINVAL || rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	if (rc != 0)
		rc = ml_err(ep, rc, "cannot write local state database");
	return ml_op_end(t, rc, true, ep);
}

/*
 * Every value under @prefix, of @size bytes each, into a malloc'd array.
 * A value that fails its check fails the call, unless @bad: then @bad
 * fills its entry from its key and value.
 */
static int ml_list(const char *prefix, size_t size, void **arr, int *n,
		   void (*bad)(void *out, const char *key, const MDB_val *v),
		   meta_error_t *ep)
{
	struct ml_txn own, *t;
	MDB_cursor *cur = NULL;
	MDB_val k = { strlen(prefix), (void *)prefix }, v;
	size_t plen = strlen(prefix);
	char *out = NULL, key[256];
	int rc = 0, mrc, cnt = 0;

	if (ml_op_begin(&own, true, &t, ep) != 0)
		return -1;
	mrc = mdb_cursor_open(t->mt_txn, t->mt_dbi, &cur);
	if (mrc == 0)
		mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (mrc == 0 && k.mv_size >= plen &&
	       memcmp(k.mv_data, prefix, plen) == 0) {
		char *no;

		snprintf(key, sizeof(key), "%.*s", (int)k.mv_size,
			 (const char *)k.mv_data);
		rc = meta_local_rec_check(key, v.mv_data, v.mv_size, size,
					  bad != NULL ? NULL : ep);
		if (rc != 0 && bad == NULL)
			break;
		no = realloc(out, (size_t)(cnt + 1) * size);
		if (no == NULL) {
			rc = 0;
			mrc = ENOMEM;
			break;
		}
		out = no;
		if (rc == 0) {
			memcpy(out + (size_t)cnt * size, v.mv_data, size);
		} else {
			memset(out + (size_t)cnt * size, 0, size);
			bad(out + (size_t)cnt * size, key, &v);
			rc = 0;
		}
		cnt++;
		mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
		rc = ml_err(ep, mrc, "cannot read local state database");
	if (rc != 0) {
		free(out);
		out = NULL;
		cnt = 0;
	}
	*arr = out;
	*n = cnt;
	return ml_op_end(t, rc, false, ep);
}

int meta_local_set_get(const char *name, struct ml_set *s, meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "S/%s", name);
	if (ml_get(key, s, sizeof(*s), ep) != 0) {
		if (ep != NULL && ep->me_code == ENOENT)
			meta_error_set(ep, ME_SET_NOTFOUND, 0, name,
				       "cannot open set");
		return -1;
	}
	return 0;
}

int meta_local_set_put(const struct ml_set *s, meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "S/%s", s->ms_name);
	return ml_put(key, s, sizeof(*s), ep);
}

int meta_local_set_del(const char *name, meta_error_t *ep)
{
	struct ml_txn *t = NULL;
	char key[64];
	int rc;

	/* One change: in the caller's transaction, else in one of its own. */
	if (ml_cur == NULL && meta_local_begin(&t, ep) != 0)
		return -1;
	rc = ml_del(ml_key(key, sizeof(key), 'D', name, ML_ALL), true, ep);
	if (rc == 0)
		rc = ml_del(ml_key(key, sizeof(key), 'N', name, ML_ALL), true,
			    ep);
	if (rc == 0) {
		snprintf(key, sizeof(key), "S/%s", name);
		rc = ml_del(key, false, ep);
	}
	if (t == NULL)
		return rc;
	if (rc != 0) {
		meta_local_abort(t);
		return -1;
	}
	return meta_local_commit(t, ep);
}

int meta_local_sets(struct ml_set **sets, int *n, meta_error_t *ep)
{
	return ml_list("S/", sizeof(**sets), (void **)sets, n, NULL, ep);
}

/* A set record this build cannot read: its name (from the key) and, when
 * the value is long enough, its set number; version 0. */
static void ml_bad_set(void *out, const char *key, const MDB_val *v)
{
	struct ml_set *s = out;

	snprintf(s->ms_name, sizeof(s->ms_name), "%s", key + 2);
	if (v->mv_size >= 8)
		s->ms_setno = meta_get32((const uint8_t *)v->mv_data + 4);
}

int meta_local_sets_all(struct ml_set **sets, int *n, meta_error_t *ep)
{
	return ml_list("S/", sizeof(**sets), (void **)sets, n, ml_bad_set, ep);
}

int meta_local_drives(const char *set, struct ml_drive **d, int *n,
		      meta_error_t *ep)
{
	char key[64];

	return ml_list(ml_key(key, sizeof(key), 'D', set, ML_ALL), sizeof(**d),
		       (void **)d, n, NULL, ep);
}

int meta_local_drive_put(const char *set, const struct ml_drive *d,
			 meta_error_t *ep)
{
	char key[64];

	return ml_put(ml_key(key, sizeof(key), 'D', set, d->md_seq), d,
		      sizeof(*d), ep);
}

int meta_local_drive_del(const char *set, uint32_t seq, meta_error_t *ep)
{
	char key[64];

	return ml_del(ml_key(key, sizeof(key), 'D', set, seq), false, ep);
}

int meta_local_nodes(const char *set, struct ml_node **nodes, int *n,
		     meta_error_t *ep)
{
	char key[64];

	return ml_list(ml_key(key, sizeof(key), 'N', set, ML_ALL),
		       sizeof(**nodes), (void **)nodes, n, NULL, ep);
}

int meta_local_node_put(const char *set, const struct ml_node *nd,
			meta_error_t *ep)
{
	char key[64];

	return ml_put(ml_key(key, sizeof(key), 'N', set, nd->mn_nodeid), nd,
		      sizeof(*nd), ep);
}

int meta_local_node_del(const char *set, uint32_t nodeid, meta_error_t *ep)
{
	char key[64];

	return ml_del(ml_key(key, sizeof(key), 'N', set, nodeid), false, ep);
}
