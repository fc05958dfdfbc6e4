// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcinject: multicast bad packets into mdcommd's CPG group, for the
 * bad-input scenario (tests/cluster/t0101-mdcommd-badinput.sh).
 *
 *   mdcinject [-g GROUP] [-n COUNT] [-s SEED] KIND...
 *   mdcinject -d [-n COUNT] [-s SEED] KIND...
 *
 * joins GROUP (default "oban", mdcommd's), multicasts COUNT (default 1)
 * packets of each KIND with CPG_TYPE_AGREED, prints "sent N KIND" for each
 * and leaves.  With -d (dry run) it sends nothing: it decodes each packet
 * with mdc_wire_decode() as node 1 would, from node 2, and prints the
 * verdict.  Every packet starts as a valid REQUEST for TEST2 (NO_LOG)
 * encoded by the library's own encoder (mdc_wire_encode), then is spoiled
 * one way; where the spoiled field is under the checksum, the CRC-32C is
 * computed again so that the decoder reaches the field:
 *
 *   truncated     the header cut at 40 bytes, or the payload one byte short
 *                 (alternately)
 *   oversized     a payload length over MDC_WIRE_MAXPAY with that many bytes
 *                 behind it, or valid packet with trailing bytes (alternately)
 *   unknown-type  message type 999
 *   wrong-set     set MDC_MAXSETS + 7 (no such set)
 *   bad-csum      one checksum bit flipped
 *   bad-magic     the magic number changed
 *   wrong-sender  the "from" field names another node than the CPG sender
 *   garbage       1..2000 random bytes (xorshift from SEED)
 *
 * Exit status: 0 when every packet was sent, 1 on a CPG error, 2 on bad
 * usage.  Not installed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <corosync/cpg.h>

#include <oban/mdc_msg.h>
#include <oban/mdc_wire.h>

#define OFF_TYPE 10
#define OFF_SET 16
#define OFF_FROM 36
#define OFF_PAYLEN 52
#define OFF_CSUM 60

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void recrc(uint8_t *p, size_t len)
{
	put32(p + OFF_CSUM, 0);
	put32(p + OFF_CSUM, mdc_crc32c(0, p, len));
}

static void deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t node,
		    uint32_t pid, void *msg, size_t len)
{
	(void)h, (void)g, (void)node, (void)pid, (void)msg, (void)len;
}

static void confchg(cpg_handle_t h, const struct cpg_name *g,
		    const struct cpg_address *m, size_t nm,
		    const struct cpg_address *l, size_t nl,
		    const struct cpg_address *j, size_t nj)
{
	(void)h, (void)g, (void)m, (void)nm, (void)l, (void)nl, (void)j,
		(void)nj;
}

static int mcast(cpg_handle_t h, const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	cs_error_t rc;

	for (int i = 0; i < 500; i++) {
		rc = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (rc != CS_ERR_TRY_AGAIN)
			break;
		usleep(10000);
	}
	if (rc != CS_OK) {
		fprintf(stderr, "mdcinject: cannot multicast: error %d\n", rc);
		return -1;
	}
	return 0;
}

/* A valid REQUEST for TEST2 from @self into @buf; returns its length. */
static size_t valid(uint8_t *buf, size_t cap, uint32_t self, uint64_t seq)
{
	static struct mdc_packet pk;
	meta_error_t e;
	size_t len = 0;

	memset(&pk, 0, sizeof(pk));
	pk.pk_kind = MDC_WK_REQUEST;
	pk.pk_from = self;
	pk.pk_to = 0;
	pk.pk_msg.mm_id.mi_nid = self;
	pk.pk_msg.mm_id.mi_seq = seq;
	pk.pk_msg.mm_id.mi_oclass = 2; /* TEST2 is of class 2 */
	pk.pk_msg.mm_type = MDC_MSG_TEST2;
	pk.pk_msg.mm_flags = MDC_F_NO_LOG;
	pk.pk_msg.mm_set = 1;
	pk.pk_msg.mm_sender = self;
	pk.pk_msg.mm_len = 8;
	memcpy(pk.pk_msg.mm_data, "injected", 8);
	meta_error_init(&e);
	if (mdc_wire_encode(&pk, buf, cap, &len, &e) != 0) {
		fprintf(stderr, "mdcinject: %s\n", meta_strerror(&e));
		exit(1);
	}
	return len;
}

/* Spoil a valid packet as @kind (the @i-th of its kind); returns the
 * length to send, or 0 for an unknown kind. */
static size_t spoil(const char *kind, unsigned i, uint8_t *buf, size_t cap,
		    uint32_t self)
{
	size_t len = valid(buf, cap, self, 0x7fff000000000000ULL + i);

	if (strcmp(kind, "truncated") == 0)
		return i % 2 ? len - 1 : 40;
	if (strcmp(kind, "oversized") == 0) {
		if (i % 2) {
			memset(buf + len, 0, 16);
			return len + 16;
		}
		len = MDC_WIRE_HDRLEN + MDC_WIRE_MAXPAY + 64;
		memset(buf + MDC_WIRE_HDRLEN, 0xa5, len - MDC_WIRE_HDRLEN);
		put32(buf + OFF_PAYLEN, (uint32_t)(len - MDC_WIRE_HDRLEN));
		recrc(buf, len);
		return len;
	}
	if (strcmp(kind, "unknown-type") == 0) {
		put16(buf + OFF_TYPE, 999);
		recrc(buf, len);
		return len;
	}
	if (strcmp(kind, "wrong-set") == 0) {
		put32(buf + OFF_SET, MDC_MAXSETS + 7);
		recrc(buf, len);
		return len;
	}
	if (strcmp(kind, "bad-csum") == 0) {
		buf[OFF_CSUM] ^= 0x10;
		return len;
	}
	if (strcmp(kind, "bad-magic") == 0) {
		buf[0] ^= 0xff;
		recrc(buf, len);
		return len;
	}
	if (strcmp(kind, "wrong-sender") == 0) {
		put32(buf + OFF_FROM, self == 1 ? 2 : 1);
		recrc(buf, len);
		return len;
	}
	if (strcmp(kind, "garbage") == 0) {
		len = 1 + xorshift() % 2000;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)xorshift();
		return len;
	}
	return 0;
}

static int dry_run(char **kinds, int n, unsigned count)
{
	static uint8_t buf[2 * MDC_WIRE_MAXLEN + 4096];
	static struct mdc_packet pk;

	for (int a = 0; a < n; a++) {
		for (unsigned i = 0; i < count; i++) {
			size_t len = spoil(kinds[a], i, buf, sizeof(buf), 2);
			meta_error_t e;

			meta_error_init(&e);
			if (mdc_wire_decode(buf, len, 0, &pk, NULL, &e) != 0)
				printf("%s %u: %zu bytes: %s\n", kinds[a], i,
				       len, meta_strerror(&e));
			else
				printf("%s %u: %zu bytes: decodes, from node "
				       "%u (sent by node 2)\n",
				       kinds[a], i, len, pk.pk_from);
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mdcinject [-g GROUP] [-n COUNT] [-s SEED] "
			"KIND...\n"
			"kinds: truncated oversized unknown-type wrong-set "
			"bad-csum bad-magic wrong-sender garbage\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static uint8_t buf[2 * MDC_WIRE_MAXLEN + 4096];
	cpg_model_v1_data_t model = { .cpg_deliver_fn = deliver,
				      .cpg_confchg_fn = confchg };
	const char *group = "oban";
	struct cpg_name name;
	cpg_handle_t h;
	unsigned count = 1;
	unsigned int self;
	cs_error_t rc;
	int opt, ret = 0, dry = 0;

	while ((opt = getopt(argc, argv, "dg:n:s:")) != -1) {
		switch (opt) {
		case 'd':
			dry = 1;
			break;
		case 'g':
			group = optarg;
			break;
		case 'n':
			count = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng = strtoull(optarg, NULL, 0) | 1;
			break;
		default:
			usage();
		}
	}
	if (optind == argc || count == 0 || count > 100000 ||
	    strlen(group) >= sizeof(name.value))
		usage();
	for (int a = optind; a < argc; a++)
		if (spoil(argv[a], 0, buf, sizeof(buf), 1) == 0)
			usage();
	if (dry)
		return dry_run(argv + optind, argc - optind, count);
	rc = cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&model,
				  NULL);
	if (rc != CS_OK) {
		fprintf(stderr, "mdcinject: cannot connect to corosync: %d\n",
			rc);
		return 1;
	}
	if (cpg_local_get(h, &self) != CS_OK) {
		fprintf(stderr, "mdcinject: cannot get the local node id\n");
		cpg_finalize(h);
		return 1;
	}
	memset(&name, 0, sizeof(name));
	name.length = (uint32_t)strlen(group);
	memcpy(name.value, group, name.length);
	for (int i = 0; i < 500; i++) {
		rc = cpg_join(h, &name);
		if (rc != CS_ERR_TRY_AGAIN)
			break;
		usleep(10000);
	}
	if (rc != CS_OK) {
		fprintf(stderr, "mdcinject: cannot join group '%s': %d\n",
			group, rc);
		cpg_finalize(h);
		return 1;
	}
	for (int a = optind; a < argc && ret == 0; a++) {
		unsigned i;

		for (i = 0; i < count; i++) {
			size_t len = spoil(argv[a], i, buf, sizeof(buf), self);

			if (mcast(h, buf, len) != 0) {
				ret = 1;
				break;
			}
		}
		printf("sent %u %s\n", i, argv[a]);
	}
	(void)cpg_leave(h, &name);
	cpg_finalize(h);
	return ret;
}
