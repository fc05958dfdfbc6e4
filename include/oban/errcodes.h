/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oban's own error codes.
 *
 * An oban error code is either a positive errno (below ME_BASE) or one of the
 * codes below, which start at ME_BASE = 20000 so that they can never collide
 * with an errno value (LMDB does the same with its MDB_* codes).  Success is
 * always 0.
 *
 * Every area owns a range of 200 codes and a list of its own, so that two
 * areas can add codes without renumbering each other.  A code, once
 * released, keeps its number for ever: the numbers cross the wire (mdcommd
 * results) and are printed in logs.
 *
 * Each entry is X(NAME, NUMBER, "message").  The message is lowercase, says
 * what is wrong, and does not name the object: meta_strerror() adds that.
 */
#ifndef OBAN_ERRCODES_H
#define OBAN_ERRCODES_H

#define ME_BASE 20000
#define ME_GENERAL_BASE 20000 /* 20000..20199: general, libmeta */
#define ME_MDDB_BASE 20200 /* 20200..20399: drives, labels, replicas */
#define ME_CONFIG_BASE 20400 /* 20400..20599: configuration model */
#define ME_COMM_BASE 20600 /* 20600..20799: mdcommd, messages */
#define ME_ENGINE_BASE 20800 /* 20800..20999: metadevice engine */
#define ME_LAST 21000

/* clang-format off */
#define META_ERRCODES_GENERAL(X)                                               \
	X(ME_INTERNAL,     ME_GENERAL_BASE + 1, "internal error")             \
	X(ME_USAGE,        ME_GENERAL_BASE + 2, "invalid arguments")          \
	X(ME_NOTROOT,      ME_GENERAL_BASE + 3, "permission denied: must be root") \
	X(ME_CONFIG_FILE,  ME_GENERAL_BASE + 4, "invalid configuration file") \
	X(ME_BADNAME,      ME_GENERAL_BASE + 5, "invalid name")               \
	X(ME_NOMEM,        ME_GENERAL_BASE + 6, "out of memory")

#define META_ERRCODES_MDDB(X)                                                  \
	X(ME_MDDB_STALE,       ME_MDDB_BASE + 1,  "state database is stale (too few replicas readable): changes refused") \
	X(ME_MDDB_TOOFEW,      ME_MDDB_BASE + 2,  "too few state database replicas are writable: changes refused") \
	X(ME_MDDB_BADMAGIC,    ME_MDDB_BASE + 3,  "bad magic number") \
	X(ME_MDDB_BADCKSUM,    ME_MDDB_BASE + 4,  "checksum mismatch") \
	X(ME_MDDB_BADVERSION,  ME_MDDB_BASE + 5,  "unsupported format version") \
	X(ME_MDDB_INCOMPAT,    ME_MDDB_BASE + 6,  "unsupported incompatible feature") \
	X(ME_MDDB_NOREPLICA,   ME_MDDB_BASE + 7,  "no readable state database replica") \
	X(ME_MDDB_FULL,        ME_MDDB_BASE + 8,  "state database replica is full") \
	X(ME_MDDB_TOOBIG,      ME_MDDB_BASE + 9,  "record too large") \
	X(ME_MDDB_BADTXN,      ME_MDDB_BASE + 10, "transaction failed earlier: it must be aborted") \
	X(ME_MDDB_RDONLY,      ME_MDDB_BASE + 11, "state database is open read-only") \
	X(ME_MDDB_MAXREPLICAS, ME_MDDB_BASE + 12, "too many replicas (at most 50)") \
	X(ME_MDDB_CORRUPT,     ME_MDDB_BASE + 13, "state database replica is corrupt") \
	X(ME_MDDB_TOOSMALL,    ME_MDDB_BASE + 14, "replica area too small") \
	X(ME_MDDB_LASTREPLICA, ME_MDDB_BASE + 15, "cannot delete the last replica") \
	X(ME_MDDB_TRUNCATED,   ME_MDDB_BASE + 16, "device is smaller than its label says") \
	X(ME_MDL_INUSE,        ME_MDDB_BASE + 40, "drive holds a file system, partition table or other signature (use -f to override)") \
	X(ME_MDL_NOLABEL,      ME_MDDB_BASE + 41, "drive has no oban label") \
	X(ME_MDL_OTHERSET,     ME_MDDB_BASE + 42, "drive belongs to another set") \
	X(ME_MDL_TOOSMALL,     ME_MDDB_BASE + 43, "drive is too small") \
	X(ME_MDL_NOTFOUND,     ME_MDDB_BASE + 44, "no such drive") \
	X(ME_MDL_BADSIZE,      ME_MDDB_BASE + 45, "invalid replica length") \
	X(ME_MDL_NOROOM,       ME_MDDB_BASE + 46, "no room for more replicas in the drive's replica area") \
	X(ME_MDL_GEOMETRY,     ME_MDDB_BASE + 47, "the drive's label and the set's record of its areas differ") \
	X(ME_SET_EXISTS,       ME_MDDB_BASE + 60, "set already exists") \
	X(ME_SET_NOTFOUND,     ME_MDDB_BASE + 61, "no such set") \
	X(ME_SET_NODRIVE,      ME_MDDB_BASE + 62, "drive is not in the set") \
	X(ME_SET_HASDRIVES,    ME_MDDB_BASE + 63, "set still has drives: delete them first or purge") \
	X(ME_SET_DRIVEINSET,   ME_MDDB_BASE + 64, "drive is already in the set") \
	X(ME_SET_FULL,         ME_MDDB_BASE + 65, "no free set number (at most 32 sets)") \
	X(ME_SET_NOTLOCAL,     ME_MDDB_BASE + 66, "this node must be one of the set's hosts") \
	X(ME_SET_NOHOST,       ME_MDDB_BASE + 67, "host is not in the set") \
	X(ME_LOCAL_DB,         ME_MDDB_BASE + 68, "local state database error") \
	X(ME_SET_UNKNOWNHOST,  ME_MDDB_BASE + 69, "host is not in the membership list") \
	X(ME_SET_HOSTEXISTS,   ME_MDDB_BASE + 70, "host is already in the set") \
	X(ME_SET_BADNODELIST,  ME_MDDB_BASE + 71, "invalid node list") \
	X(ME_SET_MASTERBUSY,   ME_MDDB_BASE + 72, "the master may not withdraw while other nodes are joined") \
	X(ME_SET_BADMSG,       ME_MDDB_BASE + 73, "invalid set message") \
	X(ME_SET_NOTJOINED,    ME_MDDB_BASE + 74, "this node has not joined the set (metaset -j)") \
	X(ME_SET_NOTMASTER,    ME_MDDB_BASE + 75, "only the set's master may change its replicas") \
	X(ME_SET_HASMASTER,    ME_MDDB_BASE + 76, "the set already has a master") \
	X(ME_SET_NOMASTER,     ME_MDDB_BASE + 77, "the set has no master: nobody has joined it") \
	X(ME_SET_HOSTJOINED,   ME_MDDB_BASE + 78, "the host is joined to the set: withdraw it first") \
	X(ME_SET_NUMBERUSED,   ME_MDDB_BASE + 79, "set number already in use") \
	X(ME_SET_HOSTDOWN,     ME_MDDB_BASE + 80, "a host of the set is not a member of the cluster now") \
	X(ME_SET_BUSY,         ME_MDDB_BASE + 81, "another node is changing the set's hosts or owners now") \
	X(ME_SET_MASTERSTALE,  ME_MDDB_BASE + 82, "the set's master sees half or fewer of its replicas (stale)")

#define META_ERRCODES_CONFIG(X)                                                \
	X(ME_CFG_EXISTS,      ME_CONFIG_BASE + 1,  "already exists")           \
	X(ME_CFG_NOENT,       ME_CONFIG_BASE + 2,  "no such metadevice or hot spare pool") \
	X(ME_CFG_INUSE,       ME_CONFIG_BASE + 3,  "in use by another metadevice") \
	X(ME_CFG_COMPUSED,    ME_CONFIG_BASE + 4,  "component already in use") \
	X(ME_CFG_NOSPACE,     ME_CONFIG_BASE + 5,  "not enough free space")    \
	X(ME_CFG_BADSIZE,     ME_CONFIG_BASE + 6,  "invalid size")             \
	X(ME_CFG_SMSMALL,     ME_CONFIG_BASE + 7,  "submirror too small")      \
	X(ME_CFG_NOTMIRROR,   ME_CONFIG_BASE + 8,  "not a mirror")             \
	X(ME_CFG_LASTSM,      ME_CONFIG_BASE + 9,  "last submirror of the mirror") \
	X(ME_CFG_TOOMANYSM,   ME_CONFIG_BASE + 10, "too many submirrors")      \
	X(ME_CFG_BADTYPE,     ME_CONFIG_BASE + 11, "wrong metadevice type")    \
	X(ME_CFG_BADREC,      ME_CONFIG_BASE + 12, "corrupted configuration record") \
	X(ME_CFG_BADVERSION,  ME_CONFIG_BASE + 13, "unsupported record version or feature") \
	X(ME_CFG_RANGE,       ME_CONFIG_BASE + 14, "name or number out of range") \
	X(ME_CFG_BADINTERLACE, ME_CONFIG_BASE + 15, "invalid interlace")       \
	X(ME_CFG_OVERLAP,     ME_CONFIG_BASE + 16, "overlapping extents")      \
	X(ME_CFG_SYNTAX,      ME_CONFIG_BASE + 17, "syntax error")             \
	X(ME_CFG_LIMIT,       ME_CONFIG_BASE + 18, "too many components, extents or spares") \
	X(ME_CFG_NOTSPARE,    ME_CONFIG_BASE + 19, "not a hot spare of the pool") \
	X(ME_CFG_SPAREINUSE,  ME_CONFIG_BASE + 20, "hot spare in use")         \
	X(ME_CFG_ERRED,       ME_CONFIG_BASE + 21, "needs maintenance (use -f)") \
	X(ME_CFG_DUPLICATE,   ME_CONFIG_BASE + 22, "named twice")              \
	X(ME_CFG_OTHERSET,    ME_CONFIG_BASE + 23, "belongs to another set")   \
	X(ME_CFG_NOTSUB,      ME_CONFIG_BASE + 24, "not a submirror of the mirror") \
	X(ME_CFG_LASTOKAY,    ME_CONFIG_BASE + 25, "only submirror in the Okay state (use -f)") \
	X(ME_CFG_DRIVEUSED,   ME_CONFIG_BASE + 26, "drive in use by a metadevice or hot spare pool") \
	X(ME_CFG_UNRELATED,   ME_CONFIG_BASE + 27, "not a mirror and one of its submirrors") \
	X(ME_CFG_RESYNCING,   ME_CONFIG_BASE + 28, "resync in progress")       \
	X(ME_CFG_COMPERRED,   ME_CONFIG_BASE + 29, "components need maintenance") \
	X(ME_CFG_NOHEADER,    ME_CONFIG_BASE + 30, "no valid extent header") \
	X(ME_CFG_HDRDIFF,     ME_CONFIG_BASE + 31, "extent headers do not match the configuration")

#define META_ERRCODES_COMM(X)                                                  \
	X(ME_COMM_UNKNOWN_TYPE, ME_COMM_BASE + 1, "unknown message type")     \
	X(ME_COMM_CLASS_ORDER,  ME_COMM_BASE + 2, "a handler may only send messages of a higher class") \
	X(ME_COMM_BADMSG,       ME_COMM_BASE + 3, "malformed message")        \
	X(ME_COMM_TOOBIG,       ME_COMM_BASE + 4, "message too large")        \
	X(ME_COMM_NOQUORUM,     ME_COMM_BASE + 5, "cluster has no quorum")    \
	X(ME_COMM_TRANSPORT,    ME_COMM_BASE + 6, "cluster transport failure") \
	X(ME_COMM_BADSET,       ME_COMM_BASE + 7, "invalid set number")       \
	X(ME_COMM_NOTJOINED,    ME_COMM_BASE + 8, "node is not joined to the set") \
	X(ME_COMM_SUSPENDED,    ME_COMM_BASE + 9, "set is suspended for reconfiguration, try again later") \
	X(ME_COMM_BUSY,         ME_COMM_BASE + 10, "mdcommd is busy")         \
	X(ME_COMM_TIMEOUT,      ME_COMM_BASE + 11, "no answer from the cluster in time") \
	X(ME_COMM_LOGFAIL,      ME_COMM_BASE + 12, "cannot write the change log") \
	X(ME_COMM_NOMASTER,     ME_COMM_BASE + 13, "set has no master")       \
	X(ME_COMM_MCT,          ME_COMM_BASE + 14, "message completion table failure") \
	X(ME_COMM_LOCKED,       ME_COMM_BASE + 15, "message class is locked") \
	X(ME_COMM_ABORT,        ME_COMM_BASE + 16, "mdcommd is in the abort state") \
	X(ME_COMM_NOTDRAINED,   ME_COMM_BASE + 17, "set is not drained yet")  \
	X(ME_COMM_FAILED,       ME_COMM_BASE + 18, "message failed on a node") \
	X(ME_COMM_BADFLAGS,     ME_COMM_BASE + 19, "invalid message flags")   \
	X(ME_COMM_DENIED,       ME_COMM_BASE + 20, "permission denied by mdcommd") \
	X(ME_COMM_NOTMASTER,    ME_COMM_BASE + 21, "runs only on the set's master")

#define META_ERRCODES_ENGINE(X)
/* clang-format on */

#define META_ERRCODES(X)         \
	META_ERRCODES_GENERAL(X) \
	META_ERRCODES_MDDB(X)    \
	META_ERRCODES_CONFIG(X)  \
	META_ERRCODES_COMM(X)    \
	META_ERRCODES_ENGINE(X)

enum meta_errcode {
	ME_OK = 0,
#define ME_ENUM(name, num, msg) name = (num),
	META_ERRCODES(ME_ENUM)
#undef ME_ENUM
};

#endif /* OBAN_ERRCODES_H */
