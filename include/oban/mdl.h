/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdl: set drive labels and drive discovery.
 *
 * A drive added to a set carries an oban label in its first 4 KiB
 * (doc/format-label.md): magic, version, feature bits, the drive's own
 * UUID, the set's UUID, name and number, and where the replica area and the
 * data area lie.  Device names differ from node to node, so a node finds a
 * set's drives by scanning the device globs of runtime.cf ("drive_glob
 * PATTERN" lines) and matching label UUIDs, never by trusting a name.
 *
 * Errors: 0 / -1 and the caller's meta_error_t.  Thread-safe: no shared
 * state (runtime.cf is read at each call).
 */
#ifndef OBAN_MDL_H
#define OBAN_MDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>

struct meta_dev;

#define MDL_LABEL_SIZE 4096
#define MDL_VERSION 1
#define MDL_MAGIC "OBANLABL"
#define MDL_REPLICA_OFFSET (1ULL << 20) /* replica area starts at 1 MiB */
#define MDL_ALIGN (1ULL << 20) /* data area alignment */
#define MDL_LF_MN 0x1 /* label flag: multi-owner set */
#define MDL_LF_KNOWN MDL_LF_MN /* other flag bits: the label is corrupt */

/* A decoded label. */
struct mdl_label {
	uint32_t ml_version;
	uint64_t ml_compat, ml_incompat, ml_ro_compat;
	uint8_t ml_drive_uuid[16];
	uint8_t ml_set_uuid[16];
	uint32_t ml_setno;
	uint32_t ml_flags; /* MDL_LF_* */
	char ml_setname[32];
	uint64_t ml_size; /* bytes of the drive when labeled */
	uint64_t ml_rep_off; /* replica area: offset, bytes */
	uint64_t ml_rep_len; /* replica area: length = ml_rep_cap * ml_rep_size */
	uint64_t ml_rep_size; /* bytes of one replica */
	uint32_t ml_rep_cap; /* replicas the area holds */
	uint32_t ml_lsz; /* logical sector size when labeled */
	uint64_t ml_data_off; /* data area: offset, bytes (1 MiB aligned) */
	uint64_t ml_data_len; /* data area: length, bytes */
	uint64_t ml_ctime;
	char ml_name[128]; /* the drive's canonical name in the set */
};

/* Encode @l into @buf (MDL_LABEL_SIZE bytes). */
void mdl_label_encode(const struct mdl_label *l, void *buf);
/*
 * Decode and check a label: returns 0, or ME_MDL_NOLABEL (no magic),
 * ME_MDDB_BADCKSUM, ME_MDDB_BADVERSION, ME_MDDB_INCOMPAT, ME_MDDB_CORRUPT
 * (a field out of range).  Does not fill a meta_error_t.
 */
int mdl_label_decode(const void *buf, struct mdl_label *l);

/*
 * mdl_label_read - read and decode the label of @d.  Also checks that the
 * drive is not smaller than the label says (ME_MDDB_TRUNCATED).
 */
int mdl_label_read(struct meta_dev *d, struct mdl_label *l, meta_error_t *ep);
/* mdl_label_write - write @l to @d and flush. */
int mdl_label_write(struct meta_dev *d, const struct mdl_label *l,
		    meta_error_t *ep);
/* mdl_label_wipe - zero the label block of @d and flush. */
int mdl_label_wipe(struct meta_dev *d, meta_error_t *ep);

/*
 * mdl_geometry - lay out a drive of @size bytes and sector size @lsz with
 * room for @cap replicas (1..MDDB_MAXREPLICAS) of @rep_size bytes: fills
 * the ml_rep_* and ml_data_* fields of @l.  ME_MDL_BADSIZE for a count,
 * length or sector size (512..4096, a power of 2, as the decoder takes)
 * out of range; ME_MDL_TOOSMALL if less than 1 MiB of data area
 * would remain (the message gives the drive's size and what it needs).
 * The caller names the drive (me_object).
 */
int mdl_geometry(uint64_t size, uint32_t lsz, uint64_t rep_size, uint32_t cap,
		 struct mdl_label *l, meta_error_t *ep);

/*
 * mdl_size_text - @bytes as text in @buf: "16 MiB", "4 KiB", "1000 bytes"
 * (the largest unit that divides it exactly).  Returns @buf.
 */
const char *mdl_size_text(uint64_t bytes, char *buf, size_t len);

/*
 * mdl_probe_signatures - libblkid's view of @path: 1 and a description in
 * @what ("ext4 file system", "gpt partition table", ...) if it carries a
 * file system, partition table, RAID or other volume manager signature; 0
 * if none; -1 on error.
 */
int mdl_probe_signatures(const char *path, char *what, size_t len,
			 meta_error_t *ep);

/*
 * mdl_resolve - turn a user's drive name into a device path in @path:
 * "UUID=<uuid>" is first matched against oban labels of the drives that
 * runtime.cf's globs find, then handed to libblkid with "LABEL=..." and the
 * other tags; any other name must exist and is returned as given.
 * ME_MDL_NOTFOUND if nothing matches.
 */
int mdl_resolve(const char *name, char *path, size_t len, meta_error_t *ep);

/*
 * mdl_scan - for every device that runtime.cf's drive_glob lines match
 * (default "/dev/disk/by-id/ *" without the space) and that carries a valid
 * oban label, call @fn with its path and label; a non-zero return stops the
 * scan and is returned.  Each device is visited once even when several
 * globs or links name it.
 */
int mdl_scan(int (*fn)(void *arg, const char *path, const struct mdl_label *l),
	     void *arg, meta_error_t *ep);

/* UUID helpers: random (version 4) generation, text form and parsing. */
void mdl_uuid_generate(uint8_t uuid[16]);
void mdl_uuid_format(const uint8_t uuid[16], char out[37]);
int mdl_uuid_parse(const char *s, uint8_t uuid[16]);

#endif /* OBAN_MDL_H */
