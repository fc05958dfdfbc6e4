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
 * The store is libmeta's (meta_mn_daemon.h): change log in each set's
 * mddb, handlers of meta_mn.h, this node's completion table.  At start the
 * daemon serves every multi-owner set this node is joined to, with the
 * master its node records name; later masters come from SETMASTER
 * (metaset -j, metaclust step1).  The configuration commands are linked in
 * and run by the BC_CMD handler against the daemon's model of the set.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <oban/errcodes.h>
#include <oban/mdc_core.h>
#include <oban/mdc_dbg.h>
#include <oban/mdc_mct.h>
#include <oban/mdc_rpcsvc.h>
#include <oban/mdc_trace.h>
#include <oban/mdc_transport.h>
#include <oban/meta_mn_daemon.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

#include "../../cmds/cmd_common.h"
#include "mdc_nodelist.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;
static volatile sig_atomic_t leave_requested;
static volatile sig_atomic_t leave_action; /* the core's, for the leave */

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

/*
 * The configuration commands the BC_CMD handler runs in this process
 * (compiled in with OBAN_CMD_NOMAIN; lib/libmeta/meta_mn_cmd.c).
 */
static const struct meta_mn_cmdent daemon_cmds[] = {
	{ "metainit", metainit_main },	 { "metaclear", metaclear_main },
	{ "metattach", metattach_main }, { "metadetach", metadetach_main },
	{ "metaparam", metaparam_main }, { "metarename", metarename_main },
	{ "metahs", metahs_main },	 { NULL, NULL },
};

static void test_hooks(const struct mdc_runtime *rt, struct meta_mn_test *t)
{
	memset(t, 0, sizeof(*t));
	t->mt_dryrun_fail = rt->rt_test_dryrun_fail;
	t->mt_result_differ = rt->rt_test_result_differ;
	t->mt_log_delay_ms = rt->rt_test_log_delay_ms;
	if (t->mt_dryrun_fail || t->mt_result_differ || t->mt_log_delay_ms)
		syslog(LOG_WARNING,
		       "test hooks on: dryrun_fail=%d result_differ=%d "
		       "log_delay=%u ms (runtime.cf; tests only)",
		       t->mt_dryrun_fail, t->mt_result_differ,
		       t->mt_log_delay_ms);
}

/*
 * The inconsistency action.  "leave" (for tests): stop this node's oban
 * daemons -- mdcommd is the only one in this build -- and leave the CPG
 * group.  "fence": the same, and before leaving, the fence command of
 * runtime.cf (commd_fence_command) is run with this node's id and name to
 * have the cluster fence this node; without one, or when it fails, the
 * node says so at LOG_CRIT and leaves: a master whose nodes disagree must
 * stop taking part either way.  Both results are logged.
 */
static void on_inconsistent(void *arg, enum mdc_incons_action action,
			    const struct mdc_msg *msg,
			    const struct mdc_result *mine,
			    const struct mdc_result *theirs)
{
	char line[512];

	snprintf(line, sizeof(line),
		 "mdcommd: %s differs between this master (%s %d) and node %u "
		 "(%s %d): %s",
		 mdc_msgtype_name(msg->mm_type),
		 mdc_comm_state_name(mine->mr_comm_state), mine->mr_exitval,
		 theirs->mr_node, mdc_comm_state_name(theirs->mr_comm_state),
		 theirs->mr_exitval,
		 action == MDC_INCONS_FENCE ?
			 "fencing requested: fencing this node, then leaving" :
			 "leaving the cluster");
	syslog(LOG_CRIT, "%s", line);
	fprintf(stderr, "%s\n", line);
	leave_action = (sig_atomic_t)action;
	leave_requested = 1;
}

/*
 * Run the fence command @cmd with this node's id and name, at most 30 s
 * (then its process group is killed).  Started with posix_spawn() (no
 * code of ours runs in the child of this threaded daemon), in a process
 * group of its own, SIGPIPE back to its default.  Logged either way; 0
 * when it exited 0.
 */
static int fence(const char *cmd, uint32_t node)
{
	struct meta_nodelist_ent self;
	char id[16], why[96];
	char *argv[4];
	uint64_t end = now_ms() + 30000;
	posix_spawnattr_t attr;
	sigset_t def;
	meta_error_t e;
	pid_t pid = -1, w = 0;
	int status = 0, rc, err = 0;

	if (cmd[0] == '\0') {
		syslog(LOG_CRIT, "no fence command (commd_fence_command in "
				 "runtime.cf): leaving the cluster instead");
		fprintf(stderr, "mdcommd: no fence command: leaving the "
				"cluster instead\n");
		return -1;
	}
	if (meta_node_self(&self, &e) != 0)
		snprintf(self.ne_name, sizeof(self.ne_name), "%s", "");
	snprintf(id, sizeof(id), "%u", node);
	argv[0] = (char *)cmd;
	argv[1] = id;
	argv[2] = self.ne_name;
	argv[3] = NULL;
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	rc = posix_spawnattr_init(&attr);
	if (rc == 0) {
		struct sched_param sp = { .sched_priority = 0 };

		rc = posix_spawnattr_setflags(
			&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
				       POSIX_SPAWN_SETSCHEDULER);
		if (rc == 0)
			rc = posix_spawnattr_setpgroup(&attr, 0);
		if (rc == 0)
			rc = posix_spawnattr_setschedpolicy(&attr, SCHED_OTHER);
		if (rc == 0)
			rc = posix_spawnattr_setschedparam(&attr, &sp);
		if (rc == 0)
			rc = posix_spawnattr_setsigdefault(&attr, &def);
		if (rc == 0)
			rc = posix_spawn(&pid, cmd, NULL, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
	}
	if (rc != 0) {
		snprintf(why, sizeof(why), "cannot run: %s", strerror(rc));
		goto failed;
	}
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != 0 || now_ms() >= end)
			break;
		usleep(100 * 1000);
	}
	if (w <= 0) {
		err = errno;
		/* Timed out, or waitpid failed: the whole group goes. */
		(void)kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (w == 0)
			snprintf(why, sizeof(why), "killed after 30 s");
		else
			snprintf(why, sizeof(why), "cannot wait for it: %s",
				 strerror(err));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		syslog(LOG_CRIT, "fence command %s %s %s: done", cmd, id,
		       self.ne_name);
		fprintf(stderr, "mdcommd: fence command %s %s %s: done\n", cmd,
			id, self.ne_name);
		return 0;
	} else if (WIFEXITED(status)) {
		snprintf(why, sizeof(why), "exit %d", WEXITSTATUS(status));
	} else {
		snprintf(why, sizeof(why), "signal %d", WTERMSIG(status));
	}
failed:
	syslog(LOG_CRIT,
	       "fence command %s %s %s failed (%s): leaving the "
	       "cluster instead",
	       cmd, id, self.ne_name, why);
	fprintf(stderr,
		"mdcommd: fence command %s %s %s failed (%s): leaving the "
		"cluster instead\n",
		cmd, id, self.ne_name, why);
	return -1;
}

/*
 * Real-time scheduling (runtime.cf commd_rt_priority, default 1): every
 * node's configuration, and the data path's messages later, wait on this
 * daemon's turnaround, and corosync, which it answers, runs SCHED_RR at
 * the maximum.  An ordinary process would queue behind the node's other
 * work after every delivery and every disk write (doc/mdcommd.md 9a).
 * Children (the fence command) are started with ordinary scheduling.
 * Refused (no CAP_SYS_NICE, an RT budget of 0 in a cgroup): said, and
 * the daemon runs as an ordinary process.
 */
static void set_priority(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	if (prio == 0)
		return;
	if (sched_setscheduler(0, SCHED_RR, &sp) != 0)
		syslog(LOG_WARNING,
		       "cannot run at real-time priority %d (%s): running "
		       "with ordinary scheduling",
		       prio, strerror(errno));
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
	struct meta_mn_daemon *mnd = NULL;
	struct meta_mn_daemon_config mcfg;
	struct sigaction sa;
	struct group *gr;
	char sock[256];
	meta_error_t e;
	bool nl_written;
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
	/* Before any thread is made: they all inherit it. */
	set_priority(rt.rt_rt_priority);
	/* A benchmarking aid (doc/bench.md), also before any thread. */
	if (rt.rt_trace_dir[0] != '\0') {
		if (mdc_trace_open(rt.rt_trace_dir, &e) != 0) {
			/* Name the key: the path alone says not where from. */
			char what[META_ERR_WHATLEN];

			snprintf(what, sizeof(what), "%s", e.me_what);
			meta_error_set(&e, e.me_code, 0, rt.rt_trace_dir,
				       "commd_trace_dir: %s", what);
			goto fail;
		}
		syslog(LOG_INFO, "step tracing into %s (commd_trace_dir)",
		       rt.rt_trace_dir);
	}
	if (mkdir(oban_dir(OBAN_DIR_RUN), 0755) != 0 && errno != EEXIST) {
		meta_error_set(&e, errno, 0, oban_dir(OBAN_DIR_RUN),
			       "cannot create");
		goto fail;
	}
	/* The node list, from corosync's configuration when there is none. */
	if (mdc_nodelist_init(&nl_written, &e) != 0) {
		syslog(LOG_WARNING, "%s", meta_strerror(&e));
		meta_error_init(&e);
	} else if (nl_written) {
		syslog(LOG_INFO, "node list written from corosync's "
				 "configuration");
	}
	if (rt.rt_out_file[0] != '\0' &&
	    mdc_dbg_create(rt.rt_out_file, rt.rt_verbosity, rt.rt_out_max, &dbg,
			   &e) != 0) {
		syslog(LOG_WARNING, "%s: no debug output", meta_strerror(&e));
		meta_error_init(&e);
	}
	if (mdc_mct_open(oban_dir(OBAN_DIR_RUN), &mct, &e) != 0)
		goto fail_dbg;
	memset(&mcfg, 0, sizeof(mcfg));
	mcfg.dc_cmds = daemon_cmds;
	mcfg.dc_mct = mct;
	/*
	 * The set administration channel (META_MN_ADMIN_SET): served on every
	 * node, master the lowest member.
	 */
	mcfg.dc_admin_set = META_MN_ADMIN_SET;
	test_hooks(&rt, &mcfg.dc_test);
	if (meta_mn_daemon_create(&mcfg, &mnd, &e) != 0)
		goto fail_mct;
	if (mdc_cpg_create(&t, &e) != 0)
		goto fail_mnd;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cc_store = &meta_mn_store_ops;
	cfg.cc_store_arg = mnd;
	cfg.cc_nodelist = meta_mn_daemon_nodelist;
	cfg.cc_arg = mnd;
	cfg.cc_action = rt.rt_action;
	cfg.cc_inconsistent = on_inconsistent;
	cfg.cc_dbg = dbg;
	/* Ids stay unique across restarts: the clock in the high bits. */
	cfg.cc_seq0 = (uint64_t)time(NULL) << 20;
	if (mdc_core_create(&cfg, &t, &c, &e) != 0)
		goto fail_t;
	meta_mn_daemon_bind(mnd, c);
	if (mdc_core_join(c, group, &e) != 0)
		goto fail_c;
	/* The sets this node is joined to, and their masters. */
	if (meta_mn_daemon_scan(mnd, &e) < 0) {
		syslog(LOG_WARNING, "scanning sets: %s", meta_strerror(&e));
		meta_error_init(&e);
	}
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
		meta_mn_daemon_tick(mnd);
		if (reload_requested) {
			reload_requested = 0;
			meta_error_init(&e);
			if (mdc_runtime_read(NULL, &rt, &e) == 0) {
				struct meta_mn_test th;

				mdc_core_verbosity(c, rt.rt_verbosity);
				test_hooks(&rt, &th);
				meta_mn_daemon_set_test(mnd, &th);
			} else
				syslog(LOG_WARNING, "%s", meta_strerror(&e));
		}
	}
	if (leave_requested) {
		/*
		 * The inconsistency action: finish what is under way first
		 * (at most 10 s), so that the message that differed is
		 * answered and its change-log slot cleared; a new master
		 * would otherwise replay it into the same difference.
		 */
		uint64_t end = now_ms() + 10000;

		while (!stop_requested && !mdc_core_idle(c) && now_ms() < end) {
			if (t.t_ops->to_dispatch(t.t_priv, 200, &e) != 0)
				goto fail_svc;
			mdc_core_tick(c, now_ms());
		}
		/* The action the core took (runtime.cf at start), the
		 * command as runtime.cf says now (re-read on SIGHUP). */
		if (leave_action == MDC_INCONS_FENCE)
			(void)fence(rt.rt_fence_command,
				    t.t_ops->to_nodeid(t.t_priv));
		fprintf(stderr, "mdcommd: leaving the cluster (%s)\n",
			mdc_core_idle(c) ? "drained" : "not drained in 10 s");
	}
	ret = leave_requested ? 1 : 0;
	meta_error_init(&e);
fail_svc:
	mdc_rpcsvc_destroy(svc);
fail_c:
	mdc_core_destroy(c);
fail_t:
	t.t_ops->to_destroy(t.t_priv);
fail_mnd:
	meta_mn_daemon_destroy(mnd);
fail_mct:
	mdc_mct_close(mct);
fail_dbg:
	mdc_dbg_destroy(dbg);
fail:
	if (meta_error_isset(&e)) {
		fprintf(stderr, "mdcommd: %s\n", meta_strerror(&e));
		syslog(LOG_ERR, "%s", meta_strerror(&e));
	}
	if (mdc_trace_dropped() != 0)
		syslog(LOG_WARNING,
		       "step tracing: %llu events dropped, the file was full",
		       (unsigned long long)mdc_trace_dropped());
	closelog();
	return ret;
}
