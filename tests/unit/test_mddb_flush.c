// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for mddb_log_flush(): the flush that mdcommd's master makes
 * after answering, of every drive that an unflushed change-log clear
 * (mddb_log_clear_unflushed()) left, all at once in one
 * meta_dev_flush_many() (doc/mdcommd.md 5).  On the fault layer: the
 * three drives flushed in one batch, which makes the clear durable; a
 * drive whose flush fails takes its replica out of the active set, the
 * others keep the clear; with two drives failing, the error returned is
 * the first in replica order.  On real files (test hooks): the drives'
 * flushes go through the io_uring together, one per drive even where two
 * replicas share one, and a failed flush of that shared drive takes both
 * its replicas out.  The other slot tests are in test_mddb.c.
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

#include "mddb_testlib.h"
#include "meta_dev_fault.h"
#include "ocu.h"

/*
 * Set blue on the three fault-layer replicas of @r (made here), with a
 * message logged in slot 5 and cleared unflushed: what mddb_log_flush()
 * is for.
 */
static struct mddb *clear_left(struct rig *r)
{
	struct mddb *db;
	meta_error_t e;

	rig_init(r, 3, true);
	db = rig_create(r);
	CU_ASSERT(mddb_log_write(db, 5, "msg", 3, &e) == 0);
	mdfault_arm(r->ctl, MDF_NONE, 0, MDF_CRASH_DROP);
	CU_ASSERT(mddb_log_clear_unflushed(db, 5, &e) == 0);
	return db;
}

/* The drive of replica @i of @r dies: a write of @blk (made here) and
 * its flushes fail from now on. */
static void drive_dies(struct rig *r, int i, const void *blk)
{
	meta_error_t e;

	mdfault_arm(r->ctl, MDF_FAIL_DEV, 1, MDF_CRASH_DROP);
	CU_ASSERT(meta_dev_write(r->dev[i], blk, 4096, 0, &e) == -1);
	CU_ASSERT(mdfault_fired(r->ctl));
}

/*
 * An unflushed clear on three replicas, then mddb_log_flush(): the three
 * drives are flushed in one batch (the fault layer counts it), after
 * which a crash that drops unflushed writes leaves the slot empty.
 */
static void test_flush_batch(void)
{
	char got[MDDB_LOG_MAXLEN + 1];
	struct mddb *db;
	struct rig r;
	meta_error_t e;

	db = clear_left(&r);
	CU_ASSERT_EQUAL(mdfault_flush_batches(r.ctl), 0); /* not yet */
	CU_ASSERT(mddb_log_flush(db, &e) == 0);
	CU_ASSERT_EQUAL(mdfault_flush_batches(r.ctl), 1);
	CU_ASSERT(mddb_log_flush(db, &e) == 0); /* nothing left */
	CU_ASSERT_EQUAL(mdfault_flush_batches(r.ctl), 1);
	rig_crash_read(&r, db, 5, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "");
	rig_fini(&r);
}

/*
 * The second replica's drive fails its flush in the batch: that replica
 * alone leaves the active set (a write error), the call says so with the
 * drive's error, and the other two hold the clear durably.
 */
static void test_flush_one_fails(void)
{
	char got[MDDB_LOG_MAXLEN + 1];
	struct mddb_replica_info ri;
	void *blk = meta_dev_alloc(4096);
	struct mddb *db;
	struct rig r;
	meta_error_t e;
	int i;

	CU_ASSERT_FATAL(blk != NULL);
	db = clear_left(&r);
	drive_dies(&r, 1, blk);
	meta_error_init(&e);
	CU_ASSERT(mddb_log_flush(db, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EIO);
	CU_ASSERT_EQUAL(mdfault_flush_batches(r.ctl), 1);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(mddb_replica_info(db, i, &ri, &e) == 0);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_ACTIVE) != 0, i != 1);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_EWRITE) != 0, i == 1);
	}
	rig_crash_read(&r, db, 5, MDF_CRASH_DROP, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "");
	rig_fini(&r);
	free(blk);
}

/*
 * The drives of replicas 1 and 2 fail their flushes in the batch: both
 * replicas leave the active set, and the error the call gives is the
 * first in replica order, replica 1's drive's, not the last.
 */
static void test_flush_two_fail(void)
{
	struct mddb_replica_info ri;
	void *blk = meta_dev_alloc(4096);
	struct mddb *db;
	struct rig r;
	meta_error_t e;
	int i;

	CU_ASSERT_FATAL(blk != NULL);
	db = clear_left(&r);
	for (i = 1; i < 3; i++) /* drives 1 and 2 die */
		drive_dies(&r, i, blk);
	/* The rig names every drive "mem": tell the errors apart. */
	for (i = 0; i < 3; i++)
		snprintf(r.dev[i]->md_path, sizeof(r.dev[i]->md_path), "mem%d",
			 i);
	meta_error_init(&e);
	CU_ASSERT(mddb_log_flush(db, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EIO);
	CU_ASSERT_STRING_EQUAL(e.me_object, r.dev[1]->md_path);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(mddb_replica_info(db, i, &ri, &e) == 0);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_ACTIVE) != 0, i == 0);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_EWRITE) != 0, i != 0);
	}
	mddb_close(db);
	rig_fini(&r);
	free(blk);
}

#ifdef OBAN_TEST_HOOKS
/* A set on real files: three replicas on two drives @dev (replicas 0 and
 * 1 share dev[0], replica 2 on dev[1]), slot 3 written then cleared
 * unflushed. */
static struct mddb *files_set(struct meta_dev **dev)
{
	struct mddb_replica_spec spec[3];
	struct mddb_create_args a = { .ca_setno = 5, .ca_setname = "fm" };
	char path[256];
	struct mddb *db;
	meta_error_t e;
	int k, fd;

	memcpy(a.ca_set_uuid, rig_set_uuid, 16);
	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "%s/fm%d", ocu_tmpdir(), k);
		fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_FATAL(ftruncate(fd, 32 << 20) == 0);
		close(fd);
		CU_ASSERT_FATAL(meta_dev_open(path, 0, &dev[k], &e) == 0);
	}
	for (k = 0; k < 3; k++) {
		memset(&spec[k], 0, sizeof(spec[k]));
		spec[k].rs_dev = dev[k == 2 ? 1 : 0];
		spec[k].rs_offset = k == 1 ? 16 << 20 : 1 << 20;
		spec[k].rs_length = 8 << 20;
		memset(spec[k].rs_drive_uuid, k == 2 ? 2 : 1, 16);
		spec[k].rs_index = k == 1 ? 1 : 0;
		snprintf(spec[k].rs_name, sizeof(spec[k].rs_name), "fm%d", k);
	}
	CU_ASSERT_FATAL(mddb_create(&a, spec, 3, &db, &e) == 0);
	CU_ASSERT(mddb_log_write(db, 3, "msg", 3, &e) == 0);
	CU_ASSERT(mddb_log_clear_unflushed(db, 3, &e) == 0);
	return db;
}

/*
 * On real files: three replicas on two drives (two share the first), an
 * unflushed clear, then mddb_log_flush(): one flush per drive, both
 * through the io_uring in one submit, no fdatasync() in turn (where this
 * machine has a ring and O_DIRECT in the scratch directory).
 */
static void test_flush_files(void)
{
	struct meta_dev_test_ring st0, st;
	struct meta_dev *dev[2];
	char got[MDDB_LOG_MAXLEN + 1];
	struct mddb *db = files_set(dev);
	meta_error_t e;
	size_t len;
	int k;

	meta_dev_test_ring_stats(&st0);
	CU_ASSERT(mddb_log_flush(db, &e) == 0);
	meta_dev_test_ring_stats(&st);
	/* Two drives, two flushes: through the ring or in turn. */
	CU_ASSERT_EQUAL(st.tr_fdone + st.tr_synced,
			st0.tr_fdone + st0.tr_synced + 2);
	if (st.tr_pid == getpid() && dev[0]->md_direct) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent + 2);
		CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced);
	} else {
		fprintf(stderr, "test_mddb_flush: no io_uring or no O_DIRECT "
				"here: not checking that the flushes went "
				"through the ring\n");
	}
	CU_ASSERT(mddb_log_read(db, 3, got, sizeof(got), &len, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	mddb_close(db);
	for (k = 0; k < 2; k++)
		meta_dev_close(dev[k]);
}

/*
 * The drive holding replicas 0 and 1 fails its flush (the test hook fails
 * the first flush of the batch, that drive's): both its replicas leave
 * the active set, with the drive's error; replica 2, on the other drive,
 * keeps the clear.
 */
static void test_flush_shared_fails(void)
{
	struct mddb_replica_info ri;
	struct meta_dev *dev[2];
	struct mddb *db = files_set(dev);
	meta_error_t e;
	int k;

	meta_error_init(&e);
	meta_dev_test_flush_fail = 1;
	CU_ASSERT(mddb_log_flush(db, &e) == -1);
	CU_ASSERT_EQUAL(meta_dev_test_flush_fail, 0);
	meta_dev_test_flush_fail = 0;
	CU_ASSERT_EQUAL(e.me_code, EIO);
	CU_ASSERT_STRING_EQUAL(e.me_object, dev[0]->md_path);
	for (k = 0; k < 3; k++) {
		CU_ASSERT(mddb_replica_info(db, k, &ri, &e) == 0);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_ACTIVE) != 0, k == 2);
		CU_ASSERT_EQUAL((ri.ri_flags & MDDB_F_EWRITE) != 0, k != 2);
	}
	mddb_close(db);
	for (k = 0; k < 2; k++)
		meta_dev_close(dev[k]);
}
#endif

static CU_TestInfo mddb_flush_tests[] = {
	{ "the drives of a clear flushed in one batch", test_flush_batch },
	{ "a drive failing its flush in the batch", test_flush_one_fails },
	{ "two drives failing their flushes: the first error",
	  test_flush_two_fail },
#ifdef OBAN_TEST_HOOKS
	{ "the drives' flushes through the ring, one per drive",
	  test_flush_files },
	{ "a drive of two replicas failing its flush: both out",
	  test_flush_shared_fails },
#endif
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "mddb_flush", NULL, NULL, mddb_flush_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
