/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mdcommd core: the state machine that takes messages from local
 * initiators, runs them through the set's master on every node, and gives
 * each initiator exactly one answer.  The theory is at the top of
 * lib/libmeta/mdc_core.c.
 *
 * The core knows neither the cluster nor the disks.  It reaches the cluster
 * through a struct mdc_transport (mdc_transport.h) and the node's storage
 * through a struct mdc_store_ops given at creation:
 *
 *   change log    so_log_write / so_log_clear / so_log_read_all: the set's
 *                 16 change-log slots (slot i for class i) in the set's
 *                 replicas; only the master calls them;
 *   handlers      so_run: run the handler of a message on this node;
 *   completion    so_mct_check / so_mct_mark: this node's message
 *                 completion table (mdc_mct.h is the LMDB one).
 *
 * Time is given, not read: mdc_core_tick(now_ms) advances the core's clock
 * and fires timeouts, so that the simulator runs in virtual time.
 *
 * Threading.  Every public function takes the core's lock (mc_lock) and
 * may be called from any thread.  Reply callbacks (mdc_reply_fn) are
 * called after the lock is dropped, in the thread of the call that
 * completed them, so a callback may call back into the core.  Store
 * operations and the transport's to_mcast are called with mc_lock held:
 * they must not call into the core.  A handler that wants to send a message
 * uses mdc_hctx_send(), which queues the send until the handler returns.
 */
#ifndef OBAN_MDC_CORE_H
#define OBAN_MDC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_mct.h>
#include <oban/mdc_msg.h>
#include <oban/mdc_transport.h>

struct mdc_core;
struct mdc_hctx;
struct mdc_dbg;

/* What the master does when a node's result differs from its own. */
enum mdc_incons_action {
	MDC_INCONS_FENCE = 0, /* have the cluster fence this (master) node */
	MDC_INCONS_LEAVE = 1, /* stop oban's daemons here and leave (tests) */
};

/* Control events, reported to cc_event in the order they happen. */
enum mdc_event {
	MDC_EV_SUSPEND = 1, /* class @cls of @set is now suspended */
	MDC_EV_RESUME = 2, /* class @cls of @set is no longer suspended */
	MDC_EV_INCONSISTENT = 3, /* the inconsistency action was taken */
};

struct mdc_store_ops {
	/*
	 * Write @msg into the change-log slot of its class.  Returns 0 when
	 * written (or when the slot already holds the same message id),
	 * 1 when the slot holds a different message (copied into @other),
	 * -1 on failure.
	 */
	int (*so_log_write)(void *arg, const struct mdc_msg *msg,
			    struct mdc_msg *other, meta_error_t *ep);
	/*
	 * Clear the slot of class @cls of @set: when this returns, every
	 * reader finds the slot empty.  The store may leave making that
	 * durable to so_log_settle.  0 or -1.
	 */
	int (*so_log_clear)(void *arg, uint32_t set, unsigned int cls,
			    meta_error_t *ep);
	/*
	 * Optional (may be NULL): make @set's last clear durable.  Called
	 * after the answer to the cleared message was sent (doc/mdcommd.md
	 * 5).  Called with the core's lock held; must not call the core.
	 */
	void (*so_log_settle)(void *arg, uint32_t set);
	/*
	 * Read every slot of @set: bit i of *@inuse says slot i holds a
	 * message, copied into @slots[i].  0 or -1.
	 */
	int (*so_log_read_all)(void *arg, uint32_t set,
			       struct mdc_msg slots[MDC_LOG_SLOTS],
			       uint32_t *inuse, meta_error_t *ep);
	/*
	 * Run the handler of @msg on this node; @flags is MDC_F_ON_MASTER,
	 * MDC_F_ON_SLAVE or MDC_F_ON_INITIATOR (a LOCAL_ONLY message).  Fill
	 * @res's exit value and output.  Return 0, or -1 if the handler could
	 * not be run at all (the answer is then HANDLER_FAILED).  May call
	 * mdc_hctx_send(@hc, ...) and nothing else of the core.
	 */
	int (*so_run)(void *arg, const struct mdc_msg *msg, uint32_t flags,
		      struct mdc_hctx *hc, struct mdc_result *res);
	/* mdc_mct_check() and mdc_mct_mark() of this node's table. */
	int (*so_mct_check)(void *arg, const struct mdc_msg *msg,
			    struct mdc_result *res, meta_error_t *ep);
	int (*so_mct_mark)(void *arg, const struct mdc_msg *msg,
			   enum mdc_mct_state state,
			   const struct mdc_result *res, meta_error_t *ep);
	/*
	 * Optional (may be NULL).  The core no longer vouches that @set's
	 * change log (0: every set's) is as this node, its master, last
	 * left it: the set was given a master (any mdc_core_set_master()),
	 * or the group's membership or quorum changed.  Until then, a slot
	 * this node cleared as master cannot have been written by anyone
	 * else (only a master writes the log, and another node becomes
	 * master only through one of these), so a store may skip reading it
	 * before the next write.  Called with the core's lock held; must
	 * not call the core.
	 */
	void (*so_log_forget)(void *arg, uint32_t set);
};

struct mdc_core_config {
	const struct mdc_store_ops *cc_store;
	void *cc_store_arg;
	enum mdc_incons_action cc_action;
	/* Called (lock held) when the action is due; may be NULL. */
	void (*cc_inconsistent)(void *arg, enum mdc_incons_action action,
				const struct mdc_msg *msg,
				const struct mdc_result *mine,
				const struct mdc_result *theirs);
	/* Control events, for logs and tests (lock held); may be NULL. */
	void (*cc_event)(void *arg, enum mdc_event ev, uint32_t set,
			 unsigned int cls);
	/*
	 * reinit: read @set's node list into @nodes (at most MDC_MAXNODES),
	 * *@n its length.  NULL: every member of the group belongs.
	 */
	int (*cc_nodelist)(void *arg, uint32_t set, uint32_t *nodes, size_t *n,
			   meta_error_t *ep);
	void *cc_arg;
	struct mdc_dbg *cc_dbg; /* debug output, or NULL */
	uint64_t cc_seq0; /* first message sequence (daemon: the clock) */
};

/* A request from a local initiator. */
struct mdc_send {
	uint32_t sd_set;
	uint32_t sd_type;
	uint32_t sd_flags;
	uint32_t sd_recipient; /* DIRECTED: the node; else 0 */
	const void *sd_data;
	uint32_t sd_len;
	/* A retry or a replay: send with this id instead of a new one. */
	const struct mdc_msgid *sd_id;
	/* A replay: the node that wants the result (else this node). */
	uint32_t sd_sender;
};

/*
 * The one answer to every accepted request: called exactly once, after
 * the core's lock is dropped.  @res is valid only during the call.
 */
typedef void (*mdc_reply_fn)(void *cookie, const struct mdc_result *res);

/*
 * mdc_core_create - a core for this node, bound to @t (not joined yet).
 * @cfg is copied.  Errors: ENOMEM, ME_USAGE (missing store op).
 */
int mdc_core_create(const struct mdc_core_config *cfg, struct mdc_transport *t,
		    struct mdc_core **cp, meta_error_t *ep);

/*
 * mdc_core_destroy - answer every pending request with RPC_FAIL (their
 * callbacks run here) and free the core.  The transport is not destroyed.
 */
void mdc_core_destroy(struct mdc_core *c);

/* mdc_core_join - join the transport group @name (one group per cluster). */
int mdc_core_join(struct mdc_core *c, const char *name, meta_error_t *ep);

/*
 * mdc_core_send - submit a message for the cluster.
 *
 * @s     the request; the data is copied.
 * @fn    the reply callback, called exactly once if 0 is returned.
 * @idp   out, may be NULL: the message id (for a retry with sd_id).
 *
 * Returns -1 without calling @fn only for a request that can never be
 * valid: ME_COMM_UNKNOWN_TYPE, ME_COMM_BADFLAGS (a daemon-only flag),
 * ME_COMM_TOOBIG, ME_COMM_BADSET.  Every other outcome, including
 * refusals (SUSPENDED, CLASS_LOCKED, NOT_JOINED, NOQUORUM, ABORT), comes
 * through @fn.  A request whose (set, class) already has one in flight
 * from this node waits in a queue.
 */
int mdc_core_send(struct mdc_core *c, const struct mdc_send *s, mdc_reply_fn fn,
		  void *cookie, struct mdc_msgid *idp, meta_error_t *ep);

/*
 * mdc_hctx_send - send from inside a handler (so_run).  The class of
 * @s->sd_type must be higher than the class of the running message, else
 * -1 with ME_COMM_CLASS_ORDER.  The parent's REPLAY and OVERRIDE_SUSPEND
 * bits are inherited.  The send is submitted when the handler returns;
 * @fn is then called as for mdc_core_send().  At most MDC_MAXSUBMSGS sends
 * per handler run (ME_COMM_BUSY beyond).
 */
int mdc_hctx_send(struct mdc_hctx *hc, const struct mdc_send *s,
		  mdc_reply_fn fn, void *cookie, meta_error_t *ep);

/* mdc_hctx_node - the node the handler runs on. */
uint32_t mdc_hctx_node(const struct mdc_hctx *hc);

/* Feed from the transport (mdc_core_join binds these itself). */
void mdc_core_tick(struct mdc_core *c, uint64_t now_ms);

/*
 * Masters.  mdc_core_set_master - @set is joined on this node and @master
 * is its master (0: this node leaves the set).  Requests that were waiting
 * for a master, and requests in flight to a master that left, are sent to
 * the new one (with their ids: the completion tables make that safe).
 */
int mdc_core_set_master(struct mdc_core *c, uint32_t set, uint32_t master,
			meta_error_t *ep);
uint32_t mdc_core_master(struct mdc_core *c, uint32_t set);
/* Whether @set is joined here: set with a master, not left (master 0 by
 * mdc_core_set_master()); a master lost with the membership keeps it. */
bool mdc_core_joined(struct mdc_core *c, uint32_t set);
/*
 * How many times this node has lost quorum since the core was created: a
 * change means the cluster may have changed sets without this node, even
 * when quorum is back by the time one looks.  Takes no lock (a handler may
 * call it).
 */
uint64_t mdc_core_qlost(struct mdc_core *c);
/* Whether this node's partition has quorum now. */
bool mdc_core_quorate(struct mdc_core *c);

/*
 * mdc_core_replay - on the new master, after a master change: read the
 * set's change log and resend every logged message, class 7 down to 1,
 * with its original id and sender and REPLAY | OVERRIDE_SUSPEND.  Nodes
 * that ran it answer from their completion table; the others run it.
 * Returns the number of messages replayed, or -1 (not the master:
 * ME_COMM_NOMASTER; log read failure).
 */
int mdc_core_replay(struct mdc_core *c, uint32_t set, meta_error_t *ep);

/* A node as the master choice sees it. */
struct mdc_node_info {
	uint32_t ni_id;
	bool ni_alive; /* in the current membership */
	bool ni_owner; /* joined to the set (has it snarfed) */
};

/*
 * mdc_choose_master - the master of a set after a reconfiguration (facts
 * 6.2): keep @current if it is alive and an owner; else the lowest-numbered
 * alive owner; else the lowest-numbered alive node.  *@master = 0 and -1
 * (ME_COMM_NOMASTER) when no node is alive.  Pure function.
 */
int mdc_choose_master(const struct mdc_node_info *nodes, size_t n,
		      uint32_t current, uint32_t *master, meta_error_t *ep);

/*
 * Control operations (facts 1.9), local to this node.  Each returns an
 * answer code: MDC_CS_ACK, or
 *   suspend: MDC_CS_SET_NOT_DRAINED while a suspended class still has a
 *            message in flight or queued (poll again);
 *   all:     MDC_CS_EINVAL for a bad set or class.
 * @set 0 means every set, @cls 0 every class (1..7).  suspend of all
 * classes marks them in ascending order, stopping at the first busy one
 * and going on when it drains; resume of all classes clears them in
 * descending order (down to 2 with @keep_class1).  resume(0, 0) also
 * leaves the abort state.
 */
int mdc_core_suspend(struct mdc_core *c, uint32_t set, unsigned int cls);
int mdc_core_resume(struct mdc_core *c, uint32_t set, unsigned int cls,
		    bool keep_class1);
/*
 * mdc_hctx_suspend - from inside a handler (which runs with the core's lock
 * held, so that mdc_core_suspend() cannot be called there): hold
 * (@suspend) or release every class of @set on this node, for a
 * cluster-wide suspension (doc/mdcommd.md 7).  The hold is a mark of its
 * own: a class stays suspended while the hold or the administrator's
 * suspension (mdc_core_suspend) is set, and mdc_core_resume() leaves the
 * hold alone.  Holding drains as mdc_core_suspend(@set, 0) does.  The
 * handler's own message must be of another set.  Returns the answer code.
 * mdc_core_release - the same release from outside a handler (a lease
 * that ran out).
 */
int mdc_hctx_suspend(struct mdc_hctx *hc, uint32_t set, bool suspend);
int mdc_core_release(struct mdc_core *c, uint32_t set);
/*
 * mdc_core_hold - set the hold mark (as mdc_hctx_suspend) from outside a
 * handler: a daemon that learns of a hold in force, or cannot vouch for a
 * set yet (doc/mdcommd.md 7).  MDC_CS_ACK, SET_NOT_DRAINED, EINVAL.
 */
int mdc_core_hold(struct mdc_core *c, uint32_t set);
int mdc_core_lock(struct mdc_core *c, uint32_t set, unsigned int cls,
		  bool lock);
/* reinit: re-read @set's node list (cc_nodelist). */
int mdc_core_reinit(struct mdc_core *c, uint32_t set);
/* abort: from now on every request is answered ABORT. */
int mdc_core_abort(struct mdc_core *c);
/* verbosity: the debug mask (MDC_MMV_* in mdc_dbg.h). */
int mdc_core_verbosity(struct mdc_core *c, uint32_t mask);
/*
 * ping: a TEST2 with NO_LOG | FAIL_ON_SUSPEND through the set's master:
 * the answer says whether the set works end to end.  Same contract as
 * mdc_core_send().
 */
int mdc_core_ping(struct mdc_core *c, uint32_t set, mdc_reply_fn fn,
		  void *cookie, meta_error_t *ep);

/* Counters, for tests and the status output. */
struct mdc_core_stats {
	uint64_t cs_sent; /* requests sent to a master */
	uint64_t cs_queued; /* requests that waited for their class */
	uint64_t cs_answered; /* replies given to initiators */
	uint64_t cs_timeouts; /* initiator timeouts */
	uint64_t cs_runs; /* handler runs on this node */
	uint64_t cs_mct_hits; /* answers from the completion table */
	uint64_t cs_unsolicited; /* results or replies nobody waited for */
	uint64_t cs_bad_packets; /* packets the decoder refused */
	uint64_t cs_inconsistent; /* inconsistency actions taken */
	uint64_t cs_master_jobs; /* messages processed as master */
	uint64_t cs_mcasts; /* packets multicast */
};
void mdc_core_stats(struct mdc_core *c, struct mdc_core_stats *st);

/*
 * mdc_core_members - the transport group's members as last reported, in
 * ascending order, into @ids (MDC_MAXNODES entries; may be NULL).
 * Returns how many.
 */
size_t mdc_core_members(struct mdc_core *c, uint32_t *ids);

/* mdc_core_nodeid - this node's id. */
uint32_t mdc_core_nodeid(struct mdc_core *c);

/* mdc_core_idle - true when nothing is in flight or queued on this node. */
bool mdc_core_idle(struct mdc_core *c);

#endif /* OBAN_MDC_CORE_H */
