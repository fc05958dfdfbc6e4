// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration model: objects, derived indexes, changes.
 *
 * Objects.  A unit (struct meta_unit) or a hot spare pool (struct
 * meta_hsp) is an allocated object owned by the model once linked in
 * mc_units[] / mc_hsps[].  Objects are never changed in place: an operation
 * copies the object, changes the copy and puts the copy in a change; apply
 * swaps it in.  So a change that fails halfway leaves the model intact.
 *
 * Derived indexes (never stored): a unit's mu_parent (the mirror a
 * submirror belongs to) and mu_nsp (soft partitions on it), a pool's
 * hp_refs (stripes associated with it), and the use of every drive and of
 * every unit that carries soft partitions (struct meta_duse: stripe and
 * pool counts, sorted extents).  They are kept by link/unlink, which are
 * exact inverses: apply unlinks every object it replaces or deletes, swaps,
 * then links every new one.  Loading links everything once at the end.
 *
 * Validation: the operations (meta_ops.c) check a request against the model
 * before they build a change; meta_cfg_check() checks every invariant of a
 * whole model and is run on everything loaded from disk, and by the tests
 * after every operation.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "meta_cfg_impl.h"

int meta_cfg_create(const char *set, uint32_t setno, bool mn,
		    meta_drive_lookup_fn lookup, void *arg,
		    struct meta_cfg **cfgp, meta_error_t *ep)
{
	struct meta_cfg *cfg;

	if (meta_setname_check(set, ep) != 0 || meta_setno_check(setno, ep))
		return -1;
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, set,
				      "cannot create configuration");
	snprintf(cfg->mc_set, sizeof(cfg->mc_set), "%s", set);
	cfg->mc_setno = setno;
	cfg->mc_mn = mn;
	cfg->mc_lookup = lookup;
	cfg->mc_lookup_arg = arg;
	*cfgp = cfg;
	return 0;
}

void meta_unit_free(struct meta_unit *u)
{
	if (u == NULL)
		return;
	if (u->mu_type == META_UT_STRIPE && u->mu_st.st_rows != NULL) {
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++)
			free(u->mu_st.st_rows[i].mr_comps);
		free(u->mu_st.st_rows);
	} else if (u->mu_type == META_UT_SP) {
		free(u->mu_sp.sp_ext);
	}
	free(u);
}

void meta_hsp_free(struct meta_hsp *h)
{
	if (h == NULL)
		return;
	free(h->hp_spares);
	free(h);
}

void meta_cfg_destroy(struct meta_cfg *cfg)
{
	if (cfg == NULL)
		return;
	for (uint32_t i = 0; i < META_MAXUNITS; i++)
		meta_unit_free(cfg->mc_units[i]);
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		meta_hsp_free(cfg->mc_hsps[i]);
	meta_cfg_undo_end(cfg);
	for (uint32_t i = 0; i < cfg->mc_nduse; i++) {
		free(cfg->mc_duse[i]->du_ext);
		free(cfg->mc_duse[i]);
	}
	free(cfg->mc_duse);
	free(cfg);
}

const char *meta_cfg_setname(const struct meta_cfg *cfg)
{
	return cfg->mc_set;
}

bool meta_cfg_is_mn(const struct meta_cfg *cfg)
{
	return cfg->mc_mn;
}

const struct meta_unit *meta_cfg_unit(const struct meta_cfg *cfg, uint32_t num)
{
	return num < META_MAXUNITS ? cfg->mc_units[num] : NULL;
}

const struct meta_hsp *meta_cfg_hsp(const struct meta_cfg *cfg, uint32_t num)
{
	return num < META_MAXHSP ? cfg->mc_hsps[num] : NULL;
}

uint32_t meta_cfg_nunits(const struct meta_cfg *cfg)
{
	return cfg->mc_nunits;
}

uint32_t meta_cfg_nhsps(const struct meta_cfg *cfg)
{
	return cfg->mc_nhsps;
}

char *meta_cfg_uname(const struct meta_cfg *cfg, uint32_t num, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s/d%" PRIu32, cfg->mc_set, num);
	return buf;
}

char *meta_cfg_hname(const struct meta_cfg *cfg, uint32_t num, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s/hsp%03" PRIu32, cfg->mc_set, num);
	return buf;
}

/* ---- copies and sizes ---- */

struct meta_unit *cfg_unit_dup(const struct meta_unit *u)
{
	struct meta_unit *n = malloc(sizeof(*n));

	if (n == NULL)
		return NULL;
	*n = *u;
	if (u->mu_type == META_UT_STRIPE) {
		const struct meta_stripe *st = &u->mu_st;

		n->mu_st.st_rows =
			calloc(st->st_nrows + 1, sizeof(struct meta_row));
		if (n->mu_st.st_rows == NULL)
			goto out_free;
		for (uint32_t i = 0; i < st->st_nrows; i++) {
			struct meta_row *r = &n->mu_st.st_rows[i];

			*r = st->st_rows[i];
			r->mr_comps = malloc((r->mr_ncomp + 1) *
					     sizeof(struct meta_comp));
			if (r->mr_comps == NULL)
				goto out_free;
			memcpy(r->mr_comps, st->st_rows[i].mr_comps,
			       r->mr_ncomp * sizeof(struct meta_comp));
		}
	} else if (u->mu_type == META_UT_SP) {
		n->mu_sp.sp_ext = malloc((u->mu_sp.sp_next + 1) *
					 sizeof(struct meta_ext));
		if (n->mu_sp.sp_ext == NULL)
			goto out_free;
		memcpy(n->mu_sp.sp_ext, u->mu_sp.sp_ext,
		       u->mu_sp.sp_next * sizeof(struct meta_ext));
	}
	return n;
out_free:
	meta_unit_free(n);
	return NULL;
}

struct meta_hsp *cfg_hsp_dup(const struct meta_hsp *h)
{
	struct meta_hsp *n = malloc(sizeof(*n));

	if (n == NULL)
		return NULL;
	*n = *h;
	n->hp_spares = malloc((h->hp_nspares + 1) * sizeof(struct meta_spare));
	if (n->hp_spares == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->hp_spares, h->hp_spares,
	       h->hp_nspares * sizeof(struct meta_spare));
	return n;
}

/*
 * A row of one component is a concat piece of the component's size.  A row
 * of several is a stripe: each component contributes its size rounded down
 * to the interlace, and all contribute as much as the smallest (SVM).
 */
uint64_t cfg_row_size(const struct meta_row *r)
{
	uint64_t min = UINT64_MAX;

	if (r->mr_ncomp == 0)
		return 0;
	if (r->mr_ncomp == 1)
		return r->mr_comps[0].mc_size;
	if (r->mr_interlace == 0)
		return 0;
	for (uint32_t i = 0; i < r->mr_ncomp; i++)
		if (r->mr_comps[i].mc_size < min)
			min = r->mr_comps[i].mc_size;
	return (min / r->mr_interlace) * r->mr_interlace * r->mr_ncomp;
}

uint64_t cfg_stripe_size(const struct meta_stripe *st)
{
	uint64_t sz = 0;

	for (uint32_t i = 0; i < st->st_nrows; i++)
		sz += cfg_row_size(&st->st_rows[i]);
	return sz;
}

/* ---- drive and unit use ---- */

struct meta_duse *cfg_duse_find(const struct meta_cfg *cfg, const char *name,
				uint32_t unit)
{
	for (uint32_t i = 0; i < cfg->mc_nduse; i++) {
		struct meta_duse *d = cfg->mc_duse[i];

		if (d->du_unit != unit)
			continue;
		if (unit != META_NONE || strcmp(d->du_name, name) == 0)
			return d;
	}
	return NULL;
}

int meta_cfg_drive_unused(const struct meta_cfg *cfg, const char *drive,
			  meta_error_t *ep)
{
	const struct meta_duse *d = cfg_duse_find(cfg, drive, META_NONE);
	char who[META_SETNAMELEN + 32];

	if (d == NULL ||
	    (d->du_nstripe == 0 && d->du_nhsp == 0 && d->du_next == 0))
		return 0;
	if (d->du_nstripe > 0)
		snprintf(who, sizeof(who), "%s/d%u", cfg->mc_set, d->du_stripe);
	else if (d->du_next > 0)
		snprintf(who, sizeof(who), "%s/d%u", cfg->mc_set,
			 d->du_ext[0].de_unit);
	else
		snprintf(who, sizeof(who), "a hot spare pool of %s",
			 cfg->mc_set);
	return meta_error_set(ep, SET_ERROR(ME_CFG_DRIVEUSED), 0, drive,
			      "cannot delete drive (%s uses it)", who);
}

struct meta_duse *cfg_duse_get(struct meta_cfg *cfg, const char *name,
			       uint32_t unit)
{
	struct meta_duse *d = cfg_duse_find(cfg, name, unit);

	if (d != NULL)
		return d;
	if (cfg->mc_nduse == cfg->mc_duse_cap) {
		uint32_t cap = cfg->mc_duse_cap ? cfg->mc_duse_cap * 2 : 16;
		struct meta_duse **n = realloc(cfg->mc_duse, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		cfg->mc_duse = n;
		cfg->mc_duse_cap = cap;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	if (unit == META_NONE)
		snprintf(d->du_name, sizeof(d->du_name), "%s", name);
	d->du_unit = unit;
	d->du_stripe = META_NONE;
	cfg->mc_duse[cfg->mc_nduse++] = d;
	return d;
}

/* Insert an extent in start order. */
static void duse_ext_add(struct meta_duse *d, uint64_t start, uint64_t len,
			 uint32_t unit)
{
	uint32_t lo = 0, hi = d->du_next;

	if (d->du_next == d->du_cap) {
		uint32_t cap = d->du_cap ? d->du_cap * 2 : 8;
		struct du_ext *n = realloc(d->du_ext, cap * sizeof(*n));

		VERIFY(n != NULL);
		d->du_ext = n;
		d->du_cap = cap;
	}
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->du_ext[mid].de_start <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&d->du_ext[lo + 1], &d->du_ext[lo],
		(d->du_next - lo) * sizeof(struct du_ext));
	d->du_ext[lo] = (struct du_ext){ start, len, unit };
	d->du_next++;
}

static void duse_ext_del(struct meta_duse *d, uint64_t start, uint32_t unit)
{
	uint32_t lo = 0, hi = d->du_next;

	/* first entry with de_start >= start */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->du_ext[mid].de_start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i < d->du_next && d->du_ext[i].de_start == start;
	     i++) {
		if (d->du_ext[i].de_unit == unit) {
			memmove(&d->du_ext[i], &d->du_ext[i + 1],
				(d->du_next - i - 1) * sizeof(struct du_ext));
			d->du_next--;
			return;
		}
	}
	VERIFY(0 && "extent not indexed");
}

/* The use record a soft partition's extents go to. */
static struct meta_duse *sp_duse(struct meta_cfg *cfg, const struct meta_sp *sp)
{
	struct meta_duse *d = cfg_duse_get(cfg, sp->sp_drive, sp->sp_parent);

	VERIFY(d != NULL);
	return d;
}

/*
 * Link @u (already in mc_units[]) into the derived indexes, or unlink it
 * (@sign -1).  Allocation failures while linking are fatal (VERIFY): the
 * indexes are small and a half-linked model must not go on.
 */
static void unit_link(struct meta_cfg *cfg, struct meta_unit *u, int sign)
{
	switch (u->mu_type) {
	case META_UT_STRIPE: {
		struct meta_stripe *st = &u->mu_st;

		for (uint32_t i = 0; i < st->st_nrows; i++) {
			for (uint32_t j = 0; j < st->st_rows[i].mr_ncomp; j++) {
				struct meta_duse *d = cfg_duse_get(
					cfg, st->st_rows[i].mr_comps[j].mc_name,
					META_NONE);

				VERIFY(d != NULL);
				d->du_nstripe += (uint32_t)sign;
				d->du_stripe = sign > 0 ? u->mu_num : META_NONE;
			}
		}
		if (st->st_hsp != META_NONE && cfg->mc_hsps[st->st_hsp])
			cfg->mc_hsps[st->st_hsp]->hp_refs += (uint32_t)sign;
		break;
	}
	case META_UT_MIRROR:
		for (uint32_t i = 0; i < u->mu_mm.mm_nsm; i++) {
			struct meta_unit *sm = cfg->mc_units[u->mu_mm.mm_sm[i]];

			if (sm == NULL)
				continue;
			if (sign > 0)
				sm->mu_parent = u->mu_num;
			else if (sm->mu_parent == u->mu_num)
				sm->mu_parent = META_NONE;
		}
		break;
	case META_UT_SP: {
		struct meta_sp *sp = &u->mu_sp;
		struct meta_duse *d = sp_duse(cfg, sp);

		for (uint32_t i = 0; i < sp->sp_next; i++) {
			uint64_t start =
				sp->sp_ext[i].me_poff - META_SP_WMBLOCKS;

			if (sign > 0)
				duse_ext_add(d, start,
					     sp->sp_ext[i].me_len +
						     META_SP_WMBLOCKS,
					     u->mu_num);
			else
				duse_ext_del(d, start, u->mu_num);
		}
		if (sp->sp_parent != META_NONE && cfg->mc_units[sp->sp_parent])
			cfg->mc_units[sp->sp_parent]->mu_nsp += (uint32_t)sign;
		break;
	}
	default:
		VERIFY(0 && "bad unit type");
	}
}

static void hsp_link(struct meta_cfg *cfg, struct meta_hsp *h, int sign)
{
	for (uint32_t i = 0; i < h->hp_nspares; i++) {
		struct meta_duse *d =
			cfg_duse_get(cfg, h->hp_spares[i].hs_name, META_NONE);

		VERIFY(d != NULL);
		d->du_nhsp += (uint32_t)sign;
	}
}

/* Recompute every derived index from the objects. */
static void cfg_relink(struct meta_cfg *cfg)
{
	for (uint32_t i = 0; i < cfg->mc_nduse; i++) {
		cfg->mc_duse[i]->du_next = 0;
		cfg->mc_duse[i]->du_nstripe = 0;
		cfg->mc_duse[i]->du_nhsp = 0;
		cfg->mc_duse[i]->du_stripe = META_NONE;
	}
	for (uint32_t i = 0; i < META_MAXHSP; i++) {
		if (cfg->mc_hsps[i] == NULL)
			continue;
		cfg->mc_hsps[i]->hp_refs = 0;
		hsp_link(cfg, cfg->mc_hsps[i], 1);
	}
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		if (cfg->mc_units[i] == NULL)
			continue;
		cfg->mc_units[i]->mu_parent = META_NONE;
		cfg->mc_units[i]->mu_nsp = 0;
	}
	for (uint32_t i = 0; i < META_MAXUNITS; i++)
		if (cfg->mc_units[i] != NULL)
			unit_link(cfg, cfg->mc_units[i], 1);
	cfg->mc_dirty = false;
}

int meta_cfg_add_unit(struct meta_cfg *cfg, struct meta_unit *u,
		      meta_error_t *ep)
{
	char name[64];

	if (u->mu_num >= META_MAXUNITS || cfg->mc_units[u->mu_num] != NULL) {
		meta_cfg_uname(cfg, u->mu_num, name, sizeof(name));
		meta_unit_free(u);
		return meta_error_set(ep, SET_ERROR(ME_CFG_EXISTS), 0, name,
				      "cannot load");
	}
	cfg->mc_units[u->mu_num] = u;
	cfg->mc_nunits++;
	cfg->mc_dirty = true;
	return 0;
}

int meta_cfg_add_hsp(struct meta_cfg *cfg, struct meta_hsp *h, meta_error_t *ep)
{
	char name[64];

	if (h->hp_num >= META_MAXHSP || cfg->mc_hsps[h->hp_num] != NULL) {
		meta_cfg_hname(cfg, h->hp_num, name, sizeof(name));
		meta_hsp_free(h);
		return meta_error_set(ep, SET_ERROR(ME_CFG_EXISTS), 0, name,
				      "cannot load");
	}
	cfg->mc_hsps[h->hp_num] = h;
	cfg->mc_nhsps++;
	cfg->mc_dirty = true;
	return 0;
}

/* ---- the whole-model check ---- */

static int check_stripe(const struct meta_cfg *cfg, const struct meta_unit *u,
			const char *name, meta_error_t *ep)
{
	const struct meta_stripe *st = &u->mu_st;
	uint32_t total = 0;

	for (uint32_t i = 0; i < st->st_nrows; i++)
		total += st->st_rows[i].mr_ncomp;
	if (total > META_MAXSTCOMPS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0, name,
				      "too many components");
	if (st->st_nrows == 0 || st->st_nrows > META_MAXROWS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0, name,
				      "bad stripe count %" PRIu32,
				      st->st_nrows);
	for (uint32_t i = 0; i < st->st_nrows; i++) {
		const struct meta_row *r = &st->st_rows[i];

		if (r->mr_ncomp == 0 || r->mr_ncomp > META_MAXCOMPS)
			return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
					      name, "bad component count");
		if (r->mr_ncomp > 1 && (r->mr_interlace < META_MIN_INTERLACE ||
					r->mr_interlace > META_MAX_INTERLACE))
			return meta_error_set(ep,
					      SET_ERROR(ME_CFG_BADINTERLACE), 0,
					      name, "bad stripe %" PRIu32, i);
		for (uint32_t j = 0; j < r->mr_ncomp; j++) {
			const struct meta_comp *c = &r->mr_comps[j];
			const struct meta_duse *d =
				cfg_duse_find(cfg, c->mc_name, META_NONE);

			if (c->mc_size == 0 || c->mc_name[0] == '\0')
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_BADSIZE), 0, name,
					"bad component '%s'", c->mc_name);
			VERIFY(d != NULL);
			if (d->du_nstripe != 1 || d->du_nhsp != 0 ||
			    d->du_next != 0)
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_COMPUSED), 0,
					c->mc_name, "component of %s", name);
		}
		if (cfg_row_size(r) == 0)
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0,
					      name, "stripe %" PRIu32 " empty",
					      i);
	}
	if (u->mu_size != cfg_stripe_size(st))
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0, name,
				      "size does not match components");
	if (st->st_hsp != META_NONE &&
	    (st->st_hsp >= META_MAXHSP || cfg->mc_hsps[st->st_hsp] == NULL))
		return meta_error_set(ep, SET_ERROR(ME_CFG_NOENT), 0, name,
				      "hot spare pool %03" PRIu32 " missing",
				      st->st_hsp);
	return 0;
}

static int check_mirror(const struct meta_cfg *cfg, const struct meta_unit *u,
			const uint32_t *rsowner, const char *name,
			meta_error_t *ep)
{
	const struct meta_mirror *mm = &u->mu_mm;

	if (mm->mm_nsm == 0 || mm->mm_nsm > META_NMIRROR)
		return meta_error_set(ep, SET_ERROR(ME_CFG_TOOMANYSM), 0, name,
				      "bad submirror count %" PRIu32,
				      mm->mm_nsm);
	if (mm->mm_read > META_RD_FIRST || mm->mm_write > META_WR_SERIAL ||
	    mm->mm_pass > META_MAXPASS || mm->mm_resync > META_RS_ABR)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0, name,
				      "bad mirror options");
	if (u->mu_size == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0, name,
				      "mirror of size 0");
	if (mm->mm_rsslot >= META_RSSLOTS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0, name,
				      "bad resync slot");
	/* The first mirror with this slot (meta_cfg_check() fills it). */
	if (rsowner[mm->mm_rsslot] != u->mu_num)
		return meta_error_set(ep, SET_ERROR(ME_CFG_DUPLICATE), 0, name,
				      "resync slot %" PRIu32 " of d%" PRIu32,
				      mm->mm_rsslot, rsowner[mm->mm_rsslot]);
	for (uint32_t i = 0; i < mm->mm_nsm; i++) {
		const struct meta_unit *sm = meta_cfg_unit(cfg, mm->mm_sm[i]);

		if (sm == NULL)
			return meta_error_set(ep, SET_ERROR(ME_CFG_NOENT), 0,
					      name, "submirror d%" PRIu32,
					      mm->mm_sm[i]);
		if (sm->mu_type != META_UT_STRIPE)
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0,
					      name, "submirror d%" PRIu32,
					      sm->mu_num);
		if (sm->mu_parent != u->mu_num || sm->mu_nsp != 0)
			return meta_error_set(ep, SET_ERROR(ME_CFG_INUSE), 0,
					      name, "submirror d%" PRIu32,
					      sm->mu_num);
		if (sm->mu_size < u->mu_size)
			return meta_error_set(ep, SET_ERROR(ME_CFG_SMSMALL), 0,
					      name, "submirror d%" PRIu32,
					      sm->mu_num);
		for (uint32_t j = 0; j < i; j++)
			if (mm->mm_sm[j] == mm->mm_sm[i])
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_DUPLICATE), 0,
					name, "submirror d%" PRIu32,
					sm->mu_num);
		if ((mm->mm_smstate[i] & ~(uint32_t)META_SMS_ALL) != 0 ||
		    mm->mm_smstate[i] == 0)
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0,
					      name, "bad submirror state");
	}
	return 0;
}

static int check_sp(const struct meta_cfg *cfg, const struct meta_unit *u,
		    const char *name, meta_error_t *ep)
{
	const struct meta_sp *sp = &u->mu_sp;
	uint64_t voff = 0, limit = UINT64_MAX;

	if (sp->sp_next == 0 || sp->sp_next > META_MAXEXTS)
		return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0, name,
				      "bad extent count %" PRIu32, sp->sp_next);
	if (sp->sp_parent != META_NONE) {
		const struct meta_unit *p = meta_cfg_unit(cfg, sp->sp_parent);

		if (p == NULL)
			return meta_error_set(ep, SET_ERROR(ME_CFG_NOENT), 0,
					      name, "parent d%" PRIu32,
					      sp->sp_parent);
		if (p->mu_type == META_UT_SP || p->mu_parent != META_NONE)
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0,
					      name, "parent d%" PRIu32,
					      sp->sp_parent);
		limit = p->mu_size;
	} else {
		const struct meta_duse *d =
			cfg_duse_find(cfg, sp->sp_drive, META_NONE);

		if (sp->sp_drive[0] == '\0')
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0,
					      name, "no parent");
		if (d != NULL && (d->du_nstripe != 0 || d->du_nhsp != 0))
			return meta_error_set(ep, SET_ERROR(ME_CFG_COMPUSED), 0,
					      sp->sp_drive,
					      "soft partition %s on it", name);
	}
	for (uint32_t i = 0; i < sp->sp_next; i++) {
		const struct meta_ext *e = &sp->sp_ext[i];

		if (e->me_len == 0 || e->me_voff != voff ||
		    e->me_poff < META_SP_WMBLOCKS || e->me_poff > limit ||
		    e->me_len > limit - e->me_poff ||
		    (sp->sp_align != 0 &&
		     e->me_poff % sp->sp_align != voff % sp->sp_align))
			return meta_error_set(
				ep, SET_ERROR(ME_CFG_BADSIZE), 0, name,
				"cannot load extent %" PRIu32 " of", i);
		voff += e->me_len;
	}
	if (u->mu_size != voff)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0, name,
				      "size does not match extents");
	if ((sp->sp_state & ~(uint32_t)META_CS_ALL) != 0 || sp->sp_state == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0, name,
				      "bad state");
	return 0;
}

/*
 * One unit's checks. They only read the model, so running them again gives
 * the same answer.
 */
static int check_unit(const struct meta_cfg *cfg, const struct meta_unit *u,
		      const uint32_t *rsowner, const char *name,
		      meta_error_t *ep)
{
	switch (u->mu_type) {
	case META_UT_STRIPE:
		return check_stripe(cfg, u, name, ep);
	case META_UT_MIRROR:
		return check_mirror(cfg, u, rsowner, name, ep);
	case META_UT_SP:
		return check_sp(cfg, u, name, ep);
	default:
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADTYPE), 0, name,
				      "unknown unit type");
	}
}

int meta_cfg_check(struct meta_cfg *cfg, meta_error_t *ep)
{
	uint32_t n = 0, rsowner[META_RSSLOTS];
	char name[64];

	if (cfg->mc_dirty)
		cfg_relink(cfg);
	/* Each resync slot's first mirror, in one pass (a mirror used to scan
	 * every unit below it: quadratic in a set of many mirrors). */
	for (uint32_t i = 0; i < META_RSSLOTS; i++)
		rsowner[i] = META_NONE;
	for (uint32_t i = META_MAXUNITS; i-- > 0;) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u != NULL && u->mu_type == META_UT_MIRROR &&
		    u->mu_mm.mm_rsslot < META_RSSLOTS)
			rsowner[u->mu_mm.mm_rsslot] = i;
	}
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = cfg->mc_units[i];

		if (u == NULL)
			continue;
		n++;
		if (u->mu_num != i) {
			meta_cfg_uname(cfg, i, name, sizeof(name));
			return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0,
					      name, "misfiled unit");
		}
		/*
		 * Every command checks the whole model at load: the unit's
		 * name is formatted only when there is an error to name it in
		 * (formatting 8192 names was a fifth of a large set's load).
		 */
		if (check_unit(cfg, u, rsowner, "", ep) != 0) {
			meta_cfg_uname(cfg, i, name, sizeof(name));
			return check_unit(cfg, u, rsowner, name, ep);
		}
	}
	if (n != cfg->mc_nunits)
		return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0,
				      cfg->mc_set, "unit count");
	for (uint32_t i = 0; i < META_MAXHSP; i++) {
		const struct meta_hsp *h = cfg->mc_hsps[i];

		if (h == NULL)
			continue;
		meta_cfg_hname(cfg, i, name, sizeof(name));
		if (h->hp_nspares > META_MAXSPARES)
			return meta_error_set(ep, SET_ERROR(ME_CFG_LIMIT), 0,
					      name, "too many spares");
		for (uint32_t j = 0; j < h->hp_nspares; j++) {
			const struct meta_spare *s = &h->hp_spares[j];
			const struct meta_duse *d =
				cfg_duse_find(cfg, s->hs_name, META_NONE);

			VERIFY(d != NULL);
			if (d->du_nstripe != 0 || d->du_next != 0)
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_COMPUSED), 0,
					s->hs_name, "hot spare of %s", name);
			for (uint32_t k = 0; k < j; k++)
				if (strcmp(h->hp_spares[k].hs_name,
					   s->hs_name) == 0)
					return meta_error_set(
						ep, SET_ERROR(ME_CFG_DUPLICATE),
						0, s->hs_name,
						"hot spare of %s", name);
		}
	}
	/* No two extents on one drive or unit overlap. */
	for (uint32_t i = 0; i < cfg->mc_nduse; i++) {
		const struct meta_duse *d = cfg->mc_duse[i];

		for (uint32_t j = 1; j < d->du_next; j++) {
			const struct du_ext *a = &d->du_ext[j - 1];

			if (a->de_start + a->de_len > d->du_ext[j].de_start) {
				meta_cfg_uname(cfg, d->du_ext[j].de_unit, name,
					       sizeof(name));
				return meta_error_set(
					ep, SET_ERROR(ME_CFG_OVERLAP), 0, name,
					"extent on '%s' overlaps d%" PRIu32,
					d->du_unit == META_NONE ? d->du_name :
								  "unit",
					a->de_unit);
			}
		}
	}
	return 0;
}

/* ---- changes ---- */

void meta_change_init(struct meta_change *ch)
{
	memset(ch, 0, sizeof(*ch));
}

void meta_change_release(struct meta_change *ch)
{
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		meta_unit_free(ch->ch_ops[i].co_unit);
		meta_hsp_free(ch->ch_ops[i].co_hsp);
	}
	free(ch->ch_ops);
	meta_change_init(ch);
}

static struct meta_chop *change_slot(struct meta_change *ch, uint32_t kind,
				     uint32_t num)
{
	for (uint32_t i = 0; i < ch->ch_nops; i++)
		if (ch->ch_ops[i].co_kind == kind &&
		    ch->ch_ops[i].co_num == num)
			return &ch->ch_ops[i];
	if (ch->ch_nops == ch->ch_cap) {
		uint32_t cap = ch->ch_cap ? ch->ch_cap * 2 : 4;
		struct meta_chop *n = realloc(ch->ch_ops, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		ch->ch_ops = n;
		ch->ch_cap = cap;
	}
	ch->ch_ops[ch->ch_nops] =
		(struct meta_chop){ .co_kind = kind, .co_num = num };
	return &ch->ch_ops[ch->ch_nops++];
}

int cfg_change_put_unit(struct meta_change *ch, struct meta_unit *u,
			meta_error_t *ep)
{
	struct meta_chop *op = change_slot(ch, META_RK_UNIT, u->mu_num);

	if (op == NULL) {
		meta_unit_free(u);
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot build change");
	}
	if (op->co_unit != u)
		meta_unit_free(op->co_unit);
	op->co_unit = u;
	return 0;
}

int cfg_change_put_hsp(struct meta_change *ch, struct meta_hsp *h,
		       meta_error_t *ep)
{
	struct meta_chop *op = change_slot(ch, META_RK_HSP, h->hp_num);

	if (op == NULL) {
		meta_hsp_free(h);
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot build change");
	}
	if (op->co_hsp != h)
		meta_hsp_free(op->co_hsp);
	op->co_hsp = h;
	return 0;
}

int cfg_change_del(struct meta_change *ch, uint32_t kind, uint32_t num,
		   meta_error_t *ep)
{
	struct meta_chop *op = change_slot(ch, kind, num);

	if (op == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot build change");
	meta_unit_free(op->co_unit);
	meta_hsp_free(op->co_hsp);
	op->co_unit = NULL;
	op->co_hsp = NULL;
	return 0;
}

struct meta_unit *cfg_change_unit(const struct meta_cfg *cfg,
				  const struct meta_change *ch, uint32_t num)
{
	for (uint32_t i = 0; i < ch->ch_nops; i++)
		if (ch->ch_ops[i].co_kind == META_RK_UNIT &&
		    ch->ch_ops[i].co_num == num)
			return ch->ch_ops[i].co_unit;
	return cfg->mc_units[num];
}

bool cfg_change_deletes(const struct meta_change *ch, uint32_t kind,
			uint32_t num)
{
	for (uint32_t i = 0; i < ch->ch_nops; i++)
		if (ch->ch_ops[i].co_kind == kind &&
		    ch->ch_ops[i].co_num == num)
			return ch->ch_ops[i].co_unit == NULL &&
			       ch->ch_ops[i].co_hsp == NULL;
	return false;
}

/* Write @ch through @st: encode everything, then one transaction. */
static int change_write(const struct meta_change *ch,
			const struct meta_store *st, meta_error_t *ep)
{
	const struct meta_store_ops *ops = st->ms_ops;
	void **bufs;
	size_t *lens;
	void *txn = NULL;
	int rc = -1;

	bufs = calloc(ch->ch_nops + 1, sizeof(*bufs));
	lens = calloc(ch->ch_nops + 1, sizeof(*lens));
	if (bufs == NULL || lens == NULL) {
		meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
			       "cannot write configuration");
		goto out_free;
	}
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		const struct meta_chop *op = &ch->ch_ops[i];

		if (op->co_unit != NULL &&
		    meta_unit_encode(op->co_unit, &bufs[i], &lens[i], ep) != 0)
			goto out_free;
		if (op->co_hsp != NULL &&
		    meta_hsp_encode(op->co_hsp, &bufs[i], &lens[i], ep) != 0)
			goto out_free;
	}
	if (ops->so_begin(st->ms_arg, &txn, ep) != 0)
		goto out_free;
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		const struct meta_chop *op = &ch->ch_ops[i];
		int r;

		if (bufs[i] != NULL)
			r = ops->so_put(txn, op->co_kind, op->co_num, bufs[i],
					lens[i], ep);
		else
			r = ops->so_del(txn, op->co_kind, op->co_num, ep);
		if (r != 0) {
			ops->so_abort(txn);
			goto out_free;
		}
	}
	rc = ops->so_commit(txn, ep);
out_free:
	for (uint32_t i = 0; bufs != NULL && i < ch->ch_nops; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	return rc;
}

/* @u a soft partition built on a drive. */
static bool sp_on_drive(const struct meta_unit *u)
{
	return u != NULL && u->mu_type == META_UT_SP &&
	       u->mu_sp.sp_parent == META_NONE;
}

/* The same drive and extents (a put that leaves the headers as they are). */
static bool sp_same_exts(const struct meta_unit *a, const struct meta_unit *b)
{
	return sp_on_drive(a) && sp_on_drive(b) &&
	       strcmp(a->mu_sp.sp_drive, b->mu_sp.sp_drive) == 0 &&
	       a->mu_sp.sp_next == b->mu_sp.sp_next &&
	       memcmp(a->mu_sp.sp_ext, b->mu_sp.sp_ext,
		      a->mu_sp.sp_next * sizeof(*a->mu_sp.sp_ext)) == 0;
}

static void post_add(char (*drives)[META_DRVNAMELEN], uint32_t *n,
		     const struct meta_unit *u)
{
	for (uint32_t i = 0; i < *n; i++)
		if (strcmp(drives[i], u->mu_sp.sp_drive) == 0)
			return;
	snprintf(drives[(*n)++], META_DRVNAMELEN, "%s", u->mu_sp.sp_drive);
}

/*
 * The drives on which @ch creates, changes or deletes a soft partition's
 * extents (into @drives, room for two per op), before it is applied.
 */
static uint32_t post_drives(const struct meta_cfg *cfg,
			    const struct meta_change *ch,
			    char (*drives)[META_DRVNAMELEN])
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		const struct meta_chop *op = &ch->ch_ops[i];
		const struct meta_unit *old, *nu;

		if (op->co_kind != META_RK_UNIT)
			continue;
		old = cfg->mc_units[op->co_num];
		nu = op->co_unit;
		if (sp_same_exts(old, nu))
			continue;
		if (sp_on_drive(old))
			post_add(drives, &n, old);
		if (sp_on_drive(nu))
			post_add(drives, &n, nu);
	}
	return n;
}

/*
 * The inverse of a change of @n ops, pushed on the undo journal: room for
 * every op, filled by meta_cfg_apply().  NULL when out of memory.
 */
static struct meta_change *undo_push(struct meta_cfg *cfg, uint32_t n)
{
	struct meta_change *inv;

	if (cfg->mc_undo_n == cfg->mc_undo_cap) {
		uint32_t cap = cfg->mc_undo_cap ? cfg->mc_undo_cap * 2 : 4;
		struct meta_change *a = realloc(cfg->mc_undo, cap * sizeof(*a));

		if (a == NULL)
			return NULL;
		cfg->mc_undo = a;
		cfg->mc_undo_cap = cap;
	}
	inv = &cfg->mc_undo[cfg->mc_undo_n];
	meta_change_init(inv);
	inv->ch_ops = calloc(n, sizeof(*inv->ch_ops));
	if (inv->ch_ops == NULL)
		return NULL;
	inv->ch_cap = n;
	cfg->mc_undo_n++;
	return inv;
}

int meta_cfg_undo_begin(struct meta_cfg *cfg, meta_error_t *ep)
{
	if (cfg->mc_undo_on)
		return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0,
				      cfg->mc_set,
				      "cannot begin a second undo journal of");
	if (cfg->mc_dirty)
		cfg_relink(cfg);
	cfg->mc_undo_on = true;
	cfg->mc_undo_n = 0;
	cfg->mc_undo_nduse = cfg->mc_nduse;
	return 0;
}

void meta_cfg_undo(struct meta_cfg *cfg)
{
	meta_error_t e;

	if (!cfg->mc_undo_on)
		return;
	cfg->mc_undo_on = false;
	meta_error_init(&e);
	while (cfg->mc_undo_n > 0) {
		struct meta_change *inv = &cfg->mc_undo[--cfg->mc_undo_n];

		/* Without a store, apply cannot fail. */
		VERIFY0(meta_cfg_apply(cfg, inv, NULL, &e));
		meta_change_release(inv);
	}
	/* Use records the dry run created are empty again: drop them. */
	while (cfg->mc_nduse > cfg->mc_undo_nduse) {
		struct meta_duse *d = cfg->mc_duse[cfg->mc_nduse - 1];

		if (d->du_nstripe != 0 || d->du_nhsp != 0 || d->du_next != 0)
			break; /* cannot be: link and unlink are inverses */
		free(d->du_ext);
		free(d);
		cfg->mc_nduse--;
	}
	free(cfg->mc_undo);
	cfg->mc_undo = NULL;
	cfg->mc_undo_cap = 0;
}

void meta_cfg_undo_end(struct meta_cfg *cfg)
{
	for (uint32_t i = 0; i < cfg->mc_undo_n; i++)
		meta_change_release(&cfg->mc_undo[i]);
	free(cfg->mc_undo);
	cfg->mc_undo = NULL;
	cfg->mc_undo_n = cfg->mc_undo_cap = 0;
	cfg->mc_undo_on = false;
}

int meta_cfg_apply(struct meta_cfg *cfg, struct meta_change *ch,
		   const struct meta_store *st, meta_error_t *ep)
{
	char(*drives)[META_DRVNAMELEN] = NULL;
	struct meta_change *inv = NULL;
	uint32_t ndrives = 0;

	if (cfg->mc_undo_on && st != NULL)
		return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0,
				      cfg->mc_set,
				      "cannot commit a change to set while "
				      "its undo journal is on:");
	if (cfg->mc_undo_on && ch->ch_nops > 0) {
		inv = undo_push(cfg, ch->ch_nops);
		if (inv == NULL)
			return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
					      "cannot apply change");
	}
	if (cfg->mc_dirty)
		cfg_relink(cfg);
	if (st != NULL && st->ms_post != NULL && ch->ch_nops > 0) {
		drives = calloc(2 * (size_t)ch->ch_nops, sizeof(*drives));
		if (drives == NULL)
			return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
					      "cannot write configuration");
		ndrives = post_drives(cfg, ch, drives);
	}
	if (st != NULL && ch->ch_nops > 0 && change_write(ch, st, ep) != 0) {
		free(drives);
		return -1;
	}
	/* Written (or a dry run): now the model.  Nothing below fails. */
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		const struct meta_chop *op = &ch->ch_ops[i];

		if (op->co_kind == META_RK_UNIT && cfg->mc_units[op->co_num])
			unit_link(cfg, cfg->mc_units[op->co_num], -1);
		if (op->co_kind == META_RK_HSP && cfg->mc_hsps[op->co_num])
			hsp_link(cfg, cfg->mc_hsps[op->co_num], -1);
	}
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		struct meta_chop *op = &ch->ch_ops[i];

		if (op->co_kind == META_RK_UNIT) {
			struct meta_unit **slot = &cfg->mc_units[op->co_num];

			cfg->mc_nunits -= (*slot != NULL);
			if (inv != NULL)
				inv->ch_ops[inv->ch_nops++] =
					(struct meta_chop){
						.co_kind = op->co_kind,
						.co_num = op->co_num,
						.co_unit = *slot
					};
			else
				meta_unit_free(*slot);
			*slot = op->co_unit;
			cfg->mc_nunits += (*slot != NULL);
			op->co_unit = NULL;
		} else {
			struct meta_hsp **slot = &cfg->mc_hsps[op->co_num];

			cfg->mc_nhsps -= (*slot != NULL);
			if (inv != NULL)
				inv->ch_ops[inv->ch_nops++] =
					(struct meta_chop){
						.co_kind = op->co_kind,
						.co_num = op->co_num,
						.co_hsp = *slot
					};
			else
				meta_hsp_free(*slot);
			*slot = op->co_hsp;
			cfg->mc_nhsps += (*slot != NULL);
			op->co_hsp = NULL;
		}
	}
	/* Pools first, so that stripes find theirs; then units. */
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		const struct meta_chop *op = &ch->ch_ops[i];

		if (op->co_kind == META_RK_HSP && cfg->mc_hsps[op->co_num])
			hsp_link(cfg, cfg->mc_hsps[op->co_num], 1);
	}
	for (uint32_t i = 0; i < ch->ch_nops; i++) {
		const struct meta_chop *op = &ch->ch_ops[i];

		if (op->co_kind == META_RK_UNIT && cfg->mc_units[op->co_num])
			unit_link(cfg, cfg->mc_units[op->co_num], 1);
	}
	meta_change_release(ch);
	if (ndrives > 0)
		st->ms_post(st->ms_post_arg, cfg,
			    (const char(*)[META_DRVNAMELEN])drives, ndrives);
	free(drives);
	return 0;
}

/* ---- loading ---- */

struct load_arg {
	struct meta_cfg *la_cfg;
	meta_error_t *la_ep;
	uint32_t la_kind;
};

static int load_one(void *arg, uint32_t id, const void *data, size_t len)
{
	struct load_arg *la = arg;

	if (la->la_kind == META_RK_UNIT) {
		struct meta_unit *u;

		if (meta_unit_decode(id, data, len, &u, la->la_ep) != 0)
			return -1;
		return meta_cfg_add_unit(la->la_cfg, u, la->la_ep);
	} else {
		struct meta_hsp *h;

		if (meta_hsp_decode(id, data, len, &h, la->la_ep) != 0)
			return -1;
		return meta_cfg_add_hsp(la->la_cfg, h, la->la_ep);
	}
}

int meta_cfg_load(struct meta_cfg *cfg, const struct meta_store *st,
		  meta_error_t *ep)
{
	struct load_arg la = { cfg, ep, META_RK_HSP };

	if (st->ms_ops->so_foreach(st->ms_arg, META_RK_HSP, load_one, &la,
				   ep) != 0)
		return -1;
	la.la_kind = META_RK_UNIT;
	if (st->ms_ops->so_foreach(st->ms_arg, META_RK_UNIT, load_one, &la,
				   ep) != 0)
		return -1;
	return meta_cfg_check(cfg, ep);
}
