// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Soft partitions' extent headers (see include/oban/meta_spwm.h and
 * doc/format-units.md, "Extent headers").
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_dev.h>
#include <oban/meta_set.h>
#include <oban/meta_spwm.h>

#include "meta_crc.h"

/* The layout (doc/format-units.md). */
#define O_MAGIC 0
#define O_VERSION 4
#define O_HDRLEN 6
#define O_CRC 8
#define O_TYPE 12
#define O_UNIT 16
#define O_SEQ 20
#define O_NEXT 24
#define O_SETNO 28
#define O_START 32
#define O_LEN 40
#define O_VOFF 48
#define O_SETUUID 56
#define O_DRVUUID 72
#define O_PAD 88 /* 8 zero bytes up to META_SPWM_HDRLEN */

void meta_spwm_encode(const struct meta_spwm *w, void *blk)
{
	uint8_t *b = blk;

	memset(b, 0, META_SPWM_BSIZE);
	meta_put32(b + O_MAGIC, META_SPWM_MAGIC);
	meta_put16(b + O_VERSION, META_SPWM_VERSION);
	meta_put16(b + O_HDRLEN, META_SPWM_HDRLEN);
	meta_put32(b + O_TYPE, w->wm_type);
	meta_put32(b + O_UNIT, w->wm_unit);
	meta_put32(b + O_SEQ, w->wm_seq);
	meta_put32(b + O_NEXT, w->wm_next);
	meta_put32(b + O_SETNO, w->wm_setno);
	meta_put64(b + O_START, w->wm_start);
	meta_put64(b + O_LEN, w->wm_len);
	meta_put64(b + O_VOFF, w->wm_voff);
	memcpy(b + O_SETUUID, w->wm_setuuid, META_UUIDLEN);
	memcpy(b + O_DRVUUID, w->wm_drvuuid, META_UUIDLEN);
	meta_put32(b + O_CRC, meta_crc32c(0, b, META_SPWM_BSIZE));
}

int meta_spwm_decode(const void *blk, struct meta_spwm *w, const char *what,
		     meta_error_t *ep)
{
	uint8_t b[META_SPWM_BSIZE];
	uint32_t crc;
	bool zero = true;

	memcpy(b, blk, sizeof(b));
	if (meta_get32(b + O_MAGIC) != META_SPWM_MAGIC)
		return meta_error_set(ep, SET_ERROR(ME_CFG_NOHEADER), 0, what,
				      "cannot read extent header at");
	if (meta_get16(b + O_VERSION) != META_SPWM_VERSION)
		return meta_error_set(
			ep, SET_ERROR(ME_MDDB_BADVERSION), 0, what,
			"cannot read extent header (version %u) at",
			meta_get16(b + O_VERSION));
	crc = meta_get32(b + O_CRC);
	meta_put32(b + O_CRC, 0);
	if (meta_crc32c(0, b, sizeof(b)) != crc)
		return meta_error_set(ep, SET_ERROR(ME_MDDB_BADCKSUM), 0, what,
				      "cannot read extent header at");
	for (size_t i = O_PAD; i < sizeof(b); i++)
		zero = zero && b[i] == 0;
	memset(w, 0, sizeof(*w));
	w->wm_type = meta_get32(b + O_TYPE);
	w->wm_unit = meta_get32(b + O_UNIT);
	w->wm_seq = meta_get32(b + O_SEQ);
	w->wm_next = meta_get32(b + O_NEXT);
	w->wm_setno = meta_get32(b + O_SETNO);
	w->wm_start = meta_get64(b + O_START);
	w->wm_len = meta_get64(b + O_LEN);
	w->wm_voff = meta_get64(b + O_VOFF);
	memcpy(w->wm_setuuid, b + O_SETUUID, META_UUIDLEN);
	memcpy(w->wm_drvuuid, b + O_DRVUUID, META_UUIDLEN);
	if (meta_get16(b + O_HDRLEN) != META_SPWM_HDRLEN || !zero)
		return meta_error_set(
			ep, SET_ERROR(ME_CFG_BADREC), 0, what,
			"cannot read extent header (length or padding) at");
	if (w->wm_type == META_SPWM_ALLOC) {
		if (w->wm_unit >= META_MAXUNITS || w->wm_next == 0 ||
		    w->wm_next > META_MAXEXTS || w->wm_seq >= w->wm_next ||
		    w->wm_len == 0)
			return meta_error_set(
				ep, SET_ERROR(ME_CFG_BADREC), 0, what,
				"cannot read extent header (fields) at");
	} else if (w->wm_type == META_SPWM_FREE) {
		if (w->wm_unit != META_NONE || w->wm_seq != 0 ||
		    w->wm_next != 0 || w->wm_voff != 0)
			return meta_error_set(
				ep, SET_ERROR(ME_CFG_BADREC), 0, what,
				"cannot read free header (fields) at");
	} else {
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0, what,
				      "cannot read extent header (type %" PRIu32
				      ") at",
				      w->wm_type);
	}
	return 0;
}

static int wm_cmp(const void *a, const void *b)
{
	const struct meta_spwm *x = a, *y = b;

	return x->wm_start < y->wm_start ? -1 : x->wm_start > y->wm_start;
}

int meta_spwm_plan(const struct meta_cfg *cfg, const char *drive,
		   uint32_t setno, const uint8_t *setuuid,
		   const uint8_t *drvuuid, uint64_t plen, struct meta_spwm **wp,
		   uint32_t *nw, meta_error_t *ep)
{
	struct meta_spwm *w = NULL, *nwp;
	uint32_t n = 0, cap = 0, nalloc;
	uint64_t cur = 0;

	*wp = NULL;
	*nw = 0;
	/* The extents of every soft partition on the drive. */
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = meta_cfg_unit(cfg, i);

		if (u == NULL || u->mu_type != META_UT_SP ||
		    u->mu_sp.sp_parent != META_NONE ||
		    strcmp(u->mu_sp.sp_drive, drive) != 0)
			continue;
		for (uint32_t k = 0; k < u->mu_sp.sp_next; k++) {
			const struct meta_ext *e = &u->mu_sp.sp_ext[k];

			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				nwp = realloc(w, cap * sizeof(*w));
				if (nwp == NULL)
					goto nomem;
				w = nwp;
			}
			w[n++] = (struct meta_spwm){
				.wm_type = META_SPWM_ALLOC,
				.wm_unit = i,
				.wm_seq = k,
				.wm_next = u->mu_sp.sp_next,
				.wm_start = e->me_poff - META_SP_WMBLOCKS,
				.wm_len = e->me_len,
				.wm_voff = e->me_voff,
			};
		}
	}
	if (n == 0) {
		free(w);
		return meta_error_set(ep, SET_ERROR(ME_CFG_NOENT), 0, drive,
				      "no soft partition on drive");
	}
	qsort(w, n, sizeof(*w), wm_cmp);
	/* Room for a FREE header before each extent and one at the end. */
	nalloc = n;
	nwp = realloc(w, (2 * (size_t)n + 1) * sizeof(*w));
	if (nwp == NULL)
		goto nomem;
	w = nwp;
	for (uint32_t i = 0; i < nalloc; i++) {
		const struct meta_spwm *a = &w[i];

		if (a->wm_start < cur || a->wm_start + 1 + a->wm_len > plen ||
		    a->wm_start + 1 + a->wm_len < a->wm_start) {
			free(w);
			return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0,
					      drive,
					      "extent of d%" PRIu32
					      " at block %" PRIu64
					      " overlaps or leaves",
					      a->wm_unit, a->wm_start);
		}
		if (a->wm_start > cur)
			w[n++] = (struct meta_spwm){
				.wm_type = META_SPWM_FREE,
				.wm_unit = META_NONE,
				.wm_start = cur,
				.wm_len = a->wm_start - cur - 1,
			};
		cur = a->wm_start + 1 + a->wm_len;
	}
	if (cur < plen)
		w[n++] = (struct meta_spwm){ .wm_type = META_SPWM_FREE,
					     .wm_unit = META_NONE,
					     .wm_start = cur,
					     .wm_len = plen - cur - 1 };
	for (uint32_t i = 0; i < n; i++) {
		w[i].wm_setno = setno;
		memcpy(w[i].wm_setuuid, setuuid, META_UUIDLEN);
		memcpy(w[i].wm_drvuuid, drvuuid, META_UUIDLEN);
	}
	qsort(w, n, sizeof(*w), wm_cmp);
	*wp = w;
	*nw = n;
	return 0;
nomem:
	free(w);
	return meta_error_set(ep, SET_ERROR(ENOMEM), 0, drive,
			      "cannot plan extent headers");
}

/* The sector holding block @blk: its byte offset and the block's place. */
static void sector_of(const struct meta_dev *d, uint64_t off, uint64_t blk,
		      uint64_t *soff, size_t *in)
{
	uint64_t byte = off + blk * META_SPWM_BSIZE;
	uint32_t lsz = d->md_lsz ? d->md_lsz : META_SPWM_BSIZE;

	*soff = byte / lsz * lsz;
	*in = (size_t)(byte - *soff);
}

int meta_spwm_read(struct meta_dev *d, uint64_t off, uint64_t plen,
		   const char *drive, const uint8_t *setuuid,
		   const uint8_t *drvuuid, struct meta_spwm **wp, uint32_t *nw,
		   meta_error_t *ep)
{
	uint32_t lsz = d->md_lsz > META_SPWM_BSIZE ? d->md_lsz :
						     META_SPWM_BSIZE;
	uint8_t *buf = meta_dev_alloc(lsz);
	struct meta_spwm *w = NULL, *nwp;
	uint32_t n = 0, cap = 0;
	uint64_t b = 0;
	char what[META_DRVNAMELEN + 48];
	int rc = 0;

	*wp = NULL;
	*nw = 0;
	if (buf == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, drive,
				      "cannot read extent headers");
	while (b < plen) {
		struct meta_spwm h;
		uint64_t soff;
		size_t in;

		snprintf(what, sizeof(what), "%s block %" PRIu64, drive, b);
		sector_of(d, off, b, &soff, &in);
		if (meta_dev_read(d, buf, lsz, soff, ep) != 0 ||
		    meta_spwm_decode(buf + in, &h, what, ep) != 0) {
			rc = -1;
			break;
		}
		if (h.wm_start != b ||
		    memcmp(h.wm_setuuid, setuuid, META_UUIDLEN) != 0 ||
		    memcmp(h.wm_drvuuid, drvuuid, META_UUIDLEN) != 0 ||
		    h.wm_len > plen - b - 1 ||
		    (h.wm_type == META_SPWM_FREE && n > 0 &&
		     w[n - 1].wm_type == META_SPWM_FREE)) {
			rc = meta_error_set(
				ep, SET_ERROR(ME_CFG_NOHEADER), 0, what, "%s",
				h.wm_start != b ?
					"header written for block "
					"elsewhere at" :
				memcmp(h.wm_setuuid, setuuid, META_UUIDLEN) ?
					"header of another set at" :
				memcmp(h.wm_drvuuid, drvuuid, META_UUIDLEN) ?
					"header of another drive at" :
				h.wm_len > plen - b - 1 ?
					"extent past the data area at" :
					"free gap after a free gap at");
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nwp = realloc(w, cap * sizeof(*w));
			if (nwp == NULL) {
				rc = meta_error_set(ep, SET_ERROR(ENOMEM), 0,
						    drive,
						    "cannot read extent "
						    "headers");
				break;
			}
			w = nwp;
		}
		w[n++] = h;
		b += 1 + h.wm_len;
	}
	free(buf);
	*wp = w;
	*nw = n;
	return rc;
}

int meta_spwm_write(struct meta_dev *d, uint64_t off, const struct meta_spwm *w,
		    uint32_t nw, meta_error_t *ep)
{
	uint32_t lsz = d->md_lsz > META_SPWM_BSIZE ? d->md_lsz :
						     META_SPWM_BSIZE;
	uint8_t *buf = meta_dev_alloc(lsz);
	int rc = 0;

	if (buf == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, d->md_path,
				      "cannot write extent headers");
	for (uint32_t i = 0; i < nw && rc == 0; i++) {
		uint64_t soff;
		size_t in;

		sector_of(d, off, w[i].wm_start, &soff, &in);
		if (lsz > META_SPWM_BSIZE)
			rc = meta_dev_read(d, buf, lsz, soff, ep);
		if (rc == 0) {
			meta_spwm_encode(&w[i], buf + in);
			rc = meta_dev_write(d, buf, lsz, soff, ep);
		}
	}
	free(buf);
	if (rc == 0)
		rc = meta_dev_flush(d, ep);
	return rc;
}

static int sp_cmp(const void *a, const void *b)
{
	const struct meta_spwm *x = *(const struct meta_spwm *const *)a;
	const struct meta_spwm *y = *(const struct meta_spwm *const *)b;

	if (x->wm_unit != y->wm_unit)
		return x->wm_unit < y->wm_unit ? -1 : 1;
	return x->wm_seq < y->wm_seq ? -1 : x->wm_seq > y->wm_seq;
}

void meta_spwm_sps_free(struct meta_spwm_sp *sps, uint32_t nsp)
{
	for (uint32_t i = 0; sps != NULL && i < nsp; i++)
		free(sps[i].ws_ext);
	free(sps);
}

int meta_spwm_sps(const struct meta_spwm *w, uint32_t nw, const char *set,
		  struct meta_spwm_sp **spsp, uint32_t *nspp, meta_error_t *ep)
{
	const struct meta_spwm **a = calloc(nw + 1, sizeof(*a));
	struct meta_spwm_sp *sps = calloc(nw + 1, sizeof(*sps));
	uint32_t na = 0, nsp = 0;
	char nb[META_SETNAMELEN + 16];

	*spsp = NULL;
	*nspp = 0;
	if (a == NULL || sps == NULL) {
		free(a);
		free(sps);
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, set,
				      "cannot read extent headers");
	}
	for (uint32_t i = 0; i < nw; i++)
		if (w[i].wm_type == META_SPWM_ALLOC)
			a[na++] = &w[i];
	qsort(a, na, sizeof(*a), sp_cmp);
	for (uint32_t i = 0; i < na;) {
		const struct meta_spwm *f = a[i];
		struct meta_spwm_sp *s = &sps[nsp++];
		uint64_t voff = 0;
		uint32_t k;

		snprintf(nb, sizeof(nb), "%s/d%" PRIu32, set, f->wm_unit);
		s->ws_unit = f->wm_unit;
		s->ws_next = f->wm_next;
		s->ws_ext = calloc(f->wm_next, sizeof(*s->ws_ext));
		if (s->ws_ext == NULL) {
			meta_error_set(ep, SET_ERROR(ENOMEM), 0, nb,
				       "cannot read extent headers of");
			goto fail;
		}
		for (k = 0; i < na && a[i]->wm_unit == f->wm_unit; k++, i++) {
			const struct meta_spwm *e = a[i];

			if (e->wm_seq != k || e->wm_next != f->wm_next ||
			    e->wm_voff != voff) {
				meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0,
					       nb,
					       "extent %" PRIu32
					       " (header at block %" PRIu64
					       ") duplicated, out of order or "
					       "disagreeing, of",
					       e->wm_seq, e->wm_start);
				goto fail;
			}
			s->ws_ext[k] = (struct meta_ext){
				voff, e->wm_start + META_SP_WMBLOCKS, e->wm_len
			};
			voff += e->wm_len;
		}
		if (k != f->wm_next) {
			meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0, nb,
				       "%" PRIu32 " of %" PRIu32
				       " extents found on the drive, of",
				       k, f->wm_next);
			goto fail;
		}
	}
	free(a);
	*spsp = sps;
	*nspp = nsp;
	return 0;
fail:
	free(a);
	meta_spwm_sps_free(sps, nsp);
	return -1;
}

void meta_spwm_plan_free(uint32_t setno, const uint8_t *setuuid,
			 const uint8_t *drvuuid, uint64_t plen,
			 struct meta_spwm *w)
{
	*w = (struct meta_spwm){ .wm_type = META_SPWM_FREE,
				 .wm_unit = META_NONE,
				 .wm_start = 0,
				 .wm_len = plen > 0 ? plen - 1 : 0,
				 .wm_setno = setno };
	memcpy(w->wm_setuuid, setuuid, META_UUIDLEN);
	memcpy(w->wm_drvuuid, drvuuid, META_UUIDLEN);
}

/* @a and @b the same header, set and drive included. */
static bool wm_equal(const struct meta_spwm *a, const struct meta_spwm *b)
{
	return a->wm_type == b->wm_type && a->wm_unit == b->wm_unit &&
	       a->wm_seq == b->wm_seq && a->wm_next == b->wm_next &&
	       a->wm_start == b->wm_start && a->wm_len == b->wm_len &&
	       a->wm_voff == b->wm_voff && a->wm_setno == b->wm_setno &&
	       memcmp(a->wm_setuuid, b->wm_setuuid, META_UUIDLEN) == 0 &&
	       memcmp(a->wm_drvuuid, b->wm_drvuuid, META_UUIDLEN) == 0;
}

int meta_spwm_update(struct meta_dev *d, uint64_t off,
		     const struct meta_spwm *w, uint32_t nw, uint32_t *nwritten,
		     meta_error_t *ep)
{
	uint32_t lsz = d->md_lsz > META_SPWM_BSIZE ? d->md_lsz :
						     META_SPWM_BSIZE;
	uint8_t *buf = meta_dev_alloc(lsz);
	uint32_t n = 0;
	int rc = 0;

	*nwritten = 0;
	if (buf == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, d->md_path,
				      "cannot write extent headers");
	for (uint32_t i = 0; i < nw && rc == 0; i++) {
		struct meta_spwm cur;
		uint64_t soff;
		size_t in;

		sector_of(d, off, w[i].wm_start, &soff, &in);
		rc = meta_dev_read(d, buf, lsz, soff, ep);
		if (rc != 0)
			break;
		if (meta_spwm_decode(buf + in, &cur, d->md_path, NULL) == 0 &&
		    wm_equal(&cur, &w[i]))
			continue;
		meta_spwm_encode(&w[i], buf + in);
		rc = meta_dev_write(d, buf, lsz, soff, ep);
		n += rc == 0;
	}
	free(buf);
	if (rc == 0 && n > 0)
		rc = meta_dev_flush(d, ep);
	*nwritten = rc == 0 ? n : 0;
	return rc;
}

/* Write drive @drive's chain as @cfg now has it; the count written. */
static int post_one(struct meta_set *s, const struct meta_cfg *cfg,
		    const char *drive, uint32_t *nwritten, meta_error_t *ep)
{
	struct meta_drive_info di;
	struct meta_spwm *w = NULL, one;
	struct meta_dev *d;
	uint32_t nw = 0;
	uint64_t plen;
	int rc;

	memset(&di, 0, sizeof(di));
	if (meta_set_drive_find(s, drive, &di, ep) != 0)
		return -1;
	if (di.di_path[0] == '\0')
		return meta_error_set(ep, SET_ERROR(ME_MDL_NOTFOUND), 0, drive,
				      "cannot find on this node drive");
	plen = di.di_data_length / META_SPWM_BSIZE;
	if (meta_spwm_plan(cfg, di.di_name, meta_set_number(s),
			   meta_set_uuid(s), di.di_uuid, plen, &w, &nw,
			   ep) != 0) {
		if (ep->me_code != ME_CFG_NOENT || plen == 0)
			return -1;
		/* The last one cleared: the whole area is free. */
		meta_error_init(ep);
		meta_spwm_plan_free(meta_set_number(s), meta_set_uuid(s),
				    di.di_uuid, plen, &one);
	}
	if (meta_dev_open(di.di_path, 0, &d, ep) != 0) {
		free(w);
		return -1;
	}
	rc = meta_spwm_update(d, di.di_data_offset, w != NULL ? w : &one,
			      w != NULL ? nw : 1, nwritten, ep);
	meta_dev_close(d);
	free(w);
	return rc;
}

void meta_spwm_post(void *arg, const struct meta_cfg *cfg,
		    const char (*drives)[META_DRVNAMELEN], uint32_t n)
{
	struct meta_set *s = arg;
	struct meta_nodelist_ent self;
	uint32_t nwritten;
	meta_error_t e;

	for (uint32_t i = 0; i < n; i++) {
		meta_error_init(&e);
		if (post_one(s, cfg, drives[i], &nwritten, &e) == 0)
			continue;
		if (e.me_node == 0) {
			meta_error_t se;

			meta_error_init(&se);
			if (meta_node_self(&self, &se) == 0)
				e.me_node = self.ne_id;
		}
		fflush(stdout);
		fprintf(stderr,
			"warning: the configuration of set '%s' is changed, "
			"but the extent headers of drive '%s' are not "
			"written: %s; `metarecover -s %s %s -p -m` writes "
			"them\n",
			meta_set_name(s), drives[i], meta_strerror(&e),
			meta_set_name(s), drives[i]);
	}
}
