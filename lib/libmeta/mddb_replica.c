// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mddb replica management: adding replicas to a set's state database,
 * deleting them, and wiping a replica area.
 *
 * Theory.  The replica table (db_reps, written as the locator table of
 * every commit block) changes only in a commit, like a record (mddb.c), so
 * a reader sees a replica join or leave the set with the rest of its commit
 * or not at all.  Only the master commits, so only it adds or deletes.
 *
 * Adding.  mddb_txn_replica_add() checks a new replica against the table
 * and the transaction's other additions and keeps a copy of its spec in the
 * transaction, making room among the reload specs at once so that nothing
 * can fail once the commit has made the replica part of the set.
 * mddb_replica_add() is a transaction with one addition and nothing else.
 * At mddb_txn_commit():
 *
 *   1. mddb_adds_attach() puts each new replica at the end of db_reps,
 *      formats it (its header written, its commit, log and resync areas
 *      zeroed) and writes it every directory page and record of the
 *      in-core state, but no commit block: until a commit block that names
 *      it is durable, nothing reads it as part of the set.  If one fails,
 *      all the new ones leave db_reps again with their headers wiped.
 *   2. The commit (mddb_commit_changes()) writes the transaction's records
 *      and the commit block to every active replica, the new ones too.  Its
 *      write quorum (mddb_commit_quorum()) needs a majority of the old
 *      replicas as well, so that new replicas cannot stand in for old ones
 *      whose writes failed.
 *   3. mddb_adds_done(): after a commit, the new specs join the reload
 *      specs; after a failure, the new replicas leave db_reps, their headers
 *      wiped only if no commit block was written (else the commit may be
 *      visible on disk and name them: mddb_commit_in_doubt()).
 *
 * Deleting.  mddb_replica_del() takes a replica out of db_reps and commits
 * the table without it (no record changes); if the commit fails, the table
 * is put back as it was.  After the commit, the replica's header is wiped
 * (mddb_replica_wipe()) so that nothing mistakes it for a replica.  The
 * last replica cannot be deleted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "mddb_impl.h"

/* ---- Wiping a replica area --------------------------------------------- */

int mddb_replica_wipe(const struct mddb_replica_spec *spec, meta_error_t *ep)
{
	uint8_t *buf = meta_dev_alloc(MDDB_HDR_SIZE);
	int rc;

	if (buf == NULL)
		return meta_error_set(ep, ENOMEM, 0, spec->rs_name,
				      "cannot wipe replica");
	rc = meta_dev_write(spec->rs_dev, buf, MDDB_HDR_SIZE, spec->rs_offset,
			    ep);
	if (rc == 0)
		rc = meta_dev_flush(spec->rs_dev, ep);
	free(buf);
	return rc;
}

/* ---- Adding replicas in a transaction ---------------------------------- */

/* Is replica (@uuid, @index) in @db or among @txn's additions? */
static bool rep_known(const struct mddb *db, const struct mddb_txn *txn,
		      const uint8_t uuid[16], uint32_t index)
{
	for (int i = 0; i < db->db_nreps; i++)
		if (mddb_spec_matches(&db->db_reps[i].rp_spec, uuid, index))
			return true;
	for (int i = 0; txn != NULL && i < txn->t_nadds; i++)
		if (mddb_spec_matches(&txn->t_adds[i], uuid, index))
			return true;
	return false;
}

/* The checks of a replica to add, shared by both ways of adding one. */
static int add_check(const struct mddb *db, const struct mddb_txn *txn,
		     const struct mddb_replica_spec *spec, meta_error_t *ep)
{
	int pending = txn != NULL ? txn->t_nadds : 0;

	if (db->db_nreps + pending >= MDDB_MAXREPLICAS)
		return meta_error_set(ep, ME_MDDB_MAXREPLICAS, 0,
				      db->db_setname,
				      "cannot add a replica to");
	if (rep_known(db, txn, spec->rs_drive_uuid, spec->rs_index))
		return meta_error_set(ep, EEXIST, 0, spec->rs_name,
				      "cannot add replica");
	if (spec->rs_dev == NULL || spec->rs_length < db->db_length ||
	    spec->rs_offset % META_DEV_ALIGN != 0 ||
	    spec->rs_offset + db->db_length > spec->rs_dev->md_size ||
	    spec->rs_dev->md_lsz > db->db_bsize)
		return meta_error_set(ep, ME_MDDB_TOOSMALL, 0, spec->rs_name,
				      "cannot add replica");
	return 0;
}

int mddb_txn_replica_add(struct mddb_txn *txn,
			 const struct mddb_replica_spec *spec, meta_error_t *ep)
{
	struct mddb *db = txn->t_db;
	struct mddb_replica_spec *a, *sp;

	if (txn->t_poisoned)
		return meta_error_set(ep, ME_MDDB_BADTXN, 0, db->db_setname,
				      "cannot add a replica to");
	if (add_check(db, txn, spec, ep) != 0) {
		txn->t_poisoned = true;
		return -1;
	}
	/* Room for the spec among the reload specs now, so that a commit
	 * that made the replica part of the set cannot fail to remember it
	 * (mddb_adds_done()). */
	a = realloc(txn->t_adds, (size_t)(txn->t_nadds + 1) * sizeof(*a));
	if (a != NULL)
		txn->t_adds = a;
	sp = a == NULL ? NULL :
			 realloc(db->db_specs,
				 (size_t)(db->db_nspecs + txn->t_nadds + 1) *
					 sizeof(*sp));
	if (sp == NULL) {
		txn->t_poisoned = true;
		return meta_error_set(ep, ENOMEM, 0, spec->rs_name,
				      "cannot add replica");
	}
	db->db_specs = sp;
	a[txn->t_nadds++] = *spec;
	return 0;
}

/*
 * Take the last @n replicas out of @db again.  When @wipe (the commit
 * cannot have become visible), wipe their headers and, as the replicas
 * that made the set TOOFEW may be just these, judge the quorum again from
 * the ones left; else leave the disk as it is (the newest commit on some
 * replica may name them) and the state as the commit left it.
 */
static void adds_detach(struct mddb *db, int n, bool wipe)
{
	for (int i = 0; i < n; i++) {
		meta_error_t e;

		db->db_nreps--;
		db->db_nadding--;
		if (wipe)
			(void)mddb_replica_wipe(
				&db->db_reps[db->db_nreps].rp_spec, &e);
	}
	if (wipe && db->db_state == MDDB_S_TOOFEW && mddb_commit_quorum(db))
		db->db_state = MDDB_S_OK;
}

/*
 * Format @txn's new replicas and put them at the end of the replica table,
 * each with a copy of the database, before the commit writes to every
 * replica (as mddb_replica_add() does for one).  All or none.
 */
int mddb_adds_attach(struct mddb *db, struct mddb_txn *txn, meta_error_t *ep)
{
	VERIFY3S(db->db_nreps + txn->t_nadds, <=, MDDB_MAXREPLICAS);
	db->db_nadding = 0;
	for (int k = 0; k < txn->t_nadds; k++) {
		int n = db->db_nreps;
		struct mddb_replica *rp = &db->db_reps[n];

		memset(rp, 0, sizeof(*rp));
		rp->rp_spec = txn->t_adds[k];
		rp->rp_have_spec = true;
		rp->rp_hdr_ok = true;
		db->db_nreps++;
		db->db_nadding++;
		if (mddb_rep_format(db, n, ep) != 0 ||
		    mddb_rep_write_all(db, n, false, ep) != 0) {
			adds_detach(db, k + 1, true);
			return -1;
		}
		rp->rp_flags = MDDB_F_ACTIVE | MDDB_F_LOCACC | MDDB_F_UP2DATE;
	}
	return 0;
}

/*
 * After the commit: keep the new replicas' specs for reloads (@ok: room
 * was made by mddb_txn_replica_add()), or take the replicas out again,
 * wiped only if no commit block was written (else the commit may be
 * visible: mddb_commit_in_doubt()).
 */
void mddb_adds_done(struct mddb *db, struct mddb_txn *txn, bool ok)
{
	if (txn->t_nadds == 0)
		return;
	if (!ok) {
		adds_detach(db, txn->t_nadds, !db->db_commit_doubt);
	} else {
		memcpy(db->db_specs + db->db_nspecs, txn->t_adds,
		       (size_t)txn->t_nadds * sizeof(*db->db_specs));
		db->db_nspecs += txn->t_nadds;
	}
	db->db_nadding = 0;
}

/* ---- Replica add and delete -------------------------------------------- */

int mddb_replica_add(struct mddb *db, const struct mddb_replica_spec *spec,
		     meta_error_t *ep)
{
	struct mddb_txn *t;

	if (mddb_txn_begin(db, &t, ep) != 0)
		return -1;
	if (mddb_txn_replica_add(t, spec, ep) != 0) {
		mddb_txn_abort(t);
		return -1;
	}
	return mddb_txn_commit(t, ep);
}

int mddb_replica_del(struct mddb *db, const uint8_t drive_uuid[16],
		     uint32_t index, meta_error_t *ep)
{
	struct mddb_replica gone;
	int i, n = db->db_nreps;
	meta_error_t e;

	if (mddb_writable(db, ep, "cannot delete a replica from") != 0)
		return -1;
	if (db->db_txn != NULL)
		return meta_error_set(ep, EBUSY, 0, db->db_setname,
				      "cannot delete a replica (a transaction "
				      "is open) from");
	for (i = 0; i < n; i++)
		if (mddb_spec_matches(&db->db_reps[i].rp_spec, drive_uuid,
				      index))
			break;
	if (i == n)
		return meta_error_set(ep, ENOENT, 0, db->db_setname,
				      "cannot delete replica from");
	if (n == 1)
		return meta_error_set(ep, ME_MDDB_LASTREPLICA, 0,
				      db->db_setname,
				      "cannot delete replica from");
	gone = db->db_reps[i];
	memmove(&db->db_reps[i], &db->db_reps[i + 1],
		(size_t)(n - i - 1) * sizeof(gone));
	db->db_nreps--;
	if (mddb_commit_changes(db, NULL, 0, ep) != 0) {
		memmove(&db->db_reps[i + 1], &db->db_reps[i],
			(size_t)(n - i - 1) * sizeof(gone));
		db->db_reps[i] = gone;
		db->db_nreps++;
		return -1;
	}
	/* Wipe its header so that nothing mistakes it for a replica. */
	if (gone.rp_have_spec)
		(void)mddb_replica_wipe(&gone.rp_spec, &e);
	return 0;
}
