// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for drive labels, discovery and the set layer: label round
 * trip and every kind of bad label; drives with an ext4 file system or a
 * partition table are refused and left byte for byte as they were; drives
 * are found by UUID after their names change; UUID= names; the local
 * replica (transactions: a failed write in the middle of a change leaves
 * the old state; unknown record versions refused); meta_set_drive_find by
 * every kind of name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

#include "mddb_impl.h"
#include "meta_crc.h"
#include "meta_local.h"
#include "ocu.h"

#define DRIVE_SIZE (40 << 20)

static char drive_dir[512];

static void mkdrive(const char *name, off_t size)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", drive_dir, name);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, size) == 0);
	close(fd);
}

static char *dpath(const char *name)
{
	static char path[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", drive_dir, name);
	return path[k];
}

/*
 * A single-owner set @set of node1 on new drives @names ("ga gb": up to
 * four names, made afresh), all added by one drive add.
 */
static void set_on(const char *set, const char *names)
{
	const char *me = "node1", *drv[4];
	char words[128], *w, *save = NULL;
	struct meta_set *s;
	meta_error_t e;
	int n = 0;

	snprintf(words, sizeof(words), "%s", names);
	for (w = strtok_r(words, " ", &save); w != NULL && n < 4;
	     w = strtok_r(NULL, " ", &save)) {
		mkdrive(w, DRIVE_SIZE);
		drv[n++] = dpath(w);
	}
	CU_ASSERT_FATAL(meta_set_create(set, false, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open(set, 0, &s, &e) == 0);
	CU_ASSERT_FATAL(meta_set_drive_add(s, drv, n, 0, false, &e) == 0);
	meta_set_close(s);
}

/* Undo set_on(): the set opens OK, its drives @two[2] go, then the set. */
static void set_off(const char *set, const char *const *two)
{
	struct meta_set *s;
	meta_error_t e;

	CU_ASSERT_FATAL(meta_set_open(set, 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_state(meta_set_db(s)), MDDB_S_OK);
	CU_ASSERT(meta_set_drive_del(s, two, 2, false, &e) == 0);
	meta_set_close(s);
	CU_ASSERT(meta_set_destroy(set, false, &e) == 0);
}

/* The whole content of a file, for "nothing was written" checks. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n);
	if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_label_roundtrip(void)
{
	struct mdl_label l = { 0 }, r;
	uint8_t buf[MDL_LABEL_SIZE];
	meta_error_t e;

	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 512, 16 << 20, 1, &l, &e) == 0);
	CU_ASSERT_EQUAL(l.ml_rep_off, 1 << 20);
	CU_ASSERT_EQUAL(l.ml_data_off, 17 << 20);
	CU_ASSERT_EQUAL(l.ml_data_off % MDL_ALIGN, 0);
	CU_ASSERT_EQUAL(l.ml_data_len, DRIVE_SIZE - (17 << 20));
	CU_ASSERT(mdl_geometry(17 << 20, 512, 16 << 20, 1, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_TOOSMALL);
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 512, 300 << 20, 1, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_BADSIZE);
	/* Room for 2 replicas: data at 33 MiB; 3 do not fit in 40 MiB. */
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 512, 16 << 20, 2, &r, &e) == 0);
	CU_ASSERT_EQUAL(r.ml_rep_len, 32 << 20);
	CU_ASSERT_EQUAL(r.ml_data_off, 33 << 20);
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 512, 16 << 20, 3, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_TOOSMALL);
	CU_ASSERT(strstr(meta_strerror(&e), "3 replicas of 16 MiB on a drive "
					    "of 40 MiB (needs 50 MiB") != NULL);
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 512, 16 << 20, 51, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_BADSIZE);
	/* Sector sizes the decoder refuses are refused when laying out. */
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 4096, 16 << 20, 1, &r, &e) == 0);
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 8192, 16 << 20, 1, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_BADSIZE);
	CU_ASSERT(strstr(meta_strerror(&e), "8192-byte sectors") != NULL);
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 256, 16 << 20, 1, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_BADSIZE);
	CU_ASSERT(mdl_geometry(DRIVE_SIZE, 1000, 16 << 20, 1, &r, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_BADSIZE);
	l.ml_version = MDL_VERSION;
	l.ml_setno = 4;
	strcpy(l.ml_setname, "blue");
	strcpy(l.ml_name, "/dev/disk/by-id/x");
	mdl_uuid_generate(l.ml_drive_uuid);
	mdl_uuid_generate(l.ml_set_uuid);
	mdl_label_encode(&l, buf);
	CU_ASSERT(mdl_label_decode(buf, &r) == 0);
	CU_ASSERT(memcmp(&l, &r, sizeof(l)) == 0);

	buf[0] ^= 1;
	CU_ASSERT_EQUAL(mdl_label_decode(buf, &r), ME_MDL_NOLABEL);
	buf[0] ^= 1;
	buf[200] ^= 1;
	CU_ASSERT_EQUAL(mdl_label_decode(buf, &r), ME_MDDB_BADCKSUM);
	buf[200] ^= 1;
	meta_put32(buf + 8, 9);
	meta_put32(buf + 4092, meta_crc_block(buf, 4096));
	CU_ASSERT_EQUAL(mdl_label_decode(buf, &r), ME_MDDB_BADVERSION);
	mdl_label_encode(&l, buf);
	meta_put64(buf + 24, 1);
	meta_put32(buf + 4092, meta_crc_block(buf, 4096));
	CU_ASSERT_EQUAL(mdl_label_decode(buf, &r), ME_MDDB_INCOMPAT);
	mdl_label_encode(&l, buf);
	meta_put64(buf + 160, (uint64_t)DRIVE_SIZE); /* data past the end */
	meta_put32(buf + 4092, meta_crc_block(buf, 4096));
	CU_ASSERT_EQUAL(mdl_label_decode(buf, &r), ME_MDDB_CORRUPT);
}

/* Decode @good with the field at @off of @width bytes set to @v, resealed. */
static int decode_with(int (*dec)(const void *, void *), const uint8_t *good,
		       size_t len, size_t off, int width, uint64_t v)
{
	uint8_t buf[MDL_LABEL_SIZE];
	uint64_t out[512];

	memcpy(buf, good, len);
	if (width == 1)
		buf[off] = (uint8_t)v;
	else if (width == 4)
		meta_put32(buf + off, (uint32_t)v);
	else
		meta_put64(buf + off, v);
	meta_put32(buf + len - 4, meta_crc_block(buf, len));
	return dec(buf, out);
}

static int label_dec(const void *b, void *o)
{
	return mdl_label_decode(b, o);
}

static int hdr_dec(const void *b, void *o)
{
	return mddb_hdr_decode(b, o);
}

static int slot_dec(const void *b, void *o)
{
	static struct mddb_slot s;

	(void)o;
	return mddb_slot_decode(b, "MDLG", &s);
}

/* Every field of a label and a replica header out of its range: refused
 * as corrupt, whatever its checksum. */
static void test_corrupt_fields(void)
{
	static const struct {
		size_t off;
		int width;
		uint64_t v;
		const char *what;
	} lab[] = {
		{ 72, 4, 0, "set number 0" },
		{ 72, 4, 33, "set number 33" },
		{ 76, 4, 2, "unknown flag" },
		{ 80, 1, 0, "empty set name" },
		{ 120, 8, 1ULL << 20 | 512, "replica area not 4 KiB aligned" },
		{ 120, 8, UINT64_MAX - 4095,
		  "replica area past the end (wraps)" },
		{ 136, 8, (16ULL << 20) + 512, "replica length not 4 KiB" },
		{ 144, 4, 0, "capacity 0" },
		{ 144, 4, 51, "capacity 51" },
		{ 148, 4, 0, "sector size 0" },
		{ 148, 4, 3000, "sector size 3000" },
		{ 148, 4, 8192, "sector size 8192" },
		{ 152, 8, UINT64_MAX - (1ULL << 20) + 1, "data area wraps" },
		{ 160, 8, 0, "no data area" },
		{ 160, 8, UINT64_MAX, "data area past the end" },
		{ 176, 1, 0, "empty drive name" },
	};
	static const struct {
		size_t off;
		int width;
		uint64_t v;
		const char *what;
	} hdr[] = {
		{ 72, 4, MDDB_MAXREPLICAS, "replica index 50" },
		{ 100, 4, 0, "set number 0" },
		{ 100, 4, 33, "set number 33" },
		{ 112, 4, 2, "unknown flag" },
		{ 120, 1, 0, "empty set name" },
		{ 80, 8, (16ULL << 20) + 512, "length not 4 KiB" },
		{ 76, 4, 8192, "block size 8192" },
		{ 96, 4, 0, "no data blocks" },
	};
	struct mdl_label l = { 0 }, r;
	struct mddb_hdr h = { 0 }, hr;
	uint8_t good[MDL_LABEL_SIZE];
	meta_error_t e;
	size_t i;

	CU_ASSERT_FATAL(mdl_geometry(DRIVE_SIZE, 512, 16 << 20, 1, &l, &e) ==
			0);
	l.ml_setno = 4;
	strcpy(l.ml_setname, "blue");
	strcpy(l.ml_name, "d0");
	mdl_label_encode(&l, good);
	CU_ASSERT_FATAL(mdl_label_decode(good, &r) == 0);
	for (i = 0; i < sizeof(lab) / sizeof(lab[0]); i++) {
		int rc = decode_with(label_dec, good, MDL_LABEL_SIZE,
				     lab[i].off, lab[i].width, lab[i].v);

		if (rc != ME_MDDB_CORRUPT)
			fprintf(stderr, "label, %s: %d\n", lab[i].what, rc);
		CU_ASSERT_EQUAL(rc, ME_MDDB_CORRUPT);
	}

	h.h_version = MDDB_VERSION;
	h.h_bsize = 512;
	h.h_length = 16 << 20;
	h.h_data_off = MDDB_OFF_DATA;
	h.h_data_blocks = (uint32_t)(((16 << 20) - MDDB_OFF_DATA) / 512);
	h.h_setno = 1;
	h.h_index = MDDB_MAXREPLICAS - 1;
	strcpy(h.h_setname, "blue");
	mddb_hdr_encode(&h, good);
	CU_ASSERT_FATAL(mddb_hdr_decode(good, &hr) == 0);
	CU_ASSERT_EQUAL(hr.h_index, MDDB_MAXREPLICAS - 1);
	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		int rc = decode_with(hdr_dec, good, MDDB_HDR_SIZE, hdr[i].off,
				     hdr[i].width, hdr[i].v);

		if (rc != ME_MDDB_CORRUPT)
			fprintf(stderr, "header, %s: %d\n", hdr[i].what, rc);
		CU_ASSERT_EQUAL(rc, ME_MDDB_CORRUPT);
	}

	/* A slot copy: an unknown flag, a payload past its room. */
	{
		static struct mddb_slot sl, sr;

		sl.s_slot = 3;
		sl.s_flags = MDDB_SLOT_INUSE;
		sl.s_len = 4;
		memcpy(sl.s_data, "abcd", 4);
		mddb_slot_encode(&sl, "MDLG", good);
		CU_ASSERT(mddb_slot_decode(good, "MDLG", &sr) == 0);
		CU_ASSERT_EQUAL(sr.s_len, 4);
		CU_ASSERT_EQUAL(decode_with(slot_dec, good, MDDB_SLOT_SIZE, 16,
					    4, 3),
				ME_MDDB_CORRUPT);
		CU_ASSERT_EQUAL(decode_with(slot_dec, good, MDDB_SLOT_SIZE, 20,
					    4, MDDB_LOG_MAXLEN + 1),
				ME_MDDB_CORRUPT);
	}
}

static void test_uuid_text(void)
{
	uint8_t u[16], v[16];
	char s[37];

	mdl_uuid_generate(u);
	mdl_uuid_format(u, s);
	CU_ASSERT_EQUAL(strlen(s), 36);
	CU_ASSERT(mdl_uuid_parse(s, v) == 0);
	CU_ASSERT(memcmp(u, v, 16) == 0);
	CU_ASSERT(mdl_uuid_parse("not-a-uuid", v) == -1);
	CU_ASSERT(mdl_uuid_parse("0123", v) == -1);
}

/* Refused drives are left exactly as they were. */
static void expect_refused(struct meta_set *s, const char *name, int code)
{
	size_t l1, l2;
	uint8_t *before = slurp(dpath(name), &l1), *after;
	const char *one = dpath(name);
	meta_error_t e;

	CU_ASSERT_FATAL(before != NULL);
	CU_ASSERT(meta_set_drive_add(s, &one, 1, 0, false, &e) == -1);
	if (e.me_code != code)
		fprintf(stderr, "%s: %s\n", name, meta_strerror(&e));
	CU_ASSERT_EQUAL(e.me_code, code);
	after = slurp(dpath(name), &l2);
	CU_ASSERT(after != NULL && l1 == l2 && memcmp(before, after, l1) == 0);
	free(before);
	free(after);
}

static int count_cb(void *arg, const struct meta_drive_info *di)
{
	(*(int *)arg)++;
	return 0;
}

static void test_set_drives(void)
{
	const char *me = "node1", *two[2];
	struct meta_set *s;
	struct meta_drive_info di, dj;
	meta_error_t e;
	char cmd[2048], name[64];
	uint8_t mbr[512] = { 0 };
	int fd, n = 0;

	CU_ASSERT_FATAL(meta_set_create("blue", true, &me, 1, &e) == 0);
	CU_ASSERT(meta_set_create("blue", true, &me, 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_EXISTS);
	CU_ASSERT(meta_set_create("bad/name", true, &me, 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_BADNAME);
	{
		const char *other = "nosuchnode";

		CU_ASSERT(meta_set_create("red", true, &other, 1, &e) == -1);
		CU_ASSERT_EQUAL(e.me_code, ME_SET_UNKNOWNHOST);
	}
	CU_ASSERT_FATAL(meta_set_open("blue", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(meta_set_number(s), 1);
	CU_ASSERT(meta_set_is_mn(s));
	CU_ASSERT(meta_set_db(s) == NULL);

	/* Drives that must be refused, untouched. */
	mkdrive("ext4", DRIVE_SIZE);
	snprintf(cmd, sizeof(cmd), "mkfs.ext4 -q -F %s >/dev/null 2>&1",
		 dpath("ext4"));
	CU_ASSERT_FATAL(system(cmd) == 0);
	expect_refused(s, "ext4", ME_MDL_INUSE);
	mkdrive("mbr", DRIVE_SIZE);
	mbr[446 + 4] = 0x83;
	meta_put32(mbr + 446 + 8, 2048);
	meta_put32(mbr + 446 + 12, 4096);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	fd = open(dpath("mbr"), O_WRONLY);
	CU_ASSERT_FATAL(fd >= 0 && pwrite(fd, mbr, 512, 0) == 512);
	close(fd);
	expect_refused(s, "mbr", ME_MDL_INUSE);
	mkdrive("small", 16 << 20);
	expect_refused(s, "small", ME_MDL_TOOSMALL);

	/* Good drives; -l below the MN minimum is refused. */
	mkdrive("d0", DRIVE_SIZE);
	mkdrive("d1", DRIVE_SIZE);
	two[0] = dpath("d0");
	CU_ASSERT(meta_set_drive_add(s, two, 1, 8 << 20, false, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_BADSIZE);
	two[1] = dpath("d1");
	CU_ASSERT_FATAL(meta_set_drive_add(s, two, 2, 0, false, &e) == 0);
	CU_ASSERT(meta_set_db(s) != NULL);
	CU_ASSERT_STRING_EQUAL(meta_set_master(s), "node1");
	/* Already in: refused. */
	CU_ASSERT(meta_set_drive_add(s, two, 1, 0, false, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_DRIVEINSET);
	/* -f overrides the file system check. */
	two[0] = dpath("ext4");
	CU_ASSERT(meta_set_drive_add(s, two, 1, 0, true, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 3);
	CU_ASSERT(meta_set_drive_find(s, dpath("d1"), &di, &e) == 0);
	CU_ASSERT_EQUAL(di.di_data_offset, 17 << 20);
	CU_ASSERT_EQUAL(di.di_sector_size, 512);
	CU_ASSERT_EQUAL(di.di_nreplicas, 1);
	meta_set_close(s);

	/* Rename the drives: found again by their labels' UUIDs. */
	CU_ASSERT(rename(dpath("d1"), dpath("renamed1")) == 0);
	CU_ASSERT(rename(dpath("d0"), dpath("renamed0")) == 0);
	CU_ASSERT_FATAL(meta_set_open("blue", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_state(meta_set_db(s)), MDDB_S_OK);
	CU_ASSERT(meta_set_drive_find(s, dpath("renamed1"), &dj, &e) == 0);
	CU_ASSERT(memcmp(dj.di_uuid, di.di_uuid, 16) == 0);
	CU_ASSERT_STRING_EQUAL(dj.di_path, dpath("renamed1"));
	/* The canonical name and UUID= find it too. */
	CU_ASSERT(meta_set_drive_find(s, di.di_name, &dj, &e) == 0);
	CU_ASSERT_STRING_EQUAL(dj.di_path, dpath("renamed1"));
	strcpy(name, "UUID=");
	mdl_uuid_format(di.di_uuid, name + 5);
	CU_ASSERT(meta_set_drive_find(s, name, &dj, &e) == 0);
	CU_ASSERT_STRING_EQUAL(dj.di_path, dpath("renamed1"));
	{
		char path[256];

		CU_ASSERT(mdl_resolve(name, path, sizeof(path), &e) == 0);
		CU_ASSERT_STRING_EQUAL(path, dpath("renamed1"));
	}
	mkdrive("stranger", DRIVE_SIZE);
	CU_ASSERT(meta_set_drive_find(s, dpath("stranger"), &dj, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_NODRIVE);
	CU_ASSERT(meta_set_drive_find(s, dpath("nonexistent"), &dj, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_NOTFOUND);
	meta_set_drive_foreach(s, count_cb, &n, &e);
	CU_ASSERT_EQUAL(n, 3);
	{
		/* The same process may open a set twice: no self-deadlock
		 * on the node-local set lock. */
		struct meta_set *s2;

		CU_ASSERT_FATAL(meta_set_open("blue", META_SET_NODB, &s2, &e) ==
				0);
		meta_set_close(s2);
	}
	meta_set_close(s);

	/* A drive missing: 2 of 3 replicas, still OK; 1 of 3, STALE. */
	CU_ASSERT(rename(dpath("renamed0"), dpath("../hidden0")) == 0);
	CU_ASSERT_FATAL(meta_set_open("blue", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_state(meta_set_db(s)), MDDB_S_OK);
	meta_set_close(s);
	CU_ASSERT(rename(dpath("ext4"), dpath("../hidden1")) == 0);
	CU_ASSERT_FATAL(meta_set_open("blue", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_state(meta_set_db(s)), MDDB_S_STALE);
	two[0] = dpath("stranger");
	CU_ASSERT(meta_set_drive_add(s, two, 1, 0, false, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	meta_set_close(s);
	CU_ASSERT(rename(dpath("../hidden0"), dpath("renamed0")) == 0);
	CU_ASSERT(rename(dpath("../hidden1"), dpath("ext4")) == 0);

	/* A drive of this set is refused by another set. */
	CU_ASSERT_FATAL(meta_set_create("green", true, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("green", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(meta_set_number(s), 2);
	expect_refused(s, "renamed0", ME_MDL_OTHERSET);
	meta_set_close(s);
	CU_ASSERT(meta_set_destroy("green", false, &e) == 0);

	/* Delete drives; the set with drives cannot be deleted. */
	CU_ASSERT(meta_set_destroy("blue", false, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_HASDRIVES);
	CU_ASSERT_FATAL(meta_set_open("blue", 0, &s, &e) == 0);
	two[0] = dpath("renamed0");
	CU_ASSERT(meta_set_drive_del(s, two, 1, false, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 2);
	meta_set_close(s);
	CU_ASSERT_FATAL(meta_set_open("blue", 0, &s, &e) == 0);
	n = 0;
	meta_set_drive_foreach(s, count_cb, &n, &e);
	CU_ASSERT_EQUAL(n, 2);
	two[0] = dpath("renamed1");
	two[1] = dpath("ext4");
	CU_ASSERT(meta_set_drive_del(s, two, 2, false, &e) == 0);
	CU_ASSERT(meta_set_db(s) == NULL);
	CU_ASSERT_STRING_EQUAL(meta_set_master(s), "");
	meta_set_close(s);
	CU_ASSERT(meta_set_destroy("blue", false, &e) == 0);
	CU_ASSERT(meta_set_open("blue", 0, &s, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_NOTFOUND);
}

static int nlocal_nodes(const char *set)
{
	struct ml_node *nodes = NULL;
	meta_error_t e;
	int n = -1;

	if (meta_local_nodes(set, &nodes, &n, &e) != 0)
		return -1;
	free(nodes);
	return n;
}

/* Transactions of the local replica: all of a change or none of it. */
static void test_local_txn(void)
{
	const char *me = "node1";
	struct ml_set rec, got;
	struct ml_node nd;
	struct ml_txn *t, *t2;
	meta_error_t e;

	memset(&rec, 0, sizeof(rec));
	rec.ms_version = ML_VERSION;
	rec.ms_setno = 30;
	strcpy(rec.ms_name, "txn");
	memset(&nd, 0, sizeof(nd));
	nd.mn_version = ML_VERSION;
	nd.mn_nodeid = 1;
	strcpy(nd.mn_name, "node1");

	/* Inside: the writes are seen; after an abort: none happened. */
	CU_ASSERT_FATAL(meta_local_begin(&t, &e) == 0);
	CU_ASSERT(meta_local_begin(&t2, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_LOCAL_DB);
	CU_ASSERT(meta_local_node_put("txn", &nd, &e) == 0);
	CU_ASSERT(meta_local_set_put(&rec, &e) == 0);
	CU_ASSERT(meta_local_set_get("txn", &got, &e) == 0);
	CU_ASSERT_EQUAL(nlocal_nodes("txn"), 1);
	meta_local_abort(t);
	CU_ASSERT(meta_local_set_get("txn", &got, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_NOTFOUND);
	CU_ASSERT_EQUAL(nlocal_nodes("txn"), 0);

	/* A commit makes both visible; the set's deletion is one change. */
	CU_ASSERT_FATAL(meta_local_begin(&t, &e) == 0);
	CU_ASSERT(meta_local_node_put("txn", &nd, &e) == 0);
	CU_ASSERT(meta_local_set_put(&rec, &e) == 0);
	CU_ASSERT(meta_local_commit(t, &e) == 0);
	CU_ASSERT(meta_local_set_get("txn", &got, &e) == 0);
	CU_ASSERT_EQUAL(got.ms_setno, 30);
	CU_ASSERT_EQUAL(nlocal_nodes("txn"), 1);

#ifdef OBAN_TEST_HOOKS
	/* A write failing in the middle: the transaction is poisoned, its
	 * commit fails and nothing of it happened. */
	CU_ASSERT_FATAL(meta_local_begin(&t, &e) == 0);
	meta_local_test_fail(2);
	nd.mn_nodeid = 2;
	CU_ASSERT(meta_local_node_put("txn", &nd, &e) == 0);
	CU_ASSERT(meta_local_set_del("txn", &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EIO);
	CU_ASSERT(meta_local_set_put(&rec, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_LOCAL_DB);
	CU_ASSERT(meta_local_commit(t, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_LOCAL_DB);
	CU_ASSERT(meta_local_set_get("txn", &got, &e) == 0);
	CU_ASSERT_EQUAL(nlocal_nodes("txn"), 1);

	/* meta_local_set_del alone: its third delete fails, the set and
	 * its records stay. */
	meta_local_test_fail(3);
	CU_ASSERT(meta_local_set_del("txn", &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EIO);
	CU_ASSERT(meta_local_set_get("txn", &got, &e) == 0);
	CU_ASSERT_EQUAL(nlocal_nodes("txn"), 1);

	/* meta_set_create writes the host records, then the set record:
	 * the set record's write fails, no host record is left either. */
	meta_local_test_fail(2);
	CU_ASSERT(meta_set_create("amber", true, &me, 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EIO);
	CU_ASSERT(meta_local_set_get("amber", &got, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_NOTFOUND);
	CU_ASSERT_EQUAL(nlocal_nodes("amber"), 0);
	meta_local_test_fail(0);
#else
	fprintf(stderr, "test_mdl: test hooks not built in: injected local "
			"write failures skipped\n");
#endif
	CU_ASSERT(meta_set_create("amber", true, &me, 1, &e) == 0);
	CU_ASSERT_EQUAL(nlocal_nodes("amber"), 1);
	CU_ASSERT(meta_set_destroy("amber", false, &e) == 0);
	CU_ASSERT(meta_local_set_del("txn", &e) == 0);
	CU_ASSERT_EQUAL(nlocal_nodes("txn"), 0);
}

#ifdef OBAN_TEST_HOOKS
/* The set "lag" as a reopen sees it: drives, replicas, mddb state. */
static void expect_lag(const char *set, int ndrives, int nrep)
{
	struct meta_set *s;
	meta_error_t e;
	int n = 0;

	CU_ASSERT_FATAL(meta_set_open(set, 0, &s, &e) == 0);
	meta_set_drive_foreach(s, count_cb, &n, &e);
	CU_ASSERT_EQUAL(n, ndrives);
	if (nrep == 0) {
		CU_ASSERT(meta_set_db(s) == NULL);
	} else {
		CU_ASSERT_FATAL(meta_set_db(s) != NULL);
		CU_ASSERT_EQUAL(mddb_state(meta_set_db(s)), MDDB_S_OK);
		CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), nrep);
	}
	meta_set_close(s);
}

static bool labelled(const char *name)
{
	struct meta_dev *d;
	struct mdl_label l;
	meta_error_t e;
	int rc;

	if (meta_dev_open(dpath(name), META_DEV_RDONLY, &d, &e) != 0)
		return false;
	rc = mdl_label_read(d, &l, &e);
	meta_dev_close(d);
	return rc == 0;
}
#endif

#ifdef OBAN_TEST_HOOKS
/*
 * One step of a scenario of injected local write failures: open the set
 * writable, make local write lg_fail fail (meta_local_test_fail(); 0: none,
 * the operation succeeds, else it fails with EIO), run the operation on
 * lg_names, with lg_retry run it again on the same handle (it succeeds),
 * close; then each drive of lg_names is labelled or not (lg_label;
 * -1 unchecked) and the scenario's check holds for lg_a, lg_b (-1 none).
 */
enum lag_op {
	LAG_OPEN, /* nothing: an open and a close */
	LAG_DRIVE_ADD,
	LAG_DRIVE_DEL,
	LAG_HOST_ADD,
	LAG_HOST_DEL,
};

struct lag_step {
	enum lag_op lg_op;
	const char *lg_names; /* drives ("la lb"), or a host */
	int lg_fail;
	bool lg_retry;
	int lg_label;
	int lg_a, lg_b;
};

static int lag_op(struct meta_set *s, const struct lag_step *l,
		  const char *const *names, int n, meta_error_t *ep)
{
	switch (l->lg_op) {
	case LAG_OPEN:
		return 0;
	case LAG_DRIVE_ADD:
		return meta_set_drive_add(s, names, n, 0, false, ep);
	case LAG_DRIVE_DEL:
		return meta_set_drive_del(s, names, n, false, ep);
	case LAG_HOST_ADD:
		return meta_set_host_add(s, names, n, ep);
	case LAG_HOST_DEL:
		return meta_set_host_del(s, names, n, ep);
	}
	return -1;
}

static void lag_run(const char *set, const struct lag_step *steps, size_t n,
		    void (*check)(const char *set, int a, int b))
{
	for (size_t i = 0; i < n; i++) {
		const struct lag_step *l = &steps[i];
		bool drives = l->lg_op == LAG_DRIVE_ADD ||
			      l->lg_op == LAG_DRIVE_DEL;
		char words[64], paths[2][1024], *w, *save = NULL;
		unsigned int failed = CU_get_number_of_failures();
		const char *names[2], *word[2];
		struct meta_set *s;
		meta_error_t e;
		int nn = 0, rc;

		snprintf(words, sizeof(words), "%s",
			 l->lg_names != NULL ? l->lg_names : "");
		for (w = strtok_r(words, " ", &save); w != NULL && nn < 2;
		     w = strtok_r(NULL, " ", &save), nn++) {
			snprintf(paths[nn], sizeof(paths[nn]), "%s",
				 drives ? dpath(w) : w);
			names[nn] = paths[nn];
			word[nn] = w;
		}
		CU_ASSERT_FATAL(meta_set_open(set, 0, &s, &e) == 0);
		meta_local_test_fail(l->lg_fail);
		rc = lag_op(s, l, names, nn, &e);
		meta_local_test_fail(0);
		if (l->lg_fail == 0) {
			CU_ASSERT_EQUAL(rc, 0);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(e.me_code, EIO);
		}
		if (l->lg_retry)
			CU_ASSERT_EQUAL(lag_op(s, l, names, nn, &e), 0);
		meta_set_close(s);
		for (int k = 0; l->lg_label >= 0 && k < nn; k++)
			CU_ASSERT_EQUAL(labelled(word[k]), l->lg_label == 1);
		if (l->lg_a >= 0)
			check(set, l->lg_a, l->lg_b);
		if (CU_get_number_of_failures() != failed)
			fprintf(stderr, "(after step %zu of set %s)\n", i + 1,
				set);
	}
}

/* expect_lag() as a scenario's check: @a drives, @b replicas. */
static void drives_are(const char *set, int a, int b)
{
	expect_lag(set, a, b);
}
#endif

/*
 * A drive add or delete whose local write fails: before the mddb commit,
 * neither replica changes (labels and replicas taken back); a failure of
 * the local commit itself is repaired by the next open of the
 * single-owner set.  The local writes of an add: node, drive, set record,
 * commit; of a delete: drive delete, commit.
 */
static void test_local_fail_drive(void)
{
#ifdef OBAN_TEST_HOOKS
	static const struct lag_step steps[] = {
		/* The first drives: the local commit fails; the new mddb
		 * and the label are taken back. */
		{ LAG_DRIVE_ADD, "la", 4, false, 0, 0, 0 },
		{ LAG_DRIVE_ADD, "la", 0, false, 1, 1, 1 },
		/* A later drive, a local write failing before the mddb
		 * commit: neither changed, its label is gone. */
		{ LAG_DRIVE_ADD, "lb", 2, false, 0, 1, 1 },
		{ LAG_DRIVE_ADD, "lb", 0, false, 1, 2, 2 },
		/* The local commit fails after the mddb's: the next open
		 * reloads the local replica from the mddb. */
		{ LAG_DRIVE_ADD, "lc", 4, false, 1, 3, 3 },
		/* Delete: the local delete fails first, nothing changes. */
		{ LAG_DRIVE_DEL, "lc", 1, false, 1, 3, 3 },
		/* Its local commit fails after the mddb's: repaired at
		 * open, and the drive can be added again. */
		{ LAG_DRIVE_DEL, "lc", 2, false, 0, 2, 2 },
		{ LAG_DRIVE_ADD, "lc", 0, false, 1, 3, 3 },
		{ LAG_DRIVE_DEL, "la lb", 0, false, 0, 1, 1 },
		/* The last drive: its local commit (drive, node, set
		 * record, commit) fails; it stays in the set, label and
		 * replica. */
		{ LAG_DRIVE_DEL, "lc", 4, false, 1, 1, 1 },
		{ LAG_DRIVE_DEL, "lc", 0, false, 0, -1, -1 },
	};
	const char *me = "node1";
	meta_error_t e;

	mkdrive("la", DRIVE_SIZE);
	mkdrive("lb", DRIVE_SIZE);
	mkdrive("lc", DRIVE_SIZE);
	CU_ASSERT_FATAL(meta_set_create("lag", false, &me, 1, &e) == 0);
	lag_run("lag", steps, sizeof(steps) / sizeof(steps[0]), drives_are);
	CU_ASSERT(meta_set_destroy("lag", false, &e) == 0);
#else
	fprintf(stderr, "test_mdl: test hooks not built in: injected local "
			"write failures skipped\n");
#endif
}

#ifdef OBAN_TEST_HOOKS
/* Do the first 4 KiB at @off of drive @name read as zeros? */
static bool zero_at(const char *name, uint64_t off)
{
	uint8_t buf[4096], z[4096] = { 0 };
	int fd = open(dpath(name), O_RDONLY);
	bool zero;

	if (fd < 0)
		return false;
	zero = pread(fd, buf, sizeof(buf), (off_t)off) ==
		       (ssize_t)sizeof(buf) &&
	       memcmp(buf, z, sizeof(buf)) == 0;
	close(fd);
	return zero;
}
#endif

/*
 * A drive add whose mddb commit fails with too few replicas: the drive's
 * replica and its record are one commit, so neither is in the set; the
 * mddb takes the replica back and wipes its header, the add wipes the
 * label: nothing is left on the drive that no record names, and the add
 * can be made again.
 */
static void test_drive_add_toofew(void)
{
#ifdef OBAN_TEST_HOOKS
	const char *me = "node1", *one;
	struct meta_set *s;
	struct meta_dev *d;
	struct mdl_label l;
	meta_error_t e;

	mkdrive("ta", DRIVE_SIZE);
	mkdrive("tb", DRIVE_SIZE);
	CU_ASSERT_FATAL(meta_set_create("tf", false, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("tf", 0, &s, &e) == 0);
	one = dpath("ta");
	CU_ASSERT_FATAL(meta_set_drive_add(s, &one, 1, 0, false, &e) == 0);
	/* ta's replica area: tb's, the same size, has it at the same place */
	CU_ASSERT_FATAL(meta_dev_open(dpath("ta"), META_DEV_RDONLY, &d, &e) ==
			0);
	CU_ASSERT_FATAL(mdl_label_read(d, &l, &e) == 0);
	meta_dev_close(d);
	/* The one commit (tb's replica and the records) fails on every
	 * replica. */
	one = dpath("tb");
	mddb_test_fail_commit(1);
	CU_ASSERT(meta_set_drive_add(s, &one, 1, 0, false, &e) == -1);
	mddb_test_fail_commit(0);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 1);
	meta_set_close(s);
	CU_ASSERT(labelled("ta"));
	CU_ASSERT_FALSE(labelled("tb"));
	CU_ASSERT(zero_at("tb", l.ml_rep_off)); /* no replica header */
	CU_ASSERT_FALSE(zero_at("ta", l.ml_rep_off));
	/* The set opens with ta's replica alone; tb can be added now. */
	CU_ASSERT_FATAL(meta_set_open("tf", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 1);
	one = dpath("tb");
	CU_ASSERT(meta_set_drive_add(s, &one, 1, 0, false, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 2);
	meta_set_close(s);
	CU_ASSERT(labelled("tb"));
	CU_ASSERT(meta_set_destroy("tf", true, &e) == 0);
	mkdrive("ta", DRIVE_SIZE);
	mkdrive("tb", DRIVE_SIZE);
#else
	fprintf(stderr, "test_mdl: test hooks not built in: injected mddb "
			"write failures skipped\n");
#endif
}

#ifdef OBAN_TEST_HOOKS
/*
 * A multi-owner set after a drive add (vc) in doubt, opened without a
 * reload: its local list has va and vb, its mddb names vc too.  Adding vd
 * on that list must not take vc's record id (the reload every host makes
 * on META_MNS_RELOAD shows va, vb, vc and vd).  Then another add (ve) in
 * doubt, and deletes from the local list down to one drive: that drive is
 * not the mddb's last (ve is), and its delete, which would end the mddb,
 * is refused.
 */
static void drive_add_after_doubt(void)
{
	const char *one, *gone[] = { "vb", "vc", "vd" };
	struct meta_drive_info di;
	struct meta_set *s;
	meta_error_t e;
	int i;

	mkdrive("vd", DRIVE_SIZE);
	mkdrive("ve", DRIVE_SIZE);
	CU_ASSERT_FATAL(meta_set_open("tv", 0, &s, &e) == 0);
	CU_ASSERT(meta_set_is_mn(s));
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 3);
	CU_ASSERT(meta_set_drive_find(s, dpath("vc"), &di, &e) == -1);
	one = dpath("vd");
	CU_ASSERT(meta_set_drive_add(s, &one, 1, 0, false, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 4);
	meta_set_close(s);
	CU_ASSERT(meta_set_reload("tv", &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("tv", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 4);
	CU_ASSERT(meta_set_drive_find(s, dpath("vc"), &di, &e) == 0);
	CU_ASSERT(meta_set_drive_find(s, dpath("vd"), &di, &e) == 0);

	/* ve in doubt: its commit block reaches replica 0 (va's) only. */
	one = dpath("ve");
	mddb_test_fail_commit_blocks(1);
	CU_ASSERT(meta_set_drive_add(s, &one, 1, 0, false, &e) == -1);
	mddb_test_fail_commit_blocks(0);
	CU_ASSERT(mddb_commit_in_doubt(meta_set_db(s)));
	CU_ASSERT(strstr(e.me_what, "every host re-reads") != NULL);
	meta_set_close(s);
	CU_ASSERT_FATAL(meta_set_open("tv", 0, &s, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 5);
	CU_ASSERT(meta_set_drive_find(s, dpath("ve"), &di, &e) == -1);
	for (i = 0; i < 3; i++) {
		one = dpath(gone[i]);
		CU_ASSERT(meta_set_drive_del(s, &one, 1, false, &e) == 0);
	}
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 2);
	one = dpath("va");
	CU_ASSERT(meta_set_drive_del(s, &one, 1, false, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_HASDRIVES);
	CU_ASSERT(meta_set_drive_find(s, dpath("va"), &di, &e) == 0);
	CU_ASSERT(meta_set_db(s) != NULL &&
		  mddb_replica_count(meta_set_db(s)) == 2);
	meta_set_close(s);
	CU_ASSERT(labelled("va"));
	CU_ASSERT(labelled("ve"));
	CU_ASSERT(meta_set_reload("tv", &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("tv", 0, &s, &e) == 0);
	CU_ASSERT(meta_set_drive_find(s, dpath("va"), &di, &e) == 0);
	CU_ASSERT(meta_set_drive_find(s, dpath("ve"), &di, &e) == 0);
	CU_ASSERT(meta_set_drive_find(s, dpath("vb"), &di, &e) == -1);
	meta_set_close(s);
}

/*
 * A drive add whose mddb commit fails after its commit block reached
 * replica 0 only (the others' and the new replica's fail): TOOFEW, but
 * replica 0 holds the newest commit, which names the drive record and the
 * new replica.  The add keeps the drive's label and the replica's header,
 * says it cannot tell, and a reopen shows the drive in the set.
 */
static void drive_add_doubt(bool mn)
{
	const char *me = "node1", *two[2], *one;
	struct meta_drive_info di;
	struct meta_set *s;
	struct meta_dev *d;
	struct mdl_label l;
	meta_error_t e;

	mkdrive("va", DRIVE_SIZE);
	mkdrive("vb", DRIVE_SIZE);
	mkdrive("vc", DRIVE_SIZE);
	CU_ASSERT_FATAL(meta_set_create("tv", mn, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("tv", 0, &s, &e) == 0);
	two[0] = strdup(dpath("va"));
	two[1] = strdup(dpath("vb"));
	CU_ASSERT_FATAL(meta_set_drive_add(s, two, 2, 0, false, &e) == 0);
	free((void *)two[0]);
	free((void *)two[1]);
	CU_ASSERT_FATAL(mddb_replica_count(meta_set_db(s)) == 2);
	CU_ASSERT_FATAL(meta_dev_open(dpath("va"), META_DEV_RDONLY, &d, &e) ==
			0);
	CU_ASSERT_FATAL(mdl_label_read(d, &l, &e) == 0);
	meta_dev_close(d);
	one = dpath("vc");
	mddb_test_fail_commit_blocks(1);
	CU_ASSERT(meta_set_drive_add(s, &one, 1, 0, false, &e) == -1);
	mddb_test_fail_commit_blocks(0);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
	CU_ASSERT(strstr(e.me_what, "cannot tell") != NULL);
	CU_ASSERT(mddb_commit_in_doubt(meta_set_db(s)));
	/* This process dropped the drive; the disk keeps what the commit
	 * names. */
	CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 2);
	CU_ASSERT(meta_set_drive_find(s, dpath("vc"), &di, &e) == -1);
	meta_set_close(s);
	CU_ASSERT(labelled("vc"));
	CU_ASSERT_FALSE(zero_at("vc", l.ml_rep_off));
	/* The reopen loads replica 0's newer commit: vc and its replica.
	 * A single-owner set's open brings the local replica in line with
	 * it; a multi-owner set's open does not (set_open() leaves that to
	 * the reload every host makes on META_MNS_RELOAD, which metaset
	 * sends after an add, in doubt or not). */
	if (mn) {
		drive_add_after_doubt();
	} else {
		CU_ASSERT_FATAL(meta_set_open("tv", 0, &s, &e) == 0);
		CU_ASSERT_FALSE(meta_set_is_mn(s));
		CU_ASSERT_EQUAL(mddb_replica_count(meta_set_db(s)), 3);
		CU_ASSERT(meta_set_drive_find(s, dpath("vc"), &di, &e) == 0);
		meta_set_close(s);
	}
	CU_ASSERT(meta_set_destroy("tv", true, &e) == 0);
	mkdrive("va", DRIVE_SIZE);
	mkdrive("vb", DRIVE_SIZE);
	mkdrive("vc", DRIVE_SIZE);
	mkdrive("vd", DRIVE_SIZE);
	mkdrive("ve", DRIVE_SIZE);
}
#endif

static void test_drive_add_doubt(void)
{
#ifdef OBAN_TEST_HOOKS
	drive_add_doubt(false);
#else
	fprintf(stderr, "test_mdl: test hooks not built in: injected mddb "
			"commit block failures skipped\n");
#endif
}

/* The same on a multi-owner set, and the drive changes after it. */
static void test_drive_add_doubt_mn(void)
{
#ifdef OBAN_TEST_HOOKS
	drive_add_doubt(true);
#else
	fprintf(stderr, "test_mdl: test hooks not built in: injected mddb "
			"commit block failures on a multi-owner set skipped\n");
#endif
}

/*
 * Put @len bytes of @val under @key in the local replica straight through
 * LMDB, as a future build would: the library's handle is closed first (one
 * environment handle per process).
 */
static void raw_put(const char *key, const void *val, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };
	char dir[1024];

	meta_local_close();
	CU_ASSERT_FATAL(oban_path(dir, sizeof(dir), OBAN_DIR_STATE, "local") !=
			NULL);
	CU_ASSERT_FATAL(mdb_env_create(&env) == 0);
	CU_ASSERT_FATAL(mdb_env_set_mapsize(env, 64UL << 20) == 0);
	CU_ASSERT_FATAL(mdb_env_open(env, dir, 0, 0600) == 0);
	CU_ASSERT_FATAL(mdb_txn_begin(env, NULL, 0, &txn) == 0);
	CU_ASSERT_FATAL(mdb_dbi_open(txn, NULL, 0, &dbi) == 0);
	CU_ASSERT_FATAL(mdb_put(txn, dbi, &k, &v, 0) == 0);
	CU_ASSERT_FATAL(mdb_txn_commit(txn) == 0);
	mdb_env_close(env);
}

static int list_cb(void *arg, const char *name)
{
	char *names = arg;

	strcat(names, name);
	strcat(names, " ");
	return 0;
}

/*
 * A set record of a future version whose size changed too: refused as a
 * version (not a broken database), listed by name, its set number kept
 * from new sets, purged by a purge.
 */
static void test_local_future(void)
{
	const char *me = "node1";
	uint8_t fut[200] = { 0 };
	struct ml_set rec;
	struct meta_set *s;
	meta_error_t e;
	char names[512] = "";

	meta_put32(fut, ML_VERSION + 1);
	meta_put32(fut + 4, 1);
	raw_put("S/fut", fut, sizeof(fut));
	CU_ASSERT(meta_local_set_get("fut", &rec, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	CU_ASSERT(strstr(meta_strerror(&e), "version 2") != NULL);
	/* Another set can be created, not with its number. */
	CU_ASSERT_FATAL(meta_set_create("after", false, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("after", META_SET_RDONLY, &s, &e) == 0);
	CU_ASSERT_EQUAL(meta_set_number(s), 2);
	meta_set_close(s);
	CU_ASSERT(meta_set_list(list_cb, names, &e) == 0);
	CU_ASSERT_STRING_EQUAL(names, "after fut ");
	/* A record too short for a version: a broken database, purged too. */
	raw_put("S/short", fut, 2);
	CU_ASSERT(meta_local_set_get("short", &rec, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_LOCAL_DB);
	CU_ASSERT(meta_set_destroy("short", true, &e) == 0);
	CU_ASSERT(meta_set_destroy("fut", false, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	CU_ASSERT(meta_set_destroy("fut", true, &e) == 0);
	CU_ASSERT(meta_set_destroy("after", false, &e) == 0);
}

#ifdef OBAN_TEST_HOOKS
/* Whether the set's mddb holds the node record of node @id. */
static bool db_has_node(const char *set, uint32_t id)
{
	struct meta_set *s;
	meta_error_t e;
	void *data;
	size_t len;
	bool has;

	CU_ASSERT_FATAL(meta_set_open(set, META_SET_RDONLY, &s, &e) == 0);
	has = mddb_rec_get(meta_set_db(s), MDDB_RT_NODE, id, &data, &len,
			   NULL) == 0;
	if (has)
		free(data);
	meta_set_close(s);
	return has;
}
#endif

#ifdef OBAN_TEST_HOOKS
/* A host scenario's check: @a local node records, and node 2's record in
 * the mddb (@b 1) or not (0; -1 unchecked). */
static void nodes_are(const char *set, int a, int b)
{
	CU_ASSERT_EQUAL(nlocal_nodes(set), a);
	if (b >= 0)
		CU_ASSERT_EQUAL(db_has_node(set, 2), b == 1);
}
#endif

/*
 * A host add or delete whose local write fails: the mddb's node records do
 * not change either.  The local writes of a host add: node, node, set
 * record, commit; of a delete: node delete, commit.
 */
static void test_local_fail_host(void)
{
#ifdef OBAN_TEST_HOOKS
	static const struct lag_step steps[] = {
		{ LAG_HOST_ADD, "node2", 1, false, -1, 1, 0 },
		/* The local commit fails after the mddb's: the handle
		 * keeps its old nodes, a retry on it succeeds. */
		{ LAG_HOST_ADD, "node2", 4, true, -1, 2, 1 },
		{ LAG_HOST_DEL, "node2", 2, true, -1, 1, 0 },
		/* Without a retry the next writable open reloads the node
		 * list. */
		{ LAG_HOST_ADD, "node2", 4, false, -1, 1, 1 },
		{ LAG_OPEN, NULL, 0, false, -1, 2, 1 },
		{ LAG_HOST_DEL, "node2", 2, false, -1, 2, 0 },
		{ LAG_OPEN, NULL, 0, false, -1, 1, 0 },
		{ LAG_HOST_ADD, "node2", 0, false, -1, 2, 1 },
		/* The delete's first local write fails: nothing changes. */
		{ LAG_HOST_DEL, "node2", 1, false, -1, 2, 1 },
		{ LAG_HOST_DEL, "node2", 0, false, -1, 1, 0 },
		{ LAG_DRIVE_DEL, "ha", 0, false, 0, -1, -1 },
	};
	const char *me = "node1", *one;
	struct meta_set *s;
	meta_error_t e;
	char nl[1024];
	FILE *f;

	CU_ASSERT_FATAL(oban_path(nl, sizeof(nl), OBAN_DIR_RUN, "nodelist") !=
			NULL);
	f = fopen(nl, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "1 node1 10.99.9.1\n2 node2 10.99.9.2\n");
	fclose(f);
	mkdrive("ha", DRIVE_SIZE);
	one = dpath("ha");
	CU_ASSERT_FATAL(meta_set_create("hl", false, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("hl", 0, &s, &e) == 0);
	CU_ASSERT_FATAL(meta_set_drive_add(s, &one, 1, 0, false, &e) == 0);
	meta_set_close(s);
	lag_run("hl", steps, sizeof(steps) / sizeof(steps[0]), nodes_are);
	CU_ASSERT(meta_set_destroy("hl", false, &e) == 0);
	CU_ASSERT(unlink(nl) == 0);
#else
	fprintf(stderr, "test_mdl: test hooks not built in: injected local "
			"write failures skipped\n");
#endif
}

/* One thread's share of test_local_shared: @arg is its node id. */
static void *local_worker(void *arg)
{
	struct ml_node nd;
	struct ml_txn *t;
	meta_error_t e;
	long ok = 0;
	int i;

	memset(&nd, 0, sizeof(nd));
	nd.mn_version = ML_VERSION;
	nd.mn_nodeid = (uint32_t)(uintptr_t)arg;
	snprintf(nd.mn_name, sizeof(nd.mn_name), "n%u", nd.mn_nodeid);
	for (i = 0; i < 50; i++) {
		nd.mn_flags = (uint32_t)i;
		if (meta_local_begin(&t, &e) != 0)
			break;
		if (meta_local_node_put("shared", &nd, &e) != 0) {
			meta_local_abort(t);
			break;
		}
		if (meta_local_commit(t, &e) != 0)
			break;
		ok++;
	}
	return (void *)ok;
}

/*
 * The process's one LMDB environment: threads write through it at once
 * (each its own transactions), a forked child opens its own and writes,
 * and the parent's still works after the child exits; meta_local_close()
 * with nothing open closes it and the next call opens it again.
 */
static void test_local_shared(void)
{
	pthread_t th[4];
	struct ml_node *nodes = NULL;
	struct ml_set rec;
	meta_error_t e;
	void *ok;
	pid_t pid;
	int i, n = 0, st = 0;

	memset(&rec, 0, sizeof(rec));
	rec.ms_version = ML_VERSION;
	rec.ms_setno = 31;
	strcpy(rec.ms_name, "shared");
	CU_ASSERT_FATAL(meta_local_set_put(&rec, &e) == 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, local_worker,
					       (void *)(uintptr_t)(i + 1)) ==
				0);
	for (i = 0; i < 4; i++) {
		CU_ASSERT(pthread_join(th[i], &ok) == 0);
		CU_ASSERT_EQUAL((long)ok, 50);
	}
	CU_ASSERT(meta_local_nodes("shared", &nodes, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 4);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(nodes[i].mn_flags, 49);
	free(nodes);

	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct ml_set got;

		rec.ms_setno = 32;
		_exit(meta_local_set_put(&rec, &e) == 0 &&
				      meta_local_set_get("shared", &got, &e) ==
					      0 &&
				      got.ms_setno == 32 ?
			      0 :
			      1);
	}
	CU_ASSERT(waitpid(pid, &st, 0) == pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT(meta_local_set_get("shared", &rec, &e) == 0);
	CU_ASSERT_EQUAL(rec.ms_setno, 32);

	/*
	 * A child forked inside the parent's write transaction has none of
	 * its own: it reads the committed record (not the parent's pending
	 * change) through its own environment.  (Reading only: the parent
	 * holds LMDB's writer lock.)
	 */
	{
		struct ml_txn *t;

		CU_ASSERT_FATAL(meta_local_begin(&t, &e) == 0);
		rec.ms_setno = 30;
		CU_ASSERT(meta_local_set_put(&rec, &e) == 0);
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			struct ml_set got;

			_exit(meta_local_set_get("shared", &got, &e) == 0 &&
					      got.ms_setno == 32 ?
				      0 :
				      1);
		}
		CU_ASSERT(waitpid(pid, &st, 0) == pid);
		CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CU_ASSERT(meta_local_commit(t, &e) == 0);
		CU_ASSERT(meta_local_set_get("shared", &rec, &e) == 0);
		CU_ASSERT_EQUAL(rec.ms_setno, 30);
	}
	meta_local_close();
	CU_ASSERT(meta_local_set_del("shared", &e) == 0);
	CU_ASSERT(meta_local_set_get("shared", &rec, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_NOTFOUND);
}

/* A record of an unknown version is refused, naming it and the version. */
static void test_local_version(void)
{
	const char *me = "node1";
	struct ml_set rec;
	struct ml_drive d;
	struct ml_drive *dv = NULL;
	struct meta_set *s;
	meta_error_t e;
	int n;

	CU_ASSERT_FATAL(meta_set_create("vers", false, &me, 1, &e) == 0);
	CU_ASSERT_FATAL(meta_local_set_get("vers", &rec, &e) == 0);
	rec.ms_version = 7;
	CU_ASSERT_FATAL(meta_local_set_put(&rec, &e) == 0);
	CU_ASSERT(meta_local_set_get("vers", &rec, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	CU_ASSERT(strstr(meta_strerror(&e), "version 7") != NULL);
	CU_ASSERT(strstr(meta_strerror(&e), "'S/vers'") != NULL);
	CU_ASSERT(meta_set_open("vers", META_SET_RDONLY, &s, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	rec.ms_version = ML_VERSION;
	CU_ASSERT_FATAL(meta_local_set_put(&rec, &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("vers", META_SET_RDONLY, &s, &e) == 0);
	meta_set_close(s);

	memset(&d, 0, sizeof(d));
	d.md_version = ML_VERSION + 1;
	d.md_seq = 3;
	CU_ASSERT_FATAL(meta_local_drive_put("vers", &d, &e) == 0);
	CU_ASSERT(meta_local_drives("vers", &dv, &n, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	CU_ASSERT(strstr(meta_strerror(&e), "'D/vers/00000003'") != NULL);
	CU_ASSERT(meta_set_open("vers", 0, &s, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	CU_ASSERT(meta_set_destroy("vers", true, &e) == 0);
}

/* The whole local replica, every key and value, for "nothing changed". */
static uint8_t *raw_dump(size_t *len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, v;
	char dir[1024];
	uint8_t *out = NULL;
	size_t n = 0;

	meta_local_close();
	CU_ASSERT_FATAL(oban_path(dir, sizeof(dir), OBAN_DIR_STATE, "local") !=
			NULL);
	CU_ASSERT_FATAL(mdb_env_create(&env) == 0);
	CU_ASSERT_FATAL(mdb_env_set_mapsize(env, 64UL << 20) == 0);
	CU_ASSERT_FATAL(mdb_env_open(env, dir, 0, 0600) == 0);
	CU_ASSERT_FATAL(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0);
	CU_ASSERT_FATAL(mdb_dbi_open(txn, NULL, 0, &dbi) == 0);
	CU_ASSERT_FATAL(mdb_cursor_open(txn, dbi, &cur) == 0);
	while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
		out = realloc(out, n + k.mv_size + v.mv_size + 2);
		CU_ASSERT_FATAL(out != NULL);
		memcpy(out + n, k.mv_data, k.mv_size);
		n += k.mv_size;
		out[n++] = '=';
		memcpy(out + n, v.mv_data, v.mv_size);
		n += v.mv_size;
		out[n++] = '\n';
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	*len = n;
	return out;
}

static bool same_dump(const uint8_t *a, size_t alen)
{
	size_t blen;
	uint8_t *b = raw_dump(&blen);
	bool same = alen == blen && memcmp(a, b, alen) == 0;

	free(b);
	return same;
}

/*
 * A reload that fails leaves the whole local replica as it was: a set
 * record of an unknown version in the set's mddb (refused, naming it), and
 * each of the reload's local writes failing in turn (test hook) after the
 * ones before it succeeded; then a reload that works restores the drive
 * record the local replica lost.
 */
static void test_reload_version(void)
{
	const char *two[2];
	struct ml_drive *dv = NULL, lost;
	struct ml_set rec;
	struct mddb_txn *t;
	struct meta_set *s;
	meta_error_t e;
	uint8_t *before;
	size_t blen;
	int n = 0, k;

	set_on("rver", "rv rw");
	two[0] = dpath("rv");
	two[1] = dpath("rw");
	/* The local replica loses the second drive's record: a reload that
	 * runs to its end writes it back. */
	CU_ASSERT_FATAL(meta_local_drives("rver", &dv, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 2);
	lost = dv[1];
	free(dv);
	CU_ASSERT_FATAL(meta_local_drive_del("rver", lost.md_seq, &e) == 0);
	before = raw_dump(&blen);
#ifdef OBAN_TEST_HOOKS
	/* The reload writes 2 drive records and the set record, and
	 * commits: each failing in turn, after the ones before it worked,
	 * changes nothing. */
	for (k = 1; k <= 4; k++) {
		meta_local_test_fail(k);
		CU_ASSERT(meta_set_reload("rver", &e) == -1);
		CU_ASSERT_EQUAL(e.me_code, EIO);
		CU_ASSERT(same_dump(before, blen));
	}
	meta_local_test_fail(0);
#else
	(void)k;
#endif
	CU_ASSERT(meta_set_reload("rver", &e) == 0);
	CU_ASSERT_FALSE(same_dump(before, blen));
	CU_ASSERT(meta_local_drives("rver", &dv, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 2);
	free(dv);
	free(before);

	/* A set record of version 9 in the mddb: refused, naming it, the
	 * local replica as it was. */
	CU_ASSERT_FATAL(meta_set_open("rver", 0, &s, &e) == 0);
	CU_ASSERT_FATAL(meta_local_set_get("rver", &rec, &e) == 0);
	rec.ms_version = 9;
	CU_ASSERT_FATAL(mddb_txn_begin(meta_set_db(s), &t, &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_SET, rec.ms_setno, &rec, sizeof(rec),
			       &e) == 0);
	CU_ASSERT_FATAL(mddb_txn_commit(t, &e) == 0);
	meta_set_close(s);
	CU_ASSERT_FATAL(meta_local_drive_del("rver", lost.md_seq, &e) == 0);
	before = raw_dump(&blen);
	CU_ASSERT(meta_set_reload("rver", &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADVERSION);
	CU_ASSERT(strstr(meta_strerror(&e), "version 9") != NULL);
	CU_ASSERT(strstr(meta_strerror(&e), "'set record") != NULL);
	CU_ASSERT(same_dump(before, blen));
	free(before);

	CU_ASSERT_FATAL(meta_local_drive_put("rver", &lost, &e) == 0);
	set_off("rver", two);
}

/*
 * A drive whose label lays out its areas otherwise than the set's record:
 * not used (replicas are placed from the record), and refused with both
 * layouts by a replica add; the only drive: the open says so.
 */
static void test_geometry_mismatch(void)
{
	const char *two[2];
	struct ml_drive *dv = NULL, good;
	struct meta_set *s;
	meta_error_t e;
	int n = 0;

	set_on("geo", "ga gb");
	two[0] = dpath("ga");
	two[1] = dpath("gb");
	CU_ASSERT_FATAL(meta_local_drives("geo", &dv, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 2);
	good = dv[1];
	dv[1].md_rep_cap = 2; /* the label says 1 */
	CU_ASSERT_FATAL(meta_local_drive_put("geo", &dv[1], &e) == 0);
	CU_ASSERT_FATAL(meta_set_open("geo", META_SET_ALLOW_HALF, &s, &e) == 0);
	CU_ASSERT(meta_set_replica_add(s, two[1], 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_GEOMETRY);
	CU_ASSERT(
		strstr(meta_strerror(&e),
		       "cannot use drive (label: 1 x 16 MiB at 1 MiB, data at "
		       "17 MiB; set's record: 2 x 16 MiB at 1 MiB, data at "
		       "17 MiB) '") != NULL);
	meta_set_close(s);
	/* Both drives differ: no replica is used, the open names one. */
	dv[0].md_data_off += 1 << 20;
	CU_ASSERT_FATAL(meta_local_drive_put("geo", &dv[0], &e) == 0);
	CU_ASSERT(meta_set_open("geo", 0, &s, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDL_GEOMETRY);
	dv[0].md_data_off -= 1 << 20;
	CU_ASSERT_FATAL(meta_local_drive_put("geo", &dv[0], &e) == 0);
	CU_ASSERT_FATAL(meta_local_drive_put("geo", &good, &e) == 0);
	free(dv);
	set_off("geo", two);
}

static void test_meta_dev(void)
{
	struct meta_dev *d, *ro;
	uint8_t *buf = meta_dev_alloc(8192), *rd = meta_dev_alloc(8192);
	meta_error_t e;

	mkdrive("dev", 1 << 20);
	CU_ASSERT_FATAL(meta_dev_open(dpath("dev"), 0, &d, &e) == 0);
	CU_ASSERT_EQUAL(d->md_size, 1 << 20);
	CU_ASSERT_EQUAL(d->md_lsz, 512);
	CU_ASSERT_FALSE(d->md_blkdev);
	memset(buf, 0xa5, 8192);
	CU_ASSERT(meta_dev_write(d, buf, 8192, 4096, &e) == 0);
	CU_ASSERT(meta_dev_flush(d, &e) == 0);
	CU_ASSERT(meta_dev_read(d, rd, 8192, 4096, &e) == 0);
	CU_ASSERT(memcmp(buf, rd, 8192) == 0);
	/* Misaligned buffer, length or offset; past the end. */
	CU_ASSERT(meta_dev_read(d, rd + 1, 512, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EINVAL);
	CU_ASSERT(meta_dev_read(d, rd, 100, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EINVAL);
	CU_ASSERT(meta_dev_write(d, buf, 512, 100, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EINVAL);
	CU_ASSERT(meta_dev_read(d, rd, 8192, (1 << 20) - 4096, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENXIO);
	CU_ASSERT(strstr(meta_strerror(&e), "cannot read") != NULL);
	/* Read-only devices refuse writes. */
	CU_ASSERT_FATAL(meta_dev_open(dpath("dev"), META_DEV_RDONLY, &ro, &e) ==
			0);
	CU_ASSERT(meta_dev_write(ro, buf, 512, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EROFS);
	CU_ASSERT(meta_dev_read(ro, rd, 8192, 4096, &e) == 0);
	CU_ASSERT(memcmp(buf, rd, 8192) == 0);
	meta_dev_close(ro);
	meta_dev_close(d);
	/* Neither a file nor a block device; a missing path. */
	CU_ASSERT(meta_dev_open(drive_dir, 0, &d, &e) == -1);
	CU_ASSERT(meta_dev_open(dpath("missing"), 0, &d, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	free(buf);
	free(rd);
}

static CU_TestInfo mdl_tests[] = {
	{ "meta_dev on files", test_meta_dev },
	{ "label round trip and bad labels", test_label_roundtrip },
	{ "uuid text", test_uuid_text },
	{ "label and header fields out of range", test_corrupt_fields },
	{ "set drives: refusals, discovery, names", test_set_drives },
	{ "local replica: transactions", test_local_txn },
	{ "local replica: record versions", test_local_version },
	{ "local replica: failures of drive changes", test_local_fail_drive },
	{ "local replica: a future record of another size", test_local_future },
	{ "local replica: threads and a forked child", test_local_shared },
	{ "local replica: failures of host changes", test_local_fail_host },
	{ "drive add: a failed mddb commit with too few replicas",
	  test_drive_add_toofew },
	{ "drive add: a commit that reached one replica only",
	  test_drive_add_doubt },
	{ "a drive add in doubt on a multi-owner set",
	  test_drive_add_doubt_mn },
	{ "reload: record versions in the mddb", test_reload_version },
	{ "drive areas: label and record differ", test_geometry_mismatch },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "mdl", NULL, NULL, mdl_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	if (ocu_oban_env("node1", "# test\ncommd_verbosity 0\n", drive_dir,
			 sizeof(drive_dir)) != 0)
		return 1;
	return ocu_main(argc, argv, suites);
}
