// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the mddb replica store: round trips, many replicas, many
 * records, the quorum matrix, bad input, repair, replica add and delete,
 * change-log and resync slots, what a load reads.  The crash-safety tests
 * (a crash at every write, random faults) are in test_mddb_crash.c; the
 * memory rigs both use are in mddb_testlib.c.
 *
 * Most tests run on memory devices; the round trip, the 50-replica test
 * and a drive going buffered in a clear use real files through
 * meta_dev_open().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/meta_dev.h>

#include "mddb_impl.h"
#include "mddb_testlib.h"
#include "meta_crc.h"
#include "meta_dev_fault.h"
#include "ocu.h"

/*
 * Three 16 MiB files in the scratch directory, named @pfx0..2, opened as
 * drives, each with a replica of 8 MiB at 1 MiB in @spec.
 */
static void real_drives(const char *pfx, struct meta_dev *dev[3],
			struct mddb_replica_spec spec[3])
{
	char path[256];
	meta_error_t e;
	int k, fd;

	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s%d", ocu_tmpdir(), pfx, k);
		fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_FATAL(ftruncate(fd, 16 << 20) == 0);
		close(fd);
		CU_ASSERT_FATAL(meta_dev_open(path, 0, &dev[k], &e) == 0);
		memset(&spec[k], 0, sizeof(spec[k]));
		spec[k].rs_dev = dev[k];
		spec[k].rs_offset = 1 << 20;
		spec[k].rs_length = 8 << 20;
		memset(spec[k].rs_drive_uuid, k + 1, 16);
		snprintf(spec[k].rs_name, sizeof(spec[k].rs_name), "%s%d", pfx,
			 k);
	}
}

/* ---- Round trips ------------------------------------------------------- */

static int count_cb(void *arg, uint32_t id, const void *data, size_t len)
{
	uint32_t *last = arg;

	CU_ASSERT(id > last[0] || last[1] == 0);
	last[0] = id;
	last[1]++;
	return 0;
}

static int stop_cb(void *arg, uint32_t id, const void *data, size_t len)
{
	(*(int *)arg)++;
	return 7;
}

static void test_roundtrip_files(void)
{
	static const size_t sizes[] = { 0,
					1,
					31,
					32,
					511,
					512,
					4064,
					4096,
					65536,
					200000,
					MDDB_REC_MAXLEN };
	struct mddb_replica_spec spec[3];
	struct mddb_create_args a = { .ca_setno = 3, .ca_setname = "red" };
	struct meta_dev *dev[3];
	struct mddb *db;
	struct mddb_txn *t;
	uint8_t *big = malloc(MDDB_REC_MAXLEN + 32);
	uint32_t last[2] = { 0, 0 };
	meta_error_t e;
	size_t i, len;
	void *data;
	int k;

	CU_ASSERT_FATAL(big != NULL);
	for (i = 0; i < MDDB_REC_MAXLEN + 32; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	memcpy(a.ca_set_uuid, rig_set_uuid, 16);
	real_drives("rt", dev, spec);
	CU_ASSERT_FATAL(mddb_create(&a, spec, 3, &db, &e) == 0);
	CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, (uint32_t)(100 - i),
				       big + i, sizes[i], &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_SET, 1, "x", 1, &e) == 0);
	CU_ASSERT(mddb_txn_commit(t, &e) == 0);
	/* Too big: refused and the transaction poisoned. */
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, 1, big, MDDB_REC_MAXLEN + 1,
			       &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOBIG);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, 2, big, 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADTXN);
	CU_ASSERT(mddb_txn_commit(t, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_BADTXN);
	/* Deleting what is not there fails too. */
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	CU_ASSERT(mddb_txn_del(t, MDDB_RT_HSP, 9, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	mddb_txn_abort(t);
	mddb_close(db);

	CU_ASSERT_FATAL(mddb_open(rig_set_uuid, spec, 3, 0, &db, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 3);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CU_ASSERT_FATAL(mddb_rec_get(db, MDDB_RT_UNIT,
					     (uint32_t)(100 - i), &data, &len,
					     &e) == 0);
		CU_ASSERT_EQUAL(len, sizes[i]);
		CU_ASSERT(memcmp(data, big + i, len) == 0);
		free(data);
	}
	CU_ASSERT(absent(db, MDDB_RT_UNIT, 1));
	CU_ASSERT(mddb_rec_foreach(db, MDDB_RT_UNIT, count_cb, last, &e) == 0);
	CU_ASSERT_EQUAL(last[1], sizeof(sizes) / sizeof(sizes[0]));
	{
		int calls = 0;

		CU_ASSERT_EQUAL(mddb_rec_foreach(db, MDDB_RT_UNIT, stop_cb,
						 &calls, &e),
				7);
		CU_ASSERT_EQUAL(calls, 1);
		CU_ASSERT_EQUAL(mddb_rec_foreach(db, MDDB_RT_NAME, stop_cb,
						 &calls, &e),
				0);
	}
	/* Replace and delete, reopen. */
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	CU_ASSERT(mddb_txn_del(t, MDDB_RT_UNIT, 100, &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, 99, "new", 3, &e) == 0);
	CU_ASSERT(mddb_txn_commit(t, &e) == 0);
	mddb_close(db);
	CU_ASSERT_FATAL(mddb_open(rig_set_uuid, spec, 3, 0, &db, &e) == 0);
	CU_ASSERT(absent(db, MDDB_RT_UNIT, 100));
	CU_ASSERT_FATAL(mddb_rec_get(db, MDDB_RT_UNIT, 99, &data, &len, &e) ==
			0);
	CU_ASSERT(len == 3 && memcmp(data, "new", 3) == 0);
	free(data);
	mddb_close(db);
	for (k = 0; k < 3; k++)
		meta_dev_close(dev[k]);
	free(big);
}

static void test_fifty_replicas(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_replica_spec extra;
	meta_error_t e;
	int i;

	rig_init(&r, MAXR, false);
	db = rig_create(&r);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 50);
	CU_ASSERT(put(db, MDDB_RT_UNIT, 7, 1) == 0);
	/* A 51st is refused. */
	extra = r.spec[0];
	extra.rs_index = 1;
	CU_ASSERT(mddb_replica_add(db, &extra, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_MAXREPLICAS);
	mddb_close(db);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
	for (i = 0; i < 50; i++) {
		struct mddb_replica_info ri;

		CU_ASSERT(mddb_replica_info(db, i, &ri, &e) == 0);
		CU_ASSERT(ri.ri_flags & MDDB_F_ACTIVE);
		CU_ASSERT_EQUAL(ri.ri_txg, mddb_txg(db));
	}
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 7, 1) == 0);
	mddb_close(db);
	rig_fini(&r);
}

/* 8192 records; a one-record commit costs the same at 8192 as at 10. */
static void test_many_records(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_txn *t;
	meta_error_t e;
	uint64_t w_small, w_big;
	uint8_t buf[700];
	uint32_t id;

	rig_len = 16 << 20;
	rig_init(&r, 2, true);
	rig_len = MDDB_MINBYTES;
	db = rig_create(&r);
	for (id = 0; id < 10; id++)
		CU_ASSERT(put(db, MDDB_RT_UNIT, id, 0) == 0);
	mdfault_arm(r.ctl, MDF_NONE, 0, 0);
	CU_ASSERT(put(db, MDDB_RT_UNIT, 5, 1) == 0);
	w_small = mdfault_writes(r.ctl);
	for (id = 10; id < 8192; id += 64) {
		uint32_t k;

		CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
		for (k = id; k < id + 64 && k < 8192; k++)
			CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, k, buf,
					       payload(MDDB_RT_UNIT, k, 0, buf,
						       sizeof(buf)),
					       &e) == 0);
		if (mddb_txn_commit(t, &e) != 0) {
			fprintf(stderr, "commit: %s\n", meta_strerror(&e));
			CU_FAIL_FATAL("commit");
		}
	}
	mdfault_arm(r.ctl, MDF_NONE, 0, 0);
	CU_ASSERT(put(db, MDDB_RT_UNIT, 8000, 1) == 0);
	w_big = mdfault_writes(r.ctl);
	CU_ASSERT_EQUAL(w_small, w_big);
	CU_ASSERT_EQUAL(w_small, 2 * 3); /* record, dir page, commit x 2 */
	mddb_close(db);
	/* Flush what the wrapper holds, then reopen from the media. */
	rig_detach(&r);
	rig_attach(&r, false);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	for (id = 0; id < 8192; id++)
		if (check_rec(db, MDDB_RT_UNIT, id,
			      (id == 5 || id == 8000) ? 1 : 0) != 0) {
			CU_FAIL("record lost");
			break;
		}
	mddb_close(db);
	rig_fini(&r);
}

/* ---- Quorum ------------------------------------------------------------ */

static void expect_stale_refusals(struct mddb *db)
{
	struct mddb_txn *t;
	meta_error_t e;

	CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_STALE);
	CU_ASSERT(mddb_txn_begin(db, &t, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	CU_ASSERT(strstr(meta_strerror(&e), "stale") != NULL);
	CU_ASSERT(mddb_log_write(db, 1, "x", 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	CU_ASSERT(mddb_log_clear(db, 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	CU_ASSERT(mddb_resync_write(db, 1, "x", 1, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	CU_ASSERT(mddb_replica_del(db, db->db_reps[0].rp_spec.rs_drive_uuid, 0,
				   &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	{
		struct mddb_replica_spec rs = db->db_reps[0].rp_spec;

		rs.rs_index = 7;
		CU_ASSERT(mddb_replica_add(db, &rs, &e) == -1);
		CU_ASSERT_EQUAL(e.me_code, ME_MDDB_STALE);
	}
	/* Reading still works. */
	CU_ASSERT(check_rec(db, MDDB_RT_SET, 1, 0) == 0);
}

/* Open a rig of @n with the first @down replicas unreachable. */
static struct mddb *open_down(struct rig *r, int down, int flags,
			      meta_error_t *ep)
{
	struct mddb *db;
	int i;

	for (i = 0; i < r->n; i++)
		r->spec[i].rs_dev = i < down ? NULL : r->dev[i];
	db = rig_open(r, flags, ep);
	for (i = 0; i < r->n; i++)
		r->spec[i].rs_dev = r->dev[i];
	return db;
}

static void test_quorum_matrix(void)
{
	static const struct {
		int n, down, flags;
		int want; /* enum mddb_state, or -1: no open */
	} m[] = {
		{ 3, 0, 0, MDDB_S_OK },
		{ 3, 1, 0, MDDB_S_OK },
		{ 3, 2, 0, MDDB_S_STALE },
		{ 3, 3, 0, -1 },
		{ 2, 1, 0, MDDB_S_STALE },
		{ 2, 1, MDDB_OPEN_ALLOW_HALF, MDDB_S_OK },
		{ 4, 1, 0, MDDB_S_OK },
		{ 4, 2, 0, MDDB_S_STALE },
		{ 4, 2, MDDB_OPEN_ALLOW_HALF, MDDB_S_OK },
		{ 4, 3, MDDB_OPEN_ALLOW_HALF, MDDB_S_STALE },
		{ 1, 0, 0, MDDB_S_OK },
	};
	size_t k;

	for (k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		struct rig r;
		struct mddb *db;
		meta_error_t e;

		rig_init(&r, m[k].n, false);
		db = rig_create(&r);
		CU_ASSERT(put(db, MDDB_RT_SET, 1, 0) == 0);
		mddb_close(db);
		db = open_down(&r, m[k].down, m[k].flags, &e);
		if (m[k].want < 0) {
			CU_ASSERT(db == NULL);
			CU_ASSERT_EQUAL(e.me_code, ME_MDDB_NOREPLICA);
		} else {
			CU_ASSERT_FATAL(db != NULL);
			if ((int)mddb_state(db) != m[k].want)
				fprintf(stderr, "quorum case %zu: state %d\n",
					k, mddb_state(db));
			CU_ASSERT_EQUAL(mddb_state(db), m[k].want);
			if (m[k].want == MDDB_S_STALE)
				expect_stale_refusals(db);
			else
				CU_ASSERT(put(db, MDDB_RT_SET, 2, 0) == 0);
		}
		mddb_close(db);
		rig_fini(&r);
	}
}

/* Unreadable by read errors rather than missing drives; then TOOFEW. */
static void test_quorum_errors(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_txn *t;
	struct mddb_replica_info ri;
	meta_error_t e;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	CU_ASSERT(put(db, MDDB_RT_SET, 1, 0) == 0);
	mddb_close(db);
	mdfault_read_error(r.dev[0], 0, 4096);
	mdfault_read_error(r.dev[1], MDDB_OFF_COMMIT, 4096);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_replica_info(db, 0, &ri, &e) == 0);
	CU_ASSERT(ri.ri_flags & MDDB_F_EREAD);
	CU_ASSERT(!(ri.ri_flags & MDDB_F_ACTIVE));
	expect_stale_refusals(db);
	mddb_close(db);
	mdfault_read_error(r.dev[0], 0, 0);
	mdfault_read_error(r.dev[1], 0, 0);

	/* Runtime: one replica dies, commits go on; a second, TOOFEW. */
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mdfault_arm(r.ctl, MDF_FAIL_DEV, 1, 0);
	CU_ASSERT(put(db, MDDB_RT_SET, 1, 1) == 0);
	CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
	mdfault_arm(r.ctl, MDF_FAIL_DEV, 1, 0);
	CU_ASSERT(put(db, MDDB_RT_SET, 1, 2) == -1);
	CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_TOOFEW);
	CU_ASSERT(mddb_txn_begin(db, &t, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
	CU_ASSERT(check_rec(db, MDDB_RT_SET, 1, 1) == 0); /* in core: old */
	mddb_close(db);
	rig_fini(&r);
}

/* ---- Bad input --------------------------------------------------------- */

static void reseal(uint8_t *buf, size_t len)
{
	meta_put32(buf + len - 4, meta_crc_block(buf, len));
}

static void test_bad_input(void)
{
	struct rig r;
	struct mddb *db;
	uint8_t *good, *copy;
	meta_error_t e;
	int k;

	rig_init(&r, 1, false);
	db = rig_create(&r);
	CU_ASSERT(put(db, MDDB_RT_SET, 1, 0) == 0);
	mddb_close(db);
	good = malloc(rig_len);
	copy = malloc(rig_len);
	memcpy(good, r.buf[0], rig_len);
	for (k = 0; k < 8; k++) {
		int want = 0;

		memcpy(r.buf[0], good, rig_len);
		switch (k) {
		case 0:
			r.buf[0][0] ^= 1;
			want = ME_MDDB_BADMAGIC;
			break;
		case 1:
			r.buf[0][300] ^= 1;
			want = ME_MDDB_BADCKSUM;
			break;
		case 2:
			meta_put32(r.buf[0] + 8, 2);
			reseal(r.buf[0], MDDB_HDR_SIZE);
			want = ME_MDDB_BADVERSION;
			break;
		case 3:
			meta_put64(r.buf[0] + 24, 1ULL << 40);
			reseal(r.buf[0], MDDB_HDR_SIZE);
			want = ME_MDDB_INCOMPAT;
			break;
		case 4: /* truncated drive */
			r.len[0] = rig_len / 2;
			want = ME_MDDB_TRUNCATED;
			break;
		case 5: /* both commit slots bad */
			r.buf[0][MDDB_OFF_COMMIT + 100] ^= 1;
			r.buf[0][MDDB_OFF_COMMIT + MDDB_COMMIT_SIZE + 100] ^= 1;
			want = ME_MDDB_CORRUPT;
			break;
		case 6: /* the newest commit has an unknown feature */
			meta_put64(r.buf[0] + MDDB_OFF_COMMIT +
					   MDDB_COMMIT_SIZE * (2 % 2) + 48,
				   1ULL << 50);
			reseal(r.buf[0] + MDDB_OFF_COMMIT, MDDB_COMMIT_SIZE);
			want = ME_MDDB_INCOMPAT;
			break;
		case 7: /* the records are garbage */
			for (size_t b = 0; b < 65536; b++)
				r.buf[0][MDDB_OFF_DATA + b] ^= 0x5a;
			want = ME_MDDB_CORRUPT;
			break;
		}
		rig_detach(&r);
		rig_attach(&r, false);
		memcpy(copy, r.buf[0], rig_len);
		db = rig_open(&r, 0, &e);
		CU_ASSERT(db == NULL);
		if (db != NULL || e.me_code != want)
			fprintf(stderr, "bad input %d: got %d want %d (%s)\n",
				k, db ? 0 : e.me_code, want, meta_strerror(&e));
		CU_ASSERT_EQUAL(e.me_code, want);
		CU_ASSERT(strlen(meta_strerror(&e)) > 10);
		CU_ASSERT(memcmp(copy, r.buf[0], rig_len) == 0); /* untouched */
		mddb_close(db);
		r.len[0] = rig_len;
	}
	free(good);
	free(copy);
	rig_fini(&r);
}

/* A bad record on one replica: loaded from another, then repaired. */
static void test_repair(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_replica_info ri;
	meta_error_t e;
	int i;

	rig_init(&r, 3, false);
	db = rig_create(&r);
	CU_ASSERT(put(db, MDDB_RT_UNIT, 1, 0) == 0);
	mddb_close(db);
	/* Replica 0 is the one the records are read from first. */
	for (size_t b = 0; b < 8192; b++)
		r.buf[0][MDDB_OFF_DATA + b] ^= 0xff;
	db = rig_open(&r, MDDB_OPEN_NOREPAIR, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1, 0) == 0);
	mddb_replica_info(db, 0, &ri, &e);
	CU_ASSERT(ri.ri_flags & MDDB_F_EDATA);
	mddb_close(db);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mddb_replica_info(db, 0, &ri, &e);
	CU_ASSERT(ri.ri_flags & MDDB_F_UP2DATE);
	mddb_close(db);
	/* Replica 0 alone now holds the record again. */
	for (i = 0; i < 3; i++)
		if (i != 0)
			r.spec[i].rs_dev = NULL;
	db = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1, 0) == 0);
	mddb_close(db);
	for (i = 0; i < 3; i++)
		rig_spec(&r, i);

	/* A destroyed header is rewritten; a newer format is left alone. */
	memset(r.buf[1], 0, 64);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mddb_replica_info(db, 1, &ri, &e);
	CU_ASSERT(ri.ri_flags & MDDB_F_UP2DATE);
	mddb_close(db);
	meta_put32(r.buf[2] + 8, 2);
	meta_put32(r.buf[2] + 4092, meta_crc_block(r.buf[2], 4096));
	{
		uint8_t *copy = malloc(rig_len);

		memcpy(copy, r.buf[2], rig_len);
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
		CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
		mddb_replica_info(db, 2, &ri, &e);
		CU_ASSERT(!(ri.ri_flags & MDDB_F_ACTIVE));
		CU_ASSERT(ri.ri_flags & MDDB_F_EFMT);
		mddb_close(db);
		CU_ASSERT(memcmp(copy, r.buf[2], rig_len) == 0);
		free(copy);
	}
	for (i = 0; i < 3; i++)
		if (i != 1)
			r.spec[i].rs_dev = NULL;
	db = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1, 0) == 0);
	mddb_close(db);
	rig_fini(&r);
}

static void test_replica_add_del(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_txn *t;
	meta_error_t e;

	rig_init(&r, 3, false);
	r.n = 2;
	db = rig_create(&r);
	CU_ASSERT(put(db, MDDB_RT_UNIT, 4, 0) == 0);
	/* Not while a transaction is open (EBUSY). */
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	CU_ASSERT(mddb_replica_add(db, &r.spec[2], &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EBUSY);
	CU_ASSERT(mddb_replica_del(db, r.spec[1].rs_drive_uuid, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EBUSY);
	mddb_txn_abort(t);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 2);
	CU_ASSERT(mddb_replica_add(db, &r.spec[2], &e) == 0);
	CU_ASSERT(mddb_replica_add(db, &r.spec[2], &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EEXIST);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 3);
	mddb_close(db);
	r.n = 3;
	/* The new replica alone holds everything. */
	r.spec[0].rs_dev = r.spec[1].rs_dev = NULL;
	db = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 4, 0) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 3);
	mddb_close(db);
	rig_spec(&r, 0);
	rig_spec(&r, 1);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_replica_del(db, r.spec[0].rs_drive_uuid, 0, &e) == 0);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 2);
	mddb_close(db);
	CU_ASSERT(memcmp(r.buf[0], "\0\0\0\0\0\0\0\0", 8) == 0);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT_EQUAL(mddb_replica_count(db), 2);
	CU_ASSERT(mddb_replica_del(db, r.spec[1].rs_drive_uuid, 0, &e) == 0);
	CU_ASSERT(mddb_replica_del(db, r.spec[2].rs_drive_uuid, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_LASTREPLICA);
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 4, 0) == 0);
	mddb_close(db);
	rig_fini(&r);
}

/* Is the first 4 KiB (a replica header) of @buf all zeros? */
static bool zero_hdr(const uint8_t *buf)
{
	for (int i = 0; i < 4096; i++)
		if (buf[i] != 0)
			return false;
	return true;
}

/* One commit: record (MDDB_RT_DRIVE, 9) when @rec, and replica @spec. */
static int add_with(struct mddb *db, const struct mddb_replica_spec *spec,
		    bool rec, meta_error_t *ep)
{
	struct mddb_txn *t;
	uint8_t buf[700];
	size_t len = payload(MDDB_RT_DRIVE, 9, 0, buf, sizeof(buf));

	if (mddb_txn_begin(db, &t, ep) != 0)
		return -1;
	if ((rec && mddb_txn_put(t, MDDB_RT_DRIVE, 9, buf, len, ep) != 0) ||
	    mddb_txn_replica_add(t, spec, ep) != 0) {
		mddb_txn_abort(t);
		return -1;
	}
	return mddb_txn_commit(t, ep);
}

/*
 * A commit adding a replica fails (TOOFEW) after replica 0 got its commit
 * block, the others' failing: replica 0 holds the newest commit, which
 * names the new replica, so its header stays and a reopen has it (and the
 * record).  Failed before any commit block, the header is wiped.  With a
 * record (a drive add) and without (metadb -a).
 */
static void test_replica_add_doubt(void)
{
	struct rig r;
	struct mddb *db;
	meta_error_t e;
	int rec;

	for (rec = 0; rec < 2; rec++) {
		rig_init(&r, 3, false);
		r.n = 2;
		db = rig_create(&r);
		CU_ASSERT(put(db, MDDB_RT_UNIT, 4, 0) == 0);
		/* Before any commit block: nothing visible, header wiped. */
		mddb_test_fail_commit(1);
		CU_ASSERT(add_with(db, &r.spec[2], rec, &e) == -1);
		mddb_test_fail_commit(0);
		CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
		CU_ASSERT_FALSE(mddb_commit_in_doubt(db));
		CU_ASSERT(zero_hdr(r.buf[2]));
		mddb_close(db);
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
		/* Replica 0's commit block only. */
		mddb_test_fail_commit_blocks(1);
		CU_ASSERT(add_with(db, &r.spec[2], rec, &e) == -1);
		mddb_test_fail_commit_blocks(0);
		CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
		CU_ASSERT(mddb_commit_in_doubt(db));
		CU_ASSERT_EQUAL(mddb_replica_count(db), 2);
		CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_TOOFEW);
		CU_ASSERT(absent(db, MDDB_RT_DRIVE, 9)); /* in core: old */
		mddb_close(db);
		CU_ASSERT_FALSE(zero_hdr(r.buf[2]));
		r.n = 3;
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
		CU_ASSERT_EQUAL(mddb_replica_count(db), 3);
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 4, 0) == 0);
		CU_ASSERT(rec ? check_rec(db, MDDB_RT_DRIVE, 9, 0) == 0 :
				absent(db, MDDB_RT_DRIVE, 9));
		CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
		mddb_close(db);
		rig_fini(&r);
	}
}

/* A new drive on a memory buffer behind its own fault controller, with
 * two replica areas. */
struct newdrive {
	uint8_t *nd_buf;
	struct meta_dev *nd_dev;
	struct mdfault_ctl *nd_ctl;
	struct mddb_replica_spec nd_spec[2];
};

static void newdrive_attach(struct newdrive *nd)
{
	struct meta_dev *d;

	CU_ASSERT_FATAL(meta_dev_open_mem(nd->nd_buf, 2 * rig_len, "mem", &d,
					  NULL) == 0);
	mdfault_arm(nd->nd_ctl, MDF_NONE, 0, 0);
	CU_ASSERT_FATAL(mdfault_wrap(d, nd->nd_ctl, &nd->nd_dev) == 0);
	for (int k = 0; k < 2; k++) {
		struct mddb_replica_spec *sp = &nd->nd_spec[k];

		memset(sp, 0, sizeof(*sp));
		sp->rs_dev = nd->nd_dev;
		sp->rs_offset = (uint64_t)k * rig_len;
		sp->rs_length = rig_len;
		memset(sp->rs_drive_uuid, 0xe0, 16);
		sp->rs_index = (uint32_t)k;
		snprintf(sp->rs_name, sizeof(sp->rs_name), "new%d", k);
	}
}

/* One commit: record (MDDB_RT_DRIVE, 9) and @nd's two replicas. */
static int add_drive(struct mddb *db, struct newdrive *nd, meta_error_t *ep)
{
	struct mddb_txn *t;
	uint8_t buf[700];
	size_t len = payload(MDDB_RT_DRIVE, 9, 0, buf, sizeof(buf));

	if (mddb_txn_begin(db, &t, ep) != 0)
		return -1;
	if (mddb_txn_put(t, MDDB_RT_DRIVE, 9, buf, len, ep) != 0 ||
	    mddb_txn_replica_add(t, &nd->nd_spec[0], ep) != 0 ||
	    mddb_txn_replica_add(t, &nd->nd_spec[1], ep) != 0) {
		mddb_txn_abort(t);
		return -1;
	}
	return mddb_txn_commit(t, ep);
}

/*
 * One old replica, a drive with two new ones added in one commit.
 * The old replica's writes fail: the new two are a majority of the new
 * table but not of the old one (no old replica has the commit), so the
 * commit is refused (else losing the new drive would leave the old
 * replica's stale state to load as current).  The new drive fails at each
 * of its writes in turn: the commit fails (but at the last, the second new
 * replica's commit block: the old and the first new one are a majority of
 * both tables); when no commit block was
 * written the set is OK again at once (the old replica alone is its
 * quorum) and the next commit works; else it stays TOOFEW (the commit may
 * be visible) until a reload.
 */
static void test_replica_add_quorum(void)
{
	struct rig r;
	struct newdrive nd = { 0 };
	struct mddb *db;
	meta_error_t e;
	uint8_t *saved[1];
	uint64_t n, nwrites;
	unsigned early = 0, doubt = 0, ok = 0;

	rig_init(&r, 1, true);
	db = rig_create(&r);
	CU_ASSERT(put(db, MDDB_RT_UNIT, 4, 0) == 0);
	mddb_close(db);
	rig_detach(&r);
	rig_snap(&r, saved, false);
	nd.nd_buf = calloc(1, 2 * rig_len);
	nd.nd_ctl = mdfault_ctl_create();
	CU_ASSERT_FATAL(nd.nd_buf != NULL && nd.nd_ctl != NULL);

	/* The old replica dies at its first write (the commit's). */
	rig_attach(&r, true);
	newdrive_attach(&nd);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mdfault_arm(r.ctl, MDF_FAIL_DEV, 1, 0);
	CU_ASSERT(add_drive(db, &nd, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
	CU_ASSERT_FALSE(mddb_commit_in_doubt(db));
	CU_ASSERT_EQUAL(mddb_replica_count(db), 1);
	mddb_close(db);
	meta_dev_close(nd.nd_dev);
	rig_detach(&r);
	rig_snap(&r, saved, true);
	memset(nd.nd_buf, 0, 2 * rig_len);

	/* The new drive's writes in a commit that works. */
	rig_attach(&r, true);
	newdrive_attach(&nd);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT_FATAL(add_drive(db, &nd, &e) == 0);
	nwrites = mdfault_writes(nd.nd_ctl);
	mddb_close(db);
	meta_dev_close(nd.nd_dev);
	rig_detach(&r);

	for (n = 1; n <= nwrites; n++) {
		rig_snap(&r, saved, true);
		memset(nd.nd_buf, 0, 2 * rig_len);
		rig_attach(&r, true);
		newdrive_attach(&nd);
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
		mdfault_arm(nd.nd_ctl, MDF_FAIL_DEV, n, 0);
		if (add_drive(db, &nd, &e) == 0) {
			/* only the last replica's commit block failed */
			ok++;
			CU_ASSERT_EQUAL(mddb_replica_count(db), 3);
		} else if (!mddb_commit_in_doubt(db)) {
			CU_ASSERT_EQUAL(mddb_replica_count(db), 1);
			early++;
			CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
			CU_ASSERT(put(db, MDDB_RT_UNIT, 4, 1) == 0);
		} else {
			doubt++;
			CU_ASSERT_EQUAL(mddb_replica_count(db), 1);
			CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_TOOFEW);
		}
		mddb_close(db);
		meta_dev_close(nd.nd_dev);
		rig_detach(&r);
	}
	CU_ASSERT(early > 0 && doubt > 0);
	CU_ASSERT(ok <= 1);
	free(saved[0]);
	free(nd.nd_buf);
	mdfault_ctl_destroy(nd.nd_ctl);
	rig_fini(&r);
}

/* ---- Change log and resync slots --------------------------------------- */

static void test_slots(void)
{
	struct rig r;
	struct mddb *db;
	char buf[MDDB_LOG_MAXLEN];
	size_t len;
	meta_error_t e;
	uint64_t n;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	CU_ASSERT(mddb_log_read(db, 3, buf, sizeof(buf), &len, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	CU_ASSERT(mddb_log_write(db, 3, "first", 5, &e) == 0);
	CU_ASSERT(mddb_log_write(db, 4, "other", 5, &e) == 0);
	CU_ASSERT(mddb_log_read(db, 3, buf, sizeof(buf), &len, &e) == 0);
	CU_ASSERT(len == 5 && memcmp(buf, "first", 5) == 0);
	CU_ASSERT(mddb_log_write(db, 16, "x", 1, &e) == -1);
	CU_ASSERT(mddb_log_write(db, 3, buf, MDDB_LOG_MAXLEN + 1, &e) == -1);
	CU_ASSERT(mddb_resync_write(db, 255, "drl", 3, &e) == 0);
	/* Every write of the next slot update torn or lost: old or new. */
	mdfault_arm(r.ctl, MDF_NONE, 0, 0);
	CU_ASSERT(mddb_log_write(db, 3, "second", 6, &e) == 0);
	n = mdfault_writes(r.ctl);
	CU_ASSERT_EQUAL(n, 3);
	mddb_close(db);
	for (uint64_t k = 1; k <= n; k++) {
		unsigned v;
		int rc;

		for (v = 0; v < MDF_CRASH_NVARIANTS; v++) {
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			mdfault_arm(r.ctl, MDF_CRASH, k, (enum mdfault_crash)v);
			rc = mddb_log_write(db, 3, "third", 5, &e);
			mddb_close(db);
			rig_detach(&r);
			rig_attach(&r, true);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			CU_ASSERT(mddb_log_read(db, 3, buf, sizeof(buf), &len,
						&e) == 0);
			CU_ASSERT((rc != 0 && len == 6 &&
				   memcmp(buf, "second", 6) == 0) ||
				  (len == 5 && memcmp(buf, "third", 5) == 0));
			CU_ASSERT(mddb_log_write(db, 3, "second", 6, &e) == 0);
			mddb_close(db);
		}
	}
	db = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(db != NULL);
	/* A slave (read-only) may write resync slots, not the log. */
	CU_ASSERT(mddb_log_clear(db, 3, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_RDONLY);
	CU_ASSERT(mddb_resync_write(db, 255, "drl2", 4, &e) == 0);
	CU_ASSERT(mddb_resync_read(db, 255, buf, sizeof(buf), &len, &e) == 0);
	CU_ASSERT(len == 4 && memcmp(buf, "drl2", 4) == 0);
	CU_ASSERT(mddb_log_read(db, 4, buf, sizeof(buf), &len, &e) == 0);
	mddb_close(db);
	db = rig_open(&r, 0, &e);
	CU_ASSERT(mddb_log_clear(db, 3, &e) == 0);
	CU_ASSERT(mddb_log_read(db, 3, buf, sizeof(buf), &len, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	mddb_close(db);
	rig_fini(&r);
}

/*
 * A slot write makes every replica's copy durable at once, with no order
 * among them: a crash at the last replica's write may leave the earlier
 * replicas' writes unflushed, and the crash variant decides (DROP: none
 * reached the media, so every reader still finds the old content; KEEP:
 * they did).  Written one replica after the other, replicas 1 and 2 would
 * have been flushed before the crash, whatever the variant.  And a crash
 * at any of the three writes, in every variant (torn, some), leaves the
 * old content or the new, never anything else.
 */
static void test_slot_no_order(void)
{
	struct rig r;
	struct mddb *db;
	char buf[MDDB_LOG_MAXLEN];
	size_t len;
	meta_error_t e;
	int rc;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	CU_ASSERT(mddb_log_write(db, 5, "old", 3, &e) == 0);
	mddb_close(db);
	for (uint64_t k = 1; k <= 3; k++) {
		for (int v = 0; v < MDF_CRASH_NVARIANTS; v++) {
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			mdfault_arm(r.ctl, MDF_CRASH, k, (enum mdfault_crash)v);
			rc = mddb_log_write(db, 5, "new", 3, &e);
			CU_ASSERT(mdfault_fired(r.ctl));
			mddb_close(db);
			rig_detach(&r);
			rig_attach(&r, true);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			CU_ASSERT(mddb_log_read(db, 5, buf, sizeof(buf), &len,
						&e) == 0);
			CU_ASSERT(len == 3);
			CU_ASSERT((rc != 0 && memcmp(buf, "old", 3) == 0) ||
				  memcmp(buf, "new", 3) == 0);
			/* At the last write: what the variant decides. */
			if (k == 3 && v == MDF_CRASH_DROP)
				CU_ASSERT(rc == -1 &&
					  memcmp(buf, "old", 3) == 0);
			if (k == 3 && v == MDF_CRASH_KEEP)
				CU_ASSERT(rc == -1 &&
					  memcmp(buf, "new", 3) == 0);
			CU_ASSERT(mddb_log_write(db, 5, "old", 3, &e) == 0);
			mddb_close(db);
		}
	}
	rig_fini(&r);
}

/*
 * mddb_log_write_known(): after this handle's own clear it writes without
 * reading, into the copy a reader takes as newest; on a replica it does not
 * know (another handle wrote the slot last) it reads first like
 * mddb_log_write().
 */
static void test_log_write_known(void)
{
	struct rig r;
	struct mddb *a, *b, *fresh;
	char buf[MDDB_LOG_MAXLEN], want[16];
	size_t len;
	meta_error_t e;

	rig_init(&r, 3, true);
	a = rig_create(&r);
	for (int i = 0; i < 5; i++) { /* both copies take turns */
		snprintf(want, sizeof(want), "msg%d", i);
		CU_ASSERT(mddb_log_write_known(a, 6, want, strlen(want), &e) ==
			  0);
		fresh = rig_open(&r, MDDB_OPEN_RDONLY, &e);
		CU_ASSERT_FATAL(fresh != NULL);
		CU_ASSERT(mddb_log_read(fresh, 6, buf, sizeof(buf), &len, &e) ==
			  0);
		CU_ASSERT(len == strlen(want) && memcmp(buf, want, len) == 0);
		mddb_close(fresh);
		CU_ASSERT(mddb_log_clear(a, 6, &e) == 0);
		CU_ASSERT(mddb_log_read(a, 6, buf, sizeof(buf), &len, &e) ==
			  -1);
		CU_ASSERT_EQUAL(e.me_code, ENOENT);
	}
	mddb_close(a);
	/* b writes the slot twice; a new handle knows nothing of it. */
	b = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT(mddb_log_write(b, 6, "bee", 3, &e) == 0);
	CU_ASSERT(mddb_log_clear(b, 6, &e) == 0);
	mddb_close(b);
	a = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT(mddb_log_write_known(a, 6, "ay", 2, &e) == 0);
	CU_ASSERT(mddb_log_read(a, 6, buf, sizeof(buf), &len, &e) == 0);
	CU_ASSERT(len == 2 && memcmp(buf, "ay", 2) == 0);
	CU_ASSERT(mddb_log_write_known(a, 17, "x", 1, &e) == -1);
	mddb_close(a);
	rig_fini(&r);
}

/*
 * mddb_log_clear_unflushed(): once it returns every reader finds the slot
 * empty, but until mddb_log_flush() (or the handle's close) a crash that
 * loses the drives' unflushed writes brings the cleared message back;
 * after the flush it stays cleared whatever the crash.
 */
static void test_log_clear_unflushed(void)
{
	char got[MDDB_LOG_MAXLEN + 1];
	struct mddb *db, *other;
	struct rig r;
	size_t len;
	meta_error_t e;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	CU_ASSERT(mddb_log_write(db, 2, "msg", 3, &e) == 0);
	CU_ASSERT(mddb_log_clear_unflushed(db, 2, &e) == 0);
	other = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(other != NULL);
	CU_ASSERT(mddb_log_read(other, 2, got, sizeof(got), &len, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	mddb_close(other);
	/* Lost with the caches: the message is back. */
	rig_crash_read(&r, db, 2, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "msg");

	/* Flushed: cleared for good, even if the next write loses all. */
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_log_write(db, 2, "msg2", 4, &e) == 0);
	CU_ASSERT(mddb_log_clear_unflushed(db, 2, &e) == 0);
	CU_ASSERT(mddb_log_flush(db, &e) == 0);
	CU_ASSERT(mddb_log_flush(db, &e) == 0); /* nothing left: fine */
	rig_crash_read(&r, db, 2, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "");

	/* The next log write is durable and supersedes the clear before it
	 * (its sequence is higher): the slot holds the new message. */
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_log_write(db, 2, "msg3", 4, &e) == 0);
	CU_ASSERT(mddb_log_clear_unflushed(db, 2, &e) == 0);
	CU_ASSERT(mddb_log_write_known(db, 2, "msg4", 4, &e) == 0);
	rig_crash_read(&r, db, 2, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "msg4");

	/* Closing the handle flushes what its clear left. */
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_log_write(db, 2, "msg5", 4, &e) == 0);
	CU_ASSERT(mddb_log_clear_unflushed(db, 2, &e) == 0);
	mddb_close(db);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	rig_crash_read(&r, db, 2, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "");

	/* A read-only handle clears nothing. */
	db = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_log_clear_unflushed(db, 2, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_RDONLY);
	mddb_close(db);
	rig_fini(&r);
}

/*
 * mddb_log_clear_unflushed() on three replicas writes them at once, as
 * one batch of plain writes (the fault layer counts batches: none
 * durable, three writes), then mddb_log_flush() makes it durable.  A
 * replica whose write fails leaves the active set and the clear stands on
 * the others.  A crash at any of the clear's three writes, in every
 * variant, leaves the message or the empty slot; one that drops unflushed
 * writes leaves the message, one that keeps them after the last write
 * leaves the slot empty.
 */
static void test_log_clear_at_once(void)
{
	char got[MDDB_LOG_MAXLEN + 1];
	struct mddb_replica_info ri;
	struct mddb *db;
	struct rig r;
	size_t len;
	meta_error_t e;
	int i, rc;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	CU_ASSERT(mddb_log_write(db, 4, "msg", 3, &e) == 0);
	mdfault_arm(r.ctl, MDF_NONE, 0, MDF_CRASH_DROP);
	CU_ASSERT(mddb_log_clear_unflushed(db, 4, &e) == 0);
	CU_ASSERT_EQUAL(mdfault_batches(r.ctl, false), 1);
	CU_ASSERT_EQUAL(mdfault_batches(r.ctl, true), 0);
	CU_ASSERT_EQUAL(mdfault_writes(r.ctl), 3);
	CU_ASSERT(mddb_log_flush(db, &e) == 0);
	rig_crash_read(&r, db, 4, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "");

	/* The second replica's write fails: that replica alone drops. */
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(mddb_log_write(db, 4, "msg2", 4, &e) == 0);
	mdfault_arm(r.ctl, MDF_FAIL, 2, MDF_CRASH_DROP);
	CU_ASSERT(mddb_log_clear_unflushed(db, 4, &e) == 0);
	CU_ASSERT(mdfault_fired(r.ctl));
	for (i = 0; i < 3; i++) {
		CU_ASSERT(mddb_replica_info(db, i, &ri, &e) == 0);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_ACTIVE) != 0, i != 1);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_EWRITE) != 0, i == 1);
	}
	CU_ASSERT(mddb_log_read(db, 4, got, sizeof(got), &len, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	CU_ASSERT(mddb_log_flush(db, &e) == 0);
	mddb_close(db);

	/* A crash at each of the clear's writes, in every variant. */
	for (uint64_t k = 1; k <= 3; k++) {
		for (int v = 0; v < MDF_CRASH_NVARIANTS; v++) {
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			CU_ASSERT(mddb_log_write(db, 4, "msg", 3, &e) == 0);
			mdfault_arm(r.ctl, MDF_CRASH, k, (enum mdfault_crash)v);
			rc = mddb_log_clear_unflushed(db, 4, &e);
			CU_ASSERT(mdfault_fired(r.ctl));
			CU_ASSERT_EQUAL(rc, k == 3 ? 0 : -1); /* 2 of 3 */
			mddb_close(db);
			rig_detach(&r);
			rig_attach(&r, true);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			if (mddb_log_read(db, 4, got, sizeof(got) - 1, &len,
					  &e) == 0)
				got[len] = '\0';
			else
				got[0] = '\0';
			CU_ASSERT(strcmp(got, "msg") == 0 ||
				  strcmp(got, "") == 0);
			if (v == MDF_CRASH_DROP)
				CU_ASSERT_STRING_EQUAL(got, "msg");
			if (k == 3 && v == MDF_CRASH_KEEP)
				CU_ASSERT_STRING_EQUAL(got, "");
			mddb_close(db);
		}
	}
	rig_fini(&r);
}

#ifdef OBAN_TEST_HOOKS
/*
 * On real files: a drive that goes buffered during an unflushed clear (its
 * file system refuses the O_DIRECT write, which is made again through the
 * page cache) is flushed before mddb_log_clear_unflushed() returns, for
 * the clear must not sit in this node's page cache (doc/mdcommd.md 5);
 * the other two are left for mddb_log_flush(), which flushes them alone
 * (together, through the ring where there is one).
 * The ring (where there is one) refuses that write first, so that it is
 * made again without it.
 */
static void test_log_clear_goes_buffered(void)
{
	struct mddb_replica_spec spec[3];
	struct mddb_create_args a = { .ca_setno = 4, .ca_setname = "cb" };
	struct meta_dev_test_ring st0, st;
	struct meta_dev *dev[3];
	char got[MDDB_LOG_MAXLEN + 1];
	struct mddb *db;
	meta_error_t e;
	size_t len;
	int k, nbuf = 0;

	memcpy(a.ca_set_uuid, rig_set_uuid, 16);
	real_drives("cb", dev, spec);
	if (!dev[0]->md_direct) {
		fprintf(stderr, "test_mddb: no O_DIRECT in the scratch "
				"directory: a drive going buffered is not "
				"tested\n");
		goto out;
	}
	CU_ASSERT_FATAL(mddb_create(&a, spec, 3, &db, &e) == 0);
	CU_ASSERT(mddb_log_write(db, 3, "msg", 3, &e) == 0);
	meta_dev_test_ring_stats(&st0);
	meta_dev_test_ring_fault(MDT_EINVAL, 1);
	meta_dev_test_direct_einval = 1;
	CU_ASSERT(mddb_log_clear_unflushed(db, 3, &e) == 0);
	CU_ASSERT_EQUAL(meta_dev_test_direct_einval, 0); /* it fired */
	meta_dev_test_direct_einval = 0;
	meta_dev_test_ring_fault(MDT_NONE, 0);
	for (k = 0; k < 3; k++)
		nbuf += !dev[k]->md_direct;
	CU_ASSERT_EQUAL(nbuf, 1);
	meta_dev_test_ring_stats(&st);
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced + 1); /* that one */
	CU_ASSERT(mddb_log_read(db, 3, got, sizeof(got), &len, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	st0 = st;
	CU_ASSERT(mddb_log_flush(db, &e) == 0);
	meta_dev_test_ring_stats(&st);
	/* The others, at once: through the ring where there is one. */
	CU_ASSERT_EQUAL(st.tr_synced + st.tr_fdone,
			st0.tr_synced + st0.tr_fdone + 2);
	if (st.tr_pid == getpid())
		CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent + 2);
	mddb_close(db);
out:
	for (k = 0; k < 3; k++)
		meta_dev_close(dev[k]);
}

/*
 * Two replicas on one drive that goes buffered in an unflushed clear: the
 * drive is flushed once, and that flush's failure fails both replicas (a
 * second fdatasync() could succeed without the lost writes; review
 * finding).  Replica 1 is moved onto drive 0, beside replica 0.
 */
static void test_log_clear_buffered_shared(void)
{
	struct mddb_replica_spec spec[3];
	struct mddb_create_args a = { .ca_setno = 5, .ca_setname = "cs" };
	struct mddb_replica_info ri;
	struct meta_dev *dev[3];
	struct mddb *db;
	meta_error_t e;
	int k;

	memcpy(a.ca_set_uuid, rig_set_uuid, 16);
	real_drives("cs", dev, spec);
	if (!dev[0]->md_direct) {
		fprintf(stderr, "test_mddb: no O_DIRECT in the scratch "
				"directory: a shared drive going buffered is "
				"not tested\n");
		goto out;
	}
	for (k = 0; k < 3; k++)
		spec[k].rs_length = 7 << 20; /* all alike, two fit drive 0 */
	spec[1].rs_dev = dev[0];
	spec[1].rs_offset = 8 << 20;
	spec[1].rs_length = 7 << 20;
	memcpy(spec[1].rs_drive_uuid, spec[0].rs_drive_uuid, 16);
	spec[1].rs_index = 1;
	CU_ASSERT_FATAL(mddb_create(&a, spec, 3, &db, &e) == 0);
	CU_ASSERT(mddb_log_write(db, 3, "msg", 3, &e) == 0);
	meta_dev_test_ring_fault(MDT_EINVAL, 1);
	meta_dev_test_direct_einval = 1;
	meta_dev_test_flush_fail = 1;
	(void)mddb_log_clear_unflushed(db, 3, &e);
	meta_dev_test_direct_einval = 0;
	meta_dev_test_flush_fail = 0;
	meta_dev_test_ring_fault(MDT_NONE, 0);
	CU_ASSERT(!dev[0]->md_direct);
	for (k = 0; k < 3; k++) {
		CU_ASSERT(mddb_replica_info(db, k, &ri, &e) == 0);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_ACTIVE) != 0, k == 2);
	}
	mddb_close(db);
out:
	for (k = 0; k < 3; k++)
		meta_dev_close(dev[k]);
}
#endif

/* A slave reads the master's commits after PARSE (reload) and writes its
 * mirror's resync slot without disturbing the master's writes. */
static void test_master_slave(void)
{
	struct rig r;
	struct mddb *master, *slave, *fresh;
	struct mddb_txn *t;
	char buf[MDDB_RS_MAXLEN];
	size_t len;
	meta_error_t e;

	rig_init(&r, 3, false);
	master = rig_create(&r);
	slave = rig_open(&r, MDDB_OPEN_RDONLY, &e);
	CU_ASSERT_FATAL(slave != NULL);
	CU_ASSERT(mddb_txn_begin(slave, &t, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_RDONLY);
	CU_ASSERT(put(master, MDDB_RT_UNIT, 1, 0) == 0);
	CU_ASSERT(absent(slave, MDDB_RT_UNIT, 1));
	CU_ASSERT(mddb_reload(slave, &e) == 0);
	CU_ASSERT(check_rec(slave, MDDB_RT_UNIT, 1, 0) == 0);
	CU_ASSERT_EQUAL(mddb_txg(slave), mddb_txg(master));

	CU_ASSERT(mddb_resync_write(slave, 5, "owner", 5, &e) == 0);
	CU_ASSERT(put(master, MDDB_RT_UNIT, 2, 0) == 0);
	CU_ASSERT(mddb_log_write(master, 2, "msg", 3, &e) == 0);
	CU_ASSERT(mddb_resync_write(slave, 5, "owner2", 6, &e) == 0);
	CU_ASSERT(mddb_resync_read(master, 5, buf, sizeof(buf), &len, &e) == 0);
	CU_ASSERT(len == 6 && memcmp(buf, "owner2", 6) == 0);
	CU_ASSERT(mddb_reload(slave, &e) == 0);
	CU_ASSERT(check_rec(slave, MDDB_RT_UNIT, 2, 0) == 0);
	CU_ASSERT(mddb_log_read(slave, 2, buf, sizeof(buf), &len, &e) == 0);
	CU_ASSERT(len == 3 && memcmp(buf, "msg", 3) == 0);
	mddb_close(slave);
	mddb_close(master);
	fresh = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(fresh != NULL);
	CU_ASSERT(check_rec(fresh, MDDB_RT_UNIT, 1, 0) == 0);
	CU_ASSERT(check_rec(fresh, MDDB_RT_UNIT, 2, 0) == 0);
	CU_ASSERT(mddb_resync_read(fresh, 5, buf, sizeof(buf), &len, &e) == 0);
	CU_ASSERT(len == 6 && memcmp(buf, "owner2", 6) == 0);
	mddb_close(fresh);
	rig_fini(&r);
}

/*
 * A reader on another node loads while the master commits: a device whose
 * Nth read first lets the master commit many times, so that the blocks of
 * the commit the reader picked are overwritten under it.
 */
struct hookdev {
	struct meta_dev hd_dev;
	struct meta_dev *hd_lower;
	int hd_reads, hd_at;
	void (*hd_hook)(void *arg);
	void *hd_arg;
};

static int hook_read(struct meta_dev *d, void *buf, size_t len, uint64_t off)
{
	struct hookdev *h = (struct hookdev *)d;

	if (++h->hd_reads == h->hd_at)
		h->hd_hook(h->hd_arg);
	return h->hd_lower->md_ops->mdo_read(h->hd_lower, buf, len, off);
}

static int hook_write(struct meta_dev *d, const void *buf, size_t len,
		      uint64_t off)
{
	struct hookdev *h = (struct hookdev *)d;

	return h->hd_lower->md_ops->mdo_write(h->hd_lower, buf, len, off);
}

static int hook_flush(struct meta_dev *d)
{
	return 0;
}

static void hook_close(struct meta_dev *d)
{
	free(d);
}

static const struct meta_dev_ops hook_ops = {
	.mdo_name = "hook",
	.mdo_read = hook_read,
	.mdo_write = hook_write,
	.mdo_flush = hook_flush,
	.mdo_close = hook_close,
};

static unsigned busy_gen;

static void busy_master(void *arg)
{
	struct mddb *master = arg;
	unsigned k;

	/* Enough commits to wrap the allocator of a 4 MiB replica. */
	for (k = 0; k < 600; k++)
		CU_ASSERT(put(master, MDDB_RT_UNIT, k % 40, ++busy_gen) == 0);
}

static void test_reader_races_master(void)
{
	struct rig r;
	struct mddb *master, *slave;
	struct mddb_replica_spec spec[3];
	meta_error_t e;
	int i;
	unsigned k;

	rig_init(&r, 3, false);
	master = rig_create(&r);
	for (k = 0; k < 40; k++)
		CU_ASSERT(put(master, MDDB_RT_UNIT, k, 0) == 0);
	for (i = 0; i < 3; i++) {
		struct hookdev *h = calloc(1, sizeof(*h));

		CU_ASSERT_FATAL(h != NULL);
		h->hd_dev = *r.dev[i];
		h->hd_dev.md_ops = &hook_ops;
		h->hd_lower = r.dev[i];
		/* After the headers and commits of all three replicas. */
		h->hd_at = i == 0 ? 3 : 0;
		h->hd_hook = busy_master;
		h->hd_arg = master;
		spec[i] = r.spec[i];
		spec[i].rs_dev = &h->hd_dev;
	}
	CU_ASSERT_FATAL(mddb_open(rig_set_uuid, spec, 3, MDDB_OPEN_RDONLY,
				  &slave, &e) == 0);
	CU_ASSERT_EQUAL(busy_gen, 600);
	CU_ASSERT_EQUAL(mddb_txg(slave), mddb_txg(master));
	for (k = 0; k < 40; k++) {
		/* Each record holds the generation of its last commit. */
		unsigned last = 0, g;

		for (g = 1; g <= busy_gen; g++)
			if ((g - 1) % 40 == k)
				last = g;
		CU_ASSERT(check_rec(slave, MDDB_RT_UNIT, k, last) == 0);
	}
	mddb_close(slave);
	mddb_close(master);
	for (i = 0; i < 3; i++)
		meta_dev_close(spec[i].rs_dev);
	rig_fini(&r);
}

/* ---- CRC-32C ----------------------------------------------------------- */

static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78U : crc >> 1;
	}
	return ~crc;
}

/*
 * Known values (the check value, RFC 3720 B.4's vectors), and the
 * hardware and software implementations against a bitwise one at every
 * length up to 300 and every alignment, whole and in two pieces.
 */
static void test_crc32c(void)
{
	static const uint32_t rfc[4] = { 0x8a9136aa, 0x62a8ab43, 0x46dd794e,
					 0x113fdb5c };
	uint8_t v[4][32], big[300 + 8];
	int impl[2] = { META_CRC_SW, META_CRC_HW };

	memset(v[0], 0, 32);
	memset(v[1], 0xff, 32);
	for (int i = 0; i < 32; i++) {
		v[2][i] = (uint8_t)i;
		v[3][i] = (uint8_t)(31 - i);
	}
	CU_ASSERT_EQUAL(meta_crc32c(0, "123456789", 9), 0xe3069283);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT_EQUAL(meta_crc32c_impl(impl[k], 0, "123456789", 9),
				0xe3069283);
		for (int i = 0; i < 4; i++)
			CU_ASSERT_EQUAL(meta_crc32c_impl(impl[k], 0, v[i], 32),
					rfc[i]);
	}
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 151 + 7);
	for (size_t al = 0; al < 8; al++) {
		for (size_t len = 0; len + al <= sizeof(big) && len <= 300;
		     len++) {
			const uint8_t *p = big + al;
			uint32_t want = crc_bitwise(0, p, len);
			size_t cut = len / 3;

			for (int k = 0; k < 2; k++) {
				uint32_t c =
					meta_crc32c_impl(impl[k], 0, p, len);
				uint32_t c2 = meta_crc32c_impl(
					impl[k],
					meta_crc32c_impl(impl[k], 0, p, cut),
					p + cut, len - cut);

				if (c != want || c2 != want) {
					CU_FAIL("crc32c differs");
					return;
				}
			}
			CU_ASSERT_EQUAL(meta_crc32c(0, p, len), want);
		}
	}
	printf("(crc32c: %s) ", meta_crc32c_hw() ? "sse4.2" : "software");
}

/* ---- What a load reads ------------------------------------------------- */

struct countdev {
	struct meta_dev cd_dev;
	struct meta_dev *cd_lower;
	uint64_t cd_data; /* bytes read in the data region */
};

static int count_read(struct meta_dev *d, void *buf, size_t len, uint64_t off)
{
	struct countdev *c = (struct countdev *)d;

	if (off + len > MDDB_OFF_DATA)
		c->cd_data += off >= MDDB_OFF_DATA ? len :
						     off + len - MDDB_OFF_DATA;
	return c->cd_lower->md_ops->mdo_read(c->cd_lower, buf, len, off);
}

static int count_write(struct meta_dev *d, const void *buf, size_t len,
		       uint64_t off)
{
	struct countdev *c = (struct countdev *)d;

	return c->cd_lower->md_ops->mdo_write(c->cd_lower, buf, len, off);
}

static int count_flush(struct meta_dev *d)
{
	return 0;
}

static void count_close(struct meta_dev *d)
{
	free(d);
}

static const struct meta_dev_ops count_ops = {
	.mdo_name = "count",
	.mdo_read = count_read,
	.mdo_write = count_write,
	.mdo_flush = count_flush,
	.mdo_close = count_close,
};

/*
 * Open @r's replicas through counting devices: the bytes of the data
 * region read by the load, and the bytes in use (*@used).
 */
static uint64_t load_reads(struct rig *r, uint64_t *used)
{
	struct mddb_replica_spec spec[MAXR];
	struct countdev *c[MAXR];
	struct mddb *db;
	meta_error_t e;
	uint64_t n = 0;
	int i;

	for (i = 0; i < r->n; i++) {
		c[i] = calloc(1, sizeof(*c[i]));
		CU_ASSERT_FATAL(c[i] != NULL);
		c[i]->cd_dev = *r->dev[i];
		c[i]->cd_dev.md_ops = &count_ops;
		c[i]->cd_lower = r->dev[i];
		spec[i] = r->spec[i];
		spec[i].rs_dev = &c[i]->cd_dev;
	}
	CU_ASSERT_FATAL(mddb_open(rig_set_uuid, spec, r->n, MDDB_OPEN_RDONLY,
				  &db, &e) == 0);
	*used = (uint64_t)db->db_nused * db->db_bsize;
	for (uint32_t id = 0; id < 3000; id++)
		if (check_rec(db, MDDB_RT_UNIT, id, id % 7) != 0) {
			CU_FAIL("record lost");
			break;
		}
	mddb_close(db);
	for (i = 0; i < r->n; i++) {
		n += c[i]->cd_data;
		free(c[i]);
	}
	return n;
}

/*
 * A load reads the blocks the directory says are in use, in runs, not the
 * data region: the same history in a 16 MiB and a 64 MiB replica reads the
 * same bytes, and little more than is in use, also after thousands of
 * commits that free and reuse blocks.
 */
static void test_load_reads_in_use(void)
{
	uint64_t lens[2] = { 16 << 20, 64 << 20 }, got[2], used[2];

	for (int k = 0; k < 2; k++) {
		struct rig r;
		struct mddb *db;

		rig_len = lens[k];
		rig_init(&r, 1, false);
		rig_len = MDDB_MINBYTES;
		db = rig_create(&r);
		for (uint32_t id = 0; id < 3000; id++)
			CU_ASSERT(put(db, MDDB_RT_UNIT, id, 0) == 0);
		for (uint32_t g = 1; g < 7; g++)
			for (uint32_t id = g; id < 3000; id += 7)
				CU_ASSERT(put(db, MDDB_RT_UNIT, id, g) == 0);
		mddb_close(db);
		got[k] = load_reads(&r, &used[k]);
		rig_fini(&r);
	}
	printf("(read %llu of %llu bytes in use) ", (unsigned long long)got[0],
	       (unsigned long long)used[0]);
	CU_ASSERT_EQUAL(got[0], got[1]);
	CU_ASSERT_EQUAL(used[0], used[1]);
	CU_ASSERT(got[0] >= used[0]);
	CU_ASSERT(got[0] <= used[0] + used[0] / 4 + (1 << 20));
}

/*
 * A load that finds a record unreadable on one replica and damaged on
 * another takes each from the next replica, and says which was bad.
 */
static void test_load_fallback(void)
{
	struct rig r;
	struct mddb *db;
	meta_error_t e;
	struct mddb_replica_info ri;
	uint32_t blk10 = 0, blk20 = 0, bsize;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	for (uint32_t id = 0; id < 200; id++)
		CU_ASSERT(put(db, MDDB_RT_UNIT, id, 1) == 0);
	for (uint32_t k = 0; k < db->db_nrecs; k++) {
		if (db->db_recs[k]->r_id == 10)
			blk10 = db->db_recs[k]->r_blk;
		if (db->db_recs[k]->r_id == 20)
			blk20 = db->db_recs[k]->r_blk;
	}
	bsize = db->db_bsize;
	mddb_close(db);
	rig_detach(&r);
	rig_attach(&r, true);
	/* Record 10 cannot be read from replica 0; 20 is damaged on 1. */
	mdfault_read_error(r.dev[0], MDDB_OFF_DATA + (uint64_t)blk10 * bsize,
			   bsize);
	r.buf[1][MDDB_OFF_DATA + (uint64_t)blk20 * bsize + MDDB_RECHDR_SIZE] ^=
		0x40;
	db = rig_open(&r, MDDB_OPEN_NOREPAIR, &e);
	CU_ASSERT_FATAL(db != NULL);
	for (uint32_t id = 0; id < 200; id++)
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, id, 1) == 0);
	CU_ASSERT(mddb_replica_info(db, 0, &ri, &e) == 0);
	CU_ASSERT((ri.ri_flags & MDDB_F_EREAD) != 0);
	CU_ASSERT(mddb_replica_info(db, 1, &ri, &e) == 0);
	CU_ASSERT((ri.ri_flags & MDDB_F_EDATA) != 0);
	CU_ASSERT(mddb_replica_info(db, 2, &ri, &e) == 0);
	CU_ASSERT((ri.ri_flags & MDDB_F_UP2DATE) != 0);
	mddb_close(db);
	/* A writable open repairs both; then every replica alone loads. */
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mddb_close(db);
	mdfault_read_error(r.dev[0], 0, 0);
	for (int i = 0; i < 3; i++) {
		db = NULL;
		CU_ASSERT(mddb_open(rig_set_uuid, &r.spec[i], 1,
				    MDDB_OPEN_RDONLY, &db, &e) == 0);
		if (db == NULL)
			continue;
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 10, 1) == 0);
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 20, 1) == 0);
		mddb_close(db);
	}
	rig_fini(&r);
}

/*
 * A directory page written by a later commit than the one being loaded (a
 * block reused under a reader) is refused: with it on every replica, no
 * replica loads.
 */
static void test_dirpage_newer(void)
{
	struct rig r;
	struct mddb *db;
	meta_error_t e;
	uint32_t bsize;
	uint64_t txg;

	rig_init(&r, 3, false);
	db = rig_create(&r);
	for (uint32_t id = 0; id < 40; id++)
		CU_ASSERT(put(db, MDDB_RT_UNIT, id, 1) == 0);
	txg = mddb_txg(db);
	bsize = db->db_bsize;
	mddb_close(db);
	db = rig_open(&r, MDDB_OPEN_RDONLY | MDDB_OPEN_NOREPAIR, &e);
	CU_ASSERT_FATAL(db != NULL);
	mddb_close(db);
	for (int i = 0; i < 3; i++) {
		struct mddb_commit *c = calloc(1, sizeof(*c));
		struct mddb_dirpage *dp = calloc(1, sizeof(*dp));
		uint64_t off;

		CU_ASSERT_FATAL(c != NULL && dp != NULL);
		CU_ASSERT_FATAL(
			mddb_commit_decode(r.buf[i] + MDDB_OFF_COMMIT +
						   (txg % 2) * MDDB_COMMIT_SIZE,
					   c) == 0);
		off = MDDB_OFF_DATA + (uint64_t)c->c_dirblk[0] * bsize;
		CU_ASSERT_FATAL(mddb_dirpage_decode(r.buf[i] + off, dp) == 0);
		dp->p_txg = txg + 1;
		mddb_dirpage_encode(dp, r.buf[i] + off);
		free(c);
		free(dp);
	}
	db = rig_open(&r, MDDB_OPEN_RDONLY | MDDB_OPEN_NOREPAIR, &e);
	CU_ASSERT_PTR_NULL(db);
	if (db != NULL)
		mddb_close(db);
	rig_fini(&r);
}

/*
 * One commit that fills directory page 0 and adds page 1; one transaction
 * that deletes records and puts new ones (and one deleted and put again);
 * then the data region filled up: the commit that does not fit fails with
 * ME_MDDB_FULL and changes nothing, a delete makes room again.  Checked in
 * core and after a reopen from the media.
 */
static void test_pages_reuse_full(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_txn *t;
	meta_error_t e;
	uint8_t buf[700];
	uint32_t id, last;
	int rc;

	meta_error_init(&e);
	rig_init(&r, 2, false);
	db = rig_create(&r);
	CU_ASSERT_EQUAL(db->db_dirblk[1], MDDB_NOBLK);
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	for (id = 0; id < MDDB_DIRENTS + 4; id++)
		CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, id, buf,
				       payload(MDDB_RT_UNIT, id, 0, buf,
					       sizeof(buf)),
				       &e) == 0);
	CU_ASSERT_FATAL(mddb_txn_commit(t, &e) == 0);
	CU_ASSERT_NOT_EQUAL(db->db_dirblk[0], MDDB_NOBLK);
	CU_ASSERT_NOT_EQUAL(db->db_dirblk[1], MDDB_NOBLK);
	CU_ASSERT_EQUAL(db->db_dirblk[2], MDDB_NOBLK);

	/* Deletes and new records in one transaction. */
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	CU_ASSERT(mddb_txn_del(t, MDDB_RT_UNIT, 3, &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, 1000, buf,
			       payload(MDDB_RT_UNIT, 1000, 0, buf, sizeof(buf)),
			       &e) == 0);
	CU_ASSERT(mddb_txn_del(t, MDDB_RT_UNIT, 5, &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, 5, buf,
			       payload(MDDB_RT_UNIT, 5, 2, buf, sizeof(buf)),
			       &e) == 0);
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, 1001, buf,
			       payload(MDDB_RT_UNIT, 1001, 0, buf, sizeof(buf)),
			       &e) == 0);
	CU_ASSERT(mddb_txn_del(t, MDDB_RT_UNIT, MDDB_DIRENTS + 1, &e) == 0);
	CU_ASSERT_FATAL(mddb_txn_commit(t, &e) == 0);
	for (int pass = 0; pass < 2; pass++) {
		CU_ASSERT(absent(db, MDDB_RT_UNIT, 3));
		CU_ASSERT(absent(db, MDDB_RT_UNIT, MDDB_DIRENTS + 1));
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 5, 2) == 0);
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1000, 0) == 0);
		CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1001, 0) == 0);
		for (id = 0; id < MDDB_DIRENTS + 4; id++)
			if (id != 3 && id != 5 && id != MDDB_DIRENTS + 1)
				CU_ASSERT(check_rec(db, MDDB_RT_UNIT, id, 0) ==
					  0);
		mddb_close(db);
		rig_detach(&r);
		rig_attach(&r, false);
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
	}

	/* The data region full: the commit that does not fit changes
	 * nothing. */
	rc = 0;
	for (id = 2000; id < 2000 + 200000 && rc == 0; id++) {
		CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
		memset(buf, (int)id, sizeof(buf));
		CU_ASSERT_FATAL(mddb_txn_put(t, MDDB_RT_UNIT, id, buf,
					     sizeof(buf), &e) == 0);
		rc = mddb_txn_commit(t, &e);
	}
	CU_ASSERT_EQUAL_FATAL(rc, -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_FULL);
	last = id - 1; /* the one that failed */
	CU_ASSERT(last > 2000 + MDDB_DIRENTS); /* pages were added on the way */
	CU_ASSERT(absent(db, MDDB_RT_UNIT, last));
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1000, 0) == 0);
	CU_ASSERT_EQUAL(mddb_state(db), MDDB_S_OK);
	/* A delete makes room: the same put then fits. */
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	CU_ASSERT(mddb_txn_del(t, MDDB_RT_UNIT, 2000, &e) == 0);
	CU_ASSERT_FATAL(mddb_txn_commit(t, &e) == 0);
	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	memset(buf, (int)last, sizeof(buf));
	CU_ASSERT(mddb_txn_put(t, MDDB_RT_UNIT, last, buf, sizeof(buf), &e) ==
		  0);
	rc = mddb_txn_commit(t, &e);
	if (rc != 0)
		fprintf(stderr, "commit after delete: %s\n", meta_strerror(&e));
	CU_ASSERT_EQUAL(rc, 0);
	mddb_close(db);
	rig_detach(&r);
	rig_attach(&r, false);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT(absent(db, MDDB_RT_UNIT, 2000));
	for (id = 2001; id <= last; id++) {
		void *data = NULL;
		size_t len = 0;
		bool ok;

		memset(buf, (int)id, sizeof(buf));
		ok = mddb_rec_get(db, MDDB_RT_UNIT, id, &data, &len, NULL) ==
			     0 &&
		     len == sizeof(buf) && memcmp(data, buf, len) == 0;
		free(data);
		if (!ok) {
			CU_FAIL("record lost after ME_MDDB_FULL");
			break;
		}
	}
	CU_ASSERT(check_rec(db, MDDB_RT_UNIT, 1001, 0) == 0);
	mddb_close(db);
	rig_fini(&r);
}

static CU_TestInfo mddb_tests[] = {
	{ "round trip on files", test_roundtrip_files },
	{ "fifty replicas", test_fifty_replicas },
	{ "8192 records, constant commit cost", test_many_records },
	{ "replica add: a commit that reached one replica only",
	  test_replica_add_doubt },
	{ "replica add: quorum of the old replicas, a failing new drive",
	  test_replica_add_quorum },
	{ "quorum matrix", test_quorum_matrix },
	{ "quorum: read errors, TOOFEW", test_quorum_errors },
	{ "bad input", test_bad_input },
	{ "repair of a bad replica", test_repair },
	{ "replica add and delete", test_replica_add_del },
	{ "change-log and resync slots", test_slots },
	{ "change-log write without the read", test_log_write_known },
	{ "a clear flushed after the answer", test_log_clear_unflushed },
	{ "an unflushed clear writes the replicas at once",
	  test_log_clear_at_once },
#ifdef OBAN_TEST_HOOKS
	{ "a drive gone buffered in an unflushed clear is flushed",
	  test_log_clear_goes_buffered },
	{ "two replicas on a drive gone buffered share its flush",
	  test_log_clear_buffered_shared },
#endif
	{ "a slot's replicas are written with no order", test_slot_no_order },
	{ "master, slave, PARSE and resync slots", test_master_slave },
	{ "a reader loads while the master commits", test_reader_races_master },
	{ "crc32c: known values, hardware and software", test_crc32c },
	{ "a load reads what is in use", test_load_reads_in_use },
	{ "a directory page added, deletes and reuse, ME_MDDB_FULL",
	  test_pages_reuse_full },
	{ "a directory page from a later commit is refused",
	  test_dirpage_newer },
	{ "a load takes a bad record from another replica",
	  test_load_fallback },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "mddb", NULL, NULL, mddb_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
