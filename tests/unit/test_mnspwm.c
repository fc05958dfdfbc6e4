// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Soft partitions' extent headers (meta_spwm.c), the ground metarecover
 * stands on: the block codec against every single-byte change, the chain
 * planned from a model covering the drive exactly, written to and read back
 * from a device (512-byte and 4096-byte sectors), a chain broken in the
 * middle or written for another set, and the soft partitions read back
 * equal to the model's; the store's post-commit hook called with the drives
 * a change touches, and only the headers that differ rewritten.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_dev.h>
#include <oban/meta_spwm.h>

#include "cfg_memstore.h"
#include "ocu.h"

#define PLEN 20000 /* data blocks of the fake drive */
#define DOFF 8192 /* its data area starts here (bytes) */

static const uint8_t setuuid[16] = { 1, 2,  3,	4,  5,	6,  7,	8,
				     9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t drvuuid[16] = { 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5,
				     0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb,
				     0xdc, 0xdd, 0xde, 0xdf };

static struct meta_spwm sample(void)
{
	struct meta_spwm w = { .wm_type = META_SPWM_ALLOC,
			       .wm_unit = 12,
			       .wm_seq = 1,
			       .wm_next = 3,
			       .wm_start = 777,
			       .wm_len = 4096,
			       .wm_voff = 2048,
			       .wm_setno = 5 };

	memcpy(w.wm_setuuid, setuuid, 16);
	memcpy(w.wm_drvuuid, drvuuid, 16);
	return w;
}

static void test_codec(void)
{
	struct meta_spwm w = sample(), r;
	uint8_t blk[META_SPWM_BSIZE], bad[META_SPWM_BSIZE];
	meta_error_t e;

	meta_spwm_encode(&w, blk);
	CU_ASSERT_EQUAL_FATAL(meta_spwm_decode(blk, &r, "x", &e), 0);
	CU_ASSERT_EQUAL(memcmp(&w, &r, sizeof(w)), 0);
	/* Every byte of the block, changed, is refused. */
	for (size_t i = 0; i < sizeof(blk); i++) {
		memcpy(bad, blk, sizeof(bad));
		bad[i] ^= 0x40;
		CU_ASSERT_EQUAL(meta_spwm_decode(bad, &r, "x", NULL), -1);
	}
	/* A zero block is no header. */
	memset(bad, 0, sizeof(bad));
	CU_ASSERT_EQUAL(meta_spwm_decode(bad, &r, "drv block 9", &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_NOHEADER);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "'drv block 9'"));
	/* Fields out of range, with a valid checksum. */
	struct meta_spwm f[5];

	for (int i = 0; i < 5; i++)
		f[i] = sample();
	f[0].wm_type = 3;
	f[1].wm_seq = 3; /* seq >= next */
	f[2].wm_len = 0;
	f[3].wm_type = META_SPWM_FREE; /* a free header naming a unit */
	f[4].wm_unit = META_MAXUNITS;
	for (int i = 0; i < 5; i++) {
		meta_spwm_encode(&f[i], bad);
		CU_ASSERT_EQUAL(meta_spwm_decode(bad, &r, "x", &e), -1);
		CU_ASSERT_EQUAL(e.me_code, ME_CFG_BADREC);
	}
}

/* A model of set blue with three soft partitions on drive "drv", one
 * cleared (a gap), one grown (two extents). */
static struct meta_cfg *model(struct fakedrives *fd)
{
	struct meta_cfg *cfg;
	static char d1[] = "d1", d2[] = "d2", d3[] = "d3", p[] = "-p",
		    drv[] = "drv", s1[] = "100", s2[] = "300", s3[] = "50";
	char *w1[] = { d1, p, drv, s1 };
	char *w2[] = { d2, p, drv, s2 };
	char *w3[] = { d3, p, drv, s3 };
	struct meta_change ch;
	meta_error_t e;

	memset(fd, 0, sizeof(*fd));
	fakedrives_add(fd, "drv", PLEN, 0);
	memcpy(fd->fd_d[0].md_uuid, drvuuid, 16);
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, fd, &cfg,
				&e));
	VERIFY0(meta_mdtab_words(cfg, 4, w1, NULL, &e));
	VERIFY0(meta_mdtab_words(cfg, 4, w2, NULL, &e));
	VERIFY0(meta_mdtab_words(cfg, 4, w3, NULL, &e));
	meta_change_init(&ch);
	VERIFY0(meta_op_clear(cfg, 2, 0, &ch, &e));
	VERIFY0(meta_cfg_apply(cfg, &ch, NULL, &e));
	meta_change_release(&ch);
	meta_change_init(&ch);
	VERIFY0(meta_op_grow_sp(cfg, 1, 1000, &ch, &e));
	VERIFY0(meta_cfg_apply(cfg, &ch, NULL, &e));
	meta_change_release(&ch);
	return cfg;
}

static void test_plan(void)
{
	struct fakedrives fd;
	struct meta_cfg *cfg = model(&fd);
	struct meta_spwm *w;
	uint32_t n, alloc = 0;
	uint64_t b = 0;
	meta_error_t e;

	CU_ASSERT_EQUAL_FATAL(meta_spwm_plan(cfg, "drv", 1, setuuid, drvuuid,
					     PLEN, &w, &n, &e),
			      0);
	/* The chain covers the drive exactly, block 0 to the end. */
	for (uint32_t i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(w[i].wm_start, b);
		b = w[i].wm_start + 1 + w[i].wm_len;
		if (w[i].wm_type == META_SPWM_ALLOC)
			alloc++;
		else
			CU_ASSERT_EQUAL(w[i].wm_unit, META_NONE);
	}
	CU_ASSERT_EQUAL(b, PLEN);
	/* d1 (two extents) and d3; d2's place is a free gap. */
	CU_ASSERT_EQUAL(alloc, 3);
	CU_ASSERT_EQUAL(w[0].wm_type, META_SPWM_ALLOC);
	CU_ASSERT_EQUAL(w[0].wm_unit, 1);
	CU_ASSERT_EQUAL(w[1].wm_type, META_SPWM_FREE);
	CU_ASSERT_EQUAL(w[1].wm_len, 300);
	free(w);
	/* No soft partition on the drive: nothing to plan. */
	CU_ASSERT_EQUAL(meta_spwm_plan(cfg, "other", 1, setuuid, drvuuid, PLEN,
				       &w, &n, &e),
			-1);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_NOENT);
	meta_cfg_destroy(cfg);
}

/* Write the plan, read it back, and the soft partitions equal the model's. */
static void roundtrip(uint32_t lsz)
{
	struct fakedrives fd;
	struct meta_cfg *cfg = model(&fd);
	size_t len = DOFF + (size_t)PLEN * 512;
	uint8_t *img = calloc(1, len);
	struct meta_spwm *w, *r;
	struct meta_spwm_sp *sps;
	uint32_t n, nr, nsp;
	struct meta_dev *d;
	meta_error_t e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	VERIFY0(meta_dev_open_mem(img, len, "mem", &d, &e));
	d->md_lsz = lsz;
	/* An empty drive: the chain breaks at block 0. */
	CU_ASSERT_EQUAL(meta_spwm_read(d, DOFF, PLEN, "drv", setuuid, drvuuid,
				       &r, &nr, &e),
			-1);
	CU_ASSERT_EQUAL(nr, 0);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_NOHEADER);
	free(r);
	VERIFY0(meta_spwm_plan(cfg, "drv", 1, setuuid, drvuuid, PLEN, &w, &n,
			       &e));
	/* Data in the extents must survive the header writes. */
	memset(img + DOFF + 512, 0xa5, 512);
	CU_ASSERT_EQUAL_FATAL(meta_spwm_write(d, DOFF, w, n, &e), 0);
	CU_ASSERT_EQUAL(img[DOFF + 512], 0xa5);
	CU_ASSERT_EQUAL(img[DOFF + 1023], 0xa5);
	CU_ASSERT_EQUAL_FATAL(meta_spwm_read(d, DOFF, PLEN, "drv", setuuid,
					     drvuuid, &r, &nr, &e),
			      0);
	CU_ASSERT_EQUAL_FATAL(nr, n);
	CU_ASSERT_EQUAL(memcmp(r, w, n * sizeof(*w)), 0);
	CU_ASSERT_EQUAL_FATAL(meta_spwm_sps(r, nr, "blue", &sps, &nsp, &e), 0);
	CU_ASSERT_EQUAL_FATAL(nsp, 2);
	for (uint32_t i = 0; i < nsp; i++) {
		const struct meta_unit *u = meta_cfg_unit(cfg, sps[i].ws_unit);

		CU_ASSERT_PTR_NOT_NULL_FATAL(u);
		CU_ASSERT_EQUAL_FATAL(u->mu_sp.sp_next, sps[i].ws_next);
		for (uint32_t k = 0; k < sps[i].ws_next; k++) {
			CU_ASSERT_EQUAL(u->mu_sp.sp_ext[k].me_voff,
					sps[i].ws_ext[k].me_voff);
			CU_ASSERT_EQUAL(u->mu_sp.sp_ext[k].me_poff,
					sps[i].ws_ext[k].me_poff);
			CU_ASSERT_EQUAL(u->mu_sp.sp_ext[k].me_len,
					sps[i].ws_ext[k].me_len);
		}
	}
	meta_spwm_sps_free(sps, nsp);
	free(r);
	/* Another set's uuid: refused at block 0. */
	uint8_t other[16] = { 9 };

	CU_ASSERT_EQUAL(meta_spwm_read(d, DOFF, PLEN, "drv", other, drvuuid, &r,
				       &nr, &e),
			-1);
	CU_ASSERT_EQUAL(nr, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "another set"));
	free(r);
	/* A header in the middle damaged: the chain stops there, named. */
	img[DOFF + w[2].wm_start * 512 + 40] ^= 1;
	CU_ASSERT_EQUAL(meta_spwm_read(d, DOFF, PLEN, "drv", setuuid, drvuuid,
				       &r, &nr, &e),
			-1);
	CU_ASSERT_EQUAL(nr, 2);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADCKSUM);
	free(r);
	meta_dev_close(d);
	free(w);
	free(img);
	meta_cfg_destroy(cfg);
}

static void test_rw512(void)
{
	roundtrip(512);
}

static void test_rw4096(void)
{
	roundtrip(4096);
}

/* A free header of the given length at block @b of the drive image. */
static void put_free(struct meta_dev *d, uint64_t b, uint64_t len)
{
	struct meta_spwm w = sample();
	meta_error_t e;

	w.wm_type = META_SPWM_FREE;
	w.wm_unit = META_NONE;
	w.wm_seq = 0;
	w.wm_next = 0;
	w.wm_voff = 0;
	w.wm_start = b;
	w.wm_len = len;
	VERIFY0(meta_spwm_write(d, DOFF, &w, 1, &e));
}

static int read_chain(struct meta_dev *d, uint32_t *nr, meta_error_t *ep)
{
	struct meta_spwm *r;
	int rc = meta_spwm_read(d, DOFF, PLEN, "drv", setuuid, drvuuid, &r, nr,
				ep);

	free(r);
	return rc;
}

/* Hostile lengths cannot make the chain wrap, loop or run past the area. */
static void test_chain_bounds(void)
{
	size_t len = DOFF + (size_t)PLEN * 512;
	uint8_t *img = calloc(1, len);
	struct meta_dev *d;
	meta_error_t e;
	uint32_t nr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	VERIFY0(meta_dev_open_mem(img, len, "mem", &d, &e));
	/* b += 1 + len would wrap to b itself without the bound */
	put_free(d, 0, UINT64_MAX);
	CU_ASSERT_EQUAL(read_chain(d, &nr, &e), -1);
	CU_ASSERT_EQUAL(nr, 0);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_NOHEADER);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "past the data"));
	/* one block too long, then exactly the area */
	put_free(d, 0, PLEN);
	CU_ASSERT_EQUAL(read_chain(d, &nr, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_NOHEADER);
	put_free(d, 0, PLEN - 1);
	CU_ASSERT_EQUAL(read_chain(d, &nr, &e), 0);
	CU_ASSERT_EQUAL(nr, 1);
	/* two free gaps in a row: never written, refused */
	put_free(d, 0, 10);
	put_free(d, 11, PLEN - 12);
	CU_ASSERT_EQUAL(read_chain(d, &nr, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_NOHEADER);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "free gap after"));
	meta_dev_close(d);
	free(img);
}

static void test_sps_bad(void)
{
	struct meta_spwm w[3];
	struct meta_spwm_sp *sps;
	uint32_t nsp;
	meta_error_t e;

	for (int i = 0; i < 3; i++) {
		w[i] = sample();
		w[i].wm_seq = (uint32_t)i;
		w[i].wm_voff = (uint64_t)i * 4096;
	}
	CU_ASSERT_EQUAL(meta_spwm_sps(w, 3, "blue", &sps, &nsp, &e), 0);
	CU_ASSERT_EQUAL(nsp, 1);
	meta_spwm_sps_free(sps, nsp);
	/* An extent missing. */
	CU_ASSERT_EQUAL(meta_spwm_sps(w, 2, "blue", &sps, &nsp, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_CFG_BADREC);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "'blue/d12'"));
	/* One twice. */
	w[2].wm_seq = 1;
	w[2].wm_voff = 4096;
	CU_ASSERT_EQUAL(meta_spwm_sps(w, 3, "blue", &sps, &nsp, &e), -1);
	/* Offsets not contiguous. */
	w[2].wm_seq = 2;
	w[2].wm_voff = 9999;
	CU_ASSERT_EQUAL(meta_spwm_sps(w, 3, "blue", &sps, &nsp, &e), -1);
}

/* The post-commit hook's calls, recorded. */
struct posted {
	int p_calls;
	uint32_t p_n;
	char p_drives[4][META_DRVNAMELEN];
};

static void record_post(void *arg, const struct meta_cfg *cfg,
			const char (*drives)[META_DRVNAMELEN], uint32_t n)
{
	struct posted *p = arg;

	(void)cfg;
	p->p_calls++;
	p->p_n = n;
	for (uint32_t i = 0; i < n && i < 4; i++)
		memcpy(p->p_drives[i], drives[i], META_DRVNAMELEN);
}

static int words(struct meta_cfg *cfg, const struct meta_store *st,
		 const char *line)
{
	char buf[128], *w[8];
	int n = 0;
	meta_error_t e;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t != NULL && n < 8;
	     t = strtok(NULL, " "))
		w[n++] = t;
	return meta_mdtab_words(cfg, n, w, st, &e);
}

/* Apply @ch (built by the caller) through @st, then release it. */
static int apply(struct meta_cfg *cfg, struct meta_change *ch,
		 const struct meta_store *st)
{
	meta_error_t e;
	int rc = meta_cfg_apply(cfg, ch, st, &e);

	meta_change_release(ch);
	return rc;
}

/*
 * meta_cfg_apply() calls ms_post after a commit with the drives whose soft
 * partitions the change created, grew, cleared or renumbered; not for a dry
 * run, a failed commit, a stripe, or a soft partition on a metadevice.
 */
static void test_post(void)
{
	struct fakedrives fd;
	struct memstore ms;
	struct meta_store st;
	struct posted p;
	struct meta_cfg *cfg;
	struct meta_change ch;
	meta_error_t e;

	memset(&fd, 0, sizeof(fd));
	fakedrives_add(&fd, "drv", PLEN, 0);
	fakedrives_add(&fd, "drv2", PLEN, 0);
	fakedrives_add(&fd, "drv3", PLEN, 0);
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &fd, &cfg,
				&e));
	memstore_init(&ms, &st);
	memset(&p, 0, sizeof(p));
	st.ms_post = record_post;
	st.ms_post_arg = &p;
	/* Created. */
	CU_ASSERT_EQUAL_FATAL(words(cfg, &st, "d1 -p drv 100"), 0);
	CU_ASSERT_EQUAL(p.p_calls, 1);
	CU_ASSERT_EQUAL(p.p_n, 1);
	CU_ASSERT_STRING_EQUAL(p.p_drives[0], "drv");
	/* A dry run: no call. */
	CU_ASSERT_EQUAL_FATAL(words(cfg, NULL, "d2 -p drv2 100"), 0);
	CU_ASSERT_EQUAL(p.p_calls, 1);
	meta_change_init(&ch);
	VERIFY0(meta_op_clear(cfg, 2, 0, &ch, &e));
	CU_ASSERT_EQUAL_FATAL(apply(cfg, &ch, NULL), 0);
	/* A stripe, a mirror on it, a soft partition on the mirror: none. */
	CU_ASSERT_EQUAL_FATAL(words(cfg, &st, "d20 1 1 drv3"), 0);
	CU_ASSERT_EQUAL_FATAL(words(cfg, &st, "d30 -m d20"), 0);
	CU_ASSERT_EQUAL_FATAL(words(cfg, &st, "d31 -p d30 100"), 0);
	CU_ASSERT_EQUAL(p.p_calls, 1);
	/* Grown. */
	meta_change_init(&ch);
	VERIFY0(meta_op_grow_sp(cfg, 1, 50, &ch, &e));
	CU_ASSERT_EQUAL_FATAL(apply(cfg, &ch, &st), 0);
	CU_ASSERT_EQUAL(p.p_calls, 2);
	CU_ASSERT_STRING_EQUAL(p.p_drives[0], "drv");
	/* Renumbered: the drive once, for the deletion and the put. */
	meta_change_init(&ch);
	VERIFY0(meta_op_rename(cfg, 1, 5, &ch, &e));
	CU_ASSERT_EQUAL_FATAL(apply(cfg, &ch, &st), 0);
	CU_ASSERT_EQUAL(p.p_calls, 3);
	CU_ASSERT_EQUAL(p.p_n, 1);
	/* A commit that fails: no call. */
	ms.ms_fail_commit = true;
	CU_ASSERT_EQUAL(words(cfg, &st, "d6 -p drv2 100"), -1);
	ms.ms_fail_commit = false;
	CU_ASSERT_EQUAL(p.p_calls, 3);
	/* Two drives in one change (md.tab style): both, once each. */
	CU_ASSERT_EQUAL_FATAL(words(cfg, &st, "d6 -p drv2 100"), 0);
	meta_change_init(&ch);
	VERIFY0(meta_op_clear(cfg, 5, 0, &ch, &e));
	VERIFY0(meta_op_clear(cfg, 6, 0, &ch, &e));
	CU_ASSERT_EQUAL_FATAL(apply(cfg, &ch, &st), 0);
	CU_ASSERT_EQUAL(p.p_calls, 5);
	CU_ASSERT_EQUAL(p.p_n, 2);
	CU_ASSERT_STRING_EQUAL(p.p_drives[0], "drv");
	CU_ASSERT_STRING_EQUAL(p.p_drives[1], "drv2");
	memstore_release(&ms);
	meta_cfg_destroy(cfg);
}

/* meta_spwm_update() writes only the headers that differ. */
static void test_update(void)
{
	struct fakedrives fd;
	struct meta_cfg *cfg = model(&fd);
	size_t len = DOFF + (size_t)PLEN * 512;
	uint8_t *img = calloc(1, len);
	struct meta_spwm *w, *r, one;
	struct meta_change ch;
	struct meta_dev *d;
	uint32_t n, nr, nwr;
	meta_error_t e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	VERIFY0(meta_dev_open_mem(img, len, "mem", &d, &e));
	VERIFY0(meta_spwm_plan(cfg, "drv", 1, setuuid, drvuuid, PLEN, &w, &n,
			       &e));
	/* A blank drive: every header. */
	CU_ASSERT_EQUAL_FATAL(meta_spwm_update(d, DOFF, w, n, &nwr, &e), 0);
	CU_ASSERT_EQUAL(nwr, n);
	CU_ASSERT_EQUAL(meta_spwm_update(d, DOFF, w, n, &nwr, &e), 0);
	CU_ASSERT_EQUAL(nwr, 0);
	free(w);
	/* d3 cleared: only the free header of the widened gap. */
	meta_change_init(&ch);
	VERIFY0(meta_op_clear(cfg, 3, 0, &ch, &e));
	CU_ASSERT_EQUAL_FATAL(apply(cfg, &ch, NULL), 0);
	VERIFY0(meta_spwm_plan(cfg, "drv", 1, setuuid, drvuuid, PLEN, &w, &n,
			       &e));
	CU_ASSERT_EQUAL(meta_spwm_update(d, DOFF, w, n, &nwr, &e), 0);
	CU_ASSERT_EQUAL(nwr, 1);
	CU_ASSERT_EQUAL_FATAL(meta_spwm_read(d, DOFF, PLEN, "drv", setuuid,
					     drvuuid, &r, &nr, &e),
			      0);
	CU_ASSERT_EQUAL_FATAL(nr, n);
	CU_ASSERT_EQUAL(memcmp(r, w, n * sizeof(*w)), 0);
	free(r);
	free(w);
	/* A damaged header counts as different. */
	img[DOFF + 40] ^= 1;
	VERIFY0(meta_spwm_plan(cfg, "drv", 1, setuuid, drvuuid, PLEN, &w, &n,
			       &e));
	CU_ASSERT_EQUAL(meta_spwm_update(d, DOFF, w, n, &nwr, &e), 0);
	CU_ASSERT_EQUAL(nwr, 1);
	free(w);
	/* Nothing left: one free header over the whole area. */
	meta_spwm_plan_free(1, setuuid, drvuuid, PLEN, &one);
	CU_ASSERT_EQUAL(meta_spwm_update(d, DOFF, &one, 1, &nwr, &e), 0);
	CU_ASSERT_EQUAL(nwr, 1);
	CU_ASSERT_EQUAL_FATAL(meta_spwm_read(d, DOFF, PLEN, "drv", setuuid,
					     drvuuid, &r, &nr, &e),
			      0);
	CU_ASSERT_EQUAL(nr, 1);
	CU_ASSERT_EQUAL(r[0].wm_type, META_SPWM_FREE);
	CU_ASSERT_EQUAL(r[0].wm_len, PLEN - 1);
	free(r);
	meta_dev_close(d);
	free(img);
	meta_cfg_destroy(cfg);
}

static CU_TestInfo spwm_tests[] = {
	{ "codec: every byte changed is refused", test_codec },
	{ "plan covers the drive", test_plan },
	{ "write and read back, 512-byte sectors", test_rw512 },
	{ "write and read back, 4096-byte sectors", test_rw4096 },
	{ "soft partitions from a chain: refusals", test_sps_bad },
	{ "chain lengths bounded, no two free gaps", test_chain_bounds },
	{ "the store's post-commit hook: which drives", test_post },
	{ "update writes only the headers that differ", test_update },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "spwm", NULL, NULL, spwm_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
