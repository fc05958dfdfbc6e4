// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metarename - rename a metadevice, or exchange the names of a mirror and
 * one of its submirrors (metarename(8)).
 *
 *   metarename [-s set] [-n] dOLD dNEW
 *   metarename [-s set] [-n] -x dA dB
 *
 * A rename takes a unit that nothing is built on and that is not a
 * submirror; it is one change (the old record deleted, the new one
 * written).  An exchange (meta_op_exchange()) swaps the names of a mirror
 * and a submirror, in either order; the mirror keeps its other submirrors
 * and options; one change of the two records.
 */
#include "config.h"

#include <getopt.h>

#include <oban/debug.h>

#include "cmd_common.h"

static const char usage[] = "[-s set] [-n] [-x] dA dB";

int metarename_main(int argc, char **argv)
{
	const char *sopt = NULL;
	struct meta_change ch;
	bool remote, xchg = false;
	uint32_t a, b;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metarename");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nx")) != -1) {
		if (opt == 'x')
			xchg = true;
		else if (!cmd_opt(&c, opt, &sopt))
			return cmd_usage(&c, usage);
	}
	if (argc - optind != 2)
		return cmd_usage(&c, usage);
	rc = cmd_start(&c, sopt, 2, argv + optind, argc, argv, &remote);
	if (rc != CMD_OK || remote)
		return rc;
	meta_change_init(&ch);
	if (cmd_unit(&c, argv[optind], &a) != CMD_OK ||
	    cmd_unit(&c, argv[optind + 1], &b) != CMD_OK)
		rc = CMD_FAIL;
	else
		rc = cmd_change(&c,
				xchg ? meta_op_exchange(c.c_h->ch_cfg, a, b,
							&ch, &c.c_err) :
				       meta_op_rename(c.c_h->ch_cfg, a, b, &ch,
						      &c.c_err),
				&ch);
	if (rc == CMD_OK && xchg)
		printf("%s and %s have exchanged identities\n",
		       cmd_uname(&c, a), cmd_uname(&c, b));
	else if (rc == CMD_OK)
		printf("%s: has been renamed to %s\n", cmd_uname(&c, a),
		       cmd_uname(&c, b));
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metarename_main(argc, argv);
}
#endif
