/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cluster transport under mdcommd, behind an ops table.
 *
 * What mdcommd needs from the cluster is small: join one process group,
 * multicast a packet to every member in one agreed total order (every
 * member, the sender included, delivers the same packets in the same
 * order), and hear of membership changes and of quorum, ordered with the
 * packets (extended virtual synchrony: between two membership changes every
 * member delivers the same packets).  Two implementations:
 *
 *   mdc_cpg      Corosync CPG (daemons/mdcommd/mdc_cpg.c): CPG_TYPE_AGREED,
 *                totem configuration changes, flow control, libquorum.
 *   mdc_sim      a deterministic simulator of N nodes in one process
 *                (include/oban/mdc_sim.h), with a seeded scheduler and
 *                fault hooks, for the unit tests.
 *
 * The transport calls the struct mdc_transport_cb given to to_bind() from
 * inside to_dispatch() (CPG) or mdc_sim_step() (simulator), never from
 * another thread and never from inside to_mcast(), so the receiver may
 * multicast from its callbacks.
 */
#ifndef OBAN_MDC_TRANSPORT_H
#define OBAN_MDC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>

struct mdc_transport_cb {
	/* One packet, in agreed order; @from is the sending node. */
	void (*tc_deliver)(void *arg, uint32_t from, const void *buf,
			   size_t len);
	/* The group's members now (ascending node ids, at most 128). */
	void (*tc_confchg)(void *arg, const uint32_t *members, size_t n);
	/* Quorum gained or lost. */
	void (*tc_quorum)(void *arg, bool quorate);
};

struct mdc_transport_ops {
	const char *to_name;
	/* Register the receiver; called once, before to_join(). */
	void (*to_bind)(void *tp, const struct mdc_transport_cb *cb, void *arg);
	/* Join the group @name.  Errors: ME_COMM_TRANSPORT. */
	int (*to_join)(void *tp, const char *name, meta_error_t *ep);
	int (*to_leave)(void *tp, meta_error_t *ep);
	/*
	 * Multicast @len bytes to every member (the sender too), agreed
	 * order.  Flow control is the transport's business: it retries a
	 * full queue for a bounded time, then fails with ME_COMM_BUSY.
	 * Other errors: ME_COMM_TRANSPORT, ME_COMM_TOOBIG.
	 */
	int (*to_mcast)(void *tp, const void *buf, size_t len,
			meta_error_t *ep);
	/* Deliver what is pending; wait up to @timeout_ms (-1: for ever). */
	int (*to_dispatch)(void *tp, int timeout_ms, meta_error_t *ep);
	/* A descriptor to poll for to_dispatch(), or -1. */
	int (*to_fd)(void *tp);
	/* This node's id (1..128). */
	uint32_t (*to_nodeid)(void *tp);
	/* Whether the cluster is quorate now. */
	bool (*to_quorate)(void *tp);
	void (*to_destroy)(void *tp);
};

struct mdc_transport {
	const struct mdc_transport_ops *t_ops;
	void *t_priv;
};

/*
 * mdc_cpg_create - the Corosync CPG transport (built into mdcommd, not into
 * libmeta, so that libmeta does not link libcpg).  Errors:
 * ME_COMM_TRANSPORT (corosync not running, ...), ENOMEM.
 */
int mdc_cpg_create(struct mdc_transport *t, meta_error_t *ep);

#endif /* OBAN_MDC_TRANSPORT_H */
