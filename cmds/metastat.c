// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metastat - show metadevices and hot spare pools (metastat(8)).
 *
 *   metastat [-s set] [-p | -c | -j] [-i] [name...]
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

#include "cmd_common.h"

static const char usage[] = "[-s set] [-p | -c | -j] [-i] [dN | hspNNN]...";

int metastat_main(int argc, char **argv)
{
	const char *sopt = NULL;
	struct meta_name *sel;
	char fmt = 0;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metastat");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:pcji")) != -1) {
		switch (opt) {
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
