// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for ocm_view, the membership view logic of the test cluster's
 * helper ocmembers: sorting and checking corosync's member lists, the text
 * form the harness compares, and the node sets it is given.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ocm_view.h"
#include "ocu.h"

static void test_view_sorted(void)
{
	const uint32_t ids[] = { 3, 1, 2 };
	struct ocm_view v;
	char buf[64];

	CU_ASSERT_EQUAL(ocm_view_set(&v, 1, ids, 3), 0);
	CU_ASSERT_EQUAL(v.ov_count, 3);
	CU_ASSERT_EQUAL(v.ov_ids[0], 1);
	CU_ASSERT_EQUAL(v.ov_ids[2], 3);
	CU_ASSERT_EQUAL(ocm_view_format(&v, buf, sizeof(buf)),
			(int)strlen("members=1,2,3 quorate=yes"));
	CU_ASSERT_STRING_EQUAL(buf, "members=1,2,3 quorate=yes");

	/* A lone, inquorate node; a quorate flag other than 1 is yes. */
	CU_ASSERT_EQUAL(ocm_view_set(&v, 0, (const uint32_t[]){ 2 }, 1), 0);
	ocm_view_format(&v, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "members=2 quorate=no");
	CU_ASSERT_EQUAL(ocm_view_set(&v, 7, (const uint32_t[]){ 2 }, 1), 0);
	CU_ASSERT_EQUAL(v.ov_quorate, 1);

	/* An empty view (corosync before the first ring) still prints. */
	CU_ASSERT_EQUAL(ocm_view_set(&v, 0, NULL, 0), 0);
	ocm_view_format(&v, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "members= quorate=no");
}

static void test_view_bad(void)
{
	struct ocm_view v;
	static uint32_t many[OCM_MAX_NODES + 1];
	uint32_t i;

	errno = 0;
	CU_ASSERT_EQUAL(ocm_view_set(&v, 1, (const uint32_t[]){ 1, 2, 1 }, 3),
			-1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(v.ov_count, 0);
	CU_ASSERT_EQUAL(ocm_view_set(&v, 1, (const uint32_t[]){ 0, 2 }, 2), -1);
	for (i = 0; i < OCM_MAX_NODES + 1; i++)
		many[i] = i + 1;
	CU_ASSERT_EQUAL(ocm_view_set(&v, 1, many, OCM_MAX_NODES + 1), -1);
	CU_ASSERT_EQUAL(ocm_view_set(&v, 1, many, OCM_MAX_NODES), 0);
	CU_ASSERT_EQUAL(v.ov_ids[OCM_MAX_NODES - 1], OCM_MAX_NODES);
}

static void test_format_space(void)
{
	const uint32_t ids[] = { 10, 200 };
	const char *want = "members=10,200 quorate=yes";
	size_t n = strlen(want);
	struct ocm_view v;
	char buf[64];

	ocm_view_set(&v, 1, ids, 2);
	/* Exactly enough room (with the NUL) works; one byte less does not. */
	CU_ASSERT_EQUAL(ocm_view_format(&v, buf, n + 1), (int)n);
	CU_ASSERT_STRING_EQUAL(buf, want);
	errno = 0;
	CU_ASSERT_EQUAL(ocm_view_format(&v, buf, n), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(ocm_view_format(&v, buf, 5), -1);
	CU_ASSERT_EQUAL(ocm_view_format(&v, buf, 0), -1);
}

static void test_set_parse(void)
{
	struct ocm_view s;

	CU_ASSERT_EQUAL(ocm_set_parse("1 2 3", &s), 0);
	CU_ASSERT_EQUAL(s.ov_count, 3);
	CU_ASSERT_EQUAL(ocm_set_parse(" 3,1 ,, 2 ", &s), 0);
	CU_ASSERT_EQUAL(s.ov_count, 3);
	CU_ASSERT_EQUAL(s.ov_ids[0], 1);
	CU_ASSERT_EQUAL(s.ov_ids[1], 2);
	CU_ASSERT_EQUAL(s.ov_ids[2], 3);
	CU_ASSERT_EQUAL(ocm_set_parse("4294967295", &s), 0);
	CU_ASSERT_EQUAL(s.ov_ids[0], 4294967295u);

	const char *bad[] = { "",
			      "   ",
			      ",",
			      "1 x",
			      "1a",
			      "-1",
			      "+2",
			      "0",
			      "1 2 1",
			      "4294967296",
			      "1;2",
			      "1\t2",
			      "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(ocm_set_parse(bad[i], &s), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
		CU_ASSERT_EQUAL(s.ov_count, 0);
	}
}

static void test_matches(void)
{
	struct ocm_view v, s;

	ocm_view_set(&v, 1, (const uint32_t[]){ 2, 3 }, 2);
	ocm_set_parse("3 2", &s);
	CU_ASSERT_TRUE(ocm_view_matches(&v, &s, 1));
	CU_ASSERT_FALSE(ocm_view_matches(&v, &s, 0));
	ocm_set_parse("1 2 3", &s);
	CU_ASSERT_FALSE(ocm_view_matches(&v, &s, 1));
	ocm_set_parse("2", &s);
	CU_ASSERT_FALSE(ocm_view_matches(&v, &s, 1));
	ocm_set_parse("2 4", &s);
	CU_ASSERT_FALSE(ocm_view_matches(&v, &s, 1));

	/* The lone survivor of a partition: itself, not quorate. */
	ocm_view_set(&v, 0, (const uint32_t[]){ 3 }, 1);
	ocm_set_parse("3", &s);
	CU_ASSERT_TRUE(ocm_view_matches(&v, &s, 0));
	CU_ASSERT_FALSE(ocm_view_matches(&v, &s, 1));
}

static CU_TestInfo view_tests[] = {
	{ "member lists are sorted and printed", test_view_sorted },
	{ "bad member lists are refused", test_view_bad },
	{ "format never overruns", test_format_space },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo set_tests[] = {
	{ "node sets parse, bad ones are refused", test_set_parse },
	{ "views match sets exactly", test_matches },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "ocm_view", NULL, NULL, view_tests },
	{ "ocm_set", NULL, NULL, set_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	return ocu_main(argc, argv, suites);
}
