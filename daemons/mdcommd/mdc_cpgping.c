// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdc_cpgping: run the mdcommd core over Corosync CPG and ping through it.
 *
 *   mdc_cpgping [-g group] [-m members] [-n count] [-s set]
 *
 * Run it on every node of a corosync cluster at once.  Each copy joins the
 * CPG group (default "oban-ping", so that it never meets a real mdcommd),
 * waits until the group has @members nodes, takes the lowest-numbered one
 * as the set's master (mdc_choose_master()), then sends @count pings:
 * TEST2 with NO_LOG | FAIL_ON_SUSPEND through the master to every node
 * and back, exactly as a configuration message travels.  It prints one
 * line per answer with its round-trip time, then keeps serving the others
 * for a few seconds so that their pings complete, and exits 0 if every
 * ping was answered ACK.
 *
 * The storage side is a stub (no change log is needed for NO_LOG messages,
 * the completion table is kept in memory, TEST2's handler does nothing):
 * this is a transport check, not a daemon.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oban/errcodes.h>
#include <oban/mdc_core.h>
#include <oban/mdc_transport.h>

struct ping_state {
	unsigned int ps_members;
	bool ps_answered;
	struct mdc_result ps_res;
};

static struct ping_state ps;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int st_log_write(void *arg, const struct mdc_msg *msg,
			struct mdc_msg *other, meta_error_t *ep)
{
	return meta_error_set(ep, ME_COMM_LOGFAIL, 0, NULL,
			      "cannot log: mdc_cpgping has no change log");
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
	res->mr_exitval = 0;
	res->mr_outlen = 0;
	return 0;
}

static int st_mct_check(void *arg, const struct mdc_msg *msg,
			struct mdc_result *res, meta_error_t *ep)
{
	return MDC_MCT_NOT_DONE;
}

static int st_mct_mark(void *arg, const struct mdc_msg *msg,
		       enum mdc_mct_state state, const struct mdc_result *res,
		       meta_error_t *ep)
{
	return 0;
}

static const struct mdc_store_ops ping_store = {
	.so_log_write = st_log_write,
	.so_log_clear = st_log_clear,
	.so_log_read_all = st_log_read_all,
	.so_run = st_run,
	.so_mct_check = st_mct_check,
	.so_mct_mark = st_mct_mark,
};

static void on_reply(void *cookie, const struct mdc_result *res)
{
	ps.ps_answered = true;
	ps.ps_res = *res;
}

static void usage(void)
{
	fprintf(stderr, "usage: mdc_cpgping [-g group] [-m members] "
			"[-n count] [-s set]\n");
	exit(2);
}

/* Dispatch and tick until @done or @until_ms. */
static int pump(struct mdc_transport *t, struct mdc_core *c, bool *done,
		uint64_t until_ms, meta_error_t *ep)
{
	while ((done == NULL || !*done) && now_ms() < until_ms) {
		if (t->t_ops->to_dispatch(t->t_priv, 100, ep) != 0)
			return -1;
		mdc_core_tick(c, now_ms());
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *group = "oban-ping";
	unsigned int members = 1, count = 3, set = 1, i, ok = 0;
	struct mdc_core_config cfg;
	struct mdc_transport t;
	struct mdc_core *c;
	meta_error_t e;
	uint64_t t0;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "g:m:n:s:")) != -1) {
		switch (opt) {
		case 'g':
			group = optarg;
			break;
		case 'm':
			members = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			count = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 's':
			set = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (members == 0 || members > MDC_MAXNODES || set == 0 ||
	    set >= MDC_MAXSETS)
		usage();
	meta_error_init(&e);
	if (mdc_cpg_create(&t, &e) != 0)
		goto fail;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cc_store = &ping_store;
	cfg.cc_seq0 = (uint64_t)time(NULL) << 20;
	if (mdc_core_create(&cfg, &t, &c, &e) != 0)
		goto fail_t;
	if (mdc_core_join(c, group, &e) != 0)
		goto fail_c;
	printf("node %u joined '%s', waiting for %u members\n",
	       t.t_ops->to_nodeid(t.t_priv), group, members);

	/* Wait for the members: the master is the lowest-numbered one. */
	t0 = now_ms();
	for (;;) {
		if (pump(&t, c, NULL, now_ms() + 200, &e) != 0)
			goto fail_c;
		if (mdc_core_members(c, NULL) >= members)
			break;
		if (now_ms() - t0 > 60000) {
			meta_error_set(&e, ME_COMM_TIMEOUT, 0, group,
				       "cannot gather %u members", members);
			goto fail_c;
		}
	}
	{
		uint32_t ids[MDC_MAXNODES], m = 0;
		struct mdc_node_info ni[MDC_MAXNODES];
		size_t n = mdc_core_members(c, ids), k;

		for (k = 0; k < n; k++) {
			ni[k].ni_id = ids[k];
			ni[k].ni_alive = true;
			ni[k].ni_owner = true;
		}
		if (mdc_choose_master(ni, n, 0, &m, &e) != 0 ||
		    mdc_core_set_master(c, set, m, &e) != 0)
			goto fail_c;
		printf("set %u: master is node %u of %zu\n", set, m, n);
	}
	for (i = 0; i < count; i++) {
		ps.ps_answered = false;
		t0 = now_ms();
		if (mdc_core_ping(c, set, on_reply, NULL, &e) != 0)
			goto fail_c;
		if (pump(&t, c, &ps.ps_answered, t0 + 30000, &e) != 0)
			goto fail_c;
		if (!ps.ps_answered) {
			printf("ping %u: no answer\n", i + 1);
			continue;
		}
		printf("ping %u: %s exit %d, %llu ms\n", i + 1,
		       mdc_comm_state_name(ps.ps_res.mr_comm_state),
		       ps.ps_res.mr_exitval,
		       (unsigned long long)(now_ms() - t0));
		if (ps.ps_res.mr_comm_state == MDC_CS_ACK)
			ok++;
	}
	/* Keep answering the other nodes' pings for a while. */
	(void)pump(&t, c, NULL, now_ms() + 3000, &e);
	mdc_core_destroy(c);
	t.t_ops->to_destroy(t.t_priv);
	printf("%u of %u pings answered ACK\n", ok, count);
	return ok == count ? 0 : 1;

fail_c:
	mdc_core_destroy(c);
fail_t:
	t.t_ops->to_destroy(t.t_priv);
fail:
	fprintf(stderr, "mdc_cpgping: %s\n", meta_strerror(&e));
	return 1;
}
