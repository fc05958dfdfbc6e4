// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcctl: talk to the local mdcommd through libmeta's client (a test and
 * debugging tool, not installed).
 *
 *   mdcctl send SET TYPE [FLAGS]      send a message (TYPE by name or number)
 *   mdcctl ping SET
 *   mdcctl status
 *   mdcctl members                    the CPG members this daemon sees
 *   mdcctl master SET                 the master it has for SET (0: none)
 *   mdcctl suspend|resume|lock|unlock|reinit|abort SET [CLASS]
 *   mdcctl setmaster SET NODE         (what metaclust step1 will do)
 *   mdcctl replay SET                 (what metaclust step2 will do)
 *   mdcctl verbosity MASK
 *
 * Exit status: 0 when the call worked (for send, when the message ran:
 * the handler's exit value is printed), 1 otherwise, 2 on bad usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mdc_client.h>
#include <oban/mdc_msg.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: mdcctl send SET TYPE [FLAGS] | ping SET | status |\n"
		"       members | master SET |\n"
		"       suspend|resume|lock|unlock|reinit|abort SET [CLASS] |\n"
		"       setmaster SET NODE | replay SET | verbosity MASK\n");
	exit(2);
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v > UINT32_MAX)
		usage();
	return (uint32_t)v;
}

static uint32_t type_of(const char *s)
{
	uint32_t t;

	for (t = 0; t < MDC_NMSGTYPES; t++)
		if (strcmp(mdc_msgtype_name(t), s) == 0)
			return t;
	return num(s);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum mdc_client_op op;
		uint32_t arg;
	} ctls[] = {
		{ "suspend", MDC_CLIENT_SUSPEND, 0 },
		{ "resume", MDC_CLIENT_RESUME, 0 },
		{ "lock", MDC_CLIENT_LOCK, 1 },
		{ "unlock", MDC_CLIENT_LOCK, 0 },
		{ "reinit", MDC_CLIENT_REINIT, 0 },
		{ "abort", MDC_CLIENT_ABORT, 0 },
	};
	struct mdc_result res;
	meta_error_t e;
	size_t i;
	int answer;

	if (argc < 2)
		usage();
	meta_error_init(&e);
	if (strcmp(argv[1], "send") == 0 && (argc == 4 || argc == 5)) {
		struct mdc_client_req rq = {
			.cr_set = num(argv[2]),
			.cr_type = type_of(argv[3]),
			.cr_flags = argc == 5 ? num(argv[4]) : 0,
		};

		if (mdc_client_send(&rq, &res, &e) != 0)
			goto fail;
		printf("%s (%u, %llu): %s exit %d\n",
		       mdc_msgtype_name(rq.cr_type), res.mr_id.mi_nid,
		       (unsigned long long)res.mr_id.mi_seq,
		       mdc_comm_state_name(res.mr_comm_state), res.mr_exitval);
		return 0;
	}
	if (strcmp(argv[1], "ping") == 0 && argc == 3) {
		if (mdc_client_ping(num(argv[2]), &res, &e) != 0)
			goto fail;
		printf("set %s: %s\n", argv[2],
		       mdc_comm_state_name(res.mr_comm_state));
		return 0;
	}
	if (strcmp(argv[1], "status") == 0 && argc == 2) {
		struct mdc_client_status st;

		if (mdc_client_status(&st, &e) != 0)
			goto fail;
		printf("node %u, %u members: sent %llu, answered %llu, "
		       "timeouts %llu, runs %llu, completion-table hits %llu, "
		       "master jobs %llu, bad packets %llu, "
		       "inconsistencies %llu\n",
		       st.cs_nodeid, st.cs_members,
		       (unsigned long long)st.cs_sent,
		       (unsigned long long)st.cs_answered,
		       (unsigned long long)st.cs_timeouts,
		       (unsigned long long)st.cs_runs,
		       (unsigned long long)st.cs_mct_hits,
		       (unsigned long long)st.cs_master_jobs,
		       (unsigned long long)st.cs_bad_packets,
		       (unsigned long long)st.cs_inconsistent);
		return 0;
	}
	if (strcmp(argv[1], "members") == 0 && argc == 2) {
		uint32_t ids[MDC_MAXNODES];
		size_t n;

		if (mdc_client_members(ids, &n, &e) != 0)
			goto fail;
		for (size_t k = 0; k < n; k++)
			printf("%s%u", k ? " " : "", ids[k]);
		printf("\n");
		return 0;
	}
	if (strcmp(argv[1], "master") == 0 && argc == 3) {
		uint32_t m;

		if (mdc_client_master(num(argv[2]), &m, &e) != 0)
			goto fail;
		printf("%u\n", m);
		return 0;
	}
	if (strcmp(argv[1], "setmaster") == 0 && argc == 4) {
		if (mdc_client_ctl(MDC_CLIENT_SETMASTER, num(argv[2]), 0,
				   num(argv[3]), &answer, &e) != 0)
			goto fail;
		goto print_answer;
	}
	if (strcmp(argv[1], "replay") == 0 && argc == 3) {
		if (mdc_client_ctl(MDC_CLIENT_REPLAY, num(argv[2]), 0, 0,
				   &answer, &e) != 0)
			goto fail;
		printf("replayed %d\n", answer);
		return answer < 0;
	}
	if (strcmp(argv[1], "verbosity") == 0 && argc == 3) {
		if (mdc_client_ctl(MDC_CLIENT_VERBOSITY, 0, 0, num(argv[2]),
				   &answer, &e) != 0)
			goto fail;
		goto print_answer;
	}
	for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		if (strcmp(argv[1], ctls[i].name) != 0 || argc < 3 || argc > 4)
			continue;
		if (mdc_client_ctl(ctls[i].op, num(argv[2]),
				   argc == 4 ? num(argv[3]) : 0, ctls[i].arg,
				   &answer, &e) != 0)
			goto fail;
		goto print_answer;
	}
	usage();
print_answer:
	printf("%s\n", mdc_comm_state_name((uint32_t)answer));
	return answer == MDC_CS_ACK ? 0 : 1;
fail:
	fprintf(stderr, "mdcctl: %s\n", meta_strerror(&e));
	return 1;
}
