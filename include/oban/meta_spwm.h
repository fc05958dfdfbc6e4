/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta_spwm: the extent headers ("watermarks") of soft partitions on a
 * drive, for metarecover(8).  Format: doc/format-units.md, "Extent
 * headers".
 *
 * A soft partition's extent is preceded by one block (META_SP_WMBLOCKS)
 * that the allocator leaves free.  An extent header there says whose
 * extent follows (set, drive, unit, its index and offset in the soft
 * partition, its length); a FREE header does the same for a free gap.  The
 * headers of one drive form a chain that covers the drive's data area from
 * block 0 to its end: each header's successor is at start + 1 + length.
 * So the chain can be walked from block 0 without the configuration, and a
 * lost configuration can be rebuilt from it.
 *
 * Every committed change that creates, grows, clears or renumbers a soft
 * partition built on a drive rewrites the headers of that drive that
 * differ from the configuration (meta_spwm_post(), the set's store's
 * ms_post hook: meta_cfg_open() and, on a multi-owner set, the master's
 * mdcommd install it).  Soft partitions on a metadevice get no headers:
 * they would be written through the metadevice, which needs the engine
 * (not built).  `metarecover -p -m` writes a drive's whole chain.
 *
 * Errors: 0 / -1 and the caller's meta_error_t.  Thread-safe (no state).
 */
#ifndef OBAN_META_SPWM_H
#define OBAN_META_SPWM_H

#include <stdint.h>

#include <oban/error.h>
#include <oban/meta_cfg.h>

struct meta_dev;

#define META_SPWM_MAGIC 0x4d57424fu /* "OBWM" */
#define META_SPWM_VERSION 1
#define META_SPWM_HDRLEN 96 /* bytes used; the rest of the block is 0 */
#define META_SPWM_BSIZE 512 /* one block */

enum meta_spwm_type {
	META_SPWM_ALLOC = 1, /* an extent of soft partition wm_unit */
	META_SPWM_FREE = 2, /* a free gap */
};

struct meta_spwm {
	uint32_t wm_type; /* enum meta_spwm_type */
	uint32_t wm_unit; /* ALLOC: the soft partition; FREE: META_NONE */
	uint32_t wm_seq; /* ALLOC: the extent's index, 0.. */
	uint32_t wm_next; /* ALLOC: the soft partition's extent count */
	uint64_t wm_start; /* block of this header in the data area */
	uint64_t wm_len; /* blocks that follow it (the extent, or the gap) */
	uint64_t wm_voff; /* ALLOC: the extent's offset in the soft partition */
	uint32_t wm_setno;
	uint8_t wm_setuuid[META_UUIDLEN];
	uint8_t wm_drvuuid[META_UUIDLEN];
};

/* meta_spwm_encode - @w into the META_SPWM_BSIZE bytes at @blk. */
void meta_spwm_encode(const struct meta_spwm *w, void *blk);

/*
 * meta_spwm_decode - one block into @w.  Errors (the object @what):
 * ME_CFG_NOHEADER (no header: magic), ME_MDDB_BADVERSION,
 * ME_MDDB_BADCKSUM, ME_CFG_BADREC (a type, length or field out of range).
 */
int meta_spwm_decode(const void *blk, struct meta_spwm *w, const char *what,
		     meta_error_t *ep);

/*
 * meta_spwm_plan - the chain that describes the soft partitions of @cfg on
 * drive @drive (canonical name; uuid @drvuuid, @plen data blocks) of the
 * set (number @setno, uuid @setuuid).  *@wp (malloc'd) gets *@nw headers in block order.
 * Errors: ME_CFG_NOENT (no soft partition on the drive), ME_CFG_BADREC
 * (extents that overlap or leave the drive), ENOMEM.
 */
int meta_spwm_plan(const struct meta_cfg *cfg, const char *drive,
		   uint32_t setno, const uint8_t *setuuid,
		   const uint8_t *drvuuid, uint64_t plen, struct meta_spwm **wp,
		   uint32_t *nw, meta_error_t *ep);

/*
 * meta_spwm_read - walk the chain of drive @drive on @d, whose data area
 * starts at byte @off and has @plen blocks.  Every header must decode, sit
 * where the previous one points, name set @setuuid and drive @drvuuid and
 * stay inside the area.  *@wp (malloc'd, also on failure) gets the *@nw
 * headers read.  Errors: meta_spwm_decode()'s and ME_CFG_NOHEADER naming
 * the block where the chain breaks; the device's errors.
 */
int meta_spwm_read(struct meta_dev *d, uint64_t off, uint64_t plen,
		   const char *drive, const uint8_t *setuuid,
		   const uint8_t *drvuuid, struct meta_spwm **wp, uint32_t *nw,
		   meta_error_t *ep);

/*
 * meta_spwm_write - write @w[@nw] to @d (data area at byte @off), then
 * flush.  A sector larger than a block is read, changed and written.
 */
int meta_spwm_write(struct meta_dev *d, uint64_t off, const struct meta_spwm *w,
		    uint32_t nw, meta_error_t *ep);

/*
 * meta_spwm_plan_free - the chain of a drive without soft partitions
 * (@plen > 0 data blocks): one FREE header at block 0 over the whole area.
 */
void meta_spwm_plan_free(uint32_t setno, const uint8_t *setuuid,
			 const uint8_t *drvuuid, uint64_t plen,
			 struct meta_spwm *w);

/*
 * meta_spwm_update - as meta_spwm_write(), but read each header's block
 * first and write only those that differ (*@nwritten of them); flush when
 * any was written.  A block that does not decode counts as different.
 */
int meta_spwm_update(struct meta_dev *d, uint64_t off,
		     const struct meta_spwm *w, uint32_t nw, uint32_t *nwritten,
		     meta_error_t *ep);

/*
 * meta_spwm_post - a meta_store_post_fn, @arg the open struct meta_set:
 * for each drive, the chain planned from @cfg (the all-free one when no
 * soft partition is left on it) written with meta_spwm_update().  The
 * configuration is committed and stays the truth: a drive whose headers
 * cannot be written (not found on this node, an I/O error) gets a warning
 * on stderr naming the drive, the reason and `metarecover -s set drive -p
 * -m`, which writes them; the command still succeeds.
 */
void meta_spwm_post(void *arg, const struct meta_cfg *cfg,
		    const char (*drives)[META_DRVNAMELEN], uint32_t n);

/* One soft partition as a chain describes it. */
struct meta_spwm_sp {
	uint32_t ws_unit;
	uint32_t ws_next;
	struct meta_ext *ws_ext; /* in soft-partition order; me_poff is the
				    block after the header */
};

/*
 * meta_spwm_sps - the soft partitions of chain @w[@nw], ascending unit
 * numbers: each must have its extents 0..next-1 exactly once, with
 * contiguous offsets from 0.  Free with meta_spwm_sps_free().  Errors:
 * ME_CFG_BADREC naming the soft partition, ENOMEM.
 */
int meta_spwm_sps(const struct meta_spwm *w, uint32_t nw, const char *set,
		  struct meta_spwm_sp **sps, uint32_t *nsp, meta_error_t *ep);
void meta_spwm_sps_free(struct meta_spwm_sp *sps, uint32_t nsp);

#endif /* OBAN_META_SPWM_H */
