// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator cluster shared by test_mn and test_mnhold (mn_sim.h).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/meta_set.h>

#include "mn_sim.h"
#include "ocu.h"

struct mdc_sim *sim;
struct tnode nodes[N + 1];
uint64_t now;
uint32_t setno;
char drive_dir[512];
const struct meta_mn_cmdent *mn_sim_cmds;

char *dpath(const char *name)
{
	static char buf[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", drive_dir, name);
	return buf[k];
}

/* ---- the store, wrapped to count runs and to crash at a chosen point ---- */

static int w_log_write(void *arg, const struct mdc_msg *msg,
		       struct mdc_msg *other, meta_error_t *ep)
{
	struct tnode *tn = arg;
	int rc = meta_mn_store_ops.so_log_write(tn->tn_d, msg, other, ep);

	if (rc == 0 && tn->tn_crash_on_log) {
		tn->tn_crash_on_log = false;
		mdc_sim_crash(sim, tn->tn_id);
	}
	return rc;
}

static int w_log_clear(void *arg, uint32_t set, unsigned int cls,
		       meta_error_t *ep)
{
	struct tnode *tn = arg;

	return meta_mn_store_ops.so_log_clear(tn->tn_d, set, cls, ep);
}

static void w_log_settle(void *arg, uint32_t set)
{
	struct tnode *tn = arg;

	meta_mn_store_ops.so_log_settle(tn->tn_d, set);
}

static int w_log_read_all(void *arg, uint32_t set,
			  struct mdc_msg slots[MDC_LOG_SLOTS], uint32_t *inuse,
			  meta_error_t *ep)
{
	struct tnode *tn = arg;

	return meta_mn_store_ops.so_log_read_all(tn->tn_d, set, slots, inuse,
						 ep);
}

static int w_run(void *arg, const struct mdc_msg *msg, uint32_t flags,
		 struct mdc_hctx *hc, struct mdc_result *res)
{
	struct tnode *tn = arg;

	if (mdc_msgid_eq(&msg->mm_id, &tn->tn_watch))
		tn->tn_runs++;
	return meta_mn_store_ops.so_run(tn->tn_d, msg, flags, hc, res);
}

static int w_mct_check(void *arg, const struct mdc_msg *msg,
		       struct mdc_result *res, meta_error_t *ep)
{
	struct tnode *tn = arg;

	return meta_mn_store_ops.so_mct_check(tn->tn_d, msg, res, ep);
}

static int w_mct_mark(void *arg, const struct mdc_msg *msg,
		      enum mdc_mct_state state, const struct mdc_result *res,
		      meta_error_t *ep)
{
	struct tnode *tn = arg;

	return meta_mn_store_ops.so_mct_mark(tn->tn_d, msg, state, res, ep);
}

static void w_log_forget(void *arg, uint32_t set)
{
	struct tnode *tn = arg;

	meta_mn_store_ops.so_log_forget(tn->tn_d, set);
}

static const struct mdc_store_ops wstore = {
	.so_log_write = w_log_write,
	.so_log_clear = w_log_clear,
	.so_log_settle = w_log_settle,
	.so_log_read_all = w_log_read_all,
	.so_run = w_run,
	.so_mct_check = w_mct_check,
	.so_mct_mark = w_mct_mark,
	.so_log_forget = w_log_forget,
};

static void t_incons(void *arg, enum mdc_incons_action action,
		     const struct mdc_msg *msg, const struct mdc_result *mine,
		     const struct mdc_result *theirs)
{
	struct tnode *tn = arg;

	(void)action;
	(void)msg;
	(void)mine;
	(void)theirs;
	tn->tn_incons++;
}

/* ---- the cluster ---------------------------------------------------------- */

void cl_create(uint64_t seed)
{
	static unsigned int seq;
	struct mdc_core_config cfg;
	struct meta_mn_daemon_config dc;
	char dir[600], name[64];
	meta_error_t e;

	meta_error_init(&e);
	sim = mdc_sim_create(N, seed);
	VERIFY(sim != NULL);
	seq++;
	for (uint32_t i = 1; i <= N; i++) {
		struct tnode *tn = &nodes[i];

		memset(tn, 0, sizeof(*tn));
		tn->tn_id = i;
		snprintf(name, sizeof(name), "mct-%u-%u", seq, i);
		ocu_path(dir, sizeof(dir), name);
		VERIFY0(mkdir(dir, 0700));
		VERIFY0(mdc_mct_open(dir, &tn->tn_mct, &e));
		memset(&dc, 0, sizeof(dc));
		dc.dc_cmds = mn_sim_cmds;
		dc.dc_mct = tn->tn_mct;
		dc.dc_admin_set = 31;
		VERIFY0(meta_mn_daemon_create(&dc, &tn->tn_d, &e));
		memset(&cfg, 0, sizeof(cfg));
		cfg.cc_store = &wstore;
		cfg.cc_store_arg = tn;
		cfg.cc_action = MDC_INCONS_LEAVE;
		cfg.cc_inconsistent = t_incons;
		cfg.cc_arg = tn;
		cfg.cc_seq0 = 1000 * seq;
		VERIFY0(mdc_core_create(&cfg, mdc_sim_transport(sim, i),
					&tn->tn_core, &e));
		meta_mn_daemon_bind(tn->tn_d, tn->tn_core);
		VERIFY0(mdc_core_join(tn->tn_core, "oban", &e));
	}
	while (mdc_sim_step(sim))
		;
	for (uint32_t i = 1; i <= N; i++) {
		VERIFY0(mdc_core_set_master(nodes[i].tn_core, setno, 1, &e));
		meta_mn_daemon_tick(nodes[i].tn_d); /* loads the model */
		VERIFY(meta_mn_daemon_model(nodes[i].tn_d, setno) != NULL);
	}
	/* Each daemon asked for the holds in force (none): the answers, all
	 * partial (every node just started).  As if a lease had passed: each
	 * knows every hold (none) and answers so. */
	while (mdc_sim_step(sim))
		;
	for (uint32_t i = 1; i <= N; i++)
		meta_mn_daemon_holds_known(nodes[i].tn_d);
}

/* Every live daemon ticks; then the packets that sent (the holds query
 * after a quorum loss) run to their answers. */
void cl_tick(void)
{
	for (uint32_t i = 1; i <= N; i++)
		if (mdc_sim_alive(sim, i))
			meta_mn_daemon_tick(nodes[i].tn_d);
	while (mdc_sim_step(sim))
		;
}

void cl_destroy(void)
{
	for (uint32_t i = 1; i <= N; i++) {
		mdc_core_destroy(nodes[i].tn_core);
		meta_mn_daemon_destroy(nodes[i].tn_d);
		mdc_mct_close(nodes[i].tn_mct);
	}
	mdc_sim_destroy(sim);
	sim = NULL;
}

void cl_run(unsigned int max_seconds)
{
	for (unsigned int s = 0; s <= max_seconds; s++) {
		bool idle = true;

		while (mdc_sim_step(sim))
			;
		for (uint32_t i = 1; i <= N; i++)
			if (mdc_sim_alive(sim, i) &&
			    !mdc_core_idle(nodes[i].tn_core))
				idle = false;
		if (idle)
			return;
		now += 1000;
		for (uint32_t i = 1; i <= N; i++)
			if (mdc_sim_alive(sim, i))
				mdc_core_tick(nodes[i].tn_core, now);
	}
}

void t_reply(void *cookie, const struct mdc_result *res)
{
	struct treply *tr = cookie;

	tr->tr_got++;
	tr->tr_res = *res;
}

/* Every live node but @except takes @m as the set's master. */
void all_master(uint32_t m, uint32_t except)
{
	meta_error_t e;

	meta_error_init(&e);
	for (uint32_t i = 1; i <= N; i++)
		if (i != except)
			CU_ASSERT_EQUAL(mdc_core_set_master(nodes[i].tn_core,
							    setno, m, &e),
					0);
}

/* A NO_LOG TEST2 on set blue from @node: its answer code. */
uint32_t ping_from(uint32_t node)
{
	struct treply tr;
	struct mdc_send s;
	meta_error_t e;

	meta_error_init(&e);
	memset(&s, 0, sizeof(s));
	s.sd_set = setno;
	s.sd_type = MDC_MSG_TEST2;
	s.sd_flags = MDC_F_NO_LOG;
	memset(&tr, 0, sizeof(tr));
	VERIFY0(mdc_core_send(nodes[node].tn_core, &s, t_reply, &tr, NULL, &e));
	cl_run(30);
	CU_ASSERT_EQUAL(tr.tr_got, 1);
	return tr.tr_res.mr_comm_state;
}

int mn_sim_setup(void)
{
	const char *me = "node1", *drv[2];
	struct meta_set *s;
	meta_error_t e;
	const char *names[] = { "a", "b", "c", "d" };

	meta_error_init(&e);
	for (int i = 0; i < 4; i++) {
		int fd = open(dpath(names[i]), O_CREAT | O_RDWR, 0600);

		if (fd < 0 || ftruncate(fd, (off_t)DRIVE_SIZE) != 0)
			return -1;
		close(fd);
	}
	if (meta_set_create("blue", true, &me, 1, &e) != 0 ||
	    meta_set_open("blue", 0, &s, &e) != 0)
		goto fail;
	drv[0] = dpath("a");
	drv[1] = dpath("b");
	if (meta_set_drive_add(s, drv, 2, 0, false, &e) != 0) {
		meta_set_close(s);
		goto fail;
	}
	drv[0] = dpath("c");
	drv[1] = dpath("d");
	if (meta_set_drive_add(s, drv, 2, 0, false, &e) != 0) {
		meta_set_close(s);
		goto fail;
	}
	setno = meta_set_number(s);
	meta_set_close(s);
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", meta_strerror(&e));
	return -1;
}

void set_admin_send(uint32_t on, uint32_t node, const struct meta_mns *m,
		    uint32_t flags, struct treply *tr)
{
	static uint8_t buf[META_MNS_SIZE];
	struct mdc_send s;
	meta_error_t e;

	meta_error_init(&e);
	VERIFY0(meta_mns_encode(m, buf, sizeof(buf), &e));
	memset(&s, 0, sizeof(s));
	s.sd_set = on;
	s.sd_type = MDC_MSG_SET_ADMIN;
	s.sd_flags = MDC_F_NO_LOG | MDC_F_NO_MCT | flags;
	s.sd_data = buf;
	s.sd_len = sizeof(buf);
	memset(tr, 0, sizeof(*tr));
	VERIFY0(mdc_core_send(nodes[node].tn_core, &s, t_reply, tr, NULL, &e));
}

int mn_sim_main(int argc, char **argv, const struct ocu_suite *suites)
{
	if (ocu_oban_env("node1", "", drive_dir, sizeof(drive_dir)) != 0)
		return 1;
	return ocu_main(argc, argv, suites);
}
