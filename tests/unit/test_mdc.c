// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the mdcommd core on the simulated transport: N cores in
 * one process, each with its own LMDB completion table, a shared in-memory
 * change log (the set's drives are shared), and handlers that count how
 * often each message ran on each node.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_client.h>
#include <oban/mdc_core.h>
#include <oban/mdc_rpcsvc.h>
#include <oban/mdc_sim.h>
#include <oban/paths.h>

#include "ocu.h"
#include "mdc_suites.h"

#define NMAX 5
#define SET 1
#define MAXRUNS 256

enum crash_point {
	CRASH_NONE = 0,
	CRASH_AFTER_LOG_WRITE, /* the master dies right after logging */
	CRASH_AFTER_WORK_SENT, /* ... right after multicasting the WORK */
	CRASH_BEFORE_LOG_CLEAR, /* ... after every node ran it */
};

struct run_rec {
	uint32_t rr_nid;
	uint64_t rr_seq;
	uint8_t rr_sub;
	uint32_t rr_type;
	unsigned int rr_count;
};

struct tcluster;

struct tnode {
	uint32_t tn_id;
	struct tcluster *tn_cl;
	struct mdc_core *tn_core;
	struct mdc_mct *tn_mct;
	struct run_rec tn_runs[MAXRUNS]; /* in the order first run */
	unsigned int tn_nruns;
	int tn_exitval[MDC_NMSGTYPES]; /* what this node's handler returns */
};

struct treply {
	unsigned int tr_got;
	struct mdc_result tr_res;
};

struct tcluster {
	struct mdc_sim *cl_sim;
	unsigned int cl_n;
	uint64_t cl_now;
	struct tnode cl_nodes[NMAX + 1];
	/* The change log on the set's drives, shared by all nodes. */
	struct mdc_msg cl_log[MDC_LOG_SLOTS];
	uint32_t cl_loguse;
	unsigned int cl_log_writes;
	/* so_log_settle: calls, and how many of them came after a packet
	 * (the REPLY) was sent since the clear. */
	uint64_t cl_sent_at_clear;
	unsigned int cl_settles, cl_settles_after_send;
	enum crash_point cl_crash;
	unsigned int cl_incons;
	struct mdc_result cl_incons_res;
	int cl_events[64];
	unsigned int cl_nevents;
	/* The master's TEST1 handler tries to send these (hsend test). */
	bool cl_hsend;
	int cl_hsend_same_err;
	int cl_hsend_higher_rc;
	struct treply cl_hreply;
	/* The TEST3 handler tries a class-2 send. */
	int cl_hsend_lower_err;
};

static struct tcluster *cl;

/* ---- the store -------------------------------------------------------- */

static int st_log_write(void *arg, const struct mdc_msg *msg,
			struct mdc_msg *other, meta_error_t *ep)
{
	struct tnode *tn = arg;
	struct tcluster *c = tn->tn_cl;
	unsigned int cls = mdc_class_of(msg->mm_type);

	if (c->cl_loguse & (1u << cls)) {
		if (!mdc_msgid_eq(&c->cl_log[cls].mm_id, &msg->mm_id)) {
			*other = c->cl_log[cls];
			return 1;
		}
	}
	c->cl_log[cls] = *msg;
	c->cl_loguse |= 1u << cls;
	c->cl_log_writes++;
	if (c->cl_crash == CRASH_AFTER_LOG_WRITE) {
		c->cl_crash = CRASH_NONE;
		mdc_sim_crash(c->cl_sim, tn->tn_id);
	} else if (c->cl_crash == CRASH_AFTER_WORK_SENT) {
		c->cl_crash = CRASH_NONE;
		mdc_sim_crash_after(c->cl_sim, tn->tn_id, 1);
	}
	return 0;
}

static int st_log_clear(void *arg, uint32_t set, unsigned int cls,
			meta_error_t *ep)
{
	struct tnode *tn = arg;
	struct tcluster *c = tn->tn_cl;
	struct mdc_sim_stats ss;

	if (c->cl_crash == CRASH_BEFORE_LOG_CLEAR) {
		c->cl_crash = CRASH_NONE;
		mdc_sim_crash(c->cl_sim, tn->tn_id);
		return meta_error_set(ep, EIO, 0, NULL, "node died");
	}
	if (!mdc_sim_alive(c->cl_sim, tn->tn_id))
		return meta_error_set(ep, EIO, 0, NULL, "node died");
	c->cl_loguse &= ~(1u << cls);
	mdc_sim_stats(c->cl_sim, &ss);
	c->cl_sent_at_clear = ss.ss_sent;
	return 0;
}

static void st_log_settle(void *arg, uint32_t set)
{
	struct tnode *tn = arg;
	struct tcluster *c = tn->tn_cl;
	struct mdc_sim_stats ss;

	mdc_sim_stats(c->cl_sim, &ss);
	c->cl_settles++;
	if (ss.ss_sent > c->cl_sent_at_clear)
		c->cl_settles_after_send++;
}

static int st_log_read_all(void *arg, uint32_t set,
			   struct mdc_msg slots[MDC_LOG_SLOTS], uint32_t *inuse,
			   meta_error_t *ep)
{
	struct tnode *tn = arg;

	memcpy(slots, tn->tn_cl->cl_log, sizeof(tn->tn_cl->cl_log));
	*inuse = tn->tn_cl->cl_loguse;
	return 0;
}

static struct run_rec *run_find(struct tnode *tn, const struct mdc_msgid *id)
{
	unsigned int i;

	for (i = 0; i < tn->tn_nruns; i++)
		if (tn->tn_runs[i].rr_nid == id->mi_nid &&
		    tn->tn_runs[i].rr_seq == id->mi_seq &&
		    tn->tn_runs[i].rr_sub == id->mi_sub)
			return &tn->tn_runs[i];
	return NULL;
}

static void hreply(void *cookie, const struct mdc_result *res)
{
	struct treply *tr = cookie;

	tr->tr_got++;
	tr->tr_res = *res;
}

static int st_run(void *arg, const struct mdc_msg *msg, uint32_t flags,
		  struct mdc_hctx *hc, struct mdc_result *res)
{
	struct tnode *tn = arg;
	struct tcluster *c = tn->tn_cl;
	struct run_rec *rr;
	meta_error_t e;

	if (!mdc_sim_alive(c->cl_sim, tn->tn_id))
		return -1; /* a dead node runs nothing */
	rr = run_find(tn, &msg->mm_id);
	if (rr == NULL) {
		VERIFY(tn->tn_nruns < MAXRUNS);
		rr = &tn->tn_runs[tn->tn_nruns++];
		rr->rr_nid = msg->mm_id.mi_nid;
		rr->rr_seq = msg->mm_id.mi_seq;
		rr->rr_sub = msg->mm_id.mi_sub;
		rr->rr_type = msg->mm_type;
	}
	rr->rr_count++;
	res->mr_exitval = tn->tn_exitval[msg->mm_type];
	res->mr_outlen = (uint32_t)snprintf((char *)res->mr_out, MDC_MAXOUT,
					    "%s",
					    mdc_msgtype_name(msg->mm_type));

	if (c->cl_hsend && msg->mm_type == MDC_MSG_TEST1 &&
	    (flags & MDC_F_ON_MASTER)) {
		struct mdc_send same = { .sd_set = SET,
					 .sd_type = MDC_MSG_TEST1,
					 .sd_flags = MDC_F_NO_LOG };
		struct mdc_send higher = { .sd_set = SET,
					   .sd_type = MDC_MSG_TEST3,
					   .sd_flags = MDC_F_NO_LOG };

		meta_error_init(&e);
		CU_ASSERT_EQUAL(mdc_hctx_send(hc, &same, hreply, &c->cl_hreply,
					      &e),
				-1);
		c->cl_hsend_same_err = e.me_code;
		c->cl_hsend_higher_rc =
			mdc_hctx_send(hc, &higher, hreply, &c->cl_hreply, &e);
		c->cl_hsend = false;
	}
	if (msg->mm_type == MDC_MSG_TEST3 && (flags & MDC_F_ON_MASTER)) {
		struct mdc_send lower = { .sd_set = SET,
					  .sd_type = MDC_MSG_TEST2 };

		meta_error_init(&e);
		(void)mdc_hctx_send(hc, &lower, hreply, &c->cl_hreply, &e);
		c->cl_hsend_lower_err = e.me_code;
	}
	return 0;
}

static int st_mct_check(void *arg, const struct mdc_msg *msg,
			struct mdc_result *res, meta_error_t *ep)
{
	return mdc_mct_check(((struct tnode *)arg)->tn_mct, msg, res, ep);
}

static int st_mct_mark(void *arg, const struct mdc_msg *msg,
		       enum mdc_mct_state state, const struct mdc_result *res,
		       meta_error_t *ep)
{
	return mdc_mct_mark(((struct tnode *)arg)->tn_mct, msg, state, res, ep);
}

static const struct mdc_store_ops tstore = {
	.so_log_write = st_log_write,
	.so_log_clear = st_log_clear,
	.so_log_settle = st_log_settle,
	.so_log_read_all = st_log_read_all,
	.so_run = st_run,
	.so_mct_check = st_mct_check,
	.so_mct_mark = st_mct_mark,
};

static void t_incons(void *arg, enum mdc_incons_action action,
		     const struct mdc_msg *msg, const struct mdc_result *mine,
		     const struct mdc_result *theirs)
{
	struct tcluster *c = ((struct tnode *)arg)->tn_cl;

	c->cl_incons++;
	c->cl_incons_res = *theirs;
	CU_ASSERT_EQUAL(action, MDC_INCONS_LEAVE);
}

static void t_event(void *arg, enum mdc_event ev, uint32_t set,
		    unsigned int cls)
{
	struct tcluster *c = ((struct tnode *)arg)->tn_cl;

	if (c->cl_nevents < 64)
		c->cl_events[c->cl_nevents++] =
			(ev == MDC_EV_SUSPEND ? 1 : -1) * (int)cls;
}

static int t_nodelist(void *arg, uint32_t set, uint32_t *nodes, size_t *n,
		      meta_error_t *ep)
{
	/* The node list holds nodes 1 and 2 only. */
	nodes[0] = 1;
	nodes[1] = 2;
	*n = 2;
	return 0;
}

/* ---- the cluster ------------------------------------------------------ */

static unsigned int cl_seq;

static void cl_create(unsigned int n, uint64_t seed)
{
	char dir[512], name[64];
	struct mdc_core_config cfg;
	meta_error_t e;
	unsigned int i;

	cl = calloc(1, sizeof(*cl));
	VERIFY(cl != NULL);
	cl->cl_n = n;
	cl->cl_sim = mdc_sim_create(n, seed);
	VERIFY(cl->cl_sim != NULL);
	cl_seq++;
	for (i = 1; i <= n; i++) {
		struct tnode *tn = &cl->cl_nodes[i];

		tn->tn_id = i;
		tn->tn_cl = cl;
		snprintf(name, sizeof(name), "c%u-n%u", cl_seq, i);
		ocu_path(dir, sizeof(dir), name);
		VERIFY0(mkdir(dir, 0700));
		meta_error_init(&e);
		VERIFY0(mdc_mct_open(dir, &tn->tn_mct, &e));
		memset(&cfg, 0, sizeof(cfg));
		cfg.cc_store = &tstore;
		cfg.cc_store_arg = tn;
		cfg.cc_action = MDC_INCONS_LEAVE;
		cfg.cc_inconsistent = t_incons;
		cfg.cc_event = t_event;
		cfg.cc_nodelist = t_nodelist;
		cfg.cc_arg = tn;
		cfg.cc_seq0 = 1000;
		VERIFY0(mdc_core_create(&cfg, mdc_sim_transport(cl->cl_sim, i),
					&tn->tn_core, &e));
		VERIFY0(mdc_core_join(tn->tn_core, "oban", &e));
	}
	while (mdc_sim_step(cl->cl_sim))
		;
	for (i = 1; i <= n; i++)
		VERIFY0(mdc_core_set_master(cl->cl_nodes[i].tn_core, SET, 1,
					    &e));
}

static void cl_destroy(void)
{
	unsigned int i;

	for (i = 1; i <= cl->cl_n; i++) {
		mdc_core_destroy(cl->cl_nodes[i].tn_core);
		mdc_mct_close(cl->cl_nodes[i].tn_mct);
	}
	mdc_sim_destroy(cl->cl_sim);
	free(cl);
	cl = NULL;
}

static bool cl_idle(void)
{
	unsigned int i;

	for (i = 1; i <= cl->cl_n; i++)
		if (mdc_sim_alive(cl->cl_sim, i) &&
		    !mdc_core_idle(cl->cl_nodes[i].tn_core))
			return false;
	return true;
}

/* Deliver everything; advance virtual time (1 s a tick) while work waits. */
static void cl_run(unsigned int max_seconds)
{
	unsigned int s, i;

	for (s = 0;; s++) {
		while (mdc_sim_step(cl->cl_sim))
			;
		if (cl_idle() || s >= max_seconds)
			return;
		cl->cl_now += 1000;
		for (i = 1; i <= cl->cl_n; i++)
			if (mdc_sim_alive(cl->cl_sim, i))
				mdc_core_tick(cl->cl_nodes[i].tn_core,
					      cl->cl_now);
	}
}

static struct mdc_core *core(uint32_t n)
{
	return cl->cl_nodes[n].tn_core;
}

static int send_msg(uint32_t node, uint32_t type, uint32_t flags,
		    struct treply *tr, struct mdc_msgid *id)
{
	struct mdc_send s = { .sd_set = SET,
			      .sd_type = type,
			      .sd_flags = flags };
	meta_error_t e;

	meta_error_init(&e);
	return mdc_core_send(core(node), &s, hreply, tr, id, &e);
}

static int resend_msg(uint32_t node, uint32_t type, uint32_t flags,
		      struct treply *tr, const struct mdc_msgid *id)
{
	struct mdc_send s = {
		.sd_set = SET, .sd_type = type, .sd_flags = flags, .sd_id = id
	};
	meta_error_t e;

	meta_error_init(&e);
	return mdc_core_send(core(node), &s, hreply, tr, NULL, &e);
}

static unsigned int runs_of(uint32_t node, const struct mdc_msgid *id,
			    uint8_t sub)
{
	struct mdc_msgid k = *id;
	struct run_rec *rr;

	k.mi_sub = sub;
	rr = run_find(&cl->cl_nodes[node], &k);
	return rr != NULL ? rr->rr_count : 0;
}

static struct mdc_core_stats stats(uint32_t node)
{
	struct mdc_core_stats st;

	mdc_core_stats(core(node), &st);
	return st;
}

/* ---- tests ------------------------------------------------------------ */

/* One logged message from a non-master: every node runs it once, the log
 * is written once and cleared, one answer. */
static void test_basic(void)
{
	struct treply tr = { 0 };
	struct mdc_msgid id;
	unsigned int n;

	cl_create(3, 1);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, &id), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(tr.tr_res.mr_exitval, 0);
	CU_ASSERT(mdc_msgid_eq(&tr.tr_res.mr_id, &id));
	for (n = 1; n <= 3; n++)
		CU_ASSERT_EQUAL(runs_of(n, &id, 0), 1);
	CU_ASSERT_EQUAL(cl->cl_log_writes, 1);
	CU_ASSERT_EQUAL(cl->cl_loguse, 0);
	/* The clear made durable once, after the REPLY went out. */
	CU_ASSERT_EQUAL(cl->cl_settles, 1);
	CU_ASSERT_EQUAL(cl->cl_settles_after_send, 1);
	/* One WORK multicast for three nodes, not one per node. */
	CU_ASSERT_EQUAL(stats(1).cs_master_jobs, 1);
	CU_ASSERT_EQUAL(stats(1).cs_mcasts, 2); /* WORK + REPLY */
	CU_ASSERT(cl_idle());
	cl_destroy();
}

/* Many initiators, one class: every node runs every message once and in
 * the same order; one in flight per (set, class) per node. */
static void test_ordering(void)
{
	struct treply tr[3][5];
	unsigned int n, i, k;
	uint64_t seed;

	for (seed = 1; seed <= 5; seed++) {
		memset(tr, 0, sizeof(tr));
		cl_create(3, seed * 7919);
		for (i = 0; i < 5; i++)
			for (n = 1; n <= 3; n++)
				CU_ASSERT_EQUAL(send_msg(n, MDC_MSG_TEST1, 0,
							 &tr[n - 1][i], NULL),
						0);
		/* Before anything is delivered, each node has sent one. */
		for (n = 1; n <= 3; n++) {
			CU_ASSERT_EQUAL(stats(n).cs_sent, 1);
			CU_ASSERT_EQUAL(stats(n).cs_queued, 4);
		}
		cl_run(20);
		for (n = 0; n < 3; n++)
			for (i = 0; i < 5; i++) {
				CU_ASSERT_EQUAL(tr[n][i].tr_got, 1);
				CU_ASSERT_EQUAL(tr[n][i].tr_res.mr_comm_state,
						MDC_CS_ACK);
			}
		for (n = 1; n <= 3; n++) {
			struct tnode *a = &cl->cl_nodes[1];
			struct tnode *b = &cl->cl_nodes[n];

			CU_ASSERT_EQUAL_FATAL(b->tn_nruns, 15);
			for (k = 0; k < 15; k++) {
				CU_ASSERT_EQUAL(b->tn_runs[k].rr_count, 1);
				CU_ASSERT_EQUAL(b->tn_runs[k].rr_nid,
						a->tn_runs[k].rr_nid);
				CU_ASSERT_EQUAL(b->tn_runs[k].rr_seq,
						a->tn_runs[k].rr_seq);
			}
			/* Each initiator's messages run in its order. */
			for (k = 1; k < 15; k++)
				for (i = 0; i < k; i++)
					if (b->tn_runs[i].rr_nid ==
					    b->tn_runs[k].rr_nid)
						CU_ASSERT(b->tn_runs[i].rr_seq <
							  b->tn_runs[k].rr_seq);
		}
		cl_destroy();
	}
}

/* The master holds at most one message per (set, class): the second
 * waits in its queue while the first gathers results. */
static void test_master_one_per_class(void)
{
	struct treply a = { 0 }, b = { 0 }, c2 = { 0 };

	cl_create(3, 3);
	mdc_sim_hold(cl->cl_sim, 3, true); /* node 3 is slow */
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &a, NULL), 0);
	CU_ASSERT_EQUAL(send_msg(1, MDC_MSG_TEST1, 0, &b, NULL), 0);
	CU_ASSERT_EQUAL(send_msg(1, MDC_MSG_TEST2, MDC_F_NO_LOG, &c2, NULL), 0);
	while (mdc_sim_step(cl->cl_sim))
		;
	/* The two class-1 requests reached the master; one job runs. */
	CU_ASSERT_EQUAL(a.tr_got + b.tr_got, 0);
	CU_ASSERT_EQUAL(stats(1).cs_master_jobs, 2); /* TEST1 + TEST2 */
	CU_ASSERT_EQUAL(c2.tr_got, 0);
	mdc_sim_hold(cl->cl_sim, 3, false);
	cl_run(10);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(b.tr_got, 1);
	CU_ASSERT_EQUAL(c2.tr_got, 1);
	CU_ASSERT_EQUAL(stats(1).cs_master_jobs, 3);
	CU_ASSERT_EQUAL(a.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(b.tr_res.mr_comm_state, MDC_CS_ACK);
	cl_destroy();
}

/* A handler may only send messages of a higher class. */
static void test_higher_class_rule(void)
{
	struct treply tr = { 0 };
	struct mdc_msgid id;
	unsigned int n;

	cl_create(3, 4);
	cl->cl_hsend = true;
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, &id), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(cl->cl_hsend_same_err, ME_COMM_CLASS_ORDER);
	CU_ASSERT_EQUAL(cl->cl_hsend_higher_rc, 0);
	/* The class-3 message went round and was answered. */
	CU_ASSERT_EQUAL(cl->cl_hreply.tr_got, 1);
	CU_ASSERT_EQUAL(cl->cl_hreply.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(cl->cl_hreply.tr_res.mr_type, MDC_MSG_TEST3);
	for (n = 1; n <= 3; n++)
		CU_ASSERT_EQUAL(cl->cl_nodes[n].tn_nruns, 2);
	/* Its handler (class 3) could not send class 2. */
	CU_ASSERT_EQUAL(cl->cl_hsend_lower_err, ME_COMM_CLASS_ORDER);
	cl_destroy();
}

/* Submessages: logged once as the parent, each run once everywhere. */
static void test_submessages(void)
{
	struct treply tr = { 0 };
	struct mdc_msgid id;
	unsigned int n, s;

	cl_create(3, 5);
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST6, 0, &tr, &id), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(tr.tr_res.mr_type, MDC_MSG_TEST6);
	CU_ASSERT_EQUAL(cl->cl_log_writes, 1);
	CU_ASSERT_EQUAL(cl->cl_loguse, 0);
	for (n = 1; n <= 3; n++) {
		CU_ASSERT_EQUAL(runs_of(n, &id, 0), 0); /* the generator */
		for (s = 1; s <= 4; s++)
			CU_ASSERT_EQUAL(runs_of(n, &id, (uint8_t)s), 1);
		CU_ASSERT_EQUAL(cl->cl_nodes[n].tn_runs[2].rr_type,
				MDC_MSG_TEST3);
	}
	cl_destroy();
}

/* NO_BCAST runs on the master only; DIRECTED on the master and one. */
static void test_nobcast_directed(void)
{
	struct treply a = { 0 }, b = { 0 };
	struct mdc_send s = { .sd_set = SET,
			      .sd_type = MDC_MSG_TEST2,
			      .sd_flags = MDC_F_NO_LOG | MDC_F_DIRECTED,
			      .sd_recipient = 3 };
	struct mdc_msgid ida, idb;
	meta_error_t e;

	cl_create(4, 6);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, MDC_F_NO_BCAST, &a, &ida),
			0);
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_core_send(core(2), &s, hreply, &b, &idb, &e), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(b.tr_got, 1);
	CU_ASSERT_EQUAL(runs_of(1, &ida, 0), 1);
	CU_ASSERT_EQUAL(runs_of(2, &ida, 0), 0);
	CU_ASSERT_EQUAL(runs_of(3, &ida, 0), 0);
	CU_ASSERT_EQUAL(runs_of(1, &idb, 0), 1);
	CU_ASSERT_EQUAL(runs_of(2, &idb, 0), 0);
	CU_ASSERT_EQUAL(runs_of(3, &idb, 0), 1);
	CU_ASSERT_EQUAL(runs_of(4, &idb, 0), 0);
	cl_destroy();
}

/* Suspend all: ascending, stopping at a busy class; resume: descending. */
static void test_suspend_resume(void)
{
	static const int up[] = { 1, 2, 3, 4, 5, 6, 7 };
	static const int down[] = { -7, -6, -5, -4, -3, -2, -1 };
	struct treply tr = { 0 }, t2 = { 0 }, t3 = { 0 };
	struct mdc_retry rt;
	uint32_t delay;
	unsigned int i;
	int err;

	cl_create(2, 7);
	CU_ASSERT_EQUAL(mdc_core_suspend(core(2), SET, 0), MDC_CS_ACK);
	CU_ASSERT_EQUAL(cl->cl_nevents, 7);
	for (i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(cl->cl_events[i], up[i]);
	/* New messages are refused, unless OVERRIDE_SUSPEND. */
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, MDC_F_FAIL_ON_SUSPEND, &tr,
				 NULL),
			0);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST2,
				 MDC_F_NO_LOG | MDC_F_OVERRIDE_SUSPEND, &t2,
				 NULL),
			0);
	cl_run(5);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_SUSPENDED);
	mdc_retry_init(&rt, mdc_msgtype_get(MDC_MSG_TEST1),
		       MDC_F_FAIL_ON_SUSPEND);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, tr.tr_res.mr_comm_state, &delay,
				       &err),
			MDC_RETRY_FAIL);
	CU_ASSERT_EQUAL(err, ME_COMM_SUSPENDED);
	CU_ASSERT_EQUAL(t2.tr_got, 1);
	CU_ASSERT_EQUAL(t2.tr_res.mr_comm_state, MDC_CS_ACK);

	cl->cl_nevents = 0;
	CU_ASSERT_EQUAL(mdc_core_resume(core(2), SET, 0, false), MDC_CS_ACK);
	CU_ASSERT_EQUAL(cl->cl_nevents, 7);
	for (i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(cl->cl_events[i], down[i]);

	/* Drain: class 2 busy (the master is slow), so suspend stops at 2,
	 * and classes 3.. stay open for what class 2's handler sends. */
	cl->cl_nevents = 0;
	mdc_sim_hold(cl->cl_sim, 1, true);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST2, MDC_F_NO_LOG, &t2, NULL), 0);
	CU_ASSERT_EQUAL(mdc_core_suspend(core(2), SET, 0),
			MDC_CS_SET_NOT_DRAINED);
	CU_ASSERT_EQUAL(cl->cl_nevents, 2);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST3, MDC_F_NO_LOG, &t3, NULL), 0);
	mdc_sim_hold(cl->cl_sim, 1, false);
	cl_run(10);
	CU_ASSERT_EQUAL(t2.tr_got, 2);
	CU_ASSERT_EQUAL(t3.tr_got, 1);
	CU_ASSERT_EQUAL(t3.tr_res.mr_comm_state, MDC_CS_ACK);
	/* As the classes drained, the suspension went on upwards. */
	CU_ASSERT_EQUAL(cl->cl_nevents, 7);
	for (i = 0; i < cl->cl_nevents; i++)
		CU_ASSERT_EQUAL(cl->cl_events[i], up[i]);
	CU_ASSERT_EQUAL(mdc_core_suspend(core(2), SET, 0), MDC_CS_ACK);

	/* A single class: suspend 1 and resume 1. */
	CU_ASSERT_EQUAL(mdc_core_resume(core(2), SET, 0, true), MDC_CS_ACK);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST2, MDC_F_NO_LOG, &t2, NULL), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(t2.tr_got, 3);
	CU_ASSERT_EQUAL(t2.tr_res.mr_comm_state, MDC_CS_ACK);
	memset(&tr, 0, sizeof(tr));
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, NULL), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_SUSPENDED);
	CU_ASSERT_EQUAL(mdc_core_resume(core(2), SET, 0, false), MDC_CS_ACK);
	CU_ASSERT_EQUAL(mdc_core_suspend(core(2), 99, 0), MDC_CS_EINVAL);
	cl_destroy();
}

/* lock, abort, verbosity, reinit, ping, unknown types. */
static void test_control(void)
{
	struct treply tr = { 0 }, p = { 0 }, v = { 0 };
	struct mdc_send s = { .sd_set = SET, .sd_type = 77 };
	struct mdc_send vs = { .sd_type = MDC_MSG_VERBOSITY,
			       .sd_data = "\x01\x00\x00\x00",
			       .sd_len = 4 };
	struct mdc_msgid id;
	meta_error_t e;
	uint64_t unknown = mdc_msgtype_unknown_count();
	uint32_t n;

	cl_create(3, 8);
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_core_send(core(1), &s, hreply, &tr, NULL, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_UNKNOWN_TYPE);
	CU_ASSERT(mdc_msgtype_unknown_count() > unknown);
	s.sd_type = MDC_MSG_TEST1;
	s.sd_flags = MDC_F_ON_MASTER;
	CU_ASSERT_EQUAL(mdc_core_send(core(1), &s, hreply, &tr, NULL, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_BADFLAGS);
	s.sd_flags = 0;
	s.sd_set = 0;
	CU_ASSERT_EQUAL(mdc_core_send(core(1), &s, hreply, &tr, NULL, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_BADSET);
	CU_ASSERT_EQUAL(tr.tr_got, 0);

	CU_ASSERT_EQUAL(mdc_core_lock(core(2), SET, 1, true), MDC_CS_ACK);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, NULL), 0);
	cl_run(2);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_CLASS_LOCKED);
	CU_ASSERT_EQUAL(mdc_core_lock(core(2), SET, 1, false), MDC_CS_ACK);

	CU_ASSERT_EQUAL(mdc_core_ping(core(3), SET, hreply, &p, &e), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(p.tr_got, 1);
	CU_ASSERT_EQUAL(p.tr_res.mr_comm_state, MDC_CS_ACK);

	CU_ASSERT_EQUAL(mdc_core_send(core(3), &vs, hreply, &v, NULL, &e), 0);
	CU_ASSERT_EQUAL(v.tr_got, 1);
	CU_ASSERT_EQUAL(v.tr_res.mr_comm_state, MDC_CS_ACK);

	/* reinit: the node list now holds nodes 1 and 2 only. */
	for (n = 1; n <= 3; n++)
		CU_ASSERT_EQUAL(mdc_core_reinit(core(n), SET), MDC_CS_ACK);
	memset(&tr, 0, sizeof(tr));
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, &id), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(runs_of(2, &id, 0), 1);
	CU_ASSERT_EQUAL(runs_of(3, &id, 0), 0);

	/* abort: every request is answered ABORT, until resume(0, 0). */
	CU_ASSERT_EQUAL(mdc_core_abort(core(2)), MDC_CS_ACK);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, NULL), 0);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ABORT);
	CU_ASSERT_EQUAL(mdc_core_resume(core(2), 0, 0, false), MDC_CS_ACK);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, NULL), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);

	/* LOCAL_ONLY: this node alone. */
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST4, MDC_F_LOCAL_ONLY, &tr, &id),
			0);
	cl_run(2);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(runs_of(3, &id, 0), 1);
	CU_ASSERT_EQUAL(runs_of(1, &id, 0), 0);
	cl_destroy();
}

/* A node whose result differs: both logged, the action taken with
 * PANIC_WHEN_INCONSISTENT; the answer names the failing node. */
static void test_mismatch(void)
{
	struct treply a = { 0 }, b = { 0 };

	cl_create(3, 9);
	cl->cl_nodes[3].tn_exitval[MDC_MSG_TEST1] = 5;
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &a, NULL), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(a.tr_res.mr_exitval, 5);
	CU_ASSERT_EQUAL(a.tr_res.mr_failing_node, 3);
	CU_ASSERT_EQUAL(cl->cl_incons, 0); /* not asked for */

	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1,
				 MDC_F_PANIC_WHEN_INCONSISTENT, &b, NULL),
			0);
	cl_run(5);
	CU_ASSERT_EQUAL(b.tr_got, 1);
	CU_ASSERT_EQUAL(cl->cl_incons, 1);
	CU_ASSERT_EQUAL(cl->cl_incons_res.mr_node, 3);
	CU_ASSERT_EQUAL(cl->cl_incons_res.mr_exitval, 5);
	CU_ASSERT_EQUAL(stats(1).cs_inconsistent, 1);
	/* Identical failures everywhere are not an inconsistency. */
	cl->cl_nodes[1].tn_exitval[MDC_MSG_TEST1] = 5;
	cl->cl_nodes[2].tn_exitval[MDC_MSG_TEST1] = 5;
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1,
				 MDC_F_PANIC_WHEN_INCONSISTENT, &b, NULL),
			0);
	cl_run(5);
	CU_ASSERT_EQUAL(b.tr_got, 2);
	CU_ASSERT_EQUAL(b.tr_res.mr_exitval, 5);
	CU_ASSERT_EQUAL(cl->cl_incons, 1);
	cl_destroy();
}

/* STOP_ON_ERROR: a failing master does not broadcast. */
static void test_stop_on_error(void)
{
	struct treply a = { 0 };
	struct mdc_msgid id;

	cl_create(3, 10);
	cl->cl_nodes[1].tn_exitval[MDC_MSG_BC_CMD] = 1;
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_BC_CMD,
				 MDC_F_STOP_ON_ERROR | MDC_F_NO_LOG, &a, &id),
			0);
	cl_run(5);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(a.tr_res.mr_exitval, 1);
	CU_ASSERT_EQUAL(a.tr_res.mr_failing_node, 1);
	CU_ASSERT_EQUAL(runs_of(1, &id, 0), 1);
	CU_ASSERT_EQUAL(runs_of(2, &id, 0), 0);
	CU_ASSERT_EQUAL(runs_of(3, &id, 0), 0);
	CU_ASSERT_EQUAL(cl->cl_log_writes, 0); /* NO_LOG */
	CU_ASSERT_EQUAL(cl->cl_settles, 0); /* nothing to make durable */

	/* A node's failure in one submessage ends the later ones. */
	memset(&a, 0, sizeof(a));
	cl->cl_nodes[3].tn_exitval[MDC_MSG_TEST2] = 7;
	CU_ASSERT_EQUAL(
		send_msg(2, MDC_MSG_TEST6, MDC_F_STOP_ON_ERROR, &a, &id), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(a.tr_res.mr_exitval, 7);
	CU_ASSERT_EQUAL(a.tr_res.mr_failing_node, 3);
	CU_ASSERT_EQUAL(runs_of(3, &id, 1), 1);
	CU_ASSERT_EQUAL(runs_of(1, &id, 2), 0);
	CU_ASSERT_EQUAL(runs_of(3, &id, 4), 0);
	CU_ASSERT_EQUAL(cl->cl_loguse, 0);
	/* Without STOP_ON_ERROR every submessage runs. */
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST6, 0, &a, &id), 0);
	cl_run(5);
	CU_ASSERT_EQUAL(a.tr_got, 2);
	CU_ASSERT_EQUAL(a.tr_res.mr_failing_node, 3);
	CU_ASSERT_EQUAL(runs_of(1, &id, 4), 1);
	CU_ASSERT_EQUAL(runs_of(3, &id, 4), 1);
	cl_destroy();
}

/*
 * The master dies after its change-log write; the survivors choose a new
 * master, which replays the log: the message runs exactly once on every
 * surviving node and the initiator gets one answer.
 */
static void master_loss(enum crash_point cp, uint32_t initiator, uint64_t seed)
{
	struct mdc_node_info ni[NMAX];
	struct treply tr = { 0 };
	struct mdc_msgid id;
	uint32_t n, m = 0;
	meta_error_t e;

	cl_create(4, seed);
	cl->cl_crash = cp;
	CU_ASSERT_EQUAL(send_msg(initiator, MDC_MSG_TEST1, 0, &tr, &id), 0);
	while (mdc_sim_step(cl->cl_sim))
		;
	CU_ASSERT_FALSE(mdc_sim_alive(cl->cl_sim, 1));
	CU_ASSERT_EQUAL(tr.tr_got, 0);
	CU_ASSERT_EQUAL(cl->cl_loguse, 1u << 1); /* still logged */
	for (n = 2; n <= 4; n++) {
		CU_ASSERT_EQUAL(runs_of(n, &id, 0),
				cp == CRASH_AFTER_LOG_WRITE ? 0u : 1u);
	}

	/* Reconfiguration: step1 chooses, step2 replays. */
	for (n = 1; n <= 4; n++) {
		ni[n - 1].ni_id = n;
		ni[n - 1].ni_alive = mdc_sim_alive(cl->cl_sim, n);
		ni[n - 1].ni_owner = true;
	}
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_choose_master(ni, 4, 1, &m, &e), 0);
	CU_ASSERT_EQUAL(m, 2);
	for (n = 2; n <= 4; n++)
		CU_ASSERT_EQUAL(mdc_core_set_master(core(n), SET, m, &e), 0);
	CU_ASSERT_EQUAL(mdc_core_replay(core(3), SET, &e), -1); /* not master */
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_NOMASTER);
	CU_ASSERT_EQUAL(mdc_core_replay(core(m), SET, &e), 1);
	cl_run(20);

	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT(mdc_msgid_eq(&tr.tr_res.mr_id, &id));
	for (n = 2; n <= 4; n++)
		CU_ASSERT_EQUAL(runs_of(n, &id, 0), 1);
	CU_ASSERT_EQUAL(cl->cl_loguse, 0);
	if (cp != CRASH_AFTER_LOG_WRITE) {
		CU_ASSERT(stats(2).cs_mct_hits + stats(3).cs_mct_hits +
				  stats(4).cs_mct_hits >=
			  3);
	}

	/* The set works on under its new master. */
	memset(&tr, 0, sizeof(tr));
	CU_ASSERT_EQUAL(send_msg(4, MDC_MSG_TEST1, 0, &tr, &id), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	for (n = 2; n <= 4; n++)
		CU_ASSERT_EQUAL(runs_of(n, &id, 0), 1);
	cl_destroy();
}

static void test_master_loss_after_log(void)
{
	master_loss(CRASH_AFTER_LOG_WRITE, 3, 11);
	master_loss(CRASH_AFTER_LOG_WRITE, 2, 12);
}

static void test_master_loss_after_work(void)
{
	master_loss(CRASH_AFTER_WORK_SENT, 3, 13);
	master_loss(CRASH_AFTER_WORK_SENT, 4, 14);
}

static void test_master_loss_before_answer(void)
{
	master_loss(CRASH_BEFORE_LOG_CLEAR, 3, 15);
	master_loss(CRASH_BEFORE_LOG_CLEAR, 2, 16);
}

static void test_choose_master(void)
{
	struct mdc_node_info ni[4] = {
		{ 1, false, true },
		{ 2, true, false },
		{ 3, true, true },
		{ 4, true, true },
	};
	uint32_t m;
	meta_error_t e;

	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_choose_master(ni, 4, 4, &m, &e), 0);
	CU_ASSERT_EQUAL(m, 4); /* the current one stays */
	CU_ASSERT_EQUAL(mdc_choose_master(ni, 4, 1, &m, &e), 0);
	CU_ASSERT_EQUAL(m, 3); /* lowest alive owner */
	ni[2].ni_owner = ni[3].ni_owner = false;
	CU_ASSERT_EQUAL(mdc_choose_master(ni, 4, 1, &m, &e), 0);
	CU_ASSERT_EQUAL(m, 2); /* no owner: lowest alive */
	ni[1].ni_alive = ni[2].ni_alive = ni[3].ni_alive = false;
	CU_ASSERT_EQUAL(mdc_choose_master(ni, 4, 1, &m, &e), -1);
	CU_ASSERT_EQUAL(m, 0);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_NOMASTER);
}

/* A slow node: the master gives up on it (RPC_FAIL), the sender retries
 * with the same id, nobody runs the message twice. */
static void test_timeout_retry(void)
{
	struct treply tr = { 0 }, t2 = { 0 };
	struct mdc_retry rt;
	struct mdc_msgid id;
	uint32_t delay;
	unsigned int n;
	int err;

	cl_create(3, 17);
	mdc_sim_hold(cl->cl_sim, 3, true);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, &id), 0);
	cl_run(30);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_RPC_FAIL);
	CU_ASSERT_EQUAL(tr.tr_res.mr_failing_node, 3);
	mdc_retry_init(&rt, mdc_msgtype_get(MDC_MSG_TEST1), 0);
	CU_ASSERT_EQUAL(mdc_retry_next(&rt, tr.tr_res.mr_comm_state, &delay,
				       &err),
			MDC_RETRY_AGAIN);
	CU_ASSERT_EQUAL(delay, 1000);

	mdc_sim_hold(cl->cl_sim, 3, false);
	CU_ASSERT_EQUAL(resend_msg(2, MDC_MSG_TEST1, 0, &tr, &id), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(tr.tr_got, 2);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT(mdc_msgid_eq(&tr.tr_res.mr_id, &id));
	for (n = 1; n <= 3; n++)
		CU_ASSERT_EQUAL(runs_of(n, &id, 0), 1);

	/* The master itself is unreachable: the initiator times out. */
	mdc_sim_hold(cl->cl_sim, 1, true);
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST2, MDC_F_NO_LOG, &t2, &id), 0);
	cl_run(30);
	CU_ASSERT_EQUAL(t2.tr_got, 1);
	CU_ASSERT_EQUAL(t2.tr_res.mr_comm_state, MDC_CS_TIMEOUT);
	CU_ASSERT_EQUAL(stats(3).cs_timeouts, 1);
	mdc_sim_hold(cl->cl_sim, 1, false);
	cl_run(10); /* the late answer is unsolicited */
	CU_ASSERT_EQUAL(t2.tr_got, 1);
	CU_ASSERT(stats(3).cs_unsolicited >= 1);
	CU_ASSERT_EQUAL(resend_msg(3, MDC_MSG_TEST2, MDC_F_NO_LOG, &t2, &id),
			0);
	cl_run(10);
	CU_ASSERT_EQUAL(t2.tr_got, 2);
	CU_ASSERT_EQUAL(t2.tr_res.mr_comm_state, MDC_CS_ACK);
	for (n = 1; n <= 3; n++)
		CU_ASSERT_EQUAL(runs_of(n, &id, 0), 1);
	cl_destroy();
}

/* Duplicated and reordered deliveries change nothing. */
static void test_duplicates_reorder(void)
{
	struct treply tr[6];
	struct mdc_msgid id[6];
	unsigned int n, i, k;

	memset(tr, 0, sizeof(tr));
	cl_create(3, 18);
	mdc_sim_dup_next(cl->cl_sim, 2); /* its REQUEST, twice */
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr[0], &id[0]), 0);
	while (mdc_sim_step(cl->cl_sim))
		;
	mdc_sim_dup_next(cl->cl_sim, 1); /* the master's next packet */
	mdc_sim_dup_next(cl->cl_sim, 3);
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST1, 0, &tr[1], &id[1]), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(tr[0].tr_got, 1);
	CU_ASSERT_EQUAL(tr[1].tr_got, 1);
	for (n = 1; n <= 3; n++) {
		CU_ASSERT_EQUAL(runs_of(n, &id[0], 0), 1);
		CU_ASSERT_EQUAL(runs_of(n, &id[1], 0), 1);
	}

	/* Out of order: swap queued packets on every node, repeatedly. */
	for (i = 2; i < 6; i++)
		CU_ASSERT_EQUAL(send_msg(1 + i % 3, MDC_MSG_TEST1 + i % 3,
					 MDC_F_NO_LOG, &tr[i], &id[i]),
				0);
	for (k = 0; k < 40; k++) {
		for (n = 1; n <= 3; n++)
			mdc_sim_swap_next(cl->cl_sim, n);
		if (!mdc_sim_step(cl->cl_sim))
			break;
	}
	cl_run(30);
	for (i = 2; i < 6; i++) {
		CU_ASSERT_EQUAL(tr[i].tr_got, 1);
		for (n = 1; n <= 3; n++)
			CU_ASSERT(runs_of(n, &id[i], 0) <= 1);
	}
	cl_destroy();
}

/* A node that leaves while the master gathers is not waited for. */
static void test_node_leaves(void)
{
	struct treply tr = { 0 };
	struct mdc_msgid id;

	cl_create(3, 19);
	mdc_sim_hold(cl->cl_sim, 3, true);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &tr, &id), 0);
	while (mdc_sim_step(cl->cl_sim))
		;
	CU_ASSERT_EQUAL(tr.tr_got, 0);
	mdc_sim_crash(cl->cl_sim, 3);
	while (mdc_sim_step(cl->cl_sim))
		;
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(tr.tr_res.mr_failing_node, 0);
	cl_destroy();
}

/* Quorum: the minority side refuses; the majority goes on. */
static void test_partition(void)
{
	struct treply a = { 0 }, b = { 0 };

	cl_create(3, 20);
	mdc_sim_partition(cl->cl_sim, 1u << 2); /* {3} | {1, 2} */
	cl_run(2);
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST1, 0, &a, NULL), 0);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &b, NULL), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(a.tr_res.mr_comm_state, MDC_CS_NOQUORUM);
	CU_ASSERT_EQUAL(b.tr_got, 1);
	CU_ASSERT_EQUAL(b.tr_res.mr_comm_state, MDC_CS_ACK);
	mdc_sim_heal(cl->cl_sim);
	cl_run(2);
	/* Node 3 lost its master in the split; reconfiguration names it. */
	CU_ASSERT_EQUAL(mdc_core_master(core(3), SET), 0);
	memset(&a, 0, sizeof(a));
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST1, 0, &a, NULL), 0);
	cl_run(30);
	CU_ASSERT_EQUAL(a.tr_got, 1);
	CU_ASSERT_EQUAL(a.tr_res.mr_comm_state, MDC_CS_TIMEOUT);
	CU_ASSERT_EQUAL(mdc_core_set_master(core(3), SET, 1, NULL), 0);
	memset(&a, 0, sizeof(a));
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST1, 0, &a, NULL), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(a.tr_res.mr_comm_state, MDC_CS_ACK);
	cl_destroy();
}

/* The same seed gives the same run. */
static void test_deterministic(void)
{
	struct mdc_sim_stats s1, s2;
	struct treply tr[4];
	unsigned int run, i;
	uint32_t order[2][16];

	for (run = 0; run < 2; run++) {
		memset(tr, 0, sizeof(tr));
		cl_create(3, 4242);
		for (i = 0; i < 4; i++)
			CU_ASSERT_EQUAL(send_msg(1 + i % 3, MDC_MSG_TEST1, 0,
						 &tr[i], NULL),
					0);
		cl_run(10);
		for (i = 0; i < 4; i++)
			order[run][i] = cl->cl_nodes[2].tn_runs[i].rr_nid;
		mdc_sim_stats(cl->cl_sim, run ? &s2 : &s1);
		cl_destroy();
	}
	CU_ASSERT_EQUAL(memcmp(order[0], order[1], 4 * sizeof(uint32_t)), 0);
	CU_ASSERT_EQUAL(s1.ss_sent, s2.ss_sent);
	CU_ASSERT_EQUAL(s1.ss_delivered, s2.ss_delivered);
}

/* A message logged by a dead master and a new request of the same class:
 * the new one gets CLASS_BUSY and the logged one runs first. */
static void test_log_slot_busy(void)
{
	struct treply tr = { 0 }, nw = { 0 };
	struct mdc_msgid id, idn;
	meta_error_t e;

	cl_create(3, 21);
	cl->cl_crash = CRASH_AFTER_LOG_WRITE;
	CU_ASSERT_EQUAL(send_msg(3, MDC_MSG_TEST1, 0, &tr, &id), 0);
	while (mdc_sim_step(cl->cl_sim))
		;
	meta_error_init(&e);
	/* Node 2 is the new master and, before any replay and before node 3
	 * hears of it, sends a class-1 message of its own. */
	CU_ASSERT_EQUAL(mdc_core_set_master(core(2), SET, 2, &e), 0);
	CU_ASSERT_EQUAL(send_msg(2, MDC_MSG_TEST1, 0, &nw, &idn), 0);
	cl_run(0);
	CU_ASSERT_EQUAL(mdc_core_set_master(core(3), SET, 2, &e), 0);
	cl_run(20);
	CU_ASSERT_EQUAL(nw.tr_got, 1);
	CU_ASSERT_EQUAL(nw.tr_res.mr_comm_state, MDC_CS_CLASS_BUSY);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	CU_ASSERT_EQUAL(tr.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(runs_of(2, &id, 0), 1);
	CU_ASSERT_EQUAL(runs_of(3, &id, 0), 1);
	CU_ASSERT_EQUAL(runs_of(2, &idn, 0), 0);
	CU_ASSERT_EQUAL(resend_msg(2, MDC_MSG_TEST1, 0, &nw, &idn), 0);
	cl_run(10);
	CU_ASSERT_EQUAL(nw.tr_res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(runs_of(3, &idn, 0), 1);
	cl_destroy();
}

/*
 * Random traffic on random seeds: random senders, types, flags, with
 * duplicated, reordered and held deliveries.  Every request gets exactly
 * one answer, ACK (no handler fails here), and no node runs a message twice.
 */
static void test_random_traffic(void)
{
	static const uint32_t types[] = { MDC_MSG_TEST1, MDC_MSG_TEST2,
					  MDC_MSG_TEST3, MDC_MSG_TEST4,
					  MDC_MSG_TEST5, MDC_MSG_TEST6 };
	static const uint32_t flags[] = { 0, MDC_F_NO_LOG, MDC_F_NO_BCAST,
					  MDC_F_STOP_ON_ERROR,
					  MDC_F_PANIC_WHEN_INCONSISTENT };
	struct treply tr[40];
	uint64_t seed, x;
	unsigned int i, n, k, acks;

	for (seed = 1; seed <= 12; seed++) {
		memset(tr, 0, sizeof(tr));
		x = seed * 0x9e3779b97f4a7c15ull;
		cl_create(5, seed);
		for (i = 0; i < 40; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			n = 1 + (unsigned int)(x % 5);
			CU_ASSERT_EQUAL(send_msg(n, types[(x >> 8) % 6],
						 flags[(x >> 16) % 5], &tr[i],
						 NULL),
					0);
			switch ((x >> 24) % 6) {
			case 0:
				mdc_sim_dup_next(cl->cl_sim,
						 1 + (unsigned int)(x >> 32) %
								 5);
				break;
			case 1:
				mdc_sim_swap_next(cl->cl_sim,
						  1 + (unsigned int)(x >> 32) %
								  5);
				break;
			case 2:
				mdc_sim_hold(cl->cl_sim,
					     1 + (unsigned int)(x >> 32) % 5,
					     true);
				break;
			default:
				for (k = 1; k <= 5; k++)
					mdc_sim_hold(cl->cl_sim, k, false);
			}
			for (k = 0; k < (x >> 40) % 8; k++)
				(void)mdc_sim_step(cl->cl_sim);
		}
		for (k = 1; k <= 5; k++)
			mdc_sim_hold(cl->cl_sim, k, false);
		cl_run(600);
		acks = 0;
		for (i = 0; i < 40; i++) {
			CU_ASSERT_EQUAL(tr[i].tr_got, 1);
			if (tr[i].tr_res.mr_comm_state == MDC_CS_ACK)
				acks++;
		}
		CU_ASSERT_EQUAL(acks, 40); /* every handler answers 0 */
		for (n = 1; n <= 5; n++)
			for (k = 0; k < cl->cl_nodes[n].tn_nruns; k++)
				CU_ASSERT_EQUAL(
					cl->cl_nodes[n].tn_runs[k].rr_count, 1);
		CU_ASSERT_EQUAL(cl->cl_loguse, 0);
		CU_ASSERT(cl_idle());
		cl_destroy();
	}
}

static CU_TestInfo mdc_core_tests[] = {
	{ "random traffic: one answer each, no second run",
	  test_random_traffic },
	{ "one logged message", test_basic },
	{ "agreed order on every node", test_ordering },
	{ "master: one per (set, class)", test_master_one_per_class },
	{ "handlers send only higher classes", test_higher_class_rule },
	{ "submessages", test_submessages },
	{ "NO_BCAST and DIRECTED", test_nobcast_directed },
	{ "suspend ascending, resume descending", test_suspend_resume },
	{ "control operations", test_control },
	{ "result mismatch takes the action", test_mismatch },
	{ "STOP_ON_ERROR", test_stop_on_error },
	{ "choose master", test_choose_master },
	{ "master lost after logging: replay", test_master_loss_after_log },
	{ "master lost after WORK: replay", test_master_loss_after_work },
	{ "master lost before answering: replay",
	  test_master_loss_before_answer },
	{ "logged slot owed: CLASS_BUSY", test_log_slot_busy },
	{ "timeouts and retries", test_timeout_retry },
	{ "duplicates and reordering", test_duplicates_reorder },
	{ "node leaves during gather", test_node_leaves },
	{ "partition and quorum", test_partition },
	{ "same seed, same run", test_deterministic },
	CU_TEST_INFO_NULL,
};

/* ---- the local RPC interface ------------------------------------------ */

#define MONITOR_GID 4711

static volatile int pump_stop;

/* Deliver and tick in the background while the test thread makes calls. */
static void *pump(void *arg)
{
	uint64_t now = 0;
	unsigned int idle = 0;

	while (!__atomic_load_n(&pump_stop, __ATOMIC_ACQUIRE)) {
		if (mdc_sim_step(cl->cl_sim)) {
			idle = 0;
			continue;
		}
		if (++idle % 16 == 0) {
			now += 100;
			mdc_core_tick(core(1), now);
		}
		usleep(200);
	}
	return NULL;
}

static int retry_calls, retry_stop_at;

/* mdc_client_req.cr_retry for test_rpc: counts; resumes the set at its
 * second call; stops at call retry_stop_at. */
static int retry_hook(void *arg, uint32_t delay_ms, meta_error_t *ep)
{
	int answer;

	(void)arg;
	CU_ASSERT_EQUAL(delay_ms, 1000);
	if (++retry_calls == retry_stop_at)
		return meta_error_set(ep, ME_COMM_TIMEOUT, 0, NULL,
				      "the retry hook stopped");
	if (retry_calls == 2)
		CU_ASSERT_EQUAL(mdc_client_ctl(MDC_CLIENT_RESUME, SET, 0, 0,
					       &answer, ep),
				0);
	return 0;
}

/* In a child: drop to @gid/nobody and report what the daemon allows. */
static int child_as(gid_t gid)
{
	struct mdc_client_status st;
	struct mdc_client_req rq = { .cr_set = SET, .cr_type = MDC_MSG_TEST1 };
	struct mdc_result res;
	meta_error_t e;
	pid_t pid;
	int status, code = 0;

	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(gid) != 0 ||
		    setuid(65534) != 0)
			_exit(99);
		meta_error_init(&e);
		if (mdc_client_status(&st, &e) == 0)
			code |= 1;
		else if (e.me_code == ME_COMM_DENIED)
			code |= 2;
		meta_error_init(&e);
		if (mdc_client_send(&rq, &res, &e) == 0)
			code |= 4;
		else if (e.me_code == ME_COMM_DENIED)
			code |= 8;
		_exit(code);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_rpc(void)
{
	struct mdc_client_req rq = { .cr_set = SET, .cr_type = MDC_MSG_TEST1 };
	struct mdc_client_status st;
	struct mdc_result res;
	struct mdc_rpcsvc *svc;
	char path[256];
	meta_error_t e;
	pthread_t tid;
	int answer;

	cl_create(1, 30);
	VERIFY(oban_path(path, sizeof(path), OBAN_DIR_RUN, "mdcommd.sock"));
	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(
		mdc_rpcsvc_create(core(1), path, MONITOR_GID, &svc, &e), 0);
	pump_stop = 0;
	VERIFY0(pthread_create(&tid, NULL, pump, NULL));

	/* A message, through the socket, the core and back. */
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), 0);
	CU_ASSERT_EQUAL(res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(res.mr_id.mi_nid, 1);
	CU_ASSERT_EQUAL(runs_of(1, &res.mr_id, 0), 1);
	CU_ASSERT_EQUAL(res.mr_outlen, 5);
	CU_ASSERT_EQUAL(memcmp(res.mr_out, "TEST1", 5), 0);

	/* Control calls. */
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_SUSPEND, SET, 0, 0, &answer, &e), 0);
	CU_ASSERT_EQUAL(answer, MDC_CS_ACK);
	rq.cr_flags = MDC_F_FAIL_ON_SUSPEND;
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_SUSPENDED);
	CU_ASSERT_EQUAL(res.mr_comm_state, MDC_CS_SUSPENDED);
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_RESUME, SET, 0, 0, &answer, &e), 0);
	CU_ASSERT_EQUAL(answer, MDC_CS_ACK);
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), 0);
	CU_ASSERT_EQUAL(mdc_client_ping(SET, &res, &e), 0);
	CU_ASSERT_EQUAL(res.mr_comm_state, MDC_CS_ACK);
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_SUSPEND, 99, 0, 0, &answer, &e), 0);
	CU_ASSERT_EQUAL(answer, MDC_CS_EINVAL);
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_REPLAY, SET, 0, 0, &answer, &e), 0);
	CU_ASSERT_EQUAL(answer, 0); /* master, nothing logged */

	/*
	 * The retry hook: called before each retry (a SUSPENDED answer is
	 * retried every second); 0 retries, -1 stops the send with its own
	 * error.  Here its second call resumes the set: the third attempt
	 * runs.
	 */
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_SUSPEND, SET, 0, 0, &answer, &e), 0);
	rq.cr_flags = 0;
	rq.cr_retry = retry_hook;
	retry_calls = 0;
	retry_stop_at = 0;
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), 0);
	CU_ASSERT_EQUAL(retry_calls, 2);
	CU_ASSERT_EQUAL(res.mr_comm_state, MDC_CS_ACK);
	/* stopped by the hook at its first call: its error, not retried */
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_SUSPEND, SET, 0, 0, &answer, &e), 0);
	retry_calls = 0;
	retry_stop_at = 1;
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), -1);
	CU_ASSERT_EQUAL(retry_calls, 1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_TIMEOUT);
	CU_ASSERT_STRING_EQUAL(meta_strerror(&e),
			       "the retry hook stopped: no answer from the "
			       "cluster in time");
	CU_ASSERT_EQUAL(
		mdc_client_ctl(MDC_CLIENT_RESUME, SET, 0, 0, &answer, &e), 0);
	rq.cr_retry = NULL;

	/* Refusals: unknown type (client side), daemon-only flag (server). */
	rq.cr_type = 400;
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_UNKNOWN_TYPE);
	rq.cr_type = MDC_MSG_TEST1;
	rq.cr_flags = MDC_F_ON_MASTER;
	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_BADMSG);

	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_client_status(&st, &e), 0);
	CU_ASSERT_EQUAL(st.cs_nodeid, 1);
	CU_ASSERT_EQUAL(st.cs_members, 1);
	CU_ASSERT(st.cs_runs >= 3);
	{
		uint32_t ids[MDC_MAXNODES], master = 99;
		size_t n = 0;

		CU_ASSERT_EQUAL(mdc_client_members(ids, &n, &e), 0);
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_EQUAL(ids[0], 1);
		CU_ASSERT_EQUAL(mdc_client_master(SET, &master, &e), 0);
		CU_ASSERT_EQUAL(master, 1);
		CU_ASSERT_EQUAL(mdc_client_master(SET + 1, &master, &e), 0);
		CU_ASSERT_EQUAL(master, 0); /* not served */
		meta_error_init(&e);
		CU_ASSERT_EQUAL(mdc_client_master(99, &master, &e), -1);
		CU_ASSERT_EQUAL(e.me_code, ME_COMM_BADSET);
	}

	/* Credentials: the monitor group reads, nobody else gets in.  The
	 * scratch directory must let them reach the socket at all. */
	VERIFY0(chmod(ocu_tmpdir(), 0711));
	CU_ASSERT_EQUAL(child_as(MONITOR_GID), 1 | 8);
	CU_ASSERT_EQUAL(child_as(65534), 2 | 8);

	__atomic_store_n(&pump_stop, 1, __ATOMIC_RELEASE);
	VERIFY0(pthread_join(tid, NULL));
	mdc_rpcsvc_destroy(svc);
	/* No daemon: a clear error, no retries. */
	meta_error_init(&e);
	rq.cr_flags = 0;
	CU_ASSERT_EQUAL(mdc_client_send(&rq, &res, &e), -1);
	CU_ASSERT(e.me_code == ENOENT || e.me_code == ECONNREFUSED);
	cl_destroy();
}

static CU_TestInfo mdc_rpc_tests[] = {
	{ "client, server and credentials", test_rpc },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "mdc_table", NULL, NULL, mdc_table_tests },
	{ "mdc_wire", NULL, NULL, mdc_wire_tests },
	{ "mdc_mct", NULL, NULL, mdc_mct_tests },
	{ "mdc_dbg", NULL, NULL, mdc_dbg_tests },
	{ "mdc_core", NULL, NULL, mdc_core_tests },
	{ "mdc_rpc", NULL, NULL, mdc_rpc_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	char run[512];

	/* The daemon's socket lives in this binary's own run directory. */
	ocu_path(run, sizeof(run), "run");
	VERIFY0(mkdir(run, 0755));
	VERIFY0(setenv("OBAN_RUNDIR", run, 1));
	return ocu_main(argc, argv, suites);
}
