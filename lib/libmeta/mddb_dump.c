// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mddb_dump_replica: the offline inspector's view of one replica (zdb,
 * mdb_stat).  It decodes with the same functions the loader uses and prints
 * what it finds, including what is wrong, without writing anything.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/mdl.h>

#include "mddb_impl.h"
#include "meta_crc.h"

static const char *code_str(int err)
{
	return err == 0 ? "ok" : meta_strcode(err);
}

static void dump_commit(FILE *out, int k, int err, const struct mddb_commit *c)
{
	uint32_t i;
	char u[37];

	fprintf(out, "  commit slot %d: %s", k, code_str(err));
	if (err != 0) {
		fprintf(out, "\n");
		return;
	}
	fprintf(out,
		"  txg %" PRIu64 "  time %" PRIu64 "  records %u"
		"  dirpages %u  replicas %u\n",
		c->c_txg, c->c_time, c->c_nrecords, c->c_ndirpages,
		c->c_nlocators);
	for (i = 0; i < c->c_nlocators; i++) {
		mdl_uuid_format(c->c_locs[i].l_drive_uuid, u);
		fprintf(out, "    locator %u: drive %s replica %u flags %#x\n",
			i, u, c->c_locs[i].l_index, c->c_locs[i].l_flags);
	}
}

static void dump_slots(FILE *out, struct meta_dev *d, uint64_t base,
		       const char *magic, const char *what, unsigned nslots,
		       bool only_used, uint8_t *buf)
{
	struct mddb_slot *s = malloc(sizeof(*s));
	meta_error_t e;
	unsigned i, c;

	if (s == NULL)
		return;
	for (i = 0; i < nslots; i++) {
		if (meta_dev_read(d, buf, 2 * MDDB_SLOT_SIZE,
				  base + (uint64_t)i * 2 * MDDB_SLOT_SIZE,
				  &e) != 0) {
			fprintf(out, "  %s %u: %s\n", what, i,
				meta_strerror(&e));
			continue;
		}
		for (c = 0; c < 2; c++) {
			int err = mddb_slot_decode(buf + c * MDDB_SLOT_SIZE,
						   magic, s);
			if (err == ME_MDDB_BADMAGIC && only_used)
				continue;
			if (err == ME_MDDB_BADMAGIC) {
				fprintf(out, "  %s %u copy %u: empty\n", what,
					i, c);
				continue;
			}
			if (err != 0) {
				fprintf(out, "  %s %u copy %u: %s\n", what, i,
					c, code_str(err));
				continue;
			}
			if (only_used && !(s->s_flags & MDDB_SLOT_INUSE))
				continue;
			fprintf(out,
				"  %s %u copy %u: seq %" PRIu64
				" %s len %u time %" PRIu64 "\n",
				what, i, c, s->s_seq,
				(s->s_flags & MDDB_SLOT_INUSE) ? "in-use" :
								 "clear",
				s->s_len, s->s_time);
		}
	}
	free(s);
}

int mddb_dump_replica(struct meta_dev *d, uint64_t off, uint64_t len,
		      bool records, FILE *out, meta_error_t *ep)
{
	struct mddb_hdr h;
	struct mddb_commit *c = calloc(2, sizeof(*c));
	struct mddb_dirpage *pg = calloc(1, sizeof(*pg));
	uint8_t *buf = meta_dev_alloc(MDDB_REC_MAXLEN + 8192);
	int err, k, best = -1, cerr[2];
	char u1[37], u2[37];
	uint32_t p, i;

	if (c == NULL || pg == NULL || buf == NULL) {
		free(c);
		free(pg);
		free(buf);
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot dump");
	}
	if (off + MDDB_OFF_DATA > d->md_size ||
	    meta_dev_read(d, buf, MDDB_HDR_SIZE, off, ep) != 0) {
		if (off + MDDB_OFF_DATA > d->md_size)
			meta_error_set(ep, ME_MDDB_TRUNCATED, 0, d->md_path,
				       "cannot dump replica of");
		free(c);
		free(pg);
		free(buf);
		return -1;
	}
	fprintf(out, "replica at byte %" PRIu64 " (%" PRIu64 " bytes):\n", off,
		len);
	err = mddb_hdr_decode(buf, &h);
	fprintf(out, "  header: %s\n", code_str(err));
	if (err != 0)
		goto out;
	mdl_uuid_format(h.h_set_uuid, u1);
	mdl_uuid_format(h.h_drive_uuid, u2);
	fprintf(out,
		"  set '%s' number %u uuid %s%s\n  drive %s replica %u\n"
		"  version %u block size %u length %" PRIu64 " data blocks %u\n"
		"  features compat %#" PRIx64 " incompat %#" PRIx64
		" ro_compat %#" PRIx64 "\n",
		h.h_setname, h.h_setno, u1,
		(h.h_flags & MDDB_HF_MN) ? " (multi-owner)" : "", u2, h.h_index,
		h.h_version, h.h_bsize, h.h_length, h.h_data_blocks, h.h_compat,
		h.h_incompat, h.h_ro_compat);
	if (off + h.h_length > d->md_size) {
		fprintf(out, "  truncated: the device ends before the "
			     "replica\n");
		goto out;
	}
	if (meta_dev_read(d, buf, 2 * MDDB_COMMIT_SIZE, off + MDDB_OFF_COMMIT,
			  ep) != 0)
		goto out_err;
	for (k = 0; k < 2; k++) {
		cerr[k] = mddb_commit_decode(buf + k * MDDB_COMMIT_SIZE, &c[k]);
		dump_commit(out, k, cerr[k], &c[k]);
		if (cerr[k] == 0 && (best < 0 || c[k].c_txg > c[best].c_txg))
			best = k;
	}
	if (best >= 0) {
		fprintf(out, "  newest: slot %d, txg %" PRIu64 "\n", best,
			c[best].c_txg);
		for (p = 0; p < c[best].c_ndirpages; p++) {
			uint32_t blk = c[best].c_dirblk[p];
			uint64_t bo =
				off + MDDB_OFF_DATA + (uint64_t)blk * h.h_bsize;

			if (blk == MDDB_NOBLK)
				continue;
			if (blk >= h.h_data_blocks ||
			    meta_dev_read(d, buf, MDDB_DIRPAGE_SIZE, bo, ep) !=
				    0) {
				fprintf(out, "  dirpage %u: unreadable\n", p);
				continue;
			}
			err = mddb_dirpage_decode(buf, pg);
			fprintf(out, "  dirpage %u at block %u: %s, %u used\n",
				p, blk, code_str(err), err ? 0 : pg->p_nused);
			if (err != 0 || !records)
				continue;
			for (i = 0; i < MDDB_DIRENTS; i++) {
				const struct mddb_dirent *e = &pg->p_ents[i];
				struct mddb_rechdr rh;
				size_t sz = (size_t)e->e_nblks * h.h_bsize;
				const char *st = "ok";

				if (e->e_type == 0)
					continue;
				if (e->e_blk >= h.h_data_blocks ||
				    e->e_nblks > h.h_data_blocks - e->e_blk ||
				    sz > MDDB_REC_MAXLEN + 8192 ||
				    meta_dev_read(d, buf, sz,
						  off + MDDB_OFF_DATA +
							  (uint64_t)e->e_blk *
								  h.h_bsize,
						  ep) != 0)
					st = "unreadable";
				else if (mddb_rechdr_decode(buf, &rh) != 0 ||
					 rh.rh_len != e->e_len ||
					 meta_crc32c(0, buf + MDDB_RECHDR_SIZE,
						     e->e_len) != e->e_dcrc)
					st = "BAD CHECKSUM";
				fprintf(out,
					"    record type %u id %u len %u txg "
					"%" PRIu64 " block %u+%u crc %08x %s\n",
					e->e_type, e->e_id, e->e_len, e->e_txg,
					e->e_blk, e->e_nblks, e->e_dcrc, st);
			}
		}
	}
	dump_slots(out, d, off + MDDB_OFF_LOG, MDDB_MAGIC_LOG,
		   "change-log slot", MDDB_LOG_SLOTS, false, buf);
	dump_slots(out, d, off + MDDB_OFF_RS, MDDB_MAGIC_RS, "resync slot",
		   MDDB_RS_SLOTS, true, buf);
out:
	free(c);
	free(pg);
	free(buf);
	return 0;
out_err:
	free(c);
	free(pg);
	free(buf);
	return -1;
}
