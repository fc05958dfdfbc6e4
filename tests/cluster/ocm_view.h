/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ocm_view: a node's view of the cluster (members and quorum) as the test
 * cluster's helper ocmembers reports it, and the node sets the harness
 * compares it with.  Pure functions, no corosync: unit tested by
 * tests/cluster/test_ocm.c.
 *
 * The one text form is "members=1,2,3 quorate=yes": node ids ascending,
 * comma separated, then "quorate=yes" or "quorate=no".  tests/cluster/ocluster
 * compares these strings, so the form is part of the harness's interface
 * (doc/test-cluster.md).
 */
#ifndef OBAN_TESTS_OCM_VIEW_H
#define OBAN_TESTS_OCM_VIEW_H

#include <stddef.h>
#include <stdint.h>

/* Corosync's limit on the nodes of one cluster (PROCESSOR_COUNT_MAX). */
#define OCM_MAX_NODES 384

struct ocm_view {
	int ov_quorate; /* 1 quorate, 0 not */
	uint32_t ov_count; /* entries used in ov_ids */
	uint32_t ov_ids[OCM_MAX_NODES]; /* ascending, no duplicates */
};

/*
 * ocm_view_set - fill @view from a member list as corosync delivers it
 * (any order).
 *
 * @view     out: the view; ids sorted ascending.
 * @quorate  in: non-zero when the partition is quorate.
 * @ids      in: @count node ids; not kept.
 * @count    in: at most OCM_MAX_NODES.
 *
 * Returns 0, or -1 with errno EINVAL when @count is too large, an id is 0
 * (corosync never uses 0) or an id appears twice; @view is then empty.
 */
int ocm_view_set(struct ocm_view *view, int quorate, const uint32_t *ids,
		 size_t count);

/*
 * ocm_view_format - write @view's text form into @buf of @len bytes.
 *
 * Returns the length written (without the NUL), or -1 with errno ENOSPC
 * when it does not fit (then @buf holds an empty string if @len > 0).
 */
int ocm_view_format(const struct ocm_view *view, char *buf, size_t len);

/*
 * ocm_set_parse - parse a node set as the harness writes it: decimal ids
 * separated by spaces and/or commas ("1 2 3", "3,1,2"), in any order.
 *
 * @text   in: the set; must hold at least one id.
 * @set    out: a view whose ov_ids are the set, ascending (ov_quorate 0).
 *
 * Returns 0, or -1 with errno EINVAL for an empty set, a character other
 * than digits, spaces and commas, an id of 0 or above UINT32_MAX, a
 * duplicate, or more than OCM_MAX_NODES ids.
 */
int ocm_set_parse(const char *text, struct ocm_view *set);

/*
 * ocm_view_matches - true (1) when @view has exactly the members of @set
 * and its quorum state is @quorate; else 0.
 */
int ocm_view_matches(const struct ocm_view *view, const struct ocm_view *set,
		     int quorate);

#endif /* OBAN_TESTS_OCM_VIEW_H */
