// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_set_reload: bring this node's local replica of a set up to date
 * from the set's mddb (meta_set_reload), and commit the local replica's
 * node list to the mddb (meta_set_commit_nodes).
 *
 * A reload finds the set's drives by their labels (mdl_scan, matching the
 * set's UUID), opens the mddb on their replicas, and rewrites in one local
 * transaction the drive records (each with the path found here), the
 * owners and master, and for a single-owner set its node list.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_set.h>

#include "meta_local.h"
#include "meta_set_impl.h"

/* Drives of the set found by their labels (meta_set_reload). */
struct reload_scan {
	struct meta_set *rs_set;
	bool rs_nomem;
};

static int reload_cb(void *arg, const char *path, const struct mdl_label *l)
{
	struct reload_scan *rs = arg;
	struct meta_set *s = rs->rs_set;
	struct ml_drive *d;
	int i;

	if (!ms_same_uuid(l->ml_set_uuid, s->s_rec.ms_uuid))
		return 0;
	for (i = 0; i < s->s_ndrives; i++)
		if (ms_same_uuid(s->s_drives[i].md_uuid, l->ml_drive_uuid))
			return 0; /* the same drive under another name */
	if (ms_grow_drives(s, 1) != 0) {
		rs->rs_nomem = true;
		return 1;
	}
	d = &s->s_drives[s->s_ndrives];
	ms_drive_from_label(d, l, path);
	s->s_devs[s->s_ndrives] = NULL;
	s->s_ndrives++;
	return 0;
}

struct reload_recs {
	struct ml_drive *rr_recs;
	int rr_n;
	meta_error_t *rr_ep; /* set when a record is refused */
};

static int reload_rec_cb(void *arg, uint32_t id, const void *data, size_t len)
{
	struct reload_recs *rr = arg;
	struct ml_drive *n;
	char what[48];

	snprintf(what, sizeof(what), "drive record %u", id);
	if (meta_local_rec_check(what, data, len, sizeof(*n), rr->rr_ep) != 0)
		return 1;
	n = realloc(rr->rr_recs, (size_t)(rr->rr_n + 1) * sizeof(*n));
	if (n == NULL) {
		meta_error_set(rr->rr_ep, ENOMEM, 0, NULL, "cannot reload set");
		return 1;
	}
	rr->rr_recs = n;
	memcpy(&n[rr->rr_n++], data, sizeof(*n));
	return 0;
}

/*
 * Read record @type @id of the set's mddb into @out (@len bytes), checked
 * as meta_local_rec_check does: 1 when there is no such record.
 */
static int db_rec_get(struct meta_set *s, uint32_t type, uint32_t id, void *out,
		      size_t len, meta_error_t *ep)
{
	char what[48];
	void *data;
	size_t got;
	int rc;

	if (mddb_rec_get(s->s_db, type, id, &data, &got, NULL) != 0)
		return 1;
	snprintf(what, sizeof(what), "%s record %u",
		 type == MDDB_RT_SET ? "set" : "node", id);
	rc = meta_local_rec_check(what, data, got, len, ep);
	if (rc == 0)
		memcpy(out, data, len);
	free(data);
	return rc;
}

/*
 * The owner flags of the node records, as the mddb has them; for a
 * single-owner set also its node list (a host change whose local commit
 * failed after the mddb's).
 */
static int reload_owners(struct meta_set *s, const char *name, meta_error_t *ep)
{
	bool so = !(s->s_rec.ms_flags & ML_SF_MN);
	struct ml_node *nodes = NULL, r;
	uint32_t id;
	int n = 0, i, rc = 0;

	if (meta_local_nodes(name, &nodes, &n, ep) != 0)
		return -1;
	for (id = 1; so && id <= META_NODE_MAXID && rc == 0; id++) {
		for (i = 0; i < n; i++)
			if (nodes[i].mn_nodeid == id)
				break;
		if (i < n)
			continue;
		rc = db_rec_get(s, MDDB_RT_NODE, id, &r, sizeof(r), ep);
		if (rc == 0)
			rc = meta_local_node_put(name, &r, ep);
		else if (rc > 0)
			rc = 0;
	}
	for (i = 0; i < n && rc == 0; i++) {
		uint32_t own;

		rc = db_rec_get(s, MDDB_RT_NODE, nodes[i].mn_nodeid, &r,
				sizeof(r), ep);
		if (rc > 0) {
			rc = so ? meta_local_node_del(name, nodes[i].mn_nodeid,
						      ep) :
				  0;
			continue;
		}
		own = r.mn_flags & META_NODE_OWN;
		if (rc != 0 || (nodes[i].mn_flags & META_NODE_OWN) == own)
			continue;
		nodes[i].mn_flags = (nodes[i].mn_flags & ~META_NODE_OWN) | own;
		rc = meta_local_node_put(name, &nodes[i], ep);
	}
	free(nodes);
	return rc;
}

/*
 * The local replica's drives, owners and master from the set's mddb:
 * written in the caller's transaction.
 */
static int reload_local(struct meta_set *s, const struct ml_drive *old,
			int nold, meta_error_t *ep)
{
	const char *name = s->s_rec.ms_name;
	struct reload_recs rr = { .rr_ep = ep };
	struct ml_set r;
	int i, j, rc = 0;

	if (s->s_ndrives > 0) {
		if (mddb_rec_foreach(s->s_db, MDDB_RT_DRIVE, reload_rec_cb, &rr,
				     ep) != 0)
			rc = -1;
		if (rc == 0)
			rc = db_rec_get(s, MDDB_RT_SET, s->s_rec.ms_setno, &r,
					sizeof(r), ep);
		if (rc == 0) {
			/* Who owns the set, as the master last committed
			 * it. */
			s->s_rec.ms_rep_size = r.ms_rep_size;
			ms_str_copy(s->s_rec.ms_master,
				    sizeof(s->s_rec.ms_master), r.ms_master);
		}
		if (rc > 0)
			rc = 0;
		if (rc == 0)
			rc = reload_owners(s, name, ep);
	}
	/* The mddb's drives, each with the path found here. */
	for (i = 0; i < rr.rr_n && rc == 0; i++) {
		struct ml_drive *d = &rr.rr_recs[i];

		d->md_path[0] = '\0';
		for (j = 0; j < s->s_ndrives; j++)
			if (ms_same_uuid(s->s_drives[j].md_uuid, d->md_uuid) &&
			    s->s_devs[j] != NULL)
				ms_str_copy(d->md_path, sizeof(d->md_path),
					    s->s_paths[j]);
		rc = meta_local_drive_put(name, d, ep);
	}
	/* Drives no longer in the mddb leave the local replica. */
	for (i = 0; i < nold && rc == 0; i++) {
		bool keep = false;

		for (j = 0; j < rr.rr_n; j++)
			if (rr.rr_recs[j].md_seq == old[i].md_seq)
				keep = true;
		if (!keep)
			rc = meta_local_drive_del(name, old[i].md_seq, ep);
	}
	if (rc == 0 && rr.rr_n == 0)
		s->s_rec.ms_rep_size = 0;
	if (rc == 0)
		rc = meta_local_set_put(&s->s_rec, ep);
	free(rr.rr_recs);
	return rc;
}

int meta_set_reload(const char *name, meta_error_t *ep)
{
	struct reload_scan rs = { 0 };
	struct ml_drive *old = NULL;
	struct meta_set *s = calloc(1, sizeof(*s));
	struct ml_txn *t;
	int nold = 0, rc = -1;

	if (s == NULL)
		return meta_error_set(ep, ENOMEM, 0, name, "cannot reload set");
	s->s_flags = META_SET_RDONLY;
	if (!ms_name_ok(name)) {
		meta_error_set(ep, ME_SET_NOTFOUND, 0, name,
			       "cannot reload set");
		goto out;
	}
	s->s_lock = ms_lock(name, true, ep);
	if (s->s_lock == NULL || meta_local_set_get(name, &s->s_rec, ep) != 0 ||
	    meta_local_drives(name, &old, &nold, ep) != 0)
		goto out;
	rs.rs_set = s;
	if (mdl_scan(reload_cb, &rs, ep) < 0)
		goto out;
	if (rs.rs_nomem) {
		meta_error_set(ep, ENOMEM, 0, name, "cannot reload set");
		goto out;
	}
	/* Open the devices found (ms_find_drives tries each path). */
	if (s->s_ndrives > 0 &&
	    (ms_find_drives(s, ep) != 0 || ms_open_db(s, ep) != 0))
		goto out;
	if (meta_local_begin(&t, ep) == 0)
		rc = ms_local_end(t, reload_local(s, old, nold, ep), ep);
out:
	free(old);
	meta_set_close(s);
	return rc;
}

int meta_set_commit_nodes(const char *name, meta_error_t *ep)
{
	struct meta_set *s;
	uint32_t gone[META_NODE_MAXID], id;
	int j, ngone = 0, rc;

	if (meta_set_open(name, 0, &s, ep) != 0)
		return -1;
	if (s->s_db == NULL) {
		meta_set_close(s);
		return 0;
	}
	/* Node records in the mddb that the local replica no longer has. */
	for (id = 1; id <= META_NODE_MAXID; id++) {
		void *data;
		size_t len;
		bool here = false;

		if (mddb_rec_get(s->s_db, MDDB_RT_NODE, id, &data, &len,
				 NULL) != 0)
			continue;
		free(data);
		for (j = 0; j < s->s_nnodes; j++)
			if (s->s_nodes[j].mn_nodeid == id)
				here = true;
		if (!here)
			gone[ngone++] = id;
	}
	rc = ms_commit_records(s, false, gone, ngone, ep);
	meta_set_close(s);
	return rc;
}
