// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mdcommd message table: one row per type, indexed by type.
 *
 * The rows are the original's (class, handler or generator, timeout in
 * seconds per node, retry1/ticks1 on CLASS_BUSY, retry2/ticks2 on failure);
 * see doc/mdcommd.md for who sends each and with which flags.  A new type
 * needs a number in enum mdc_msgtype and a row here; the static assertion
 * below and the unit test that walks the table catch a forgotten one.
 *
 * Also here: the names of the answer codes, their mapping to libmeta error
 * codes, and the sender's retry policy (mdc_retry_next()), because all
 * three read the table and nothing else.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>

#include <oban/errcodes.h>
#include <oban/mdc_msg.h>

#define INF MDC_FOREVER

/* Submessage generators: the types each multipart message breaks into. */
static int gen_test6(const void *data, uint32_t len,
		     uint16_t types[MDC_MAXSUBMSGS])
{
	types[0] = MDC_MSG_TEST2;
	types[1] = MDC_MSG_TEST2;
	types[2] = MDC_MSG_TEST3;
	types[3] = MDC_MSG_TEST4;
	return 4;
}

static int gen_state_update(const void *data, uint32_t len,
			    uint16_t types[MDC_MAXSUBMSGS])
{
	types[0] = MDC_MSG_SUSPEND_WRITES;
	types[1] = MDC_MSG_STATE_UPDATE_RESWR;
	return 2;
}

static int gen_state_update2(const void *data, uint32_t len,
			     uint16_t types[MDC_MAXSUBMSGS])
{
	types[0] = MDC_MSG_SUSPEND_WRITES;
	types[1] = MDC_MSG_STATE_UPDATE_RESWR2;
	return 2;
}

/* Block parse messages, attach (or detach) on every node, unblock. */
static int gen_db_attach(const void *data, uint32_t len,
			 uint16_t types[MDC_MAXSUBMSGS])
{
	types[0] = MDC_MSG_MDDB_BLOCK;
	types[1] = MDC_MSG_SM_MDDB_ATTACH;
	types[2] = MDC_MSG_MDDB_BLOCK;
	return 3;
}

static int gen_db_detach(const void *data, uint32_t len,
			 uint16_t types[MDC_MAXSUBMSGS])
{
	types[0] = MDC_MSG_MDDB_BLOCK;
	types[1] = MDC_MSG_SM_MDDB_DETACH;
	types[2] = MDC_MSG_MDDB_BLOCK;
	return 3;
}

#define ROW(nm, cl, h, to, r1, t1, r2, t2)     \
	[MDC_MSG_##nm] = { .mt_name = #nm,     \
			   .mt_class = (cl),   \
			   .mt_handler = (h),  \
			   .mt_timeout = (to), \
			   .mt_retry1 = (r1),  \
			   .mt_ticks1 = (t1),  \
			   .mt_retry2 = (r2),  \
			   .mt_ticks2 = (t2) }
#define GEN(nm, cl, g, to, r1, t1, r2, t2)           \
	[MDC_MSG_##nm] = { .mt_name = #nm,           \
			   .mt_class = (cl),         \
			   .mt_handler = MDC_H_NONE, \
			   .mt_gen = (g),            \
			   .mt_timeout = (to),       \
			   .mt_retry1 = (r1),        \
			   .mt_ticks1 = (t1),        \
			   .mt_retry2 = (r2),        \
			   .mt_ticks2 = (t2) }

/* clang-format off */
const struct mdc_msgtype_info mdc_msgtab[MDC_NMSGTYPES] = {
	ROW(NULL,                0, MDC_H_NONE,              1,   0,      0,  0,   0),
	ROW(TEST1,               1, MDC_H_DUMMY,             1,   200,    4,  10,  100),
	ROW(TEST2,               2, MDC_H_DUMMY,             1,   200,    4,  10,  100),
	ROW(TEST3,               3, MDC_H_DUMMY,             1,   200,    4,  10,  100),
	ROW(TEST4,               4, MDC_H_DUMMY,             1,   200,    4,  10,  100),
	ROW(TEST5,               5, MDC_H_DUMMY,             4,   200,    4,  10,  100),
	GEN(TEST6,               1, gen_test6,               1,   200,    4,  10,  100),
	ROW(BC_CMD,              1, MDC_H_DO_CMD,            90,  40,     20, 10,  1000),
	ROW(BC_CMD_RETRY,        1, MDC_H_DO_CMD,            90,  100000, 20, 10,  1000),
	ROW(CLU_CHECK,           2, MDC_H_DO_CLU,            5,   10000,  2,  0,   0),
	ROW(CLU_LOCK,            2, MDC_H_DO_CLU,            1,   10000,  2,  0,   0),
	ROW(CLU_UNLOCK,          2, MDC_H_DO_CLU,            1,   10000,  2,  0,   0),
	ROW(REQUIRE_OWNER,       5, MDC_H_REQ_OWNER,         12,  INF,    10, INF, 100),
	ROW(CHOOSE_OWNER,        3, MDC_H_CHOOSE_OWNER,      12,  INF,    10, INF, 100),
	ROW(CHANGE_OWNER,        4, MDC_H_CHANGE_OWNER,      12,  INF,    10, INF, 100),
	ROW(SUSPEND_WRITES,      6, MDC_H_SUSP_WRITE,        8,   INF,    10, 200, 100),
	ROW(STATE_UPDATE_RESWR,  1, MDC_H_STATE_UPD_RESWR,   8,   INF,    10, INF, 100),
	GEN(STATE_UPDATE,        1, gen_state_update,        16,  INF,    10, INF, 100),
	ROW(ALLOCATE_HOTSPARE,   1, MDC_H_ALLOCATE_HOTSPARE, 8,   INF,    10, INF, 100),
	ROW(RESYNC_STARTING,     2, MDC_H_RESYNC,            8,   INF,    10, INF, 100),
	ROW(RESYNC_NEXT,         2, MDC_H_RESYNC,            8,   INF,    10, INF, 100),
	ROW(RESYNC_FINISH,       1, MDC_H_RESYNC,            8,   INF,    10, INF, 100),
	ROW(RESYNC_PHASE_DONE,   2, MDC_H_RESYNC,            8,   INF,    10, INF, 100),
	ROW(SET_CAP,             1, MDC_H_SET_CAP,           8,   100000, 10, 200, 100),
	ROW(VERBOSITY,           0, MDC_H_DUMMY,             1,   0,      0,  0,   0),
	ROW(MDDB_PARSE,          7, MDC_H_MDDB_PARSE,        10,  INF,    2,  INF, 100),
	ROW(MDDB_BLOCK,          3, MDC_H_MDDB_BLOCK,        5,   INF,    2,  INF, 100),
	GEN(META_DB_ATTACH,      3, gen_db_attach,           30,  INF,    2,  10,  100),
	ROW(SM_MDDB_ATTACH,      3, MDC_H_SM_MDDB_ATTACH,    20,  INF,    2,  10,  100),
	GEN(META_DB_DETACH,      3, gen_db_detach,           10,  INF,    2,  10,  100),
	ROW(SM_MDDB_DETACH,      3, MDC_H_SM_MDDB_DETACH,    5,   INF,    2,  10,  100),
	ROW(META_DB_NEWSIDE,     3, MDC_H_META_DB_NEWSIDE,   10,  INF,    2,  10,  100),
	ROW(META_DB_DELSIDE,     3, MDC_H_META_DB_DELSIDE,   10,  INF,    2,  10,  100),
	ROW(META_MD_ADDSIDE,     3, MDC_H_META_MD_ADDSIDE,   10,  INF,    2,  10,  100),
	ROW(META_MD_DELSIDE,     3, MDC_H_META_MD_DELSIDE,   10,  INF,    2,  10,  100),
	ROW(MDDB_OPTRECERR,      3, MDC_H_MDDB_OPTRECERR,    3,   INF,    2,  10,  100),
	ROW(ABORT,               0, MDC_H_DUMMY,             1,   0,      0,  0,   0),
	ROW(STATE_UPDATE_RESWR2, 3, MDC_H_STATE_UPD_RESWR,   8,   INF,    10, INF, 100),
	GEN(STATE_UPDATE2,       3, gen_state_update2,       16,  INF,    10, INF, 100),
	ROW(ALLOCATE_HOTSPARE2,  3, MDC_H_ALLOCATE_HOTSPARE, 8,   INF,    10, INF, 100),
	ROW(IOCSET,              1, MDC_H_IOCSET,            90,  10000,  2,  10,  1000),
	ROW(SP_SETSTAT,          1, MDC_H_SP_SETSTAT,        90,  10000,  2,  10,  1000),
	ROW(ADDKEYNAME,          1, MDC_H_ADDKEYNAME,        90,  10000,  2,  10,  1000),
	ROW(DELKEYNAME,          1, MDC_H_DELKEYNAME,        90,  10000,  2,  10,  1000),
	ROW(GET_TSTATE,          2, MDC_H_GET_TSTATE,        5,   INF,    10, INF, 100),
	ROW(GET_MIRROR_STATE,    1, MDC_H_GET_MIRSTATE,      5,   INF,    10, INF, 100),
	ROW(SP_SETSTAT2,         4, MDC_H_SP_SETSTAT,        90,  10000,  2,  10,  1000),
	ROW(SETSYNC,             1, MDC_H_SETSYNC,           90,  10000,  2,  10,  1000),
	ROW(POKE_HOTSPARES,      1, MDC_H_POKE_HOTSPARES,    8,   INF,    10, INF, 100),
	ROW(ADDMDNAME,           1, MDC_H_ADDMDNAME,         90,  10000,  2,  10,  1000),
	ROW(RR_DIRTY,            2, MDC_H_MARK_DIRTY,        8,   INF,    10, INF, 100),
	ROW(RR_CLEAN,            2, MDC_H_MARK_CLEAN,        8,   INF,    10, INF, 100),
	ROW(SET_ADMIN,           1, MDC_H_SET_ADMIN,         30,  100000, 20, 10,  1000),
};
/* clang-format on */

_Static_assert(sizeof(mdc_msgtab) / sizeof(mdc_msgtab[0]) == MDC_NMSGTYPES,
	       "one table row per message type");
_Static_assert(MDC_MSG_SET_ADMIN + 1 == MDC_NMSGTYPES,
	       "the last type is the count minus one");

static _Atomic uint64_t mdc_unknown_types;

const struct mdc_msgtype_info *mdc_msgtype_get(uint32_t type)
{
	if (type >= MDC_NMSGTYPES || mdc_msgtab[type].mt_name == NULL) {
		atomic_fetch_add(&mdc_unknown_types, 1);
		return NULL;
	}
	return &mdc_msgtab[type];
}

uint64_t mdc_msgtype_unknown_count(void)
{
	return atomic_load(&mdc_unknown_types);
}

const char *mdc_msgtype_name(uint32_t type)
{
	if (type >= MDC_NMSGTYPES || mdc_msgtab[type].mt_name == NULL)
		return "UNKNOWN";
	return mdc_msgtab[type].mt_name;
}

static const char *const mdc_cs_names[MDC_NCOMMSTATES] = {
	[MDC_CS_NULL] = "NULL",
	[MDC_CS_ACK] = "ACK",
	[MDC_CS_CLASS_BUSY] = "CLASS_BUSY",
	[MDC_CS_RPC_FAIL] = "RPC_FAIL",
	[MDC_CS_THR_CREATE_FAIL] = "THR_CREATE_FAIL",
	[MDC_CS_NO_HANDLER] = "NO_HANDLER",
	[MDC_CS_LOG_FAIL] = "LOG_FAIL",
	[MDC_CS_CANNOT_CONNECT] = "CANNOT_CONNECT",
	[MDC_CS_NO_WAKEUP_ENTRY] = "NO_WAKEUP_ENTRY",
	[MDC_CS_NOT_JOINED] = "NOT_JOINED",
	[MDC_CS_HANDLER_FAILED] = "HANDLER_FAILED",
	[MDC_CS_EINVAL] = "EINVAL",
	[MDC_CS_SUSPENDED] = "SUSPENDED",
	[MDC_CS_CLASS_LOCKED] = "CLASS_LOCKED",
	[MDC_CS_TIMEOUT] = "TIMEOUT",
	[MDC_CS_SET_NOT_DRAINED] = "SET_NOT_DRAINED",
	[MDC_CS_ABORT] = "ABORT",
	[MDC_CS_IGNORE_NODE] = "IGNORE_NODE",
	[MDC_CS_NOQUORUM] = "NOQUORUM",
};

_Static_assert(sizeof(mdc_cs_names) / sizeof(mdc_cs_names[0]) ==
		       MDC_NCOMMSTATES,
	       "one name per answer code");

const char *mdc_comm_state_name(uint32_t cs)
{
	if (cs >= MDC_NCOMMSTATES || mdc_cs_names[cs] == NULL)
		return "UNKNOWN";
	return mdc_cs_names[cs];
}

int mdc_comm_state_errcode(uint32_t cs)
{
	switch (cs) {
	case MDC_CS_ACK:
	case MDC_CS_NO_HANDLER:
		return ME_OK;
	case MDC_CS_CLASS_BUSY:
		return ME_COMM_BUSY;
	case MDC_CS_LOG_FAIL:
		return ME_COMM_LOGFAIL;
	case MDC_CS_NOT_JOINED:
		return ME_COMM_NOTJOINED;
	case MDC_CS_EINVAL:
		return ME_COMM_BADMSG;
	case MDC_CS_SUSPENDED:
		return ME_COMM_SUSPENDED;
	case MDC_CS_CLASS_LOCKED:
		return ME_COMM_LOCKED;
	case MDC_CS_TIMEOUT:
		return ME_COMM_TIMEOUT;
	case MDC_CS_SET_NOT_DRAINED:
		return ME_COMM_NOTDRAINED;
	case MDC_CS_ABORT:
		return ME_COMM_ABORT;
	case MDC_CS_NOQUORUM:
		return ME_COMM_NOQUORUM;
	case MDC_CS_HANDLER_FAILED:
		return ME_COMM_FAILED;
	default:
		return ME_COMM_TRANSPORT;
	}
}

void mdc_retry_init(struct mdc_retry *rt, const struct mdc_msgtype_info *mt,
		    uint32_t flags)
{
	rt->rt_left1 = mt->mt_retry1;
	rt->rt_left2 = mt->mt_retry2;
	rt->rt_ticks1 = mt->mt_ticks1;
	rt->rt_ticks2 = mt->mt_ticks2;
	rt->rt_flags = flags;
	rt->rt_attempts = 0;
}

/* Take one retry from *left; INF never runs out. */
static bool mdc_retry_take(uint32_t *left)
{
	if (*left == MDC_FOREVER)
		return true;
	if (*left == 0)
		return false;
	(*left)--;
	return true;
}

enum mdc_retry_verdict mdc_retry_next(struct mdc_retry *rt, uint32_t cs,
				      uint32_t *delay_ms, int *err)
{
	enum mdc_retry_verdict v;

	rt->rt_attempts++;
	*delay_ms = 0;
	*err = ME_OK;
	switch (cs) {
	case MDC_CS_ACK:
	case MDC_CS_NO_HANDLER:
		return MDC_RETRY_DONE;
	case MDC_CS_NOT_JOINED:
	case MDC_CS_NO_WAKEUP_ENTRY:
	case MDC_CS_LOG_FAIL:
	case MDC_CS_EINVAL:
	case MDC_CS_NOQUORUM:
	case MDC_CS_HANDLER_FAILED:
		*err = mdc_comm_state_errcode(cs);
		return MDC_RETRY_FAIL;
	case MDC_CS_CLASS_BUSY:
		if (!mdc_retry_take(&rt->rt_left1)) {
			*err = ME_COMM_BUSY;
			return MDC_RETRY_FAIL;
		}
		*delay_ms = rt->rt_ticks1 * MDC_TICK_MS;
		v = MDC_RETRY_AGAIN;
		break;
	case MDC_CS_CLASS_LOCKED:
	case MDC_CS_ABORT:
		*delay_ms = 1000;
		v = MDC_RETRY_AGAIN;
		break;
	case MDC_CS_SUSPENDED:
		if (rt->rt_flags & MDC_F_FAIL_ON_SUSPEND) {
			*err = ME_COMM_SUSPENDED;
			return MDC_RETRY_FAIL;
		}
		*delay_ms = 1000;
		v = MDC_RETRY_AGAIN;
		break;
	default: /* TIMEOUT, RPC_FAIL and the other transport failures */
		if (!mdc_retry_take(&rt->rt_left2)) {
			*err = mdc_comm_state_errcode(cs);
			return MDC_RETRY_FAIL;
		}
		*delay_ms = rt->rt_ticks2 * MDC_TICK_MS;
		v = MDC_RETRY_AGAIN;
		break;
	}
	if (rt->rt_flags & MDC_F_KSEND_NORETRY) {
		*err = mdc_comm_state_errcode(cs);
		*delay_ms = 0;
		return MDC_RETRY_FAIL;
	}
	return v;
}
