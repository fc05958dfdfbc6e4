// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metaclust - reconfiguration steps of multi-owner sets, by hand
 * (metaclust(8)).
 *
 *   metaclust [-s set] step1   choose each set's master from the
 *                              membership and tell this node's mdcommd;
 *                              run on every surviving node
 *   metaclust [-s set] step2   on a set's master: replay its change log
 *
 * Without -s, every multi-owner set this node knows.  The full
 * reconfiguration cycle (driven by the cluster, with suspend and resume)
 * is not built yet.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <oban/errcodes.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>

static const char usage[] = "usage: metaclust [-s set] {step1 | step2}\n";

struct run {
	int r_step;
	int r_failed;
	int r_done;
};

static int run_one(void *arg, const char *set)
{
	struct run *r = arg;
	meta_error_t e;
	uint32_t master, setno;
	bool mn = false;
	int n;

	meta_error_init(&e);
	if (meta_mn_set_info(set, &mn, &setno, &e) != 0)
		goto fail;
	if (!mn)
		return 0;
	if (r->r_step == 1) {
		if (meta_mn_step1(set, &master, &e) != 0)
			goto fail;
		printf("%s: master is node %u\n", set, master);
	} else {
		if (meta_mn_step2(set, &n, &e) != 0)
			goto fail;
		printf("%s: %d logged message%s replayed\n", set, n,
		       n == 1 ? "" : "s");
	}
	r->r_done++;
	return 0;
fail:
	fprintf(stderr, "metaclust: %s\n", meta_strerror(&e));
	r->r_failed++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *set = NULL;
	struct run r = { 0 };
	meta_error_t e;
	int opt;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		if (opt == 's') {
			set = optarg;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[optind], "step1") == 0) {
		r.r_step = 1;
	} else if (strcmp(argv[optind], "step2") == 0) {
		r.r_step = 2;
	} else {
		fputs(usage, stderr);
		return 2;
	}
	meta_error_init(&e);
	if (set != NULL) {
		run_one(&r, set);
		if (r.r_failed == 0 && r.r_done == 0) {
			fprintf(stderr,
				"metaclust: set '%s' is not multi-owner\n",
				set);
			return 1;
		}
	} else if (meta_set_list(run_one, &r, &e) < 0) {
		fprintf(stderr, "metaclust: %s\n", meta_strerror(&e));
		return 1;
	}
	return r.r_failed ? 1 : 0;
}
