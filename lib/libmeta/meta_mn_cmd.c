// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcommd's own handlers (include/oban/meta_mn.h, meta_mn_handlers[]).
 *
 * BC_CMD and BC_CMD_RETRY run a configuration command (metainit,
 * metaclear, metattach, metadetach, metaparam, metarename, metahs) inside
 * the daemon, against the daemon's in-core model of the set
 * (meta_mn_daemon.c, "Models"):
 *
 *   dry run (payload flag DRYRUN)  every node: on its model with the undo
 *                                  journal on (meta_cfg_undo_begin()), no
 *                                  store; undone after: changes nothing;
 *   real run, on the master        on its model, with the set's mddb as
 *                                  store: the change is committed, then
 *                                  applied to the model;
 *   real run, elsewhere            on its model, with no store: the change
 *                                  is applied to the model only.
 *
 * The set handle (drive lookups; the master's commit) is cached, not opened
 * per command: the change log's on the master, a read-only one without
 * mddb elsewhere (mn_cmd_hold(); doc/mdcommd.md, 11b, "What a BC_CMD
 * costs").  Nothing a command costs here grows with the set but the
 * command's own validation.
 *
 * The command finds the model through meta_mn_cmdctx() (cmds/cmd_common.c
 * uses it instead of opening the set).  Its stdout is the result's output
 * on success, its stderr on failure; its exit code is the exit value.
 *
 * MDDB_PARSE: the nodes other than the master load the model again from
 * the replicas (the master changed them outside the model: replicas,
 * drives); held back while MDDB_BLOCK blocks the set.  MDDB_BLOCK:
 * submessage 1 blocks the set, 3 unblocks (META_DB_ATTACH / DETACH), a
 * lone MDDB_BLOCK takes its first payload byte (1 block, 0 unblock).
 * CLU_CHECK: the payload is a unit number (4 bytes, little-endian); the
 * exit value is 0 when the unit exists in this node's model and is not
 * open here, ENOENT when this node's model has no such unit.  No engine
 * opens metadevices in this build, so "open" never happens yet.
 * TEST1..5, VERBOSITY, ABORT: answer 0.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/meta_spwm.h>

#include "meta_mn_impl.h"

static int h_dummy(struct meta_mn_hctx *hx)
{
	meta_mn_exit(hx, 0);
	return 0;
}

const char *meta_mn_hx_setname(struct meta_mn_hctx *hx)
{
	meta_error_t e;
	struct mn_set *ss;

	meta_error_init(&e);
	ss = mn_set_get(hx->hx_daemon, hx->hx_set, &e);
	return ss != NULL ? ss->ms_name : NULL;
}

bool meta_mn_hx_admin(struct meta_mn_hctx *hx)
{
	return hx->hx_set == hx->hx_daemon->md_cfg.dc_admin_set;
}

void meta_mn_model_drop(struct meta_mn_hctx *hx, uint32_t set, bool forget_name)
{
	struct mn_set *ss;

	if (set == 0 || set >= MDC_MAXSETS)
		return;
	/* Handlers run under the daemon's lock: no other set's handler is
	 * using these handles now. */
	ss = &hx->hx_daemon->md_sets[set];
	meta_cfg_destroy(ss->ms_cfg);
	ss->ms_cfg = NULL;
	mn_log_drop(ss);
	mn_ro_drop(ss);
	ss->ms_backoff = ss->ms_wait = 0; /* the tick loads it at once */
	if (forget_name) {
		ss->ms_known = false;
		memset(ss->ms_name, 0, sizeof(ss->ms_name));
		ss->ms_mn = false;
	}
}

void meta_mn_model_drop_named(struct meta_mn_hctx *hx, uint32_t set,
			      const char *name, bool forget_name)
{
	const struct mn_set *ss;

	if (set == 0 || set >= MDC_MAXSETS)
		return;
	ss = &hx->hx_daemon->md_sets[set];
	if (ss->ms_known && strncmp(ss->ms_name, name, sizeof(ss->ms_name)))
		return; /* the number is another set's here */
	meta_mn_model_drop(hx, set, forget_name);
}

int meta_mn_hsuspend(struct meta_mn_hctx *hx, uint32_t set, bool suspend,
		     uint32_t lease_s, uint32_t node, uint32_t nonce,
		     uint32_t *holder)
{
	struct meta_mn_daemon *d = hx->hx_daemon;
	uint64_t now = mn_mono_ms(), until = now + (uint64_t)lease_s * 1000;
	struct mn_set *ss;
	bool mine;

	*holder = 0;
	if (set == 0 || set >= MDC_MAXSETS || set == hx->hx_set)
		return MDC_CS_EINVAL;
	/* Handlers run under the daemon's lock.  Every run counts for the
	 * holds question's answer, a RESUME that changes nothing here too
	 * (this node may not know the hold it ends yet). */
	mn_hold_ran(d, set, suspend, node, nonce, now, until);
	ss = &d->md_sets[set];
	mine = ss->ms_susp_node == node && ss->ms_susp_nonce == nonce;
	if (!suspend) {
		if (ss->ms_susp_until == 0 || !mine)
			return MDC_CS_ACK; /* not this holder's (any more) */
		ss->ms_susp_until = 0;
		ss->ms_susp_node = ss->ms_susp_nonce = 0;
		ss->ms_hold_gen++;
		/* A set gated for the holds question stays held until the
		 * answer (which decides). */
		return ss->ms_gate ? MDC_CS_ACK :
				     mdc_hctx_suspend(hx->hx_core, set, false);
	}
	if (ss->ms_susp_until != 0 && now < ss->ms_susp_until && !mine) {
		*holder = ss->ms_susp_node;
		return META_MN_HELD;
	}
	ss->ms_susp_node = node;
	ss->ms_susp_nonce = nonce;
	ss->ms_susp_until = until;
	ss->ms_hold_gen++;
	return mdc_hctx_suspend(hx->hx_core, set, true);
}

/* The set of the message, its model loaded. */
static struct mn_set *hx_set(struct meta_mn_hctx *hx, meta_error_t *ep)
{
	struct mn_set *ss = mn_set_get(hx->hx_daemon, hx->hx_set, ep);

	if (ss == NULL)
		return NULL;
	if (ss->ms_cfg == NULL &&
	    mn_model_load(hx->hx_daemon, hx->hx_set, ss, ep) != 0)
		return NULL;
	return ss;
}

static const struct meta_mn_cmdent *cmd_find(struct meta_mn_daemon *d,
					     const char *arg0)
{
	const char *base = strrchr(arg0, '/');

	base = base != NULL ? base + 1 : arg0;
	for (const struct meta_mn_cmdent *ce = d->md_cfg.dc_cmds;
	     ce != NULL && ce->ce_name != NULL; ce++)
		if (strcmp(ce->ce_name, base) == 0)
			return ce;
	return NULL;
}

/* Run @ce with stdout and stderr captured into @out and @err. */
static int run_captured(const struct meta_mn_cmdent *ce, int argc, char **argv,
			char **out, char **err)
{
	size_t olen, elen;
	FILE *of, *ef, *so, *se;
	int rc;

	of = open_memstream(out, &olen);
	ef = open_memstream(err, &elen);
	if (of == NULL || ef == NULL) {
		if (of != NULL)
			fclose(of);
		if (ef != NULL)
			fclose(ef);
		*out = *err = NULL;
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	so = stdout;
	se = stderr;
	stdout = of;
	stderr = ef;
	rc = ce->ce_main(argc, argv);
	fflush(of);
	fflush(ef);
	stdout = so;
	stderr = se;
	fclose(of);
	fclose(ef);
	return rc;
}

static int h_cmd(struct meta_mn_hctx *hx)
{
	struct meta_mn_daemon *d = hx->hx_daemon;
	const struct meta_mn_cmdent *ce;
	struct meta_mn_cmdctx cx;
	struct meta_set *s = NULL;
	struct meta_cfgh h;
	struct mn_set *ss;
	static struct meta_mn_cmd mc;
	char *out = NULL, *err = NULL;
	uint64_t active;
	meta_error_t e;
	bool dry, write, master;
	int rc;

	meta_error_init(&e);
	if (meta_mn_cmd_decode(hx->hx_data, hx->hx_len, &mc, &e) != 0)
		return meta_mn_fail(hx, &e);
	dry = (mc.mc_flags & META_MN_CMD_DRYRUN) != 0;
	if (dry && d->md_cfg.dc_test.mt_dryrun_fail) {
		/* in the form of a command's error (cmd_fail()) */
		meta_error_set(&e, ME_COMM_FAILED, hx->hx_node, mc.mc_set,
			       "test hook commd_test_dryrun_fail refused the "
			       "dry run in set");
		meta_mn_exit(hx, 1);
		meta_mn_printf(hx, "%s: %s\n", mc.mc_argv[0],
			       meta_strerror(&e));
		return 0;
	}
	ce = cmd_find(d, mc.mc_argv[0]);
	if (ce == NULL) {
		meta_error_set(&e, SET_ERROR(ME_USAGE), 0, mc.mc_argv[0],
			       "cannot run through mdcommd");
		return meta_mn_fail(hx, &e);
	}
	ss = mn_set_get(d, hx->hx_set, &e);
	if (ss == NULL)
		return meta_mn_fail(hx, &e);
	if (strcmp(ss->ms_name, mc.mc_set) != 0) {
		meta_error_set(&e, SET_ERROR(ME_COMM_BADSET), 0, mc.mc_set,
			       "set number %u is '%s' on this node, not",
			       hx->hx_set, ss->ms_name);
		return meta_mn_fail(hx, &e);
	}
	master = hx->hx_on_master;
	write = master && !dry;
	s = mn_cmd_hold(d, hx->hx_set, ss, master, &active, &e);
	if (s == NULL)
		return meta_mn_fail(hx, &e);
	memset(&h, 0, sizeof(h));
	h.ch_cfg = ss->ms_cfg;
	/* A dry run changes the model in memory and is then undone: it
	 * costs what it changes, not a copy of the model. */
	if (dry && meta_cfg_undo_begin(h.ch_cfg, &e) != 0) {
		mn_cmd_rele(d, hx->hx_set, ss, master, 0, active);
		return meta_mn_fail(hx, &e);
	}
	if (write) {
		if (meta_set_db(s) == NULL) {
			mn_cmd_rele(d, hx->hx_set, ss, master, 0, active);
			meta_error_set(&e, SET_ERROR(ME_MDDB_NOREPLICA), 0,
				       ss->ms_name, "cannot write set");
			return meta_mn_fail(hx, &e);
		}
		meta_store_mddb(&h.ch_store, meta_set_db(s));
		/* Only the node that commits writes the extent headers. */
		h.ch_store.ms_post = meta_spwm_post;
		h.ch_store.ms_post_arg = s;
		h.ch_db = meta_set_db(s);
	}
	snprintf(h.ch_set, sizeof(h.ch_set), "%s", ss->ms_name);
	h.ch_setno = hx->hx_set;
	h.ch_mn = ss->ms_mn;
	h.ch_lookup = mn_lookup;
	h.ch_lookup_arg = ss;
	cx.cx_h = &h;
	cx.cx_dry = !write;
	cx.cx_node = hx->hx_node;
	ss->ms_cur = s;
	meta_mn_cmdctx_set(&cx);
	rc = run_captured(ce, mc.mc_argc, mc.mc_argv, &out, &err);
	meta_mn_cmdctx_set(NULL);
	ss->ms_cur = NULL;
	/* No command replaces the model inside the daemon (the ones that
	 * reload it, metainit -a and metarecover, refuse to run here). */
	ASSERT3P(h.ch_cfg, ==, ss->ms_cfg);
	if (dry)
		meta_cfg_undo(ss->ms_cfg);
	/* A failed real run on the master: open the set afresh next time. */
	mn_cmd_rele(d, hx->hx_set, ss, master, write && rc != 0 ? -1 : 0,
		    active);
	if (rc < 0) {
		free(out);
		free(err);
		return -1;
	}
	meta_mn_exit(hx, rc);
	/*
	 * A successful run's warnings (meta_spwm_post()) follow its output;
	 * when both do not fit in a result, the output gives way (marked
	 * "...") so that the warning, which names the repair, arrives whole.
	 */
	if (rc == 0 && err != NULL && err[0] != '\0') {
		size_t ol = out != NULL ? strlen(out) : 0, el = strlen(err);
		size_t used = hx->hx_res->mr_outlen;
		size_t room = used < MDC_MAXOUT - 1 ? MDC_MAXOUT - 1 - used : 0;

		if (ol + el > room && el + 4 <= room)
			meta_mn_printf(hx, "%.*s...\n%s", (int)(room - el - 4),
				       out, err);
		else
			meta_mn_printf(hx, "%s%s", out != NULL ? out : "", err);
	} else {
		meta_mn_printf(hx, "%s", rc == 0 ? out : err);
	}
	free(out);
	free(err);
	if (!dry && d->md_cfg.dc_test.mt_result_differ) {
		hx->hx_res->mr_outlen = 0;
		meta_mn_exit(hx, 99);
		meta_error_set(&e, ME_COMM_FAILED, hx->hx_node, mc.mc_set,
			       "test hook commd_test_result_differ made the "
			       "exit value 99 in set");
		meta_mn_printf(hx, "%s: %s\n", mc.mc_argv[0],
			       meta_strerror(&e));
	}
	return 0;
}

static int h_parse(struct meta_mn_hctx *hx)
{
	struct meta_mn_daemon *d = hx->hx_daemon;
	struct mn_set *ss;
	meta_error_t e;

	if (hx->hx_on_master)
		return 0; /* the master's model is the one it committed */
	meta_error_init(&e);
	ss = mn_set_get(d, hx->hx_set, &e);
	if (ss == NULL)
		return meta_mn_fail(hx, &e);
	meta_cfg_destroy(ss->ms_cfg);
	ss->ms_cfg = NULL;
	if (ss->ms_blocked)
		return 0; /* loaded again when unblocked */
	if (mn_model_load(d, hx->hx_set, ss, &e) != 0)
		return meta_mn_fail(hx, &e);
	return 0;
}

static int h_block(struct meta_mn_hctx *hx)
{
	struct meta_mn_daemon *d = hx->hx_daemon;
	struct mn_set *ss;
	meta_error_t e;
	bool block;

	meta_error_init(&e);
	if (hx->hx_sub == 1)
		block = true;
	else if (hx->hx_sub == 3)
		block = false;
	else if (hx->hx_sub == 0 && hx->hx_len >= 1)
		block = ((const uint8_t *)hx->hx_data)[0] != 0;
	else
		return meta_mn_fail(
			hx,
			(meta_error_set(&e, SET_ERROR(ME_COMM_BADMSG), 0, NULL,
					"cannot use MDDB_BLOCK part %u",
					hx->hx_sub),
			 &e));
	ss = mn_set_get(d, hx->hx_set, &e);
	if (ss == NULL)
		return meta_mn_fail(hx, &e);
	ss->ms_blocked = block;
	if (!block && ss->ms_cfg == NULL && !hx->hx_on_master &&
	    mn_model_load(d, hx->hx_set, ss, &e) != 0)
		return meta_mn_fail(hx, &e);
	return 0;
}

static int h_clu_check(struct meta_mn_hctx *hx)
{
	const uint8_t *p = hx->hx_data;
	struct mn_set *ss;
	meta_error_t e;
	uint32_t num;

	meta_error_init(&e);
	if (hx->hx_len != 4) {
		meta_error_set(&e, SET_ERROR(ME_COMM_BADMSG), 0, NULL,
			       "cannot use CLU_CHECK payload of %u bytes",
			       hx->hx_len);
		return meta_mn_fail(hx, &e);
	}
	num = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	      (uint32_t)p[3] << 24;
	ss = hx_set(hx, &e);
	if (ss == NULL)
		return meta_mn_fail(hx, &e);
	meta_mn_exit(hx, num < META_MAXUNITS && meta_cfg_unit(ss->ms_cfg,
							      num) != NULL ?
				 0 :
				 ENOENT);
	return 0;
}

const struct meta_mn_handler meta_mn_handlers[] = {
	{ MDC_MSG_TEST1, h_dummy },
	{ MDC_MSG_TEST2, h_dummy },
	{ MDC_MSG_TEST3, h_dummy },
	{ MDC_MSG_TEST4, h_dummy },
	{ MDC_MSG_TEST5, h_dummy },
	{ MDC_MSG_VERBOSITY, h_dummy },
	{ MDC_MSG_ABORT, h_dummy },
	{ MDC_MSG_BC_CMD, h_cmd },
	{ MDC_MSG_BC_CMD_RETRY, h_cmd },
	{ MDC_MSG_MDDB_PARSE, h_parse },
	{ MDC_MSG_MDDB_BLOCK, h_block },
	{ MDC_MSG_CLU_CHECK, h_clu_check },
	{ 0, NULL },
};
