// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkcorpus_units DIR: write the seed corpus of fuzz_units (records made by
 * the library's own encoders, prefixed with fuzz_units' kind byte: 0 for a
 * unit, 1 for a pool).  Not run by make check; run it by hand when the
 * format changes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/error.h>
#include <oban/meta_cfg.h>

static void emit(const char *dir, const char *name, int kind, const void *rec,
		 size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fputc(kind, f) == EOF ||
	    fwrite(rec, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void comp(struct meta_comp *c, const char *name, uint64_t start)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->mc_name, sizeof(c->mc_name), "%s", name);
	memset(c->mc_uuid, 0x5a, sizeof(c->mc_uuid));
	c->mc_start = start;
	c->mc_size = 204800;
	c->mc_state = META_CS_OKAY;
}

static void unit(const char *dir, const char *name, struct meta_unit *u)
{
	meta_error_t e;
	void *buf;
	size_t len;

	meta_error_init(&e);
	if (meta_unit_encode(u, &buf, &len, &e) != 0) {
		fprintf(stderr, "%s: cannot encode\n", name);
		exit(1);
	}
	emit(dir, name, 0, buf, len);
	free(buf);
}

int main(int argc, char **argv)
{
	struct meta_comp comps[4];
	struct meta_row rows[2];
	struct meta_ext ext[2];
	struct meta_spare sp[2];
	struct meta_unit u;
	struct meta_hsp h;
	meta_error_t e;
	void *buf;
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus_units DIR\n");
		return 2;
	}
	/* d10: a concat of two rows, the second a stripe of three */
	comp(&comps[0], "/dev/sdb", 0);
	comp(&comps[1], "/dev/sdc", 0);
	comp(&comps[2], "/dev/sdd", 16);
	comp(&comps[3], "/dev/sde", 0);
	comps[3].mc_state = META_CS_ERRED;
	rows[0] = (struct meta_row){ .mr_ncomp = 1, .mr_comps = &comps[0] };
	rows[1] = (struct meta_row){ .mr_ncomp = 3,
				     .mr_interlace = 32,
				     .mr_comps = &comps[1] };
	memset(&u, 0, sizeof(u));
	u.mu_num = 10;
	u.mu_type = META_UT_STRIPE;
	u.mu_size = 4 * 204800;
	u.mu_st.st_nrows = 2;
	u.mu_st.st_hsp = 1;
	u.mu_st.st_rows = rows;
	unit(argv[1], "stripe", &u);
	u.mu_num = 11;
	u.mu_st.st_nrows = 1;
	u.mu_st.st_hsp = META_NONE;
	unit(argv[1], "simple", &u);

	/* d0: a two-way mirror */
	memset(&u, 0, sizeof(u));
	u.mu_num = 0;
	u.mu_type = META_UT_MIRROR;
	u.mu_size = 204800;
	u.mu_mm.mm_nsm = 2;
	u.mu_mm.mm_sm[0] = 10;
	u.mu_mm.mm_sm[1] = 11;
	u.mu_mm.mm_smstate[0] = META_SMS_RUNNING;
	u.mu_mm.mm_smstate[1] = META_SMS_ATTACHED_RESYNC;
	u.mu_mm.mm_read = META_RD_GEOMETRIC;
	u.mu_mm.mm_pass = 1;
	u.mu_mm.mm_rsslot = 3;
	unit(argv[1], "mirror", &u);

	/* d20 on a drive, d21 on d0: soft partitions */
	ext[0] =
		(struct meta_ext){ .me_voff = 0, .me_poff = 1, .me_len = 2048 };
	ext[1] = (struct meta_ext){ .me_voff = 2048,
				    .me_poff = 4097,
				    .me_len = 1024 };
	memset(&u, 0, sizeof(u));
	u.mu_num = 20;
	u.mu_type = META_UT_SP;
	u.mu_size = 3072;
	u.mu_sp.sp_parent = META_NONE;
	snprintf(u.mu_sp.sp_drive, sizeof(u.mu_sp.sp_drive), "/dev/sdf");
	memset(u.mu_sp.sp_uuid, 0x33, sizeof(u.mu_sp.sp_uuid));
	u.mu_sp.sp_state = META_CS_OKAY;
	u.mu_sp.sp_next = 2;
	u.mu_sp.sp_ext = ext;
	unit(argv[1], "softpart-drive", &u);
	u.mu_num = 21;
	u.mu_sp.sp_parent = 0;
	memset(u.mu_sp.sp_drive, 0, sizeof(u.mu_sp.sp_drive));
	memset(u.mu_sp.sp_uuid, 0, sizeof(u.mu_sp.sp_uuid));
	u.mu_sp.sp_next = 1;
	unit(argv[1], "softpart-unit", &u);

	/* hsp001 with two spares */
	memset(sp, 0, sizeof(sp));
	snprintf(sp[0].hs_name, sizeof(sp[0].hs_name), "/dev/sdg");
	sp[0].hs_size = 204800;
	sp[0].hs_state = META_HSS_AVAILABLE;
	snprintf(sp[1].hs_name, sizeof(sp[1].hs_name), "/dev/sdh");
	memset(sp[1].hs_uuid, 0x11, sizeof(sp[1].hs_uuid));
	sp[1].hs_size = 409600;
	sp[1].hs_state = META_HSS_INUSE;
	h = (struct meta_hsp){ .hp_num = 1, .hp_nspares = 2, .hp_spares = sp };
	meta_error_init(&e);
	if (meta_hsp_encode(&h, &buf, &len, &e) != 0)
		return 1;
	emit(argv[1], "pool", 1, buf, len);
	free(buf);
	h.hp_num = 999;
	h.hp_nspares = 0;
	if (meta_hsp_encode(&h, &buf, &len, &e) != 0)
		return 1;
	emit(argv[1], "pool-empty", 1, buf, len);
	free(buf);
	return 0;
}
