/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mdcommd core's internals, private to mdc_core.c (the message path,
 * the transport's callbacks, lifecycle, masters and replay) and
 * mdc_core_ctl.c (the control calls).  The theory of the core, and what
 * mc_lock protects, is the comment at the top of mdc_core.c.
 */
#ifndef OBAN_MDC_CORE_IMPL_H
#define OBAN_MDC_CORE_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <oban/debug.h>
#include <oban/mdc_core.h>
#include <oban/mdc_dbg.h>
#include <oban/mdc_wire.h>

#define CF_LOCKED 0x2
#define CF_SUSPEND1 0x4
#define CF_SUSPENDALL 0x8
#define CF_HOLD 0x10 /* a cluster-wide suspension (mdc_hctx_suspend) */
#define CF_SUSPENDED (CF_SUSPEND1 | CF_SUSPENDALL | CF_HOLD)

/* A reply to give after mc_lock is dropped. */
struct mdc_pending {
	struct mdc_pending *pd_next;
	mdc_reply_fn pd_fn;
	void *pd_cookie;
	struct mdc_result pd_res;
};

/* A request of a local initiator: in its class's slot, or queued. */
struct mdc_req {
	struct mdc_req *rq_next;
	struct mdc_msg rq_msg;
	mdc_reply_fn rq_fn;
	void *rq_cookie;
	uint64_t rq_deadline;
	uint32_t rq_sent_to; /* master it went to; 0 = not sent yet */
};

enum job_state { JOB_RUN = 0, JOB_WAIT_CLASS, JOB_GATHER };

enum { EXP_NONE = 0, EXP_WAIT = 1, EXP_DONE = 2 };

/* A message being processed by this node as master. */
struct mdc_job {
	struct mdc_job *jb_next;
	struct mdc_msg jb_msg; /* the message (submessage 0) */
	unsigned int jb_class;
	bool jb_logged; /* the change-log slot is to be cleared */
	int jb_nsub; /* 0: one step, the message itself */
	int jb_cur; /* current step */
	uint16_t jb_subtypes[MDC_MAXSUBMSGS];
	struct mdc_msg jb_step; /* the current step's message */
	uint32_t jb_held; /* other classes this job holds (bits) */
	unsigned int jb_wait_class;
	enum job_state jb_state;
	uint8_t jb_expect[MDC_MAXNODES + 1];
	unsigned int jb_nwait;
	uint64_t jb_deadline;
	struct mdc_result jb_mres; /* the master's result of this step */
	struct mdc_result jb_final; /* the answer so far */
	bool jb_have_final;
	bool jb_failed; /* the answer is a failure */
	bool jb_stop; /* STOP_ON_ERROR: no more steps */
};

struct mdc_fifo {
	void *f_head;
	void *f_tail;
};

struct mdc_setstate {
	uint32_t ss_master; /* 0: unknown */
	bool ss_joined;
	uint8_t ss_cflags[MDC_NCLASSES]; /* CF_* */
	uint8_t ss_drain_pending; /* CF_SUSPENDALL / CF_HOLD: that suspend
				     of every class is under way */
	struct mdc_req *ss_islot[MDC_NCLASSES]; /* in flight from here */
	struct mdc_req *ss_iq[MDC_NCLASSES]; /* waiting, FIFO */
	bool ss_mbusy[MDC_NCLASSES]; /* master: class held by a job */
	struct mdc_job *ss_jobs; /* master: jobs of this set */
	struct mdc_job *ss_mq[MDC_NCLASSES]; /* master: waiting, FIFO */
	bool ss_have_nodes; /* ss_nodes read by reinit */
	uint8_t ss_nodes[MDC_MAXNODES + 1];
};

struct mdc_core {
	pthread_mutex_t mc_lock; /* protects everything in the core */
	struct mdc_core_config mc_cfg;
	struct mdc_transport *mc_t;
	struct mdc_transport_cb mc_cb;
	uint32_t mc_self;
	uint64_t mc_seq;
	uint64_t mc_now;
	bool mc_quorate;
	uint64_t mc_qlost; /* quorum losses so far; atomic reads */
	bool mc_aborted;
	uint8_t mc_member[MDC_MAXNODES + 1];
	unsigned int mc_nmembers;
	struct mdc_setstate mc_sets[MDC_MAXSETS];
	struct mdc_pending *mc_done; /* replies to give, LIFO then reversed */
	struct mdc_core_stats mc_stats;
	struct mdc_wire_stats mc_wstats;
};

struct hctx_send {
	struct mdc_send hs_send;
	uint8_t hs_data[MDC_MAXDATA];
	mdc_reply_fn hs_fn;
	void *hs_cookie;
};

struct mdc_hctx {
	struct mdc_core *hc_core;
	unsigned int hc_class;
	uint32_t hc_inherit;
	unsigned int hc_n;
	struct hctx_send hc_sends[MDC_MAXSUBMSGS];
};

#define DBG(c, what, ...) mdc_dbg_printf((c)->mc_cfg.cc_dbg, what, __VA_ARGS__)

/* ---- mc_lock ---------------------------------------------------------- */

static inline void core_lock(struct mdc_core *c)
{
	VERIFY0(pthread_mutex_lock(&c->mc_lock));
}

/* Drop mc_lock, then give the replies collected while it was held. */
static inline void core_unlock(struct mdc_core *c)
{
	struct mdc_pending *list = c->mc_done, *rev = NULL, *p;

	c->mc_done = NULL;
	VERIFY0(pthread_mutex_unlock(&c->mc_lock));
	while (list != NULL) { /* oldest first */
		p = list->pd_next;
		list->pd_next = rev;
		rev = list;
		list = p;
	}
	while (rev != NULL) {
		p = rev->pd_next;
		rev->pd_fn(rev->pd_cookie, &rev->pd_res);
		free(rev);
		rev = p;
	}
}

/*
 * Go on with every set's suspension of all classes (CF_SUSPENDALL or
 * CF_HOLD in ss_drain_pending) that stopped at a busy class, now that
 * classes may have drained.  Called with mc_lock held, at the end of every
 * entry point that may free a class.  In mdc_core_ctl.c.
 */
void core_drain_continue(struct mdc_core *c);

#endif /* OBAN_MDC_CORE_IMPL_H */
