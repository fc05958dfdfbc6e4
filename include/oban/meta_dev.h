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
 * Durable writes in one call: meta_dev_write_sync() is a write and a flush
 * of that write; on an O_DIRECT device it is one pwritev2(RWF_DSYNC)
 * (falling back to pwrite() and fdatasync() where the kernel or file system
 * refuses the flag).  meta_dev_write_sync_many() makes several of them
 * (one per replica, so usually one per device) at once: on O_DIRECT
 * devices they are submitted together through an io_uring (one per
 * thread, made at first use) and waited for together, so N replicas cost
 * about one durable write, not N.  There is
 * no order among the writes of one call: when it returns, each one has
 * either reached the media or failed, and a crash during the call may leave
 * any subset of them on the media (the fault layer models exactly that).
 * meta_dev_write_many() makes several plain writes at once the same way
 * (through the ring on O_DIRECT devices, without RWF_DSYNC): each has
 * reached the device when it returns, none is durable before a flush of
 * its device (mdcommd's master clears a change-log slot so, and flushes
 * after answering: doc/mdcommd.md 5).  meta_dev_flush_many() makes
 * several flushes at once the same way (one IORING_OP_FSYNC with
 * IORING_FSYNC_DATASYNC per O_DIRECT device, submitted together), so that
 * separate drives' flushes overlap (files on one disk gain nothing:
 * doc/bench.md).
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

/* One write of meta_dev_write_sync_many() or meta_dev_write_many(). */
struct meta_dev_wreq {
	struct meta_dev *wr_dev;
	const void *wr_buf;
	size_t wr_len;
	uint64_t wr_off;
	int wr_rc; /* out (ops): 0 or a negative errno */
	meta_error_t wr_err; /* out: me_code 0 once made (durable, for
				_sync_many); else says which: failed (the
				errno), short (how much was written) or in
				doubt (sent through the io_uring, never
				known to have landed) */
};

/* One flush of meta_dev_flush_many(). */
struct meta_dev_freq {
	struct meta_dev *fr_dev;
	int fr_rc; /* out (ops): 0 or a negative errno */
	meta_error_t fr_err; /* out: me_code 0 once flushed; else the errno
				of the failed flush, or EIO for one in
				doubt (sent through the io_uring, never
				known to have ended) */
};

/* Each op returns 0 or a negative errno; the whole range or an error. */
struct meta_dev_ops {
	const char *mdo_name;
	int (*mdo_read)(struct meta_dev *d, void *buf, size_t len,
			uint64_t off);
	int (*mdo_write)(struct meta_dev *d, const void *buf, size_t len,
			 uint64_t off);
	int (*mdo_flush)(struct meta_dev *d);
	void (*mdo_close)(struct meta_dev *d);
	/* Optional: a write made durable (NULL: mdo_write, then mdo_flush). */
	int (*mdo_write_sync)(struct meta_dev *d, const void *buf, size_t len,
			      uint64_t off);
	/* Optional: several writes at once, every w[i].wr_dev with these
	 * ops, no order among them.  With @sync each is durable when the
	 * call returns, as with mdo_write_sync; without, each is a plain
	 * write, as with mdo_write: durable only once mdo_flush of its
	 * device returned, so that a crash before that may lose any of them
	 * (the fault layer keeps them pending until then; an op must not
	 * make them durable in a way a test cannot crash before).  Sets
	 * each w[i].wr_rc (NULL: mdo_write_sync, or mdo_write, in turn),
	 * and may set w[i].wr_err where it has more to say than the errno
	 * (it is cleared before the call). */
	int (*mdo_write_many)(struct meta_dev_wreq *w, int n, bool sync);
	/* Optional: the flushes of f[0..n-1] at once, every f[i].fr_dev with
	 * these ops, no order among them: each as mdo_flush of its device
	 * would be (the fault layer makes exactly that device's pending
	 * writes durable, nothing more), done when the call returns.  Sets
	 * each f[i].fr_rc (NULL: mdo_flush in turn), and may set f[i].fr_err
	 * where it has more to say than the errno (cleared before). */
	int (*mdo_flush_many)(struct meta_dev_freq *f, int n);
};

struct meta_dev {
	const struct meta_dev_ops *md_ops;
	char md_path[256]; /* the name it was opened by */
	uint64_t md_size; /* bytes */
	uint32_t md_lsz; /* logical sector size, bytes */
	bool md_direct; /* O_DIRECT in use */
	bool md_blkdev; /* a block device (else a regular file) */
	bool md_rdonly;
	bool md_nodsync; /* pwritev2(RWF_DSYNC) refused: write, then flush */
	bool md_noring; /* the io_uring refused a write (EINVAL,
			   EOPNOTSUPP): batches write and flush this device
			   without it */
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

/*
 * meta_dev_write_sync - meta_dev_write() of @buf made durable before it
 * returns (this write; earlier unflushed writes still need a flush).
 */
int meta_dev_write_sync(struct meta_dev *d, const void *buf, size_t len,
			uint64_t off, meta_error_t *ep);

/*
 * meta_dev_write_sync_many - the @n durable writes of @w made at once (no
 * order among them).  Usually each is to another device, but two may be
 * to the same device (a drive holding two replicas) as long as their
 * ranges do not overlap.  Each w[i].wr_err says how its write ended.
 * Returns the number of writes that failed.
 */
int meta_dev_write_sync_many(struct meta_dev_wreq *w, int n);

/*
 * meta_dev_write_many - the @n plain (not durable) writes of @w made at
 * once, no order among them: meta_dev_write() of each, batched as
 * meta_dev_write_sync_many() batches durable ones, with the same checks
 * (a refused request keeps its error and is not written; the others
 * go on), the same rules for two writes to one device, and the same
 * account of each write in w[i].wr_err (failed, short, in doubt).  On
 * O_DIRECT devices the writes go through this thread's io_uring without
 * RWF_DSYNC (falling back to one after the other where the ring cannot
 * be used, as there); elsewhere, and on devices whose ops have no
 * mdo_write_many, they are made one after the other.  A write that
 * succeeded has reached the device: on O_DIRECT the drive (perhaps only
 * its volatile write cache), else this node's page cache, where no other
 * node sees it.  None is durable until meta_dev_flush() of its device
 * returns; a crash before that may lose any subset of them.
 * Returns the number of writes that failed.
 */
int meta_dev_write_many(struct meta_dev_wreq *w, int n);

/*
 * meta_dev_flush_many - meta_dev_flush() of each of the @n devices of @f
 * at once, no order among them: when it returns each device's earlier
 * writes are durable (f[i].fr_err.me_code 0) or its flush failed.  A
 * read-only device needs none (0, as meta_dev_flush()).  On O_DIRECT
 * devices the flushes are one IORING_OP_FSYNC (IORING_FSYNC_DATASYNC)
 * each, submitted together through this thread's io_uring and waited for
 * together, with the ring rules of meta_dev_write_sync_many(): a flush
 * that never went out (a partial submit, no free submission entry) is
 * made again with the file ops' own flush, fdatasync() (not through
 * meta_dev_flush(): no test hook and no error wrapping of its own, the
 * hook having been counted once per device before the batch); one that
 * completed with an error is not, whatever the
 * errno (EINVAL and EOPNOTSUPP too: the ring is used only with
 * IORING_FEAT_EXT_ARG, 5.11+, where IORING_OP_FSYNC is never refused, so
 * the errno is the flush's own, as fdatasync() would have said; a second
 * fdatasync() after a failed one may succeed without the lost writes
 * reaching the media: the kernel reports a writeback error once), and says
 * the errno; one still out when the drain gave up is in doubt and counts
 * as failed (EIO).
 * Elsewhere (buffered devices: fdatasync(), and BLKFLSBUF for a block
 * device; no ring; memory devices; ops without mdo_flush_many) the flushes
 * are made one after the other.  Give each device once: a device named
 * twice is flushed twice.  Returns the number of flushes that failed;
 * each f[i].fr_err says which and why: the errno with "cannot flush
 * drive" (or "cannot flush drive (test hook)"), or, for one in doubt, EIO
 * with "flush in doubt (sent, not reaped before the wait gave up) on
 * drive"; its object is the device's md_path.
 */
int meta_dev_flush_many(struct meta_dev_freq *f, int n);

#ifdef OBAN_TEST_HOOKS
/* Test only: 1 makes meta_dev_write_sync_many() and meta_dev_write_many()
 * write one device after the other, without the io_uring (the fallback
 * where none can be made). */
extern int meta_dev_no_ring;

/* Test only: this thread's use of its io_uring, and of the durable
 * writes and flushes of file devices, counted since it began. */
struct meta_dev_test_ring {
	unsigned long tr_submits; /* batches submitted through the ring */
	unsigned long tr_sent; /* writes that went out through it */
	unsigned long tr_plain; /* of those, queued without RWF_DSYNC */
	unsigned long tr_again; /* writes it left to be made without it */
	unsigned long tr_lost; /* writes that went out, never reaped */
	unsigned long tr_leaked; /* copies left to them (leaked) */
	unsigned long tr_synced; /* made durable without the ring: file
				    devices' pwritev2(RWF_DSYNC) that wrote
				    all, and fdatasync() that succeeded */
	unsigned long tr_fsent; /* flushes (IORING_OP_FSYNC) that went out
				   through the ring (batches of them count
				   in tr_submits, and flushes left to be
				   made without it in tr_again) */
	unsigned long tr_fdone; /* of those, reaped as done (0) */
	int tr_pid; /* the process that made the ring in use; 0: none */
};
void meta_dev_test_ring_stats(struct meta_dev_test_ring *st);

/* Test only: 1 makes a ring made from now on count as one without
 * IORING_FEAT_EXT_ARG (a kernel before 5.11), so that it is not used. */
extern int meta_dev_test_no_ext_arg;

/* Test only: the next @n pwrite() calls to O_DIRECT regular files (file
 * devices' mdo_write, and a durable write's fallback; not the io_uring's)
 * fail with EINVAL without writing, as where a file system refuses their
 * alignment: the device goes buffered for good and the write is made
 * again so. */
extern int meta_dev_test_direct_einval;

/* Test only: the next @n meta_dev_flush() calls, of any thread, fail with
 * EIO without flushing (a drive that fails its cache flush); each flush
 * of a meta_dev_flush_many() counts as one call, in the order given. */
extern int meta_dev_test_flush_fail;

/* Test only: a fault in this thread's next ring batch, at its @nth write
 * (short, partial) or wait (eagain, waitfail); cancelled once the batch
 * was made.  Several kinds may be armed for one batch (one call each;
 * MDT_NONE disarms all).  Short: the @nth completion reaped says half the
 * write was made (the kernel wrote it all).  Eagain:
 * the first @nth waits for a completion say EAGAIN.  Partial: the @nth
 * write queued and those after it do not go out (submit says fewer).
 * Waitfail: the @nth wait for a completion fails (EIO).  Lost: as
 * waitfail, and no wait after it sees a completion.  Einval: the @nth
 * completion reaped says EINVAL.  Baddata: the @nth completion reaped
 * names no write of the batch (its real one is lost with it).  Eio: the
 * @nth completion reaped says EIO (the kernel did the write or flush).
 * A batch of flushes (meta_dev_flush_many()) takes the same faults, a
 * flush standing for a write (short does nothing to a flush). */
enum meta_dev_test_fault {
	MDT_NONE,
	MDT_SHORT,
	MDT_EAGAIN,
	MDT_PARTIAL,
	MDT_WAITFAIL,
	MDT_LOST,
	MDT_EINVAL,
	MDT_BADDATA,
	MDT_EIO,
	MDT_NFAULTS /* not a fault: how many kinds */
};
void meta_dev_test_ring_fault(enum meta_dev_test_fault what, int nth);
#endif

/*
 * meta_dev_ring_used - whether @d's durable writes in a batch go through
 * this thread's io_uring: @d is O_DIRECT with RWF_DSYNC and not refused
 * by the ring, and this thread has a working ring (made at its first
 * batch of two or more writes; false before, and where none can be made
 * or it broke).  It answers for durable writes only: plain writes
 * (meta_dev_write_many()) also go through the ring on an O_DIRECT device
 * whose RWF_DSYNC was refused (md_nodsync), where this says false.  For
 * the bench, which says what it measured.
 */
bool meta_dev_ring_used(const struct meta_dev *d);

/*
 * meta_dev_node_cached - whether a write to @d lands in this node's page
 * cache first (a file or block device opened without O_DIRECT), where
 * another node reading the drive does not see it until it is written
 * back.  False for O_DIRECT devices, whose writes reach the drive (maybe
 * only its write cache), and for the in-memory and fault devices.
 */
bool meta_dev_node_cached(const struct meta_dev *d);

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
