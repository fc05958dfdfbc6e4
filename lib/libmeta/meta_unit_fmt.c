// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * On-disk encoding of units and hot spare pools (doc/format-units.md).
 *
 * A unit is one mddb record of type MDDB_RT_UNIT whose id is the unit
 * number; a pool is one record of type MDDB_RT_HSP whose id is the pool
 * number.  Every structure below is fixed-width little-endian with explicit
 * zeroed pads and a static assertion on its size; each has one encode and
 * one decode function.  Decoding checks every length, the magic, the
 * version, the incompatible feature bits, every count, every enumerated
 * value, every pad and every name's termination, and never reads past the
 * record: a corrupted record is an error naming it, never a crash.  The
 * cross-record checks (sizes, references, overlaps) are meta_cfg_check()'s.
 *
 * Derived fields (a submirror's mirror, the soft partitions on a unit) are
 * not stored, so one change rewrites only the records it changes.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "meta_cfg_impl.h"

#define META_UNIT_MAGIC 0x4e55424fU /* "OBUN" */
#define META_HSP_MAGIC 0x5348424fU /* "OBHS" */
#define META_FMT_VERSION 1
/*
 * Incompatible features: a reader that does not know a bit set here refuses
 * the record as a newer version rather than as corrupt.
 */
#define META_FMT_F_SPALIGN 0x1U /* a soft partition's -A alignment */
#define META_FMT_FEATURES META_FMT_F_SPALIGN /* the bits this code knows */

struct meta_unit_hdr_d {
	uint32_t uh_magic;
	uint16_t uh_version;
	uint16_t uh_hdrlen;
	uint32_t uh_reclen;
	uint32_t uh_features;
	uint32_t uh_type;
	uint32_t uh_num;
	uint64_t uh_size;
	uint32_t uh_count; /* rows, submirrors or extents */
	uint32_t uh_count2; /* stripe: components in all rows */
	uint64_t uh_align; /* soft partition: -A alignment; else 0 */
};
_Static_assert(sizeof(struct meta_unit_hdr_d) == 48, "unit header size");

struct meta_stripe_d {
	uint32_t sd_hsp;
	uint8_t sd_pad[4];
};
_Static_assert(sizeof(struct meta_stripe_d) == 8, "stripe size");

struct meta_row_d {
	uint32_t rd_ncomp;
	uint8_t rd_pad[4];
	uint64_t rd_interlace;
};
_Static_assert(sizeof(struct meta_row_d) == 16, "row size");

struct meta_comp_d {
	char cd_name[META_DRVNAMELEN];
	uint8_t cd_uuid[META_UUIDLEN];
	uint64_t cd_start;
	uint64_t cd_size;
	uint32_t cd_state;
	uint8_t cd_pad[4];
};
_Static_assert(sizeof(struct meta_comp_d) == 168, "component size");
/* The largest unit record fits one mddb record (MDDB_REC_MAXLEN, 1 MiB). */
_Static_assert(48 + 8 + 16 * META_MAXROWS + 168 * META_MAXSTCOMPS <= 1048576,
	       "largest concat record");

struct meta_mirror_d {
	uint32_t mmd_sm[META_NMIRROR];
	uint32_t mmd_smstate[META_NMIRROR];
	uint8_t mmd_read;
	uint8_t mmd_write;
	uint8_t mmd_pass;
	uint8_t mmd_resync;
	uint32_t mmd_rsslot;
};
_Static_assert(sizeof(struct meta_mirror_d) == 40, "mirror size");

struct meta_sp_d {
	uint32_t spd_parent;
	uint32_t spd_state;
	char spd_drive[META_DRVNAMELEN];
	uint8_t spd_uuid[META_UUIDLEN];
};
_Static_assert(sizeof(struct meta_sp_d) == 152, "soft partition size");

struct meta_ext_d {
	uint64_t ed_voff;
	uint64_t ed_poff;
	uint64_t ed_len;
};
_Static_assert(sizeof(struct meta_ext_d) == 24, "extent size");

struct meta_hsp_hdr_d {
	uint32_t hh_magic;
	uint16_t hh_version;
	uint16_t hh_hdrlen;
	uint32_t hh_reclen;
	uint32_t hh_features;
	uint32_t hh_num;
	uint32_t hh_nspares;
	uint8_t hh_pad[8];
};
_Static_assert(sizeof(struct meta_hsp_hdr_d) == 32, "pool header size");

struct meta_spare_d {
	char hsd_name[META_DRVNAMELEN];
	uint8_t hsd_uuid[META_UUIDLEN];
	uint64_t hsd_size;
	uint32_t hsd_state;
	uint8_t hsd_pad[4];
};
_Static_assert(sizeof(struct meta_spare_d) == 160, "spare size");

/* ---- helpers ---- */

/* Every load checks every unit's zeroed fields: memcmp with itself one
 * byte on is libc's vector loop (was a byte loop). */
static bool zeroes(const void *p, size_t n)
{
	const uint8_t *b = p;

	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* A name field: NUL-terminated, not empty, zero after the NUL. */
static bool name_ok(const char *f, size_t n)
{
	const char *nul = memchr(f, '\0', n);

	return nul != NULL && nul != f && zeroes(nul, n - (size_t)(nul - f));
}

static void name_put(char *f, size_t n, const char *s)
{
	size_t l = strnlen(s, n - 1);

	memset(f, 0, n);
	memcpy(f, s, l);
}

static int bad(meta_error_t *ep, const char *kind, uint32_t id, const char *why)
{
	char obj[32];

	snprintf(obj, sizeof(obj), "%s %" PRIu32, kind, id);
	return meta_error_set(ep, SET_ERROR(ME_CFG_BADREC), 0, obj,
			      "cannot decode: %s", why);
}

/* ---- one encode/decode per structure ---- */

static void comp_enc(struct meta_comp_d *d, const struct meta_comp *c)
{
	memset(d, 0, sizeof(*d));
	name_put(d->cd_name, sizeof(d->cd_name), c->mc_name);
	memcpy(d->cd_uuid, c->mc_uuid, sizeof(d->cd_uuid));
	d->cd_start = htole64(c->mc_start);
	d->cd_size = htole64(c->mc_size);
	d->cd_state = htole32(c->mc_state);
}

static const char *comp_dec(struct meta_comp *c, const struct meta_comp_d *d)
{
	if (!name_ok(d->cd_name, sizeof(d->cd_name)))
		return "bad component name";
	if (!zeroes(d->cd_pad, sizeof(d->cd_pad)))
		return "non-zero pad";
	memcpy(c->mc_name, d->cd_name, sizeof(c->mc_name));
	memcpy(c->mc_uuid, d->cd_uuid, sizeof(c->mc_uuid));
	c->mc_start = le64toh(d->cd_start);
	c->mc_size = le64toh(d->cd_size);
	c->mc_state = le32toh(d->cd_state);
	if (c->mc_state == 0 || (c->mc_state & ~(uint32_t)META_CS_ALL))
		return "bad component state";
	if (c->mc_size == 0 || c->mc_start > UINT64_MAX - c->mc_size)
		return "bad component size";
	return NULL;
}

static void row_enc(struct meta_row_d *d, const struct meta_row *r)
{
	memset(d, 0, sizeof(*d));
	d->rd_ncomp = htole32(r->mr_ncomp);
	d->rd_interlace = htole64(r->mr_interlace);
}

static const char *row_dec(struct meta_row *r, const struct meta_row_d *d)
{
	if (!zeroes(d->rd_pad, sizeof(d->rd_pad)))
		return "non-zero pad";
	r->mr_ncomp = le32toh(d->rd_ncomp);
	r->mr_interlace = le64toh(d->rd_interlace);
	if (r->mr_ncomp == 0 || r->mr_ncomp > META_MAXCOMPS)
		return "bad component count";
	if (r->mr_ncomp == 1 ? r->mr_interlace != 0 :
			       (r->mr_interlace < META_MIN_INTERLACE ||
				r->mr_interlace > META_MAX_INTERLACE))
		return "bad interlace";
	return NULL;
}

static void mirror_enc(struct meta_mirror_d *d, const struct meta_mirror *m)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < META_NMIRROR; i++) {
		d->mmd_sm[i] = htole32(m->mm_sm[i]);
		d->mmd_smstate[i] = htole32(m->mm_smstate[i]);
	}
	d->mmd_read = m->mm_read;
	d->mmd_write = m->mm_write;
	d->mmd_pass = m->mm_pass;
	d->mmd_resync = m->mm_resync;
	d->mmd_rsslot = htole32(m->mm_rsslot);
}

static const char *mirror_dec(struct meta_mirror *m,
			      const struct meta_mirror_d *d, uint32_t nsm)
{
	for (uint32_t i = 0; i < META_NMIRROR; i++) {
		m->mm_sm[i] = le32toh(d->mmd_sm[i]);
		m->mm_smstate[i] = le32toh(d->mmd_smstate[i]);
		if (i >= nsm && (m->mm_sm[i] != 0 || m->mm_smstate[i] != 0))
			return "unused submirror slot not zero";
		if (i < nsm &&
		    (m->mm_sm[i] >= META_MAXUNITS || m->mm_smstate[i] == 0 ||
		     (m->mm_smstate[i] & ~(uint32_t)META_SMS_ALL)))
			return "bad submirror";
	}
	m->mm_nsm = nsm;
	m->mm_read = d->mmd_read;
	m->mm_write = d->mmd_write;
	m->mm_pass = d->mmd_pass;
	m->mm_resync = d->mmd_resync;
	m->mm_rsslot = le32toh(d->mmd_rsslot);
	if (m->mm_rsslot >= META_RSSLOTS)
		return "bad resync slot";
	if (m->mm_read > META_RD_FIRST || m->mm_write > META_WR_SERIAL ||
	    m->mm_pass > META_MAXPASS || m->mm_resync > META_RS_ABR)
		return "bad mirror option";
	return NULL;
}

static void sp_enc(struct meta_sp_d *d, const struct meta_sp *sp)
{
	memset(d, 0, sizeof(*d));
	d->spd_parent = htole32(sp->sp_parent);
	d->spd_state = htole32(sp->sp_state);
	name_put(d->spd_drive, sizeof(d->spd_drive), sp->sp_drive);
	memcpy(d->spd_uuid, sp->sp_uuid, sizeof(d->spd_uuid));
}

static const char *sp_dec(struct meta_sp *sp, const struct meta_sp_d *d)
{
	sp->sp_parent = le32toh(d->spd_parent);
	sp->sp_state = le32toh(d->spd_state);
	if (sp->sp_parent == META_NONE) {
		if (!name_ok(d->spd_drive, sizeof(d->spd_drive)))
			return "bad drive name";
	} else if (sp->sp_parent >= META_MAXUNITS ||
		   !zeroes(d->spd_drive, sizeof(d->spd_drive)) ||
		   !zeroes(d->spd_uuid, sizeof(d->spd_uuid))) {
		return "bad parent";
	}
	memcpy(sp->sp_drive, d->spd_drive, sizeof(sp->sp_drive));
	memcpy(sp->sp_uuid, d->spd_uuid, sizeof(sp->sp_uuid));
	if (sp->sp_state == 0 || (sp->sp_state & ~(uint32_t)META_CS_ALL))
		return "bad state";
	return NULL;
}

static void ext_enc(struct meta_ext_d *d, const struct meta_ext *e)
{
	d->ed_voff = htole64(e->me_voff);
	d->ed_poff = htole64(e->me_poff);
	d->ed_len = htole64(e->me_len);
}

static const char *ext_dec(struct meta_ext *e, const struct meta_ext_d *d)
{
	e->me_voff = le64toh(d->ed_voff);
	e->me_poff = le64toh(d->ed_poff);
	e->me_len = le64toh(d->ed_len);
	if (e->me_len == 0 || e->me_poff < META_SP_WMBLOCKS ||
	    e->me_poff > UINT64_MAX - e->me_len ||
	    e->me_voff > UINT64_MAX - e->me_len)
		return "bad extent";
	return NULL;
}

static void spare_enc(struct meta_spare_d *d, const struct meta_spare *s)
{
	memset(d, 0, sizeof(*d));
	name_put(d->hsd_name, sizeof(d->hsd_name), s->hs_name);
	memcpy(d->hsd_uuid, s->hs_uuid, sizeof(d->hsd_uuid));
	d->hsd_size = htole64(s->hs_size);
	d->hsd_state = htole32(s->hs_state);
}

static const char *spare_dec(struct meta_spare *s, const struct meta_spare_d *d)
{
	if (!name_ok(d->hsd_name, sizeof(d->hsd_name)))
		return "bad spare name";
	if (!zeroes(d->hsd_pad, sizeof(d->hsd_pad)))
		return "non-zero pad";
	memcpy(s->hs_name, d->hsd_name, sizeof(s->hs_name));
	memcpy(s->hs_uuid, d->hsd_uuid, sizeof(s->hs_uuid));
	s->hs_size = le64toh(d->hsd_size);
	s->hs_state = le32toh(d->hsd_state);
	if (s->hs_state != META_HSS_AVAILABLE &&
	    s->hs_state != META_HSS_INUSE && s->hs_state != META_HSS_BROKEN)
		return "bad spare state";
	if (s->hs_size == 0)
		return "bad spare size";
	return NULL;
}

/* ---- records ---- */

static size_t unit_reclen(const struct meta_unit *u, uint32_t *count,
			  uint32_t *count2)
{
	size_t len = sizeof(struct meta_unit_hdr_d);

	*count2 = 0;
	switch (u->mu_type) {
	case META_UT_STRIPE:
		*count = u->mu_st.st_nrows;
		for (uint32_t i = 0; i < u->mu_st.st_nrows; i++)
			*count2 += u->mu_st.st_rows[i].mr_ncomp;
		return len + sizeof(struct meta_stripe_d) +
		       *count * sizeof(struct meta_row_d) +
		       *count2 * sizeof(struct meta_comp_d);
	case META_UT_MIRROR:
		*count = u->mu_mm.mm_nsm;
		return len + sizeof(struct meta_mirror_d);
	case META_UT_SP:
		*count = u->mu_sp.sp_next;
		return len + sizeof(struct meta_sp_d) +
		       *count * sizeof(struct meta_ext_d);
	}
	return 0;
}

int meta_unit_encode(const struct meta_unit *u, void **bufp, size_t *lenp,
		     meta_error_t *ep)
{
	uint32_t count, count2;
	size_t len = unit_reclen(u, &count, &count2);
	struct meta_unit_hdr_d *h;
	uint8_t *buf, *p;

	if (len == 0 || u->mu_num >= META_MAXUNITS)
		return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0, NULL,
				      "cannot encode unit %" PRIu32, u->mu_num);
	buf = calloc(1, len);
	if (buf == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot encode unit %" PRIu32, u->mu_num);
	h = (struct meta_unit_hdr_d *)buf;
	h->uh_magic = htole32(META_UNIT_MAGIC);
	h->uh_version = htole16(META_FMT_VERSION);
	h->uh_hdrlen = htole16(sizeof(*h));
	h->uh_reclen = htole32((uint32_t)len);
	h->uh_features = htole32(u->mu_type == META_UT_SP && u->mu_sp.sp_align ?
					 META_FMT_F_SPALIGN :
					 0);
	h->uh_type = htole32(u->mu_type);
	h->uh_num = htole32(u->mu_num);
	h->uh_size = htole64(u->mu_size);
	h->uh_count = htole32(count);
	h->uh_count2 = htole32(count2);
	h->uh_align = htole64(u->mu_type == META_UT_SP ? u->mu_sp.sp_align : 0);
	p = buf + sizeof(*h);
	switch (u->mu_type) {
	case META_UT_STRIPE: {
		struct meta_stripe_d sd = { .sd_hsp =
						    htole32(u->mu_st.st_hsp) };
		struct meta_row_d *rd;
		struct meta_comp_d *cd;

		memcpy(p, &sd, sizeof(sd));
		rd = (struct meta_row_d *)(p + sizeof(sd));
		cd = (struct meta_comp_d *)(rd + count);
		for (uint32_t i = 0; i < count; i++) {
			const struct meta_row *r = &u->mu_st.st_rows[i];

			row_enc(&rd[i], r);
			for (uint32_t j = 0; j < r->mr_ncomp; j++)
				comp_enc(cd++, &r->mr_comps[j]);
		}
		break;
	}
	case META_UT_MIRROR:
		mirror_enc((struct meta_mirror_d *)p, &u->mu_mm);
		break;
	case META_UT_SP: {
		struct meta_ext_d *ed;

		sp_enc((struct meta_sp_d *)p, &u->mu_sp);
		ed = (struct meta_ext_d *)(p + sizeof(struct meta_sp_d));
		for (uint32_t i = 0; i < count; i++)
			ext_enc(&ed[i], &u->mu_sp.sp_ext[i]);
		break;
	}
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static int decode_stripe(struct meta_unit *u, const uint8_t *p, uint32_t count,
			 uint32_t count2, uint32_t id, meta_error_t *ep)
{
	struct meta_stripe_d sd;
	const struct meta_row_d *rd;
	const struct meta_comp_d *cd;
	const char *why;
	uint32_t used = 0;

	memcpy(&sd, p, sizeof(sd));
	if (!zeroes(sd.sd_pad, sizeof(sd.sd_pad)))
		return bad(ep, "unit", id, "non-zero pad");
	u->mu_st.st_hsp = le32toh(sd.sd_hsp);
	if (u->mu_st.st_hsp != META_NONE && u->mu_st.st_hsp >= META_MAXHSP)
		return bad(ep, "unit", id, "bad hot spare pool");
	u->mu_st.st_rows = calloc(count, sizeof(struct meta_row));
	if (u->mu_st.st_rows == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot decode unit %" PRIu32, id);
	rd = (const struct meta_row_d *)(p + sizeof(sd));
	cd = (const struct meta_comp_d *)(rd + count);
	for (uint32_t i = 0; i < count; i++) {
		struct meta_row_d rdc;
		struct meta_row *r = &u->mu_st.st_rows[i];

		memcpy(&rdc, &rd[i], sizeof(rdc));
		why = row_dec(r, &rdc);
		if (why == NULL && r->mr_ncomp > count2 - used)
			why = "component counts disagree";
		if (why != NULL)
			return bad(ep, "unit", id, why);
		r->mr_comps = calloc(r->mr_ncomp, sizeof(struct meta_comp));
		if (r->mr_comps == NULL)
			return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
					      "cannot decode unit %" PRIu32,
					      id);
		u->mu_st.st_nrows = i + 1;
		for (uint32_t j = 0; j < r->mr_ncomp; j++) {
			struct meta_comp_d cdc;

			memcpy(&cdc, &cd[used++], sizeof(cdc));
			why = comp_dec(&r->mr_comps[j], &cdc);
			if (why != NULL)
				return bad(ep, "unit", id, why);
		}
	}
	if (used != count2)
		return bad(ep, "unit", id, "component counts disagree");
	return 0;
}

int meta_unit_decode(uint32_t id, const void *buf, size_t len,
		     struct meta_unit **up, meta_error_t *ep)
{
	struct meta_unit_hdr_d h;
	const uint8_t *p;
	struct meta_unit *u;
	uint32_t count, count2;
	size_t want;
	const char *why = NULL;

	if (buf == NULL || len < sizeof(h))
		return bad(ep, "unit", id, "record too short");
	p = (const uint8_t *)buf + sizeof(h);
	memcpy(&h, buf, sizeof(h));
	if (le32toh(h.uh_magic) != META_UNIT_MAGIC)
		return bad(ep, "unit", id, "bad magic");
	if (le16toh(h.uh_version) != META_FMT_VERSION ||
	    (le32toh(h.uh_features) & ~(uint32_t)META_FMT_FEATURES)) {
		char obj[32];

		snprintf(obj, sizeof(obj), "unit %" PRIu32, id);
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADVERSION), 0, obj,
				      "cannot decode: version %u features "
				      "%#x",
				      le16toh(h.uh_version),
				      le32toh(h.uh_features));
	}
	if (le16toh(h.uh_hdrlen) != sizeof(h) || le32toh(h.uh_reclen) != len)
		return bad(ep, "unit", id, "bad length");
	if ((le64toh(h.uh_align) != 0) !=
	    ((le32toh(h.uh_features) & META_FMT_F_SPALIGN) != 0))
		return bad(ep, "unit", id,
			   "alignment and feature bit disagree");
	if (le64toh(h.uh_align) != 0 &&
	    (le32toh(h.uh_type) != META_UT_SP ||
	     le64toh(h.uh_align) > META_SP_MAXALIGN))
		return bad(ep, "unit", id, "bad alignment");
	if (le32toh(h.uh_num) != id || id >= META_MAXUNITS)
		return bad(ep, "unit", id, "unit number does not match");
	count = le32toh(h.uh_count);
	count2 = le32toh(h.uh_count2);
	switch (le32toh(h.uh_type)) {
	case META_UT_STRIPE:
		if (count == 0 || count > META_MAXROWS || count2 == 0 ||
		    count2 > META_MAXSTCOMPS)
			return bad(ep, "unit", id, "bad counts");
		want = sizeof(struct meta_stripe_d) +
		       count * sizeof(struct meta_row_d) +
		       (size_t)count2 * sizeof(struct meta_comp_d);
		break;
	case META_UT_MIRROR:
		if (count == 0 || count > META_NMIRROR || count2 != 0)
			return bad(ep, "unit", id, "bad counts");
		want = sizeof(struct meta_mirror_d);
		break;
	case META_UT_SP:
		if (count == 0 || count > META_MAXEXTS || count2 != 0)
			return bad(ep, "unit", id, "bad counts");
		want = sizeof(struct meta_sp_d) +
		       count * sizeof(struct meta_ext_d);
		break;
	default:
		return bad(ep, "unit", id, "unknown unit type");
	}
	if (len != sizeof(h) + want)
		return bad(ep, "unit", id, "bad length");
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot decode unit %" PRIu32, id);
	u->mu_num = id;
	u->mu_type = le32toh(h.uh_type);
	u->mu_size = le64toh(h.uh_size);
	u->mu_parent = META_NONE;
	switch (u->mu_type) {
	case META_UT_STRIPE:
		if (decode_stripe(u, p, count, count2, id, ep) != 0)
			goto out_free;
		break;
	case META_UT_MIRROR: {
		struct meta_mirror_d md;

		memcpy(&md, p, sizeof(md));
		why = mirror_dec(&u->mu_mm, &md, count);
		break;
	}
	case META_UT_SP: {
		struct meta_sp_d sd;

		memcpy(&sd, p, sizeof(sd));
		why = sp_dec(&u->mu_sp, &sd);
		if (why != NULL)
			break;
		u->mu_sp.sp_align = le64toh(h.uh_align);
		u->mu_sp.sp_ext = calloc(count, sizeof(struct meta_ext));
		if (u->mu_sp.sp_ext == NULL) {
			meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				       "cannot decode unit %" PRIu32, id);
			goto out_free;
		}
		u->mu_sp.sp_next = count;
		for (uint32_t i = 0; i < count && why == NULL; i++) {
			struct meta_ext_d ed;

			memcpy(&ed, p + sizeof(sd) + i * sizeof(ed),
			       sizeof(ed));
			why = ext_dec(&u->mu_sp.sp_ext[i], &ed);
		}
		break;
	}
	}
	if (why != NULL) {
		bad(ep, "unit", id, why);
		goto out_free;
	}
	*up = u;
	return 0;
out_free:
	meta_unit_free(u);
	return -1;
}

int meta_hsp_encode(const struct meta_hsp *hp, void **bufp, size_t *lenp,
		    meta_error_t *ep)
{
	size_t len = sizeof(struct meta_hsp_hdr_d) +
		     hp->hp_nspares * sizeof(struct meta_spare_d);
	struct meta_hsp_hdr_d *h;
	struct meta_spare_d *sd;
	uint8_t *buf;

	if (hp->hp_num >= META_MAXHSP || hp->hp_nspares > META_MAXSPARES)
		return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0, NULL,
				      "cannot encode pool %" PRIu32,
				      hp->hp_num);
	buf = calloc(1, len);
	if (buf == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot encode pool %" PRIu32,
				      hp->hp_num);
	h = (struct meta_hsp_hdr_d *)buf;
	h->hh_magic = htole32(META_HSP_MAGIC);
	h->hh_version = htole16(META_FMT_VERSION);
	h->hh_hdrlen = htole16(sizeof(*h));
	h->hh_reclen = htole32((uint32_t)len);
	h->hh_features = 0;
	h->hh_num = htole32(hp->hp_num);
	h->hh_nspares = htole32(hp->hp_nspares);
	sd = (struct meta_spare_d *)(buf + sizeof(*h));
	for (uint32_t i = 0; i < hp->hp_nspares; i++)
		spare_enc(&sd[i], &hp->hp_spares[i]);
	*bufp = buf;
	*lenp = len;
	return 0;
}

int meta_hsp_decode(uint32_t id, const void *buf, size_t len,
		    struct meta_hsp **hpp, meta_error_t *ep)
{
	struct meta_hsp_hdr_d h;
	struct meta_hsp *hp;
	uint32_t n;

	if (buf == NULL || len < sizeof(h))
		return bad(ep, "pool", id, "record too short");
	memcpy(&h, buf, sizeof(h));
	if (le32toh(h.hh_magic) != META_HSP_MAGIC)
		return bad(ep, "pool", id, "bad magic");
	if (le16toh(h.hh_version) != META_FMT_VERSION ||
	    le32toh(h.hh_features) != 0) {
		char obj[32];

		snprintf(obj, sizeof(obj), "pool %" PRIu32, id);
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADVERSION), 0, obj,
				      "cannot decode: version %u features "
				      "%#x",
				      le16toh(h.hh_version),
				      le32toh(h.hh_features));
	}
	n = le32toh(h.hh_nspares);
	if (le16toh(h.hh_hdrlen) != sizeof(h) || le32toh(h.hh_reclen) != len ||
	    n > META_MAXSPARES ||
	    len != sizeof(h) + n * sizeof(struct meta_spare_d))
		return bad(ep, "pool", id, "bad length");
	if (!zeroes(h.hh_pad, sizeof(h.hh_pad)))
		return bad(ep, "pool", id, "non-zero pad");
	if (le32toh(h.hh_num) != id || id >= META_MAXHSP)
		return bad(ep, "pool", id, "pool number does not match");
	hp = calloc(1, sizeof(*hp));
	if (hp != NULL)
		hp->hp_spares = calloc(n + 1, sizeof(struct meta_spare));
	if (hp == NULL || hp->hp_spares == NULL) {
		meta_hsp_free(hp);
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot decode pool %" PRIu32, id);
	}
	hp->hp_num = id;
	hp->hp_nspares = n;
	for (uint32_t i = 0; i < n; i++) {
		struct meta_spare_d sd;
		const char *why;

		memcpy(&sd, (const uint8_t *)buf + sizeof(h) + i * sizeof(sd),
		       sizeof(sd));
		why = spare_dec(&hp->hp_spares[i], &sd);
		if (why != NULL) {
			meta_hsp_free(hp);
			return bad(ep, "pool", id, why);
		}
	}
	*hpp = hp;
	return 0;
}
