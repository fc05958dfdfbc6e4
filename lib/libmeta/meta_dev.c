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
 *
 * Durable writes (meta_dev_write_sync, _many).  On an O_DIRECT device a
 * durable write is one pwritev2(RWF_DSYNC): the kernel writes and flushes
 * in one call (FUA where the device has it), instead of pwrite() and
 * fdatasync().  EOPNOTSUPP or ENOSYS (no RWF_DSYNC here) marks the device
 * md_nodsync for good; EINVAL (the flag, or an alignment the file system
 * refuses) falls back for this write; both go on with mdf_write() and
 * mdf_flush(), which handle the rest as before.  Several durable writes to
 * several devices (one change-log slot on every replica) go through this
 * thread's io_uring: every write is queued with RWF_DSYNC, one
 * io_uring_enter() submits them all and waits for all, so the replicas'
 * writes and flushes overlap.  A write the ring did not complete whole
 * (any error, a short write) is made again with mdf_write_sync(), which
 * reports the error or falls back as above (a device whose ring write says
 * EINVAL or EOPNOTSUPP is marked md_noring: not through the ring again),
 * once every write that went out was reaped (so no write of the ring lands
 * after the one made again).  The waits for completions have no timeout
 * (a write that never completes keeps the call waiting, as a pwritev2()
 * to that drive would) until one wait fails (the wait itself, or a
 * completion naming no write of the batch); then the rest are still
 * reaped by waits of at most RING_DRAIN_WAIT_S each, until
 * RING_DRAIN_TRIES of them saw nothing (see RING_DRAIN_TRIES: no hard
 * bound on the time); if some cannot be, the drain gives up: a write
 * never reaped is in doubt, one reaped with an error or short is made
 * again unless a write to its device is in doubt (then it says the ring's
 * errno, or how much the ring wrote), and the copy of the data the ring
 * wrote from is leaked on purpose (ring_gave_up()).  Where no ring can be
 * made (io_uring disabled, a kernel before 5.11 without
 * IORING_FEAT_EXT_ARG: see ring_init(), memory) the writes are made one
 * after the other.  Plain writes in a batch (meta_dev_write_many(): not
 * durable until a flush) take the same path without RWF_DSYNC: queued
 * together on the ring with the same copy, reaping, drain and account of
 * each write, made again with mdf_write() instead of mdf_write_sync()
 * where the ring did not complete them whole; on a device that is not
 * O_DIRECT, or without a ring, mdf_write() one after the other.
 * Flushes in a batch (meta_dev_flush_many(): one change-log clear's
 * drives, after mdcommd's master answered) take the same path too, as
 * requests without data: one IORING_OP_FSYNC with IORING_FSYNC_DATASYNC
 * per O_DIRECT device (what fdatasync() does, so the drives' flushes
 * overlap), no copy, the same reaping and drain; a flush never sent is
 * made again with mdf_flush(), one that completed with an error is not
 * (the ring is used only with IORING_FEAT_EXT_ARG, 5.11+, where
 * IORING_OP_FSYNC is never refused, so any errno, EINVAL and EOPNOTSUPP
 * too, is the flush's own answer; a second fdatasync() may succeed
 * without the writes the first lost: the kernel reports a writeback error
 * once), and one never reaped is in doubt, which the caller takes as
 * failed.  Buffered
 * devices are flushed with mdf_flush() one after the other (a buffered
 * block device also needs its BLKFLSBUF).  The
 * ring is per thread (a device is used by one thread at a time, and
 * several threads may write at once), freed when the thread exits; a
 * forked child does not use its parent's (a pthread_atfork() handler
 * counts the forks, so that telling costs no getpid()).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/meta_dev.h>

#ifdef OBAN_TEST_HOOKS
int meta_dev_no_ring;
int meta_dev_test_no_ext_arg;
int meta_dev_test_flush_fail;
int meta_dev_test_direct_einval;
static __thread struct meta_dev_test_ring t_ring;
static __thread int t_fault_nth[MDT_NFAULTS]; /* 0: not armed */

void meta_dev_test_ring_fault(enum meta_dev_test_fault what, int nth)
{
	if (what == MDT_NONE || what >= MDT_NFAULTS)
		memset(t_fault_nth, 0, sizeof(t_fault_nth));
	else
		t_fault_nth[what] = nth > 0 ? nth : 1;
}

/* Whether the fault @what is due at its @k-th write or wait (from 1). */
static bool t_fault_at(enum meta_dev_test_fault what, int k)
{
	int nth = t_fault_nth[what];

	if (nth == 0)
		return false;
	return what == MDT_PARTIAL ? k >= nth : k == nth;
}

static bool t_fault_is(enum meta_dev_test_fault what)
{
	return t_fault_nth[what] != 0;
}

static bool t_fault_upto(enum meta_dev_test_fault what, int k)
{
	return t_fault_nth[what] != 0 && k <= t_fault_nth[what];
}
#define T_COUNT(f, n) (t_ring.f += (unsigned long)(n))
#define T_PID(r) ((r)->mr_pid = getpid())
#define T_NO_EXT_ARG meta_dev_test_no_ext_arg

/* Whether this pwrite() to @d is refused (meta_dev_test_direct_einval). */
static bool t_direct_einval(const struct meta_dev *d)
{
	int *left = &meta_dev_test_direct_einval;

	if (!d->md_direct || d->md_blkdev ||
	    __atomic_load_n(left, __ATOMIC_RELAXED) <= 0)
		return false;
	return __atomic_sub_fetch(left, 1, __ATOMIC_RELAXED) >= 0;
}
#else
#define t_fault_at(what, k) ((void)(k), false)
#define t_fault_upto(what, k) ((void)(k), false)
#define t_fault_is(what) false
#define T_COUNT(f, n) ((void)(n))
#define T_PID(r) ((void)0)
#define T_NO_EXT_ARG 0
#define t_direct_einval(d) false
#endif

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
		ssize_t n;

		if (t_direct_einval(d)) { /* the test hook: as if refused */
			n = -1;
			errno = EINVAL;
		} else {
			n = pwrite(d->md_fd, (const char *)buf + done,
				   len - done, (off_t)(off + done));
		}
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
	T_COUNT(tr_synced, 1);
	return 0;
}

static int mdf_write_sync(struct meta_dev *d, const void *buf, size_t len,
			  uint64_t off)
{
	int err;

	if (d->md_direct && !d->md_nodsync) {
		struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
		ssize_t n;

		do
			n = pwritev2(d->md_fd, &iov, 1, (off_t)off, RWF_DSYNC);
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)len) {
			T_COUNT(tr_synced, 1);
			return 0;
		}
		if (n < 0 && (errno == EOPNOTSUPP || errno == ENOSYS))
			d->md_nodsync = true;
		else if (n < 0 && errno != EINVAL)
			return -SET_ERROR(errno);
		/* no RWF_DSYNC, EINVAL, or short: the two calls */
	}
	err = mdf_write(d, buf, len, off);
	return err != 0 ? err : mdf_flush(d);
}

#define RING_ENTRIES 16

struct mdf_ring {
	struct io_uring mr_ring;
	unsigned mr_forks; /* ring_forks when it was made */
	bool mr_ok;
#ifdef OBAN_TEST_HOOKS
	int mr_pid; /* the process that made it */
#endif
};

static pthread_key_t ring_key;
static pthread_once_t ring_once = PTHREAD_ONCE_INIT;
static bool ring_key_ok;
static unsigned ring_forks; /* forks this process is from (its parents') */

static void ring_free(void *p)
{
	struct mdf_ring *r = p;

	if (r->mr_ok && r->mr_forks == ring_forks)
		io_uring_queue_exit(&r->mr_ring);
	free(r);
}

/* In a forked child: every ring the parent had is the parent's. */
static void ring_atfork_child(void)
{
	ring_forks++;
}

static void ring_key_make(void)
{
	ring_key_ok = pthread_key_create(&ring_key, ring_free) == 0 &&
		      pthread_atfork(NULL, NULL, ring_atfork_child) == 0;
}

/*
 * Make @r's ring; false where none can be made, or where the kernel has no
 * IORING_FEAT_EXT_ARG (before Linux 5.11).  Without it liburing's wait with
 * a timeout (the drain after a failed wait) queues a timeout and submits
 * whatever is in the submission queue with it: after a partial submit that
 * would send writes this thread has given up on (and will make again, or
 * whose copy it frees).  Those kernels get the writes one after the other.
 */
static bool ring_init(struct mdf_ring *r)
{
	if (io_uring_queue_init(RING_ENTRIES, &r->mr_ring, 0) != 0)
		return false;
	if (!(r->mr_ring.features & IORING_FEAT_EXT_ARG) || T_NO_EXT_ARG) {
		io_uring_queue_exit(&r->mr_ring);
		return false;
	}
	return true;
}

/* This thread's ring, made at first use; NULL where none can be made. */
static struct io_uring *ring_get(void)
{
	struct mdf_ring *r;

#ifdef OBAN_TEST_HOOKS
	if (meta_dev_no_ring)
		return NULL;
#endif
	(void)pthread_once(&ring_once, ring_key_make);
	if (!ring_key_ok)
		return NULL;
	r = pthread_getspecific(ring_key);
	if (r != NULL && r->mr_forks != ring_forks) {
		/* A forked child: the parent's ring is not ours to use;
		 * releasing it only drops this process's references (its
		 * descriptor and mappings), the parent's ring stays. */
		if (r->mr_ok)
			io_uring_queue_exit(&r->mr_ring);
		r->mr_forks = ring_forks;
		r->mr_ok = ring_init(r);
		T_PID(r);
	}
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return NULL;
		r->mr_forks = ring_forks;
		r->mr_ok = ring_init(r);
		T_PID(r);
		if (pthread_setspecific(ring_key, r) != 0) {
			ring_free(r);
			return NULL;
		}
	}
	return r->mr_ok ? &r->mr_ring : NULL;
}

#ifdef OBAN_TEST_HOOKS
void meta_dev_test_ring_stats(struct meta_dev_test_ring *st)
{
	struct mdf_ring *r = NULL;

	(void)pthread_once(&ring_once, ring_key_make);
	if (ring_key_ok)
		r = pthread_getspecific(ring_key);
	*st = t_ring;
	st->tr_pid = r != NULL && r->mr_ok ? r->mr_pid : 0;
}
#endif

/*
 * The ring cannot be trusted any more (a failed submit or wait): this
 * thread writes one device after the other from now on.  The caller has
 * reaped what it could: io_uring_queue_exit() does not wait for writes
 * still in flight (the kernel finishes them after it returns).
 */
static void ring_broken(void)
{
	struct mdf_ring *r = pthread_getspecific(ring_key);

	if (r != NULL && r->mr_ok) {
		io_uring_queue_exit(&r->mr_ring);
		r->mr_ok = false;
	}
}

#define ALIGN_UP(len) \
	(((len) + META_DEV_ALIGN - 1) / META_DEV_ALIGN * META_DEV_ALIGN)

/*
 * After a failed wait: how long each wait for the rest may take, and how
 * many of them that reap nothing (time out or fail) before the rest are
 * given up as never to be reaped.  A wait that reaps a completion, or
 * that a signal interrupts, is not counted: with n writes out the drain
 * takes about RING_DRAIN_TRIES + n such waits at most (10 + n seconds),
 * signals aside.  The waits before the first failure have no timeout.
 */
#define RING_DRAIN_WAIT_S 1
#define RING_DRAIN_TRIES 10

/*
 * What a ring batch does with each of its requests: a plain write, a
 * durable one (RWF_DSYNC), or a flush (IORING_OP_FSYNC, DATASYNC).  A
 * flush goes through the ring batch as a request of length 0 (struct
 * meta_dev_wreq with no buffer: done when the completion says 0, as a
 * write is when it says its length), so that flushes share the writes'
 * submit, reaping, drain and account.
 */
enum ring_op { RING_PLAIN = 0, RING_DSYNC, RING_FSYNC };

/* Whether @d's requests @op in a batch go through the ring: O_DIRECT, not
 * refused by the ring before, and for durable writes RWF_DSYNC. */
static bool ring_for(const struct meta_dev *d, enum ring_op op)
{
	return d->md_direct && !d->md_noring &&
	       !(op == RING_DSYNC && d->md_nodsync);
}

/* One request of a batch made without the ring. */
static int mdf_write_one(struct meta_dev_wreq *r, enum ring_op op)
{
	if (op == RING_FSYNC)
		return mdf_flush(r->wr_dev);
	if (op == RING_DSYNC)
		return mdf_write_sync(r->wr_dev, r->wr_buf, r->wr_len,
				      r->wr_off);
	return mdf_write(r->wr_dev, r->wr_buf, r->wr_len, r->wr_off);
}

/* Whether a write to @d went out in @q[@nout] and was never reaped. */
static bool ring_doubt_on(const struct meta_dev *d, struct meta_dev_wreq **q,
			  int nout, const bool *reaped)
{
	int j;

	for (j = 0; j < nout; j++)
		if (!reaped[j] &&
		    (q[j]->wr_dev == d ||
		     strcmp(q[j]->wr_dev->md_path, d->md_path) == 0))
			return true;
	return false;
}

/*
 * After the drain gave up: what each write that went out ends as (not
 * every completion was reaped; giving up is what lets this call return
 * when the ring failed while a write to a drive that hangs was out).  One
 * reaped whole is made (durable, in a durable batch).  One never reaped
 * is in doubt (it may still land, or never), and so said.  One reaped
 * with an error or short is finished, so it is made again without the
 * ring (wr_rc left 1), as is a write that never went out; but not where a
 * write to its device is in doubt (that drive may hang, and a write made
 * again would wait for it): there it reports the ring's errno, or how
 * much the ring wrote.
 */
static void ring_gave_up(struct meta_dev_wreq **q, int nout, const bool *reaped,
			 const int *res, enum ring_op op)
{
	int k;

	for (k = 0; k < nout; k++) {
		struct meta_dev_wreq *r = q[k];

		if (r->wr_rc != 1)
			continue; /* made whole, or a flush that failed */
		if (!reaped[k] && op == RING_FSYNC) {
			r->wr_rc = -SET_ERROR(EIO);
			meta_error_set(&r->wr_err, EIO, 0, r->wr_dev->md_path,
				       "flush in doubt (sent, not reaped "
				       "before the wait gave up) on drive");
			T_COUNT(tr_lost, 1);
		} else if (!reaped[k]) {
			r->wr_rc = -SET_ERROR(EIO);
			meta_error_set(&r->wr_err, EIO, 0, r->wr_dev->md_path,
				       "write of %zu bytes at %llu in doubt "
				       "(sent, not reaped before the wait gave "
				       "up) on drive",
				       r->wr_len,
				       (unsigned long long)r->wr_off);
			T_COUNT(tr_lost, 1);
		} else if (!ring_doubt_on(r->wr_dev, q, nout, reaped)) {
			continue; /* made again */
		} else if (res[k] < 0) {
			r->wr_rc = res[k];
		} else {
			r->wr_rc = -SET_ERROR(EIO);
			meta_error_set(&r->wr_err, EIO, 0, r->wr_dev->md_path,
				       "short write (%d of %zu bytes) at %llu "
				       "to drive",
				       res[k], r->wr_len,
				       (unsigned long long)r->wr_off);
		}
	}
}

/*
 * The index in @q of the write that completion @cqe is for: -1 where it
 * names none of the @nout that went out, or one already reaped.  That can
 * only be a bug (ours, liburing's or the kernel's: every completion on
 * this thread's ring is for a write of this batch), but the answer is not
 * a crash of the process writing the replicas: the caller takes it as a
 * failed wait (the ring is given up, what was not reaped is in doubt).
 */
static int ring_index(struct io_uring_cqe *cqe, struct meta_dev_wreq **q,
		      int nout, const bool *reaped, int got)
{
	uintptr_t p = (uintptr_t)io_uring_cqe_get_data(cqe);
	uintptr_t b = (uintptr_t)q, k;

	if (t_fault_at(MDT_BADDATA, got + 1))
		p = (uintptr_t)&q[nout]; /* one past those that went out */
	if (p < b || (p - b) % sizeof(*q) != 0)
		return -1;
	k = (p - b) / sizeof(*q);
	if (k >= (uintptr_t)nout || reaped[k])
		return -1;
	return (int)k;
}

/*
 * Up to RING_ENTRIES writes of @w through @ring, each with RWF_DSYNC where
 * @op is RING_DSYNC (durable writes), else plain; or, for RING_FSYNC, a
 * flush of each device of @w (no data, no copy).  Each one not made whole
 * (for a flush: never sent) is left
 * with wr_rc 1, to be made again without the ring once every
 * completion was reaped, so that a write of the ring cannot land after
 * the one made again.  The ring writes from a copy of the data this call
 * owns: after a failed wait the rest are still reaped (waits with a
 * timeout, see RING_DRAIN_TRIES).  If some still cannot be reaped, the
 * drain gives up: ring_gave_up() says what each write that went out ended
 * as (one reaped, not made whole, is still made again where no write to
 * its device is in doubt), and the copy is leaked on purpose, for the
 * kernel may still be writing from it after this returns (the caller
 * frees or reuses its own buffers at once).  A flush that completed with
 * an error, whichever, is not made again (wr_rc that error): after a failed
 * fdatasync() a second one may succeed though the writes it lost never
 * reached the media (the kernel reports a writeback error once).
 */
static void ring_write(struct io_uring *ring, struct meta_dev_wreq *w, int n,
		       enum ring_op op)
{
	struct meta_dev_wreq *q[RING_ENTRIES];
	bool reaped[RING_ENTRIES] = { false };
	int qres[RING_ENTRIES];
	__u32 qrwf[RING_ENTRIES] = { 0 }; /* their flags, as queued */
	struct io_uring_cqe *cqe;
	struct meta_dev_wreq *r;
	size_t total = 0, at = 0;
	char *copy = NULL;
	int k, queued = 0, nsqe = 0, got = 0, tries = 0, waits = 0, rc, res;
	int nring = 0, rwf = op == RING_DSYNC ? RWF_DSYNC : 0;
	bool failed = false;

	for (k = 0; k < n; k++) {
		w[k].wr_rc = 1;
		if (ring_for(w[k].wr_dev, op)) {
			total += ALIGN_UP(w[k].wr_len); /* 0 for a flush */
			nring++;
		}
	}
	/* Writes of no byte at all skip the ring, each made alone (there
	 * is no copy to write from); flushes have no bytes and need none. */
	if (nring == 0 || (op != RING_FSYNC && total == 0) ||
	    (total > 0 &&
	     posix_memalign((void **)&copy, META_DEV_ALIGN, total) != 0))
		goto out; /* all made without the ring */
	for (k = 0; k < n; k++) {
		struct meta_dev *d = w[k].wr_dev;
		struct io_uring_sqe *sqe;

		if (!ring_for(d, op))
			continue; /* mdf_write_one() */
		if (t_fault_at(MDT_PARTIAL, queued + 1)) {
			q[queued++] = &w[k]; /* queued, never goes out */
			continue;
		}
		sqe = io_uring_get_sqe(ring);
		if (sqe == NULL)
			continue;
		if (op == RING_FSYNC) {
			io_uring_prep_fsync(sqe, d->md_fd,
					    IORING_FSYNC_DATASYNC);
			io_uring_sqe_set_data(sqe, &q[queued]);
			q[queued++] = &w[k];
			nsqe++;
			continue;
		}
		memcpy(copy + at, w[k].wr_buf, w[k].wr_len);
		io_uring_prep_write(sqe, d->md_fd, copy + at,
				    (unsigned)w[k].wr_len, (__u64)w[k].wr_off);
		at += ALIGN_UP(w[k].wr_len); /* each copy aligned as the
						   caller's buffers are */
		sqe->rw_flags = rwf;
		io_uring_sqe_set_data(sqe, &q[queued]);
		qrwf[queued] = sqe->rw_flags;
		q[queued++] = &w[k];
		nsqe++;
	}
	if (queued == 0)
		goto out;
	T_COUNT(tr_submits, 1);
	do
		rc = io_uring_submit_and_wait(ring, (unsigned)nsqe);
	while (rc == -EINTR);
	if (rc <= 0) {
		ring_broken(); /* nothing went out: all made again */
		goto out;
	}
	if (op == RING_FSYNC) {
		T_COUNT(tr_fsent, rc);
	} else {
		T_COUNT(tr_sent, rc);
		for (k = 0; k < rc; k++)
			T_COUNT(tr_plain, !(qrwf[k] & RWF_DSYNC));
	}
	/* rc went out, the first rc queued (in order); reap every one. */
	while (got < rc) {
		int err;

		waits++;
		if (failed) {
			struct __kernel_timespec ts = {
				.tv_sec = RING_DRAIN_WAIT_S
			};

			if (t_fault_is(MDT_LOST))
				err = -ETIME;
			else
				err = io_uring_wait_cqe_timeout(ring, &cqe,
								&ts);
		} else if (t_fault_upto(MDT_EAGAIN, waits)) {
			err = -EAGAIN;
		} else if (t_fault_at(MDT_WAITFAIL, waits) ||
			   t_fault_at(MDT_LOST, waits)) {
			err = -EIO;
		} else {
			err = io_uring_wait_cqe(ring, &cqe);
		}
		if (err == 0) {
			k = ring_index(cqe, q, rc, reaped, got);
			if (k < 0) {
				/* Which write ended is not known: the ring
				 * is not trusted, as after a failed wait. */
				io_uring_cqe_seen(ring, cqe);
				err = -EIO;
			}
		}
		if (err == -EINTR)
			continue;
		if (failed) {
			if (err != 0 && ++tries < RING_DRAIN_TRIES)
				continue;
		} else if ((err == -EAGAIN || err == -EBUSY) &&
			   ++tries < 1000) {
			continue;
		} else if (err != 0) {
			failed = true; /* the ring failed: reap the rest */
			tries = 0;
			continue;
		}
		if (err != 0) {
			/* The rest never to be reaped: the copy kept. */
			ring_gave_up(q, rc, reaped, qres, op);
			T_COUNT(tr_leaked, copy != NULL);
			copy = NULL;
			break;
		}
		r = q[k];
		res = cqe->res;
		if (t_fault_at(MDT_EINVAL, got + 1))
			res = -EINVAL;
		else if (t_fault_at(MDT_EIO, got + 1))
			res = -EIO;
		else if (t_fault_at(MDT_SHORT, got + 1) && res > 0)
			res /= 2; /* as if the kernel wrote only half */
		reaped[k] = true;
		qres[k] = res;
		r->wr_rc = res == (int)r->wr_len ? 0 : 1;
		if (op == RING_FSYNC) {
			/* The ring is used only where it has
			 * IORING_FEAT_EXT_ARG (5.11+), where IORING_OP_FSYNC
			 * is never refused: any error, EINVAL and EOPNOTSUPP
			 * too, is what vfs_fsync_range() said, as
			 * fdatasync() would.  Not made again: the kernel
			 * reports a writeback error once. */
			if (res < 0)
				r->wr_rc = -SET_ERROR(-res);
			T_COUNT(tr_fdone, r->wr_rc == 0);
		} else if (res == -EOPNOTSUPP || res == -EINVAL) {
			/* The flag or the alignment refused: not through
			 * the ring again (mdf_write_one() knows what to do
			 * with it). */
			r->wr_dev->md_noring = true;
		}
		io_uring_cqe_seen(ring, cqe);
		got++;
	}
	if (failed || rc != queued)
		ring_broken(); /* the rest never went out; nor will they */
out:
	free(copy);
	for (k = 0; k < n; k++)
		if (w[k].wr_rc == 1)
			T_COUNT(tr_again, 1);
#ifdef OBAN_TEST_HOOKS
	meta_dev_test_ring_fault(MDT_NONE, 0);
#endif
}

/* The requests @op of @w through the ring, RING_ENTRIES at a time, and
 * those it did not make without it. */
static void mdf_ring_many(struct meta_dev_wreq *w, int n, enum ring_op op)
{
	struct io_uring *ring = n > 1 ? ring_get() : NULL;
	int i;

	for (i = 0; ring != NULL && i < n; i += RING_ENTRIES) {
		ring_write(ring, w + i,
			   n - i < RING_ENTRIES ? n - i : RING_ENTRIES, op);
		ring = ring_get(); /* NULL if the ring broke */
	}
	if (ring == NULL) /* no ring, or it broke: what is not done yet */
		for (; i < n; i++)
			w[i].wr_rc = 1;
	for (i = 0; i < n; i++)
		if (w[i].wr_rc == 1)
			w[i].wr_rc = mdf_write_one(&w[i], op);
}

static int mdf_write_many(struct meta_dev_wreq *w, int n, bool sync)
{
	mdf_ring_many(w, n, sync ? RING_DSYNC : RING_PLAIN);
	return 0;
}

/* Flushes at once: each as a request of length 0 of a ring batch. */
static int mdf_flush_many(struct meta_dev_freq *f, int n)
{
	struct meta_dev_wreq *w = calloc((size_t)n, sizeof(*w));
	int i;

	if (w == NULL) { /* in turn, then */
		for (i = 0; i < n; i++)
			f[i].fr_rc = mdf_flush(f[i].fr_dev);
		return 0;
	}
	for (i = 0; i < n; i++)
		w[i].wr_dev = f[i].fr_dev;
	mdf_ring_many(w, n, RING_FSYNC);
	for (i = 0; i < n; i++) {
		f[i].fr_rc = w[i].wr_rc;
		f[i].fr_err = w[i].wr_err;
	}
	free(w);
	return 0;
}

bool meta_dev_ring_used(const struct meta_dev *d)
{
	struct mdf_ring *r;

	if (d->md_ops->mdo_write_many != mdf_write_many ||
	    !ring_for(d, RING_DSYNC))
		return false;
	(void)pthread_once(&ring_once, ring_key_make);
	if (!ring_key_ok)
		return false;
	r = pthread_getspecific(ring_key);
	return r != NULL && r->mr_ok && r->mr_forks == ring_forks;
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
	.mdo_write_sync = mdf_write_sync,
	.mdo_write_many = mdf_write_many,
	.mdo_flush_many = mdf_flush_many,
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

/* Whether this flush fails (meta_dev_test_flush_fail). */
static bool t_flush_fail(void)
{
#ifdef OBAN_TEST_HOOKS
	int *left = &meta_dev_test_flush_fail;

	return __atomic_load_n(left, __ATOMIC_RELAXED) > 0 &&
	       __atomic_sub_fetch(left, 1, __ATOMIC_RELAXED) >= 0;
#else
	return false;
#endif
}

int meta_dev_flush(struct meta_dev *d, meta_error_t *ep)
{
	int err;

	if (d->md_rdonly)
		return 0;
	if (t_flush_fail())
		return meta_error_set(ep, EIO, 0, d->md_path,
				      "cannot flush drive (test hook)");
	err = -d->md_ops->mdo_flush(d);
	if (err != 0)
		return meta_error_set(ep, err, 0, d->md_path,
				      "cannot flush drive");
	return 0;
}

static int write_sync_op(struct meta_dev *d, const void *buf, size_t len,
			 uint64_t off)
{
	int rc;

	if (d->md_ops->mdo_write_sync != NULL)
		return d->md_ops->mdo_write_sync(d, buf, len, off);
	rc = d->md_ops->mdo_write(d, buf, len, off);
	return rc != 0 ? rc : d->md_ops->mdo_flush(d);
}

int meta_dev_write_sync(struct meta_dev *d, const void *buf, size_t len,
			uint64_t off, meta_error_t *ep)
{
	int err = meta_dev_check(d, buf, len, off);

	if (err == 0 && d->md_rdonly)
		err = SET_ERROR(EROFS);
	if (err == 0)
		err = -write_sync_op(d, buf, len, off);
	if (err != 0)
		return meta_error_set(ep, err, 0, d->md_path,
				      "cannot write %zu bytes at %llu to drive",
				      len, (unsigned long long)off);
	return 0;
}

/* One write of a batch made alone: durable where @sync. */
static int write_one_op(struct meta_dev_wreq *r, bool sync)
{
	struct meta_dev *d = r->wr_dev;

	if (sync)
		return write_sync_op(d, r->wr_buf, r->wr_len, r->wr_off);
	return d->md_ops->mdo_write(d, r->wr_buf, r->wr_len, r->wr_off);
}

/* meta_dev_write_sync_many() (@sync) and meta_dev_write_many(). */
static int write_many(struct meta_dev_wreq *w, int n, bool sync)
{
	const struct meta_dev_ops *ops = NULL;
	struct meta_dev_wreq *g = NULL;
	bool same = true;
	int i, j, ngo = 0, nfail = 0;

	/* Checked requests go on; refused ones keep their error and are not
	 * written. */
	for (i = 0; i < n; i++) {
		struct meta_dev *d = w[i].wr_dev;
		int err = meta_dev_check(d, w[i].wr_buf, w[i].wr_len,
					 w[i].wr_off);

		meta_error_init(&w[i].wr_err); /* an op may say more */
		if (err == 0 && d->md_rdonly)
			err = SET_ERROR(EROFS);
		w[i].wr_rc = -err;
		if (err != 0)
			continue;
		if (ops == NULL)
			ops = d->md_ops;
		same = same && d->md_ops == ops;
		ngo++;
	}
	/* The accepted ones, together, as one batch. */
	if (ngo > 0 && same && ops->mdo_write_many != NULL)
		g = ngo == n ? w : calloc((size_t)ngo, sizeof(*g));
	if (g != NULL) {
		if (g != w)
			for (i = 0, j = 0; i < n; i++)
				if (w[i].wr_rc == 0)
					g[j++] = w[i];
		(void)ops->mdo_write_many(g, ngo, sync);
		if (g != w) {
			for (i = 0, j = 0; i < n; i++)
				if (w[i].wr_rc == 0) {
					w[i].wr_rc = g[j].wr_rc;
					w[i].wr_err = g[j++].wr_err;
				}
			free(g);
		}
	} else {
		for (i = 0; i < n; i++)
			if (w[i].wr_rc == 0)
				w[i].wr_rc = write_one_op(&w[i], sync);
	}
	for (i = 0; i < n; i++) {
		if (w[i].wr_rc == 0) {
			meta_error_init(&w[i].wr_err);
			continue;
		}
		nfail++;
		if (meta_error_isset(&w[i].wr_err))
			continue; /* the op's own account of it */
		meta_error_set(&w[i].wr_err, -w[i].wr_rc, 0,
			       w[i].wr_dev->md_path,
			       "cannot write %zu bytes at %llu to drive",
			       w[i].wr_len, (unsigned long long)w[i].wr_off);
	}
	return nfail;
}

int meta_dev_write_sync_many(struct meta_dev_wreq *w, int n)
{
	return write_many(w, n, true);
}

int meta_dev_write_many(struct meta_dev_wreq *w, int n)
{
	return write_many(w, n, false);
}

int meta_dev_flush_many(struct meta_dev_freq *f, int n)
{
	const struct meta_dev_ops *ops = NULL;
	struct meta_dev_freq *g = NULL;
	bool same = true;
	int i, j, ngo = 0, nfail = 0;

	/* Read-only devices need no flush; the test hook fails some. */
	for (i = 0; i < n; i++) {
		struct meta_dev *d = f[i].fr_dev;

		meta_error_init(&f[i].fr_err); /* an op may say more */
		f[i].fr_rc = 1; /* 1: to be flushed */
		if (d->md_rdonly) {
			f[i].fr_rc = 0;
			continue;
		}
		if (t_flush_fail()) {
			f[i].fr_rc = -SET_ERROR(EIO);
			meta_error_set(&f[i].fr_err, EIO, 0, d->md_path,
				       "cannot flush drive (test hook)");
			continue;
		}
		if (ops == NULL)
			ops = d->md_ops;
		same = same && d->md_ops == ops;
		ngo++;
	}
	/* Those to be flushed, together, as one batch. */
	if (ngo > 1 && same && ops->mdo_flush_many != NULL)
		g = calloc((size_t)ngo, sizeof(*g));
	if (g != NULL) {
		for (i = 0, j = 0; i < n; i++)
			if (f[i].fr_rc == 1)
				g[j++].fr_dev = f[i].fr_dev;
		(void)ops->mdo_flush_many(g, ngo);
		for (i = 0, j = 0; i < n; i++)
			if (f[i].fr_rc == 1) {
				f[i].fr_rc = g[j].fr_rc;
				f[i].fr_err = g[j++].fr_err;
			}
		free(g);
	} else {
		for (i = 0; i < n; i++)
			if (f[i].fr_rc == 1)
				f[i].fr_rc = f[i].fr_dev->md_ops->mdo_flush(
					f[i].fr_dev);
	}
	for (i = 0; i < n; i++) {
		if (f[i].fr_rc == 0) {
			meta_error_init(&f[i].fr_err);
			continue;
		}
		nfail++;
		if (meta_error_isset(&f[i].fr_err))
			continue; /* the op's, or the hook's, account of it */
		meta_error_set(&f[i].fr_err, -f[i].fr_rc, 0,
			       f[i].fr_dev->md_path, "cannot flush drive");
	}
	return nfail;
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

bool meta_dev_node_cached(const struct meta_dev *d)
{
	return d->md_ops == &meta_dev_file_ops && !d->md_direct;
}
