/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meta_dev: device I/O behind an ops table.
 *
 * Every read and write of a set drive (labels, replicas) goes through a
 * struct meta_dev, whose ops are either the real device's (a block device or
 * a regular file, opened for direct, durable I/O) or a test wrapper's that
 * fails or tears the Nth write, drops unflushed writes as a crash would, or
 * fails reads of a range (meta_dev_fault.h, reachable from tests only).
 *
 * Direct I/O: meta_dev_open() opens with O_DIRECT where the file system
 * allows it, else buffered; meta_dev_flush() is fdatasync() in both cases
 * (for a block device that also flushes the drive's write cache), and for a
 * buffered block device BLKFLSBUF drops the page cache so that the next read
 * sees what another node wrote.  Buffers, offsets and lengths must be
 * multiples of md_lsz and buffers aligned to META_DEV_ALIGN: use
 * meta_dev_alloc().
 *
 * Threading: a struct meta_dev may be used by one thread at a time.
 */
#ifndef OBAN_META_DEV_H
#define OBAN_META_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <oban/error.h>

#define META_DEV_ALIGN 4096

struct meta_dev;

/* Each op returns 0 or a negative errno; the whole range or an error. */
struct meta_dev_ops {
	const char *mdo_name;
	int (*mdo_read)(struct meta_dev *d, void *buf, size_t len,
			uint64_t off);
	int (*mdo_write)(struct meta_dev *d, const void *buf, size_t len,
			 uint64_t off);
	int (*mdo_flush)(struct meta_dev *d);
	void (*mdo_close)(struct meta_dev *d);
};

struct meta_dev {
	const struct meta_dev_ops *md_ops;
	char md_path[256]; /* the name it was opened by */
	uint64_t md_size; /* bytes */
	uint32_t md_lsz; /* logical sector size, bytes */
	bool md_direct; /* O_DIRECT in use */
	bool md_blkdev; /* a block device (else a regular file) */
	bool md_rdonly;
	int md_fd; /* -1 for devices without one */
	void *md_priv; /* the ops' own */
};

#define META_DEV_RDONLY 0x1
#define META_DEV_NODIRECT 0x2 /* buffered I/O even where O_DIRECT works */

/*
 * meta_dev_open - open @path (block device or regular file) for I/O.
 * Fills size and logical sector size.  *@dp is freed by meta_dev_close().
 * Errors: the errno of open/stat/ioctl; EINVAL for other file types.
 */
int meta_dev_open(const char *path, int flags, struct meta_dev **dp,
		  meta_error_t *ep);

/* meta_dev_read/_write/_flush - the ops, with the error recorded in @ep. */
int meta_dev_read(struct meta_dev *d, void *buf, size_t len, uint64_t off,
		  meta_error_t *ep);
int meta_dev_write(struct meta_dev *d, const void *buf, size_t len,
		   uint64_t off, meta_error_t *ep);
int meta_dev_flush(struct meta_dev *d, meta_error_t *ep);

/* meta_dev_close - close and free @d (NULL is ok). */
void meta_dev_close(struct meta_dev *d);

/*
 * meta_dev_open_mem - a device over @len bytes of memory at @buf (borrowed,
 * not copied; writes change it).  For the fuzzers and the inspector's
 * image checks.  Errors: ENOMEM.
 */
int meta_dev_open_mem(void *buf, uint64_t len, const char *name,
		      struct meta_dev **dp, meta_error_t *ep);

/* meta_dev_alloc - a zeroed buffer aligned for direct I/O; free() it. */
void *meta_dev_alloc(size_t len);

#endif /* OBAN_META_DEV_H */
