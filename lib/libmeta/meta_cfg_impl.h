/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the configuration model shared by meta_cfg.c, meta_ops.c,
 * meta_mdtab.c and meta_print.c.  See include/oban/meta_cfg.h.
 */
#ifndef OBAN_META_CFG_IMPL_H
#define OBAN_META_CFG_IMPL_H

#include <oban/meta_cfg.h>

/* One used range of a drive or unit: a soft partition extent and its
 * watermark block before it. */
struct du_ext {
	uint64_t de_start; /* the watermark block */
	uint64_t de_len; /* watermark + data */
	uint32_t de_unit; /* the soft partition */
};

/*
 * The use of one drive (du_unit == META_NONE) or one unit (du_unit its
 * number, for soft partitions on it): how many stripes use it as a
 * component, how many pools list it as a spare, and the soft partition
 * extents on it sorted by start.  Counts, not owners, so that a bad loaded
 * configuration (a drive in two stripes) can be represented and reported.
 */
struct meta_duse {
	char du_name[META_DRVNAMELEN];
	uint32_t du_unit;
	uint32_t du_nstripe;
	uint32_t du_stripe; /* the last stripe linked on it */
	uint32_t du_nhsp;
	uint32_t du_next;
	uint32_t du_cap;
	struct du_ext *du_ext;
};

struct meta_cfg {
	char mc_set[META_SETNAMELEN];
	uint32_t mc_setno;
	bool mc_mn;
	bool mc_dirty; /* objects added by meta_cfg_add_*: relink needed */
	meta_drive_lookup_fn mc_lookup;
	void *mc_lookup_arg;
	uint32_t mc_nunits;
	uint32_t mc_nhsps;
	struct meta_unit *mc_units[META_MAXUNITS];
	struct meta_hsp *mc_hsps[META_MAXHSP];
	uint32_t mc_nduse;
	uint32_t mc_duse_cap;
	struct meta_duse **mc_duse;
	/* The undo journal (meta_cfg_undo_begin()): while mc_undo_on, every
	 * meta_cfg_apply() pushes its inverse (the objects it displaced) */
	bool mc_undo_on;
	uint32_t mc_undo_n;
	uint32_t mc_undo_cap;
	struct meta_change *mc_undo;
	uint32_t mc_undo_nduse; /* mc_nduse at the beginning */
};

/* The use record of a drive (unit == META_NONE) or of a unit, or NULL;
 * cfg_duse_get() creates it (NULL only when out of memory). */
struct meta_duse *cfg_duse_find(const struct meta_cfg *cfg, const char *name,
				uint32_t unit);
struct meta_duse *cfg_duse_get(struct meta_cfg *cfg, const char *name,
			       uint32_t unit);

/* Deep copies; NULL when out of memory. */
struct meta_unit *cfg_unit_dup(const struct meta_unit *u);
struct meta_hsp *cfg_hsp_dup(const struct meta_hsp *h);

/* The computed size of a stripe / a row. */
uint64_t cfg_row_size(const struct meta_row *r);
uint64_t cfg_stripe_size(const struct meta_stripe *st);

/* Add an op to @ch (takes the object); -1 ENOMEM (object freed). */
int cfg_change_put_unit(struct meta_change *ch, struct meta_unit *u,
			meta_error_t *ep);
int cfg_change_put_hsp(struct meta_change *ch, struct meta_hsp *h,
		       meta_error_t *ep);
int cfg_change_del(struct meta_change *ch, uint32_t kind, uint32_t num,
		   meta_error_t *ep);
/* The object that @ch puts at (kind, num) if any, else the model's. */
struct meta_unit *cfg_change_unit(const struct meta_cfg *cfg,
				  const struct meta_change *ch, uint32_t num);
bool cfg_change_deletes(const struct meta_change *ch, uint32_t kind,
			uint32_t num);

#endif /* OBAN_META_CFG_IMPL_H */
