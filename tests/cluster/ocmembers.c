// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocmembers: print the membership and quorum state that the local corosync
 * reports, as one line "members=1,2,3 quorate=yes".  The test cluster runs
 * it inside a node's network namespace (libqb's IPC sockets are abstract,
 * hence per network namespace), so it reports that node's view.
 *
 *   ocmembers                          print the view; exit 0
 *   ocmembers --expect SET [--inquorate]
 *                                      print the view; exit 0 if it has
 *                                      exactly the members SET ("1 2 3") and
 *                                      is quorate (not quorate), else 1
 *
 * Exit 2 when corosync cannot be reached or gives no answer in 5 s.
 *
 * Why a C helper rather than parsing corosync-quorumtool: it reads the view
 * through libquorum, the very interface oban's daemons will watch, in one
 * callback that carries the member list and the quorate flag together (the
 * tool prints them in two tables of a human-oriented format, which changes
 * between corosync versions and needs name resolution turned off).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/corotypes.h>
#include <corosync/quorum.h>

#include "ocm_view.h"

#define OCM_ANSWER_MS 5000

static struct ocm_view ocm_seen;
static int ocm_have_view;

static void ocm_quorum_cb(quorum_handle_t h, uint32_t quorate,
			  struct quorum_ring_id ring_id, uint32_t count,
			  const uint32_t *ids)
{
	if (ocm_view_set(&ocm_seen, (int)quorate, ids, count) == 0)
		ocm_have_view = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: ocmembers [--expect SET [--inquorate]]\n");
	exit(2);
}

/* ocm_read_view - connect, ask for the current view, wait for it. */
static int ocm_read_view(void)
{
	quorum_model_v1_data_t model = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = ocm_quorum_cb,
	};
	quorum_handle_t h;
	uint32_t type;
	cs_error_t err;
	struct pollfd pfd;
	int fd, tries = 0, rc = -1;

	do {
		err = quorum_model_initialize(&h, QUORUM_MODEL_V1,
					      (quorum_model_data_t *)&model,
					      &type, NULL);
		if (err != CS_ERR_TRY_AGAIN)
			break;
		usleep(100 * 1000);
	} while (++tries < 20);
	if (err != CS_OK) {
		fprintf(stderr,
			"ocmembers: cannot connect to corosync's quorum service: error %d\n",
			err);
		return -1;
	}
	err = quorum_trackstart(h, CS_TRACK_CURRENT);
	if (err != CS_OK) {
		fprintf(stderr,
			"ocmembers: cannot read the quorum view: error %d\n",
			err);
		goto out_finalize;
	}
	if (quorum_fd_get(h, &fd) != CS_OK)
		goto out_finalize;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!ocm_have_view) {
		int n = poll(&pfd, 1, OCM_ANSWER_MS);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr,
				"ocmembers: no answer from corosync in %d ms\n",
				OCM_ANSWER_MS);
			goto out_finalize;
		}
		err = quorum_dispatch(h, CS_DISPATCH_ALL);
		if (err != CS_OK) {
			fprintf(stderr,
				"ocmembers: lost corosync while reading the view: error %d\n",
				err);
			goto out_finalize;
		}
	}
	rc = 0;
out_finalize:
	quorum_finalize(h);
	return rc;
}

int main(int argc, char **argv)
{
	struct ocm_view want;
	const char *expect = NULL;
	int inquorate = 0, i;
	char line[4096];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
			expect = argv[++i];
		else if (strcmp(argv[i], "--inquorate") == 0)
			inquorate = 1;
		else
			usage();
	}
	if (inquorate && !expect)
		usage();
	if (expect && ocm_set_parse(expect, &want) != 0) {
		fprintf(stderr, "ocmembers: invalid node set '%s'\n", expect);
		return 2;
	}
	if (ocm_read_view() != 0)
		return 2;
	if (ocm_view_format(&ocm_seen, line, sizeof(line)) < 0) {
		fprintf(stderr, "ocmembers: view too large to print\n");
		return 2;
	}
	printf("%s\n", line);
	if (expect)
		return ocm_view_matches(&ocm_seen, &want, !inquorate) ? 0 : 1;
	return 0;
}
