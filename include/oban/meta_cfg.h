/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration model of one set: metadevices (stripes and concats,
 * mirrors, soft partitions) and hot spare pools, in memory.
 *
 * A struct meta_cfg holds every unit (d0..d8191) and every hot spare pool
 * (hsp000..hsp999) of one set, plus indexes derived from them (which drive
 * is used by what, which unit sits on which).  It is changed in one way only:
 *
 *   1. an operation (meta_op_*) validates a request completely against the
 *      current model and, without touching the model, builds a struct
 *      meta_change: the records to put (new or rewritten units and pools)
 *      and the records to delete;
 *   2. meta_cfg_apply() writes the change through a struct meta_store in one
 *      transaction (or, for a dry run, writes nothing) and only then applies
 *      it to the model.
 *
 * So a failed request leaves the model and the store as they were, and a dry
 * run (-n) is the very same path with no store.  Several operations (an md.tab
 * with many lines) are applied one after another; in a dry run each sees the
 * model as the previous ones left it in memory.
 *
 * Sizes are in 512-byte blocks throughout.  Components are set drives, named
 * by their canonical names; the model resolves a user-given name through a
 * lookup function (in the commands, the storage helper's
 * meta_set_drive_find()).
 *
 * Threading: a meta_cfg has no lock; one thread uses it at a time.
 */
#ifndef OBAN_META_CFG_H
#define OBAN_META_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <oban/error.h>

#define META_MAXUNITS 8192 /* d0..d8191 per set */
#define META_MAXHSP 1000 /* hsp000..hsp999 per set */
#define META_MAXSETS 32 /* set numbers 1..32 */
#define META_NMIRROR 4 /* submirrors per mirror */
#define META_MAXPASS 9
#define META_DEFPASS 1
#define META_MAXROWS 128 /* stripes in a concat */
#define META_MAXCOMPS 128 /* components in one stripe */
#define META_MAXSTCOMPS 4096 /* components in one concat (a record < 1 MiB) */
#define META_MAXEXTS 1024 /* extents of one soft partition */
#define META_MAXSPARES 128 /* spares in one pool */
#define META_RSSLOTS 256 /* resync record slots (MDDB_RS_SLOTS): mirrors */
#define META_DRVNAMELEN 128 /* drive name, NUL included (as meta_set.h) */
#define META_SETNAMELEN 32 /* set name, NUL included */
#define META_UUIDLEN 16
#define META_NONE UINT32_MAX /* no unit / no pool */

/* Interlace: SVM's default (Solaris 9 4/03 and later) is 512 KB. */
#define META_DEF_INTERLACE 1024 /* blocks */
#define META_MIN_INTERLACE 16 /* 8 KB */
#define META_MAX_INTERLACE 204800 /* 100 MB */
#define META_SP_WMBLOCKS 1 /* watermark block before each extent */
#define META_SP_MAXALIGN (1ULL << 31) /* blocks (1 TB): -A's largest */

enum meta_utype {
	META_UT_STRIPE = 1,
	META_UT_MIRROR = 2,
	META_UT_SP = 3,
};

enum meta_rdopt {
	META_RD_ROUNDROBIN = 0,
	META_RD_GEOMETRIC = 1,
	META_RD_FIRST = 2,
};

enum meta_wropt {
	META_WR_PARALLEL = 0,
	META_WR_SERIAL = 1,
};

enum meta_rsopt {
	META_RS_OPTIMIZED = 0, /* optimized resync (dirty region log) */
	META_RS_ABR = 1, /* application based recovery */
};

/* Component states (SVM comp_state_t). */
#define META_CS_OKAY 0x1
#define META_CS_ERRED 0x2 /* "Maintenance" */
#define META_CS_RESYNC 0x4
#define META_CS_LAST_ERRED 0x8
#define META_CS_ALL 0xf

/* Submirror states (SVM SMS_*), the ones configuration sets. */
#define META_SMS_RUNNING 0x1
#define META_SMS_COMP_ERRED 0x2
#define META_SMS_COMP_RESYNC 0x4
#define META_SMS_ATTACHED 0x8
#define META_SMS_ATTACHED_RESYNC 0x10
#define META_SMS_OFFLINE 0x20
#define META_SMS_OFFLINE_RESYNC 0x40
#define META_SMS_ALL_ERRED 0x80
#define META_SMS_ALL 0xff

/* Hot spare states. */
#define META_HSS_AVAILABLE 0x1
#define META_HSS_INUSE 0x2
#define META_HSS_BROKEN 0x4
#define META_HSS_ALL 0x7

/* A resolved set drive. */
struct meta_drive {
	char md_name[META_DRVNAMELEN]; /* canonical name in the set */
	uint8_t md_uuid[META_UUIDLEN];
	uint64_t md_len; /* usable data blocks */
	uint32_t md_nrepl; /* replicas of the set on it (metastat "Dbase") */
};

/*
 * Resolve a user-given drive name.  Returns 0 and fills @d, or -1 with @ep
 * set (ENOENT or an ME_* code) when the set has no such drive.
 */
typedef int (*meta_drive_lookup_fn)(void *arg, const char *name,
				    struct meta_drive *d, meta_error_t *ep);

struct meta_comp {
	char mc_name[META_DRVNAMELEN];
	uint8_t mc_uuid[META_UUIDLEN];
	uint64_t mc_start; /* first block used, in the drive's data area */
	uint64_t mc_size; /* blocks of the drive (its whole data area) */
	uint32_t mc_state; /* META_CS_* */
};

struct meta_row {
	uint32_t mr_ncomp;
	uint64_t mr_interlace; /* blocks; meaningful when mr_ncomp > 1 */
	struct meta_comp *mr_comps;
};

struct meta_stripe {
	uint32_t st_nrows;
	uint32_t st_hsp; /* hot spare pool number or META_NONE */
	struct meta_row *st_rows;
};

struct meta_mirror {
	uint32_t mm_nsm;
	uint32_t mm_sm[META_NMIRROR]; /* unit numbers, first mm_nsm used */
	uint32_t mm_smstate[META_NMIRROR]; /* META_SMS_* */
	uint8_t mm_read; /* enum meta_rdopt */
	uint8_t mm_write; /* enum meta_wropt */
	uint8_t mm_pass; /* 0..9 */
	uint8_t mm_resync; /* enum meta_rsopt */
	uint32_t mm_rsslot; /* the mirror's resync record slot in the mddb */
};

struct meta_ext {
	uint64_t me_voff; /* offset in the soft partition */
	uint64_t me_poff; /* offset on the parent (after the watermark) */
	uint64_t me_len;
};

struct meta_sp {
	uint32_t sp_parent; /* unit number, or META_NONE: on sp_drive */
	char sp_drive[META_DRVNAMELEN];
	uint8_t sp_uuid[META_UUIDLEN];
	uint32_t sp_state; /* META_CS_* */
	uint32_t sp_next;
	uint64_t sp_align; /* -A: blocks, 0 none; every extent's me_poff is
			      congruent to its me_voff modulo it */
	struct meta_ext *sp_ext;
};

struct meta_unit {
	uint32_t mu_num;
	uint32_t mu_type; /* enum meta_utype */
	uint64_t mu_size; /* blocks */
	/* Derived, not stored: */
	uint32_t mu_parent; /* mirror of a submirror, else META_NONE */
	uint32_t mu_nsp; /* soft partitions built on this unit */
	union {
		struct meta_stripe mu_st;
		struct meta_mirror mu_mm;
		struct meta_sp mu_sp;
	};
};

struct meta_spare {
	char hs_name[META_DRVNAMELEN];
	uint8_t hs_uuid[META_UUIDLEN];
	uint64_t hs_size;
	uint32_t hs_state; /* META_HSS_* */
};

struct meta_hsp {
	uint32_t hp_num;
	uint32_t hp_nspares;
	struct meta_spare *hp_spares;
	uint32_t hp_refs; /* derived: stripes associated with the pool */
};

struct meta_cfg;

/* ---- names and sizes (meta_names.c) ---- */

enum meta_nkind {
	META_NK_UNIT = 1, /* dN */
	META_NK_HSP = 2, /* hspNNN */
};

struct meta_name {
	char mn_set[META_SETNAMELEN]; /* "" when no set prefix was given */
	uint32_t mn_kind; /* enum meta_nkind */
	uint32_t mn_num;
};

/*
 * meta_name_parse - parse "dN", "hspNNN", "set/dN" or "set/hspNNN".
 * d0..d8191 (no leading zeros), hsp000..hsp999 (exactly three digits).
 * Returns 0, or -1 with ME_BADNAME (not a metadevice name at all) or
 * ME_CFG_RANGE (d8192, hsp1000) in @ep, the name quoted.
 */
int meta_name_parse(const char *s, struct meta_name *n, meta_error_t *ep);

/* meta_name_is_meta - true if @s parses as a unit or pool name. */
bool meta_name_is_meta(const char *s);

/*
 * meta_setname_check - a set name: 1..31 characters of [A-Za-z0-9_.-],
 * not beginning with '-' or '.'.  ME_BADNAME otherwise.
 */
int meta_setname_check(const char *s, meta_error_t *ep);

/* meta_setno_check - set numbers 1..32; ME_CFG_RANGE otherwise. */
int meta_setno_check(uint32_t setno, meta_error_t *ep);

/*
 * meta_size_parse - "N", "Nb" (blocks), "Nk", "Nm", "Ng", "Nt" (either
 * case) into blocks.  A plain number is blocks.  Returns 0, or -1 with
 * ME_CFG_BADSIZE (syntax, zero, overflow, or k/m/g/t giving a fraction of
 * a block is impossible: 1k = 2 blocks) in @ep.
 */
int meta_size_parse(const char *s, uint64_t *blocks, meta_error_t *ep);

/*
 * meta_size_str - blocks as SVM prints them in parentheses: "604 MB",
 * "1.0 GB", "8.2 MB" (one truncated decimal below 10 of the unit, none
 * above).  Into @buf of @len bytes; returns @buf.
 */
char *meta_size_str(uint64_t blocks, char *buf, size_t len);

/* meta_size_short - concise form for metastat -c: "604MB", "1.0GB". */
char *meta_size_short(uint64_t blocks, char *buf, size_t len);

/* ---- the model (meta_cfg.c) ---- */

/*
 * meta_cfg_create - an empty model of set @set (number @setno, multi-owner
 * if @mn).  @lookup (with @arg) resolves drive names; it may be NULL for a
 * model that only prints.  Returns 0 and *@cfgp, or -1 (ENOMEM,
 * ME_BADNAME, ME_CFG_RANGE).  Free with meta_cfg_destroy().
 */
int meta_cfg_create(const char *set, uint32_t setno, bool mn,
		    meta_drive_lookup_fn lookup, void *arg,
		    struct meta_cfg **cfgp, meta_error_t *ep);
void meta_cfg_destroy(struct meta_cfg *cfg);

const char *meta_cfg_setname(const struct meta_cfg *cfg);
bool meta_cfg_is_mn(const struct meta_cfg *cfg);
/* The unit dN / pool hspN, or NULL. */
const struct meta_unit *meta_cfg_unit(const struct meta_cfg *cfg, uint32_t num);
const struct meta_hsp *meta_cfg_hsp(const struct meta_cfg *cfg, uint32_t num);
uint32_t meta_cfg_nunits(const struct meta_cfg *cfg);
uint32_t meta_cfg_nhsps(const struct meta_cfg *cfg);

/*
 * meta_cfg_check - check every invariant of the whole model (sizes,
 * references, no drive block used twice, limits).  Run on a freshly loaded
 * model; the operations keep it true.  0, or -1 naming the first offender.
 */
int meta_cfg_check(struct meta_cfg *cfg, meta_error_t *ep);

/*
 * meta_cfg_add_unit / meta_cfg_add_hsp - take ownership of a decoded object
 * and link it into the model (loading).  Duplicates are refused (EEXIST);
 * on failure the object is freed.  Call meta_cfg_check() after the last.
 */
int meta_cfg_add_unit(struct meta_cfg *cfg, struct meta_unit *u,
		      meta_error_t *ep);
int meta_cfg_add_hsp(struct meta_cfg *cfg, struct meta_hsp *h,
		     meta_error_t *ep);

/* meta_unit_free / meta_hsp_free - free an object that is not linked. */
void meta_unit_free(struct meta_unit *u);
void meta_hsp_free(struct meta_hsp *h);

/* Human form of a unit/pool name in this set: "blue/d10" or "d10". */
char *meta_cfg_uname(const struct meta_cfg *cfg, uint32_t num, char *buf,
		     size_t len);
char *meta_cfg_hname(const struct meta_cfg *cfg, uint32_t num, char *buf,
		     size_t len);

/* ---- changes (meta_cfg.c) ---- */

enum meta_rkind {
	META_RK_UNIT = 1,
	META_RK_HSP = 2,
};

struct meta_chop {
	uint32_t co_kind; /* enum meta_rkind */
	uint32_t co_num;
	struct meta_unit *co_unit; /* new object for a put; NULL: delete */
	struct meta_hsp *co_hsp;
};

/* A validated change: records to put and delete, in order. */
struct meta_change {
	uint32_t ch_nops;
	uint32_t ch_cap;
	struct meta_chop *ch_ops;
};

void meta_change_init(struct meta_change *ch);
/* meta_change_release - free the ops and any objects not yet applied. */
void meta_change_release(struct meta_change *ch);

/*
 * A record store: the glue to the set's mddb (meta_cfg_store.c) implements
 * it, so does the unit tests' in-memory store.  @txn is opaque.
 */
struct meta_store_ops {
	int (*so_foreach)(void *arg, uint32_t rkind,
			  int (*fn)(void *farg, uint32_t id, const void *data,
				    size_t len),
			  void *farg, meta_error_t *ep);
	int (*so_begin)(void *arg, void **txnp, meta_error_t *ep);
	int (*so_put)(void *txn, uint32_t rkind, uint32_t id, const void *data,
		      size_t len, meta_error_t *ep);
	int (*so_del)(void *txn, uint32_t rkind, uint32_t id, meta_error_t *ep);
	int (*so_commit)(void *txn, meta_error_t *ep); /* consumes txn */
	void (*so_abort)(void *txn);
};

/*
 * Called by meta_cfg_apply() once a change is committed and applied to the
 * model, with the @n canonical names @drives of the drives on which the
 * change created, grew, cleared or renumbered a soft partition (the model
 * @cfg as it now is).  It cannot fail the change, which is committed: it
 * reports its own trouble (meta_spwm_post() writes the drives' extent
 * headers and prints a warning when it cannot).
 */
typedef void (*meta_store_post_fn)(void *arg, const struct meta_cfg *cfg,
				   const char (*drives)[META_DRVNAMELEN],
				   uint32_t n);

struct meta_store {
	const struct meta_store_ops *ms_ops;
	void *ms_arg;
	meta_store_post_fn ms_post; /* NULL: none */
	void *ms_post_arg;
};

/*
 * meta_cfg_apply - write @ch through @st in one transaction (every record
 * encoded first; nothing written if any step fails) and then apply it to
 * the model.  @st NULL is a dry run: nothing is written, the model in
 * memory is changed so that later operations see it.  @ch is emptied on
 * success (the model owns its objects) and left for
 * meta_change_release() on failure.  After a commit, @st's ms_post (if
 * any) is called for the drives whose soft partitions the change touched.
 */
int meta_cfg_apply(struct meta_cfg *cfg, struct meta_change *ch,
		   const struct meta_store *st, meta_error_t *ep);

/*
 * The undo journal: a dry run on a model that must come back as it was
 * (mdcommd's in-core model, a BC_CMD's dry run) without copying it.
 *
 * meta_cfg_undo_begin - from now on every meta_cfg_apply() on @cfg keeps
 *     the objects it replaces or deletes (instead of freeing them), as the
 *     inverse change.  Only dry runs: meta_cfg_apply() with a store is
 *     refused (ME_INTERNAL) while the journal is on.  Cost: nothing at
 *     begin; per apply, one array of its ops.  ME_INTERNAL if already on.
 * meta_cfg_undo - apply the inverse changes, the last first, so that the
 *     model holds again the very objects it held at meta_cfg_undo_begin()
 *     (same pointers, same derived indexes); the journal is off after it.
 *     Cannot fail; O(the changes undone).  No-op when the journal is off.
 * meta_cfg_undo_end - keep the changes: free what the journal kept and
 *     turn it off.
 * An apply that fails leaves the journal as it was.
 */
int meta_cfg_undo_begin(struct meta_cfg *cfg, meta_error_t *ep);
void meta_cfg_undo(struct meta_cfg *cfg);
void meta_cfg_undo_end(struct meta_cfg *cfg);

/*
 * meta_cfg_load - read every unit and pool record of @st into an empty
 * @cfg, decode each (a bad record is an error naming it), and check the
 * whole.
 */
int meta_cfg_load(struct meta_cfg *cfg, const struct meta_store *st,
		  meta_error_t *ep);

/* ---- operations (meta_ops.c): validate and build a change ---- */

/*
 * Every meta_op_*() below has the same contract:
 *
 *   @cfg  the model; read, never changed.
 *   @ch   in/out: an initialised change; on success the operation has added
 *         its puts (new copies of objects, owned by @ch) and deletions.
 *         Several operations may add to one change when they touch
 *         different objects (metahs over several pools).  Write and apply
 *         it with meta_cfg_apply(); on failure release it.
 *   @ep   out: on failure the error, naming the object ("blue/d10").
 *
 * Returns 0 or -1.  On failure @ch may hold part of this call's work (after
 * ENOMEM only): release it, do not apply it.  Errors common to all: ME_CFG_RANGE (a number
 * out of range), ME_CFG_NOENT (no such unit or pool), ME_CFG_BADTYPE (a
 * unit of the wrong type, or a metadevice where a drive is wanted), ENOMEM.
 * Drive names are resolved through the model's lookup function, whose
 * errors pass through (ENOENT, ME_SET_NODRIVE).  Not thread-safe (the
 * model is not).
 */

/* A stripe/concat row as given: drive names and an interlace. */
struct meta_rowspec {
	uint32_t rs_ncomp;
	uint64_t rs_interlace; /* blocks; 0: META_DEF_INTERLACE */
	const char *const *rs_names;
};

/*
 * meta_op_stripe - concat/stripe dN of @nrows rows, associated with pool
 * @hsp (META_NONE: none).  Errors: ME_CFG_EXISTS, ME_CFG_LIMIT (rows,
 * components), ME_CFG_BADINTERLACE, ME_CFG_DUPLICATE (a drive named twice),
 * ME_CFG_COMPUSED (a drive in another stripe, under a soft partition, or a
 * spare), ME_CFG_BADSIZE (a component smaller than the interlace).
 */
int meta_op_stripe(struct meta_cfg *cfg, uint32_t num, uint32_t nrows,
		   const struct meta_rowspec *rows, uint32_t hsp,
		   struct meta_change *ch, meta_error_t *ep);

/* Mirror options; -1 leaves a field as it is (or at its default). */
struct meta_mirror_opts {
	int mo_read; /* enum meta_rdopt */
	int mo_write; /* enum meta_wropt */
	int mo_pass; /* 0..9 */
	int mo_resync; /* enum meta_rsopt */
};

/* meta_mirror_opts_init - every field -1. */
void meta_mirror_opts_init(struct meta_mirror_opts *o);

/*
 * meta_op_mirror - mirror dN of the @nsm concat/stripes @sm (all Okay), of
 * the smallest one's size, with options @o (NULL: defaults) and the lowest
 * free resync record slot.  Errors: ME_CFG_EXISTS, ME_CFG_TOOMANYSM (0 or
 * more than 4), ME_CFG_INUSE (a submirror of another mirror, or carrying
 * soft partitions), ME_CFG_DUPLICATE, ME_CFG_LIMIT (no resync slot left),
 * ME_USAGE (an option out of range).
 */
int meta_op_mirror(struct meta_cfg *cfg, uint32_t num, uint32_t nsm,
		   const uint32_t *sm, const struct meta_mirror_opts *o,
		   struct meta_change *ch, meta_error_t *ep);

/*
 * meta_op_sp - soft partition dN on @parent (a drive name, or "dM" /
 * "set/dM" for a mirror or a top-level stripe) of @nsizes sizes in blocks,
 * one extent each, allocated first fit; a size of 0 means all the free
 * space left (then @nsizes must be 1).  Errors: ME_CFG_EXISTS,
 * ME_CFG_OTHERSET, ME_CFG_INUSE (a submirror), ME_CFG_COMPUSED (the drive
 * is a stripe's component or a spare), ME_CFG_BADSIZE, ME_CFG_NOSPACE
 * ("need N blocks, M free"), ME_CFG_LIMIT (extents).
 */
int meta_op_sp(struct meta_cfg *cfg, uint32_t num, const char *parent,
	       uint32_t nsizes, const uint64_t *sizes, struct meta_change *ch,
	       meta_error_t *ep);

/*
 * meta_op_sp_align - meta_op_sp() with SVM's -A alignment @align (blocks;
 * 0 none, at most META_SP_MAXALIGN, else ME_CFG_BADSIZE), kept in the
 * soft partition for its growth: every extent starts on a block congruent
 * to its offset in the soft partition modulo @align, so the first one on
 * an @align boundary, and every extent but the last of one request is a
 * multiple of @align long (so that the next one starts on a boundary too).
 * The blocks skipped before an aligned extent stay free.  ME_CFG_NOSPACE
 * also when the free space is there but not at aligned places.
 */
int meta_op_sp_align(struct meta_cfg *cfg, uint32_t num, const char *parent,
		     uint32_t nsizes, const uint64_t *sizes, uint64_t align,
		     struct meta_change *ch, meta_error_t *ep);

/*
 * meta_op_sp_exts - soft partition dN with the given extents (metastat -p's
 * "-o offset -b blocks" pairs, so that md.tab recreates the same layout);
 * only me_poff and me_len are used.  Each must fit the parent
 * (ME_CFG_BADSIZE) and overlap nothing, its watermark block included
 * (ME_CFG_OVERLAP); with @align (as meta_op_sp_align()) each must start
 * congruent to its offset in the soft partition (ME_CFG_BADSIZE).  Other
 * errors as meta_op_sp().
 */
int meta_op_sp_exts(struct meta_cfg *cfg, uint32_t num, const char *parent,
		    uint32_t next, const struct meta_ext *exts, uint64_t align,
		    struct meta_change *ch, meta_error_t *ep);

/*
 * meta_op_hsp - pool hspNNN of @nspares spares (0 allowed).  Errors:
 * ME_CFG_EXISTS, ME_CFG_LIMIT, ME_CFG_DUPLICATE, ME_CFG_COMPUSED (a drive
 * in a stripe or under a soft partition; a spare may be in other pools).
 */
int meta_op_hsp(struct meta_cfg *cfg, uint32_t num, uint32_t nspares,
		const char *const *names, struct meta_change *ch,
		meta_error_t *ep);

#define META_CLR_RECURSIVE 0x1 /* also what the unit is built on */
#define META_CLR_FORCE 0x2 /* even with components needing maintenance */

/*
 * meta_op_clear - delete unit @num; with META_CLR_RECURSIVE also a mirror's
 * submirrors and the unit under the last soft partition on it.  Errors:
 * ME_CFG_INUSE (a submirror; soft partitions on it), ME_CFG_ERRED (a
 * component needs maintenance and META_CLR_FORCE is not given).
 */
int meta_op_clear(struct meta_cfg *cfg, uint32_t num, int flags,
		  struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_clear_hsp - delete pool @num.  Errors: ME_CFG_INUSE (associated
 * with a stripe), ME_CFG_SPAREINUSE.
 */
int meta_op_clear_hsp(struct meta_cfg *cfg, uint32_t num,
		      struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_clear_order - every unit and pool number in an order in which
 * each can be cleared (soft partitions, mirrors, stripes; then pools):
 * units into @units (room for META_MAXUNITS), pools into @hsps (room for
 * META_MAXHSP); the counts into *@nunits, *@nhsps.  Never fails.
 */
void meta_op_clear_order(const struct meta_cfg *cfg, uint32_t *units,
			 uint32_t *nunits, uint32_t *hsps, uint32_t *nhsps);
/*
 * meta_op_sps_on - the soft partitions built on @parent (a drive name or a
 * unit name) into @units (room for META_MAXUNITS), count in *@n.
 * ME_CFG_NOENT when there is none.
 */
int meta_op_sps_on(const struct meta_cfg *cfg, const char *parent,
		   uint32_t *units, uint32_t *n, meta_error_t *ep);

/*
 * meta_op_attach_sm - attach concat/stripe @sm to mirror @mirror; it is
 * Resyncing until the engine has copied it.  Errors: ME_CFG_NOTMIRROR,
 * ME_CFG_INUSE, ME_CFG_TOOMANYSM, ME_CFG_SMSMALL.
 */
int meta_op_attach_sm(struct meta_cfg *cfg, uint32_t mirror, uint32_t sm,
		      struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_detach_sm - detach @sm from @mirror.  Errors: ME_CFG_NOTMIRROR,
 * ME_CFG_NOTSUB, ME_CFG_LASTSM, ME_CFG_LASTOKAY (no other submirror Okay
 * and not @force).
 */
int meta_op_detach_sm(struct meta_cfg *cfg, uint32_t mirror, uint32_t sm,
		      bool force, struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_grow_sp - grow soft partition @num by @blocks with new extents in
 * the free space of its parent, aligned as the soft partition was created
 * (meta_op_sp_align()).  Errors: ME_CFG_BADTYPE, ME_CFG_BADSIZE (0),
 * ME_CFG_NOSPACE, ME_CFG_LIMIT.
 */
int meta_op_grow_sp(struct meta_cfg *cfg, uint32_t num, uint64_t blocks,
		    struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_grow_stripe - add one row to concat/stripe @num; if it is a
 * submirror, its mirror grows to its smallest submirror in the same
 * change.  Errors as meta_op_stripe(), and ME_CFG_LIMIT.
 */
int meta_op_grow_stripe(struct meta_cfg *cfg, uint32_t num,
			const struct meta_rowspec *row, struct meta_change *ch,
			meta_error_t *ep);
/*
 * meta_op_param_mirror - change mirror @num's options (fields of @o that
 * are not -1).  Errors: ME_CFG_NOTMIRROR, ME_USAGE (out of range).
 */
int meta_op_param_mirror(struct meta_cfg *cfg, uint32_t num,
			 const struct meta_mirror_opts *o,
			 struct meta_change *ch, meta_error_t *ep);
/* meta_op_param_hsp - associate concat/stripe @num with pool @hsp
 * (META_NONE: none).  Errors: ME_CFG_BADTYPE, ME_CFG_NOENT. */
int meta_op_param_hsp(struct meta_cfg *cfg, uint32_t num, uint32_t hsp,
		      struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_rename - rename unit @from to @to (a deletion and a put).
 * Errors: ME_CFG_EXISTS, ME_CFG_RANGE, ME_CFG_INUSE (a submirror, or soft
 * partitions on it).
 */
int meta_op_rename(struct meta_cfg *cfg, uint32_t from, uint32_t to,
		   struct meta_change *ch, meta_error_t *ep);
/*
 * meta_op_exchange - exchange the names of a mirror and one of its
 * submirrors (metarename -x; @a and @b in either order): the mirror takes
 * the submirror's number and the submirror the mirror's, the mirror keeping
 * its other submirrors, options and resync record slot; one change of two
 * records.  As SVM's checks of the configuration: ME_CFG_UNRELATED (not a
 * mirror and its submirror), ME_CFG_INUSE (soft partitions on the mirror),
 * ME_CFG_RESYNCING (a submirror or a component of one resyncing),
 * ME_CFG_COMPERRED (a component of a submirror not Okay).  SVM also refuses
 * a mirror that is open; that is the I/O engine's state, not checked here.
 */
int meta_op_exchange(struct meta_cfg *cfg, uint32_t a, uint32_t b,
		     struct meta_change *ch, meta_error_t *ep);

/*
 * Hot spares.  meta_op_hs_add - add @drive to pool @hsp, creating the pool
 * if it does not exist (ME_CFG_EXISTS if already there, ME_CFG_COMPUSED,
 * ME_CFG_LIMIT).  meta_op_hs_delete - remove it (ME_CFG_NOTSPARE,
 * ME_CFG_SPAREINUSE).  meta_op_hs_replace - replace @old by @newd in place
 * (errors of both).  meta_op_hs_enable - make a Broken spare Available
 * (ME_CFG_NOTSPARE).
 */
int meta_op_hs_add(struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		   struct meta_change *ch, meta_error_t *ep);
int meta_op_hs_delete(struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		      struct meta_change *ch, meta_error_t *ep);
int meta_op_hs_replace(struct meta_cfg *cfg, uint32_t hsp, const char *old,
		       const char *newd, struct meta_change *ch,
		       meta_error_t *ep);
int meta_op_hs_enable(struct meta_cfg *cfg, uint32_t hsp, const char *drive,
		      struct meta_change *ch, meta_error_t *ep);
/* meta_hsp_has - is @drive (any name the lookup resolves) a spare of pool
 * @hsp?  False for a pool that does not exist. */
bool meta_hsp_has(const struct meta_cfg *cfg, uint32_t hsp, const char *drive);

/* ---- record encoding (meta_unit_fmt.c, doc/format-units.md) ---- */

/*
 * meta_unit_encode - @u into a malloc'd record (*@bufp, *@lenp; the
 * caller frees).  meta_unit_decode - a record of @len bytes into a new
 * unit (*@up, free with meta_unit_free); refuses a short or long record,
 * bad magic, an unknown version or feature bit, and out-of-range values
 * with ME_CFG_BADREC / ME_CFG_BADVERSION naming record @id.  Never reads
 * past @len.  Same for pools.
 */
int meta_unit_encode(const struct meta_unit *u, void **bufp, size_t *lenp,
		     meta_error_t *ep);
int meta_unit_decode(uint32_t id, const void *buf, size_t len,
		     struct meta_unit **up, meta_error_t *ep);
int meta_hsp_encode(const struct meta_hsp *h, void **bufp, size_t *lenp,
		    meta_error_t *ep);
int meta_hsp_decode(uint32_t id, const void *buf, size_t len,
		    struct meta_hsp **hp, meta_error_t *ep);

/* ---- md.tab (meta_mdtab.c) ---- */

/*
 * meta_mdtab_apply - parse md.tab text from @f (source name @fname for
 * messages) and apply each entry, in an order in which each can be
 * created, through meta_cfg_apply(cfg, ..., st).  An error names the file
 * and line and stops there; entries applied before it stay applied (each
 * is its own change), which is why metainit -a first runs the whole file
 * with @st NULL on a scratch model.  A bad or repeated name anywhere in the
 * file applies nothing.
 * Entries of another set ("red/d1" when the set is blue) are refused.
 * With @st NULL everything is checked in memory (metainit -n -a).
 */
int meta_mdtab_apply(struct meta_cfg *cfg, FILE *f, const char *fname,
		     const struct meta_store *st, meta_error_t *ep);

/*
 * meta_mdtab_words - apply one entry given as words (metainit's command
 * line after the options: "d1 2 1 drvA 1 drvB -i 32k").
 */
int meta_mdtab_words(struct meta_cfg *cfg, int argc, char *const *argv,
		     const struct meta_store *st, meta_error_t *ep);

/* ---- a set's configuration, persistent (meta_cfg_store.c, meta_cfg_set.c) */

struct mddb;

/*
 * Probe drive @name of the set on this node (metastat -i): 0 when it is
 * present and the first and last blocks of its data area read; else -1
 * with the reason in @ep (ME_MDL_NOTFOUND: not found on this node; the
 * errno of the open or the read).  Reads only.
 */
typedef int (*meta_drive_probe_fn)(void *arg, const char *name,
				   meta_error_t *ep);

/*
 * An open configuration: the model of one set loaded from the set's mddb,
 * and the store that writes changes back to it (records MDDB_RT_UNIT and
 * MDDB_RT_HSP, ids the unit and pool numbers).
 */
struct meta_cfgh {
	struct meta_cfg *ch_cfg; /* the model; owned */
	struct meta_store ch_store; /* writes to ch_db */
	struct mddb *ch_db; /* borrowed from the backend */
	char ch_set[META_SETNAMELEN];
	uint32_t ch_setno;
	bool ch_mn;
	meta_drive_lookup_fn ch_lookup;
	void *ch_lookup_arg; /* also ch_probe's */
	meta_drive_probe_fn ch_probe; /* NULL: this handle cannot probe */
	void *ch_priv; /* the backend's (meta_cfg_set.c: the meta_set) */
};

/*
 * meta_cfgh_init - fill @h for the set database @db (set @set, number
 * @setno, multi-owner @mn; drives resolved by @lookup with @arg) and load
 * the model from it (meta_cfg_load(): every record decoded and the whole
 * checked).  On failure nothing is left to release.
 */
int meta_cfgh_init(struct meta_cfgh *h, struct mddb *db, const char *set,
		   uint32_t setno, bool mn, meta_drive_lookup_fn lookup,
		   void *arg, meta_error_t *ep);
/* meta_cfgh_reload - drop the model and load it again from the store (after
 * a dry run changed it in memory).  On failure h->ch_cfg is NULL. */
int meta_cfgh_reload(struct meta_cfgh *h, meta_error_t *ep);
/* meta_cfgh_release - free the model (not the database). */
void meta_cfgh_release(struct meta_cfgh *h);
/* meta_store_mddb - @st writes unit and pool records to @db (no ms_post). */
void meta_store_mddb(struct meta_store *st, struct mddb *db);

/*
 * meta_cfg_drive_unused - 0 when drive @drive (a canonical name) is used by
 * no unit of @cfg (as a component or under a soft partition) and is no
 * spare of any pool; else -1 with ME_CFG_DRIVEUSED, the message naming the
 * first user.
 */
int meta_cfg_drive_unused(const struct meta_cfg *cfg, const char *drive,
			  meta_error_t *ep);

struct meta_set;

/*
 * meta_set_drives_unused - check, before a drive is deleted from open set
 * @s, that none of the @n drives @names (as the user gives them) is used by
 * the set's configuration, which it loads from the set's replicas (a set
 * without replicas has none).  Writes nothing.  Errors: those of
 * meta_set_drive_find() (a drive not in the set), of loading the
 * configuration, and ME_CFG_DRIVEUSED.
 */
int meta_set_drives_unused(struct meta_set *s, const char *const *names, int n,
			   meta_error_t *ep);

/*
 * meta_cfg_open - open set @set (meta_set_open()) and load its
 * configuration; *@hp is freed with meta_cfg_close(), which also closes the
 * set.  Errors: those of meta_set_open() (ME_SET_NOTFOUND, ...), ME_CFG_*
 * from loading (a corrupted record names itself), ENOMEM.
 */
int meta_cfg_open(const char *set, struct meta_cfgh **hp, meta_error_t *ep);
void meta_cfg_close(struct meta_cfgh *h);

/* ---- printing (meta_print.c) ---- */

/*
 * Every printer writes names with the set prefix ("blue/d10"), as SVM's
 * metastat does for a named set.  @nsel/@sel select units and pools
 * (submirrors follow their mirror); nsel 0 prints everything.  A selected
 * name that does not exist is skipped: the caller checks existence first.
 */

/* metastat -p: md.tab lines that rebuild the configuration. */
void meta_print_mdtab(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
		      const struct meta_name *sel);
/* metastat: SVM's long form, with the device relocation table. */
void meta_print_status(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
		       const struct meta_name *sel);
/*
 * metastat -c: SVM's concise form, one line per unit with the units it is
 * built on indented under it: soft partitions first, grouped by the drive
 * or metadevice under them (shown once, under the group), then mirrors,
 * then concats/stripes, then pools; with @nsel, the names in that order.
 */
void meta_print_concise(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
			const struct meta_name *sel);
/* metastat -j: one JSON object for tools. */
void meta_print_json(const struct meta_cfg *cfg, FILE *f, uint32_t nsel,
		     const struct meta_name *sel);

#endif /* OBAN_META_CFG_H */
