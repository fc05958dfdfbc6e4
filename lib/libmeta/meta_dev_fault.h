/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdfault: a meta_dev wrapper for tests (SQLite's test6.c, test_vfs.c).
 *
 * Wrapped devices keep their writes in memory until a flush, as a drive's
 * volatile cache would; reads see them.  A struct mdfault_ctl is shared by
 * every wrapped device of one simulated machine: it counts writes across all
 * of them and, when armed, acts at the Nth:
 *
 *   MDF_FAIL       the Nth write fails with EIO; later ones work.
 *   MDF_FAIL_DEV   the Nth write and every later write and flush of the
 *                  same device fail with EIO (a replica dies mid-commit).
 *   MDF_CRASH      the machine dies at the Nth write: what reaches the media
 *                  depends on the variant (enum mdfault_crash); from then on
 *                  every I/O of every wrapped device fails with EIO, and the
 *                  test reopens the underlying files as after a reboot.
 *
 * Several writes at once (the ops' mdo_write_many) are all made pending,
 * each counted as a write, before any is flushed: durable ones are then
 * flushed, plain ones stay pending until their device's flush, so a crash
 * before it may lose them.  Several flushes at once (mdo_flush_many) are
 * each a flush of its device as above, in turn, and counted as a batch.
 *
 * mdfault_read_error() makes reads overlapping a range fail with EIO.
 * These functions are not exported from libmeta.so (not in libmeta.map):
 * only the unit tests, which link libmeta_core, reach them.
 * Not thread-safe.
 */
#ifndef OBAN_META_DEV_FAULT_H
#define OBAN_META_DEV_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <oban/meta_dev.h>

enum mdfault_mode {
	MDF_NONE = 0,
	MDF_FAIL = 1,
	MDF_FAIL_DEV = 2,
	MDF_CRASH = 3,
};

enum mdfault_crash {
	MDF_CRASH_DROP = 0, /* unflushed writes lost; the Nth not written */
	MDF_CRASH_KEEP = 1, /* unflushed writes reached the media */
	MDF_CRASH_TORN = 2, /* as KEEP, and the first half of the Nth too */
	MDF_CRASH_SOME = 3, /* every other unflushed write, Nth torn */
	MDF_CRASH_NVARIANTS = 4,
};

struct mdfault_ctl;

struct mdfault_ctl *mdfault_ctl_create(void);
void mdfault_ctl_destroy(struct mdfault_ctl *c);
/* mdfault_arm - act at write number @n (1-based, counted from now). */
void mdfault_arm(struct mdfault_ctl *c, enum mdfault_mode mode, uint64_t n,
		 enum mdfault_crash variant);
/* mdfault_writes - writes seen since creation or the last arm. */
uint64_t mdfault_writes(const struct mdfault_ctl *c);
/* mdfault_batches - batches of two or more writes at once seen since
 * creation or the last arm: durable ones (meta_dev_write_sync_many())
 * with @sync, else plain ones (meta_dev_write_many()). */
uint64_t mdfault_batches(const struct mdfault_ctl *c, bool sync);
/* mdfault_flush_batches - batches of two or more flushes at once
 * (meta_dev_flush_many()) seen since creation or the last arm. */
uint64_t mdfault_flush_batches(const struct mdfault_ctl *c);
/* mdfault_fired - true once the armed fault has happened. */
bool mdfault_fired(const struct mdfault_ctl *c);

/*
 * mdfault_wrap - wrap @lower (ownership passes to the wrapper, which closes
 * it) into *@dp.  Returns 0, or -1 with ENOMEM.
 */
int mdfault_wrap(struct meta_dev *lower, struct mdfault_ctl *c,
		 struct meta_dev **dp);
/* mdfault_read_error - reads overlapping [off, off + len) fail with EIO. */
void mdfault_read_error(struct meta_dev *d, uint64_t off, uint64_t len);

#endif /* OBAN_META_DEV_FAULT_H */
