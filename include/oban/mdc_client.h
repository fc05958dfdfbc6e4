/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmeta's client of the local mdcommd: send a message to the cluster
 * through this node's daemon, and the control calls.  The protocol is ONC
 * RPC over the unix socket oban_path(OBAN_DIR_RUN, "mdcommd.sock"),
 * described in lib/libmeta/mdcommd.x.
 *
 * Each thread keeps one connection to the daemon, opened on its first call
 * and closed when the thread exits; it is opened again when the daemon
 * closed it, after a fork, when the caller's effective uid, gid or groups
 * changed (the daemon decides access by the credentials of the connect),
 * and after a failed call.  So the functions are thread-safe and need no
 * initialisation.  Initiators must hold no locks across a call (seed 004:
 * a handler may need the same lock on this node).
 */
#ifndef OBAN_MDC_CLIENT_H
#define OBAN_MDC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_msg.h>

struct mdc_client_req {
	uint32_t cr_set;
	uint32_t cr_type; /* enum mdc_msgtype */
	uint32_t cr_flags; /* enum mdc_msgflag */
	uint32_t cr_recipient; /* DIRECTED only */
	const void *cr_data;
	uint32_t cr_len; /* <= MDC_MAXDATA */
	/*
	 * Optional: called before each retry, once the answer to retry is in
	 * and before the wait of @delay_ms, with @cr_retry_arg.  0 retries;
	 * -1 (its error in @ep) stops: mdc_client_send() returns -1 with
	 * that error (the message may have run on some nodes).  It may call
	 * mdc_client_send() itself (the thread's connection is idle then).
	 */
	int (*cr_retry)(void *arg, uint32_t delay_ms, meta_error_t *ep);
	void *cr_retry_arg;
};

/*
 * mdc_client_send - send one message and wait for its one answer.
 *
 * The answer codes are handled by the retry policy of the type
 * (mdc_retry_next()): CLASS_BUSY, TIMEOUT, RPC failures and so on are
 * retried, with the same message id, after the delays of the table, so
 * that a message runs at most once on every node.
 *
 * @res  out: the final result (its mr_exitval is the handler's result,
 *       which may be non-zero: a failed command is still a delivered one).
 *
 * Returns 0 when the message ran (ACK or NO_HANDLER), else -1 with @ep:
 * the error of the final answer (ME_COMM_SUSPENDED, ME_COMM_BUSY,
 * ME_COMM_TIMEOUT, ME_COMM_NOTJOINED, ME_COMM_NOQUORUM, ...), or
 * ME_COMM_DENIED (not root), ECONNREFUSED / ENOENT (no daemon), or
 * ME_COMM_TRANSPORT (the RPC failed).  @res holds the last answer when
 * there was one.
 */
int mdc_client_send(const struct mdc_client_req *rq, struct mdc_result *res,
		    meta_error_t *ep);

/* Control operations (facts 1.9); see mdc_core.h for each one's rules. */
enum mdc_client_op {
	MDC_CLIENT_SUSPEND = 2,
	MDC_CLIENT_RESUME = 3, /* @arg: 1 keeps class 1 suspended */
	MDC_CLIENT_LOCK = 4, /* @arg: 1 lock, 0 unlock */
	MDC_CLIENT_REINIT = 5,
	MDC_CLIENT_ABORT = 6,
	MDC_CLIENT_VERBOSITY = 7, /* @arg: the mask */
	MDC_CLIENT_SETMASTER = 10, /* @arg: the master, 0 to leave the set */
	MDC_CLIENT_REPLAY = 11,
};

/*
 * mdc_client_ctl - one control call.  *@answer gets the daemon's answer
 * code (MDC_CS_ACK, MDC_CS_SET_NOT_DRAINED, MDC_CS_EINVAL, ...; for
 * REPLAY the number of replayed messages, or -1).  Returns 0 when the call
 * was made, -1 with @ep when it could not be (as mdc_client_send()).
 */
int mdc_client_ctl(enum mdc_client_op op, uint32_t set, uint32_t cls,
		   uint32_t arg, int *answer, meta_error_t *ep);

/* mdc_client_ping - ping @set through its master (one attempt). */
int mdc_client_ping(uint32_t set, struct mdc_result *res, meta_error_t *ep);

struct mdc_client_status {
	uint32_t cs_nodeid;
	uint32_t cs_members;
	uint64_t cs_sent;
	uint64_t cs_answered;
	uint64_t cs_timeouts;
	uint64_t cs_runs;
	uint64_t cs_mct_hits;
	uint64_t cs_master_jobs;
	uint64_t cs_bad_packets;
	uint64_t cs_inconsistent;
};

/* mdc_client_status - the daemon's counters (monitor group allowed). */
int mdc_client_status(struct mdc_client_status *st, meta_error_t *ep);

/*
 * mdc_client_members - the CPG group's members as the daemon last saw
 * them, ascending, into @ids (MDC_MAXNODES entries); *@n how many.
 * Monitor group allowed.  Errors as mdc_client_send().
 */
int mdc_client_members(uint32_t *ids, size_t *n, meta_error_t *ep);

/*
 * mdc_client_master - the master the daemon has for @set (0: none, this
 * node does not serve the set).  Monitor group allowed.  Errors as
 * mdc_client_send(), ME_COMM_BADSET.
 */
int mdc_client_master(uint32_t set, uint32_t *master, meta_error_t *ep);

#endif /* OBAN_MDC_CLIENT_H */
