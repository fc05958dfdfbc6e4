/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-memory record store for the configuration tests only (never built
 * into libmeta): the struct meta_store_ops that meta_cfg_apply() and
 * meta_cfg_load() use, over a sorted array of records, with transactions
 * that apply on commit or not at all, and failure injection (fail the Nth
 * put, fail the commit) so that tests can show that a failed change writes
 * nothing.  Also a fake drive table for the model's drive lookup.
 */
#ifndef OBAN_TESTS_CFG_MEMSTORE_H
#define OBAN_TESTS_CFG_MEMSTORE_H

#include <oban/meta_cfg.h>

struct memrec {
	uint32_t mr_kind;
	uint32_t mr_id;
	size_t mr_len;
	void *mr_data;
};

struct memstore {
	uint32_t ms_n;
	uint32_t ms_cap;
	struct memrec *ms_recs;
	uint32_t ms_commits;
	int ms_fail_put; /* fail the Nth put (1-based) of a txn, 0: never */
	bool ms_fail_commit;
	bool ms_intxn;
};

void memstore_init(struct memstore *ms, struct meta_store *st);
void memstore_release(struct memstore *ms);
/* The stored record, or NULL. */
struct memrec *memstore_find(struct memstore *ms, uint32_t kind, uint32_t id);
/* A copy of every record, to compare before/after. */
uint64_t memstore_hash(const struct memstore *ms);

/* Fake drives, up to 600. */
struct fakedrives {
	uint32_t fd_n;
	struct meta_drive fd_d[600];
};

void fakedrives_add(struct fakedrives *fd, const char *name, uint64_t blocks,
		    uint32_t nrepl);
int fakedrives_lookup(void *arg, const char *name, struct meta_drive *d,
		      meta_error_t *ep);

#endif /* OBAN_TESTS_CFG_MEMSTORE_H */
