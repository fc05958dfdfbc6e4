// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory rigs and record helpers of the mddb unit tests: what each one
 * does is in mddb_testlib.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mddb_testlib.h"
#include "ocu.h"

uint64_t rig_len = MDDB_MINBYTES; /* replica length in memory rigs */

const uint8_t rig_set_uuid[16] = { 0x5e, 0x70, 1, 2,  3,  4,  5,  6,
				   7,	 8,    9, 10, 11, 12, 13, 14 };

void rig_spec(struct rig *r, int i)
{
	memset(&r->spec[i], 0, sizeof(r->spec[i]));
	r->spec[i].rs_dev = r->dev[i];
	r->spec[i].rs_offset = 0;
	r->spec[i].rs_length = r->len[i];
	memset(r->spec[i].rs_drive_uuid, 0xd0 + i, 16);
	r->spec[i].rs_index = 0;
	snprintf(r->spec[i].rs_name, sizeof(r->spec[i].rs_name), "mem%d", i);
}

/* (Re)attach devices to the buffers; with @fault, wrap them. */
void rig_attach(struct rig *r, bool fault)
{
	int i;

	if (fault && r->ctl == NULL)
		r->ctl = mdfault_ctl_create();
	if (fault)
		mdfault_arm(r->ctl, MDF_NONE, 0, 0);
	for (i = 0; i < r->n; i++) {
		struct meta_dev *d;

		CU_ASSERT_FATAL(meta_dev_open_mem(r->buf[i], r->len[i], "mem",
						  &d, NULL) == 0);
		if (fault)
			CU_ASSERT_FATAL(mdfault_wrap(d, r->ctl, &d) == 0);
		r->dev[i] = d;
		rig_spec(r, i);
	}
}

void rig_detach(struct rig *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		meta_dev_close(r->dev[i]);
		r->dev[i] = NULL;
	}
}

void rig_init(struct rig *r, int n, bool fault)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->n = n;
	for (i = 0; i < n; i++) {
		r->buf[i] = calloc(1, rig_len);
		r->len[i] = rig_len;
		CU_ASSERT_FATAL(r->buf[i] != NULL);
	}
	rig_attach(r, fault);
}

void rig_fini(struct rig *r)
{
	int i;

	rig_detach(r);
	for (i = 0; i < r->n; i++)
		free(r->buf[i]);
	if (r->ctl != NULL)
		mdfault_ctl_destroy(r->ctl);
}

struct mddb *rig_create(struct rig *r)
{
	struct mddb_create_args a = { .ca_setno = 1,
				      .ca_setname = "blue",
				      .ca_mn = true };
	struct mddb *db = NULL;
	meta_error_t e;

	memcpy(a.ca_set_uuid, rig_set_uuid, 16);
	if (mddb_create(&a, r->spec, r->n, &db, &e) != 0)
		fprintf(stderr, "create: %s\n", meta_strerror(&e));
	CU_ASSERT_FATAL(db != NULL);
	return db;
}

struct mddb *rig_open(struct rig *r, int flags, meta_error_t *ep)
{
	struct mddb *db = NULL;

	if (mddb_open(rig_set_uuid, r->spec, r->n, flags, &db, ep) != 0)
		return NULL;
	return db;
}

/* Deterministic payload for (type, id, gen). */
size_t payload(uint32_t type, uint32_t id, uint32_t gen, uint8_t *buf,
	       size_t max)
{
	size_t len = (id * 37 + gen * 11) % 700, i;

	if (len > max)
		len = max;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(type * 31 + id * 7 + gen * 13 + i);
	return len;
}

int put(struct mddb *db, uint32_t type, uint32_t id, uint32_t gen)
{
	struct mddb_txn *t;
	uint8_t buf[700];
	size_t len = payload(type, id, gen, buf, sizeof(buf));
	meta_error_t e;

	if (mddb_txn_begin(db, &t, &e) != 0)
		return -1;
	if (mddb_txn_put(t, type, id, buf, len, &e) != 0) {
		mddb_txn_abort(t);
		return -1;
	}
	return mddb_txn_commit(t, &e);
}

/* 0 if record (type, id) holds generation @gen, -1 otherwise. */
int check_rec(struct mddb *db, uint32_t type, uint32_t id, uint32_t gen)
{
	uint8_t want[700];
	size_t wlen = payload(type, id, gen, want, sizeof(want)), len;
	void *data;
	int rc;

	if (mddb_rec_get(db, type, id, &data, &len, NULL) != 0)
		return -1;
	rc = (len == wlen && memcmp(data, want, len) == 0) ? 0 : -1;
	free(data);
	return rc;
}

bool absent(struct mddb *db, uint32_t type, uint32_t id)
{
	void *data;
	size_t len;
	meta_error_t e;

	if (mddb_rec_get(db, type, id, &data, &len, &e) == 0) {
		free(data);
		return false;
	}
	return e.me_code == ENOENT;
}

void rig_crash_read(struct rig *r, struct mddb *db, unsigned slot,
		    enum mdfault_crash variant, char *out, size_t size)
{
	meta_error_t e;
	size_t len;

	mdfault_arm(r->ctl, MDF_CRASH, 1, variant);
	(void)mddb_resync_write(db, 9, "any", 3, &e);
	CU_ASSERT(mdfault_fired(r->ctl));
	mddb_close(db);
	rig_detach(r);
	rig_attach(r, true);
	db = rig_open(r, 0, &e);
	CU_ASSERT_FATAL(db != NULL);
	if (mddb_log_read(db, slot, out, size - 1, &len, &e) == 0)
		out[len] = '\0';
	else
		out[0] = '\0';
	mddb_close(db);
}

void rig_snap(struct rig *r, uint8_t **saved, bool restore)
{
	int i;

	for (i = 0; i < r->n; i++) {
		if (!restore) {
			saved[i] = malloc(r->len[i]);
			memcpy(saved[i], r->buf[i], r->len[i]);
		} else {
			memcpy(r->buf[i], saved[i], r->len[i]);
		}
	}
}
