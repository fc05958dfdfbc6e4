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
	char **argv0;
	int argc0;
	const char *sopt = NULL, *ilace = NULL;
	const struct meta_unit *u;
	struct meta_change ch;
	uint32_t num, sm;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metattach");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:ni:")) != -1) {
		switch (opt) {
		case 's':
			sopt = optarg;
			break;
		case 'n':
			c.c_dry = true;
			break;
		case 'i':
			ilace = optarg;
			break;
		default:
			return cmd_usage(&c, usage);
		}
	}
	argc0 = argc;
	argv0 = argv;
	argc -= optind;
	argv += optind;
	if (argc < 2)
		return cmd_usage(&c, usage);
	rc = cmd_mn_forward(&c, sopt, 1, argv, argc0, argv0);
	if (rc != CMD_LOCAL)
		return rc;
	rc = cmd_open(&c, sopt, 1, argv);
	if (rc != CMD_OK)
		return rc;
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
	meta_change_init(&ch);
	switch (u->mu_type) {
	case META_UT_MIRROR:
		if (argc != 2 || ilace != NULL) {
			rc = cmd_usage(&c, usage);
			goto out;
		}
		if (cmd_unit(&c, argv[1], &sm) != CMD_OK) {
			rc = CMD_FAIL;
			goto out;
		}
		if (meta_op_attach_sm(c.c_h->ch_cfg, num, sm, &ch, &c.c_err))
			break;
		rc = cmd_apply(&c, &ch);
		if (rc == CMD_OK)
			printf("%s: submirror %s is attached\n",
			       cmd_uname(&c, num), cmd_uname(&c, sm));
		goto out;
	case META_UT_SP: {
		uint64_t blocks;

		if (argc != 2 || ilace != NULL) {
			rc = cmd_usage(&c, usage);
			goto out;
		}
		if (meta_size_parse(argv[1], &blocks, &c.c_err) != 0 ||
		    meta_op_grow_sp(c.c_h->ch_cfg, num, blocks, &ch, &c.c_err))
			break;
		rc = cmd_apply(&c, &ch);
		if (rc == CMD_OK)
			printf("%s: Soft Partition has been grown\n",
			       cmd_uname(&c, num));
		goto out;
	}
	case META_UT_STRIPE: {
		struct meta_rowspec row = { (uint32_t)argc - 1, 0,
					    (const char *const *)&argv[1] };

		if (ilace != NULL &&
		    meta_size_parse(ilace, &row.rs_interlace, &c.c_err) != 0)
			break;
		if (meta_op_grow_stripe(c.c_h->ch_cfg, num, &row, &ch,
					&c.c_err) != 0)
			break;
		rc = cmd_apply(&c, &ch);
		if (rc == CMD_OK)
			printf("%s: component%s attached\n", cmd_uname(&c, num),
			       argc > 2 ? "s are" : " is");
		goto out;
	}
	}
	meta_change_release(&ch);
	rc = cmd_fail(&c);
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
