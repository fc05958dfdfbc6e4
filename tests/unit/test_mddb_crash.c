// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crash-safety tests of the mddb replica store: a crash at every write of a
 * commit, of the repair of an out-of-date replica, of a replica add, and of
 * a commit that adds a record and a replica; then a seeded run of random
 * transactions, each with a random fault.  After each, the set (and, where
 * the test says so, every replica alone) must hold exactly the state before
 * or the state after, never a mix (doc/format-mddb.md).
 *
 * Every test runs on memory devices behind the fault layer, so that a crash
 * can be replayed from a snapshot hundreds of times.  The rigs and record
 * helpers are in mddb_testlib.c, shared with test_mddb.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/meta_dev.h>

#include "mddb_testlib.h"
#include "meta_dev_fault.h"
#include "ocu.h"

/* ---- Crash safety ------------------------------------------------------ */

#define BASE_RECS 300

static void commit_b(struct mddb *db, int *rc)
{
	struct mddb_txn *t;
	uint8_t buf[700];
	static const uint32_t upd[] = { 0, 150, 290, 400, 401 };
	meta_error_t e;
	size_t i;

	*rc = -1;
	if (mddb_txn_begin(db, &t, &e) != 0)
		return;
	for (i = 0; i < sizeof(upd) / sizeof(upd[0]); i++)
		if (mddb_txn_put(t, MDDB_RT_UNIT, upd[i], buf,
				 payload(MDDB_RT_UNIT, upd[i], 1, buf,
					 sizeof(buf)),
				 &e) != 0)
			goto out_abort;
	if (mddb_txn_del(t, MDDB_RT_UNIT, 10, &e) != 0 ||
	    mddb_txn_del(t, MDDB_RT_UNIT, 200, &e) != 0)
		goto out_abort;
	*rc = mddb_txn_commit(t, &e);
	return;
out_abort:
	mddb_txn_abort(t);
}

static int cnt_cb(void *arg, uint32_t id, const void *data, size_t len)
{
	(*(unsigned *)arg)++;
	return 0;
}

/* 1 if @db holds the old state, 2 if the new, 0 if neither (a mix). */
static int which_state(struct mddb *db)
{
	unsigned n = 0;
	bool old = true, new = true;
	uint32_t id;

	mddb_rec_foreach(db, MDDB_RT_UNIT, cnt_cb, &n, NULL);
	for (id = 0; id < BASE_RECS; id++) {
		bool changed = id == 0 || id == 150 || id == 290;
		bool gone = id == 10 || id == 200;

		if (check_rec(db, MDDB_RT_UNIT, id, 0) != 0)
			old = false;
		if (gone ? !absent(db, MDDB_RT_UNIT, id) :
			   check_rec(db, MDDB_RT_UNIT, id, changed ? 1 : 0) !=
				    0)
			new = false;
	}
	if (!absent(db, MDDB_RT_UNIT, 400) || n != BASE_RECS)
		old = false;
	if (check_rec(db, MDDB_RT_UNIT, 400, 1) != 0 ||
	    check_rec(db, MDDB_RT_UNIT, 401, 1) != 0 || n != BASE_RECS)
		new = false;
	return old ? 1 : new ? 2 : 0;
}

static void test_crash_every_write(void)
{
	struct rig r;
	struct mddb *db;
	uint8_t *saved[3];
	meta_error_t e;
	uint64_t nwrites, n;
	unsigned mode, bad = 0, runs = 0, saw[3] = { 0, 0, 0 };
	uint32_t id;
	int rc, i;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	for (id = 0; id < BASE_RECS; id += 50) {
		struct mddb_txn *t;
		uint8_t buf[700];
		uint32_t k;

		CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
		for (k = id; k < id + 50; k++)
			mddb_txn_put(t, MDDB_RT_UNIT, k, buf,
				     payload(MDDB_RT_UNIT, k, 0, buf,
					     sizeof(buf)),
				     &e);
		CU_ASSERT_FATAL(mddb_txn_commit(t, &e) == 0);
	}
	CU_ASSERT_EQUAL(which_state(db), 1);
	mddb_close(db);
	rig_detach(&r);
	rig_snap(&r, saved, false);

	/* Count the writes of commit B. */
	rig_attach(&r, true);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mdfault_arm(r.ctl, MDF_NONE, 0, 0);
	commit_b(db, &rc);
	CU_ASSERT_FATAL(rc == 0);
	nwrites = mdfault_writes(r.ctl);
	CU_ASSERT_EQUAL(which_state(db), 2);
	mddb_close(db);
	rig_detach(&r);
	CU_ASSERT(nwrites >= 3 * 3);

	for (n = 1; n <= nwrites; n++) {
		for (mode = 0; mode < MDF_CRASH_NVARIANTS + 2; mode++) {
			enum mdfault_mode m =
				mode < MDF_CRASH_NVARIANTS  ? MDF_CRASH :
				mode == MDF_CRASH_NVARIANTS ? MDF_FAIL :
							      MDF_FAIL_DEV;
			int st;

			rig_snap(&r, saved, true);
			rig_attach(&r, true);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			mdfault_arm(r.ctl, m, n, (enum mdfault_crash)mode);
			commit_b(db, &rc);
			CU_ASSERT(mdfault_fired(r.ctl));
			mddb_close(db);
			rig_detach(&r);
			runs++;

			/* Each replica on its own: old or new, never a mix. */
			for (i = 0; i < 3; i++) {
				struct mddb *one;
				struct meta_dev *keep[3];
				int j;

				rig_attach(&r, false);
				for (j = 0; j < 3; j++) {
					keep[j] = r.dev[j];
					if (j != i)
						r.spec[j].rs_dev = NULL;
				}
				one = rig_open(&r,
					       MDDB_OPEN_RDONLY |
						       MDDB_OPEN_NOREPAIR,
					       &e);
				if (one == NULL || which_state(one) == 0) {
					bad++;
					fprintf(stderr,
						"n=%llu mode=%u replica %d: %s\n",
						(unsigned long long)n, mode, i,
						one ? "mixed" :
						      meta_strerror(&e));
				}
				mddb_close(one);
				for (j = 0; j < 3; j++)
					r.dev[j] = keep[j];
				rig_detach(&r);
			}
			/* The set: old or new; new if the commit succeeded. */
			rig_attach(&r, false);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			st = which_state(db);
			saw[st]++;
			if (st == 0 || (rc == 0 && st != 2)) {
				bad++;
				fprintf(stderr,
					"n=%llu mode=%u: state %d rc %d\n",
					(unsigned long long)n, mode, st, rc);
			}
			/* After the repair every replica is up to date. */
			for (i = 0; i < 3; i++) {
				struct mddb_replica_info ri;

				mddb_replica_info(db, i, &ri, &e);
				CU_ASSERT(ri.ri_flags & MDDB_F_UP2DATE);
			}
			mddb_close(db);
			rig_detach(&r);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(saw[1] > 0 && saw[2] > 0); /* both outcomes were reached */
	CU_ASSERT_EQUAL(runs, nwrites * (MDF_CRASH_NVARIANTS + 2));
	for (i = 0; i < 3; i++)
		free(saved[i]);
	rig_fini(&r);
}

/* Open replica @only alone, read-only: 1 old, 2 new, 0 mixed, -1 no open. */
static int replica_alone(struct rig *r, int only)
{
	struct meta_dev *keep[MAXR];
	struct mddb *one;
	meta_error_t e;
	int j, st = -1;

	rig_attach(r, false);
	for (j = 0; j < r->n; j++) {
		keep[j] = r->dev[j];
		if (j != only)
			r->spec[j].rs_dev = NULL;
	}
	one = rig_open(r, MDDB_OPEN_RDONLY | MDDB_OPEN_NOREPAIR, &e);
	if (one != NULL)
		st = which_state(one);
	mddb_close(one);
	for (j = 0; j < r->n; j++)
		r->dev[j] = keep[j];
	rig_detach(r);
	return st;
}

static void base_state(struct mddb *db)
{
	struct mddb_txn *t;
	uint8_t buf[700];
	meta_error_t e;
	uint32_t k;

	CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
	for (k = 0; k < BASE_RECS; k++)
		mddb_txn_put(t, MDDB_RT_UNIT, k, buf,
			     payload(MDDB_RT_UNIT, k, 0, buf, sizeof(buf)), &e);
	CU_ASSERT_FATAL(mddb_txn_commit(t, &e) == 0);
}

/* A crash at every write of the repair of an out-of-date replica. */
static void test_crash_repair(void)
{
	struct rig r;
	struct mddb *db;
	uint8_t *saved[3];
	meta_error_t e;
	uint64_t nwrites, n;
	unsigned v, bad = 0;
	int rc, i;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	base_state(db);
	/* Replica 0 dies at the first write of commit B: it stays old. */
	mdfault_arm(r.ctl, MDF_FAIL_DEV, 1, 0);
	commit_b(db, &rc);
	CU_ASSERT_FATAL(rc == 0);
	mddb_close(db);
	rig_detach(&r);
	CU_ASSERT_EQUAL(replica_alone(&r, 0), 1);
	CU_ASSERT_EQUAL(replica_alone(&r, 1), 2);
	rig_snap(&r, saved, false);

	rig_attach(&r, true);
	db = rig_open(&r, 0, &e); /* repairs replica 0 */
	CU_ASSERT_FATAL(db != NULL);
	nwrites = mdfault_writes(r.ctl);
	mddb_close(db);
	rig_detach(&r);
	CU_ASSERT_EQUAL(replica_alone(&r, 0), 2);
	CU_ASSERT(nwrites >= 3);

	for (n = 1; n <= nwrites; n++) {
		for (v = 0; v < MDF_CRASH_NVARIANTS; v++) {
			int st;

			rig_snap(&r, saved, true);
			rig_attach(&r, true);
			mdfault_arm(r.ctl, MDF_CRASH, n, (enum mdfault_crash)v);
			db = rig_open(&r, 0, &e);
			CU_ASSERT(mdfault_fired(r.ctl));
			mddb_close(db);
			rig_detach(&r);
			/* Replica 0: no commit, or all of one state. */
			st = replica_alone(&r, 0);
			if (st == 0) {
				bad++;
				fprintf(stderr, "repair n=%llu v=%u: mixed\n",
					(unsigned long long)n, v);
			}
			for (i = 1; i < 3; i++)
				if (replica_alone(&r, i) != 2) {
					bad++;
					fprintf(stderr,
						"repair n=%llu v=%u: "
						"replica %d not new\n",
						(unsigned long long)n, v, i);
				}
			rig_attach(&r, false);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			if (which_state(db) != 2) {
				bad++;
				fprintf(stderr, "repair n=%llu v=%u: set old\n",
					(unsigned long long)n, v);
			}
			mddb_close(db);
			rig_detach(&r);
			if (replica_alone(&r, 0) != 2) {
				bad++;
				fprintf(stderr,
					"repair n=%llu v=%u: not repaired\n",
					(unsigned long long)n, v);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < 3; i++)
		free(saved[i]);
	rig_fini(&r);
}

/* A crash at every write of a replica add: the set keeps its records and
 * has the new replica fully or not at all. */
static void test_crash_replica_add(void)
{
	struct rig r;
	struct mddb *db;
	uint8_t *saved[3];
	meta_error_t e;
	uint64_t nwrites, n;
	unsigned v, bad = 0, saw2 = 0, saw3 = 0;
	int i;

	rig_init(&r, 3, true);
	r.n = 2;
	db = rig_create(&r);
	base_state(db);
	mddb_close(db);
	r.n = 3;
	rig_detach(&r);
	rig_snap(&r, saved, false);
	rig_attach(&r, true);
	db = rig_open(&r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	mdfault_arm(r.ctl, MDF_NONE, 0, 0);
	CU_ASSERT_FATAL(mddb_replica_add(db, &r.spec[2], &e) == 0);
	nwrites = mdfault_writes(r.ctl);
	mddb_close(db);
	rig_detach(&r);

	for (n = 1; n <= nwrites; n++) {
		for (v = 0; v < MDF_CRASH_NVARIANTS; v++) {
			rig_snap(&r, saved, true);
			rig_attach(&r, true);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			mdfault_arm(r.ctl, MDF_CRASH, n, (enum mdfault_crash)v);
			(void)mddb_replica_add(db, &r.spec[2], &e);
			mddb_close(db);
			rig_detach(&r);
			rig_attach(&r, false);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			if (which_state(db) != 1)
				bad++;
			if (mddb_replica_count(db) == 3)
				saw3++;
			else if (mddb_replica_count(db) == 2)
				saw2++;
			for (i = 0; i < mddb_replica_count(db); i++) {
				struct mddb_replica_info ri;

				mddb_replica_info(db, i, &ri, &e);
				if (!(ri.ri_flags & MDDB_F_UP2DATE))
					bad++;
			}
			mddb_close(db);
			rig_detach(&r);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(saw2 > 0 && saw3 > 0);
	CU_ASSERT_EQUAL(saw2 + saw3, nwrites * MDF_CRASH_NVARIANTS);
	for (i = 0; i < 3; i++)
		free(saved[i]);
	rig_fini(&r);
}

/*
 * A crash at every write of a commit of one record and one replica added
 * (mddb_txn_replica_add(), as a drive add makes it): every outcome is the
 * old set (2 replicas, no record) or the new one (3 replicas and the
 * record), every replica up to date.
 */
static void test_crash_txn_replica_add(void)
{
	struct rig r;
	struct mddb *db;
	struct mddb_txn *t;
	uint8_t *saved[3], buf[700];
	size_t len = payload(MDDB_RT_DRIVE, 9, 0, buf, sizeof(buf));
	meta_error_t e;
	uint64_t nwrites = 0, n;
	unsigned v, bad = 0, saw2 = 0, saw3 = 0;
	int i, rc;

	rig_init(&r, 3, true);
	r.n = 2;
	db = rig_create(&r);
	base_state(db);
	mddb_close(db);
	r.n = 3;
	rig_detach(&r);
	rig_snap(&r, saved, false);
	for (n = 0;; n++) {
		for (v = 0; v < (n == 0 ? 1 : MDF_CRASH_NVARIANTS); v++) {
			if (n > 0)
				rig_snap(&r, saved, true);
			rig_attach(&r, true);
			r.n = 2;
			db = rig_open(&r, 0, &e);
			r.n = 3;
			CU_ASSERT_FATAL(db != NULL);
			mdfault_arm(r.ctl, n == 0 ? MDF_NONE : MDF_CRASH, n,
				    (enum mdfault_crash)v);
			CU_ASSERT_FATAL(mddb_txn_begin(db, &t, &e) == 0);
			CU_ASSERT_FATAL(mddb_txn_put(t, MDDB_RT_DRIVE, 9, buf,
						     len, &e) == 0);
			CU_ASSERT_FATAL(
				mddb_txn_replica_add(t, &r.spec[2], &e) == 0);
			rc = mddb_txn_commit(t, &e);
			if (n == 0) {
				CU_ASSERT_FATAL(rc == 0);
				nwrites = mdfault_writes(r.ctl);
			}
			mddb_close(db);
			rig_detach(&r);
			if (n == 0) {
				rig_snap(&r, saved, true);
				continue;
			}
			rig_attach(&r, false);
			db = rig_open(&r, 0, &e);
			CU_ASSERT_FATAL(db != NULL);
			if (which_state(db) != 1)
				bad++;
			if (mddb_replica_count(db) == 3 &&
			    check_rec(db, MDDB_RT_DRIVE, 9, 0) == 0)
				saw3++;
			else if (mddb_replica_count(db) == 2 &&
				 absent(db, MDDB_RT_DRIVE, 9))
				saw2++;
			else
				bad++;
			for (i = 0; i < mddb_replica_count(db); i++) {
				struct mddb_replica_info ri;

				mddb_replica_info(db, i, &ri, &e);
				if (!(ri.ri_flags & MDDB_F_UP2DATE))
					bad++;
			}
			mddb_close(db);
			rig_detach(&r);
		}
		if (n > 0 && n >= nwrites)
			break;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(saw2 > 0 && saw3 > 0);
	CU_ASSERT_EQUAL(saw2 + saw3, nwrites * MDF_CRASH_NVARIANTS);
	for (i = 0; i < 3; i++)
		free(saved[i]);
	rig_fini(&r);
}

/*
 * ztest-lite: random transactions (puts of random sizes, deletes), each
 * with a random fault (a crash of a random kind at a random write, a failing
 * write, a dying replica, or none), then a reboot: the set must hold exactly
 * the model before or after the transaction, and after it whenever the
 * commit reported success.  Seeded, so a failure repeats.
 */
#define RZ_IDS 300
#define RZ_ITER 300

struct rz_model {
	bool m_exists[RZ_IDS];
	uint32_t m_gen[RZ_IDS];
	uint32_t m_len[RZ_IDS];
};

static uint64_t rz_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rz_rand(void)
{
	rz_state ^= rz_state << 13;
	rz_state ^= rz_state >> 7;
	rz_state ^= rz_state << 17;
	return (uint32_t)(rz_state >> 16);
}

static void rz_payload(uint32_t id, uint32_t gen, uint32_t len, uint8_t *b)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(id * 131 + gen * 7 + i * 3);
}

static bool rz_matches(struct mddb *db, const struct rz_model *m)
{
	static uint8_t want[2048];
	unsigned n = 0;

	mddb_rec_foreach(db, MDDB_RT_UNIT, cnt_cb, &n, NULL);
	for (uint32_t id = 0; id < RZ_IDS; id++) {
		void *data;
		size_t len;
		bool ok;

		if (!m->m_exists[id]) {
			if (!absent(db, MDDB_RT_UNIT, id))
				return false;
			continue;
		}
		if (mddb_rec_get(db, MDDB_RT_UNIT, id, &data, &len, NULL) != 0)
			return false;
		rz_payload(id, m->m_gen[id], m->m_len[id], want);
		ok = len == m->m_len[id] && memcmp(data, want, len) == 0;
		free(data);
		if (!ok)
			return false;
		n--;
	}
	return n == 0;
}

static void test_random_crashes(void)
{
	static uint8_t buf[2048];
	struct rz_model *cur = calloc(1, sizeof(*cur));
	struct rz_model *next = calloc(1, sizeof(*next));
	struct rig r;
	struct mddb *db;
	meta_error_t e;
	unsigned it, bad = 0, fired = 0, succeeded = 0;

	rig_init(&r, 3, true);
	db = rig_create(&r);
	mddb_close(db);
	for (it = 0; it < RZ_ITER; it++) {
		struct mddb_txn *t;
		unsigned nops = 1 + rz_rand() % 12, k, kind = rz_rand() % 8;
		int rc = -1;

		rig_detach(&r);
		rig_attach(&r, true);
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
		*next = *cur;
		if (kind < MDF_CRASH_NVARIANTS)
			mdfault_arm(r.ctl, MDF_CRASH, 1 + rz_rand() % 40,
				    (enum mdfault_crash)kind);
		else if (kind == 4)
			mdfault_arm(r.ctl, MDF_FAIL, 1 + rz_rand() % 40, 0);
		else if (kind == 5)
			mdfault_arm(r.ctl, MDF_FAIL_DEV, 1 + rz_rand() % 40, 0);
		else
			mdfault_arm(r.ctl, MDF_NONE, 0, 0);
		if (mddb_txn_begin(db, &t, &e) == 0) {
			for (k = 0; k < nops; k++) {
				uint32_t id = rz_rand() % RZ_IDS;

				if (next->m_exists[id] && rz_rand() % 4 == 0) {
					mddb_txn_del(t, MDDB_RT_UNIT, id, &e);
					next->m_exists[id] = false;
					continue;
				}
				next->m_exists[id] = true;
				next->m_gen[id] = it + 1;
				next->m_len[id] = rz_rand() % sizeof(buf);
				rz_payload(id, it + 1, next->m_len[id], buf);
				mddb_txn_put(t, MDDB_RT_UNIT, id, buf,
					     next->m_len[id], &e);
			}
			rc = mddb_txn_commit(t, &e);
		}
		if (mdfault_fired(r.ctl))
			fired++;
		if (rc == 0)
			succeeded++;
		mddb_close(db);
		/* Reboot: what reached the media is all there is. */
		rig_detach(&r);
		rig_attach(&r, false);
		db = rig_open(&r, 0, &e);
		CU_ASSERT_FATAL(db != NULL);
		if (rz_matches(db, next)) {
			*cur = *next;
		} else if (rc == 0 || !rz_matches(db, cur)) {
			bad++;
			fprintf(stderr, "random %u: kind %u rc %d: %s\n", it,
				kind, rc,
				rc == 0 ? "committed state lost" : "mixed");
		}
		mddb_close(db);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(fired > RZ_ITER / 4);
	CU_ASSERT(succeeded > RZ_ITER / 4);
	rig_fini(&r);
	free(cur);
	free(next);
}

static CU_TestInfo mddb_crash_tests[] = {
	{ "crash at every write of a commit", test_crash_every_write },
	{ "crash at every write of a repair", test_crash_repair },
	{ "crash at every write of a replica add", test_crash_replica_add },
	{ "crash at every write of a record and a replica added",
	  test_crash_txn_replica_add },
	{ "random transactions and faults", test_random_crashes },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "mddb_crash", NULL, NULL, mddb_crash_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
