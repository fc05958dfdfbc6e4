/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The node side of multi-owner sets in mdcommd: the store the core runs on
 * (struct mdc_store_ops: change log in the set's mddb, handlers of
 * meta_mn.h, completion table) and the per-set state behind it (the
 * in-core configuration model of every joined set).  The theory is at the
 * top of lib/libmeta/meta_mn_daemon.c; doc/mdcommd.md, "The store".
 *
 * Threading: every function takes the daemon's lock.  The store ops are
 * called by the core with its lock held; meta_mn_daemon_tick() and
 * meta_mn_daemon_scan() call the core first and then take the daemon's
 * lock, never the other way round.
 */
#ifndef OBAN_META_MN_DAEMON_H
#define OBAN_META_MN_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_core.h>
#include <oban/mdc_mct.h>

struct meta_mn_daemon;

/* A configuration command the BC_CMD handler may run: "metainit", main. */
struct meta_mn_cmdent {
	const char *ce_name; /* NULL ends the table */
	int (*ce_main)(int argc, char **argv);
};

/*
 * Test hooks (test-only; set by runtime.cf keys that only the tests write,
 * doc/mdcommd.md "Test hooks").
 */
struct meta_mn_test {
	bool mt_dryrun_fail; /* every BC_CMD dry run fails on this node */
	bool mt_result_differ; /* real BC_CMD runs answer exit value 99 */
	uint32_t mt_log_delay_ms; /* master: sleep after a change-log write */
};

struct meta_mn_daemon_config {
	const struct meta_mn_cmdent *dc_cmds; /* may be NULL: no BC_CMD */
	struct mdc_mct *dc_mct; /* this node's completion table (borrowed) */
	struct meta_mn_test dc_test;
	/*
	 * The set number of the set area's administration channel (set
	 * creation, hosts, join, withdraw; META_MN_ADMIN_SET in meta_set.h),
	 * or 0: the daemon serves it on every node with the lowest-numbered
	 * member as its master, following membership changes (its messages
	 * are NO_LOG, so a master change needs no replay), and keeps no
	 * model for it.
	 */
	uint32_t dc_admin_set;
};

/* The store ops; their argument is the struct meta_mn_daemon. */
extern const struct mdc_store_ops meta_mn_store_ops;

/*
 * meta_mn_daemon_create - the per-node state.  @cfg is copied.  Errors:
 * ENOMEM.  meta_mn_daemon_bind() must give it its core before the core
 * delivers anything (the core is created with it as cc_store_arg).
 */
int meta_mn_daemon_create(const struct meta_mn_daemon_config *cfg,
			  struct meta_mn_daemon **dp, meta_error_t *ep);
void meta_mn_daemon_bind(struct meta_mn_daemon *d, struct mdc_core *c);
void meta_mn_daemon_destroy(struct meta_mn_daemon *d);

/* meta_mn_daemon_set_test - replace the test hooks (SIGHUP). */
void meta_mn_daemon_set_test(struct meta_mn_daemon *d,
			     const struct meta_mn_test *t);

/*
 * meta_mn_daemon_nodelist - the core's cc_nodelist (reinit): the nodes of
 * set @set that are joined (node records with META_NODE_OWN).  Errors:
 * those of meta_set_open(), ME_SET_NOTFOUND for an unknown set number.
 */
int meta_mn_daemon_nodelist(void *arg, uint32_t set, uint32_t *nodes, size_t *n,
			    meta_error_t *ep);

/*
 * meta_mn_daemon_scan - at start: for every multi-owner set this node
 * knows and is joined to, tell the core the set's master (from the node
 * records) and load the set's model.  Returns the number of sets served,
 * or -1 (the first error; the other sets are still scanned).
 */
int meta_mn_daemon_scan(struct meta_mn_daemon *d, meta_error_t *ep);

/*
 * meta_mn_daemon_tick - load the model of every set the core has a master
 * for and that has none (a SETMASTER after a join), drop the models of
 * sets this node left, and keep the admin set's master the lowest member.
 * Call from the dispatch loop.
 */
void meta_mn_daemon_tick(struct meta_mn_daemon *d);

/*
 * meta_mn_daemon_lease_end - for the tests: the cluster-wide suspension of
 * @set held on this node (if any) has its lease end moved into the past,
 * so the next meta_mn_daemon_tick() releases it.
 */
void meta_mn_daemon_lease_end(struct meta_mn_daemon *d, uint32_t set);

/*
 * meta_mn_daemon_holds_known - for the tests: a lease has passed since
 * this node's last gate for the holds question began, so once the gate is
 * over (answered, even partly) it counts as knowing every hold in force
 * (doc/mdcommd.md 7, "A daemon that restarts").
 */
void meta_mn_daemon_holds_known(struct meta_mn_daemon *d);

/*
 * meta_mn_daemon_log_opens - how many times the change log's handle of
 * @set was opened afresh (doc/mdcommd.md, "The change log's cached
 * handle"); for the tests of its invalidation rules.
 */
uint64_t meta_mn_daemon_log_opens(struct meta_mn_daemon *d, uint32_t set);

/*
 * meta_mn_daemon_model_loads / meta_mn_daemon_cmd_opens - for the tests of
 * the configuration commands' costs (doc/mdcommd.md, "What a BC_CMD
 * costs"): how many times @set's model was loaded from the replicas, and
 * how many times the read-only handle the commands use on a node other
 * than the master was opened afresh.
 */
uint64_t meta_mn_daemon_model_loads(struct meta_mn_daemon *d, uint32_t set);
uint64_t meta_mn_daemon_cmd_opens(struct meta_mn_daemon *d, uint32_t set);

/*
 * meta_mn_daemon_handles - the cached handles of @set this daemon holds
 * now (tests): META_MN_H_LOG the change log's, META_MN_H_RO the commands'
 * read-only one.
 */
#define META_MN_H_LOG 0x1
#define META_MN_H_RO 0x2
unsigned int meta_mn_daemon_handles(struct meta_mn_daemon *d, uint32_t set);

/* meta_mn_daemon_model - the model of @set, or NULL (tests). */
const struct meta_cfg *meta_mn_daemon_model(struct meta_mn_daemon *d,
					    uint32_t set);

#endif /* OBAN_META_MN_DAEMON_H */
