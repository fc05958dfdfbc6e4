/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mddb: a set's state database replicas.
 *
 * An mddb is the configuration store of one set: typed records addressed by
 * (type, id), kept in core and on up to MDDB_MAXREPLICAS identical replicas
 * in the replica areas of the set's drives.  doc/format-mddb.md describes the
 * format byte by byte and why a commit is atomic.
 *
 * Readers: mddb_rec_get() and mddb_rec_foreach() read the in-core copy of
 * the last committed (or loaded) state and never touch a disk; the changes
 * of an open transaction are not visible to them before its commit.  Writers: mddb_txn_begin() .. mddb_txn_put/del() ..
 * mddb_txn_commit() writes the changed records to every active replica,
 * flushes, then writes the commit block, flushes again: after a crash at any
 * single write, a reload sees all of the commit or none of it.
 *
 * Quorum (facts 4.4): with lc replicas in the set and alc readable at load,
 * half = (lc + 1) / 2; alc > half is OK; alc < half is STALE (read-only,
 * every change refused with ME_MDDB_STALE); alc == half is OK for an odd lc,
 * and for an even lc only with MDDB_OPEN_ALLOW_HALF (the operator's or the
 * master's extra vote), else STALE.  At runtime a replica whose write fails
 * is deactivated; when fewer than (lc + 1) / 2 stay active the database is
 * TOOFEW and commits fail with ME_MDDB_TOOFEW.
 *
 * Besides records, a replica holds MDDB_LOG_SLOTS change-log slots (written
 * and cleared one at a time by the master, for mdcommd) and MDDB_RS_SLOTS
 * resync slots that a mirror's owner writes without the master.
 *
 * Errors: every function that can fail returns 0 or -1 and fills the
 * caller's meta_error_t (error.h); the codes are errnos or ME_MDDB_* codes
 * (errcodes.h).
 *
 * Threading: one struct mddb is not thread-safe: its user serialises every
 * call on it (mdcommd's set lock, or the single-threaded commands).  At most
 * one transaction is open per database at a time.  Distinct databases are
 * independent.
 */
#ifndef OBAN_MDDB_H
#define OBAN_MDDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <oban/error.h>

struct meta_dev;
struct mddb; /* an open set database (in-core records + replicas) */
struct mddb_txn; /* one write transaction */

/* Record types.  On-disk numbers: add new ones, never renumber. */
enum mddb_rectype {
	MDDB_RT_SET = 1,
	MDDB_RT_DRIVE = 2,
	MDDB_RT_NODE = 3,
	MDDB_RT_NAME = 4,
	MDDB_RT_UNIT = 5,
	MDDB_RT_HSP = 6,
	/* further types: add, never renumber */
};

#define MDDB_MAXREPLICAS 50 /* replicas per set (the original's MDDB_NLB) */
#define MDDB_REC_MAXLEN (1024 * 1024) /* bytes of one record's payload */
#define MDDB_LOG_SLOTS 16 /* change-log slots */
#define MDDB_LOG_MAXLEN 4028 /* bytes of one change-log slot's payload */
#define MDDB_RS_SLOTS 256 /* resync slots */
#define MDDB_RS_MAXLEN 4028 /* bytes of one resync slot's payload */
#define MDDB_MINBYTES (4ULL << 20) /* smallest replica the format allows */
#define MDDB_MAXBYTES (256ULL << 20) /* largest replica */

/* Per-replica flags, with the original's values (MDDB_F_*). */
#define MDDB_F_EREAD 0x1 /* a read failed */
#define MDDB_F_TOOSMALL 0x2 /* the area is too small for the set's size */
#define MDDB_F_EFMT 0x4 /* header unreadable or not an mddb of this set */
#define MDDB_F_EDATA 0x8 /* a commit, record or directory block is bad */
#define MDDB_F_EMASTER 0x10 /* the replica header is bad */
#define MDDB_F_ACTIVE 0x20 /* in use: reads and writes go to it */
#define MDDB_F_EWRITE 0x40 /* a write failed */
#define MDDB_F_MASTER 0x80 /* the replica the records were loaded from */
#define MDDB_F_LOCACC 0x2000 /* accessible at load */
#define MDDB_F_UP2DATE 0x4000 /* holds the newest commit */
#define MDDB_F_DELETED 0x10000 /* deleted (only in the locator table) */
#define MDDB_F_NODEV 0x20000 /* the drive was not found on this node */

/* Database states (mddb_state()). */
enum mddb_state {
	MDDB_S_OK = 0, /* writable */
	MDDB_S_STALE = 1, /* too few replicas at load: read-only until reload */
	MDDB_S_TOOFEW = 2, /* too few replicas stayed writable: commits fail */
};

/* Open flags. */
#define MDDB_OPEN_RDONLY 0x1 /* never write (metadump, slaves, STALE) */
#define MDDB_OPEN_ALLOW_HALF 0x2 /* exactly half of an even count is OK */
#define MDDB_OPEN_NOREPAIR 0x4 /* do not rewrite out-of-date replicas */

/*
 * One replica, as the opener found it.  The device is borrowed: it must stay
 * open until mddb_close().  rs_dev NULL means "this replica's drive was not
 * found on this node" (it counts in the quorum as unreadable).
 */
struct mddb_replica_spec {
	struct meta_dev *rs_dev;
	uint64_t rs_offset; /* byte offset of the replica on rs_dev */
	uint64_t rs_length; /* bytes */
	uint8_t rs_drive_uuid[16]; /* the drive's own UUID (its label's) */
	uint32_t rs_index; /* replica number on that drive, from 0 */
	char rs_name[64]; /* drive name for messages */
};

/* What mddb_replica_info() reports about one replica. */
struct mddb_replica_info {
	uint8_t ri_drive_uuid[16];
	uint32_t ri_index;
	uint32_t ri_flags; /* MDDB_F_* */
	uint64_t ri_txg; /* commit count found on it at load, 0 if none */
	uint64_t ri_offset; /* bytes, on its drive */
	uint64_t ri_length; /* bytes */
	char ri_name[64];
};

/* Creation parameters (mddb_create()). */
struct mddb_create_args {
	uint8_t ca_set_uuid[16];
	uint32_t ca_setno;
	const char *ca_setname;
	bool ca_mn; /* multi-owner set */
};

/*
 * mddb_create - format @nspecs replicas (1..MDDB_MAXREPLICAS, every one with
 * a device and the same rs_length) as an empty database and open it.
 *
 * Writes each replica's header, change-log, resync and commit areas, flushes,
 * and returns the open database in *@dbp (caller closes it).
 * Errors: EINVAL (bad arguments), ME_MDDB_MAXREPLICAS, ME_MDDB_TOOSMALL
 * (area below MDDB_MINBYTES), EIO and other errnos from the devices.
 */
int mddb_create(const struct mddb_create_args *args,
		const struct mddb_replica_spec *specs, int nspecs,
		struct mddb **dbp, meta_error_t *ep);

/*
 * mddb_open - load the set database from the replicas in @specs.
 *
 * Reads every replica's header and commit blocks, picks the newest valid
 * commit (its commit count) among the replicas of set @set_uuid, loads the
 * records from it (falling back to another replica with the same commit for a
 * bad block), applies the quorum rules above and, unless MDDB_OPEN_RDONLY or
 * MDDB_OPEN_NOREPAIR, rewrites replicas that hold an older commit.
 * The locator table of the newest commit says which replicas the set has:
 * specs not in it are ignored, replicas in it without a spec count as
 * unreadable.
 *
 * A STALE database opens (so that it can be shown) but refuses changes.
 * Errors: ME_MDDB_NOREPLICA (no replica readable), ME_MDDB_INCOMPAT,
 * ME_MDDB_BADVERSION (every readable replica is of an unknown format),
 * ME_MDDB_CORRUPT (a record is bad on every replica that has it), ENOMEM.
 */
int mddb_open(const uint8_t set_uuid[16], const struct mddb_replica_spec *specs,
	      int nspecs, int flags, struct mddb **dbp, meta_error_t *ep);

/* mddb_close - free the database; any open transaction must be finished. */
void mddb_close(struct mddb *db);

/*
 * mddb_reload - re-read the database from the disks (the slaves' answer to
 * the master's PARSE): as mddb_open() with the same replicas and flags.  On
 * failure the database keeps its previous in-core state.
 */
int mddb_reload(struct mddb *db, meta_error_t *ep);

/* mddb_state - MDDB_S_OK, MDDB_S_STALE or MDDB_S_TOOFEW. */
enum mddb_state mddb_state(const struct mddb *db);

/* mddb_txg - the commit count of the loaded (or last committed) state. */
uint64_t mddb_txg(const struct mddb *db);

/* mddb_set_uuid - the set UUID every replica carries (16 bytes). */
const uint8_t *mddb_set_uuid(const struct mddb *db);

/* mddb_replica_count - replicas in the locator table, deleted ones omitted. */
int mddb_replica_count(const struct mddb *db);

/* mddb_replica_info - fill @ri for replica @i (0 .. count - 1). */
int mddb_replica_info(const struct mddb *db, int i,
		      struct mddb_replica_info *ri, meta_error_t *ep);

/*
 * mddb_replica_add - add the replica @spec alone: a transaction of
 * mddb_txn_replica_add() and nothing else (no code of its own; kept for
 * the unit tests and tools that add one replica).  Errors as
 * mddb_txn_begin() (EBUSY while a transaction is open),
 * mddb_txn_replica_add() and mddb_txn_commit().
 */
int mddb_replica_add(struct mddb *db, const struct mddb_replica_spec *spec,
		     meta_error_t *ep);

/*
 * mddb_txn_replica_add - add replica @spec (copied) in transaction @txn: at
 * mddb_txn_commit() it is formatted, given a copy of the database and
 * added to the locator table in the same commit as the transaction's
 * records, so that the records that name its drive and the replica are
 * written together or not at all.  The commit needs a majority of the
 * replica table with the new replicas and a majority of it without them.
 * When the commit fails, the replicas it was to add are taken out of the
 * in-core table again; their headers are wiped (nothing on the drive
 * reads as a replica) only if no commit block was written.  If one was
 * (mddb_commit_in_doubt()), the newest commit on some replica may name
 * them: their headers are kept, and a reload shows whether they are in.
 * Errors (the transaction is poisoned): ME_MDDB_MAXREPLICAS, EEXIST
 * (already a replica, or twice in @txn), ME_MDDB_TOOSMALL,
 * ME_MDDB_BADTXN, ENOMEM.
 */
int mddb_txn_replica_add(struct mddb_txn *txn,
			 const struct mddb_replica_spec *spec,
			 meta_error_t *ep);

/*
 * mddb_commit_in_doubt - after mddb_txn_commit() (or mddb_replica_add())
 * failed: true if it failed after writing a commit block to some replica,
 * so that a reload may show the commit made; false if the commit cannot
 * have become visible.  Reads only memory.
 */
bool mddb_commit_in_doubt(const struct mddb *db);

/*
 * mddb_replica_wipe - zero the header of the replica area @spec (on its
 * device, flushed), so that nothing takes it for a replica; for an area
 * that no locator table names (a drive add undone).  Errors: I/O errors,
 * ENOMEM.
 */
int mddb_replica_wipe(const struct mddb_replica_spec *spec, meta_error_t *ep);

/*
 * mddb_replica_del - remove replica (@drive_uuid, @index) from the locator
 * table in one commit and wipe its header.  Refuses the last replica
 * (ME_MDDB_LASTREPLICA); ENOENT if absent; EBUSY while a transaction is
 * open.
 */
int mddb_replica_del(struct mddb *db, const uint8_t drive_uuid[16],
		     uint32_t index, meta_error_t *ep);

/*
 * mddb_rec_get - copy record (@type, @id) into a malloc'd buffer.
 *
 * @datap out: the copy (caller frees; a zero-length record gives a non-NULL
 *        buffer); @lenp out: its length.
 * Returns -1 with ENOENT if the record does not exist.  Reads only memory.
 */
int mddb_rec_get(struct mddb *db, uint32_t type, uint32_t id, void **datap,
		 size_t *lenp, meta_error_t *ep);

/*
 * mddb_rec_foreach - call @fn for every record of @type in ascending id.
 *
 * @data is valid only during the call.  @fn must not change the database.
 * A non-zero return of @fn stops the walk and is returned; else 0.
 */
int mddb_rec_foreach(struct mddb *db, uint32_t type,
		     int (*fn)(void *arg, uint32_t id, const void *data,
			       size_t len),
		     void *arg, meta_error_t *ep);

/*
 * mddb_txn_begin - start the write transaction of @db in *@txnp.
 *
 * Errors: ME_MDDB_STALE, ME_MDDB_TOOFEW, ME_MDDB_RDONLY (opened read-only),
 * EBUSY (a transaction is already open), ENOMEM.
 */
int mddb_txn_begin(struct mddb *db, struct mddb_txn **txnp, meta_error_t *ep);

/*
 * mddb_txn_put - create or replace record (@type, @id) with @len bytes of
 * @data (copied).  Errors: EINVAL (type 0), ME_MDDB_TOOBIG (len >
 * MDDB_REC_MAXLEN), ME_MDDB_BADTXN.  Any failure poisons the transaction.
 */
int mddb_txn_put(struct mddb_txn *txn, uint32_t type, uint32_t id,
		 const void *data, size_t len, meta_error_t *ep);

/*
 * mddb_txn_del - delete record (@type, @id).  ENOENT if it exists neither in
 * the database nor in the transaction.  A failure poisons the transaction.
 */
int mddb_txn_del(struct mddb_txn *txn, uint32_t type, uint32_t id,
		 meta_error_t *ep);

/*
 * mddb_txn_commit - write the transaction to every active replica, durably,
 * all or nothing, and apply it in core.  Consumes @txn in every case.
 *
 * Cost: the changed records, the directory pages that hold them and one
 * commit block per replica; independent of the number of records.
 * Errors: ME_MDDB_BADTXN (poisoned), ME_MDDB_FULL (no room in the replica
 * area), ME_MDDB_TOOFEW (writes failed on too many replicas; the database
 * stays TOOFEW), ME_MDDB_STALE.  After an error the in-core state is the old
 * one; on disk the commit may or may not have become visible, as after a
 * crash: a reload shows all of it or none of it.
 */
int mddb_txn_commit(struct mddb_txn *txn, meta_error_t *ep);

/* mddb_txn_abort - drop the transaction.  @txn may be NULL. */
void mddb_txn_abort(struct mddb_txn *txn);

/*
 * Change log (facts 2.1): slot 0..MDDB_LOG_SLOTS-1, one per message class
 * plus spares.  mddb_log_write() durably replaces the slot's content with
 * @len bytes (<= MDDB_LOG_MAXLEN) on every active replica; mddb_log_clear()
 * marks it empty; neither touches anything else.  mddb_log_read() copies the
 * slot (from disk, newest valid copy on any replica) into @buf of @size bytes
 * and sets *@lenp; -1 with ENOENT if empty.  Only the master writes.
 */
int mddb_log_write(struct mddb *db, unsigned slot, const void *data, size_t len,
		   meta_error_t *ep);
/*
 * mddb_log_write_known - mddb_log_write() without the read of the slot's
 * copies on a replica where this handle wrote the slot last (it knows
 * which copy holds the newest sequence): one write and one flush there.
 * Only for a writer that knows nobody else wrote the slot since (mdcommd's
 * master while the core vouches for it; doc/mdcommd.md, 11a); a replica
 * this handle does not know is read first as by mddb_log_write().
 */
int mddb_log_write_known(struct mddb *db, unsigned slot, const void *data,
			 size_t len, meta_error_t *ep);
int mddb_log_clear(struct mddb *db, unsigned slot, meta_error_t *ep);
/*
 * mddb_log_clear_unflushed - mddb_log_clear() that writes every active
 * replica's block without flushing the drives: when it returns, every
 * reader reads the slot empty, but a power failure of the drives before
 * mddb_log_flush() may bring the cleared message back (then replayed,
 * answered from the completion tables).  mddb_log_flush() flushes the
 * replicas such clears wrote; a replica whose flush fails is marked
 * failed (-1, the first error in @ep).  mddb_close() flushes first.
 */
int mddb_log_clear_unflushed(struct mddb *db, unsigned slot, meta_error_t *ep);
int mddb_log_flush(struct mddb *db, meta_error_t *ep);
int mddb_log_read(struct mddb *db, unsigned slot, void *buf, size_t size,
		  size_t *lenp, meta_error_t *ep);

/*
 * Resync records: slot 0..MDDB_RS_SLOTS-1 (the configuration model gives each
 * mirror one).  Written by the mirror's owner, any node, without rewriting
 * anything else; same rules as the change log.  A read-only database may
 * write resync slots (a slave owns mirrors too), a STALE one may not.
 */
int mddb_resync_write(struct mddb *db, unsigned slot, const void *data,
		      size_t len, meta_error_t *ep);
int mddb_resync_read(struct mddb *db, unsigned slot, void *buf, size_t size,
		     size_t *lenp, meta_error_t *ep);

/*
 * mddb_dump_replica - print one replica found at @off (@len bytes) of @d to
 * @out, for the offline inspector (metadump): its header, both commit
 * slots, the locator table, the directory and, with @records, every record
 * (type, id, length, commit, checksum state and the first bytes), the
 * change-log slots and the resync slots in use.  Reads only, with the
 * library's own decoders; a bad structure is reported and the dump goes on.
 * Returns 0, or -1 (with @ep) if the header cannot be read at all.
 */
int mddb_dump_replica(struct meta_dev *d, uint64_t off, uint64_t len,
		      bool records, FILE *out, meta_error_t *ep);

#endif /* OBAN_MDDB_H */
