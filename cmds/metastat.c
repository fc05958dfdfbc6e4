// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metastat - show metadevices and hot spare pools (metastat(8)).
 *
 *   metastat [-s set] [-p | -c | -j] [-i] [name...]
 *   metastat -a [-p | -c | -j]            every set this node knows
 *
 * Reads the set's configuration only; never contacts another node.
 * -i (check availability) is accepted and does nothing yet: the I/O engine
 * that would probe components is not there.
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

static int add_set(void *arg, const char *name)
{
	struct sets *ss = arg;

	if (ss->ss_n <= META_MAXSETS)
		snprintf(ss->ss_name[ss->ss_n++], META_SETNAMELEN, "%s", name);
	return 0;
}

/* metastat -a: the same command for every set, one after another. */
static int all_sets(char fmt)
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
		char a0[] = "metastat", a1[] = "-s", a3[] = "-?";
		char *av[] = { a0, a1, ss.ss_name[i], a3, NULL };

		a3[1] = fmt;
		rc |= metastat_main(fmt ? 4 : 3, av);
	}
	return rc;
}

int metastat_main(int argc, char **argv)
{
	const char *sopt = NULL;
	struct meta_name *sel;
	bool all = false;
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
			break;
		default:
			return cmd_usage(&c, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (all)
		return sopt != NULL || argc != 0 ? cmd_usage(&c, usage) :
						   all_sets(fmt);
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
		if (fflush(stdout) != 0)
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
