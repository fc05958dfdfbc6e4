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

#define META_ERRCODES_MDDB(X)

#define META_ERRCODES_CONFIG(X)

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
	X(ME_COMM_DENIED,       ME_COMM_BASE + 20, "permission denied by mdcommd")

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
