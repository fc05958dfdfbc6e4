// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metadetach - detach a submirror from its mirror (metattach(8)).
 *
 *   metadetach [-s set] [-n] [-f] mirror submirror
 *
 * The last submirror is never detached; the only submirror in the Okay
 * state only with -f.
 */
#include "config.h"

#include <getopt.h>

#include <oban/debug.h>

#include "cmd_common.h"

static const char usage[] = "[-s set] [-n] [-f] mirror submirror";

int metadetach_main(int argc, char **argv)
{
	const char *sopt = NULL;
	struct meta_change ch;
	bool force = false, remote;
	uint32_t m, sm;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metadetach");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nf")) != -1) {
		if (opt == 'f')
			force = true;
		else if (!cmd_opt(&c, opt, &sopt))
			return cmd_usage(&c, usage);
	}
	if (argc - optind != 2)
		return cmd_usage(&c, usage);
	rc = cmd_start(&c, sopt, 2, argv + optind, argc, argv, &remote);
	if (rc != CMD_OK || remote)
		return rc;
	meta_change_init(&ch);
	if (cmd_unit(&c, argv[optind], &m) != CMD_OK ||
	    cmd_unit(&c, argv[optind + 1], &sm) != CMD_OK)
		rc = CMD_FAIL;
	else
		rc = cmd_change(&c,
				meta_op_detach_sm(c.c_h->ch_cfg, m, sm, force,
						  &ch, &c.c_err),
				&ch);
	if (rc == CMD_OK)
		printf("%s: submirror %s is detached\n", cmd_uname(&c, m),
		       cmd_uname(&c, sm));
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metadetach_main(argc, argv);
}
#endif
