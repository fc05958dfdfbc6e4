// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mddb on-disk structures: one encode and one decode function each.
 *
 * Every structure is little-endian at fixed offsets (written out below and in
 * doc/format-mddb.md), padded with zeroes, and ends in a CRC-32C of all the
 * bytes before it.  A decoder trusts nothing: it checks the magic, then the
 * checksum, then the version and feature bits, then every count and index
 * against its bound, and only then fills the in-core structure.  It returns
 * 0 or the ME_MDDB_* code that says what was wrong.
 */
#include "config.h"

#include <assert.h>
#include <string.h>

#include <oban/debug.h>

#include "mddb_impl.h"
#include "meta_crc.h"

static_assert(MDDB_OFF_COMMIT + 2 * MDDB_COMMIT_SIZE <= MDDB_OFF_LOG,
	      "commit slots overlap the change log");
static_assert(MDDB_OFF_LOG + MDDB_LOG_SLOTS * 2 * MDDB_SLOT_SIZE <= MDDB_OFF_RS,
	      "change log overlaps the resync slots");
static_assert(MDDB_OFF_DATA < MDDB_MINBYTES, "no data region");
static_assert(128 + MDDB_MAXREPLICAS * 32 + MDDB_MAXDIRPAGES * 4 <=
		      MDDB_COMMIT_SIZE - 4,
	      "commit block overflows");
static_assert(32 + MDDB_DIRENTS * 32 <= MDDB_DIRPAGE_SIZE - 4,
	      "directory page overflows");
static_assert(64 + MDDB_LOG_MAXLEN == MDDB_SLOT_SIZE - 4, "slot payload size");
static_assert(MDDB_RS_MAXLEN == MDDB_LOG_MAXLEN, "slot payload size");

void mddb_seal(void *buf, size_t size)
{
	meta_put32((uint8_t *)buf + size - 4, meta_crc_block(buf, size));
}

static bool sealed(const void *buf, size_t len)
{
	return META_CRC_OK(meta_get32((const uint8_t *)buf + len - 4),
			   meta_crc_block(buf, len));
}

void mddb_head_encode(void *buf, size_t size, const char *magic,
		      const struct mddb_head *hd)
{
	uint8_t *b = buf;

	memset(b, 0, size);
	memcpy(b, magic, 8);
	meta_put32(b + 8, hd->hd_version);
	meta_put32(b + 12, (uint32_t)size);
	meta_put64(b + 16, hd->hd_compat);
	meta_put64(b + 24, hd->hd_incompat);
	meta_put64(b + 32, hd->hd_ro_compat);
}

int mddb_head_decode(const void *buf, size_t size, const char *magic,
		     int nomagic, uint32_t version, uint64_t incompat_known,
		     struct mddb_head *hd)
{
	const uint8_t *b = buf;

	if (memcmp(b, magic, 8) != 0)
		return SET_ERROR(nomagic);
	if (!sealed(b, size))
		return SET_ERROR(ME_MDDB_BADCKSUM);
	hd->hd_version = meta_get32(b + 8);
	if (hd->hd_version != version || meta_get32(b + 12) != size)
		return SET_ERROR(ME_MDDB_BADVERSION);
	hd->hd_compat = meta_get64(b + 16);
	hd->hd_incompat = meta_get64(b + 24);
	hd->hd_ro_compat = meta_get64(b + 32);
	if (hd->hd_incompat & ~incompat_known)
		return SET_ERROR(ME_MDDB_INCOMPAT);
	return 0;
}

/*
 * Replica header, 4096 bytes:
 *   0 magic "OBANMDDB"   8 version     12 header size (4096)
 *  16 compat            24 incompat    32 ro_compat
 *  40 set uuid[16]      56 drive uuid[16]
 *  72 replica index     76 block size  80 replica length (bytes)
 *  88 data offset       96 data blocks 100 set number
 * 104 set ctime        112 flags      116 zero
 * 120 set name[32]     152..4091 zero 4092 crc32c
 */
void mddb_hdr_encode(const struct mddb_hdr *h, void *buf)
{
	const struct mddb_head hd = { h->h_version, h->h_compat, h->h_incompat,
				      h->h_ro_compat };
	uint8_t *b = buf;

	mddb_head_encode(b, MDDB_HDR_SIZE, MDDB_MAGIC_HDR, &hd);
	memcpy(b + 40, h->h_set_uuid, 16);
	memcpy(b + 56, h->h_drive_uuid, 16);
	meta_put32(b + 72, h->h_index);
	meta_put32(b + 76, h->h_bsize);
	meta_put64(b + 80, h->h_length);
	meta_put64(b + 88, h->h_data_off);
	meta_put32(b + 96, h->h_data_blocks);
	meta_put32(b + 100, h->h_setno);
	meta_put64(b + 104, h->h_ctime);
	meta_put32(b + 112, h->h_flags);
	memcpy(b + 120, h->h_setname, 31);
	mddb_seal(b, MDDB_HDR_SIZE);
}

static bool bsize_ok(uint32_t bsize)
{
	return bsize == 512 || bsize == 1024 || bsize == 2048 || bsize == 4096;
}

int mddb_hdr_decode(const void *buf, struct mddb_hdr *h)
{
	const uint8_t *b = buf;
	struct mddb_head hd;
	int err;

	memset(h, 0, sizeof(*h));
	err = mddb_head_decode(b, MDDB_HDR_SIZE, MDDB_MAGIC_HDR,
			       ME_MDDB_BADMAGIC, MDDB_VERSION,
			       MDDB_FEAT_INCOMPAT_KNOWN, &hd);
	if (err != 0)
		return err;
	h->h_version = hd.hd_version;
	h->h_compat = hd.hd_compat;
	h->h_incompat = hd.hd_incompat;
	h->h_ro_compat = hd.hd_ro_compat;
	memcpy(h->h_set_uuid, b + 40, 16);
	memcpy(h->h_drive_uuid, b + 56, 16);
	h->h_index = meta_get32(b + 72);
	h->h_bsize = meta_get32(b + 76);
	h->h_length = meta_get64(b + 80);
	h->h_data_off = meta_get64(b + 88);
	h->h_data_blocks = meta_get32(b + 96);
	h->h_setno = meta_get32(b + 100);
	h->h_ctime = meta_get64(b + 104);
	h->h_flags = meta_get32(b + 112);
	memcpy(h->h_setname, b + 120, 31);
	h->h_setname[31] = '\0';
	if (!bsize_ok(h->h_bsize) || h->h_length < MDDB_MINBYTES ||
	    h->h_length > MDDB_MAXBYTES || h->h_length % 4096 != 0 ||
	    h->h_data_off != MDDB_OFF_DATA || h->h_data_blocks == 0 ||
	    (uint64_t)h->h_data_blocks * h->h_bsize >
		    h->h_length - h->h_data_off ||
	    h->h_index >= MDDB_MAXREPLICAS || h->h_setno == 0 ||
	    h->h_setno > MDDB_SETNO_MAX || (h->h_flags & ~MDDB_HF_KNOWN) != 0 ||
	    h->h_setname[0] == '\0')
		return SET_ERROR(ME_MDDB_CORRUPT);
	return 0;
}

/*
 * Commit block, 8192 bytes:
 *   0 magic "OBANMDCB"   8 version      12 size (8192)
 *  16 commit count (txg) 24 time (s)    32 set uuid[16]
 *  48 incompat           56 records     60 directory pages
 *  64 locators           68 block size  72 data blocks   76..127 zero
 * 128 locators[50], 32 bytes each: 0 drive uuid[16], 16 index, 20 flags,
 *     24..31 zero
 * 1728 directory page block numbers, u32[1600] (0xffffffff: none)
 * 8128..8187 zero      8188 crc32c
 */
void mddb_commit_encode(const struct mddb_commit *c, void *buf)
{
	uint8_t *b = buf;
	uint32_t i;

	memset(b, 0, MDDB_COMMIT_SIZE);
	memcpy(b, MDDB_MAGIC_COMMIT, 8);
	meta_put32(b + 8, MDDB_VERSION);
	meta_put32(b + 12, MDDB_COMMIT_SIZE);
	meta_put64(b + 16, c->c_txg);
	meta_put64(b + 24, c->c_time);
	memcpy(b + 32, c->c_set_uuid, 16);
	meta_put64(b + 48, c->c_incompat);
	meta_put32(b + 56, c->c_nrecords);
	meta_put32(b + 60, c->c_ndirpages);
	meta_put32(b + 64, c->c_nlocators);
	meta_put32(b + 68, c->c_bsize);
	meta_put32(b + 72, c->c_data_blocks);
	for (i = 0; i < c->c_nlocators && i < MDDB_MAXREPLICAS; i++) {
		uint8_t *l = b + 128 + 32 * i;

		memcpy(l, c->c_locs[i].l_drive_uuid, 16);
		meta_put32(l + 16, c->c_locs[i].l_index);
		meta_put32(l + 20, c->c_locs[i].l_flags);
	}
	for (i = 0; i < MDDB_MAXDIRPAGES; i++)
		meta_put32(b + 1728 + 4 * i,
			   i < c->c_ndirpages ? c->c_dirblk[i] : MDDB_NOBLK);
	mddb_seal(b, MDDB_COMMIT_SIZE);
}

int mddb_commit_decode(const void *buf, struct mddb_commit *c)
{
	const uint8_t *b = buf;
	uint32_t i;

	if (memcmp(b, MDDB_MAGIC_COMMIT, 8) != 0)
		return SET_ERROR(ME_MDDB_BADMAGIC);
	if (!sealed(b, MDDB_COMMIT_SIZE))
		return SET_ERROR(ME_MDDB_BADCKSUM);
	if (meta_get32(b + 8) != MDDB_VERSION ||
	    meta_get32(b + 12) != MDDB_COMMIT_SIZE)
		return SET_ERROR(ME_MDDB_BADVERSION);
	memset(c, 0, sizeof(*c));
	c->c_txg = meta_get64(b + 16);
	c->c_time = meta_get64(b + 24);
	memcpy(c->c_set_uuid, b + 32, 16);
	c->c_incompat = meta_get64(b + 48);
	if (c->c_incompat & ~MDDB_FEAT_INCOMPAT_KNOWN)
		return SET_ERROR(ME_MDDB_INCOMPAT);
	c->c_nrecords = meta_get32(b + 56);
	c->c_ndirpages = meta_get32(b + 60);
	c->c_nlocators = meta_get32(b + 64);
	c->c_bsize = meta_get32(b + 68);
	c->c_data_blocks = meta_get32(b + 72);
	if (c->c_txg == 0 || c->c_ndirpages > MDDB_MAXDIRPAGES ||
	    c->c_nlocators == 0 || c->c_nlocators > MDDB_MAXREPLICAS ||
	    c->c_nrecords > c->c_ndirpages * MDDB_DIRENTS ||
	    !bsize_ok(c->c_bsize) || c->c_data_blocks == 0)
		return SET_ERROR(ME_MDDB_CORRUPT);
	for (i = 0; i < c->c_nlocators; i++) {
		const uint8_t *l = b + 128 + 32 * i;

		memcpy(c->c_locs[i].l_drive_uuid, l, 16);
		c->c_locs[i].l_index = meta_get32(l + 16);
		c->c_locs[i].l_flags = meta_get32(l + 20);
		if (c->c_locs[i].l_index >= MDDB_MAXREPLICAS)
			return SET_ERROR(ME_MDDB_CORRUPT);
	}
	for (i = 0; i < c->c_ndirpages; i++) {
		c->c_dirblk[i] = meta_get32(b + 1728 + 4 * i);
		if (c->c_dirblk[i] >= c->c_data_blocks)
			return SET_ERROR(ME_MDDB_CORRUPT);
	}
	return 0;
}

/*
 * Directory page, 4096 bytes:
 *   0 magic "MDDP"   4 page index   8 txg written   16 entries in use
 *  20 version       24..31 zero
 *  32 entries[126], 32 bytes each: 0 type (0: free), 4 id, 8 length,
 *     12 first block, 16 blocks, 20 crc32c of the payload, 24 txg
 * 4064..4091 zero   4092 crc32c
 */
void mddb_dirpage_encode(const struct mddb_dirpage *p, void *buf)
{
	uint8_t *b = buf;
	uint32_t i;

	memset(b, 0, MDDB_DIRPAGE_SIZE);
	memcpy(b, MDDB_MAGIC_DIR, 4);
	meta_put32(b + 4, p->p_index);
	meta_put64(b + 8, p->p_txg);
	meta_put32(b + 16, p->p_nused);
	meta_put32(b + 20, MDDB_VERSION);
	for (i = 0; i < MDDB_DIRENTS; i++) {
		const struct mddb_dirent *e = &p->p_ents[i];
		uint8_t *q = b + 32 + 32 * i;

		if (e->e_type == 0)
			continue;
		meta_put32(q, e->e_type);
		meta_put32(q + 4, e->e_id);
		meta_put32(q + 8, e->e_len);
		meta_put32(q + 12, e->e_blk);
		meta_put32(q + 16, e->e_nblks);
		meta_put32(q + 20, e->e_dcrc);
		meta_put64(q + 24, e->e_txg);
	}
	mddb_seal(b, MDDB_DIRPAGE_SIZE);
}

int mddb_dirpage_decode(const void *buf, struct mddb_dirpage *p)
{
	const uint8_t *b = buf;
	uint32_t i, n = 0;

	if (memcmp(b, MDDB_MAGIC_DIR, 4) != 0)
		return SET_ERROR(ME_MDDB_BADMAGIC);
	if (!sealed(b, MDDB_DIRPAGE_SIZE))
		return SET_ERROR(ME_MDDB_BADCKSUM);
	if (meta_get32(b + 20) != MDDB_VERSION)
		return SET_ERROR(ME_MDDB_BADVERSION);
	memset(p, 0, sizeof(*p));
	p->p_index = meta_get32(b + 4);
	p->p_txg = meta_get64(b + 8);
	p->p_nused = meta_get32(b + 16);
	if (p->p_index >= MDDB_MAXDIRPAGES || p->p_nused > MDDB_DIRENTS)
		return SET_ERROR(ME_MDDB_CORRUPT);
	for (i = 0; i < MDDB_DIRENTS; i++) {
		const uint8_t *q = b + 32 + 32 * i;
		struct mddb_dirent *e = &p->p_ents[i];

		e->e_type = meta_get32(q);
		if (e->e_type == 0)
			continue;
		e->e_id = meta_get32(q + 4);
		e->e_len = meta_get32(q + 8);
		e->e_blk = meta_get32(q + 12);
		e->e_nblks = meta_get32(q + 16);
		e->e_dcrc = meta_get32(q + 20);
		e->e_txg = meta_get64(q + 24);
		if (e->e_len > MDDB_REC_MAXLEN || e->e_nblks == 0 ||
		    e->e_nblks > UINT32_MAX - e->e_blk)
			return SET_ERROR(ME_MDDB_CORRUPT);
		n++;
	}
	if (n != p->p_nused)
		return SET_ERROR(ME_MDDB_CORRUPT);
	return 0;
}

/*
 * Record header, 32 bytes at the start of a record's extent, followed by the
 * payload and zeroes to the end of the extent:
 *   0 magic "MDRB"  4 type  8 id  12 length  16 txg  24 crc32c of the
 *   payload  28 crc32c of bytes 0..27
 */
void mddb_rechdr_encode(const struct mddb_rechdr *r, void *buf)
{
	uint8_t *b = buf;

	memcpy(b, MDDB_MAGIC_REC, 4);
	meta_put32(b + 4, r->rh_type);
	meta_put32(b + 8, r->rh_id);
	meta_put32(b + 12, r->rh_len);
	meta_put64(b + 16, r->rh_txg);
	meta_put32(b + 24, r->rh_dcrc);
	meta_put32(b + 28, meta_crc32c(0, b, 28));
}

int mddb_rechdr_decode(const void *buf, struct mddb_rechdr *r)
{
	const uint8_t *b = buf;

	if (memcmp(b, MDDB_MAGIC_REC, 4) != 0)
		return SET_ERROR(ME_MDDB_BADMAGIC);
	if (!META_CRC_OK(meta_get32(b + 28), meta_crc32c(0, b, 28)))
		return SET_ERROR(ME_MDDB_BADCKSUM);
	r->rh_type = meta_get32(b + 4);
	r->rh_id = meta_get32(b + 8);
	r->rh_len = meta_get32(b + 12);
	r->rh_txg = meta_get64(b + 16);
	r->rh_dcrc = meta_get32(b + 24);
	if (r->rh_len > MDDB_REC_MAXLEN)
		return SET_ERROR(ME_MDDB_CORRUPT);
	return 0;
}

/*
 * Change-log or resync slot copy, 4096 bytes:
 *   0 magic "MDLG" / "MDRS"  4 slot number  8 sequence  16 flags (1: in use)
 *  20 payload length  24 set uuid[16]  40 time (s)  48..63 zero
 *  64 payload[4028]  4092 crc32c
 */
void mddb_slot_encode(const struct mddb_slot *s, const char *magic, void *buf)
{
	uint8_t *b = buf;

	memset(b, 0, MDDB_SLOT_SIZE);
	memcpy(b, magic, 4);
	meta_put32(b + 4, s->s_slot);
	meta_put64(b + 8, s->s_seq);
	meta_put32(b + 16, s->s_flags);
	meta_put32(b + 20, s->s_len);
	memcpy(b + 24, s->s_set_uuid, 16);
	meta_put64(b + 40, s->s_time);
	if (s->s_len <= MDDB_LOG_MAXLEN)
		memcpy(b + 64, s->s_data, s->s_len);
	mddb_seal(b, MDDB_SLOT_SIZE);
}

int mddb_slot_decode(const void *buf, const char *magic, struct mddb_slot *s)
{
	const uint8_t *b = buf;

	if (memcmp(b, magic, 4) != 0)
		return SET_ERROR(ME_MDDB_BADMAGIC);
	if (!sealed(b, MDDB_SLOT_SIZE))
		return SET_ERROR(ME_MDDB_BADCKSUM);
	s->s_slot = meta_get32(b + 4);
	s->s_seq = meta_get64(b + 8);
	s->s_flags = meta_get32(b + 16);
	s->s_len = meta_get32(b + 20);
	memcpy(s->s_set_uuid, b + 24, 16);
	s->s_time = meta_get64(b + 40);
	if (s->s_len > MDDB_LOG_MAXLEN || (s->s_flags & ~MDDB_SLOT_INUSE) != 0)
		return SET_ERROR(ME_MDDB_CORRUPT);
	memcpy(s->s_data, b + 64, s->s_len);
	return 0;
}
