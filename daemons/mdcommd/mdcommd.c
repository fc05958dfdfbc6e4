// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcommd: the message daemon of a node (doc/mdcommd.md, mdcommd(8)).
 *
 *   mdcommd [-g group]
 *
 * Wires the three parts together and runs in the foreground:
 *
 *   transport  Corosync CPG, group "oban" (mdc_cpg.c);
 *   core       the state machine (lib/libmeta/mdc_core.c), with this
 *              node's completion table in oban_dir(OBAN_DIR_RUN)/mct.lmdb;
 *   RPC        the local socket oban_dir(OBAN_DIR_RUN)/mdcommd.sock
 *              (lib/libmeta/mdc_rpcsvc.c), monitor group "oban-monitor".
 *
 * Threads: the main thread dispatches CPG and ticks the core's clock; the
 * RPC server has an accepting thread and one per connection.
 *
 * Signals: SIGTERM and SIGINT stop the daemon; SIGHUP re-reads
 * runtime.cf's commd_verbosity.
 *
 * Interim (until the replica store and the engine are merged): the
 * change log is not available, so a logged message is answered LOG_FAIL;
 * only the test and internal types have handlers (the others answer
 * HANDLER_FAILED); no master is chosen here: metaclust names one with the
 * SETMASTER control call (mdc_client_ctl()).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <oban/errcodes.h>
#include <oban/mdc_core.h>
#include <oban/mdc_dbg.h>
#include <oban/mdc_mct.h>
#include <oban/mdc_rpcsvc.h>
#include <oban/mdc_transport.h>
#include <oban/paths.h>

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t leave_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the store: completion table now, change log and handlers later --- */

static int st_log_write(void *arg, const struct mdc_msg *msg,
			struct mdc_msg *other, meta_error_t *ep)
{
	return meta_error_set(ep, ME_COMM_LOGFAIL, 0, NULL,
			      "cannot log %s: the change log is not available "
			      "in this build",
			      mdc_msgtype_name(msg->mm_type));
}

static int st_log_clear(void *arg, uint32_t set, unsigned int cls,
			meta_error_t *ep)
{
	return 0;
}

static int st_log_read_all(void *arg, uint32_t set,
			   struct mdc_msg slots[MDC_LOG_SLOTS], uint32_t *inuse,
			   meta_error_t *ep)
{
	*inuse = 0;
	return 0;
}

static int st_run(void *arg, const struct mdc_msg *msg, uint32_t flags,
		  struct mdc_hctx *hc, struct mdc_result *res)
{
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(msg->mm_type);

	if (mt == NULL || mt->mt_handler != MDC_H_DUMMY)
		return -1; /* HANDLER_FAILED: not in this build */
	res->mr_exitval = 0;
	res->mr_outlen = 0;
	return 0;
}

static int st_mct_check(void *arg, const struct mdc_msg *msg,
			struct mdc_result *res, meta_error_t *ep)
{
	return mdc_mct_check(arg, msg, res, ep);
}

static int st_mct_mark(void *arg, const struct mdc_msg *msg,
		       enum mdc_mct_state state, const struct mdc_result *res,
		       meta_error_t *ep)
{
	return mdc_mct_mark(arg, msg, state, res, ep);
}

static const struct mdc_store_ops daemon_store = {
	.so_log_write = st_log_write,
	.so_log_clear = st_log_clear,
	.so_log_read_all = st_log_read_all,
	.so_run = st_run,
	.so_mct_check = st_mct_check,
	.so_mct_mark = st_mct_mark,
};

/*
 * The inconsistency action.  "leave": stop this daemon and leave the
 * group.  "fence": no fencing agent is wired in yet, so the node says so
 * at LOG_CRIT and leaves as well: a master whose nodes disagree must stop
 * taking part either way.
 */
static void on_inconsistent(void *arg, enum mdc_incons_action action,
			    const struct mdc_msg *msg,
			    const struct mdc_result *mine,
			    const struct mdc_result *theirs)
{
	syslog(LOG_CRIT,
	       "mdcommd: %s differs between this master (%s %d) and node %u "
	       "(%s %d): %s",
	       mdc_msgtype_name(msg->mm_type),
	       mdc_comm_state_name(mine->mr_comm_state), mine->mr_exitval,
	       theirs->mr_node, mdc_comm_state_name(theirs->mr_comm_state),
	       theirs->mr_exitval,
	       action == MDC_INCONS_FENCE ?
		       "fencing requested (no agent): leaving the cluster" :
		       "leaving the cluster");
	leave_requested = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: mdcommd [-g group]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *group = "oban";
	struct mdc_core_config cfg;
	struct mdc_runtime rt;
	struct mdc_transport t;
	struct mdc_rpcsvc *svc = NULL;
	struct mdc_dbg *dbg = NULL;
	struct mdc_mct *mct = NULL;
	struct mdc_core *c = NULL;
	struct sigaction sa;
	struct group *gr;
	char sock[256];
	meta_error_t e;
	int opt, ret = 1;

	while ((opt = getopt(argc, argv, "g:")) != -1) {
		if (opt == 'g')
			group = optarg;
		else
			usage();
	}
	if (optind != argc)
		usage();
	openlog("mdcommd", LOG_PID, LOG_DAEMON);
	meta_error_init(&e);
	if (mdc_runtime_read(NULL, &rt, &e) != 0)
		goto fail;
	if (mkdir(oban_dir(OBAN_DIR_RUN), 0755) != 0 && errno != EEXIST) {
		meta_error_set(&e, errno, 0, oban_dir(OBAN_DIR_RUN),
			       "cannot create");
		goto fail;
	}
	if (rt.rt_out_file[0] != '\0' &&
	    mdc_dbg_create(rt.rt_out_file, rt.rt_verbosity, rt.rt_out_max, &dbg,
			   &e) != 0) {
		syslog(LOG_WARNING, "%s: no debug output", meta_strerror(&e));
		meta_error_init(&e);
	}
	if (mdc_mct_open(oban_dir(OBAN_DIR_RUN), &mct, &e) != 0)
		goto fail_dbg;
	if (mdc_cpg_create(&t, &e) != 0)
		goto fail_mct;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cc_store = &daemon_store;
	cfg.cc_store_arg = mct;
	cfg.cc_action = rt.rt_action;
	cfg.cc_inconsistent = on_inconsistent;
	cfg.cc_dbg = dbg;
	/* Ids stay unique across restarts: the clock in the high bits. */
	cfg.cc_seq0 = (uint64_t)time(NULL) << 20;
	if (mdc_core_create(&cfg, &t, &c, &e) != 0)
		goto fail_t;
	if (mdc_core_join(c, group, &e) != 0)
		goto fail_c;
	gr = getgrnam("oban-monitor");
	if (oban_path(sock, sizeof(sock), OBAN_DIR_RUN, "mdcommd.sock") ==
		    NULL ||
	    mdc_rpcsvc_create(c, sock, gr != NULL ? gr->gr_gid : (gid_t)-1,
			      &svc, &e) != 0)
		goto fail_c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	syslog(LOG_INFO, "node %u serving group '%s' on %s",
	       t.t_ops->to_nodeid(t.t_priv), group, sock);
	mdc_dbg_printf(dbg, MDC_MMV_INIT, "mdcommd: node %u, group '%s'",
		       t.t_ops->to_nodeid(t.t_priv), group);

	while (!stop_requested && !leave_requested) {
		if (t.t_ops->to_dispatch(t.t_priv, 200, &e) != 0)
			goto fail_svc;
		mdc_core_tick(c, now_ms());
		if (reload_requested) {
			reload_requested = 0;
			meta_error_init(&e);
			if (mdc_runtime_read(NULL, &rt, &e) == 0)
				mdc_core_verbosity(c, rt.rt_verbosity);
			else
				syslog(LOG_WARNING, "%s", meta_strerror(&e));
		}
	}
	ret = leave_requested ? 1 : 0;
	meta_error_init(&e);
fail_svc:
	mdc_rpcsvc_destroy(svc);
fail_c:
	mdc_core_destroy(c);
fail_t:
	t.t_ops->to_destroy(t.t_priv);
fail_mct:
	mdc_mct_close(mct);
fail_dbg:
	mdc_dbg_destroy(dbg);
fail:
	if (meta_error_isset(&e)) {
		fprintf(stderr, "mdcommd: %s\n", meta_strerror(&e));
		syslog(LOG_ERR, "%s", meta_strerror(&e));
	}
	closelog();
	return ret;
}
