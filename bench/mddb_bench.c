// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mddb_bench: create 8192 volume records one commit at a time in a set of
 * three file-backed 16 MiB replicas, as metainit would, and print the cost of
 * each block of 1024 commits, then the time to load all 8192 records.  A
 * commit's cost must not grow with the number of records: compare the
 * first and the last lines.
 *
 *   mddb_bench [DIR] [RECORD-BYTES]   (default: /tmp, 512 bytes)
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/meta_dev.h>

#define NREP 3
#define NREC 8192

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	size_t reclen = argc > 2 ? strtoul(argv[2], NULL, 0) : 512;
	struct mddb_create_args a = { .ca_setno = 1,
				      .ca_setname = "bench",
				      .ca_mn = true };
	struct mddb_replica_spec spec[NREP];
	struct meta_dev *dev[NREP];
	struct mddb *db;
	meta_error_t e;
	char path[NREP][4096];
	uint8_t *rec = calloc(1, reclen + 1);
	double t0, t1;
	int i;

	if (rec == NULL)
		return 1;
	for (i = 0; i < NREP; i++) {
		int fd;

		snprintf(path[i], sizeof(path[i]), "%s/mddb_bench.%d.%d", dir,
			 (int)getpid(), i);
		fd = open(path[i], O_CREAT | O_RDWR | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 16 << 20) != 0) {
			perror(path[i]);
			return 1;
		}
		close(fd);
		if (meta_dev_open(path[i], 0, &dev[i], &e) != 0) {
			fprintf(stderr, "%s\n", meta_strerror(&e));
			return 1;
		}
		memset(&spec[i], 0, sizeof(spec[i]));
		spec[i].rs_dev = dev[i];
		spec[i].rs_length = 16 << 20;
		memset(spec[i].rs_drive_uuid, i + 1, 16);
		snprintf(spec[i].rs_name, sizeof(spec[i].rs_name), "r%d", i);
	}
	memset(a.ca_set_uuid, 7, 16);
	if (mddb_create(&a, spec, NREP, &db, &e) != 0) {
		fprintf(stderr, "%s\n", meta_strerror(&e));
		return 1;
	}
	printf("%d replicas, %zu-byte records, direct I/O %s\n", NREP, reclen,
	       dev[0]->md_direct ? "yes" : "no (buffered + fdatasync)");
	t0 = now();
	for (uint32_t id = 0; id < NREC; id++) {
		struct mddb_txn *t;

		memcpy(rec, &id, sizeof(id));
		if (mddb_txn_begin(db, &t, &e) != 0 ||
		    mddb_txn_put(t, MDDB_RT_UNIT, id, rec, reclen, &e) != 0 ||
		    mddb_txn_commit(t, &e) != 0) {
			fprintf(stderr, "record %u: %s\n", id,
				meta_strerror(&e));
			return 1;
		}
		if ((id + 1) % 1024 == 0) {
			t1 = now();
			printf("records %5u..%5u: %.3f ms per commit\n",
			       id - 1023, id, (t1 - t0) * 1000 / 1024);
			t0 = t1;
		}
	}
	mddb_close(db);
	t0 = now();
	if (mddb_open(a.ca_set_uuid, spec, NREP, 0, &db, &e) != 0) {
		fprintf(stderr, "%s\n", meta_strerror(&e));
		return 1;
	}
	t1 = now();
	printf("load of %d records: %.1f ms\n", NREC, (t1 - t0) * 1000);
	mddb_close(db);
	for (i = 0; i < NREP; i++) {
		meta_dev_close(dev[i]);
		unlink(path[i]);
	}
	free(rec);
	return 0;
}
