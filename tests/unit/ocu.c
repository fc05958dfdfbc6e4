// SPDX-License-Identifier: GPL-2.0-or-later
/* ocu: the CUnit frame for oban's unit tests; see ocu.h. */
#include "config.h"

#include <ftw.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "ocu.h"

static char ocu_dir[256];

static int ocu_rm_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	return remove(path);
}

static void ocu_rm_tmpdir(void)
{
	if (ocu_dir[0] != '\0')
		nftw(ocu_dir, ocu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *ocu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (ocu_dir[0] != '\0')
		return ocu_dir;
	snprintf(ocu_dir, sizeof(ocu_dir), "%s/oban-unit.XXXXXX",
		 base != NULL ? base : "/tmp");
	if (mkdtemp(ocu_dir) == NULL) {
		perror("ocu: mkdtemp");
		exit(2);
	}
	atexit(ocu_rm_tmpdir);
	return ocu_dir;
}

char *ocu_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", ocu_tmpdir(), name);
	return buf;
}

int ocu_oban_env(const char *node, const char *cf_head, char *drive_dir,
		 size_t len)
{
	char path[1024], cf[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc", ocu_tmpdir());
	mkdir(path, 0755);
	setenv("OBAN_ETCDIR", path, 1);
	snprintf(cf, sizeof(cf), "%s/runtime.cf", path);
	snprintf(path, sizeof(path), "%s/state", ocu_tmpdir());
	setenv("OBAN_STATEDIR", path, 1);
	snprintf(path, sizeof(path), "%s/run", ocu_tmpdir());
	mkdir(path, 0755);
	setenv("OBAN_RUNDIR", path, 1);
	setenv("OBAN_NODENAME", node, 1);
	snprintf(drive_dir, len, "%s/drives", ocu_tmpdir());
	mkdir(drive_dir, 0755);
	f = fopen(cf, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%sdrive_glob %s/*\n", cf_head, drive_dir);
	return fclose(f) == 0 ? 0 : -1;
}

static int ocu_wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc <= 1)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int ocu_main(int argc, char **argv, const struct ocu_suite *suites)
{
	const struct ocu_suite *s;
	unsigned int ran, failed, asserts;
	CU_TestInfo *t;
	CU_pSuite cs;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (s = suites; s->os_name != NULL; s++) {
		if (!ocu_wanted(argc, argv, s->os_name))
			continue;
		cs = CU_add_suite(s->os_name, s->os_init, s->os_cleanup);
		if (cs == NULL)
			return 2;
		for (t = s->os_tests; t->pName != NULL; t++)
			if (CU_add_test(cs, t->pName, t->pTestFunc) == NULL)
				return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	ran = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	asserts = CU_get_number_of_asserts();
	CU_cleanup_registry();
	if (ran == 0 || asserts == 0) {
		fprintf(stderr, "ocu: no test ran or nothing was asserted\n");
		return 1;
	}
	return failed == 0 ? 0 : 1;
}
