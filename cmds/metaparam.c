// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metaparam - change or show a metadevice's parameters (metaparam(8)).
 *
 *   metaparam [-s set] [-n] [-r roundrobin|geometric|first]
 *             [-w parallel|serial] [-p pass] [-A on|off] mirror
 *   metaparam [-s set] [-n] -h {hspNNN | none} concat
 *   metaparam [-s set] name                    show the parameters
 *
 * -A (application based recovery) is oban's: the original switched a mirror
 * to ABR through an ioctl of the application.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "cmd_common.h"

static const char usage[] =
	"[-s set] [-n] [-r roundrobin|geometric|first] [-w parallel|serial] "
	"[-p pass] [-A on|off] [-h hspNNN|none] name";

static int show(struct cmd *c, const struct meta_unit *u)
{
	static const char *const rd[] = { "roundrobin (default)", "geometric",
					  "first" };
	static const char *const wr[] = { "parallel (default)", "serial" };

	printf("%s: %s current parameters are:\n", cmd_uname(c, u->mu_num),
	       cmd_typename(u));
	if (u->mu_type == META_UT_MIRROR) {
		printf("    Pass: %u\n", u->mu_mm.mm_pass);
		printf("    Read option: %s\n", rd[u->mu_mm.mm_read]);
		printf("    Write option: %s\n", wr[u->mu_mm.mm_write]);
		printf("    Resync option: %s\n",
		       u->mu_mm.mm_resync == META_RS_ABR ? "application based" :
							   "optimized resync");
	} else if (u->mu_type == META_UT_STRIPE) {
		printf("    Hot spare pool: %s\n",
		       u->mu_st.st_hsp == META_NONE ?
			       "none" :
			       cmd_hname(c, u->mu_st.st_hsp));
	}
	return CMD_OK;
}

/*
 * The index of @s in @names[@n]; else -2, after saying on stderr which
 * values option -@opt takes.
 */
static int pick(const char *prog, int opt, const char *s,
		const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	fprintf(stderr, "%s: invalid value '%s' for -%c: use", prog, s, opt);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s %s",
			i == 0	   ? "" :
			i == n - 1 ? " or" :
				     ",",
			names[i]);
	fputc('\n', stderr);
	return -2;
}

int metaparam_main(int argc, char **argv)
{
	static const char *const rd[] = { "roundrobin", "geometric", "first" };
	static const char *const wr[] = { "parallel", "serial" };
	static const char *const onoff[] = { "off", "on" };
	const char *sopt = NULL, *hsp = NULL;
	struct meta_mirror_opts o;
	const struct meta_unit *u;
	struct meta_change ch;
	bool mirror_opt = false, remote;
	uint32_t num;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metaparam");
	meta_mirror_opts_init(&o);
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nr:w:p:A:h:")) != -1) {
		switch (opt) {
		case 'r':
			o.mo_read = pick(c.c_prog, opt, optarg, rd, 3);
			mirror_opt = true;
			break;
		case 'w':
			o.mo_write = pick(c.c_prog, opt, optarg, wr, 2);
			mirror_opt = true;
			break;
		case 'A':
			o.mo_resync = pick(c.c_prog, opt, optarg, onoff, 2);
			mirror_opt = true;
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			o.mo_pass = (*optarg && !*end && v >= 0 && v <= 9) ?
					    (int)v :
					    -2;
			if (o.mo_pass == -2)
				fprintf(stderr,
					"%s: invalid pass number '%s': use 0 "
					"to 9\n",
					c.c_prog, optarg);
			mirror_opt = true;
			break;
		}
		case 'h':
			hsp = optarg;
			break;
		default:
			if (!cmd_opt(&c, opt, &sopt))
				return cmd_usage(&c, usage);
		}
	}
	if (argc - optind != 1 || (hsp != NULL && mirror_opt) ||
	    o.mo_read == -2 || o.mo_write == -2 || o.mo_pass == -2 ||
	    o.mo_resync == -2)
		return cmd_usage(&c, usage);
	/* Without options metaparam only prints: local. */
	rc = cmd_start(&c, sopt, 1, argv + optind,
		       !mirror_opt && hsp == NULL ? 0 : argc, argv, &remote);
	if (rc != CMD_OK || remote)
		return rc;
	argv += optind;
	if (cmd_unit(&c, argv[0], &num) != CMD_OK) {
		rc = CMD_FAIL;
		goto out;
	}
	u = meta_cfg_unit(c.c_h->ch_cfg, num);
	if (u == NULL) {
		meta_error_set(&c.c_err, ME_CFG_NOENT, 0, cmd_uname(&c, num),
			       NULL);
		rc = cmd_fail(&c);
		goto out;
	}
	if (!mirror_opt && hsp == NULL) {
		rc = show(&c, u);
		goto out;
	}
	meta_change_init(&ch);
	if (hsp != NULL) {
		uint32_t h = META_NONE;

		if (strcmp(hsp, "none") != 0 &&
		    cmd_hsp(&c, hsp, &h) != CMD_OK) {
			rc = CMD_FAIL;
			goto out;
		}
		rc = cmd_change(&c,
				meta_op_param_hsp(c.c_h->ch_cfg, num, h, &ch,
						  &c.c_err),
				&ch);
	} else {
		rc = cmd_change(&c,
				meta_op_param_mirror(c.c_h->ch_cfg, num, &o,
						     &ch, &c.c_err),
				&ch);
	}
out:
	cmd_close(&c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metaparam_main(argc, argv);
}
#endif
