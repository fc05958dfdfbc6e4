// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metainit - create metadevices and hot spare pools (metainit(8)).
 *
 *   metainit [-s set] [-n] entry       one md.tab entry on the command line
 *   metainit [-s set] [-n] -a [-f file] every entry of /etc/oban/md.tab,
 *                                       of file, or of stdin with "-f -";
 *                                       without -s, the set prefix of the
 *                                       first entry names the set
 *
 * With -a the whole file is first applied to the model in memory only (a
 * dry run); only if every entry passes is it applied again, each entry its
 * own change.  -n stops after the dry run.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_mn.h>
#include <oban/paths.h>

#include "cmd_common.h"

static const char usage[] =
	"[-s set] [-n] {dN nstripes ncomps drive... [-i interlace] ... "
	"[-h hspNNN] | dN -m submirror... [-g|-r] [-S] [-A] [pass] | "
	"dN -p [-e] [-A alignment] {drive|dM} {size...|all} | "
	"hspNNN [drive...]}\n"
	"       metainit [-s set] [-n] -a [-f md.tab|-]";

/* The whole of @path ("-" is stdin) in a malloc'd buffer. */
static char *slurp(struct cmd *c, const char *path, size_t *lenp)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		meta_error_set(&c->c_err, errno, 0, path, "cannot open");
		return NULL;
	}
	do {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 4096);

			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (buf == NULL || ferror(f)) {
		meta_error_set(&c->c_err, buf ? EIO : ENOMEM, 0, path,
			       "cannot read");
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	*lenp = len;
	return buf;
}

static void report_new(struct cmd *c, const bool *had_u, const bool *had_h)
{
	const struct meta_cfg *cfg = c->c_h->ch_cfg;

	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = meta_cfg_unit(cfg, i);

		if (u != NULL && !had_u[i])
			printf("%s: %s is setup\n", cmd_uname(c, i),
			       cmd_typename(u));
	}
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		if (meta_cfg_hsp(cfg, i) != NULL && !had_h[i])
			printf("%s: Hotspare pool is setup\n", cmd_hname(c, i));
}

/* The set prefix of the first entry of md.tab text, or NULL. */
static const char *first_set(const char *buf, size_t len)
{
	static char set[META_SETNAMELEN];
	size_t i = 0;

	while (i < len) {
		size_t s, e;
		struct meta_name n;
		char word[128];

		while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
				   buf[i] == '\n' || buf[i] == '\r'))
			i++;
		if (i < len && buf[i] == '#') {
			while (i < len && buf[i] != '\n')
				i++;
			continue;
		}
		for (s = e = i; e < len && buf[e] != ' ' && buf[e] != '\t' &&
				buf[e] != '\n' && buf[e] != '#';
		     e++)
			;
		if (e == s || e - s >= sizeof(word))
			return NULL;
		memcpy(word, buf + s, e - s);
		word[e - s] = '\0';
		if (meta_name_parse(word, &n, NULL) != 0 || n.mn_set[0] == '\0')
			return NULL;
		memcpy(set, n.mn_set, sizeof(set));
		return set;
	}
	return NULL;
}

static int run_file(struct cmd *c, const char *path, char *buf, size_t len)
{
	static bool had_u[META_MAXUNITS], had_h[META_MAXHSP];
	FILE *f;
	int rc;

	for (uint32_t i = 0; i < META_MAXUNITS; i++)
		had_u[i] = meta_cfg_unit(c->c_h->ch_cfg, i) != NULL;
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		had_h[i] = meta_cfg_hsp(c->c_h->ch_cfg, i) != NULL;
	/* The dry run, on the model in memory. */
	f = fmemopen(buf, len ? len : 1, "r");
	if (f == NULL) {
		meta_error_set(&c->c_err, errno, 0, path, "cannot read");
		return cmd_fail(c);
	}
	if (len == 0)
		fgetc(f);
	rc = meta_mdtab_apply(c->c_h->ch_cfg, f, path, NULL, &c->c_err);
	fclose(f);
	if (rc == 0 && !c->c_dry) {
		/* The real run, from the model as stored. */
		rc = meta_cfgh_reload(c->c_h, &c->c_err);
		if (rc == 0) {
			f = fmemopen(buf, len ? len : 1, "r");
			if (f == NULL) {
				rc = meta_error_set(&c->c_err, errno, 0, path,
						    "cannot read");
			} else {
				if (len == 0)
					fgetc(f);
				rc = meta_mdtab_apply(c->c_h->ch_cfg, f, path,
						      &c->c_h->ch_store,
						      &c->c_err);
				fclose(f);
			}
		}
	}
	if (rc != 0)
		return cmd_fail(c);
	if (c->c_h->ch_cfg != NULL)
		report_new(c, had_u, had_h);
	return CMD_OK;
}

/*
 * metainit -a on a multi-owner set: every entry of the file is its own
 * command through mdcommd ("metainit -s set words..."), in file order
 * (each is dry-run on every node, then run), stopping at the first
 * failure.  Entries must come in an order in which each can be created.
 */
static int mn_file(struct cmd *c, char *buf, size_t len)
{
	static char set[META_SETNAMELEN], w0[] = "metainit", w1[] = "-s";
	char *argv[META_MN_CMD_MAXARGS + 1], *line, *save = NULL;
	int rc = CMD_OK;

	snprintf(set, sizeof(set), "%s", c->c_set);
	/* Continuation lines join their entry; NULs end the text. */
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\0')
			buf[i] = ' ';
		if (buf[i] == '\\' && i + 1 < len && buf[i + 1] == '\n')
			buf[i] = buf[i + 1] = ' ';
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL && rc == CMD_OK;
	     line = strtok_r(NULL, "\n", &save)) {
		char *w, *wsave = NULL;
		int argc = 3;

		line[strcspn(line, "#")] = '\0';
		argv[0] = w0;
		argv[1] = w1;
		argv[2] = set;
		for (w = strtok_r(line, " \t\r", &wsave); w != NULL;
		     w = strtok_r(NULL, " \t\r", &wsave)) {
			if (argc == META_MN_CMD_MAXARGS) {
				meta_error_set(&c->c_err,
					       SET_ERROR(ME_CFG_SYNTAX), 0,
					       argv[3],
					       "too many words in entry");
				return cmd_fail(c);
			}
			argv[argc++] = w;
		}
		if (argc > 3) {
			argv[argc] = NULL;
			rc = cmd_mn_send(c, argc, argv);
		}
	}
	return rc;
}

/* One entry given as words on the command line; the set is open. */
static int entry(struct cmd *c, int argc, char **argv)
{
	struct meta_name n;
	int rc = CMD_OK;

	if (meta_mdtab_words(c->c_h->ch_cfg, argc, argv,
			     c->c_dry ? NULL : &c->c_h->ch_store,
			     &c->c_err) != 0) {
		rc = cmd_fail(c);
	} else {
		VERIFY0(meta_name_parse(argv[0], &n, NULL));
		if (n.mn_kind == META_NK_HSP)
			printf("%s: Hotspare pool is setup\n",
			       cmd_hname(c, n.mn_num));
		else
			printf("%s: %s is setup\n", cmd_uname(c, n.mn_num),
			       cmd_typename(meta_cfg_unit(c->c_h->ch_cfg,
							  n.mn_num)));
	}
	cmd_close(c);
	return rc;
}

int metainit_main(int argc, char **argv)
{
	const char *sopt = NULL, *file = NULL;
	char path[4096], *buf = NULL;
	size_t len = 0;
	bool all = false, remote;
	struct cmd c;
	int opt, rc;

	cmd_init(&c, "metainit");
	optind = 0;
	while ((opt = getopt(argc, argv, "+s:naf:")) != -1) {
		if (opt == 'a')
			all = true;
		else if (opt == 'f')
			file = optarg;
		else if (!cmd_opt(&c, opt, &sopt))
			return cmd_usage(&c, usage);
	}
	if (all ? argc != optind : (argc - optind < 1 || file != NULL))
		return cmd_usage(&c, usage);
	if (!all) {
		rc = cmd_start(&c, sopt, 1, argv + optind, argc, argv, &remote);
		if (rc != CMD_OK || remote)
			return rc;
		return entry(&c, argc - optind, argv + optind);
	}
	/* Read the file first: its names may say which set. */
	if (file == NULL)
		file = oban_path(path, sizeof(path), OBAN_DIR_ETC, "md.tab");
	if (file == NULL)
		return CMD_FAIL;
	buf = slurp(&c, file, &len);
	if (buf == NULL)
		return cmd_fail(&c);
	if (sopt == NULL)
		sopt = first_set(buf, len);
	if (meta_mn_cmdctx() != NULL) {
		/* mdcommd sends entries one by one, never a file */
		fprintf(stderr, "metainit: -a cannot run inside mdcommd\n");
		free(buf);
		return CMD_USAGE;
	}
	if (!c.c_dry && !meta_mn_in_daemon()) {
		bool mn = false;
		uint32_t setno;

		if (sopt == NULL) {
			fprintf(stderr, "metainit: no set given (use -s set "
					"or set/dN names)\n");
			free(buf);
			return CMD_USAGE;
		}
		c.c_set = sopt;
		if (meta_mn_set_info(sopt, &mn, &setno, &c.c_err) != 0) {
			free(buf);
			return cmd_fail(&c);
		}
		if (mn) {
			rc = mn_file(&c, buf, len);
			free(buf);
			return rc;
		}
	}
	rc = cmd_open(&c, sopt, 0, argv);
	if (rc == CMD_OK) {
		rc = run_file(&c, file, buf, len);
		cmd_close(&c);
	}
	free(buf);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metainit_main(argc, argv);
}
#endif
