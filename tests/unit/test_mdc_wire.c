// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the mdcommd message table, the retry policy, the wire
 * format (round trips and hostile input), the LMDB completion table and
 * the debug output.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <oban/errcodes.h>
#include <oban/mdc_dbg.h>
#include <oban/mdc_mct.h>
#include <oban/mdc_msg.h>
#include <oban/mdc_wire.h>

#include "ocu.h"
#include "mdc_suites.h"

/* ---- the table -------------------------------------------------------- */

static void test_table_rows(void)
{
	uint16_t sub[MDC_MAXSUBMSGS];
	unsigned int t;
	int n, i;

	for (t = 0; t < MDC_NMSGTYPES; t++) {
		const struct mdc_msgtype_info *mt = mdc_msgtype_get(t);

		CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
		CU_ASSERT_PTR_NOT_NULL(mt->mt_name);
		CU_ASSERT(mt->mt_class < MDC_NCLASSES);
		CU_ASSERT(mt->mt_timeout >= 1);
		CU_ASSERT(mt->mt_handler < MDC_NHANDLERS);
		/* A handler or a generator; only NULL has neither. */
		if (t == MDC_MSG_NULL) {
			CU_ASSERT(mt->mt_handler == MDC_H_NONE &&
				  mt->mt_gen == NULL);
		} else {
			CU_ASSERT((mt->mt_handler != MDC_H_NONE) !=
				  (mt->mt_gen != NULL));
		}
		if (mt->mt_gen == NULL)
			continue;
		n = mt->mt_gen(NULL, 0, sub);
		CU_ASSERT(n >= 1 && n <= MDC_MAXSUBMSGS);
		for (i = 0; i < n; i++) {
			const struct mdc_msgtype_info *st =
				mdc_msgtype_get(sub[i]);

			CU_ASSERT_PTR_NOT_NULL_FATAL(st);
			CU_ASSERT(st->mt_gen == NULL);
			/* Submessages never go below their parent's class. */
			CU_ASSERT(st->mt_class >= mt->mt_class);
		}
	}
	/* Spot checks against facts 1.4. */
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_MDDB_PARSE].mt_class, 7);
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_BC_CMD].mt_timeout, 90);
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_BC_CMD].mt_retry1, 40);
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_BC_CMD_RETRY].mt_retry1, 100000);
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_REQUIRE_OWNER].mt_retry1,
			MDC_FOREVER);
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_SUSPEND_WRITES].mt_class, 6);
	CU_ASSERT_EQUAL(mdc_msgtab[MDC_MSG_RR_CLEAN].mt_class, 2);
	CU_ASSERT_STRING_EQUAL(mdc_msgtype_name(MDC_MSG_SP_SETSTAT2),
			       "SP_SETSTAT2");
}

static void test_table_unknown(void)
{
	uint64_t before = mdc_msgtype_unknown_count();

	CU_ASSERT_PTR_NULL(mdc_msgtype_get(MDC_NMSGTYPES));
	CU_ASSERT_PTR_NULL(mdc_msgtype_get(0xffffffffu));
	CU_ASSERT_EQUAL(mdc_msgtype_unknown_count(), before + 2);
	CU_ASSERT_STRING_EQUAL(mdc_msgtype_name(777), "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(mdc_comm_state_name(MDC_CS_NOQUORUM),
			       "NOQUORUM");
	CU_ASSERT_STRING_EQUAL(mdc_comm_state_name(99), "UNKNOWN");
}

static void test_retry_policy(void)
{
	const struct mdc_msgtype_info *cmd = mdc_msgtype_get(MDC_MSG_BC_CMD);
	const struct mdc_msgtype_info *own =
		mdc_msgtype_get(MDC_MSG_REQUIRE_OWNER);
	struct mdc_retry rt;
	uint32_t delay;
	int err, i;

	mdc_retry_init(&rt, cmd, 0);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_ACK, &delay, &err),
			MDC_RETRY_DONE);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_NO_HANDLER, &delay, &err),
			MDC_RETRY_DONE);

	/* CLASS_BUSY: 40 retries of 20 ticks, then ME_COMM_BUSY. */
	mdc_retry_init(&rt, cmd, 0);
	for (i = 0; i < 40; i++) {
		CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_CLASS_BUSY, &delay,
					       &err),
				MDC_RETRY_AGAIN);
		CU_ASSERT_EQUAL(delay, 200);
	}
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_CLASS_BUSY, &delay, &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_EQUAL(err, ME_COMM_BUSY);

	/* TIMEOUT: 10 retries of 1000 ticks, then ME_COMM_TIMEOUT. */
	mdc_retry_init(&rt, cmd, 0);
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_TIMEOUT, &delay,
					       &err),
				MDC_RETRY_AGAIN);
		CU_ASSERT_EQUAL(delay, 10000);
	}
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_TIMEOUT, &delay, &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_EQUAL(err, ME_COMM_TIMEOUT);

	/* Infinite retries never run out. */
	mdc_retry_init(&rt, own, 0);
	for (i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_RPC_FAIL, &delay,
					       &err),
				MDC_RETRY_AGAIN);

	/* SUSPENDED waits, unless FAIL_ON_SUSPEND. */
	mdc_retry_init(&rt, cmd, 0);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_SUSPENDED, &delay, &err),
			MDC_RETRY_AGAIN);
	CU_ASSERT_EQUAL(delay, 1000);
	mdc_retry_init(&rt, cmd, MDC_F_FAIL_ON_SUSPEND);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_SUSPENDED, &delay, &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_EQUAL(err, ME_COMM_SUSPENDED);

	/* Final failures. */
	mdc_retry_init(&rt, cmd, 0);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_NOT_JOINED, &delay, &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_EQUAL(err, ME_COMM_NOTJOINED);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_LOG_FAIL, &delay, &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_EQUAL(err, ME_COMM_LOGFAIL);

	/* KSEND_NORETRY: one attempt. */
	mdc_retry_init(&rt, own, MDC_F_KSEND_NORETRY);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_RPC_FAIL, &delay, &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_NOT_EQUAL(err, ME_OK);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, MDC_CS_ACK, &delay, &err),
			MDC_RETRY_DONE);
}

CU_TestInfo mdc_table_tests[] = {
	{ "every row is complete", test_table_rows },
	{ "unknown types are refused and counted", test_table_unknown },
	{ "retry policy follows the table", test_retry_policy },
	CU_TEST_INFO_NULL,
};

/* ---- the wire format -------------------------------------------------- */

static void fill_msg(struct mdc_packet *pk, uint8_t kind)
{
	unsigned int i;

	memset(pk, 0, sizeof(*pk));
	pk->pk_kind = kind;
	pk->pk_from = 2;
	pk->pk_to = kind == MDC_WK_WORK ? 0 : 1;
	pk->pk_msg.mm_id.mi_nid = 3;
	pk->pk_msg.mm_id.mi_seq = 0x0102030405060708ull;
	pk->pk_msg.mm_id.mi_oclass = 1;
	pk->pk_msg.mm_type = MDC_MSG_BC_CMD;
	pk->pk_msg.mm_flags = MDC_F_STOP_ON_ERROR | MDC_F_NO_LOG;
	pk->pk_msg.mm_set = 5;
	pk->pk_msg.mm_sender = 3;
	pk->pk_msg.mm_len = 37;
	for (i = 0; i < 37; i++)
		pk->pk_msg.mm_data[i] = (uint8_t)(i * 7);
	pk->pk_res.mr_comm_state = MDC_CS_ACK;
	pk->pk_res.mr_exitval = -3;
	pk->pk_res.mr_failing_node = 2;
	pk->pk_res.mr_outlen = 11;
	memcpy(pk->pk_res.mr_out, "hello world", 11);
}

static size_t encode(const struct mdc_packet *pk, uint8_t *buf, size_t len)
{
	meta_error_t e;
	size_t out = 0;

	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(mdc_wire_encode(pk, buf, len, &out, &e), 0);
	return out;
}

/* Recompute the checksum after a test changed a field on purpose. */
static void restamp(uint8_t *buf, size_t len)
{
	uint32_t c;

	memset(buf + 60, 0, 4);
	c = mdc_crc32c(0, buf, len);
	buf[60] = (uint8_t)c;
	buf[61] = (uint8_t)(c >> 8);
	buf[62] = (uint8_t)(c >> 16);
	buf[63] = (uint8_t)(c >> 24);
}

static void test_wire_roundtrip(void)
{
	static const uint8_t kinds[] = { MDC_WK_REQUEST, MDC_WK_WORK,
					 MDC_WK_RESULT, MDC_WK_REPLY };
	uint8_t buf[MDC_WIRE_MAXLEN];
	struct mdc_packet in, out;
	struct mdc_wire_stats st = { 0 };
	meta_error_t e;
	unsigned int i;
	size_t len;

	for (i = 0; i < sizeof(kinds); i++) {
		fill_msg(&in, kinds[i]);
		len = encode(&in, buf, sizeof(buf));
		meta_error_init(&e);
		CU_ASSERT_EQUAL_FATAL(
			mdc_wire_decode(buf, len, 5, &out, &st, &e), 0);
		CU_ASSERT_EQUAL(out.pk_kind, kinds[i]);
		CU_ASSERT_EQUAL(out.pk_from, 2);
		CU_ASSERT_EQUAL(out.pk_to, in.pk_to);
		CU_ASSERT(mdc_msgid_eq(&out.pk_msg.mm_id, &in.pk_msg.mm_id));
		CU_ASSERT_EQUAL(out.pk_msg.mm_id.mi_seq, 0x0102030405060708ull);
		CU_ASSERT_EQUAL(out.pk_msg.mm_type, MDC_MSG_BC_CMD);
		CU_ASSERT_EQUAL(out.pk_msg.mm_flags, in.pk_msg.mm_flags);
		CU_ASSERT_EQUAL(out.pk_msg.mm_set, 5);
		CU_ASSERT_EQUAL(out.pk_msg.mm_sender, 3);
		if (kinds[i] == MDC_WK_RESULT || kinds[i] == MDC_WK_REPLY) {
			CU_ASSERT_EQUAL(len,
					MDC_WIRE_HDRLEN + MDC_WIRE_RESHDR + 11);
			CU_ASSERT_EQUAL(out.pk_res.mr_exitval, -3);
			CU_ASSERT_EQUAL(out.pk_res.mr_failing_node, 2);
			CU_ASSERT_EQUAL(out.pk_res.mr_outlen, 11);
			CU_ASSERT_EQUAL(memcmp(out.pk_res.mr_out, "hello world",
					       11),
					0);
			CU_ASSERT_EQUAL(out.pk_res.mr_node, 2);
		} else {
			CU_ASSERT_EQUAL(len, MDC_WIRE_HDRLEN + 37);
			CU_ASSERT_EQUAL(out.pk_msg.mm_len, 37);
			CU_ASSERT_EQUAL(memcmp(out.pk_msg.mm_data,
					       in.pk_msg.mm_data, 37),
					0);
		}
	}
	CU_ASSERT_EQUAL(st.ws_ok, 4);
	/* Little-endian on the wire, whatever the host. */
	fill_msg(&in, MDC_WK_REQUEST);
	len = encode(&in, buf, sizeof(buf));
	CU_ASSERT_EQUAL(buf[0], 'O');
	CU_ASSERT_EQUAL(buf[1], 'B');
	CU_ASSERT_EQUAL(buf[2], 'M');
	CU_ASSERT_EQUAL(buf[3], 'C');
	CU_ASSERT_EQUAL(buf[24], 0x08); /* low byte of the sequence first */
	CU_ASSERT_EQUAL(buf[31], 0x01);
}

static void test_wire_encode_refuses(void)
{
	uint8_t buf[MDC_WIRE_MAXLEN];
	struct mdc_packet pk;
	meta_error_t e;
	size_t len;

	fill_msg(&pk, MDC_WK_REQUEST);
	pk.pk_msg.mm_type = 500;
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_wire_encode(&pk, buf, sizeof(buf), &len, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_UNKNOWN_TYPE);
	fill_msg(&pk, MDC_WK_REQUEST);
	pk.pk_msg.mm_len = MDC_MAXDATA + 1;
	CU_ASSERT_EQUAL(mdc_wire_encode(&pk, buf, sizeof(buf), &len, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_TOOBIG);
	fill_msg(&pk, MDC_WK_REQUEST);
	CU_ASSERT_EQUAL(mdc_wire_encode(&pk, buf, 40, &len, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_TOOBIG);
	fill_msg(&pk, 9);
	CU_ASSERT_EQUAL(mdc_wire_encode(&pk, buf, sizeof(buf), &len, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_BADMSG);
}

/* Decode @buf and expect a refusal with @code, counted in @counter. */
#define EXPECT_REFUSED(buf, len, set, code, counter)                          \
	do {                                                                  \
		struct mdc_wire_stats _st = { 0 };                            \
		struct mdc_packet _pk;                                        \
		meta_error_t _e;                                              \
		meta_error_init(&_e);                                         \
		CU_ASSERT_EQUAL(                                              \
			mdc_wire_decode(buf, len, set, &_pk, &_st, &_e), -1); \
		CU_ASSERT_EQUAL(_e.me_code, code);                            \
		CU_ASSERT_EQUAL(_st.counter, 1);                              \
		CU_ASSERT_EQUAL(_st.ws_ok, 0);                                \
	} while (0)

static void test_wire_hostile(void)
{
	uint8_t good[MDC_WIRE_MAXLEN], buf[MDC_WIRE_MAXLEN + 64];
	struct mdc_packet pk;
	size_t len, i;
	unsigned int bit;

	fill_msg(&pk, MDC_WK_REQUEST);
	len = encode(&pk, good, sizeof(good));

	/* Every truncation. */
	for (i = 0; i < MDC_WIRE_HDRLEN; i++)
		EXPECT_REFUSED(good, i, 0, ME_COMM_BADMSG, ws_truncated);
	for (i = MDC_WIRE_HDRLEN; i < len; i++)
		EXPECT_REFUSED(good, i, 0, ME_COMM_BADMSG, ws_truncated);
	EXPECT_REFUSED(NULL, 100, 0, ME_COMM_BADMSG, ws_truncated);

	/* Trailing bytes. */
	memcpy(buf, good, len);
	buf[len] = 0;
	EXPECT_REFUSED(buf, len + 1, 0, ME_COMM_TOOBIG, ws_oversized);

	/* Every single-bit flip is refused (never accepted, never a crash). */
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			struct mdc_packet out;
			meta_error_t e;

			memcpy(buf, good, len);
			buf[i] ^= (uint8_t)(1u << bit);
			meta_error_init(&e);
			CU_ASSERT_EQUAL(mdc_wire_decode(buf, len, 0, &out, NULL,
							&e),
					-1);
		}

	/* Bad magic. */
	memcpy(buf, good, len);
	buf[0] = 'X';
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_magic);

	/* Wrong version, even with a right checksum. */
	memcpy(buf, good, len);
	buf[4] = 2;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_version);

	/* Oversized payload length. */
	memcpy(buf, good, len);
	buf[52] = 0xff;
	buf[53] = 0xff;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_TOOBIG, ws_oversized);

	/* Bad checksum. */
	memcpy(buf, good, len);
	buf[60] ^= 1;
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_csum);

	/* Unknown type. */
	memcpy(buf, good, len);
	buf[10] = 200;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_UNKNOWN_TYPE, ws_unknown_type);

	/* Class that is not the type's; class 0 types never travel. */
	memcpy(buf, good, len);
	buf[9] = 3;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_class);
	memcpy(buf, good, len);
	buf[9] = 0;
	buf[10] = MDC_MSG_VERBOSITY;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_class);

	/* Wrong set: not the one expected, 0, out of range. */
	EXPECT_REFUSED(good, len, 6, ME_COMM_BADSET, ws_wrong_set);
	memcpy(buf, good, len);
	buf[16] = 0;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADSET, ws_wrong_set);
	memcpy(buf, good, len);
	buf[16] = MDC_MAXSETS;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADSET, ws_wrong_set);

	/* Unknown flag bits, and LOCAL_ONLY, never travel. */
	memcpy(buf, good, len);
	buf[14] = 0x80;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADFLAGS, ws_bad_flags);
	memcpy(buf, good, len);
	buf[13] |= 0x01; /* 0x100 */
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADFLAGS, ws_bad_flags);

	/* Unknown feature bits, non-zero pad, bad kind, bad node ids. */
	memcpy(buf, good, len);
	buf[34] = 1;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	memcpy(buf, good, len);
	buf[57] = 1;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	memcpy(buf, good, len);
	buf[8] = 7;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	memcpy(buf, good, len);
	buf[36] = 0; /* from node 0 */
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	memcpy(buf, good, len);
	buf[20] = 200; /* originating node 200 */
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	memcpy(buf, good, len);
	buf[32] = MDC_MAXSUBMSGS + 1;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);

	/* A result body that lies about its length or its answer code. */
	fill_msg(&pk, MDC_WK_RESULT);
	len = encode(&pk, good, sizeof(good));
	memcpy(buf, good, len);
	buf[MDC_WIRE_HDRLEN + 12] = 12; /* outlen 12, 11 present */
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	memcpy(buf, good, len);
	buf[MDC_WIRE_HDRLEN + 0] = MDC_NCOMMSTATES;
	restamp(buf, len);
	EXPECT_REFUSED(buf, len, 0, ME_COMM_BADMSG, ws_bad_field);
	/* A result too short for its body. */
	memcpy(buf, good, MDC_WIRE_HDRLEN);
	buf[52] = 4;
	buf[53] = 0;
	memset(buf + MDC_WIRE_HDRLEN, 0, 4);
	restamp(buf, MDC_WIRE_HDRLEN + 4);
	EXPECT_REFUSED(buf, MDC_WIRE_HDRLEN + 4, 0, ME_COMM_BADMSG,
		       ws_bad_field);
}

/* Random input, and random damage to good packets: refused or decoded
 * cleanly, never a crash; a packet accepted must re-encode identically. */
static void test_wire_random(void)
{
	uint8_t good[MDC_WIRE_MAXLEN], buf[MDC_WIRE_MAXLEN + 16];
	uint8_t again[MDC_WIRE_MAXLEN];
	uint64_t x = 0x1234567887654321ull;
	struct mdc_wire_stats st = { 0 };
	struct mdc_packet pk, out;
	unsigned int iter, accepted = 0, k;
	size_t len, glen, alen;
	meta_error_t e;

	fill_msg(&pk, MDC_WK_REPLY);
	glen = encode(&pk, good, sizeof(good));
	for (iter = 0; iter < 20000; iter++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (iter & 1) {
			len = x % sizeof(buf);
			for (k = 0; k < len; k++)
				buf[k] = (uint8_t)((x >> (k % 56)) + k * 31);
		} else {
			len = glen;
			memcpy(buf, good, glen);
			buf[x % glen] = (uint8_t)(x >> 32);
			if (iter % 4 == 0)
				restamp(buf, len);
		}
		meta_error_init(&e);
		if (mdc_wire_decode(buf, len, 0, &out, &st, &e) != 0) {
			CU_ASSERT_TRUE(meta_error_isset(&e));
			continue;
		}
		accepted++;
		meta_error_init(&e);
		CU_ASSERT_EQUAL_FATAL(mdc_wire_encode(&out, again,
						      sizeof(again), &alen, &e),
				      0);
		CU_ASSERT_EQUAL(alen, len);
		CU_ASSERT_EQUAL(memcmp(again, buf, len), 0);
	}
	CU_ASSERT_EQUAL(st.ws_ok, accepted);
	CU_ASSERT(st.ws_truncated + st.ws_bad_magic + st.ws_bad_csum > 0);
}

CU_TestInfo mdc_wire_tests[] = {
	{ "every kind round-trips, little-endian", test_wire_roundtrip },
	{ "encoder refuses what cannot be sent", test_wire_encode_refuses },
	{ "decoder refuses hostile packets, by reason", test_wire_hostile },
	{ "decoder survives random input", test_wire_random },
	CU_TEST_INFO_NULL,
};

/* ---- the completion table --------------------------------------------- */

static void mct_msg(struct mdc_msg *m, uint64_t seq, uint8_t sub)
{
	memset(m, 0, sizeof(*m));
	m->mm_id.mi_nid = 2;
	m->mm_id.mi_seq = seq;
	m->mm_id.mi_sub = sub;
	m->mm_id.mi_oclass = 1;
	m->mm_type = sub ? MDC_MSG_TEST2 : MDC_MSG_TEST1;
	m->mm_set = 1;
}

static void test_mct_lmdb(void)
{
	char dir[512];
	struct mdc_mct *mct;
	struct mdc_result res, got;
	struct mdc_msg m, other;
	meta_error_t e;

	ocu_path(dir, sizeof(dir), "mct");
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(mdc_mct_open(dir, &mct, &e), 0);

	mct_msg(&m, 100, 0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &m, &got, &e), MDC_MCT_NOT_DONE);
	CU_ASSERT_EQUAL(mdc_mct_mark(mct, &m, MDC_MCT_IN_PROGRESS, NULL, &e),
			0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &m, &got, &e), MDC_MCT_IN_PROGRESS);
	memset(&res, 0, sizeof(res));
	res.mr_comm_state = MDC_CS_ACK;
	res.mr_exitval = 42;
	res.mr_outlen = 3;
	memcpy(res.mr_out, "abc", 3);
	CU_ASSERT_EQUAL(mdc_mct_mark(mct, &m, MDC_MCT_DONE, &res, &e), 0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &m, &got, &e), MDC_MCT_DONE);
	CU_ASSERT_EQUAL(got.mr_exitval, 42);
	CU_ASSERT_EQUAL(got.mr_outlen, 3);
	CU_ASSERT_EQUAL(memcmp(got.mr_out, "abc", 3), 0);

	/* Another message of the same slot is not done. */
	mct_msg(&other, 101, 0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &other, &got, &e), MDC_MCT_NOT_DONE);
	/* A submessage has its own slot. */
	mct_msg(&other, 100, 1);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &other, &got, &e), MDC_MCT_NOT_DONE);
	/* NO_MCT is never answered from the table, nor stored. */
	m.mm_flags = MDC_F_NO_MCT;
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &m, &got, &e), MDC_MCT_NOT_DONE);
	m.mm_flags = 0;

	/* It survives a close and reopen (a daemon restart). */
	mdc_mct_close(mct);
	CU_ASSERT_EQUAL_FATAL(mdc_mct_open(dir, &mct, &e), 0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &m, &got, &e), MDC_MCT_DONE);
	CU_ASSERT_EQUAL(got.mr_exitval, 42);
	/* The next message of the slot replaces it. */
	mct_msg(&other, 101, 0);
	CU_ASSERT_EQUAL(mdc_mct_mark(mct, &other, MDC_MCT_DONE, &res, &e), 0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &m, &got, &e), MDC_MCT_NOT_DONE);
	mdc_mct_close(mct);

	/*
	 * A daemon killed right after a commit loses nothing (the map's
	 * pages are the kernel's): a child commits and is SIGKILLed with
	 * the table still open.
	 */
	mct_msg(&other, 102, 0);
	{
		pid_t pid = fork();
		int status;

		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			struct mdc_mct *cm;
			meta_error_t ce;

			meta_error_init(&ce);
			if (mdc_mct_open(dir, &cm, &ce) != 0 ||
			    mdc_mct_mark(cm, &other, MDC_MCT_DONE, &res, &ce) !=
				    0)
				_exit(1);
			raise(SIGKILL);
			_exit(2);
		}
		CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	CU_ASSERT_EQUAL_FATAL(mdc_mct_open(dir, &mct, &e), 0);
	CU_ASSERT_EQUAL(mdc_mct_check(mct, &other, &got, &e), MDC_MCT_DONE);
	CU_ASSERT_EQUAL(got.mr_exitval, 42);
	mdc_mct_close(mct);

	/* A directory that does not exist is a clear error. */
	ocu_path(dir, sizeof(dir), "no/such/dir");
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_mct_open(dir, &mct, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_MCT);
}

CU_TestInfo mdc_mct_tests[] = {
	{ "LMDB completion table", test_mct_lmdb },
	CU_TEST_INFO_NULL,
};

/* ---- runtime.cf and the debug file ------------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_runtime_cf(void)
{
	char path[512], out[512], text[1024];
	struct mdc_runtime rt;
	meta_error_t e;

	ocu_path(path, sizeof(path), "runtime.cf");
	ocu_path(out, sizeof(out), "commd.out");
	snprintf(text, sizeof(text),
		 "# oban runtime settings\n"
		 "ownerioctls on\n"
		 "commd_verbosity=0x2000ffff\n"
		 "  commd_out_file   %s  # the debug file\n"
		 "commd_out_max 64k\n"
		 "commd_inconsistency_action leave\n",
		 out);
	write_file(path, text);
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), 0);
	CU_ASSERT_EQUAL(rt.rt_verbosity, 0x2000ffff);
	CU_ASSERT_STRING_EQUAL(rt.rt_out_file, out);
	CU_ASSERT_EQUAL(rt.rt_out_max, 65536);
	CU_ASSERT_EQUAL(rt.rt_action, MDC_INCONS_LEAVE);

	write_file(path, "commd_verbosity 12zz\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CONFIG_FILE);
	write_file(path, "\n\ncommd_inconsistency_action panic\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "line 3"));
	write_file(path, "commd_out_file relative/path\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	/* The fence command: an absolute path, no arguments. */
	write_file(path, "commd_fence_command /usr/sbin/fence-me\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), 0);
	CU_ASSERT_STRING_EQUAL(rt.rt_fence_command, "/usr/sbin/fence-me");
	write_file(path, "commd_fence_command fence-me\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	write_file(path, "commd_fence_command /usr/sbin/fence-me -f\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	/* The real-time priority: 0 (ordinary) to 98, below corosync's. */
	write_file(path, "commd_rt_priority 0\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), 0);
	CU_ASSERT_EQUAL(rt.rt_rt_priority, 0);
	write_file(path, "commd_rt_priority 98\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), 0);
	CU_ASSERT_EQUAL(rt.rt_rt_priority, 98);
	write_file(path, "commd_rt_priority 99\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CONFIG_FILE);
	write_file(path, "commd_rt_priority -1\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	write_file(path, "commd_rt_priority high\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	/* The trace directory: an absolute path without blanks. */
	write_file(path, "commd_trace_dir /tmp/msgtrace.1\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), 0);
	CU_ASSERT_STRING_EQUAL(rt.rt_trace_dir, "/tmp/msgtrace.1");
	write_file(path, "commd_trace_dir msgtrace\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CONFIG_FILE);
	write_file(path, "commd_trace_dir /tmp/a b\n");
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), -1);

	/* No file: the defaults. */
	ocu_path(path, sizeof(path), "absent.cf");
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_runtime_read(path, &rt, &e), 0);
	CU_ASSERT_EQUAL(rt.rt_verbosity, 0);
	CU_ASSERT_EQUAL(rt.rt_action, MDC_INCONS_FENCE);
	CU_ASSERT_STRING_EQUAL(rt.rt_fence_command, "");
	CU_ASSERT_EQUAL(rt.rt_out_max, MDC_OUT_MAX_DEFAULT);
	CU_ASSERT_EQUAL(rt.rt_rt_priority, MDC_RT_PRIORITY_DEFAULT);
	CU_ASSERT_STRING_EQUAL(rt.rt_trace_dir, "");
}

static void test_dbg_rotation(void)
{
	char path[512], old[600];
	struct mdc_dbg *d;
	struct stat sb;
	meta_error_t e;
	int i;

	ocu_path(path, sizeof(path), "rot.out");
	snprintf(old, sizeof(old), "%s.1", path);
	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(mdc_dbg_create(path, MDC_MMV_SEND, 4096, &d, &e),
			      0);
	/* Masked out: nothing written. */
	mdc_dbg_printf(d, MDC_MMV_WORK, "not written");
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_size, 0);
	for (i = 0; i < 300; i++)
		mdc_dbg_printf(d, MDC_MMV_SEND, "line %04d of the debug file",
			       i);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT(sb.st_size > 0 && sb.st_size <= 4096);
	CU_ASSERT_EQUAL(stat(old, &sb), 0);
	CU_ASSERT(sb.st_size > 0 && sb.st_size <= 4096);
	mdc_dbg_set_mask(d, 0);
	CU_ASSERT_EQUAL(mdc_dbg_mask(d), 0);
	mdc_dbg_destroy(d);
	mdc_dbg_printf(NULL, MDC_MMV_ALL, "NULL is fine");
}

CU_TestInfo mdc_dbg_tests[] = {
	{ "runtime.cf settings", test_runtime_cf },
	{ "debug file rotates by size", test_dbg_rotation },
	CU_TEST_INFO_NULL,
};
