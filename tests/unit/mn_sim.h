/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator cluster of test_mn and test_mnhold: three nodes in one
 * process, each with its own core, completion table and meta_mn_daemon,
 * sharing one real multi-owner set "blue" on file-backed drives
 * (mn_sim_setup() makes it; mn_sim.c).
 */
#ifndef OBAN_TESTS_MN_SIM_H
#define OBAN_TESTS_MN_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <oban/mdc_core.h>
#include <oban/mdc_sim.h>
#include <oban/meta_mn.h>
#include <oban/meta_mn_daemon.h>
#include <oban/meta_set.h>

#include "ocu.h"

#define N 3
#define DRIVE_SIZE (256ull << 20)

struct tnode {
	uint32_t tn_id;
	struct mdc_core *tn_core;
	struct mdc_mct *tn_mct;
	struct meta_mn_daemon *tn_d;
	bool tn_crash_on_log; /* crash right after the next log write */
	unsigned int tn_runs; /* BC_CMD real runs of tn_watch */
	struct mdc_msgid tn_watch;
	unsigned int tn_incons;
};

extern struct mdc_sim *sim;
extern struct tnode nodes[N + 1];
extern uint64_t now; /* the cores' clock (ms), advanced by cl_run() */
extern uint32_t setno; /* set blue's number */
extern char drive_dir[512];
/* The commands the daemons run (set before cl_create(); NULL: none). */
extern const struct meta_mn_cmdent *mn_sim_cmds;

struct treply {
	int tr_got;
	struct mdc_result tr_res;
};

/* @name's path under the drive directory (4 at a time stay valid). */
char *dpath(const char *name);
/* Make set blue on four drives (a suite's setup). */
int mn_sim_setup(void);
/* Three nodes joined, node 1 blue's master, every model loaded, each
 * knowing every hold in force (none). */
void cl_create(uint64_t seed);
/* Every live daemon ticks; then the packets that sent run to their answers. */
void cl_tick(void);
void cl_destroy(void);
/* Deliver everything, a simulated second at a time, until every live core
 * is idle (at most @max_seconds). */
void cl_run(unsigned int max_seconds);
void t_reply(void *cookie, const struct mdc_result *res);
/* Every live node but @except takes @m as blue's master. */
void all_master(uint32_t m, uint32_t except);
/* A NO_LOG TEST2 on set blue from @node: its answer code. */
uint32_t ping_from(uint32_t node);

/* Send @m as SET_ADMIN on set @on from @node (flags NO_LOG | NO_MCT |
 * @flags), its answer into @tr; nothing is delivered yet. */
void set_admin_send(uint32_t on, uint32_t node, const struct meta_mns *m,
		    uint32_t flags, struct treply *tr);
/* A test program's main over @suites, in node 1's environment. */
int mn_sim_main(int argc, char **argv, const struct ocu_suite *suites);

#endif /* OBAN_TESTS_MN_SIM_H */
