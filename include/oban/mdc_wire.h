/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mdcommd wire format between nodes (doc/format-messages.md).
 *
 * Every packet multicast over the cluster transport is one header of
 * MDC_WIRE_HDRLEN (64) bytes, fixed-width little-endian, then a payload:
 *
 *   REQUEST  initiator -> master   payload: the message data
 *   WORK     master -> every node  payload: the message data
 *   RESULT   node -> master        payload: a result body
 *   REPLY    master -> initiator   payload: a result body
 *
 * The header carries magic, version, header length, feature bits (none
 * defined; any set bit is refused), kind, class, type, flags, set, the
 * message id (originating node, sequence, submessage, original class), the
 * node that sent this packet and the node it is for (0 = every node), the
 * message's own sender and DIRECTED recipient, the payload length and a
 * CRC-32C over header and payload.  A result body is 16 bytes (answer code,
 * exit value, failing node, output length) and the output.
 *
 * mdc_wire_encode() and mdc_wire_decode() are the only functions that know
 * the layout.  The decoder refuses, and counts in a struct mdc_wire_stats,
 * truncated, oversized, bad-magic, wrong-version, unknown-type, wrong-class,
 * wrong-set, bad-flag and bad-checksum packets; it never reads past the
 * buffer it is given and never crashes on any input (tests/fuzz/
 * fuzz_cpgmsg.c).  Both are thread-safe given distinct arguments.
 */
#ifndef OBAN_MDC_WIRE_H
#define OBAN_MDC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_msg.h>

#define MDC_WIRE_MAGIC 0x434d424fu /* "OBMC" as bytes on the wire */
#define MDC_WIRE_VERSION 1
#define MDC_WIRE_HDRLEN 64
#define MDC_WIRE_RESHDR 16 /* result body before the output */
#define MDC_WIRE_MAXPAY (MDC_WIRE_RESHDR + MDC_MAXOUT) /* >= MDC_MAXDATA */
#define MDC_WIRE_MAXLEN (MDC_WIRE_HDRLEN + MDC_WIRE_MAXPAY)

enum mdc_wire_kind {
	MDC_WK_REQUEST = 1,
	MDC_WK_WORK = 2,
	MDC_WK_RESULT = 3,
	MDC_WK_REPLY = 4,
};

/*
 * The header as it lies on the wire.  Only for the size assertion and the
 * documentation: the code converts field by field (mdc_wire.c), never by
 * casting a buffer to this struct.
 */
struct mdc_wire_hdr {
	uint32_t wh_magic; /*  0 MDC_WIRE_MAGIC */
	uint16_t wh_version; /*  4 MDC_WIRE_VERSION */
	uint16_t wh_hdrlen; /*  6 MDC_WIRE_HDRLEN */
	uint8_t wh_kind; /*  8 enum mdc_wire_kind */
	uint8_t wh_class; /*  9 class of wh_type */
	uint16_t wh_type; /* 10 enum mdc_msgtype */
	uint32_t wh_flags; /* 12 enum mdc_msgflag */
	uint32_t wh_set; /* 16 1..MDC_MAXSETS-1 */
	uint32_t wh_mid_nid; /* 20 message id: originating node */
	uint64_t wh_mid_seq; /* 24 message id: sequence */
	uint8_t wh_mid_sub; /* 32 message id: submessage */
	uint8_t wh_mid_oclass; /* 33 message id: class of the original */
	uint16_t wh_features; /* 34 feature bits: none defined, must be 0 */
	uint32_t wh_from; /* 36 node that sent this packet */
	uint32_t wh_to; /* 40 node it is for; 0 = every node */
	uint32_t wh_msg_sender; /* 44 node that wants the result */
	uint32_t wh_msg_recipient; /* 48 DIRECTED recipient, else 0 */
	uint32_t wh_paylen; /* 52 payload bytes after the header */
	uint32_t wh_pad; /* 56 zero */
	uint32_t wh_csum; /* 60 CRC-32C of header (this field 0) + payload */
};

_Static_assert(sizeof(struct mdc_wire_hdr) == MDC_WIRE_HDRLEN,
	       "the wire header is 64 bytes");

/* A packet, decoded. */
struct mdc_packet {
	uint8_t pk_kind; /* enum mdc_wire_kind */
	uint32_t pk_from;
	uint32_t pk_to;
	struct mdc_msg pk_msg; /* REQUEST, WORK: all; RESULT, REPLY: header */
	struct mdc_result pk_res; /* RESULT, REPLY only */
};

/* What the decoder refused, by reason. */
struct mdc_wire_stats {
	uint64_t ws_ok;
	uint64_t ws_truncated;
	uint64_t ws_oversized;
	uint64_t ws_bad_magic;
	uint64_t ws_bad_version;
	uint64_t ws_unknown_type;
	uint64_t ws_bad_class;
	uint64_t ws_wrong_set;
	uint64_t ws_bad_flags;
	uint64_t ws_bad_csum;
	uint64_t ws_bad_field; /* kind, features, pad, ids, result fields */
};

/*
 * mdc_wire_encode - write @pk into @buf of @len bytes.
 *
 * @pk   in: kind, from, to, the message header (and data for REQUEST and
 *       WORK) or the result (RESULT, REPLY).  Its class is taken from
 *       the table, not from the caller.
 * @out  out: bytes written.
 *
 * Returns 0, or -1 with @ep: ME_COMM_UNKNOWN_TYPE, ME_COMM_TOOBIG (payload
 * or output over the limit, or @len too small), ME_COMM_BADMSG (bad kind).
 */
int mdc_wire_encode(const struct mdc_packet *pk, void *buf, size_t len,
		    size_t *out, meta_error_t *ep);

/*
 * mdc_wire_decode - check and decode one packet of @len bytes at @buf.
 *
 * @set   the only set accepted, or 0 to accept any valid set number.
 * @pk    out: the packet; untouched fields are zero.
 * @st    in/out: the counter for the verdict is incremented; may be NULL.
 *
 * Returns 0, or -1 with @ep: ME_COMM_BADMSG (truncated, bad magic, bad
 * field, bad checksum), ME_COMM_TOOBIG (oversized), ME_COMM_UNKNOWN_TYPE,
 * ME_COMM_BADSET, ME_COMM_BADFLAGS.  Never reads outside [buf, buf+len).
 */
int mdc_wire_decode(const void *buf, size_t len, uint32_t set,
		    struct mdc_packet *pk, struct mdc_wire_stats *st,
		    meta_error_t *ep);

/* mdc_crc32c - CRC-32C (Castagnoli) of @len bytes, continuing from @crc. */
uint32_t mdc_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* OBAN_MDC_WIRE_H */
