// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mddb change-log and resync slots.
 *
 * Theory.  A slot is written on its own, outside the commit protocol: the
 * master logs a message before running it and clears the slot before
 * answering (facts 2.1); a mirror's owner, on any node, writes its resync
 * record.  Each slot has two 4 KiB copies on every replica, each with a
 * sequence number and a CRC.  A write reads both copies of the replica,
 * writes sequence max + 1 into the copy that does not hold the newest valid
 * one, and flushes.  A torn or lost write therefore leaves the previous
 * content readable in the other copy: a reader takes the valid copy with the
 * highest sequence over every active replica.  No slot write touches any
 * other byte of the replica, so the master's commits and an owner's resync
 * writes never overwrite each other.
 *
 * Change-log slots have a single writer, the set's master, which logs a
 * message and then clears the same slot (mdcommd keeps its handle open
 * across messages).  A log write always reads the slot's copies first, as
 * above, and the handle remembers which copy it wrote and with which
 * sequence (struct mddb_replica, rp_log_*); the clear that follows skips
 * the read: one write and one flush per replica, the same bytes in the same
 * copy as with the read.  The read before every log write keeps a handle
 * correct even if another master wrote the slot since its last use;
 * mddb_log_write_known() skips it where the handle knows the slot, for a
 * caller that knows nobody else wrote it (mdcommd's master, between two
 * of the core's so_log_forget calls).  A failed write forgets the slot;
 * resync slots (written by any owner on any node) are always read first.
 *
 * A clear may leave its flush for later: mddb_log_clear_unflushed()
 * writes every replica's block, all at once as below but plain
 * (meta_dev_write_many(): on O_DIRECT drives through the io_uring without
 * RWF_DSYNC; the drives hold it when the call returns: every reader, on
 * any node, now reads the slot empty) without flushing the drives' write
 * caches, and mddb_log_flush() flushes them afterwards (mdcommd's master
 * answers in between, doc/mdcommd.md 5).  Until then a power failure of
 * the drives may bring back the slot's previous content, the message it
 * cleared, which is then replayed; the log write that follows on the same
 * slot is durable as ever and supersedes the clear (a higher sequence).
 * mddb_log_flush() flushes every drive the clear left, once each however
 * many replicas it holds, all at once (meta_dev_flush_many(): on O_DIRECT
 * drives one IORING_OP_FSYNC each through the io_uring, submitted and
 * waited for together, so that separate drives' flushes overlap); a drive
 * whose flush fails, or is in doubt, takes each of its replicas out of the
 * active set as a failed write would, the others' flushes stand.
 * A handle closed or reloaded with a clear not flushed flushes it first.
 * Only O_DIRECT drives are left unflushed: elsewhere the write would sit
 * in this node's page cache, where no other node sees it (and from where
 * it could reach the shared drive late), so the clear is durable there;
 * a drive that went buffered during the clear's own write (a file system
 * refusing the O_DIRECT write) is flushed before the call returns.
 *
 * Replicas at once.  A slot write prepares every active replica's block
 * (reading first where it must), then makes all of them durable in one
 * meta_dev_write_sync_many(): on O_DIRECT drives one pwritev2(RWF_DSYNC)
 * each, submitted together through io_uring, so the replicas' writes and
 * flushes overlap instead of following each other (an unflushed clear: the
 * plain writes overlap, in meta_dev_write_many()).  The order guarantee is
 * therefore per replica only: when the call returns each replica's write
 * is durable (an unflushed clear: made) or has failed (and the replica is
 * marked failed); a crash during it may leave the new content on any
 * subset of the replicas, and on each one the other copy still holds the
 * previous content, so a reader (the newest valid copy over all
 * replicas) finds the old or the new content, never a mix.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oban/debug.h>

#include "mddb_impl.h"

struct slot_area {
	uint64_t sa_off;
	unsigned sa_nslots;
	const char *sa_magic;
	const char *sa_what;
};

static const struct slot_area slot_log = {
	.sa_off = MDDB_OFF_LOG,
	.sa_nslots = MDDB_LOG_SLOTS,
	.sa_magic = MDDB_MAGIC_LOG,
	.sa_what = "change-log slot",
};

static const struct slot_area slot_rs = {
	.sa_off = MDDB_OFF_RS,
	.sa_nslots = MDDB_RS_SLOTS,
	.sa_magic = MDDB_MAGIC_RS,
	.sa_what = "resync slot",
};

/* Read both copies of @slot from replica @i; the valid ones in @s. */
static int slot_read_rep(struct mddb *db, int i, const struct slot_area *sa,
			 unsigned slot, uint8_t *buf, struct mddb_slot *s,
			 bool valid[2], meta_error_t *ep)
{
	const struct mddb_replica_spec *rs = &db->db_reps[i].rp_spec;
	int c;

	if (meta_dev_read(rs->rs_dev, buf, 2 * MDDB_SLOT_SIZE,
			  rs->rs_offset + sa->sa_off +
				  (uint64_t)slot * 2 * MDDB_SLOT_SIZE,
			  ep) != 0)
		return -1;
	for (c = 0; c < 2; c++)
		valid[c] = mddb_slot_decode(buf + c * MDDB_SLOT_SIZE,
					    sa->sa_magic, &s[c]) == 0 &&
			   s[c].s_slot == slot &&
			   memcmp(s[c].s_set_uuid, db->db_set_uuid, 16) == 0;
	return 0;
}

/* How slot_write() makes its writes: durable, or (a clear) flushed later. */
enum slot_mode { SLOT_DURABLE = 0, SLOT_KNOWN, SLOT_UNFLUSHED };

static int slot_write(struct mddb *db, const struct slot_area *sa,
		      unsigned slot, const void *data, size_t len, bool inuse,
		      enum slot_mode mode, meta_error_t *ep)
{
	int nr = db->db_nreps > 0 ? db->db_nreps : 1;
	struct mddb_slot *s = calloc(3, sizeof(*s));
	uint8_t *buf = meta_dev_alloc(2 * MDDB_SLOT_SIZE);
	uint8_t *wbuf = meta_dev_alloc((size_t)nr * MDDB_SLOT_SIZE);
	struct meta_dev_wreq *w = calloc((size_t)nr, sizeof(*w));
	struct slot_dest {
		int sd_rep;
		int sd_target;
		uint64_t sd_seq;
		bool sd_flushed; /* an unflushed clear's, flushed at once */
	} *dst = calloc((size_t)nr, sizeof(*dst));
	bool logc = sa == &slot_log;
	int i, k, n = 0, rc = -1, nok = 0;
	char obj[128];
	meta_error_t e;

	if (s == NULL || buf == NULL || wbuf == NULL || w == NULL ||
	    dst == NULL) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot write %s",
			       sa->sa_what);
		goto out;
	}
	/* Each active replica's copy and sequence, and its encoded block. */
	for (i = 0; i < db->db_nreps; i++) {
		struct mddb_replica *rp = &db->db_reps[i];
		uint8_t *out = wbuf + (size_t)n * MDDB_SLOT_SIZE;
		bool valid[2];
		uint64_t seq = 0;
		int target;

		if (!(rp->rp_flags & MDDB_F_ACTIVE))
			continue;
		/* A clear, or a known write, trusts this handle's last write. */
		if (logc && (!inuse || mode == SLOT_KNOWN) &&
		    (rp->rp_log_known & (1u << slot))) {
			seq = rp->rp_log_seq[slot];
			target = rp->rp_log_newest[slot] ? 0 : 1;
		} else {
			if (slot_read_rep(db, i, sa, slot, buf, s, valid, &e) !=
			    0) {
				mddb_replica_failed(db, i, MDDB_F_EREAD);
				continue;
			}
			if (valid[0])
				seq = s[0].s_seq;
			if (valid[1] && s[1].s_seq > seq)
				seq = s[1].s_seq;
			target = (valid[0] &&
				  (!valid[1] || s[0].s_seq >= s[1].s_seq)) ?
					 1 :
					 0;
		}
		memset(&s[2], 0, sizeof(s[2]));
		s[2].s_slot = slot;
		s[2].s_seq = seq + 1;
		s[2].s_flags = inuse ? MDDB_SLOT_INUSE : 0;
		s[2].s_len = (uint32_t)len;
		memcpy(s[2].s_set_uuid, db->db_set_uuid, 16);
		s[2].s_time = (uint64_t)time(NULL);
		if (len > 0)
			memcpy(s[2].s_data, data, len);
		mddb_slot_encode(&s[2], sa->sa_magic, out);
		w[n].wr_dev = rp->rp_spec.rs_dev;
		w[n].wr_buf = out;
		w[n].wr_len = MDDB_SLOT_SIZE;
		w[n].wr_off = rp->rp_spec.rs_offset + sa->sa_off +
			      ((uint64_t)slot * 2 + (uint64_t)target) *
				      MDDB_SLOT_SIZE;
		dst[n].sd_rep = i;
		dst[n].sd_target = target;
		dst[n].sd_seq = seq + 1;
		n++;
	}
	/*
	 * Every replica's write at once: no order among them.  Durable
	 * ones, or for a clear left unflushed plain ones (O_DIRECT: the
	 * drive has each when the call returns); where a write would stop
	 * in this node's page cache, the clear is made durable instead.
	 */
	for (k = 0; k < n && mode == SLOT_UNFLUSHED; k++)
		if (meta_dev_node_cached(w[k].wr_dev))
			mode = SLOT_DURABLE;
	if (n > 0 && mode == SLOT_UNFLUSHED)
		(void)meta_dev_write_many(w, n);
	else if (n > 0)
		(void)meta_dev_write_sync_many(w, n);
	/*
	 * A drive may have gone buffered during that write (a file system
	 * that refused an O_DIRECT write's alignment: the write was made
	 * again through the page cache, meta_dev.c mdf_undirect()).  Its
	 * clear is then in this node's page cache only, where a master that
	 * dies could leave a dirty page to be written back over a newer
	 * slot: flush it now, as if the drive had been buffered before.
	 * A write that failed there may still have left part of its block
	 * in the page cache: flushed too, its own error kept.  One flush a
	 * drive, whose answer stands for every replica on it (a second
	 * fdatasync() would not report the writeback error again).
	 */
	for (k = 0; k < n && mode == SLOT_UNFLUSHED; k++) {
		meta_error_t fe;
		int m;

		if (dst[k].sd_flushed || !meta_dev_node_cached(w[k].wr_dev))
			continue;
		meta_error_init(&fe);
		(void)meta_dev_flush(w[k].wr_dev, &fe);
		for (m = k; m < n; m++) {
			if (w[m].wr_dev != w[k].wr_dev)
				continue;
			dst[m].sd_flushed = true;
			if (fe.me_code != 0 && w[m].wr_err.me_code == 0)
				w[m].wr_err = fe;
		}
	}

	for (k = 0; k < n; k++) {
		struct mddb_replica *rp = &db->db_reps[dst[k].sd_rep];

		if (w[k].wr_err.me_code != 0) {
			rp->rp_log_known &= ~(1u << slot);
			mddb_replica_failed(db, dst[k].sd_rep, MDDB_F_EWRITE);
			continue;
		}
		if (mode == SLOT_UNFLUSHED && !dst[k].sd_flushed)
			rp->rp_unflushed = true;
		if (logc) {
			rp->rp_log_known |= 1u << slot;
			rp->rp_log_newest[slot] = (uint8_t)dst[k].sd_target;
			rp->rp_log_seq[slot] = dst[k].sd_seq;
		}
		nok++;
	}
	if (nok < mddb_quorum_need(db) || nok == 0) {
		mddb_rep_object(db, 0, obj, sizeof(obj));
		meta_error_set(ep, ME_MDDB_TOOFEW, 0, db->db_setname,
			       "cannot write %s %u of", sa->sa_what, slot);
		goto out;
	}
	rc = 0;
out:
	free(s);
	free(buf);
	free(wbuf);
	free(w);
	free(dst);
	return rc;
}

static int slot_read(struct mddb *db, const struct slot_area *sa, unsigned slot,
		     void *data, size_t size, size_t *lenp, meta_error_t *ep)
{
	struct mddb_slot *s = calloc(2, sizeof(*s)), *best = NULL;
	struct mddb_slot keep;
	uint8_t *buf = meta_dev_alloc(2 * MDDB_SLOT_SIZE);
	int i, c, nread = 0, rc = -1;
	meta_error_t e;

	if (s == NULL || buf == NULL) {
		meta_error_set(ep, ENOMEM, 0, NULL, "cannot read %s",
			       sa->sa_what);
		goto out;
	}
	if (slot >= sa->sa_nslots) {
		meta_error_set(ep, EINVAL, 0, db->db_setname, "no %s %u in",
			       sa->sa_what, slot);
		goto out;
	}
	for (i = 0; i < db->db_nreps; i++) {
		struct mddb_replica *rp = &db->db_reps[i];
		bool valid[2];

		if (!(rp->rp_flags & MDDB_F_LOCACC) || !rp->rp_have_spec)
			continue;
		if (slot_read_rep(db, i, sa, slot, buf, s, valid, &e) != 0)
			continue;
		nread++;
		for (c = 0; c < 2; c++)
			if (valid[c] &&
			    (best == NULL || s[c].s_seq > best->s_seq)) {
				keep = s[c];
				best = &keep;
			}
	}
	if (nread == 0) {
		meta_error_set(ep, ME_MDDB_NOREPLICA, 0, db->db_setname,
			       "cannot read %s %u of", sa->sa_what, slot);
		goto out;
	}
	if (best == NULL || !(best->s_flags & MDDB_SLOT_INUSE)) {
		meta_error_set(ep, ENOENT, 0, db->db_setname,
			       "%s %u is empty in", sa->sa_what, slot);
		goto out;
	}
	if (best->s_len > size) {
		meta_error_set(ep, ERANGE, 0, db->db_setname,
			       "cannot read %s %u of", sa->sa_what, slot);
		goto out;
	}
	memcpy(data, best->s_data, best->s_len);
	*lenp = best->s_len;
	rc = 0;
out:
	free(s);
	free(buf);
	return rc;
}

static int slot_check(struct mddb *db, const struct slot_area *sa,
		      unsigned slot, size_t len, bool master_only,
		      meta_error_t *ep)
{
	if (slot >= sa->sa_nslots || len > MDDB_LOG_MAXLEN)
		return meta_error_set(ep, EINVAL, 0, db->db_setname,
				      "cannot write %s %u of", sa->sa_what,
				      slot);
	if (db->db_state == MDDB_S_STALE)
		return meta_error_set(ep, ME_MDDB_STALE, 0, db->db_setname,
				      "cannot write %s %u of", sa->sa_what,
				      slot);
	if (db->db_state == MDDB_S_TOOFEW)
		return meta_error_set(ep, ME_MDDB_TOOFEW, 0, db->db_setname,
				      "cannot write %s %u of", sa->sa_what,
				      slot);
	if (master_only && db->db_rdonly)
		return meta_error_set(ep, ME_MDDB_RDONLY, 0, db->db_setname,
				      "cannot write %s %u of", sa->sa_what,
				      slot);
	return 0;
}

int mddb_log_write(struct mddb *db, unsigned slot, const void *data, size_t len,
		   meta_error_t *ep)
{
	if (slot_check(db, &slot_log, slot, len, true, ep) != 0)
		return -1;
	return slot_write(db, &slot_log, slot, data, len, true, SLOT_DURABLE,
			  ep);
}

int mddb_log_write_known(struct mddb *db, unsigned slot, const void *data,
			 size_t len, meta_error_t *ep)
{
	if (slot_check(db, &slot_log, slot, len, true, ep) != 0)
		return -1;
	return slot_write(db, &slot_log, slot, data, len, true, SLOT_KNOWN, ep);
}

int mddb_log_clear(struct mddb *db, unsigned slot, meta_error_t *ep)
{
	if (slot_check(db, &slot_log, slot, 0, true, ep) != 0)
		return -1;
	return slot_write(db, &slot_log, slot, NULL, 0, false, SLOT_DURABLE,
			  ep);
}

int mddb_log_clear_unflushed(struct mddb *db, unsigned slot, meta_error_t *ep)
{
	if (slot_check(db, &slot_log, slot, 0, true, ep) != 0)
		return -1;
	return slot_write(db, &slot_log, slot, NULL, 0, false, SLOT_UNFLUSHED,
			  ep);
}

int mddb_log_flush(struct mddb *db, meta_error_t *ep)
{
	struct meta_dev_freq f[MDDB_MAXREPLICAS];
	int which[MDDB_MAXREPLICAS]; /* replica i's entry in f, or -1 */
	int i, j, n = 0, nfail = 0;

	/* One flush per drive: replicas on one drive share its device. */
	for (i = 0; i < db->db_nreps; i++) {
		struct mddb_replica *rp = &db->db_reps[i];
		struct meta_dev *d = rp->rp_spec.rs_dev;

		which[i] = -1;
		if (!rp->rp_unflushed)
			continue;
		rp->rp_unflushed = false;
		if (!(rp->rp_flags & MDDB_F_ACTIVE))
			continue;
		for (j = 0; j < n && f[j].fr_dev != d; j++)
			;
		if (j == n)
			f[n++].fr_dev = d;
		which[i] = j;
	}
	/* Every drive's flush at once (through the io_uring on O_DIRECT
	 * drives), not one after the other. */
	if (n > 0)
		(void)meta_dev_flush_many(f, n);
	for (i = 0; i < db->db_nreps; i++) {
		if (which[i] < 0 || f[which[i]].fr_err.me_code == 0)
			continue;
		if (nfail++ == 0)
			*ep = f[which[i]].fr_err;
		/* The clear may not be durable there: as a failed write, the
		 * replica leaves the active set. */
		db->db_reps[i].rp_log_known = 0;
		mddb_replica_failed(db, i, MDDB_F_EWRITE);
	}
	return nfail == 0 ? 0 : -1;
}

int mddb_log_read(struct mddb *db, unsigned slot, void *buf, size_t size,
		  size_t *lenp, meta_error_t *ep)
{
	return slot_read(db, &slot_log, slot, buf, size, lenp, ep);
}

int mddb_resync_write(struct mddb *db, unsigned slot, const void *data,
		      size_t len, meta_error_t *ep)
{
	if (slot_check(db, &slot_rs, slot, len, false, ep) != 0)
		return -1;
	return slot_write(db, &slot_rs, slot, data, len, true, SLOT_DURABLE,
			  ep);
}

int mddb_resync_read(struct mddb *db, unsigned slot, void *buf, size_t size,
		     size_t *lenp, meta_error_t *ep)
{
	return slot_read(db, &slot_rs, slot, buf, size, lenp, ep);
}
