// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step tracing of mdcommd messages into a mapped file; the format and the
 * events are in include/oban/mdc_trace.h, the reader is bench/mdc-trace.py.
 *
 * Off, mdc_trace() tests mdc_trace_map and goes no further.  On, every
 * event takes a slot with one atomic add on the mapped header's th_next,
 * so threads never share a slot and need no lock; the event number is
 * stored last, with release order, so that a reader of a live file sees a
 * slot either empty (0) or whole.  Once th_next passes th_nrec the events
 * are dropped: th_next keeps counting, which is the drop count.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/mdc_trace.h>

struct mdc_trace_hdr *mdc_trace_map;

#define TRACE_LEN                       \
	(sizeof(struct mdc_trace_hdr) + \
	 (size_t)MDC_TRACE_NREC * sizeof(struct mdc_trace_rec))

/* gettid() is a system call: each thread asks once. */
static __thread uint32_t trace_tid;
static pthread_once_t trace_atfork_once = PTHREAD_ONCE_INIT;

static uint64_t trace_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void mdc_trace_record(uint32_t ev, uint32_t a, uint64_t b, uint32_t msg)
{
	struct mdc_trace_hdr *h = mdc_trace_map;
	struct mdc_trace_rec *r;
	uint64_t ns, i;

	if (h == NULL)
		return;
	ns = trace_now();
	i = __atomic_fetch_add(&h->th_next, 1, __ATOMIC_RELAXED);
	if (i >= MDC_TRACE_NREC)
		return;
	if (trace_tid == 0)
		trace_tid = (uint32_t)syscall(SYS_gettid);
	r = (struct mdc_trace_rec *)(h + 1) + i;
	r->tr_ns = ns;
	r->tr_a = a;
	r->tr_b = b;
	r->tr_tid = trace_tid;
	r->tr_msg = msg;
	__atomic_store_n(&r->tr_ev, ev, __ATOMIC_RELEASE);
}

/*
 * A child of fork() would write into its parent's file under its own
 * thread ids, which the reader would take for the parent's: it traces
 * nothing (the mapping stays until it execs or exits).
 */
static void trace_child(void)
{
	mdc_trace_map = NULL;
}

static void trace_atfork(void)
{
	VERIFY0(pthread_atfork(NULL, NULL, trace_child));
}

int mdc_trace_open(const char *dir, meta_error_t *ep)
{
	struct mdc_trace_hdr *h;
	char name[32];
	int dfd, fd, err;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	return meta_error_set(ep, SET_ERROR(EOPNOTSUPP), 0, dir,
			      "cannot trace on a big-endian host into");
#endif
	if (dir == NULL || dir[0] != '/')
		return meta_error_set(ep, SET_ERROR(EINVAL), 0, dir,
				      "cannot trace into a relative path");
	if (mdc_trace_map != NULL)
		return meta_error_set(ep, SET_ERROR(EBUSY), 0, dir,
				      "cannot trace again into");
	snprintf(name, sizeof(name), "%ld", (long)getpid());
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return meta_error_set(ep, SET_ERROR(errno), 0, dir,
				      "cannot trace into");
	/* O_EXCL: never over another process's records, nor a link's. */
	fd = openat(dfd, name,
		    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
		close(dfd);
		return meta_error_set(ep, SET_ERROR(err), 0, dir,
				      "cannot create trace file %s in", name);
	}
	/*
	 * Every block allocated now, not as records come: a store into a
	 * page of a sparse file that the filesystem has no room for raises
	 * SIGBUS and would kill the process mid-message.  A full disk is
	 * ENOSPC here instead.
	 */
	err = posix_fallocate(fd, 0, (off_t)TRACE_LEN);
	if (err != 0)
		goto out_unlink;
	h = mmap(NULL, TRACE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		err = errno;
		goto out_unlink;
	}
	close(fd);
	close(dfd);
	memcpy(h->th_magic, MDC_TRACE_MAGIC, sizeof(h->th_magic));
	h->th_version = MDC_TRACE_VERSION;
	h->th_hdrsize = sizeof(struct mdc_trace_hdr);
	h->th_recsize = sizeof(struct mdc_trace_rec);
	h->th_nrec = MDC_TRACE_NREC;
	h->th_pid = (uint32_t)getpid();
	h->th_next = 0;
	h->th_t0 = trace_now();
	VERIFY0(pthread_once(&trace_atfork_once, trace_atfork));
	__atomic_store_n(&mdc_trace_map, h, __ATOMIC_RELEASE);
	return 0;

out_unlink:
	close(fd);
	(void)unlinkat(dfd, name, 0);
	close(dfd);
	return meta_error_set(ep, SET_ERROR(err), 0, dir,
			      "cannot allocate or map trace file %s in", name);
}

void mdc_trace_close(void)
{
	struct mdc_trace_hdr *h = mdc_trace_map;

	if (h == NULL)
		return;
	mdc_trace_map = NULL;
	munmap(h, TRACE_LEN);
}

uint64_t mdc_trace_dropped(void)
{
	struct mdc_trace_hdr *h = mdc_trace_map;
	uint64_t n;

	if (h == NULL)
		return 0;
	n = __atomic_load_n(&h->th_next, __ATOMIC_RELAXED);
	return n > MDC_TRACE_NREC ? n - MDC_TRACE_NREC : 0;
}
