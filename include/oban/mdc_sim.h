/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A deterministic, in-process simulator of the mdcommd transport: N nodes
 * (ids 1..N, N <= 64) in one process, each with its own struct mdc_transport.
 *
 * Agreed order: a multicast gets the next global sequence number when it is
 * sent and is appended, in that order, to the delivery queue of every live
 * node in the sender's component (the sender included).  mdc_sim_step()
 * picks one node that has something to deliver, chosen by a PRNG seeded by
 * the caller, and delivers the head of its queue: so every node sees the
 * same order, while the interleaving between nodes varies with the seed,
 * and the same seed always gives the same run.
 *
 * Membership changes are queued like packets (extended virtual
 * synchrony): a crash appends, after everything the dead node sent, one
 * configuration change to every survivor.  Quorum: a component holding
 * more than half of the N nodes is quorate.
 *
 * Fault hooks:
 *   mdc_sim_crash()        node stops now: what it sends from now on is
 *                          lost, nothing more is delivered to it;
 *   mdc_sim_crash_after()  the node crashes right after its next K sends;
 *   mdc_sim_dup_next()     the next packet a node sends is delivered twice;
 *   mdc_sim_hold()         stop (or resume) delivering to one node (a slow
 *                          node: its queue keeps its order);
 *   mdc_sim_swap_next()    swap the next two packets queued for one node
 *                          (out of order, a fault CPG itself never makes);
 *   mdc_sim_partition()    split the nodes in two components; _heal() joins.
 *
 * Threading: one mutex guards the simulator, so sends may come from other
 * threads while one thread steps; deliveries happen in the stepping thread.
 */
#ifndef OBAN_MDC_SIM_H
#define OBAN_MDC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oban/mdc_transport.h>

struct mdc_sim;

/* mdc_sim_create - @n nodes (1..64), PRNG @seed.  NULL on ENOMEM. */
struct mdc_sim *mdc_sim_create(unsigned int n, uint64_t seed);
void mdc_sim_destroy(struct mdc_sim *sim);

/* mdc_sim_transport - node @node's transport (owned by the simulator). */
struct mdc_transport *mdc_sim_transport(struct mdc_sim *sim, uint32_t node);

/*
 * mdc_sim_step - deliver one queued event.  Returns true if one was
 * delivered, false when nothing deliverable is left.
 */
bool mdc_sim_step(struct mdc_sim *sim);

/* mdc_sim_pending - events queued for @node (0: for every node). */
size_t mdc_sim_pending(const struct mdc_sim *sim, uint32_t node);

void mdc_sim_crash(struct mdc_sim *sim, uint32_t node);
void mdc_sim_crash_after(struct mdc_sim *sim, uint32_t node, unsigned int k);
bool mdc_sim_alive(const struct mdc_sim *sim, uint32_t node);
void mdc_sim_dup_next(struct mdc_sim *sim, uint32_t node);
void mdc_sim_hold(struct mdc_sim *sim, uint32_t node, bool hold);
void mdc_sim_swap_next(struct mdc_sim *sim, uint32_t node);
/* mdc_sim_partition - nodes whose bit is set in @side (bit i = node i+1)
 * form one component, the others the second. */
void mdc_sim_partition(struct mdc_sim *sim, uint64_t side);
void mdc_sim_heal(struct mdc_sim *sim);

/* Counters: packets sent, delivered, lost (dead sender), duplicated. */
struct mdc_sim_stats {
	uint64_t ss_sent;
	uint64_t ss_delivered;
	uint64_t ss_lost;
	uint64_t ss_duplicated;
	uint64_t ss_confchg;
};
void mdc_sim_stats(const struct mdc_sim *sim, struct mdc_sim_stats *st);

#endif /* OBAN_MDC_SIM_H */
