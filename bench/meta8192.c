// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta8192 - the cost of creating 8192 volumes in one set, and of metastat
 * over all of them.
 *
 *   bench/meta8192 [-d dir] [-r replicas] [-n volumes]
 *
 * A set database (mddb) of @replicas replica files of 32 MB in @dir (default
 * $TMPDIR or /tmp), and two drives that exist only for the model (no drive
 * I/O happens when configuring).  Volumes: d0 and d1 concats, d2 a mirror of
 * them, d3..d8191 soft partitions of 1 MB on the mirror (the layout an
 * Oracle RAC installation uses).  Each creation is what one metainit does
 * after loading the configuration: validate against the model, build the
 * change, encode the record, one mddb transaction (written to every
 * replica and flushed), apply to the model.
 *
 * Printed: the cost of the first and the last hundred creations and their
 * ratio (goal: <= 1.5, i.e. a creation does not get dearer as the set
 * fills); what every command pays first at 8192 volumes (open the mddb and
 * load and check the whole configuration); and metastat over all volumes
 * (open, load, print the long form; goal <= 1 s), plus -p.  No assertions:
 * the machine is shared and noisy.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/meta_cfg.h>
#include <oban/meta_dev.h>

#define REPLICA_BYTES (32ULL << 20)
#define MAXREPL 8

static const uint8_t set_uuid[16] = { 0xbe, 0x9c, 0x81, 0x92 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lookup(void *arg, const char *name, struct meta_drive *d,
		  meta_error_t *ep)
{
	if (strcmp(name, "drvA") != 0 && strcmp(name, "drvB") != 0)
		return meta_error_set(ep, ENOENT, 0, name, "no drive");
	memset(d, 0, sizeof(*d));
	snprintf(d->md_name, sizeof(d->md_name), "%s", name);
	d->md_uuid[0] = (uint8_t)name[3];
	d->md_len = 64ULL << 21; /* 64 GB */
	return 0;
}

struct rig {
	int r_n;
	char r_path[MAXREPL][640];
	struct meta_dev *r_dev[MAXREPL];
	struct mddb_replica_spec r_spec[MAXREPL];
	struct mddb *r_db;
};

static int rig_open(struct rig *r, bool create, meta_error_t *ep)
{
	for (int i = 0; i < r->r_n; i++) {
		if (meta_dev_open(r->r_path[i], 0, &r->r_dev[i], ep) != 0)
			return -1;
		memset(&r->r_spec[i], 0, sizeof(r->r_spec[i]));
		r->r_spec[i].rs_dev = r->r_dev[i];
		r->r_spec[i].rs_length = REPLICA_BYTES;
		memset(r->r_spec[i].rs_drive_uuid, 0x10 + i, 16);
		snprintf(r->r_spec[i].rs_name, sizeof(r->r_spec[i].rs_name),
			 "replica%d", i);
	}
	if (create) {
		struct mddb_create_args a = { .ca_setno = 1,
					      .ca_setname = "bench",
					      .ca_mn = true };

		memcpy(a.ca_set_uuid, set_uuid, 16);
		return mddb_create(&a, r->r_spec, r->r_n, &r->r_db, ep);
	}
	return mddb_open(set_uuid, r->r_spec, r->r_n, 0, &r->r_db, ep);
}

static void rig_close(struct rig *r)
{
	mddb_close(r->r_db);
	r->r_db = NULL;
	for (int i = 0; i < r->r_n; i++) {
		meta_dev_close(r->r_dev[i]);
		r->r_dev[i] = NULL;
	}
}

static int create_one(struct meta_cfgh *h, uint32_t i, meta_error_t *ep)
{
	struct meta_change ch;
	int rc;

	meta_change_init(&ch);
	if (i < 2) {
		const char *d = i == 0 ? "drvA" : "drvB";
		struct meta_rowspec row = { 1, 0, &d };

		rc = meta_op_stripe(h->ch_cfg, i, 1, &row, META_NONE, &ch, ep);
	} else if (i == 2) {
		uint32_t sm[2] = { 0, 1 };

		rc = meta_op_mirror(h->ch_cfg, 2, 2, sm, NULL, &ch, ep);
	} else {
		uint64_t size = 2048; /* 1 MB */

		rc = meta_op_sp(h->ch_cfg, i, "d2", 1, &size, &ch, ep);
	}
	if (rc == 0)
		rc = meta_cfg_apply(h->ch_cfg, &ch, &h->ch_store, ep);
	meta_change_release(&ch);
	return rc;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	uint32_t nvol = META_MAXUNITS;
	struct rig r = { .r_n = 1 };
	struct meta_cfgh h;
	meta_error_t e;
	double *cost, t0, first = 0, last = 0, tload, tstat, tp, topen = 0;
	char tmpl[600];
	FILE *devnull;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "d:r:n:")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'r':
			r.r_n = atoi(optarg);
			break;
		case 'n':
			nvol = (uint32_t)atoi(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: meta8192 [-d dir] [-r replicas] "
				"[-n volumes]\n");
			return 2;
		}
	}
	if (r.r_n < 1 || r.r_n > MAXREPL || nvol < 203 ||
	    nvol > META_MAXUNITS) {
		fprintf(stderr, "meta8192: 1..%d replicas, 203..%d volumes\n",
			MAXREPL, META_MAXUNITS);
		return 2;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/meta8192.XXXXXX", dir);
	if (mkdtemp(tmpl) == NULL) {
		perror("meta8192: mkdtemp");
		return 1;
	}
	for (int i = 0; i < r.r_n; i++) {
		int fd;

		snprintf(r.r_path[i], sizeof(r.r_path[i]), "%s/replica%d", tmpl,
			 i);
		fd = open(r.r_path[i], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)REPLICA_BYTES) != 0) {
			perror("meta8192: replica file");
			goto out_rm;
		}
		close(fd);
	}
	cost = calloc(nvol, sizeof(*cost));
	devnull = fopen("/dev/null", "w");
	if (cost == NULL || devnull == NULL)
		goto out_rm;
	meta_error_init(&e);
	if (rig_open(&r, true, &e) != 0 ||
	    meta_cfgh_init(&h, r.r_db, "bench", 1, true, lookup, NULL, &e)) {
		fprintf(stderr, "meta8192: %s\n", meta_strerror(&e));
		goto out_rm;
	}
	for (uint32_t i = 0; i < nvol; i++) {
		t0 = now();
		if (create_one(&h, i, &e) != 0) {
			fprintf(stderr, "meta8192: d%" PRIu32 ": %s\n", i,
				meta_strerror(&e));
			meta_cfgh_release(&h);
			rig_close(&r);
			goto out_rm;
		}
		cost[i] = now() - t0;
	}
	meta_cfgh_release(&h);
	rig_close(&r);
	for (uint32_t i = 0; i < 100; i++) {
		first += cost[i];
		last += cost[nvol - 100 + i];
	}

	/* What each command pays first: open the mddb, load, check. */
	t0 = now();
	if (rig_open(&r, false, &e) == 0)
		topen = now() - t0;
	if (r.r_db == NULL ||
	    meta_cfgh_init(&h, r.r_db, "bench", 1, true, lookup, NULL, &e)) {
		fprintf(stderr, "meta8192: reload: %s\n", meta_strerror(&e));
		goto out_rm;
	}
	tload = now() - t0;
	if (meta_cfg_nunits(h.ch_cfg) != nvol) {
		fprintf(stderr, "meta8192: reloaded %" PRIu32 " volumes\n",
			meta_cfg_nunits(h.ch_cfg));
		goto out_rm;
	}
	meta_cfgh_release(&h);
	rig_close(&r);

	/* metastat: open, load, print everything (long form). */
	t0 = now();
	if (rig_open(&r, false, &e) != 0 ||
	    meta_cfgh_init(&h, r.r_db, "bench", 1, true, lookup, NULL, &e)) {
		fprintf(stderr, "meta8192: metastat: %s\n", meta_strerror(&e));
		goto out_rm;
	}
	meta_print_status(h.ch_cfg, devnull, 0, NULL);
	fflush(devnull);
	tstat = now() - t0;
	t0 = now();
	meta_print_mdtab(h.ch_cfg, devnull, 0, NULL);
	fflush(devnull);
	tp = now() - t0;
	meta_cfgh_release(&h);
	rig_close(&r);

	printf("meta8192: %" PRIu32 " volumes in one set (2 concats, 1 "
	       "mirror, %" PRIu32 " soft partitions on it), %d replica(s) of "
	       "%llu MB in %s\n",
	       nvol, nvol - 3, r.r_n, REPLICA_BYTES >> 20, dir);
	printf("  first 100 creations: %8.1f ms  (%7.1f us each)\n",
	       first * 1e3, first * 1e4);
	printf("  last 100 creations:  %8.1f ms  (%7.1f us each)\n", last * 1e3,
	       last * 1e4);
	printf("  last/first:          %8.2f     (goal <= 1.5)\n",
	       last / first);
	printf("  open + load + check of all %" PRIu32
	       " (each command pays it first): %.1f ms (mddb_open %.1f ms)\n",
	       nvol, tload * 1e3, topen * 1e3);
	printf("  metastat (open, load, long form of all): %.1f ms  (goal <= "
	       "1000 ms)\n",
	       tstat * 1e3);
	printf("  metastat -p (print only, model loaded): %.1f ms\n", tp * 1e3);
	rc = 0;
out_rm:
	for (int i = 0; i < r.r_n; i++)
		unlink(r.r_path[i]);
	rmdir(tmpl);
	return rc;
}
