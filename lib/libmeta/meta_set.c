// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_set: sets, their hosts and drives, on one node.
 *
 * Theory.  What a node knows of a set comes from two places:
 *
 *   the local replica (LMDB, meta_local.c): the set's name, number, UUID,
 *     multi-owner flag and master, its hosts, and its drives' UUIDs with
 *     the path each was last found at on this node;
 *   the set's mddb on its drives: the same set, drive and node records
 *     (MDDB_RT_SET, _DRIVE, _NODE) and everything the configuration model
 *     stores.
 *
 * Opening a set (meta_set_open) reads the local replica, then finds each
 * drive: first at its last known path, accepted only if the label there
 * carries the drive's UUID; otherwise by scanning runtime.cf's globs for
 * that UUID (mdl_scan).  It then opens the mddb on the replicas of the
 * drives found.
 *
 * The drives and their replicas (meta_set_drive_*, meta_set_replica_*)
 * are in meta_set_drives.c, the reload path (meta_set_reload,
 * meta_set_commit_nodes) in meta_set_reload.c; what these files share is
 * in meta_set_impl.h.
 *
 * On a single node, with no membership list (/run/oban/nodelist), this node
 * is the only possible host and is always a member.  Its name is
 * $OBAN_NODENAME if set, else the short host name.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

#include "meta_local.h"
#include "meta_set_impl.h"

/*
 * Writable handles closed in this process so far: a handle kept open across
 * uses (meta_set_changed()) is stale once another handle of this process
 * may have committed to the set's mddb or local replica.
 */
static uint64_t meta_set_wgen;

static bool local_stamp(struct stat *st);
static void park_free(struct meta_set *s);

/* Copy @src into @dst of @len bytes, truncating; always NUL-terminated. */
void ms_str_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * End a local transaction: commit it when @rc is 0, else abort it and keep
 * the error of the write that failed.
 */
int ms_local_end(struct ml_txn *t, int rc, meta_error_t *ep)
{
	if (rc != 0) {
		meta_local_abort(t);
		return -1;
	}
	return meta_local_commit(t, ep);
}

static void node_init(struct ml_node *nd, uint32_t id, const char *name)
{
	memset(nd, 0, sizeof(*nd));
	nd->mn_version = ML_VERSION;
	nd->mn_nodeid = id;
	nd->mn_flags = META_NODE_OK;
	ms_str_copy(nd->mn_name, sizeof(nd->mn_name), name);
}

/* ---- This node and the membership list --------------------------------- */

static void this_node(char *name, size_t len)
{
	const char *env = getenv("OBAN_NODENAME");
	char host[256];

	if (env != NULL && *env != '\0') {
		snprintf(name, len, "%s", env);
		return;
	}
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	ms_str_copy(name, len, host);
}

/*
 * Look @name up in the node list: its id, 0 if absent (or the list is
 * unreadable).  -1 when there is no node list at all (a single node: only
 * this node, id 1, exists).
 */
static long nodelist_id(const char *name)
{
	struct meta_nodelist_ent *v;
	meta_error_t e;
	long id = 0;
	int n, i;

	if (meta_nodelist_read(NULL, &v, &n, &e) != 0)
		return e.me_code == ENOENT ? -1 : 0;
	i = meta_node_lookup(v, n, name);
	if (i >= 0)
		id = v[i].ne_id;
	free(v);
	return id;
}

bool ms_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= META_SET_NAMELEN || name[0] == '-' ||
	    strcmp(name, "local") == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-' && name[i] != '.')
			return false;
	return true;
}

/* ---- Node-local locks -------------------------------------------------- */

/*
 * Commands on one node are serialised per set with flock(2) on
 * <rundir>/<name>.lock: writers exclusive, readers shared, so that a reader
 * never loads while a writer repairs or commits, and two writers never
 * interleave their commits; "sets.lock" guards set creation (set numbers).
 * Within one process a lock already held is shared (reference counted), so
 * that a process opening a set twice does not wait for itself; threads of
 * one process coordinate among themselves.  ms_lock returns a handle for
 * meta_unlock, or NULL with @ep.
 */
struct meta_lockent {
	struct meta_lockent *ml_next;
	char ml_name[META_SET_NAMELEN];
	int ml_fd;
	int ml_refs;
	pid_t ml_pid; /* the process that opened and locked ml_fd */
};

/*
 * Close a lock entry's descriptor, unlocking it first if this process
 * locked it: a forked child may hold a copy of the descriptor (the same
 * open file, whose flock a close alone would leave held while the copy
 * lives).  In a child the lock is the parent's: only closed.
 */
static void lockent_close(struct meta_lockent *l)
{
	if (l->ml_pid == getpid())
		(void)flock(l->ml_fd, LOCK_UN);
	close(l->ml_fd);
}

static pthread_mutex_t meta_locks_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct meta_lockent *meta_locks; /* protected by meta_locks_mtx */

struct meta_lockent *ms_lock(const char *name, bool excl, meta_error_t *ep)
{
	struct meta_lockent *l;
	char path[4096], file[128];
	int fd, err = 0;

	pthread_mutex_lock(&meta_locks_mtx);
	for (l = meta_locks; l != NULL; l = l->ml_next)
		/* Not an entry inherited through fork(): the parent's lock. */
		if (strcmp(l->ml_name, name) == 0 && l->ml_pid == getpid()) {
			l->ml_refs++;
			pthread_mutex_unlock(&meta_locks_mtx);
			return l;
		}
	pthread_mutex_unlock(&meta_locks_mtx);
	snprintf(file, sizeof(file), "%s.lock", name);
	if (oban_path(path, sizeof(path), OBAN_DIR_RUN, file) == NULL) {
		meta_error_set(ep, ENAMETOOLONG, 0, name, "cannot lock set");
		return NULL;
	}
	(void)mkdir(oban_dir(OBAN_DIR_RUN), 0755);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		meta_error_set(ep, errno, 0, path, "cannot lock set");
		return NULL;
	}
	while (flock(fd, excl ? LOCK_EX : LOCK_SH) != 0)
		if (errno != EINTR) {
			err = errno;
			break;
		}
	l = err ? NULL : calloc(1, sizeof(*l));
	if (l == NULL) {
		close(fd);
		meta_error_set(ep, err ? err : ENOMEM, 0, path,
			       "cannot lock set");
		return NULL;
	}
	snprintf(l->ml_name, sizeof(l->ml_name), "%s", name);
	l->ml_fd = fd;
	l->ml_refs = 1;
	l->ml_pid = getpid();
	pthread_mutex_lock(&meta_locks_mtx);
	l->ml_next = meta_locks;
	meta_locks = l;
	pthread_mutex_unlock(&meta_locks_mtx);
	return l;
}

static void meta_unlock(struct meta_lockent *l)
{
	struct meta_lockent **pp;

	if (l == NULL)
		return;
	pthread_mutex_lock(&meta_locks_mtx);
	if (--l->ml_refs > 0) {
		pthread_mutex_unlock(&meta_locks_mtx);
		return;
	}
	for (pp = &meta_locks; *pp != NULL; pp = &(*pp)->ml_next)
		if (*pp == l) {
			*pp = l->ml_next;
			break;
		}
	pthread_mutex_unlock(&meta_locks_mtx);
	lockent_close(l);
	free(l);
}

/*
 * The lock file's first 8 bytes count the writable handles of the set
 * closed on this node, by any process (little-endian; a new file reads 0).
 * A writer bumps it with the lock held, before unlocking; a holder of a
 * long-lived handle compares it (meta_set_changed()).
 */
static uint64_t lock_gen(const struct meta_lockent *l)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;

	if (l == NULL || pread(l->ml_fd, b, sizeof(b), 0) < 0)
		return 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void lock_gen_bump(const struct meta_lockent *l)
{
	uint64_t v = lock_gen(l) + 1;
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	if (l != NULL)
		(void)!pwrite(l->ml_fd, b, sizeof(b), 0);
}

/* ---- Opening ----------------------------------------------------------- */

bool ms_same_uuid(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 16) == 0;
}

/*
 * Whether label @l lays out the drive's areas as the set's record @d has
 * them (replicas are placed from the record): else ME_MDL_GEOMETRY, with
 * both layouts.
 */
int ms_geometry_same(const struct ml_drive *d, const struct mdl_label *l,
		     const char *path, meta_error_t *ep)
{
	if (l->ml_rep_off == d->md_rep_off &&
	    l->ml_rep_size == d->md_rep_size &&
	    l->ml_rep_cap == d->md_rep_cap && l->ml_data_off == d->md_data_off)
		return 0;
	char t[6][32];

	return meta_error_set(
		ep, ME_MDL_GEOMETRY, 0, path,
		"cannot use drive (label: %u x %s at %s, data at %s; set's "
		"record: %u x %s at %s, data at %s)",
		l->ml_rep_cap, mdl_size_text(l->ml_rep_size, t[0], 32),
		mdl_size_text(l->ml_rep_off, t[1], 32),
		mdl_size_text(l->ml_data_off, t[2], 32), d->md_rep_cap,
		mdl_size_text(d->md_rep_size, t[3], 32),
		mdl_size_text(d->md_rep_off, t[4], 32),
		mdl_size_text(d->md_data_off, t[5], 32));
}

/* Use @path for drive @i if its label is the drive's, of the set, with
 * the areas the set's record has. */
static int try_path(struct meta_set *s, int i, const char *path)
{
	struct meta_dev *d;
	struct mdl_label l;
	meta_error_t e;
	int fl = (s->s_flags & META_SET_RDONLY) ? META_DEV_RDONLY : 0;

	if (meta_dev_open(path, fl, &d, &e) != 0)
		return -1;
	if (mdl_label_read(d, &l, &e) != 0 ||
	    !ms_same_uuid(l.ml_drive_uuid, s->s_drives[i].md_uuid) ||
	    !ms_same_uuid(l.ml_set_uuid, s->s_rec.ms_uuid) ||
	    ms_geometry_same(&s->s_drives[i], &l, path, &e) != 0) {
		if (e.me_code == ME_MDL_GEOMETRY)
			s->s_geo = e;
		meta_dev_close(d);
		return -1;
	}
	s->s_devs[i] = d;
	snprintf(s->s_paths[i], sizeof(s->s_paths[i]), "%s", path);
	return 0;
}

static int scan_cb(void *arg, const char *path, const struct mdl_label *l)
{
	struct meta_set *s = arg;
	int i;

	for (i = 0; i < s->s_ndrives; i++)
		if (s->s_devs[i] == NULL &&
		    ms_same_uuid(l->ml_drive_uuid, s->s_drives[i].md_uuid))
			(void)try_path(s, i, path);
	return 0;
}

/*
 * Find the set's drives on this node; a writable handle records the paths
 * that changed in the local replica (one transaction), a read-only one
 * only in memory.
 */
int ms_find_drives(struct meta_set *s, meta_error_t *ep)
{
	struct ml_txn *t = NULL;
	int i, missing = 0, rc = 0;

	for (i = 0; i < s->s_ndrives; i++)
		if (try_path(s, i, s->s_drives[i].md_path) != 0)
			missing++;
	if (missing > 0 && mdl_scan(scan_cb, s, ep) < 0)
		return -1;
	for (i = 0; i < s->s_ndrives && rc == 0; i++) {
		if (s->s_devs[i] == NULL ||
		    strcmp(s->s_paths[i], s->s_drives[i].md_path) == 0)
			continue;
		ms_str_copy(s->s_drives[i].md_path,
			    sizeof(s->s_drives[i].md_path), s->s_paths[i]);
		if (s->s_flags & META_SET_RDONLY)
			continue;
		if (t == NULL && meta_local_begin(&t, ep) != 0)
			return -1;
		rc = meta_local_drive_put(s->s_rec.ms_name, &s->s_drives[i],
					  ep);
	}
	return t == NULL ? rc : ms_local_end(t, rc, ep);
}

void ms_drive_spec(const struct meta_set *s, int i, uint32_t idx,
		   struct mddb_replica_spec *rs)
{
	const struct ml_drive *d = &s->s_drives[i];

	memset(rs, 0, sizeof(*rs));
	rs->rs_dev = s->s_devs[i];
	rs->rs_offset = d->md_rep_off + idx * d->md_rep_size;
	rs->rs_length = d->md_rep_size;
	memcpy(rs->rs_drive_uuid, d->md_uuid, 16);
	rs->rs_index = idx;
	ms_str_copy(rs->rs_name, sizeof(rs->rs_name), d->md_name);
}

int ms_open_db(struct meta_set *s, meta_error_t *ep)
{
	struct mddb_replica_spec *specs;
	int i, n = 0, flags = 0, rc;
	uint32_t k;

	specs = calloc((size_t)s->s_ndrives * MDDB_MAXREPLICAS, sizeof(*specs));
	if (specs == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot open set");
	for (i = 0; i < s->s_ndrives; i++)
		if (s->s_devs[i] != NULL)
			for (k = 0; k < s->s_drives[i].md_rep_cap; k++)
				ms_drive_spec(s, i, k, &specs[n++]);
	if (s->s_flags & META_SET_RDONLY)
		flags |= MDDB_OPEN_RDONLY;
	if (s->s_flags & META_SET_ALLOW_HALF)
		flags |= MDDB_OPEN_ALLOW_HALF;
	rc = mddb_open(s->s_rec.ms_uuid, specs, n, flags, &s->s_db, ep);
	free(specs);
	return rc;
}

void meta_set_close(struct meta_set *s)
{
	int i;

	if (s == NULL)
		return;
	if (!(s->s_flags & META_SET_RDONLY)) {
		__atomic_add_fetch(&meta_set_wgen, 1, __ATOMIC_SEQ_CST);
		lock_gen_bump(s->s_lock);
	}
	mddb_close(s->s_db);
	for (i = 0; i < s->s_ndrives; i++)
		meta_dev_close(s->s_devs[i]);
	free(s->s_devs);
	free(s->s_paths);
	free(s->s_drives);
	free(s->s_nodes);
	meta_unlock(s->s_lock);
	park_free(s);
	free(s);
}

/* Whether the mddb's drive or node records differ from the local
 * replica's (by id and count). */
struct lag_scan {
	const struct meta_set *ls_set;
	bool ls_nodes;
	int ls_n;
	bool ls_differ;
};

static int lag_cb(void *arg, uint32_t id, const void *data, size_t len)
{
	struct lag_scan *ls = arg;
	const struct meta_set *s = ls->ls_set;
	int i;

	(void)data;
	(void)len;
	ls->ls_n++;
	for (i = 0; !ls->ls_nodes && i < s->s_ndrives; i++)
		if (s->s_drives[i].md_seq == id)
			return 0;
	for (i = 0; ls->ls_nodes && i < s->s_nnodes; i++)
		if (s->s_nodes[i].mn_nodeid == id)
			return 0;
	ls->ls_differ = true;
	return 1;
}

static bool local_lags(const struct meta_set *s)
{
	struct lag_scan ls = { .ls_set = s };

	if (s->s_db == NULL ||
	    mddb_rec_foreach(s->s_db, MDDB_RT_DRIVE, lag_cb, &ls, NULL) < 0)
		return false;
	if (ls.ls_differ || ls.ls_n != s->s_ndrives)
		return true;
	ls = (struct lag_scan){ .ls_set = s, .ls_nodes = true };
	if (mddb_rec_foreach(s->s_db, MDDB_RT_NODE, lag_cb, &ls, NULL) < 0)
		return false;
	return ls.ls_differ || ls.ls_n != s->s_nnodes;
}

static int set_open(const char *name, int flags, struct meta_set **sp,
		    bool *lags, meta_error_t *ep)
{
	struct meta_set *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return meta_error_set(ep, ENOMEM, 0, name, "cannot open set");
	s->s_flags = flags;
	if (!ms_name_ok(name)) {
		meta_error_set(ep, ME_SET_NOTFOUND, 0, name, "cannot open set");
		goto out_close;
	}
	s->s_lock = ms_lock(name, !(flags & META_SET_RDONLY), ep);
	if (s->s_lock == NULL)
		goto out_close;
	if (meta_local_set_get(name, &s->s_rec, ep) != 0 ||
	    meta_local_drives(name, &s->s_drives, &s->s_ndrives, ep) != 0 ||
	    meta_local_nodes(name, &s->s_nodes, &s->s_nnodes, ep) != 0)
		goto out_close;
	s->s_devs = calloc((size_t)s->s_ndrives + 1, sizeof(*s->s_devs));
	s->s_paths = calloc((size_t)s->s_ndrives + 1, sizeof(*s->s_paths));
	if (s->s_devs == NULL || s->s_paths == NULL) {
		meta_error_set(ep, ENOMEM, 0, name, "cannot open set");
		goto out_close;
	}
	if (s->s_ndrives > 0 && ms_find_drives(s, ep) != 0)
		goto out_close;
	if (s->s_ndrives > 0 && !(flags & META_SET_NODB) &&
	    ms_open_db(s, ep) != 0) {
		/* No replica found: say why a drive was refused. */
		if (ep != NULL && ep->me_code == ME_MDDB_NOREPLICA &&
		    s->s_geo.me_code == ME_MDL_GEOMETRY)
			*ep = s->s_geo;
		goto out_close;
	}
	/* A single-owner set whose local replica missed the last commit of
	 * a change (its LMDB commit failed): see meta_set_open(). */
	if (lags != NULL && !(flags & META_SET_RDONLY) &&
	    !(s->s_rec.ms_flags & ML_SF_MN) && local_lags(s)) {
		*lags = true;
		goto out_close;
	}
	/* After ms_find_drives(), which may itself update the local replica. */
	s->s_have_stamp = local_stamp(&s->s_stamp);
	s->s_wgen = __atomic_load_n(&meta_set_wgen, __ATOMIC_SEQ_CST);
	s->s_lgen = lock_gen(s->s_lock);
	*sp = s;
	return 0;
out_close:
	meta_set_close(s);
	return -1;
}

int meta_set_open(const char *name, int flags, struct meta_set **sp,
		  meta_error_t *ep)
{
	bool lags = false;

	if (set_open(name, flags, sp, &lags, ep) == 0)
		return 0;
	if (!lags)
		return -1;
	/* The mddb is the truth: bring the local replica in line, once. */
	if (meta_set_reload(name, ep) != 0)
		return -1;
	return set_open(name, flags, sp, NULL, ep);
}

/* The local replica's data file: its identity and change time. */
static bool local_stamp(struct stat *st)
{
	char path[4096];

	if (oban_path(path, sizeof(path), OBAN_DIR_STATE, "local/data.mdb") ==
	    NULL)
		return false;
	return stat(path, st) == 0;
}

/*
 * A long-lived handle (mdcommd's change-log handle) locks and unlocks the
 * set around every use.  Instead of opening, locking and closing the lock
 * file each time, meta_set_unlock() keeps the file open and unlocked in
 * s_park when this handle is its only holder in the process, and
 * meta_set_relock() locks that descriptor again: one flock() each way.
 * The parked entry is off meta_locks, so other threads of this process
 * open the file themselves and are kept out by the flock like any other
 * process.  A file removed while parked (its link count 0 once locked) is
 * given up for a fresh ms_lock(), which creates it again.
 */
void meta_set_unlock(struct meta_set *s)
{
	struct meta_lockent *l = s->s_lock, **pp;

	s->s_lock = NULL;
	if (l == NULL)
		return;
	pthread_mutex_lock(&meta_locks_mtx);
	if (l->ml_refs > 1 || s->s_park != NULL || l->ml_pid != getpid()) {
		/* Shared with another holder, or (a forked child) the
		 * parent's lock: as it was. */
		pthread_mutex_unlock(&meta_locks_mtx);
		meta_unlock(l);
		return;
	}
	for (pp = &meta_locks; *pp != NULL; pp = &(*pp)->ml_next)
		if (*pp == l) {
			*pp = l->ml_next;
			break;
		}
	pthread_mutex_unlock(&meta_locks_mtx);
	l->ml_next = NULL;
	l->ml_refs = 0;
	(void)flock(l->ml_fd, LOCK_UN);
	s->s_park = l;
}

static void park_free(struct meta_set *s)
{
	if (s->s_park != NULL) {
		lockent_close(s->s_park);
		free(s->s_park);
		s->s_park = NULL;
	}
}

int meta_set_relock(struct meta_set *s, meta_error_t *ep)
{
	struct meta_lockent *l = s->s_park, *o;
	bool excl = !(s->s_flags & META_SET_RDONLY);
	struct stat st;
	int rc;

	if (s->s_lock != NULL)
		return 0;
	if (l != NULL) {
		/* This process holds the lock already: share it, as
		 * ms_lock() would. */
		pthread_mutex_lock(&meta_locks_mtx);
		for (o = meta_locks; o != NULL; o = o->ml_next)
			if (strcmp(o->ml_name, l->ml_name) == 0 &&
			    o->ml_pid == getpid()) {
				o->ml_refs++;
				s->s_lock = o;
				break;
			}
		pthread_mutex_unlock(&meta_locks_mtx);
		if (s->s_lock != NULL)
			return 0;
		if (l->ml_pid != getpid()) {
			/* A forked child: the kept file is the parent's open
			 * file; locking it would share the parent's lock. */
			s->s_lock_gone = true; /* another file perhaps */
			park_free(s);
			goto fresh;
		}
		do
			rc = flock(l->ml_fd, excl ? LOCK_EX : LOCK_SH);
		while (rc != 0 && errno == EINTR);
		if (rc == 0 && fstat(l->ml_fd, &st) == 0 && st.st_nlink > 0) {
			s->s_park = NULL;
			l->ml_refs = 1;
			pthread_mutex_lock(&meta_locks_mtx);
			l->ml_next = meta_locks;
			meta_locks = l;
			pthread_mutex_unlock(&meta_locks_mtx);
			s->s_lock = l;
			return 0;
		}
		/* Removed (a new file, a new count), or the flock failed:
		 * afresh, and the handle counts as changed either way. */
		s->s_lock_gone = true;
		park_free(s);
	}
fresh:
	s->s_lock = ms_lock(s->s_rec.ms_name, excl, ep);
	return s->s_lock == NULL ? -1 : 0;
}

bool meta_set_changed(const struct meta_set *s)
{
	struct stat st;

	if (s->s_lock == NULL || s->s_lock_gone ||
	    lock_gen(s->s_lock) != s->s_lgen)
		return true;
	if (__atomic_load_n(&meta_set_wgen, __ATOMIC_SEQ_CST) != s->s_wgen ||
	    !s->s_have_stamp || !local_stamp(&st))
		return true;
	return st.st_ino != s->s_stamp.st_ino ||
	       st.st_dev != s->s_stamp.st_dev ||
	       st.st_size != s->s_stamp.st_size ||
	       st.st_mtim.tv_sec != s->s_stamp.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != s->s_stamp.st_mtim.tv_nsec;
}

struct mddb *meta_set_db(struct meta_set *s)
{
	return s->s_db;
}

const char *meta_set_name(const struct meta_set *s)
{
	return s->s_rec.ms_name;
}

uint32_t meta_set_number(const struct meta_set *s)
{
	return s->s_rec.ms_setno;
}

bool meta_set_is_mn(const struct meta_set *s)
{
	return (s->s_rec.ms_flags & ML_SF_MN) != 0;
}

const uint8_t *meta_set_uuid(const struct meta_set *s)
{
	return s->s_rec.ms_uuid;
}

const char *meta_set_master(const struct meta_set *s)
{
	return s->s_rec.ms_master;
}

int meta_set_host_foreach(struct meta_set *s,
			  int (*fn)(void *arg, const struct meta_host_info *hi),
			  void *arg, meta_error_t *ep)
{
	struct meta_host_info hi;
	char me[META_NODE_NAMELEN];
	int i, rc;

	this_node(me, sizeof(me));
	for (i = 0; i < s->s_nnodes; i++) {
		long id = nodelist_id(s->s_nodes[i].mn_name);

		memset(&hi, 0, sizeof(hi));
		hi.hi_nodeid = s->s_nodes[i].mn_nodeid;
		snprintf(hi.hi_name, sizeof(hi.hi_name), "%s",
			 s->s_nodes[i].mn_name);
		hi.hi_flags = s->s_nodes[i].mn_flags & ~META_NODE_ALIVE;
		if (id > 0 || (id < 0 && strcmp(hi.hi_name, me) == 0))
			hi.hi_flags |= META_NODE_ALIVE;
		rc = fn(arg, &hi);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- Administration ---------------------------------------------------- */

/*
 * Create set @name in the local replica with number @setno (0: the lowest
 * free one), @uuid, @ctime and the host records @nodes[@n], under the
 * node's "sets" lock; @dryrun only checks.  The same name with the same
 * UUID is a replay: success, nothing written.
 */
static int set_create(const char *name, uint32_t setno, const uint8_t *uuid,
		      uint64_t ctime, bool mn, const struct ml_node *nodes,
		      int n, bool dryrun, meta_error_t *ep)
{
	bool used[META_SET_MAX + 1] = { false };
	struct ml_set rec, *sets = NULL;
	struct meta_lockent *lock;
	struct ml_txn *t;
	int i, nsets = 0, rc = -1;

	lock = ms_lock("sets", true, ep);
	if (lock == NULL)
		return -1;
	if (meta_local_set_get(name, &rec, NULL) == 0) {
		if (ms_same_uuid(rec.ms_uuid, uuid))
			rc = 0; /* already here: a replay */
		else
			meta_error_set(ep, ME_SET_EXISTS, 0, name,
				       "cannot create set");
		goto out;
	}
	/* A record this build cannot read still holds its number. */
	if (meta_local_sets_all(&sets, &nsets, ep) != 0)
		goto out;
	for (i = 0; i < nsets; i++) {
		if (sets[i].ms_setno <= META_SET_MAX)
			used[sets[i].ms_setno] = true;
		if (setno != 0 && sets[i].ms_setno == setno) {
			meta_error_set(ep, ME_SET_NUMBERUSED, 0, name,
				       "cannot create set (number %u is set "
				       "'%s' here)",
				       setno, sets[i].ms_name);
			goto out;
		}
	}
	for (i = 1; setno == 0 && i <= META_SET_MAX; i++)
		if (!used[i])
			setno = (uint32_t)i;
	if (setno == 0) {
		meta_error_set(ep, ME_SET_FULL, 0, name, "cannot create set");
		goto out;
	}
	if (dryrun) {
		rc = 0;
		goto out;
	}
	memset(&rec, 0, sizeof(rec));
	rec.ms_version = ML_VERSION;
	rec.ms_setno = setno;
	rec.ms_flags = mn ? ML_SF_MN : 0;
	memcpy(rec.ms_uuid, uuid, 16);
	rec.ms_ctime = ctime;
	ms_str_copy(rec.ms_name, sizeof(rec.ms_name), name);
	if (meta_local_begin(&t, ep) != 0)
		goto out;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++)
		rc = meta_local_node_put(name, &nodes[i], ep);
	if (rc == 0)
		rc = meta_local_set_put(&rec, ep);
	rc = ms_local_end(t, rc, ep);
out:
	free(sets);
	meta_unlock(lock);
	return rc;
}

int meta_set_create(const char *name, bool mn, const char *const *hosts,
		    int nhosts, meta_error_t *ep)
{
	struct ml_node *nodes;
	char me[META_NODE_NAMELEN];
	uint8_t uuid[16];
	bool local = false;
	int i, j, rc = -1;

	if (!ms_name_ok(name))
		return meta_error_set(ep, ME_BADNAME, 0, name,
				      "cannot create set");
	if (nhosts < 1)
		return meta_error_set(ep, ME_USAGE, 0, name,
				      "cannot create set without hosts");
	this_node(me, sizeof(me));
	nodes = calloc((size_t)nhosts, sizeof(*nodes));
	if (nodes == NULL)
		return meta_error_set(ep, ENOMEM, 0, name, "cannot create set");
	for (i = 0; i < nhosts; i++) {
		long id = nodelist_id(hosts[i]);

		if (id < 0)
			id = strcmp(hosts[i], me) == 0 ? 1 : 0;
		if (id <= 0) {
			meta_error_set(ep, ME_SET_UNKNOWNHOST, 0, hosts[i],
				       "cannot add host");
			goto out;
		}
		for (j = 0; j < i; j++)
			if (nodes[j].mn_nodeid == (uint32_t)id) {
				meta_error_set(ep, EEXIST, 0, hosts[i],
					       "cannot add host twice to set "
					       "'%s'",
					       name);
				goto out;
			}
		node_init(&nodes[i], (uint32_t)id, hosts[i]);
		if (strcmp(hosts[i], me) == 0)
			local = true;
	}
	if (!local) {
		meta_error_set(ep, ME_SET_NOTLOCAL, 0, me,
			       "cannot create set '%s'", name);
		goto out;
	}
	mdl_uuid_generate(uuid);
	rc = set_create(name, 0, uuid, (uint64_t)time(NULL), mn, nodes, nhosts,
			false, ep);
out:
	free(nodes);
	return rc;
}

int meta_set_destroy(const char *name, bool purge, meta_error_t *ep)
{
	struct meta_lockent *lock;
	struct ml_drive *d = NULL;
	struct ml_set rec;
	meta_error_t e;
	int n = 0, rc = -1;

	if (!ms_name_ok(name))
		return meta_error_set(ep, ME_SET_NOTFOUND, 0, name,
				      "cannot delete set");
	lock = ms_lock(name, true, ep);
	if (lock == NULL)
		return -1;
	/* A purge reads no more than that the set exists: it is the way out
	 * of records of a version this build refuses. */
	if (meta_local_set_get(name, &rec, &e) != 0 &&
	    !(purge &&
	      (e.me_code == ME_MDDB_BADVERSION || e.me_code == ME_LOCAL_DB))) {
		if (ep != NULL)
			*ep = e;
		goto out;
	}
	if (!purge && meta_local_drives(name, &d, &n, ep) != 0)
		goto out;
	free(d);
	if (n > 0) {
		meta_error_set(ep, ME_SET_HASDRIVES, 0, name,
			       "cannot delete set");
		goto out;
	}
	rc = meta_local_set_del(name, ep);
out:
	meta_unlock(lock);
	return rc;
}

int meta_set_list(int (*fn)(void *arg, const char *name), void *arg,
		  meta_error_t *ep)
{
	struct ml_set *sets;
	int i, n, rc = 0;

	/* Every set, also one whose record this build cannot read: @fn's
	 * open of it names it and the reason. */
	if (meta_local_sets_all(&sets, &n, ep) != 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = fn(arg, sets[i].ms_name);
	free(sets);
	return rc;
}

/* ms_commit_records()'s records, into transaction @t. */
int ms_records_put(struct meta_set *s, struct mddb_txn *t, bool drives,
		   const uint32_t *gone, int ngone, meta_error_t *ep)
{
	int i;

	if (mddb_txn_put(t, MDDB_RT_SET, s->s_rec.ms_setno, &s->s_rec,
			 sizeof(s->s_rec), ep) != 0)
		return -1;
	for (i = 0; drives && i < s->s_ndrives; i++)
		if (mddb_txn_put(t, MDDB_RT_DRIVE, s->s_drives[i].md_seq,
				 &s->s_drives[i], sizeof(s->s_drives[i]),
				 ep) != 0)
			return -1;
	for (i = 0; i < s->s_nnodes; i++)
		if (mddb_txn_put(t, MDDB_RT_NODE, s->s_nodes[i].mn_nodeid,
				 &s->s_nodes[i], sizeof(s->s_nodes[i]),
				 ep) != 0)
			return -1;
	for (i = 0; i < ngone; i++) {
		void *data;
		size_t len;

		/* Already gone: a retry after a failed local commit. */
		if (mddb_rec_get(s->s_db, MDDB_RT_NODE, gone[i], &data, &len,
				 NULL) != 0)
			continue;
		free(data);
		if (mddb_txn_del(t, MDDB_RT_NODE, gone[i], ep) != 0)
			return -1;
	}
	return 0;
}

/*
 * Commit the set's own records to its mddb, if it has one, in one
 * transaction: the set record (it names the master), the node records, the
 * drive records when @drives, and the deletion of the node records of
 * @gone[@ngone].
 */
int ms_commit_records(struct meta_set *s, bool drives, const uint32_t *gone,
		      int ngone, meta_error_t *ep)
{
	struct mddb_txn *t;

	if (s->s_db == NULL)
		return 0;
	if (mddb_txn_begin(s->s_db, &t, ep) != 0)
		return -1;
	if (ms_records_put(s, t, drives, gone, ngone, ep) != 0) {
		mddb_txn_abort(t);
		return -1;
	}
	return mddb_txn_commit(t, ep);
}

/* The local drive record of a drive labelled @l, found at @path. */
void ms_drive_from_label(struct ml_drive *d, const struct mdl_label *l,
			 const char *path)
{
	memset(d, 0, sizeof(*d));
	d->md_version = ML_VERSION;
	memcpy(d->md_uuid, l->ml_drive_uuid, 16);
	ms_str_copy(d->md_name, sizeof(d->md_name), l->ml_name);
	ms_str_copy(d->md_path, sizeof(d->md_path), path);
	d->md_rep_off = l->ml_rep_off;
	d->md_rep_size = l->ml_rep_size;
	d->md_rep_cap = l->ml_rep_cap;
	d->md_lsz = l->ml_lsz;
	d->md_data_off = l->ml_data_off;
	d->md_data_len = l->ml_data_len;
}

int ms_grow_drives(struct meta_set *s, int add)
{
	int n = s->s_ndrives + add;
	struct ml_drive *d = realloc(s->s_drives, (size_t)n * sizeof(*d));

	if (d == NULL)
		return -1;
	s->s_drives = d;
	struct meta_dev **dv = realloc(s->s_devs, (size_t)n * sizeof(*dv));
	if (dv == NULL)
		return -1;
	s->s_devs = dv;
	char(*p)[META_DRIVE_NAMELEN] =
		realloc(s->s_paths, (size_t)n * sizeof(*p));
	if (p == NULL)
		return -1;
	s->s_paths = p;
	return 0;
}

/* Mark this node an owner (joined) or not, in its node record in memory
 * (local_save() writes it). */
static void set_owner_only(struct meta_set *s, bool own)
{
	char me[META_NODE_NAMELEN];
	int i;

	this_node(me, sizeof(me));
	for (i = 0; i < s->s_nnodes; i++) {
		if (strcmp(s->s_nodes[i].mn_name, me) != 0)
			continue;
		if (own)
			s->s_nodes[i].mn_flags |= META_NODE_OWN;
		else
			s->s_nodes[i].mn_flags &= ~META_NODE_OWN;
	}
}

/* As set_owner_only, and this node becomes (or stops being) the master. */
void ms_set_owner(struct meta_set *s, bool own)
{
	char me[META_NODE_NAMELEN];

	this_node(me, sizeof(me));
	set_owner_only(s, own);
	snprintf(s->s_rec.ms_master, sizeof(s->s_rec.ms_master), "%s",
		 own ? me : "");
}

/*
 * Write the handle's node records, its drives [@d0, @d0 + @nd) and its set
 * record to the local replica, in one transaction with whatever the caller
 * wrote in @t (NULL: a transaction of its own).
 */
int ms_local_puts(struct meta_set *s, int d0, int nd, meta_error_t *ep)
{
	const char *name = s->s_rec.ms_name;
	int i, rc = 0;

	for (i = 0; i < s->s_nnodes && rc == 0; i++)
		rc = meta_local_node_put(name, &s->s_nodes[i], ep);
	for (i = d0; i < d0 + nd && rc == 0; i++)
		rc = meta_local_drive_put(name, &s->s_drives[i], ep);
	if (rc == 0)
		rc = meta_local_set_put(&s->s_rec, ep);
	return rc;
}

static int local_save(struct meta_set *s, struct ml_txn *t, int d0, int nd,
		      meta_error_t *ep)
{
	if (t == NULL && meta_local_begin(&t, ep) != 0)
		return -1;
	return ms_local_end(t, ms_local_puts(s, d0, nd, ep), ep);
}

/*
 * A change of both replicas: the local writes @fn already made in @t, then
 * the mddb commit, then the local commit.  When the mddb commit fails the
 * local transaction is aborted, so neither changed; only a failure of the
 * LMDB commit itself leaves the local replica behind the mddb (repaired by
 * meta_set_reload(), which meta_set_open() runs for a single-owner set).
 */
static int both_commit(struct meta_set *s, struct ml_txn *t, bool drives,
		       const uint32_t *gone, int ngone, meta_error_t *ep)
{
	if (ms_commit_records(s, drives, gone, ngone, ep) != 0) {
		meta_local_abort(t);
		return -1;
	}
	return meta_local_commit(t, ep);
}

int meta_set_host_add(struct meta_set *s, const char *const *hosts, int n,
		      meta_error_t *ep)
{
	char me[META_NODE_NAMELEN];
	struct ml_node *nodes;
	struct ml_txn *t;
	int i, j, base = s->s_nnodes;

	if (s->s_flags & META_SET_RDONLY)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, s->s_rec.ms_name,
				      "cannot add hosts to set");
	nodes = realloc(s->s_nodes, (size_t)(base + n) * sizeof(*nodes));
	if (nodes == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot add hosts");
	s->s_nodes = nodes;
	this_node(me, sizeof(me));
	for (i = 0; i < n; i++) {
		long id = nodelist_id(hosts[i]);
		struct ml_node *nd = &nodes[base + i];

		if (id < 0)
			id = strcmp(hosts[i], me) == 0 ? 1 : 0;
		if (id <= 0)
			return meta_error_set(ep, ME_SET_UNKNOWNHOST, 0,
					      hosts[i], "cannot add host");
		for (j = 0; j < base + i; j++)
			if (nodes[j].mn_nodeid == (uint32_t)id)
				return meta_error_set(ep, ME_SET_HOSTEXISTS, 0,
						      hosts[i],
						      "cannot add host");
		node_init(nd, (uint32_t)id, hosts[i]);
	}
	s->s_nnodes = base + n;
	if (meta_local_begin(&t, ep) != 0) {
		s->s_nnodes = base;
		return -1;
	}
	if (ms_local_puts(s, 0, 0, ep) != 0) {
		meta_local_abort(t);
		s->s_nnodes = base;
		return -1;
	}
	if (ms_commit_records(s, false, NULL, 0, ep) != 0) {
		meta_local_abort(t);
		s->s_nnodes = base;
		return -1;
	}
	if (meta_local_commit(t, ep) != 0) {
		/* The mddb has the new nodes, the local replica not: the next
		 * writable open reloads it; the handle stays as before. */
		s->s_nnodes = base;
		return -1;
	}
	return 0;
}

int meta_set_host_del(struct meta_set *s, const char *const *hosts, int n,
		      meta_error_t *ep)
{
	char me[META_NODE_NAMELEN];
	struct ml_txn *t;
	struct ml_node *saved;
	uint32_t *gone;
	int i, j, ngone = 0, nsaved = s->s_nnodes, rc = -1;

	if (s->s_flags & META_SET_RDONLY)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, s->s_rec.ms_name,
				      "cannot delete hosts from set");
	this_node(me, sizeof(me));
	gone = calloc((size_t)n + 1, sizeof(*gone));
	saved = malloc((size_t)nsaved * sizeof(*saved) + 1);
	if (gone == NULL || saved == NULL) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot delete hosts");
		goto out;
	}
	memcpy(saved, s->s_nodes, (size_t)nsaved * sizeof(*saved));
	for (i = 0; i < n; i++) {
		for (j = 0; j < s->s_nnodes; j++)
			if (strcmp(s->s_nodes[j].mn_name, hosts[i]) == 0)
				break;
		if (j == s->s_nnodes) {
			meta_error_set(ep, ME_SET_NOHOST, 0, hosts[i],
				       "cannot delete host");
			goto out;
		}
		if (strcmp(hosts[i], me) == 0) {
			meta_error_set(ep, ENOTSUP, 0, hosts[i],
				       "cannot delete this node before the "
				       "other hosts");
			goto out;
		}
		gone[ngone++] = s->s_nodes[j].mn_nodeid;
		memmove(&s->s_nodes[j], &s->s_nodes[j + 1],
			(size_t)(s->s_nnodes - j - 1) * sizeof(*s->s_nodes));
		s->s_nnodes--;
	}
	rc = meta_local_begin(&t, ep);
	if (rc == 0) {
		for (i = 0; i < ngone && rc == 0; i++)
			rc = meta_local_node_del(s->s_rec.ms_name, gone[i], ep);
		if (rc != 0)
			meta_local_abort(t);
		else
			rc = both_commit(s, t, false, gone, ngone, ep);
	}
out:
	/* On a failure the handle keeps its nodes (a failed local commit
	 * after the mddb's: the next writable open reloads the local
	 * replica, and a retry deletes the hosts again). */
	if (rc != 0 && saved != NULL) {
		memcpy(s->s_nodes, saved, (size_t)nsaved * sizeof(*saved));
		s->s_nnodes = nsaved;
	}
	free(saved);
	free(gone);
	return rc;
}

bool meta_set_self_joined(struct meta_set *s)
{
	char me[META_NODE_NAMELEN];
	int i;

	this_node(me, sizeof(me));
	for (i = 0; i < s->s_nnodes; i++)
		if (strcmp(s->s_nodes[i].mn_name, me) == 0)
			return (s->s_nodes[i].mn_flags & META_NODE_OWN) != 0;
	return false;
}

/* What this node knows of the set, for meta_join_check(). */
static void join_state(struct meta_set *s, struct meta_join_state *st)
{
	char me[META_NODE_NAMELEN];
	struct mddb_replica_info ri;
	int i;

	memset(st, 0, sizeof(*st));
	this_node(me, sizeof(me));
	st->js_self_joined = meta_set_self_joined(s);
	st->js_self_master = strcmp(s->s_rec.ms_master, me) == 0;
	for (i = 0; i < s->s_nnodes; i++)
		if (s->s_nodes[i].mn_flags & META_NODE_OWN)
			st->js_owners++;
	st->js_has_drives = s->s_ndrives > 0;
	if (s->s_db == NULL)
		return;
	for (i = 0; i < mddb_replica_count(s->s_db); i++) {
		st->js_self_replicas++;
		if (mddb_replica_info(s->s_db, i, &ri, NULL) == 0 &&
		    (ri.ri_flags & MDDB_F_ACTIVE))
			st->js_self_active++;
	}
	/* On one node the master's view is this node's own. */
	st->js_master_stale = mddb_state(s->s_db) == MDDB_S_STALE;
	st->js_master_replicas = st->js_self_replicas;
	st->js_master_active = st->js_self_active;
}

/* Join (@join) or withdraw this node: the verdict of meta_join_check() on
 * what this node knows, recorded in the local replica. */
static int join_withdraw(struct meta_set *s, bool join, meta_error_t *ep)
{
	const char *what = join ? "cannot join set" :
				  "cannot withdraw from set";
	struct meta_join_state st;
	int v;

	if (s->s_flags & META_SET_RDONLY)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, s->s_rec.ms_name,
				      "%s", what);
	if (join && s->s_db == NULL)
		return meta_error_set(ep, ME_MDDB_NOREPLICA, 0,
				      s->s_rec.ms_name, "%s", what);
	join_state(s, &st);
	v = meta_join_check(&st, join, ep);
	if (v < 0) {
		snprintf(ep->me_object, sizeof(ep->me_object), "%s",
			 s->s_rec.ms_name);
		return -1;
	}
	if (v == META_JV_NOOP)
		return 0;
	/* The first joiner becomes the master; the last to leave ends it. */
	if (v == META_JV_MASTER || v == META_JV_MASTER_STALE ||
	    v == META_JV_WD_LAST || (join && s->s_rec.ms_master[0] == '\0'))
		ms_set_owner(s, join);
	else
		set_owner_only(s, join);
	return local_save(s, NULL, 0, 0, ep);
}

int meta_set_join(struct meta_set *s, meta_error_t *ep)
{
	return join_withdraw(s, true, ep);
}

int meta_set_withdraw(struct meta_set *s, meta_error_t *ep)
{
	return join_withdraw(s, false, ep);
}

uint64_t meta_set_replica_length(const struct meta_set *s)
{
	return s->s_rec.ms_rep_size;
}

uint64_t meta_set_ctime(const struct meta_set *s)
{
	return s->s_rec.ms_ctime;
}

int meta_set_create_rec(const char *name, uint32_t setno, const uint8_t *uuid,
			uint64_t ctime, bool mn, const uint32_t *ids, int n,
			bool dryrun, meta_error_t *ep)
{
	struct meta_nodelist_ent *nl = NULL;
	struct ml_node *nodes = NULL;
	meta_error_t e;
	int i, j, nnl = 0, rc = -1;

	if (!ms_name_ok(name))
		return meta_error_set(ep, ME_BADNAME, 0, name,
				      "cannot create set");
	if (n < 1 || setno < 1 || setno > META_SET_MAX)
		return meta_error_set(ep, ME_USAGE, 0, name,
				      "cannot create set");
	if (meta_nodelist_read(NULL, &nl, &nnl, &e) != 0) {
		if (e.me_code != ENOENT) {
			*ep = e;
			goto out;
		}
		/* A single node: only this node, id 1. */
		nl = malloc(sizeof(*nl));
		if (nl == NULL || meta_node_self(nl, ep) != 0)
			goto out;
		nnl = 1;
	}
	nodes = calloc((size_t)n, sizeof(*nodes));
	if (nodes == NULL) {
		meta_error_set(ep, ENOMEM, 0, name, "cannot create set");
		goto out;
	}
	for (i = 0; i < n; i++) {
		int k = -1;

		for (j = 0; j < nnl; j++)
			if (nl[j].ne_id == ids[i])
				k = j;
		if (k < 0) {
			char what[32];

			snprintf(what, sizeof(what), "node %u", ids[i]);
			meta_error_set(ep, ME_SET_UNKNOWNHOST, 0, what,
				       "cannot add host to set '%s'", name);
			goto out;
		}
		node_init(&nodes[i], ids[i], nl[k].ne_name);
	}
	rc = set_create(name, setno, uuid, ctime, mn, nodes, n, dryrun, ep);
out:
	free(nl);
	free(nodes);
	return rc;
}
