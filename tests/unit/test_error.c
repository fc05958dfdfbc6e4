// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for meta_error_t and the error-code table. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/error.h>
#include <oban/paths.h>

#include "ocu.h"

static void test_error_format(void)
{
	meta_error_t e;

	meta_error_init(&e);
	CU_ASSERT_FALSE(meta_error_isset(&e));
	CU_ASSERT_STRING_EQUAL(meta_strerror(&e), "no error");

	CU_ASSERT_EQUAL(meta_error_set(&e, EIO, 2, "blue/0",
				       "cannot open replica"),
			-1);
	CU_ASSERT_TRUE(meta_error_isset(&e));
	CU_ASSERT_EQUAL(e.me_class, MEC_SYS);
	CU_ASSERT_STRING_EQUAL(
		meta_strerror(&e),
		"cannot open replica 'blue/0' on node 2: Input/output error");

	meta_error_set(&e, ME_BADNAME, 0, "d8192", "cannot create");
	CU_ASSERT_EQUAL(e.me_class, MEC_OBAN);
	CU_ASSERT_STRING_EQUAL(meta_strerror(&e),
			       "cannot create 'd8192': invalid name");

	meta_error_set(&e, ME_USAGE, 0, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(meta_strerror(&e), "invalid arguments");

	/* Recording success as an error is a bug, reported as internal. */
	meta_error_set(&e, 0, 0, NULL, "oops");
	CU_ASSERT_EQUAL(e.me_code, ME_INTERNAL);

	/* A NULL error struct is allowed and only returns -1. */
	CU_ASSERT_EQUAL(meta_error_set(NULL, EIO, 0, NULL, NULL), -1);
}

static void test_error_codes(void)
{
	CU_ASSERT_EQUAL(meta_errclass(0), MEC_NONE);
	CU_ASSERT_EQUAL(meta_errclass(ENOENT), MEC_SYS);
	CU_ASSERT_EQUAL(meta_errclass(ME_INTERNAL), MEC_OBAN);
	CU_ASSERT_STRING_EQUAL(meta_strcode(ME_NOTROOT),
			       "permission denied: must be root");
	CU_ASSERT_STRING_EQUAL(meta_strcode(ME_LAST - 1),
			       "unknown error 20999");
	/* Every oban code lies in its range, above any errno. */
#define CHECK_RANGE(name, num, msg)                \
	CU_ASSERT(num > ME_BASE && num < ME_LAST); \
	CU_ASSERT(strlen(msg) > 0);
	META_ERRCODES(CHECK_RANGE)
#undef CHECK_RANGE
}

/*
 * A remote node's error text is read back into its code by its message
 * (meta_mn_result_error()): no two codes, errnos included, may share one.
 */
static void test_error_texts_unique(void)
{
#define X(name, num, msg) { num, msg },
	static const struct {
		int t_code;
		const char *t_msg;
	} codes[] = { META_ERRCODES(X) };
#undef X
	size_t n = sizeof(codes) / sizeof(codes[0]);
	int dup = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(codes[i].t_msg, codes[j].t_msg) == 0)
				dup++;
		for (int e = 1; e < META_ERRNO_MAX; e++)
			if (strcmp(codes[i].t_msg, meta_strcode(e)) == 0)
				dup++;
	}
	for (int e = 1; e < META_ERRNO_MAX; e++) {
		char a[128];

		snprintf(a, sizeof(a), "%s", meta_strcode(e));
		for (int f = e + 1; f < META_ERRNO_MAX; f++)
			if (strcmp(a, meta_strcode(f)) == 0)
				dup++;
	}
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT(n > 100);
	/* The last errno with a name of its own is just below the bound. */
	CU_ASSERT_NSTRING_NOT_EQUAL(meta_strcode(META_ERRNO_MAX - 1),
				    "Unknown error", 13);
}

static void test_set_error(void)
{
	CU_ASSERT_EQUAL(SET_ERROR(EINVAL), EINVAL);
#ifdef OBAN_DEBUG
	CU_ASSERT_PTR_NOT_NULL_FATAL(oban_error_origin());
	CU_ASSERT_PTR_NOT_NULL(strstr(oban_error_origin(), "test_error.c"));
#endif
}

static void test_paths(void)
{
	char buf[64];

	/* The environment was set by main() before the first call. */
	CU_ASSERT_STRING_EQUAL(oban_dir(OBAN_DIR_ETC), "/tmp/x/etc");
	CU_ASSERT_STRING_EQUAL(oban_dir(OBAN_DIR_STATE), "/var/lib/oban");
	CU_ASSERT_STRING_EQUAL(oban_dir(OBAN_DIR_RUN), "/run/oban");
	CU_ASSERT_PTR_EQUAL(
		oban_path(buf, sizeof(buf), OBAN_DIR_ETC, "runtime.cf"), buf);
	CU_ASSERT_STRING_EQUAL(buf, "/tmp/x/etc/runtime.cf");
	CU_ASSERT_PTR_NULL(oban_path(buf, 8, OBAN_DIR_RUN, "nodelist"));
}

static CU_TestInfo error_tests[] = {
	{ "format", test_error_format },
	{ "codes", test_error_codes },
	{ "texts unique", test_error_texts_unique },
	{ "set_error", test_set_error },
	{ "paths", test_paths },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "error", NULL, NULL, error_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	setenv("OBAN_ETCDIR", "/tmp/x/etc//", 1);
	unsetenv("OBAN_STATEDIR");
	setenv("OBAN_RUNDIR", "", 1);
	return ocu_main(argc, argv, suites);
}
