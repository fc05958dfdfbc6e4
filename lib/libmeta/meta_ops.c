// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Operations on the configuration model.
 *
 * Each meta_op_*() checks one request completely against the model (names
 * in range, objects present and of the right type, drives resolved and not
 * used elsewhere, sizes, limits) and builds a struct meta_change holding
 * new copies of the objects it changes.  It never touches the model; on an
 * error the caller releases the change and nothing has happened.
 * meta_cfg_apply() (meta_cfg.c) writes and applies the change.
 *
 * Soft partition space.  Each extent is preceded by one watermark block
 * (SVM writes a watermark there so that metarecover can find the extents
 * again), so an extent of N blocks uses N + 1.  Space is allocated first
 * fit: one extent in the first gap large enough; if no gap is, the request
 * is spread over the gaps in order, as SVM does, one extent per gap.  With
 * an alignment (-A), each extent starts on a block congruent to its offset
 * in the soft partition, and the extents of a spread request but the last
 * are multiples of the alignment long (meta_op_sp_align()).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "meta_cfg_impl.h"

#define NAMEBUF 64

static const char *uname(const struct meta_cfg *cfg, uint32_t num, char *buf)
{
	return meta_cfg_uname(cfg, num, buf, NAMEBUF);
}

static const char *hname(const struct meta_cfg *cfg, uint32_t num, char *buf)
{
	return meta_cfg_hname(cfg, num, buf, NAMEBUF);
}

static int nomem(meta_error_t *ep, const char *obj)
{
	return meta_error_set(ep, SET_ERROR(ENOMEM), 0, obj, "cannot change");
}

/* A new unit number: in range and free. */
static int check_new_unit(const struct meta_cfg *cfg, uint32_t num,
			  meta_error_t *ep)
{
	char nb[NAMEBUF];

	if (num >= META_MAXUNITS) {
		snprintf(nb, sizeof(nb), "%s/d%" PRIu32, cfg->mc_set, num);
		return meta_error_set(ep, SET_ERROR(ME_CFG_RANGE), 0, nb,
				      "cannot create");
	}
	if (cfg->mc_units[num] != NULL)
		return meta_error_set(ep, SET_ERROR(ME_CFG_EXISTS), 0,
				      uname(cfg, num, nb), "cannot create");
	return 0;
}

/* An existing unit, of @type if @type != 0. */
static struct meta_unit *get_unit(const struct meta_cfg *cfg, uint32_t num,
				  uint32_t type, int code, const char *what,
				  meta_error_t *ep)
{
	char nb[NAMEBUF];
	struct meta_unit *u = num < META_MAXUNITS ? cfg->mc_units[num] : NULL;

	if (u == NULL) {
		snprintf(nb, sizeof(nb), "%s/d%" PRIu32, cfg->mc_set, num);
		meta_error_set(ep,
			       SET_ERROR(num < META_MAXUNITS ? ME_CFG_NOENT :
							       ME_CFG_RANGE),
			       0, nb, "%s", what);
		return NULL;
	}
	if (type != 0 && u->mu_type != type) {
		meta_error_set(ep, SET_ERROR(code), 0, uname(cfg, num, nb),
			       "%s", what);
		return NULL;
	}
	return u;
}

static int resolve(const struct meta_cfg *cfg, const char *name,
		   struct meta_drive *d, meta_error_t *ep)
{
	memset(d, 0, sizeof(*d));
	if (meta_name_is_meta(name))
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0, name,
				      "a metadevice cannot be a component");
	if (cfg->mc_lookup == NULL)
		return meta_error_set(ep, SET_ERROR(ENOENT), 0, name,
				      "cannot find drive");
	if (cfg->mc_lookup(cfg->mc_lookup_arg, name, d, ep) != 0)
		return -1;
	if (d->md_len == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
				      d->md_name, "drive has no data blocks");
	return 0;
}

/* Is drive @name free for a stripe (or, @spare, for a hot spare)? */
static int drive_free(const struct meta_cfg *cfg, const char *name, bool spare,
		      meta_error_t *ep)
{
	const struct meta_duse *d = cfg_duse_find(cfg, name, META_NONE);
	char nb[NAMEBUF];

	if (d == NULL)
		return 0;
	if (d->du_nstripe != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_COMPUSED), 0, name,
				      "component of %s",
				      uname(cfg, d->du_stripe, nb));
	if (d->du_next != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_COMPUSED), 0, name,
				      "soft partition %s on it",
				      uname(cfg, d->du_ext[0].de_unit, nb));
	if (!spare && d->du_nhsp != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_COMPUSED), 0, name,
				      "hot spare");
	return 0;
}

/* Resolve and check the components of one row into @r (allocated). */
static int build_row(const struct meta_cfg *cfg, const struct meta_rowspec *rs,
		     struct meta_row *r, const struct meta_unit *old,
		     meta_error_t *ep)
{
	memset(r, 0, sizeof(*r));
	if (rs->rs_ncomp == 0 || rs->rs_ncomp > META_MAXCOMPS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0, NULL,
				      "a stripe has 1..%d components",
				      META_MAXCOMPS);
	r->mr_comps = calloc(rs->rs_ncomp, sizeof(struct meta_comp));
	if (r->mr_comps == NULL)
		return nomem(ep, NULL);
	r->mr_ncomp = rs->rs_ncomp;
	if (rs->rs_ncomp > 1) {
		r->mr_interlace = rs->rs_interlace ? rs->rs_interlace :
						     META_DEF_INTERLACE;
		if (r->mr_interlace < META_MIN_INTERLACE ||
		    r->mr_interlace > META_MAX_INTERLACE) {
			char b[32];

			snprintf(b, sizeof(b), "%" PRIu64 " blocks",
				 r->mr_interlace);
			return meta_error_set(
				ep, SET_ERROR(ME_CFG_BADINTERLACE), 0, b,
				"interlace must be %d..%d blocks",
				META_MIN_INTERLACE, META_MAX_INTERLACE);
		}
	}
	for (uint32_t i = 0; i < rs->rs_ncomp; i++) {
		struct meta_drive d;
		struct meta_comp *c = &r->mr_comps[i];

		if (resolve(cfg, rs->rs_names[i], &d, ep) != 0 ||
		    drive_free(cfg, d.md_name, false, ep) != 0)
			return -1;
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(r->mr_comps[j].mc_name, d.md_name) == 0)
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_DUPLICATE), 0,
					d.md_name, "component");
		for (uint32_t k = 0; old != NULL && k < old->mu_st.st_nrows;
		     k++) {
			const struct meta_row * or = &old->mu_st.st_rows[k];

			for (uint32_t j = 0; j < or->mr_ncomp; j++)
				if (strcmp(or->mr_comps[j].mc_name,
					   d.md_name) == 0)
					return meta_error_set(
						ep, SET_ERROR(ME_CFG_DUPLICATE),
						0, d.md_name, "component");
		}
		memcpy(c->mc_name, d.md_name, sizeof(c->mc_name));
		c->mc_name[sizeof(c->mc_name) - 1] = '\0';
		memcpy(c->mc_uuid, d.md_uuid, sizeof(c->mc_uuid));
		c->mc_start = 0;
		c->mc_size = d.md_len;
		c->mc_state = META_CS_OKAY;
	}
	if (cfg_row_size(r) == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
				      r->mr_comps[0].mc_name,
				      "component smaller than the interlace");
	return 0;
}

int meta_op_stripe(struct meta_cfg *cfg, uint32_t num, uint32_t nrows,
		   const struct meta_rowspec *rows, uint32_t hsp,
		   struct meta_change *ch, meta_error_t *ep)
{
	struct meta_unit *u;
	char nb[NAMEBUF];

	if (check_new_unit(cfg, num, ep) != 0)
		return -1;
	if (nrows == 0 || nrows > META_MAXROWS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
				      uname(cfg, num, nb),
				      "a concat has 1..%d stripes",
				      META_MAXROWS);
	{
		uint32_t total = 0;

		for (uint32_t i = 0; i < nrows; i++)
			total += rows[i].rs_ncomp <= META_MAXCOMPS ?
					 rows[i].rs_ncomp :
					 META_MAXCOMPS + 1;
		if (total > META_MAXSTCOMPS)
			return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
					      uname(cfg, num, nb),
					      "a concat has at most %d "
					      "components",
					      META_MAXSTCOMPS);
	}
	if (hsp != META_NONE && meta_cfg_hsp(cfg, hsp) == NULL) {
		snprintf(nb, sizeof(nb), "%s/hsp%03" PRIu32, cfg->mc_set, hsp);
		return meta_error_set(ep,
				      SET_ERROR(hsp < META_MAXHSP ?
							ME_CFG_NOENT :
							ME_CFG_RANGE),
				      0, nb, "cannot associate");
	}
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return nomem(ep, uname(cfg, num, nb));
	u->mu_num = num;
	u->mu_type = META_UT_STRIPE;
	u->mu_parent = META_NONE;
	u->mu_st.st_hsp = hsp;
	u->mu_st.st_rows = calloc(nrows, sizeof(struct meta_row));
	if (u->mu_st.st_rows == NULL) {
		meta_unit_free(u);
		return nomem(ep, uname(cfg, num, nb));
	}
	for (uint32_t i = 0; i < nrows; i++) {
		/* build_row() compares with the rows before (u's first i) */
		u->mu_st.st_nrows = i;
		if (build_row(cfg, &rows[i], &u->mu_st.st_rows[i], u, ep) !=
		    0) {
			free(u->mu_st.st_rows[i].mr_comps);
			goto out_free;
		}
		u->mu_st.st_nrows = i + 1;
	}
	u->mu_size = cfg_stripe_size(&u->mu_st);
	return cfg_change_put_unit(ch, u, ep);
out_free:
	meta_unit_free(u);
	return -1;
}

void meta_mirror_opts_init(struct meta_mirror_opts *o)
{
	o->mo_read = -1;
	o->mo_write = -1;
	o->mo_pass = -1;
	o->mo_resync = -1;
}

static int mirror_opts(struct meta_mirror *mm, const struct meta_mirror_opts *o,
		       const char *name, meta_error_t *ep)
{
	if (o == NULL)
		return 0;
	if ((o->mo_read != -1 &&
	     (o->mo_read < META_RD_ROUNDROBIN || o->mo_read > META_RD_FIRST)) ||
	    (o->mo_write != -1 && (o->mo_write < META_WR_PARALLEL ||
				   o->mo_write > META_WR_SERIAL)) ||
	    (o->mo_resync != -1 &&
	     (o->mo_resync < META_RS_OPTIMIZED || o->mo_resync > META_RS_ABR)))
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, name,
				      "bad mirror option");
	if (o->mo_pass != -1 && (o->mo_pass < 0 || o->mo_pass > META_MAXPASS))
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, name,
				      "pass number must be 0..%d",
				      META_MAXPASS);
	if (o->mo_read != -1)
		mm->mm_read = (uint8_t)o->mo_read;
	if (o->mo_write != -1)
		mm->mm_write = (uint8_t)o->mo_write;
	if (o->mo_pass != -1)
		mm->mm_pass = (uint8_t)o->mo_pass;
	if (o->mo_resync != -1)
		mm->mm_resync = (uint8_t)o->mo_resync;
	return 0;
}

/* A stripe that may become a submirror or carry a soft partition. */
static struct meta_unit *free_stripe(const struct meta_cfg *cfg, uint32_t num,
				     const char *what, meta_error_t *ep)
{
	struct meta_unit *u =
		get_unit(cfg, num, META_UT_STRIPE, ME_CFG_BADTYPE, what, ep);
	char nb[NAMEBUF], pb[NAMEBUF];

	if (u == NULL)
		return NULL;
	if (u->mu_parent != META_NONE) {
		meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
			       uname(cfg, num, nb), "%s: submirror of %s", what,
			       uname(cfg, u->mu_parent, pb));
		return NULL;
	}
	if (u->mu_nsp != 0) {
		meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
			       uname(cfg, num, nb), "%s: soft partitions on it",
			       what);
		return NULL;
	}
	return u;
}

/* The lowest resync record slot no mirror holds. */
static int rsslot_alloc(const struct meta_cfg *cfg, uint32_t *slot)
{
	uint8_t used[META_RSSLOTS] = { 0 };

	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u != NULL && u->mu_type == META_UT_MIRROR &&
		    u->mu_mm.mm_rsslot < META_RSSLOTS)
			used[u->mu_mm.mm_rsslot] = 1;
	}
	for (uint32_t i = 0; i < META_RSSLOTS; i++)
		if (!used[i]) {
			*slot = i;
			return 0;
		}
	return -1;
}

int meta_op_mirror(struct meta_cfg *cfg, uint32_t num, uint32_t nsm,
		   const uint32_t *sm, const struct meta_mirror_opts *o,
		   struct meta_change *ch, meta_error_t *ep)
{
	struct meta_unit *u;
	char nb[NAMEBUF];
	uint64_t size = UINT64_MAX;

	if (check_new_unit(cfg, num, ep) != 0)
		return -1;
	if (nsm == 0 || nsm > META_NMIRROR)
		return meta_error_set(ep, SET_ERROR(ME_CFG_TOOMANYSM), 0,
				      uname(cfg, num, nb),
				      "a mirror has 1..%d submirrors",
				      META_NMIRROR);
	for (uint32_t i = 0; i < nsm; i++) {
		const struct meta_unit *s =
			free_stripe(cfg, sm[i], "cannot use as submirror", ep);

		if (s == NULL)
			return -1;
		for (uint32_t j = 0; j < i; j++)
			if (sm[j] == sm[i])
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_DUPLICATE), 0,
					uname(cfg, sm[i], nb), "submirror");
		if (s->mu_size < size)
			size = s->mu_size;
	}
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return nomem(ep, uname(cfg, num, nb));
	if (rsslot_alloc(cfg, &u->mu_mm.mm_rsslot) != 0) {
		meta_unit_free(u);
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
				      uname(cfg, num, nb),
				      "a set has at most %d mirrors",
				      META_RSSLOTS);
	}
	u->mu_num = num;
	u->mu_type = META_UT_MIRROR;
	u->mu_parent = META_NONE;
	u->mu_size = size;
	u->mu_mm.mm_nsm = nsm;
	for (uint32_t i = 0; i < nsm; i++) {
		u->mu_mm.mm_sm[i] = sm[i];
		u->mu_mm.mm_smstate[i] = META_SMS_RUNNING;
	}
	u->mu_mm.mm_read = META_RD_ROUNDROBIN;
	u->mu_mm.mm_write = META_WR_PARALLEL;
	u->mu_mm.mm_pass = META_DEFPASS;
	u->mu_mm.mm_resync = META_RS_OPTIMIZED;
	if (mirror_opts(&u->mu_mm, o, uname(cfg, num, nb), ep) != 0) {
		meta_unit_free(u);
		return -1;
	}
	return cfg_change_put_unit(ch, u, ep);
}

/* ---- soft partitions ---- */

struct gap {
	uint64_t g_start;
	uint64_t g_len;
};

/* The free gaps of @d (may be NULL: all free) below @plen, in order. */
static struct gap *free_gaps(const struct meta_duse *d, uint64_t plen,
			     uint32_t *ngap)
{
	uint32_t n = d ? d->du_next : 0, k = 0;
	struct gap *g = calloc(n + 1, sizeof(*g));
	uint64_t cur = 0;

	if (g == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		const struct du_ext *e = &d->du_ext[i];

		if (e->de_start > cur && cur < plen)
			g[k++] = (struct gap){
				cur,
				(e->de_start < plen ? e->de_start : plen) - cur
			};
		if (e->de_start + e->de_len > cur)
			cur = e->de_start + e->de_len;
	}
	if (cur < plen)
		g[k++] = (struct gap){ cur, plen - cur };
	*ngap = k;
	return g;
}

/*
 * The first block at or after @from that is congruent to @voff modulo
 * @align (0: @from).  @align <= META_SP_MAXALIGN, so nothing overflows.
 */
static uint64_t align_up(uint64_t from, uint64_t voff, uint64_t align)
{
	if (align == 0)
		return from;
	return from + ((voff % align) + align - (from % align)) % align;
}

/*
 * The data blocks gap @g has for an extent at soft partition offset @voff
 * (its watermark block before it, its start aligned): the start into
 * *@poff.
 */
static uint64_t gap_room(const struct gap *g, uint64_t voff, uint64_t align,
			 uint64_t *poff)
{
	uint64_t end = g->g_start + g->g_len;

	*poff = align_up(g->g_start + META_SP_WMBLOCKS, voff, align);
	return *poff < end ? end - *poff : 0;
}

/*
 * Append one extent of @len blocks at @poff to @sp (its watermark block
 * just before); what is left of gap @g starts after it.
 */
static int sp_add_ext(struct meta_sp *sp, uint64_t *voff, struct gap *g,
		      uint64_t poff, uint64_t len)
{
	struct meta_ext *n;
	uint64_t end = g->g_start + g->g_len;

	if (sp->sp_next >= META_MAXEXTS)
		return -1;
	n = realloc(sp->sp_ext, (sp->sp_next + 1) * sizeof(*n));
	if (n == NULL)
		return -2;
	sp->sp_ext = n;
	n[sp->sp_next++] = (struct meta_ext){ *voff, poff, len };
	*voff += len;
	g->g_start = poff + len;
	g->g_len = end - g->g_start;
	return 0;
}

/*
 * Allocate @nsizes extents (0 = everything left) for @u on @d (parent
 * length @plen), appending to its extent list, aligned to its sp_align.
 */
static int sp_alloc(const struct meta_cfg *cfg, struct meta_unit *u,
		    const struct meta_duse *d, uint64_t plen, uint32_t nsizes,
		    const uint64_t *sizes, meta_error_t *ep)
{
	struct meta_sp *sp = &u->mu_sp;
	uint64_t align = sp->sp_align, voff = u->mu_size, poff, room;
	uint32_t ngap;
	struct gap *g = free_gaps(d, plen, &ngap);
	char nb[NAMEBUF];
	int rc = 0;

	if (g == NULL)
		return nomem(ep, uname(cfg, u->mu_num, nb));
	for (uint32_t s = 0; s < nsizes && rc == 0; s++) {
		uint64_t want = sizes[s], free = 0;
		uint32_t i;

		for (i = 0; i < ngap; i++)
			if (g[i].g_len > 1)
				free += g[i].g_len - 1;
		if (want == 0) {
			bool any = false;

			for (i = 0; i < ngap && rc == 0; i++) {
				room = gap_room(&g[i], voff, align, &poff);
				if (room == 0)
					continue;
				rc = sp_add_ext(sp, &voff, &g[i], poff, room);
				any = true;
			}
			if (!any)
				goto out_nospace;
			continue;
		}
		if (want > free) {
			meta_error_set(ep, SET_ERROR(ME_CFG_NOSPACE), 0,
				       uname(cfg, u->mu_num, nb),
				       "cannot place %" PRIu64
				       " blocks (%" PRIu64 " free) for",
				       want, free);
			rc = -3;
			break;
		}
		/* one extent in the first gap large enough */
		for (i = 0; i < ngap; i++)
			if (gap_room(&g[i], voff, align, &poff) >= want)
				break;
		if (i < ngap) {
			rc = sp_add_ext(sp, &voff, &g[i], poff, want);
			continue;
		}
		/* else spread over the gaps in order */
		for (i = 0; i < ngap && want > 0 && rc == 0; i++) {
			uint64_t take;

			room = gap_room(&g[i], voff, align, &poff);
			take = room < want ? room : want;
			if (align != 0 && take < want)
				take -= take % align;
			if (take == 0)
				continue;
			rc = sp_add_ext(sp, &voff, &g[i], poff, take);
			want -= take;
		}
		if (rc == 0 && want > 0) {
			meta_error_set(ep, SET_ERROR(ME_CFG_NOSPACE), 0,
				       uname(cfg, u->mu_num, nb),
				       "cannot place %" PRIu64
				       " blocks aligned to %" PRIu64
				       " (%" PRIu64 " free) for",
				       sizes[s], align, free);
			rc = -3;
		}
	}
	free(g);
	u->mu_size = voff;
	if (rc == -1)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
				      uname(cfg, u->mu_num, nb),
				      "a soft partition has at most %d extents",
				      META_MAXEXTS);
	if (rc == -2)
		return nomem(ep, uname(cfg, u->mu_num, nb));
	return rc == 0 ? 0 : -1;
out_nospace:
	free(g);
	return meta_error_set(ep, SET_ERROR(ME_CFG_NOSPACE), 0,
			      uname(cfg, u->mu_num, nb), "no free space left");
}

/* An alignment as -A gives it: 0 or 1..META_SP_MAXALIGN blocks. */
static int check_align(const struct meta_cfg *cfg, uint32_t num, uint64_t align,
		       meta_error_t *ep)
{
	char nb[NAMEBUF];

	if (align > META_SP_MAXALIGN)
		return meta_error_set(
			ep, SET_ERROR(ME_CFG_BADSIZE), 0, uname(cfg, num, nb),
			"alignment %" PRIu64 " blocks above 1 TB for", align);
	return 0;
}

/* The parent of a soft partition: a unit (*@unit) or a drive (@d). */
static int sp_parent(const struct meta_cfg *cfg, const char *parent,
		     uint32_t *unit, struct meta_drive *d, uint64_t *plen,
		     meta_error_t *ep)
{
	struct meta_name n;
	char nb[NAMEBUF];

	if (meta_name_parse(parent, &n, NULL) != 0) {
		meta_error_t pe;

		if (meta_name_parse(parent, &n, &pe) != 0 &&
		    pe.me_code == ME_CFG_RANGE) {
			if (ep != NULL)
				*ep = pe;
			return -1;
		}
		if (resolve(cfg, parent, d, ep) != 0)
			return -1;
		const struct meta_duse *du =
			cfg_duse_find(cfg, d->md_name, META_NONE);

		if (du != NULL && du->du_nstripe != 0)
			return meta_error_set(ep, SET_ERROR(ME_CFG_COMPUSED), 0,
					      d->md_name, "component of %s",
					      uname(cfg, du->du_stripe, nb));
		if (du != NULL && du->du_nhsp != 0)
			return meta_error_set(ep, SET_ERROR(ME_CFG_COMPUSED), 0,
					      d->md_name, "hot spare");
		*unit = META_NONE;
		*plen = d->md_len;
		return 0;
	}
	if (n.mn_set[0] != '\0' && strcmp(n.mn_set, cfg->mc_set) != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_OTHERSET), 0, parent,
				      "cannot build soft partition on");
	if (n.mn_kind != META_NK_UNIT)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0, parent,
				      "cannot build soft partition on");
	const struct meta_unit *p = get_unit(
		cfg, n.mn_num, 0, 0, "cannot build soft partition on", ep);

	if (p == NULL)
		return -1;
	if (p->mu_type == META_UT_SP)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0,
				      uname(cfg, n.mn_num, nb),
				      "cannot build a soft partition on a "
				      "soft partition");
	if (p->mu_parent != META_NONE)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      uname(cfg, n.mn_num, nb),
				      "submirror of d%" PRIu32, p->mu_parent);
	memset(d, 0, sizeof(*d));
	*unit = n.mn_num;
	*plen = p->mu_size;
	return 0;
}

int meta_op_sp(struct meta_cfg *cfg, uint32_t num, const char *parent,
	       uint32_t nsizes, const uint64_t *sizes, struct meta_change *ch,
	       meta_error_t *ep)
{
	return meta_op_sp_align(cfg, num, parent, nsizes, sizes, 0, ch, ep);
}

int meta_op_sp_align(struct meta_cfg *cfg, uint32_t num, const char *parent,
		     uint32_t nsizes, const uint64_t *sizes, uint64_t align,
		     struct meta_change *ch, meta_error_t *ep)
{
	struct meta_unit *u;
	struct meta_drive d;
	uint32_t punit = META_NONE;
	uint64_t plen = 0;
	char nb[NAMEBUF];

	if (check_new_unit(cfg, num, ep) != 0 ||
	    check_align(cfg, num, align, ep) != 0 ||
	    sp_parent(cfg, parent, &punit, &d, &plen, ep) != 0)
		return -1;
	if (nsizes == 0 || nsizes > META_MAXEXTS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
				      uname(cfg, num, nb), "no size given");
	for (uint32_t i = 0; i < nsizes; i++)
		if (sizes[i] == 0 && nsizes > 1)
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
					      uname(cfg, num, nb),
					      "'all' must be the only size");
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return nomem(ep, uname(cfg, num, nb));
	u->mu_num = num;
	u->mu_type = META_UT_SP;
	u->mu_parent = META_NONE;
	u->mu_sp.sp_parent = punit;
	u->mu_sp.sp_state = META_CS_OKAY;
	u->mu_sp.sp_align = align;
	memcpy(u->mu_sp.sp_drive, d.md_name, sizeof(u->mu_sp.sp_drive));
	memcpy(u->mu_sp.sp_uuid, d.md_uuid, sizeof(u->mu_sp.sp_uuid));
	if (sp_alloc(cfg, u, cfg_duse_find(cfg, d.md_name, punit), plen, nsizes,
		     sizes, ep) != 0) {
		meta_unit_free(u);
		return -1;
	}
	return cfg_change_put_unit(ch, u, ep);
}

int meta_op_sp_exts(struct meta_cfg *cfg, uint32_t num, const char *parent,
		    uint32_t next, const struct meta_ext *exts, uint64_t align,
		    struct meta_change *ch, meta_error_t *ep)
{
	struct meta_unit *u;
	struct meta_drive d;
	const struct meta_duse *du;
	uint32_t punit = META_NONE, ngap = 0;
	uint64_t plen = 0, voff = 0;
	struct gap *g;
	char nb[NAMEBUF];

	if (check_new_unit(cfg, num, ep) != 0 ||
	    check_align(cfg, num, align, ep) != 0 ||
	    sp_parent(cfg, parent, &punit, &d, &plen, ep) != 0)
		return -1;
	if (next == 0 || next > META_MAXEXTS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
				      uname(cfg, num, nb),
				      "a soft partition has 1..%d extents",
				      META_MAXEXTS);
	du = cfg_duse_find(cfg, d.md_name, punit);
	g = free_gaps(du, plen, &ngap);
	u = calloc(1, sizeof(*u));
	if (u != NULL)
		u->mu_sp.sp_ext = calloc(next, sizeof(struct meta_ext));
	if (g == NULL || u == NULL || u->mu_sp.sp_ext == NULL) {
		free(g);
		meta_unit_free(u);
		return nomem(ep, uname(cfg, num, nb));
	}
	u->mu_num = num;
	u->mu_type = META_UT_SP;
	u->mu_parent = META_NONE;
	u->mu_sp.sp_parent = punit;
	u->mu_sp.sp_state = META_CS_OKAY;
	u->mu_sp.sp_align = align;
	memcpy(u->mu_sp.sp_drive, d.md_name, sizeof(u->mu_sp.sp_drive));
	memcpy(u->mu_sp.sp_uuid, d.md_uuid, sizeof(u->mu_sp.sp_uuid));
	for (uint32_t i = 0; i < next; i++) {
		uint64_t ws = exts[i].me_poff - META_SP_WMBLOCKS;
		uint64_t wl = exts[i].me_len + META_SP_WMBLOCKS;
		bool fits = false;

		if (exts[i].me_poff < META_SP_WMBLOCKS || exts[i].me_len == 0 ||
		    exts[i].me_poff > plen ||
		    exts[i].me_len > plen - exts[i].me_poff) {
			free(g);
			meta_unit_free(u);
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
					      uname(cfg, num, nb),
					      "cannot place extent %" PRIu32
					      " (outside its parent) of",
					      i);
		}
		if (align != 0 && exts[i].me_poff % align != voff % align) {
			free(g);
			meta_unit_free(u);
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
					      uname(cfg, num, nb),
					      "cannot place extent %" PRIu32
					      " at block %" PRIu64
					      " (not aligned to %" PRIu64
					      ") of",
					      i, exts[i].me_poff, align);
		}
		/* inside one free gap, and not overlapping earlier ones */
		for (uint32_t k = 0; k < ngap; k++)
			if (ws >= g[k].g_start &&
			    ws + wl <= g[k].g_start + g[k].g_len)
				fits = true;
		for (uint32_t k = 0; k < i && fits; k++) {
			uint64_t ks = u->mu_sp.sp_ext[k].me_poff - 1;
			uint64_t kl = u->mu_sp.sp_ext[k].me_len + 1;

			if (ws < ks + kl && ks < ws + wl)
				fits = false;
		}
		if (!fits) {
			free(g);
			meta_unit_free(u);
			return meta_error_set(ep, SET_ERROR(ME_CFG_OVERLAP), 0,
					      uname(cfg, num, nb),
					      "cannot place extent %" PRIu32
					      " at block %" PRIu64 " of",
					      i, exts[i].me_poff);
		}
		u->mu_sp.sp_ext[i] = (struct meta_ext){ voff, exts[i].me_poff,
							exts[i].me_len };
		u->mu_sp.sp_next = i + 1;
		voff += exts[i].me_len;
	}
	free(g);
	u->mu_size = voff;
	return cfg_change_put_unit(ch, u, ep);
}

int meta_op_grow_sp(struct meta_cfg *cfg, uint32_t num, uint64_t blocks,
		    struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *o = get_unit(cfg, num, META_UT_SP,
					     ME_CFG_BADTYPE,
					     "cannot grow soft partition", ep);
	struct meta_unit *u;
	uint64_t plen = UINT64_MAX;
	char nb[NAMEBUF];

	if (o == NULL)
		return -1;
	if (o->mu_sp.sp_parent != META_NONE) {
		plen = cfg->mc_units[o->mu_sp.sp_parent]->mu_size;
	} else {
		struct meta_drive d;

		if (resolve(cfg, o->mu_sp.sp_drive, &d, ep) != 0)
			return -1;
		plen = d.md_len;
	}
	if (blocks == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
				      uname(cfg, num, nb), "cannot grow by 0");
	u = cfg_unit_dup(o);
	if (u == NULL)
		return nomem(ep, uname(cfg, num, nb));
	if (sp_alloc(cfg, u,
		     cfg_duse_find(cfg, o->mu_sp.sp_drive, o->mu_sp.sp_parent),
		     plen, 1, &blocks, ep) != 0) {
		meta_unit_free(u);
		return -1;
	}
	return cfg_change_put_unit(ch, u, ep);
}

/* ---- hot spare pools ---- */

int meta_op_hsp(struct meta_cfg *cfg, uint32_t num, uint32_t nspares,
		const char *const *names, struct meta_change *ch,
		meta_error_t *ep)
{
	struct meta_hsp *h;
	char nb[NAMEBUF];

	if (num >= META_MAXHSP) {
		snprintf(nb, sizeof(nb), "%s/hsp%" PRIu32, cfg->mc_set, num);
		return meta_error_set(ep, SET_ERROR(ME_CFG_RANGE), 0, nb,
				      "cannot create");
	}
	if (cfg->mc_hsps[num] != NULL)
		return meta_error_set(ep, SET_ERROR(ME_CFG_EXISTS), 0,
				      hname(cfg, num, nb), "cannot create");
	if (nspares > META_MAXSPARES)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
				      hname(cfg, num, nb),
				      "a pool has at most %d spares",
				      META_MAXSPARES);
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return nomem(ep, hname(cfg, num, nb));
	h->hp_num = num;
	h->hp_spares = calloc(nspares + 1, sizeof(struct meta_spare));
	if (h->hp_spares == NULL) {
		meta_hsp_free(h);
		return nomem(ep, hname(cfg, num, nb));
	}
	for (uint32_t i = 0; i < nspares; i++) {
		struct meta_drive d;
		struct meta_spare *s = &h->hp_spares[i];

		if (resolve(cfg, names[i], &d, ep) != 0 ||
		    drive_free(cfg, d.md_name, true, ep) != 0)
			goto out_free;
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(h->hp_spares[j].hs_name, d.md_name) == 0) {
				meta_error_set(ep, SET_ERROR(ME_CFG_DUPLICATE),
					       0, d.md_name, "hot spare");
				goto out_free;
			}
		memcpy(s->hs_name, d.md_name, sizeof(s->hs_name));
		memcpy(s->hs_uuid, d.md_uuid, sizeof(s->hs_uuid));
		s->hs_size = d.md_len;
		s->hs_state = META_HSS_AVAILABLE;
		h->hp_nspares = i + 1;
	}
	return cfg_change_put_hsp(ch, h, ep);
out_free:
	meta_hsp_free(h);
	return -1;
}

static int spare_index(const struct meta_hsp *h, const char *name)
{
	for (uint32_t i = 0; i < h->hp_nspares; i++)
		if (strcmp(h->hp_spares[i].hs_name, name) == 0)
			return (int)i;
	return -1;
}

/* The canonical name of @name if the set knows it, else @name itself. */
static void canon(const struct meta_cfg *cfg, const char *name, char *out)
{
	struct meta_drive d;

	if (cfg->mc_lookup != NULL && !meta_name_is_meta(name) &&
	    cfg->mc_lookup(cfg->mc_lookup_arg, name, &d, NULL) == 0)
		snprintf(out, META_DRVNAMELEN, "%s", d.md_name);
	else
		snprintf(out, META_DRVNAMELEN, "%s", name);
}

bool meta_hsp_has(const struct meta_cfg *cfg, uint32_t hsp, const char *drive)
{
	char cn[META_DRVNAMELEN];
	const struct meta_hsp *h = meta_cfg_hsp(cfg, hsp);

	if (h == NULL)
		return false;
	canon(cfg, drive, cn);
	return spare_index(h, cn) >= 0;
}

static struct meta_hsp *get_hsp(const struct meta_cfg *cfg, uint32_t num,
				meta_error_t *ep)
{
	char nb[NAMEBUF];

	if (num >= META_MAXHSP) {
		snprintf(nb, sizeof(nb), "%s/hsp%" PRIu32, cfg->mc_set, num);
		meta_error_set(ep, SET_ERROR(ME_CFG_RANGE), 0, nb,
			       "cannot change");
		return NULL;
	}
	if (cfg->mc_hsps[num] == NULL) {
		meta_error_set(ep, SET_ERROR(ME_CFG_NOENT), 0,
			       hname(cfg, num, nb), "cannot change");
		return NULL;
	}
	return cfg->mc_hsps[num];
}

int meta_op_hs_add(struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		   struct meta_change *ch, meta_error_t *ep)
{
	struct meta_drive d;
	struct meta_hsp *h;
	char nb[NAMEBUF];

	if (hsp < META_MAXHSP && cfg->mc_hsps[hsp] == NULL)
		return meta_op_hsp(cfg, hsp, 1, &drive, ch, ep);
	if (get_hsp(cfg, hsp, ep) == NULL)
		return -1;
	if (resolve(cfg, drive, &d, ep) != 0 ||
	    drive_free(cfg, d.md_name, true, ep) != 0)
		return -1;
	if (spare_index(cfg->mc_hsps[hsp], d.md_name) >= 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_EXISTS), 0,
				      d.md_name, "hot spare of %s",
				      hname(cfg, hsp, nb));
	if (cfg->mc_hsps[hsp]->hp_nspares >= META_MAXSPARES)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
				      hname(cfg, hsp, nb), "cannot add");
	h = cfg_hsp_dup(cfg->mc_hsps[hsp]);
	if (h == NULL)
		return nomem(ep, hname(cfg, hsp, nb));
	h->hp_spares[h->hp_nspares++] =
		(struct meta_spare){ .hs_size = d.md_len,
				     .hs_state = META_HSS_AVAILABLE };
	memcpy(h->hp_spares[h->hp_nspares - 1].hs_name, d.md_name,
	       META_DRVNAMELEN);
	memcpy(h->hp_spares[h->hp_nspares - 1].hs_uuid, d.md_uuid,
	       META_UUIDLEN);
	return cfg_change_put_hsp(ch, h, ep);
}

/* The index of spare @drive in pool @hsp that is not in use, or -1. */
static int spare_of(const struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		    bool inuse_ok, meta_error_t *ep)
{
	const struct meta_hsp *h = get_hsp(cfg, hsp, ep);
	char cn[META_DRVNAMELEN], nb[NAMEBUF];
	int i;

	if (h == NULL)
		return -1;
	canon(cfg, drive, cn);
	i = spare_index(h, cn);
	if (i < 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_NOTSPARE), 0, cn,
				      "cannot change %s", hname(cfg, hsp, nb));
	if (!inuse_ok && h->hp_spares[i].hs_state == META_HSS_INUSE)
		return meta_error_set(ep, SET_ERROR(ME_CFG_SPAREINUSE), 0, cn,
				      "cannot change %s", hname(cfg, hsp, nb));
	return i;
}

int meta_op_hs_delete(struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		      struct meta_change *ch, meta_error_t *ep)
{
	int i = spare_of(cfg, hsp, drive, false, ep);
	struct meta_hsp *h;
	char nb[NAMEBUF];

	if (i < 0)
		return -1;
	h = cfg_hsp_dup(cfg->mc_hsps[hsp]);
	if (h == NULL)
		return nomem(ep, hname(cfg, hsp, nb));
	memmove(&h->hp_spares[i], &h->hp_spares[i + 1],
		(h->hp_nspares - (uint32_t)i - 1) * sizeof(struct meta_spare));
	h->hp_nspares--;
	return cfg_change_put_hsp(ch, h, ep);
}

int meta_op_hs_replace(struct meta_cfg *cfg, uint32_t hsp, const char *old,
		       const char *newd, struct meta_change *ch,
		       meta_error_t *ep)
{
	int i = spare_of(cfg, hsp, old, false, ep);
	struct meta_drive d;
	struct meta_hsp *h;
	char nb[NAMEBUF];

	if (i < 0)
		return -1;
	if (resolve(cfg, newd, &d, ep) != 0 ||
	    drive_free(cfg, d.md_name, true, ep) != 0)
		return -1;
	if (spare_index(cfg->mc_hsps[hsp], d.md_name) >= 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_EXISTS), 0,
				      d.md_name, "hot spare of %s",
				      hname(cfg, hsp, nb));
	h = cfg_hsp_dup(cfg->mc_hsps[hsp]);
	if (h == NULL)
		return nomem(ep, hname(cfg, hsp, nb));
	h->hp_spares[i] = (struct meta_spare){ .hs_size = d.md_len,
					       .hs_state = META_HSS_AVAILABLE };
	memcpy(h->hp_spares[i].hs_name, d.md_name, META_DRVNAMELEN);
	memcpy(h->hp_spares[i].hs_uuid, d.md_uuid, META_UUIDLEN);
	return cfg_change_put_hsp(ch, h, ep);
}

int meta_op_hs_enable(struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		      struct meta_change *ch, meta_error_t *ep)
{
	int i = spare_of(cfg, hsp, drive, true, ep);
	struct meta_hsp *h;
	char nb[NAMEBUF];

	if (i < 0)
		return -1;
	h = cfg_hsp_dup(cfg->mc_hsps[hsp]);
	if (h == NULL)
		return nomem(ep, hname(cfg, hsp, nb));
	if (h->hp_spares[i].hs_state == META_HSS_BROKEN)
		h->hp_spares[i].hs_state = META_HSS_AVAILABLE;
	return cfg_change_put_hsp(ch, h, ep);
}

int meta_op_clear_hsp(struct meta_cfg *cfg, uint32_t num,
		      struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_hsp *h = get_hsp(cfg, num, ep);
	char nb[NAMEBUF];

	if (h == NULL)
		return -1;
	if (h->hp_refs != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      hname(cfg, num, nb),
				      "cannot clear: associated with %" PRIu32
				      " stripe(s)",
				      h->hp_refs);
	for (uint32_t i = 0; i < h->hp_nspares; i++)
		if (h->hp_spares[i].hs_state == META_HSS_INUSE)
			return meta_error_set(ep, SET_ERROR(ME_CFG_SPAREINUSE),
					      0, h->hp_spares[i].hs_name,
					      "cannot clear %s",
					      hname(cfg, num, nb));
	return cfg_change_del(ch, META_RK_HSP, num, ep);
}

/* ---- clear ---- */

static bool unit_erred(const struct meta_unit *u)
{
	if (u->mu_type == META_UT_STRIPE) {
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++)
			for (uint32_t j = 0; j < u->mu_st.st_rows[i].mr_ncomp;
			     j++)
				if (u->mu_st.st_rows[i].mr_comps[j].mc_state &
				    (META_CS_ERRED | META_CS_LAST_ERRED))
					return true;
	} else if (u->mu_type == META_UT_MIRROR) {
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			if (u->mu_mm.mm_smstate[i] &
			    (META_SMS_COMP_ERRED | META_SMS_ALL_ERRED))
				return true;
	} else if (u->mu_sp.sp_state & (META_CS_ERRED | META_CS_LAST_ERRED)) {
		return true;
	}
	return false;
}

/* Clear @u; @users is how many of its users this request clears too. */
static int clear_unit(struct meta_cfg *cfg, const struct meta_unit *u,
		      uint32_t users, int flags, struct meta_change *ch,
		      meta_error_t *ep)
{
	char nb[NAMEBUF], pb[NAMEBUF];

	if (u->mu_parent != META_NONE && users == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      uname(cfg, u->mu_num, nb),
				      "cannot clear: submirror of %s",
				      uname(cfg, u->mu_parent, pb));
	if (u->mu_nsp > users)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      uname(cfg, u->mu_num, nb),
				      "cannot clear: %" PRIu32
				      " soft partition(s) on it",
				      u->mu_nsp - users);
	if (!(flags & META_CLR_FORCE) && unit_erred(u))
		return meta_error_set(ep, SET_ERROR(ME_CFG_ERRED), 0,
				      uname(cfg, u->mu_num, nb),
				      "cannot clear");
	if (cfg_change_del(ch, META_RK_UNIT, u->mu_num, ep) != 0)
		return -1;
	if (!(flags & META_CLR_RECURSIVE))
		return 0;
	if (u->mu_type == META_UT_MIRROR) {
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++)
			if (clear_unit(cfg, cfg->mc_units[u->mu_mm.mm_sm[i]], 1,
				       flags, ch, ep) != 0)
				return -1;
	} else if (u->mu_type == META_UT_SP &&
		   u->mu_sp.sp_parent != META_NONE) {
		const struct meta_unit *p = cfg->mc_units[u->mu_sp.sp_parent];
		uint32_t gone = 0;

		/* The parent goes only when no other soft partition stays. */
		for (uint32_t i = 0; i < ch->ch_nops; i++) {
			const struct meta_unit *s =
				cfg->mc_units[ch->ch_ops[i].co_num];

			if (ch->ch_ops[i].co_kind == META_RK_UNIT && s &&
			    s->mu_type == META_UT_SP &&
			    s->mu_sp.sp_parent == p->mu_num &&
			    cfg_change_deletes(ch, META_RK_UNIT, s->mu_num))
				gone++;
		}
		if (gone == p->mu_nsp &&
		    !cfg_change_deletes(ch, META_RK_UNIT, p->mu_num))
			return clear_unit(cfg, p, gone, flags, ch, ep);
	}
	return 0;
}

int meta_op_clear(struct meta_cfg *cfg, uint32_t num, int flags,
		  struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *u =
		get_unit(cfg, num, 0, 0, "cannot clear", ep);

	if (u == NULL)
		return -1;
	return clear_unit(cfg, u, 0, flags, ch, ep);
}

void meta_op_clear_order(const struct meta_cfg *cfg, uint32_t *units,
			 uint32_t *nunits, uint32_t *hsps, uint32_t *nhsps)
{
	static const uint32_t order[] = { META_UT_SP, META_UT_MIRROR,
					  META_UT_STRIPE };
	uint32_t n = 0;

	for (uint32_t t = 0; t < 3; t++)
		for (uint32_t i = 0; i < META_MAXUNITS; i++)
			if (cfg->mc_units[i] &&
			    cfg->mc_units[i]->mu_type == order[t])
				units[n++] = i;
	*nunits = n;
	n = 0;
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		if (cfg->mc_hsps[i])
			hsps[n++] = i;
	*nhsps = n;
}

int meta_op_sps_on(const struct meta_cfg *cfg, const char *parent,
		   uint32_t *units, uint32_t *n, meta_error_t *ep)
{
	struct meta_name nm;
	uint32_t punit = META_NONE;
	char cn[META_DRVNAMELEN];

	*n = 0;
	if (meta_name_parse(parent, &nm, NULL) == 0) {
		if (nm.mn_kind != META_NK_UNIT)
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0,
					      parent, "no soft partitions on");
		punit = nm.mn_num;
		cn[0] = '\0';
	} else {
		canon(cfg, parent, cn);
	}
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u == NULL || u->mu_type != META_UT_SP ||
		    u->mu_sp.sp_parent != punit)
			continue;
		if (punit == META_NONE && strcmp(u->mu_sp.sp_drive, cn) != 0)
			continue;
		units[(*n)++] = i;
	}
	if (*n == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_NOENT), 0, parent,
				      "no soft partitions on");
	return 0;
}

/* ---- attach, detach, grow ---- */

int meta_op_attach_sm(struct meta_cfg *cfg, uint32_t mirror, uint32_t sm,
		      struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *m = get_unit(cfg, mirror, META_UT_MIRROR,
					     ME_CFG_NOTMIRROR, "cannot attach",
					     ep);
	const struct meta_unit *s;
	struct meta_unit *n;
	char nb[NAMEBUF];

	if (m == NULL)
		return -1;
	s = free_stripe(cfg, sm, "cannot attach", ep);
	if (s == NULL)
		return -1;
	if (m->mu_mm.mm_nsm >= META_NMIRROR)
		return meta_error_set(ep, SET_ERROR(ME_CFG_TOOMANYSM), 0,
				      uname(cfg, mirror, nb), "cannot attach");
	if (s->mu_size < m->mu_size)
		return meta_error_set(ep, SET_ERROR(ME_CFG_SMSMALL), 0,
				      uname(cfg, sm, nb),
				      "cannot attach: %" PRIu64
				      " blocks, mirror has %" PRIu64,
				      s->mu_size, m->mu_size);
	n = cfg_unit_dup(m);
	if (n == NULL)
		return nomem(ep, uname(cfg, mirror, nb));
	n->mu_mm.mm_sm[n->mu_mm.mm_nsm] = sm;
	/* The engine resyncs it; until then its data is not a copy. */
	n->mu_mm.mm_smstate[n->mu_mm.mm_nsm] = META_SMS_ATTACHED_RESYNC;
	n->mu_mm.mm_nsm++;
	return cfg_change_put_unit(ch, n, ep);
}

int meta_op_detach_sm(struct meta_cfg *cfg, uint32_t mirror, uint32_t sm,
		      bool force, struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *m = get_unit(cfg, mirror, META_UT_MIRROR,
					     ME_CFG_NOTMIRROR, "cannot detach",
					     ep);
	const struct meta_mirror *mm;
	struct meta_unit *n;
	char nb[NAMEBUF];
	uint32_t i, okay = 0;

	if (m == NULL)
		return -1;
	mm = &m->mu_mm;
	for (i = 0; i < mm->mm_nsm; i++)
		if (mm->mm_sm[i] == sm)
			break;
	if (i == mm->mm_nsm)
		return meta_error_set(ep, SET_ERROR(ME_CFG_NOTSUB), 0,
				      uname(cfg, sm, nb), "cannot detach");
	if (mm->mm_nsm == 1)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LASTSM), 0,
				      uname(cfg, sm, nb), "cannot detach");
	for (uint32_t j = 0; j < mm->mm_nsm; j++)
		if (j != i && mm->mm_smstate[j] == META_SMS_RUNNING)
			okay++;
	if (okay == 0 && !force)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LASTOKAY), 0,
				      uname(cfg, sm, nb), "cannot detach");
	n = cfg_unit_dup(m);
	if (n == NULL)
		return nomem(ep, uname(cfg, mirror, nb));
	for (uint32_t j = i; j + 1 < mm->mm_nsm; j++) {
		n->mu_mm.mm_sm[j] = mm->mm_sm[j + 1];
		n->mu_mm.mm_smstate[j] = mm->mm_smstate[j + 1];
	}
	n->mu_mm.mm_nsm--;
	n->mu_mm.mm_sm[n->mu_mm.mm_nsm] = 0;
	n->mu_mm.mm_smstate[n->mu_mm.mm_nsm] = 0;
	return cfg_change_put_unit(ch, n, ep);
}

int meta_op_grow_stripe(struct meta_cfg *cfg, uint32_t num,
			const struct meta_rowspec *row, struct meta_change *ch,
			meta_error_t *ep)
{
	const struct meta_unit *o = get_unit(cfg, num, META_UT_STRIPE,
					     ME_CFG_BADTYPE, "cannot grow", ep);
	struct meta_unit *n;
	struct meta_row *rows;
	char nb[NAMEBUF];

	if (o == NULL)
		return -1;
	{
		uint32_t total = row->rs_ncomp;

		for (uint32_t i = 0; i < o->mu_st.st_nrows; i++)
			total += o->mu_st.st_rows[i].mr_ncomp;
		if (o->mu_st.st_nrows >= META_MAXROWS ||
		    total > META_MAXSTCOMPS)
			return meta_error_set(
				ep, SET_ERROR(ME_CFG_LIMIT), 0,
				uname(cfg, num, nb),
				"cannot grow: at most %d stripes, "
				"%d components",
				META_MAXROWS, META_MAXSTCOMPS);
	}
	n = cfg_unit_dup(o);
	if (n == NULL)
		return nomem(ep, uname(cfg, num, nb));
	rows = realloc(n->mu_st.st_rows,
		       (n->mu_st.st_nrows + 1) * sizeof(*rows));
	if (rows == NULL) {
		meta_unit_free(n);
		return nomem(ep, uname(cfg, num, nb));
	}
	n->mu_st.st_rows = rows;
	if (build_row(cfg, row, &rows[n->mu_st.st_nrows], o, ep) != 0) {
		free(rows[n->mu_st.st_nrows].mr_comps);
		meta_unit_free(n);
		return -1;
	}
	n->mu_st.st_nrows++;
	n->mu_size = cfg_stripe_size(&n->mu_st);
	if (cfg_change_put_unit(ch, n, ep) != 0)
		return -1;
	if (o->mu_parent != META_NONE) {
		/* The mirror grows to its smallest submirror. */
		const struct meta_unit *m = cfg->mc_units[o->mu_parent];
		struct meta_unit *nm = cfg_unit_dup(m);
		uint64_t min = UINT64_MAX;

		if (nm == NULL)
			return nomem(ep, uname(cfg, m->mu_num, nb));
		for (uint32_t i = 0; i < m->mu_mm.mm_nsm; i++) {
			uint64_t sz = m->mu_mm.mm_sm[i] == num ?
					      n->mu_size :
					      cfg->mc_units[m->mu_mm.mm_sm[i]]
						      ->mu_size;

			if (sz < min)
				min = sz;
		}
		if (min > nm->mu_size)
			nm->mu_size = min;
		return cfg_change_put_unit(ch, nm, ep);
	}
	return 0;
}

int meta_op_param_mirror(struct meta_cfg *cfg, uint32_t num,
			 const struct meta_mirror_opts *o,
			 struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *m = get_unit(cfg, num, META_UT_MIRROR,
					     ME_CFG_NOTMIRROR,
					     "cannot change parameters", ep);
	struct meta_unit *n;
	char nb[NAMEBUF];

	if (m == NULL)
		return -1;
	n = cfg_unit_dup(m);
	if (n == NULL)
		return nomem(ep, uname(cfg, num, nb));
	if (mirror_opts(&n->mu_mm, o, uname(cfg, num, nb), ep) != 0) {
		meta_unit_free(n);
		return -1;
	}
	return cfg_change_put_unit(ch, n, ep);
}

int meta_op_param_hsp(struct meta_cfg *cfg, uint32_t num, uint32_t hsp,
		      struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *s =
		get_unit(cfg, num, META_UT_STRIPE, ME_CFG_BADTYPE,
			 "cannot associate hot spare pool", ep);
	struct meta_unit *n;
	char nb[NAMEBUF];

	if (s == NULL)
		return -1;
	if (hsp != META_NONE && get_hsp(cfg, hsp, ep) == NULL)
		return -1;
	n = cfg_unit_dup(s);
	if (n == NULL)
		return nomem(ep, uname(cfg, num, nb));
	n->mu_st.st_hsp = hsp;
	return cfg_change_put_unit(ch, n, ep);
}

int meta_op_rename(struct meta_cfg *cfg, uint32_t from, uint32_t to,
		   struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *o =
		get_unit(cfg, from, 0, 0, "cannot rename", ep);
	struct meta_unit *n;
	char nb[NAMEBUF], pb[NAMEBUF];

	if (o == NULL || check_new_unit(cfg, to, ep) != 0)
		return -1;
	if (o->mu_parent != META_NONE)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      uname(cfg, from, nb),
				      "cannot rename: submirror of %s",
				      uname(cfg, o->mu_parent, pb));
	if (o->mu_nsp != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      uname(cfg, from, nb),
				      "cannot rename: soft partitions on it");
	n = cfg_unit_dup(o);
	if (n == NULL)
		return nomem(ep, uname(cfg, from, nb));
	n->mu_num = to;
	if (cfg_change_del(ch, META_RK_UNIT, from, ep) != 0) {
		meta_unit_free(n);
		return -1;
	}
	return cfg_change_put_unit(ch, n, ep);
}

/* Why mirror @m may not change names now (SVM's rename check), or 0. */
static int mirror_settled(const struct meta_cfg *cfg, const struct meta_unit *m,
			  const char *what, meta_error_t *ep)
{
	char nb[NAMEBUF];

	for (uint32_t i = 0; i < m->mu_mm.mm_nsm; i++) {
		const struct meta_unit *s = cfg->mc_units[m->mu_mm.mm_sm[i]];
		uint32_t st = m->mu_mm.mm_smstate[i], cs = 0;

		for (uint32_t r = 0; r < s->mu_st.st_nrows; r++)
			for (uint32_t c = 0; c < s->mu_st.st_rows[r].mr_ncomp;
			     c++)
				cs |= s->mu_st.st_rows[r].mr_comps[c].mc_state;
		if ((cs & META_CS_RESYNC) ||
		    (st & (META_SMS_COMP_RESYNC | META_SMS_ATTACHED_RESYNC |
			   META_SMS_OFFLINE_RESYNC)))
			return meta_error_set(ep, SET_ERROR(ME_CFG_RESYNCING),
					      0, uname(cfg, s->mu_num, nb),
					      "%s", what);
		if ((cs & (META_CS_ERRED | META_CS_LAST_ERRED)) ||
		    (st & (META_SMS_COMP_ERRED | META_SMS_ALL_ERRED)))
			return meta_error_set(ep, SET_ERROR(ME_CFG_COMPERRED),
					      0, uname(cfg, s->mu_num, nb),
					      "%s", what);
	}
	return 0;
}

int meta_op_exchange(struct meta_cfg *cfg, uint32_t a, uint32_t b,
		     struct meta_change *ch, meta_error_t *ep)
{
	const struct meta_unit *ua =
		get_unit(cfg, a, 0, 0, "cannot exchange", ep);
	const struct meta_unit *ub =
		ua != NULL ? get_unit(cfg, b, 0, 0, "cannot exchange", ep) :
			     NULL;
	const struct meta_unit *m, *s;
	struct meta_unit *nm, *ns;
	char nb[NAMEBUF], what[2 * NAMEBUF + 32];

	if (ub == NULL)
		return -1;
	m = ua->mu_type == META_UT_MIRROR ? ua : ub;
	s = m == ua ? ub : ua;
	snprintf(what, sizeof(what), "cannot exchange names of %s and",
		 uname(cfg, a, nb));
	if (m->mu_type != META_UT_MIRROR || s->mu_parent != m->mu_num)
		return meta_error_set(ep, SET_ERROR(ME_CFG_UNRELATED), 0,
				      uname(cfg, b, nb), "%s", what);
	if (m->mu_nsp != 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
				      uname(cfg, m->mu_num, nb),
				      "cannot exchange names of");
	if (mirror_settled(cfg, m, "cannot exchange names of", ep) != 0)
		return -1;
	nm = cfg_unit_dup(m);
	ns = cfg_unit_dup(s);
	if (nm == NULL || ns == NULL) {
		meta_unit_free(nm);
		meta_unit_free(ns);
		return nomem(ep, uname(cfg, a, nb));
	}
	nm->mu_num = s->mu_num;
	for (uint32_t i = 0; i < nm->mu_mm.mm_nsm; i++)
		if (nm->mu_mm.mm_sm[i] == s->mu_num)
			nm->mu_mm.mm_sm[i] = m->mu_num;
	ns->mu_num = m->mu_num;
	ns->mu_parent = s->mu_num;
	if (cfg_change_put_unit(ch, ns, ep) != 0) {
		meta_unit_free(nm);
		return -1;
	}
	return cfg_change_put_unit(ch, nm, ep);
}
