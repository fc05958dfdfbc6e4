// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ocm_view: the text form of a node's membership view and the node sets the
 * test cluster compares it with (see ocm_view.h).
 *
 * Corosync delivers member lists in its own order (the order nodes joined
 * the ring), so every view is sorted before it is printed or compared: two
 * nodes that see the same partition print the same line.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocm_view.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and check the ids: no 0, no duplicate. */
static int ocm_view_normalise(struct ocm_view *view)
{
	uint32_t i;

	qsort(view->ov_ids, view->ov_count, sizeof(view->ov_ids[0]), cmp_u32);
	for (i = 0; i < view->ov_count; i++) {
		if (view->ov_ids[i] == 0 ||
		    (i > 0 && view->ov_ids[i] == view->ov_ids[i - 1])) {
			view->ov_count = 0;
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

int ocm_view_set(struct ocm_view *view, int quorate, const uint32_t *ids,
		 size_t count)
{
	view->ov_quorate = quorate != 0;
	view->ov_count = 0;
	if (count > OCM_MAX_NODES) {
		errno = EINVAL;
		return -1;
	}
	memcpy(view->ov_ids, ids, count * sizeof(ids[0]));
	view->ov_count = (uint32_t)count;
	return ocm_view_normalise(view);
}

int ocm_view_format(const struct ocm_view *view, char *buf, size_t len)
{
	size_t off = 0;
	uint32_t i;
	int n;

	n = snprintf(buf, len, "members=");
	if (n < 0 || (size_t)n >= len)
		goto out_nospace;
	off = (size_t)n;
	for (i = 0; i < view->ov_count; i++) {
		n = snprintf(buf + off, len - off, "%s%u", i ? "," : "",
			     view->ov_ids[i]);
		if (n < 0 || (size_t)n >= len - off)
			goto out_nospace;
		off += (size_t)n;
	}
	n = snprintf(buf + off, len - off, " quorate=%s",
		     view->ov_quorate ? "yes" : "no");
	if (n < 0 || (size_t)n >= len - off)
		goto out_nospace;
	return (int)(off + (size_t)n);

out_nospace:
	if (len > 0)
		buf[0] = '\0';
	errno = ENOSPC;
	return -1;
}

int ocm_set_parse(const char *text, struct ocm_view *set)
{
	const char *p = text;

	set->ov_quorate = 0;
	set->ov_count = 0;
	while (*p != '\0') {
		unsigned long long id = 0;

		if (*p == ' ' || *p == ',') {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto out_inval;
		while (*p >= '0' && *p <= '9') {
			id = id * 10 + (unsigned long long)(*p - '0');
			if (id > UINT32_MAX)
				goto out_inval;
			p++;
		}
		if (*p != '\0' && *p != ' ' && *p != ',')
			goto out_inval;
		if (set->ov_count == OCM_MAX_NODES)
			goto out_inval;
		set->ov_ids[set->ov_count++] = (uint32_t)id;
	}
	if (set->ov_count == 0)
		goto out_inval;
	return ocm_view_normalise(set);

out_inval:
	set->ov_count = 0;
	errno = EINVAL;
	return -1;
}

int ocm_view_matches(const struct ocm_view *view, const struct ocm_view *set,
		     int quorate)
{
	if (view->ov_quorate != (quorate != 0) ||
	    view->ov_count != set->ov_count)
		return 0;
	return memcmp(view->ov_ids, set->ov_ids,
		      view->ov_count * sizeof(view->ov_ids[0])) == 0;
}
