// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * md.tab: the text form of a configuration (md.tab(5), metainit(8)).
 *
 * One entry per logical line ('#' starts a comment, a '\' at the end of a
 * line continues it).  An entry is what metainit takes on its command line
 * after the options:
 *
 *   dN nstripes ncomps drive... [-i interlace] ... [-h hspNNN]
 *   dN -m dA [dB ...] [-g | -r] [-S] [-A] [pass]
 *   dN -p [-e] parent [size ... | all]
 *   dN -p parent -o offset -b blocks [-o offset -b blocks ...]
 *   hspNNN [drive ...]
 *
 * Names may carry the set prefix ("blue/d10"); it must be the set being
 * configured.  metastat -p prints exactly this form, so that
 * "metastat -p | metainit -a" rebuilds an identical configuration.
 *
 * A file is parsed whole before anything is applied: a syntax error anywhere
 * names the file and line and applies nothing.  Entries are then applied one
 * at a time, each as its own change, in an order in which each finds what it
 * is built on (a mirror after its submirrors, a soft partition after its
 * mirror, a stripe after its hot spare pool), as SVM's metainit -a does.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "meta_cfg_impl.h"

static int syntax(meta_error_t *ep, const char *obj, const char *why)
{
	return meta_error_set(ep, SET_ERROR(ME_CFG_SYNTAX), 0, obj, "%s", why);
}

/* A positive decimal integer (no suffix). */
static bool parse_count(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* A name of this set: @n parsed, set prefix checked. */
static int name_here(const struct meta_cfg *cfg, const char *s,
		     struct meta_name *n, meta_error_t *ep)
{
	if (meta_name_parse(s, n, ep) != 0)
		return -1;
	if (n->mn_set[0] != '\0' && strcmp(n->mn_set, cfg->mc_set) != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_OTHERSET), 0, s,
				      "not in set '%s'", cfg->mc_set);
	return 0;
}

static int ent_stripe(struct meta_cfg *cfg, uint32_t num, int argc,
		      char *const *argv, struct meta_change *ch,
		      meta_error_t *ep)
{
	struct meta_rowspec rows[META_MAXROWS];
	uint32_t nrows, hsp = META_NONE;
	int i = 1;

	if (!parse_count(argv[0], META_MAXROWS, &nrows) || nrows == 0)
		return syntax(ep, argv[0], "bad number of stripes");
	for (uint32_t r = 0; r < nrows; r++) {
		uint32_t nc;

		if (i >= argc || !parse_count(argv[i], META_MAXCOMPS, &nc) ||
		    nc == 0)
			return syntax(ep, i < argc ? argv[i] : argv[0],
				      "bad number of components");
		i++;
		if (i + (int)nc > argc)
			return syntax(ep, argv[argc - 1], "missing components");
		rows[r].rs_ncomp = nc;
		rows[r].rs_names = (const char *const *)&argv[i];
		rows[r].rs_interlace = 0;
		for (uint32_t k = 0; k < nc; k++)
			if (argv[i + (int)k][0] == '-')
				return syntax(ep, argv[i + (int)k],
					      "missing components");
		i += (int)nc;
		if (i < argc && strcmp(argv[i], "-i") == 0) {
			if (i + 1 >= argc)
				return syntax(ep, "-i", "missing interlace");
			if (meta_size_parse(argv[i + 1], &rows[r].rs_interlace,
					    ep) != 0)
				return -1;
			i += 2;
		}
	}
	if (i < argc && strcmp(argv[i], "-h") == 0) {
		struct meta_name hn;

		if (i + 1 >= argc)
			return syntax(ep, "-h", "missing hot spare pool");
		if (name_here(cfg, argv[i + 1], &hn, ep) != 0)
			return -1;
		if (hn.mn_kind != META_NK_HSP)
			return syntax(ep, argv[i + 1], "not a hot spare pool");
		hsp = hn.mn_num;
		i += 2;
	}
	if (i != argc)
		return syntax(ep, argv[i], "unexpected word");
	return meta_op_stripe(cfg, num, nrows, rows, hsp, ch, ep);
}

static int ent_mirror(struct meta_cfg *cfg, uint32_t num, int argc,
		      char *const *argv, struct meta_change *ch,
		      meta_error_t *ep)
{
	struct meta_mirror_opts o;
	uint32_t sm[META_NMIRROR + 1], nsm = 0, pass;
	int i = 1;

	meta_mirror_opts_init(&o);
	for (; i < argc && argv[i][0] != '-' &&
	       !isdigit((unsigned char)argv[i][0]);
	     i++) {
		struct meta_name n;

		if (name_here(cfg, argv[i], &n, ep) != 0)
			return -1;
		if (n.mn_kind != META_NK_UNIT)
			return syntax(ep, argv[i], "not a metadevice");
		if (nsm > META_NMIRROR)
			break;
		sm[nsm++] = n.mn_num;
	}
	if (nsm == 0)
		return syntax(ep, argv[0], "no submirror");
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-g") == 0)
			o.mo_read = META_RD_GEOMETRIC;
		else if (strcmp(argv[i], "-r") == 0)
			o.mo_read = META_RD_FIRST;
		else if (strcmp(argv[i], "-S") == 0)
			o.mo_write = META_WR_SERIAL;
		else if (strcmp(argv[i], "-A") == 0)
			o.mo_resync = META_RS_ABR;
		else if (i == argc - 1 && parse_count(argv[i], 9, &pass))
			o.mo_pass = (int)pass;
		else
			return syntax(ep, argv[i], "bad mirror option");
	}
	return meta_op_mirror(cfg, num, nsm, sm, &o, ch, ep);
}

static int ent_sp(struct meta_cfg *cfg, uint32_t num, int argc,
		  char *const *argv, struct meta_change *ch, meta_error_t *ep)
{
	uint64_t sizes[META_MAXEXTS];
	struct meta_ext *exts;
	const char *parent;
	uint32_t n = 0;
	uint64_t align = 0;
	bool all = false;
	int i = 1, rc;

	/* -e and -A alignment, in either order */
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-e") == 0) {
			all = true;
		} else if (strcmp(argv[i], "-A") == 0) {
			if (++i >= argc)
				return syntax(ep, argv[0], "-A needs a value");
			if (strcmp(argv[i], "0") == 0)
				align = 0; /* none; the last -A counts */
			else if (meta_size_parse(argv[i], &align, ep) != 0)
				return -1;
			if (align == 1)
				align = 0; /* every block is 1-aligned */
		} else {
			break;
		}
	}
	if (i >= argc)
		return syntax(ep, argv[0], "missing component");
	parent = argv[i++];
	if (i < argc && strcmp(argv[i], "-o") == 0) {
		if (all)
			return syntax(ep, "-e", "-e with extents");
		exts = calloc(META_MAXEXTS, sizeof(*exts));
		if (exts == NULL)
			return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
					      "cannot parse");
		for (; i < argc; i += 4) {
			if (n >= META_MAXEXTS || i + 3 >= argc ||
			    strcmp(argv[i], "-o") != 0 ||
			    strcmp(argv[i + 2], "-b") != 0 ||
			    meta_size_parse(argv[i + 3], &exts[n].me_len,
					    NULL) != 0 ||
			    !isdigit((unsigned char)argv[i + 1][0])) {
				free(exts);
				return syntax(
					ep, argv[i < argc ? i : argc - 1],
					"bad extent (-o offset -b blocks)");
			}
			exts[n].me_poff = strtoull(argv[i + 1], NULL, 10);
			n++;
		}
		rc = meta_op_sp_exts(cfg, num, parent, n, exts, align, ch, ep);
		free(exts);
		return rc;
	}
	for (; i < argc; i++) {
		if (strcmp(argv[i], "all") == 0) {
			all = true;
			continue;
		}
		if (n >= META_MAXEXTS)
			return syntax(ep, argv[i], "too many sizes");
		if (meta_size_parse(argv[i], &sizes[n++], ep) != 0)
			return -1;
	}
	if (all && n > 0)
		return syntax(ep, argv[0], "'all' (or -e) with a size");
	if (all) {
		sizes[0] = 0;
		n = 1;
	}
	if (n == 0)
		return syntax(ep, argv[0], "missing size");
	return meta_op_sp_align(cfg, num, parent, n, sizes, align, ch, ep);
}

static int ent_change(struct meta_cfg *cfg, int argc, char *const *argv,
		      struct meta_change *ch, meta_error_t *ep)
{
	struct meta_name n;

	if (argc < 1)
		return syntax(ep, NULL, "empty entry");
	if (name_here(cfg, argv[0], &n, ep) != 0)
		return -1;
	if (n.mn_kind == META_NK_HSP) {
		for (int i = 1; i < argc; i++)
			if (argv[i][0] == '-')
				return syntax(ep, argv[i], "unexpected option");
		return meta_op_hsp(cfg, n.mn_num, (uint32_t)argc - 1,
				   (const char *const *)&argv[1], ch, ep);
	}
	if (argc < 2)
		return syntax(ep, argv[0], "incomplete entry");
	if (strcmp(argv[1], "-m") == 0)
		return ent_mirror(cfg, n.mn_num, argc - 1, argv + 1, ch, ep);
	if (strcmp(argv[1], "-p") == 0)
		return ent_sp(cfg, n.mn_num, argc - 1, argv + 1, ch, ep);
	if (isdigit((unsigned char)argv[1][0]))
		return ent_stripe(cfg, n.mn_num, argc - 1, argv + 1, ch, ep);
	return syntax(ep, argv[1], "unknown metadevice type");
}

int meta_mdtab_words(struct meta_cfg *cfg, int argc, char *const *argv,
		     const struct meta_store *st, meta_error_t *ep)
{
	struct meta_change ch;
	int rc;

	meta_change_init(&ch);
	rc = ent_change(cfg, argc, argv, &ch, ep);
	if (rc == 0)
		rc = meta_cfg_apply(cfg, &ch, st, ep);
	meta_change_release(&ch);
	return rc;
}

/* ---- files ---- */

struct ent {
	int e_argc;
	char **e_argv; /* point into e_buf */
	char *e_buf;
	unsigned e_line;
	bool e_done;
	struct meta_name e_name;
	uint32_t e_ndeps;
	struct meta_name e_deps[META_NMIRROR + 1];
};

static void ents_free(struct ent *ents, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(ents[i].e_argv);
		free(ents[i].e_buf);
	}
	free(ents);
}

/* Split @line (owned by the entry) into words. */
static int ent_split(struct ent *e, char *line)
{
	int cap = 8;

	e->e_buf = line;
	e->e_argv = malloc((size_t)cap * sizeof(char *));
	if (e->e_argv == NULL)
		return -1;
	for (char *tok = strtok(line, " \t\r\n"); tok != NULL;
	     tok = strtok(NULL, " \t\r\n")) {
		if (e->e_argc + 1 >= cap) {
			char **n = realloc(e->e_argv,
					   (size_t)(cap *= 2) * sizeof(char *));

			if (n == NULL)
				return -1;
			e->e_argv = n;
		}
		e->e_argv[e->e_argc++] = tok;
	}
	e->e_argv[e->e_argc] = NULL;
	return 0;
}

/* What an entry is built on, for ordering. */
static void ent_deps(struct ent *e)
{
	struct meta_name n;
	char *const *v = e->e_argv;
	int c = e->e_argc;

	if (c >= 2 && strcmp(v[1], "-m") == 0) {
		for (int i = 2; i < c && e->e_ndeps <= META_NMIRROR; i++)
			if (meta_name_parse(v[i], &n, NULL) == 0)
				e->e_deps[e->e_ndeps++] = n;
	} else if (c >= 3 && strcmp(v[1], "-p") == 0) {
		int i = 2;

		/* past -e and -A alignment, as ent_sp() reads them */
		while (i < c &&
		       (strcmp(v[i], "-e") == 0 || strcmp(v[i], "-A") == 0))
			i += strcmp(v[i], "-A") == 0 ? 2 : 1;
		if (i < c && meta_name_parse(v[i], &n, NULL) == 0)
			e->e_deps[e->e_ndeps++] = n;
	} else {
		for (int i = 1; i + 1 < c; i++)
			if (strcmp(v[i], "-h") == 0 &&
			    meta_name_parse(v[i + 1], &n, NULL) == 0)
				e->e_deps[e->e_ndeps++] = n;
	}
}

/* Read the logical lines of @f into entries. */
static int read_ents(FILE *f, const char *fname, struct ent **entsp,
		     uint32_t *nents, meta_error_t *ep)
{
	struct ent *ents = NULL;
	uint32_t n = 0, cap = 0;
	char *line = NULL, *acc = NULL;
	size_t lcap = 0, alen = 0;
	unsigned lineno = 0, first = 0;
	ssize_t len;
	bool eof = false;

	while (!eof) {
		char *hash;
		bool cont = false;

		len = getline(&line, &lcap, f);
		if (len < 0) {
			eof = true;
			if (acc == NULL)
				break;
			len = 0;
			line = line ? line : strdup("");
			if (line == NULL)
				goto out_nomem;
			line[0] = '\0';
		} else {
			lineno++;
		}
		hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		len = (ssize_t)strlen(line);
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\\') {
			line[--len] = '\0';
			cont = !eof;
		}
		if (acc == NULL)
			first = lineno;
		{
			char *na = realloc(acc, alen + (size_t)len + 2);

			if (na == NULL)
				goto out_nomem;
			acc = na;
			memcpy(acc + alen, line, (size_t)len);
			alen += (size_t)len;
			acc[alen++] = ' ';
			acc[alen] = '\0';
		}
		if (cont)
			continue;
		if (n == cap) {
			struct ent *ne;

			cap = cap ? cap * 2 : 16;
			ne = realloc(ents, cap * sizeof(*ne));
			if (ne == NULL)
				goto out_nomem;
			ents = ne;
		}
		memset(&ents[n], 0, sizeof(ents[n]));
		ents[n].e_line = first;
		if (ent_split(&ents[n], acc) != 0) {
			n++;
			acc = NULL;
			goto out_nomem;
		}
		acc = NULL;
		alen = 0;
		if (ents[n].e_argc == 0) {
			free(ents[n].e_argv);
			free(ents[n].e_buf);
			continue;
		}
		n++;
	}
	free(line);
	free(acc);
	*entsp = ents;
	*nents = n;
	return 0;
out_nomem:
	free(line);
	free(acc);
	ents_free(ents, n);
	return meta_error_set(ep, SET_ERROR(ENOMEM), 0, fname, "cannot read");
}

/* Prefix @ep's action with "file:line". */
static int at_line(meta_error_t *ep, const char *fname, unsigned line)
{
	char what[META_ERR_WHATLEN];
	int k;

	if (ep == NULL)
		return -1;
	k = snprintf(what, sizeof(what), "%s:%u: ", fname, line);
	if (k > 0 && (size_t)k < sizeof(what))
		memcpy(what + k, ep->me_what,
		       strnlen(ep->me_what, sizeof(what) - (size_t)k - 1));
	what[sizeof(what) - 1] = '\0';
	what[k > 0 && (size_t)k < sizeof(what) ?
		     (size_t)k + strnlen(ep->me_what,
					 sizeof(what) - (size_t)k - 1) :
		     sizeof(what) - 1] = '\0';
	memcpy(ep->me_what, what, sizeof(what));
	return -1;
}

static bool dep_pending(const struct ent *ents, uint32_t n,
			const struct meta_name *d)
{
	for (uint32_t i = 0; i < n; i++)
		if (!ents[i].e_done && ents[i].e_name.mn_kind == d->mn_kind &&
		    ents[i].e_name.mn_num == d->mn_num)
			return true;
	return false;
}

int meta_mdtab_apply(struct meta_cfg *cfg, FILE *f, const char *fname,
		     const struct meta_store *st, meta_error_t *ep)
{
	struct ent *ents = NULL;
	uint32_t n = 0, left;
	int rc = 0;

	if (read_ents(f, fname, &ents, &n, ep) != 0)
		return -1;
	/* Names first: a bad or duplicated name anywhere applies nothing. */
	for (uint32_t i = 0; i < n; i++) {
		if (name_here(cfg, ents[i].e_argv[0], &ents[i].e_name, ep) !=
		    0) {
			rc = at_line(ep, fname, ents[i].e_line);
			goto out;
		}
		for (uint32_t j = 0; j < i; j++)
			if (ents[j].e_name.mn_kind == ents[i].e_name.mn_kind &&
			    ents[j].e_name.mn_num == ents[i].e_name.mn_num) {
				meta_error_set(ep, SET_ERROR(ME_CFG_DUPLICATE),
					       0, ents[i].e_argv[0],
					       "defined again");
				rc = at_line(ep, fname, ents[i].e_line);
				goto out;
			}
		ent_deps(&ents[i]);
	}
	for (left = n; left > 0 && rc == 0;) {
		uint32_t progress = 0;

		for (uint32_t i = 0; i < n && rc == 0; i++) {
			bool ready = true;

			if (ents[i].e_done)
				continue;
			for (uint32_t d = 0; d < ents[i].e_ndeps; d++)
				if (dep_pending(ents, n, &ents[i].e_deps[d]))
					ready = false;
			if (!ready)
				continue;
			if (meta_mdtab_words(cfg, ents[i].e_argc,
					     ents[i].e_argv, st, ep) != 0)
				rc = at_line(ep, fname, ents[i].e_line);
			ents[i].e_done = true;
			progress++;
			left--;
		}
		if (progress == 0 && rc == 0) {
			/* A cycle (d1 -m d2, d2 -m d1): apply in file order
			 * and let the first failure speak. */
			for (uint32_t i = 0; i < n; i++) {
				if (ents[i].e_done)
					continue;
				if (meta_mdtab_words(cfg, ents[i].e_argc,
						     ents[i].e_argv, st,
						     ep) != 0) {
					rc = at_line(ep, fname, ents[i].e_line);
					break;
				}
				ents[i].e_done = true;
				left--;
			}
		}
	}
out:
	ents_free(ents, n);
	return rc;
}
