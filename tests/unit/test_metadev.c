// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for meta_dev's durable writes: meta_dev_write_sync() (one
 * pwritev2(RWF_DSYNC), or the pwrite() and fdatasync() fallback) and
 * meta_dev_write_sync_many() (several devices at once through this thread's
 * io_uring, or one after the other), on real files in the scratch
 * directory, on memory devices, after a fork, with refused requests in a
 * batch, through the ring's error paths (test hooks) and as on a kernel
 * without IORING_FEAT_EXT_ARG; and meta_dev_write_many(), the same for
 * plain writes (through the ring without RWF_DSYNC, a failed write among
 * them, the ring's error paths, and on the fault layer not durable until
 * a flush); and meta_dev_flush_many(), several flushes at once (through
 * the ring, one failing among them, its error paths, the fallbacks, and
 * on the fault layer as single flushes).  What each write left is read
 * back through another descriptor.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <oban/meta_dev.h>

#include "meta_dev_fault.h"
#include "ocu.h"

#define FLEN (1 << 20)
#define NDEV 3

static void file_make(char *path, size_t size, int k)
{
	int fd;

	snprintf(path, size, "%s/dev%d", ocu_tmpdir(), k);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, FLEN) == 0);
	close(fd);
}

/* Whether @path holds @len bytes of @want at @off (read without O_DIRECT). */
static bool file_has(const char *path, const void *want, size_t len,
		     uint64_t off)
{
	char *got = malloc(len);
	bool same;
	int fd = open(path, O_RDONLY);

	CU_ASSERT_FATAL(fd >= 0 && got != NULL);
	same = pread(fd, got, len, (off_t)off) == (ssize_t)len &&
	       memcmp(got, want, len) == 0;
	close(fd);
	free(got);
	return same;
}

static void *pattern(size_t len, int seed)
{
	uint8_t *b = meta_dev_alloc(len);

	CU_ASSERT_FATAL(b != NULL);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 13 + (size_t)seed * 7 + 1);
	return b;
}

static void test_write_sync(void)
{
	struct meta_dev *d;
	char path[256];
	void *a = pattern(4096, 1), *b = pattern(8192, 2);
	void *back = meta_dev_alloc(4096);
	meta_error_t e;

	file_make(path, sizeof(path), 0);
	CU_ASSERT_FATAL(meta_dev_open(path, 0, &d, &e) == 0);
	CU_ASSERT(meta_dev_write_sync(d, a, 4096, 8192, &e) == 0);
	CU_ASSERT(file_has(path, a, 4096, 8192));
	CU_ASSERT(meta_dev_read(d, back, 4096, 8192, &e) == 0);
	CU_ASSERT(memcmp(back, a, 4096) == 0);
	/* On a file system with O_DIRECT (the scratch directory's), the
	 * kernel took RWF_DSYNC: the device did not fall back for good. */
	if (d->md_direct)
		CU_ASSERT(!d->md_nodsync);
	/* The fallback: pwrite() and fdatasync(). */
	d->md_nodsync = true;
	CU_ASSERT(meta_dev_write_sync(d, b, 8192, 65536, &e) == 0);
	CU_ASSERT(file_has(path, b, 8192, 65536));
	/* Bad input: misaligned, past the end; nothing written. */
	CU_ASSERT(meta_dev_write_sync(d, a, 100, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EINVAL);
	CU_ASSERT(meta_dev_write_sync(d, a, 4096, FLEN, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, ENXIO);
	meta_dev_close(d);
	/* Buffered (no O_DIRECT) and read-only devices. */
	CU_ASSERT_FATAL(meta_dev_open(path, META_DEV_NODIRECT, &d, &e) == 0);
	CU_ASSERT(meta_dev_write_sync(d, b, 4096, 0, &e) == 0);
	CU_ASSERT(file_has(path, b, 4096, 0));
	meta_dev_close(d);
	CU_ASSERT_FATAL(meta_dev_open(path, META_DEV_RDONLY, &d, &e) == 0);
	CU_ASSERT(meta_dev_write_sync(d, a, 4096, 0, &e) == -1);
	CU_ASSERT_EQUAL(e.me_code, EROFS);
	CU_ASSERT(file_has(path, b, 4096, 0));
	meta_dev_close(d);
	free(a);
	free(b);
	free(back);
}

/* @ndev files, each given its own pattern at @off by one batch. */
static void many_round(struct meta_dev **d, char (*paths)[256], int seed,
		       uint64_t off)
{
	struct meta_dev_wreq w[NDEV];
	void *buf[NDEV];
	int k;

	memset(w, 0, sizeof(w));
	for (k = 0; k < NDEV; k++) {
		buf[k] = pattern(4096, seed + k);
		w[k].wr_dev = d[k];
		w[k].wr_buf = buf[k];
		w[k].wr_len = 4096;
		w[k].wr_off = off;
	}
	CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, NDEV), 0);
	for (k = 0; k < NDEV; k++) {
		CU_ASSERT_EQUAL(w[k].wr_err.me_code, 0);
		CU_ASSERT(file_has(paths[k], buf[k], 4096, off));
		free(buf[k]);
	}
}

/*
 * Whether meta_dev makes a ring on this machine (asked of the kernel
 * directly, not of meta_dev): io_uring_setup() works and the kernel has
 * IORING_FEAT_EXT_ARG (Linux 5.11; without it meta_dev makes no ring, see
 * ring_init()).  Where not, meta_dev writes one device after the other and
 * the checks that a batch went through the ring are skipped, with a
 * message saying why.
 */
static bool ring_here(void)
{
	static int known = -1;
	struct io_uring_params p;
	int fd;

	if (known >= 0)
		return known == 1;
	memset(&p, 0, sizeof(p));
	fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0) {
		fprintf(stderr,
			"test_metadev: io_uring_setup fails here (%s): "
			"not checking that batches go through the ring\n",
			strerror(errno));
		known = 0;
		return false;
	}
	close(fd);
	known = (p.features & IORING_FEAT_EXT_ARG) != 0;
	if (!known)
		fprintf(stderr,
			"test_metadev: the kernel has no IORING_FEAT_EXT_ARG "
			"(before Linux 5.11), so meta_dev makes no ring: not "
			"checking that batches go through the ring\n");
	return known == 1;
}

#ifdef OBAN_TEST_HOOKS
static struct meta_dev_test_ring ring_now(void)
{
	struct meta_dev_test_ring st;

	meta_dev_test_ring_stats(&st);
	return st;
}
#endif

static void test_write_many(void)
{
	struct meta_dev *d[NDEV];
	char paths[NDEV][256];
	meta_error_t e;
	int k;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 10 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
#ifdef OBAN_TEST_HOOKS
	struct meta_dev_test_ring st0 = ring_now(), st;
	/* The scratch directory takes O_DIRECT: else no ring is used. */
	bool ring = ring_here() && d[0]->md_direct;
#endif

	many_round(d, paths, 10, 4096); /* the ring */
	many_round(d, paths, 20, 4096); /* the ring again, reused */
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	if (ring) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 2);
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent + 2 * NDEV);
		CU_ASSERT_EQUAL(st.tr_again, st0.tr_again);
		CU_ASSERT_EQUAL(st.tr_pid, getpid());
	}
	st0 = st;
	meta_dev_no_ring = 1;
	many_round(d, paths, 30, 12288); /* one after the other */
	meta_dev_no_ring = 0;
	st = ring_now();
	CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits);
	/* Each made durable: a pwritev2(RWF_DSYNC), or a write and a flush. */
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced + NDEV);
	st0 = st;
#endif
	d[1]->md_nodsync = true; /* one device without RWF_DSYNC */
	many_round(d, paths, 40, 12288);
#ifdef OBAN_TEST_HOOKS
	st = ring_now(); /* the other two through the ring */
	if (ring) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent + NDEV - 1);
	}
	/* d[1] written, then flushed (and, without a ring, the others). */
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced + (ring ? 1 : NDEV));
#endif
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
	/* Buffered devices in a batch: each written, then flushed. */
	for (k = 0; k < NDEV; k++)
		CU_ASSERT_FATAL(meta_dev_open(paths[k], META_DEV_NODIRECT,
					      &d[k], &e) == 0);
#ifdef OBAN_TEST_HOOKS
	st0 = ring_now();
#endif
	many_round(d, paths, 50, 0);
#ifdef OBAN_TEST_HOOKS
	CU_ASSERT_EQUAL(ring_now().tr_synced, st0.tr_synced + NDEV);
#endif
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
}

#ifdef OBAN_TEST_HOOKS
/*
 * A batch whose writes are all of length 0, durable or plain, writes
 * nothing and does not go through the ring (there is nothing to copy:
 * each is made alone).
 */
static void test_write_many_empty(void)
{
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV];
	struct meta_dev_test_ring st0, st;
	char paths[NDEV][256];
	void *buf = pattern(4096, 5);
	meta_error_t e;
	int k, sync;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 15 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	for (sync = 0; sync < 2; sync++) {
		memset(w, 0, sizeof(w));
		for (k = 0; k < NDEV; k++) {
			w[k].wr_dev = d[k];
			w[k].wr_buf = buf;
			w[k].wr_len = 0;
			w[k].wr_off = 4096;
		}
		st0 = ring_now();
		CU_ASSERT_EQUAL(sync ? meta_dev_write_sync_many(w, NDEV) :
				       meta_dev_write_many(w, NDEV),
				0);
		st = ring_now();
		for (k = 0; k < NDEV; k++)
			CU_ASSERT_EQUAL(w[k].wr_err.me_code, 0);
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits);
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent);
	}
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
	free(buf);
}
#endif

/* Refused requests keep their error; the others are written. */
static void test_write_many_refused(void)
{
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV];
	char paths[NDEV][256];
	void *a = pattern(4096, 3), *b = pattern(4096, 4);
	void *old = pattern(4096, 5);
	meta_error_t e;
	int k;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 20 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k],
					      k == 2 ? META_DEV_RDONLY : 0,
					      &d[k], &e) == 0);
	}
	memset(w, 0, sizeof(w));
	w[0] = (struct meta_dev_wreq){
		.wr_dev = d[0], .wr_buf = a, .wr_len = 4096, .wr_off = 4096
	};
	w[1] = (struct meta_dev_wreq){
		.wr_dev = d[1], .wr_buf = b, .wr_len = 4096, .wr_off = 4095
	};
	w[2] = (struct meta_dev_wreq){
		.wr_dev = d[2], .wr_buf = old, .wr_len = 4096, .wr_off = 0
	};
	CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, NDEV), 2);
	CU_ASSERT_EQUAL(w[0].wr_err.me_code, 0);
	CU_ASSERT(file_has(paths[0], a, 4096, 4096));
	CU_ASSERT_EQUAL(w[1].wr_err.me_code, EINVAL);
	CU_ASSERT_EQUAL(w[2].wr_err.me_code, EROFS);
	CU_ASSERT(!file_has(paths[2], old, 4096, 0));
	CU_ASSERT(strstr(w[2].wr_err.me_object, paths[2]) != NULL);
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
	free(a);
	free(b);
	free(old);
}

/* One request refused: the accepted ones still go as one batch (through
 * the ring), in the caller's order. */
static void test_write_many_refused_ring(void)
{
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV + 1];
	char paths[NDEV][256];
	void *buf[NDEV];
	meta_error_t e;
	int k;

	memset(w, 0, sizeof(w));
	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 60 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
		buf[k] = pattern(4096, 90 + k);
		w[k < 1 ? k : k + 1] = (struct meta_dev_wreq){ .wr_dev = d[k],
							       .wr_buf = buf[k],
							       .wr_len = 4096,
							       .wr_off = 8192 };
	}
	w[1] = (struct meta_dev_wreq){
		.wr_dev = d[0], .wr_buf = buf[0], .wr_len = 100, .wr_off = 0
	};
#ifdef OBAN_TEST_HOOKS
	struct meta_dev_test_ring st0 = ring_now(), st;
#endif
	CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, NDEV + 1), 1);
	CU_ASSERT_EQUAL(w[1].wr_err.me_code, EINVAL);
	for (k = 0; k < NDEV; k++) {
		CU_ASSERT_EQUAL(w[k < 1 ? k : k + 1].wr_err.me_code, 0);
		CU_ASSERT(file_has(paths[k], buf[k], 4096, 8192));
	}
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	if (ring_here() && d[0]->md_direct) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent + NDEV);
	}
#endif
	for (k = 0; k < NDEV; k++) {
		meta_dev_close(d[k]);
		free(buf[k]);
	}
}

/*
 * A write the ring fails (here: the device's descriptor swapped for a
 * read-only one, so the kernel answers EBADF) is made again without the
 * ring, which reports the error; the batch's other writes are made.
 */
static void test_write_many_ring_error(void)
{
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV];
	char paths[NDEV][256];
	void *buf[NDEV];
	meta_error_t e;
	int k, rofd;

	memset(w, 0, sizeof(w));
	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 40 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
		buf[k] = pattern(4096, 80 + k);
		w[k] = (struct meta_dev_wreq){ .wr_dev = d[k],
					       .wr_buf = buf[k],
					       .wr_len = 4096,
					       .wr_off = 4096 };
	}
	rofd = open(paths[1], O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(rofd >= 0);
	CU_ASSERT_FATAL(dup2(rofd, d[1]->md_fd) == d[1]->md_fd);
	close(rofd);
	CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, NDEV), 1);
	CU_ASSERT_EQUAL(w[0].wr_err.me_code, 0);
	CU_ASSERT_EQUAL(w[1].wr_err.me_code, EBADF);
	CU_ASSERT_EQUAL(w[2].wr_err.me_code, 0);
	CU_ASSERT(file_has(paths[0], buf[0], 4096, 4096));
	CU_ASSERT(!file_has(paths[1], buf[1], 4096, 4096));
	CU_ASSERT(file_has(paths[2], buf[2], 4096, 4096));
	for (k = 0; k < NDEV; k++) {
		meta_dev_close(d[k]);
		free(buf[k]);
	}
}

/* Memory devices have neither op: write and flush, in turn. */
static void test_write_many_mem(void)
{
	uint8_t *mem[2];
	struct meta_dev *d[2];
	struct meta_dev_wreq w[2];
	void *a = pattern(4096, 6);
	meta_error_t e;

	memset(w, 0, sizeof(w));
	for (int k = 0; k < 2; k++) {
		mem[k] = calloc(1, 65536);
		CU_ASSERT_FATAL(mem[k] != NULL);
		CU_ASSERT_FATAL(meta_dev_open_mem(mem[k], 65536, "mem", &d[k],
						  &e) == 0);
		w[k] = (struct meta_dev_wreq){ .wr_dev = d[k],
					       .wr_buf = a,
					       .wr_len = 4096,
					       .wr_off = 8192 };
	}
	CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, 2), 0);
	for (int k = 0; k < 2; k++) {
		CU_ASSERT(memcmp(mem[k] + 8192, a, 4096) == 0);
		meta_dev_close(d[k]);
		free(mem[k]);
	}
	free(a);
}

/* How many io_uring descriptors this process has open. */
static int ring_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	char path[300], link[64];
	int n = 0;

	CU_ASSERT_FATAL(dir != NULL);
	while ((de = readdir(dir)) != NULL) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strstr(link, "io_uring") != NULL)
			n++;
	}
	closedir(dir);
	return n;
}

/* A forked child makes its own ring (the parent's is not its to use, and
 * it releases its references to the parent's). */
static void test_write_many_fork(void)
{
	struct meta_dev *d[NDEV];
	char paths[NDEV][256];
	void *buf = pattern(4096, 7);
	meta_error_t e;
	pid_t pid;
	int k, st;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 30 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	many_round(d, paths, 60, 0); /* the parent's ring exists */
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct meta_dev_wreq w[NDEV];
#ifdef OBAN_TEST_HOOKS
		struct meta_dev_test_ring st0 = ring_now(), st1;
#endif

		memset(w, 0, sizeof(w));
		for (k = 0; k < NDEV; k++)
			w[k] = (struct meta_dev_wreq){ .wr_dev = d[k],
						       .wr_buf = buf,
						       .wr_len = 4096,
						       .wr_off = 8192 };
		if (meta_dev_write_sync_many(w, NDEV) != 0)
			_exit(1);
#ifdef OBAN_TEST_HOOKS
		/* Through a ring, and one the child made itself. */
		st1 = ring_now();
		if (ring_here() && d[0]->md_direct &&
		    (st1.tr_submits != st0.tr_submits + 1 ||
		     st1.tr_pid != getpid()))
			_exit(2);
#endif
		if (ring_here() && d[0]->md_direct && ring_fds() != 1)
			_exit(3);
		_exit(0);
	}
	CU_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(file_has(paths[k], buf, 4096, 8192));
	many_round(d, paths, 70, 16384); /* and the parent's still works */
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
	free(buf);
}

#ifdef OBAN_TEST_HOOKS
/* One batch of NDEV writes with a ring fault, in a thread of its own (a
 * fault may break the thread's ring for good). */
struct fault_case {
	enum meta_dev_test_fault fc_what;
	int fc_nth;
	struct meta_dev **fc_d;
	char (*fc_paths)[256];
	int fc_seed;
	int fc_fails; /* out: what the batch returned */
	int fc_rc[NDEV]; /* out: each write's error */
	bool fc_on[NDEV]; /* out: whether each device has its pattern */
	struct meta_dev_test_ring fc_st; /* out: the batch's, then... */
	struct meta_dev_test_ring fc_after; /* ...after another batch */
	enum meta_dev_test_fault fc_what2; /* a second fault, or MDT_NONE */
	int fc_nth2;
	meta_error_t fc_err[NDEV]; /* out: each write's error, whole */
	bool fc_used; /* out: meta_dev_ring_used() after the batch */
	bool fc_one_dev; /* every write to fc_d[0], one after the other */
	bool fc_plain; /* meta_dev_write_many(), not _sync_many() */
};

/* Set: the fault cases from now on make plain batches. */
static bool fault_plain;

static int fault_batch(struct fault_case *fc, struct meta_dev_wreq *w)
{
	if (fc->fc_plain)
		return meta_dev_write_many(w, NDEV);
	return meta_dev_write_sync_many(w, NDEV);
}

static void *fault_run(void *arg)
{
	struct fault_case *fc = arg;
	struct meta_dev_wreq w[NDEV];
	void *buf[NDEV];
	int k;

	memset(w, 0, sizeof(w));
	for (k = 0; k < NDEV; k++) {
		buf[k] = pattern(4096, fc->fc_seed + k);
		w[k] = (struct meta_dev_wreq){
			.wr_dev = fc->fc_d[fc->fc_one_dev ? 0 : k],
			.wr_buf = buf[k],
			.wr_len = 4096,
			.wr_off = 20480 + (fc->fc_one_dev ? 4096 * k : 0)
		};
	}
	meta_dev_test_ring_fault(fc->fc_what, fc->fc_nth);
	if (fc->fc_what2 != MDT_NONE)
		meta_dev_test_ring_fault(fc->fc_what2, fc->fc_nth2);
	fc->fc_fails = fault_batch(fc, w);
	fc->fc_st = ring_now();
	fc->fc_used = meta_dev_ring_used(fc->fc_d[0]);
	for (k = 0; k < NDEV; k++) {
		fc->fc_rc[k] = w[k].wr_err.me_code;
		fc->fc_err[k] = w[k].wr_err;
		fc->fc_on[k] = file_has(fc->fc_paths[fc->fc_one_dev ? 0 : k],
					buf[k], 4096, w[k].wr_off);
	}
	/* And the next batch, with no fault. */
	(void)fault_batch(fc, w);
	fc->fc_after = ring_now();
	for (k = 0; k < NDEV; k++)
		free(buf[k]);
	return NULL;
}

static void fault_go(struct fault_case *fc, struct meta_dev **d,
		     char (*paths)[256], enum meta_dev_test_fault what, int nth,
		     enum meta_dev_test_fault what2, int nth2, bool one_dev)
{
	static int seed = 100;
	pthread_t t;

	memset(fc, 0, sizeof(*fc));
	fc->fc_one_dev = one_dev;
	fc->fc_plain = fault_plain;
	fc->fc_what = what;
	fc->fc_nth = nth;
	fc->fc_what2 = what2;
	fc->fc_nth2 = nth2;
	fc->fc_d = d;
	fc->fc_paths = paths;
	fc->fc_seed = seed;
	seed += 10;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, fault_run, fc) == 0);
	CU_ASSERT_FATAL(pthread_join(t, NULL) == 0);
}

static void fault_case2(struct fault_case *fc, struct meta_dev **d,
			char (*paths)[256], enum meta_dev_test_fault what,
			int nth, enum meta_dev_test_fault what2, int nth2)
{
	fault_go(fc, d, paths, what, nth, what2, nth2, false);
}

/* As fault_case2, with every write of the batch to d[0]. */
static void fault_case_one(struct fault_case *fc, struct meta_dev **d,
			   char (*paths)[256], enum meta_dev_test_fault what,
			   int nth, enum meta_dev_test_fault what2, int nth2)
{
	fault_go(fc, d, paths, what, nth, what2, nth2, true);
}

static void fault_case(struct fault_case *fc, struct meta_dev **d,
		       char (*paths)[256], enum meta_dev_test_fault what,
		       int nth)
{
	fault_case2(fc, d, paths, what, nth, MDT_NONE, 0);
}

/* Whether @e's text (what meta_strerror() shows) has @s in it. */
static bool err_says(meta_error_t *e, const char *s)
{
	return strstr(meta_strerror(e), s) != NULL;
}

/*
 * The ring's error paths, each made to happen by the test hook: a short
 * write, waits that say EAGAIN, a partial submit (and none at all), and a
 * wait that fails.  What each write ends as, and whether the thread keeps
 * its ring.
 */
static void test_write_many_ring_faults(void)
{
	struct meta_dev *d[NDEV];
	char paths[NDEV][256];
	struct fault_case fc;
	meta_error_t e;
	int k, n;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 50 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	if (!ring_here() || !d[0]->md_direct) {
		fprintf(stderr, "test_metadev: no ring or no O_DIRECT here: "
				"the ring's error paths are not run\n");
		goto out;
	}
	/* A short write: made again without the ring, durable; the ring
	 * stays. */
	fault_case(&fc, d, paths, MDT_SHORT, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_synced, 1);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 2);

	/* Waits that say EAGAIN: waited again; all through the ring. */
	fault_case(&fc, d, paths, MDT_EAGAIN, 5);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 2);

	/* A partial submit: the one that went out is reaped, the others
	 * made without the ring; the ring is given up for this thread. */
	fault_case(&fc, d, paths, MDT_PARTIAL, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_synced, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_pid, 0);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 1);

	/* None went out at all: every one made without the ring. */
	fault_case(&fc, d, paths, MDT_PARTIAL, 1);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_synced, NDEV);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 1);

	/* A wait that fails after the first completion: the other two are
	 * still reaped (waits with a timeout), so their results stand; the
	 * ring is given up. */
	fault_case(&fc, d, paths, MDT_WAITFAIL, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_leaked, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_pid, 0);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 1);

	/* Completions that cannot be reaped at all: those writes are
	 * reported failed, not made again, and the data they were made
	 * from is left to the kernel (leaked), not freed. */
	fault_case(&fc, d, paths, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV - 1);
	for (k = 0, n = 0; k < NDEV; k++) /* the first reaped, any one */
		if (fc.fc_rc[k] == EIO)
			n++;
		else
			CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(n, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_leaked, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 1);
	for (k = 0; k < NDEV; k++) /* said to be in doubt, not failed */
		if (fc.fc_rc[k] != 0)
			CU_ASSERT(err_says(&fc.fc_err[k],
					   "write of 4096 bytes at 20480 in "
					   "doubt") &&
				  err_says(&fc.fc_err[k], paths[k]));

	/* A completion that names no write of the batch (the first one
	 * reaped; the write it was for is not known): as a failed wait,
	 * and with nothing seen after it every write is in doubt, none
	 * made again; the ring is given up. */
	fault_case2(&fc, d, paths, MDT_BADDATA, 1, MDT_LOST, 1000);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == EIO &&
			  err_says(&fc.fc_err[k], "in doubt"));
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_leaked, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_pid, 0);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 1);

	/* The drain gives up after the first completion was reaped short:
	 * that write is finished and no write to its drive is in doubt, so
	 * it is made again without the ring; the two never reaped are in
	 * doubt. */
	fault_case2(&fc, d, paths, MDT_SHORT, 1, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV - 1);
	for (k = 0, n = 0; k < NDEV; k++) {
		if (fc.fc_rc[k] == 0) {
			CU_ASSERT(fc.fc_on[k]);
			n++;
		} else {
			CU_ASSERT_EQUAL(fc.fc_rc[k], EIO);
			CU_ASSERT(err_says(&fc.fc_err[k], "in doubt"));
		}
	}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 1);

	/* ... the same with all three writes to one drive: the others to
	 * its drive are in doubt, so the short one is not made again (it
	 * would wait for a drive that may hang): it says what the ring
	 * wrote. */
	fault_case_one(&fc, d, paths, MDT_SHORT, 1, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV);
	for (k = 0, n = 0; k < NDEV; k++) {
		CU_ASSERT_EQUAL(fc.fc_rc[k], EIO);
		if (err_says(&fc.fc_err[k], "short write (2048 of 4096 "
					    "bytes) at "))
			n++;
		else
			CU_ASSERT(err_says(&fc.fc_err[k], "in doubt"));
	}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);

	/* ... reaped with an error: made again too (through
	 * mdf_write_sync(), which takes the EINVAL as before). */
	fault_case2(&fc, d, paths, MDT_EINVAL, 1, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV - 1);
	for (k = 0, n = 0; k < NDEV; k++)
		if (fc.fc_rc[k] == 0) {
			n++;
			CU_ASSERT(fc.fc_on[k]);
			CU_ASSERT(d[k]->md_noring);
			d[k]->md_noring = false; /* as before */
		} else {
			CU_ASSERT_EQUAL(fc.fc_rc[k], EIO);
			CU_ASSERT(err_says(&fc.fc_err[k], "in doubt"));
		}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 1);

	/* ... and on one drive with writes in doubt: its own errno. */
	fault_case_one(&fc, d, paths, MDT_EINVAL, 1, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV);
	for (k = 0, n = 0; k < NDEV; k++)
		if (fc.fc_rc[k] == EINVAL) {
			n++;
			CU_ASSERT(err_says(&fc.fc_err[k],
					   "cannot write 4096 bytes at "));
			CU_ASSERT(!err_says(&fc.fc_err[k], "doubt"));
		} else {
			CU_ASSERT_EQUAL(fc.fc_rc[k], EIO);
			CU_ASSERT(err_says(&fc.fc_err[k], "in doubt"));
		}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_lost, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);
	d[0]->md_noring = false; /* as before */

	/* A completion saying EINVAL (the flag or the alignment refused):
	 * made again without the ring, and that device's writes go without
	 * it from then on; the others still through it. */
	fault_case(&fc, d, paths, MDT_EINVAL, 1);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0, n = 0; k < NDEV; k++) {
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
		n += d[k]->md_noring;
	}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 1);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 2);
	CU_ASSERT_EQUAL(fc.fc_after.tr_sent, 2 * NDEV - 1);
out:
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
}
#endif

#ifdef OBAN_TEST_HOOKS
/*
 * A kernel without IORING_FEAT_EXT_ARG (before 5.11), where liburing's
 * wait with a timeout would submit whatever is still queued: no ring is
 * used there, the writes are made one after the other, durable.
 */
static void test_write_many_no_ext_arg(void)
{
	struct meta_dev *d[NDEV];
	char paths[NDEV][256];
	struct fault_case fc;
	meta_error_t e;
	int k;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 70 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	/* A thread of its own: its ring is made after the flag is set. */
	meta_dev_test_no_ext_arg = 1;
	fault_case(&fc, d, paths, MDT_NONE, 0);
	meta_dev_test_no_ext_arg = 0;
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_submits, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_synced, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_pid, 0);
	CU_ASSERT(!fc.fc_used);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 0); /* nor later */
	/* And with the feature, the same in a new thread uses the ring. */
	if (ring_here() && d[0]->md_direct) {
		fault_case(&fc, d, paths, MDT_NONE, 0);
		CU_ASSERT_EQUAL(fc.fc_fails, 0);
		for (k = 0; k < NDEV; k++)
			CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
		CU_ASSERT_EQUAL(fc.fc_st.tr_submits, 1);
		CU_ASSERT_EQUAL(fc.fc_st.tr_sent, NDEV);
		CU_ASSERT(fc.fc_used);
	}
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
}
#endif

/* @w: buf[k] to d[k] at @off, for each of the NDEV devices. */
static void reqs_fill(struct meta_dev_wreq *w, struct meta_dev **d, void **buf,
		      uint64_t off)
{
	memset(w, 0, NDEV * sizeof(*w));
	for (int k = 0; k < NDEV; k++)
		w[k] = (struct meta_dev_wreq){ .wr_dev = d[k],
					       .wr_buf = buf[k],
					       .wr_len = 4096,
					       .wr_off = off };
}

/* New patterns in @buf (freeing the old ones), from @seed. */
static void bufs_new(void **buf, int seed)
{
	for (int k = 0; k < NDEV; k++) {
		free(buf[k]);
		buf[k] = pattern(4096, seed + k);
	}
}

/* NDEV zeroed memories of 64 KiB for fault_devs(). */
static void mems_new(uint8_t **mem)
{
	for (int k = 0; k < NDEV; k++) {
		mem[k] = calloc(1, 65536);
		CU_ASSERT_FATAL(mem[k] != NULL);
	}
}

/* @d: a memory device on each of @mem, zeroed, behind the fault layer
 * of @c. */
static void fault_devs(struct mdfault_ctl *c, uint8_t **mem,
		       struct meta_dev **d)
{
	meta_error_t e;

	for (int k = 0; k < NDEV; k++) {
		memset(mem[k], 0, 65536);
		CU_ASSERT_FATAL(meta_dev_open_mem(mem[k], 65536, "mem", &d[k],
						  &e) == 0);
		CU_ASSERT_FATAL(mdfault_wrap(d[k], c, &d[k]) == 0);
	}
}

/*
 * meta_dev_write_many(): plain writes to several devices at once, through
 * the ring without RWF_DSYNC (also to a device that refused the flag,
 * whose durable writes go without the ring), while durable batches keep
 * the flag; a device failing among them fails that write only, and says
 * which drive; refused requests keep their error; buffered and memory
 * devices are written one after the other.
 */
static void test_write_many_plain(void)
{
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV];
	char paths[NDEV][256];
	void *buf[NDEV] = { NULL };
	uint8_t *mem[NDEV];
	meta_error_t e;
	int k, rofd;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 80 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
#ifdef OBAN_TEST_HOOKS
	struct meta_dev_test_ring st0 = ring_now(), st;
	bool ring = ring_here() && d[0]->md_direct;
#endif
	bufs_new(buf, 110);
	reqs_fill(w, d, buf, 4096);
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
	for (k = 0; k < NDEV; k++) {
		CU_ASSERT_EQUAL(w[k].wr_err.me_code, 0);
		CU_ASSERT(file_has(paths[k], buf[k], 4096, 4096));
	}
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	if (ring) { /* one submit for all, none with RWF_DSYNC */
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent + NDEV);
		CU_ASSERT_EQUAL(st.tr_plain, st0.tr_plain + NDEV);
		CU_ASSERT_EQUAL(st.tr_again, st0.tr_again);
	}
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced); /* nor flushed */
	/* Without the ring: one after the other, plain as well. */
	st0 = st;
	meta_dev_no_ring = 1;
	bufs_new(buf, 115);
	reqs_fill(w, d, buf, 4096);
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
	meta_dev_no_ring = 0;
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(file_has(paths[k], buf[k], 4096, 4096));
	st = ring_now();
	CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits);
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced);
	/* A durable batch: every write with the flag. */
	st0 = st;
	bufs_new(buf, 120);
	reqs_fill(w, d, buf, 4096);
	CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, NDEV), 0);
	st = ring_now();
	if (ring) {
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent + NDEV);
		CU_ASSERT_EQUAL(st.tr_plain, st0.tr_plain);
	}
	/* A device without RWF_DSYNC: its plain write needs none. */
	st0 = st;
	d[1]->md_nodsync = true;
	bufs_new(buf, 130);
	reqs_fill(w, d, buf, 8192);
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(file_has(paths[k], buf[k], 4096, 8192));
	st = ring_now();
	if (ring) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent + NDEV);
		CU_ASSERT_EQUAL(st.tr_plain, st0.tr_plain + NDEV);
	}
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced);
	/* ... and without the ring, not flushed either. */
	st0 = st;
	meta_dev_no_ring = 1;
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
	meta_dev_no_ring = 0;
	CU_ASSERT_EQUAL(ring_now().tr_synced, st0.tr_synced);
	d[1]->md_nodsync = false;
#endif
	/* d[1] fails (its descriptor made read-only: EBADF). */
	rofd = open(paths[1], O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(rofd >= 0);
	CU_ASSERT_FATAL(dup2(rofd, d[1]->md_fd) == d[1]->md_fd);
	close(rofd);
	bufs_new(buf, 140);
	reqs_fill(w, d, buf, 12288);
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 1);
	CU_ASSERT_EQUAL(w[0].wr_err.me_code, 0);
	CU_ASSERT_EQUAL(w[1].wr_err.me_code, EBADF);
	CU_ASSERT(strstr(w[1].wr_err.me_object, paths[1]) != NULL);
	CU_ASSERT_EQUAL(w[2].wr_err.me_code, 0);
	CU_ASSERT(file_has(paths[0], buf[0], 4096, 12288));
	CU_ASSERT(!file_has(paths[1], buf[1], 4096, 12288));
	CU_ASSERT(file_has(paths[2], buf[2], 4096, 12288));
	/* Refused: misaligned, and a read-only device; the other made. */
	d[2]->md_rdonly = true;
	bufs_new(buf, 150);
	reqs_fill(w, d, buf, 16384);
	w[1].wr_off = 4095;
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 2);
	CU_ASSERT_EQUAL(w[0].wr_err.me_code, 0);
	CU_ASSERT(file_has(paths[0], buf[0], 4096, 16384));
	CU_ASSERT_EQUAL(w[1].wr_err.me_code, EINVAL);
	CU_ASSERT_EQUAL(w[2].wr_err.me_code, EROFS);
	CU_ASSERT(!file_has(paths[2], buf[2], 4096, 16384));
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
	/* Buffered devices: one after the other, not through the ring. */
	for (k = 0; k < NDEV; k++)
		CU_ASSERT_FATAL(meta_dev_open(paths[k], META_DEV_NODIRECT,
					      &d[k], &e) == 0);
#ifdef OBAN_TEST_HOOKS
	st0 = ring_now();
#endif
	bufs_new(buf, 160);
	reqs_fill(w, d, buf, 0);
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
	for (k = 0; k < NDEV; k++) {
		CU_ASSERT(file_has(paths[k], buf[k], 4096, 0));
		meta_dev_close(d[k]);
	}
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits);
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced); /* not flushed */
#endif
	/* Memory devices (no mdo_write_many): mdo_write in turn. */
	for (k = 0; k < NDEV; k++) {
		mem[k] = calloc(1, 65536);
		CU_ASSERT_FATAL(mem[k] != NULL);
		CU_ASSERT_FATAL(meta_dev_open_mem(mem[k], 65536, "mem", &d[k],
						  &e) == 0);
	}
	reqs_fill(w, d, buf, 8192);
	CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
	for (k = 0; k < NDEV; k++) {
		CU_ASSERT(memcmp(mem[k] + 8192, buf[k], 4096) == 0);
		meta_dev_close(d[k]);
		free(mem[k]);
		free(buf[k]);
	}
}

#ifdef OBAN_TEST_HOOKS
/*
 * The ring's safety rules hold for plain batches too (each case in a
 * thread of its own, as for durable ones): a short write is made again,
 * without the flag; a partial submit gives the ring up and makes the rest
 * without it; writes never reaped are in doubt; and a short one on a
 * drive with writes in doubt is not made again but says what the ring
 * wrote.
 */
static void test_write_many_plain_faults(void)
{
	struct meta_dev *d[NDEV];
	char paths[NDEV][256];
	struct fault_case fc;
	meta_error_t e;
	int k, n;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 90 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	if (!ring_here() || !d[0]->md_direct) {
		fprintf(stderr, "test_metadev: no ring or no O_DIRECT here: "
				"the ring's error paths are not run\n");
		goto out;
	}
	fault_plain = true;
	fault_case(&fc, d, paths, MDT_SHORT, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_plain, NDEV);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_synced, 0); /* made again, plain */
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 2);

	fault_case(&fc, d, paths, MDT_PARTIAL, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(fc.fc_st.tr_sent, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_synced, 0);
	CU_ASSERT_EQUAL(fc.fc_st.tr_pid, 0);
	CU_ASSERT_EQUAL(fc.fc_after.tr_submits, 1);

	fault_case(&fc, d, paths, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV - 1);
	for (k = 0, n = 0; k < NDEV; k++)
		if (fc.fc_rc[k] == EIO &&
		    err_says(&fc.fc_err[k], "write of 4096 bytes at 20480 in "
					    "doubt"))
			n++;
		else
			CU_ASSERT(fc.fc_rc[k] == 0 && fc.fc_on[k]);
	CU_ASSERT_EQUAL(n, NDEV - 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_leaked, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);

	fault_case_one(&fc, d, paths, MDT_SHORT, 1, MDT_LOST, 2);
	CU_ASSERT_EQUAL(fc.fc_fails, NDEV);
	for (k = 0, n = 0; k < NDEV; k++) {
		CU_ASSERT_EQUAL(fc.fc_rc[k], EIO);
		if (err_says(&fc.fc_err[k], "short write (2048 of 4096 "
					    "bytes) at "))
			n++;
		else
			CU_ASSERT(err_says(&fc.fc_err[k], "in doubt"));
	}
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(fc.fc_st.tr_again, 0);
	fault_plain = false;
out:
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
}
#endif

/*
 * On the fault layer plain writes at once are pending until a flush: a
 * crash that drops unflushed writes loses them, one that keeps them does
 * not, and after a flush no crash does; a durable batch survives the
 * crash.  A crash at the second write of a plain batch: the first was
 * made (not durable), the rest fail, and the variant decides what lands.
 */
static void test_write_many_not_durable(void)
{
	struct mdfault_ctl *c = mdfault_ctl_create();
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV];
	uint8_t *mem[NDEV];
	void *buf[NDEV] = { NULL }, *other = pattern(4096, 9);
	void *back = meta_dev_alloc(4096);
	meta_error_t e;
	int k, round;

	CU_ASSERT_FATAL(c != NULL && back != NULL);
	mems_new(mem);
	/* Rounds: plain then crash, dropped (0) or kept (1); plain, flush,
	 * crash dropped (2); durable, crash dropped (3). */
	for (round = 0; round < 4; round++) {
		bool lands = round != 0;

		fault_devs(c, mem, d);
		mdfault_arm(c, MDF_NONE, 0, MDF_CRASH_DROP);
		bufs_new(buf, 200 + 10 * round);
		reqs_fill(w, d, buf, 8192);
		if (round == 3) {
			CU_ASSERT_EQUAL(meta_dev_write_sync_many(w, NDEV), 0);
			CU_ASSERT_EQUAL(mdfault_batches(c, true), 1);
		} else {
			CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
			CU_ASSERT_EQUAL(mdfault_batches(c, false), 1);
			CU_ASSERT_EQUAL(mdfault_batches(c, true), 0);
		}
		CU_ASSERT_EQUAL(mdfault_writes(c), NDEV);
		for (k = 0; k < NDEV; k++) {
			CU_ASSERT_EQUAL(w[k].wr_err.me_code, 0);
			/* Made: read back through the device. */
			CU_ASSERT(meta_dev_read(d[k], back, 4096, 8192, &e) ==
				  0);
			CU_ASSERT(memcmp(back, buf[k], 4096) == 0);
			if (round == 2)
				CU_ASSERT(meta_dev_flush(d[k], &e) == 0);
		}
		mdfault_arm(c, MDF_CRASH, 1,
			    round == 1 ? MDF_CRASH_KEEP : MDF_CRASH_DROP);
		CU_ASSERT(meta_dev_write(d[0], other, 4096, 0, &e) == -1);
		CU_ASSERT(mdfault_fired(c));
		for (k = 0; k < NDEV; k++) {
			bool on = memcmp(mem[k] + 8192, buf[k], 4096) == 0;

			CU_ASSERT_EQUAL(on, lands);
			meta_dev_close(d[k]);
		}
	}
	/* A crash at the second write of a plain batch. */
	for (round = 0; round < 2; round++) {
		fault_devs(c, mem, d);
		mdfault_arm(c, MDF_CRASH, 2,
			    round == 0 ? MDF_CRASH_DROP : MDF_CRASH_KEEP);
		reqs_fill(w, d, buf, 8192);
		CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), NDEV - 1);
		CU_ASSERT(mdfault_fired(c));
		CU_ASSERT_EQUAL(w[0].wr_err.me_code, 0);
		CU_ASSERT_EQUAL(w[1].wr_err.me_code, EIO);
		CU_ASSERT_EQUAL(w[2].wr_err.me_code, EIO);
		CU_ASSERT_EQUAL(memcmp(mem[0] + 8192, buf[0], 4096) == 0,
				round == 1);
		CU_ASSERT(memcmp(mem[1] + 8192, buf[1], 4096) != 0);
		CU_ASSERT(memcmp(mem[2] + 8192, buf[2], 4096) != 0);
		for (k = 0; k < NDEV; k++)
			meta_dev_close(d[k]);
	}
	for (k = 0; k < NDEV; k++) {
		free(mem[k]);
		free(buf[k]);
	}
	free(other);
	free(back);
	mdfault_ctl_destroy(c);
}

/* ---- Flushes at once (meta_dev_flush_many()) --------------------------- */

/* @f: a flush of each of the NDEV devices of @d. */
static void freqs_fill(struct meta_dev_freq *f, struct meta_dev **d)
{
	memset(f, 0, NDEV * sizeof(*f));
	for (int k = 0; k < NDEV; k++)
		f[k].fr_dev = d[k];
}

/* A meta_dev that counts its flushes and has no mdo_flush_many. */
static int nflushed;

static int cnt_read(struct meta_dev *d, void *buf, size_t len, uint64_t off)
{
	return 0;
}

static int cnt_write(struct meta_dev *d, const void *buf, size_t len,
		     uint64_t off)
{
	return 0;
}

static int cnt_flush(struct meta_dev *d)
{
	nflushed++;
	return 0;
}

static void cnt_close(struct meta_dev *d)
{
}

static const struct meta_dev_ops cnt_ops = {
	.mdo_name = "count",
	.mdo_read = cnt_read,
	.mdo_write = cnt_write,
	.mdo_flush = cnt_flush,
	.mdo_close = cnt_close,
};

/*
 * Flushes of several O_DIRECT devices go through the ring at once (one
 * submit, one IORING_OP_FSYNC per device, no fdatasync()); without a
 * ring, on buffered devices, on memory devices and on ops without
 * mdo_flush_many they are made one after the other; a read-only device
 * needs none; the test hook fails the flush it hits, and that one only.
 */
static void test_flush_many(void)
{
	struct meta_dev *d[NDEV], *ro;
	struct meta_dev c[NDEV];
	struct meta_dev_freq f[NDEV];
	char paths[NDEV][256];
	uint8_t *mem[NDEV];
	meta_error_t e;
	int k;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 70 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
#ifdef OBAN_TEST_HOOKS
	struct meta_dev_test_ring st0 = ring_now(), st;
	bool ring = ring_here() && d[0]->md_direct;
#endif

	freqs_fill(f, d);
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT_EQUAL(f[k].fr_err.me_code, 0);
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	if (ring) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent + NDEV);
		CU_ASSERT_EQUAL(st.tr_fdone, st0.tr_fdone + NDEV);
		CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced); /* none alone */
		CU_ASSERT_EQUAL(st.tr_sent, st0.tr_sent); /* no write */
	} else {
		CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced + NDEV);
	}
	st0 = st;
	/* No ring: fdatasync() of each in turn. */
	meta_dev_no_ring = 1;
	freqs_fill(f, d);
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
	meta_dev_no_ring = 0;
	st = ring_now();
	CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits);
	CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent);
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced + NDEV);
	st0 = st;
	/* The hook fails the second flush, for that device only. */
	meta_dev_test_flush_fail = 1;
	freqs_fill(f, d);
	f[0].fr_dev = d[1];
	f[1].fr_dev = d[0];
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 1);
	CU_ASSERT_EQUAL(meta_dev_test_flush_fail, 0);
	CU_ASSERT_EQUAL(f[0].fr_err.me_code, EIO);
	CU_ASSERT(err_says(&f[0].fr_err, paths[1]));
	CU_ASSERT_EQUAL(f[1].fr_err.me_code, 0);
	CU_ASSERT_EQUAL(f[2].fr_err.me_code, 0);
	st = ring_now();
	if (ring) /* the other two, together */
		CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent + NDEV - 1);
#endif
	/* A read-only device needs no flush (as meta_dev_flush()). */
	CU_ASSERT_FATAL(meta_dev_open(paths[0], META_DEV_RDONLY, &ro, &e) == 0);
	freqs_fill(f, d);
	f[1].fr_dev = ro;
#ifdef OBAN_TEST_HOOKS
	st0 = ring_now();
#endif
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	CU_ASSERT_EQUAL(st.tr_fsent + st.tr_synced,
			st0.tr_fsent + st0.tr_synced + NDEV - 1);
#endif
	meta_dev_close(ro);
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);

	/* Buffered devices: fdatasync() of each in turn, not the ring. */
	for (k = 0; k < NDEV; k++)
		CU_ASSERT_FATAL(meta_dev_open(paths[k], META_DEV_NODIRECT,
					      &d[k], &e) == 0);
#ifdef OBAN_TEST_HOOKS
	st0 = ring_now();
#endif
	freqs_fill(f, d);
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits);
	CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent);
	CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced + NDEV);
#endif
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);

	/* Memory devices: nothing to flush, each fine. */
	for (k = 0; k < NDEV; k++) {
		mem[k] = calloc(1, 65536);
		CU_ASSERT_FATAL(mem[k] != NULL);
		CU_ASSERT_FATAL(meta_dev_open_mem(mem[k], 65536, "mem", &d[k],
						  &e) == 0);
	}
	freqs_fill(f, d);
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
	for (k = 0; k < NDEV; k++) {
		CU_ASSERT_EQUAL(f[k].fr_err.me_code, 0);
		meta_dev_close(d[k]);
		free(mem[k]);
	}

	/* Ops without mdo_flush_many: mdo_flush of each, once. */
	memset(c, 0, sizeof(c));
	for (k = 0; k < NDEV; k++) {
		c[k].md_ops = &cnt_ops;
		c[k].md_fd = -1;
		d[k] = &c[k];
	}
	nflushed = 0;
	freqs_fill(f, d);
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
	CU_ASSERT_EQUAL(nflushed, NDEV);
}

/*
 * A device whose flush fails in the ring batch (a descriptor that is not
 * open: the kernel's own error, EBADF) is reported for that device only,
 * by name; the others are flushed through the ring, and the failed flush
 * is not made again (no fdatasync() after it).
 */
static void test_flush_many_one_fails(void)
{
	struct meta_dev *d[NDEV];
	struct meta_dev_freq f[NDEV];
	char paths[NDEV][256];
	meta_error_t e;
	int k, fd, bad;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 80 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	/* A descriptor number that is free: d[1]'s, for this call. */
	bad = dup(d[1]->md_fd);
	CU_ASSERT_FATAL(bad >= 0);
	close(bad);
	fd = d[1]->md_fd;
	d[1]->md_fd = bad;
#ifdef OBAN_TEST_HOOKS
	struct meta_dev_test_ring st0 = ring_now(), st;
	bool ring = ring_here() && d[0]->md_direct;
#endif
	freqs_fill(f, d);
	CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 1);
	d[1]->md_fd = fd;
	CU_ASSERT_EQUAL(f[0].fr_err.me_code, 0);
	CU_ASSERT_EQUAL(f[1].fr_err.me_code, EBADF);
	CU_ASSERT(err_says(&f[1].fr_err, paths[1]));
	CU_ASSERT(err_says(&f[1].fr_err, "cannot flush drive"));
	CU_ASSERT_EQUAL(f[2].fr_err.me_code, 0);
#ifdef OBAN_TEST_HOOKS
	st = ring_now();
	if (ring) {
		CU_ASSERT_EQUAL(st.tr_submits, st0.tr_submits + 1);
		CU_ASSERT_EQUAL(st.tr_fsent, st0.tr_fsent + NDEV);
		CU_ASSERT_EQUAL(st.tr_fdone, st0.tr_fdone + NDEV - 1);
		CU_ASSERT_EQUAL(st.tr_synced, st0.tr_synced); /* not again */
		CU_ASSERT_EQUAL(st.tr_again, st0.tr_again);
	}
#endif
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
}

#ifdef OBAN_TEST_HOOKS
struct flush_case {
	struct meta_dev **fl_d;
	enum meta_dev_test_fault fl_what;
	int fl_nth;
	int fl_fails; /* out: what the batch returned */
	meta_error_t fl_err[NDEV]; /* out: each flush's */
	struct meta_dev_test_ring fl_st; /* out: the batch's, then... */
	struct meta_dev_test_ring fl_after; /* ...after another batch */
};

/* One batch of flushes with a ring fault, and the next without, in a
 * thread of their own (a fault may leave the thread without a ring). */
static void *flush_run(void *arg)
{
	struct flush_case *fl = arg;
	struct meta_dev_freq f[NDEV];
	int k;

	freqs_fill(f, fl->fl_d);
	meta_dev_test_ring_fault(fl->fl_what, fl->fl_nth);
	fl->fl_fails = meta_dev_flush_many(f, NDEV);
	fl->fl_st = ring_now();
	for (k = 0; k < NDEV; k++)
		fl->fl_err[k] = f[k].fr_err;
	freqs_fill(f, fl->fl_d);
	(void)meta_dev_flush_many(f, NDEV);
	fl->fl_after = ring_now();
	return NULL;
}

static void flush_case(struct flush_case *fl, struct meta_dev **d,
		       enum meta_dev_test_fault what, int nth)
{
	pthread_t t;

	memset(fl, 0, sizeof(*fl));
	fl->fl_d = d;
	fl->fl_what = what;
	fl->fl_nth = nth;
	CU_ASSERT_FATAL(pthread_create(&t, NULL, flush_run, fl) == 0);
	CU_ASSERT_FATAL(pthread_join(t, NULL) == 0);
}

/* How many of @fl's flushes ended with @code. */
static int flush_count(const struct flush_case *fl, int code)
{
	int k, n = 0;

	for (k = 0; k < NDEV; k++)
		n += fl->fl_err[k].me_code == code;
	return n;
}

/*
 * The ring's error paths for a batch of flushes, made by the test hook:
 * a flush the kernel failed (EIO) is reported, not made again; so is one
 * that completed with EINVAL (the ring never refuses IORING_OP_FSYNC
 * where it is used: that is the flush's answer), and its device stays on
 * the ring; a partial submit leaves the rest to be made in turn;
 * a wait that fails with nothing reaped after it leaves every flush in
 * doubt, each reported failed.
 */
static void test_flush_many_ring_faults(void)
{
	struct meta_dev *d[NDEV];
	char paths[NDEV][256];
	struct flush_case fl;
	meta_error_t e;
	int k;

	for (k = 0; k < NDEV; k++) {
		file_make(paths[k], sizeof(paths[k]), 90 + k);
		CU_ASSERT_FATAL(meta_dev_open(paths[k], 0, &d[k], &e) == 0);
	}
	if (!ring_here() || !d[0]->md_direct) {
		fprintf(stderr, "test_metadev: no ring or no O_DIRECT here: "
				"the ring's flush error paths not tested\n");
		goto out;
	}
	/* The kernel failed the second flush reaped: that one only. */
	flush_case(&fl, d, MDT_EIO, 2);
	CU_ASSERT_EQUAL(fl.fl_fails, 1);
	CU_ASSERT_EQUAL(flush_count(&fl, EIO), 1);
	CU_ASSERT_EQUAL(flush_count(&fl, 0), NDEV - 1);
	CU_ASSERT_EQUAL(fl.fl_st.tr_fsent, NDEV);
	CU_ASSERT_EQUAL(fl.fl_st.tr_fdone, NDEV - 1);
	CU_ASSERT_EQUAL(fl.fl_st.tr_synced, 0); /* not made again */
	CU_ASSERT_EQUAL(fl.fl_after.tr_submits, 2); /* the ring kept */

	/* The first flush reaped says EINVAL: as EIO, the flush failed
	 * (what fdatasync() would have said), no fdatasync() after it, and
	 * its device keeps the ring. */
	flush_case(&fl, d, MDT_EINVAL, 1);
	CU_ASSERT_EQUAL(fl.fl_fails, 1);
	CU_ASSERT_EQUAL(flush_count(&fl, EINVAL), 1);
	CU_ASSERT_EQUAL(flush_count(&fl, 0), NDEV - 1);
	for (k = 0; k < NDEV; k++)
		if (fl.fl_err[k].me_code == EINVAL)
			CU_ASSERT(
				err_says(&fl.fl_err[k], "cannot flush drive") &&
				!err_says(&fl.fl_err[k], "test hook") &&
				err_says(&fl.fl_err[k], paths[k]));
	CU_ASSERT_EQUAL(fl.fl_st.tr_fsent, NDEV);
	CU_ASSERT_EQUAL(fl.fl_st.tr_fdone, NDEV - 1);
	CU_ASSERT_EQUAL(fl.fl_st.tr_synced, 0); /* not made again */
	CU_ASSERT_EQUAL(fl.fl_st.tr_again, 0);
	CU_ASSERT_EQUAL(fl.fl_after.tr_fsent, 2 * NDEV); /* all the ring's */
	CU_ASSERT_EQUAL(fl.fl_after.tr_synced, 0);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(!d[k]->md_noring);

	/* A partial submit: the first went out, the rest in turn. */
	flush_case(&fl, d, MDT_PARTIAL, 2);
	CU_ASSERT_EQUAL(fl.fl_fails, 0);
	CU_ASSERT_EQUAL(fl.fl_st.tr_fsent, 1);
	CU_ASSERT_EQUAL(fl.fl_st.tr_fdone, 1);
	CU_ASSERT_EQUAL(fl.fl_st.tr_synced, NDEV - 1);
	CU_ASSERT_EQUAL(fl.fl_after.tr_submits, 1); /* the ring given up */
	CU_ASSERT_EQUAL(fl.fl_after.tr_synced, 2 * NDEV - 1);

	/* A wait fails and the drain reaps nothing: all in doubt, failed,
	 * none made again. */
	flush_case(&fl, d, MDT_LOST, 1);
	CU_ASSERT_EQUAL(fl.fl_fails, NDEV);
	CU_ASSERT_EQUAL(flush_count(&fl, EIO), NDEV);
	for (k = 0; k < NDEV; k++)
		CU_ASSERT(err_says(&fl.fl_err[k], "flush in doubt") &&
			  err_says(&fl.fl_err[k], "on drive") &&
			  err_says(&fl.fl_err[k], paths[k]));
	CU_ASSERT_EQUAL(fl.fl_st.tr_lost, NDEV);
	CU_ASSERT_EQUAL(fl.fl_st.tr_leaked, 0); /* no copy to leave */
	CU_ASSERT_EQUAL(fl.fl_st.tr_synced, 0);
	CU_ASSERT_EQUAL(fl.fl_after.tr_submits, 1);
	CU_ASSERT_EQUAL(fl.fl_after.tr_synced, NDEV);
out:
	for (k = 0; k < NDEV; k++)
		meta_dev_close(d[k]);
}
#endif

/*
 * On the fault layer a batch of flushes makes each device's pending
 * writes durable exactly as its own flush does: a crash that drops
 * unflushed writes after the batch keeps them, one before it loses them,
 * as with single flushes; a device that failed fails its flush alone.
 */
static void test_flush_many_fault(void)
{
	struct mdfault_ctl *c = mdfault_ctl_create();
	struct meta_dev *d[NDEV];
	struct meta_dev_wreq w[NDEV];
	struct meta_dev_freq f[NDEV];
	uint8_t *mem[NDEV];
	void *buf[NDEV] = { NULL }, *other = pattern(4096, 9);
	meta_error_t e;
	int k, round;

	CU_ASSERT_FATAL(c != NULL);
	mems_new(mem);
	/* Rounds: no flush (0), the batch (1), single flushes (2), the
	 * batch with d[1] failed (3); then a crash that drops the rest. */
	for (round = 0; round < 4; round++) {
		fault_devs(c, mem, d);
		mdfault_arm(c, round == 3 ? MDF_FAIL_DEV : MDF_NONE, 4,
			    MDF_CRASH_DROP);
		bufs_new(buf, 300 + 10 * round);
		reqs_fill(w, d, buf, 8192);
		CU_ASSERT_EQUAL(meta_dev_write_many(w, NDEV), 0);
		if (round == 3) /* the 4th write: d[1] fails from now on */
			CU_ASSERT(meta_dev_write(d[1], other, 4096, 0, &e) ==
				  -1);
		freqs_fill(f, d);
		if (round == 1)
			CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 0);
		if (round == 3) {
			CU_ASSERT_EQUAL(meta_dev_flush_many(f, NDEV), 1);
			CU_ASSERT_EQUAL(f[1].fr_err.me_code, EIO);
		}
		for (k = 0; k < NDEV && round == 2; k++)
			CU_ASSERT(meta_dev_flush(d[k], &e) == 0);
		CU_ASSERT_EQUAL(mdfault_flush_batches(c),
				round == 1 || round == 3 ? 1 : 0);
		for (k = 0; k < NDEV; k++)
			CU_ASSERT_EQUAL(memcmp(mem[k] + 8192, buf[k], 4096) ==
						0,
					round != 0 && !(round == 3 && k == 1));
		mdfault_arm(c, MDF_CRASH, 1, MDF_CRASH_DROP);
		CU_ASSERT(meta_dev_write(d[0], other, 4096, 0, &e) == -1);
		CU_ASSERT(mdfault_fired(c));
		for (k = 0; k < NDEV; k++) {
			bool on = memcmp(mem[k] + 8192, buf[k], 4096) == 0;

			CU_ASSERT_EQUAL(on,
					round != 0 && !(round == 3 && k == 1));
			meta_dev_close(d[k]);
		}
	}
	for (k = 0; k < NDEV; k++) {
		free(mem[k]);
		free(buf[k]);
	}
	free(other);
	mdfault_ctl_destroy(c);
}

static CU_TestInfo metadev_tests[] = {
	{ "durable write, and its fallback", test_write_sync },
	{ "durable writes to several devices at once", test_write_many },
#ifdef OBAN_TEST_HOOKS
	{ "a batch of writes of length 0", test_write_many_empty },
#endif
	{ "refused requests in a batch", test_write_many_refused },
	{ "the accepted ones of a batch, together",
	  test_write_many_refused_ring },
	{ "a write the ring fails", test_write_many_ring_error },
	{ "a batch of memory devices", test_write_many_mem },
	{ "a batch in a forked child", test_write_many_fork },
#ifdef OBAN_TEST_HOOKS
	{ "the ring's error paths", test_write_many_ring_faults },
	{ "no ring without IORING_FEAT_EXT_ARG", test_write_many_no_ext_arg },
	{ "the ring's error paths, plain writes",
	  test_write_many_plain_faults },
#endif
	{ "plain writes to several devices at once", test_write_many_plain },
	{ "plain writes at once are not durable before a flush",
	  test_write_many_not_durable },
	{ "flushes of several devices at once", test_flush_many },
	{ "a flush that fails among several", test_flush_many_one_fails },
#ifdef OBAN_TEST_HOOKS
	{ "the ring's error paths, flushes", test_flush_many_ring_faults },
#endif
	{ "flushes at once on the fault layer", test_flush_many_fault },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "metadev", NULL, NULL, metadev_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
