// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the XDR decoding of mdcommd's local RPC protocol: the
 * rpcgen routines of lib/libmeta/mdcommd.x (lib/libmeta/mdcommd_xdr.c)
 * and libtirpc's call header decoder, as the server (mdc_rpcsvc.c) uses
 * them on whatever a local client writes to /run/oban/mdcommd.sock.
 *
 * Input: byte 0 chooses what the rest is decoded as, from a memory stream
 * (xdrmem_create):
 *
 *   0  mdc_rpc_send      2  mdc_rpc_result     4  mdc_rpc_msgid
 *   1  mdc_rpc_ctl       3  mdc_rpc_status
 *   5  the server's path: an RPC call header (xdr_callmsg, with the
 *      server's fixed credential buffers), then the arguments of the named
 *      procedure with the server's table of decoders
 *
 * Every decode is followed by xdr_free().  A structure that decodes must
 * encode, and decode again to the same values (the opaque payload byte
 * for byte): one layout, both directions.  Any other outcome aborts.
 * Seeds: tests/fuzz/corpus/fuzz_xdr/ (how they were made: README.md).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/rpc.h>

#include <oban/mdcommd_rpc.h>

#include "fuzz.h"

#define FX_BUFLEN (4 * MDC_RPC_MAXDATA + 1024)

/* One decodable type: its XDR routine and how to compare two values. */
struct fx_type {
	xdrproc_t ft_proc;
	size_t ft_size;
	int (*ft_same)(const void *a, const void *b);
};

static int same_msgid(const mdc_rpc_msgid *a, const mdc_rpc_msgid *b)
{
	return a->rid_nid == b->rid_nid && a->rid_seq == b->rid_seq &&
	       a->rid_sub == b->rid_sub;
}

static int same_bytes(u_int alen, const char *a, u_int blen, const char *b)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static int same_send(const void *pa, const void *pb)
{
	const mdc_rpc_send *a = pa, *b = pb;

	return a->rs_set == b->rs_set && a->rs_type == b->rs_type &&
	       a->rs_flags == b->rs_flags &&
	       a->rs_recipient == b->rs_recipient &&
	       same_bytes(a->rs_data.rs_data_len, a->rs_data.rs_data_val,
			  b->rs_data.rs_data_len, b->rs_data.rs_data_val) &&
	       a->rs_has_id == b->rs_has_id &&
	       same_msgid(&a->rs_id, &b->rs_id) && a->rs_sender == b->rs_sender;
}

static int same_ctl(const void *pa, const void *pb)
{
	const mdc_rpc_ctl *a = pa, *b = pb;

	return a->rc_set == b->rc_set && a->rc_class == b->rc_class &&
	       a->rc_arg == b->rc_arg;
}

static int same_result(const void *pa, const void *pb)
{
	const mdc_rpc_result *a = pa, *b = pb;

	return same_msgid(&a->rr_id, &b->rr_id) && a->rr_type == b->rr_type &&
	       a->rr_set == b->rr_set && a->rr_comm_state == b->rr_comm_state &&
	       a->rr_exitval == b->rr_exitval &&
	       a->rr_failing_node == b->rr_failing_node &&
	       same_bytes(a->rr_out.rr_out_len, a->rr_out.rr_out_val,
			  b->rr_out.rr_out_len, b->rr_out.rr_out_val);
}

static int same_status(const void *pa, const void *pb)
{
	/* only integers, no padding between the 32- and 64-bit members
	 * that the decoder would not write: compare member by member */
	const mdc_rpc_status *a = pa, *b = pb;

	return a->rt_nodeid == b->rt_nodeid && a->rt_members == b->rt_members &&
	       a->rt_sent == b->rt_sent && a->rt_answered == b->rt_answered &&
	       a->rt_timeouts == b->rt_timeouts && a->rt_runs == b->rt_runs &&
	       a->rt_mct_hits == b->rt_mct_hits &&
	       a->rt_master_jobs == b->rt_master_jobs &&
	       a->rt_bad_packets == b->rt_bad_packets &&
	       a->rt_inconsistent == b->rt_inconsistent;
}

static int same_msgid_v(const void *a, const void *b)
{
	return same_msgid(a, b);
}

static const struct fx_type fx_types[] = {
	{ (xdrproc_t)xdr_mdc_rpc_send, sizeof(mdc_rpc_send), same_send },
	{ (xdrproc_t)xdr_mdc_rpc_ctl, sizeof(mdc_rpc_ctl), same_ctl },
	{ (xdrproc_t)xdr_mdc_rpc_result, sizeof(mdc_rpc_result), same_result },
	{ (xdrproc_t)xdr_mdc_rpc_status, sizeof(mdc_rpc_status), same_status },
	{ (xdrproc_t)xdr_mdc_rpc_msgid, sizeof(mdc_rpc_msgid), same_msgid_v },
};
#define FX_NTYPES (sizeof(fx_types) / sizeof(fx_types[0]))

/* The argument decoder of each procedure, as in mdc_rpcsvc.c's table
 * (NULL: the procedure takes no arguments). */
static const struct fx_type *const fx_procargs[] = {
	[MDC_RPC_NULL] = NULL,
	[MDC_RPC_SEND] = &fx_types[0],
	[MDC_RPC_SUSPEND] = &fx_types[1],
	[MDC_RPC_RESUME] = &fx_types[1],
	[MDC_RPC_LOCK] = &fx_types[1],
	[MDC_RPC_REINIT] = &fx_types[1],
	[MDC_RPC_ABORT] = &fx_types[1],
	[MDC_RPC_VERBOSITY] = &fx_types[1],
	[MDC_RPC_PING] = &fx_types[1],
	[MDC_RPC_STATUS] = NULL,
	[MDC_RPC_SETMASTER] = &fx_types[1],
	[MDC_RPC_REPLAY] = &fx_types[1],
};
#define FX_NPROCS (sizeof(fx_procargs) / sizeof(fx_procargs[0]))

/* Decode one value of @t from @x; if it decodes, check the round trip. */
static void decode_one(const struct fx_type *t, XDR *x)
{
	static char enc[FX_BUFLEN];
	union {
		mdc_rpc_send s;
		mdc_rpc_result r;
		mdc_rpc_status st;
		mdc_rpc_ctl c;
		mdc_rpc_msgid m;
	} v, w;
	XDR e;

	memset(&v, 0, sizeof(v));
	if (!t->ft_proc(x, &v)) {
		xdr_free(t->ft_proc, (char *)&v);
		return;
	}
	xdrmem_create(&e, enc, sizeof(enc), XDR_ENCODE);
	if (!t->ft_proc(&e, &v))
		abort(); /* a decoded value always fits FX_BUFLEN */
	xdr_destroy(&e);
	xdrmem_create(&e, enc, sizeof(enc), XDR_DECODE);
	memset(&w, 0, sizeof(w));
	if (!t->ft_proc(&e, &w) || !t->ft_same(&v, &w))
		abort();
	xdr_destroy(&e);
	xdr_free(t->ft_proc, (char *)&v);
	xdr_free(t->ft_proc, (char *)&w);
}

/* The server's path: call header, then the procedure's arguments. */
static void decode_call(XDR *x)
{
	static char credbuf[2 * MAX_AUTH_BYTES];
	struct rpc_msg call;

	memset(&call, 0, sizeof(call));
	call.rm_call.cb_cred.oa_base = credbuf;
	call.rm_call.cb_verf.oa_base = credbuf + MAX_AUTH_BYTES;
	if (!xdr_callmsg(x, &call) || call.rm_direction != CALL)
		return;
	if (call.rm_call.cb_cred.oa_length > MAX_AUTH_BYTES ||
	    call.rm_call.cb_verf.oa_length > MAX_AUTH_BYTES)
		abort(); /* the decoder let a credential overrun its buffer */
	if (call.rm_call.cb_prog != MDC_PROG ||
	    call.rm_call.cb_vers != MDC_VERS ||
	    call.rm_call.cb_proc >= FX_NPROCS ||
	    fx_procargs[call.rm_call.cb_proc] == NULL)
		return;
	decode_one(fx_procargs[call.rm_call.cb_proc], x);
}

FUZZ_TARGET(fuzz_xdr)
{
	uint8_t *copy;
	unsigned sel;
	XDR x;

	if (size < 1)
		return 0;
	sel = data[0] % (FX_NTYPES + 1);
	/* xdrmem wants a writable, separately allocated buffer: a copy of
	 * exactly the input, so that the sanitizers see any overrun */
	copy = malloc(size - 1 > 0 ? size - 1 : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	xdrmem_create(&x, (char *)copy, (u_int)(size - 1), XDR_DECODE);
	if (sel < FX_NTYPES)
		decode_one(&fx_types[sel], &x);
	else
		decode_call(&x);
	xdr_destroy(&x);
	free(copy);
	return 0;
}
