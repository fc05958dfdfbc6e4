// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the configuration model: names, sizes, every validation
 * error (nothing written), record encode/decode round trips and corrupted
 * records, md.tab round trips, the printers, and load from a record store.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/meta_cfg.h>

#include "../../lib/libmeta/meta_cfg_impl.h"
#include "cfg_memstore.h"
#include "ocu.h"

static struct fakedrives drives;
static struct memstore ms;
static struct meta_store st;
static struct meta_cfg *cfg;
static meta_error_t err;

static uint32_t cfg_nduse(const struct meta_cfg *c)
{
	return c->mc_nduse;
}

static void setup(void)
{
	memset(&drives, 0, sizeof(drives));
	fakedrives_add(&drives, "drvA", 1238900, 1);
	fakedrives_add(&drives, "drvB", 1238900, 1);
	fakedrives_add(&drives, "drvC", 2097152, 0);
	fakedrives_add(&drives, "drvD", 2097152, 0);
	fakedrives_add(&drives, "drvE", 100000, 0);
	fakedrives_add(&drives, "drvF", 100000, 0);
	fakedrives_add(&drives, "drvS", 16800, 0);
	fakedrives_add(&drives, "drvT", 16800, 0);
	fakedrives_add(&drives, "tiny", 10, 0);
	memstore_init(&ms, &st);
	meta_error_init(&err);
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&cfg, &err));
}

static void teardown(void)
{
	meta_cfg_destroy(cfg);
	cfg = NULL;
	memstore_release(&ms);
}

/* Apply one md.tab entry given as a string. */
static int entry(const char *line)
{
	char buf[1024], *argv[128];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t != NULL && argc < 127;
	     t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	meta_error_init(&err);
	return meta_mdtab_words(cfg, argc, argv, &st, &err);
}

/* A bad entry: fails with @code, writes nothing, changes nothing. */
static void refused(const char *line, int code)
{
	uint64_t h = memstore_hash(&ms);
	uint32_t n = meta_cfg_nunits(cfg), p = meta_cfg_nhsps(cfg);
	uint32_t commits = ms.ms_commits;

	CU_ASSERT_EQUAL(entry(line), -1);
	if (err.me_code != code)
		fprintf(stderr, "\n  '%s': got '%s'\n", line,
			meta_strerror(&err));
	CU_ASSERT_EQUAL(err.me_code, code);
	CU_ASSERT_EQUAL(memstore_hash(&ms), h);
	CU_ASSERT_EQUAL(ms.ms_commits, commits);
	CU_ASSERT_EQUAL(meta_cfg_nunits(cfg), n);
	CU_ASSERT_EQUAL(meta_cfg_nhsps(cfg), p);
	CU_ASSERT_EQUAL(meta_cfg_check(cfg, &err), 0);
}

static void ok(const char *line)
{
	int rc = entry(line);

	if (rc != 0)
		fprintf(stderr, "\n  '%s': %s\n", line, meta_strerror(&err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(meta_cfg_check(cfg, &err), 0);
}

/* Apply a change built by an op, checking the model after. */
static int apply(int rc, struct meta_change *ch)
{
	if (rc == 0)
		rc = meta_cfg_apply(cfg, ch, &st, &err);
	meta_change_release(ch);
	CU_ASSERT_EQUAL(meta_cfg_check(cfg, &err), 0);
	return rc;
}

static char *print_p(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	VERIFY(f != NULL);
	meta_print_mdtab(cfg, f, 0, NULL);
	fclose(f);
	return buf;
}

/* ---- names and sizes ---- */

static void test_names(void)
{
	struct meta_name n;

	CU_ASSERT_EQUAL(meta_name_parse("d0", &n, &err), 0);
	CU_ASSERT_EQUAL(n.mn_kind, META_NK_UNIT);
	CU_ASSERT_EQUAL(n.mn_num, 0);
	CU_ASSERT_STRING_EQUAL(n.mn_set, "");
	CU_ASSERT_EQUAL(meta_name_parse("d8191", &n, &err), 0);
	CU_ASSERT_EQUAL(n.mn_num, 8191);
	CU_ASSERT_EQUAL(meta_name_parse("blue/d22", &n, &err), 0);
	CU_ASSERT_STRING_EQUAL(n.mn_set, "blue");
	CU_ASSERT_EQUAL(n.mn_num, 22);
	CU_ASSERT_EQUAL(meta_name_parse("hsp000", &n, &err), 0);
	CU_ASSERT_EQUAL(n.mn_kind, META_NK_HSP);
	CU_ASSERT_EQUAL(meta_name_parse("red/hsp999", &n, &err), 0);
	CU_ASSERT_EQUAL(n.mn_num, 999);

	CU_ASSERT_EQUAL(meta_name_parse("d8192", &n, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_RANGE);
	CU_ASSERT_STRING_EQUAL(meta_strerror(&err),
			       "metadevice names are d0..d8191 'd8192': name "
			       "or number out of range");
	CU_ASSERT_EQUAL(meta_name_parse("hsp1000", &n, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_RANGE);
	CU_ASSERT_EQUAL(meta_name_parse("hsp01", &n, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_RANGE);
	CU_ASSERT_EQUAL(meta_name_parse("d99999999999999999999", &n, &err), -1);
	static const char *const badnames[] = {
		"",	 "d",	  "d01",    "dx",     "d-1",	"D1",
		"d1x",	 "/d1",	  "a/b/d1", "sdb",    "hsp",	"hspabc",
		"-x/d1", "blue/", "d 1",    "hsp00a", "a!b/d1",
	};
	for (size_t i = 0; i < sizeof(badnames) / sizeof(badnames[0]); i++) {
		CU_ASSERT_EQUAL(meta_name_parse(badnames[i], &n, &err), -1);
		CU_ASSERT_EQUAL(err.me_code, ME_BADNAME);
		CU_ASSERT_FALSE(meta_name_is_meta(badnames[i]));
	}
	CU_ASSERT_TRUE(meta_name_is_meta("d10"));

	CU_ASSERT_EQUAL(meta_setname_check("blue", &err), 0);
	CU_ASSERT_EQUAL(meta_setname_check("a.b-c_1", &err), 0);
	CU_ASSERT_EQUAL(meta_setname_check("", &err), -1);
	CU_ASSERT_EQUAL(meta_setname_check("-x", &err), -1);
	CU_ASSERT_EQUAL(meta_setname_check("a/b", &err), -1);
	CU_ASSERT_EQUAL(meta_setname_check("abcdefghijabcdefghijabcdefghijabc",
					   &err),
			-1);
	CU_ASSERT_EQUAL(meta_setno_check(1, &err), 0);
	CU_ASSERT_EQUAL(meta_setno_check(32, &err), 0);
	CU_ASSERT_EQUAL(meta_setno_check(0, &err), -1);
	CU_ASSERT_EQUAL(meta_setno_check(33, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_RANGE);
	/* a 33rd set cannot have a model */
	{
		struct meta_cfg *c = NULL;

		CU_ASSERT_EQUAL(meta_cfg_create("red", 33, true, NULL, NULL, &c,
						&err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_RANGE);
		CU_ASSERT_PTR_NULL(c);
	}
}

static void test_sizes(void)
{
	uint64_t b;
	char buf[32];
	static const struct {
		const char *s;
		uint64_t blocks;
	} good[] = {
		{ "1", 1 },	     { "10b", 10 },	{ "10B", 10 },
		{ "1k", 2 },	     { "8K", 16 },	{ "100m", 204800 },
		{ "1g", 2097152 },   { "1G", 2097152 }, { "1t", 2147483648ULL },
		{ "604m", 1236992 },
	};
	static const char *const bad[] = { "",
					   "0",
					   "0m",
					   "k",
					   "1x",
					   "-1",
					   "1.5g",
					   "1 m",
					   "m1",
					   "1kb",
					   "99999999999999999999",
					   "9999999999999t" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(meta_size_parse(good[i].s, &b, &err), 0);
		CU_ASSERT_EQUAL(b, good[i].blocks);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(meta_size_parse(bad[i], &b, &err), -1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADSIZE);
	}
	CU_ASSERT_STRING_EQUAL(meta_size_str(1238895, buf, sizeof(buf)),
			       "604 MB");
	CU_ASSERT_STRING_EQUAL(meta_size_str(2097152, buf, sizeof(buf)),
			       "1.0 GB");
	CU_ASSERT_STRING_EQUAL(meta_size_str(204800, buf, sizeof(buf)),
			       "100 MB");
	CU_ASSERT_STRING_EQUAL(meta_size_str(16800, buf, sizeof(buf)),
			       "8.2 MB");
	CU_ASSERT_STRING_EQUAL(meta_size_str(1, buf, sizeof(buf)), "512 B");
	CU_ASSERT_STRING_EQUAL(meta_size_str(4, buf, sizeof(buf)), "2.0 KB");
	CU_ASSERT_STRING_EQUAL(meta_size_short(2097152, buf, sizeof(buf)),
			       "1.0GB");
	CU_ASSERT_STRING_EQUAL(meta_size_str(UINT64_MAX, buf, sizeof(buf)),
			       "16383 PB");
}

/* ---- building and validation ---- */

static void test_build(void)
{
	const struct meta_unit *u;

	setup();
	ok("d1 2 1 drvC 1 drvD");
	u = meta_cfg_unit(cfg, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL(u->mu_size, 2 * 2097152);
	ok("d2 1 2 drvE drvF -i 32k");
	u = meta_cfg_unit(cfg, 2);
	CU_ASSERT_EQUAL(u->mu_st.st_rows[0].mr_interlace, 64);
	/* each component rounded down to the interlace */
	CU_ASSERT_EQUAL(u->mu_size, 2 * (100000 / 64 * 64));
	ok("hsp001 drvS drvT");
	ok("blue/d20 1 1 drvA -h hsp001");
	ok("d21 1 1 drvB");
	ok("d22 -m d20 d21");
	u = meta_cfg_unit(cfg, 22);
	CU_ASSERT_EQUAL(u->mu_size, 1238900);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 20)->mu_parent, 22);
	CU_ASSERT_EQUAL(meta_cfg_hsp(cfg, 1)->hp_refs, 1);
	ok("d10 -p d22 100m");
	u = meta_cfg_unit(cfg, 10);
	CU_ASSERT_EQUAL(u->mu_size, 204800);
	CU_ASSERT_EQUAL(u->mu_sp.sp_ext[0].me_poff, 1);
	ok("d11 -p d22 1m 2m");
	u = meta_cfg_unit(cfg, 11);
	CU_ASSERT_EQUAL(u->mu_sp.sp_next, 2);
	CU_ASSERT_EQUAL(u->mu_sp.sp_ext[0].me_poff, 204802);
	CU_ASSERT_EQUAL(u->mu_sp.sp_ext[1].me_poff, 204802 + 2048 + 1);
	CU_ASSERT_EQUAL(u->mu_sp.sp_ext[1].me_voff, 2048);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 22)->mu_nsp, 2);
	ok("d12 -p d2 all");
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 12)->mu_size,
			meta_cfg_unit(cfg, 2)->mu_size - 1);
	CU_ASSERT_EQUAL(meta_cfg_nunits(cfg), 8);
	CU_ASSERT_EQUAL(meta_cfg_nhsps(cfg), 1);
	CU_ASSERT_EQUAL(ms.ms_n, 9);
	teardown();
}

static void test_validation(void)
{
	setup();
	ok("d1 1 1 drvC");
	ok("d2 1 1 drvD");
	ok("d3 -m d1");
	ok("hsp001 drvS");
	ok("d5 -p drvE 10m");

	/* names out of range, duplicates, other sets */
	refused("d8192 1 1 drvF", ME_CFG_RANGE);
	refused("hsp1000 drvT", ME_CFG_RANGE);
	refused("d1 1 1 drvF", ME_CFG_EXISTS);
	refused("hsp001 drvT", ME_CFG_EXISTS);
	refused("red/d9 1 1 drvF", ME_CFG_OTHERSET);
	refused("d9 -p red/d3 1m", ME_CFG_OTHERSET);
	/* components: unknown, used twice, used elsewhere */
	refused("d9 1 1 nosuch", ENOENT);
	refused("d9 1 2 drvF drvF", ME_CFG_DUPLICATE);
	refused("d9 2 1 drvF 1 drvF", ME_CFG_DUPLICATE);
	refused("d9 1 1 drvC", ME_CFG_COMPUSED);
	refused("d9 1 1 drvS", ME_CFG_COMPUSED);
	refused("d9 1 1 drvE", ME_CFG_COMPUSED);
	refused("hsp002 drvC", ME_CFG_COMPUSED);
	refused("hsp002 drvE", ME_CFG_COMPUSED);
	refused("hsp002 drvT drvT", ME_CFG_DUPLICATE);
	refused("d9 -p drvC 1m", ME_CFG_COMPUSED);
	refused("d9 -p drvS 1m", ME_CFG_COMPUSED);
	refused("d9 1 1 d2", ME_CFG_BADTYPE);
	/* sizes and interlaces */
	refused("d9 1 2 drvF drvT -i 8b", ME_CFG_BADINTERLACE);
	refused("d9 1 2 drvF drvT -i 101m", ME_CFG_BADINTERLACE);
	refused("d9 1 2 drvF tiny -i 16b", ME_CFG_BADSIZE);
	refused("d9 1 2 drvF drvT -i 0", ME_CFG_BADSIZE);
	refused("d9 -p drvF 0", ME_CFG_BADSIZE);
	refused("d9 -p drvF 100000b", ME_CFG_NOSPACE);
	refused("d9 -p drvE 90000b", ME_CFG_NOSPACE);
	refused("d9 -p drvF 1m all", ME_CFG_SYNTAX);
	refused("d9 -p drvF", ME_CFG_SYNTAX);
	/* overlapping extents given explicitly */
	refused("d9 -p drvE -o 100 -b 10", ME_CFG_OVERLAP);
	refused("d9 -p drvE -o 20481 -b 10", ME_CFG_OVERLAP);
	refused("d9 -p drvF -o 1 -b 10 -o 5 -b 10", ME_CFG_OVERLAP);
	refused("d9 -p drvF -o 0 -b 10", ME_CFG_BADSIZE);
	refused("d9 -p drvF -o 99999 -b 10", ME_CFG_BADSIZE);
	/* mirrors: bad submirrors */
	refused("d9 -m d1", ME_CFG_INUSE);
	refused("d9 -m d3", ME_CFG_BADTYPE);
	refused("d9 -m d5", ME_CFG_BADTYPE);
	refused("d9 -m d2 d2", ME_CFG_DUPLICATE);
	refused("d9 -m d7", ME_CFG_NOENT);
	refused("d9 -m d2 d2 d2 d2 d2", ME_CFG_TOOMANYSM);
	refused("d9 -m d2 12", ME_CFG_SYNTAX);
	refused("d9 -m d2 -x", ME_CFG_SYNTAX);
	refused("d9 -m hsp001", ME_CFG_SYNTAX);
	/* soft partitions on the wrong things */
	refused("d9 -p d5 1m", ME_CFG_BADTYPE);
	refused("d9 -p d1 1m", ME_CFG_INUSE);
	refused("d9 -p d7 1m", ME_CFG_NOENT);
	refused("d9 -p d3 2g", ME_CFG_NOSPACE);
	refused("d9 -p hsp001 1m", ME_CFG_BADTYPE);
	/* stripes with bad syntax or pools */
	refused("d9 1 1 drvF -h hsp002", ME_CFG_NOENT);
	refused("d9 2 1 drvF", ME_CFG_SYNTAX);
	refused("d9 0", ME_CFG_SYNTAX);
	refused("d9 1 2 drvF", ME_CFG_SYNTAX);
	refused("d9 1 1 drvF extra", ME_CFG_SYNTAX);
	refused("d9 -z", ME_CFG_SYNTAX);
	refused("d9", ME_CFG_SYNTAX);
	refused("d9 x", ME_CFG_SYNTAX);
	refused("hsp002 -x", ME_CFG_SYNTAX);
	refused("sdb 1 1 drvF", ME_BADNAME);
	/* a concat whose record would pass the mddb's 1 MiB */
	{
		static const char *names[META_MAXCOMPS];
		struct meta_rowspec rows[33];
		struct meta_change ch;

		for (int i = 0; i < META_MAXCOMPS; i++)
			names[i] = "x";
		for (int i = 0; i < 33; i++)
			rows[i] = (struct meta_rowspec){ META_MAXCOMPS, 0,
							 names };
		meta_change_init(&ch);
		CU_ASSERT_EQUAL(meta_op_stripe(cfg, 9, 33, rows, META_NONE, &ch,
					       &err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_LIMIT);
		CU_ASSERT_EQUAL(ch.ch_nops, 0);
		meta_change_release(&ch);
	}
	teardown();
}

static void test_changes(void)
{
	struct meta_change ch;
	struct meta_mirror_opts o;
	const char *cd[] = { "drvF" };
	struct meta_rowspec row = { 1, 0, cd };

	setup();
	ok("d1 1 1 drvA");
	ok("d2 1 1 drvB");
	ok("d3 1 1 drvE");
	ok("d4 1 1 drvC");
	ok("d0 -m d1");
	ok("hsp001 drvS");

	/* attach: wrong targets, too small, ok */
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(apply(meta_op_attach_sm(cfg, 1, 2, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOTMIRROR);
	CU_ASSERT_EQUAL(apply(meta_op_attach_sm(cfg, 0, 3, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_SMSMALL);
	CU_ASSERT_EQUAL(apply(meta_op_attach_sm(cfg, 0, 1, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_INUSE);
	CU_ASSERT_EQUAL(apply(meta_op_attach_sm(cfg, 0, 2, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 0)->mu_mm.mm_nsm, 2);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 0)->mu_mm.mm_smstate[1],
			META_SMS_ATTACHED_RESYNC);
	CU_ASSERT_EQUAL(apply(meta_op_attach_sm(cfg, 0, 4, &ch, &err), &ch), 0);
	/* detach: not a submirror, the only Okay one, last */
	CU_ASSERT_EQUAL(
		apply(meta_op_detach_sm(cfg, 0, 3, false, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOTSUB);
	CU_ASSERT_EQUAL(
		apply(meta_op_detach_sm(cfg, 0, 2, false, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(
		apply(meta_op_detach_sm(cfg, 0, 1, false, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_LASTOKAY);
	CU_ASSERT_EQUAL(
		apply(meta_op_detach_sm(cfg, 0, 1, true, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(
		apply(meta_op_detach_sm(cfg, 0, 4, true, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_LASTSM);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 1)->mu_parent, META_NONE);

	/* grow a submirror: the mirror follows its smallest submirror */
	CU_ASSERT_EQUAL(
		apply(meta_op_grow_stripe(cfg, 4, &row, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 4)->mu_size, 2097152 + 100000);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 0)->mu_size, 2097152 + 100000);
	CU_ASSERT_EQUAL(
		apply(meta_op_grow_stripe(cfg, 3, &row, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_COMPUSED);

	/* soft partition growth: several extents */
	ok("d10 -p d0 1m");
	ok("d11 -p d0 1m");
	CU_ASSERT_EQUAL(apply(meta_op_grow_sp(cfg, 10, 4096, &ch, &err), &ch),
			0);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 10)->mu_sp.sp_next, 2);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 10)->mu_size, 2048 + 4096);
	CU_ASSERT_EQUAL(apply(meta_op_grow_sp(cfg, 10, 1ULL << 40, &ch, &err),
			      &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOSPACE);
	CU_ASSERT_EQUAL(apply(meta_op_grow_sp(cfg, 0, 10, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADTYPE);

	/* parameters */
	meta_mirror_opts_init(&o);
	o.mo_pass = 10;
	CU_ASSERT_EQUAL(apply(meta_op_param_mirror(cfg, 0, &o, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_USAGE);
	o.mo_pass = 0;
	o.mo_read = META_RD_GEOMETRIC;
	o.mo_write = META_WR_SERIAL;
	CU_ASSERT_EQUAL(apply(meta_op_param_mirror(cfg, 0, &o, &ch, &err), &ch),
			0);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 0)->mu_mm.mm_pass, 0);
	CU_ASSERT_EQUAL(apply(meta_op_param_mirror(cfg, 4, &o, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOTMIRROR);
	CU_ASSERT_EQUAL(apply(meta_op_param_hsp(cfg, 4, 1, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(meta_cfg_hsp(cfg, 1)->hp_refs, 1);
	CU_ASSERT_EQUAL(apply(meta_op_param_hsp(cfg, 4, 2, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOENT);
	CU_ASSERT_EQUAL(apply(meta_op_clear_hsp(cfg, 1, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_INUSE);

	/* rename: in use, existing target, ok */
	CU_ASSERT_EQUAL(apply(meta_op_rename(cfg, 4, 40, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_INUSE);
	CU_ASSERT_EQUAL(apply(meta_op_rename(cfg, 0, 40, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_INUSE);
	CU_ASSERT_EQUAL(apply(meta_op_rename(cfg, 1, 2, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_EXISTS);
	CU_ASSERT_EQUAL(apply(meta_op_rename(cfg, 1, 8192, &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_RANGE);
	CU_ASSERT_EQUAL(apply(meta_op_rename(cfg, 1, 100, &ch, &err), &ch), 0);
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 1));
	CU_ASSERT_PTR_NOT_NULL(meta_cfg_unit(cfg, 100));
	CU_ASSERT_PTR_NULL(memstore_find(&ms, META_RK_UNIT, 1));
	CU_ASSERT_PTR_NOT_NULL(memstore_find(&ms, META_RK_UNIT, 100));

	/* clear: in use, recursive */
	CU_ASSERT_EQUAL(apply(meta_op_clear(cfg, 4, 0, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_INUSE);
	CU_ASSERT_EQUAL(
		apply(meta_op_clear(cfg, 0, META_CLR_RECURSIVE, &ch, &err),
		      &ch),
		-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_INUSE);
	CU_ASSERT_EQUAL(apply(meta_op_clear(cfg, 10, 0, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(
		apply(meta_op_clear(cfg, 11, META_CLR_RECURSIVE, &ch, &err),
		      &ch),
		0);
	/* d11 was the last soft partition on d0: d0 and d4 went too */
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 0));
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 4));
	CU_ASSERT_EQUAL(apply(meta_op_clear(cfg, 77, 0, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOENT);

	/* hot spares */
	CU_ASSERT_EQUAL(apply(meta_op_hs_add(cfg, 1, "drvT", &ch, &err), &ch),
			0);
	CU_ASSERT_EQUAL(apply(meta_op_hs_add(cfg, 1, "drvT", &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_EXISTS);
	CU_ASSERT_EQUAL(apply(meta_op_hs_add(cfg, 1, "drvB", &ch, &err), &ch),
			-1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_COMPUSED);
	CU_ASSERT_EQUAL(apply(meta_op_hs_add(cfg, 2, "drvT", &ch, &err), &ch),
			0); /* a spare may serve several pools */
	CU_ASSERT_EQUAL(
		apply(meta_op_hs_replace(cfg, 1, "drvT", "drvD", &ch, &err),
		      &ch),
		0);
	CU_ASSERT_TRUE(meta_hsp_has(cfg, 1, "drvD"));
	CU_ASSERT_FALSE(meta_hsp_has(cfg, 1, "drvT"));
	CU_ASSERT_EQUAL(
		apply(meta_op_hs_delete(cfg, 1, "drvT", &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOTSPARE);
	CU_ASSERT_EQUAL(
		apply(meta_op_hs_enable(cfg, 1, "drvD", &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(
		apply(meta_op_hs_delete(cfg, 2, "drvT", &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(meta_cfg_hsp(cfg, 2)->hp_nspares, 0);
	CU_ASSERT_EQUAL(
		apply(meta_op_hs_delete(cfg, 5, "drvT", &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOENT);
	CU_ASSERT_EQUAL(apply(meta_op_clear_hsp(cfg, 2, &ch, &err), &ch), 0);
	CU_ASSERT_PTR_NULL(meta_cfg_hsp(cfg, 2));
	teardown();
}

/* Each mirror holds its own resync record slot; at most META_RSSLOTS. */
static void test_rsslots(void)
{
	char line[64], name[16];
	struct meta_cfg *c2;

	setup();
	for (int i = 0; i <= META_RSSLOTS + 1; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		fakedrives_add(&drives, name, 1000, 0);
		snprintf(line, sizeof(line), "d%d 1 1 m%d", 1000 + i, i);
		ok(line);
	}
	ok("d0 -m d1000");
	ok("d1 -m d1001");
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 0)->mu_mm.mm_rsslot, 0);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 1)->mu_mm.mm_rsslot, 1);
	{
		struct meta_change ch;

		meta_change_init(&ch);
		CU_ASSERT_EQUAL(apply(meta_op_clear(cfg, 0, 0, &ch, &err), &ch),
				0);
	}
	ok("d2 -m d1002");
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 2)->mu_mm.mm_rsslot, 0);
	/* d1, d2 and d3..d256: 256 mirrors; the 257th is refused */
	for (int i = 3; i <= META_RSSLOTS + 1; i++) {
		snprintf(line, sizeof(line), "d%d -m d%d", i, 1000 + i);
		if (i <= META_RSSLOTS)
			ok(line);
		else
			refused(line, ME_CFG_LIMIT);
	}
	/* two mirrors with one slot in the store: refused at load */
	{
		struct memrec *r = memstore_find(&ms, META_RK_UNIT, 1);
		struct meta_unit *u;
		void *b;
		size_t l;
		void *txn;

		VERIFY0(meta_unit_decode(1, r->mr_data, r->mr_len, &u, &err));
		u->mu_mm.mm_rsslot = 0;
		VERIFY0(meta_unit_encode(u, &b, &l, &err));
		meta_unit_free(u);
		VERIFY0(st.ms_ops->so_begin(st.ms_arg, &txn, &err));
		VERIFY0(st.ms_ops->so_put(txn, META_RK_UNIT, 1, b, l, &err));
		VERIFY0(st.ms_ops->so_commit(txn, &err));
		free(b);
	}
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	CU_ASSERT_EQUAL(meta_cfg_load(c2, &st, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_DUPLICATE);
	meta_cfg_destroy(c2);
	teardown();
}

/* A store that fails leaves model and store as they were. */
static void test_store_failure(void)
{
	uint64_t h;
	char *before, *after;

	setup();
	ok("d1 1 1 drvA");
	ok("d2 1 1 drvB");
	before = print_p();
	h = memstore_hash(&ms);
	ms.ms_fail_commit = true;
	CU_ASSERT_EQUAL(entry("d0 -m d1 d2"), -1);
	CU_ASSERT_EQUAL(err.me_code, EIO);
	ms.ms_fail_commit = false;
	ms.ms_fail_put = 1;
	CU_ASSERT_EQUAL(entry("d3 1 1 drvC"), -1);
	ms.ms_fail_put = 0;
	after = print_p();
	CU_ASSERT_STRING_EQUAL(before, after);
	CU_ASSERT_EQUAL(memstore_hash(&ms), h);
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 0));
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 1)->mu_parent, META_NONE);
	free(before);
	free(after);
	/* a dry run writes nothing but the model sees it */
	{
		char a0[] = "d0", a1[] = "-m", a2[] = "d1", a3[] = "d2";
		char *argv[] = { a0, a1, a2, a3, NULL };

		CU_ASSERT_EQUAL(meta_mdtab_words(cfg, 4, argv, NULL, &err), 0);
		CU_ASSERT_EQUAL(memstore_hash(&ms), h);
		CU_ASSERT_PTR_NOT_NULL(meta_cfg_unit(cfg, 0));
	}
	teardown();
}

/* ---- encoding ---- */

static void roundtrip_all(void)
{
	for (uint32_t i = 0; i < META_MAXUNITS; i++) {
		const struct meta_unit *u = meta_cfg_unit(cfg, i);
		struct meta_unit *d = NULL;
		void *b1, *b2;
		size_t l1, l2;

		if (u == NULL)
			continue;
		CU_ASSERT_EQUAL_FATAL(meta_unit_encode(u, &b1, &l1, &err), 0);
		CU_ASSERT_EQUAL_FATAL(meta_unit_decode(i, b1, l1, &d, &err), 0);
		CU_ASSERT_EQUAL(d->mu_size, u->mu_size);
		CU_ASSERT_EQUAL(d->mu_type, u->mu_type);
		CU_ASSERT_EQUAL_FATAL(meta_unit_encode(d, &b2, &l2, &err), 0);
		CU_ASSERT_EQUAL(l1, l2);
		CU_ASSERT_EQUAL(memcmp(b1, b2, l1), 0);
		/* a record under another id is refused */
		CU_ASSERT_EQUAL(meta_unit_decode(i + 1, b1, l1, &d, &err) == 0,
				false);
		meta_unit_free(d);
		free(b1);
		free(b2);
	}
}

static void corrupt_all(uint32_t id, const void *rec, size_t len, bool unit)
{
	uint8_t *b = malloc(len + 8);
	uint32_t refused = 0;

	VERIFY(b != NULL);
	/* every truncation and extension is refused */
	for (size_t l = 0; l <= len + 8; l++) {
		struct meta_unit *u = NULL;
		struct meta_hsp *h = NULL;
		int rc;

		if (l == len)
			continue;
		memset(b, 0, len + 8);
		memcpy(b, rec, l < len ? l : len);
		rc = unit ? meta_unit_decode(id, b, l, &u, &err) :
			    meta_hsp_decode(id, b, l, &h, &err);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_TRUE(err.me_code == ME_CFG_BADREC ||
			       err.me_code == ME_CFG_BADVERSION);
	}
	/* every single-byte corruption decodes or is refused; never crashes */
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			struct meta_unit *u = NULL;
			struct meta_hsp *h = NULL;
			int rc;

			memcpy(b, rec, len);
			b[i] ^= (uint8_t)(1u << bit);
			rc = unit ? meta_unit_decode(id, b, len, &u, &err) :
				    meta_hsp_decode(id, b, len, &h, &err);
			if (rc != 0) {
				refused++;
				CU_ASSERT_TRUE(err.me_code == ME_CFG_BADREC ||
					       err.me_code ==
						       ME_CFG_BADVERSION);
			}
			meta_unit_free(u);
			meta_hsp_free(h);
		}
	}
	CU_ASSERT_TRUE(refused > 0);
	free(b);
}

static void test_encoding(void)
{
	setup();
	ok("hsp001 drvS drvT");
	ok("d20 2 2 drvA drvB -i 64k 1 drvC -h hsp001");
	ok("d21 1 1 drvD");
	ok("d22 -m d20 d21 -g -S -A 3");
	ok("d10 -p d22 1m 2m 3m");
	ok("d11 -p drvE 1m");
	ok("d12 -p -A 8 drvE 1m");
	roundtrip_all();
	for (uint32_t k = 0; k < ms.ms_n; k++) {
		struct memrec *r = &ms.ms_recs[k];

		corrupt_all(r->mr_id, r->mr_data, r->mr_len,
			    r->mr_kind == META_RK_UNIT);
	}
	/* specific: magic, version, feature bit, type */
	{
		struct memrec *r = memstore_find(&ms, META_RK_UNIT, 22);
		uint8_t *b = malloc(r->mr_len);
		struct meta_unit *u = NULL;

		memcpy(b, r->mr_data, r->mr_len);
		b[4] = 2; /* version 2 */
		CU_ASSERT_EQUAL(meta_unit_decode(22, b, r->mr_len, &u, &err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADVERSION);
		CU_ASSERT_STRING_EQUAL(meta_strerror(&err),
				       "cannot decode: version 2 features 0 "
				       "'unit 22': unsupported record version "
				       "or feature");
		memcpy(b, r->mr_data, r->mr_len);
		b[12] = 2; /* an unknown incompatible feature */
		CU_ASSERT_EQUAL(meta_unit_decode(22, b, r->mr_len, &u, &err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADVERSION);
		memcpy(b, r->mr_data, r->mr_len);
		b[12] = 1; /* the alignment bit on a unit without one */
		CU_ASSERT_EQUAL(meta_unit_decode(22, b, r->mr_len, &u, &err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADREC);
		memcpy(b, r->mr_data, r->mr_len);
		b[0] ^= 0xff;
		CU_ASSERT_EQUAL(meta_unit_decode(22, b, r->mr_len, &u, &err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADREC);
		CU_ASSERT_EQUAL(meta_unit_decode(22, NULL, 0, &u, &err), -1);
		free(b);
	}
	/* an aligned soft partition carries the bit, and needs it */
	{
		struct memrec *r = memstore_find(&ms, META_RK_UNIT, 12);
		uint8_t *b = malloc(r->mr_len);
		struct meta_unit *u = NULL;

		memcpy(b, r->mr_data, r->mr_len);
		CU_ASSERT_EQUAL(b[12], 1);
		CU_ASSERT_EQUAL(meta_unit_decode(12, b, r->mr_len, &u, &err),
				0);
		meta_unit_free(u);
		u = NULL;
		b[12] = 0;
		CU_ASSERT_EQUAL(meta_unit_decode(12, b, r->mr_len, &u, &err),
				-1);
		CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADREC);
		free(b);
	}
	teardown();
}

/* A corrupted record in the store: load fails naming it, nothing else. */
static void test_load(void)
{
	struct meta_cfg *c2;
	char *p1, *p2;

	setup();
	ok("hsp001 drvS");
	ok("d20 1 1 drvA -h hsp001");
	ok("d21 1 1 drvB");
	ok("d22 -m d20 d21");
	ok("d10 -p d22 100m");
	p1 = print_p();
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	CU_ASSERT_EQUAL_FATAL(meta_cfg_load(c2, &st, &err), 0);
	{
		struct meta_cfg *t = cfg;

		cfg = c2;
		p2 = print_p();
		cfg = t;
	}
	CU_ASSERT_STRING_EQUAL(p1, p2);
	CU_ASSERT_EQUAL(meta_cfg_unit(c2, 20)->mu_parent, 22);
	CU_ASSERT_EQUAL(meta_cfg_unit(c2, 22)->mu_nsp, 1);
	meta_cfg_destroy(c2);
	free(p1);
	free(p2);

	/* a unit whose submirror record is missing: refused at load */
	{
		struct memrec *r = memstore_find(&ms, META_RK_UNIT, 21);

		free(r->mr_data);
		*r = ms.ms_recs[--ms.ms_n];
	}
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	CU_ASSERT_EQUAL(meta_cfg_load(c2, &st, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_NOENT);
	meta_cfg_destroy(c2);
	/* a corrupted byte: refused, naming the record */
	{
		struct memrec *r = memstore_find(&ms, META_RK_UNIT, 10);

		((uint8_t *)r->mr_data)[0] ^= 1;
	}
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	CU_ASSERT_EQUAL(meta_cfg_load(c2, &st, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_BADREC);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&err), "'unit 10'"));
	meta_cfg_destroy(c2);
	teardown();
}

/* Two stripes on one drive in the store: load refuses. */
static void test_load_conflict(void)
{
	struct meta_cfg *c2;
	struct memrec *r;
	struct meta_unit *u;
	void *b;
	size_t l;

	setup();
	ok("d1 1 1 drvA");
	ok("d5 -p drvC 1m");
	ok("d6 -p drvC 1m");
	/* copy d1 as d2: same component twice */
	r = memstore_find(&ms, META_RK_UNIT, 1);
	VERIFY0(meta_unit_decode(1, r->mr_data, r->mr_len, &u, &err));
	u->mu_num = 2;
	VERIFY0(meta_unit_encode(u, &b, &l, &err));
	meta_unit_free(u);
	{
		struct meta_store_ops const *ops = st.ms_ops;
		void *txn;

		VERIFY0(ops->so_begin(st.ms_arg, &txn, &err));
		VERIFY0(ops->so_put(txn, META_RK_UNIT, 2, b, l, &err));
		VERIFY0(ops->so_commit(txn, &err));
	}
	free(b);
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	CU_ASSERT_EQUAL(meta_cfg_load(c2, &st, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_COMPUSED);
	meta_cfg_destroy(c2);
	/* overlapping soft partitions */
	{
		struct meta_store_ops const *ops = st.ms_ops;
		void *txn;

		VERIFY0(ops->so_begin(st.ms_arg, &txn, &err));
		VERIFY0(ops->so_del(txn, META_RK_UNIT, 2, &err));
		VERIFY0(ops->so_commit(txn, &err));
		r = memstore_find(&ms, META_RK_UNIT, 6);
		VERIFY0(meta_unit_decode(6, r->mr_data, r->mr_len, &u, &err));
		u->mu_sp.sp_ext[0].me_poff = 100;
		VERIFY0(meta_unit_encode(u, &b, &l, &err));
		meta_unit_free(u);
		VERIFY0(ops->so_begin(st.ms_arg, &txn, &err));
		VERIFY0(ops->so_put(txn, META_RK_UNIT, 6, b, l, &err));
		VERIFY0(ops->so_commit(txn, &err));
		free(b);
	}
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	CU_ASSERT_EQUAL(meta_cfg_load(c2, &st, &err), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_CFG_OVERLAP);
	meta_cfg_destroy(c2);
	teardown();
}

/* ---- md.tab ---- */

static const char mdtab[] =
	"# a test md.tab\n"
	"blue/d22 -m blue/d20 blue/d21 -S 2 # mirror first: order is found\n"
	"d20 2 2 drvA \\\n"
	"   drvB -i 32k 1 drvC -h hsp001\n"
	"\n"
	"d21 1 1 drvD\n"
	"hsp001 drvS drvT\n"
	"hsp002\n"
	"d10 -p d22 100m 500m\n"
	"d11 -p -e drvE\n";

static void test_mdtab(void)
{
	FILE *f = fmemopen((void *)mdtab, sizeof(mdtab) - 1, "r");
	char *p1, *p2;
	struct memstore ms2;
	struct meta_store st2;
	struct meta_cfg *c2;

	setup();
	CU_ASSERT_EQUAL_FATAL(meta_mdtab_apply(cfg, f, "md.tab", &st, &err), 0);
	fclose(f);
	CU_ASSERT_EQUAL(meta_cfg_check(cfg, &err), 0);
	CU_ASSERT_EQUAL(meta_cfg_nunits(cfg), 5);
	CU_ASSERT_EQUAL(meta_cfg_nhsps(cfg), 2);
	p1 = print_p();
	CU_ASSERT_STRING_EQUAL(
		p1, "blue/d10 -p blue/d22 -o 1 -b 204800 -o 204802 -b 1024000\n"
		    "blue/d11 -p drvE -o 1 -b 99999\n"
		    "blue/d22 -m blue/d20 blue/d21 -S 2\n"
		    "blue/d20 2 2 drvA drvB -i 64b 1 drvC -h blue/hsp001\n"
		    "blue/d21 1 1 drvD\n"
		    "blue/hsp001 drvS drvT\n"
		    "blue/hsp002\n");
	/* read back into an empty set: identical */
	memstore_init(&ms2, &st2);
	VERIFY0(meta_cfg_create("blue", 1, true, fakedrives_lookup, &drives,
				&c2, &err));
	f = fmemopen(p1, strlen(p1), "r");
	CU_ASSERT_EQUAL_FATAL(meta_mdtab_apply(c2, f, "-", &st2, &err), 0);
	fclose(f);
	{
		struct meta_cfg *t = cfg;

		cfg = c2;
		p2 = print_p();
		cfg = t;
	}
	CU_ASSERT_STRING_EQUAL(p1, p2);
	CU_ASSERT_EQUAL(memstore_hash(&ms), memstore_hash(&ms2));
	meta_cfg_destroy(c2);
	memstore_release(&ms2);
	free(p1);
	free(p2);
	teardown();
}

/* Apply @ch with no store (a dry run) and release it. */
static int dry(int rc, struct meta_change *ch)
{
	if (rc == 0)
		rc = meta_cfg_apply(cfg, ch, NULL, &err);
	meta_change_release(ch);
	CU_ASSERT_EQUAL(meta_cfg_check(cfg, &err), 0);
	return rc;
}

/*
 * The undo journal: dry runs of every kind of change (new units on a new
 * drive, a soft partition on a mirror, a rename, a recursive clear of
 * several records, a pool change), then undo: the model holds the very
 * same objects, prints the same and passes the whole check; the use
 * records the dry run added are gone.  A commit while the journal is on is
 * refused; meta_cfg_undo_end() keeps what was applied.
 */
static void test_undo(void)
{
	FILE *f = fmemopen((void *)mdtab, sizeof(mdtab) - 1, "r");
	const struct meta_unit *u[META_MAXUNITS];
	const struct meta_hsp *h[META_MAXHSP];
	struct meta_change ch;
	char *p0, *p1;
	uint32_t nduse;
	uint64_t hash;

	setup();
	CU_ASSERT_EQUAL_FATAL(meta_mdtab_apply(cfg, f, "md.tab", &st, &err), 0);
	fclose(f);
	p0 = print_p();
	for (uint32_t i = 0; i < META_MAXUNITS; i++)
		u[i] = meta_cfg_unit(cfg, i);
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		h[i] = meta_cfg_hsp(cfg, i);
	nduse = cfg_nduse(cfg);
	hash = memstore_hash(&ms);

	CU_ASSERT_EQUAL(meta_cfg_undo_begin(cfg, &err), 0);
	CU_ASSERT_EQUAL(meta_cfg_undo_begin(cfg, &err), -1); /* not twice */
	meta_error_init(&err);
	{
		char w0[] = "d30", w1[] = "1", w2[] = "drvF";
		char *argv[] = { w0, w1, w1, w2, NULL };

		CU_ASSERT_EQUAL(meta_mdtab_words(cfg, 4, argv, NULL, &err), 0);
	}
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_sp(cfg, 31, "d22", 1, (uint64_t[]){ 20480 },
				       &ch, &err),
			    &ch),
			0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_rename(cfg, 30, 40, &ch, &err), &ch), 0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_clear(cfg, 10, 0, &ch, &err), &ch), 0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_clear(cfg, 31, 0, &ch, &err), &ch), 0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(
		dry(meta_op_clear(cfg, 22, META_CLR_RECURSIVE, &ch, &err), &ch),
		0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_hs_add(cfg, 2, "drvT", &ch, &err), &ch), 0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_hs_add(cfg, 2, "drvE", &ch, &err), &ch),
			-1); /* d11 is on it: refused, changes nothing */
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_clear_hsp(cfg, 1, &ch, &err), &ch), 0);
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 22));
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 20));
	CU_ASSERT_PTR_NOT_NULL(meta_cfg_unit(cfg, 40));
	CU_ASSERT(cfg_nduse(cfg) > nduse); /* drvF's record */
	/* A commit while the journal is on: refused, nothing written. */
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(apply(meta_op_clear(cfg, 11, 0, &ch, &err), &ch), -1);
	CU_ASSERT_EQUAL(err.me_code, ME_INTERNAL);
	CU_ASSERT_PTR_NOT_NULL(meta_cfg_unit(cfg, 11));
	CU_ASSERT_EQUAL(memstore_hash(&ms), hash);

	meta_cfg_undo(cfg);
	p1 = print_p();
	CU_ASSERT_STRING_EQUAL(p1, p0);
	free(p1);
	for (uint32_t i = 0; i < META_MAXUNITS; i++)
		CU_ASSERT(meta_cfg_unit(cfg, i) == u[i]);
	for (uint32_t i = 0; i < META_MAXHSP; i++)
		CU_ASSERT(meta_cfg_hsp(cfg, i) == h[i]);
	CU_ASSERT_EQUAL(cfg_nduse(cfg), nduse);
	CU_ASSERT_EQUAL(meta_cfg_check(cfg, &err), 0);
	CU_ASSERT_EQUAL(meta_cfg_nunits(cfg), 5);
	CU_ASSERT_EQUAL(meta_cfg_nhsps(cfg), 2);
	/* The derived indexes too: drvF is free again, d22 still carries
	 * d10, hsp001 is still in use by d20. */
	CU_ASSERT_EQUAL(meta_cfg_drive_unused(cfg, "drvF", &err), 0);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 22)->mu_nsp, 1);
	CU_ASSERT_EQUAL(meta_cfg_unit(cfg, 20)->mu_parent, 22);
	CU_ASSERT_EQUAL(meta_cfg_hsp(cfg, 1)->hp_refs, 1);
	meta_cfg_undo(cfg); /* off: nothing */
	CU_ASSERT_STRING_EQUAL((p1 = print_p()), p0);
	free(p1);

	/* Kept: undo_end, then a commit is allowed again. */
	CU_ASSERT_EQUAL(meta_cfg_undo_begin(cfg, &err), 0);
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(dry(meta_op_clear(cfg, 10, 0, &ch, &err), &ch), 0);
	meta_cfg_undo_end(cfg);
	CU_ASSERT_PTR_NULL(meta_cfg_unit(cfg, 10));
	meta_change_init(&ch);
	CU_ASSERT_EQUAL(apply(meta_op_clear(cfg, 11, 0, &ch, &err), &ch), 0);
	CU_ASSERT_EQUAL(meta_cfg_nunits(cfg), 3);
	free(p0);
	teardown();
}

static void test_mdtab_errors(void)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} cases[] = {
		{ "d1 1 1 drvA\nd1 1 1 drvB\n", ME_CFG_DUPLICATE,
		  "md.tab:2: defined again 'd1': named twice" },
		{ "d1 1 1 drvA\nd8192 1 1 drvB\n", ME_CFG_RANGE, NULL },
		{ "d1 1 1 drvA\nred/d2 1 1 drvB\n", ME_CFG_OTHERSET, NULL },
		{ "d1 1 1 drvA\n\nd2 1 2 drvB\n", ME_CFG_SYNTAX,
		  "md.tab:3: missing components 'drvB': syntax error" },
		{ "d1 -m d2\nd2 -m d1\n", ME_CFG_NOENT, NULL },
		{ "d1 1 1 drvA\nd2 1 1 drvA\n", ME_CFG_COMPUSED, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f;

		setup();
		/* the dry run (store NULL) finds every error first */
		f = fmemopen((void *)cases[i].text, strlen(cases[i].text), "r");
		CU_ASSERT_EQUAL(meta_mdtab_apply(cfg, f, "md.tab", NULL, &err),
				-1);
		fclose(f);
		if (err.me_code != cases[i].code)
			fprintf(stderr, "\n  case %zu: %s\n", i,
				meta_strerror(&err));
		CU_ASSERT_EQUAL(err.me_code, cases[i].code);
		if (cases[i].msg != NULL)
			CU_ASSERT_STRING_EQUAL(meta_strerror(&err),
					       cases[i].msg);
		CU_ASSERT_EQUAL(ms.ms_n, 0);
		teardown();
	}
}

/* Random md.tab text: every input is applied or refused, never crashes,
 * and the model stays consistent. */
static void test_mdtab_random(void)
{
	static const char *const vocab[] = {
		"d0",	 "d1",	   "d2",      "d10",  "blue/d3", "red/d4",
		"d8192", "hsp001", "hsp1000", "drvA", "drvB",	 "drvC",
		"drvE",	 "tiny",   "1",	      "2",    "0",	 "129",
		"-m",	 "-p",	   "-i",      "-h",   "-e",	 "-o",
		"-b",	 "-g",	   "-r",      "-S",   "-A",	 "all",
		"32k",	 "1m",	   "10b",     "1x",   "#",	 "\\",
		"\n",	 "\n",	   "\n",      "-",    "9",	 "3",
	};
	unsigned seed = 12345;
	char text[512];
	int applied = 0, refused_n = 0;

	for (int iter = 0; iter < 3000; iter++) {
		size_t len = 0;
		int nwords = 1 + (int)(rand_r(&seed) % 24);
		FILE *f;
		int rc;

		setup();
		for (int w = 0; w < nwords && len + 16 < sizeof(text); w++) {
			const char *t =
				vocab[rand_r(&seed) %
				      (sizeof(vocab) / sizeof(vocab[0]))];

			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"%s%s", t,
						t[0] == '\n' ? "" : " ");
		}
		f = fmemopen(text, len ? len : 1, "r");
		VERIFY(f != NULL);
		rc = meta_mdtab_apply(cfg, f, "random", &st, &err);
		fclose(f);
		CU_ASSERT_TRUE(rc == 0 || rc == -1);
		if (rc == 0)
			applied++;
		else
			refused_n++;
		CU_ASSERT_EQUAL(meta_cfg_check(cfg, &err), 0);
		teardown();
	}
	/* both outcomes happen: the generator reaches the parser's depth */
	CU_ASSERT_TRUE(applied > 10);
	CU_ASSERT_TRUE(refused_n > 10);
}

/* ---- the seed's metastat example ---- */

static void test_status_seed(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct meta_name sel;

	setup();
	/* 1238895 blocks is not a multiple of the interlace: concats. */
	drives.fd_d[0].md_len = 1238895;
	drives.fd_d[1].md_len = 1238895;
	ok("d20 1 1 drvA");
	ok("d21 1 1 drvB");
	ok("d22 -m d20 d21");
	f = open_memstream(&buf, &len);
	VERIFY0(meta_name_parse("d22", &sel, &err));
	meta_print_status(cfg, f, 1, &sel);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				      "blue/d22: Mirror\n"
				      "    Submirror 0: blue/d20\n"
				      "      State: Okay\n"
				      "    Submirror 1: blue/d21\n"
				      "      State: Okay\n"
				      "    Pass: 1\n"
				      "    Read option: roundrobin (default)\n"
				      "    Write option: parallel (default)\n"
				      "    Resync option: optimized resync\n"
				      "    Owner: None\n"
				      "    Size: 1238895 blocks (604 MB)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		buf, "blue/d20: Submirror of blue/d22\n"
		     "    State: Okay\n"
		     "    Size: 1238895 blocks (604 MB)\n"
		     "    Stripe 0:\n"
		     "        Device     Start Block  Dbase        State "
		     "Reloc Hot Spare\n"
		     "        drvA                 0  Yes           Okay "
		     "  Yes\n"));
	free(buf);
	teardown();
}

/* A set that is not multi-owner prints no resync option and no owner. */
static void test_status_traditional(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	setup();
	meta_cfg_destroy(cfg);
	VERIFY0(meta_cfg_create("blue", 2, false, fakedrives_lookup, &drives,
				&cfg, &err));
	ok("d20 1 1 drvA");
	ok("d22 -m d20 -g -S 0");
	ok("hsp003");
	f = open_memstream(&buf, &len);
	meta_print_status(cfg, f, 0, NULL);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
				      "    Pass: 0\n"
				      "    Read option: geometric\n"
				      "    Write option: serial\n"
				      "    Size: 1238900 blocks (604 MB)\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "Owner"));
	CU_ASSERT_PTR_NULL(strstr(buf, "Resync option"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "blue/hsp003: is empty\n"));
	free(buf);
	teardown();
}

static CU_TestInfo name_tests[] = {
	{ "names", test_names },
	{ "sizes", test_sizes },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo model_tests[] = {
	{ "build", test_build },
	{ "validation", test_validation },
	{ "changes", test_changes },
	{ "store failure", test_store_failure },
	{ "resync slots", test_rsslots },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo fmt_tests[] = {
	{ "encoding", test_encoding },
	{ "load", test_load },
	{ "load conflict", test_load_conflict },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo mdtab_tests[] = {
	{ "round trip", test_mdtab },
	{ "errors", test_mdtab_errors },
	{ "undo journal", test_undo },
	{ "random", test_mdtab_random },
	{ "seed status", test_status_seed },
	{ "traditional status", test_status_traditional },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "names", NULL, NULL, name_tests },
	{ "model", NULL, NULL, model_tests },
	{ "format", NULL, NULL, fmt_tests },
	{ "mdtab", NULL, NULL, mdtab_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
