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
	X(ME_CFG_LASTOKAY,    ME_CONFIG_BASE + 25, "only submirror in the Okay state (use -f)")

#define META_ERRCODES_COMM(X)

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
