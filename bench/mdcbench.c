// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcbench: message round trips and rates through the local mdcommd, as an
 * initiator sees them (libmeta's mdc_client_send(): RPC to this node's
 * daemon, REQUEST to the set's master, the master's run and WORK multicast,
 * every node's RESULT, the REPLY, the RPC answer).  bench/mdc-bench.sh runs
 * it on the test cluster beside the raw CPG baseline (bench/cpgprobe).
 *
 *   mdcbench rtt [-s SET] [-t TYPE] [-f FLAGS] [-n COUNT] [-T SECONDS]
 *                [-D TRACE_DIR]
 *       COUNT (default 500) messages one after another, at most SECONDS
 *       (default 30); the round trip of each, in microseconds.
 *   mdcbench rpc [-n COUNT] [-T SECONDS]
 *       COUNT (default 500) STATUS calls to this node's daemon, one after
 *       another: the local RPC hop alone (connect, call, answer), which
 *       touches no other node; its round trip, in microseconds.
 *   mdcbench dwrite -p FILE [-n COUNT] [-T SECONDS]
 *       COUNT (default 500) durable 4 KiB writes into FILE, one after
 *       another: an O_DIRECT pwrite() and an fdatasync(), as one change-log
 *       slot write is on one replica (mddb_slots.c), with no mdcommd
 *       involved: the floor under a logged message's two log writes on
 *       this disk.  FILE must exist and hold at least 64 KiB (written, not
 *       sparse); its first 64 KiB are overwritten.  Prints the pwrite,
 *       the fdatasync and their sum (mdc_dwrite_*: the old slot write);
 *       then, each as COUNT rounds too, how the slot write makes it now
 *       (meta_dev_write_sync: one pwritev2(RWF_DSYNC), mdc_dwrite_dsync_*),
 *       three such writes one after the other (three replicas written in
 *       turn, mdc_dwrite_3seq_*) and three at once through io_uring
 *       (meta_dev_write_sync_many(), as a slot write on three replicas
 *       is now, mdc_dwrite_3ring_*), the three at other offsets of FILE
 *       through three descriptors; and what those used: O_DIRECT and
 *       RWF_DSYNC (mdc_dwrite_dev_direct, mdc_dwrite_dev_dsync) and the
 *       ring (mdc_dwrite_3ring_ring: 0 when the batches went one write
 *       after the other, without a ring).  Then three plain writes (no
 *       RWF_DSYNC, no flush: as an unflushed change-log clear on three
 *       replicas), one after the other (meta_dev_write(),
 *       mdc_dwrite_3plain_seq_*) and at once (meta_dev_write_many(), as
 *       the clear makes them now, mdc_dwrite_3plain_ring_*).
 *   mdcbench mix [-s SET] [-f FLAGS] [-c CLASSES] [-n COUNT] [-T SECONDS]
 *                [-D TRACE_DIR]
 *       one thread per class 1..CLASSES (default 5), each sending TEST<c>
 *       (class c) back to back, COUNT each at most (default 2000), for at
 *       most SECONDS (default 10): every class busy at once; messages per
 *       second per class and in all.
 *
 * -D TRACE_DIR: step tracing on (include/oban/mdc_trace.h): the call and
 * the return of every mdc_client_send() are recorded in TRACE_DIR/<pid>,
 * for bench/mdc-trace.py beside the daemons' files (bench/mdc-bench.sh -t;
 * doc/bench.md "Tracing one message's steps").  It costs a little: the
 * figures of a traced run are for the breakdown, not for the goals.  rpc
 * and dwrite send no message: -D is refused there (usage, exit 2).
 *
 * Output: key=value lines on stdout (mdc_rtt_us_median=...), the kind of
 * message named in them; nothing is asserted.  Any send that fails ends
 * the run with exit status 1 and its error.  TYPE by name (TEST2) or
 * number; FLAGS a number (1 = NO_LOG).  Not installed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <oban/mdc_client.h>
#include <oban/mdc_msg.h>
#include <oban/mdc_trace.h>
#include <oban/meta_dev.h>

#define MB_MAXCOUNT 1000000u

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mdcbench rtt [-s SET] [-t TYPE] [-f FLAGS] [-n COUNT] "
		"[-T SECONDS] [-D TRACE_DIR]\n"
		"       mdcbench rpc [-n COUNT] [-T SECONDS]\n"
		"       mdcbench dwrite -p FILE [-n COUNT] [-T SECONDS]\n"
		"       mdcbench mix [-s SET] [-f FLAGS] [-c CLASSES] [-n COUNT] "
		"[-T SECONDS] [-D TRACE_DIR]\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (*s == '\0' || *end != '\0' || errno != 0 || v > max)
		usage();
	return v;
}

static uint32_t type_of(const char *s)
{
	for (uint32_t t = 0; t < MDC_NMSGTYPES; t++)
		if (strcmp(mdc_msgtype_name(t), s) == 0)
			return t;
	return (uint32_t)num(s, MDC_NMSGTYPES - 1);
}

static int send_one(uint32_t set, uint32_t type, uint32_t flags)
{
	static const char payload[8] = "mdcbench";
	static const struct mdc_msgid no_id;
	struct mdc_client_req rq = { .cr_set = set,
				     .cr_type = type,
				     .cr_flags = flags,
				     .cr_data = payload,
				     .cr_len = sizeof(payload) };
	struct mdc_result res;
	meta_error_t e;
	int rc;

	meta_error_init(&e);
	mdc_trace(MDC_TR_CLIENT_SEND, 0, 0);
	rc = mdc_client_send(&rq, &res, &e);
	/* The reply's whole id: how mdc-trace.py finds the message. */
	mdc_trace_msg(MDC_TR_CLIENT_DONE, 0, rc == 0 ? &res.mr_id : &no_id);
	if (rc != 0) {
		fprintf(stderr, "mdcbench: %s: %s\n", mdc_msgtype_name(type),
			meta_strerror(&e));
		return -1;
	}
	if (res.mr_exitval != 0) {
		fprintf(stderr, "mdcbench: %s: exit value %d\n",
			mdc_msgtype_name(type), res.mr_exitval);
		return -1;
	}
	return 0;
}

/* One STATUS call: the local RPC hop, no other node involved. */
static int status_one(uint32_t set, uint32_t type, uint32_t flags)
{
	struct mdc_client_status st;
	meta_error_t e;

	(void)set;
	(void)type;
	(void)flags;
	meta_error_init(&e);
	if (mdc_client_status(&st, &e) != 0) {
		fprintf(stderr, "mdcbench: status: %s\n", meta_strerror(&e));
		return -1;
	}
	return 0;
}

static void print_sorted(const char *prefix, double *t, unsigned n)
{
	double sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%s_count=%u\n%s_us_mean=%.0f\n%s_us_median=%.0f\n"
	       "%s_us_p99=%.0f\n",
	       prefix, n, prefix, n ? sum / n : 0, prefix, n ? t[n / 2] : 0,
	       prefix, n ? t[(size_t)(n * 0.99)] : 0);
}

/*
 * COUNT calls of @one one after another (after one untimed call); prints
 * PREFIX_{count,us_mean,us_median,us_p99}.
 */
static int time_calls(const char *prefix,
		      int (*one)(uint32_t, uint32_t, uint32_t), uint32_t set,
		      uint32_t type, uint32_t flags, unsigned count,
		      unsigned seconds)
{
	double *t = calloc(count, sizeof(*t));
	double start, end;
	unsigned n = 0;

	if (t == NULL)
		return 1;
	/* one untimed call: connection set-up, master known, caches warm */
	if (one(set, type, flags) != 0) {
		free(t);
		return 1;
	}
	start = now_us();
	end = start + seconds * 1e6;
	while (n < count && now_us() < end) {
		double t0 = now_us();

		if (one(set, type, flags) != 0) {
			free(t);
			return 1;
		}
		t[n] = now_us() - t0;
		n++;
	}
	print_sorted(prefix, t, n);
	free(t);
	return 0;
}

static int run_rtt(uint32_t set, uint32_t type, uint32_t flags, unsigned count,
		   unsigned seconds)
{
	printf("mdc_rtt_type=%s\nmdc_rtt_flags=%#x\n", mdc_msgtype_name(type),
	       flags);
	return time_calls("mdc_rtt", send_one, set, type, flags, count,
			  seconds);
}

/*
 * The writes through meta_dev: durable, one, three in turn, three at once;
 * then plain (as an unflushed clear), three in turn and three at once.
 */
static int run_dwrite_dev(const char *path, void *buf, unsigned count,
			  unsigned seconds, double *t)
{
	static const char *const name[5] = {
		"mdc_dwrite_dsync", "mdc_dwrite_3seq", "mdc_dwrite_3ring",
		"mdc_dwrite_3plain_seq", "mdc_dwrite_3plain_ring"
	};
	struct meta_dev *d[3] = { NULL, NULL, NULL };
	struct meta_dev_wreq w[3];
	meta_error_t e;
	int k, v, rc = 1;

	for (k = 0; k < 3; k++)
		if (meta_dev_open(path, 0, &d[k], &e) != 0) {
			fprintf(stderr, "mdcbench: cannot open '%s'\n", path);
			goto out;
		}
	for (v = 0; v < 5; v++) {
		double end = now_us() + seconds * 1e6;
		unsigned n = 0;

		while (n < count && now_us() < end) {
			double t0 = now_us();
			int fails = 0;

			memset(w, 0, sizeof(w));
			for (k = 0; k < (v == 0 ? 1 : 3); k++)
				w[k] = (struct meta_dev_wreq){
					.wr_dev = d[k],
					.wr_buf = buf,
					.wr_len = 4096,
					.wr_off = (uint64_t)((n % 4) * 4 + k) *
						  4096,
				};
			if (v < 2) {
				for (k = 0; k < (v == 0 ? 1 : 3); k++)
					fails += meta_dev_write_sync(
							 d[k], buf, 4096,
							 w[k].wr_off, &e) != 0;
			} else if (v == 2) {
				fails = meta_dev_write_sync_many(w, 3);
			} else if (v == 3) {
				for (k = 0; k < 3; k++)
					fails += meta_dev_write(d[k], buf, 4096,
								w[k].wr_off,
								&e) != 0;
			} else {
				fails = meta_dev_write_many(w, 3);
			}
			if (fails != 0) {
				fprintf(stderr, "mdcbench: cannot write '%s'\n",
					path);
				goto out;
			}
			t[n++] = now_us() - t0;
		}
		print_sorted(name[v], t, n);
		if (v == 2) /* what the batches went through */
			printf("mdc_dwrite_3ring_ring=%d\n",
			       meta_dev_ring_used(d[0]) &&
				       meta_dev_ring_used(d[1]) &&
				       meta_dev_ring_used(d[2]));
	}
	/* O_DIRECT, and RWF_DSYNC, as opened and as the writes left them. */
	printf("mdc_dwrite_dev_direct=%d\nmdc_dwrite_dev_dsync=%d\n",
	       d[0]->md_direct, d[0]->md_direct && !d[0]->md_nodsync);
	rc = 0;
out:
	for (k = 0; k < 3; k++)
		meta_dev_close(d[k]);
	return rc;
}

static int run_dwrite(const char *path, unsigned count, unsigned seconds)
{
	double *w = calloc(count, sizeof(*w)), *f = calloc(count, sizeof(*f));
	double *s = calloc(count, sizeof(*s)), end;
	void *buf = NULL;
	unsigned n = 0;
	int fd = -1, rc = 1;

	if (w == NULL || f == NULL || s == NULL ||
	    posix_memalign(&buf, 4096, 4096) != 0)
		goto out;
	memset(buf, 0x5a, 4096);
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mdcbench: cannot open '%s': %s\n", path,
			strerror(errno));
		goto out;
	}
	end = now_us() + seconds * 1e6;
	while (n < count && now_us() < end) {
		double t0 = now_us(), t1, t2;

		if (pwrite(fd, buf, 4096, (off_t)(n % 16) * 4096) != 4096) {
			fprintf(stderr, "mdcbench: cannot write '%s': %s\n",
				path, strerror(errno));
			goto out;
		}
		t1 = now_us();
		if (fdatasync(fd) != 0) {
			fprintf(stderr, "mdcbench: cannot flush '%s': %s\n",
				path, strerror(errno));
			goto out;
		}
		t2 = now_us();
		w[n] = t1 - t0;
		f[n] = t2 - t1;
		s[n++] = t2 - t0;
	}
	print_sorted("mdc_dwrite_pwrite", w, n);
	print_sorted("mdc_dwrite_fdatasync", f, n);
	print_sorted("mdc_dwrite", s, n);
	rc = run_dwrite_dev(path, buf, count, seconds, s);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(w);
	free(f);
	free(s);
	return rc;
}

struct mix_arg {
	uint32_t ma_set;
	uint32_t ma_type;
	uint32_t ma_flags;
	unsigned ma_count;
	double ma_end;
	unsigned ma_done;
	int ma_failed;
	double ma_last;
};

static void *mix_thread(void *p)
{
	struct mix_arg *a = p;

	while (a->ma_done < a->ma_count && now_us() < a->ma_end) {
		if (send_one(a->ma_set, a->ma_type, a->ma_flags) != 0) {
			a->ma_failed = 1;
			break;
		}
		a->ma_done++;
		a->ma_last = now_us();
	}
	return NULL;
}

static int run_mix(uint32_t set, uint32_t flags, unsigned classes,
		   unsigned count, unsigned seconds)
{
	static const uint32_t types[] = { MDC_MSG_TEST1, MDC_MSG_TEST2,
					  MDC_MSG_TEST3, MDC_MSG_TEST4,
					  MDC_MSG_TEST5 };
	struct mix_arg a[5];
	pthread_t th[5];
	double start, last;
	unsigned total = 0;
	int failed = 0;

	start = now_us();
	last = start;
	for (unsigned c = 0; c < classes; c++) {
		a[c] = (struct mix_arg){ .ma_set = set,
					 .ma_type = types[c],
					 .ma_flags = flags,
					 .ma_count = count,
					 .ma_end = start + seconds * 1e6 };
		if (pthread_create(&th[c], NULL, mix_thread, &a[c]) != 0)
			return 1;
	}
	for (unsigned c = 0; c < classes; c++) {
		pthread_join(th[c], NULL);
		failed |= a[c].ma_failed;
		total += a[c].ma_done;
		if (a[c].ma_last > last)
			last = a[c].ma_last;
	}
	printf("mdc_mix_flags=%#x\nmdc_mix_classes=%u\n", flags, classes);
	for (unsigned c = 0; c < classes; c++)
		printf("mdc_mix_class%u_%s_count=%u\n"
		       "mdc_mix_class%u_msgs_per_s=%.0f\n",
		       c + 1, mdc_msgtype_name(types[c]), a[c].ma_done, c + 1,
		       a[c].ma_done / ((last - start) / 1e6));
	printf("mdc_mix_count=%u\nmdc_mix_seconds=%.2f\n"
	       "mdc_mix_msgs_per_s=%.0f\n",
	       total, (last - start) / 1e6, total / ((last - start) / 1e6));
	return failed;
}

int main(int argc, char **argv)
{
	uint32_t set = 1, type = MDC_MSG_TEST2, flags = MDC_F_NO_LOG;
	unsigned count = 0, seconds = 0, classes = 5;
	const char *mode, *path = NULL, *trace_dir = NULL;
	meta_error_t e;
	int opt;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "s:t:f:n:T:c:p:D:")) != -1) {
		switch (opt) {
		case 'D':
			trace_dir = optarg;
			break;
		case 'p':
			path = optarg;
			break;
		case 's':
			set = (uint32_t)num(optarg, MDC_MAXSETS - 1);
			break;
		case 't':
			type = type_of(optarg);
			break;
		case 'f':
			flags = (uint32_t)num(optarg, UINT32_MAX);
			break;
		case 'n':
			count = (unsigned)num(optarg, MB_MAXCOUNT);
			break;
		case 'T':
			seconds = (unsigned)num(optarg, 3600);
			break;
		case 'c':
			classes = (unsigned)num(optarg, 5);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || set == 0 || classes == 0)
		usage();
	/* rpc and dwrite send no message: their trace would be empty. */
	if (trace_dir != NULL && strcmp(mode, "rtt") != 0 &&
	    strcmp(mode, "mix") != 0) {
		fprintf(stderr, "mdcbench: -D traces rtt and mix only\n");
		usage();
	}
	meta_error_init(&e);
	if (trace_dir != NULL && mdc_trace_open(trace_dir, &e) != 0) {
		fprintf(stderr, "mdcbench: %s\n", meta_strerror(&e));
		return 1;
	}
	if (strcmp(mode, "rtt") == 0)
		return run_rtt(set, type, flags, count ? count : 500,
			       seconds ? seconds : 30);
	if (strcmp(mode, "dwrite") == 0) {
		if (path == NULL)
			usage();
		return run_dwrite(path, count ? count : 500,
				  seconds ? seconds : 30);
	}
	if (strcmp(mode, "rpc") == 0)
		return time_calls("mdc_rpc", status_one, 0, 0, 0,
				  count ? count : 500, seconds ? seconds : 30);
	if (strcmp(mode, "mix") == 0)
		return run_mix(set, flags, classes, count ? count : 2000,
			       seconds ? seconds : 10);
	usage();
	return 2;
}
