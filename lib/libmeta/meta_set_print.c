// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_set_print: what `metaset` prints for one set (seed 004, "Metaset
 * output after creation", "Join and withdraw").
 *
 * Theory.  The output is built in two steps so that its format can be
 * tested without drives or nodes: meta_set_print() gathers a struct
 * meta_set_view from an open set (hosts with their membership, drives with
 * their replicas, this node's ownership, the mddb's state), and
 * meta_set_view_print() turns a view into text.  A multi-owner set's master
 * and owners are only known to a node that has joined: one that has not
 * prints no master and says so, as the original did.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/meta_set.h>

int meta_set_view_print(FILE *f, const struct meta_set_view *v)
{
	bool unknown = v->sv_mn && v->sv_ndrives > 0 && !v->sv_self_joined;
	int i;

	if (v->sv_mn) {
		fprintf(f,
			"\nMulti-owner Set name = %s, Set number = %u, "
			"Master = %s\n",
			v->sv_name, v->sv_setno, unknown ? "" : v->sv_master);
		if (unknown)
			fprintf(f, "Master and owner information unavailable "
				   "until joined (metaset -j)\n");
		fprintf(f, "\nHost                Owner          Member\n");
	} else {
		fprintf(f, "\nSet name = %s, Set number = %u\n", v->sv_name,
			v->sv_setno);
		fprintf(f, "\nHost                Owner\n");
	}
	for (i = 0; i < v->sv_nhosts; i++) {
		const struct meta_host_info *hi = &v->sv_hosts[i];

		if (v->sv_mn)
			fprintf(f, "  %-18s %-14s %s\n", hi->hi_name,
				(hi->hi_flags & META_NODE_OWN) ? "multi-owner" :
								 "",
				(hi->hi_flags & META_NODE_ALIVE) ? "Yes" :
								   "No");
		else
			fprintf(f, "  %-18s %s\n", hi->hi_name,
				(hi->hi_flags & META_NODE_OWN) ? "Yes" : "");
	}
	if (v->sv_ndrives > 0) {
		fprintf(f, "\nDrive                    Dbase\n\n");
		for (i = 0; i < v->sv_ndrives; i++)
			fprintf(f, "%-24s %s\n", v->sv_drives[i].di_name,
				v->sv_drives[i].di_nreplicas > 0 ? "Yes" :
								   "No");
	}
	if (v->sv_db_state == MDDB_S_STALE)
		fprintf(f, "\nState database: stale\n");
	else if (v->sv_db_state == MDDB_S_TOOFEW)
		fprintf(f, "\nState database: too few replicas\n");
	return ferror(f) ? -1 : 0;
}

struct gather {
	struct meta_host_info *g_hosts;
	int g_nhosts;
	struct meta_drive_info *g_drives;
	int g_ndrives;
	bool g_nomem;
};

static int gather_host(void *arg, const struct meta_host_info *hi)
{
	struct gather *g = arg;
	struct meta_host_info *n =
		realloc(g->g_hosts, (size_t)(g->g_nhosts + 1) * sizeof(*n));

	if (n == NULL) {
		g->g_nomem = true;
		return 1;
	}
	g->g_hosts = n;
	n[g->g_nhosts++] = *hi;
	return 0;
}

static int gather_drive(void *arg, const struct meta_drive_info *di)
{
	struct gather *g = arg;
	struct meta_drive_info *n =
		realloc(g->g_drives, (size_t)(g->g_ndrives + 1) * sizeof(*n));

	if (n == NULL) {
		g->g_nomem = true;
		return 1;
	}
	g->g_drives = n;
	n[g->g_ndrives++] = *di;
	return 0;
}

int meta_set_print(FILE *f, struct meta_set *s, meta_error_t *ep)
{
	struct gather g = { 0 };
	struct meta_set_view v = { 0 };
	int rc;

	(void)meta_set_host_foreach(s, gather_host, &g, ep);
	(void)meta_set_drive_foreach(s, gather_drive, &g, ep);
	if (g.g_nomem) {
		free(g.g_hosts);
		free(g.g_drives);
		return meta_error_set(ep, ENOMEM, 0, meta_set_name(s),
				      "cannot print set");
	}
	v.sv_name = meta_set_name(s);
	v.sv_setno = meta_set_number(s);
	v.sv_mn = meta_set_is_mn(s);
	v.sv_master = meta_set_master(s);
	v.sv_self_joined = meta_set_self_joined(s);
	v.sv_hosts = g.g_hosts;
	v.sv_nhosts = g.g_nhosts;
	v.sv_drives = g.g_drives;
	v.sv_ndrives = g.g_ndrives;
	v.sv_db_state = meta_set_db(s) ? (int)mddb_state(meta_set_db(s)) : -1;
	rc = meta_set_view_print(f, &v);
	free(g.g_hosts);
	free(g.g_drives);
	if (rc != 0)
		return meta_error_set(ep, EIO, 0, v.sv_name,
				      "cannot print set");
	return 0;
}
