// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpgprobe: the raw Corosync CPG baseline on the test cluster.
 *
 * Everything mdcommd does between nodes rides on CPG agreed-order multicast,
 * so its latency and throughput are the floor under every oban message.
 * This probe measures that floor, with one sender and listeners on the other
 * nodes (bench/cpg-baseline.sh runs it on an ocluster):
 *
 *   phase 1, "rtt":     one 256-byte message, wait for its own delivery
 *                       (agreed order: the ring has ordered it), repeat;
 *                       mean, median and p99.  This is ONE ordered pass
 *                       (send -> ordered -> delivered, here on the
 *                       sender), not a round trip: nothing comes back
 *                       from another node.  The key keeps its old name.
 *   phase 4, "pingpong": a real round trip: the sender multicasts a
 *                       256-byte PING naming one listener (-P NODE, else
 *                       the lowest-numbered listener node), that listener
 *                       multicasts a PONG when it delivers the PING, and
 *                       the sender times until it delivers the PONG: two
 *                       ordered passes and the listener's turn-around,
 *                       as a request to another node and its answer.
 *   phase 2, "pipe256": 256-byte messages sent back to back; corosync's
 *                       IPC flow control answers CS_ERR_TRY_AGAIN when its
 *                       queue is full, and the sender then dispatches what
 *                       was delivered and retries.  Rate = messages sent /
 *                       time from the first send to the delivery of the last.
 *   phase 3, "pipe64k": the same with 64 KiB messages.
 *
 * Phases run in the order rtt, pingpong, pipe256, pipe64k.
 *
 * After each phase the sender multicasts a MARK carrying what it sent; each
 * listener answers with a REPORT of what it received in that phase, and the
 * sender checks that every listener got every message and byte.  Agreed
 * order puts the MARK after all of the phase's data on every node, so a
 * REPORT is complete.  At the end a QUIT ends the listeners.
 *
 * Each phase is bounded by a count and a time (-p); the whole run by -T.
 * Output: key=value lines on stdout (cpg_rtt_us_median=...), so that later
 * benchmarks can run the probe beside their own measurement and quote it.
 * MB means 10^6 bytes; the sizes are whole CPG payloads (header included).
 *
 * Wire format (all little-endian; bench-only, not an oban protocol): a
 * 40-byte header, then zero padding up to the message size.
 *
 *   0  u32 magic "CPGP" (0x50475043)   4  u16 version (1)   6  u16 type
 *   8  u32 phase                       12 u32 node id (REPORT: reporter)
 *   16 u64 seq                         24 u64 count   32 u64 bytes
 *
 * A PING carries the node id that is to answer in "count"; its PONG
 * carries the PING's seq.  Listeners count PINGs as the phase's data.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corosync/corotypes.h>
#include <corosync/cpg.h>

#define CP_MAGIC 0x50475043u
#define CP_VERSION 1
#define CP_HDR_SIZE 40
#define CP_MAX_LISTENERS 16
#define CP_SMALL 256
#define CP_BIG (64 * 1024)

enum cp_type {
	CP_DATA = 1,
	CP_MARK = 2,
	CP_REPORT = 3,
	CP_QUIT = 4,
	CP_PING = 5,
	CP_PONG = 6,
};

enum cp_phase {
	CP_PH_RTT = 1,
	CP_PH_PIPE_SMALL = 2,
	CP_PH_PIPE_BIG = 3,
	CP_PH_PINGPONG = 4,
	CP_NPHASES = 5,
};

struct cp_hdr {
	uint32_t ch_magic;
	uint16_t ch_version;
	uint16_t ch_type;
	uint32_t ch_phase;
	uint32_t ch_nodeid;
	uint64_t ch_seq;
	uint64_t ch_count;
	uint64_t ch_bytes;
};
_Static_assert(sizeof(struct cp_hdr) == CP_HDR_SIZE, "cp_hdr is 40 bytes");

static void cp_hdr_encode(const struct cp_hdr *h, unsigned char *buf)
{
	struct cp_hdr le = {
		.ch_magic = htole32(h->ch_magic),
		.ch_version = htole16(h->ch_version),
		.ch_type = htole16(h->ch_type),
		.ch_phase = htole32(h->ch_phase),
		.ch_nodeid = htole32(h->ch_nodeid),
		.ch_seq = htole64(h->ch_seq),
		.ch_count = htole64(h->ch_count),
		.ch_bytes = htole64(h->ch_bytes),
	};

	memcpy(buf, &le, sizeof(le));
}

/* Returns 0, or -1 for a message that is not ours or too short. */
static int cp_hdr_decode(const void *buf, size_t len, struct cp_hdr *h)
{
	struct cp_hdr le;

	if (len < sizeof(le))
		return -1;
	memcpy(&le, buf, sizeof(le));
	h->ch_magic = le32toh(le.ch_magic);
	h->ch_version = le16toh(le.ch_version);
	h->ch_type = le16toh(le.ch_type);
	h->ch_phase = le32toh(le.ch_phase);
	h->ch_nodeid = le32toh(le.ch_nodeid);
	h->ch_seq = le64toh(le.ch_seq);
	h->ch_count = le64toh(le.ch_count);
	h->ch_bytes = le64toh(le.ch_bytes);
	if (h->ch_magic != CP_MAGIC || h->ch_version != CP_VERSION ||
	    h->ch_phase >= CP_NPHASES)
		return -1;
	return 0;
}

/* State shared by both roles; callbacks run inside cpg_dispatch(). */
struct cp_state {
	cpg_handle_t cs_handle;
	struct cpg_name cs_group;
	uint32_t cs_nodeid;
	uint32_t cs_pid;
	unsigned char *cs_buf; /* send buffer, CP_BIG bytes */
	/* membership: other processes in the group, lowest node id of them */
	unsigned cs_others;
	uint32_t cs_low_other;
	/* sender: own deliveries */
	uint64_t cs_own_delivered; /* DATA messages of ours delivered */
	uint64_t cs_own_last_seq;
	/* sender: PONGs delivered from the chosen listener */
	uint64_t cs_pongs;
	uint64_t cs_pong_last_seq;
	uint32_t cs_ponger;
	/* sender: reports of the current phase */
	unsigned cs_reports;
	unsigned cs_reports_bad;
	uint64_t cs_expect_count, cs_expect_bytes;
	uint32_t cs_phase;
	/* listener: what it received, per phase */
	uint64_t cs_rx_count[CP_NPHASES];
	uint64_t cs_rx_bytes[CP_NPHASES];
	uint32_t cs_mark_pending; /* phase whose MARK awaits a REPORT */
	int cs_ping_pending; /* listener: a PING for us awaits its PONG */
	uint64_t cs_ping_seq;
	int cs_quit;
	int cs_is_sender;
	uint64_t cs_try_again;
};

static struct cp_state cp;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void cp_deliver(cpg_handle_t handle, const struct cpg_name *group,
		       uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct cp_hdr h;
	int mine = nodeid == cp.cs_nodeid && pid == cp.cs_pid;

	if (cp_hdr_decode(msg, len, &h) != 0)
		return;
	switch (h.ch_type) {
	case CP_DATA:
		if (mine) {
			cp.cs_own_delivered++;
			cp.cs_own_last_seq = h.ch_seq;
		} else if (!cp.cs_is_sender) {
			cp.cs_rx_count[h.ch_phase]++;
			cp.cs_rx_bytes[h.ch_phase] += len;
		}
		break;
	case CP_PING:
		if (!mine && !cp.cs_is_sender) {
			cp.cs_rx_count[h.ch_phase]++;
			cp.cs_rx_bytes[h.ch_phase] += len;
			if (h.ch_count == cp.cs_nodeid) {
				cp.cs_ping_pending = 1;
				cp.cs_ping_seq = h.ch_seq;
			}
		}
		break;
	case CP_PONG:
		if (cp.cs_is_sender && nodeid == cp.cs_ponger) {
			cp.cs_pongs++;
			cp.cs_pong_last_seq = h.ch_seq;
		}
		break;
	case CP_MARK:
		if (!cp.cs_is_sender && !mine)
			cp.cs_mark_pending = h.ch_phase;
		break;
	case CP_REPORT:
		if (cp.cs_is_sender && h.ch_phase == cp.cs_phase) {
			if (h.ch_count == cp.cs_expect_count &&
			    h.ch_bytes == cp.cs_expect_bytes) {
				cp.cs_reports++;
			} else {
				cp.cs_reports_bad++;
				fprintf(stderr,
					"cpgprobe: node %" PRIu32
					" received %" PRIu64
					" messages (%" PRIu64
					" bytes) in phase %" PRIu32 ", %" PRIu64
					" (%" PRIu64 ") were sent\n",
					h.ch_nodeid, h.ch_count, h.ch_bytes,
					h.ch_phase, cp.cs_expect_count,
					cp.cs_expect_bytes);
			}
		}
		break;
	case CP_QUIT:
		if (!mine)
			cp.cs_quit = 1;
		break;
	}
}

static void cp_confchg(cpg_handle_t handle, const struct cpg_name *group,
		       const struct cpg_address *members, size_t nmembers,
		       const struct cpg_address *left, size_t nleft,
		       const struct cpg_address *joined, size_t njoined)
{
	size_t i;
	unsigned others = 0;
	uint32_t low = 0;

	for (i = 0; i < nmembers; i++)
		if (members[i].nodeid != cp.cs_nodeid ||
		    members[i].pid != cp.cs_pid) {
			others++;
			if (members[i].nodeid != cp.cs_nodeid &&
			    (low == 0 || members[i].nodeid < low))
				low = members[i].nodeid;
		}
	cp.cs_others = others;
	cp.cs_low_other = low;
}

/*
 * cp_pump - wait up to @timeout_ms for the CPG fd, then dispatch all that
 * is there.  Returns 0, or -1 when corosync went away.
 */
static int cp_pump(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	cs_error_t err;
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -1;
	if (n <= 0)
		return 0;
	err = cpg_dispatch(cp.cs_handle, CS_DISPATCH_ALL);
	if (err != CS_OK && err != CS_ERR_TRY_AGAIN) {
		fprintf(stderr, "cpgprobe: cpg_dispatch failed: error %d\n",
			err);
		return -1;
	}
	return 0;
}

/*
 * cp_send - multicast one message (agreed order), waiting out flow control:
 * on CS_ERR_TRY_AGAIN dispatch what was delivered and retry, until
 * @deadline_us.  Returns 0 or -1.
 */
static int cp_send(int fd, uint16_t type, uint32_t phase, uint64_t seq,
		   uint64_t count, uint64_t bytes, size_t size,
		   double deadline_us)
{
	struct cp_hdr h = {
		.ch_magic = CP_MAGIC,
		.ch_version = CP_VERSION,
		.ch_type = type,
		.ch_phase = phase,
		.ch_nodeid = cp.cs_nodeid,
		.ch_seq = seq,
		.ch_count = count,
		.ch_bytes = bytes,
	};
	struct iovec iov = { .iov_base = cp.cs_buf, .iov_len = size };
	cs_error_t err;

	cp_hdr_encode(&h, cp.cs_buf);
	for (;;) {
		err = cpg_mcast_joined(cp.cs_handle, CPG_TYPE_AGREED, &iov, 1);
		if (err == CS_OK)
			return 0;
		if (err != CS_ERR_TRY_AGAIN) {
			fprintf(stderr,
				"cpgprobe: cpg_mcast_joined failed: error %d\n",
				err);
			return -1;
		}
		cp.cs_try_again++;
		if (now_us() > deadline_us) {
			fprintf(stderr,
				"cpgprobe: flow control did not clear in time\n");
			return -1;
		}
		if (cp_pump(fd, 1) != 0)
			return -1;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* wait_until - pump until *@flag reaches @want or @deadline_us passes. */
static int wait_count(int fd, const uint64_t *val, uint64_t want,
		      double deadline_us)
{
	while (*val < want) {
		if (now_us() > deadline_us)
			return -1;
		if (cp_pump(fd, 100) != 0)
			return -1;
	}
	return 0;
}

static int wait_reports(int fd, unsigned listeners, double deadline_us)
{
	while (cp.cs_reports + cp.cs_reports_bad < listeners) {
		if (now_us() > deadline_us)
			return -1;
		if (cp_pump(fd, 100) != 0)
			return -1;
	}
	return cp.cs_reports_bad == 0 ? 0 : -1;
}

/*
 * Close a phase: MARK with what was sent, then every listener's REPORT.
 * Returns 0 when every listener got everything.
 */
static int cp_confirm(int fd, uint32_t phase, uint64_t count, uint64_t bytes,
		      unsigned listeners, double deadline_us)
{
	cp.cs_phase = phase;
	cp.cs_reports = cp.cs_reports_bad = 0;
	cp.cs_expect_count = count;
	cp.cs_expect_bytes = bytes;
	if (cp_send(fd, CP_MARK, phase, 0, count, bytes, CP_HDR_SIZE,
		    deadline_us) != 0)
		return -1;
	if (wait_reports(fd, listeners, deadline_us) != 0) {
		fprintf(stderr,
			"cpgprobe: phase %" PRIu32
			": %u of %u listeners confirmed\n",
			phase, cp.cs_reports, listeners);
		return -1;
	}
	return 0;
}

struct cp_opts {
	unsigned co_listeners;
	unsigned co_rtt_count;
	unsigned co_small_count;
	unsigned co_big_count;
	unsigned co_phase_s;
	unsigned co_total_s;
	uint32_t co_ponger; /* 0: the lowest-numbered listener node */
};

static int run_pipe(int fd, const char *name, uint32_t phase, size_t size,
		    unsigned count, const struct cp_opts *o, double deadline)
{
	double t0, t1, stop = now_us() + o->co_phase_s * 1e6;
	uint64_t sent = 0, base = cp.cs_own_delivered, try0 = cp.cs_try_again;

	t0 = now_us();
	while (sent < count && now_us() < stop) {
		if (cp_send(fd, CP_DATA, phase, sent, 0, 0, size, deadline) !=
		    0)
			return -1;
		sent++;
		if ((sent & 63) == 0 && cp_pump(fd, 0) != 0)
			return -1;
	}
	if (wait_count(fd, &cp.cs_own_delivered, base + sent, deadline) != 0) {
		fprintf(stderr, "cpgprobe: %s: own messages not delivered\n",
			name);
		return -1;
	}
	t1 = now_us();
	printf("cpg_%s_size=%zu\n", name, size);
	printf("cpg_%s_count=%" PRIu64 "\n", name, sent);
	printf("cpg_%s_msgs_per_s=%.0f\n", name, sent / ((t1 - t0) / 1e6));
	printf("cpg_%s_mb_per_s=%.1f\n", name,
	       (double)sent * size / 1e6 / ((t1 - t0) / 1e6));
	printf("cpg_%s_try_again=%" PRIu64 "\n", name, cp.cs_try_again - try0);
	fflush(stdout);
	return cp_confirm(fd, phase, sent, sent * size, o->co_listeners,
			  deadline);
}

/* Sort @t (n > 0) and print cpg_NAME_{size,count,us_mean,us_median,us_p99}. */
static void print_times(const char *name, double *t, uint64_t n)
{
	double sum = 0;
	uint64_t i;

	for (i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof(*t), cmp_double);
	printf("cpg_%s_size=%d\n", name, CP_SMALL);
	printf("cpg_%s_count=%" PRIu64 "\n", name, n);
	printf("cpg_%s_us_mean=%.1f\n", name, sum / n);
	printf("cpg_%s_us_median=%.1f\n", name,
	       n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2);
	printf("cpg_%s_us_p99=%.1f\n", name, t[(n * 99 + 99) / 100 - 1]);
	fflush(stdout);
}

/*
 * Phase "pingpong": PING to cp.cs_ponger, time until its PONG is delivered
 * here.  @t has room for o->co_rtt_count times.
 */
static int run_pingpong(int fd, const struct cp_opts *o, double *t,
			double deadline)
{
	double stop = now_us() + o->co_phase_s * 1e6;
	uint64_t n = 0;

	while (n < o->co_rtt_count && now_us() < stop) {
		double t0 = now_us();
		uint64_t want = cp.cs_pongs + 1;

		if (cp_send(fd, CP_PING, CP_PH_PINGPONG, n, cp.cs_ponger, 0,
			    CP_SMALL, deadline) != 0)
			return -1;
		if (wait_count(fd, &cp.cs_pongs, want, deadline) != 0) {
			fprintf(stderr,
				"cpgprobe: no PONG from node %" PRIu32
				" for PING %" PRIu64 "\n",
				cp.cs_ponger, n);
			return -1;
		}
		if (cp.cs_pong_last_seq != n) {
			fprintf(stderr,
				"cpgprobe: PONG for seq %" PRIu64
				", expected %" PRIu64 "\n",
				cp.cs_pong_last_seq, n);
			return -1;
		}
		t[n++] = now_us() - t0;
	}
	if (n == 0)
		return -1;
	printf("cpg_pingpong_node=%" PRIu32 "\n", cp.cs_ponger);
	print_times("pingpong", t, n);
	return cp_confirm(fd, CP_PH_PINGPONG, n, n * CP_SMALL, o->co_listeners,
			  deadline);
}

static int run_sender(int fd, const struct cp_opts *o)
{
	double deadline = now_us() + o->co_total_s * 1e6, stop;
	double *rtt;
	uint64_t n = 0;
	int rc = 1;

	cp.cs_is_sender = 1;
	while (cp.cs_others < o->co_listeners) {
		if (now_us() > deadline || cp_pump(fd, 100) != 0) {
			fprintf(stderr,
				"cpgprobe: only %u of %u listeners joined\n",
				cp.cs_others, o->co_listeners);
			return 1;
		}
	}
	printf("cpg_listeners=%u\n", o->co_listeners);
	cp.cs_ponger = o->co_ponger ? o->co_ponger : cp.cs_low_other;
	if (o->co_listeners == 0 || cp.cs_ponger == 0 ||
	    cp.cs_ponger == cp.cs_nodeid) {
		fprintf(stderr,
			"cpgprobe: the ping-pong needs a listener on another "
			"node (-P %" PRIu32 ")\n",
			cp.cs_ponger);
		return 1;
	}

	/* Phase 1: round trips. */
	rtt = calloc(o->co_rtt_count ? o->co_rtt_count : 1, sizeof(*rtt));
	if (!rtt)
		return 1;
	stop = now_us() + o->co_phase_s * 1e6;
	while (n < o->co_rtt_count && now_us() < stop) {
		double t0 = now_us();
		uint64_t want = cp.cs_own_delivered + 1;

		if (cp_send(fd, CP_DATA, CP_PH_RTT, n, 0, 0, CP_SMALL,
			    deadline) != 0 ||
		    wait_count(fd, &cp.cs_own_delivered, want, deadline) != 0)
			goto out_free;
		if (cp.cs_own_last_seq != n) {
			fprintf(stderr,
				"cpgprobe: delivered seq %" PRIu64
				", expected %" PRIu64 "\n",
				cp.cs_own_last_seq, n);
			goto out_free;
		}
		rtt[n++] = now_us() - t0;
	}
	if (n == 0)
		goto out_free;
	print_times("rtt", rtt, n);
	if (cp_confirm(fd, CP_PH_RTT, n, n * CP_SMALL, o->co_listeners,
		       deadline) != 0)
		goto out_free;

	/* Phase 4: a round trip through another node. */
	if (run_pingpong(fd, o, rtt, deadline) != 0)
		goto out_free;

	/* Phases 2 and 3: pipelined. */
	if (run_pipe(fd, "pipe256", CP_PH_PIPE_SMALL, CP_SMALL,
		     o->co_small_count, o, deadline) != 0 ||
	    run_pipe(fd, "pipe64k", CP_PH_PIPE_BIG, CP_BIG, o->co_big_count, o,
		     deadline) != 0)
		goto out_free;
	printf("cpg_confirmed=yes\n");
	rc = 0;
out_free:
	if (rc != 0)
		printf("cpg_confirmed=no\n");
	cp_send(fd, CP_QUIT, 0, 0, 0, 0, CP_HDR_SIZE, now_us() + 5e6);
	free(rtt);
	return rc;
}

static int run_listener(int fd, unsigned total_s)
{
	double deadline = now_us() + total_s * 1e6;
	int ph;

	while (!cp.cs_quit) {
		if (now_us() > deadline) {
			fprintf(stderr, "cpgprobe: listener timed out\n");
			return 1;
		}
		if (cp_pump(fd, 100) != 0)
			return 1;
		if (cp.cs_ping_pending) {
			cp.cs_ping_pending = 0;
			if (cp_send(fd, CP_PONG, CP_PH_PINGPONG, cp.cs_ping_seq,
				    0, 0, CP_SMALL, deadline) != 0)
				return 1;
		}
		if (cp.cs_mark_pending) {
			ph = (int)cp.cs_mark_pending;
			cp.cs_mark_pending = 0;
			if (cp_send(fd, CP_REPORT, (uint32_t)ph, 0,
				    cp.cs_rx_count[ph], cp.cs_rx_bytes[ph],
				    CP_HDR_SIZE, deadline) != 0)
				return 1;
		}
	}
	for (ph = 1; ph < CP_NPHASES; ph++)
		printf("listener_phase%d_count=%" PRIu64 "\n", ph,
		       cp.cs_rx_count[ph]);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: cpgprobe send [-g GROUP] [-l LISTENERS] [-r RTT_COUNT] [-s SMALL_COUNT]\n"
		"                     [-b BIG_COUNT] [-p PHASE_SECONDS] [-T TOTAL_SECONDS]\n"
		"                     [-P PONG_NODE]\n"
		"       cpgprobe listen [-g GROUP] [-T TOTAL_SECONDS]\n");
	exit(2);
}

static unsigned parse_uint(const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "cpgprobe: invalid number '%s' (0 to %u)\n", s,
			max);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = cp_deliver,
		.cpg_confchg_fn = cp_confchg,
	};
	struct cp_opts o = {
		.co_listeners = 2,
		.co_rtt_count = 2000,
		.co_small_count = 20000,
		.co_big_count = 2000,
		.co_phase_s = 10,
		.co_total_s = 90,
	};
	const char *group = "oban-cpgprobe";
	int sender, opt, fd, rc;
	cs_error_t err;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "send") == 0)
		sender = 1;
	else if (strcmp(argv[1], "listen") == 0)
		sender = 0;
	else
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "g:l:r:s:b:p:T:P:")) != -1) {
		switch (opt) {
		case 'g':
			group = optarg;
			break;
		case 'l':
			o.co_listeners = parse_uint(optarg, CP_MAX_LISTENERS);
			break;
		case 'r':
			o.co_rtt_count = parse_uint(optarg, 10000000);
			break;
		case 's':
			o.co_small_count = parse_uint(optarg, 100000000);
			break;
		case 'b':
			o.co_big_count = parse_uint(optarg, 10000000);
			break;
		case 'p':
			o.co_phase_s = parse_uint(optarg, 3600);
			break;
		case 'T':
			o.co_total_s = parse_uint(optarg, 3600);
			break;
		case 'P':
			o.co_ponger = parse_uint(optarg, 65535);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || strlen(group) >= CPG_MAX_NAME_LENGTH)
		usage();

	cp.cs_buf = calloc(1, CP_BIG);
	if (!cp.cs_buf)
		return 1;
	cp.cs_pid = (uint32_t)getpid();
	strcpy(cp.cs_group.value, group);
	cp.cs_group.length = (uint32_t)strlen(group);
	err = cpg_model_initialize(&cp.cs_handle, CPG_MODEL_V1,
				   (cpg_model_data_t *)&model, NULL);
	if (err != CS_OK) {
		fprintf(stderr,
			"cpgprobe: cannot connect to corosync (cpg): error %d\n",
			err);
		return 1;
	}
	rc = 1;
	if (cpg_local_get(cp.cs_handle, &cp.cs_nodeid) != CS_OK ||
	    cpg_fd_get(cp.cs_handle, &fd) != CS_OK) {
		fprintf(stderr, "cpgprobe: cannot query corosync\n");
		goto out_finalize;
	}
	do {
		err = cpg_join(cp.cs_handle, &cp.cs_group);
		if (err == CS_ERR_TRY_AGAIN)
			usleep(10000);
	} while (err == CS_ERR_TRY_AGAIN);
	if (err != CS_OK) {
		fprintf(stderr, "cpgprobe: cannot join group '%s': error %d\n",
			group, err);
		goto out_finalize;
	}
	rc = sender ? run_sender(fd, &o) : run_listener(fd, o.co_total_s);
	cpg_leave(cp.cs_handle, &cp.cs_group);
out_finalize:
	cpg_finalize(cp.cs_handle);
	free(cp.cs_buf);
	return rc;
}
