// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mdcommd core: one logged message from initiator to master to every
 * node and back.
 *
 * Actors.  Every node runs one core.  For each set one node is the master
 * (chosen by reconfiguration, mdc_choose_master(), and told to every core
 * with mdc_core_set_master()).  An initiator is anything on a node that
 * submits a message: a command through the local RPC socket, the kernel
 * bridge, or a handler (mdc_hctx_send()).  All packets between nodes are
 * multicast in one agreed total order (mdc_transport.h); a packet names the
 * node it is for, and the others ignore it.
 *
 * The life of one logged message M of class C in set S, sent from node I,
 * master M0, nodes N1..Nk (I is one of them, or M0 itself):
 *
 *  1. On I, mdc_core_send() checks M against the table (unknown types and
 *     daemon-only flags are refused), then against the state of (S, C):
 *     abort state, quorum, joined, LOCKED, SUSPENDED (unless
 *     OVERRIDE_SUSPEND).  A refusal is the answer.  Otherwise M gets an id
 *     (I, sequence, 0) and goes into I's initiator slot for (S, C), or, if
 *     the slot holds a message still in flight, into the queue behind it:
 *     at most one message per (set, class) is in flight from each node.
 *  2. I multicasts REQUEST(M) addressed to M0 and starts the deadline
 *     (number of members x the type's timeout, plus the master's slack).
 *  3. M0 receives REQUEST(M).  It refuses it (abort, quorum, LOCKED,
 *     SUSPENDED) with a REPLY, ignores it if the same id is already being
 *     processed or queued (a duplicate), queues it if class C is busy on
 *     the master, and otherwise marks C busy and starts a job.
 *  4. Unless M is NO_LOG, M0 writes M into change-log slot C of S
 *     (so_log_write) before anything runs.  (Every master change and
 *     every membership or quorum change calls so_log_forget first, so a
 *     store may trust a slot it cleared itself until then.)  A slot holding the same id is a
 *     retry and fine; a slot holding another message means a replay is
 *     owed: the new initiator gets CLASS_BUSY (it retries) and the logged
 *     message is processed instead.  A failed write answers LOG_FAIL.
 *  5. If M's type has a submessage generator, M breaks into up to 8
 *     submessages (ids (I, seq, 1..n), original class C), run one after
 *     the other as steps 6-8; they are not logged (M is, once).  A step
 *     whose class differs from C waits until that class is free on the
 *     master and holds it too.
 *  6. M0 runs the step itself through its completion table: if the table
 *     holds the id, the stored result is the answer (nothing runs twice);
 *     else the handler runs with ON_MASTER and the result is stored.  If it
 *     failed and M is STOP_ON_ERROR the job stops here.  If M is NO_BCAST
 *     the step is done.
 *  7. M0 multicasts WORK(step) ONCE, to every member (but itself) of the
 *     set's node list; for DIRECTED only the recipient is expected.  Every
 *     node runs it through its own completion table with ON_SLAVE and
 *     multicasts RESULT addressed to M0.  M0 gathers the results in one
 *     round: a node that leaves the membership is no longer waited for; a
 *     node that does not answer within the type's timeout (plus 4 s) counts
 *     as RPC_FAIL.
 *  8. Each result is compared with M0's own.  A different exit value, or a
 *     failure where the master succeeded, is logged with both results; if
 *     M is PANIC_WHEN_INCONSISTENT the configured inconsistency action is
 *     taken (cc_inconsistent: fence or leave).  The answer is the master's
 *     result unless a node failed: then that node's (the first one with
 *     STOP_ON_ERROR, the last one otherwise), with mr_failing_node set.
 *  9. M0 clears change-log slot C (so_log_clear) -- before answering, so
 *     that neither a dead initiator nor the next message of the class
 *     finds it set -- and multicasts REPLY to I.  The store may make the
 *     clear durable only then (so_log_settle, called once the REPLY is
 *     sent): a clear lost to a power failure of the drives brings back a
 *     message that every node answers from its completion table.  Class C
 *     is free: waiting steps of other jobs, then the queue, go next.
 * 10. I receives the REPLY, matches its id with the slot, answers the
 *     initiator (the reply callback, outside the lock), frees the slot and
 *     sends the next queued message of (S, C).  A REPLY that matches
 *     nothing (the initiator timed out) is counted and dropped.
 *
 * A guaranteed answer: every accepted request gets exactly one callback:
 * the REPLY, a refusal, TIMEOUT at the deadline, NOT_JOINED when the node
 * leaves the set, or RPC_FAIL when the core is destroyed.  The sender's
 * retries (mdc_retry_next()) reuse the id, so a retried message that did
 * run somewhere is answered from the completion tables, not run again.
 *
 * Master change.  If M0 dies after step 4, the message is in the change
 * log on the set's drives.  Reconfiguration chooses a new master and calls
 * mdc_core_set_master() on every node and mdc_core_replay() on the new
 * master, which resends every logged slot, class 7 down to 1, with the
 * original id and sender and REPLAY | OVERRIDE_SUSPEND.  Each node answers
 * from its completion table if it had run the message, or runs it now: so
 * each node runs it exactly once, and I gets its answer.  Initiators whose
 * message was in flight resend it to the new master with the same id.
 *
 * Control (mdc_core_ctl.c): suspend marks classes 1..7 suspended in
 * ascending order and stops at the first busy one, going on as classes
 * drain; since a handler only sends higher classes, the classes above a
 * busy one stay open for what it sends, and the drain cannot deadlock.
 * Resume clears them in descending order.
 *
 * Locks.  One mutex per core, mc_lock (struct mdc_core, declared with the
 * core's other internals in mdc_core_impl.h), protects every field of the
 * core and of its sets, jobs, requests and queues.  Every public entry
 * point, in this file and the control calls in mdc_core_ctl.c, takes it
 * (core_lock(), mdc_core_impl.h) and drops it at the end; nothing is done
 * with it dropped in between, so there is nothing to re-check.  Reply
 * callbacks are collected while it is held (mc_done) and called after it
 * is dropped (core_unlock(), mdc_core_impl.h), so that a callback may call
 * into the core.
 * Store operations and to_mcast run with mc_lock held and must not call
 * the core; a handler's sends are queued in its struct mdc_hctx and
 * submitted after it returns.  The transport's delivery callbacks come
 * from its dispatch (one thread) and take mc_lock like any entry point.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_core.h>
#include <oban/mdc_dbg.h>
#include <oban/mdc_trace.h>
#include <oban/mdc_wire.h>

#include "mdc_core_impl.h"

#define MASTER_SLACK_S 4 /* the master waits this much past the timeout */

#define ID_FMT "(%u, %llu-%u)"
#define ID_ARGS(id)                                     \
	(id)->mi_nid, (unsigned long long)(id)->mi_seq, \
		(unsigned int)(id)->mi_sub

static void master_kick(struct mdc_core *c, uint32_t set);

/* so_log_forget (mdc_core.h): @set's log may have changed under us. */
static void log_forget(struct mdc_core *c, uint32_t set)
{
	if (c->mc_cfg.cc_store->so_log_forget != NULL)
		c->mc_cfg.cc_store->so_log_forget(c->mc_cfg.cc_store_arg, set);
}
static int core_send_locked(struct mdc_core *c, const struct mdc_send *s,
			    mdc_reply_fn fn, void *cookie,
			    struct mdc_msgid *idp, meta_error_t *ep);

/* ---- small helpers ---------------------------------------------------- */

static void reply_later(struct mdc_core *c, mdc_reply_fn fn, void *cookie,
			const struct mdc_result *res)
{
	struct mdc_pending *p = malloc(sizeof(*p));

	VERIFY(p != NULL);
	p->pd_fn = fn;
	p->pd_cookie = cookie;
	p->pd_res = *res;
	p->pd_next = c->mc_done;
	c->mc_done = p;
	c->mc_stats.cs_answered++;
}

static void result_init(struct mdc_result *res, const struct mdc_msg *m,
			uint32_t cs, uint32_t node)
{
	memset(res, 0, sizeof(*res));
	res->mr_id = m->mm_id;
	res->mr_type = m->mm_type;
	res->mr_set = m->mm_set;
	res->mr_comm_state = cs;
	res->mr_node = node;
}

static bool cs_ok(uint32_t cs)
{
	return cs == MDC_CS_ACK || cs == MDC_CS_NO_HANDLER;
}

static bool res_failed(const struct mdc_result *r)
{
	return !cs_ok(r->mr_comm_state) || r->mr_exitval != 0;
}

/* A node that answers like this is left out of the merge (not joined). */
static bool res_ignored(const struct mdc_result *r)
{
	return r->mr_comm_state == MDC_CS_NOT_JOINED ||
	       r->mr_comm_state == MDC_CS_ABORT ||
	       r->mr_comm_state == MDC_CS_IGNORE_NODE;
}

static unsigned int msg_class(const struct mdc_msg *m)
{
	return mdc_class_of(m->mm_type);
}

static uint64_t type_timeout_ms(uint32_t type)
{
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(type);

	return (uint64_t)(mt != NULL ? mt->mt_timeout : 1) * 1000;
}

static void fifo_push(struct mdc_req **head, struct mdc_req *rq)
{
	rq->rq_next = NULL;
	while (*head != NULL)
		head = &(*head)->rq_next;
	*head = rq;
}

static void jobq_push(struct mdc_job **head, struct mdc_job *jb, bool front)
{
	if (front) {
		jb->jb_next = *head;
		*head = jb;
		return;
	}
	jb->jb_next = NULL;
	while (*head != NULL)
		head = &(*head)->jb_next;
	*head = jb;
}

/* ---- the transport ---------------------------------------------------- */

static int mcast(struct mdc_core *c, uint8_t kind, uint32_t to,
		 const struct mdc_msg *m, const struct mdc_result *res)
{
	uint8_t buf[MDC_WIRE_MAXLEN];
	struct mdc_packet *pk;
	meta_error_t err;
	size_t len;
	int rc;

	pk = calloc(1, sizeof(*pk));
	VERIFY(pk != NULL);
	pk->pk_kind = kind;
	pk->pk_from = c->mc_self;
	pk->pk_to = to;
	pk->pk_msg = *m;
	if (res != NULL)
		pk->pk_res = *res;
	meta_error_init(&err);
	rc = mdc_wire_encode(pk, buf, sizeof(buf), &len, &err);
	free(pk);
	if (rc == 0) {
		mdc_trace_msg(MDC_TR_MCAST, kind | c->mc_self << 8 | to << 16,
			      &m->mm_id);
		rc = c->mc_t->t_ops->to_mcast(c->mc_t->t_priv, buf, len, &err);
		mdc_trace_msg(MDC_TR_MCAST_RET, kind, &m->mm_id);
	}
	if (rc != 0) {
		DBG(c, MDC_MMV_MISC, "cannot send %s " ID_FMT ": %s",
		    mdc_msgtype_name(m->mm_type), ID_ARGS(&m->mm_id),
		    meta_strerror(&err));
		return -1;
	}
	c->mc_stats.cs_mcasts++;
	return 0;
}

/* ---- running a message on this node ----------------------------------- */

/* Submit what a handler asked to send, now that it has returned. */
static void hctx_flush(struct mdc_core *c, struct mdc_hctx *hc)
{
	struct mdc_result res;
	meta_error_t err;
	unsigned int i;

	for (i = 0; i < hc->hc_n; i++) {
		struct hctx_send *hs = &hc->hc_sends[i];

		meta_error_init(&err);
		hs->hs_send.sd_data = hs->hs_data;
		if (core_send_locked(c, &hs->hs_send, hs->hs_fn, hs->hs_cookie,
				     NULL, &err) != 0) {
			/* Checked in mdc_hctx_send(): cannot happen. */
			memset(&res, 0, sizeof(res));
			res.mr_comm_state = MDC_CS_EINVAL;
			reply_later(c, hs->hs_fn, hs->hs_cookie, &res);
		}
	}
}

/*
 * Run @m here, through the completion table: a message already run
 * answers its stored result.  @flags: ON_MASTER, ON_SLAVE, ON_INITIATOR.
 */
static void run_local(struct mdc_core *c, const struct mdc_msg *m,
		      uint32_t flags, struct mdc_result *res)
{
	const struct mdc_store_ops *so = c->mc_cfg.cc_store;
	void *sa = c->mc_cfg.cc_store_arg;
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(m->mm_type);
	struct mdc_hctx *hc;
	meta_error_t err;
	int st;

	meta_error_init(&err);
	mdc_trace_msg(MDC_TR_RUN, flags, &m->mm_id);
	st = so->so_mct_check(sa, m, res, &err);
	mdc_trace_msg(MDC_TR_RUN_CHECKED, 0, &m->mm_id);
	if (st == MDC_MCT_DONE) {
		res->mr_node = c->mc_self;
		res->mr_id = m->mm_id;
		c->mc_stats.cs_mct_hits++;
		DBG(c, MDC_MMV_PROC_S, "%s " ID_FMT " done before: %s %d",
		    mt->mt_name, ID_ARGS(&m->mm_id),
		    mdc_comm_state_name(res->mr_comm_state), res->mr_exitval);
		return;
	}
	if (st < 0)
		DBG(c, MDC_MMV_MISC, "%s", meta_strerror(&err));
	if (st == MDC_MCT_IN_PROGRESS)
		DBG(c, MDC_MMV_PROC_S,
		    "%s " ID_FMT " was started and not finished: run again",
		    mt->mt_name, ID_ARGS(&m->mm_id));
	result_init(res, m, MDC_CS_ACK, c->mc_self);
	if (mt->mt_handler == MDC_H_NONE) {
		res->mr_comm_state = MDC_CS_NO_HANDLER;
		return;
	}
	if (so->so_mct_mark(sa, m, MDC_MCT_IN_PROGRESS, NULL, &err) != 0)
		DBG(c, MDC_MMV_MISC, "%s", meta_strerror(&err));
	mdc_trace_msg(MDC_TR_RUN_MARKED, 0, &m->mm_id);

	hc = calloc(1, sizeof(*hc));
	VERIFY(hc != NULL);
	hc->hc_core = c;
	hc->hc_class = msg_class(m);
	hc->hc_inherit = m->mm_flags & MDC_F_INHERIT;
	if (so->so_run(sa, m, flags, hc, res) != 0)
		res->mr_comm_state = MDC_CS_HANDLER_FAILED;
	mdc_trace_msg(MDC_TR_RUN_HANDLED, 0, &m->mm_id);
	if (res->mr_outlen > MDC_MAXOUT)
		res->mr_outlen = MDC_MAXOUT;
	res->mr_id = m->mm_id;
	res->mr_type = m->mm_type;
	res->mr_set = m->mm_set;
	res->mr_node = c->mc_self;
	c->mc_stats.cs_runs++;
	DBG(c, (flags & MDC_F_ON_MASTER) ? MDC_MMV_PROC_M : MDC_MMV_PROC_S,
	    "ran %s " ID_FMT ": %s %d", mt->mt_name, ID_ARGS(&m->mm_id),
	    mdc_comm_state_name(res->mr_comm_state), res->mr_exitval);
	if (so->so_mct_mark(sa, m, MDC_MCT_DONE, res, &err) != 0)
		DBG(c, MDC_MMV_MISC, "%s", meta_strerror(&err));
	mdc_trace_msg(MDC_TR_RUN_DONE, 0, &m->mm_id);
	hctx_flush(c, hc);
	free(hc);
}

int mdc_hctx_send(struct mdc_hctx *hc, const struct mdc_send *s,
		  mdc_reply_fn fn, void *cookie, meta_error_t *ep)
{
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(s->sd_type);
	struct hctx_send *hs;

	if (mt == NULL)
		return meta_error_set(ep, SET_ERROR(ME_COMM_UNKNOWN_TYPE), 0,
				      NULL, "cannot send message type %u",
				      s->sd_type);
	if (mt->mt_class <= hc->hc_class)
		return meta_error_set(ep, SET_ERROR(ME_COMM_CLASS_ORDER), 0,
				      mt->mt_name,
				      "cannot send class %u message from a "
				      "class %u handler",
				      mt->mt_class, hc->hc_class);
	if (s->sd_len > MDC_MAXDATA)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TOOBIG), 0,
				      mt->mt_name, "cannot send");
	if (s->sd_flags & MDC_F_DAEMON_ONLY)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADFLAGS), 0,
				      mt->mt_name, "cannot send");
	if (hc->hc_n >= MDC_MAXSUBMSGS)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BUSY), 0,
				      mt->mt_name,
				      "cannot send more from one handler");
	hs = &hc->hc_sends[hc->hc_n++];
	hs->hs_send = *s;
	hs->hs_send.sd_flags |= hc->hc_inherit;
	hs->hs_send.sd_id = NULL;
	hs->hs_send.sd_sender = 0;
	if (s->sd_len > 0)
		memcpy(hs->hs_data, s->sd_data, s->sd_len);
	hs->hs_fn = fn;
	hs->hs_cookie = cookie;
	return 0;
}

uint32_t mdc_hctx_node(const struct mdc_hctx *hc)
{
	return hc->hc_core->mc_self;
}

/* ---- the initiator side ----------------------------------------------- */

static uint64_t init_deadline(struct mdc_core *c, const struct mdc_msg *m)
{
	unsigned int n = c->mc_nmembers ? c->mc_nmembers : 1;

	return c->mc_now + n * type_timeout_ms(m->mm_type) +
	       2 * MASTER_SLACK_S * 1000;
}

/* Send slot @cls's request to the master (lock held). */
static void init_transmit(struct mdc_core *c, struct mdc_setstate *ss,
			  unsigned int cls)
{
	struct mdc_req *rq = ss->ss_islot[cls];

	rq->rq_deadline = init_deadline(c, &rq->rq_msg);
	rq->rq_sent_to = ss->ss_master;
	if (mcast(c, MDC_WK_REQUEST, ss->ss_master, &rq->rq_msg, NULL) != 0) {
		/* The deadline answers it (TIMEOUT): the sender retries. */
		return;
	}
	c->mc_stats.cs_sent++;
	DBG(c, MDC_MMV_SEND, "sent %s " ID_FMT " to master %u",
	    mdc_msgtype_name(rq->rq_msg.mm_type), ID_ARGS(&rq->rq_msg.mm_id),
	    ss->ss_master);
}

/* Fill empty initiator slots from their queues, if a master is known. */
static void init_next(struct mdc_core *c, uint32_t set)
{
	struct mdc_setstate *ss = &c->mc_sets[set];
	unsigned int cls;

	if (ss->ss_master == 0 || !c->mc_member[ss->ss_master])
		return;
	for (cls = 1; cls < MDC_NCLASSES; cls++) {
		struct mdc_req *rq = ss->ss_iq[cls];

		if (ss->ss_islot[cls] != NULL || rq == NULL)
			continue;
		ss->ss_iq[cls] = rq->rq_next;
		rq->rq_next = NULL;
		ss->ss_islot[cls] = rq;
		init_transmit(c, ss, cls);
	}
}

/* Answer slot @cls with @res and free it. */
static void init_complete(struct mdc_core *c, struct mdc_setstate *ss,
			  unsigned int cls, const struct mdc_result *res)
{
	struct mdc_req *rq = ss->ss_islot[cls];

	ss->ss_islot[cls] = NULL;
	DBG(c, MDC_MMV_WAKE_I, "answer %s " ID_FMT ": %s %d",
	    mdc_msgtype_name(rq->rq_msg.mm_type), ID_ARGS(&rq->rq_msg.mm_id),
	    mdc_comm_state_name(res->mr_comm_state), res->mr_exitval);
	reply_later(c, rq->rq_fn, rq->rq_cookie, res);
	free(rq);
}

/*
 * No master is known (it left and reconfiguration has not named the next
 * one yet): queued requests time out at their deadline like sent ones, so
 * that every request is answered.
 */
static void init_expire_queued(struct mdc_core *c, struct mdc_setstate *ss)
{
	struct mdc_result res;
	struct mdc_req **pp, *rq;
	unsigned int cls;

	for (cls = 1; cls < MDC_NCLASSES; cls++) {
		pp = &ss->ss_iq[cls];
		while ((rq = *pp) != NULL) {
			if (c->mc_now < rq->rq_deadline) {
				pp = &rq->rq_next;
				continue;
			}
			*pp = rq->rq_next;
			c->mc_stats.cs_timeouts++;
			result_init(&res, &rq->rq_msg, MDC_CS_TIMEOUT,
				    c->mc_self);
			reply_later(c, rq->rq_fn, rq->rq_cookie, &res);
			free(rq);
		}
	}
}

/* A REPLY for this node. */
static void init_reply(struct mdc_core *c, const struct mdc_packet *pk)
{
	struct mdc_setstate *ss = &c->mc_sets[pk->pk_msg.mm_set];
	unsigned int cls = msg_class(&pk->pk_msg);
	struct mdc_req *rq = ss->ss_islot[cls];

	if (rq == NULL || rq->rq_sent_to == 0 ||
	    !mdc_msgid_eq(&rq->rq_msg.mm_id, &pk->pk_msg.mm_id)) {
		c->mc_stats.cs_unsolicited++;
		return;
	}
	init_complete(c, ss, cls, &pk->pk_res);
	init_next(c, pk->pk_msg.mm_set);
}

/* Answer locally with @cs, without involving the cluster. */
static void refuse(struct mdc_core *c, const struct mdc_msg *m, uint32_t cs,
		   mdc_reply_fn fn, void *cookie)
{
	struct mdc_result res;

	result_init(&res, m, cs, c->mc_self);
	DBG(c, MDC_MMV_SEND, "refuse %s " ID_FMT ": %s",
	    mdc_msgtype_name(m->mm_type), ID_ARGS(&m->mm_id),
	    mdc_comm_state_name(cs));
	reply_later(c, fn, cookie, &res);
}

static int core_send_locked(struct mdc_core *c, const struct mdc_send *s,
			    mdc_reply_fn fn, void *cookie,
			    struct mdc_msgid *idp, meta_error_t *ep)
{
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(s->sd_type);
	struct mdc_setstate *ss;
	struct mdc_result res;
	struct mdc_req *rq;
	struct mdc_msg *m;

	if (mt == NULL)
		return meta_error_set(ep, SET_ERROR(ME_COMM_UNKNOWN_TYPE), 0,
				      NULL, "cannot send message type %u",
				      s->sd_type);
	if ((s->sd_flags & ~(uint32_t)MDC_F_ALL) ||
	    (s->sd_flags & MDC_F_DAEMON_ONLY))
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADFLAGS), 0,
				      mt->mt_name, "cannot send with flags %#x",
				      s->sd_flags);
	if (s->sd_len > MDC_MAXDATA)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TOOBIG), 0,
				      mt->mt_name,
				      "cannot send %u bytes of data",
				      s->sd_len);
	if (mt->mt_class != MDC_CLASS0 &&
	    (s->sd_set == 0 || s->sd_set >= MDC_MAXSETS))
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADSET), 0,
				      mt->mt_name, "cannot send to set %u",
				      s->sd_set);
	if (s->sd_recipient > MDC_MAXNODES || s->sd_sender > MDC_MAXNODES ||
	    (s->sd_id != NULL && s->sd_id->mi_nid == 0))
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, mt->mt_name,
				      "cannot send: bad node id");

	rq = calloc(1, sizeof(*rq));
	if (rq == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, mt->mt_name,
				      "cannot send");
	m = &rq->rq_msg;
	if (s->sd_id != NULL) {
		m->mm_id = *s->sd_id;
	} else {
		m->mm_id.mi_nid = c->mc_self;
		m->mm_id.mi_seq = ++c->mc_seq;
	}
	m->mm_id.mi_sub = 0;
	m->mm_id.mi_oclass = mt->mt_class;
	m->mm_type = s->sd_type;
	m->mm_flags = s->sd_flags;
	m->mm_set = s->sd_set;
	m->mm_sender = s->sd_sender ? s->sd_sender : c->mc_self;
	m->mm_recipient = s->sd_recipient;
	m->mm_len = s->sd_len;
	if (s->sd_len > 0)
		memcpy(m->mm_data, s->sd_data, s->sd_len);
	rq->rq_fn = fn;
	rq->rq_cookie = cookie;
	if (idp != NULL)
		*idp = m->mm_id;
	if (m->mm_flags & MDC_F_VERBOSE)
		DBG(c, MDC_MMV_ALL, "send %s " ID_FMT " set %u flags %#x",
		    mt->mt_name, ID_ARGS(&m->mm_id), m->mm_set, m->mm_flags);

	/* Class 0 is the local daemon's own: answered here, never queued. */
	if (mt->mt_class == MDC_CLASS0) {
		uint32_t cs = MDC_CS_ACK;

		if (m->mm_type == MDC_MSG_VERBOSITY) {
			if (m->mm_len >= 4)
				mdc_dbg_set_mask(
					c->mc_cfg.cc_dbg,
					(uint32_t)m->mm_data[0] |
						(uint32_t)m->mm_data[1] << 8 |
						(uint32_t)m->mm_data[2] << 16 |
						(uint32_t)m->mm_data[3] << 24);
			else
				cs = MDC_CS_EINVAL;
		} else if (m->mm_type == MDC_MSG_ABORT) {
			c->mc_aborted = true;
		}
		refuse(c, m, cs, fn, cookie);
		free(rq);
		return 0;
	}
	ss = &c->mc_sets[m->mm_set];
	if (c->mc_aborted) {
		refuse(c, m, MDC_CS_ABORT, fn, cookie);
		free(rq);
		return 0;
	}
	/* LOCAL_ONLY: this node runs it alone, outside the class slots. */
	if (m->mm_flags & MDC_F_LOCAL_ONLY) {
		struct mdc_msg lm = *m;

		lm.mm_flags |= MDC_F_NO_MCT; /* the slot is the cluster's */
		run_local(c, &lm, MDC_F_ON_INITIATOR, &res);
		reply_later(c, fn, cookie, &res);
		free(rq);
		return 0;
	}
	if (!c->mc_quorate) {
		refuse(c, m, MDC_CS_NOQUORUM, fn, cookie);
		free(rq);
		return 0;
	}
	if (!ss->ss_joined) {
		refuse(c, m, MDC_CS_NOT_JOINED, fn, cookie);
		free(rq);
		return 0;
	}
	if (ss->ss_cflags[mt->mt_class] & CF_LOCKED) {
		refuse(c, m, MDC_CS_CLASS_LOCKED, fn, cookie);
		free(rq);
		return 0;
	}
	if ((ss->ss_cflags[mt->mt_class] & CF_SUSPENDED) &&
	    !(m->mm_flags & MDC_F_OVERRIDE_SUSPEND)) {
		refuse(c, m, MDC_CS_SUSPENDED, fn, cookie);
		free(rq);
		return 0;
	}
	if (ss->ss_islot[mt->mt_class] != NULL ||
	    ss->ss_iq[mt->mt_class] != NULL)
		c->mc_stats.cs_queued++;
	/* Reset when sent; fires in the queue only while there is no master. */
	rq->rq_deadline = init_deadline(c, m);
	fifo_push(&ss->ss_iq[mt->mt_class], rq);
	init_next(c, m->mm_set);
	return 0;
}

int mdc_core_send(struct mdc_core *c, const struct mdc_send *s, mdc_reply_fn fn,
		  void *cookie, struct mdc_msgid *idp, meta_error_t *ep)
{
	int rc;

	core_lock(c);
	rc = core_send_locked(c, s, fn, cookie, idp, ep);
	if (rc == 0 && s->sd_set < MDC_MAXSETS)
		master_kick(c, s->sd_set);
	core_drain_continue(c);
	core_unlock(c);
	return rc;
}

int mdc_core_ping(struct mdc_core *c, uint32_t set, mdc_reply_fn fn,
		  void *cookie, meta_error_t *ep)
{
	struct mdc_send s = {
		.sd_set = set,
		.sd_type = MDC_MSG_TEST2,
		.sd_flags = MDC_F_NO_LOG | MDC_F_FAIL_ON_SUSPEND,
	};

	return mdc_core_send(c, &s, fn, cookie, NULL, ep);
}

/* ---- the master side -------------------------------------------------- */

static bool job_same(const struct mdc_job *jb, const struct mdc_msg *m)
{
	return mdc_msgid_eq(&jb->jb_msg.mm_id, &m->mm_id);
}

/* Is @m already active or queued on this master? */
static bool master_has(struct mdc_setstate *ss, const struct mdc_msg *m)
{
	struct mdc_job *jb;
	unsigned int cls;

	for (jb = ss->ss_jobs; jb != NULL; jb = jb->jb_next)
		if (job_same(jb, m))
			return true;
	for (cls = 0; cls < MDC_NCLASSES; cls++)
		for (jb = ss->ss_mq[cls]; jb != NULL; jb = jb->jb_next)
			if (job_same(jb, m))
				return true;
	return false;
}

static void master_reply(struct mdc_core *c, const struct mdc_msg *m,
			 const struct mdc_result *res)
{
	struct mdc_result r = *res;

	r.mr_id = m->mm_id;
	r.mr_type = m->mm_type;
	r.mr_set = m->mm_set;
	DBG(c, MDC_MMV_WAKE_I, "reply %s " ID_FMT " to %u: %s %d",
	    mdc_msgtype_name(m->mm_type), ID_ARGS(&m->mm_id), m->mm_sender,
	    mdc_comm_state_name(r.mr_comm_state), r.mr_exitval);
	(void)mcast(c, MDC_WK_REPLY, m->mm_sender, m, &r);
}

static void master_refuse(struct mdc_core *c, const struct mdc_msg *m,
			  uint32_t cs)
{
	struct mdc_result res;

	result_init(&res, m, cs, c->mc_self);
	master_reply(c, m, &res);
}

static struct mdc_job *job_new(const struct mdc_msg *m)
{
	struct mdc_job *jb = calloc(1, sizeof(*jb));

	VERIFY(jb != NULL);
	jb->jb_msg = *m;
	jb->jb_class = msg_class(m);
	return jb;
}

/* Merge one node's result of the current step into the answer (1.7). */
static void job_merge(struct mdc_job *jb, const struct mdc_result *r)
{
	bool stop = jb->jb_msg.mm_flags & MDC_F_STOP_ON_ERROR;

	if (!jb->jb_have_final) {
		jb->jb_final = *r;
		jb->jb_have_final = true;
		jb->jb_failed = res_failed(r);
		if (jb->jb_failed)
			jb->jb_final.mr_failing_node = r->mr_node;
		return;
	}
	if (!res_failed(r) || (stop && jb->jb_failed))
		return;
	jb->jb_final = *r;
	jb->jb_final.mr_failing_node = r->mr_node;
	jb->jb_failed = true;
}

/* Compare a node's result with the master's; take the action if due. */
static void job_check(struct mdc_core *c, struct mdc_job *jb,
		      const struct mdc_result *r)
{
	const struct mdc_result *mr = &jb->jb_mres;
	const struct mdc_msg *m = &jb->jb_step;

	if (res_failed(r) == res_failed(mr) && r->mr_exitval == mr->mr_exitval)
		return;
	DBG(c, MDC_MMV_PROC_M | MDC_MMV_SYSLOG,
	    "%s " ID_FMT " differs: master %u %s %d, node %u %s %d",
	    mdc_msgtype_name(m->mm_type), ID_ARGS(&m->mm_id), c->mc_self,
	    mdc_comm_state_name(mr->mr_comm_state), mr->mr_exitval, r->mr_node,
	    mdc_comm_state_name(r->mr_comm_state), r->mr_exitval);
	if (!(m->mm_flags & MDC_F_PANIC_WHEN_INCONSISTENT))
		return;
	c->mc_stats.cs_inconsistent++;
	DBG(c, MDC_MMV_ALL | MDC_MMV_SYSLOG,
	    "nodes inconsistent after %s " ID_FMT ": taking action %s",
	    mdc_msgtype_name(m->mm_type), ID_ARGS(&m->mm_id),
	    c->mc_cfg.cc_action == MDC_INCONS_FENCE ? "fence" : "leave");
	if (c->mc_cfg.cc_inconsistent != NULL)
		c->mc_cfg.cc_inconsistent(c->mc_cfg.cc_arg, c->mc_cfg.cc_action,
					  m, mr, r);
	if (c->mc_cfg.cc_event != NULL)
		c->mc_cfg.cc_event(c->mc_cfg.cc_arg, MDC_EV_INCONSISTENT,
				   m->mm_set, jb->jb_class);
}

/* One node's answer (or its absence, as @r) to the current step. */
static void job_node_result(struct mdc_core *c, struct mdc_job *jb,
			    uint32_t node, const struct mdc_result *r)
{
	if (jb->jb_expect[node] != EXP_WAIT)
		return;
	jb->jb_expect[node] = EXP_DONE;
	jb->jb_nwait--;
	if (r == NULL) /* left the membership: not waited for any more */
		return;
	if (res_ignored(r))
		return;
	job_check(c, jb, r);
	job_merge(jb, r);
}

static bool node_in_set(struct mdc_core *c, struct mdc_setstate *ss, uint32_t n)
{
	return c->mc_member[n] && (!ss->ss_have_nodes || ss->ss_nodes[n]);
}

/* Build step @jb_cur's message. */
static void job_build_step(struct mdc_job *jb)
{
	jb->jb_step = jb->jb_msg;
	if (jb->jb_nsub == 0)
		return;
	jb->jb_step.mm_type = jb->jb_subtypes[jb->jb_cur];
	jb->jb_step.mm_id.mi_sub = (uint8_t)(jb->jb_cur + 1);
	jb->jb_step.mm_id.mi_oclass = (uint8_t)jb->jb_class;
	jb->jb_step.mm_flags |= MDC_F_NO_LOG; /* the parent is logged */
}

static void job_release(struct mdc_core *c, struct mdc_setstate *ss,
			struct mdc_job *jb)
{
	struct mdc_job **pp;
	unsigned int k;

	ss->ss_mbusy[jb->jb_class] = false;
	for (k = 0; k < MDC_NCLASSES; k++)
		if (jb->jb_held & (1u << k))
			ss->ss_mbusy[k] = false;
	for (pp = &ss->ss_jobs; *pp != NULL; pp = &(*pp)->jb_next)
		if (*pp == jb) {
			*pp = jb->jb_next;
			break;
		}
	free(jb);
}

/* The job is over: unlog, answer the initiator, free the classes. */
static void job_finish(struct mdc_core *c, struct mdc_setstate *ss,
		       struct mdc_job *jb)
{
	const struct mdc_store_ops *so = c->mc_cfg.cc_store;
	struct mdc_result res;
	meta_error_t err;
	int rc;

	if (jb->jb_have_final)
		res = jb->jb_final;
	else
		result_init(&res, &jb->jb_msg, MDC_CS_ACK, c->mc_self);
	if (c->mc_aborted)
		res.mr_comm_state = MDC_CS_ABORT;
	if (jb->jb_logged) {
		meta_error_init(&err);
		mdc_trace_msg(MDC_TR_LOG_CLEAR, 0, &jb->jb_msg.mm_id);
		rc = so->so_log_clear(c->mc_cfg.cc_store_arg, jb->jb_msg.mm_set,
				      jb->jb_class, &err);
		mdc_trace_msg(MDC_TR_LOG_CLEARED, 0, &jb->jb_msg.mm_id);
		if (rc != 0)
			DBG(c, MDC_MMV_PROC_M | MDC_MMV_SYSLOG, "%s",
			    meta_strerror(&err));
	}
	master_reply(c, &jb->jb_msg, &res);
	if (jb->jb_logged && so->so_log_settle != NULL) {
		mdc_trace_msg(MDC_TR_LOG_SETTLE, 0, &jb->jb_msg.mm_id);
		so->so_log_settle(c->mc_cfg.cc_store_arg, jb->jb_msg.mm_set);
		mdc_trace_msg(MDC_TR_LOG_SETTLED, 0, &jb->jb_msg.mm_id);
	}
	job_release(c, ss, jb);
}

/*
 * Run steps until the job waits (for a class or for results) or ends.
 * Returns true if the job ended (and was freed).
 */
static bool job_advance(struct mdc_core *c, struct mdc_setstate *ss,
			struct mdc_job *jb)
{
	unsigned int n, k;
	uint64_t to;

	for (;;) {
		/* STOP_ON_ERROR: a failure anywhere ends the submessages. */
		if (jb->jb_failed &&
		    (jb->jb_msg.mm_flags & MDC_F_STOP_ON_ERROR))
			jb->jb_stop = true;
		if (jb->jb_stop ||
		    jb->jb_cur >= (jb->jb_nsub ? jb->jb_nsub : 1)) {
			job_finish(c, ss, jb);
			return true;
		}
		job_build_step(jb);
		k = msg_class(&jb->jb_step);
		if (k != jb->jb_class && !(jb->jb_held & (1u << k))) {
			if (ss->ss_mbusy[k]) {
				jb->jb_state = JOB_WAIT_CLASS;
				jb->jb_wait_class = k;
				return false;
			}
			ss->ss_mbusy[k] = true;
			jb->jb_held |= 1u << k;
		}
		jb->jb_state = JOB_RUN;
		run_local(c, &jb->jb_step, MDC_F_ON_MASTER, &jb->jb_mres);
		job_merge(jb, &jb->jb_mres);
		if (res_failed(&jb->jb_mres) &&
		    (jb->jb_msg.mm_flags & MDC_F_STOP_ON_ERROR)) {
			jb->jb_stop = true;
			continue;
		}
		if (jb->jb_step.mm_flags & MDC_F_NO_BCAST) {
			jb->jb_cur++;
			continue;
		}
		memset(jb->jb_expect, 0, sizeof(jb->jb_expect));
		jb->jb_nwait = 0;
		for (n = 1; n <= MDC_MAXNODES; n++) {
			if (n == c->mc_self || !node_in_set(c, ss, n))
				continue;
			if ((jb->jb_step.mm_flags & MDC_F_DIRECTED) &&
			    n != jb->jb_step.mm_recipient)
				continue;
			jb->jb_expect[n] = EXP_WAIT;
			jb->jb_nwait++;
		}
		if (jb->jb_nwait == 0) {
			jb->jb_cur++;
			continue;
		}
		if (mcast(c, MDC_WK_WORK, 0, &jb->jb_step, NULL) != 0) {
			struct mdc_result r;

			result_init(&r, &jb->jb_step, MDC_CS_RPC_FAIL,
				    c->mc_self);
			for (n = 1; n <= MDC_MAXNODES; n++)
				if (jb->jb_expect[n] == EXP_WAIT) {
					r.mr_node = n;
					job_node_result(c, jb, n, &r);
				}
			jb->jb_cur++;
			continue;
		}
		to = type_timeout_ms(jb->jb_step.mm_type);
		jb->jb_deadline = c->mc_now + to + MASTER_SLACK_S * 1000;
		jb->jb_state = JOB_GATHER;
		return false;
	}
}

/* Start a job: log it, break it into steps, run. */
static void job_start(struct mdc_core *c, struct mdc_setstate *ss,
		      struct mdc_job *jb)
{
	const struct mdc_store_ops *so = c->mc_cfg.cc_store;
	const struct mdc_msgtype_info *mt;
	struct mdc_msg *other;
	meta_error_t err;
	int rc;

	ss->ss_mbusy[jb->jb_class] = true;
	jb->jb_next = ss->ss_jobs;
	ss->ss_jobs = jb;
	c->mc_stats.cs_master_jobs++;
	DBG(c, MDC_MMV_PROC_M, "master: %s " ID_FMT " from %u",
	    mdc_msgtype_name(jb->jb_msg.mm_type), ID_ARGS(&jb->jb_msg.mm_id),
	    jb->jb_msg.mm_sender);

	if (jb->jb_msg.mm_flags & MDC_F_REPLAY) {
		jb->jb_logged = true; /* not logged again, but unlogged */
	} else if (!(jb->jb_msg.mm_flags & MDC_F_NO_LOG)) {
		other = calloc(1, sizeof(*other));
		VERIFY(other != NULL);
		meta_error_init(&err);
		mdc_trace_msg(MDC_TR_LOG_WRITE, 0, &jb->jb_msg.mm_id);
		rc = so->so_log_write(c->mc_cfg.cc_store_arg, &jb->jb_msg,
				      other, &err);
		mdc_trace_msg(MDC_TR_LOG_WRITTEN, 0, &jb->jb_msg.mm_id);
		if (rc < 0) {
			DBG(c, MDC_MMV_PROC_M | MDC_MMV_SYSLOG, "%s",
			    meta_strerror(&err));
			master_refuse(c, &jb->jb_msg, MDC_CS_LOG_FAIL);
			free(other);
			job_release(c, ss, jb);
			return;
		}
		if (rc == 1) {
			/*
			 * The slot holds a message a replay still owes: the
			 * new one waits (CLASS_BUSY), the logged one runs.
			 */
			master_refuse(c, &jb->jb_msg, MDC_CS_CLASS_BUSY);
			jb->jb_msg = *other;
			jb->jb_msg.mm_flags |= MDC_F_REPLAY |
					       MDC_F_OVERRIDE_SUSPEND;
		}
		jb->jb_logged = true;
		free(other);
	}
	mt = mdc_msgtype_get(jb->jb_msg.mm_type);
	if (mt->mt_gen != NULL) {
		jb->jb_nsub = mt->mt_gen(jb->jb_msg.mm_data, jb->jb_msg.mm_len,
					 jb->jb_subtypes);
		VERIFY(jb->jb_nsub > 0 && jb->jb_nsub <= MDC_MAXSUBMSGS);
	}
	(void)job_advance(c, ss, jb);
}

/* A REQUEST for this node as master. */
static void master_request(struct mdc_core *c, const struct mdc_msg *m)
{
	struct mdc_setstate *ss = &c->mc_sets[m->mm_set];
	unsigned int cls = msg_class(m);

	if (ss->ss_master != c->mc_self) {
		/* Sent to us as master while we are not (reconfiguration). */
		c->mc_stats.cs_unsolicited++;
		return;
	}
	if (c->mc_aborted)
		return master_refuse(c, m, MDC_CS_ABORT);
	if (!c->mc_quorate)
		return master_refuse(c, m, MDC_CS_NOQUORUM);
	if (ss->ss_cflags[cls] & CF_LOCKED)
		return master_refuse(c, m, MDC_CS_CLASS_LOCKED);
	if ((ss->ss_cflags[cls] & CF_SUSPENDED) &&
	    !(m->mm_flags & MDC_F_OVERRIDE_SUSPEND))
		return master_refuse(c, m, MDC_CS_SUSPENDED);
	if (master_has(ss, m)) {
		c->mc_stats.cs_unsolicited++; /* a duplicate */
		return;
	}
	jobq_push(&ss->ss_mq[cls], job_new(m), false);
}

/* A RESULT for this node as master. */
static void master_result(struct mdc_core *c, const struct mdc_packet *pk)
{
	struct mdc_setstate *ss = &c->mc_sets[pk->pk_msg.mm_set];
	struct mdc_job *jb;

	for (jb = ss->ss_jobs; jb != NULL; jb = jb->jb_next)
		if (jb->jb_state == JOB_GATHER &&
		    mdc_msgid_eq(&jb->jb_step.mm_id, &pk->pk_msg.mm_id))
			break;
	if (jb == NULL || jb->jb_expect[pk->pk_from] != EXP_WAIT) {
		c->mc_stats.cs_unsolicited++;
		return;
	}
	DBG(c, MDC_MMV_WAKE_M, "result of %s " ID_FMT " from %u: %s %d",
	    mdc_msgtype_name(pk->pk_msg.mm_type), ID_ARGS(&pk->pk_msg.mm_id),
	    pk->pk_from, mdc_comm_state_name(pk->pk_res.mr_comm_state),
	    pk->pk_res.mr_exitval);
	job_node_result(c, jb, pk->pk_from, &pk->pk_res);
	if (jb->jb_nwait == 0) {
		jb->jb_cur++;
		jb->jb_state = JOB_RUN;
	}
}

/*
 * Move every job and queue of @set as far as it goes: jobs whose step is
 * done, jobs waiting for a class now free, then queued messages whose class
 * is free.  Called at the end of every entry point.
 */
static void master_kick(struct mdc_core *c, uint32_t set)
{
	struct mdc_setstate *ss = &c->mc_sets[set];
	struct mdc_job *jb;
	unsigned int cls;
	bool progress;

	do {
		progress = false;
		for (jb = ss->ss_jobs; jb != NULL; jb = jb->jb_next) {
			if (jb->jb_state == JOB_RUN ||
			    (jb->jb_state == JOB_WAIT_CLASS &&
			     !ss->ss_mbusy[jb->jb_wait_class])) {
				(void)job_advance(c, ss, jb);
				progress = true;
				break; /* the list may have changed */
			}
		}
		if (progress)
			continue;
		for (cls = 1; cls < MDC_NCLASSES; cls++) {
			if (ss->ss_mbusy[cls] || ss->ss_mq[cls] == NULL)
				continue;
			jb = ss->ss_mq[cls];
			ss->ss_mq[cls] = jb->jb_next;
			if (ss->ss_master != c->mc_self) {
				free(jb); /* no longer master: theirs now */
			} else {
				job_start(c, ss, jb);
			}
			progress = true;
			break;
		}
	} while (progress);
}

/* ---- every node: WORK ------------------------------------------------- */

static void node_work(struct mdc_core *c, const struct mdc_packet *pk)
{
	const struct mdc_msg *m = &pk->pk_msg;
	struct mdc_setstate *ss = &c->mc_sets[m->mm_set];
	struct mdc_result res;

	if (pk->pk_from == c->mc_self)
		return; /* the master ran it before sending */
	if ((m->mm_flags & MDC_F_DIRECTED) && m->mm_recipient != c->mc_self)
		return;
	if (ss->ss_have_nodes && !ss->ss_nodes[c->mc_self])
		return; /* not in the set's node list: not expected */
	if (!ss->ss_joined)
		result_init(&res, m, MDC_CS_NOT_JOINED, c->mc_self);
	else if (c->mc_aborted)
		result_init(&res, m, MDC_CS_ABORT, c->mc_self);
	else
		run_local(c, m, MDC_F_ON_SLAVE, &res);
	(void)mcast(c, MDC_WK_RESULT, pk->pk_from, m, &res);
}

/* ---- the transport's callbacks ---------------------------------------- */

static void core_deliver(void *arg, uint32_t from, const void *buf, size_t len)
{
	struct mdc_core *c = arg;
	struct mdc_packet *pk = malloc(sizeof(*pk));
	meta_error_t err;

	VERIFY(pk != NULL);
	meta_error_init(&err);
	core_lock(c);
	if (mdc_wire_decode(buf, len, 0, pk, &c->mc_wstats, &err) != 0 ||
	    pk->pk_from != from) {
		c->mc_stats.cs_bad_packets++;
		DBG(c, MDC_MMV_WORK, "from node %u: %s", from,
		    meta_error_isset(&err) ? meta_strerror(&err) :
					     "sender does not match");
		goto out;
	}
	mdc_trace_msg(MDC_TR_DELIVER,
		      pk->pk_kind | pk->pk_from << 8 | c->mc_self << 16,
		      &pk->pk_msg.mm_id);
	DBG(c, MDC_MMV_WORK, "packet %u %s " ID_FMT " %u->%u", pk->pk_kind,
	    mdc_msgtype_name(pk->pk_msg.mm_type), ID_ARGS(&pk->pk_msg.mm_id),
	    pk->pk_from, pk->pk_to);
	switch (pk->pk_kind) {
	case MDC_WK_REQUEST:
		if (pk->pk_to == c->mc_self)
			master_request(c, &pk->pk_msg);
		break;
	case MDC_WK_WORK:
		node_work(c, pk);
		break;
	case MDC_WK_RESULT:
		if (pk->pk_to == c->mc_self)
			master_result(c, pk);
		break;
	case MDC_WK_REPLY:
		if (pk->pk_to == c->mc_self)
			init_reply(c, pk);
		break;
	}
	master_kick(c, pk->pk_msg.mm_set);
	core_drain_continue(c);
out:
	free(pk);
	core_unlock(c);
}

static void core_confchg(void *arg, const uint32_t *members, size_t n)
{
	struct mdc_core *c = arg;
	struct mdc_setstate *ss;
	struct mdc_job *jb;
	uint32_t set, node;
	size_t i;

	core_lock(c);
	log_forget(c, 0);
	memset(c->mc_member, 0, sizeof(c->mc_member));
	c->mc_nmembers = 0;
	for (i = 0; i < n; i++)
		if (members[i] >= 1 && members[i] <= MDC_MAXNODES) {
			c->mc_member[members[i]] = 1;
			c->mc_nmembers++;
		}
	DBG(c, MDC_MMV_INIT, "membership: %u nodes", c->mc_nmembers);
	for (set = 1; set < MDC_MAXSETS; set++) {
		ss = &c->mc_sets[set];
		if (ss->ss_master != 0 && !c->mc_member[ss->ss_master]) {
			DBG(c, MDC_MMV_INIT, "set %u: master %u left", set,
			    ss->ss_master);
			ss->ss_master = 0;
		}
		for (jb = ss->ss_jobs; jb != NULL; jb = jb->jb_next) {
			if (jb->jb_state != JOB_GATHER)
				continue;
			for (node = 1; node <= MDC_MAXNODES; node++)
				if (jb->jb_expect[node] == EXP_WAIT &&
				    !c->mc_member[node])
					job_node_result(c, jb, node, NULL);
			if (jb->jb_nwait == 0) {
				jb->jb_cur++;
				jb->jb_state = JOB_RUN;
			}
		}
		master_kick(c, set);
	}
	core_drain_continue(c);
	core_unlock(c);
}

static void core_quorum(void *arg, bool quorate)
{
	struct mdc_core *c = arg;

	core_lock(c);
	if (c->mc_quorate != quorate) {
		DBG(c, MDC_MMV_INIT, "quorum %s", quorate ? "gained" : "lost");
		log_forget(c, 0);
		if (!quorate)
			__atomic_add_fetch(&c->mc_qlost, 1, __ATOMIC_RELEASE);
	}
	c->mc_quorate = quorate;
	core_unlock(c);
}

/* ---- lifecycle -------------------------------------------------------- */

int mdc_core_create(const struct mdc_core_config *cfg, struct mdc_transport *t,
		    struct mdc_core **cp, meta_error_t *ep)
{
	const struct mdc_store_ops *so = cfg->cc_store;
	struct mdc_core *c;

	if (so == NULL || so->so_log_write == NULL ||
	    so->so_log_clear == NULL || so->so_log_read_all == NULL ||
	    so->so_run == NULL || so->so_mct_check == NULL ||
	    so->so_mct_mark == NULL || t == NULL || t->t_ops == NULL)
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, NULL,
				      "cannot create mdcommd core");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot create mdcommd core");
	VERIFY0(pthread_mutex_init(&c->mc_lock, NULL));
	c->mc_cfg = *cfg;
	c->mc_t = t;
	c->mc_self = t->t_ops->to_nodeid(t->t_priv);
	c->mc_seq = cfg->cc_seq0;
	c->mc_quorate = t->t_ops->to_quorate(t->t_priv);
	c->mc_cb.tc_deliver = core_deliver;
	c->mc_cb.tc_confchg = core_confchg;
	c->mc_cb.tc_quorum = core_quorum;
	t->t_ops->to_bind(t->t_priv, &c->mc_cb, c);
	*cp = c;
	return 0;
}

int mdc_core_join(struct mdc_core *c, const char *name, meta_error_t *ep)
{
	return c->mc_t->t_ops->to_join(c->mc_t->t_priv, name, ep);
}

void mdc_core_destroy(struct mdc_core *c)
{
	struct mdc_result res;
	struct mdc_setstate *ss;
	struct mdc_job *jb;
	struct mdc_req *rq;
	uint32_t set;
	unsigned int cls;

	if (c == NULL)
		return;
	core_lock(c);
	for (set = 0; set < MDC_MAXSETS; set++) {
		ss = &c->mc_sets[set];
		for (cls = 0; cls < MDC_NCLASSES; cls++) {
			if (ss->ss_islot[cls] != NULL)
				fifo_push(&ss->ss_iq[cls], ss->ss_islot[cls]);
			ss->ss_islot[cls] = NULL;
			while ((rq = ss->ss_iq[cls]) != NULL) {
				ss->ss_iq[cls] = rq->rq_next;
				result_init(&res, &rq->rq_msg, MDC_CS_RPC_FAIL,
					    c->mc_self);
				reply_later(c, rq->rq_fn, rq->rq_cookie, &res);
				free(rq);
			}
			while ((jb = ss->ss_mq[cls]) != NULL) {
				ss->ss_mq[cls] = jb->jb_next;
				free(jb);
			}
		}
		while ((jb = ss->ss_jobs) != NULL) {
			ss->ss_jobs = jb->jb_next;
			free(jb);
		}
	}
	c->mc_t->t_ops->to_bind(c->mc_t->t_priv, NULL, NULL);
	core_unlock(c);
	pthread_mutex_destroy(&c->mc_lock);
	free(c);
}

void mdc_core_tick(struct mdc_core *c, uint64_t now_ms)
{
	struct mdc_setstate *ss;
	struct mdc_result res;
	struct mdc_job *jb;
	uint32_t set, node;
	unsigned int cls;

	core_lock(c);
	if (now_ms > c->mc_now)
		c->mc_now = now_ms;
	for (set = 1; set < MDC_MAXSETS; set++) {
		ss = &c->mc_sets[set];
		for (cls = 1; cls < MDC_NCLASSES; cls++) {
			struct mdc_req *rq = ss->ss_islot[cls];

			if (rq == NULL || c->mc_now < rq->rq_deadline)
				continue;
			c->mc_stats.cs_timeouts++;
			result_init(&res, &rq->rq_msg, MDC_CS_TIMEOUT,
				    c->mc_self);
			init_complete(c, ss, cls, &res);
		}
		if (ss->ss_master == 0 || !c->mc_member[ss->ss_master])
			init_expire_queued(c, ss);
		for (jb = ss->ss_jobs; jb != NULL; jb = jb->jb_next) {
			if (jb->jb_state != JOB_GATHER ||
			    c->mc_now < jb->jb_deadline)
				continue;
			for (node = 1; node <= MDC_MAXNODES; node++) {
				if (jb->jb_expect[node] != EXP_WAIT)
					continue;
				DBG(c, MDC_MMV_PROC_M,
				    "%s " ID_FMT ": no answer from node %u",
				    mdc_msgtype_name(jb->jb_step.mm_type),
				    ID_ARGS(&jb->jb_step.mm_id), node);
				result_init(&res, &jb->jb_step, MDC_CS_RPC_FAIL,
					    node);
				job_node_result(c, jb, node, &res);
			}
			jb->jb_cur++;
			jb->jb_state = JOB_RUN;
		}
		init_next(c, set);
		master_kick(c, set);
	}
	core_drain_continue(c);
	core_unlock(c);
}

/* ---- masters ---------------------------------------------------------- */

int mdc_core_set_master(struct mdc_core *c, uint32_t set, uint32_t master,
			meta_error_t *ep)
{
	struct mdc_setstate *ss;
	struct mdc_result res;
	struct mdc_req *rq;
	unsigned int cls;

	if (set == 0 || set >= MDC_MAXSETS || master > MDC_MAXNODES)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADSET), 0, NULL,
				      "cannot set master %u of set %u", master,
				      set);
	core_lock(c);
	ss = &c->mc_sets[set];
	DBG(c, MDC_MMV_INIT, "set %u: master %u (was %u)", set, master,
	    ss->ss_master);
	log_forget(c, set);
	ss->ss_master = master;
	ss->ss_joined = master != 0;
	for (cls = 1; cls < MDC_NCLASSES; cls++) {
		if (master == 0) {
			/* Leaving the set: every request gets NOT_JOINED. */
			if (ss->ss_islot[cls] != NULL)
				fifo_push(&ss->ss_iq[cls], ss->ss_islot[cls]);
			ss->ss_islot[cls] = NULL;
			while ((rq = ss->ss_iq[cls]) != NULL) {
				ss->ss_iq[cls] = rq->rq_next;
				result_init(&res, &rq->rq_msg,
					    MDC_CS_NOT_JOINED, c->mc_self);
				reply_later(c, rq->rq_fn, rq->rq_cookie, &res);
				free(rq);
			}
			continue;
		}
		rq = ss->ss_islot[cls];
		if (rq != NULL && rq->rq_sent_to != master &&
		    c->mc_member[master])
			init_transmit(c, ss, cls); /* same id, new master */
	}
	init_next(c, set);
	master_kick(c, set);
	core_unlock(c);
	return 0;
}

uint32_t mdc_core_master(struct mdc_core *c, uint32_t set)
{
	uint32_t m;

	if (set == 0 || set >= MDC_MAXSETS)
		return 0;
	core_lock(c);
	m = c->mc_sets[set].ss_master;
	core_unlock(c);
	return m;
}

bool mdc_core_joined(struct mdc_core *c, uint32_t set)
{
	bool j;

	if (set == 0 || set >= MDC_MAXSETS)
		return false;
	core_lock(c);
	j = c->mc_sets[set].ss_joined;
	core_unlock(c);
	return j;
}

uint64_t mdc_core_qlost(struct mdc_core *c)
{
	return __atomic_load_n(&c->mc_qlost, __ATOMIC_ACQUIRE);
}

bool mdc_core_quorate(struct mdc_core *c)
{
	bool q;

	core_lock(c);
	q = c->mc_quorate;
	core_unlock(c);
	return q;
}

int mdc_core_replay(struct mdc_core *c, uint32_t set, meta_error_t *ep)
{
	const struct mdc_store_ops *so = c->mc_cfg.cc_store;
	struct mdc_msg *slots;
	struct mdc_setstate *ss;
	uint32_t inuse = 0;
	int cls, n = 0;

	if (set == 0 || set >= MDC_MAXSETS)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADSET), 0, NULL,
				      "cannot replay set %u", set);
	slots = calloc(MDC_LOG_SLOTS, sizeof(*slots));
	if (slots == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot replay set %u", set);
	core_lock(c);
	ss = &c->mc_sets[set];
	if (ss->ss_master != c->mc_self) {
		core_unlock(c);
		free(slots);
		return meta_error_set(ep, SET_ERROR(ME_COMM_NOMASTER), 0, NULL,
				      "cannot replay set %u on node %u: "
				      "not its master",
				      set, c->mc_self);
	}
	if (so->so_log_read_all(c->mc_cfg.cc_store_arg, set, slots, &inuse,
				ep) != 0) {
		core_unlock(c);
		free(slots);
		return -1;
	}
	/* Highest class first; each goes to the front of its class queue. */
	for (cls = MDC_NCLASSES - 1; cls >= 1; cls--) {
		struct mdc_msg *m = &slots[cls];

		if (!(inuse & (1u << cls)))
			continue;
		if (mdc_msgtype_get(m->mm_type) == NULL ||
		    msg_class(m) != (unsigned int)cls || m->mm_set != set) {
			DBG(c, MDC_MMV_INIT | MDC_MMV_SYSLOG,
			    "set %u: change-log slot %d holds no valid "
			    "message: skipped",
			    set, cls);
			continue;
		}
		m->mm_flags |= MDC_F_REPLAY | MDC_F_OVERRIDE_SUSPEND;
		DBG(c, MDC_MMV_INIT, "set %u: replay %s " ID_FMT, set,
		    mdc_msgtype_name(m->mm_type), ID_ARGS(&m->mm_id));
		if (!master_has(ss, m))
			jobq_push(&ss->ss_mq[cls], job_new(m), true);
		n++;
	}
	master_kick(c, set);
	core_unlock(c);
	free(slots);
	return n;
}

int mdc_choose_master(const struct mdc_node_info *nodes, size_t n,
		      uint32_t current, uint32_t *master, meta_error_t *ep)
{
	uint32_t owner = 0, any = 0;
	size_t i;

	*master = 0;
	for (i = 0; i < n; i++) {
		const struct mdc_node_info *ni = &nodes[i];

		if (!ni->ni_alive || ni->ni_id == 0)
			continue;
		if (ni->ni_id == current && ni->ni_owner) {
			*master = current;
			return 0;
		}
		if (ni->ni_owner && (owner == 0 || ni->ni_id < owner))
			owner = ni->ni_id;
		if (any == 0 || ni->ni_id < any)
			any = ni->ni_id;
	}
	*master = owner ? owner : any;
	if (*master == 0)
		return meta_error_set(ep, SET_ERROR(ME_COMM_NOMASTER), 0, NULL,
				      "cannot choose a master: no node alive");
	return 0;
}
