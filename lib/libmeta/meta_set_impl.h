/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta_set_impl.h - what meta_set.c shares with meta_set_reload.c and
 * meta_set_drives.c: the set handle and the helpers they use.  Private to
 * libmeta (the ms_ prefix is not exported, libmeta.map).
 */
#ifndef OBAN_META_SET_IMPL_H
#define OBAN_META_SET_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include <oban/mdl.h>
#include <oban/meta_set.h>

#include "meta_local.h"

struct meta_lockent;
struct mddb_replica_spec;
struct mddb_txn;

struct meta_set {
	struct ml_set s_rec;
	struct ml_drive *s_drives;
	int s_ndrives;
	struct ml_node *s_nodes;
	int s_nnodes;
	struct meta_dev **s_devs; /* per drive; NULL if not found here */
	char (*s_paths)[META_DRIVE_NAMELEN];
	struct mddb *s_db;
	int s_flags;
	struct meta_lockent *s_lock; /* this node's lock on the set; NULL
					between meta_set_unlock() and
					meta_set_relock() */
	struct meta_lockent *s_park; /* the lock file kept open (unlocked)
					by meta_set_unlock() for relock */
	struct stat s_stamp; /* the local replica's file at open */
	bool s_have_stamp;
	uint64_t s_wgen; /* meta_set_wgen at open */
	uint64_t s_lgen; /* the lock file's change count at open */
	bool s_lock_gone; /* the lock file was found removed (relock): its
			     count no longer compares */
	meta_error_t s_geo; /* a drive refused for its areas (try_path) */
};

void ms_str_copy(char *dst, size_t len, const char *src);
int ms_local_end(struct ml_txn *t, int rc, meta_error_t *ep);
bool ms_name_ok(const char *name);
struct meta_lockent *ms_lock(const char *name, bool excl, meta_error_t *ep);
bool ms_same_uuid(const uint8_t *a, const uint8_t *b);
int ms_find_drives(struct meta_set *s, meta_error_t *ep);
int ms_open_db(struct meta_set *s, meta_error_t *ep);
int ms_commit_records(struct meta_set *s, bool drives, const uint32_t *gone,
		      int ngone, meta_error_t *ep);
void ms_drive_from_label(struct ml_drive *d, const struct mdl_label *l,
			 const char *path);
int ms_grow_drives(struct meta_set *s, int add);
int ms_geometry_same(const struct ml_drive *d, const struct mdl_label *l,
		     const char *path, meta_error_t *ep);
void ms_drive_spec(const struct meta_set *s, int i, uint32_t idx,
		   struct mddb_replica_spec *rs);
int ms_records_put(struct meta_set *s, struct mddb_txn *t, bool drives,
		   const uint32_t *gone, int ngone, meta_error_t *ep);
void ms_set_owner(struct meta_set *s, bool own);
int ms_local_puts(struct meta_set *s, int d0, int nd, meta_error_t *ep);

#endif
