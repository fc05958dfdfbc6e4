// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkcorpus_mddb DIR: write the seed corpus of fuzz_mddb (real replicas made
 * by the library, in the input layout fuzz_mddb.c describes).  Not run by
 * make check; run it by hand when the format changes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>

#include "mddb_impl.h"

static void emit(const char *dir, const char *name, const uint8_t *img,
		 size_t len)
{
	char path[4096];
	size_t end = len;
	FILE *f;

	while (end > MDDB_OFF_DATA && img[end - 1] == 0)
		end--;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fwrite(img, 1, 20480, f);
	fwrite(img + MDDB_OFF_LOG, 1, 8192, f);
	fwrite(img + MDDB_OFF_DATA, 1, end - MDDB_OFF_DATA, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	const size_t len = MDDB_MINBYTES;
	uint8_t *img = meta_dev_alloc(len), big[3000];
	struct mddb_create_args a = { .ca_setno = 1,
				      .ca_setname = "blue",
				      .ca_mn = true };
	struct mddb_replica_spec spec = { 0 };
	struct meta_dev *d;
	struct mddb_txn *t;
	struct mddb *db;
	meta_error_t e;
	uint32_t i;

	if (argc != 2 || img == NULL)
		return 2;
	memset(a.ca_set_uuid, 0xab, 16);
	memset(spec.rs_drive_uuid, 0xcd, 16);
	strcpy(spec.rs_name, "seed");
	spec.rs_length = len;
	if (meta_dev_open_mem(img, len, "seed", &d, &e) != 0)
		return 1;
	spec.rs_dev = d;
	if (mddb_create(&a, &spec, 1, &db, &e) != 0)
		return 1;
	emit(argv[1], "empty", img, len);
	mddb_txn_begin(db, &t, &e);
	for (i = 0; i < 5; i++)
		mddb_txn_put(t, MDDB_RT_UNIT, i, "unit record", 11, &e);
	mddb_txn_put(t, MDDB_RT_SET, 1, "", 0, &e);
	mddb_txn_commit(t, &e);
	emit(argv[1], "records", img, len);
	memset(big, 0x5a, sizeof(big));
	mddb_txn_begin(db, &t, &e);
	mddb_txn_put(t, MDDB_RT_HSP, 7, big, sizeof(big), &e);
	mddb_txn_del(t, MDDB_RT_UNIT, 2, &e);
	mddb_txn_commit(t, &e);
	mddb_log_write(db, 0, "logged message", 14, &e);
	emit(argv[1], "log-and-big", img, len);
	mddb_close(db);

	/* Records rewritten in batches: a load reads runs with gaps and
	 * records out of block order (small enough for -max_len=65536). */
	memset(img, 0, len);
	if (mddb_create(&a, &spec, 1, &db, &e) != 0)
		return 1;
	mddb_txn_begin(db, &t, &e);
	for (i = 0; i < 24; i++)
		mddb_txn_put(t, MDDB_RT_UNIT, i, &i, sizeof(i), &e);
	mddb_txn_commit(t, &e);
	for (uint32_t g = 1; g <= 3; g++) {
		mddb_txn_begin(db, &t, &e);
		for (i = g; i < 24; i += 6)
			mddb_txn_put(t, MDDB_RT_UNIT, i, &g, sizeof(g), &e);
		mddb_txn_del(t, MDDB_RT_UNIT, 20 + g, &e);
		mddb_txn_commit(t, &e);
	}
	emit(argv[1], "gaps", img, len);
	/* The same with the directory page rewritten as if by a later commit
	 * (a block reused under a reader): the load must refuse it. */
	{
		struct mddb_commit *c = calloc(1, sizeof(*c));
		struct mddb_dirpage *dp = calloc(1, sizeof(*dp));
		uint64_t txg = mddb_txg(db), off;

		if (c == NULL || dp == NULL ||
		    mddb_commit_decode(img + MDDB_OFF_COMMIT +
					       (txg % 2) * MDDB_COMMIT_SIZE,
				       c) != 0)
			return 1;
		off = MDDB_OFF_DATA + (uint64_t)c->c_dirblk[0] * 512;
		if (mddb_dirpage_decode(img + off, dp) != 0)
			return 1;
		dp->p_txg = txg + 1;
		mddb_dirpage_encode(dp, img + off);
		free(c);
		free(dp);
	}
	emit(argv[1], "dirpage-newer", img, len);
	mddb_close(db);
	meta_dev_close(d);
	/* A drive label (fuzz_mddb decodes the first 4 KiB as one too): a
	 * 64 MiB drive with room for 3 replicas of 4 MiB. */
	{
		struct mdl_label l = { 0 };

		if (mdl_geometry(64 << 20, 512, 4 << 20, 3, &l, &e) != 0)
			return 1;
		memset(l.ml_drive_uuid, 0xcd, 16);
		memset(l.ml_set_uuid, 0xab, 16);
		l.ml_setno = 1;
		strcpy(l.ml_setname, "blue");
		strcpy(l.ml_name, "/dev/disk/by-id/seed");
		memset(img, 0, len);
		mdl_label_encode(&l, img);
		emit(argv[1], "label", img, len);
	}
	free(img);
	return 0;
}
