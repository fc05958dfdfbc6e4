// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The local replica in LMDB (see meta_local.h for the layout).
 *
 * Theory.  Node-local knowledge is small (32 sets, their drives and nodes)
 * and written rarely (metaset), so each call opens the environment, runs one
 * transaction, and closes it: no handle outlives a call, and a crash at any
 * point leaves LMDB's last committed state.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <oban/debug.h>
#include <oban/paths.h>

#include "meta_local.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	      "the local replica's values are little-endian structs");
static_assert(sizeof(struct ml_set) == 144, "ml_set size");
static_assert(sizeof(struct ml_drive) == 320, "ml_drive size");
static_assert(sizeof(struct ml_node) == 80, "ml_node size");

static int ml_err(meta_error_t *ep, int rc, const char *what)
{
	if (rc > 0 && rc < 20000)
		return meta_error_set(ep, rc, 0, "local", "%s: %s", what,
				      mdb_strerror(rc));
	return meta_error_set(ep, ME_LOCAL_DB, 0, "local", "%s: %s", what,
			      mdb_strerror(rc));
}

static int ml_begin(MDB_env **envp, MDB_txn **txnp, MDB_dbi *dbi, bool rdonly,
		    meta_error_t *ep)
{
	char dir[4096];
	MDB_env *env;
	int rc;

	if (oban_path(dir, sizeof(dir), OBAN_DIR_STATE, "local") == NULL)
		return meta_error_set(ep, ENAMETOOLONG, 0, "local",
				      "cannot open local state database");
	(void)mkdir(oban_dir(OBAN_DIR_STATE), 0755);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return meta_error_set(ep, errno, 0, dir,
				      "cannot create local state database");
	rc = mdb_env_create(&env);
	if (rc != 0)
		return ml_err(ep, rc, "cannot open local state database");
	mdb_env_set_mapsize(env, 64UL << 20);
	rc = mdb_env_open(env, dir, 0, 0600);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, rdonly ? MDB_RDONLY : 0, txnp);
	if (rc == 0)
		rc = mdb_dbi_open(*txnp, NULL, 0, dbi);
	if (rc != 0) {
		mdb_env_close(env);
		return ml_err(ep, rc, "cannot open local state database");
	}
	*envp = env;
	return 0;
}

static int ml_end(MDB_env *env, MDB_txn *txn, bool commit, meta_error_t *ep)
{
	int rc = 0;

	if (commit)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	mdb_env_close(env);
	if (rc != 0)
		return ml_err(ep, rc, "cannot write local state database");
	return 0;
}

static int ml_get(const char *key, void *val, size_t len, meta_error_t *ep)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc;

	if (ml_begin(&env, &txn, &dbi, true, ep) != 0)
		return -1;
	rc = mdb_get(txn, dbi, &k, &v);
	if (rc == 0 && v.mv_size != len)
		rc = MDB_CORRUPTED;
	if (rc == 0)
		memcpy(val, v.mv_data, len);
	ml_end(env, txn, false, NULL);
	if (rc == MDB_NOTFOUND)
		return meta_error_set(ep, ENOENT, 0, key, "no local record");
	if (rc != 0)
		return ml_err(ep, rc, "cannot read local state database");
	return 0;
}

static int ml_put(const char *key, const void *val, size_t len,
		  meta_error_t *ep)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };
	int rc;

	if (ml_begin(&env, &txn, &dbi, false, ep) != 0)
		return -1;
	rc = mdb_put(txn, dbi, &k, &v, 0);
	if (rc != 0) {
		ml_end(env, txn, false, NULL);
		return ml_err(ep, rc, "cannot write local state database");
	}
	return ml_end(env, txn, true, ep);
}

/* Delete every key starting with @prefix (all of them when @all, else the
 * exact key @prefix). */
static int ml_del(const char *prefix, bool all, meta_error_t *ep)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k = { strlen(prefix), (void *)prefix }, v;
	size_t plen = strlen(prefix);
	int rc;

	if (ml_begin(&env, &txn, &dbi, false, ep) != 0)
		return -1;
	rc = mdb_cursor_open(txn, dbi, &cur);
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
	if (rc == 0 || rc == MDB_NOTFOUND) {
		mdb_cursor_close(cur);
		return ml_end(env, txn, true, ep);
	}
	ml_end(env, txn, false, NULL);
	return ml_err(ep, rc, "cannot write local state database");
}

/* Every value under @prefix, of @size bytes each, into a malloc'd array. */
static int ml_list(const char *prefix, size_t size, void **arr, int *n,
		   meta_error_t *ep)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k = { strlen(prefix), (void *)prefix }, v;
	size_t plen = strlen(prefix);
	char *out = NULL;
	int rc, cnt = 0;

	if (ml_begin(&env, &txn, &dbi, true, ep) != 0)
		return -1;
	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc == 0)
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size >= plen &&
	       memcmp(k.mv_data, prefix, plen) == 0) {
		char *no;

		if (v.mv_size != size) {
			rc = MDB_CORRUPTED;
			break;
		}
		no = realloc(out, (size_t)(cnt + 1) * size);
		if (no == NULL) {
			rc = ENOMEM;
			break;
		}
		out = no;
		memcpy(out + (size_t)cnt * size, v.mv_data, size);
		cnt++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	if (rc == 0 || rc == MDB_NOTFOUND)
		mdb_cursor_close(cur);
	ml_end(env, txn, false, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		free(out);
		return ml_err(ep, rc, "cannot read local state database");
	}
	*arr = out;
	*n = cnt;
	return 0;
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
	char key[64];

	snprintf(key, sizeof(key), "D/%s/", name);
	if (ml_del(key, true, ep) != 0)
		return -1;
	snprintf(key, sizeof(key), "N/%s/", name);
	if (ml_del(key, true, ep) != 0)
		return -1;
	snprintf(key, sizeof(key), "S/%s", name);
	return ml_del(key, false, ep);
}

int meta_local_sets(struct ml_set **sets, int *n, meta_error_t *ep)
{
	return ml_list("S/", sizeof(**sets), (void **)sets, n, ep);
}

int meta_local_drives(const char *set, struct ml_drive **d, int *n,
		      meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "D/%s/", set);
	return ml_list(key, sizeof(**d), (void **)d, n, ep);
}

int meta_local_drive_put(const char *set, const struct ml_drive *d,
			 meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "D/%s/%08u", set, d->md_seq);
	return ml_put(key, d, sizeof(*d), ep);
}

int meta_local_drive_del(const char *set, uint32_t seq, meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "D/%s/%08u", set, seq);
	return ml_del(key, false, ep);
}

int meta_local_nodes(const char *set, struct ml_node **nodes, int *n,
		     meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "N/%s/", set);
	return ml_list(key, sizeof(**nodes), (void **)nodes, n, ep);
}

int meta_local_node_put(const char *set, const struct ml_node *nd,
			meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "N/%s/%08u", set, nd->mn_nodeid);
	return ml_put(key, nd, sizeof(*nd), ep);
}

int meta_local_node_del(const char *set, uint32_t nodeid, meta_error_t *ep)
{
	char key[64];

	snprintf(key, sizeof(key), "N/%s/%08u", set, nodeid);
	return ml_del(key, false, ep);
}
