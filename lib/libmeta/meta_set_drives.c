// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_set_drives: a set's drives and their replicas: finding a drive of
 * the set by any of its names (meta_set_drive_find, _foreach), adding and
 * deleting drives (meta_set_drive_add, _add_count, _del), and adding and
 * deleting replicas on a drive of the set (meta_set_replica_add, _del).
 *
 * Theory.  Adding drives (meta_set_drive_add) checks every drive before
 * writing any: it must exist, hold no oban label of this or another set,
 * carry no file system, partition table or other signature (libblkid; -f
 * overrides), and be large enough.  Then each gets a label; the first
 * drives create the mddb (this node becomes master and owner, as "the
 * first node to add a disk" in the original), later ones are added as
 * replicas; then the drive records are committed to the mddb and to the
 * local replica.  A failure before the local commit takes back the
 * replicas and labels, so nothing is left written that no record names;
 * a commit in doubt keeps them (a reopen, or every host's re-read of a
 * multi-owner set, shows which way it went).
 *
 * Deleting a drive changes the local replica first and commits it after
 * the mddb; the last drive ends the mddb (nobody owns the set any more)
 * and is committed locally before its label goes.
 *
 * The set handle and the helpers shared with meta_set.c (ms_ prefix) are
 * in meta_set_impl.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>
#include <oban/meta_set.h>

#include "meta_local.h"
#include "meta_set_impl.h"

#define META_MN_MINREP (16ULL << 20)
#define META_DEFREP (16ULL << 20)

/* ---- Drives ------------------------------------------------------------ */

static int drive_nreplicas(const struct meta_set *s, int i)
{
	struct mddb_replica_info ri;
	int k, n = 0;

	if (s->s_db == NULL)
		return 0;
	for (k = 0; k < mddb_replica_count(s->s_db); k++)
		if (mddb_replica_info(s->s_db, k, &ri, NULL) == 0 &&
		    ms_same_uuid(ri.ri_drive_uuid, s->s_drives[i].md_uuid))
			n++;
	return n;
}

static void fill_info(const struct meta_set *s, int i,
		      struct meta_drive_info *di)
{
	const struct ml_drive *d = &s->s_drives[i];

	memset(di, 0, sizeof(*di));
	snprintf(di->di_name, sizeof(di->di_name), "%s", d->md_name);
	memcpy(di->di_uuid, d->md_uuid, 16);
	if (s->s_devs[i] != NULL)
		snprintf(di->di_path, sizeof(di->di_path), "%s", s->s_paths[i]);
	di->di_data_offset = d->md_data_off;
	di->di_data_length = d->md_data_len;
	di->di_sector_size = s->s_devs[i] ? s->s_devs[i]->md_lsz : d->md_lsz;
	di->di_nreplicas = (uint32_t)drive_nreplicas(s, i);
}

static int drive_index(struct meta_set *s, const char *name, meta_error_t *ep)
{
	uint8_t uuid[16];
	char path[META_DRIVE_NAMELEN];
	struct meta_dev *d;
	struct mdl_label l;
	meta_error_t e;
	int i;

	for (i = 0; i < s->s_ndrives; i++)
		if (strcmp(s->s_drives[i].md_name, name) == 0 ||
		    (s->s_devs[i] != NULL && strcmp(s->s_paths[i], name) == 0))
			return i;
	if (strncmp(name, "UUID=", 5) == 0 &&
	    mdl_uuid_parse(name + 5, uuid) == 0)
		for (i = 0; i < s->s_ndrives; i++)
			if (ms_same_uuid(s->s_drives[i].md_uuid, uuid))
				return i;
	/* Any other name of the device: ask its label. */
	if (mdl_resolve(name, path, sizeof(path), ep) != 0)
		return -1;
	if (meta_dev_open(path, META_DEV_RDONLY, &d, &e) == 0) {
		int rc = mdl_label_read(d, &l, &e);

		meta_dev_close(d);
		if (rc == 0)
			for (i = 0; i < s->s_ndrives; i++)
				if (ms_same_uuid(s->s_drives[i].md_uuid,
						 l.ml_drive_uuid))
					return i;
	}
	return meta_error_set(ep, ME_SET_NODRIVE, 0, name,
			      "cannot find drive in set '%s'",
			      s->s_rec.ms_name);
}

int meta_set_drive_find(struct meta_set *s, const char *name,
			struct meta_drive_info *di, meta_error_t *ep)
{
	int i = drive_index(s, name, ep);

	if (i < 0)
		return -1;
	fill_info(s, i, di);
	return 0;
}

int meta_set_drive_foreach(struct meta_set *s,
			   int (*fn)(void *arg,
				     const struct meta_drive_info *di),
			   void *arg, meta_error_t *ep)
{
	struct meta_drive_info di;
	int i, rc;

	for (i = 0; i < s->s_ndrives; i++) {
		fill_info(s, i, &di);
		rc = fn(arg, &di);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Add replicas @specs[@n] to the open mddb in one commit, all or none,
 * with the set's records (its drives' included) when @records: a drive's
 * record and its replicas are written together or not at all
 * (mddb_txn_replica_add(): on a failure the mddb takes the replicas out
 * and wipes them).  A commit that failed after writing a commit block to
 * some replica may be the newest on disk: the mddb then keeps the new
 * replicas' headers, the error says so, and the caller must keep what the
 * commit names (mddb_commit_in_doubt()).
 */
static int add_replicas(struct meta_set *s,
			const struct mddb_replica_spec *specs, int n,
			bool records, meta_error_t *ep)
{
	struct mddb_txn *t;
	int i;

	if (mddb_txn_begin(s->s_db, &t, ep) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (mddb_txn_replica_add(t, &specs[i], ep) != 0)
			break;
	if (i < n ||
	    (records && ms_records_put(s, t, true, NULL, 0, ep) != 0)) {
		mddb_txn_abort(t);
		return -1;
	}
	if (mddb_txn_commit(t, ep) == 0)
		return 0;
	if (mddb_commit_in_doubt(s->s_db))
		snprintf(
			ep->me_what, sizeof(ep->me_what),
			"cannot tell whether %d replica%s %s added to set (the "
			"commit reached some replicas only; replicas and "
			"labels kept; %s)",
			n, n == 1 ? "" : "s", n == 1 ? "was" : "were",
			records && meta_set_is_mn(s) ?
				"every host re-reads the set to see "
				"(META_MNS_RELOAD, which metaset sends)" :
				"reopen the set to see");
	return -1;
}

/* Refuse @add more replicas when the set would have more than 50. */
static int check_replica_total(struct meta_set *s, long add, meta_error_t *ep)
{
	int have = s->s_db != NULL ? mddb_replica_count(s->s_db) : 0;

	if (have + add <= MDDB_MAXREPLICAS)
		return 0;
	return meta_error_set(ep, ME_MDDB_MAXREPLICAS, 0, s->s_rec.ms_name,
			      "cannot add %ld replica%s (%d in use) to set",
			      add, add == 1 ? "" : "s", have);
}

/*
 * The drive records of the set's mddb, which may name drives the local list
 * lacks (a multi-owner set's open does not reload a lagging local replica:
 * a drive add in doubt, before every host re-read the set): the next free
 * record id over them and the local list, and how many of them are not
 * record @di_except.
 */
struct drive_ids {
	uint32_t di_except;
	uint32_t di_next;
	int di_others;
};

static int drive_ids_cb(void *arg, uint32_t id, const void *data, size_t len)
{
	struct drive_ids *di = arg;

	(void)data;
	(void)len;
	if (id >= di->di_next)
		di->di_next = id + 1;
	if (id != di->di_except)
		di->di_others++;
	return 0;
}

static int drive_ids(const struct meta_set *s, struct drive_ids *di,
		     meta_error_t *ep)
{
	int i;

	di->di_next = 0;
	di->di_others = 0;
	for (i = 0; i < s->s_ndrives; i++)
		if (s->s_drives[i].md_seq >= di->di_next)
			di->di_next = s->s_drives[i].md_seq + 1;
	if (s->s_db == NULL)
		return 0;
	if (mddb_rec_foreach(s->s_db, MDDB_RT_DRIVE, drive_ids_cb, di, ep) != 0)
		return -1;
	return 0;
}

int meta_set_drive_add(struct meta_set *s, const char *const *names, int n,
		       uint64_t replica_bytes, bool force, meta_error_t *ep)
{
	return meta_set_drive_add_count(s, names, n, replica_bytes, 1, force,
					ep);
}

int meta_set_drive_add_count(struct meta_set *s, const char *const *names,
			     int n, uint64_t replica_bytes, uint32_t count,
			     bool force, meta_error_t *ep)
{
	struct mdl_label *lab = NULL;
	struct meta_dev **devs = NULL;
	struct mddb_replica_spec *specs = NULL;
	char(*paths)[META_DRIVE_NAMELEN] = NULL;
	bool mn = meta_set_is_mn(s), first = s->s_db == NULL;
	uint64_t rep = replica_bytes;
	int i, j, nlabeled = 0, rc = -1, base = s->s_ndrives;
	struct drive_ids ids = { 0 };
	struct ml_txn *lt;
	uint32_t k, seq;

	if (n < 1)
		return meta_error_set(ep, ME_USAGE, 0, s->s_rec.ms_name,
				      "no drives to add to set");
	if (count < 1 || count > MDDB_MAXREPLICAS)
		return meta_error_set(ep, ME_MDDB_MAXREPLICAS, 0,
				      s->s_rec.ms_name,
				      "cannot put %u replicas on each drive "
				      "of set",
				      count);
	if (s->s_flags & META_SET_RDONLY)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, s->s_rec.ms_name,
				      "cannot add drives to set");
	if (s->s_ndrives > 0 && s->s_db == NULL)
		return meta_error_set(ep, ME_MDDB_NOREPLICA, 0,
				      s->s_rec.ms_name,
				      "cannot add drives to set");
	if (s->s_db != NULL && mddb_state(s->s_db) != MDDB_S_OK)
		return meta_error_set(ep,
				      mddb_state(s->s_db) == MDDB_S_STALE ?
					      ME_MDDB_STALE :
					      ME_MDDB_TOOFEW,
				      0, s->s_rec.ms_name,
				      "cannot add drives to set");
	if (!first) {
		if (rep != 0 && rep != s->s_rec.ms_rep_size) {
			char t1[32], t2[32];

			return meta_error_set(
				ep, ME_MDL_BADSIZE, 0, s->s_rec.ms_name,
				"cannot add replicas of %s (%llu blocks; its "
				"replicas are %s, %llu blocks) to set",
				mdl_size_text(rep, t1, sizeof(t1)),
				(unsigned long long)(rep / 512),
				mdl_size_text(s->s_rec.ms_rep_size, t2,
					      sizeof(t2)),
				(unsigned long long)(s->s_rec.ms_rep_size /
						     512));
		}
		rep = s->s_rec.ms_rep_size;
	} else if (rep == 0) {
		rep = META_DEFREP;
	}
	if (rep > MDDB_MAXBYTES || rep % 4096 != 0 ||
	    rep < (mn ? META_MN_MINREP : MDDB_MINBYTES))
		return meta_error_set(ep, ME_MDL_BADSIZE, 0, s->s_rec.ms_name,
				      "cannot use replicas of %llu bytes "
				      "(%s) in set",
				      (unsigned long long)rep,
				      mn ? "16 MiB to 256 MiB" :
					   "4 MiB to 256 MiB");
	if (check_replica_total(s, (long)n * count, ep) != 0)
		return -1;
	/* The new drives' record ids: after every id in use, the mddb's
	 * included (a record of a drive the local list lacks is not
	 * overwritten). */
	if (drive_ids(s, &ids, ep) != 0)
		return -1;
	seq = ids.di_next;
	lab = calloc((size_t)n, sizeof(*lab));
	devs = calloc((size_t)n, sizeof(*devs));
	specs = calloc((size_t)n * count, sizeof(*specs));
	paths = calloc((size_t)n, sizeof(*paths));
	if (lab == NULL || devs == NULL || specs == NULL || paths == NULL ||
	    ms_grow_drives(s, n) != 0) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot add drives");
		goto out;
	}

	/* 1. Check every drive; write nothing yet. */
	for (i = 0; i < n; i++) {
		struct mdl_label old;
		struct stat st, st2;
		char what[128];
		meta_error_t e;
		int prc;

		if (mdl_resolve(names[i], paths[i], sizeof(paths[i]), ep) != 0)
			goto out;
		if (stat(paths[i], &st) != 0) {
			meta_error_set(ep, errno, 0, names[i],
				       "cannot add drive");
			goto out;
		}
		for (j = 0; j < i; j++)
			if (stat(paths[j], &st2) == 0 &&
			    st.st_rdev == st2.st_rdev &&
			    st.st_ino == st2.st_ino &&
			    st.st_dev == st2.st_dev) {
				meta_error_set(ep, EEXIST, 0, names[i],
					       "cannot add drive twice");
				goto out;
			}
		if (meta_dev_open(paths[i], 0, &devs[i], ep) != 0)
			goto out;
		if (mdl_label_read(devs[i], &old, &e) == 0) {
			bool ours =
				ms_same_uuid(old.ml_set_uuid, s->s_rec.ms_uuid);

			if (ours) {
				meta_error_set(ep, ME_SET_DRIVEINSET, 0,
					       names[i], "cannot add drive");
				goto out;
			}
			if (!force) {
				meta_error_set(ep, ME_MDL_OTHERSET, 0, names[i],
					       "cannot add drive (it is in set "
					       "'%s')",
					       old.ml_setname);
				goto out;
			}
		} else if (!force) {
			prc = mdl_probe_signatures(paths[i], what, sizeof(what),
						   ep);
			if (prc < 0)
				goto out;
			if (prc == 1) {
				meta_error_set(ep, ME_MDL_INUSE, 0, names[i],
					       "cannot add drive with %s",
					       what);
				goto out;
			}
		}
		if (mdl_geometry(devs[i]->md_size, devs[i]->md_lsz, rep, count,
				 &lab[i], ep) != 0) {
			snprintf(ep->me_object, sizeof(ep->me_object), "%s",
				 names[i]);
			goto out;
		}
		lab[i].ml_version = MDL_VERSION;
		mdl_uuid_generate(lab[i].ml_drive_uuid);
		memcpy(lab[i].ml_set_uuid, s->s_rec.ms_uuid, 16);
		lab[i].ml_setno = s->s_rec.ms_setno;
		lab[i].ml_flags = mn ? MDL_LF_MN : 0;
		snprintf(lab[i].ml_setname, sizeof(lab[i].ml_setname), "%s",
			 s->s_rec.ms_name);
		lab[i].ml_ctime = (uint64_t)time(NULL);
		snprintf(lab[i].ml_name, sizeof(lab[i].ml_name), "%s",
			 names[i]);
	}

	/* 2. Label them. */
	for (i = 0; i < n; i++, nlabeled++)
		if (mdl_label_write(devs[i], &lab[i], ep) != 0)
			goto out_unlabel;

	/* 3. Replicas: create the mddb or add to it. */
	for (i = 0; i < n; i++) {
		struct ml_drive *d = &s->s_drives[base + i];

		ms_drive_from_label(d, &lab[i], paths[i]);
		d->md_seq = seq + (uint32_t)i;
		s->s_devs[base + i] = devs[i];
		snprintf(s->s_paths[base + i], sizeof(s->s_paths[0]), "%s",
			 paths[i]);
		for (k = 0; k < count; k++)
			ms_drive_spec(s, base + i, k, &specs[i * count + k]);
	}
	if (first) {
		struct mddb_create_args a = {
			.ca_setno = s->s_rec.ms_setno,
			.ca_setname = s->s_rec.ms_name,
			.ca_mn = mn,
		};

		memcpy(a.ca_set_uuid, s->s_rec.ms_uuid, 16);
		if (mddb_create(&a, specs, n * (int)count, &s->s_db, ep) != 0)
			goto out_unlabel;
	}
	/* 4. The local replica's records, then the mddb's (for a set that
	 * had replicas, with the new replicas in the same commit), then the
	 * local commit: a failure before it takes back replicas and labels,
	 * so that nothing is left written that no record names. */
	s->s_ndrives += n;
	if (first) {
		s->s_rec.ms_rep_size = rep;
		ms_set_owner(s, true);
	}
	if (meta_local_begin(&lt, ep) != 0)
		goto out_undo;
	if (ms_local_puts(s, base, n, ep) != 0) {
		meta_local_abort(lt);
		goto out_undo;
	}
	if ((first ? ms_commit_records(s, true, NULL, 0, ep) :
		     add_replicas(s, specs, n * (int)count, true, ep)) != 0) {
		meta_local_abort(lt);
		/* The commit may be the newest on disk and name the drives:
		 * keep their labels (and replicas); this process drops them,
		 * a reopen of the set (a multi-owner set: every host's
		 * re-read, META_MNS_RELOAD) shows which way it went. */
		if (!first && mddb_commit_in_doubt(s->s_db))
			nlabeled = 0;
		goto out_undo;
	}
	for (i = 0; i < n; i++)
		devs[i] = NULL; /* the set owns them now */
	rc = meta_local_commit(lt, ep);
	if (rc != 0 && first) {
		/* Nothing else knows the new mddb: take it back whole. */
		for (i = 0; i < n; i++)
			devs[i] = s->s_devs[base + i];
		goto out_undo;
	}
	goto out;

out_undo:
	s->s_ndrives -= n;
	for (i = 0; i < n; i++)
		s->s_devs[base + i] = NULL;
	if (first) {
		s->s_rec.ms_rep_size = 0;
		ms_set_owner(s, false);
		mddb_close(s->s_db);
		s->s_db = NULL;
		/* mddb_create() formatted them: no longer replicas. */
		for (i = 0; i < n * (int)count; i++) {
			meta_error_t e;

			(void)mddb_replica_wipe(&specs[i], &e);
		}
	}
	/* (A later drive's replicas: add_replicas() took them back.) */
out_unlabel:
	for (i = 0; i < nlabeled; i++) {
		meta_error_t e;

		(void)mdl_label_wipe(devs[i], &e);
	}
out:
	for (i = 0; devs != NULL && i < n; i++)
		meta_dev_close(devs[i]);
	free(lab);
	free(devs);
	free(specs);
	free(paths);
	return rc;
}

/*
 * Why drive @di was not opened: its label at its last path is the drive's
 * with other areas (ME_MDL_GEOMETRY), or it was not found (ME_MDL_NOTFOUND).
 */
static int drive_unused(struct meta_set *s, int di, meta_error_t *ep)
{
	const struct ml_drive *d = &s->s_drives[di];
	struct meta_dev *dev;
	struct mdl_label l;
	meta_error_t e;
	int rc = 1;

	if (d->md_path[0] != '\0' &&
	    meta_dev_open(d->md_path, META_DEV_RDONLY, &dev, &e) == 0) {
		if (mdl_label_read(dev, &l, &e) == 0 &&
		    ms_same_uuid(l.ml_drive_uuid, d->md_uuid))
			rc = ms_geometry_same(d, &l, d->md_path, ep);
		meta_dev_close(dev);
	}
	if (rc > 0)
		rc = meta_error_set(ep, ME_MDL_NOTFOUND, 0, d->md_name,
				    "cannot add replicas on drive of set '%s' "
				    "(not found on this node)",
				    s->s_rec.ms_name);
	return rc;
}

/* Delete the replicas on drive @di: all of them, or none when they are
 * all the set has (ME_MDDB_LASTREPLICA). */
static int del_replicas_on(struct meta_set *s, int di, meta_error_t *ep)
{
	struct mddb_replica_info ri;
	int k, n = drive_nreplicas(s, di);

	if (n > 0 && n == mddb_replica_count(s->s_db))
		return meta_error_set(ep, ME_MDDB_LASTREPLICA, 0,
				      s->s_drives[di].md_name,
				      "cannot delete the %d replica%s (all "
				      "of set '%s') on",
				      n, n == 1 ? "" : "s", s->s_rec.ms_name);
	for (k = mddb_replica_count(s->s_db) - 1; k >= 0; k--) {
		if (mddb_replica_info(s->s_db, k, &ri, ep) != 0)
			return -1;
		if (!ms_same_uuid(ri.ri_drive_uuid, s->s_drives[di].md_uuid))
			continue;
		if (mddb_replica_del(s->s_db, ri.ri_drive_uuid, ri.ri_index,
				     ep) != 0)
			return -1;
	}
	return 0;
}

int meta_set_drive_del(struct meta_set *s, const char *const *names, int n,
		       bool force, meta_error_t *ep)
{
	int i, di;

	if (s->s_flags & META_SET_RDONLY)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, s->s_rec.ms_name,
				      "cannot delete drives from set");
	for (i = 0; i < n; i++) {
		struct mddb_txn *t;
		struct ml_txn *lt;
		meta_error_t e, we = { 0 };
		bool last = s->s_ndrives == 1, wiped = true;
		uint32_t seq;

		di = drive_index(s, names[i], ep);
		if (di < 0)
			return -1;
		seq = s->s_drives[di].md_seq;
		/* The last drive of the local list ends the mddb: not while
		 * the mddb names others (see drive_ids()). */
		if (last && s->s_db != NULL) {
			struct drive_ids ids = { .di_except = seq };

			if (drive_ids(s, &ids, ep) != 0)
				return -1;
			if (ids.di_others > 0)
				return meta_error_set(
					ep, ME_SET_HASDRIVES, 0,
					s->s_rec.ms_name,
					"cannot delete drive %s (the last "
					"this host knows of; the set's "
					"replicas name %d more, as after a "
					"drive add in doubt: every host must "
					"re-read the set first) from set",
					names[i], ids.di_others);
		}
		/* The local replica's change first, committed after the
		 * mddb's: a failure before the mddb commit changes neither. */
		if (meta_local_begin(&lt, ep) != 0)
			return -1;
		if (meta_local_drive_del(s->s_rec.ms_name, seq, ep) != 0) {
			meta_local_abort(lt);
			return -1;
		}
		if (last) {
			/* The last drive: nobody owns the set any more. */
			ms_set_owner(s, false);
			s->s_rec.ms_rep_size = 0;
			if (ms_local_puts(s, 0, 0, ep) != 0) {
				ms_set_owner(s, true);
				s->s_rec.ms_rep_size =
					s->s_drives[di].md_rep_size;
				meta_local_abort(lt);
				return -1;
			}
		}
		if (!last && s->s_db != NULL) {
			if (del_replicas_on(s, di, ep) != 0 ||
			    mddb_txn_begin(s->s_db, &t, ep) != 0) {
				meta_local_abort(lt);
				return -1;
			}
			if (mddb_txn_del(t, MDDB_RT_DRIVE, seq, ep) != 0) {
				mddb_txn_abort(t);
				meta_local_abort(lt);
				return -1;
			}
			if (mddb_txn_commit(t, ep) != 0) { /* consumed @t */
				meta_local_abort(lt);
				return -1;
			}
		} else if (last) {
			/* The last drive: only the local replica says it is
			 * the set's, so it is committed before the label
			 * goes (a failure leaves the drive in the set). */
			if (meta_local_commit(lt, ep) != 0) {
				ms_set_owner(s, true);
				s->s_rec.ms_rep_size =
					s->s_drives[di].md_rep_size;
				return -1;
			}
			lt = NULL;
			mddb_close(s->s_db);
			s->s_db = NULL;
		}
		/* Out of the mddb: the label goes, and the local replica
		 * follows the mddb even when the label cannot be wiped. */
		if (s->s_devs[di] != NULL) {
			if (mdl_label_wipe(s->s_devs[di], &e) != 0) {
				wiped = false;
				we = e;
			}
			meta_dev_close(s->s_devs[di]);
			s->s_devs[di] = NULL;
		}
		memmove(&s->s_drives[di], &s->s_drives[di + 1],
			(size_t)(s->s_ndrives - di - 1) * sizeof(*s->s_drives));
		memmove(&s->s_devs[di], &s->s_devs[di + 1],
			(size_t)(s->s_ndrives - di - 1) * sizeof(*s->s_devs));
		memmove(&s->s_paths[di], &s->s_paths[di + 1],
			(size_t)(s->s_ndrives - di - 1) * sizeof(*s->s_paths));
		s->s_ndrives--;
		if (lt != NULL && meta_local_commit(lt, ep) != 0)
			return -1;
		if (!wiped && !force)
			return meta_error_set(ep, we.me_code, 0, names[i],
					      "drive left set '%s' but cannot "
					      "wipe label of",
					      s->s_rec.ms_name);
	}
	return 0;
}

int meta_set_replica_add(struct meta_set *s, const char *name, int count,
			 meta_error_t *ep)
{
	struct mddb_replica_spec specs[MDDB_MAXREPLICAS];
	bool used[MDDB_MAXREPLICAS] = { false };
	struct mddb_replica_info ri;
	int di = drive_index(s, name, ep), k, nused = 0, nfree;
	char t1[32];
	uint32_t idx, cap;

	if (di < 0)
		return -1;
	if (s->s_db != NULL && s->s_devs[di] == NULL)
		return drive_unused(s, di, ep);
	if (s->s_db == NULL)
		return meta_error_set(ep, ME_MDDB_NOREPLICA, 0, name,
				      "cannot add replicas on");
	cap = s->s_drives[di].md_rep_cap;
	for (k = 0; k < mddb_replica_count(s->s_db); k++)
		if (mddb_replica_info(s->s_db, k, &ri, NULL) == 0 &&
		    ms_same_uuid(ri.ri_drive_uuid, s->s_drives[di].md_uuid) &&
		    ri.ri_index < MDDB_MAXREPLICAS) {
			used[ri.ri_index] = true;
			nused++;
		}
	nfree = cap > (uint32_t)nused ? (int)cap - nused : 0;
	if (count < 1 || count > nfree)
		return meta_error_set(
			ep, ME_MDL_NOROOM, 0, name,
			"cannot add %d replica%s (its replica area holds %u "
			"of %s, %d in use) on",
			count, count == 1 ? "" : "s", cap,
			mdl_size_text(s->s_drives[di].md_rep_size, t1,
				      sizeof(t1)),
			nused);
	if (check_replica_total(s, count, ep) != 0)
		return -1;
	for (idx = 0, k = 0; k < count; idx++)
		if (!used[idx])
			ms_drive_spec(s, di, idx, &specs[k++]);
	return add_replicas(s, specs, count, false, ep);
}

int meta_set_replica_del(struct meta_set *s, const char *name, meta_error_t *ep)
{
	int di = drive_index(s, name, ep);

	if (di < 0)
		return -1;
	if (s->s_db == NULL || drive_nreplicas(s, di) == 0)
		return meta_error_set(ep, ENOENT, 0, name,
				      "no replicas to delete on");
	return del_replicas_on(s, di, ep);
}
