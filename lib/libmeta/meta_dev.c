// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_dev: direct, durable I/O on block devices and regular files.
 *
 * Theory.  A set drive is read and written by several nodes, each through
 * its own page cache; so every access bypasses the cache where it can
 * (O_DIRECT), and every write that matters is followed by meta_dev_flush()
 * before anything depends on it.  Where O_DIRECT is refused (tmpfs, some
 * FUSE file systems), the device is opened buffered: writes are made durable
 * by fdatasync(), and a buffered block device's cache is dropped with
 * BLKFLSBUF at flush so that reads see other nodes' writes.
 *
 * The size comes from BLKGETSIZE64 for a block device and st_size for a
 * file; the logical sector size from BLKSSZGET, or 512 for a file (the
 * smallest unit any file system accepts for O_DIRECT on Linux in practice;
 * a file system that wants more makes the I/O fail with EINVAL, which we
 * report).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/meta_dev.h>

/*
 * A file system may accept O_DIRECT at open and still refuse an I/O whose
 * alignment it does not like (EINVAL): go buffered for that device, for
 * good, and retry.  Block devices keep O_DIRECT: there EINVAL is our bug.
 */
static bool mdf_undirect(struct meta_dev *d)
{
	int fl;

	if (!d->md_direct || d->md_blkdev)
		return false;
	fl = fcntl(d->md_fd, F_GETFL);
	if (fl < 0 || fcntl(d->md_fd, F_SETFL, fl & ~O_DIRECT) != 0)
		return false;
	d->md_direct = false;
	return true;
}

static int mdf_read(struct meta_dev *d, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(d->md_fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR ||
			    (errno == EINVAL && mdf_undirect(d)))
				continue;
			return -SET_ERROR(errno);
		}
		if (n == 0) /* past the end: reads as zeroes, as a hole */
			return -SET_ERROR(ENXIO);
		done += (size_t)n;
	}
	return 0;
}

static int mdf_write(struct meta_dev *d, const void *buf, size_t len,
		     uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(d->md_fd, (const char *)buf + done,
				   len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR ||
			    (errno == EINVAL && mdf_undirect(d)))
				continue;
			return -SET_ERROR(errno);
		}
		done += (size_t)n;
	}
	return 0;
}

static int mdf_flush(struct meta_dev *d)
{
	if (fdatasync(d->md_fd) != 0)
		return -SET_ERROR(errno);
	if (d->md_blkdev && !d->md_direct)
		(void)ioctl(d->md_fd, BLKFLSBUF, 0);
	return 0;
}

static void mdf_close(struct meta_dev *d)
{
	if (d->md_fd >= 0)
		close(d->md_fd);
	free(d);
}

static const struct meta_dev_ops meta_dev_file_ops = {
	.mdo_name = "file",
	.mdo_read = mdf_read,
	.mdo_write = mdf_write,
	.mdo_flush = mdf_flush,
	.mdo_close = mdf_close,
};

int meta_dev_open(const char *path, int flags, struct meta_dev **dp,
		  meta_error_t *ep)
{
	int oflags = (flags & META_DEV_RDONLY) ? O_RDONLY : O_RDWR;
	struct meta_dev *d;
	struct stat st;
	int fd = -1, err;

	oflags |= O_CLOEXEC;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return meta_error_set(ep, ENOMEM, 0, path, "cannot open drive");
	snprintf(d->md_path, sizeof(d->md_path), "%s", path);
	d->md_ops = &meta_dev_file_ops;
	d->md_rdonly = (flags & META_DEV_RDONLY) != 0;
	if (!(flags & META_DEV_NODIRECT)) {
		fd = open(path, oflags | O_DIRECT);
		if (fd >= 0)
			d->md_direct = true;
	}
	if (fd < 0) {
		fd = open(path, oflags);
		if (fd < 0) {
			err = errno;
			goto out_free;
		}
	}
	d->md_fd = fd;
	if (fstat(fd, &st) != 0) {
		err = errno;
		goto out_close;
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t sz;
		int ssz;

		d->md_blkdev = true;
		if (ioctl(fd, BLKGETSIZE64, &sz) != 0 ||
		    ioctl(fd, BLKSSZGET, &ssz) != 0) {
			err = errno;
			goto out_close;
		}
		d->md_size = sz;
		d->md_lsz = (uint32_t)ssz;
	} else if (S_ISREG(st.st_mode)) {
		d->md_size = (uint64_t)st.st_size;
		d->md_lsz = 512;
	} else {
		err = EINVAL;
		goto out_close;
	}
	if (d->md_lsz < 512 || d->md_lsz > META_DEV_ALIGN ||
	    (d->md_lsz & (d->md_lsz - 1)) != 0) {
		err = EINVAL;
		goto out_close;
	}
	*dp = d;
	return 0;

out_close:
	close(fd);
out_free:
	free(d);
	return meta_error_set(ep, SET_ERROR(err), 0, path, "cannot open drive");
}

static int meta_dev_check(struct meta_dev *d, const void *buf, size_t len,
			  uint64_t off)
{
	uint32_t lsz = d->md_lsz ? d->md_lsz : 512;

	if ((uintptr_t)buf % META_DEV_ALIGN != 0 || len % lsz != 0 ||
	    off % lsz != 0)
		return SET_ERROR(EINVAL);
	if (off > d->md_size || len > d->md_size - off)
		return SET_ERROR(ENXIO);
	return 0;
}

int meta_dev_read(struct meta_dev *d, void *buf, size_t len, uint64_t off,
		  meta_error_t *ep)
{
	int err = meta_dev_check(d, buf, len, off);

	if (err == 0)
		err = -d->md_ops->mdo_read(d, buf, len, off);
	if (err != 0)
		return meta_error_set(
			ep, err, 0, d->md_path,
			"cannot read %zu bytes at %llu from drive", len,
			(unsigned long long)off);
	return 0;
}

int meta_dev_write(struct meta_dev *d, const void *buf, size_t len,
		   uint64_t off, meta_error_t *ep)
{
	int err = meta_dev_check(d, buf, len, off);

	if (err == 0 && d->md_rdonly)
		err = SET_ERROR(EROFS);
	if (err == 0)
		err = -d->md_ops->mdo_write(d, buf, len, off);
	if (err != 0)
		return meta_error_set(ep, err, 0, d->md_path,
				      "cannot write %zu bytes at %llu to drive",
				      len, (unsigned long long)off);
	return 0;
}

int meta_dev_flush(struct meta_dev *d, meta_error_t *ep)
{
	int err;

	if (d->md_rdonly)
		return 0;
	err = -d->md_ops->mdo_flush(d);
	if (err != 0)
		return meta_error_set(ep, err, 0, d->md_path,
				      "cannot flush drive");
	return 0;
}

void meta_dev_close(struct meta_dev *d)
{
	if (d != NULL)
		d->md_ops->mdo_close(d);
}

void *meta_dev_alloc(size_t len)
{
	void *p = NULL;

	if (len == 0)
		len = META_DEV_ALIGN;
	if (posix_memalign(&p, META_DEV_ALIGN, len) != 0)
		return NULL;
	memset(p, 0, len);
	return p;
}

/* Memory devices: a buffer the caller owns. */
static int mdm_read(struct meta_dev *d, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, (char *)d->md_priv + off, len);
	return 0;
}

static int mdm_write(struct meta_dev *d, const void *buf, size_t len,
		     uint64_t off)
{
	memcpy((char *)d->md_priv + off, buf, len);
	return 0;
}

static int mdm_flush(struct meta_dev *d)
{
	return 0;
}

static void mdm_close(struct meta_dev *d)
{
	free(d);
}

static const struct meta_dev_ops meta_dev_mem_ops = {
	.mdo_name = "memory",
	.mdo_read = mdm_read,
	.mdo_write = mdm_write,
	.mdo_flush = mdm_flush,
	.mdo_close = mdm_close,
};

int meta_dev_open_mem(void *buf, uint64_t len, const char *name,
		      struct meta_dev **dp, meta_error_t *ep)
{
	struct meta_dev *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return meta_error_set(ep, ENOMEM, 0, name, "cannot open drive");
	snprintf(d->md_path, sizeof(d->md_path), "%s", name);
	d->md_ops = &meta_dev_mem_ops;
	d->md_size = len;
	d->md_lsz = 512;
	d->md_fd = -1;
	d->md_priv = buf;
	*dp = d;
	return 0;
}
