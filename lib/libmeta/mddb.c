// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mddb: load, quorum and atomic commit of a set's state database.
 *
 * Theory.  Every replica of a set has the same geometry and, when up to
 * date, the same bytes: a header, two commit slots, the change-log and
 * resync slots, and a data region of blocks holding record extents and
 * directory pages (doc/format-mddb.md).  The in-core database holds every
 * record, the directory (a slot per record, MDDB_DIRENTS slots per page) and
 * a bitmap of the data blocks in use.
 *
 * The commit protocol (shadow paging with a commit count, as the original's
 * locator "commit count picks the newest copy"):
 *
 *   1. Each changed record gets a new extent in blocks that the durable
 *      state (commit txg) does not reference; each directory page that holds
 *      a changed slot is re-encoded into a new extent too.  Nothing the
 *      durable state references is ever overwritten.
 *   2. Those extents are written to every active replica, then every
 *      replica is flushed.
 *   3. The commit block txg + 1 (the locator table, the directory page
 *      pointers, a CRC over all of it) is written to commit slot
 *      (txg + 1) % 2 of every replica, then every replica is flushed.  That
 *      slot held txg - 1, which is no longer needed: txg is durable in the
 *      other slot.
 *   4. In core: the new records replace the old; the extents the old ones
 *      used become free for commit txg + 2's step 1 (they were referenced by
 *      txg, which stays the fallback until txg + 1 is durable).
 *
 * A reader takes, on each replica, the valid commit slot with the higher
 * count, and over all replicas the highest count.  A crash before step 3
 * leaves every replica at txg (the new extents are unreferenced garbage); a
 * crash or torn write in step 3 leaves each replica at txg or txg + 1, each
 * complete: the torn slot fails its CRC and the other slot (txg) is used.
 * So every reader sees all of a commit or none of it.  A replica found at a
 * lower count than the newest is rewritten in full at load (repair): its
 * commit slots are zeroed first, so that a crash during the repair leaves it
 * with no valid commit rather than a mixed one.
 *
 * Cost of a commit: the changed records, at most one directory page per
 * changed record, and one commit block per replica: it does not grow with
 * the number of records in the set.
 *
 * Quorum and replica flags: see mddb.h.  A replica whose write fails is
 * marked EWRITE and no longer written; if fewer than (lc + 1) / 2 stay
 * active, the database is TOOFEW until reloaded.
 *
 * Replicas join and leave the set in a commit too, as a changed locator
 * table: mddb_replica.c adds, deletes and wipes them.
 *
 * Who writes: the master commits; slaves open read-only and reload on PARSE;
 * resync slots are written by the mirror owner (mddb_slots.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oban/debug.h>

#include "mddb_impl.h"
#include "meta_crc.h"

/* ---- Small helpers ----------------------------------------------------- */

int mddb_rep_object(const struct mddb *db, int i, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/%d (%s)", db->db_setname, i,
			db->db_reps[i].rp_spec.rs_name);
}

int mddb_quorum_need(const struct mddb *db)
{
	return (db->db_nreps + 1) / 2;
}

static int mddb_nactive(const struct mddb *db)
{
	int i, n = 0;

	for (i = 0; i < db->db_nreps; i++)
		if (db->db_reps[i].rp_flags & MDDB_F_ACTIVE)
			n++;
	return n;
}

void mddb_replica_failed(struct mddb *db, int i, uint32_t flag)
{
	db->db_reps[i].rp_flags &= ~(MDDB_F_ACTIVE | MDDB_F_UP2DATE);
	db->db_reps[i].rp_flags |= flag;
	if (db->db_state == MDDB_S_OK &&
	    mddb_nactive(db) < mddb_quorum_need(db))
		db->db_state = MDDB_S_TOOFEW;
}

static int rep_io(struct mddb *db, int i, bool wr, void *buf, size_t len,
		  uint64_t off, meta_error_t *ep)
{
	struct mddb_replica_spec *rs = &db->db_reps[i].rp_spec;

	if (!db->db_reps[i].rp_have_spec || rs->rs_dev == NULL)
		return meta_error_set(ep, ENODEV, 0, rs->rs_name,
				      "cannot reach replica");
	if (wr)
		return meta_dev_write(rs->rs_dev, buf, len, rs->rs_offset + off,
				      ep);
	return meta_dev_read(rs->rs_dev, buf, len, rs->rs_offset + off, ep);
}

static uint64_t blk_off(const struct mddb *db, uint32_t blk)
{
	return MDDB_OFF_DATA + (uint64_t)blk * db->db_bsize;
}

static uint32_t dirpage_nblks(const struct mddb *db)
{
	return MDDB_DIRPAGE_SIZE / db->db_bsize;
}

static uint32_t rec_nblks(const struct mddb *db, size_t len)
{
	return (uint32_t)((MDDB_RECHDR_SIZE + len + db->db_bsize - 1) /
			  db->db_bsize);
}

/* ---- Block allocation -------------------------------------------------- */

static bool bm_test(const struct mddb *db, uint32_t b)
{
	return (db->db_bmap[b / 8] >> (b % 8)) & 1;
}

static void bm_mark(struct mddb *db, uint32_t b, uint32_t n, bool used)
{
	for (; n > 0; n--, b++) {
		uint8_t bit = (uint8_t)(1U << (b % 8));

		if (used && !(db->db_bmap[b / 8] & bit)) {
			db->db_bmap[b / 8] |= bit;
			db->db_nused++;
		} else if (!used && (db->db_bmap[b / 8] & bit)) {
			db->db_bmap[b / 8] &= (uint8_t)~bit;
			db->db_nused--;
		}
	}
}

/* Next-fit search for @n free blocks in [0, @lim); MDDB_NOBLK if none. */
static uint32_t bm_nextfit(struct mddb *db, uint32_t n, uint32_t lim)
{
	uint32_t start = db->db_cursor < lim ? db->db_cursor : 0;
	uint32_t b = start, run = 0, wrapped = 0;

	if (n == 0 || n > lim)
		return MDDB_NOBLK;
	for (;;) {
		if (b >= lim) {
			if (wrapped++)
				return MDDB_NOBLK;
			b = 0;
			run = 0;
		}
		if (wrapped && b >= start + n)
			return MDDB_NOBLK;
		if (bm_test(db, b)) {
			run = 0;
		} else if (++run == n) {
			uint32_t first = b + 1 - n;

			bm_mark(db, first, n, true);
			db->db_cursor = b + 1;
			return first;
		}
		b++;
	}
}

/*
 * Allocate @n free blocks.  Next fit, so that blocks freed by a commit are
 * reused as late as possible (a reader on another node may still be
 * loading the commit that referenced them, doc/format-mddb.md); but the
 * cursor wraps at a window of the blocks in use plus a quarter of them (at
 * least MDDB_ALLOC_SLACK bytes), so that a set's records stay near the
 * start of the data region and a load, which reads what is in use in runs,
 * reads little more than that.  Only when the window has no room is the
 * whole region searched.
 */
#define MDDB_ALLOC_SLACK (1024 * 1024) /* bytes */

static uint32_t bm_alloc(struct mddb *db, uint32_t n)
{
	uint64_t slack = db->db_nused / 4, lim;
	uint32_t b;

	if (slack < MDDB_ALLOC_SLACK / db->db_bsize)
		slack = MDDB_ALLOC_SLACK / db->db_bsize;
	lim = (uint64_t)db->db_nused + n + slack;
	if (lim < db->db_nblocks) {
		b = bm_nextfit(db, n, (uint32_t)lim);
		if (b != MDDB_NOBLK)
			return b;
	}
	return bm_nextfit(db, n, db->db_nblocks);
}

/* ---- The sorted record table ------------------------------------------- */

static int key_cmp(uint32_t t1, uint32_t i1, uint32_t t2, uint32_t i2)
{
	if (t1 != t2)
		return t1 < t2 ? -1 : 1;
	if (i1 != i2)
		return i1 < i2 ? -1 : 1;
	return 0;
}

/* Index of (type, id), or of where it would go; *found says which. */
static uint32_t rec_search(const struct mddb *db, uint32_t type, uint32_t id,
			   bool *found)
{
	uint32_t lo = 0, hi = db->db_nrecs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(db->db_recs[mid]->r_type,
				db->db_recs[mid]->r_id, type, id);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static struct mddb_rec *rec_find(const struct mddb *db, uint32_t type,
				 uint32_t id)
{
	bool found;
	uint32_t i = rec_search(db, type, id, &found);

	return found ? db->db_recs[i] : NULL;
}

static int rec_insert(struct mddb *db, struct mddb_rec *r)
{
	bool found;
	uint32_t i = rec_search(db, r->r_type, r->r_id, &found);

	if (found) {
		db->db_recs[i] = r;
		return 0;
	}
	if (db->db_nrecs == db->db_caprecs) {
		uint32_t cap = db->db_caprecs ? db->db_caprecs * 2 : 64;
		struct mddb_rec **n = realloc(db->db_recs, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		db->db_recs = n;
		db->db_caprecs = cap;
	}
	memmove(&db->db_recs[i + 1], &db->db_recs[i],
		(db->db_nrecs - i) * sizeof(*db->db_recs));
	db->db_recs[i] = r;
	db->db_nrecs++;
	return 0;
}

static void rec_remove(struct mddb *db, uint32_t type, uint32_t id)
{
	bool found;
	uint32_t i = rec_search(db, type, id, &found);

	if (!found)
		return;
	memmove(&db->db_recs[i], &db->db_recs[i + 1],
		(db->db_nrecs - i - 1) * sizeof(*db->db_recs));
	db->db_nrecs--;
}

static void rec_free(struct mddb_rec *r)
{
	if (r != NULL) {
		free(r->r_data);
		free(r);
	}
}

/* ---- Encoding in-core state into blocks -------------------------------- */

static void *rec_extent(const struct mddb *db, const struct mddb_rec *r)
{
	size_t sz = (size_t)r->r_nblks * db->db_bsize;
	uint8_t *buf = meta_dev_alloc(sz);
	struct mddb_rechdr rh = {
		.rh_type = r->r_type,
		.rh_id = r->r_id,
		.rh_len = r->r_len,
		.rh_dcrc = r->r_dcrc,
		.rh_txg = r->r_txg,
	};

	if (buf == NULL)
		return NULL;
	mddb_rechdr_encode(&rh, buf);
	if (r->r_len > 0)
		memcpy(buf + MDDB_RECHDR_SIZE, r->r_data, r->r_len);
	return buf;
}

/* Encode directory page @p from its MDDB_DIRENTS slots @ents. */
static void dirpage_build(struct mddb_rec *const *ents, uint32_t p,
			  uint64_t txg, void *buf)
{
	struct mddb_dirpage *dp = calloc(1, sizeof(*dp));
	uint32_t i;

	VERIFY(dp != NULL);
	dp->p_index = p;
	dp->p_txg = txg;
	for (i = 0; i < MDDB_DIRENTS; i++) {
		const struct mddb_rec *r = ents[i];
		struct mddb_dirent *e = &dp->p_ents[i];

		if (r == NULL)
			continue;
		e->e_type = r->r_type;
		e->e_id = r->r_id;
		e->e_len = r->r_len;
		e->e_blk = r->r_blk;
		e->e_nblks = r->r_nblks;
		e->e_dcrc = r->r_dcrc;
		e->e_txg = r->r_txg;
		dp->p_nused++;
	}
	mddb_dirpage_encode(dp, buf);
	free(dp);
}

static void commit_build(const struct mddb *db, uint64_t txg,
			 const uint32_t *dirblk, uint32_t ndirpages,
			 uint32_t nrecords, void *buf)
{
	struct mddb_commit *c = calloc(1, sizeof(*c));
	int i;

	VERIFY(c != NULL);
	c->c_txg = txg;
	c->c_time = (uint64_t)time(NULL);
	memcpy(c->c_set_uuid, db->db_set_uuid, 16);
	c->c_nrecords = nrecords;
	c->c_ndirpages = ndirpages;
	c->c_bsize = db->db_bsize;
	c->c_data_blocks = db->db_nblocks;
	for (i = 0; i < db->db_nreps; i++) {
		memcpy(c->c_locs[i].l_drive_uuid,
		       db->db_reps[i].rp_spec.rs_drive_uuid, 16);
		c->c_locs[i].l_index = db->db_reps[i].rp_spec.rs_index;
		c->c_locs[i].l_flags = 0;
	}
	c->c_nlocators = (uint32_t)db->db_nreps;
	memcpy(c->c_dirblk, dirblk, ndirpages * sizeof(*dirblk));
	mddb_commit_encode(c, buf);
	free(c);
}

/* Write the replica header and zero its commit, log and resync areas. */
int mddb_rep_format(struct mddb *db, int i, meta_error_t *ep)
{
	size_t zlen = MDDB_OFF_DATA;
	uint8_t *buf = meta_dev_alloc(zlen);
	struct mddb_hdr h = { 0 };
	int rc;

	if (buf == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot format");
	h.h_version = MDDB_VERSION;
	memcpy(h.h_set_uuid, db->db_set_uuid, 16);
	memcpy(h.h_drive_uuid, db->db_reps[i].rp_spec.rs_drive_uuid, 16);
	h.h_index = db->db_reps[i].rp_spec.rs_index;
	h.h_bsize = db->db_bsize;
	h.h_length = db->db_length;
	h.h_data_off = MDDB_OFF_DATA;
	h.h_data_blocks = db->db_nblocks;
	h.h_setno = db->db_setno;
	h.h_ctime = db->db_ctime;
	h.h_flags = db->db_mn ? MDDB_HF_MN : 0;
	memcpy(h.h_setname, db->db_setname, sizeof(h.h_setname));
	mddb_hdr_encode(&h, buf);
	rc = rep_io(db, i, true, buf, zlen, 0, ep);
	free(buf);
	return rc;
}

/*
 * Write every directory page and record of the in-core state to replica @i
 * at their addresses.  With @commit, then write the current commit block
 * (after zeroing both commit slots first and flushing in between, so that a
 * crash never leaves a valid commit over half-written blocks).
 */
int mddb_rep_write_all(struct mddb *db, int i, bool commit, meta_error_t *ep)
{
	struct meta_dev *d = db->db_reps[i].rp_spec.rs_dev;
	uint8_t *buf = meta_dev_alloc(2 * MDDB_COMMIT_SIZE);
	uint32_t p, k;
	int rc = -1;

	if (buf == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot repair");
	if (commit) {
		/* The older slot first: a crash in between leaves the newest
		 * commit, whose blocks are still intact; never the older one,
		 * whose blocks later commits may have reused. */
		uint64_t newest = db->db_reps[i].rp_txg % 2;

		if (rep_io(db, i, true, buf, MDDB_COMMIT_SIZE,
			   MDDB_OFF_COMMIT + (1 - newest) * MDDB_COMMIT_SIZE,
			   ep) != 0 ||
		    meta_dev_flush(d, ep) != 0 ||
		    rep_io(db, i, true, buf, MDDB_COMMIT_SIZE,
			   MDDB_OFF_COMMIT + newest * MDDB_COMMIT_SIZE,
			   ep) != 0 ||
		    meta_dev_flush(d, ep) != 0)
			goto out;
	}
	for (p = 0; p < db->db_ndirpages; p++) {
		if (db->db_dirblk[p] == MDDB_NOBLK)
			continue;
		dirpage_build(db->db_slots + (size_t)p * MDDB_DIRENTS, p,
			      db->db_txg, buf);
		if (rep_io(db, i, true, buf, MDDB_DIRPAGE_SIZE,
			   blk_off(db, db->db_dirblk[p]), ep) != 0)
			goto out;
	}
	for (k = 0; k < db->db_nrecs; k++) {
		const struct mddb_rec *r = db->db_recs[k];
		void *ext = rec_extent(db, r);

		if (ext == NULL) {
			meta_error_set(ep, ENOMEM, 0, NULL, "cannot repair");
			goto out;
		}
		rc = rep_io(db, i, true, ext, (size_t)r->r_nblks * db->db_bsize,
			    blk_off(db, r->r_blk), ep);
		free(ext);
		if (rc != 0)
			goto out;
		rc = -1;
	}
	if (meta_dev_flush(d, ep) != 0)
		goto out;
	if (commit) {
		commit_build(db, db->db_txg, db->db_dirblk, db->db_ndirpages,
			     db->db_nrecs, buf);
		if (rep_io(db, i, true, buf, MDDB_COMMIT_SIZE,
			   MDDB_OFF_COMMIT +
				   (db->db_txg % 2) * MDDB_COMMIT_SIZE,
			   ep) != 0 ||
		    meta_dev_flush(d, ep) != 0)
			goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* ---- Lifecycle --------------------------------------------------------- */

static void mddb_free_state(struct mddb *db)
{
	uint32_t k;

	for (k = 0; k < db->db_nrecs; k++)
		rec_free(db->db_recs[k]);
	free(db->db_recs);
	free(db->db_slots);
	free(db->db_bmap);
	db->db_recs = NULL;
	db->db_slots = NULL;
	db->db_bmap = NULL;
	db->db_nrecs = db->db_caprecs = 0;
}

void mddb_close(struct mddb *db)
{
	meta_error_t e;

	if (db == NULL)
		return;
	VERIFY(db->db_txn == NULL);
	meta_error_init(&e);
	(void)mddb_log_flush(db, &e); /* a clear left unflushed */
	mddb_free_state(db);
	free(db->db_specs);
	free(db);
}

static int mddb_alloc_state(struct mddb *db)
{
	db->db_slots = calloc(MDDB_MAXRECS, sizeof(*db->db_slots));
	db->db_bmap = calloc((db->db_nblocks + 7) / 8, 1);
	db->db_nused = 0;
	if (db->db_slots == NULL || db->db_bmap == NULL)
		return -1;
	for (uint32_t p = 0; p < MDDB_MAXDIRPAGES; p++)
		db->db_dirblk[p] = MDDB_NOBLK;
	return 0;
}

bool mddb_spec_matches(const struct mddb_replica_spec *a,
		       const uint8_t uuid[16], uint32_t index)
{
	return memcmp(a->rs_drive_uuid, uuid, 16) == 0 && a->rs_index == index;
}

int mddb_create(const struct mddb_create_args *args,
		const struct mddb_replica_spec *specs, int nspecs,
		struct mddb **dbp, meta_error_t *ep)
{
	struct mddb *db;
	uint32_t lsz = 512;
	uint8_t *buf = NULL;
	int i, j;

	if (nspecs < 1 || args->ca_setname == NULL)
		return meta_error_set(ep, EINVAL, 0, NULL,
				      "cannot create state database");
	if (nspecs > MDDB_MAXREPLICAS)
		return meta_error_set(ep, ME_MDDB_MAXREPLICAS, 0,
				      args->ca_setname,
				      "cannot create state database");
	for (i = 0; i < nspecs; i++) {
		if (specs[i].rs_dev == NULL ||
		    specs[i].rs_length != specs[0].rs_length ||
		    specs[i].rs_offset % META_DEV_ALIGN != 0)
			return meta_error_set(ep, EINVAL, 0, specs[i].rs_name,
					      "cannot create replica");
		if (specs[i].rs_length < MDDB_MINBYTES ||
		    specs[i].rs_length > MDDB_MAXBYTES ||
		    specs[i].rs_offset + specs[i].rs_length >
			    specs[i].rs_dev->md_size)
			return meta_error_set(ep, ME_MDDB_TOOSMALL, 0,
					      specs[i].rs_name,
					      "cannot create replica");
		for (j = 0; j < i; j++)
			if (mddb_spec_matches(&specs[j], specs[i].rs_drive_uuid,
					      specs[i].rs_index))
				return meta_error_set(ep, EEXIST, 0,
						      specs[i].rs_name,
						      "cannot create replica");
		if (specs[i].rs_dev->md_lsz > lsz)
			lsz = specs[i].rs_dev->md_lsz;
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL,
				      "cannot create state database");
	memcpy(db->db_set_uuid, args->ca_set_uuid, 16);
	db->db_setno = args->ca_setno;
	snprintf(db->db_setname, sizeof(db->db_setname), "%s",
		 args->ca_setname);
	db->db_mn = args->ca_mn;
	db->db_ctime = (uint64_t)time(NULL);
	db->db_bsize = lsz;
	db->db_length = specs[0].rs_length;
	db->db_nblocks =
		(uint32_t)((db->db_length - MDDB_OFF_DATA) / db->db_bsize);
	db->db_txg = 1;
	db->db_nreps = nspecs;
	db->db_specs = calloc((size_t)nspecs, sizeof(*specs));
	buf = meta_dev_alloc(MDDB_COMMIT_SIZE);
	if (db->db_specs == NULL || buf == NULL || mddb_alloc_state(db) != 0) {
		meta_error_set(ep, ENOMEM, 0, NULL,
			       "cannot create state database");
		goto out_free;
	}
	memcpy(db->db_specs, specs, (size_t)nspecs * sizeof(*specs));
	db->db_nspecs = nspecs;
	for (i = 0; i < nspecs; i++) {
		db->db_reps[i].rp_spec = specs[i];
		db->db_reps[i].rp_have_spec = true;
		db->db_reps[i].rp_hdr_ok = true;
		db->db_reps[i].rp_txg = 1;
		db->db_reps[i].rp_flags = MDDB_F_ACTIVE | MDDB_F_LOCACC |
					  MDDB_F_UP2DATE;
	}
	db->db_reps[0].rp_flags |= MDDB_F_MASTER;
	commit_build(db, 1, db->db_dirblk, 0, 0, buf);
	for (i = 0; i < nspecs; i++) {
		if (mddb_rep_format(db, i, ep) != 0 ||
		    meta_dev_flush(specs[i].rs_dev, ep) != 0 ||
		    rep_io(db, i, true, buf, MDDB_COMMIT_SIZE,
			   MDDB_OFF_COMMIT + MDDB_COMMIT_SIZE, ep) != 0 ||
		    meta_dev_flush(specs[i].rs_dev, ep) != 0)
			goto out_free;
	}
	free(buf);
	*dbp = db;
	return 0;

out_free:
	free(buf);
	mddb_close(db);
	return -1;
}

/* ---- Loading ----------------------------------------------------------- */

struct mddb_probe {
	int pr_err; /* why the header or commits are unusable, 0 if usable */
	uint32_t pr_flags;
	bool pr_hdr_ok;
	struct mddb_hdr pr_hdr;
	struct mddb_commit *pr_commit; /* the newest valid one, or NULL */
};

static void probe_replica(const uint8_t set_uuid[16],
			  const struct mddb_replica_spec *rs,
			  struct mddb_probe *pr)
{
	uint8_t *buf = meta_dev_alloc(2 * MDDB_COMMIT_SIZE);
	struct mddb_commit *c = calloc(2, sizeof(*c));
	meta_error_t e;
	int k, err;

	if (buf == NULL || c == NULL) {
		pr->pr_err = ENOMEM;
		goto out;
	}
	if (rs->rs_dev == NULL) {
		pr->pr_err = ENODEV;
		pr->pr_flags = MDDB_F_NODEV;
		goto out;
	}
	if (rs->rs_offset + rs->rs_length > rs->rs_dev->md_size ||
	    rs->rs_length < MDDB_MINBYTES) {
		pr->pr_err = ME_MDDB_TRUNCATED;
		pr->pr_flags = MDDB_F_TOOSMALL;
		goto out;
	}
	if (meta_dev_read(rs->rs_dev, buf, MDDB_HDR_SIZE, rs->rs_offset, &e)) {
		pr->pr_err = e.me_code;
		pr->pr_flags = MDDB_F_EREAD;
		goto out;
	}
	err = mddb_hdr_decode(buf, &pr->pr_hdr);
	if (err == 0 &&
	    (memcmp(pr->pr_hdr.h_set_uuid, set_uuid, 16) != 0 ||
	     memcmp(pr->pr_hdr.h_drive_uuid, rs->rs_drive_uuid, 16) != 0 ||
	     pr->pr_hdr.h_index != rs->rs_index))
		err = SET_ERROR(ME_MDDB_CORRUPT);
	if (err == 0 && pr->pr_hdr.h_length > rs->rs_length)
		err = SET_ERROR(ME_MDDB_TRUNCATED);
	if (err != 0) {
		pr->pr_err = err;
		pr->pr_flags = MDDB_F_EFMT | MDDB_F_EMASTER;
		goto out;
	}
	pr->pr_hdr_ok = true;
	if (meta_dev_read(rs->rs_dev, buf, 2 * MDDB_COMMIT_SIZE,
			  rs->rs_offset + MDDB_OFF_COMMIT, &e)) {
		pr->pr_err = e.me_code;
		pr->pr_flags = MDDB_F_EREAD;
		goto out;
	}
	err = ME_MDDB_CORRUPT;
	for (k = 0; k < 2; k++) {
		int ek = mddb_commit_decode(buf + k * MDDB_COMMIT_SIZE, &c[k]);

		if (ek == 0 && (memcmp(c[k].c_set_uuid, set_uuid, 16) != 0 ||
				c[k].c_bsize != pr->pr_hdr.h_bsize ||
				c[k].c_data_blocks != pr->pr_hdr.h_data_blocks))
			ek = SET_ERROR(ME_MDDB_CORRUPT);
		if (ek == 0 && (pr->pr_commit == NULL ||
				c[k].c_txg > pr->pr_commit->c_txg))
			pr->pr_commit = &c[k];
		else if (ek == ME_MDDB_INCOMPAT || ek == ME_MDDB_BADVERSION)
			err = ek;
	}
	/* A genuine commit (its CRC holds) of an unknown format: refuse the
	 * replica rather than fall back to the older slot. */
	if (err == ME_MDDB_INCOMPAT || err == ME_MDDB_BADVERSION)
		pr->pr_commit = NULL;
	if (pr->pr_commit == NULL) {
		pr->pr_err = err;
		pr->pr_flags = MDDB_F_EDATA;
		goto out;
	}
	if (pr->pr_commit != c) { /* keep the good one first, free as one */
		c[0] = c[1];
		pr->pr_commit = c;
	}
	c = NULL;
out:
	free(c);
	free(buf);
}

/*
 * Loading reads only what the newest commit references: its directory
 * pages, then the record extents that those pages list, never the rest of
 * the data region.  Each kind is sorted by block and read in runs: extents
 * less than MDDB_RUN_GAP apart share one read of at most MDDB_RUN_MAX bytes
 * (or one extent, if larger), from the replica the load currently trusts.
 * The runs stay in memory for the whole load (up to MDDB_RUN_KEEP bytes),
 * so that records lying in a run read for the directory pages are not read
 * again.  Every extent is checked in full (magic, CRC, identity against
 * the directory).  An extent that fails there, or lies in no run that
 * could be read, is read alone from the other up-to-date replicas
 * (load_block), and a replica whose copy is bad loses UP2DATE, as it
 * always did.
 *
 * The gap: one more read costs about as much as reading 100 KiB more in
 * the same one (O_DIRECT on a virtual disk here, flash alike); the
 * directory pages of a big set lie among its records, each alone if the
 * gap were small.
 */
#define MDDB_RUN_GAP (128 * 1024)
#define MDDB_RUN_MAX (1024 * 1024)
#define MDDB_RUN_KEEP (64 * 1024 * 1024)

struct load_ext {
	uint32_t le_blk, le_nblks;
	uint32_t le_idx; /* directory page, or directory slot */
};

static int ext_cmp(const void *a, const void *b)
{
	const struct load_ext *x = a, *y = b;

	return x->le_blk < y->le_blk ? -1 : x->le_blk > y->le_blk;
}

static void exts_sort(struct load_ext *ex, uint32_t n)
{
	for (uint32_t k = 1; k < n; k++) {
		if (ex[k - 1].le_blk > ex[k].le_blk) {
			qsort(ex, n, sizeof(*ex), ext_cmp);
			return;
		}
	}
}

static void runs_free(struct mddb *db)
{
	for (uint32_t k = 0; k < db->db_nruns; k++)
		free(db->db_runs[k].rn_buf);
	free(db->db_runs);
	db->db_runs = NULL;
	db->db_nruns = db->db_capruns = 0;
	db->db_runbytes = 0;
}

/* The run of replica @rep holding blocks [blk, blk + n), or NULL. */
static const struct mddb_run *run_find(const struct mddb *db, int rep,
				       uint32_t blk, uint32_t n)
{
	uint32_t lo = 0, hi = db->db_nruns, k;

	while (lo < hi) { /* the first run starting after blk */
		uint32_t mid = lo + (hi - lo) / 2;

		if (db->db_runs[mid].rn_blk <= blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Runs may overlap: look at a few that start at or before blk. */
	for (k = lo; k > 0 && lo - k < 8; k--) {
		const struct mddb_run *r = &db->db_runs[k - 1];

		if (r->rn_rep == rep && blk - r->rn_blk < r->rn_nblks &&
		    n <= r->rn_nblks - (blk - r->rn_blk))
			return r;
	}
	return NULL;
}

/*
 * Read the run of extents starting at @ex[@k] from replica @rep and keep
 * it; return the index after its last extent.  Extents already in a run
 * are skipped and end a run.  A failed read keeps nothing: the extents are
 * then read one by one by load_block.
 */
static uint32_t run_read(struct mddb *db, int rep, const struct load_ext *ex,
			 uint32_t n, uint32_t k)
{
	uint32_t gap = MDDB_RUN_GAP / db->db_bsize;
	uint32_t max = MDDB_RUN_MAX / db->db_bsize;
	uint32_t start, end, i;
	struct mddb_run *r;
	void *p = NULL;
	size_t sz;
	meta_error_t e;

	if (run_find(db, rep, ex[k].le_blk, ex[k].le_nblks) != NULL)
		return k + 1;
	start = ex[k].le_blk;
	end = start + ex[k].le_nblks;
	for (k++; k < n; k++) {
		uint32_t b = ex[k].le_blk, eend = b + ex[k].le_nblks;

		if (b > end + gap || (eend > end && eend - start > max) ||
		    run_find(db, rep, b, ex[k].le_nblks) != NULL)
			break;
		if (eend > end)
			end = eend;
	}
	sz = (size_t)(end - start) * db->db_bsize;
	if (db->db_runbytes + sz > MDDB_RUN_KEEP)
		runs_free(db);
	if (db->db_nruns == db->db_capruns) {
		uint32_t cap = db->db_capruns ? 2 * db->db_capruns : 16;
		struct mddb_run *nr = realloc(db->db_runs, cap * sizeof(*nr));

		if (nr == NULL)
			return k;
		db->db_runs = nr;
		db->db_capruns = cap;
	}
	/* Not meta_dev_alloc(): no need to zero what the read fills. */
	if (!(db->db_reps[rep].rp_flags & MDDB_F_UP2DATE) ||
	    posix_memalign(&p, META_DEV_ALIGN, sz) != 0)
		return k;
	if (rep_io(db, rep, false, p, sz, blk_off(db, start), &e) != 0) {
		free(p);
		return k;
	}
	for (i = db->db_nruns; i > 0 && db->db_runs[i - 1].rn_blk > start; i--)
		;
	memmove(&db->db_runs[i + 1], &db->db_runs[i],
		(db->db_nruns - i) * sizeof(*r));
	r = &db->db_runs[i];
	r->rn_buf = p;
	r->rn_blk = start;
	r->rn_nblks = end - start;
	r->rn_rep = rep;
	db->db_nruns++;
	db->db_runbytes += sz;
	return k;
}

/*
 * Read the extent at @blk of @len bytes from the up-to-date replicas,
 * starting with @first (from a run if one holds it, else into *@bufp,
 * allocated on first use), and check it; *@datap points at the checked
 * copy.  A replica whose copy is bad is marked EDATA, one that cannot be
 * read EREAD.
 */
static int load_block(struct mddb *db, int *first, uint32_t blk, size_t len,
		      uint8_t **bufp, const uint8_t **datap,
		      int (*check)(const void *buf, const void *arg),
		      const void *arg)
{
	uint32_t nblks = (uint32_t)(len / db->db_bsize);
	const struct mddb_run *r;
	const uint8_t *p;
	int n, i;
	meta_error_t e;

	for (n = 0; n < db->db_nreps; n++) {
		i = (*first + n) % db->db_nreps;
		if (!(db->db_reps[i].rp_flags & MDDB_F_UP2DATE))
			continue;
		r = run_find(db, i, blk, nblks);
		if (r != NULL) {
			p = r->rn_buf +
			    (size_t)(blk - r->rn_blk) * db->db_bsize;
		} else if (*bufp == NULL &&
			   (*bufp = meta_dev_alloc(MDDB_REC_MAXLEN +
						   2 * MDDB_RECHDR_SIZE +
						   4096)) == NULL) {
			return ENOMEM;
		} else if (rep_io(db, i, false, *bufp, len, blk_off(db, blk),
				  &e) != 0) {
			db->db_reps[i].rp_flags &= ~MDDB_F_UP2DATE;
			db->db_reps[i].rp_flags |= MDDB_F_EREAD;
			continue;
		} else {
			p = *bufp;
		}
		if (check(p, arg) != 0) {
			db->db_reps[i].rp_flags &= ~MDDB_F_UP2DATE;
			db->db_reps[i].rp_flags |= MDDB_F_EDATA;
			continue;
		}
		*first = i;
		*datap = p;
		return 0;
	}
	return SET_ERROR(ME_MDDB_CORRUPT);
}

struct dirpage_check {
	uint32_t dc_index;
	uint64_t dc_txg; /* the commit being loaded */
	struct mddb_dirpage *dc_page;
};

/*
 * A directory page is the one the commit references if it decodes, has
 * the index the commit gives it, and was written by that commit or an
 * earlier one: a block the commit references is rewritten only by a later
 * commit (after the page it held was replaced), so a page found there with
 * a higher count is a newer one that reused the block under a reader.
 */
static int check_dirpage(const void *buf, const void *arg)
{
	const struct dirpage_check *dc = arg;
	int err = mddb_dirpage_decode(buf, dc->dc_page);

	if (err == 0 && (dc->dc_page->p_index != dc->dc_index ||
			 dc->dc_page->p_txg > dc->dc_txg))
		err = SET_ERROR(ME_MDDB_CORRUPT);
	return err;
}

static int check_record(const void *buf, const void *arg)
{
	const struct mddb_dirent *e = arg;
	struct mddb_rechdr rh;
	int err = mddb_rechdr_decode(buf, &rh);

	if (err != 0)
		return err;
	if (rh.rh_type != e->e_type || rh.rh_id != e->e_id ||
	    rh.rh_len != e->e_len || rh.rh_txg != e->e_txg ||
	    rh.rh_dcrc != e->e_dcrc ||
	    !META_CRC_OK(meta_crc32c(0, (const uint8_t *)buf + MDDB_RECHDR_SIZE,
				     rh.rh_len),
			 rh.rh_dcrc))
		return SET_ERROR(ME_MDDB_CORRUPT);
	return 0;
}

/* In the region, and not overlapping anything marked in use so far. */
static bool extent_ok(const struct mddb *db, uint32_t blk, uint32_t n)
{
	uint32_t b;

	if (n == 0 || blk >= db->db_nblocks || n > db->db_nblocks - blk)
		return false;
	for (b = blk; b < blk + n; b++)
		if (bm_test(db, b))
			return false;
	return true;
}

static int rec_ptr_cmp(const void *a, const void *b)
{
	const struct mddb_rec *x = *(struct mddb_rec *const *)a;
	const struct mddb_rec *y = *(struct mddb_rec *const *)b;

	return key_cmp(x->r_type, x->r_id, y->r_type, y->r_id);
}

/* Sort db_recs by (type, id); two records of one key are damage. */
static int recs_sort(struct mddb *db)
{
	uint32_t k;

	for (k = 1; k < db->db_nrecs; k++)
		if (rec_ptr_cmp(&db->db_recs[k - 1], &db->db_recs[k]) >= 0)
			break;
	if (k == db->db_nrecs)
		return 0;
	qsort(db->db_recs, db->db_nrecs, sizeof(*db->db_recs), rec_ptr_cmp);
	for (k = 1; k < db->db_nrecs; k++)
		if (rec_ptr_cmp(&db->db_recs[k - 1], &db->db_recs[k]) == 0)
			return SET_ERROR(ME_MDDB_CORRUPT);
	return 0;
}

/* The directory pages of the newest commit, their entries into @ents. */
static int load_dirpages(struct mddb *db, int *first, struct mddb_dirent *ents,
			 uint8_t **bufp)
{
	struct mddb_dirpage *page = calloc(1, sizeof(*page));
	struct load_ext *ex = calloc(db->db_ndirpages + 1, sizeof(*ex));
	uint32_t p, k, n = 0, end;
	int err = 0;

	if (page == NULL || ex == NULL) {
		err = ENOMEM;
		goto out;
	}
	for (p = 0; p < db->db_ndirpages; p++) {
		if (db->db_dirblk[p] == MDDB_NOBLK)
			continue;
		if (!extent_ok(db, db->db_dirblk[p], dirpage_nblks(db))) {
			err = SET_ERROR(ME_MDDB_CORRUPT);
			goto out;
		}
		bm_mark(db, db->db_dirblk[p], dirpage_nblks(db), true);
		ex[n++] = (struct load_ext){ db->db_dirblk[p],
					     dirpage_nblks(db), p };
	}
	exts_sort(ex, n);
	for (k = 0; k < n && err == 0; k = end) {
		end = run_read(db, *first, ex, n, k);
		for (; k < end && err == 0; k++) {
			struct dirpage_check dc = { ex[k].le_idx, db->db_txg,
						    page };
			const uint8_t *data;

			err = load_block(db, first, ex[k].le_blk,
					 MDDB_DIRPAGE_SIZE, bufp, &data,
					 check_dirpage, &dc);
			if (err == 0)
				memcpy(&ents[(size_t)ex[k].le_idx *
					     MDDB_DIRENTS],
				       page->p_ents, sizeof(page->p_ents));
		}
	}
out:
	free(ex);
	free(page);
	return err;
}

/* Load the directory and records of the newest commit. */
static int load_records(struct mddb *db, int first, uint32_t expect,
			meta_error_t *ep)
{
	size_t nslots = (size_t)db->db_ndirpages * MDDB_DIRENTS;
	struct mddb_dirent *ents = calloc(nslots + 1, sizeof(*ents));
	struct load_ext *ex = NULL;
	uint8_t *buf = NULL; /* for extents read alone */
	uint32_t k, n = 0, end;
	size_t s;
	int err = 0;

	if (ents == NULL) {
		err = ENOMEM;
		goto out;
	}
	err = load_dirpages(db, &first, ents, &buf);
	if (err != 0)
		goto out;
	/* Every record extent, checked against the region and each other
	 * before anything is read. */
	for (s = 0; s < nslots; s++) {
		const struct mddb_dirent *e = &ents[s];

		if (e->e_type == 0)
			continue;
		if (e->e_nblks != rec_nblks(db, e->e_len) ||
		    !extent_ok(db, e->e_blk, e->e_nblks) || n == expect) {
			err = SET_ERROR(ME_MDDB_CORRUPT);
			goto out;
		}
		bm_mark(db, e->e_blk, e->e_nblks, true);
		n++;
	}
	if (n != expect) {
		err = SET_ERROR(ME_MDDB_CORRUPT);
		goto out;
	}
	ex = calloc((size_t)n + 1, sizeof(*ex));
	db->db_recs = calloc((size_t)n + 64, sizeof(*db->db_recs));
	if (ex == NULL || db->db_recs == NULL) {
		err = ENOMEM;
		goto out;
	}
	db->db_caprecs = n + 64;
	for (s = 0, n = 0; s < nslots; s++)
		if (ents[s].e_type != 0)
			ex[n++] = (struct load_ext){ ents[s].e_blk,
						     ents[s].e_nblks,
						     (uint32_t)s };
	exts_sort(ex, n);
	for (k = 0; k < n && err == 0; k = end) {
		end = run_read(db, first, ex, n, k);
		for (; k < end; k++) {
			const struct mddb_dirent *e = &ents[ex[k].le_idx];
			const uint8_t *data;
			struct mddb_rec *r;

			err = load_block(db, &first, e->e_blk,
					 (size_t)e->e_nblks * db->db_bsize,
					 &buf, &data, check_record, e);
			if (err != 0)
				break;
			r = calloc(1, sizeof(*r));
			if (r == NULL ||
			    (r->r_data = malloc(e->e_len ? e->e_len : 1)) ==
				    NULL) {
				free(r);
				err = ENOMEM;
				break;
			}
			memcpy(r->r_data, data + MDDB_RECHDR_SIZE, e->e_len);
			r->r_type = e->e_type;
			r->r_id = e->e_id;
			r->r_len = e->e_len;
			r->r_slot = ex[k].le_idx;
			r->r_blk = e->e_blk;
			r->r_nblks = e->e_nblks;
			r->r_dcrc = e->e_dcrc;
			r->r_txg = e->e_txg;
			db->db_recs[db->db_nrecs++] = r;
			db->db_slots[r->r_slot] = r;
		}
	}
	if (err == 0) {
		/* In slot order, often key order already (recs_sort). */
		for (s = 0, n = 0; s < nslots; s++)
			if (db->db_slots[s] != NULL)
				db->db_recs[n++] = db->db_slots[s];
		err = recs_sort(db);
	}
out:
	runs_free(db);
	free(ex);
	free(ents);
	free(buf);
	if (err != 0)
		return meta_error_set(ep, err, 0, db->db_setname,
				      "cannot load state database");
	return 0;
}

static int mddb_load(struct mddb *db, meta_error_t *ep)
{
	struct mddb_probe *pr = calloc((size_t)db->db_nspecs, sizeof(*pr));
	const struct mddb_commit *best = NULL;
	int i, j, bi = -1, alc = 0, lc, half, err = ME_MDDB_NOREPLICA;
	int rc = -1;
	char obj[128];

	if (pr == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL,
				      "cannot load state database");
	for (i = 0; i < db->db_nspecs; i++) {
		probe_replica(db->db_set_uuid, &db->db_specs[i], &pr[i]);
		if (pr[i].pr_commit != NULL &&
		    (best == NULL || pr[i].pr_commit->c_txg > best->c_txg)) {
			best = pr[i].pr_commit;
			bi = i;
		}
		if (pr[i].pr_err == ME_MDDB_INCOMPAT ||
		    (pr[i].pr_err == ME_MDDB_BADVERSION &&
		     err != ME_MDDB_INCOMPAT) ||
		    (db->db_nspecs == 1 && pr[i].pr_err != 0))
			err = pr[i].pr_err;
	}
	if (best == NULL) {
		meta_error_set(ep, err, 0, db->db_setname,
			       "cannot load state database");
		goto out;
	}
	/* Geometry and identity from the newest replica. */
	db->db_bsize = pr[bi].pr_hdr.h_bsize;
	db->db_length = pr[bi].pr_hdr.h_length;
	db->db_nblocks = pr[bi].pr_hdr.h_data_blocks;
	db->db_setno = pr[bi].pr_hdr.h_setno;
	db->db_ctime = pr[bi].pr_hdr.h_ctime;
	db->db_mn = (pr[bi].pr_hdr.h_flags & MDDB_HF_MN) != 0;
	memcpy(db->db_setname, pr[bi].pr_hdr.h_setname, sizeof(db->db_setname));
	if (pr[bi].pr_hdr.h_ro_compat & ~MDDB_FEAT_RO_COMPAT_KNOWN)
		db->db_rdonly = true;
	db->db_txg = best->c_txg;
	db->db_nrecs = 0;
	db->db_ndirpages = best->c_ndirpages;
	if (mddb_alloc_state(db) != 0) {
		meta_error_set(ep, ENOMEM, 0, NULL,
			       "cannot load state database");
		goto out;
	}
	memcpy(db->db_dirblk, best->c_dirblk,
	       best->c_ndirpages * sizeof(uint32_t));
	/* The locator table of the newest commit says what the set has. */
	db->db_nreps = (int)best->c_nlocators;
	for (j = 0; j < db->db_nreps; j++) {
		struct mddb_replica *rp = &db->db_reps[j];
		const struct mddb_loc *l = &best->c_locs[j];

		memset(rp, 0, sizeof(*rp));
		memcpy(rp->rp_spec.rs_drive_uuid, l->l_drive_uuid, 16);
		rp->rp_spec.rs_index = l->l_index;
		snprintf(rp->rp_spec.rs_name, sizeof(rp->rp_spec.rs_name),
			 "missing");
		rp->rp_flags = MDDB_F_NODEV;
		for (i = 0; i < db->db_nspecs; i++) {
			if (!mddb_spec_matches(&db->db_specs[i],
					       l->l_drive_uuid, l->l_index))
				continue;
			rp->rp_spec = db->db_specs[i];
			rp->rp_have_spec = db->db_specs[i].rs_dev != NULL;
			rp->rp_hdr_ok = pr[i].pr_hdr_ok &&
					pr[i].pr_hdr.h_bsize == db->db_bsize &&
					pr[i].pr_hdr.h_length == db->db_length;
			rp->rp_flags = pr[i].pr_flags;
			rp->rp_hdr_bad = pr[i].pr_err == ME_MDDB_BADMAGIC ||
					 pr[i].pr_err == ME_MDDB_BADCKSUM;
			if (pr[i].pr_commit != NULL && rp->rp_hdr_ok) {
				rp->rp_txg = pr[i].pr_commit->c_txg;
				rp->rp_flags |= MDDB_F_LOCACC;
				if (rp->rp_txg == db->db_txg)
					rp->rp_flags |= MDDB_F_UP2DATE;
				alc++;
			}
			if (i == bi) {
				rp->rp_flags |= MDDB_F_MASTER;
				bi = j; /* now an index into db_reps */
				i = db->db_nspecs; /* only bi once */
			}
			break;
		}
	}
	if (bi >= db->db_nreps || !(db->db_reps[bi].rp_flags & MDDB_F_MASTER)) {
		/* The newest commit does not list the replica it was read
		 * from: not a replica of this set any more. */
		meta_error_set(ep, ME_MDDB_CORRUPT, 0, db->db_setname,
			       "cannot load state database");
		goto out;
	}
	rc = load_records(db, bi, best->c_nrecords, ep);
	if (rc != 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	while (db->db_slothint < MDDB_MAXRECS &&
	       db->db_slots[db->db_slothint] != NULL)
		db->db_slothint++;

	/* Quorum (facts 4.4). */
	lc = db->db_nreps;
	half = (lc + 1) / 2;
	if (alc > half ||
	    (alc == half &&
	     (lc % 2 == 1 || (db->db_flags & MDDB_OPEN_ALLOW_HALF))))
		db->db_state = MDDB_S_OK;
	else
		db->db_state = MDDB_S_STALE;
	if (db->db_flags & MDDB_OPEN_RDONLY)
		db->db_rdonly = true;

	/* Activate the up-to-date replicas; repair the others if we may. */
	for (j = 0; j < db->db_nreps; j++) {
		struct mddb_replica *rp = &db->db_reps[j];
		/* Out of date, without a valid commit (a crash during an
		 * earlier repair), or with a destroyed header: all rewritten.
		 * Never a replica of another format, nor one not found. */
		bool repairable = rp->rp_have_spec &&
				  (rp->rp_hdr_ok || rp->rp_hdr_bad) &&
				  !(rp->rp_flags & MDDB_F_UP2DATE);
		meta_error_t e;

		if (rp->rp_flags & MDDB_F_UP2DATE) {
			rp->rp_flags |= MDDB_F_ACTIVE;
			continue;
		}
		if (!repairable || db->db_rdonly || db->db_state != MDDB_S_OK ||
		    (db->db_flags & MDDB_OPEN_NOREPAIR))
			continue;
		mddb_rep_object(db, j, obj, sizeof(obj));
		if ((!rp->rp_hdr_bad || mddb_rep_format(db, j, &e) == 0) &&
		    mddb_rep_write_all(db, j, true, &e) == 0) {
			rp->rp_flags &= ~(MDDB_F_EDATA | MDDB_F_EREAD |
					  MDDB_F_EFMT | MDDB_F_EMASTER);
			rp->rp_hdr_ok = true;
			rp->rp_hdr_bad = false;
			rp->rp_flags |= MDDB_F_ACTIVE | MDDB_F_UP2DATE;
			rp->rp_txg = db->db_txg;
		} else {
			rp->rp_flags |= MDDB_F_EWRITE;
		}
	}
	if (db->db_state == MDDB_S_OK &&
	    mddb_nactive(db) < mddb_quorum_need(db))
		db->db_state = MDDB_S_TOOFEW;
	rc = 0;
out:
	for (i = 0; i < db->db_nspecs; i++)
		free(pr[i].pr_commit);
	free(pr);
	return rc;
}

int mddb_open(const uint8_t set_uuid[16], const struct mddb_replica_spec *specs,
	      int nspecs, int flags, struct mddb **dbp, meta_error_t *ep)
{
	struct mddb *db;
	uint64_t tried = 0;
	int tries;

	if (nspecs < 0 || nspecs > 4 * MDDB_MAXREPLICAS)
		return meta_error_set(ep, EINVAL, 0, NULL,
				      "cannot open state database");
	db = calloc(1, sizeof(*db));
	if (db == NULL || (db->db_specs = calloc((size_t)nspecs + 1,
						 sizeof(*specs))) == NULL) {
		free(db);
		return meta_error_set(ep, ENOMEM, 0, NULL,
				      "cannot open state database");
	}
	memcpy(db->db_set_uuid, set_uuid, 16);
	memcpy(db->db_specs, specs, (size_t)nspecs * sizeof(*specs));
	db->db_nspecs = nspecs;
	db->db_flags = flags;
	for (tries = 0;; tries++) {
		meta_error_t e;

		if (mddb_load(db, &e) == 0)
			break;
		/*
		 * A reader on another node than the master can see blocks
		 * of the commit it picked overwritten by two later commits
		 * (step 1 of the commit after next).  That shows as a bad
		 * record or page while the newest commit has moved on:
		 * load again.  The same commit bad twice is real damage.
		 */
		if (e.me_code != ME_MDDB_CORRUPT || tries == 4 ||
		    (tries > 0 && db->db_txg == tried)) {
			if (ep != NULL)
				*ep = e;
			mddb_close(db);
			return -1;
		}
		tried = db->db_txg;
		mddb_free_state(db);
		db->db_slothint = 0;
		db->db_cursor = 0;
		db->db_rdonly = false;
		db->db_state = MDDB_S_OK;
	}
	*dbp = db;
	return 0;
}

int mddb_reload(struct mddb *db, meta_error_t *ep)
{
	struct mddb *n;
	meta_error_t fe;

	if (db->db_txn != NULL)
		return meta_error_set(ep, EBUSY, 0, db->db_setname,
				      "cannot reload state database");
	/* A clear left unflushed, before the replicas' state is replaced
	 * (a replica whose flush fails is found again by the open). */
	meta_error_init(&fe);
	(void)mddb_log_flush(db, &fe);
	if (mddb_open(db->db_set_uuid, db->db_specs, db->db_nspecs,
		      db->db_flags, &n, ep) != 0)
		return -1;
	mddb_free_state(db);
	free(db->db_specs);
	*db = *n;
	free(n);
	return 0;
}

enum mddb_state mddb_state(const struct mddb *db)
{
	return db->db_state;
}

uint64_t mddb_txg(const struct mddb *db)
{
	return db->db_txg;
}

const uint8_t *mddb_set_uuid(const struct mddb *db)
{
	return db->db_set_uuid;
}

int mddb_replica_count(const struct mddb *db)
{
	return db->db_nreps;
}

int mddb_replica_info(const struct mddb *db, int i,
		      struct mddb_replica_info *ri, meta_error_t *ep)
{
	const struct mddb_replica *rp;

	if (i < 0 || i >= db->db_nreps)
		return meta_error_set(ep, ENOENT, 0, db->db_setname,
				      "no replica %d in", i);
	rp = &db->db_reps[i];
	memset(ri, 0, sizeof(*ri));
	memcpy(ri->ri_drive_uuid, rp->rp_spec.rs_drive_uuid, 16);
	ri->ri_index = rp->rp_spec.rs_index;
	ri->ri_flags = rp->rp_flags;
	ri->ri_txg = rp->rp_txg;
	ri->ri_offset = rp->rp_spec.rs_offset;
	ri->ri_length = db->db_length;
	snprintf(ri->ri_name, sizeof(ri->ri_name), "%s", rp->rp_spec.rs_name);
	return 0;
}

/* ---- Reading records --------------------------------------------------- */

int mddb_rec_get(struct mddb *db, uint32_t type, uint32_t id, void **datap,
		 size_t *lenp, meta_error_t *ep)
{
	const struct mddb_rec *r = rec_find(db, type, id);
	void *p;

	if (r == NULL)
		return meta_error_set(ep, ENOENT, 0, db->db_setname,
				      "no record %u/%u in", type, id);
	p = malloc(r->r_len ? r->r_len : 1);
	if (p == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL,
				      "cannot read record");
	memcpy(p, r->r_data, r->r_len);
	*datap = p;
	*lenp = r->r_len;
	return 0;
}

int mddb_rec_foreach(struct mddb *db, uint32_t type,
		     int (*fn)(void *arg, uint32_t id, const void *data,
			       size_t len),
		     void *arg, meta_error_t *ep)
{
	bool found;
	uint32_t i = rec_search(db, type, 0, &found);
	int rc;

	for (; i < db->db_nrecs && db->db_recs[i]->r_type == type; i++) {
		const struct mddb_rec *r = db->db_recs[i];

		rc = fn(arg, r->r_id, r->r_data, r->r_len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- Transactions ------------------------------------------------------ */

int mddb_writable(struct mddb *db, meta_error_t *ep, const char *what)
{
	if (db->db_state == MDDB_S_STALE)
		return meta_error_set(ep, ME_MDDB_STALE, 0, db->db_setname,
				      "%s", what);
	if (db->db_state == MDDB_S_TOOFEW)
		return meta_error_set(ep, ME_MDDB_TOOFEW, 0, db->db_setname,
				      "%s", what);
	if (db->db_rdonly)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, db->db_setname,
				      "%s", what);
	return 0;
}

int mddb_txn_begin(struct mddb *db, struct mddb_txn **txnp, meta_error_t *ep)
{
	struct mddb_txn *t;

	if (mddb_writable(db, ep, "cannot change") != 0)
		return -1;
	if (db->db_txn != NULL)
		return meta_error_set(ep, EBUSY, 0, db->db_setname,
				      "cannot begin a transaction on");
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL,
				      "cannot begin a transaction");
	t->t_db = db;
	db->db_txn = t;
	*txnp = t;
	return 0;
}

static struct mddb_op *txn_find(struct mddb_txn *t, uint32_t type, uint32_t id)
{
	size_t i;

	for (i = t->t_nops; i > 0; i--)
		if (t->t_ops[i - 1].o_type == type &&
		    t->t_ops[i - 1].o_id == id)
			return &t->t_ops[i - 1];
	return NULL;
}

static int txn_add(struct mddb_txn *t, uint32_t type, uint32_t id,
		   const void *data, size_t len, bool del, meta_error_t *ep)
{
	struct mddb_op *o = txn_find(t, type, id);
	void *copy = NULL;

	if (!del) {
		copy = malloc(len ? len : 1);
		if (copy == NULL)
			goto nomem;
		if (len > 0)
			memcpy(copy, data, len);
	}
	if (o == NULL) {
		if (t->t_nops == t->t_cap) {
			size_t cap = t->t_cap ? t->t_cap * 2 : 16;
			struct mddb_op *n = realloc(t->t_ops, cap * sizeof(*n));
			if (n == NULL) {
				free(copy);
				goto nomem;
			}
			t->t_ops = n;
			t->t_cap = cap;
		}
		o = &t->t_ops[t->t_nops++];
		o->o_type = type;
		o->o_id = id;
	} else {
		free(o->o_data);
	}
	o->o_data = copy;
	o->o_len = del ? 0 : len;
	return 0;
nomem:
	t->t_poisoned = true;
	return meta_error_set(ep, ENOMEM, 0, NULL, "cannot change record");
}

int mddb_txn_put(struct mddb_txn *txn, uint32_t type, uint32_t id,
		 const void *data, size_t len, meta_error_t *ep)
{
	int code = 0;

	if (txn->t_poisoned)
		code = ME_MDDB_BADTXN;
	else if (type == 0 || (len > 0 && data == NULL))
		code = EINVAL;
	else if (len > MDDB_REC_MAXLEN)
		code = ME_MDDB_TOOBIG;
	else if (txn_find(txn, type, id) == NULL && txn->t_nops >= MDDB_MAXRECS)
		code = ME_MDDB_FULL;
	if (code != 0) {
		txn->t_poisoned = true;
		return meta_error_set(ep, code, 0, txn->t_db->db_setname,
				      "cannot put record %u/%u in", type, id);
	}
	return txn_add(txn, type, id, data, len, false, ep);
}

int mddb_txn_del(struct mddb_txn *txn, uint32_t type, uint32_t id,
		 meta_error_t *ep)
{
	struct mddb_op *o;
	int code = 0;

	if (txn->t_poisoned) {
		code = ME_MDDB_BADTXN;
	} else {
		o = txn_find(txn, type, id);
		if (o != NULL ? o->o_data == NULL :
				rec_find(txn->t_db, type, id) == NULL)
			code = ENOENT;
	}
	if (code != 0) {
		txn->t_poisoned = true;
		return meta_error_set(ep, code, 0, txn->t_db->db_setname,
				      "cannot delete record %u/%u from", type,
				      id);
	}
	return txn_add(txn, type, id, NULL, 0, true, ep);
}

void mddb_txn_abort(struct mddb_txn *txn)
{
	size_t i;

	if (txn == NULL)
		return;
	for (i = 0; i < txn->t_nops; i++)
		free(txn->t_ops[i].o_data);
	free(txn->t_ops);
	free(txn->t_adds);
	txn->t_db->db_txn = NULL;
	free(txn);
}

/* One change of a commit, resolved against the database. */
struct mddb_change {
	struct mddb_rec *ch_old; /* NULL for a new record */
	struct mddb_rec *ch_new; /* NULL for a delete */
	uint32_t ch_slot;
};

/*
 * The first free slot from the hint on, past the ones this commit took
 * already (all below *@from: each call takes the first free one).
 */
static uint32_t slot_alloc(struct mddb *db, uint32_t *from)
{
	uint32_t s = *from > db->db_slothint ? *from : db->db_slothint;

	for (; s < MDDB_MAXRECS; s++)
		if (db->db_slots[s] == NULL) {
			*from = s + 1;
			return s;
		}
	return MDDB_NOBLK;
}

#ifdef OBAN_TEST_HOOKS
/* Commits left before the one whose replica writes fail (0: none), and
 * before the one whose commit blocks fail after replica 0's. */
static __thread int mddb_fail_in, mddb_fail_blocks_in;

void mddb_test_fail_commit(int nth)
{
	mddb_fail_in = nth;
}

void mddb_test_fail_commit_blocks(int nth)
{
	mddb_fail_blocks_in = nth;
}

static bool mddb_fault(void)
{
	return mddb_fail_in > 0 && --mddb_fail_in == 0;
}

static bool mddb_fault_blocks(void)
{
	return mddb_fail_blocks_in > 0 && --mddb_fail_blocks_in == 0;
}
#else
static bool mddb_fault(void)
{
	return false;
}

static bool mddb_fault_blocks(void)
{
	return false;
}
#endif

/*
 * Is a commit's write quorum there: a majority of the replica table as
 * it will be, and, when the commit adds replicas, a majority of the
 * table as it was too, so that the replicas being added cannot stand in
 * for old ones whose writes failed (else losing the new drive later
 * would leave a stale old replica that loads as current).
 */
bool mddb_commit_quorum(const struct mddb *db)
{
	int nold = db->db_nreps - db->db_nadding, oldactive = 0;

	if (mddb_nactive(db) < mddb_quorum_need(db))
		return false;
	for (int i = 0; i < nold; i++)
		if (db->db_reps[i].rp_flags & MDDB_F_ACTIVE)
			oldactive++;
	return oldactive >= (nold + 1) / 2;
}

/*
 * Write @nch changes and the locator table in db_reps as commit txg + 1.
 * On success, apply them in core and take ownership of every ch_new; on
 * failure free nothing of @ch (the caller does), and leave
 * db_commit_doubt set if a commit block was written.
 */
int mddb_commit_changes(struct mddb *db, struct mddb_change *ch, size_t nch,
			meta_error_t *ep)
{
	uint32_t ndir = db->db_ndirpages, newdir[MDDB_MAXDIRPAGES];
	uint32_t *dirty = NULL, *dlist = NULL, ndirty = 0, from = 0, d;
	struct mddb_rec **view = NULL;
	uint8_t *buf = NULL;
	uint64_t txg = db->db_txg + 1;
	uint32_t p, nrecs = db->db_nrecs;
	bool fail, fail_blocks;
	size_t k;
	int i, rc = -1;
	char obj[128];
	meta_error_t e;

	db->db_commit_doubt = false;
	/* What this costs is proportional to the changes and the directory
	 * pages they touch, never to the records in the database. */
	dirty = calloc(MDDB_MAXDIRPAGES, sizeof(*dirty)); /* 1 + its dlist
							     index, 0 clean */
	dlist = calloc(nch < MDDB_MAXDIRPAGES ? nch + 1 : MDDB_MAXDIRPAGES,
		       sizeof(*dlist));
	buf = meta_dev_alloc(MDDB_COMMIT_SIZE);
	if (dirty == NULL || dlist == NULL || buf == NULL) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot commit");
		goto out;
	}
	memcpy(newdir, db->db_dirblk, sizeof(newdir));

	/* 1. Slots and extents for the new records. */
	for (k = 0; k < nch; k++) {
		struct mddb_change *c = &ch[k];

		if (c->ch_old != NULL) {
			c->ch_slot = c->ch_old->r_slot;
		} else if (c->ch_new != NULL) {
			c->ch_slot = slot_alloc(db, &from);
			if (c->ch_slot == MDDB_NOBLK) {
				meta_error_set(ep, ME_MDDB_FULL, 0,
					       db->db_setname,
					       "cannot commit to");
				goto out_unalloc;
			}
			nrecs++;
		}
		if (c->ch_new == NULL) {
			nrecs--;
		} else {
			c->ch_new->r_slot = c->ch_slot;
			c->ch_new->r_txg = txg;
			c->ch_new->r_nblks = rec_nblks(db, c->ch_new->r_len);
			c->ch_new->r_blk = bm_alloc(db, c->ch_new->r_nblks);
			if (c->ch_new->r_blk == MDDB_NOBLK) {
				meta_error_set(ep, ME_MDDB_FULL, 0,
					       db->db_setname,
					       "cannot commit to");
				goto out_unalloc;
			}
		}
		p = c->ch_slot / MDDB_DIRENTS;
		if (dirty[p] == 0) {
			dlist[ndirty++] = p;
			dirty[p] = ndirty;
		}
		if (p + 1 > ndir)
			ndir = p + 1;
	}
	/* The new state of the dirty pages only (view page d: dlist[d]). */
	view = malloc(((size_t)ndirty + 1) * MDDB_DIRENTS * sizeof(*view));
	if (view == NULL) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot commit");
		goto out_unalloc;
	}
	for (d = 0; d < ndirty; d++)
		memcpy(view + (size_t)d * MDDB_DIRENTS,
		       db->db_slots + (size_t)dlist[d] * MDDB_DIRENTS,
		       MDDB_DIRENTS * sizeof(*view));
	for (k = 0; k < nch; k++)
		view[(size_t)(dirty[ch[k].ch_slot / MDDB_DIRENTS] - 1) *
			     MDDB_DIRENTS +
		     ch[k].ch_slot % MDDB_DIRENTS] = ch[k].ch_new;
	for (d = 0; d < ndirty; d++) {
		p = dlist[d];
		newdir[p] = bm_alloc(db, dirpage_nblks(db));
		if (newdir[p] == MDDB_NOBLK) {
			meta_error_set(ep, ME_MDDB_FULL, 0, db->db_setname,
				       "cannot commit to");
			goto out_unalloc;
		}
	}

	/* 2. Records and directory pages to every active replica. */
	fail = mddb_fault();
	for (i = 0; i < db->db_nreps; i++) {
		struct mddb_replica *rp = &db->db_reps[i];
		int err = fail ? EIO : 0;

		if (!(rp->rp_flags & MDDB_F_ACTIVE))
			continue;
		for (k = 0; k < nch && err == 0; k++) {
			void *ext;

			if (ch[k].ch_new == NULL)
				continue;
			ext = rec_extent(db, ch[k].ch_new);
			if (ext == NULL) {
				meta_error_set(ep, ENOMEM, 0, NULL,
					       "cannot commit");
				goto out_unalloc;
			}
			err = rep_io(db, i, true, ext,
				     (size_t)ch[k].ch_new->r_nblks *
					     db->db_bsize,
				     blk_off(db, ch[k].ch_new->r_blk), &e);
			free(ext);
		}
		for (d = 0; d < ndirty && err == 0; d++) {
			p = dlist[d];
			dirpage_build(view + (size_t)d * MDDB_DIRENTS, p, txg,
				      buf);
			err = rep_io(db, i, true, buf, MDDB_DIRPAGE_SIZE,
				     blk_off(db, newdir[p]), &e);
		}
		if (err == 0)
			err = meta_dev_flush(rp->rp_spec.rs_dev, &e);
		if (err != 0)
			mddb_replica_failed(db, i, MDDB_F_EWRITE);
	}
	if (!mddb_commit_quorum(db)) {
		db->db_state = MDDB_S_TOOFEW;
		meta_error_set(ep, ME_MDDB_TOOFEW, 0, db->db_setname,
			       "cannot commit to");
		goto out_unalloc;
	}

	/* 3. The commit block, to the slot that held txg - 1.  From the
	 * first write on, a failure may leave the commit visible on disk. */
	commit_build(db, txg, newdir, ndir, nrecs, buf);
	db->db_commit_doubt = true;
	fail_blocks = mddb_fault_blocks();
	for (i = 0; i < db->db_nreps; i++) {
		struct mddb_replica *rp = &db->db_reps[i];

		if (!(rp->rp_flags & MDDB_F_ACTIVE))
			continue;
		if ((fail_blocks && i > 0) ||
		    rep_io(db, i, true, buf, MDDB_COMMIT_SIZE,
			   MDDB_OFF_COMMIT + (txg % 2) * MDDB_COMMIT_SIZE,
			   &e) != 0 ||
		    meta_dev_flush(rp->rp_spec.rs_dev, &e) != 0) {
			mddb_rep_object(db, i, obj, sizeof(obj));
			mddb_replica_failed(db, i, MDDB_F_EWRITE);
		} else {
			rp->rp_txg = txg;
		}
	}
	if (!mddb_commit_quorum(db)) {
		db->db_state = MDDB_S_TOOFEW;
		meta_error_set(ep, ME_MDDB_TOOFEW, 0, db->db_setname,
			       "cannot commit to");
		goto out_unalloc;
	}

	/* 4. In core: the new state; the old extents become free. */
	for (d = 0; d < ndirty; d++)
		if (db->db_dirblk[dlist[d]] != MDDB_NOBLK)
			bm_mark(db, db->db_dirblk[dlist[d]], dirpage_nblks(db),
				false);
	for (k = 0; k < nch; k++) {
		struct mddb_change *c = &ch[k];

		if (c->ch_old != NULL) {
			bm_mark(db, c->ch_old->r_blk, c->ch_old->r_nblks,
				false);
			rec_remove(db, c->ch_old->r_type, c->ch_old->r_id);
			rec_free(c->ch_old);
		}
		db->db_slots[c->ch_slot] = c->ch_new;
		if (c->ch_new != NULL)
			VERIFY0(rec_insert(db, c->ch_new));
		else if (c->ch_slot < db->db_slothint)
			db->db_slothint = c->ch_slot;
		c->ch_new = NULL;
	}
	while (db->db_slothint < MDDB_MAXRECS &&
	       db->db_slots[db->db_slothint] != NULL)
		db->db_slothint++;
	memcpy(db->db_dirblk, newdir, sizeof(newdir));
	db->db_ndirpages = ndir;
	db->db_txg = txg;
	db->db_commit_doubt = false;
	rc = 0;
	goto out;

out_unalloc:
	for (d = 0; d < ndirty; d++) {
		p = dlist[d];
		if (newdir[p] != db->db_dirblk[p] && newdir[p] != MDDB_NOBLK)
			bm_mark(db, newdir[p], dirpage_nblks(db), false);
	}
	for (k = 0; k < nch; k++)
		if (ch[k].ch_new != NULL && ch[k].ch_new->r_nblks != 0 &&
		    ch[k].ch_new->r_blk != MDDB_NOBLK) {
			bm_mark(db, ch[k].ch_new->r_blk, ch[k].ch_new->r_nblks,
				false);
			ch[k].ch_new->r_blk = MDDB_NOBLK;
		}
out:
	free(view);
	free(dirty);
	free(dlist);
	free(buf);
	return rc;
}

static int op_cmp(const void *a, const void *b)
{
	const struct mddb_op *x = a, *y = b;

	return key_cmp(x->o_type, x->o_id, y->o_type, y->o_id);
}

bool mddb_commit_in_doubt(const struct mddb *db)
{
	return db->db_commit_doubt;
}

int mddb_txn_commit(struct mddb_txn *txn, meta_error_t *ep)
{
	struct mddb *db = txn->t_db;
	struct mddb_change *ch = NULL;
	size_t k, nch = 0;
	int rc = -1;

	db->db_commit_doubt = false;
	if (txn->t_poisoned) {
		meta_error_set(ep, ME_MDDB_BADTXN, 0, db->db_setname,
			       "cannot commit to");
		goto out;
	}
	if (mddb_writable(db, ep, "cannot commit to") != 0)
		goto out;
	if (txn->t_nops == 0 && txn->t_nadds == 0) {
		rc = 0;
		goto out;
	}
	/* txn_add keeps one op per key: sort them for a stable order. */
	qsort(txn->t_ops, txn->t_nops, sizeof(*txn->t_ops), op_cmp);
	ch = calloc(txn->t_nops, sizeof(*ch));
	if (ch == NULL) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot commit");
		goto out;
	}
	for (k = 0; k < txn->t_nops; k++) {
		struct mddb_op *o = &txn->t_ops[k];
		struct mddb_change *c = &ch[nch];

		c->ch_old = rec_find(db, o->o_type, o->o_id);
		if (o->o_data == NULL && c->ch_old == NULL)
			continue; /* put then del of a new record */
		if (o->o_data != NULL) {
			c->ch_new = calloc(1, sizeof(*c->ch_new));
			if (c->ch_new == NULL) {
				meta_error_set(ep, ENOMEM, 0, NULL,
					       "cannot commit");
				goto out_free;
			}
			c->ch_new->r_type = o->o_type;
			c->ch_new->r_id = o->o_id;
			c->ch_new->r_len = (uint32_t)o->o_len;
			c->ch_new->r_data = o->o_data;
			c->ch_new->r_dcrc = meta_crc32c(0, o->o_data, o->o_len);
			c->ch_new->r_blk = MDDB_NOBLK;
			o->o_data = NULL;
		}
		nch++;
	}
	rc = mddb_adds_attach(db, txn, ep);
	if (rc == 0) {
		rc = mddb_commit_changes(db, ch, nch, ep);
		mddb_adds_done(db, txn, rc == 0);
	}
out_free:
	for (k = 0; k < nch + 1 && k < txn->t_nops; k++)
		rec_free(ch[k].ch_new);
out:
	free(ch);
	mddb_txn_abort(txn);
	return rc;
}
