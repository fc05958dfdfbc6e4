// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metastat - show metadevices and hot spare pools (metastat(8)).
 *
 *   metastat [-s set] [-p | -c | -j] [-i] [name...]
 *   metastat -a [-p | -c | -j]            every set this node knows
 *
 * Reads the set's configuration only; never contacts another node.
 *
 * -i probes, before printing, every drive the selected metadevices and
 * pools use (all of them without names): the drive must be found on this
 * node and the first and last blocks of its data area must read.  Each
 * drive that fails is named on stderr with its first user and the reason,
 * and the exit status is 1.  SVM's -i also marks the failed components
 * Maintenance (and deletes failed spares that are not in use), as an I/O
 * error would; component states belong to the I/O engine, which is not in
 * this release, so -i changes nothing: it is this node's view only, also
 * on a multi-owner set (no message is sent).
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_set.h>

#include "cmd_common.h"

static const char usage[] = "{-a | [-s set]} [-p | -c | -j] [-i] "
			    "[dN | hspNNN]...";

struct sets {
	int ss_n;
	char ss_name[META_MAXSETS + 1][META_SETNAMELEN];
};

/* -i: the drives probed so far (each once) and how many failed. */
struct probe {
	struct cmd *pr_c;
	uint32_t pr_n, pr_cap, pr_bad;
	char (*pr_done)[META_DRVNAMELEN];
};

static void probe_drive(struct probe *pr, const char *drive, const char *use,
			const char *owner)
{
	struct cmd *c = pr->pr_c;
	meta_error_t e;

	for (uint32_t i = 0; i < pr->pr_n; i++)
		if (strcmp(pr->pr_done[i], drive) == 0)
			return;
	if (pr->pr_n == pr->pr_cap) {
		uint32_t cap = pr->pr_cap * 2 + 16;
		void *n = realloc(pr->pr_done, cap * sizeof(*pr->pr_done));

		if (n != NULL) {
			pr->pr_done = n;
			pr->pr_cap = cap;
		}
	}
	/* without room to remember it, the drive is probed all the same */
	if (pr->pr_n < pr->pr_cap)
		snprintf(pr->pr_done[pr->pr_n++], META_DRVNAMELEN, "%s", drive);
	meta_error_init(&e);
	if (c->c_h->ch_probe(c->c_h->ch_lookup_arg, drive, &e) == 0)
		return;
	/* "component of blue/d1 'drvA': reason" */
	snprintf(e.me_object, sizeof(e.me_object), "%s", drive);
	snprintf(e.me_what, sizeof(e.me_what), "%s of %s", use, owner);
	fprintf(stderr, "%s: %s\n", c->c_prog, meta_strerror(&e));
	pr->pr_bad++;
}

static void probe_unit(struct probe *pr, uint32_t num)
{
	const struct meta_unit *u = meta_cfg_unit(pr->pr_c->c_h->ch_cfg, num);
	const char *name = cmd_uname(pr->pr_c, num);

	if (u == NULL)
		return;
	switch (u->mu_type) {
	case META_UT_STRIPE:
		for (uint32_t r = 0; r < u->mu_st.st_nrows; r++)
			for (uint32_t i = 0; i < u->mu_st.st_rows[r].mr_ncomp;
			     i++)
				probe_drive(
					pr,
					u->mu_st.st_rows[r].mr_comps[i].mc_name,
					"component", name);
		break;
	case META_UT_MIRROR:
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			probe_unit(pr, u->mu_mm.mm_sm[i]);
		break;
	case META_UT_SP:
		if (u->mu_sp.sp_parent == META_NONE)
			probe_drive(pr, u->mu_sp.sp_drive, "drive", name);
		else
			probe_unit(pr, u->mu_sp.sp_parent);
		break;
	}
}

/* Probe what @sel (all when @nsel is 0) uses; the number that failed. */
static uint32_t probe(struct cmd *c, uint32_t nsel, const struct meta_name *sel)
{
	const struct meta_cfg *cfg = c->c_h->ch_cfg;
	struct probe pr = { .pr_c = c };

	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		bool want = nsel == 0;

		for (uint32_t k = 0; k < nsel && !want; k++)
			want = sel[k].mn_kind == META_NK_UNIT &&
			       sel[k].mn_num == i;
		if (want)
			probe_unit(&pr, i);
	}
	for (uint32_t i = 0; i < META_MAXHSP; i++) {
		const struct meta_hsp *h = meta_cfg_hsp(cfg, i);
		bool want = nsel == 0;

		for (uint32_t k = 0; k < nsel && !want; k++)
			want = sel[k].mn_kind == META_NK_HSP &&
			       sel[k].mn_num == i;
		for (uint32_t j = 0; h != NULL && want && j < h->hp_nspares;
		     j++)
			probe_drive(&pr, h->hp_spares[j].hs_name, "hot spare",
				    cmd_hname(c, i));
	}
	free(pr.pr_done);
	return pr.pr_bad;
}

static int add_set(void *arg, const char *name)
{
	struct sets *ss = arg;

	if (ss->ss_n <= META_MAXSETS)
		snprintf(ss->ss_name[ss->ss_n++], META_SETNAMELEN, "%s", name);
	return 0;
}

/* metastat -a: the same command for every set, one after another. */
static int all_sets(char fmt, bool inquire)
{
	static struct sets ss;
	meta_error_t e;
	int rc = 0;

	ss.ss_n = 0;
	if (meta_set_list(add_set, &ss, &e) != 0) {
		fprintf(stderr, "metastat: %s\n", meta_strerror(&e));
		return CMD_FAIL;
	}
	for (int i = 0; i < ss.ss_n; i++) {
		char a0[] = "metastat", a1[] = "-s", a3[] = "-?", a4[] = "-i";
		char *av[] = { a0, a1, ss.ss_name[i], NULL, NULL, NULL };
		int ac = 3;

		a3[1] = fmt;
		if (fmt)
			av[ac++] = a3;
		if (inquire)
			av[ac++] = a4;
		rc |= metastat_main(ac, av);
	}
	return rc;
}

int metastat_main(int argc, char **argv)
{
	const char *sopt = NULL;
	struct meta_name *sel;
	bool bad = false, all = false, inquire = false;
	char fmt = 0;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metastat");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:pcjia")) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 's':
			sopt = optarg;
			break;
		case 'p':
		case 'c':
		case 'j':
			if (fmt != 0 && fmt != opt)
				return cmd_usage(&c, usage);
			fmt = (char)opt;
			break;
		case 'i':
			inquire = true;
			break;
		default:
			return cmd_usage(&c, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (all)
		return sopt != NULL || argc != 0 ? cmd_usage(&c, usage) :
						   all_sets(fmt, inquire);
	rc = cmd_open(&c, sopt, argc, argv);
	if (rc != CMD_OK)
		return rc;
	sel = calloc((size_t)argc + 1, sizeof(*sel));
	if (sel == NULL) {
		cmd_close(&c);
		return CMD_FAIL;
	}
	for (int i = 0; i < argc && rc == CMD_OK; i++) {
		if (meta_name_parse(argv[i], &sel[i], &c.c_err) != 0) {
			rc = cmd_fail(&c);
		} else if ((sel[i].mn_kind == META_NK_UNIT &&
			    meta_cfg_unit(c.c_h->ch_cfg, sel[i].mn_num) ==
				    NULL) ||
			   (sel[i].mn_kind == META_NK_HSP &&
			    meta_cfg_hsp(c.c_h->ch_cfg, sel[i].mn_num) ==
				    NULL)) {
			meta_error_set(&c.c_err, ME_CFG_NOENT, 0,
				       sel[i].mn_kind == META_NK_UNIT ?
					       cmd_uname(&c, sel[i].mn_num) :
					       cmd_hname(&c, sel[i].mn_num),
				       NULL);
			rc = cmd_fail(&c);
		}
	}
	if (rc == CMD_OK && inquire && c.c_h->ch_probe == NULL) {
		meta_error_set(&c.c_err, SET_ERROR(ME_USAGE), 0, c.c_set,
			       "cannot probe the drives of set");
		rc = cmd_fail(&c);
	}
	/* -i: probe first, print the status all the same */
	if (rc == CMD_OK && inquire && probe(&c, (uint32_t)argc, sel) != 0)
		bad = true;
	if (rc == CMD_OK) {
		const struct meta_cfg *cfg = c.c_h->ch_cfg;

		switch (fmt) {
		case 'p':
			meta_print_mdtab(cfg, stdout, (uint32_t)argc, sel);
			break;
		case 'c':
			meta_print_concise(cfg, stdout, (uint32_t)argc, sel);
			break;
		case 'j':
			meta_print_json(cfg, stdout, (uint32_t)argc, sel);
			break;
		default:
			meta_print_status(cfg, stdout, (uint32_t)argc, sel);
		}
		if (fflush(stdout) != 0 || bad)
			rc = CMD_FAIL;
	}
	free(sel);
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metastat_main(argc, argv);
}
#endif
