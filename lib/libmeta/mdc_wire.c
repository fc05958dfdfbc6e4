// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mdcommd wire format: the one encoder and the one decoder of the
 * packets nodes multicast to each other (layout in include/oban/mdc_wire.h
 * and doc/format-messages.md).
 *
 * Every field is converted one by one with the little-endian helpers below:
 * no buffer is ever cast to a struct, so alignment and host byte order do
 * not matter and a short buffer cannot be over-read.  The decoder checks,
 * in this order, and stops at the first failure: length against the
 * header, magic, version, header length, the payload length against the
 * limit and against the buffer, the checksum, then the fields (kind,
 * features, pad, type, class, flags, set, id, result body).  The checksum
 * is checked before the fields so that a damaged packet is reported as
 * damaged, not as whatever its damaged field happens to say.
 */
#include "config.h"

#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/error.h>
#include <oban/mdc_wire.h>

/* CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), table driven. */
static uint32_t mdc_crc_table[256];
static int mdc_crc_ready;

static void mdc_crc_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		mdc_crc_table[i] = c;
	}
	__atomic_store_n(&mdc_crc_ready, 1, __ATOMIC_RELEASE);
}

uint32_t mdc_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* Building the table twice is harmless: both write the same. */
	if (!__atomic_load_n(&mdc_crc_ready, __ATOMIC_ACQUIRE))
		mdc_crc_init();
	crc = ~crc;
	while (len-- > 0)
		crc = mdc_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

/* Header offsets; see struct mdc_wire_hdr. */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 4,
	OFF_HDRLEN = 6,
	OFF_KIND = 8,
	OFF_CLASS = 9,
	OFF_TYPE = 10,
	OFF_FLAGS = 12,
	OFF_SET = 16,
	OFF_MID_NID = 20,
	OFF_MID_SEQ = 24,
	OFF_MID_SUB = 32,
	OFF_MID_OCLASS = 33,
	OFF_FEATURES = 34,
	OFF_FROM = 36,
	OFF_TO = 40,
	OFF_MSG_SENDER = 44,
	OFF_MSG_RECIPIENT = 48,
	OFF_PAYLEN = 52,
	OFF_PAD = 56,
	OFF_CSUM = 60,
};

_Static_assert(OFF_CSUM + 4 == MDC_WIRE_HDRLEN, "header offsets add up");
_Static_assert(MDC_WIRE_MAXPAY >= MDC_MAXDATA, "payload limit holds data");

static bool mdc_kind_has_result(uint8_t kind)
{
	return kind == MDC_WK_RESULT || kind == MDC_WK_REPLY;
}

int mdc_wire_encode(const struct mdc_packet *pk, void *buf, size_t len,
		    size_t *out, meta_error_t *ep)
{
	const struct mdc_msg *m = &pk->pk_msg;
	const struct mdc_msgtype_info *mt;
	uint8_t *p = buf;
	uint32_t paylen;
	uint32_t csum;

	if (pk->pk_kind < MDC_WK_REQUEST || pk->pk_kind > MDC_WK_REPLY)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADMSG), 0, NULL,
				      "cannot encode packet of kind %u",
				      pk->pk_kind);
	mt = mdc_msgtype_get(m->mm_type);
	if (mt == NULL)
		return meta_error_set(ep, SET_ERROR(ME_COMM_UNKNOWN_TYPE), 0,
				      NULL, "cannot encode message type %u",
				      m->mm_type);
	if (mdc_kind_has_result(pk->pk_kind)) {
		if (pk->pk_res.mr_outlen > MDC_MAXOUT)
			return meta_error_set(
				ep, SET_ERROR(ME_COMM_TOOBIG), 0, NULL,
				"cannot encode result of %u bytes",
				pk->pk_res.mr_outlen);
		paylen = MDC_WIRE_RESHDR + pk->pk_res.mr_outlen;
	} else {
		if (m->mm_len > MDC_MAXDATA)
			return meta_error_set(
				ep, SET_ERROR(ME_COMM_TOOBIG), 0, NULL,
				"cannot encode message of %u bytes", m->mm_len);
		paylen = m->mm_len;
	}
	if (len < MDC_WIRE_HDRLEN + (size_t)paylen)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TOOBIG), 0, NULL,
				      "cannot encode packet into %zu bytes",
				      len);

	memset(p, 0, MDC_WIRE_HDRLEN);
	put32(p + OFF_MAGIC, MDC_WIRE_MAGIC);
	put16(p + OFF_VERSION, MDC_WIRE_VERSION);
	put16(p + OFF_HDRLEN, MDC_WIRE_HDRLEN);
	p[OFF_KIND] = pk->pk_kind;
	p[OFF_CLASS] = mt->mt_class;
	put16(p + OFF_TYPE, (uint16_t)m->mm_type);
	put32(p + OFF_FLAGS, m->mm_flags);
	put32(p + OFF_SET, m->mm_set);
	put32(p + OFF_MID_NID, m->mm_id.mi_nid);
	put64(p + OFF_MID_SEQ, m->mm_id.mi_seq);
	p[OFF_MID_SUB] = m->mm_id.mi_sub;
	p[OFF_MID_OCLASS] = m->mm_id.mi_oclass;
	put32(p + OFF_FROM, pk->pk_from);
	put32(p + OFF_TO, pk->pk_to);
	put32(p + OFF_MSG_SENDER, m->mm_sender);
	put32(p + OFF_MSG_RECIPIENT, m->mm_recipient);
	put32(p + OFF_PAYLEN, paylen);

	if (mdc_kind_has_result(pk->pk_kind)) {
		uint8_t *r = p + MDC_WIRE_HDRLEN;

		put32(r + 0, pk->pk_res.mr_comm_state);
		put32(r + 4, (uint32_t)pk->pk_res.mr_exitval);
		put32(r + 8, pk->pk_res.mr_failing_node);
		put32(r + 12, pk->pk_res.mr_outlen);
		memcpy(r + MDC_WIRE_RESHDR, pk->pk_res.mr_out,
		       pk->pk_res.mr_outlen);
	} else if (paylen > 0) {
		memcpy(p + MDC_WIRE_HDRLEN, m->mm_data, paylen);
	}
	csum = mdc_crc32c(0, p, MDC_WIRE_HDRLEN + (size_t)paylen);
	put32(p + OFF_CSUM, csum);
	*out = MDC_WIRE_HDRLEN + (size_t)paylen;
	return 0;
}

#define REFUSE(counter, code, ...)                                  \
	do {                                                        \
		if (st != NULL)                                     \
			st->counter++;                              \
		return meta_error_set(ep, SET_ERROR(code), 0, NULL, \
				      __VA_ARGS__);                 \
	} while (0)

/* CRC of the header with its checksum field taken as zero, and payload. */
static uint32_t mdc_wire_csum(const uint8_t *p, size_t total)
{
	static const uint8_t zero[4];
	uint32_t c;

	c = mdc_crc32c(0, p, OFF_CSUM);
	c = mdc_crc32c(c, zero, sizeof(zero));
	return mdc_crc32c(c, p + MDC_WIRE_HDRLEN, total - MDC_WIRE_HDRLEN);
}

int mdc_wire_decode(const void *buf, size_t len, uint32_t set,
		    struct mdc_packet *pk, struct mdc_wire_stats *st,
		    meta_error_t *ep)
{
	const uint8_t *p = buf;
	const struct mdc_msgtype_info *mt;
	struct mdc_msg *m = &pk->pk_msg;
	uint32_t paylen, maxpay, v;
	uint8_t kind;

	memset(pk, 0, sizeof(*pk));
	if (buf == NULL || len < MDC_WIRE_HDRLEN)
		REFUSE(ws_truncated, ME_COMM_BADMSG,
		       "cannot decode packet of %zu bytes: truncated header",
		       len);
	if (get32(p + OFF_MAGIC) != MDC_WIRE_MAGIC)
		REFUSE(ws_bad_magic, ME_COMM_BADMSG,
		       "cannot decode packet: bad magic %#x",
		       get32(p + OFF_MAGIC));
	if (get16(p + OFF_VERSION) != MDC_WIRE_VERSION)
		REFUSE(ws_bad_version, ME_COMM_BADMSG,
		       "cannot decode packet: wire version %u, expected %u",
		       get16(p + OFF_VERSION), MDC_WIRE_VERSION);
	if (get16(p + OFF_HDRLEN) != MDC_WIRE_HDRLEN)
		REFUSE(ws_bad_field, ME_COMM_BADMSG,
		       "cannot decode packet: header length %u",
		       get16(p + OFF_HDRLEN));
	kind = p[OFF_KIND];
	maxpay = mdc_kind_has_result(kind) ? MDC_WIRE_MAXPAY : MDC_MAXDATA;
	paylen = get32(p + OFF_PAYLEN);
	if (paylen > maxpay)
		REFUSE(ws_oversized, ME_COMM_TOOBIG,
		       "cannot decode packet: payload of %u bytes", paylen);
	if (len < MDC_WIRE_HDRLEN + (size_t)paylen)
		REFUSE(ws_truncated, ME_COMM_BADMSG,
		       "cannot decode packet: %zu bytes for a payload of %u",
		       len, paylen);
	if (len > MDC_WIRE_HDRLEN + (size_t)paylen)
		REFUSE(ws_oversized, ME_COMM_TOOBIG,
		       "cannot decode packet: %zu trailing bytes",
		       len - MDC_WIRE_HDRLEN - paylen);
	if (mdc_wire_csum(p, len) != get32(p + OFF_CSUM))
		REFUSE(ws_bad_csum, ME_COMM_BADMSG,
		       "cannot decode packet: bad checksum");
	if (kind < MDC_WK_REQUEST || kind > MDC_WK_REPLY)
		REFUSE(ws_bad_field, ME_COMM_BADMSG,
		       "cannot decode packet: kind %u", kind);
	if (get16(p + OFF_FEATURES) != 0 || get32(p + OFF_PAD) != 0)
		REFUSE(ws_bad_field, ME_COMM_BADMSG,
		       "cannot decode packet: unknown feature bits %#x",
		       get16(p + OFF_FEATURES));
	mt = mdc_msgtype_get(get16(p + OFF_TYPE));
	if (mt == NULL)
		REFUSE(ws_unknown_type, ME_COMM_UNKNOWN_TYPE,
		       "cannot decode packet: message type %u",
		       get16(p + OFF_TYPE));
	if (p[OFF_CLASS] != mt->mt_class || mt->mt_class == MDC_CLASS0)
		REFUSE(ws_bad_class, ME_COMM_BADMSG,
		       "cannot decode %s: class %u", mt->mt_name, p[OFF_CLASS]);
	v = get32(p + OFF_FLAGS);
	if ((v & ~(uint32_t)MDC_F_ALL) != 0 || (v & MDC_F_LOCAL_ONLY))
		REFUSE(ws_bad_flags, ME_COMM_BADFLAGS,
		       "cannot decode %s: flags %#x", mt->mt_name, v);
	m->mm_flags = v;
	v = get32(p + OFF_SET);
	if (v == 0 || v >= MDC_MAXSETS || (set != 0 && v != set))
		REFUSE(ws_wrong_set, ME_COMM_BADSET, "cannot decode %s: set %u",
		       mt->mt_name, v);
	m->mm_set = v;
	m->mm_type = get16(p + OFF_TYPE);
	m->mm_id.mi_nid = get32(p + OFF_MID_NID);
	m->mm_id.mi_seq = get64(p + OFF_MID_SEQ);
	m->mm_id.mi_sub = p[OFF_MID_SUB];
	m->mm_id.mi_oclass = p[OFF_MID_OCLASS];
	m->mm_sender = get32(p + OFF_MSG_SENDER);
	m->mm_recipient = get32(p + OFF_MSG_RECIPIENT);
	pk->pk_kind = kind;
	pk->pk_from = get32(p + OFF_FROM);
	pk->pk_to = get32(p + OFF_TO);
	if (m->mm_id.mi_nid == 0 || m->mm_id.mi_nid > MDC_MAXNODES ||
	    m->mm_id.mi_sub > MDC_MAXSUBMSGS ||
	    m->mm_id.mi_oclass >= MDC_NCLASSES || pk->pk_from == 0 ||
	    pk->pk_from > MDC_MAXNODES || pk->pk_to > MDC_MAXNODES ||
	    m->mm_sender == 0 || m->mm_sender > MDC_MAXNODES ||
	    m->mm_recipient > MDC_MAXNODES)
		REFUSE(ws_bad_field, ME_COMM_BADMSG,
		       "cannot decode %s: bad node or message id", mt->mt_name);
	if (m->mm_id.mi_sub == 0 && m->mm_id.mi_oclass != mt->mt_class)
		REFUSE(ws_bad_field, ME_COMM_BADMSG,
		       "cannot decode %s: original class %u", mt->mt_name,
		       m->mm_id.mi_oclass);

	if (mdc_kind_has_result(kind)) {
		const uint8_t *r = p + MDC_WIRE_HDRLEN;
		struct mdc_result *res = &pk->pk_res;

		if (paylen < MDC_WIRE_RESHDR ||
		    get32(r + 12) != paylen - MDC_WIRE_RESHDR ||
		    get32(r + 0) >= MDC_NCOMMSTATES ||
		    get32(r + 8) > MDC_MAXNODES)
			REFUSE(ws_bad_field, ME_COMM_BADMSG,
			       "cannot decode result of %s: bad result body",
			       mt->mt_name);
		res->mr_id = m->mm_id;
		res->mr_type = m->mm_type;
		res->mr_set = m->mm_set;
		res->mr_comm_state = get32(r + 0);
		res->mr_exitval = (int32_t)get32(r + 4);
		res->mr_failing_node = get32(r + 8);
		res->mr_outlen = get32(r + 12);
		res->mr_node = pk->pk_from;
		memcpy(res->mr_out, r + MDC_WIRE_RESHDR, res->mr_outlen);
	} else {
		m->mm_len = paylen;
		if (paylen > 0)
			memcpy(m->mm_data, p + MDC_WIRE_HDRLEN, paylen);
	}
	if (st != NULL)
		st->ws_ok++;
	return 0;
}
