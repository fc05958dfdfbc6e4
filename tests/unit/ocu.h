/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ocu: the small frame every CUnit test binary shares.
 *
 * A test binary lists its suites in an array of struct ocu_suite ending with
 * an all-NULL entry and calls ocu_main() from main():
 *
 *	static CU_TestInfo crc_tests[] = {
 *		{ "known vectors", test_crc_vectors },
 *		CU_TEST_INFO_NULL,
 *	};
 *	static const struct ocu_suite suites[] = {
 *		{ "crc", NULL, NULL, crc_tests },
 *		{ NULL },
 *	};
 *	int main(int argc, char **argv) { return ocu_main(argc, argv, suites); }
 *
 * ocu_main() runs every suite (or only the suites named on the command line)
 * in CUnit's basic mode, and exits 0 only if every test ran and every
 * assertion passed; a binary whose suites hold no test at all fails, so a
 * test file cannot silently assert nothing.
 *
 * ocu_tmpdir() gives each binary one scratch directory, removed at exit.
 */
#ifndef OBAN_TESTS_OCU_H
#define OBAN_TESTS_OCU_H

#include <CUnit/CUnit.h>

struct ocu_suite {
	const char *os_name;
	CU_InitializeFunc os_init;
	CU_CleanupFunc os_cleanup;
	CU_TestInfo *os_tests;
};

int ocu_main(int argc, char **argv, const struct ocu_suite *suites);

/* ocu_tmpdir - this binary's scratch directory (created on first use). */
const char *ocu_tmpdir(void);

/* ocu_path - "<tmpdir>/<name>" in a static buffer of the caller's choosing. */
char *ocu_path(char *buf, size_t len, const char *name);

/*
 * ocu_oban_env - an oban node in the scratch directory: OBAN_ETCDIR,
 * OBAN_STATEDIR and OBAN_RUNDIR under it, OBAN_NODENAME @node, a drives
 * directory (its path in @drive_dir) and a runtime.cf of @cf_head (may be
 * "") and a drive_glob over the drives directory.  Returns 0, or -1 when
 * runtime.cf cannot be written.
 */
int ocu_oban_env(const char *node, const char *cf_head, char *drive_dir,
		 size_t len);

#endif /* OBAN_TESTS_OCU_H */
