/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta_set: a set as one node sees it.
 *
 * A set has a name, a number (1..META_SET_MAX), a UUID, a multi-owner flag,
 * hosts (node records) and drives.  This node's knowledge of its sets lives
 * in the local replica (LMDB under oban_dir(OBAN_DIR_STATE), see
 * doc/storage.md); the set's own configuration lives in its mddb on the set's
 * drives.  meta_set_open() reads the local replica to learn the set's drive
 * UUIDs, scans the device globs of runtime.cf to find those drives on this
 * node by their labels (never by name), and opens the mddb on their replicas.
 *
 * Errors: 0 / -1 and the caller's meta_error_t; codes are errnos or
 * ME_SET_* / ME_MDL_* / ME_MDDB_* (errcodes.h).
 * Threading: a struct meta_set is used by one thread at a time.
 */
#ifndef OBAN_META_SET_H
#define OBAN_META_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <oban/error.h>

struct meta_set;
struct mddb;

#define META_SET_MAX 32 /* sets 1..32 */
#define META_SET_NAMELEN 32 /* bytes of a set name, NUL included */
#define META_DRIVE_NAMELEN 128 /* bytes of a drive name, NUL included */
#define META_NODE_NAMELEN 64 /* bytes of a node name, NUL included */

/* meta_set_open() flags. */
#define META_SET_RDONLY 0x1 /* open the mddb read-only */
#define META_SET_ALLOW_HALF 0x2 /* exactly half the replicas is enough */
#define META_SET_NODB 0x4 /* do not open the mddb (set has no drives yet) */

/* One drive of a set, as this node sees it. */
struct meta_drive_info {
	char di_name[META_DRIVE_NAMELEN]; /* canonical name stored in the set */
	uint8_t di_uuid[16]; /* the drive's own UUID (from its label) */
	char di_path[META_DRIVE_NAMELEN]; /* this node's device path, "" if
					     the drive was not found */
	uint64_t di_data_offset; /* bytes: start of the data area */
	uint64_t di_data_length; /* bytes */
	uint32_t di_sector_size; /* logical sector size, bytes */
	uint32_t di_nreplicas; /* replicas of the set on this drive */
};

/*
 * meta_set_open - open set @name.
 *
 * @flags META_SET_*.  On success *@sp is the open set (meta_set_close()).
 * The mddb is opened only when the set has drives and META_SET_NODB is not
 * given; a STALE mddb still opens (see mddb.h).  A writable open of a
 * single-owner set whose local replica's drives differ from the mddb's
 * drive records (a change whose local commit failed after the mddb's)
 * first brings the local replica in line (meta_set_reload()).
 * Errors: ME_SET_NOTFOUND, ME_BADNAME, the local replica's errors
 * (ME_LOCAL_DB), mddb_open()'s errors, ENOMEM.
 */
int meta_set_open(const char *name, int flags, struct meta_set **sp,
		  meta_error_t *ep);

/* meta_set_close - close the set, its mddb and its devices. NULL is ok. */
void meta_set_close(struct meta_set *s);

/*
 * meta_set_unlock - drop this handle's node-local lock on the set (the
 * <rundir>/<name>.lock flock), keeping its devices and mddb open, so that a
 * long-lived holder (mdcommd's change-log handle) does not shut this node's
 * commands out between its uses.  The lock file itself stays open (unlocked)
 * when this handle was the process's only holder, so that meta_set_relock()
 * is one flock().  While unlocked, nothing of the handle may
 * be used but meta_set_relock(), meta_set_changed() and meta_set_close().
 * Threading: the handle's owner only.
 */
void meta_set_unlock(struct meta_set *s);

/*
 * meta_set_relock - take the lock again (exclusive unless the set was opened
 * META_SET_RDONLY; shared with any lock this process already holds on the
 * set).  0 if already held.  Errors: the lock file's errno (cannot lock set).
 */
int meta_set_relock(struct meta_set *s, meta_error_t *ep);

/*
 * meta_set_changed - true if this node's local replica (the LMDB data file
 * holding the set, drive and node records) may have changed since @s was
 * opened: a different file, size or modification time, or it cannot be
 * checked.  A holder that keeps @s open across uses calls this with the lock
 * held and reopens on true.  Also true once a writable handle of the set
 * was closed on this node after @s was opened, by any process (it may have
 * committed to the set's mddb: a count in the set's lock file), or any
 * writable handle of this process; and when @s is not locked.  Not seen:
 * a change made without a writable meta_set handle (another program
 * writing the drives directly).
 */
bool meta_set_changed(const struct meta_set *s);

/* meta_set_db - the set's mddb, or NULL if it has none open. Borrowed. */
struct mddb *meta_set_db(struct meta_set *s);

/* meta_set_name - the set's name (valid until close). */
const char *meta_set_name(const struct meta_set *s);

/* meta_set_number - 1..META_SET_MAX. */
uint32_t meta_set_number(const struct meta_set *s);

/* meta_set_is_mn - true for a multi-owner set. */
bool meta_set_is_mn(const struct meta_set *s);

/* meta_set_uuid - the set's UUID, 16 bytes (valid until close). */
const uint8_t *meta_set_uuid(const struct meta_set *s);

/*
 * meta_set_drive_find - resolve a drive name as a user gives it: a device
 * path (any name of the same device), "UUID=<drive uuid>" (our label's or
 * the file system's as libblkid resolves it), "LABEL=...", or the canonical
 * name stored in the set.  Fills @di.  ENOENT if the drive is not in the
 * set (ME_SET_NODRIVE), ME_MDL_NOTFOUND for a name that names no device.
 */
int meta_set_drive_find(struct meta_set *s, const char *name,
			struct meta_drive_info *di, meta_error_t *ep);

/*
 * meta_set_drive_foreach - call @fn for each drive of the set in the order
 * they were added.  A non-zero return of @fn stops the walk and is returned.
 */
int meta_set_drive_foreach(struct meta_set *s,
			   int (*fn)(void *arg,
				     const struct meta_drive_info *di),
			   void *arg, meta_error_t *ep);

/* ---- Administration (metaset, metadb) ---------------------------------- */

/* One host of a set. */
struct meta_host_info {
	uint32_t hi_nodeid;
	char hi_name[META_NODE_NAMELEN];
	uint32_t hi_flags; /* META_NODE_* */
};
#define META_NODE_ALIVE 0x1 /* in the membership list */
#define META_NODE_OWN 0x2 /* joined: owner */
#define META_NODE_OK 0x10 /* fully added */

/*
 * meta_set_create - create set @name with hosts @hosts[@nhosts] (this node
 * must be one of them on a single node), multi-owner if @mn.  Picks the
 * lowest free set number.  Errors: ME_SET_EXISTS, ME_BADNAME, ME_SET_FULL,
 * ME_SET_NOTLOCAL (this node not among the hosts), ME_LOCAL_DB.
 */
int meta_set_create(const char *name, bool mn, const char *const *hosts,
		    int nhosts, meta_error_t *ep);

/*
 * meta_set_destroy - delete set @name from this node.  Without @purge the
 * set must have no drives (ME_SET_HASDRIVES); with @purge only this node's
 * record of it is removed and nothing on the drives is touched.
 */
int meta_set_destroy(const char *name, bool purge, meta_error_t *ep);

/* meta_set_list - call @fn for the name of each set this node knows, also
 * of one whose local record this build cannot read (opening it fails with
 * the reason). */
int meta_set_list(int (*fn)(void *arg, const char *name), void *arg,
		  meta_error_t *ep);

/* meta_set_host_foreach - call @fn for each host (node record) of the set. */
int meta_set_host_foreach(struct meta_set *s,
			  int (*fn)(void *arg, const struct meta_host_info *hi),
			  void *arg, meta_error_t *ep);

/*
 * meta_set_host_add - add hosts to the set (metaset -a -h on an existing
 * set).  Each must be in the membership list (or be this node when there is
 * none) and not already a host (EEXIST).  Recorded locally and, when the set
 * has drives, in its mddb.  Errors: ME_SET_UNKNOWNHOST, EEXIST, mddb errors.
 */
int meta_set_host_add(struct meta_set *s, const char *const *hosts, int n,
		      meta_error_t *ep);

/*
 * meta_set_host_del - remove hosts other than this node from the set
 * (deleting every host deletes the set: meta_set_destroy()).  Errors:
 * ME_SET_NOHOST (not a host of the set), ENOTSUP (this node: it goes last,
 * with the set), mddb errors.
 */
int meta_set_host_del(struct meta_set *s, const char *const *hosts, int n,
		      meta_error_t *ep);

/*
 * meta_set_join / meta_set_withdraw - on one node (metaset -j / -w): join
 * makes this node an owner and, if the set has no master, its master; the
 * writable open that precedes it has already brought every reachable
 * replica up to date.  Withdraw drops ownership and mastership.  The
 * cluster-wide protocol (facts 7) is mdcommd's and reconfig's.  Errors:
 * ME_MDDB_RDONLY (set opened read-only), ME_MDDB_NOREPLICA (no drives),
 * ME_LOCAL_DB.
 */
int meta_set_join(struct meta_set *s, meta_error_t *ep);
int meta_set_withdraw(struct meta_set *s, meta_error_t *ep);

/* meta_set_master - the master's node name, or "" if none. */
const char *meta_set_master(const struct meta_set *s);

/*
 * meta_set_drive_add_count - label drives @names[@n] for the set, each with
 * a replica area for @count replicas (1..MDDB_MAXREPLICAS), and put @count
 * replicas on each: @replica_bytes each (0: the set's length, or for the
 * first drives the default, 16 MiB; multi-owner sets 16..256 MiB, others
 * 4..256 MiB; the first drives fix the set's length).  The area cannot grow
 * later (meta_set_replica_add fills only its free room).  Refuses drives
 * with a file system, partition table or other signature unless @force
 * (ME_MDL_INUSE).  The first drives create the mddb and make this node
 * master; later ones are added as replicas.  Nothing is written to any
 * drive unless every drive passed its checks, and a failure while writing
 * takes back the labels and replicas written: the local replica's records
 * are written first, in one transaction committed after the mddb's commit,
 * so a failure up to the mddb's commit changes neither; a failure of the
 * local commit itself takes back the first drives whole, and for later
 * drives is repaired by the next meta_set_open().  An mddb commit of later
 * drives that failed after its commit block reached some replica
 * (mddb_commit_in_doubt()) may still be the newest on disk: the labels and
 * replicas are then kept, this handle drops the drives, the error
 * (ME_MDDB_TOOFEW) says it cannot tell whether they were added, and the
 * next meta_set_open() shows which way it went.
 * Errors: ME_MDL_NOTFOUND (no such drive), ME_MDL_INUSE, ME_MDL_OTHERSET
 * (labelled for another set; @force overrides), ME_SET_DRIVEINSET,
 * ME_MDL_TOOSMALL (a drive cannot hold @count replicas and 1 MiB of data:
 * the message gives its size and what it needs), ME_MDL_BADSIZE (replica
 * length out of range or not the set's), ME_MDDB_MAXREPLICAS (@count out of
 * range, or the set would have more than 50 replicas), EEXIST (a drive
 * named twice), ME_MDDB_STALE / ME_MDDB_TOOFEW, ME_MDDB_RDONLY (set opened
 * read-only), device errnos.
 */
int meta_set_drive_add_count(struct meta_set *s, const char *const *names,
			     int n, uint64_t replica_bytes, uint32_t count,
			     bool force, meta_error_t *ep);
/* meta_set_drive_add - meta_set_drive_add_count with @count 1. */
int meta_set_drive_add(struct meta_set *s, const char *const *names, int n,
		       uint64_t replica_bytes, bool force, meta_error_t *ep);

/* meta_set_replica_length - bytes per replica; 0 before the first drive. */
uint64_t meta_set_replica_length(const struct meta_set *s);

/*
 * meta_set_drive_del - remove drives from the set: drops their replicas and
 * wipes their labels.  Refuses to remove the last replica while other drives
 * stay (ME_MDDB_LASTREPLICA).  A drive not found on this node is dropped
 * from the set without touching it.  Errors: ME_SET_NODRIVE,
 * ME_MDDB_STALE / ME_MDDB_TOOFEW, ME_MDDB_RDONLY, device errnos (a label
 * that cannot be wiped: the drive has left the set all the same; @force
 * ignores that).  Each drive's local change is written first and committed
 * after the mddb's (see meta_set_drive_add_count).
 */
int meta_set_drive_del(struct meta_set *s, const char *const *names, int n,
		       bool force, meta_error_t *ep);

/*
 * meta_set_replica_add / _del (metadb -a / -d): add @count replicas on a set
 * drive, all or none, in the free room of its replica area (sized when the
 * drive was added: ME_MDL_NOROOM, naming the drive, its room and what is in
 * use, when they do not fit), or delete all on it (ENOENT if it has none;
 * ME_MDDB_LASTREPLICA).  A failed add whose commit may be visible
 * (mddb_commit_in_doubt()) keeps the new replicas' headers and says so.
 * Errors as mddb_txn_replica_add() / mddb_replica_del(),
 * ME_MDDB_MAXREPLICAS (more than 50 in the set), ME_SET_NODRIVE, and for a
 * drive not used at open ME_MDL_GEOMETRY (its label's areas differ from the
 * set's record of them: both layouts named) or ME_MDL_NOTFOUND.
 */
int meta_set_replica_add(struct meta_set *s, const char *name, int count,
			 meta_error_t *ep);
int meta_set_replica_del(struct meta_set *s, const char *name,
			 meta_error_t *ep);

/* ---- Nodes: the node list and this node --------------------------------- */

#define META_NODE_MAXID 128 /* node ids are 1..128 */
#define META_NODE_ADDRLEN 64 /* bytes of an address, NUL included */

/* One line of the node list: "id name address". */
struct meta_nodelist_ent {
	uint32_t ne_id; /* 1..META_NODE_MAXID */
	char ne_name[META_NODE_NAMELEN];
	char ne_addr[META_NODE_ADDRLEN];
};

/*
 * meta_nodelist_read - read the node list (facts 6.3): one node per line,
 * "id name address" separated by blanks; '#' starts a comment; blank lines
 * are ignored.  @path NULL means oban_path(OBAN_DIR_RUN, "nodelist").
 *
 * @ents  out: a malloc'd array sorted by ascending id (caller frees);
 *        NULL when *@n is 0.
 * Errors: ENOENT (no node list: a single node system, see
 * meta_node_self()), ME_SET_BADNODELIST (a missing field, an id out of
 * 1..128, a name or address too long, an id or name twice: the message
 * names the line), errno of open/read, ENOMEM.  Thread-safe.
 */
int meta_nodelist_read(const char *path, struct meta_nodelist_ent **ents,
		       int *n, meta_error_t *ep);

/*
 * meta_nodelist_write - replace the node list with @ents[@n] (any order;
 * written sorted by id), atomically: a temporary file in the same
 * directory, fsync, rename.  mdcommd writes it at start from corosync's
 * configured nodelist when there is none; tests may write it by hand.  @path NULL as
 * above.  Errors: ME_SET_BADNODELIST (the same checks as the reader; the
 * old file is left as it was), errno of the file operations.
 */
int meta_nodelist_write(const char *path, const struct meta_nodelist_ent *ents,
			int n, meta_error_t *ep);

/*
 * meta_node_self - this node: its name is $OBAN_NODENAME when set, else the
 * short host name; its id and address come from the node list.  Without a
 * node list, a single node: id 1, address "".  Errors: ME_SET_UNKNOWNHOST
 * (a node list that does not name this node), meta_nodelist_read()'s.
 */
int meta_node_self(struct meta_nodelist_ent *self, meta_error_t *ep);

/*
 * meta_node_lookup - find @name in @ents[@n]; returns its index or -1.
 */
int meta_node_lookup(const struct meta_nodelist_ent *ents, int n,
		     const char *name);

/* ---- Join and withdraw rules (seed 004, "Join and withdraw") ----------- */

/* What this node knows of the set when it asks to join or withdraw. */
struct meta_join_state {
	bool js_self_joined; /* this node is an owner now */
	bool js_self_master; /* this node is the master */
	uint32_t js_owners; /* joined nodes, this one included */
	bool js_has_drives; /* the set has drives (and an mddb) */
	/* The master's replicas (the set's state a joiner inherits): */
	bool js_master_stale; /* the master runs the set STALE */
	uint32_t js_master_replicas; /* replicas of the set */
	uint32_t js_master_active; /* of which the master can use */
	/* This node's own view of the replicas (first joiner only): */
	uint32_t js_self_replicas;
	uint32_t js_self_active;
};

enum meta_join_verdict {
	META_JV_NOOP = 0, /* already joined / not joined: nothing to do */
	META_JV_MASTER, /* first to join: this node becomes the master */
	META_JV_MASTER_STALE, /* first to join with <= half the replicas
				 (even count without a vote): master, STALE */
	META_JV_SLAVE, /* joins the master's set and inherits its state */
	META_JV_SLAVE_STALE, /* the master is STALE: so is this node */
	META_JV_WD_SLAVE, /* withdraw a slave */
	META_JV_WD_LAST, /* withdraw the master, the last owner: no master */
};

/*
 * meta_join_check - the seed's join and withdraw rules, as a pure
 * function of @st: the first node to join becomes master (STALE if it
 * sees half or fewer of the replicas); a later joiner inherits the
 * master's state: it may join while the master runs with 50% of its
 * replicas, and is STALE when the master is; the master may not withdraw
 * while other nodes are joined.
 *
 * @join  true for metaset -j, false for -w.
 * Returns a verdict (>= 0), or -1 with @ep: ME_MDDB_NOREPLICA (join of a
 * set without drives), ME_SET_MASTERBUSY (the master withdrawing while
 * others are joined), ME_MDDB_TOOFEW (a slave joining a master that has
 * fewer than half of the replicas and is not STALE: an inconsistent
 * view).  Thread-safe.
 */
int meta_join_check(const struct meta_join_state *st, bool join,
		    meta_error_t *ep);

/* ---- metaset's output ---------------------------------------------------- */

/* Everything metaset prints of one set. */
struct meta_set_view {
	const char *sv_name;
	uint32_t sv_setno;
	bool sv_mn;
	const char *sv_master; /* "" when none */
	bool sv_self_joined; /* this node is an owner */
	const struct meta_host_info *sv_hosts;
	int sv_nhosts;
	const struct meta_drive_info *sv_drives;
	int sv_ndrives;
	int sv_db_state; /* MDDB_S_*, or -1 when no replica was read */
};

/*
 * meta_set_view_print - print @v as metaset does (seed 004): for a
 * multi-owner set "Multi-owner Set name = S, Set number = N, Master = M",
 * where a node that has not joined a set with drives prints no master and
 * "Master and owner information unavailable until joined (metaset -j)";
 * the Host / Owner / Member table; the Drive / Dbase table when the set has
 * drives; the state database's state when it is not OK.  Pure but for
 * writing to @f.  Returns 0, or -1 when writing failed.
 */
int meta_set_view_print(FILE *f, const struct meta_set_view *v);

/*
 * meta_set_print - gather @s's view (hosts, drives, this node's ownership)
 * and print it with meta_set_view_print().  Errors: ENOMEM, EIO.
 */
int meta_set_print(FILE *f, struct meta_set *s, meta_error_t *ep);

/* meta_set_self_joined - true when this node is an owner of @s. */
bool meta_set_self_joined(struct meta_set *s);

/* ---- Sets across nodes (doc/storage.md, "Sets across nodes") ---------- */

/*
 * The set administration channel: set creation, host changes, join,
 * withdraw and reloads travel as MDC_MSG_SET_ADMIN messages on this
 * reserved mdcommd set number above every set's own, whose master is the lowest-numbered node of
 * the membership and which every member runs (each node decides whether
 * the message concerns it).  Multi-owner sets, like the others, are
 * numbered 1..META_MN_SETMAX (= META_SET_MAX).
 */
#define META_MN_ADMIN_SET 33
#define META_MN_SETMAX META_SET_MAX

enum meta_mns_op {
	META_MNS_CREATE = 1, /* create the set on its hosts */
	META_MNS_HOSTS = 2, /* the set's hosts are now mm_hosts */
	META_MNS_JOIN = 3, /* node mm_node joined (verdict mm_verdict) */
	META_MNS_WITHDRAW = 4, /* node mm_node withdrew (verdict) */
	META_MNS_RELOAD = 5, /* re-read the set's drives from its mddb */
	META_MNS_DESTROY = 6, /* forget the set (its hosts all deleted) */
	META_MNS_ATTACH = 7, /* master: mm_count replicas on mm_drive */
	META_MNS_DETACH = 8, /* master: delete the replicas on mm_drive */
	META_MNS_SUSPEND = 9, /* every node: hold the set's classes for holder
				 (mm_node, mm_nonce), lease mm_count s;
				 again: the lease renewed */
	META_MNS_RESUME = 10, /* every node: the holder's hold released */
	META_MNS_STATE = 11, /* the master (sent on the set, NO_BCAST): its
				replicas, for a joiner */
	META_MNS_QUERY = 12, /* every member (on the admin set): the holds
				in force, for node mm_node that (re)started
				or regained quorum, its question number
				mm_nonce (non-zero); set 0, no name */
};
#define META_MNS_NOPS 13
#define META_MNS_LEASE 60 /* s: a node resumes a suspension by itself then */
/* No lease is longer: a restarted node's gate and its "complete" answer
 * rely on every hold being renewed or ended within one lease
 * (doc/mdcommd.md 7).  Shorter leases are for tests. */
#define META_MNS_MAXLEASE META_MNS_LEASE

#define META_MNS_F_DRYRUN 0x1 /* check only, change nothing */
#define META_MNS_MAXHOSTS 64
#define META_MNS_SIZE 368 /* bytes on the wire */
#define META_MNS_MAGIC 0x534e4d4fu /* "OMNS" */
/*
 * The payload's version (doc/format-messages.md, "SET_ADMIN payload"):
 * 2 since SUSPEND and RESUME name their holder (node and nonce); a node
 * refuses every other version.  QUERY came later with the same layout (a
 * node without it refuses it as an unknown operation).
 */
#define META_MNS_VERSION 2

/* A set administration payload, decoded (format: doc/format-mddb.md,
 * "Set administration messages"). */
struct meta_mns {
	uint32_t mm_op; /* enum meta_mns_op */
	uint32_t mm_flags; /* META_MNS_F_* */
	uint32_t mm_setno; /* 1..META_MN_SETMAX */
	uint32_t mm_setflags; /* multi-owner: 1 */
	uint32_t mm_node; /* JOIN / WITHDRAW: the node; SUSPEND / RESUME: the
			     initiator (the holder, with mm_nonce); else 0 */
	uint32_t mm_verdict; /* JOIN / WITHDRAW: enum meta_join_verdict */
	uint64_t mm_ctime;
	uint8_t mm_uuid[16]; /* the set's UUID */
	char mm_name[META_SET_NAMELEN];
	uint8_t mm_drive[16]; /* ATTACH / DETACH: the drive's UUID */
	uint32_t mm_count; /* ATTACH: replicas to add; SUSPEND: the lease, s */
	uint32_t mm_nonce; /* SUSPEND / RESUME: the initiator's, non-zero */
	uint32_t mm_nhosts; /* CREATE / HOSTS: 1..META_MNS_MAXHOSTS */
	uint32_t mm_hosts[META_MNS_MAXHOSTS]; /* node ids, each once */
};

/*
 * meta_mns_encode - @m into @buf of @len >= META_MNS_SIZE bytes, checked
 * as the decoder checks.  meta_mns_decode - the reverse: every malformed
 * payload (length, magic, version, op, flags, set number or name, host
 * ids out of range or twice, a field the op does not use that is not
 * zero, a non-zero pad) is refused with ME_SET_BADMSG.  Pure.
 */
int meta_mns_encode(const struct meta_mns *m, void *buf, size_t len,
		    meta_error_t *ep);
int meta_mns_decode(const void *buf, size_t len, struct meta_mns *m,
		    meta_error_t *ep);

/*
 * meta_mns_apply - apply @m on this node, node @self (the handler of
 * SET_ADMIN and the side and attach messages, and the single node path).
 * Every node applies the same message to its own local replica, so that
 * nodes with the same records give the same result; only the set's master
 * (@on_master for ATTACH / DETACH; the node named master in the local
 * records otherwise) writes the set's replicas.  A message about a set
 * this node is not a host of changes nothing here and succeeds.
 * Errors: ME_SET_EXISTS (another set has the name), ME_SET_FULL (the set
 * number is in use here), ME_SET_UNKNOWNHOST (a host not in the node
 * list), ME_SET_MASTERBUSY / ME_SET_NOTJOINED (a join or withdraw that
 * the local records refuse), ME_SET_NOTMASTER, the errors of the set and
 * local replica operations.
 */
int meta_mns_apply(const struct meta_mns *m, uint32_t self, bool on_master,
		   meta_error_t *ep);

/*
 * meta_set_create_rec - create set @name on this node with the given
 * number, UUID, creation time and multi-owner flag, and hosts @ids[@n]
 * (node ids, named through the node list).  Idempotent: the same set (same
 * UUID) already here succeeds.  @dryrun checks only.  Errors as
 * meta_mns_apply().
 */
int meta_set_create_rec(const char *name, uint32_t setno, const uint8_t *uuid,
			uint64_t ctime, bool mn, const uint32_t *ids, int n,
			bool dryrun, meta_error_t *ep);

/*
 * meta_set_reload - re-read set @name's drive records from its mddb into
 * this node's local replica (the PARSE of the set's own records): finds
 * the set's drives by their labels, opens the mddb read-only, and makes
 * the local drive list the mddb's.  Errors: ME_SET_NOTFOUND, mdl_scan()
 * and mddb_open() errors.
 */
int meta_set_reload(const char *name, meta_error_t *ep);

/* meta_set_ctime / meta_set_flags - the set's creation time and ML flags. */
uint64_t meta_set_ctime(const struct meta_set *s);

/* ---- Sets across nodes: the initiator's side (metaset, metadb) ---------- */

/*
 * meta_mnset_cluster - true when this node has a node list, even of one
 * node (a cluster of one): the set commands then go through mdcommd.
 * Without a node list they act on this node alone (meta_mnset_send()
 * applies the message here).
 */
bool meta_mnset_cluster(void);

/*
 * meta_mnset_send - send set message @m to every node: a dry run first
 * (NO_LOG | STOP_ON_ERROR | NO_MCT; nothing changes anywhere if any node
 * refuses), then the message itself, on the admin set; on a single node,
 * meta_mns_apply() here.  Must be called without a set open (the handler
 * on this node takes the set's lock).  Errors: ME_COMM_FAILED (a node
 * refused: its error text, with its node id), mdc_client_send()'s errors
 * (ENOENT / ECONNREFUSED: no mdcommd), meta_mns_apply()'s.
 */
int meta_mnset_send(const struct meta_mns *m, meta_error_t *ep);

/*
 * The metaset operations on a multi-owner set across nodes.  Each builds
 * one validated message from this node's records and sends it with
 * meta_mnset_send(); each suspends set @name's classes on this node's
 * mdcommd while it changes the set's nodes (seed: metaset and metadb
 * suspend mdcommd), and resumes them.
 *
 * meta_mnset_create - create the multi-owner set on hosts @hosts[@n] (node
 *     names in the node list): the lowest set number 1..META_MN_SETMAX free
 *     here; a host that has it in use refuses the dry run.
 * meta_mnset_hosts - add (@add) or delete hosts; deleting every host
 *     deletes the set on all of them (it must have no drives).
 * meta_mnset_join / meta_mnset_withdraw - meta_join_check()'s rules over
 *     this node's records and its view of the replicas; then tell this
 *     node's mdcommd the set's master (0 after a withdraw).
 * meta_mnset_drives_changed - after this node (the master, or the first
 *     to add drives: it becomes master) changed the set's drives: every
 *     host re-reads them from the mddb; @first also records this node as
 *     joined master everywhere.
 * meta_mnset_replicas - metadb -a (@count > 0) / -d (@count 0) on a
 *     joined set: META_DB_ATTACH / DETACH through the set's master.
 * Errors: as meta_mnset_send(), meta_join_check(), ME_SET_NOTFOUND,
 *     ME_SET_UNKNOWNHOST, ME_SET_NUMBERUSED, ME_SET_FULL.
 */
int meta_mnset_create(const char *name, const char *const *hosts, int n,
		      meta_error_t *ep);
int meta_mnset_hosts(const char *name, bool add, const char *const *hosts,
		     int n, meta_error_t *ep);
int meta_mnset_join(const char *name, meta_error_t *ep);
/*
 * meta_mnset_join_verdict - meta_mnset_join(), and *@verdict the verdict
 * it acted on (META_JV_NOOP when already joined).  A later joiner asks the
 * set's master for the master's replicas (SET_ADMIN STATE, on the set,
 * answered by the master alone) instead of judging them by its own
 * reading: it may join while the master runs with half of them, and is
 * STALE when the master is (META_JV_SLAVE_STALE).  Errors as above, and
 * those of the question to the master (ME_COMM_*, naming the master).
 */
int meta_mnset_join_verdict(const char *name, int *verdict, meta_error_t *ep);
/*
 * meta_mnset_verdict - what meta_mnset_join (@join) or _withdraw would
 * send: meta_join_check() over this node's records of set @name and its
 * own read-only view of the replicas.  Returns the verdict or -1.
 */
int meta_mnset_verdict(const char *name, bool join, meta_error_t *ep);
int meta_mnset_withdraw(const char *name, meta_error_t *ep);
int meta_mnset_drives_changed(const char *name, bool first, meta_error_t *ep);
int meta_mnset_replicas(const char *name, const char *drive, int count,
			meta_error_t *ep);

/*
 * meta_mnset_alive - every host of set @name is a member (in the node
 * list): hosts and drives may change only then (facts 7), so that every
 * host sees every change and the hosts' records stay the same.  Errors:
 * ME_SET_HOSTDOWN naming the first host that is not a member,
 * ME_SET_NOTFOUND.
 */
int meta_mnset_alive(const char *name, meta_error_t *ep);

/*
 * meta_mnset_master_record - after a reconfiguration chose @master (a node
 * id; 0: none) for set @name, record it in this node's local replica (for
 * `metaset` and for the rule that only the master changes drives); the
 * new master also commits it to the set's mddb.  For `metaclust step1`,
 * which runs on every node.  The master must be a host of the set
 * (ME_SET_NOHOST).  Errors: ME_SET_NOTFOUND, the local replica's and
 * mddb's errors.
 */
int meta_mnset_master_record(const char *name, uint32_t master,
			     meta_error_t *ep);

#endif /* OBAN_META_SET_H */
