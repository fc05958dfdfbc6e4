/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Step tracing of mdcommd messages: a benchmarking aid (doc/bench.md
 * "Tracing one message's steps").
 *
 * A process that turns tracing on (mdc_trace_open()) appends one fixed-size
 * record per trace point it passes to a file of its own, mapped into memory:
 * the time (CLOCK_MONOTONIC, nanoseconds), the event, two arguments and the
 * thread.  Every node of the test cluster runs on one machine, so the clocks
 * of all nodes are the same clock, and bench/mdc-trace.py merges the files
 * of every daemon and client into one timeline per message: where the time
 * of one round trip goes, step by step, on every node.
 *
 * Off (the default, and in production) a trace point is one load and one
 * branch that is always predicted.  On, it is a clock read, an atomic add
 * and a 32-byte store into a mapped file: about 60 ns a point, 12 to 20
 * points a message on each node (a TEST2 on 3 nodes), and the kernel
 * writes the file's pages back.  Figures measured with tracing on are for
 * the breakdown, not for the goals.
 *
 * The file, DIR/<pid> (little-endian; tracing is refused on a big-endian
 * host), is a header and then MDC_TRACE_NREC records:
 *
 *   offset  size  header (struct mdc_trace_hdr, 64 bytes)
 *        0     8  th_magic    "OBNTRACE"
 *        8     4  th_version  MDC_TRACE_VERSION (2)
 *       12     4  th_hdrsize  64: the first record's offset
 *       16     4  th_recsize  32
 *       20     4  th_nrec     records the file holds (MDC_TRACE_NREC)
 *       24     4  th_pid      the process
 *       28     4  th_pad0     0
 *       32     8  th_next     slots taken so far (an atomic counter); past
 *                             th_nrec the records were dropped, and
 *                             th_next - th_nrec says how many
 *       40     8  th_t0       CLOCK_MONOTONIC ns when tracing was turned on
 *       48    16  th_pad1     0
 *
 *   offset  size  record (struct mdc_trace_rec, 32 bytes), at
 *                 th_hdrsize + i * th_recsize
 *        0     8  tr_ns   CLOCK_MONOTONIC, nanoseconds
 *        8     4  tr_ev   enum mdc_trace_ev; 0: a slot never written (a
 *                         thread took it and had not stored it yet)
 *       12     4  tr_a    first argument (see the event)
 *       16     8  tr_b    second argument (see the event)
 *       24     4  tr_tid  the thread (gettid())
 *       28     4  tr_msg  the rest of the message's id, for the events
 *                         whose tr_b is a SEQ (below): mi_nid | mi_sub << 8
 *                         (node ids are 1..MDC_MAXNODES, 128: 8 bits;
 *                         mi_sub is 8 bits), bits 16..31 zero; 0 for the
 *                         other events and for no message (no node is 0)
 *
 * A message is known by its whole id, (mi_nid, mi_seq, mi_sub), never by
 * mi_seq alone: every daemon seeds its sequence from the clock at start
 * (mdc_msg.h), so daemons started in the same second hand out the same
 * seqs, and the submessages of one message share its seq.  Version 1 had
 * no tr_msg (a zero pad there); its files cannot be matched safely, and
 * the reader refuses them.
 *
 * The records of one file are in the order their slots were taken, which
 * is the order of time except between threads within a few nanoseconds;
 * the reader sorts by tr_ns.  bench/mdc-trace.py reads this layout and takes
 * the event numbers below from this file: change them here only, and raise
 * MDC_TRACE_VERSION when the layout changes.
 */
#ifndef OBAN_MDC_TRACE_H
#define OBAN_MDC_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_msg.h>

#define MDC_TRACE_MAGIC "OBNTRACE"
#define MDC_TRACE_VERSION 2
/*
 * 32 MiB a process, every block allocated when tracing starts (not sparse:
 * a store into a page the filesystem has no room for would raise SIGBUS).
 */
#define MDC_TRACE_NREC (1u << 20)

struct mdc_trace_hdr {
	char th_magic[8];
	uint32_t th_version;
	uint32_t th_hdrsize;
	uint32_t th_recsize;
	uint32_t th_nrec;
	uint32_t th_pid;
	uint32_t th_pad0;
	uint64_t th_next;
	uint64_t th_t0;
	uint8_t th_pad1[16];
};
_Static_assert(sizeof(struct mdc_trace_hdr) == 64, "trace header size");

struct mdc_trace_rec {
	uint64_t tr_ns;
	uint32_t tr_ev;
	uint32_t tr_a;
	uint64_t tr_b;
	uint32_t tr_tid;
	uint32_t tr_msg;
};
_Static_assert(sizeof(struct mdc_trace_rec) == 32, "trace record size");

/*
 * The trace points, in the order one message passes them.  KIND is a
 * packet's enum mdc_wire_kind (1 REQUEST, 2 WORK, 3 RESULT, 4 REPLY);
 * "b = SEQ" means the message's id: b = mi_seq and tr_msg = mi_nid |
 * mi_sub << 8 (mdc_trace_msg()); nodes are node ids.  Pairs of events bracket one
 * call: the second is written when it returns.  The values are fixed (the
 * files and the script depend on them); keep them explicit.
 */
enum mdc_trace_ev {
	MDC_TR_NONE = 0, /* never written (see tr_ev) */
	/* mdc_rpcsvc.c, the initiator's daemon: a SEND (or PING) call from
	 * a client taken, before the core; a = 0, b = 0 */
	MDC_TR_RPC_IN = 1,
	/* ... its answer in, before the RPC reply is encoded, on the same
	 * thread (one a connection); a = 0, b = SEQ (a PING: 0, no
	 * message); a send the core refused has none */
	MDC_TR_RPC_OUT = 2,
	/* mdc_core.c: a packet handed to the transport's multicast;
	 * a = KIND | self << 8 | to << 16 (to: the addressee, the master for
	 * REQUEST and RESULT, the initiator for REPLY, 0 for WORK; node ids
	 * are 1..MDC_MAXNODES, 8 bits), b = SEQ */
	MDC_TR_MCAST = 3,
	/* ... the multicast call returned; a = KIND, b = SEQ */
	MDC_TR_MCAST_RET = 4,
	/* mdc_core.c: a packet delivered by the transport, checked and about
	 * to be handled, on every node (the sender's own delivery too);
	 * a = KIND | from << 8 | self << 16, b = SEQ */
	MDC_TR_DELIVER = 6,
	/* master: the change-log slot write of a logged message; a = 0,
	 * b = SEQ */
	MDC_TR_LOG_WRITE = 7,
	MDC_TR_LOG_WRITTEN = 8,
	/* master: the slot's clear once every result is in, before REPLY */
	MDC_TR_LOG_CLEAR = 9,
	MDC_TR_LOG_CLEARED = 10,
	/* master: the store's settle, after REPLY (off the reply's path) */
	MDC_TR_LOG_SETTLE = 11,
	MDC_TR_LOG_SETTLED = 12,
	/* every node running the message (run_local()): started (a = the
	 * run's flags), the completion table checked, marked in progress,
	 * the handler returned, marked done; b = SEQ */
	MDC_TR_RUN = 13,
	MDC_TR_RUN_DONE = 14,
	MDC_TR_RUN_CHECKED = 15,
	MDC_TR_RUN_MARKED = 16,
	MDC_TR_RUN_HANDLED = 17,
	/* bench/mdcbench: mdc_client_send() called (a = 0, b = 0) and
	 * returned (a = 0, b = SEQ, the id of the reply; 0, no message, when
	 * it failed), on the same thread */
	MDC_TR_CLIENT_SEND = 30,
	MDC_TR_CLIENT_DONE = 31,
};

/* Set by mdc_trace_open(): not NULL while tracing is on.  Read it through
 * mdc_trace() only. */
extern struct mdc_trace_hdr *mdc_trace_map;

void mdc_trace_record(uint32_t ev, uint32_t a, uint64_t b, uint32_t msg);

/*
 * mdc_trace - record event @ev with arguments @a and @b when tracing is on;
 * nothing (one branch) when it is off.  Thread-safe; never fails: past the
 * file's MDC_TRACE_NREC records an event is dropped and counted (th_next).
 */
static inline void mdc_trace(enum mdc_trace_ev ev, uint32_t a, uint64_t b)
{
	if (__builtin_expect(mdc_trace_map != NULL, 0))
		mdc_trace_record((uint32_t)ev, a, b, 0);
}

/*
 * mdc_trace_msg - mdc_trace() of an event about the message @id (its
 * "b = SEQ"): tr_b = @id->mi_seq, tr_msg = @id->mi_nid | @id->mi_sub << 8.
 * @id is read only when tracing is on.
 */
static inline void mdc_trace_msg(enum mdc_trace_ev ev, uint32_t a,
				 const struct mdc_msgid *id)
{
	uint32_t msg;

	if (__builtin_expect(mdc_trace_map != NULL, 0)) {
		msg = (id->mi_nid & 0xff) | (uint32_t)id->mi_sub << 8;
		mdc_trace_record((uint32_t)ev, a, id->mi_seq, msg);
	}
}

/*
 * mdc_trace_open - turn tracing on for this process: create @dir/<pid>
 * (mode 0600; it must not exist), allocate every block of its
 * MDC_TRACE_NREC records (posix_fallocate(): a filesystem without room
 * for them fails here, with ENOSPC, rather than later) and map it.  @dir must be an existing directory given by an absolute path;
 * nothing is written outside it.  Call it before the process starts the
 * threads that trace (it is not thread-safe against mdc_trace()).
 *
 * Returns 0, or -1 with @ep: EINVAL (@dir NULL or not absolute), ENOENT or
 * ENOTDIR (no such directory), EEXIST (the file exists: a process of the
 * same pid traced into @dir before), EBUSY (tracing is on already),
 * EOPNOTSUPP (a big-endian host), or the errno of opening @dir or of
 * creating, allocating or mapping the file (EACCES, ENAMETOOLONG, ENOSPC,
 * ...).
 * On error tracing stays off and no file is left behind.
 *
 * A child of fork() traces nothing unless it calls mdc_trace_open() itself
 * (a file of its own).
 */
int mdc_trace_open(const char *dir, meta_error_t *ep);

/*
 * mdc_trace_close - turn tracing off and unmap the file (its records stay
 * in it).  Only when no other thread can be tracing: at exit, or in tests.
 * A no-op when tracing is off.
 */
void mdc_trace_close(void);

/* mdc_trace_dropped - events dropped so far because the file was full. */
uint64_t mdc_trace_dropped(void);

#endif /* OBAN_MDC_TRACE_H */
