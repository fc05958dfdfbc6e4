// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metahs - manage hot spares and hot spare pools (metahs(8)).
 *
 *   metahs [-s set] [-n] -a {hspNNN | all} drive     add (creates the pool)
 *   metahs [-s set] [-n] -d {hspNNN | all} drive     delete a spare
 *   metahs [-s set] [-n] -d hspNNN                   delete an empty pool
 *   metahs [-s set] [-n] -r {hspNNN | all} old new   replace a spare
 *   metahs [-s set] [-n] -e drive                    enable it in its pools
 *   metahs [-s set] -i [hspNNN...]                   status
 *
 * "all" means every pool not yet holding the drive (for -a) or every pool
 * holding it (-d, -r).
 * A request over several pools is one change.
 */
#include "config.h"

#include <getopt.h>
#include <string.h>

#include <oban/debug.h>

#include "cmd_common.h"

static const char usage[] =
	"[-s set] [-n] {-a {hspNNN|all} drive | -d {hspNNN|all} [drive] | "
	"-r {hspNNN|all} old new | -e drive | -i [hspNNN...]}";

static int status(struct cmd *c, int argc, char **argv)
{
	struct meta_name sel[META_MAXHSP];
	uint32_t n = 0;

	if (argc == 0) {
		for (uint32_t i = 0; i < META_MAXHSP; i++)
			if (meta_cfg_hsp(c->c_h->ch_cfg, i) != NULL)
				sel[n++] = (struct meta_name){
					.mn_kind = META_NK_HSP, .mn_num = i
				};
		if (n == 0)
			return CMD_OK;
	}
	for (int i = 0; i < argc && n < META_MAXHSP; i++) {
		if (cmd_hsp(c, argv[i], &sel[n].mn_num) != CMD_OK)
			return CMD_FAIL;
		if (meta_cfg_hsp(c->c_h->ch_cfg, sel[n].mn_num) == NULL) {
			meta_error_set(&c->c_err, ME_CFG_NOENT, 0,
				       cmd_hname(c, sel[n].mn_num), NULL);
			return cmd_fail(c);
		}
		sel[n++].mn_kind = META_NK_HSP;
	}
	meta_print_status(c->c_h->ch_cfg, stdout, n, sel);
	return CMD_OK;
}

int metahs_main(int argc, char **argv)
{
	const char *sopt = NULL, *verb;
	static uint32_t pools[META_MAXHSP];
	struct meta_cfg *cfg;
	struct meta_change ch;
	char op = 0;
	uint32_t np = 0;
	bool remote;
	struct cmd c;
	int opt, rc, need;

	cmd_init(&c, "metahs");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nadrei")) != -1) {
		switch (opt) {
		case 'a':
		case 'd':
		case 'r':
		case 'e':
		case 'i':
			if (op != 0)
				return cmd_usage(&c, usage);
			op = (char)opt;
			break;
		default:
			if (!cmd_opt(&c, opt, &sopt))
				return cmd_usage(&c, usage);
		}
	}
	need = op == 'a' ? 2 : op == 'r' ? 3 : op == 'e' ? 1 : -1;
	if (op == 0 || (need > 0 && argc - optind != need) ||
	    (op == 'd' && (argc - optind < 1 || argc - optind > 2)))
		return cmd_usage(&c, usage);
	/* -i only reads: never forwarded */
	rc = cmd_start(&c, sopt, op == 'e' ? 0 : argc - optind, argv + optind,
		       op == 'i' ? 0 : argc, argv, &remote);
	if (rc != CMD_OK || remote)
		return rc;
	argc -= optind;
	argv += optind;
	cfg = c.c_h->ch_cfg;
	if (op == 'i') {
		rc = status(&c, argc, argv);
		goto out;
	}
	/* Which pools. */
	if (op == 'e') {
		for (uint32_t i = 0; i < META_MAXHSP; i++)
			if (meta_hsp_has(cfg, i, argv[0]))
				pools[np++] = i;
	} else if (strcmp(argv[0], "all") == 0) {
		for (uint32_t i = 0; i < META_MAXHSP; i++)
			if (meta_cfg_hsp(cfg, i) != NULL &&
			    (op == 'a') != meta_hsp_has(cfg, i, argv[1]))
				pools[np++] = i;
	} else if (cmd_hsp(&c, argv[0], &pools[0]) == CMD_OK) {
		np = 1;
	} else {
		rc = CMD_FAIL;
		goto out;
	}
	if (np == 0) {
		meta_error_set(&c.c_err, ME_CFG_NOTSPARE, 0, argv[argc - 1],
			       "no hot spare pool to change");
		rc = cmd_fail(&c);
		goto out;
	}
	meta_change_init(&ch);
	for (uint32_t i = 0; i < np && rc == 0; i++) {
		switch (op) {
		case 'a':
			rc = meta_op_hs_add(cfg, pools[i], argv[1], &ch,
					    &c.c_err);
			break;
		case 'd':
			rc = argc == 1 ?
				     meta_op_clear_hsp(cfg, pools[i], &ch,
						       &c.c_err) :
				     meta_op_hs_delete(cfg, pools[i], argv[1],
						       &ch, &c.c_err);
			break;
		case 'r':
			rc = meta_op_hs_replace(cfg, pools[i], argv[1], argv[2],
						&ch, &c.c_err);
			break;
		case 'e':
			rc = meta_op_hs_enable(cfg, pools[i], argv[0], &ch,
					       &c.c_err);
			break;
		}
	}
	rc = cmd_change(&c, rc, &ch);
	verb = op == 'a' ? "Hotspare is added" :
	       op == 'r' ? "Hotspare is replaced" :
	       op == 'e' ? "Hotspare is enabled" :
	       argc == 1 ? "Hotspare pool is cleared" :
			   "Hotspare is deleted";
	for (uint32_t i = 0; rc == CMD_OK && i < np; i++)
		printf("%s: %s\n", cmd_hname(&c, pools[i]), verb);
out:
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metahs_main(argc, argv);
}
#endif
