/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the configuration commands (metainit, metastat, metaclear, metattach,
 * metadetach, metaparam, metarename, metahs) share: finding the set, opening
 * its configuration, applying a change (or only checking it with -n),
 * printing errors in one style and the exit codes:
 *
 *   0  success
 *   1  the request failed (the message says why; nothing was changed)
 *   2  usage error
 *
 * On a multi-owner set the changing commands forward their whole command
 * line through mdcommd (cmd_mn_forward()), and mdcommd runs them again, in
 * its own process, on every node (lib/libmeta/meta_mn_cmd.c): there
 * cmd_open() takes the daemon's model instead of opening the set.
 *
 * Each command's body is "int metafoo_main(int argc, char **argv)"; the
 * program's main() calls it, and the command tests call it in-process
 * (built with OBAN_CMD_NOMAIN).
 */
#ifndef OBAN_CMDS_CMD_COMMON_H
#define OBAN_CMDS_CMD_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include <oban/meta_cfg.h>

#define CMD_OK 0
#define CMD_FAIL 1
#define CMD_USAGE 2

struct cmd {
	const char *c_prog;
	const char *c_set; /* -s, or the set prefix of the names */
	bool c_dry; /* -n */
	struct meta_cfgh *c_h;
	meta_error_t c_err;
};

void cmd_init(struct cmd *c, const char *prog);
/*
 * The options every configuration command takes: -s set (into *@sopt) and
 * -n (c->c_dry).  True when @opt (getopt()'s, its argument in optarg) was
 * one of them.
 */
bool cmd_opt(struct cmd *c, int opt, const char **sopt);
/*
 * Print "prog: message" for c->c_err and return CMD_FAIL.  Inside mdcommd
 * the error names this node ("metainit: 'blue/d10' on node 2: already
 * exists"), so that the initiator can print the failing node's error as
 * it is (meta_mn_result_error()).
 */
int cmd_fail(struct cmd *c);
/* Print the usage line and return CMD_USAGE. */
int cmd_usage(struct cmd *c, const char *usage);
/*
 * Settle the set from -s (@sopt, may be NULL) and the set prefixes of the
 * names in @names (metadevice or pool names only; others ignored): they
 * must agree.  Then open the configuration.  CMD_OK or an exit code.
 */
int cmd_open(struct cmd *c, const char *sopt, int n, char *const *names);
void cmd_close(struct cmd *c);
/*
 * Multi-owner sets: unless -n was given or the command already runs inside
 * mdcommd, settle the set as cmd_open() does and, when it is multi-owner,
 * send @argv (the whole command line) through mdcommd: dry run on every
 * node, then the real run (meta_mn_send_command()).  Returns CMD_LOCAL when
 * the command is to run here as usual, else its exit code.  Call it before
 * cmd_open(): the set must not be open while the daemon runs the command.
 */
#define CMD_LOCAL (-1)
int cmd_mn_forward(struct cmd *c, const char *sopt, int n, char *const *names,
		   int argc, char *const *argv);
/* Settle the set and say whether it is multi-owner (*@mn).  CMD_OK or an
 * exit code. */
int cmd_mn_forward_check(struct cmd *c, const char *sopt, int n,
			 char *const *names, bool *mn);
/* Send @argv for the settled set c->c_set (as cmd_mn_forward()). */
int cmd_mn_send(struct cmd *c, int argc, char *const *argv);
/*
 * The start every changing command shares once its options are parsed:
 * cmd_mn_forward() with the whole command line @argc/@argv (@argc 0: a
 * request that only reads, never forwarded), then cmd_open().  Returns
 * CMD_OK with *@remote false when the set is open and the command runs
 * here; with *@remote true the command ran on the cluster and the result
 * is its exit code (CMD_OK included); anything else is an exit code after
 * a failure, with nothing open.
 */
int cmd_start(struct cmd *c, const char *sopt, int n, char *const *names,
	      int argc, char *const *argv, bool *remote);
/* Apply @ch (released in every case): written, or with -n only checked. */
int cmd_apply(struct cmd *c, struct meta_change *ch);
/*
 * Finish a change that a meta_op_*() built: @oprc is the operation's
 * return; -1 releases @ch and prints the error, 0 applies it
 * (cmd_apply()).  CMD_OK or CMD_FAIL.
 */
int cmd_change(struct cmd *c, int oprc, struct meta_change *ch);
/* Parse a unit name of this set into *@num. */
int cmd_unit(struct cmd *c, const char *s, uint32_t *num);
/* Parse a pool name of this set into *@num. */
int cmd_hsp(struct cmd *c, const char *s, uint32_t *num);
/* "blue/d10" */
const char *cmd_uname(struct cmd *c, uint32_t num);
const char *cmd_hname(struct cmd *c, uint32_t num);
/* The name of a unit's type as SVM prints it ("Mirror"). */
const char *cmd_typename(const struct meta_unit *u);

int metainit_main(int argc, char **argv);
int metastat_main(int argc, char **argv);
int metaclear_main(int argc, char **argv);
int metattach_main(int argc, char **argv);
int metadetach_main(int argc, char **argv);
int metaparam_main(int argc, char **argv);
int metarename_main(int argc, char **argv);
int metahs_main(int argc, char **argv);
int metarecover_main(int argc, char **argv);

#endif /* OBAN_CMDS_CMD_COMMON_H */
