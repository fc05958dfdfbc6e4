// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the step tracing module (lib/libmeta/mdc_trace.c): off
 * writes nothing, a bad directory is refused and leaves nothing, the
 * records read back at the offsets include/oban/mdc_trace.h documents
 * (those bench/mdc-trace.py reads), from several threads, and the file's
 * bound drops and counts.  The tests run in this order: the first one
 * needs tracing never turned on in the process.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <oban/mdc_trace.h>

#include "ocu.h"

#define NTHREADS 4
#define PER_THREAD 1000

/* Entries of @dir other than "." and "..". */
static int count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char *mkdir_in_tmp(char *buf, size_t len, const char *name)
{
	ocu_path(buf, len, name);
	CU_ASSERT_EQUAL(mkdir(buf, 0700), 0);
	return buf;
}

/* The whole of @dir/<our pid>, its size in *@len; NULL when unreadable. */
static unsigned char *read_trace(const char *dir, size_t *len)
{
	char path[1024];
	unsigned char *buf;
	struct stat st;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%ld", dir, (long)getpid());
	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	if (fstat(fileno(fp), &st) != 0 || (st.st_mode & 0777) != 0600) {
		fclose(fp);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	if (buf != NULL &&
	    fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	*len = (size_t)st.st_size;
	return buf;
}

/* Little-endian fields at the offsets of the documented layout. */
static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void test_trace_off(void)
{
	char dir[512];

	mkdir_in_tmp(dir, sizeof(dir), "off");
	CU_ASSERT_PTR_NULL(mdc_trace_map);
	mdc_trace(MDC_TR_RPC_IN, 1, 2);
	mdc_trace_record(MDC_TR_RPC_OUT, 1, 2, 3);
	mdc_trace_close();
	CU_ASSERT_EQUAL(mdc_trace_dropped(), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
}

static void test_trace_bad_dir(void)
{
	char dir[512], path[1024];
	meta_error_t e;
	int fd;

	meta_error_init(&e);
	CU_ASSERT_EQUAL(mdc_trace_open("relative/dir", &e), -1);
	CU_ASSERT_EQUAL(e.me_code, EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "relative/dir"));
	CU_ASSERT_EQUAL(mdc_trace_open(NULL, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, EINVAL);

	ocu_path(dir, sizeof(dir), "absent");
	CU_ASSERT_EQUAL(mdc_trace_open(dir, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(meta_strerror(&e), "cannot trace into '"));
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "/absent': "));
	ocu_path(dir, sizeof(dir), "plain");
	fd = open(dir, O_WRONLY | O_CREAT, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(mdc_trace_open(dir, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ENOTDIR);

	/* A file of our pid there already: refused, and left as it was. */
	mkdir_in_tmp(dir, sizeof(dir), "taken");
	snprintf(path, sizeof(path), "%s/%ld", dir, (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "keep", 4), 4);
	close(fd);
	CU_ASSERT_EQUAL(mdc_trace_open(dir, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, EEXIST);
	CU_ASSERT_PTR_NULL(mdc_trace_map);
	{
		struct stat st;

		CU_ASSERT_EQUAL(stat(path, &st), 0);
		CU_ASSERT_EQUAL(st.st_size, 4);
	}
	CU_ASSERT_EQUAL(count_entries(dir), 1);
}

static void *tracer(void *arg)
{
	uint32_t k = (uint32_t)(uintptr_t)arg;

	for (uint32_t i = 0; i < PER_THREAD; i++)
		mdc_trace(MDC_TR_DELIVER, k, i);
	return NULL;
}

static void test_trace_records(void)
{
	char dir[512], dir2[512], path[1024];
	pthread_t th[NTHREADS];
	struct stat st;
	uint32_t seen[NTHREADS] = { 0 }, tids[NTHREADS] = { 0 };
	uint64_t last[NTHREADS] = { 0 };
	/* The highest node id and submessage: the packing's edges. */
	const struct mdc_msgid id = { .mi_nid = MDC_MAXNODES,
				      .mi_seq = 0x8877665544332211ull,
				      .mi_sub = 0xfe };
	unsigned char *buf, *r;
	meta_error_t e;
	size_t len;
	bool order = true, args = true;

	mkdir_in_tmp(dir, sizeof(dir), "on");
	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(mdc_trace_open(dir, &e), 0);
	/* On once: a second open is refused and creates nothing. */
	mkdir_in_tmp(dir2, sizeof(dir2), "on2");
	CU_ASSERT_EQUAL(mdc_trace_open(dir2, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, EBUSY);
	CU_ASSERT_EQUAL(count_entries(dir2), 0);
	/* Not sparse: every block is there before the first record. */
	snprintf(path, sizeof(path), "%s/%ld", dir, (long)getpid());
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 64 + (off_t)MDC_TRACE_NREC * 32);
	CU_ASSERT(st.st_blocks * 512 >= st.st_size);

	mdc_trace(MDC_TR_RPC_IN, 0x030201, 0x1122334455667788ull);
	mdc_trace_msg(MDC_TR_RUN, 5, &id);
	for (uintptr_t k = 1; k < NTHREADS; k++)
		CU_ASSERT_EQUAL(pthread_create(&th[k], NULL, tracer, (void *)k),
				0);
	tracer((void *)(uintptr_t)0);
	for (int k = 1; k < NTHREADS; k++)
		pthread_join(th[k], NULL);
	CU_ASSERT_EQUAL(mdc_trace_dropped(), 0);
	mdc_trace_close();
	CU_ASSERT_PTR_NULL(mdc_trace_map);
	mdc_trace(MDC_TR_RPC_OUT, 0, 0); /* off again: not recorded */

	buf = read_trace(dir, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL(len, 64 + (size_t)MDC_TRACE_NREC * 32);
	CU_ASSERT_EQUAL(memcmp(buf, "OBNTRACE", 8), 0);
	CU_ASSERT_EQUAL(le32(buf + 8), 2); /* the layout of version 2 */
	CU_ASSERT_EQUAL(le32(buf + 12), 64);
	CU_ASSERT_EQUAL(le32(buf + 16), 32);
	CU_ASSERT_EQUAL(le32(buf + 20), MDC_TRACE_NREC);
	CU_ASSERT_EQUAL(le32(buf + 24), (uint32_t)getpid());
	CU_ASSERT_EQUAL(le64(buf + 32), 2 + NTHREADS * PER_THREAD);
	CU_ASSERT(le64(buf + 40) != 0);

	r = buf + 64;
	CU_ASSERT_EQUAL(le32(r + 8), MDC_TR_RPC_IN);
	CU_ASSERT_EQUAL(le32(r + 12), 0x030201);
	CU_ASSERT_EQUAL(le64(r + 16), 0x1122334455667788ull);
	CU_ASSERT_EQUAL(le32(r + 24), (uint32_t)gettid());
	CU_ASSERT(le64(r) >= le64(buf + 40));
	CU_ASSERT_EQUAL(le32(r + 28), 0);
	/* A message's event: its whole id, tr_msg = nid | sub << 8. */
	r += 32;
	CU_ASSERT_EQUAL(le32(r + 8), MDC_TR_RUN);
	CU_ASSERT_EQUAL(le32(r + 12), 5);
	CU_ASSERT_EQUAL(le64(r + 16), 0x8877665544332211ull);
	CU_ASSERT_EQUAL(le32(r + 28), 128 | 0xfe << 8);
	/* Every thread's events whole, in its order, under its own id. */
	for (uint32_t i = 2; i <= 1 + NTHREADS * PER_THREAD; i++) {
		uint32_t k;

		r = buf + 64 + (size_t)i * 32;
		k = le32(r + 12);
		if (le32(r + 8) != MDC_TR_DELIVER || k >= NTHREADS ||
		    le32(r + 28) != 0) {
			args = false;
			break;
		}
		if (le64(r + 16) != seen[k] || le64(r) < last[k] ||
		    (tids[k] != 0 && tids[k] != le32(r + 24)))
			order = false;
		tids[k] = le32(r + 24);
		last[k] = le64(r);
		seen[k]++;
	}
	CU_ASSERT_TRUE(args);
	CU_ASSERT_TRUE(order);
	for (int k = 0; k < NTHREADS; k++)
		CU_ASSERT_EQUAL(seen[k], PER_THREAD);
	CU_ASSERT_NOT_EQUAL(tids[0], tids[1]);
	/* Nothing past them: the slot after the last is empty. */
	r = buf + 64 + (size_t)(2 + NTHREADS * PER_THREAD) * 32;
	CU_ASSERT_EQUAL(le32(r + 8), MDC_TR_NONE);
	free(buf);
	CU_ASSERT_EQUAL(count_entries(dir), 1);
}

/*
 * Past the last record.  The file ends inside a page (64 + NREC * 32
 * bytes), so the mapping's last page has room for more records after it:
 * stores there would never reach the file, and a test that read the file
 * back alone would not see them.  So fill exactly to the end of that page
 * first and check, in the mapping itself, that nothing was stored past
 * record NREC - 1; then a page's worth more, which without the bound would
 * run off the mapping.
 */
static void test_trace_bound(void)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const size_t flen = 64 + (size_t)MDC_TRACE_NREC * 32;
	const size_t tail = (page - flen % page) % page;
	const uint64_t more = page / 32;
	char dir[512], path[1024];
	unsigned char *buf, *r;
	const unsigned char *p;
	meta_error_t e;
	size_t len, nz = 0;

	mkdir_in_tmp(dir, sizeof(dir), "full");
	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(mdc_trace_open(dir, &e), 0);
	for (uint64_t i = 0; i < MDC_TRACE_NREC + tail / 32; i++)
		mdc_trace(MDC_TR_MCAST, 7, i + 1);
	CU_ASSERT_EQUAL(mdc_trace_dropped(), tail / 32);
	p = (const unsigned char *)mdc_trace_map + flen;
	for (size_t k = 0; k < tail; k++)
		nz += p[k] != 0;
	/* Stop here when it was written: more would run off the mapping. */
	CU_ASSERT_EQUAL_FATAL(nz, 0);
	for (uint64_t i = 0; i < more; i++)
		mdc_trace(MDC_TR_MCAST, 7, 0);
	CU_ASSERT_EQUAL(mdc_trace_dropped(), tail / 32 + more);
	mdc_trace_close();
	buf = read_trace(dir, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	/* The file did not grow; the drops are in its header. */
	CU_ASSERT_EQUAL(len, flen);
	CU_ASSERT_EQUAL(le64(buf + 32), MDC_TRACE_NREC + tail / 32 + more);
	r = buf + 64 + (size_t)(MDC_TRACE_NREC - 1) * 32;
	CU_ASSERT_EQUAL(le32(r + 8), MDC_TR_MCAST);
	CU_ASSERT_EQUAL(le64(r + 16), MDC_TRACE_NREC);
	free(buf);
	snprintf(path, sizeof(path), "%s/%ld", dir, (long)getpid());
	unlink(path);
}

/*
 * A child of fork() traces nothing (mdc_trace.h): its events would land in
 * the parent's file under thread ids the reader takes for the parent's.
 */
static void test_trace_fork(void)
{
	char dir[512], path[1024];
	meta_error_t e;
	uint64_t next;
	pid_t pid;
	int st;

	mkdir_in_tmp(dir, sizeof(dir), "fork");
	meta_error_init(&e);
	CU_ASSERT_EQUAL_FATAL(mdc_trace_open(dir, &e), 0);
	mdc_trace(MDC_TR_RUN, 0, 1);
	next = __atomic_load_n(&mdc_trace_map->th_next, __ATOMIC_RELAXED);
	CU_ASSERT_EQUAL(next, 1);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		bool off = mdc_trace_map == NULL;

		for (uint32_t i = 0; i < 100; i++)
			mdc_trace(MDC_TR_RUN, 0, 2);
		_exit(off ? 0 : 3);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT_EQUAL(mdc_trace_map->th_next, next);
	/* The parent still traces, into the next slot. */
	mdc_trace(MDC_TR_RUN, 0, 3);
	CU_ASSERT_EQUAL(mdc_trace_map->th_next, next + 1);
	mdc_trace_close();
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	snprintf(path, sizeof(path), "%s/%ld", dir, (long)getpid());
	unlink(path);
}

static CU_TestInfo trace_tests[] = {
	{ "off: no file, nothing recorded", test_trace_off },
	{ "bad directory: refused, nothing left", test_trace_bad_dir },
	{ "records read back from threads", test_trace_records },
	{ "full file: dropped and counted", test_trace_bound },
	{ "a child of fork() traces nothing", test_trace_fork },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "mdc_trace", NULL, NULL, trace_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
