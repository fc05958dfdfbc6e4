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
	char **argv0;
	int argc0;
	const char *sopt = NULL;
	struct meta_change ch;
	bool force = false;
	uint32_t m, sm;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metadetach");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nf")) != -1) {
		switch (opt) {
		case 's':
			sopt = optarg;
			break;
		case 'n':
			c.c_dry = true;
			break;
		case 'f':
			force = true;
			break;
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
	if (cmd_unit(&c, argv[0], &m) != CMD_OK ||
	    cmd_unit(&c, argv[1], &sm) != CMD_OK) {
		rc = CMD_FAIL;
	} else if (meta_op_detach_sm(c.c_h->ch_cfg, m, sm, force, &ch,
				     &c.c_err) != 0) {
		meta_change_release(&ch);
		rc = cmd_fail(&c);
	} else {
		rc = cmd_apply(&c, &ch);
		if (rc == CMD_OK)
			printf("%s: submirror %s is detached\n",
			       cmd_uname(&c, m), cmd_uname(&c, sm));
	}
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metadetach_main(argc, argv);
}
#endif
