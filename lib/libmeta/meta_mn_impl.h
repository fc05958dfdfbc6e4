/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to meta_mn_daemon.c and meta_mn_cmd.c. */
#ifndef OBAN_META_MN_IMPL_H
#define OBAN_META_MN_IMPL_H

#include <pthread.h>

#include <oban/meta_cfg.h>
#include <oban/meta_mn.h>
#include <oban/meta_mn_daemon.h>
#include <oban/meta_set.h>

/* One set as this node's daemon serves it. */
struct mn_set {
	bool ms_known; /* ms_name is valid */
	char ms_name[META_SET_NAMELEN];
	bool ms_mn;
	uint32_t ms_master; /* last master the core reported; 0 none */
	struct meta_cfg *ms_cfg; /* the in-core model; NULL: not loaded */
	uint64_t ms_cfg_loads; /* loads from the replicas (tests) */
	struct meta_set *ms_ro; /* the commands' cached read-only handle on a
				   node other than the master: no mddb, lock
				   dropped between uses; NULL: none */
	uint64_t ms_ro_opens; /* fresh opens of ms_ro (tests) */
	bool ms_blocked; /* MDDB_BLOCK: do not (re)load the model */
	struct meta_set *ms_cur; /* open while a handler runs */
	struct meta_set *ms_log; /* the change log's cached writable handle:
				    devices and mddb open, lock dropped
				    between uses; NULL: none (doc/mdcommd.md,
				    "The change log's cached handle") */
	uint32_t ms_log_clean; /* bit c: slot c was cleared through ms_log
				  and the core has not said since that the
				  log may have changed (so_log_forget) */
	uint32_t ms_log_unflushed; /* bit c: slot c's clear is written, its
				      flush not done (st_log_settle) */
	unsigned int ms_backoff; /* ticks to wait before loading again */
	unsigned int ms_wait; /* ticks left */
	uint64_t ms_log_opens; /* fresh opens of ms_log (tests) */
	uint64_t ms_susp_until; /* a cluster-wide suspend's lease ends then
				   (CLOCK_MONOTONIC ms); 0: none */
	uint32_t ms_susp_node; /* its holder: node and nonce */
	uint32_t ms_susp_nonce;
	bool ms_gate; /* the core holds the set for the holds query: kept
			 held until the answer, whatever holds come and go
			 meanwhile (mark_sync()) */
	uint32_t ms_hold_gen; /* bumped whenever the hold or the gate changes
				 (mark_sync()) */
};

/* A SUSPEND or RESUME this node ran after its own QUERY, replayed on the
 * answer (doc/mdcommd.md 7, "Races"). */
struct mn_holdop {
	uint32_t ho_set;
	bool ho_suspend;
	uint32_t ho_node, ho_nonce; /* the holder token */
	uint64_t ho_at; /* CLOCK_MONOTONIC ms: when it ran here */
	uint64_t ho_until; /* SUSPEND: the lease it asked for ends then */
};
#define MN_HOLDLOG 32

/* The question for the holds in force (doc/mdcommd.md 7, "A daemon that
 * restarts"), asked at start and after every quorum loss. */
struct mn_holdq {
	bool hq_need; /* to ask (start, a quorum loss) */
	bool hq_busy; /* a QUERY is in flight */
	uint64_t hq_gate_end; /* CLOCK_MONOTONIC ms: the gate ends then at
				 the latest; 0: no gate, nothing to ask */
	uint64_t hq_known_at; /* ms: this node knows every hold in force
				 from then on (one lease after its gate
				 began: each hold was renewed here or ended
				 by then); 0: since a complete answer */
	uint64_t hq_next; /* ms: the next attempt, not before */
	uint64_t hq_qlost; /* mdc_core_qlost() when last looked at */
	uint32_t hq_gen; /* bumped at each new question */
	uint32_t hq_sent_gen; /* hq_gen of the QUERY in flight */
	uint64_t hq_sent_qlost; /* mdc_core_qlost() when it was sent */
	uint32_t hq_seq; /* the QUERY in flight's number (its mm_nonce) */
	unsigned int hq_fails; /* refused answers to this question */
	/* This node ran its own QUERY hq_snap_seq at hq_snap_ms (0: not yet);
	 * the SUSPENDs and RESUMEs it ran since, in order (hq_over: more than
	 * MN_HOLDLOG; the answer is then not taken, the question asked
	 * again). */
	uint32_t hq_snap_seq;
	uint64_t hq_snap_ms;
	unsigned int hq_nlog;
	bool hq_over;
	struct mn_holdop hq_log[MN_HOLDLOG];
	uint64_t hq_answers; /* answers taken (tests) */
};

struct meta_mn_daemon {
	pthread_mutex_t md_lock; /* everything below */
	struct mdc_core *md_core;
	uint64_t md_qlost; /* mdc_core_qlost() when the models were last
			     checked against it (mn_quorum_sync()) */
	uint32_t md_self;
	struct meta_mn_daemon_config md_cfg;
	struct mn_set md_sets[MDC_MAXSETS];
	struct mn_holdq md_hq;
};

/*
 * Read a QUERY's answer text (@out, @len bytes: lines "SET NODE NONCE MS",
 * then "end COUNT" and nothing after it; meta_mn_holds()) into @left (the
 * lease's ms left; 0: no hold listed), @node and @nonce, zeroed by the
 * caller.  False for anything else: a malformed line or number (a sign,
 * a blank too many, out of range), the admin set @admin or a set listed
 * twice, a count that is not the lines', no end line, a line after it.
 */
bool mn_holds_parse(const char *out, size_t len, uint32_t admin,
		    uint64_t left[MDC_MAXSETS], uint32_t node[MDC_MAXSETS],
		    uint32_t nonce[MDC_MAXSETS]);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t mn_mono_ms(void);
/*
 * A SUSPEND (@suspend) or RESUME of holder (@node, @nonce) ran here at @at
 * (a SUSPEND's lease: until @until): recorded for the holds question's
 * answer when this node's own QUERY has run and the answer is still to
 * come.  md_lock held (a handler).
 */
void mn_hold_ran(struct meta_mn_daemon *d, uint32_t set, bool suspend,
		 uint32_t node, uint32_t nonce, uint64_t at, uint64_t until);

/* The set of number @set with its name known, or NULL (ep set). */
struct mn_set *mn_set_get(struct meta_mn_daemon *d, uint32_t set,
			  meta_error_t *ep);
/* Load @ss's model from its replicas (replacing any). */
int mn_model_load(struct meta_mn_daemon *d, uint32_t set, struct mn_set *ss,
		  meta_error_t *ep);
/* Close @ss's cached change-log handle (the next use opens the set). */
void mn_log_drop(struct mn_set *ss);
/*
 * The set handle a configuration command runs with (meta_mn_cmd.c h_cmd),
 * with @ss's model loaded (from the replicas if there is none):
 *   @master  the change log's cached writable handle (log_hold()): devices
 *            and mddb open, the set's lock held;
 *   else     a cached read-only handle without mddb (drive lookups only).
 * Either is opened afresh when meta_set_changed() says so.  *@active: the
 * master's active replicas, for mn_cmd_rele().  NULL on error (@ep).
 */
struct meta_set *mn_cmd_hold(struct meta_mn_daemon *d, uint32_t set,
			     struct mn_set *ss, bool master, uint64_t *active,
			     meta_error_t *ep);
/* Done with mn_cmd_hold()'s handle: @rc < 0 drops it (the next opens). */
void mn_cmd_rele(struct meta_mn_daemon *d, uint32_t set, struct mn_set *ss,
		 bool master, int rc, uint64_t active);
/* Close @ss's cached read-only command handle. */
void mn_ro_drop(struct mn_set *ss);
/* The drive lookup of every model the daemon keeps (arg: the mn_set). */
int mn_lookup(void *arg, const char *name, struct meta_drive *dr,
	      meta_error_t *ep);

#endif /* OBAN_META_MN_IMPL_H */
