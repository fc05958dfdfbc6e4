// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metattach - attach a submirror, or grow a concat/stripe or a soft
 * partition (metattach(8)).
 *
 *   metattach [-s set] [-n] mirror submirror
 *   metattach [-s set] [-n] [-i interlace] concat drive...
 *   metattach [-s set] [-n] softpart size
 *
 * What the first operand is decides the form.  Drives attached to a
 * concat/stripe become one new stripe (with -i its interlace); when the
 * concat is a submirror, its mirror grows to its smallest submirror.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "cmd_common.h"

static const char usage[] = "[-s set] [-n] {mirror submirror | "
			    "[-i interlace] concat drive... | softpart size}";

int metattach_main(int argc, char **argv)
{
	const char *sopt = NULL, *ilace = NULL;
	const struct meta_unit *u;
	struct meta_change ch;
	uint32_t num, sm;
	bool remote;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metattach");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:ni:")) != -1) {
		if (opt == 'i')
			ilace = optarg;
		else if (!cmd_opt(&c, opt, &sopt))
			return cmd_usage(&c, usage);
	}
	if (argc - optind < 2)
		return cmd_usage(&c, usage);
	rc = cmd_start(&c, sopt, 1, argv + optind, argc, argv, &remote);
	if (rc != CMD_OK || remote)
		return rc;
	argc -= optind;
	argv += optind;
	if (cmd_unit(&c, argv[0], &num) != CMD_OK) {
		rc = CMD_FAIL;
		goto out;
	}
	u = meta_cfg_unit(c.c_h->ch_cfg, num);
	if (u == NULL) {
		meta_error_set(&c.c_err, ME_CFG_NOENT, 0, cmd_uname(&c, num),
			       "cannot attach");
		rc = cmd_fail(&c);
		goto out;
	}
	if (u->mu_type != META_UT_STRIPE && (argc != 2 || ilace != NULL)) {
		rc = cmd_usage(&c, usage);
		goto out;
	}
	meta_change_init(&ch);
	switch (u->mu_type) {
	case META_UT_MIRROR:
		if (cmd_unit(&c, argv[1], &sm) != CMD_OK) {
			rc = CMD_FAIL;
			break;
		}
		rc = cmd_change(&c,
				meta_op_attach_sm(c.c_h->ch_cfg, num, sm, &ch,
						  &c.c_err),
				&ch);
		if (rc == CMD_OK)
			printf("%s: submirror %s is attached\n",
			       cmd_uname(&c, num), cmd_uname(&c, sm));
		break;
	case META_UT_SP: {
		uint64_t blocks;

		rc = cmd_change(&c,
				meta_size_parse(argv[1], &blocks, &c.c_err) ?:
					meta_op_grow_sp(c.c_h->ch_cfg, num,
							blocks, &ch, &c.c_err),
				&ch);
		if (rc == CMD_OK)
			printf("%s: Soft Partition has been grown\n",
			       cmd_uname(&c, num));
		break;
	}
	default: {
		struct meta_rowspec row = { (uint32_t)argc - 1, 0,
					    (const char *const *)&argv[1] };

		rc = cmd_change(&c,
				(ilace != NULL &&
				 meta_size_parse(ilace, &row.rs_interlace,
						 &c.c_err) != 0) ?
					-1 :
					meta_op_grow_stripe(c.c_h->ch_cfg, num,
							    &row, &ch,
							    &c.c_err),
				&ch);
		if (rc == CMD_OK)
			printf("%s: component%s attached\n", cmd_uname(&c, num),
			       argc > 2 ? "s are" : " is");
		break;
	}
	}
out:
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metattach_main(argc, argv);
}
#endif
