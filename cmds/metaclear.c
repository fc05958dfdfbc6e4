// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metaclear - delete metadevices and hot spare pools (metaclear(8)).
 *
 *   metaclear [-s set] [-n] [-f] [-r] name...
 *   metaclear [-s set] [-n] [-f] -a
 *   metaclear [-s set] [-n] [-f] -p {drive | dN}
 *
 * Every name is its own change, as the original sends one message per
 * metadevice; -a clears everything, users before what they use.  -r also
 * clears what a unit is built on when nothing else uses it, -f clears units
 * with components that need maintenance, -p clears the soft partitions
 * built on a drive or a unit.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_mn.h>

#include "cmd_common.h"

static const char usage[] = "[-s set] [-n] [-f] {[-r] name... | -a | "
			    "-p {drive | dN}}";

/* Clear one unit or pool and say what went. */
static int clear_one(struct cmd *c, uint32_t kind, uint32_t num, int flags)
{
	const struct meta_cfg *cfg = c->c_h->ch_cfg;
	struct meta_change ch;
	char lines[16][128];
	uint32_t nl = 0;
	int rc;

	meta_change_init(&ch);
	if (kind == META_NK_HSP)
		rc = meta_op_clear_hsp(c->c_h->ch_cfg, num, &ch, &c->c_err);
	else
		rc = meta_op_clear(c->c_h->ch_cfg, num, flags, &ch, &c->c_err);
	if (rc != 0) {
		meta_change_release(&ch);
		return cmd_fail(c);
	}
	for (uint32_t i = 0; i < ch.ch_nops && nl < 16; i++) {
		const struct meta_chop *op = &ch.ch_ops[i];

		if (op->co_kind == META_RK_HSP)
			snprintf(lines[nl++], sizeof(lines[0]),
				 "%s: Hotspare pool is cleared",
				 cmd_hname(c, op->co_num));
		else
			snprintf(lines[nl++], sizeof(lines[0]),
				 "%s: %s is cleared", cmd_uname(c, op->co_num),
				 cmd_typename(meta_cfg_unit(cfg, op->co_num)));
	}
	rc = cmd_apply(c, &ch);
	for (uint32_t i = 0; rc == CMD_OK && i < nl; i++)
		printf("%s\n", lines[i]);
	return rc;
}

/*
 * A multi-owner set: one message per metadevice or pool, as the original
 * sends.  -a and -p are resolved against this node's model first (the set
 * is closed again before anything is sent).
 */
static int mn_clear(struct cmd *c, const char *sopt, int flags, bool all,
		    bool bycomp, int argc, char **argv)
{
	static uint32_t units[META_MAXUNITS], hsps[META_MAXHSP];
	static char names[META_MAXUNITS + META_MAXHSP][48];
	static char set[META_SETNAMELEN];
	static char w0[] = "metaclear", ws[] = "-s", wf[] = "-f", wr[] = "-r";
	uint32_t nu = 0, nh = 0, nn = 0;
	int rc;

	rc = cmd_open(c, sopt, argc, argv);
	if (rc != CMD_OK)
		return rc;
	snprintf(set, sizeof(set), "%s", c->c_set);
	if (all) {
		meta_op_clear_order(c->c_h->ch_cfg, units, &nu, hsps, &nh);
	} else if (bycomp) {
		if (meta_op_sps_on(c->c_h->ch_cfg, argv[0], units, &nu,
				   &c->c_err) != 0)
			rc = cmd_fail(c);
	}
	for (uint32_t i = 0; i < nu; i++)
		snprintf(names[nn++], sizeof(names[0]), "d%u", units[i]);
	for (uint32_t i = 0; i < nh; i++)
		snprintf(names[nn++], sizeof(names[0]), "hsp%03u", hsps[i]);
	for (int i = 0; !all && !bycomp && i < argc; i++)
		snprintf(names[nn++], sizeof(names[0]), "%s", argv[i]);
	cmd_close(c);
	for (uint32_t i = 0; i < nn && rc == CMD_OK; i++) {
		char *av[7];
		int ac = 0;

		av[ac++] = w0;
		av[ac++] = ws;
		av[ac++] = set;
		if (flags & META_CLR_FORCE)
			av[ac++] = wf;
		if (flags & META_CLR_RECURSIVE)
			av[ac++] = wr;
		av[ac++] = names[i];
		av[ac] = NULL;
		rc = cmd_mn_send(c, ac, av);
	}
	return rc;
}

int metaclear_main(int argc, char **argv)
{
	const char *sopt = NULL;
	bool all = false, bycomp = false;
	int flags = 0, opt, rc;
	struct cmd c;

	cmd_init(&c, "metaclear");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nfrap")) != -1) {
		switch (opt) {
		case 'f':
			flags |= META_CLR_FORCE;
			break;
		case 'r':
			flags |= META_CLR_RECURSIVE;
			break;
		case 'a':
			all = true;
			break;
		case 'p':
			bycomp = true;
			break;
		default:
			if (!cmd_opt(&c, opt, &sopt))
				return cmd_usage(&c, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if ((all && (argc != 0 || bycomp)) || (bycomp && argc != 1) ||
	    (!all && argc == 0))
		return cmd_usage(&c, usage);
	if (!c.c_dry && !meta_mn_in_daemon()) {
		bool mn = false;

		rc = cmd_mn_forward_check(&c, sopt, argc, argv, &mn);
		if (rc != CMD_OK)
			return rc;
		if (mn)
			return mn_clear(&c, sopt, flags, all, bycomp, argc,
					argv);
	}
	rc = cmd_open(&c, sopt, argc, argv);
	if (rc != CMD_OK)
		return rc;
	if (all) {
		static uint32_t units[META_MAXUNITS], hsps[META_MAXHSP];
		uint32_t nu, nh;

		meta_op_clear_order(c.c_h->ch_cfg, units, &nu, hsps, &nh);
		for (uint32_t i = 0; i < nu && rc == CMD_OK; i++)
			rc = clear_one(&c, META_NK_UNIT, units[i], flags);
		for (uint32_t i = 0; i < nh && rc == CMD_OK; i++)
			rc = clear_one(&c, META_NK_HSP, hsps[i], flags);
	} else if (bycomp) {
		static uint32_t units[META_MAXUNITS];
		uint32_t n;

		if (meta_op_sps_on(c.c_h->ch_cfg, argv[0], units, &n,
				   &c.c_err) != 0)
			rc = cmd_fail(&c);
		for (uint32_t i = 0; i < n && rc == CMD_OK; i++)
			rc = clear_one(&c, META_NK_UNIT, units[i], flags);
	} else {
		for (int i = 0; i < argc && rc == CMD_OK; i++) {
			struct meta_name n;

			if (meta_name_parse(argv[i], &n, &c.c_err) != 0)
				rc = cmd_fail(&c);
			else if (n.mn_kind == META_NK_HSP)
				rc = cmd_hsp(&c, argv[i], &n.mn_num) ?:
					     clear_one(&c, META_NK_HSP,
						       n.mn_num, flags);
			else
				rc = cmd_unit(&c, argv[i], &n.mn_num) ?:
					     clear_one(&c, META_NK_UNIT,
						       n.mn_num, flags);
		}
	}
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metaclear_main(argc, argv);
}
#endif
