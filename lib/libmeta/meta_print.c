// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metastat's output formats (doc/config-model.md, metastat(8)).
 *
 *   long form   SVM's metastat: one block per unit, submirrors after their
 *               mirror, hot spare pools, then the device relocation table.
 *               For a multi-owner set a mirror also shows its resync option
 *               and owner, as in the product document's example:
 *
 *                 blue/d22: Mirror
 *                     Submirror 0: blue/d20
 *                       State: Okay
 *                     ...
 *                     Resync option: optimized resync
 *                     Owner: None
 *                     Size: 1238895 blocks (604 MB)
 *
 *   -p          md.tab lines (meta_mdtab.c reads them back).
 *   -c          one line per unit.
 *   -j          JSON.
 *
 * The owner is the I/O engine's (which node last wrote an optimized resync
 * mirror); until the engine reports one, every mirror prints "None", which
 * is also what SVM prints for a mirror nobody has written.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <oban/debug.h>

#include "meta_cfg_impl.h"

#define NB 64

static const char *un(const struct meta_cfg *cfg, uint32_t num, char *b)
{
	return meta_cfg_uname(cfg, num, b, NB);
}

static const char *hn(const struct meta_cfg *cfg, uint32_t num, char *b)
{
	return meta_cfg_hname(cfg, num, b, NB);
}

/* Is unit @u (or pool, @hsp) selected? Submirrors follow their mirror. */
static bool selected(const struct meta_cfg *cfg, uint32_t kind, uint32_t num,
		     uint32_t nsel, const struct meta_name *sel)
{
	if (nsel == 0)
		return true;
	for (uint32_t i = 0; i < nsel; i++)
		if (sel[i].mn_kind == kind && sel[i].mn_num == num)
			return true;
	return false;
}

/* Units printed at top level: no parent mirror, or selected by name. */
static bool top(const struct meta_cfg *cfg, const struct meta_unit *u,
		uint32_t nsel, const struct meta_name *sel)
{
	if (nsel == 0)
		return u->mu_parent == META_NONE;
	return selected(cfg, META_NK_UNIT, u->mu_num, nsel, sel);
}

/* ---- -p ---- */

static void mdtab_unit(const struct meta_cfg *cfg, FILE *f,
		       const struct meta_unit *u)
{
	char b[NB];

	fputs(un(cfg, u->mu_num, b), f);
	switch (u->mu_type) {
	case META_UT_STRIPE:
		fprintf(f, " %" PRIu32, u->mu_st.st_nrows);
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++) {
			const struct meta_row *r = &u->mu_st.st_rows[i];

			fprintf(f, " %" PRIu32, r->mr_ncomp);
			for (uint32_t j = 0; j < r->mr_ncomp; j++)
				fprintf(f, " %s", r->mr_comps[j].mc_name);
			if (r->mr_ncomp > 1)
				fprintf(f, " -i %" PRIu64 "b", r->mr_interlace);
		}
		if (u->mu_st.st_hsp != META_NONE)
			fprintf(f, " -h %s", hn(cfg, u->mu_st.st_hsp, b));
		break;
	case META_UT_MIRROR:
		fputs(" -m", f);
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			fprintf(f, " %s", un(cfg, u->mu_mm.mm_sm[i], b));
		if (u->mu_mm.mm_read == META_RD_GEOMETRIC)
			fputs(" -g", f);
		else if (u->mu_mm.mm_read == META_RD_FIRST)
			fputs(" -r", f);
		if (u->mu_mm.mm_write == META_WR_SERIAL)
			fputs(" -S", f);
		if (u->mu_mm.mm_resync == META_RS_ABR)
			fputs(" -A", f);
		fprintf(f, " %u", u->mu_mm.mm_pass);
		break;
	case META_UT_SP:
		fputs(" -p", f);
		if (u->mu_sp.sp_align != 0)
			fprintf(f, " -A %" PRIu64 "b", u->mu_sp.sp_align);
		fprintf(f, " %s",
			u->mu_sp.sp_parent == META_NONE ?
				u->mu_sp.sp_drive :
				un(cfg, u->mu_sp.sp_parent, b));
		for (uint32_t i = 0; i < u->mu_sp.sp_next; i++)
			fprintf(f, " -o %" PRIu64 " -b %" PRIu64,
				u->mu_sp.sp_ext[i].me_poff,
				u->mu_sp.sp_ext[i].me_len);
		break;
	}
	fputc('\n', f);
}

void meta_print_mdtab(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
		      const struct meta_name *sel)
{
	char b[NB];

	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u == NULL || !top(cfg, u, nsel, sel))
			continue;
		mdtab_unit(cfg, f, u);
		if (u->mu_type == META_UT_MIRROR)
			for (uint32_t j = 0; j < u->mu_mm.mm_nsm; j++)
				mdtab_unit(cfg, f,
					   cfg->mc_units[u->mu_mm.mm_sm[j]]);
	}
	for (uint32_t i = 0; i < META_MAXHSP; i++) {
		const struct meta_hsp *h = cfg->mc_hsps[i];

		if (h == NULL || !selected(cfg, META_NK_HSP, i, nsel, sel))
			continue;
		fputs(hn(cfg, i, b), f);
		for (uint32_t j = 0; j < h->hp_nspares; j++)
			fprintf(f, " %s", h->hp_spares[j].hs_name);
		fputc('\n', f);
	}
}

/* ---- long form ---- */

static const char *const rd_str[] = { "roundrobin (default)", "geometric",
				      "first" };
static const char *const wr_str[] = { "parallel (default)", "serial" };
static const char *const rs_str[] = { "optimized resync", "application based" };

static const char *sm_state(uint32_t s)
{
	if (s & (META_SMS_COMP_ERRED | META_SMS_ALL_ERRED))
		return "Needs maintenance";
	if (s & (META_SMS_COMP_RESYNC | META_SMS_ATTACHED_RESYNC |
		 META_SMS_OFFLINE_RESYNC))
		return "Resyncing";
	if (s & META_SMS_OFFLINE)
		return "Offline";
	return "Okay";
}

static const char *comp_state(uint32_t s)
{
	if (s & META_CS_LAST_ERRED)
		return "Last Erred";
	if (s & META_CS_ERRED)
		return "Maintenance";
	if (s & META_CS_RESYNC)
		return "Resyncing";
	return "Okay";
}

static const char *hs_state(uint32_t s)
{
	if (s == META_HSS_INUSE)
		return "In use";
	if (s == META_HSS_BROKEN)
		return "Broken";
	return "Available";
}

static void size_line(FILE *f, const char *indent, uint64_t blocks)
{
	char sz[32];

	fprintf(f, "%sSize: %" PRIu64 " blocks (%s)\n", indent, blocks,
		meta_size_str(blocks, sz, sizeof(sz)));
}

static bool drive_has_db(const struct meta_cfg *cfg, const char *name)
{
	struct meta_drive d;

	return cfg->mc_lookup != NULL &&
	       cfg->mc_lookup(cfg->mc_lookup_arg, name, &d, NULL) == 0 &&
	       d.md_nrepl > 0;
}

static void status_stripe(const struct meta_cfg *cfg, FILE *f,
			  const struct meta_unit *u)
{
	char b[NB];

	if (u->mu_parent != META_NONE) {
		const struct meta_unit *m = cfg->mc_units[u->mu_parent];
		uint32_t st = META_SMS_RUNNING;

		for (uint32_t i = 0; i < m->mu_mm.mm_nsm; i++)
			if (m->mu_mm.mm_sm[i] == u->mu_num)
				st = m->mu_mm.mm_smstate[i];
		fprintf(f, "%s: Submirror of ", un(cfg, u->mu_num, b));
		fprintf(f, "%s\n", un(cfg, u->mu_parent, b));
		fprintf(f, "    State: %s\n", sm_state(st));
	} else {
		fprintf(f, "%s: Concat/Stripe\n", un(cfg, u->mu_num, b));
	}
	if (u->mu_st.st_hsp != META_NONE)
		fprintf(f, "    Hot spare pool: %s\n",
			hn(cfg, u->mu_st.st_hsp, b));
	size_line(f, "    ", u->mu_size);
	for (uint32_t i = 0; i < u->mu_st.st_nrows; i++) {
		const struct meta_row *r = &u->mu_st.st_rows[i];

		if (r->mr_ncomp > 1)
			fprintf(f,
				"    Stripe %" PRIu32 ": (interlace: %" PRIu64
				" blocks)\n",
				i, r->mr_interlace);
		else
			fprintf(f, "    Stripe %" PRIu32 ":\n", i);
		fputs("        Device     Start Block  Dbase        State "
		      "Reloc Hot Spare\n",
		      f);
		for (uint32_t j = 0; j < r->mr_ncomp; j++) {
			const struct meta_comp *c = &r->mr_comps[j];

			fprintf(f,
				"        %-10s %11" PRIu64 "  %-5s %12s %5s\n",
				c->mc_name, c->mc_start,
				drive_has_db(cfg, c->mc_name) ? "Yes" : "No",
				comp_state(c->mc_state), "Yes");
		}
	}
	fputc('\n', f);
}

static void status_mirror(const struct meta_cfg *cfg, FILE *f,
			  const struct meta_unit *u)
{
	const struct meta_mirror *mm = &u->mu_mm;
	char b[NB];

	fprintf(f, "%s: Mirror\n", un(cfg, u->mu_num, b));
	for (uint32_t i = 0; i < mm->mm_nsm; i++) {
		fprintf(f, "    Submirror %" PRIu32 ": %s\n", i,
			un(cfg, mm->mm_sm[i], b));
		fprintf(f, "      State: %s\n", sm_state(mm->mm_smstate[i]));
	}
	fprintf(f, "    Pass: %u\n", mm->mm_pass);
	fprintf(f, "    Read option: %s\n", rd_str[mm->mm_read]);
	fprintf(f, "    Write option: %s\n", wr_str[mm->mm_write]);
	if (cfg->mc_mn) {
		fprintf(f, "    Resync option: %s\n", rs_str[mm->mm_resync]);
		fputs("    Owner: None\n", f);
	}
	size_line(f, "    ", u->mu_size);
	fputc('\n', f);
}

static void status_sp(const struct meta_cfg *cfg, FILE *f,
		      const struct meta_unit *u)
{
	const struct meta_sp *sp = &u->mu_sp;
	char b[NB];

	fprintf(f, "%s: Soft Partition\n", un(cfg, u->mu_num, b));
	fprintf(f, "    Device: %s\n",
		sp->sp_parent == META_NONE ? sp->sp_drive :
					     un(cfg, sp->sp_parent, b));
	fprintf(f, "    State: %s\n", comp_state(sp->sp_state));
	size_line(f, "    ", u->mu_size);
	fputs("        Extent              Start Block              Block "
	      "count\n",
	      f);
	for (uint32_t i = 0; i < sp->sp_next; i++)
		fprintf(f, "%14" PRIu32 " %24" PRIu64 " %24" PRIu64 "\n", i,
			sp->sp_ext[i].me_poff, sp->sp_ext[i].me_len);
	fputc('\n', f);
}

static void status_unit(const struct meta_cfg *cfg, FILE *f,
			const struct meta_unit *u)
{
	switch (u->mu_type) {
	case META_UT_STRIPE:
		status_stripe(cfg, f, u);
		break;
	case META_UT_MIRROR:
		status_mirror(cfg, f, u);
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			status_stripe(cfg, f, cfg->mc_units[u->mu_mm.mm_sm[i]]);
		break;
	case META_UT_SP:
		status_sp(cfg, f, u);
		break;
	}
}

static void status_hsp(const struct meta_cfg *cfg, FILE *f,
		       const struct meta_hsp *h)
{
	char b[NB];

	if (h->hp_nspares == 0) {
		fprintf(f, "%s: is empty\n\n", hn(cfg, h->hp_num, b));
		return;
	}
	fprintf(f, "%s: %" PRIu32 " hot spare%s\n", hn(cfg, h->hp_num, b),
		h->hp_nspares, h->hp_nspares == 1 ? "" : "s");
	fputs("        Device     Status      Length           Reloc\n", f);
	for (uint32_t i = 0; i < h->hp_nspares; i++)
		fprintf(f, "        %-10s %-11s %8" PRIu64 " blocks    Yes\n",
			h->hp_spares[i].hs_name,
			hs_state(h->hp_spares[i].hs_state),
			h->hp_spares[i].hs_size);
	fputc('\n', f);
}

static void uuid_str(const uint8_t *u, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int k = 0;

	for (int i = 0; i < META_UUIDLEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[u[i] >> 4];
		out[k++] = hex[u[i] & 15];
	}
	out[k] = '\0';
}

/* One relocation line per drive, once. */
struct reloc {
	uint32_t r_n;
	const char *r_name[256];
};

static void reloc_add(struct reloc *r, FILE *f, const char *name,
		      const uint8_t *uuid)
{
	char us[40];

	for (uint32_t i = 0; i < r->r_n; i++)
		if (strcmp(r->r_name[i], name) == 0)
			return;
	if (r->r_n == 0)
		fputs("Device Relocation Information:\n"
		      "Device   Reloc  Device ID\n",
		      f);
	if (r->r_n < 256)
		r->r_name[r->r_n] = name;
	r->r_n++;
	uuid_str(uuid, us);
	fprintf(f, "%-8s Yes    id1,oban@%s\n", name, us);
}

static void reloc_unit(const struct meta_cfg *cfg, struct reloc *r, FILE *f,
		       const struct meta_unit *u)
{
	if (u->mu_type == META_UT_STRIPE) {
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++)
			for (uint32_t j = 0; j < u->mu_st.st_rows[i].mr_ncomp;
			     j++)
				reloc_add(
					r, f,
					u->mu_st.st_rows[i].mr_comps[j].mc_name,
					u->mu_st.st_rows[i].mr_comps[j].mc_uuid);
	} else if (u->mu_type == META_UT_MIRROR) {
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			reloc_unit(cfg, r, f, cfg->mc_units[u->mu_mm.mm_sm[i]]);
	} else if (u->mu_sp.sp_parent == META_NONE) {
		reloc_add(r, f, u->mu_sp.sp_drive, u->mu_sp.sp_uuid);
	}
}

void meta_print_status(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
		       const struct meta_name *sel)
{
	struct reloc r = { 0 };

	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u != NULL && top(cfg, u, nsel, sel))
			status_unit(cfg, f, u);
	}
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		if (cfg->mc_hsps[i] != NULL &&
		    selected(cfg, META_NK_HSP, i, nsel, sel))
			status_hsp(cfg, f, cfg->mc_hsps[i]);
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u != NULL && top(cfg, u, nsel, sel))
			reloc_unit(cfg, &r, f, u);
	}
	for (uint32_t i = 0; i < META_MAXHSP; i++) {
		const struct meta_hsp *h = cfg->mc_hsps[i];

		if (h == NULL || !selected(cfg, META_NK_HSP, i, nsel, sel))
			continue;
		for (uint32_t j = 0; j < h->hp_nspares; j++)
			reloc_add(&r, f, h->hp_spares[j].hs_name,
				  h->hp_spares[j].hs_uuid);
	}
}

/* ---- -c ---- */

/*
 * SVM's concise form (metastat.c print_concise_diskset()): each unit on one
 * line, the units it is built on indented four more below it.  Soft
 * partitions come first, grouped by what they are built on: every soft
 * partition on one drive or metadevice, then that metadevice once, indented
 * under them.  Then the other top-level units (mirrors, then concats and
 * stripes; a unit soft partitions are built on is shown under them), then
 * the pools.
 */
#define CONCISE_INDENT 4

static void concise_line(const struct meta_cfg *cfg, FILE *f,
			 const struct meta_unit *u, int indent)
{
	char b[NB], sz[32];
	static const char type[] = { '?', 's', 'm', 'p' };

	fprintf(f, "%*s%-*s %c %7s", indent, "", 20 - indent,
		un(cfg, u->mu_num, b), type[u->mu_type],
		meta_size_short(u->mu_size, sz, sizeof(sz)));
	switch (u->mu_type) {
	case META_UT_STRIPE:
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++)
			for (uint32_t j = 0; j < u->mu_st.st_rows[i].mr_ncomp;
			     j++) {
				const struct meta_comp *c =
					&u->mu_st.st_rows[i].mr_comps[j];

				fprintf(f, " %s", c->mc_name);
				if (c->mc_state != META_CS_OKAY)
					fprintf(f, " (%s)",
						comp_state(c->mc_state));
			}
		break;
	case META_UT_MIRROR:
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++) {
			const char *st = sm_state(u->mu_mm.mm_smstate[i]);

			fprintf(f, " %s", un(cfg, u->mu_mm.mm_sm[i], b));
			if (strcmp(st, "Okay") != 0)
				fprintf(f, " (%s)", st);
		}
		break;
	case META_UT_SP:
		fprintf(f, " %s",
			u->mu_sp.sp_parent == META_NONE ?
				u->mu_sp.sp_drive :
				un(cfg, u->mu_sp.sp_parent, b));
		if (u->mu_sp.sp_state != META_CS_OKAY)
			fprintf(f, " (%s)", comp_state(u->mu_sp.sp_state));
		break;
	}
	fputc('\n', f);
}

/* The metadevice soft partition @u is built on, or NULL (a drive). */
static const struct meta_unit *sp_base(const struct meta_cfg *cfg,
				       const struct meta_unit *u)
{
	if (u->mu_sp.sp_parent == META_NONE ||
	    u->mu_sp.sp_parent >= META_MAXUNITS)
		return NULL;
	return cfg->mc_units[u->mu_sp.sp_parent];
}

/* @u, then what it is built on, indented. */
static void concise_unit(const struct meta_cfg *cfg, FILE *f,
			 const struct meta_unit *u, int indent)
{
	const struct meta_unit *base;

	concise_line(cfg, f, u, indent);
	if (u->mu_type == META_UT_MIRROR) {
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			if (cfg->mc_units[u->mu_mm.mm_sm[i]] != NULL)
				concise_unit(cfg, f,
					     cfg->mc_units[u->mu_mm.mm_sm[i]],
					     indent + CONCISE_INDENT);
	} else if (u->mu_type == META_UT_SP) {
		base = sp_base(cfg, u);
		if (base != NULL)
			concise_unit(cfg, f, base, indent + CONCISE_INDENT);
	}
}

/* Do soft partitions @a and @b sit on the same drive or metadevice? */
static bool sp_same_base(const struct meta_unit *a, const struct meta_unit *b)
{
	if (a->mu_sp.sp_parent != b->mu_sp.sp_parent)
		return false;
	return a->mu_sp.sp_parent != META_NONE ||
	       strcmp(a->mu_sp.sp_drive, b->mu_sp.sp_drive) == 0;
}

static bool sp_top(const struct meta_unit *u)
{
	return u != NULL && u->mu_type == META_UT_SP &&
	       u->mu_parent == META_NONE;
}

/* Every top-level soft partition, grouped by base, each base once. */
static void concise_sps(const struct meta_cfg *cfg, FILE *f)
{
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i], *base;
		bool done = false;

		if (!sp_top(u))
			continue;
		/* a group is printed at its first soft partition */
		for (uint32_t k = 0; k < i && !done; k++)
			done = sp_top(cfg->mc_units[k]) &&
			       sp_same_base(cfg->mc_units[k], u);
		if (done)
			continue;
		concise_line(cfg, f, u, 0);
		for (uint32_t k = i + 1; k < META_MAXUNITS; k++)
			if (sp_top(cfg->mc_units[k]) &&
			    sp_same_base(cfg->mc_units[k], u))
				concise_line(cfg, f, cfg->mc_units[k], 0);
		base = sp_base(cfg, u);
		if (base != NULL)
			concise_unit(cfg, f, base, CONCISE_INDENT);
	}
}

static void concise_hsp(const struct meta_cfg *cfg, FILE *f, uint32_t i)
{
	const struct meta_hsp *h = cfg->mc_hsps[i];
	char b[NB];

	if (h == NULL)
		return;
	fprintf(f, "%-20s h %7s", hn(cfg, i, b), "-");
	for (uint32_t j = 0; j < h->hp_nspares; j++) {
		fprintf(f, " %s", h->hp_spares[j].hs_name);
		if (h->hp_spares[j].hs_state != META_HSS_AVAILABLE)
			fprintf(f, " (%s)", hs_state(h->hp_spares[j].hs_state));
	}
	fputc('\n', f);
}

void meta_print_concise(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
			const struct meta_name *sel)
{
	static const uint32_t order[] = { META_UT_MIRROR, META_UT_STRIPE };

	/* Names given: each in the order given, with what it is built on. */
	for (uint32_t k = 0; k < nsel; k++) {
		if (sel[k].mn_kind == META_NK_HSP &&
		    sel[k].mn_num < META_MAXHSP)
			concise_hsp(cfg, f, sel[k].mn_num);
		else if (sel[k].mn_kind == META_NK_UNIT &&
			 sel[k].mn_num < META_MAXUNITS &&
			 cfg->mc_units[sel[k].mn_num] != NULL)
			concise_unit(cfg, f, cfg->mc_units[sel[k].mn_num], 0);
	}
	if (nsel != 0)
		return;
	concise_sps(cfg, f);
	for (size_t t = 0; t < sizeof(order) / sizeof(order[0]); t++)
		for (uint32_t i = 0; i < META_MAXUNITS; i++) {
			const struct meta_unit *u = cfg->mc_units[i];

			if (u != NULL && u->mu_type == order[t] &&
			    u->mu_parent == META_NONE && u->mu_nsp == 0)
				concise_unit(cfg, f, u, 0);
		}
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		concise_hsp(cfg, f, i);
}

/* ---- -j ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ,"uuid":"..." of a drive */
static void json_uuid(FILE *f, const uint8_t *uuid)
{
	char us[40];

	uuid_str(uuid, us);
	fprintf(f, ",\"uuid\":\"%s\"", us);
}

static void json_unit(const struct meta_cfg *cfg, FILE *f,
		      const struct meta_unit *u)
{
	static const char *const tn[] = { "?", "stripe", "mirror", "softpart" };
	char b[NB];

	fputs("{\"name\":", f);
	json_str(f, un(cfg, u->mu_num, b));
	fprintf(f, ",\"type\":\"%s\",\"size\":%" PRIu64, tn[u->mu_type],
		u->mu_size);
	if (u->mu_parent != META_NONE) {
		fputs(",\"parent\":", f);
		json_str(f, un(cfg, u->mu_parent, b));
	}
	switch (u->mu_type) {
	case META_UT_STRIPE:
		if (u->mu_st.st_hsp != META_NONE) {
			fputs(",\"hsp\":", f);
			json_str(f, hn(cfg, u->mu_st.st_hsp, b));
		}
		fputs(",\"stripes\":[", f);
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++) {
			const struct meta_row *r = &u->mu_st.st_rows[i];

			fprintf(f,
				"%s{\"interlace\":%" PRIu64 ",\"components\":[",
				i ? "," : "", r->mr_interlace);
			for (uint32_t j = 0; j < r->mr_ncomp; j++) {
				fprintf(f, "%s{\"device\":", j ? "," : "");
				json_str(f, r->mr_comps[j].mc_name);
				json_uuid(f, r->mr_comps[j].mc_uuid);
				fprintf(f,
					",\"start\":%" PRIu64
					",\"blocks\":%" PRIu64
					",\"state\":\"%s\"}",
					r->mr_comps[j].mc_start,
					r->mr_comps[j].mc_size,
					comp_state(r->mr_comps[j].mc_state));
			}
			fputs("]}", f);
		}
		fputc(']', f);
		break;
	case META_UT_MIRROR: {
		const struct meta_mirror *mm = &u->mu_mm;

		fputs(",\"submirrors\":[", f);
		for (uint32_t i = 0; i < mm->mm_nsm; i++) {
			fprintf(f, "%s{\"name\":", i ? "," : "");
			json_str(f, un(cfg, mm->mm_sm[i], b));
			fprintf(f, ",\"state\":\"%s\"}",
				sm_state(mm->mm_smstate[i]));
		}
		fprintf(f,
			"],\"pass\":%u,\"read\":\"%s\",\"write\":\"%s\","
			"\"resync\":\"%s\",\"rsslot\":%u,\"owner\":null",
			mm->mm_pass,
			mm->mm_read == META_RD_ROUNDROBIN ? "roundrobin" :
			mm->mm_read == META_RD_GEOMETRIC  ? "geometric" :
							    "first",
			mm->mm_write == META_WR_PARALLEL ? "parallel" :
							   "serial",
			mm->mm_resync == META_RS_ABR ? "abr" : "optimized",
			mm->mm_rsslot);
		break;
	}
	case META_UT_SP:
		fputs(",\"device\":", f);
		json_str(f, u->mu_sp.sp_parent == META_NONE ?
				    u->mu_sp.sp_drive :
				    un(cfg, u->mu_sp.sp_parent, b));
		if (u->mu_sp.sp_parent == META_NONE)
			json_uuid(f, u->mu_sp.sp_uuid);
		fprintf(f,
			",\"state\":\"%s\",\"alignment\":%" PRIu64
			",\"extents\":[",
			comp_state(u->mu_sp.sp_state), u->mu_sp.sp_align);
		for (uint32_t i = 0; i < u->mu_sp.sp_next; i++)
			fprintf(f,
				"%s{\"start\":%" PRIu64 ",\"blocks\":%" PRIu64
				"}",
				i ? "," : "", u->mu_sp.sp_ext[i].me_poff,
				u->mu_sp.sp_ext[i].me_len);
		fputc(']', f);
		break;
	}
	fputc('}', f);
}

void meta_print_json(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
		     const struct meta_name *sel)
{
	char b[NB];
	bool first = true;

	fputs("{\"set\":", f);
	json_str(f, cfg->mc_set);
	fputs(",\"units\":[", f);
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u == NULL ||
		    (nsel > 0 && !selected(cfg, META_NK_UNIT, i, nsel, sel) &&
		     (u->mu_parent == META_NONE ||
		      !selected(cfg, META_NK_UNIT, u->mu_parent, nsel, sel))))
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		json_unit(cfg, f, u);
	}
	fputs("],\"hsps\":[", f);
	first = true;
	for (uint32_t i = 0; i < META_MAXHSP; i++) {
		const struct meta_hsp *h = cfg->mc_hsps[i];

		if (h == NULL || !selected(cfg, META_NK_HSP, i, nsel, sel))
			continue;
		fprintf(f, "%s{\"name\":", first ? "" : ",");
		first = false;
		json_str(f, hn(cfg, i, b));
		fputs(",\"spares\":[", f);
		for (uint32_t j = 0; j < h->hp_nspares; j++) {
			fprintf(f, "%s{\"device\":", j ? "," : "");
			json_str(f, h->hp_spares[j].hs_name);
			json_uuid(f, h->hp_spares[j].hs_uuid);
			fprintf(f, ",\"blocks\":%" PRIu64 ",\"state\":\"%s\"}",
				h->hp_spares[j].hs_size,
				hs_state(h->hp_spares[j].hs_state));
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}
