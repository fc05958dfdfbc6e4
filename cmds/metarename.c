// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metarename - rename a metadevice (metarename(8)).
 *
 *   metarename [-s set] [-n] dOLD dNEW
 *
 * Only a unit that nothing is built on and that is not a submirror; the
 * rename is one change (the old record deleted, the new one written).  The
 * exchange form (-x) is not implemented.
 */
#include "config.h"

#include <getopt.h>

#include <oban/debug.h>

#include "cmd_common.h"

static const char usage[] = "[-s set] [-n] dOLD dNEW";

int metarename_main(int argc, char **argv)
{
	char **argv0;
	int argc0;
	const char *sopt = NULL;
	struct meta_change ch;
	uint32_t from, to;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metarename");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nx")) != -1) {
		switch (opt) {
		case 's':
			sopt = optarg;
			break;
		case 'n':
			c.c_dry = true;
			break;
		case 'x':
			fprintf(stderr, "metarename: -x is not supported\n");
			return CMD_USAGE;
		default:
			return cmd_usage(&c, usage);
		}
	}
	argc0 = argc;
	argv0 = argv;
	argc -= optind;
	argv += optind;
	if (argc != 2)
		return cmd_usage(&c, usage);
	rc = cmd_mn_forward(&c, sopt, 2, argv, argc0, argv0);
	if (rc != CMD_LOCAL)
		return rc;
	rc = cmd_open(&c, sopt, 2, argv);
	if (rc != CMD_OK)
		return rc;
	meta_change_init(&ch);
	if (cmd_unit(&c, argv[0], &from) != CMD_OK ||
	    cmd_unit(&c, argv[1], &to) != CMD_OK) {
		rc = CMD_FAIL;
	} else if (meta_op_rename(c.c_h->ch_cfg, from, to, &ch, &c.c_err) !=
		   0) {
		meta_change_release(&ch);
		rc = cmd_fail(&c);
	} else {
		rc = cmd_apply(&c, &ch);
		if (rc == CMD_OK)
			printf("%s: has been renamed to %s\n",
			       cmd_uname(&c, from), cmd_uname(&c, to));
	}
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metarename_main(argc, argv);
}
#endif
