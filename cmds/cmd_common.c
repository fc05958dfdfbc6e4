// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers shared by the configuration commands (see cmd_common.h). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_mn.h>

#include "cmd_common.h"

void cmd_init(struct cmd *c, const char *prog)
{
	memset(c, 0, sizeof(*c));
	c->c_prog = prog;
	meta_error_init(&c->c_err);
}

bool cmd_opt(struct cmd *c, int opt, const char **sopt)
{
	if (opt == 's')
		*sopt = optarg;
	else if (opt == 'n')
		c->c_dry = true;
	return opt == 's' || opt == 'n';
}

int cmd_fail(struct cmd *c)
{
	const struct meta_mn_cmdctx *cx = meta_mn_cmdctx();

	if (cx != NULL && c->c_err.me_node == 0)
		c->c_err.me_node = cx->cx_node;
	fprintf(stderr, "%s: %s\n", c->c_prog, meta_strerror(&c->c_err));
	return CMD_FAIL;
}

int cmd_usage(struct cmd *c, const char *usage)
{
	fprintf(stderr, "usage: %s %s\n", c->c_prog, usage);
	return CMD_USAGE;
}

/* The set from -s and the names' prefixes, into c->c_set. */
static int cmd_settle(struct cmd *c, const char *sopt, int n,
		      char *const *names)
{
	static __thread char set[META_SETNAMELEN];
	const struct meta_mn_cmdctx *cx = meta_mn_cmdctx();

	set[0] = '\0';
	if (sopt != NULL) {
		if (meta_setname_check(sopt, &c->c_err) != 0)
			return cmd_fail(c);
		snprintf(set, sizeof(set), "%s", sopt);
	}
	for (int i = 0; i < n; i++) {
		struct meta_name nm;

		if (meta_name_parse(names[i], &nm, NULL) != 0 ||
		    nm.mn_set[0] == '\0')
			continue;
		if (set[0] == '\0') {
			snprintf(set, sizeof(set), "%s", nm.mn_set);
		} else if (strcmp(set, nm.mn_set) != 0) {
			meta_error_set(&c->c_err, SET_ERROR(ME_CFG_OTHERSET), 0,
				       names[i], "not in set '%s'", set);
			return cmd_fail(c);
		}
	}
	/* Inside mdcommd the message names the set. */
	if (set[0] == '\0' && cx != NULL)
		snprintf(set, sizeof(set), "%s", cx->cx_h->ch_set);
	if (set[0] == '\0') {
		fprintf(stderr,
			"%s: no set given (use -s set or set/dN names)\n",
			c->c_prog);
		return CMD_USAGE;
	}
	c->c_set = set;
	return CMD_OK;
}

int cmd_open(struct cmd *c, const char *sopt, int n, char *const *names)
{
	const struct meta_mn_cmdctx *cx = meta_mn_cmdctx();
	int rc = cmd_settle(c, sopt, n, names);

	if (rc != CMD_OK)
		return rc;
	if (cx != NULL) {
		/* Run by mdcommd: its model, and its store or none. */
		if (strcmp(c->c_set, cx->cx_h->ch_set) != 0) {
			meta_error_set(&c->c_err, SET_ERROR(ME_CFG_OTHERSET), 0,
				       c->c_set,
				       "not the set '%s' of the "
				       "message",
				       cx->cx_h->ch_set);
			return cmd_fail(c);
		}
		c->c_h = cx->cx_h;
		if (cx->cx_dry)
			c->c_dry = true;
		return CMD_OK;
	}
	if (meta_cfg_open(c->c_set, &c->c_h, &c->c_err) != 0)
		return cmd_fail(c);
	return CMD_OK;
}

int cmd_mn_forward(struct cmd *c, const char *sopt, int n, char *const *names,
		   int argc, char *const *argv)
{
	bool mn = false;
	uint32_t setno;
	int rc;

	if (c->c_dry || meta_mn_in_daemon())
		return CMD_LOCAL;
	rc = cmd_settle(c, sopt, n, names);
	if (rc != CMD_OK)
		return rc;
	if (meta_mn_set_info(c->c_set, &mn, &setno, &c->c_err) != 0)
		return cmd_fail(c);
	if (!mn)
		return CMD_LOCAL;
	return cmd_mn_send(c, argc, argv);
}

int cmd_mn_forward_check(struct cmd *c, const char *sopt, int n,
			 char *const *names, bool *mn)
{
	uint32_t setno;
	int rc = cmd_settle(c, sopt, n, names);

	*mn = false;
	if (rc != CMD_OK)
		return rc;
	if (meta_mn_set_info(c->c_set, mn, &setno, &c->c_err) != 0)
		return cmd_fail(c);
	return CMD_OK;
}

/* A node's usage refusal exits as the command run there did. */
_Static_assert(CMD_USAGE == META_MN_EXIT_USAGE,
	       "cmd_mn_send() passes a node's usage exit on as CMD_USAGE");

int cmd_mn_send(struct cmd *c, int argc, char *const *argv)
{
	fflush(stdout);
	if (meta_mn_send_command(c->c_set, argc, argv, stdout, &c->c_err) == 0)
		return CMD_OK;
	/*
	 * A node refused the command as a usage error: its usage text, exit
	 * 2 as a local run does.  This node's own ME_USAGE refusals (a set
	 * that is not multi-owner any more, a command line of too many words
	 * or an empty one to forward) are limits of the forwarding, not the
	 * command's usage: exit 1.
	 */
	if (c->c_err.me_code != ME_USAGE || c->c_err.me_node == 0)
		return cmd_fail(c);
	fprintf(stderr, "%s\n", c->c_err.me_what);
	return CMD_USAGE;
}

int cmd_start(struct cmd *c, const char *sopt, int n, char *const *names,
	      int argc, char *const *argv, bool *remote)
{
	int rc = argc == 0 ? CMD_LOCAL :
			     cmd_mn_forward(c, sopt, n, names, argc, argv);

	*remote = rc != CMD_LOCAL;
	if (*remote)
		return rc;
	return cmd_open(c, sopt, n, names);
}

void cmd_close(struct cmd *c)
{
	if (meta_mn_cmdctx() == NULL)
		meta_cfg_close(c->c_h);
	c->c_h = NULL;
}

int cmd_apply(struct cmd *c, struct meta_change *ch)
{
	int rc = meta_cfg_apply(c->c_h->ch_cfg, ch,
				c->c_dry ? NULL : &c->c_h->ch_store, &c->c_err);

	meta_change_release(ch);
	return rc == 0 ? CMD_OK : cmd_fail(c);
}

int cmd_change(struct cmd *c, int oprc, struct meta_change *ch)
{
	if (oprc != 0) {
		meta_change_release(ch);
		return cmd_fail(c);
	}
	return cmd_apply(c, ch);
}

static int cmd_name(struct cmd *c, const char *s, uint32_t kind, uint32_t *num)
{
	struct meta_name n;

	if (meta_name_parse(s, &n, &c->c_err) != 0)
		return cmd_fail(c);
	if (n.mn_set[0] != '\0' && strcmp(n.mn_set, c->c_set) != 0) {
		meta_error_set(&c->c_err, SET_ERROR(ME_CFG_OTHERSET), 0, s,
			       "not in set '%s'", c->c_set);
		return cmd_fail(c);
	}
	if (n.mn_kind != kind) {
		meta_error_set(&c->c_err, SET_ERROR(ME_CFG_BADTYPE), 0, s,
			       kind == META_NK_UNIT ? "not a metadevice" :
						      "not a hot spare pool");
		return cmd_fail(c);
	}
	*num = n.mn_num;
	return CMD_OK;
}

int cmd_unit(struct cmd *c, const char *s, uint32_t *num)
{
	return cmd_name(c, s, META_NK_UNIT, num);
}

int cmd_hsp(struct cmd *c, const char *s, uint32_t *num)
{
	return cmd_name(c, s, META_NK_HSP, num);
}

const char *cmd_uname(struct cmd *c, uint32_t num)
{
	static char buf[2][64];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/d%" PRIu32, c->c_set, num);
	return buf[k];
}

const char *cmd_hname(struct cmd *c, uint32_t num)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s/hsp%03" PRIu32, c->c_set, num);
	return buf;
}

const char *cmd_typename(const struct meta_unit *u)
{
	switch (u->mu_type) {
	case META_UT_STRIPE:
		return "Concat/Stripe";
	case META_UT_MIRROR:
		return "Mirror";
	case META_UT_SP:
		return "Soft Partition";
	}
	return "Metadevice";
}
