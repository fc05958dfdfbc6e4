/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory rigs and record helpers that the mddb unit tests share
 * (test_mddb.c, test_mddb_crash.c; built once as tests/unit/libmddbtest.la).
 *
 * A rig is n replicas on memory buffers of rig_len bytes each, optionally
 * behind the fault layer (meta_dev_fault.h), so that a test can save every
 * replica, crash or fail a write, and start again from what it saved.
 * Records are written and checked by generation: payload() gives the same
 * bytes for the same (type, id, gen) every time.  Where a rig cannot be set
 * up, the helpers fail the running CUnit test (CU_ASSERT_FATAL).
 */
#ifndef OBAN_TESTS_MDDB_TESTLIB_H
#define OBAN_TESTS_MDDB_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oban/mddb.h>
#include <oban/meta_dev.h>

#include "meta_dev_fault.h"

#define MAXR 50 /* replicas in the largest rig */

/* Bytes of each replica that rig_init() allocates (MDDB_MINBYTES unless a
 * test sets it for the rigs it makes, and sets it back). */
extern uint64_t rig_len;
/* The set UUID of every rig's set. */
extern const uint8_t rig_set_uuid[16];

/* A rig: n replicas on memory buffers, optionally behind mdfault. */
struct rig {
	int n;
	uint8_t *buf[MAXR];
	uint64_t len[MAXR];
	struct meta_dev *dev[MAXR];
	struct mddb_replica_spec spec[MAXR];
	struct mdfault_ctl *ctl;
};

/*
 * rig_init - @n zeroed replicas of rig_len bytes, attached (rig_attach()).
 * rig_fini - detach, free the buffers and the fault control.
 */
void rig_init(struct rig *r, int n, bool fault);
void rig_fini(struct rig *r);

/*
 * rig_attach - (re)open a memory device on every buffer and reset every
 * spec (rig_spec()); with @fault, wrap each device in the rig's fault
 * control (created on first use), disarmed.
 * rig_detach - close every device; the buffers stay.
 */
void rig_attach(struct rig *r, bool fault);
void rig_detach(struct rig *r);

/* rig_spec - spec @i: device dev[i] at offset 0, len[i] bytes, drive UUID
 * 16 bytes of 0xd0 + @i, index 0, name "mem<i>". */
void rig_spec(struct rig *r, int i);

/* rig_create - create set 1 "blue" (multi-owner, rig_set_uuid) on every
 * replica of @r; the test fails if it cannot. */
struct mddb *rig_create(struct rig *r);

/* rig_open - mddb_open() the rig's set with @flags; NULL and @ep filled
 * when it fails. */
struct mddb *rig_open(struct rig *r, int flags, meta_error_t *ep);

/* rig_snap - without @restore, save a malloc'd copy of every replica's
 * buffer in @saved[i] (the caller frees them); with @restore, copy the
 * saved bytes back. */
void rig_snap(struct rig *r, uint8_t **saved, bool restore);

/*
 * rig_crash_read - crash @r (a fault rig) at the next write after @db's
 * last operation, with @variant; close @db, reboot the replicas and put
 * what slot @slot holds in @out ("" when empty; at most @size - 1 bytes).
 */
void rig_crash_read(struct rig *r, struct mddb *db, unsigned slot,
		    enum mdfault_crash variant, char *out, size_t size);

/* payload - the bytes of record (@type, @id) at generation @gen into @buf,
 * at most @max of them; returns how many. */
size_t payload(uint32_t type, uint32_t id, uint32_t gen, uint8_t *buf,
	       size_t max);

/* put - commit record (@type, @id) at generation @gen in a transaction of
 * its own: 0, or -1 if a step failed. */
int put(struct mddb *db, uint32_t type, uint32_t id, uint32_t gen);

/* check_rec - 0 if record (@type, @id) holds generation @gen, else -1. */
int check_rec(struct mddb *db, uint32_t type, uint32_t id, uint32_t gen);

/* absent - true if record (@type, @id) does not exist (ENOENT). */
bool absent(struct mddb *db, uint32_t type, uint32_t id);

#endif /* OBAN_TESTS_MDDB_TESTLIB_H */
