/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A set over plain files, for the command tests only: it replaces
 * meta_cfg_open()/meta_cfg_close() (lib/libmeta/meta_cfg_set.c) at link
 * time, so that the real commands run in-process on a real mddb while the
 * storage area's meta_set is not in the tree.
 *
 *   <dir>/<set>/replica         one mddb replica (created on first open)
 *   <dir>/<set>/drives/<name>   the set's drives: data length = file size
 *
 * Set number 1, multi-owner.  A drive's UUID is derived from its name.
 */
#ifndef OBAN_TESTS_CFG_TESTSET_H
#define OBAN_TESTS_CFG_TESTSET_H

#include <stdint.h>

/* Where the sets live (a directory that outlives the call). */
void testset_dir(const char *dir);
/* Create set @set with an empty replica file. 0 or -1. */
int testset_create(const char *set);
/* Add a sparse drive file of @blocks blocks. 0 or -1. */
int testset_drive(const char *set, const char *name, uint64_t blocks);
/* Open sets not yet closed (every command must close what it opens). */
int testset_open_count(void);

#endif /* OBAN_TESTS_CFG_TESTSET_H */
