// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command-level tests of the configuration commands: the real metainit,
 * metastat, metaclear, metattach, metadetach, metaparam, metarename and
 * metahs, run in-process on a set whose mddb replica and drives are plain
 * files (cfg_testset.c stands in for meta_set until the storage area's is
 * in the tree).  Every command opens the set, loads the configuration from
 * the mddb, changes it in one commit and closes it, so each step also tests
 * the encoding and the load of what the step before wrote.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/mdc_msg.h>
#include <oban/meta_cfg.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>

#include "../../cmds/cmd_common.h"
#include "cfg_testset.h"
#include "ocu.h"

static char out[1 << 20], errbuf[1 << 16], drive_dir[1024];

static void slurp_fd(int fd, char *buf, size_t size)
{
	ssize_t n;
	size_t len = 0;

	lseek(fd, 0, SEEK_SET);
	while (len + 1 < size && (n = read(fd, buf + len, size - len - 1)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
}

/* Run "prog args..." (one string) with stdout/stderr captured. */
static int run(const char *line)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "metainit", metainit_main },
		{ "metastat", metastat_main },
		{ "metaclear", metaclear_main },
		{ "metattach", metattach_main },
		{ "metadetach", metadetach_main },
		{ "metaparam", metaparam_main },
		{ "metarename", metarename_main },
		{ "metahs", metahs_main },
	};
	char buf[2048], *argv[128], p1[512], p2[512];
	int argc = 0, rc = -1, so, se, fo, fe;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t != NULL && argc < 127;
	     t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	fo = open(ocu_path(p1, sizeof(p1), "stdout"),
		  O_RDWR | O_CREAT | O_TRUNC, 0644);
	fe = open(ocu_path(p2, sizeof(p2), "stderr"),
		  O_RDWR | O_CREAT | O_TRUNC, 0644);
	VERIFY(fo >= 0 && fe >= 0);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			rc = cmds[i].fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp_fd(fo, out, sizeof(out));
	slurp_fd(fe, errbuf, sizeof(errbuf));
	close(fo);
	close(fe);
	VERIFY(rc != -1);
	/* every command closes the set it opened */
	CU_ASSERT_EQUAL(testset_open_count(), 0);
	return rc;
}

static void ok(const char *line)
{
	int rc = run(line);

	if (rc != 0)
		fprintf(stderr, "\n  '%s' -> %d: %s", line, rc, errbuf);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

/* A failing command: exit @code, message containing @msg, nothing changed. */
static void fails(const char *line, int code, const char *msg)
{
	char before[8192];
	int rc;

	ok("metastat -s blue -p");
	memcpy(before, out, sizeof(before) - 1);
	before[sizeof(before) - 1] = '\0';
	rc = run(line);
	if (rc != code || strstr(errbuf, msg) == NULL)
		fprintf(stderr, "\n  '%s' -> %d: %s", line, rc, errbuf);
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, msg));
	ok("metastat -s blue -p");
	CU_ASSERT_STRING_EQUAL(out, before);
}

static int setup(void)
{
	testset_dir(ocu_tmpdir());
	if (testset_create("blue") != 0)
		return -1;
	/* drives: the seed's submirrors are 1238895 blocks (604 MB) */
	if (testset_drive("blue", "drvA", 1238895) ||
	    testset_drive("blue", "drvB", 1238895) ||
	    testset_drive("blue", "drvC", 2097152) ||
	    testset_drive("blue", "drvD", 2097152) ||
	    testset_drive("blue", "drvE", 409600) ||
	    testset_drive("blue", "drvF", 409600) ||
	    testset_drive("blue", "drvS", 16800) ||
	    testset_drive("blue", "drvT", 16800))
		return -1;
	return 0;
}

static const char seed_mirror[] =
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
	"    Size: 1238895 blocks (604 MB)\n"
	"\n"
	"blue/d20: Submirror of blue/d22\n"
	"    State: Okay\n"
	"    Size: 1238895 blocks (604 MB)\n"
	"    Stripe 0:\n"
	"        Device     Start Block  Dbase        State Reloc Hot Spare\n"
	"        drvA                 0  No            Okay   Yes\n"
	"\n"
	"blue/d21: Submirror of blue/d22\n"
	"    State: Okay\n"
	"    Size: 1238895 blocks (604 MB)\n"
	"    Stripe 0:\n"
	"        Device     Start Block  Dbase        State Reloc Hot Spare\n"
	"        drvB                 0  No            Okay   Yes\n"
	"\n"
	"Device Relocation Information:\n"
	"Device   Reloc  Device ID\n"
	"drvA     Yes    id1,oban@64727641-0000-0000-0000-000000000000\n"
	"drvB     Yes    id1,oban@64727642-0000-0000-0000-000000000000\n";

/* The product document's "metastat -s blue" example, field for field. */
static void test_seed_example(void)
{
	ok("metainit -s blue d20 1 1 drvA");
	CU_ASSERT_STRING_EQUAL(out, "blue/d20: Concat/Stripe is setup\n");
	ok("metainit blue/d21 1 1 drvB");
	ok("metainit -s blue d22 -m d20 d21");
	CU_ASSERT_STRING_EQUAL(out, "blue/d22: Mirror is setup\n");
	ok("metastat -s blue");
	CU_ASSERT_STRING_EQUAL(out, seed_mirror);
	ok("metastat -s blue d22");
	CU_ASSERT_STRING_EQUAL(out, seed_mirror);
	/* the ABR variant */
	ok("metaparam -s blue -A on d22");
	ok("metastat -s blue d22");
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "    Resync option: application based\n"
				      "    Owner: None\n"
				      "    Size: 1238895 blocks (604 MB)\n"));
	ok("metaparam -s blue -A off d22");
	ok("metaclear -s blue -r d22");
	CU_ASSERT_STRING_EQUAL(out, "blue/d22: Mirror is cleared\n"
				    "blue/d20: Concat/Stripe is cleared\n"
				    "blue/d21: Concat/Stripe is cleared\n");
	ok("metastat -s blue -p");
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* Every type, every command, then rebuild from metastat -p. */
static void test_lifecycle(void)
{
	char p1[8192], path[512];
	FILE *f;

	ok("metainit -s blue hsp001 drvS");
	CU_ASSERT_STRING_EQUAL(out, "blue/hsp001: Hotspare pool is setup\n");
	ok("metainit -s blue d1 1 2 drvE drvF -i 32k -h hsp001");
	ok("metainit -s blue d2 2 1 drvC 1 drvD");
	ok("metainit -s blue d20 1 1 drvA");
	ok("metainit -s blue d21 1 1 drvB");
	ok("metainit -s blue d0 -m d20");
	ok("metattach -s blue d0 d21");
	CU_ASSERT_STRING_EQUAL(out,
			       "blue/d0: submirror blue/d21 is attached\n");
	ok("metastat -s blue d0");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "    Submirror 1: blue/d21\n"
					   "      State: Resyncing\n"));
	ok("metainit -s blue d10 -p d0 100m");
	CU_ASSERT_STRING_EQUAL(out, "blue/d10: Soft Partition is setup\n");
	ok("metainit -s blue d11 -p d2 10m");
	ok("metattach -s blue d11 20m");
	CU_ASSERT_STRING_EQUAL(out,
			       "blue/d11: Soft Partition has been grown\n");
	ok("metainit -s blue d12 -p d2 1g");
	ok("metattach -s blue d11 5m");
	ok("metastat -s blue d11");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "blue/d11: Soft Partition\n"
					   "    Device: blue/d2\n"
					   "    State: Okay\n"
					   "    Size: 71680 blocks (35 MB)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "             2 "));
	ok("metaparam -s blue -r geometric -w serial -p 3 d0");
	ok("metaparam -s blue d0");
	CU_ASSERT_STRING_EQUAL(out, "blue/d0: Mirror current parameters are:\n"
				    "    Pass: 3\n"
				    "    Read option: geometric\n"
				    "    Write option: serial\n"
				    "    Resync option: optimized resync\n");
	ok("metahs -s blue -a hsp002 drvT");
	ok("metahs -s blue -a all drvT");
	CU_ASSERT_STRING_EQUAL(out, "blue/hsp001: Hotspare is added\n");
	ok("metaparam -s blue -h hsp002 d20");
	ok("metahs -s blue -e drvT");
	CU_ASSERT_STRING_EQUAL(out, "blue/hsp001: Hotspare is enabled\n"
				    "blue/hsp002: Hotspare is enabled\n");
	ok("metahs -s blue -i hsp001");
	CU_ASSERT_PTR_NOT_NULL(strstr(
		out,
		"blue/hsp001: 2 hot spares\n"
		"        Device     Status      Length           Reloc\n"
		"        drvS       Available      16800 blocks    Yes\n"));
	ok("metastat -s blue -c");
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "blue/d10             p   100MB blue/d0\n"
				      "    blue/d0          m   604MB "
				      "blue/d20 blue/d21 (Resyncing)\n"
				      "        blue/d20     s   604MB drvA\n"));
	ok("metastat -s blue -j d10");
	CU_ASSERT_STRING_EQUAL(
		out, "{\"set\":\"blue\",\"units\":[{\"name\":\"blue/d10\","
		     "\"type\":\"softpart\",\"size\":204800,\"device\":"
		     "\"blue/d0\",\"state\":\"Okay\",\"alignment\":0,"
		     "\"extents\":[{\"start\":1,"
		     "\"blocks\":204800}]}],\"hsps\":[]}\n");

	/* metastat -p | metainit -a rebuilds an identical configuration */
	ok("metastat -s blue -p");
	memcpy(p1, out, sizeof(p1) - 1);
	p1[sizeof(p1) - 1] = '\0';
	f = fopen(ocu_path(path, sizeof(path), "md.tab"), "w");
	VERIFY(f != NULL);
	fputs(p1, f);
	fclose(f);
	CU_ASSERT_EQUAL(run("metainit -s blue -a -f /nonexistent/md.tab"), 1);
	ok("metaclear -s blue -a");
	ok("metastat -s blue -p");
	CU_ASSERT_STRING_EQUAL(out, "");
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "metainit -s blue -n -a -f %s",
			 path);
		ok(cmd);
		ok("metastat -s blue -p");
		CU_ASSERT_STRING_EQUAL(out, ""); /* -n wrote nothing */
		snprintf(cmd, sizeof(cmd), "metainit -s blue -a -f %s", path);
		ok(cmd);
		CU_ASSERT_PTR_NOT_NULL(
			strstr(out, "blue/d0: Mirror is setup\n"));
	}
	ok("metastat -s blue -p");
	CU_ASSERT_STRING_EQUAL(out, p1);

	/* rename, detach, clear by component, recreate */
	ok("metarename -s blue d1 d100");
	CU_ASSERT_STRING_EQUAL(out, "blue/d1: has been renamed to blue/d100\n");
	ok("metadetach -s blue d0 d21");
	CU_ASSERT_STRING_EQUAL(out,
			       "blue/d0: submirror blue/d21 is detached\n");
	ok("metaclear -s blue -p d2");
	CU_ASSERT_STRING_EQUAL(out, "blue/d11: Soft Partition is cleared\n"
				    "blue/d12: Soft Partition is cleared\n");
	ok("metaclear -s blue d2 d21 d100");
	ok("metainit -s blue d2 1 1 drvC");
	ok("metahs -s blue -r all drvT drvD");
	CU_ASSERT_STRING_EQUAL(out, "blue/hsp001: Hotspare is replaced\n"
				    "blue/hsp002: Hotspare is replaced\n");
	ok("metahs -s blue -d hsp001 drvD");
	ok("metaclear -s blue -a");
	ok("metastat -s blue -p");
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* Bad requests: the right exit code and message, nothing written. */
static void test_errors(void)
{
	ok("metainit -s blue d1 1 1 drvA");
	ok("metainit -s blue d2 1 1 drvB");
	ok("metainit -s blue d0 -m d1");
	ok("metainit -s blue hsp001 drvS");
	fails("metainit -s blue d8192 1 1 drvC", 1,
	      "metainit: metadevice names are d0..d8191 'd8192': name or "
	      "number out of range\n");
	fails("metainit -s blue hsp1000 drvC", 1, "out of range");
	fails("metainit -s blue d1 1 1 drvC", 1,
	      "metainit: cannot create 'blue/d1': already exists\n");
	fails("metainit -s blue d3 1 1 drvA", 1,
	      "metainit: component of blue/d1 'drvA': component already in "
	      "use\n");
	fails("metainit -s blue d3 1 1 nosuch", 1, "'nosuch'");
	fails("metainit -s blue d3 -p drvE 1t", 1, "not enough free space");
	fails("metainit -s red/d3 1 1 drvC", 1, "invalid set name");
	fails("metainit -s blue red/d3 1 1 drvC", 1, "belongs to another set");
	fails("metainit -s blue d3 1 1", 1, "syntax error");
	fails("metainit", 2, "usage: metainit");
	fails("metainit d3 1 1 drvC", 2, "no set given");
	fails("metainit -s green d3 1 1 drvC", 1, "'green'");
	fails("metattach -s blue d1 d2", 1,
	      "a metadevice cannot be a component 'd2'");
	fails("metattach -s blue d0 d1", 1, "submirror of blue/d0");
	fails("metattach -s blue d0 hsp001", 1, "not a metadevice");
	fails("metattach -s blue d0", 2, "usage");
	fails("metattach -s blue d9 d2", 1, "no such metadevice");
	fails("metadetach -s blue d0 d1", 1, "last submirror");
	fails("metadetach -s blue d0 d2", 1, "not a submirror");
	fails("metadetach -s blue d0", 2, "usage");
	fails("metaclear -s blue d1", 1, "submirror of blue/d0");
	fails("metaclear -s blue d5", 1, "no such metadevice");
	fails("metaclear -s blue hsp002", 1, "no such metadevice");
	fails("metaparam -s blue -p 10 d0", 2, "usage");
	fails("metaparam -s blue -r fast d0", 2, "usage");
	fails("metaparam -s blue -p 3 d2", 1, "not a mirror");
	fails("metaparam -s blue -h hsp009 d2", 1, "no such");
	fails("metarename -s blue d1 d9", 1, "submirror of blue/d0");
	fails("metarename -s blue d2 d0", 1, "already exists");
	fails("metarename -s blue -x d2 d0", 1,
	      "metarename: cannot exchange names of blue/d2 and 'blue/d0': "
	      "not a mirror and one of its submirrors\n");
	fails("metahs -s blue -a hsp001 drvA", 1, "component already in use");
	fails("metahs -s blue -d hsp001 drvT", 1, "not a hot spare");
	fails("metahs -s blue -r hsp001 drvS drvA", 1, "in use");
	fails("metastat -s blue d7", 1, "'blue/d7'");
	fails("metastat -s blue -p -c", 2, "usage");
	/* -n checks and writes nothing */
	ok("metainit -s blue -n d3 1 1 drvC");
	CU_ASSERT_STRING_EQUAL(out, "blue/d3: Concat/Stripe is setup\n");
	ok("metastat -s blue -p");
	CU_ASSERT_PTR_NULL(strstr(out, "d3"));
	ok("metaclear -s blue -n -r d0");
	ok("metastat -s blue -p");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "blue/d0 -m blue/d1 1\n"));
	ok("metaclear -s blue -a");
}

/* Write @text to md.tab in the test directory and run metainit -a on it. */
static void mdtab_apply(const char *text)
{
	char path[512], cmd[700];
	FILE *f = fopen(ocu_path(path, sizeof(path), "md.tab"), "w");

	VERIFY(f != NULL);
	fputs(text, f);
	VERIFY0(fclose(f));
	snprintf(cmd, sizeof(cmd), "metainit -s blue -a -f %s", path);
	ok(cmd);
}

/* Soft partitions with -A: aligned extents, growth, md.tab round trip. */
static void test_sp_align(void)
{
	char before[4096];

	ok("metainit -s blue d20 -p -A 64 drvE 1000");
	ok("metainit -s blue d21 -p -A 32k drvE 100");
	ok("metastat -s blue -p d20 d21");
	CU_ASSERT_STRING_EQUAL(out, "blue/d20 -p -A 64b drvE -o 64 -b 1000\n"
				    "blue/d21 -p -A 64b drvE -o 1088 -b 100\n");
	/* an unaligned one takes the gap the alignment left */
	ok("metainit -s blue d22 -p drvE 10");
	ok("metastat -s blue -p d22");
	CU_ASSERT_STRING_EQUAL(out, "blue/d22 -p drvE -o 1 -b 10\n");
	/* growth: the new extent starts congruent to its offset (1000) */
	ok("metattach -s blue d20 50");
	ok("metastat -s blue -p d20");
	CU_ASSERT_STRING_EQUAL(
		out, "blue/d20 -p -A 64b drvE -o 64 -b 1000 -o 1192 -b 50\n");
	ok("metastat -s blue -j d20");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"alignment\":64,"));
	/* spread over gaps: every extent but the last a multiple of 64 */
	ok("metainit -s blue d23 -p drvF 300");
	ok("metainit -s blue d24 -p drvF 1000");
	ok("metainit -s blue d25 -p drvF 300");
	ok("metainit -s blue d28 -p drvF all");
	ok("metaclear -s blue d23 d25");
	ok("metainit -s blue d26 -p -A 64 drvF 400");
	ok("metastat -s blue -p d26");
	CU_ASSERT_STRING_EQUAL(
		out, "blue/d26 -p -A 64b drvF -o 64 -b 192 -o 1344 -b 208\n");
	/* bad values, misaligned extents; nothing written */
	fails("metainit -s blue d27 -p -A 3t drvF 10", 1,
	      "metainit: alignment 6442450944 blocks above 1 TB for "
	      "'blue/d27': invalid size\n");
	fails("metainit -s blue d27 -p -A x drvF 10", 1, "invalid size");
	fails("metainit -s blue d27 -p -A", 1, "-A needs a value");
	fails("metainit -s blue d27 -p -A 64 drvF -o 2000 -b 10", 1,
	      "metainit: cannot place extent 0 at block 2000 (not aligned "
	      "to 64) of 'blue/d27': invalid size\n");
	fails("metainit -s blue d27 -p -A 409536 drvF 100", 1,
	      "not enough free space");
	/* -A 0 is no alignment */
	ok("metainit -s blue d27 -p -A 0 drvF 5");
	ok("metastat -s blue -p d27");
	CU_ASSERT_STRING_EQUAL(out, "blue/d27 -p drvF -o 1 -b 5\n");
	/* metastat -p | metainit -a rebuilds the same extents and alignment */
	ok("metastat -s blue -p");
	memcpy(before, out, sizeof(before) - 1);
	before[sizeof(before) - 1] = '\0';
	ok("metaclear -s blue -a");
	mdtab_apply(before);
	ok("metastat -s blue -p");
	CU_ASSERT_STRING_EQUAL(out, before);
	/* md.tab order: a soft partition with -A before the mirror under it */
	mdtab_apply("blue/d30 -p -A 64 blue/d31 100\n"
		    "blue/d31 -m blue/d32\nblue/d32 1 1 drvC\n");
	ok("metastat -s blue -p d30");
	CU_ASSERT_STRING_EQUAL(out,
			       "blue/d30 -p -A 64b blue/d31 -o 64 -b 100\n");
	ok("metaclear -s blue -r d30");
	/* no aligned room left for growth; then some */
	fails("metattach -s blue d26 64", 1, "aligned to 64");
	ok("metaclear -s blue d28");
	ok("metattach -s blue d26 64");
	ok("metastat -s blue -p d26");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " -o 1616 -b 64\n"));
	ok("metaclear -s blue -a");
}

/* metarename -x: a mirror and its submirror exchange names. */
static void test_exchange(void)
{
	ok("metainit -s blue d1 1 1 drvA");
	ok("metainit -s blue d2 1 1 drvB");
	ok("metainit -s blue d0 -m d1 -g 3");
	ok("metainit -s blue d5 1 1 drvE");
	ok("metainit -s blue d6 -p drvF 10m");
	/* unrelated, missing, the same unit, not a mirror */
	fails("metarename -s blue -x d0 d5", 1,
	      "metarename: cannot exchange names of blue/d0 and 'blue/d5': "
	      "not a mirror and one of its submirrors\n");
	fails("metarename -s blue -x d5 d6", 1, "not a mirror and one of");
	fails("metarename -s blue -x d0 d0", 1, "not a mirror and one of");
	fails("metarename -s blue -x d0 d9", 1,
	      "metarename: cannot exchange 'blue/d9': no such metadevice");
	fails("metarename -s blue -x d0", 2, "usage: metarename");
	/* a submirror attached later is resyncing: refused, as in SVM */
	ok("metattach -s blue d0 d2");
	fails("metarename -s blue -x d0 d2", 1,
	      "metarename: cannot exchange names of 'blue/d2': resync in "
	      "progress\n");
	fails("metarename -s blue -x d0 d1", 1,
	      "'blue/d2': resync in progress");
	ok("metadetach -s blue d0 d2");
	/* -n checks only */
	ok("metarename -s blue -n -x d1 d0");
	ok("metastat -s blue -p d0");
	CU_ASSERT_STRING_EQUAL(out, "blue/d0 -m blue/d1 -g 3\n"
				    "blue/d1 1 1 drvA\n");
	/* either order; the mirror keeps its options */
	ok("metarename -s blue -x d1 d0");
	CU_ASSERT_STRING_EQUAL(
		out, "blue/d1 and blue/d0 have exchanged identities\n");
	ok("metastat -s blue -p d1");
	CU_ASSERT_STRING_EQUAL(out, "blue/d1 -m blue/d0 -g 3\n"
				    "blue/d0 1 1 drvA\n");
	ok("metastat -s blue -c d1");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "    blue/d0"));
	/* a 2-way mirror: the other submirror stays */
	ok("metattach -s blue d1 d2");
	ok("metaparam -s blue -r first d1");
	/* the attached one's resync is the engine's; take it as done */
	fails("metarename -s blue -x d1 d0", 1, "resync in progress");
	ok("metadetach -s blue d1 d2");
	ok("metarename -s blue -x d0 d1");
	ok("metastat -s blue -p d0");
	CU_ASSERT_STRING_EQUAL(out, "blue/d0 -m blue/d1 -r 3\n"
				    "blue/d1 1 1 drvA\n");
	/* soft partitions on the mirror: refused */
	ok("metainit -s blue d7 -p d0 1m");
	fails("metarename -s blue -x d0 d1", 1,
	      "metarename: cannot exchange names of 'blue/d0': in use by "
	      "another metadevice\n");
	/* a plain rename of the mirror is refused the same way */
	fails("metarename -s blue d0 d9", 1, "soft partitions on it");
	ok("metaclear -s blue -a");
}

/*
 * A failed command run by mdcommd prints its error naming the node; the
 * initiator turns that line back into the same error, printed once.
 */
static void test_remote_error(void)
{
	/* A failing node's output and exit value, and the error read back. */
	static const struct {
		const char *re_out; /* the node's output */
		int32_t re_exit; /* its exit value */
		uint32_t re_type; /* the message type */
		int re_code; /* the error's code */
		const char *re_msg; /* meta_strerror(), or NULL */
		const char *re_what; /* its me_what, or NULL */
	} cases[] = {
		{ "metainit: cannot create 'blue/d10' on node 2: already "
		  "exists\n",
		  1, MDC_MSG_BC_CMD, ME_CFG_EXISTS,
		  "cannot create 'blue/d10' on node 2: already exists", NULL },
		/* no what, an errno reason */
		{ "metahs: 'drvS' on node 2: No such file or directory", 1,
		  MDC_MSG_BC_CMD, ENOENT,
		  "'drvS' on node 2: No such file or directory", NULL },
		/* the test hook's refusal: named once */
		{ "metainit: test hook commd_test_dryrun_fail refused the dry "
		  "run in set 'blue' on node 2: message failed on a node\n",
		  1, MDC_MSG_BC_CMD, ME_COMM_FAILED,
		  "test hook commd_test_dryrun_fail refused the dry run in set "
		  "'blue' on node 2: message failed on a node",
		  NULL },
		/* another form: kept, on the failing node, with the exit
		 * value */
		{ "usage: metainit [-s set]\n", 1, MDC_MSG_BC_CMD,
		  ME_COMM_FAILED,
		  "usage: metainit [-s set] (exit value 1) on node 2: message "
		  "failed on a node",
		  NULL },
		/* a usage error (exit 2): ME_USAGE, the node's whole text */
		{ "usage: metainit [-s set] {dN nstripes ...\n  | hspNNN}\n", 2,
		  MDC_MSG_BC_CMD, ME_USAGE, NULL,
		  "usage: metainit [-s set] {dN nstripes ...\n  | hspNNN}" },
		/* exit 2 of another message is no usage error */
		{ "usage: metainit\n", 2, MDC_MSG_CLU_CHECK, ME_COMM_FAILED,
		  NULL, "usage: metainit (exit value 2)" },
		/* another node's number in the text is not this node's */
		{ "metainit: cannot create 'blue/d10' on node 3: already "
		  "exists",
		  1, MDC_MSG_BC_CMD, ME_COMM_FAILED, NULL,
		  "cannot create 'blue/d10' on node 3: already exists (exit "
		  "value 1)" },
		/* no output: the message type */
		{ "", 1, MDC_MSG_BC_CMD, ME_COMM_FAILED,
		  "BC_CMD (exit value 1) on node 2: message failed on a node",
		  NULL },
	};
	char big[MDC_MAXOUT + 1], want[MDC_MAXOUT + 64];
	struct mdc_result r;
	meta_error_t e;

	memset(&r, 0, sizeof(r));
	r.mr_failing_node = 2;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r.mr_exitval = cases[i].re_exit;
		r.mr_outlen = (uint32_t)strlen(cases[i].re_out);
		memcpy(r.mr_out, cases[i].re_out, r.mr_outlen);
		meta_error_init(&e);
		CU_ASSERT_EQUAL(meta_mn_result_error(&r, cases[i].re_type, &e),
				-1);
		CU_ASSERT_EQUAL(e.me_code, cases[i].re_code);
		CU_ASSERT_EQUAL(e.me_node, 2);
		if (cases[i].re_what != NULL)
			CU_ASSERT_STRING_EQUAL(e.me_what, cases[i].re_what);
		if (cases[i].re_msg != NULL)
			CU_ASSERT_STRING_EQUAL(meta_strerror(&e),
					       cases[i].re_msg);
	}
	/* Another form is kept whole (every line, past 160 characters, up
	 * to the result's limit), with the exit value. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "first line\nsecond ", 18);
	big[sizeof(big) - 2] = '\n';
	r.mr_exitval = 1;
	r.mr_outlen = MDC_MAXOUT;
	memcpy(r.mr_out, big, MDC_MAXOUT);
	meta_error_init(&e);
	meta_mn_result_error(&r, MDC_MSG_SET_ADMIN, &e);
	big[sizeof(big) - 2] = '\0';
	snprintf(want, sizeof(want), "%s (exit value 1)", big);
	CU_ASSERT_EQUAL(e.me_code, ME_COMM_FAILED);
	CU_ASSERT_STRING_EQUAL(e.me_what, want);
}

/* metastat -i: every drive in use probed; a missing or short one named. */
/*
 * cmd_mn_send() exits 2 (CMD_USAGE) only for a usage error a node refused
 * (its usage text); a refusal of this node's own (here: the set is not
 * multi-owner, as when it changed under the command) is no usage error
 * and exits 1.
 */
static void test_mn_send_exit(void)
{
	char w[7][16] = { "metainit", "-s", "plain", "d0", "1", "1", "drvA" };
	const char *me = "node1";
	char *argv[8] = { w[0], w[1], w[2], w[3], w[4], w[5], w[6], NULL };
	struct cmd c;
	int rc, fe, se;

	CU_ASSERT_FATAL(meta_set_create("plain", false, &me, 1, &c.c_err) == 0);
	cmd_init(&c, "metainit");
	c.c_set = "plain";
	fflush(stderr);
	fe = fileno(tmpfile());
	se = dup(2);
	dup2(fe, 2);
	rc = cmd_mn_send(&c, 7, argv);
	fflush(stderr);
	dup2(se, 2);
	close(se);
	slurp_fd(fe, errbuf, sizeof(errbuf));
	close(fe);
	if (c.c_err.me_code != ME_USAGE)
		fprintf(stderr, "\n  cmd_mn_send -> %d: %s", rc, errbuf);
	CU_ASSERT_EQUAL(c.c_err.me_code, ME_USAGE);
	CU_ASSERT_EQUAL(c.c_err.me_node, 0);
	CU_ASSERT_EQUAL(rc, CMD_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not multi-owner"));
	CU_ASSERT(meta_set_destroy("plain", true, &c.c_err) == 0);
}

static void test_inquire(void)
{
	char p1[1024], p2[1024], plain[8192];

	ok("metainit -s blue d1 1 1 drvA");
	ok("metainit -s blue hsp001 drvS");
	ok("metainit -s blue d5 -p drvE 10m");
	ok("metainit -s blue d6 -p d1 1m");
	ok("metastat -s blue");
	memcpy(plain, out, sizeof(plain) - 1);
	plain[sizeof(plain) - 1] = '\0';
	ok("metastat -s blue -i");
	CU_ASSERT_STRING_EQUAL(out, plain);
	CU_ASSERT_STRING_EQUAL(errbuf, "");
	/* drvE cut short, drvS gone */
	snprintf(p1, sizeof(p1), "%s/blue/drives/drvE", ocu_tmpdir());
	snprintf(p2, sizeof(p2), "%s/blue/drives/drvS", ocu_tmpdir());
	CU_ASSERT_EQUAL_FATAL(truncate(p1, 0), 0);
	CU_ASSERT_EQUAL_FATAL(unlink(p2), 0);
	fails("metastat -s blue -i", 1,
	      "metastat: drive of blue/d5 'drvE': No such device or address\n"
	      "metastat: hot spare of blue/hsp001 'drvS': no such drive\n");
	/* the status is printed all the same, states unchanged */
	CU_ASSERT_EQUAL(run("metastat -s blue -i"), 1);
	CU_ASSERT_STRING_EQUAL(out, plain);
	/* only what the names use */
	ok("metastat -s blue -i d1 d6");
	CU_ASSERT_STRING_EQUAL(errbuf, "");
	CU_ASSERT_EQUAL(run("metastat -s blue -i -j hsp001"), 1);
	CU_ASSERT_STRING_EQUAL(errbuf, "metastat: hot spare of blue/hsp001 "
				       "'drvS': no such drive\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"hsps\":[{\"name\":"));
	CU_ASSERT_EQUAL(run("metastat -s blue -c -i d5"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "blue/d5"));
	CU_ASSERT_EQUAL_FATAL(testset_drive("blue", "drvE", 409600), 0);
	CU_ASSERT_EQUAL_FATAL(testset_drive("blue", "drvS", 16800), 0);
	ok("metastat -s blue -i");
	ok("metaclear -s blue -a");
}

/*
 * -c in SVM's form: soft partitions first, grouped by what they are built
 * on, which is shown once, indented under them; then mirrors, concats.
 */
static void test_concise(void)
{
	ok("metainit -s blue d1 1 1 drvA");
	ok("metainit -s blue d0 -m d1");
	ok("metainit -s blue d5 1 1 drvB");
	ok("metainit -s blue d10 -p d0 1m");
	ok("metainit -s blue d11 -p drvE 1m");
	ok("metainit -s blue d12 -p d0 2m");
	ok("metainit -s blue d13 -p drvE 1m");
	ok("metainit -s blue hsp001 drvS");
	ok("metastat -s blue -c");
	CU_ASSERT_STRING_EQUAL(out, "blue/d10             p   1.0MB blue/d0\n"
				    "blue/d12             p   2.0MB blue/d0\n"
				    "    blue/d0          m   604MB blue/d1\n"
				    "        blue/d1      s   604MB drvA\n"
				    "blue/d11             p   1.0MB drvE\n"
				    "blue/d13             p   1.0MB drvE\n"
				    "blue/d5              s   604MB drvB\n"
				    "blue/hsp001          h       - drvS\n");
	/* names: in the order given, each with what it is built on */
	ok("metastat -s blue -c d12 hsp001 d5");
	CU_ASSERT_STRING_EQUAL(out, "blue/d12             p   2.0MB blue/d0\n"
				    "    blue/d0          m   604MB blue/d1\n"
				    "        blue/d1      s   604MB drvA\n"
				    "blue/hsp001          h       - drvS\n"
				    "blue/d5              s   604MB drvB\n");
	ok("metaclear -s blue -a");
}

/* -c shows states other than Okay/Available; -j every field, uuids too. */
static void test_print_fields(void)
{
	struct meta_cfg *cfg;
	struct meta_unit *u = calloc(1, sizeof(*u));
	struct meta_hsp *h = calloc(1, sizeof(*h));
	meta_error_t e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	VERIFY(u != NULL && h != NULL);
	VERIFY0(meta_cfg_create("blue", 1, true, NULL, NULL, &cfg, &e));
	u->mu_num = 1;
	u->mu_type = META_UT_STRIPE;
	u->mu_size = 100;
	u->mu_parent = META_NONE;
	u->mu_st.st_hsp = 1;
	u->mu_st.st_nrows = 1;
	u->mu_st.st_rows = calloc(1, sizeof(struct meta_row));
	VERIFY(u->mu_st.st_rows != NULL);
	u->mu_st.st_rows[0].mr_ncomp = 1;
	u->mu_st.st_rows[0].mr_comps = calloc(1, sizeof(struct meta_comp));
	VERIFY(u->mu_st.st_rows[0].mr_comps != NULL);
	snprintf(u->mu_st.st_rows[0].mr_comps[0].mc_name, META_DRVNAMELEN,
		 "drvA");
	u->mu_st.st_rows[0].mr_comps[0].mc_uuid[0] = 0xab;
	u->mu_st.st_rows[0].mr_comps[0].mc_size = 100;
	u->mu_st.st_rows[0].mr_comps[0].mc_state = META_CS_ERRED;
	h->hp_num = 1;
	h->hp_nspares = 1;
	h->hp_spares = calloc(1, sizeof(struct meta_spare));
	VERIFY(h->hp_spares != NULL);
	snprintf(h->hp_spares[0].hs_name, META_DRVNAMELEN, "drvS");
	h->hp_spares[0].hs_size = 100;
	h->hp_spares[0].hs_state = META_HSS_INUSE;
	VERIFY0(meta_cfg_add_hsp(cfg, h, &e));
	VERIFY0(meta_cfg_add_unit(cfg, u, &e));
	VERIFY0(meta_cfg_check(cfg, &e));
	f = open_memstream(&buf, &len);
	VERIFY(f != NULL);
	meta_print_concise(cfg, f, 0, NULL);
	fflush(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " drvA (Maintenance)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " drvS (In use)\n"));
	rewind(f);
	meta_print_json(cfg, f, 0, NULL);
	fputc('\0', f);
	fflush(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(
		buf, "{\"device\":\"drvA\",\"uuid\":"
		     "\"ab000000-0000-0000-0000-000000000000\",\"start\":0,"
		     "\"blocks\":100,\"state\":\"Maintenance\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"state\":\"In use\""));
	fclose(f);
	free(buf);
	meta_cfg_destroy(cfg);
	/* a mirror's resync record slot */
	ok("metainit -s blue d1 1 1 drvA");
	ok("metainit -s blue d0 -m d1");
	ok("metastat -s blue -j d0");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"rsslot\":0,\"owner\":null"));
	ok("metaclear -s blue -a");
}

static CU_TestInfo cmd_tests[] = {
	{ "seed example", test_seed_example },
	{ "lifecycle", test_lifecycle },
	{ "errors", test_errors },
	{ "exchange", test_exchange },
	{ "soft partition alignment", test_sp_align },
	{ "remote error", test_remote_error },
	{ "forwarding: exit of a refusal here", test_mn_send_exit },
	{ "metastat -i", test_inquire },
	{ "metastat -c/-j fields", test_print_fields },
	{ "metastat -c", test_concise },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "commands", NULL, NULL, cmd_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	/* multi-owner test sets, no mdcommd: run locally (test-only) */
#ifndef OBAN_TEST_HOOKS
	fprintf(stderr, "test_cmds: test hooks are not built in: skipped\n");
	return 77;
#endif
	setenv("OBAN_MN_LOCAL", "1", 1);
	/* a real (single-owner) set too: test_mn_send_exit */
	if (ocu_oban_env("node1", "# test\ncommd_verbosity 0\n", drive_dir,
			 sizeof(drive_dir)) != 0 ||
	    setup() != 0) {
		perror("setup");
		return 1;
	}
	return ocu_main(argc, argv, suites);
}
