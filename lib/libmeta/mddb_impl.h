/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mddb internals shared by mddb.c (load, commit), mddb_replica.c (replica
 * add and delete), mddb_format.c (the on-disk structures), mddb_slots.c
 * (change log, resync slots) and mddb_dump.c (the inspector).  The format is described in doc/format-mddb.md; the offsets
 * below are the single source of truth for it.
 */
#ifndef OBAN_MDDB_IMPL_H
#define OBAN_MDDB_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <oban/mddb.h>
#include <oban/meta_dev.h>

/* ---- Geometry of one replica (byte offsets from its start) ------------- */
#define MDDB_HDR_SIZE 4096
#define MDDB_COMMIT_SIZE 8192
#define MDDB_OFF_COMMIT 4096 /* commit slot i at + i * MDDB_COMMIT_SIZE */
#define MDDB_SLOT_SIZE 4096 /* a change-log or resync slot copy */
#define MDDB_OFF_LOG 32768 /* log slot s, copy c at + (2s + c) * 4096 */
#define MDDB_OFF_RS 262144 /* resync slot s, copy c: the same */
#define MDDB_OFF_DATA (MDDB_OFF_RS + MDDB_RS_SLOTS * 2 * MDDB_SLOT_SIZE)
#define MDDB_DIRPAGE_SIZE 4096
#define MDDB_DIRENTS 126 /* entries in one directory page */
#define MDDB_MAXDIRPAGES 1600
#define MDDB_MAXRECS (MDDB_MAXDIRPAGES * MDDB_DIRENTS)
#define MDDB_RECHDR_SIZE 32
#define MDDB_NOBLK UINT32_MAX

#define MDDB_VERSION 1
#define MDDB_MAGIC_HDR "OBANMDDB"
#define MDDB_MAGIC_COMMIT "OBANMDCB"
#define MDDB_MAGIC_DIR "MDDP"
#define MDDB_MAGIC_REC "MDRB"
#define MDDB_MAGIC_LOG "MDLG"
#define MDDB_MAGIC_RS "MDRS"

/* Feature bits.  None are defined yet: any set bit in incompat is refused,
 * in ro_compat opens read-only, in compat is ignored. */
#define MDDB_FEAT_COMPAT_KNOWN 0ULL
#define MDDB_FEAT_INCOMPAT_KNOWN 0ULL
#define MDDB_FEAT_RO_COMPAT_KNOWN 0ULL

#define MDDB_HF_MN 0x1 /* header flag: multi-owner set */
#define MDDB_HF_KNOWN MDDB_HF_MN /* other flag bits: the header is corrupt */
#define MDDB_SETNO_MAX 32 /* set numbers are 1..32 (META_SET_MAX) */
#define MDDB_SLOT_INUSE 0x1

/* ---- Decoded on-disk structures ---------------------------------------- */
struct mddb_hdr {
	uint32_t h_version;
	uint64_t h_compat, h_incompat, h_ro_compat;
	uint8_t h_set_uuid[16];
	uint8_t h_drive_uuid[16];
	uint32_t h_index;
	uint32_t h_bsize;
	uint64_t h_length;
	uint64_t h_data_off;
	uint32_t h_data_blocks;
	uint32_t h_setno;
	uint64_t h_ctime;
	uint32_t h_flags;
	char h_setname[32];
};

struct mddb_loc {
	uint8_t l_drive_uuid[16];
	uint32_t l_index;
	uint32_t l_flags;
};

struct mddb_commit {
	uint64_t c_txg;
	uint64_t c_time;
	uint8_t c_set_uuid[16];
	uint64_t c_incompat;
	uint32_t c_nrecords;
	uint32_t c_ndirpages;
	uint32_t c_nlocators;
	uint32_t c_bsize;
	uint32_t c_data_blocks;
	struct mddb_loc c_locs[MDDB_MAXREPLICAS];
	uint32_t c_dirblk[MDDB_MAXDIRPAGES];
};

struct mddb_dirent {
	uint32_t e_type, e_id, e_len, e_blk, e_nblks, e_dcrc;
	uint64_t e_txg;
};

struct mddb_dirpage {
	uint32_t p_index;
	uint64_t p_txg;
	uint32_t p_nused;
	struct mddb_dirent p_ents[MDDB_DIRENTS];
};

struct mddb_rechdr {
	uint32_t rh_type, rh_id, rh_len, rh_dcrc;
	uint64_t rh_txg;
};

struct mddb_slot {
	uint32_t s_slot;
	uint64_t s_seq;
	uint32_t s_flags;
	uint32_t s_len;
	uint8_t s_set_uuid[16];
	uint64_t s_time;
	uint8_t s_data[MDDB_LOG_MAXLEN];
};

/*
 * Decoders check magic, checksum, version and feature bits and return 0, or
 * an ME_MDDB_* code (never -1: they do not fill a meta_error_t, so that the
 * loader can decide what the failure means for the replica).
 */
/*
 * The head that the replica header and the drive label (mdl_label.c) share:
 * magic at 0 (8 bytes), version at 8, the block's size at 12, compat,
 * incompat and ro_compat feature bits at 16, 24 and 32, a CRC-32C in the
 * last 4 bytes.  mddb_head_encode zeroes the @size bytes of @buf and writes
 * the head; mddb_seal writes the CRC once the rest is filled in.
 * mddb_head_decode checks, in this order: the magic (@nomagic when absent),
 * the CRC (ME_MDDB_BADCKSUM), version @version and size @size
 * (ME_MDDB_BADVERSION), no incompat bit outside @incompat_known
 * (ME_MDDB_INCOMPAT); and fills @hd.
 */
struct mddb_head {
	uint32_t hd_version;
	uint64_t hd_compat, hd_incompat, hd_ro_compat;
};

void mddb_head_encode(void *buf, size_t size, const char *magic,
		      const struct mddb_head *hd);
void mddb_seal(void *buf, size_t size);
int mddb_head_decode(const void *buf, size_t size, const char *magic,
		     int nomagic, uint32_t version, uint64_t incompat_known,
		     struct mddb_head *hd);

void mddb_hdr_encode(const struct mddb_hdr *h, void *buf);
int mddb_hdr_decode(const void *buf, struct mddb_hdr *h);
void mddb_commit_encode(const struct mddb_commit *c, void *buf);
int mddb_commit_decode(const void *buf, struct mddb_commit *c);
void mddb_dirpage_encode(const struct mddb_dirpage *p, void *buf);
int mddb_dirpage_decode(const void *buf, struct mddb_dirpage *p);
void mddb_rechdr_encode(const struct mddb_rechdr *r, void *buf);
int mddb_rechdr_decode(const void *buf, struct mddb_rechdr *r);
void mddb_slot_encode(const struct mddb_slot *s, const char *magic, void *buf);
int mddb_slot_decode(const void *buf, const char *magic, struct mddb_slot *s);

/* ---- In core ----------------------------------------------------------- */
struct mddb_rec {
	uint32_t r_type, r_id, r_len;
	uint32_t r_slot; /* directory slot: page r_slot / MDDB_DIRENTS */
	uint32_t r_blk, r_nblks; /* extent in the data region */
	uint32_t r_dcrc;
	uint64_t r_txg;
	void *r_data;
};

struct mddb_replica {
	struct mddb_replica_spec rp_spec;
	bool rp_have_spec;
	uint32_t rp_flags; /* MDDB_F_* */
	uint64_t rp_txg;
	bool rp_hdr_ok; /* header valid and of this set */
	bool rp_hdr_bad; /* header destroyed (magic or checksum): rewrite */
	/* Change-log slots as this handle last wrote them (mddb_slots.c):
	 * bit s of rp_log_known: copy rp_log_newest[s] holds sequence
	 * rp_log_seq[s], the newest valid copy of slot s on this replica. */
	uint32_t rp_log_known;
	uint8_t rp_log_newest[MDDB_LOG_SLOTS];
	uint64_t rp_log_seq[MDDB_LOG_SLOTS];
	/* A clear was written here and not flushed yet (mddb_log_flush). */
	bool rp_unflushed;
};

struct mddb_op {
	uint32_t o_type, o_id;
	size_t o_len;
	void *o_data; /* NULL: delete */
};

struct mddb_txn {
	struct mddb *t_db;
	struct mddb_op *t_ops;
	size_t t_nops, t_cap;
	struct mddb_replica_spec *t_adds; /* replicas the commit adds */
	int t_nadds;
	bool t_poisoned;
};

/* Blocks [rn_blk, rn_blk + rn_nblks) of replica rn_rep, read by a load. */
struct mddb_run {
	uint8_t *rn_buf;
	uint32_t rn_blk, rn_nblks;
	int rn_rep;
};

struct mddb {
	uint8_t db_set_uuid[16];
	uint32_t db_setno;
	char db_setname[32];
	bool db_mn;
	uint64_t db_ctime;
	int db_flags; /* MDDB_OPEN_* */
	bool db_rdonly; /* flags or an ro_compat feature */
	enum mddb_state db_state;
	uint64_t db_txg;
	uint32_t db_bsize;
	uint64_t db_length; /* bytes of each replica */
	uint32_t db_nblocks; /* blocks of the data region */

	/* The locator table (replicas of the set), in commit order. */
	struct mddb_replica db_reps[MDDB_MAXREPLICAS];
	int db_nreps;
	/* What the opener gave, for reload. */
	struct mddb_replica_spec *db_specs;
	int db_nspecs;

	/* Records sorted by (type, id); directory slots; directory pages. */
	struct mddb_rec **db_recs;
	uint32_t db_nrecs, db_caprecs;
	struct mddb_rec **db_slots; /* MDDB_MAXRECS entries */
	uint32_t db_slothint;
	uint32_t db_dirblk[MDDB_MAXDIRPAGES];
	uint32_t db_ndirpages;

	/* Allocation: a bit per data block, the blocks in use, and the
	 * next-fit cursor (mddb.c bm_alloc: inside a window of the blocks
	 * in use plus a quarter, at least 1 MiB, so that what a load reads
	 * stays compact). */
	uint8_t *db_bmap;
	uint32_t db_nused;
	uint32_t db_cursor;

	struct mddb_txn *db_txn;
	/* During a commit that adds replicas: how many at the end of db_reps
	 * are the new ones (mddb_adds_attach()); the commit's quorum counts
	 * the old ones apart too. */
	int db_nadding;
	/* The last failed commit got as far as writing a commit block: it
	 * may be visible on disk (mddb_commit_in_doubt()). */
	bool db_commit_doubt;

	/* During a load only: the runs of neighbouring extents read so far,
	 * sorted by first block (mddb.c run_read). */
	struct mddb_run *db_runs;
	uint32_t db_nruns, db_capruns;
	size_t db_runbytes;
};

/* mddb.c helpers shared with mddb_slots.c and mddb_replica.c */
int mddb_quorum_need(const struct mddb *db);
void mddb_replica_failed(struct mddb *db, int i, uint32_t flag);
int mddb_rep_object(const struct mddb *db, int i, char *buf, size_t len);

/* Does @a name the replica at index @index of drive @uuid? */
bool mddb_spec_matches(const struct mddb_replica_spec *a,
		       const uint8_t uuid[16], uint32_t index);
/* 0 if @db can be changed; else -1 with ME_MDDB_STALE, ME_MDDB_TOOFEW or
 * ME_MDDB_RDONLY, the message @what and the set's name. */
int mddb_writable(struct mddb *db, meta_error_t *ep, const char *what);
/* Write the header of replica @i and zero its commit, log and resync
 * areas.  0, or -1 (ENOMEM, I/O errors). */
int mddb_rep_format(struct mddb *db, int i, meta_error_t *ep);
/* Write every directory page and record of the in-core state to replica
 * @i and flush; with @commit, the current commit block too (both commit
 * slots zeroed and flushed first).  0, or -1 (ENOMEM, I/O errors). */
int mddb_rep_write_all(struct mddb *db, int i, bool commit, meta_error_t *ep);
/* Is a commit's write quorum there: a majority of db_reps as it will be,
 * and of the db_nreps - db_nadding replicas it had before the commit? */
bool mddb_commit_quorum(const struct mddb *db);
/* One change of a commit (mddb.c). */
struct mddb_change;
/* Write @nch changes and the locator table in db_reps as commit txg + 1
 * (@ch NULL and @nch 0: the table alone).  On success apply them in core
 * and own every ch_new; on failure free nothing of @ch, and leave
 * db_commit_doubt set if a commit block was written. */
int mddb_commit_changes(struct mddb *db, struct mddb_change *ch, size_t nch,
			meta_error_t *ep);

/* mddb_replica.c helpers of mddb_txn_commit(): before the commit, format
 * @txn's new replicas and put them at the end of db_reps, each with a copy
 * of the database (all or none: 0, or -1 with the new ones taken out and
 * wiped); after it (@ok: it succeeded), keep their specs for reloads or
 * take them out again. */
int mddb_adds_attach(struct mddb *db, struct mddb_txn *txn, meta_error_t *ep);
void mddb_adds_done(struct mddb *db, struct mddb_txn *txn, bool ok);

#ifdef OBAN_TEST_HOOKS
/* Test only: the @nth mddb commit from now on this thread fails to write
 * every replica (EIO), as if their drives had failed; 0 cancels. */
void mddb_test_fail_commit(int nth);
/* Test only: the @nth mddb commit from now on this thread writes its
 * records to every replica and its commit block to replica 0, then fails
 * to write the commit block of every other replica (EIO); 0 cancels. */
void mddb_test_fail_commit_blocks(int nth);
#endif

#endif /* OBAN_MDDB_IMPL_H */
