// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_mddb: the replica parser and loader on hostile input.
 *
 * The input is spread over a zeroed 4 MiB replica image (so that a short
 * input reaches every structure):
 *
 *   input [0, 4096)        -> the replica header
 *   input [4096, 20480)    -> the two commit slots
 *   input [20480, 28672)   -> change-log slot 0, both copies
 *   input [28672, ...)     -> the data region (directory pages, records)
 *
 * The header's own set UUID, drive UUID and index are used to open it, so
 * that the loader goes past identity checks.  When it opens, every record is
 * read, slots are read, a commit is attempted (allocation on hostile state)
 * and the inspector dumps it; the first 4 KiB are also decoded and read as
 * a drive label (seed "label" holds a valid one).  Any crash, leak or
 * undefined behaviour is a bug.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>

#include "fuzz.h"
#include "mddb_impl.h"

static int walk(void *arg, uint32_t id, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t *sum = arg;

	if (len > 0)
		*sum += p[0] + p[len - 1];
	return 0;
}

FUZZ_TARGET(fuzz_mddb)
{
	static uint8_t *img;
	static FILE *null;
	const size_t len = MDDB_MINBYTES;
	struct mddb_replica_spec spec;
	struct meta_dev *d;
	struct mdl_label l;
	struct mddb *db;
	meta_error_t e;
	size_t n, sum = 0;
	uint8_t buf[MDDB_LOG_MAXLEN];

	if (img == NULL) {
		img = meta_dev_alloc(len);
		null = fopen("/dev/null", "w");
		if (img == NULL || null == NULL)
			abort();
	}
	memset(img, 0, len);
	n = size < 20480 ? size : 20480;
	memcpy(img, data, n);
	if (size > 20480) {
		n = size - 20480 < 8192 ? size - 20480 : 8192;
		memcpy(img + MDDB_OFF_LOG, data + 20480, n);
	}
	if (size > 28672) {
		n = size - 28672;
		if (n > len - MDDB_OFF_DATA)
			n = len - MDDB_OFF_DATA;
		memcpy(img + MDDB_OFF_DATA, data + 28672, n);
	}
	(void)mdl_label_decode(img, &l);
	if (meta_dev_open_mem(img, len, "fuzz", &d, &e) != 0)
		return 0;
	(void)mdl_label_read(d, &l, &e);
	memset(&spec, 0, sizeof(spec));
	spec.rs_dev = d;
	spec.rs_length = len;
	memcpy(spec.rs_drive_uuid, img + 56, 16);
	memcpy(&spec.rs_index, img + 72, 4);
	strcpy(spec.rs_name, "fuzz");
	(void)mddb_dump_replica(d, 0, len, true, null, &e);
	if (mddb_open(img + 40, &spec, 1, 0, &db, &e) == 0) {
		struct mddb_txn *t;

		for (uint32_t type = 0; type < 8; type++)
			mddb_rec_foreach(db, type, walk, &sum, &e);
		(void)mddb_log_read(db, 0, buf, sizeof(buf), &n, &e);
		(void)mddb_resync_read(db, 0, buf, sizeof(buf), &n, &e);
		if (mddb_txn_begin(db, &t, &e) == 0) {
			mddb_txn_put(t, MDDB_RT_UNIT, 1, "fuzz", 4, &e);
			mddb_txn_del(t, MDDB_RT_SET, 1, &e);
			(void)mddb_txn_commit(t, &e);
		}
		(void)mddb_log_write(db, 1, "x", 1, &e);
		mddb_close(db);
	}
	meta_dev_close(d);
	return (int)(sum & 0);
}
