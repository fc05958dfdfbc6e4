// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_mnset: the node list, this node's identity, the join and withdraw
 * rules, and metaset's output for multi-owner sets.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_set.h>
#include <oban/paths.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

/* ---- set messages: the payload ----------------------------------------- */

static void mns_fill(struct meta_mns *m, uint32_t op)
{
	memset(m, 0, sizeof(*m));
	m->mm_op = op;
	m->mm_setno = 3;
	m->mm_setflags = 1;
	m->mm_ctime = 0x0102030405060708ULL;
	memset(m->mm_uuid, 0xab, 16);
	snprintf(m->mm_name, sizeof(m->mm_name), "blue");
	if (op == META_MNS_CREATE || op == META_MNS_HOSTS) {
		m->mm_nhosts = 3;
		m->mm_hosts[0] = 1;
		m->mm_hosts[1] = 2;
		m->mm_hosts[2] = 3;
	}
	if (op == META_MNS_JOIN) {
		m->mm_node = 2;
		m->mm_verdict = META_JV_SLAVE;
	}
	if (op == META_MNS_WITHDRAW) {
		m->mm_node = 2;
		m->mm_verdict = META_JV_WD_SLAVE;
	}
	if (op == META_MNS_ATTACH || op == META_MNS_DETACH) {
		memset(m->mm_drive, 0x5a, 16);
		m->mm_count = op == META_MNS_ATTACH ? 2 : 0;
	}
	if (op == META_MNS_SUSPEND)
		m->mm_count = META_MNS_LEASE;
	if (op == META_MNS_SUSPEND || op == META_MNS_RESUME) {
		m->mm_node = 3;
		m->mm_nonce = 0x1234;
	}
	if (op == META_MNS_QUERY) { /* the asking node and question */
		memset(m, 0, sizeof(*m));
		m->mm_op = op;
		m->mm_node = 2;
		m->mm_nonce = 7;
	}
}

static void test_mns_roundtrip(void)
{
	uint8_t buf[META_MNS_SIZE], buf2[META_MNS_SIZE];
	struct meta_mns m, d;
	meta_error_t e;
	uint32_t op;

	for (op = 1; op < META_MNS_NOPS; op++) {
		mns_fill(&m, op);
		CU_ASSERT_EQUAL_FATAL(meta_mns_encode(&m, buf, sizeof(buf), &e),
				      0);
		CU_ASSERT_EQUAL_FATAL(meta_mns_decode(buf, sizeof(buf), &d, &e),
				      0);
		CU_ASSERT_EQUAL(memcmp(&m, &d, sizeof(m)), 0);
	}
	/* Little-endian, at the documented offsets. */
	mns_fill(&m, META_MNS_CREATE);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	CU_ASSERT_EQUAL(buf[0], 0x4f); /* "OMNS" */
	CU_ASSERT_EQUAL(buf[3], 0x53);
	CU_ASSERT_EQUAL(buf[6], META_MNS_CREATE);
	CU_ASSERT_EQUAL(buf[12], 3);
	CU_ASSERT_EQUAL(buf[32], 0x08);
	CU_ASSERT_EQUAL(buf[39], 0x01);
	CU_ASSERT_EQUAL(buf[116], 2);
	/* Every truncation and extension is refused. */
	for (size_t len = 0; len < sizeof(buf); len++) {
		CU_ASSERT_EQUAL(meta_mns_decode(buf, len, &d, &e), -1);
		CU_ASSERT_EQUAL(e.me_code, ME_SET_BADMSG);
	}
	/* Every single-bit flip is refused or decodes to a message that
	 * encodes back to the same bytes. */
	for (size_t i = 0; i < sizeof(buf) * 8; i++) {
		memcpy(buf2, buf, sizeof(buf));
		buf2[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (meta_mns_decode(buf2, sizeof(buf2), &d, &e) != 0) {
			CU_ASSERT_EQUAL(e.me_code, ME_SET_BADMSG);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(meta_mns_encode(&d, buf, sizeof(buf), &e),
				      0);
		CU_ASSERT_EQUAL(memcmp(buf, buf2, sizeof(buf)), 0);
		mns_fill(&m, META_MNS_CREATE);
		CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	}
}

static void test_mns_bad(void)
{
	uint8_t buf[META_MNS_SIZE];
	struct meta_mns m, d;
	meta_error_t e;
	int i, bad = 0;

	for (i = 0; i < 16; i++) {
		mns_fill(&m, META_MNS_CREATE);
		switch (i) {
		case 0:
			m.mm_op = 0;
			break;
		case 1:
			m.mm_op = META_MNS_NOPS;
			break;
		case 2:
			m.mm_flags = 2;
			break;
		case 3:
			m.mm_setno = 0;
			break;
		case 4:
			m.mm_setno = META_MN_ADMIN_SET;
			break;
		case 5:
			snprintf(m.mm_name, sizeof(m.mm_name), "local");
			break;
		case 6:
			snprintf(m.mm_name, sizeof(m.mm_name), "a b");
			break;
		case 7:
			m.mm_name[0] = '\0';
			break;
		case 8:
			m.mm_hosts[2] = 1;
			break; /* twice */
		case 9:
			m.mm_hosts[1] = 129;
			break;
		case 10:
			m.mm_nhosts = 0;
			break;
		case 11:
			m.mm_hosts[5] = 7;
			break; /* beyond nhosts */
		case 12:
			m.mm_node = 1;
			break; /* CREATE has no node */
		case 13:
			m.mm_verdict = META_JV_SLAVE;
			break;
		case 14:
			m.mm_count = 1;
			break;
		case 15:
			m.mm_setflags = 2;
			break;
		}
		/* The encoder refuses it ... */
		CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
		CU_ASSERT_EQUAL(e.me_code, ME_SET_BADMSG);
		bad++;
	}
	CU_ASSERT_EQUAL(bad, 16);
	/* ... and so does the decoder, for bytes a sender could forge. */
	mns_fill(&m, META_MNS_JOIN);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	buf[24] = 99; /* verdict */
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	buf[108] = 1; /* a nonce on a JOIN */
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	buf[7] = 1; /* pad */
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	/*
	 * The version: 2 since SUSPEND / RESUME name their holder; version 1
	 * (the same layout without the holder's nonce) and any other is
	 * refused, naming both versions.
	 */
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	CU_ASSERT_EQUAL(buf[4] | buf[5] << 8, 2);
	buf[4] = 1;
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	CU_ASSERT_EQUAL(e.me_code, ME_SET_BADMSG);
	CU_ASSERT_STRING_EQUAL(meta_strerror(&e),
			       "cannot decode set message of version 1 (this "
			       "node reads version 2: run the same oban "
			       "release on every node): invalid set message");
	buf[4] = 2;
	buf[5] = 1; /* version 258 */
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "version 258 "));
	/* A suspension's lease: 1..META_MNS_MAXLEASE; none on a resume. */
	mns_fill(&m, META_MNS_SUSPEND);
	m.mm_count = 0;
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
	m.mm_count = META_MNS_MAXLEASE + 1;
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
	m.mm_count = META_MNS_MAXLEASE;
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), 0);
	CU_ASSERT_EQUAL(d.mm_node, 3);
	CU_ASSERT_EQUAL(d.mm_nonce, 0x1234);
	/* A suspension or resume names its holder: node and nonce. */
	m.mm_nonce = 0;
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
	m.mm_nonce = 7;
	m.mm_node = 0;
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
	mns_fill(&m, META_MNS_RESUME);
	m.mm_count = 5;
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
	mns_fill(&m, META_MNS_WITHDRAW);
	m.mm_verdict = META_JV_MASTER; /* a join verdict for a withdraw */
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
	/*
	 * QUERY (the holds in force, doc/mdcommd.md 7): the same layout and
	 * version; it names the asking node and its question's number (the
	 * nonce) and nothing else, and a node that does not know the
	 * operation refuses it as unknown.
	 */
	mns_fill(&m, META_MNS_QUERY);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	CU_ASSERT_EQUAL(buf[4] | buf[5] << 8, 2);
	CU_ASSERT_EQUAL(buf[6], 12);
	for (i = 0; i < 13; i++) {
		mns_fill(&m, META_MNS_QUERY);
		switch (i) {
		case 0:
			m.mm_node = 0;
			break;
		case 1:
			m.mm_setno = 3;
			break;
		case 2:
			snprintf(m.mm_name, sizeof(m.mm_name), "blue");
			break;
		case 3:
			m.mm_nonce = 0; /* no question number */
			break;
		case 4:
			m.mm_count = META_MNS_LEASE;
			break;
		case 5:
			m.mm_hosts[0] = 1;
			break;
		case 6:
			m.mm_node = META_NODE_MAXID + 1;
			break;
		case 7:
			m.mm_flags = META_MNS_F_DRYRUN;
			break;
		case 8:
			m.mm_uuid[15] = 1;
			break;
		case 9:
			m.mm_drive[0] = 1;
			break;
		case 10:
			m.mm_ctime = 1;
			break;
		case 11:
			m.mm_verdict = META_JV_MASTER;
			break;
		case 12:
			m.mm_setflags = 1;
			break;
		}
		CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), -1);
		CU_ASSERT_EQUAL(e.me_code, ME_SET_BADMSG);
	}
	mns_fill(&m, META_MNS_QUERY);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	buf[12] = 3; /* a set number, forged */
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "query of the holds"));
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf), &e), 0);
	buf[6] = META_MNS_NOPS; /* a later operation this node lacks */
	CU_ASSERT_EQUAL(meta_mns_decode(buf, sizeof(buf), &d, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(meta_strerror(&e), "unknown operation"));
	/* Too small a buffer. */
	mns_fill(&m, META_MNS_RELOAD);
	CU_ASSERT_EQUAL(meta_mns_encode(&m, buf, sizeof(buf) - 1, &e), -1);
}

/* ---- set messages on several simulated nodes ---------------------------- */

/*
 * Each simulated node is a child process (this binary, re-executed) with
 * its own OBAN_STATEDIR (local replica) and OBAN_NODENAME, sharing the run
 * directory and so the node list: the paths are read once per process.
 */
static char self_exe[4096];

static const char *const node_names[] = { NULL, "n1", "n2", "n3", "n4" };

/* Run "--apply" or "--show" on node @id; its output into @out. */
static int on_node_arg(uint32_t id, const char *verb, const struct meta_mns *m,
		       const char *arg, char *out, size_t outlen)
{
	char state[1024], msgfile[1024], cmd[16384], idtxt[16];
	uint8_t buf[META_MNS_SIZE];
	meta_error_t e;
	FILE *p;
	size_t n;
	int st;

	snprintf(state, sizeof(state), "%s/state-%s", ocu_tmpdir(),
		 node_names[id]);
	(void)mkdir(state, 0755);
	ocu_path(msgfile, sizeof(msgfile), "msg.bin");
	if (m != NULL) {
		FILE *f = fopen(msgfile, "w");

		CU_ASSERT_FATAL(f != NULL);
		CU_ASSERT_EQUAL_FATAL(meta_mns_encode(m, buf, sizeof(buf), &e),
				      0);
		fwrite(buf, 1, sizeof(buf), f);
		fclose(f);
	}
	snprintf(idtxt, sizeof(idtxt), "%u", id);
	snprintf(cmd, sizeof(cmd),
		 "OBAN_STATEDIR='%s' OBAN_NODENAME=%s '%s' %s '%s' %s 2>&1",
		 state, node_names[id], self_exe, verb,
		 m != NULL ? msgfile : (arg != NULL ? arg : "-"), idtxt);
	p = popen(cmd, "r");
	CU_ASSERT_FATAL(p != NULL);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int on_node(uint32_t id, const char *verb, const struct meta_mns *m,
		   char *out, size_t outlen)
{
	return on_node_arg(id, verb, m, NULL, out, outlen);
}

/* Apply @m on nodes 1..4: the exit codes, one per node, as "0101". */
static void on_all(const struct meta_mns *m, char codes[5])
{
	char out[4096];
	uint32_t id;

	for (id = 1; id <= 4; id++) {
		int rc = on_node(id, "--apply", m, out, sizeof(out));

		codes[id - 1] = (char)('0' + (rc >= 0 && rc < 10 ? rc : 9));
	}
	codes[4] = '\0';
}

/* Apply @m on nodes 1..4: the exit codes, one per node, are @want. */
static void all_give(const struct meta_mns *m, const char *want)
{
	char codes[5];

	on_all(m, codes);
	CU_ASSERT_STRING_EQUAL(codes, want);
}

/*
 * Node @id's @verb (with @m, may be NULL) exits @rc and its output holds
 * each string of the NULL-ended list that follows; one that starts with
 * '!' must not be there.
 */
static void node_says(uint32_t id, const char *verb, const struct meta_mns *m,
		      int rc, ...)
{
	char out[4096];
	const char *w;
	va_list ap;

	CU_ASSERT_EQUAL(on_node(id, verb, m, out, sizeof(out)), rc);
	va_start(ap, rc);
	while ((w = va_arg(ap, const char *)) != NULL) {
		bool want = w[0] != '!';
		bool has = strstr(out, want ? w : w + 1) != NULL;

		CU_ASSERT_EQUAL(has, want);
		if (has != want)
			fprintf(stderr, "node %u %s: '%s' in:\n%s\n", id, verb,
				w, out);
	}
	va_end(ap);
}

static void test_mns_nodes(void)
{
	struct meta_nodelist_ent nl[4] = {
		{ 1, "n1", "10.0.0.1" },
		{ 2, "n2", "10.0.0.2" },
		{ 3, "n3", "10.0.0.3" },
		{ 4, "n4", "10.0.0.4" },
	};
	struct meta_mns m;
	meta_error_t e;

	CU_ASSERT_EQUAL_FATAL(meta_nodelist_write(NULL, nl, 4, &e), 0);
	/* Create "blue" on hosts n1..n3 from anywhere: n4 is not a host. */
	mns_fill(&m, META_MNS_CREATE);
	m.mm_flags = META_MNS_F_DRYRUN;
	all_give(&m, "0000");
	node_says(2, "--show", NULL, 1, "no such set", NULL);
	m.mm_flags = 0;
	all_give(&m, "0000");
	all_give(&m, "0000"); /* a replay changes nothing */
	node_says(3, "--show", NULL, 0,
		  "Multi-owner Set name = blue, Set number = 3, Master = \n",
		  "  n1 ", "  n3 ", "!  n4 ", NULL);
	node_says(4, "--show", NULL, 1, NULL);

	/* Another set with the same number cannot be created on n2; the
	 * dry run says so and nothing changes anywhere. */
	mns_fill(&m, META_MNS_CREATE);
	snprintf(m.mm_name, sizeof(m.mm_name), "red");
	memset(m.mm_uuid, 0xcd, 16);
	m.mm_flags = META_MNS_F_DRYRUN;
	all_give(&m, "1110");
	node_says(2, "--apply", &m, 1, "number 3 is set 'blue' here", NULL);
	node_says(4, "--show-red", NULL, 1, NULL);
	/* The same name with another UUID is another set. */
	snprintf(m.mm_name, sizeof(m.mm_name), "blue");
	m.mm_setno = 4;
	all_give(&m, "1110");

	/* Hosts: n4 added (it learns the set), n2 deleted (it forgets). */
	mns_fill(&m, META_MNS_HOSTS);
	m.mm_hosts[1] = 4;
	all_give(&m, "0000");
	node_says(4, "--show", NULL, 0, "  n4 ", NULL);
	node_says(2, "--show", NULL, 1, NULL);
	node_says(1, "--show", NULL, 0, "!  n2 ", "  n4 ", NULL);
	/* Hosts change only while every host is a member. */
	node_says(1, "--alive", NULL, 0, NULL);
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_write(NULL, nl, 2, &e), 0);
	node_says(1, "--alive", NULL, 1,
		  "host 'n3': a host of the set is not a member", NULL);
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_write(NULL, nl, 4, &e), 0);

	/* Join: n1 first (master), then n3; the master may not withdraw
	 * while n3 is joined, on any node. */
	mns_fill(&m, META_MNS_JOIN);
	m.mm_node = 1;
	m.mm_verdict = META_JV_MASTER;
	all_give(&m, "0000");
	m.mm_node = 3;
	/* a second "first joiner" is refused; n2 is no host any more */
	all_give(&m, "1011");
	m.mm_verdict = META_JV_SLAVE;
	all_give(&m, "0000");
	node_says(4, "--show", NULL, 0, "Master = n1\n",
		  "  n1                 multi-owner",
		  "  n3                 multi-owner",
		  "\n  n4                                Yes\n", NULL);
	mns_fill(&m, META_MNS_WITHDRAW);
	m.mm_node = 1;
	m.mm_verdict = META_JV_WD_LAST;
	all_give(&m, "1011");
	node_says(1, "--apply", &m, 1, "may not withdraw", NULL);

	/* A joined host cannot be deleted. */
	mns_fill(&m, META_MNS_HOSTS);
	m.mm_nhosts = 2;
	m.mm_hosts[1] = 4;
	m.mm_hosts[2] = 0;
	all_give(&m, "1011");

	/* A reconfiguration records another master (metaclust step1), and
	 * back; a node that is not a host cannot be the master. */
	node_says(4, "--master=3", NULL, 0, NULL);
	node_says(4, "--show", NULL, 0, "Master = n3\n", NULL);
	node_says(4, "--master=2", NULL, 1, "host is not in the set", NULL);
	node_says(4, "--master=1", NULL, 0, NULL);
	node_says(4, "--show", NULL, 0, "Master = n1\n", NULL);

	/* Withdraw n3, then the master alone may. */
	mns_fill(&m, META_MNS_WITHDRAW);
	m.mm_node = 3;
	all_give(&m, "0000");
	m.mm_node = 1;
	m.mm_verdict = META_JV_WD_LAST;
	all_give(&m, "0000");
	node_says(3, "--show", NULL, 0, "Master = \n", "!multi-owner    Yes",
		  NULL);

	/* Destroy: every host forgets it. */
	mns_fill(&m, META_MNS_DESTROY);
	all_give(&m, "0000");
	node_says(1, "--show", NULL, 1, NULL);
	node_says(4, "--show", NULL, 1, NULL);
	unlink(nlpath);
}

/* Apply @m on nodes 1..3, node @master as the set's master. */
static void on_three(const struct meta_mns *m, uint32_t master, char codes[4])
{
	char out[4096];
	uint32_t id;

	for (id = 1; id <= 3; id++) {
		int rc = on_node(id,
				 id == master ? "--apply-master" : "--apply", m,
				 out, sizeof(out));

		codes[id - 1] = (char)('0' + (rc >= 0 && rc < 10 ? rc : 9));
	}
	codes[3] = '\0';
}

/* Drives shared by the simulated nodes: the master writes the replicas,
 * the others re-read the set's records from them. */
static void test_mns_drives(void)
{
	struct meta_nodelist_ent nl[3] = {
		{ 1, "n1", "10.0.0.1" },
		{ 2, "n2", "10.0.0.2" },
		{ 3, "n3", "10.0.0.3" },
	};
	char ddir[1024], d[3][1100], cf[1024], out[4096], codes[4];
	struct meta_mns m;
	meta_error_t e;
	int i;

	snprintf(ddir, sizeof(ddir), "%s/drives", ocu_tmpdir());
	(void)mkdir(ddir, 0755);
	for (i = 0; i < 3; i++) {
		FILE *f;

		snprintf(d[i], sizeof(d[i]), "%s/d%d", ddir, i);
		f = fopen(d[i], "w");
		CU_ASSERT_FATAL(f != NULL);
		CU_ASSERT_EQUAL_FATAL(ftruncate(fileno(f), 64 << 20), 0);
		fclose(f);
	}
	oban_path(cf, sizeof(cf), OBAN_DIR_ETC, "runtime.cf");
	{
		FILE *f = fopen(cf, "w");

		CU_ASSERT_FATAL(f != NULL);
		fprintf(f, "drive_glob %s/d*\n", ddir);
		fclose(f);
	}
	CU_ASSERT_EQUAL_FATAL(meta_nodelist_write(NULL, nl, 3, &e), 0);
	mns_fill(&m, META_MNS_CREATE);
	snprintf(m.mm_name, sizeof(m.mm_name), "green");
	m.mm_setno = 5;
	memset(m.mm_uuid, 0x66, 16);
	on_three(&m, 0, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");

	/* n1 adds the first drives: it is the master; the others learn the
	 * drives from the replicas (RELOAD) and the master (JOIN). */
	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(on_node_arg(1, "--drive-add", NULL, d[i], out,
					    sizeof(out)),
				0);
	mns_fill(&m, META_MNS_RELOAD);
	snprintf(m.mm_name, sizeof(m.mm_name), "green");
	m.mm_setno = 5;
	memset(m.mm_uuid, 0x66, 16);
	on_three(&m, 1, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");
	m.mm_op = META_MNS_JOIN;
	m.mm_node = 1;
	m.mm_verdict = META_JV_MASTER;
	on_three(&m, 1, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");
	CU_ASSERT_EQUAL(
		on_node_arg(2, "--show", NULL, "green", out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Master = \nMaster and owner "
					   "information unavailable until "
					   "joined (metaset -j)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  n1                 multi-owner"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, d[0]));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, d[1]));
	/* n3 joins as a slave and sees the master. */
	m.mm_node = 3;
	m.mm_verdict = META_JV_SLAVE;
	on_three(&m, 1, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");
	CU_ASSERT_EQUAL(
		on_node_arg(3, "--show", NULL, "green", out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Master = n1\n\nHost"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  n3                 multi-owner"));

	/* Detach the replica of d1: the master writes, the others re-read
	 * (were they to delete it too, they would fail: it is gone).  Every
	 * node reads the replica list from the replicas themselves: only d0
	 * afterwards. */
	mns_fill(&m, META_MNS_DETACH);
	snprintf(m.mm_name, sizeof(m.mm_name), "green");
	m.mm_setno = 5;
	memset(m.mm_uuid, 0x66, 16);
	CU_ASSERT_EQUAL(on_node_arg(1, "--metadb", NULL, "-", out, sizeof(out)),
			0);
	{
		char want[1200], *p;

		snprintf(want, sizeof(want), "replica %s ", d[1]);
		p = strstr(out, want);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		p += strlen(want);
		p[36] = '\0';
		CU_ASSERT_EQUAL_FATAL(mdl_uuid_parse(p, m.mm_drive), 0);
	}
	m.mm_flags = META_MNS_F_DRYRUN;
	on_three(&m, 1, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");
	m.mm_flags = 0;
	on_three(&m, 1, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");
	for (i = 1; i <= 3; i++) {
		CU_ASSERT_EQUAL(on_node_arg((uint32_t)i, "--metadb", NULL, "-",
					    out, sizeof(out)),
				0);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, d[0]));
		CU_ASSERT_PTR_NULL(strstr(out, d[1]));
	}
	CU_ASSERT_EQUAL(
		on_node_arg(2, "--show", NULL, "green", out, sizeof(out)), 0);
	{
		char line[1200];

		snprintf(line, sizeof(line), "%-24s No\n", d[1]);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, line));
	}
	/* Attach it back (one replica): the same everywhere. */
	m.mm_op = META_MNS_ATTACH;
	m.mm_count = 1;
	on_three(&m, 1, codes);
	CU_ASSERT_STRING_EQUAL(codes, "000");
	CU_ASSERT_EQUAL(on_node_arg(3, "--metadb", NULL, "-", out, sizeof(out)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, d[1]));
	/* Join verdicts from real replicas (seed: a slave may join while the
	 * master runs with 50% of its replicas, and is STALE when the master
	 * is).  n2 sees both replicas: it joins as a slave. */
	CU_ASSERT_EQUAL(
		on_node_arg(2, "--verdict", NULL, "-", out, sizeof(out)), 0);
	snprintf(codes, sizeof(codes), "%d", META_JV_SLAVE);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, codes));
	/* The master may not withdraw while n3 is joined; n3 may. */
	CU_ASSERT_EQUAL(
		on_node_arg(1, "--verdictw", NULL, "-", out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "may not withdraw"));
	CU_ASSERT_EQUAL(
		on_node_arg(3, "--verdictw", NULL, "-", out, sizeof(out)), 0);
	snprintf(codes, sizeof(codes), "%d", META_JV_WD_SLAVE);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, codes));
	{
		char hidden[1200], hidden2[1200];
		uint8_t drive[16];

		/* Half of the replicas gone (1 of 2): still a slave. */
		snprintf(hidden, sizeof(hidden), "%s/x1", ddir);
		CU_ASSERT_EQUAL_FATAL(rename(d[1], hidden), 0);
		CU_ASSERT_EQUAL(on_node_arg(2, "--verdict", NULL, "-", out,
					    sizeof(out)),
				0);
		snprintf(codes, sizeof(codes), "%d", META_JV_SLAVE);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, codes));
		/* With a third replica, 1 of 3 readable: the set is STALE,
		 * and so is the joiner. */
		CU_ASSERT_EQUAL_FATAL(rename(hidden, d[1]), 0);
		CU_ASSERT_EQUAL(on_node_arg(1, "--drive-add", NULL, d[2], out,
					    sizeof(out)),
				0);
		m.mm_op = META_MNS_RELOAD;
		memcpy(drive, m.mm_drive, sizeof(drive));
		memset(m.mm_drive, 0, sizeof(m.mm_drive));
		m.mm_count = 0;
		on_three(&m, 1, codes);
		CU_ASSERT_STRING_EQUAL(codes, "000");
		CU_ASSERT_EQUAL_FATAL(rename(d[1], hidden), 0);
		snprintf(hidden2, sizeof(hidden2), "%s/x2", ddir);
		CU_ASSERT_EQUAL_FATAL(rename(d[2], hidden2), 0);
		CU_ASSERT_EQUAL(on_node_arg(2, "--verdict", NULL, "-", out,
					    sizeof(out)),
				0);
		snprintf(codes, sizeof(codes), "%d", META_JV_SLAVE_STALE);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, codes));
		CU_ASSERT_EQUAL(rename(hidden, d[1]), 0);
		CU_ASSERT_EQUAL(rename(hidden2, d[2]), 0);
		memcpy(m.mm_drive, drive, sizeof(drive));
		m.mm_op = META_MNS_ATTACH;
		m.mm_count = 1;
	}
	/* A second attach finds no room, on the master; the others re-read
	 * and would succeed: the dry run on the master is what stops it. */
	m.mm_flags = 0;
	CU_ASSERT_EQUAL(on_node(1, "--apply-master", &m, out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "no room"));
	unlink(cf);
	unlink(nlpath);
}

/* Child side of on_node(). */
static int node_main(int argc, char **argv)
{
	uint8_t buf[META_MNS_SIZE + 1];
	struct meta_set *s;
	struct meta_mns m;
	meta_error_t e;
	size_t n;
	FILE *f;

	if (argc != 4)
		return 9;
	if (strncmp(argv[1], "--show", 6) == 0) {
		const char *name = argv[1][6] == '-' ? argv[1] + 7 : "blue";

		if (strcmp(argv[2], "-") != 0)
			name = argv[2];

		if (meta_set_open(name, META_SET_RDONLY | META_SET_NODB, &s,
				  &e) != 0 ||
		    meta_set_print(stdout, s, &e) != 0) {
			printf("%s\n", meta_strerror(&e));
			return 1;
		}
		meta_set_close(s);
		return 0;
	}
	if (strcmp(argv[1], "--drive-add") == 0) {
		const char *names[1] = { argv[2] };

		if (meta_set_open("green", 0, &s, &e) != 0 ||
		    meta_set_drive_add(s, names, 1, 0, true, &e) != 0) {
			printf("%s\n", meta_strerror(&e));
			return 1;
		}
		meta_set_close(s);
		return 0;
	}
	if (strcmp(argv[1], "--alive") == 0) {
		if (meta_mnset_alive("blue", &e) != 0) {
			printf("%s\n", meta_strerror(&e));
			return 1;
		}
		return 0;
	}
	if (strncmp(argv[1], "--master=", 9) == 0) {
		if (meta_mnset_master_record(
			    "blue", (uint32_t)atoi(argv[1] + 9), &e) != 0) {
			printf("%s\n", meta_strerror(&e));
			return 1;
		}
		return 0;
	}
	if (strncmp(argv[1], "--verdict", 9) == 0) {
		int v = meta_mnset_verdict("green", argv[1][9] != 'w', &e);

		if (v < 0) {
			printf("%s\n", meta_strerror(&e));
			return 1;
		}
		printf("verdict %d\n", v);
		return 0;
	}
	if (strcmp(argv[1], "--metadb") == 0) {
		struct mddb_replica_info ri;
		int i;

		if (meta_set_open("green", META_SET_RDONLY, &s, &e) != 0) {
			printf("%s\n", meta_strerror(&e));
			return 1;
		}
		for (i = 0; i < mddb_replica_count(meta_set_db(s)); i++)
			if (mddb_replica_info(meta_set_db(s), i, &ri, &e) ==
			    0) {
				char u[37];

				mdl_uuid_format(ri.ri_drive_uuid, u);
				printf("replica %s %s\n", ri.ri_name, u);
			}
		meta_set_close(s);
		return 0;
	}
	f = fopen(argv[2], "r");
	if (f == NULL)
		return 9;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (meta_mns_decode(buf, n, &m, &e) != 0 ||
	    meta_mns_apply(&m, (uint32_t)atoi(argv[3]),
			   strcmp(argv[1], "--apply-master") == 0, &e) != 0) {
		printf("%s\n", meta_strerror(&e));
		return 1;
	}
	return 0;
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

static CU_TestInfo mns_tests[] = {
	{ "payload round trip", test_mns_roundtrip },
	{ "bad payloads", test_mns_bad },
	{ "create, join, hosts, withdraw on 4 nodes", test_mns_nodes },
	{ "drives: master writes, others re-read", test_mns_drives },
	CU_TEST_INFO_NULL,
};

static const struct ocu_suite suites[] = {
	{ "nodelist", NULL, NULL, nodelist_tests },
	{ "join", NULL, NULL, join_tests },
	{ "print", NULL, NULL, print_tests },
	{ "setmsg", NULL, NULL, mns_tests },
	{ NULL },
};

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc > 1 && strncmp(argv[1], "--", 2) == 0 &&
	    strcmp(argv[1], "--help") != 0)
		return node_main(argc, argv);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n > 0)
		self_exe[n] = '\0';
	/* Every path under this binary's scratch directory (set before the
	 * first oban_dir() call, which reads them once). */
	setenv("OBAN_RUNDIR", ocu_tmpdir(), 1);
	setenv("OBAN_STATEDIR", ocu_tmpdir(), 1);
	setenv("OBAN_ETCDIR", ocu_tmpdir(), 1);
	oban_path(nlpath, sizeof(nlpath), OBAN_DIR_RUN, "nodelist");
	return ocu_main(argc, argv, suites);
}
