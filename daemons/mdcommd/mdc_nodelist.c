// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The node list from corosync's configuration.
 *
 * The node list (oban_dir(OBAN_DIR_RUN)/nodelist, "id name address" per
 * line, include/oban/meta_set.h) names every node of the cluster: commands
 * learn this node's id from it, metaset checks host names against it, and
 * metaclust step1 prunes it to the membership.  The original's cluster
 * framework wrote it; here it is corosync's configured nodelist
 * (nodelist.node.N.{nodeid,name,ring0_addr} in cmap), written by mdcommd
 * when it starts and finds none.  A node list already there (written by an
 * operator, or by the tests) is left alone, so that what the node list says
 * changes only by a deliberate act.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cmap.h>

#include <oban/debug.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

#include "mdc_nodelist.h"

/* Read node @i of corosync's nodelist into @ne; 1 read, 0 no such node. */
static int cmap_node(cmap_handle_t h, int i, struct meta_nodelist_ent *ne)
{
	char key[64], *name = NULL, *addr = NULL;
	uint32_t id;

	snprintf(key, sizeof(key), "nodelist.node.%d.nodeid", i);
	if (cmap_get_uint32(h, key, &id) != CS_OK)
		return 0;
	snprintf(key, sizeof(key), "nodelist.node.%d.name", i);
	if (cmap_get_string(h, key, &name) != CS_OK)
		name = NULL;
	snprintf(key, sizeof(key), "nodelist.node.%d.ring0_addr", i);
	if (cmap_get_string(h, key, &addr) != CS_OK)
		addr = NULL;
	memset(ne, 0, sizeof(*ne));
	ne->ne_id = id;
	/* A node without a name is known by its address, as corosync does. */
	snprintf(ne->ne_name, sizeof(ne->ne_name), "%s",
		 name != NULL ? name :
		 addr != NULL ? addr :
				"");
	snprintf(ne->ne_addr, sizeof(ne->ne_addr), "%s",
		 addr != NULL ? addr : "");
	free(name);
	free(addr);
	return 1;
}

int mdc_nodelist_init(bool *written, meta_error_t *ep)
{
	struct meta_nodelist_ent *ents;
	char path[512];
	cmap_handle_t h;
	int i, n = 0, rc;
	cs_error_t cs;

	*written = false;
	if (oban_path(path, sizeof(path), OBAN_DIR_RUN, "nodelist") == NULL)
		return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0,
				      "nodelist", "cannot name");
	if (access(path, F_OK) == 0)
		return 0;
	cs = cmap_initialize(&h);
	if (cs != CS_OK)
		return meta_error_set(ep, SET_ERROR(ENOTCONN), 0, "cmap",
				      "cannot read corosync's nodelist "
				      "(error %d) from",
				      (int)cs);
	ents = calloc(META_NODE_MAXID, sizeof(*ents));
	if (ents == NULL) {
		cmap_finalize(h);
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, path,
				      "cannot write");
	}
	for (i = 0; n < META_NODE_MAXID && cmap_node(h, i, &ents[n]); i++)
		n++;
	cmap_finalize(h);
	rc = 0;
	if (n > 0) {
		rc = meta_nodelist_write(path, ents, n, ep);
		*written = rc == 0;
	}
	free(ents);
	return rc;
}
