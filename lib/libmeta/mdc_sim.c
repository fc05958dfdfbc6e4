// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The deterministic transport simulator; see include/oban/mdc_sim.h.
 *
 * Events (a packet, or a configuration change) are reference counted and
 * shared by the queues of the nodes that will deliver them.  Each node's
 * queue is an array in global send order.  The scheduler draws a node among
 * those with a deliverable head (alive, not held, queue not empty) from a
 * xorshift64* generator, so a seed names a run.  Nothing here sleeps or
 * reads the clock.
 *
 * Lock: sm_lock (recursive, struct mdc_sim) protects the queues, the
 * nodes' state and the counters, so that a test may send from another
 * thread (the RPC server's) while one thread steps.  mdc_sim_step() drops
 * it while it delivers, so the receiver may multicast.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_sim.h>

#define SIM_MAXNODES 64

enum sim_evkind { SIM_EV_PKT = 1, SIM_EV_CONF = 2 };

struct sim_event {
	int se_refs;
	enum sim_evkind se_kind;
	uint32_t se_from;
	size_t se_len;
	uint8_t *se_buf;
	uint32_t se_members[SIM_MAXNODES];
	size_t se_nmembers;
	bool se_quorate;
};

struct sim_node {
	struct mdc_sim *sn_sim;
	uint32_t sn_id;
	bool sn_alive;
	bool sn_joined;
	bool sn_held;
	bool sn_dup_next;
	int sn_crash_after; /* -1: no crash planned */
	unsigned int sn_component; /* 0 or 1 */
	const struct mdc_transport_cb *sn_cb;
	void *sn_cbarg;
	struct mdc_transport sn_transport;
	struct sim_event **sn_q;
	size_t sn_qlen;
	size_t sn_qcap;
};

struct mdc_sim {
	pthread_mutex_t sm_lock; /* protects everything in the simulator */
	unsigned int sm_n;
	uint64_t sm_rng;
	struct sim_node sm_nodes[SIM_MAXNODES + 1]; /* [0] unused */
	struct mdc_sim_stats sm_stats;
};

static void sim_lock(struct mdc_sim *sim)
{
	VERIFY0(pthread_mutex_lock(&sim->sm_lock));
}

static void sim_unlock(struct mdc_sim *sim)
{
	VERIFY0(pthread_mutex_unlock(&sim->sm_lock));
}

static uint64_t sim_rand(struct mdc_sim *sim)
{
	uint64_t x = sim->sm_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sim->sm_rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void sim_event_rele(struct sim_event *ev)
{
	if (--ev->se_refs > 0)
		return;
	free(ev->se_buf);
	free(ev);
}

static void sim_enqueue(struct sim_node *sn, struct sim_event *ev)
{
	if (sn->sn_qlen == sn->sn_qcap) {
		size_t cap = sn->sn_qcap ? sn->sn_qcap * 2 : 16;
		struct sim_event **q = realloc(sn->sn_q, cap * sizeof(*q));

		VERIFY(q != NULL);
		sn->sn_q = q;
		sn->sn_qcap = cap;
	}
	sn->sn_q[sn->sn_qlen++] = ev;
	ev->se_refs++;
}

/* The live, joined members of component @comp, and whether it is quorate. */
static struct sim_event *sim_conf_event(struct mdc_sim *sim, unsigned int comp)
{
	struct sim_event *ev = calloc(1, sizeof(*ev));
	unsigned int i;

	VERIFY(ev != NULL);
	ev->se_kind = SIM_EV_CONF;
	for (i = 1; i <= sim->sm_n; i++) {
		struct sim_node *sn = &sim->sm_nodes[i];

		if (sn->sn_alive && sn->sn_joined && sn->sn_component == comp)
			ev->se_members[ev->se_nmembers++] = i;
	}
	ev->se_quorate = ev->se_nmembers * 2 > sim->sm_n;
	return ev;
}

/* Queue a configuration change for every live member of @comp. */
static void sim_confchg(struct mdc_sim *sim, unsigned int comp)
{
	struct sim_event *ev = sim_conf_event(sim, comp);
	size_t i;

	ev->se_refs = 1;
	for (i = 0; i < ev->se_nmembers; i++)
		sim_enqueue(&sim->sm_nodes[ev->se_members[i]], ev);
	sim->sm_stats.ss_confchg++;
	sim_event_rele(ev);
}

static void sim_bind_locked(void *tp, const struct mdc_transport_cb *cb,
			    void *arg)
{
	struct sim_node *sn = tp;

	sn->sn_cb = cb;
	sn->sn_cbarg = arg;
}

static int sim_join_locked(void *tp, const char *name, meta_error_t *ep)
{
	struct sim_node *sn = tp;

	if (!sn->sn_alive)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT),
				      sn->sn_id, name, "cannot join group");
	sn->sn_joined = true;
	sim_confchg(sn->sn_sim, sn->sn_component);
	return 0;
}

static int sim_leave_locked(void *tp, meta_error_t *ep)
{
	struct sim_node *sn = tp;

	sn->sn_joined = false;
	sim_confchg(sn->sn_sim, sn->sn_component);
	return 0;
}

static void sim_drop_queue(struct sim_node *sn)
{
	while (sn->sn_qlen > 0)
		sim_event_rele(sn->sn_q[--sn->sn_qlen]);
}

static void mdc_sim_crash_locked(struct mdc_sim *sim, uint32_t node)
{
	struct sim_node *sn;

	VERIFY(node >= 1 && node <= sim->sm_n);
	sn = &sim->sm_nodes[node];
	if (!sn->sn_alive)
		return;
	sn->sn_alive = false;
	sim_drop_queue(sn);
	if (sn->sn_joined)
		sim_confchg(sim, sn->sn_component);
}

static int sim_mcast_locked(void *tp, const void *buf, size_t len,
			    meta_error_t *ep)
{
	struct sim_node *sn = tp;
	struct mdc_sim *sim = sn->sn_sim;
	struct sim_event *ev;
	unsigned int i, copies;

	if (!sn->sn_alive) {
		/* A dead node's sends are lost; it cannot tell. */
		sim->sm_stats.ss_lost++;
		return 0;
	}
	if (!sn->sn_joined)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT),
				      sn->sn_id, NULL,
				      "cannot multicast: not joined");
	ev = calloc(1, sizeof(*ev));
	VERIFY(ev != NULL);
	ev->se_buf = malloc(len ? len : 1);
	VERIFY(ev->se_buf != NULL);
	memcpy(ev->se_buf, buf, len);
	ev->se_len = len;
	ev->se_kind = SIM_EV_PKT;
	ev->se_from = sn->sn_id;
	ev->se_refs = 1;
	copies = sn->sn_dup_next ? 2 : 1;
	if (sn->sn_dup_next) {
		sn->sn_dup_next = false;
		sim->sm_stats.ss_duplicated++;
	}
	for (; copies > 0; copies--)
		for (i = 1; i <= sim->sm_n; i++) {
			struct sim_node *dn = &sim->sm_nodes[i];

			if (dn->sn_alive && dn->sn_joined &&
			    dn->sn_component == sn->sn_component)
				sim_enqueue(dn, ev);
		}
	sim_event_rele(ev);
	sim->sm_stats.ss_sent++;
	if (sn->sn_crash_after > 0 && --sn->sn_crash_after == 0) {
		sn->sn_crash_after = -1;
		mdc_sim_crash(sim, sn->sn_id);
	}
	return 0;
}

static int sim_dispatch(void *tp, int timeout_ms, meta_error_t *ep)
{
	return 0; /* the test drives delivery with mdc_sim_step() */
}

static int sim_fd(void *tp)
{
	return -1;
}

static uint32_t sim_nodeid(void *tp)
{
	return ((struct sim_node *)tp)->sn_id;
}

static bool sim_quorate_locked(void *tp)
{
	struct sim_node *sn = tp;
	struct mdc_sim *sim = sn->sn_sim;
	unsigned int i, n = 0;

	for (i = 1; i <= sim->sm_n; i++)
		if (sim->sm_nodes[i].sn_alive &&
		    sim->sm_nodes[i].sn_component == sn->sn_component)
			n++;
	return n * 2 > sim->sm_n;
}

static void sim_destroy_tp(void *tp)
{
	/* The simulator owns its nodes: see mdc_sim_destroy(). */
}

static void sim_bind(void *tp, const struct mdc_transport_cb *cb, void *arg)
{
	struct mdc_sim *sm_ = ((struct sim_node *)tp)->sn_sim;

	sim_lock(sm_);
	sim_bind_locked(tp, cb, arg);
	sim_unlock(sm_);
}

static int sim_join(void *tp, const char *name, meta_error_t *ep)
{
	struct mdc_sim *sm_ = ((struct sim_node *)tp)->sn_sim;
	int r_;

	sim_lock(sm_);
	r_ = sim_join_locked(tp, name, ep);
	sim_unlock(sm_);
	return r_;
}

static int sim_leave(void *tp, meta_error_t *ep)
{
	struct mdc_sim *sm_ = ((struct sim_node *)tp)->sn_sim;
	int r_;

	sim_lock(sm_);
	r_ = sim_leave_locked(tp, ep);
	sim_unlock(sm_);
	return r_;
}

static int sim_mcast(void *tp, const void *buf, size_t len, meta_error_t *ep)
{
	struct mdc_sim *sm_ = ((struct sim_node *)tp)->sn_sim;
	int r_;

	sim_lock(sm_);
	r_ = sim_mcast_locked(tp, buf, len, ep);
	sim_unlock(sm_);
	return r_;
}

static bool sim_quorate(void *tp)
{
	struct mdc_sim *sm_ = ((struct sim_node *)tp)->sn_sim;
	bool r_;

	sim_lock(sm_);
	r_ = sim_quorate_locked(tp);
	sim_unlock(sm_);
	return r_;
}

static const struct mdc_transport_ops mdc_sim_ops = {
	.to_name = "sim",
	.to_bind = sim_bind,
	.to_join = sim_join,
	.to_leave = sim_leave,
	.to_mcast = sim_mcast,
	.to_dispatch = sim_dispatch,
	.to_fd = sim_fd,
	.to_nodeid = sim_nodeid,
	.to_quorate = sim_quorate,
	.to_destroy = sim_destroy_tp,
};

struct mdc_sim *mdc_sim_create(unsigned int n, uint64_t seed)
{
	struct mdc_sim *sim;
	unsigned int i;

	if (n == 0 || n > SIM_MAXNODES)
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (sim == NULL)
		return NULL;
	{
		pthread_mutexattr_t ma;

		VERIFY0(pthread_mutexattr_init(&ma));
		VERIFY0(pthread_mutexattr_settype(&ma,
						  PTHREAD_MUTEX_RECURSIVE));
		VERIFY0(pthread_mutex_init(&sim->sm_lock, &ma));
		pthread_mutexattr_destroy(&ma);
	}
	sim->sm_n = n;
	sim->sm_rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	for (i = 1; i <= n; i++) {
		struct sim_node *sn = &sim->sm_nodes[i];

		sn->sn_sim = sim;
		sn->sn_id = i;
		sn->sn_alive = true;
		sn->sn_crash_after = -1;
		sn->sn_transport.t_ops = &mdc_sim_ops;
		sn->sn_transport.t_priv = sn;
	}
	return sim;
}

void mdc_sim_destroy(struct mdc_sim *sim)
{
	unsigned int i;

	if (sim == NULL)
		return;
	for (i = 1; i <= sim->sm_n; i++) {
		sim_drop_queue(&sim->sm_nodes[i]);
		free(sim->sm_nodes[i].sn_q);
	}
	pthread_mutex_destroy(&sim->sm_lock);
	free(sim);
}

struct mdc_transport *mdc_sim_transport(struct mdc_sim *sim, uint32_t node)
{
	VERIFY(node >= 1 && node <= sim->sm_n);
	return &sim->sm_nodes[node].sn_transport;
}

static bool sim_deliverable(const struct sim_node *sn)
{
	return sn->sn_alive && !sn->sn_held && sn->sn_qlen > 0;
}

bool mdc_sim_step(struct mdc_sim *sim)
{
	const struct mdc_transport_cb *cb;
	uint32_t ready[SIM_MAXNODES];
	struct sim_event *ev;
	struct sim_node *sn;
	unsigned int i, nready = 0;
	void *cbarg;

	sim_lock(sim);
	for (i = 1; i <= sim->sm_n; i++)
		if (sim_deliverable(&sim->sm_nodes[i]))
			ready[nready++] = i;
	if (nready == 0) {
		sim_unlock(sim);
		return false;
	}
	sn = &sim->sm_nodes[ready[sim_rand(sim) % nready]];
	ev = sn->sn_q[0];
	memmove(sn->sn_q, sn->sn_q + 1, (sn->sn_qlen - 1) * sizeof(*sn->sn_q));
	sn->sn_qlen--;
	cb = sn->sn_cb;
	cbarg = sn->sn_cbarg;
	if (cb != NULL && ev->se_kind == SIM_EV_PKT)
		sim->sm_stats.ss_delivered++;
	sim_unlock(sim);
	/* Delivered unlocked: the receiver multicasts from its callbacks. */
	if (cb != NULL) {
		if (ev->se_kind == SIM_EV_PKT) {
			cb->tc_deliver(cbarg, ev->se_from, ev->se_buf,
				       ev->se_len);
		} else {
			cb->tc_quorum(cbarg, ev->se_quorate);
			cb->tc_confchg(cbarg, ev->se_members, ev->se_nmembers);
		}
	}
	sim_lock(sim);
	sim_event_rele(ev);
	sim_unlock(sim);
	return true;
}

static size_t mdc_sim_pending_locked(const struct mdc_sim *sim, uint32_t node)
{
	size_t n = 0;
	unsigned int i;

	if (node != 0)
		return sim->sm_nodes[node].sn_qlen;
	for (i = 1; i <= sim->sm_n; i++)
		n += sim->sm_nodes[i].sn_qlen;
	return n;
}

static void mdc_sim_crash_after_locked(struct mdc_sim *sim, uint32_t node,
				       unsigned int k)
{
	VERIFY(node >= 1 && node <= sim->sm_n);
	if (k == 0)
		mdc_sim_crash(sim, node);
	else
		sim->sm_nodes[node].sn_crash_after = (int)k;
}

static bool mdc_sim_alive_locked(const struct mdc_sim *sim, uint32_t node)
{
	return node >= 1 && node <= sim->sm_n && sim->sm_nodes[node].sn_alive;
}

static void mdc_sim_dup_next_locked(struct mdc_sim *sim, uint32_t node)
{
	VERIFY(node >= 1 && node <= sim->sm_n);
	sim->sm_nodes[node].sn_dup_next = true;
}

static void mdc_sim_hold_locked(struct mdc_sim *sim, uint32_t node, bool hold)
{
	VERIFY(node >= 1 && node <= sim->sm_n);
	sim->sm_nodes[node].sn_held = hold;
}

static void mdc_sim_swap_next_locked(struct mdc_sim *sim, uint32_t node)
{
	struct sim_node *sn;
	struct sim_event *t;

	VERIFY(node >= 1 && node <= sim->sm_n);
	sn = &sim->sm_nodes[node];
	if (sn->sn_qlen < 2)
		return;
	t = sn->sn_q[0];
	sn->sn_q[0] = sn->sn_q[1];
	sn->sn_q[1] = t;
}

static void mdc_sim_partition_locked(struct mdc_sim *sim, uint64_t side)
{
	unsigned int i;

	for (i = 1; i <= sim->sm_n; i++)
		sim->sm_nodes[i].sn_component = (side >> (i - 1)) & 1 ? 1u : 0u;
	sim_confchg(sim, 0);
	sim_confchg(sim, 1);
}

static void mdc_sim_heal_locked(struct mdc_sim *sim)
{
	unsigned int i;

	for (i = 1; i <= sim->sm_n; i++)
		sim->sm_nodes[i].sn_component = 0;
	sim_confchg(sim, 0);
}

static void mdc_sim_stats_locked(const struct mdc_sim *sim,
				 struct mdc_sim_stats *st)
{
	*st = sim->sm_stats;
}

void mdc_sim_crash(struct mdc_sim *sim, uint32_t node)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_crash_locked(sim, node);
	sim_unlock(sm_);
}

size_t mdc_sim_pending(const struct mdc_sim *sim, uint32_t node)
{
	struct mdc_sim *sm_ = (struct mdc_sim *)(uintptr_t)sim;
	size_t r_;

	sim_lock(sm_);
	r_ = mdc_sim_pending_locked(sim, node);
	sim_unlock(sm_);
	return r_;
}

void mdc_sim_crash_after(struct mdc_sim *sim, uint32_t node, unsigned int k)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_crash_after_locked(sim, node, k);
	sim_unlock(sm_);
}

bool mdc_sim_alive(const struct mdc_sim *sim, uint32_t node)
{
	struct mdc_sim *sm_ = (struct mdc_sim *)(uintptr_t)sim;
	bool r_;

	sim_lock(sm_);
	r_ = mdc_sim_alive_locked(sim, node);
	sim_unlock(sm_);
	return r_;
}

void mdc_sim_dup_next(struct mdc_sim *sim, uint32_t node)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_dup_next_locked(sim, node);
	sim_unlock(sm_);
}

void mdc_sim_hold(struct mdc_sim *sim, uint32_t node, bool hold)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_hold_locked(sim, node, hold);
	sim_unlock(sm_);
}

void mdc_sim_swap_next(struct mdc_sim *sim, uint32_t node)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_swap_next_locked(sim, node);
	sim_unlock(sm_);
}

void mdc_sim_partition(struct mdc_sim *sim, uint64_t side)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_partition_locked(sim, side);
	sim_unlock(sm_);
}

void mdc_sim_heal(struct mdc_sim *sim)
{
	struct mdc_sim *sm_ = sim;

	sim_lock(sm_);
	mdc_sim_heal_locked(sim);
	sim_unlock(sm_);
}

void mdc_sim_stats(const struct mdc_sim *sim, struct mdc_sim_stats *st)
{
	struct mdc_sim *sm_ = (struct mdc_sim *)(uintptr_t)sim;

	sim_lock(sm_);
	mdc_sim_stats_locked(sim, st);
	sim_unlock(sm_);
}
