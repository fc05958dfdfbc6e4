// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the configuration model's record decoder
 * (lib/libmeta/meta_unit_fmt.c, doc/format-units.md): meta_unit_decode()
 * and meta_hsp_decode(), which read unit and hot spare pool records from
 * the replicas.
 *
 * Input: byte 0 chooses the record kind (even: a unit, odd: a pool); the
 * rest is the record.  It is decoded twice: as it is, with the record id
 * taken from the record's own number field (so that the id check passes
 * and mutations reach the body), and once more with the header's record
 * length set to the true length (so that mutations get past the length
 * check).  The decoder must refuse with an error set, or accept; a record
 * it accepts must encode back to exactly the same bytes (one layout, one
 * encoder, one decoder).  Anything else aborts.  Seeds:
 * tests/fuzz/corpus/fuzz_units/ (written by tests/fuzz/mkcorpus_units).
 */
#include "config.h"

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <oban/error.h>
#include <oban/meta_cfg.h>

#include "fuzz.h"

/* Offsets in the record headers (meta_unit_fmt.c). */
#define FU_UNIT_RECLEN 8
#define FU_UNIT_NUM 20
#define FU_HSP_RECLEN 8
#define FU_HSP_NUM 16

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static void check_one(int pool, const uint8_t *rec, size_t len)
{
	uint32_t id = 0;
	meta_error_t e;
	void *again = NULL;
	size_t alen = 0;
	int rc;

	if (len >= (pool ? FU_HSP_NUM : FU_UNIT_NUM) + 4)
		id = get32(rec + (pool ? FU_HSP_NUM : FU_UNIT_NUM));
	meta_error_init(&e);
	if (pool) {
		struct meta_hsp *hp = NULL;

		rc = meta_hsp_decode(id, len ? rec : NULL, len, &hp, &e);
		if (rc == 0) {
			if (hp == NULL || hp->hp_num != id ||
			    meta_hsp_encode(hp, &again, &alen, &e) != 0)
				abort();
			meta_hsp_free(hp);
		}
	} else {
		struct meta_unit *u = NULL;

		rc = meta_unit_decode(id, len ? rec : NULL, len, &u, &e);
		if (rc == 0) {
			if (u == NULL || u->mu_num != id ||
			    meta_unit_encode(u, &again, &alen, &e) != 0)
				abort();
			meta_unit_free(u);
		}
	}
	if (rc != 0) {
		if (rc != -1 || !meta_error_isset(&e))
			abort();
		return;
	}
	if (alen != len || memcmp(again, rec, len) != 0)
		abort();
	free(again);
}

FUZZ_TARGET(fuzz_units)
{
	uint8_t *copy;
	size_t len;
	int pool;
	uint32_t l;

	if (size < 1)
		return 0;
	pool = data[0] & 1;
	len = size - 1;
	/* a separate allocation of exactly the record: overruns show */
	copy = malloc(len ? len : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, len);
	check_one(pool, copy, len);
	if (len >= FU_UNIT_RECLEN + 4 && len <= UINT32_MAX) {
		l = htole32((uint32_t)len);
		memcpy(copy + (pool ? FU_HSP_RECLEN : FU_UNIT_RECLEN), &l,
		       sizeof(l));
		check_one(pool, copy, len);
	}
	free(copy);
	return 0;
}
