/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta_mn: multi-owner sets through mdcommd, seen from libmeta.
 *
 * Two halves:
 *
 *  (a) The handler framework (daemon side).  mdcommd runs, for every
 *      message it delivers on a node, the libmeta handler registered for
 *      the message's type.  Handlers are plain functions in tables of
 *      struct meta_mn_handler, one table per area, each ended by an entry
 *      whose mh_fn is NULL:
 *
 *        meta_mn_handlers[]      this file's owner (mdcommd): BC_CMD,
 *                                BC_CMD_RETRY, CLU_CHECK, MDDB_PARSE,
 *                                MDDB_BLOCK, TEST1..5, VERBOSITY, ABORT;
 *                                lib/libmeta/meta_mn_cmd.c
 *        meta_mn_set_handlers[]  the set area (metaset, metadb): NEWSIDE,
 *                                DELSIDE, ADDSIDE, DELSIDE, SM_MDDB_ATTACH,
 *                                SM_MDDB_DETACH, ...;
 *                                lib/libmeta/meta_mn_set.c
 *
 *      The daemon looks a type up in meta_mn_set_handlers[] first, then in
 *      meta_mn_handlers[]; a type in neither answers HANDLER_FAILED.  A
 *      type must appear in one table only (the unit test checks).
 *
 *      A handler runs on the master first (hx_on_master true), which alone
 *      writes the set's replicas, and then on every other node of the set
 *      (hx_on_master false), which must give the same result WITHOUT
 *      writing and without failing merely because the master's change is
 *      already on disk (doc/mdcommd.md, "Identical results").  It runs in
 *      the daemon's dispatch thread, synchronously, with the core's lock
 *      held: it must not call mdc_core_*() or meta_mn_send*(), and must
 *      not block for long (its type's timeout, mdc_msgtab.c, bounds it).
 *      It may send messages of a HIGHER class with meta_mn_hsend(): they
 *      are submitted when it returns.
 *
 *      The handler sets its result with meta_mn_exit() (the exit value,
 *      0 = success; default 0), meta_mn_printf() (output text, at most
 *      MDC_MAXOUT bytes in all, truncated beyond) and meta_mn_fail() (exit
 *      value 1 and the error's text as output: what the initiator prints).
 *      Its return value says whether it could run at all: 0, or -1 (the
 *      answer is then HANDLER_FAILED: use it only for "this node cannot
 *      take part", never for "the request is wrong", which is an exit
 *      value).  Everything a handler sets is compared between the nodes
 *      by exit value; a PANIC_WHEN_INCONSISTENT message whose exit value
 *      differs triggers the inconsistency action.
 *
 *      Submessages (META_DB_ATTACH -> MDDB_BLOCK, SM_MDDB_ATTACH,
 *      MDDB_BLOCK) carry their parent's payload; hx_sub says which part
 *      (1..n) is running.
 *
 *  (b) The client side (any process on a node, as root): meta_mn_send()
 *      for one message with the type's retry rules, and
 *      meta_mn_send_command() for the configuration commands' dry run then
 *      commit.  Neither may be called while the caller holds a set open
 *      (meta_set_open() / meta_cfg_open() take the set's lock, which the
 *      daemon's handler on this node needs).
 */
#ifndef OBAN_META_MN_H
#define OBAN_META_MN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <oban/error.h>
#include <oban/mdc_msg.h>

/* ---- (a) the handler framework ------------------------------------------ */

struct mdc_hctx;
struct meta_mn_daemon;

/* What a handler receives. */
struct meta_mn_hctx {
	uint32_t hx_node; /* this node's id */
	uint32_t hx_master; /* the set's master (== hx_node on the master) */
	bool hx_on_master; /* MDC_F_ON_MASTER: this node writes the replicas */
	uint32_t hx_set; /* set number, 1..32, or META_MN_ADMIN_SET */
	uint32_t hx_type; /* enum mdc_msgtype (the submessage's own type) */
	uint32_t hx_flags; /* the message's MDC_F_* flags (REPLAY, ...) */
	uint32_t hx_sub; /* 0: the message; 1..n: its submessage number */
	uint32_t hx_sender; /* the node whose initiator wants the result */
	const void *hx_data; /* the payload (the parent's for submessages) */
	uint32_t hx_len; /* its length, <= MDC_MAXDATA */
	const struct mdc_msg *hx_msg; /* the whole message, id included */
	/* private to meta_mn_*(): */
	struct mdc_result *hx_res;
	struct mdc_hctx *hx_core;
	struct meta_mn_daemon *hx_daemon;
};

/*
 * A handler.  Returns 0 (the result is what meta_mn_exit/printf/fail set)
 * or -1 (this node could not take part: HANDLER_FAILED).
 */
typedef int (*meta_mn_handler_fn)(struct meta_mn_hctx *hx);

struct meta_mn_handler {
	uint32_t mh_type; /* enum mdc_msgtype */
	meta_mn_handler_fn mh_fn; /* NULL ends the table */
};

/* mdcommd's own handlers (lib/libmeta/meta_mn_cmd.c). */
extern const struct meta_mn_handler meta_mn_handlers[];
/* The set area's handlers (lib/libmeta/meta_mn_set.c, owned by the set
 * area; it starts empty). */
extern const struct meta_mn_handler meta_mn_set_handlers[];

/*
 * meta_mn_handler_find - the handler of @type: meta_mn_set_handlers[]
 * first, then meta_mn_handlers[]; NULL when neither has one.  Pure.
 */
meta_mn_handler_fn meta_mn_handler_find(uint32_t type);

/* meta_mn_exit - set the handler's exit value (0 success). */
void meta_mn_exit(struct meta_mn_hctx *hx, int exitval);

/*
 * meta_mn_printf - append text to the handler's output (what the
 * initiator prints on success).  Output beyond MDC_MAXOUT bytes is
 * dropped; the output always stays NUL-terminated inside the limit.
 */
void meta_mn_printf(struct meta_mn_hctx *hx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * meta_mn_fail - exit value 1 and the output replaced by
 * meta_strerror(@e): the initiator prints it, prefixed by the node.
 * Returns 0 (so that "return meta_mn_fail(hx, &e);" ends a handler).
 */
int meta_mn_fail(struct meta_mn_hctx *hx, meta_error_t *e);

/*
 * meta_mn_hsend - send a message of a higher class than the running one
 * from inside a handler (for example MDDB_PARSE, class 7, after the master
 * changed the replicas).  The send is submitted when the handler returns;
 * its answer is not waited for.  The REPLAY and OVERRIDE_SUSPEND bits of
 * the running message are inherited.
 * Errors: ME_COMM_CLASS_ORDER (not a higher class), ME_COMM_TOOBIG,
 * ME_COMM_UNKNOWN_TYPE, ME_COMM_BUSY (more than MDC_MAXSUBMSGS sends).
 */
int meta_mn_hsend(struct meta_mn_hctx *hx, uint32_t type, uint32_t flags,
		  const void *data, uint32_t len, meta_error_t *ep);

/*
 * meta_mn_hx_setname - the name of set hx->hx_set on this node, or NULL
 * when this node does not know the set.  Valid during the handler.
 */
const char *meta_mn_hx_setname(struct meta_mn_hctx *hx);

/* meta_mn_hx_admin - the message came on the daemon's admin set. */
bool meta_mn_hx_admin(struct meta_mn_hctx *hx);

/*
 * meta_mn_hsuspend - the set area's cluster-wide suspension of set @set on
 * this node (doc/mdcommd.md 7), from a handler of another set, for holder
 * (@node, @nonce).  Suspend (@suspend): with no holder, or a holder whose
 * lease ran out, @node takes the hold for @lease_s seconds (the daemon's
 * tick releases it then if nobody did); the same holder again renews the
 * lease; another holder's live hold is refused: META_MN_HELD, *@holder
 * its node.  Resume: only the holder's own hold is released (anything
 * else: nothing happens, MDC_CS_ACK).  The hold is kept apart from an
 * administrator's mdcctl suspend (mdc_hctx_suspend).  Returns the core's
 * answer code otherwise: MDC_CS_ACK, MDC_CS_SET_NOT_DRAINED (the marks
 * stay and the drain goes on: ask again), MDC_CS_EINVAL.
 */
#define META_MN_HELD (-1)
int meta_mn_hsuspend(struct meta_mn_hctx *hx, uint32_t set, bool suspend,
		     uint32_t lease_s, uint32_t node, uint32_t nonce,
		     uint32_t *holder);

/*
 * meta_mn_holds - SET_ADMIN QUERY @question (its number) from node @asker,
 * run on every member (doc/mdcommd.md 7, "A daemon that restarts"): print
 * every hold in force on this node, one line "SET NODE NONCE MS" each (the
 * holder, the lease's milliseconds left), then "end COUNT".  On the asker
 * itself, its own question's run is the point of the admin set's order the
 * answer stands for (what runs here later is replayed on the answer).
 * Returns true when this node knows every hold in force (its own question
 * is over, it has not lost quorum since, and it took a complete answer or
 * a lease has passed since its gate began; a partial answer alone is not
 * enough): the handler then answers META_MNS_EXIT_HOLDS, which the core
 * prefers to the master's result, so a complete list reaches the asker
 * whichever node is the admin set's master.
 */
bool meta_mn_holds(struct meta_mn_hctx *hx, uint32_t asker, uint32_t question);

/*
 * The set area's handlers' exit values (SET_ADMIN and the set messages;
 * 1 is a failure, meta_mn_fail()).
 */
#define META_MNS_EXIT_NUMBERUSED 2 /* the set number is used here */
/* Suspended, messages still under way: ask again. */
#define META_MNS_EXIT_NOTDRAINED 3
#define META_MNS_EXIT_HELD 4 /* another holder's suspension */
#define META_MNS_EXIT_HOLDS 6 /* QUERY: a complete list of the holds */

/*
 * meta_mn_model_drop - forget this node's in-core configuration model of
 * set number @set and its cached set handles (the commands' and the change
 * log's), so that they are loaded and opened again before the next
 * configuration command (handlers of the set area call it on every node
 * after a change of the set's drives, replicas or hosts, its creation and
 * destruction, and on the node that withdrew; MDDB_PARSE reloads).
 * @forget_name: the number may now name another set (created, destroyed,
 * hosts changed): its name is looked up again too.
 */
void meta_mn_model_drop(struct meta_mn_hctx *hx, uint32_t set,
			bool forget_name);
/*
 * meta_mn_model_drop_named - as meta_mn_model_drop(), only when set number
 * @set is set @name on this node (or no name is known for the number
 * here): after a change that failed, the number may be another set's.
 */
void meta_mn_model_drop_named(struct meta_mn_hctx *hx, uint32_t set,
			      const char *name, bool forget_name);

/* ---- (b) the client side ------------------------------------------------ */

/*
 * meta_mn_send - send one message to set @set through this node's mdcommd
 * and wait for its one answer, with the type's retry rules
 * (mdc_retry_next(): CLASS_BUSY, TIMEOUT, RPC failures are retried with
 * the same message id, so a message runs at most once on every node).
 *
 * @res  out, may be NULL: the final result.
 *
 * Returns 0 when the message ran everywhere with exit value 0.  -1 with
 * @ep otherwise: when it ran but a node's handler failed, that node's
 * error as it printed it (meta_mn_result_error(); res->mr_failing_node
 * names the node), or the answer's error (ME_COMM_NOQUORUM, ME_COMM_NOTJOINED,
 * ME_COMM_SUSPENDED, ME_COMM_TIMEOUT, ...), ME_COMM_DENIED (not root),
 * ECONNREFUSED / ENOENT (no daemon).  Thread-safe; blocks.
 */
int meta_mn_send(uint32_t set, uint32_t type, uint32_t flags, const void *data,
		 uint32_t len, struct mdc_result *res, meta_error_t *ep);

/*
 * The exit value of a configuration command run by BC_CMD that refused
 * its arguments (the commands' usage exit, cmds/cmd_common.h CMD_USAGE).
 */
#define META_MN_EXIT_USAGE 2

/*
 * meta_mn_result_error - the error of result @r of message @type that
 * failed on a node (exit value not 0): the failing node's first output
 * line.  A configuration command run by mdcommd prints its error as
 * "prog: what 'object' on node N: reason" (cmds/cmd_common.c, cmd_fail());
 * that line becomes the same error again (code, object, node), so that the
 * initiator prints it once: "metainit: 'blue/d10' on node 2: already
 * exists".  Output in another form is kept whole (every line, up to
 * MDC_MAXOUT bytes, final newline dropped) with the exit value, as the
 * what of ME_COMM_FAILED on that node: "cannot ... (exit value 1) on
 * node 2: message failed on a node".  A BC_CMD (or BC_CMD_RETRY) whose command exited
 * META_MN_EXIT_USAGE is ME_USAGE on that node, with the node's whole
 * output (its usage text, as a local run prints it; final newline
 * dropped) as the what.  Returns -1.
 */
int meta_mn_result_error(const struct mdc_result *r, uint32_t type,
			 meta_error_t *ep);

/*
 * meta_mn_send_command - run a configuration command on every node of a
 * multi-owner set: first as a dry run (BC_CMD, NO_LOG | STOP_ON_ERROR |
 * NO_MCT: every node checks it against its own model and changes
 * nothing); if any node fails, -1 with that node's error
 * (meta_mn_result_error(): "'blue/d10' on node 2: already exists") and
 * nothing has changed anywhere.  Otherwise
 * the real command (BC_CMD, logged, PANIC_WHEN_INCONSISTENT): the master
 * runs and commits it, every other node applies it to its model; results
 * must be identical.
 *
 * @set    the set's name;
 * @argv   the command line, argv[0] one of metainit, metaclear, metattach,
 *         metadetach, metaparam, metarename, metahs (a path's directory is
 *         ignored); it must fit one message (ME_COMM_TOOBIG);
 * @out    where the master's output (the command's stdout) is printed; may
 *         be NULL.
 *
 * Returns 0 or -1 with @ep (the errors of meta_mn_send(); ME_SET_NOTFOUND,
 * ME_USAGE for a command that is not forwarded, or, with ep->me_node set,
 * for a command that a node refused as a usage error: ep->me_what is
 * then its usage text, which the caller prints as is and exits 2, as the
 * command run locally does).
 */
int meta_mn_send_command(const char *set, int argc, char *const *argv,
			 FILE *out, meta_error_t *ep);

/*
 * meta_mn_set_info - whether set @set is multi-owner, and its number.
 * Opens the set without its database (no replica is read) and closes it.
 * Errors: those of meta_set_open().
 */
int meta_mn_set_info(const char *set, bool *mn, uint32_t *setno,
		     meta_error_t *ep);

/*
 * meta_mn_in_daemon - true when a command must run locally and not
 * forward: inside mdcommd's handler (meta_mn_cmdctx() is set), or when the
 * environment has OBAN_MN_LOCAL=1 (test-only: single-node tests that use
 * multi-owner sets without mdcommd).
 */
bool meta_mn_in_daemon(void);

/*
 * The command context: while mdcommd's BC_CMD handler runs a configuration
 * command in its own process, meta_mn_cmdctx() returns the model the
 * command must use instead of opening the set (cmds/cmd_common.c), and
 * whether it must only check (cx_dry: a dry run, or a node other than the
 * master, which applies the change to its model without writing).  NULL
 * everywhere else.  Thread-local.
 */
struct meta_cfgh;
struct meta_mn_cmdctx {
	struct meta_cfgh *cx_h; /* the model (and, on the master, the store) */
	bool cx_dry; /* do not write */
	uint32_t cx_node; /* this node's id: a failing command names it */
};
const struct meta_mn_cmdctx *meta_mn_cmdctx(void);
/* meta_mn_cmdctx_set - install (@cx) or remove (NULL); the daemon only. */
void meta_mn_cmdctx_set(const struct meta_mn_cmdctx *cx);

/* ---- reconfiguration by hand (metaclust) -------------------------------- */

/*
 * meta_mn_step1 - on this node, for multi-owner set @set: take the
 * membership from the local mdcommd, keep in oban_dir(OBAN_DIR_RUN)/
 * nodelist only the lines of nodes still members (when the file exists),
 * choose the set's master by the rules (mdc_choose_master(): the current
 * master if alive and an owner, else the lowest-numbered alive owner, else
 * the lowest-numbered alive host) and tell the local daemon (SETMASTER).
 * Run it on every surviving node; every node computes the same master from
 * the same membership and node records.
 *
 * @masterp  out: the chosen master's node id.
 *
 * Errors: those of meta_set_open(), ME_USAGE (not a multi-owner set),
 * ME_COMM_NOMASTER (no host of the set is alive), the client's errors
 * (ECONNREFUSED / ENOENT: no daemon; ME_COMM_DENIED: not root), I/O errors
 * of the node list.
 */
int meta_mn_step1(const char *set, uint32_t *masterp, meta_error_t *ep);

/*
 * meta_mn_step2 - on the set's master after step1: replay the set's
 * change log (mdc_core_replay() in the daemon): every logged message is
 * resent with its original id, so it runs on the nodes that had not run
 * it and is answered from the completion tables elsewhere.
 *
 * @replayed  out: how many messages were replayed.
 *
 * Errors: ME_COMM_NOMASTER (this node is not the set's master), those of
 * meta_mn_step1().
 */
int meta_mn_step2(const char *set, int *replayed, meta_error_t *ep);

/* ---- the BC_CMD payload (doc/format-messages.md, "BC_CMD") ------------- */

#define META_MN_CMD_MAGIC 0x444d4342u /* "BCMD" */
#define META_MN_CMD_VERSION 1
#define META_MN_CMD_DRYRUN 0x1 /* check only, change nothing */
#define META_MN_CMD_MAXARGS 64
#define META_MN_CMD_HDRLEN 48

struct meta_mn_cmd {
	uint32_t mc_flags; /* META_MN_CMD_* */
	char mc_set[32]; /* the set's name */
	int mc_argc;
	char *mc_argv[META_MN_CMD_MAXARGS + 1]; /* into mc_buf, NULL-ended */
	char mc_buf[MDC_MAXDATA];
};

/*
 * meta_mn_cmd_encode - the payload for @set and @argv into @buf
 * (MDC_MAXDATA bytes); *@lenp its length.  Errors: ME_COMM_TOOBIG (does
 * not fit), ME_USAGE (no argument, too many, an empty argument).
 */
int meta_mn_cmd_encode(const char *set, uint32_t flags, int argc,
		       char *const *argv, void *buf, uint32_t *lenp,
		       meta_error_t *ep);

/*
 * meta_mn_cmd_decode - the reverse, into @mc (self-contained).  Every
 * malformed payload is refused with ME_COMM_BADMSG.
 */
int meta_mn_cmd_decode(const void *buf, uint32_t len, struct meta_mn_cmd *mc,
		       meta_error_t *ep);

#endif /* OBAN_META_MN_H */
