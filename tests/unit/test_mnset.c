// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_mnset: the node list, this node's identity, the join and withdraw
 * rules, and metaset's output for multi-owner sets.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

#include "ocu.h"

static char nlpath[4096];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static char *read_all(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- node list --------------------------------------------------------- */

static void test_nodelist_read(void)
{
	struct meta_nodelist_ent *v;
	meta_error_t e;
	int n;

	write_file(nlpath, "# cluster\n"
			   "\n"
			   "3 ulva 172.16.193.3   # third\n"
			   "1 staffa 172.16.193.1\n"
			   "  2\tiona\tfe80::2  \n");
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_read(NULL, &v, &n, &e), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(v[0].ne_id, 1);
	CU_ASSERT_STRING_EQUAL(v[0].ne_name, "staffa");
	CU_ASSERT_STRING_EQUAL(v[0].ne_addr, "172.16.193.1");
	CU_ASSERT_EQUAL(v[1].ne_id, 2);
	CU_ASSERT_STRING_EQUAL(v[1].ne_name, "iona");
	CU_ASSERT_STRING_EQUAL(v[1].ne_addr, "fe80::2");
	CU_ASSERT_EQUAL(v[2].ne_id, 3);
	CU_ASSERT_EQUAL(meta_node_lookup(v, n, "ulva"), 2);
	CU_ASSERT_EQUAL(meta_node_lookup(v, n, "mull"), -1);
	free(v);

	write_file(nlpath, "# nobody\n\n");
	CU_ASSERT_EQUAL(meta_nodelist_read(NULL, &v, &n, &e), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(v);
}

static void test_nodelist_bad(void)
{
	static const char *const bad[] = {
		"1 staffa\n", /* missing address */
		"1 staffa 10.0.0.1 extra\n", /* a fourth field */
		"0 staffa 10.0.0.1\n", /* ids start at 1 */
		"129 staffa 10.0.0.1\n", /* at most 128 */
		"x staffa 10.0.0.1\n",
		"-1 staffa 10.0.0.1\n",
		"1x staffa 10.0.0.1\n",
		"1 a 10.0.0.1\n1 b 10.0.0.2\n", /* id twice */
		"1 a 10.0.0.1\n2 a 10.0.0.2\n", /* name twice */
		"1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaa 10.0.0.1\n", /* name too long */
	};
	struct meta_nodelist_ent *v;
	meta_error_t e;
	size_t i;
	int n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(nlpath, bad[i]);
		v = (void *)1;
		n = 7;
		CU_ASSERT_EQUAL(meta_nodelist_read(NULL, &v, &n, &e), -1);
		CU_ASSERT_EQUAL(e.me_code, ME_SET_BADNODELIST);
		CU_ASSERT_PTR_NULL(v);
		CU_ASSERT_EQUAL(n, 0);
	}
	/* The message names the line. */
	write_file(nlpath, "1 a 10.0.0.1\n\n2 b\n");
	CU_ASSERT_EQUAL(meta_nodelist_read(NULL, &v, &n, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "line 3"));
	unlink(nlpath);
	CU_ASSERT_EQUAL(meta_nodelist_read(NULL, &v, &n, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ENOENT);
}

static void test_nodelist_write(void)
{
	struct meta_nodelist_ent in[3] = {
		{ 3, "ulva", "10.0.0.3" },
		{ 1, "staffa", "10.0.0.1" },
		{ 2, "iona", "10.0.0.2" },
	};
	struct meta_nodelist_ent *v, badent[2];
	meta_error_t e;
	char *text;
	int n;

	CU_ASSERT_EQUAL_FATAL(meta_nodelist_write(NULL, in, 3, &e), 0);
	text = read_all(nlpath);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "1 staffa 10.0.0.1\n"
					    "2 iona 10.0.0.2\n"
					    "3 ulva 10.0.0.3\n"));
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_read(NULL, &v, &n, &e), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(v[2].ne_name, "ulva");
	free(v);

	/* Refused: id twice, id 0, a blank in a name, no address; the file
	 * stays as it was. */
	badent[0] = in[0];
	badent[1] = in[0];
	snprintf(badent[1].ne_name, sizeof(badent[1].ne_name), "mull");
	CU_ASSERT_EQUAL(meta_nodelist_write(NULL, badent, 2, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_BADNODELIST);
	badent[1] = in[1];
	badent[1].ne_id = 0;
	CU_ASSERT_EQUAL(meta_nodelist_write(NULL, badent, 2, &e), -1);
	badent[1] = in[1];
	snprintf(badent[1].ne_name, sizeof(badent[1].ne_name), "a b");
	CU_ASSERT_EQUAL(meta_nodelist_write(NULL, badent, 2, &e), -1);
	badent[1] = in[1];
	badent[1].ne_addr[0] = '\0';
	CU_ASSERT_EQUAL(meta_nodelist_write(NULL, badent, 2, &e), -1);
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_read(NULL, &v, &n, &e), 0);
	CU_ASSERT_EQUAL(n, 3);
	free(v);
	/* An explicit path works too. */
	{
		char other[4096];

		ocu_path(other, sizeof(other), "nodelist.other");
		CU_ASSERT_EQUAL(meta_nodelist_write(other, in, 1, &e), 0);
		CU_ASSERT_EQUAL(meta_nodelist_read(other, &v, &n, &e), 0);
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_EQUAL(v[0].ne_id, 3);
		free(v);
	}
}

static void test_node_self(void)
{
	struct meta_nodelist_ent self, in[2] = {
		{ 1, "staffa", "10.0.0.1" },
		{ 2, "ulva", "10.0.0.2" },
	};
	meta_error_t e;

	unlink(nlpath);
	setenv("OBAN_NODENAME", "ulva", 1);
	CU_ASSERT_EQUAL(meta_node_self(&self, &e), 0);
	CU_ASSERT_EQUAL(self.ne_id, 1); /* a single node */
	CU_ASSERT_STRING_EQUAL(self.ne_name, "ulva");
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_write(NULL, in, 2, &e), 0);
	CU_ASSERT_EQUAL(meta_node_self(&self, &e), 0);
	CU_ASSERT_EQUAL(self.ne_id, 2);
	CU_ASSERT_STRING_EQUAL(self.ne_addr, "10.0.0.2");
	setenv("OBAN_NODENAME", "mull", 1);
	CU_ASSERT_EQUAL(meta_node_self(&self, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_UNKNOWNHOST);
	write_file(nlpath, "garbage\n");
	CU_ASSERT_EQUAL(meta_node_self(&self, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_BADNODELIST);
	unlink(nlpath);
	unsetenv("OBAN_NODENAME");
}

/* ---- join and withdraw ------------------------------------------------- */

static void test_join_first(void)
{
	struct meta_join_state st = {
		.js_has_drives = true,
		.js_self_replicas = 3,
		.js_self_active = 2,
	};
	meta_error_t e;

	/* The first to join becomes master. */
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_MASTER);
	/* ... STALE with half of an even count, or fewer. */
	st.js_self_replicas = 4;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_MASTER_STALE);
	st.js_self_active = 1;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_MASTER_STALE);
	/* No drives: nothing to join. */
	st.js_has_drives = false;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_NOREPLICA);
	/* Already joined: nothing to do. */
	st.js_has_drives = true;
	st.js_self_joined = true;
	st.js_owners = 1;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_NOOP);
}

static void test_join_slave(void)
{
	struct meta_join_state st = {
		.js_has_drives = true,
		.js_owners = 1,
		.js_master_replicas = 4,
		.js_master_active = 4,
		/* this node's own view does not matter to a slave */
		.js_self_replicas = 4,
		.js_self_active = 0,
	};
	meta_error_t e;

	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_SLAVE);
	/* The master runs with 50% of its replicas: a slave may join. */
	st.js_master_active = 2;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_SLAVE);
	/* The master is STALE: so is the joiner. */
	st.js_master_stale = true;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), META_JV_SLAVE_STALE);
	/* A master below half that is not STALE is an inconsistent view. */
	st.js_master_stale = false;
	st.js_master_active = 1;
	CU_ASSERT_EQUAL(meta_join_check(&st, true, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_MDDB_TOOFEW);
}

static void test_withdraw(void)
{
	struct meta_join_state st = {
		.js_has_drives = true,
		.js_self_joined = true,
		.js_self_master = true,
		.js_owners = 3,
	};
	meta_error_t e;

	/* The master may not withdraw while others are joined. */
	CU_ASSERT_EQUAL(meta_join_check(&st, false, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_MASTERBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "2 other node"));
	/* ... and may when it is the last owner. */
	st.js_owners = 1;
	CU_ASSERT_EQUAL(meta_join_check(&st, false, &e), META_JV_WD_LAST);
	/* A slave may withdraw at any time. */
	st.js_self_master = false;
	st.js_owners = 3;
	CU_ASSERT_EQUAL(meta_join_check(&st, false, &e), META_JV_WD_SLAVE);
	/* Not joined: nothing to do. */
	st.js_self_joined = false;
	CU_ASSERT_EQUAL(meta_join_check(&st, false, &e), META_JV_NOOP);
}

/* ---- metaset output ---------------------------------------------------- */

static char *print_view(const struct meta_set_view *v)
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof(out), "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(meta_set_view_print(f, v), 0);
	fclose(f);
	return out;
}

static const struct meta_host_info hosts[2] = {
	{ 1, "staffa", META_NODE_OK | META_NODE_ALIVE | META_NODE_OWN },
	{ 2, "ulva", META_NODE_OK | META_NODE_ALIVE },
};
static const struct meta_drive_info drives[1] = {
	{ .di_name = "c1t16d0", .di_nreplicas = 1 },
};

static void test_print_created(void)
{
	const struct meta_host_info h[2] = {
		{ 1, "staffa", META_NODE_OK | META_NODE_ALIVE },
		{ 2, "ulva", META_NODE_OK },
	};
	struct meta_set_view v = {
		.sv_name = "fool",
		.sv_setno = 1,
		.sv_mn = true,
		.sv_master = "",
		.sv_hosts = h,
		.sv_nhosts = 2,
		.sv_db_state = -1,
	};

	/* Seed: no drives, no owner, no master; no "unavailable" line. */
	CU_ASSERT_STRING_EQUAL(
		print_view(&v),
		"\nMulti-owner Set name = fool, Set number = 1, Master = \n"
		"\nHost                Owner          Member\n"
		"  staffa                            Yes\n"
		"  ulva                              No\n");
}

static void test_print_not_joined(void)
{
	struct meta_set_view v = {
		.sv_name = "fool",
		.sv_setno = 1,
		.sv_mn = true,
		.sv_master = "staffa",
		.sv_self_joined = false,
		.sv_hosts = hosts,
		.sv_nhosts = 2,
		.sv_drives = drives,
		.sv_ndrives = 1,
		.sv_db_state = MDDB_S_OK,
	};

	/* Seed: ulva after metaset -w. */
	CU_ASSERT_STRING_EQUAL(
		print_view(&v),
		"\nMulti-owner Set name = fool, Set number = 1, Master = \n"
		"Master and owner information unavailable until joined "
		"(metaset -j)\n"
		"\nHost                Owner          Member\n"
		"  staffa             multi-owner    Yes\n"
		"  ulva                              Yes\n"
		"\nDrive                    Dbase\n\n"
		"c1t16d0                  Yes\n");
}

static void test_print_joined(void)
{
	struct meta_set_view v = {
		.sv_name = "fool",
		.sv_setno = 1,
		.sv_mn = true,
		.sv_master = "staffa",
		.sv_self_joined = true,
		.sv_hosts = hosts,
		.sv_nhosts = 2,
		.sv_drives = drives,
		.sv_ndrives = 1,
		.sv_db_state = MDDB_S_STALE,
	};
	char *out = print_view(&v);

	/* Seed: staffa at the same moment. */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(out, "\nMulti-owner Set name = fool, Set number = 1, "
			    "Master = staffa\n\nHost"));
	CU_ASSERT_PTR_NULL(strstr(out, "unavailable"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nState database: stale\n"));
	/* A traditional set prints no member column and no master. */
	v.sv_mn = false;
	v.sv_db_state = MDDB_S_OK;
	out = print_view(&v);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nSet name = fool, Set number = "
					   "1\n\nHost                Owner\n"
					   "  staffa             Yes\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "Master"));
}

static CU_TestInfo nodelist_tests[] = {
	{ "read", test_nodelist_read },
	{ "bad lines", test_nodelist_bad },
	{ "write", test_nodelist_write },
	{ "this node", test_node_self },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo join_tests[] = {
	{ "first joiner", test_join_first },
	{ "slave joins", test_join_slave },
	{ "withdraw", test_withdraw },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo print_tests[] = {
	{ "created, no drives", test_print_created },
	{ "not joined", test_print_not_joined },
	{ "joined", test_print_joined },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "nodelist", NULL, NULL, nodelist_tests },
	{ "join", NULL, NULL, join_tests },
	{ "print", NULL, NULL, print_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	/* Every path under this binary's scratch directory (set before the
	 * first oban_dir() call, which reads them once). */
	setenv("OBAN_RUNDIR", ocu_tmpdir(), 1);
	setenv("OBAN_STATEDIR", ocu_tmpdir(), 1);
	setenv("OBAN_ETCDIR", ocu_tmpdir(), 1);
	oban_path(nlpath, sizeof(nlpath), OBAN_DIR_RUN, "nodelist");
	return ocu_main(argc, argv, suites);
}
