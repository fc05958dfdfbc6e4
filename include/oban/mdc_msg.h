/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdcommd messages: types, classes, flags, answer codes and the one table
 * that says, for every type, its class, its handler or submessage
 * generator, its timeout and its retry policy.
 *
 * A message is identified by its type (enum mdc_msgtype).  The table is
 * indexed by the type itself (designated initializers, a static assertion
 * on the count), so that a lookup is an array access and an unknown type is
 * a range check: mdc_msgtype_get() refuses and counts it.
 *
 * Classes.  Every type belongs to one class, 0..7.  Class 0 is internal
 * (NULL, VERBOSITY, ABORT): never queued, suspended or logged.  The daemon
 * runs at most one message per (set, class) at a time on each node (the
 * initiator slot) and on the set's master (the busy flag); the others wait
 * in a queue.  A handler running a message of class C may send only
 * messages of a class greater than C; suspension drains classes in
 * ascending order and resumption undoes it in descending order, which is
 * why that rule is enough to drain without deadlock.
 *
 * Flags (enum mdc_msgflag) are chosen by each sender, not by the table.
 * Each one is read by exactly one place in the code, named beside it.
 *
 * Answer codes (enum mdc_comm_state) travel in every result: ACK means the
 * message ran and mr_exitval is the handler's result; anything else says
 * why it did not run (or not everywhere).  mdc_retry_next() turns an answer
 * into "done", "retry after N ms" or "fail", following the type's retry
 * counts: this is the policy every sender (libmeta's client, the kernel
 * bridge, the test driver) applies.
 *
 * Everything here is constant data and pure functions: thread-safe.
 */
#ifndef OBAN_MDC_MSG_H
#define OBAN_MDC_MSG_H

#include <stdbool.h>
#include <stdint.h>

#define MDC_NCLASSES 8 /* classes 0..7 */
#define MDC_MAXSETS 32 /* multi-owner sets are numbered 1..31 */
#define MDC_MAXNODES 128 /* node ids 1..128 */
#define MDC_MAXDATA 1024 /* largest message payload */
#define MDC_MAXOUT 1024 /* largest handler output kept in a result */
#define MDC_MAXSUBMSGS 8 /* largest number of submessages per generator */
#define MDC_LOG_SLOTS 16 /* change-log slots per set: slot i is class i */
#define MDC_TICK_MS 10 /* one retry "tick" */
#define MDC_FOREVER UINT32_MAX /* retries without end */

/* Message classes. */
enum mdc_class {
	MDC_CLASS0 = 0, /* internal: NULL, VERBOSITY, ABORT */
	MDC_CLASS1 = 1, /* configuration and what serialises with it */
	MDC_CLASS2 = 2, /* open checks and resync traffic */
	MDC_CLASS3 = 3, /* replicas, sides, second-level state updates */
	MDC_CLASS4 = 4, /* CHANGE_OWNER, SP_SETSTAT2 */
	MDC_CLASS5 = 5, /* REQUIRE_OWNER */
	MDC_CLASS6 = 6, /* SUSPEND_WRITES */
	MDC_CLASS7 = 7, /* MDDB_PARSE: highest, any ioctl may send it */
};

/*
 * Flags carried by a message.  Values are those of the original, so that
 * logs read alike; they cross the wire.
 */
enum mdc_msgflag {
	MDC_F_DEFAULT = 0x0, /* logged, broadcast, go on after an error */
	MDC_F_NO_LOG = 0x1, /* master does not write the change log */
	MDC_F_NO_BCAST = 0x2, /* run on the master only */
	MDC_F_STOP_ON_ERROR = 0x4, /* stop at the first failure (dry runs) */
	MDC_F_REPLAY = 0x8, /* replay of a change-log slot: keep id, no log */
	MDC_F_OVERRIDE_SUSPEND =
		0x10, /* accepted while the class is suspended */
	MDC_F_ON_MASTER = 0x20, /* to a handler: running on the master */
	MDC_F_ON_SLAVE = 0x40, /* to a handler: running on another node */
	MDC_F_ON_INITIATOR = 0x80, /* defined, unused (as in the original) */
	MDC_F_LOCAL_ONLY = 0x100, /* handled by the local daemon alone */
	MDC_F_FAIL_ON_SUSPEND = 0x200, /* sender fails at once if suspended */
	MDC_F_NO_MCT = 0x400, /* result not kept in the completion table */
	MDC_F_PANIC_WHEN_INCONSISTENT =
		0x800, /* mismatch: inconsistency action */
	MDC_F_BLK_SIGNAL = 0x1000, /* kernel bridge: block signals */
	MDC_F_KSEND_NORETRY = 0x2000, /* one attempt only, no retry loop */
	MDC_F_DIRECTED = 0x4000, /* only the master and mm_recipient run it */
	MDC_F_VERBOSE = 0x10000000, /* log the send */
	MDC_F_VERBOSE_2 = 0x20000000, /* more debug */
};

/* Bits a submessage, or a message sent by a handler, inherits. */
#define MDC_F_INHERIT (MDC_F_REPLAY | MDC_F_OVERRIDE_SUSPEND)
/* Bits that only the daemon sets; a client's request may not carry them. */
#define MDC_F_DAEMON_ONLY \
	(MDC_F_ON_MASTER | MDC_F_ON_SLAVE | MDC_F_ON_INITIATOR)
/* Every flag defined above; the wire decoder refuses others. */
#define MDC_F_ALL                                                             \
	(MDC_F_NO_LOG | MDC_F_NO_BCAST | MDC_F_STOP_ON_ERROR | MDC_F_REPLAY | \
	 MDC_F_OVERRIDE_SUSPEND | MDC_F_ON_MASTER | MDC_F_ON_SLAVE |          \
	 MDC_F_ON_INITIATOR | MDC_F_LOCAL_ONLY | MDC_F_FAIL_ON_SUSPEND |      \
	 MDC_F_NO_MCT | MDC_F_PANIC_WHEN_INCONSISTENT | MDC_F_BLK_SIGNAL |    \
	 MDC_F_KSEND_NORETRY | MDC_F_DIRECTED | MDC_F_VERBOSE |               \
	 MDC_F_VERBOSE_2)

/* Message types; the numbers are the original's and cross the wire. */
enum mdc_msgtype {
	MDC_MSG_NULL = 0,
	MDC_MSG_TEST1 = 1,
	MDC_MSG_TEST2 = 2,
	MDC_MSG_TEST3 = 3,
	MDC_MSG_TEST4 = 4,
	MDC_MSG_TEST5 = 5,
	MDC_MSG_TEST6 = 6,
	MDC_MSG_BC_CMD = 7,
	MDC_MSG_BC_CMD_RETRY = 8,
	MDC_MSG_CLU_CHECK = 9,
	MDC_MSG_CLU_LOCK = 10,
	MDC_MSG_CLU_UNLOCK = 11,
	MDC_MSG_REQUIRE_OWNER = 12,
	MDC_MSG_CHOOSE_OWNER = 13,
	MDC_MSG_CHANGE_OWNER = 14,
	MDC_MSG_SUSPEND_WRITES = 15,
	MDC_MSG_STATE_UPDATE_RESWR = 16,
	MDC_MSG_STATE_UPDATE = 17,
	MDC_MSG_ALLOCATE_HOTSPARE = 18,
	MDC_MSG_RESYNC_STARTING = 19,
	MDC_MSG_RESYNC_NEXT = 20,
	MDC_MSG_RESYNC_FINISH = 21,
	MDC_MSG_RESYNC_PHASE_DONE = 22,
	MDC_MSG_SET_CAP = 23,
	MDC_MSG_VERBOSITY = 24,
	MDC_MSG_MDDB_PARSE = 25,
	MDC_MSG_MDDB_BLOCK = 26,
	MDC_MSG_META_DB_ATTACH = 27,
	MDC_MSG_SM_MDDB_ATTACH = 28,
	MDC_MSG_META_DB_DETACH = 29,
	MDC_MSG_SM_MDDB_DETACH = 30,
	MDC_MSG_META_DB_NEWSIDE = 31,
	MDC_MSG_META_DB_DELSIDE = 32,
	MDC_MSG_META_MD_ADDSIDE = 33,
	MDC_MSG_META_MD_DELSIDE = 34,
	MDC_MSG_MDDB_OPTRECERR = 35,
	MDC_MSG_ABORT = 36,
	MDC_MSG_STATE_UPDATE_RESWR2 = 37,
	MDC_MSG_STATE_UPDATE2 = 38,
	MDC_MSG_ALLOCATE_HOTSPARE2 = 39,
	MDC_MSG_IOCSET = 40,
	MDC_MSG_SP_SETSTAT = 41,
	MDC_MSG_ADDKEYNAME = 42,
	MDC_MSG_DELKEYNAME = 43,
	MDC_MSG_GET_TSTATE = 44,
	MDC_MSG_GET_MIRROR_STATE = 45,
	MDC_MSG_SP_SETSTAT2 = 46,
	MDC_MSG_SETSYNC = 47,
	MDC_MSG_POKE_HOTSPARES = 48,
	MDC_MSG_ADDMDNAME = 49,
	MDC_MSG_RR_DIRTY = 50,
	MDC_MSG_RR_CLEAN = 51,
	MDC_MSG_SET_ADMIN = 52, /* oban: set create/hosts/join/withdraw */
	MDC_NMSGTYPES = 53
};

/*
 * Handler slots.  The table names which handler runs a type; the daemon's
 * storage side (struct mdc_store_ops, mdc_core.h) maps a slot to code, so
 * that the message layer does not link the metadevice engine.
 */
enum mdc_handler {
	MDC_H_NONE = 0, /* no handler: a submessage generator, or NULL */
	MDC_H_DUMMY, /* test and internal types: answers 0 */
	MDC_H_DO_CMD, /* run a meta* command (exec name "<cmd>.rpc_call") */
	MDC_H_DO_CLU, /* open check and its unused lock/unlock */
	MDC_H_REQ_OWNER,
	MDC_H_CHOOSE_OWNER,
	MDC_H_CHANGE_OWNER,
	MDC_H_SUSP_WRITE,
	MDC_H_STATE_UPD_RESWR,
	MDC_H_ALLOCATE_HOTSPARE,
	MDC_H_RESYNC,
	MDC_H_SET_CAP,
	MDC_H_MDDB_PARSE,
	MDC_H_MDDB_BLOCK,
	MDC_H_SM_MDDB_ATTACH,
	MDC_H_SM_MDDB_DETACH,
	MDC_H_META_DB_NEWSIDE,
	MDC_H_META_DB_DELSIDE,
	MDC_H_META_MD_ADDSIDE,
	MDC_H_META_MD_DELSIDE,
	MDC_H_MDDB_OPTRECERR,
	MDC_H_IOCSET,
	MDC_H_SP_SETSTAT,
	MDC_H_ADDKEYNAME,
	MDC_H_DELKEYNAME,
	MDC_H_GET_TSTATE,
	MDC_H_GET_MIRSTATE,
	MDC_H_SETSYNC,
	MDC_H_POKE_HOTSPARES,
	MDC_H_ADDMDNAME,
	MDC_H_MARK_DIRTY,
	MDC_H_MARK_CLEAN,
	MDC_H_SET_ADMIN,
	MDC_NHANDLERS
};

/*
 * Answer codes (the original's md_mn_retval_t, same numbers, plus
 * NOQUORUM).  They cross the wire in every result.
 */
enum mdc_comm_state {
	MDC_CS_NULL = 0,
	MDC_CS_ACK = 1, /* ran; mr_exitval is the handler's result */
	MDC_CS_CLASS_BUSY = 2, /* class busy on the master: retry1 */
	MDC_CS_RPC_FAIL = 3, /* a node did not answer */
	MDC_CS_THR_CREATE_FAIL = 4,
	MDC_CS_NO_HANDLER = 5, /* the type has no handler: counts as ok */
	MDC_CS_LOG_FAIL = 6, /* the master could not write the change log */
	MDC_CS_CANNOT_CONNECT = 7, /* no local daemon */
	MDC_CS_NO_WAKEUP_ENTRY = 8,
	MDC_CS_NOT_JOINED = 9, /* this node is not joined to the set */
	MDC_CS_HANDLER_FAILED = 10,
	MDC_CS_EINVAL = 11, /* malformed or unknown message */
	MDC_CS_SUSPENDED = 12, /* class suspended (reconfiguration) */
	MDC_CS_CLASS_LOCKED = 13, /* class locked (test facility) */
	MDC_CS_TIMEOUT = 14, /* no answer within the type's timeout */
	MDC_CS_SET_NOT_DRAINED = 15, /* suspend: a class is still busy */
	MDC_CS_ABORT = 16, /* the daemon is in the abort state */
	MDC_CS_IGNORE_NODE = 17,
	MDC_CS_NOQUORUM = 18, /* the cluster has no quorum: refused */
	MDC_NCOMMSTATES = 19
};

/* One row of the table. */
struct mdc_msgtype_info {
	const char *mt_name; /* "BC_CMD" */
	uint8_t mt_class; /* enum mdc_class */
	uint8_t mt_handler; /* enum mdc_handler, MDC_H_NONE with mt_gen */
	/*
	 * Submessage generator: fills @types with up to MDC_MAXSUBMSGS types
	 * and returns how many.  Each submessage carries the parent's payload;
	 * its handler tells its part by its submessage number (1..n).
	 */
	int (*mt_gen)(const void *data, uint32_t len,
		      uint16_t types[MDC_MAXSUBMSGS]);
	uint32_t mt_timeout; /* seconds, per node */
	uint32_t mt_retry1; /* retries on CLASS_BUSY */
	uint32_t mt_ticks1; /* delay between them, in ticks */
	uint32_t mt_retry2; /* retries on communication failures */
	uint32_t mt_ticks2;
};

/* The table itself, MDC_NMSGTYPES rows, indexed by type. */
extern const struct mdc_msgtype_info mdc_msgtab[MDC_NMSGTYPES];

/*
 * mdc_msgtype_get - the row for @type, or NULL for an unknown type.  An
 * unknown type is counted (mdc_msgtype_unknown_count()).  Thread-safe.
 */
const struct mdc_msgtype_info *mdc_msgtype_get(uint32_t type);

/* mdc_msgtype_unknown_count - how many unknown types were refused. */
uint64_t mdc_msgtype_unknown_count(void);

/* mdc_msgtype_name - the name of @type, "UNKNOWN" when there is none. */
const char *mdc_msgtype_name(uint32_t type);

/* mdc_comm_state_name - "ACK", "CLASS_BUSY", ... or "UNKNOWN". */
const char *mdc_comm_state_name(uint32_t cs);

/*
 * mdc_comm_state_errcode - the libmeta error code (errcodes.h) for a failed
 * answer, ME_OK for ACK and NO_HANDLER.
 */
int mdc_comm_state_errcode(uint32_t cs);

/*
 * The sender's retry policy (facts 1.5), as a pure state machine.
 *
 * struct mdc_retry holds the counts left; mdc_retry_init() loads them from
 * the type.  After every answer, mdc_retry_next() says what to do:
 *
 *   MDC_RETRY_DONE   the answer is final and good (ACK, NO_HANDLER);
 *   MDC_RETRY_AGAIN  send again (with the SAME message id) after
 *                    *@delay_ms: CLASS_BUSY uses retry1/ticks1; TIMEOUT,
 *                    RPC_FAIL and other transport failures retry2/ticks2;
 *                    CLASS_LOCKED and ABORT wait 1 s for ever; SUSPENDED
 *                    waits 1 s for ever unless FAIL_ON_SUSPEND;
 *   MDC_RETRY_FAIL   give up; *@err holds the errcodes.h code (for
 *                    example ME_COMM_SUSPENDED, ME_COMM_BUSY when retry1
 *                    ran out, ME_COMM_TIMEOUT when retry2 ran out).
 *
 * KSEND_NORETRY turns every AGAIN into FAIL (one attempt).
 */
enum mdc_retry_verdict {
	MDC_RETRY_DONE = 0,
	MDC_RETRY_AGAIN = 1,
	MDC_RETRY_FAIL = 2,
};

struct mdc_retry {
	uint32_t rt_left1; /* CLASS_BUSY retries left */
	uint32_t rt_left2; /* failure retries left */
	uint32_t rt_ticks1;
	uint32_t rt_ticks2;
	uint32_t rt_flags; /* the message's flags */
	uint32_t rt_attempts; /* answers seen so far */
};

void mdc_retry_init(struct mdc_retry *rt, const struct mdc_msgtype_info *mt,
		    uint32_t flags);
enum mdc_retry_verdict mdc_retry_next(struct mdc_retry *rt, uint32_t cs,
				      uint32_t *delay_ms, int *err);

/*
 * Message id.  Unique per originating node: mi_seq grows by one per new
 * message and is seeded from the clock at daemon start, so a restarted
 * daemon does not reuse ids.  A retry and a replay keep the id; it is the
 * key of every idempotency check (change log and completion table).
 * Two ids are equal when node, seq and submessage are.
 */
struct mdc_msgid {
	uint32_t mi_nid; /* originating node */
	uint64_t mi_seq; /* sequence on that node */
	uint8_t mi_sub; /* 0 = the message, 1..n its submessages */
	uint8_t mi_oclass; /* class of the original (for submessages) */
};

static inline bool mdc_msgid_eq(const struct mdc_msgid *a,
				const struct mdc_msgid *b)
{
	return a->mi_nid == b->mi_nid && a->mi_seq == b->mi_seq &&
	       a->mi_sub == b->mi_sub;
}

/* A message as the daemon handles it (the wire form is in mdc_wire.h). */
struct mdc_msg {
	struct mdc_msgid mm_id;
	uint32_t mm_type; /* enum mdc_msgtype */
	uint32_t mm_flags; /* enum mdc_msgflag */
	uint32_t mm_set; /* 1..MDC_MAXSETS-1 */
	uint32_t mm_sender; /* the node that wants the result */
	uint32_t mm_recipient; /* DIRECTED: the one other node; else 0 */
	uint32_t mm_len; /* payload bytes, <= MDC_MAXDATA */
	uint8_t mm_data[MDC_MAXDATA];
};

/* A result, one per message. */
struct mdc_result {
	struct mdc_msgid mr_id;
	uint32_t mr_type;
	uint32_t mr_set;
	uint32_t mr_comm_state; /* enum mdc_comm_state */
	int32_t mr_exitval; /* the handler's result */
	uint32_t mr_failing_node; /* the node whose result this is, if failed */
	uint32_t mr_node; /* the node that produced it */
	uint32_t mr_outlen;
	uint8_t mr_out[MDC_MAXOUT]; /* handler output */
};

/* mdc_class_of - the class of @type (0 for an unknown type). */
static inline unsigned int mdc_class_of(uint32_t type)
{
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(type);

	return mt != NULL ? mt->mt_class : 0;
}

#endif /* OBAN_MDC_MSG_H */
