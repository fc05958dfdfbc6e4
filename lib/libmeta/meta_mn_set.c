// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_mn_set: sets across nodes.  The set administration payload (struct
 * meta_mns, encoded and decoded here), what every node does with it
 * (meta_mns_apply), and the set area's mdcommd handlers (include/oban/
 * meta_mn.h): SET_ADMIN, the side messages and SM_MDDB_ATTACH / DETACH.
 *
 * Theory (doc/storage.md, "Sets across nodes").  The original created
 * sets and changed hosts with rpc.metad calls from the initiating node to
 * every host, before the set had a master.  oban has one path between
 * nodes, mdcommd, so these operations are messages: SET_ADMIN on the
 * reserved set number META_MN_ADMIN_SET, whose master is the
 * lowest-numbered node of the membership and which every member runs.
 * Each node applies the message to its own local replica (LMDB): a node
 * that is not a host of the set changes nothing and answers success; a
 * host creates the set, replaces its host list, records a join or a
 * withdraw, or re-reads the set's drives from the mddb.  The message
 * carries the whole validated change (set number, UUID, creation time,
 * host ids, the join verdict), so every node with the same records gives
 * the same answer by construction; the initiator first sends a dry run
 * (META_MNS_F_DRYRUN, STOP_ON_ERROR) so that a set number or name already
 * used on one host stops the command before anything changed anywhere.
 *
 * Only the set's master writes the set's replicas: after a change of the
 * hosts or of ownership, the node that the local records name master
 * commits the node records to the mddb; the others only update their
 * local replica.  Replica attach and detach (META_DB_ATTACH / DETACH on
 * the set itself, whose submessage SM_MDDB_ATTACH / DETACH runs between
 * the daemon's MDDB_BLOCK and unblock): the master adds or deletes the
 * replicas, every other node re-reads the set's drive records from the
 * mddb and drops its configuration model (the PARSE of the original).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/mdc_client.h>
#include <oban/mdc_msg.h>
#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>

#include "meta_crc.h"
#include "meta_local.h"

_Static_assert(META_MNS_SIZE <= MDC_MAXDATA, "a set message fits a payload");
_Static_assert(META_MN_ADMIN_SET < MDC_MAXSETS, "admin set is a valid set");
_Static_assert(META_MNS_MAXHOSTS * 4 + 112 == META_MNS_SIZE,
	       "set message layout");

/* ---- the payload -------------------------------------------------------- */

/*
 * Layout, little-endian (doc/format-mddb.md, "Set administration
 * messages"):
 *   0 magic u32   4 version u16   6 op u16   8 flags u32   12 setno u32
 *  16 setflags u32  20 node u32  24 verdict u32  28 nhosts u32
 *  32 ctime u64  40 uuid[16]  56 name[32]  88 drive[16]  104 count u32
 * 108 nonce u32 (SUSPEND / RESUME; else zero)  112 hosts[64] u32 (unused
 * entries zero)
 */

static bool zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return false;
	return true;
}

static bool name_valid(const char *name, size_t len)
{
	size_t n = strnlen(name, len), i;

	if (n == 0 || n == len || name[0] == '-' || strcmp(name, "local") == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return zero((const uint8_t *)name + n, len - n);
}

static bool verdict_valid(uint32_t op, uint32_t v)
{
	if (op == META_MNS_JOIN)
		return v == META_JV_MASTER || v == META_JV_MASTER_STALE ||
		       v == META_JV_SLAVE || v == META_JV_SLAVE_STALE;
	if (op == META_MNS_WITHDRAW)
		return v == META_JV_WD_SLAVE || v == META_JV_WD_LAST;
	return v == 0;
}

/* QUERY names the asking node and its question's number (nonce), nothing
 * else (no set: every set). */
static const char *query_invalid(const struct meta_mns *m)
{
	if (m->mm_node < 1 || m->mm_node > META_NODE_MAXID)
		return "bad node";
	if (m->mm_nonce == 0)
		return "query of the holds without a question number";
	if (m->mm_flags != 0 || m->mm_setno != 0 || m->mm_setflags != 0 ||
	    m->mm_verdict != 0 || m->mm_nhosts != 0 || m->mm_ctime != 0 ||
	    m->mm_count != 0 || !zero(m->mm_uuid, sizeof(m->mm_uuid)) ||
	    !zero((const uint8_t *)m->mm_name, sizeof(m->mm_name)) ||
	    !zero(m->mm_drive, sizeof(m->mm_drive)) ||
	    !zero((const uint8_t *)m->mm_hosts, sizeof(m->mm_hosts)))
		return "query of the holds with other fields set";
	return NULL;
}

/* Every rule of a well-formed message, shared by encoder and decoder. */
static const char *mns_invalid(const struct meta_mns *m)
{
	uint32_t i, j;
	bool hosts = m->mm_op == META_MNS_CREATE || m->mm_op == META_MNS_HOSTS;
	bool hold = m->mm_op == META_MNS_SUSPEND || m->mm_op == META_MNS_RESUME;
	bool node = m->mm_op == META_MNS_JOIN ||
		    m->mm_op == META_MNS_WITHDRAW || hold;
	bool drive = m->mm_op == META_MNS_ATTACH || m->mm_op == META_MNS_DETACH;

	if (m->mm_op < 1 || m->mm_op >= META_MNS_NOPS)
		return "unknown operation";
	if (m->mm_op == META_MNS_QUERY)
		return query_invalid(m);
	if (m->mm_flags & ~(uint32_t)META_MNS_F_DRYRUN)
		return "unknown flags";
	if (m->mm_setno < 1 || m->mm_setno > META_MN_SETMAX)
		return "set number out of range";
	if (m->mm_setflags & ~(uint32_t)1)
		return "unknown set flags";
	if (!name_valid(m->mm_name, sizeof(m->mm_name)))
		return "bad set name";
	if (node ? (m->mm_node < 1 || m->mm_node > META_NODE_MAXID) :
		   m->mm_node != 0)
		return "bad node";
	if (hold != (m->mm_nonce != 0))
		return hold ? "no holder nonce" :
			      "nonce given to an operation "
			      "without a holder";
	if (!verdict_valid(m->mm_op, m->mm_verdict))
		return "bad verdict";
	bool lease = m->mm_op == META_MNS_SUSPEND;

	if (!drive && (!zero(m->mm_drive, sizeof(m->mm_drive)) ||
		       (m->mm_count != 0 && !lease)))
		return "drive given to an operation without one";
	if (drive && zero(m->mm_drive, sizeof(m->mm_drive)))
		return "no drive";
	if (lease && (m->mm_count < 1 || m->mm_count > META_MNS_MAXLEASE))
		return "bad suspension lease";
	if (!lease && (m->mm_op == META_MNS_ATTACH) !=
			      (m->mm_count >= 1 && m->mm_count <= 50))
		return "bad replica count";
	if (hosts ? (m->mm_nhosts < 1 || m->mm_nhosts > META_MNS_MAXHOSTS) :
		    m->mm_nhosts != 0)
		return "bad host count";
	for (i = 0; i < META_MNS_MAXHOSTS; i++) {
		if (i >= m->mm_nhosts) {
			if (m->mm_hosts[i] != 0)
				return "stray host";
			continue;
		}
		if (m->mm_hosts[i] < 1 || m->mm_hosts[i] > META_NODE_MAXID)
			return "host id out of range";
		for (j = 0; j < i; j++)
			if (m->mm_hosts[j] == m->mm_hosts[i])
				return "host given twice";
	}
	return NULL;
}

int meta_mns_encode(const struct meta_mns *m, void *buf, size_t len,
		    meta_error_t *ep)
{
	const char *why = mns_invalid(m);
	uint8_t *p = buf;
	int i;

	if (why != NULL || len < META_MNS_SIZE)
		return meta_error_set(ep, ME_SET_BADMSG, 0, m->mm_name,
				      "cannot encode set message (%s) for",
				      why ? why : "buffer too small");
	memset(p, 0, META_MNS_SIZE);
	meta_put32(p + 0, META_MNS_MAGIC);
	meta_put16(p + 4, META_MNS_VERSION);
	p[6] = (uint8_t)m->mm_op;
	meta_put32(p + 8, m->mm_flags);
	meta_put32(p + 12, m->mm_setno);
	meta_put32(p + 16, m->mm_setflags);
	meta_put32(p + 20, m->mm_node);
	meta_put32(p + 24, m->mm_verdict);
	meta_put32(p + 28, m->mm_nhosts);
	meta_put32(p + 32, (uint32_t)m->mm_ctime);
	meta_put32(p + 36, (uint32_t)(m->mm_ctime >> 32));
	memcpy(p + 40, m->mm_uuid, 16);
	memcpy(p + 56, m->mm_name, 32);
	memcpy(p + 88, m->mm_drive, 16);
	meta_put32(p + 104, m->mm_count);
	meta_put32(p + 108, m->mm_nonce);
	for (i = 0; i < META_MNS_MAXHOSTS; i++)
		meta_put32(p + 112 + 4 * i, m->mm_hosts[i]);
	return 0;
}

int meta_mns_decode(const void *buf, size_t len, struct meta_mns *m,
		    meta_error_t *ep)
{
	const uint8_t *p = buf;
	const char *why = NULL;
	int i;

	memset(m, 0, sizeof(*m));
	if (len == META_MNS_SIZE && meta_get32(p) == META_MNS_MAGIC &&
	    meta_get16(p + 4) != META_MNS_VERSION)
		return meta_error_set(
			ep, SET_ERROR(ME_SET_BADMSG), 0, NULL,
			"cannot decode set message of version %u (this node "
			"reads version %u: run the same oban release on every "
			"node)",
			meta_get16(p + 4), META_MNS_VERSION);
	if (len != META_MNS_SIZE)
		why = "wrong length";
	else if (meta_get32(p) != META_MNS_MAGIC)
		why = "bad magic";
	else if (p[7] != 0)
		why = "non-zero pad";
	if (why == NULL) {
		m->mm_op = p[6];
		m->mm_flags = meta_get32(p + 8);
		m->mm_setno = meta_get32(p + 12);
		m->mm_setflags = meta_get32(p + 16);
		m->mm_node = meta_get32(p + 20);
		m->mm_verdict = meta_get32(p + 24);
		m->mm_nhosts = meta_get32(p + 28);
		m->mm_ctime = (uint64_t)meta_get32(p + 32) |
			      (uint64_t)meta_get32(p + 36) << 32;
		memcpy(m->mm_uuid, p + 40, 16);
		memcpy(m->mm_name, p + 56, 32);
		memcpy(m->mm_drive, p + 88, 16);
		m->mm_count = meta_get32(p + 104);
		m->mm_nonce = meta_get32(p + 108);
		for (i = 0; i < META_MNS_MAXHOSTS; i++)
			m->mm_hosts[i] = meta_get32(p + 112 + 4 * i);
		why = mns_invalid(m);
	}
	if (why != NULL) {
		memset(m, 0, sizeof(*m));
		return meta_error_set(ep, ME_SET_BADMSG, 0, NULL,
				      "cannot decode set message: %s", why);
	}
	return 0;
}

/* ---- applying a message on this node ------------------------------------ */

static bool in_hosts(const struct meta_mns *m, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < m->mm_nhosts; i++)
		if (m->mm_hosts[i] == id)
			return true;
	return false;
}

/* The name of node @id from the node list (this node alone without one). */
static int node_name(uint32_t id, char *name, size_t len, meta_error_t *ep)
{
	struct meta_nodelist_ent *v, self;
	meta_error_t e;
	int n, i;

	if (meta_nodelist_read(NULL, &v, &n, &e) != 0) {
		if (e.me_code != ENOENT) {
			*ep = e;
			return -1;
		}
		if (meta_node_self(&self, ep) != 0)
			return -1;
		if (id != self.ne_id)
			goto unknown;
		snprintf(name, len, "%s", self.ne_name);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (v[i].ne_id == id) {
			snprintf(name, len, "%s", v[i].ne_name);
			free(v);
			return 0;
		}
	free(v);
unknown:
	return meta_error_set(ep, ME_SET_UNKNOWNHOST, 0, NULL,
			      "node %u is not in the node list", id);
}

/* Is this node (by name) the master in @rec? */
static bool self_is_master(const struct ml_set *rec, uint32_t self)
{
	char me[META_NODE_NAMELEN];
	meta_error_t e;

	return rec->ms_master[0] != '\0' &&
	       node_name(self, me, sizeof(me), &e) == 0 &&
	       strcmp(rec->ms_master, me) == 0;
}

/* After a change of node records: the set's master commits them. */
static int commit_if_master(const char *name, uint32_t self, meta_error_t *ep)
{
	struct ml_set rec;

	if (meta_local_set_get(name, &rec, ep) != 0)
		return -1;
	if (!self_is_master(&rec, self) || rec.ms_rep_size == 0)
		return 0;
	if (meta_set_commit_nodes(name, ep) == 0)
		return 0;
	/*
	 * A master that sees half or fewer of the replicas cannot write them
	 * (ME_MDDB_STALE): the change stays in every node's local records,
	 * as the join of a node to a STALE set must (seed: the joiner is
	 * STALE then), and the next commit of the node records, which
	 * writes them all, brings the mddb up to date.
	 */
	if (ep->me_code == ME_MDDB_STALE) {
		meta_error_init(ep);
		return 0;
	}
	return -1;
}

/*
 * A host is about to be added (dry run): refused on the set's master when
 * its replicas are stale.  Its commit of the node records would fail
 * (commit_if_master: the records stay local) and the new host, which
 * learns the set from the mddb (meta_set_reload), would read the old
 * records there: its records would differ from every other node's.
 */
static int add_check_master(const struct meta_mns *m, uint32_t self,
			    meta_error_t *ep)
{
	struct meta_set *s;
	struct ml_set rec;
	struct mddb *db;
	bool stale;

	if (meta_local_set_get(m->mm_name, &rec, ep) != 0)
		return -1;
	if (!self_is_master(&rec, self) || rec.ms_rep_size == 0)
		return 0;
	if (meta_set_open(m->mm_name, META_SET_RDONLY | META_SET_ALLOW_HALF, &s,
			  ep) != 0)
		return -1;
	db = meta_set_db(s);
	stale = db == NULL || mddb_state(db) == MDDB_S_STALE;
	meta_set_close(s);
	if (stale)
		return meta_error_set(ep, ME_SET_MASTERSTALE, self, m->mm_name,
				      "cannot add a host (it would read old "
				      "records from the replicas) to set");
	return 0;
}

static int apply_hosts(const struct meta_mns *m, uint32_t self, bool dryrun,
		       meta_error_t *ep)
{
	struct ml_node *nodes = NULL;
	struct ml_txn *t = NULL;
	uint32_t i;
	int n = 0, j, rc = -1;
	bool added = false;

	if (meta_local_nodes(m->mm_name, &nodes, &n, ep) != 0)
		return -1;
	/* Checked on every host, the deleted ones included. */
	for (j = 0; j < n; j++)
		if (!in_hosts(m, nodes[j].mn_nodeid) &&
		    (nodes[j].mn_flags & META_NODE_OWN)) {
			meta_error_set(ep, ME_SET_HOSTJOINED, 0,
				       nodes[j].mn_name,
				       "cannot delete host from set '%s'",
				       m->mm_name);
			goto out;
		}
	if (!in_hosts(m, self)) {
		/* Deleted from the set's hosts: forget the set here. */
		rc = dryrun ? 0 : meta_local_set_del(m->mm_name, ep);
		goto out;
	}
	/* The node records change together or not at all. */
	if (!dryrun && meta_local_begin(&t, ep) != 0)
		goto out;
	for (i = 0; i < m->mm_nhosts; i++) {
		struct ml_node nd;
		bool known = false;

		for (j = 0; j < n; j++)
			if (nodes[j].mn_nodeid == m->mm_hosts[i])
				known = true;
		if (known)
			continue;
		added = true;
		memset(&nd, 0, sizeof(nd));
		nd.mn_version = ML_VERSION;
		nd.mn_nodeid = m->mm_hosts[i];
		nd.mn_flags = META_NODE_OK;
		if (node_name(nd.mn_nodeid, nd.mn_name, sizeof(nd.mn_name),
			      ep) != 0)
			goto out;
		if (!dryrun && meta_local_node_put(m->mm_name, &nd, ep) != 0)
			goto out;
	}
	for (j = 0; j < n; j++) {
		if (in_hosts(m, nodes[j].mn_nodeid))
			continue;
		if (!dryrun && meta_local_node_del(m->mm_name,
						   nodes[j].mn_nodeid, ep) != 0)
			goto out;
	}
	if (!dryrun) {
		struct ml_txn *done = t;

		t = NULL;
		if (meta_local_commit(done, ep) != 0)
			goto out;
	}
	if (dryrun)
		rc = added ? add_check_master(m, self, ep) : 0;
	else
		rc = commit_if_master(m->mm_name, self, ep);
out:
	if (t != NULL)
		meta_local_abort(t);
	free(nodes);
	return rc;
}

static int apply_join(const struct meta_mns *m, struct ml_set *rec,
		      uint32_t self, bool dryrun, meta_error_t *ep)
{
	struct ml_node *nodes = NULL;
	char who[META_NODE_NAMELEN];
	struct ml_txn *t;
	int n = 0, j, owners = 0, k = -1, rc = -1;
	bool join = m->mm_op == META_MNS_JOIN;

	if (meta_local_nodes(m->mm_name, &nodes, &n, ep) != 0)
		return -1;
	for (j = 0; j < n; j++) {
		if (nodes[j].mn_flags & META_NODE_OWN)
			owners++;
		if (nodes[j].mn_nodeid == m->mm_node)
			k = j;
	}
	if (k < 0) {
		char what[32];

		snprintf(what, sizeof(what), "node %u", m->mm_node);
		meta_error_set(ep, ME_SET_NOHOST, 0, what,
			       "cannot %s set '%s':",
			       join ? "join" : "withdraw from", m->mm_name);
		goto out;
	}
	snprintf(who, sizeof(who), "%s", nodes[k].mn_name);
	if (join) {
		bool first = m->mm_verdict == META_JV_MASTER ||
			     m->mm_verdict == META_JV_MASTER_STALE;

		if (first && owners > 0 &&
		    !(owners == 1 && (nodes[k].mn_flags & META_NODE_OWN))) {
			meta_error_set(ep, ME_SET_HASMASTER, 0, who,
				       "cannot make master of set '%s'",
				       m->mm_name);
			goto out;
		}
		if (!first && rec->ms_master[0] == '\0') {
			meta_error_set(ep, ME_SET_NOMASTER, 0, m->mm_name,
				       "cannot join as a slave");
			goto out;
		}
		nodes[k].mn_flags |= META_NODE_OWN;
		if (first)
			snprintf(rec->ms_master, sizeof(rec->ms_master), "%s",
				 who);
	} else {
		if (m->mm_verdict == META_JV_WD_LAST && owners > 1) {
			meta_error_set(ep, ME_SET_MASTERBUSY, 0, who,
				       "cannot withdraw master of set '%s' "
				       "(%d other node(s) joined)",
				       m->mm_name, owners - 1);
			goto out;
		}
		nodes[k].mn_flags &= ~(uint32_t)META_NODE_OWN;
		if (strcmp(rec->ms_master, who) == 0)
			rec->ms_master[0] = '\0';
	}
	if (dryrun) {
		rc = 0;
		goto out;
	}
	/* The node's record and the set's (its master) together. */
	if (meta_local_begin(&t, ep) != 0)
		goto out;
	if (meta_local_node_put(m->mm_name, &nodes[k], ep) != 0 ||
	    meta_local_set_put(rec, ep) != 0) {
		meta_local_abort(t);
		goto out;
	}
	if (meta_local_commit(t, ep) != 0)
		goto out;
	/* The master records it in the mddb (after a withdraw of the last
	 * owner there is no master, and nothing is written). */
	rc = commit_if_master(m->mm_name, self, ep);
out:
	free(nodes);
	return rc;
}

/* ATTACH / DETACH: the master changes the replicas, the others re-read. */
static int apply_attach(const struct meta_mns *m, bool on_master, bool dryrun,
			meta_error_t *ep)
{
	struct meta_set *s;
	char uuid[40], name[48];
	int rc;

	if (!on_master)
		return dryrun ? 0 : meta_set_reload(m->mm_name, ep);
	mdl_uuid_format(m->mm_drive, uuid);
	snprintf(name, sizeof(name), "UUID=%s", uuid);
	if (meta_set_open(m->mm_name, dryrun ? META_SET_RDONLY : 0, &s, ep) !=
	    0)
		return -1;
	if (dryrun) {
		struct meta_drive_info di;

		rc = meta_set_drive_find(s, name, &di, ep);
	} else if (m->mm_op == META_MNS_ATTACH) {
		rc = meta_set_replica_add(s, name, (int)m->mm_count, ep);
	} else {
		rc = meta_set_replica_del(s, name, ep);
	}
	meta_set_close(s);
	return rc;
}

int meta_mns_apply(const struct meta_mns *m, uint32_t self, bool on_master,
		   meta_error_t *ep)
{
	bool dryrun = (m->mm_flags & META_MNS_F_DRYRUN) != 0;
	struct ml_set rec;
	meta_error_t e;

	if (mns_invalid(m) != NULL)
		return meta_error_set(ep, ME_SET_BADMSG, 0, m->mm_name,
				      "cannot apply set message to set");
	if (m->mm_op == META_MNS_QUERY)
		return 0; /* the daemon's, in h_set(); no record changes */
	if (meta_local_set_get(m->mm_name, &rec, &e) != 0) {
		if (e.me_code != ME_SET_NOTFOUND) {
			*ep = e;
			return -1;
		}
		/* Not here: only a creation, or a host add naming this
		 * node, concerns it. */
		if ((m->mm_op != META_MNS_CREATE &&
		     m->mm_op != META_MNS_HOSTS) ||
		    !in_hosts(m, self))
			return 0;
		if (meta_set_create_rec(m->mm_name, m->mm_setno, m->mm_uuid,
					m->mm_ctime, m->mm_setflags & 1,
					m->mm_hosts, (int)m->mm_nhosts, dryrun,
					ep) != 0)
			return -1;
		/* A host added to a set with drives learns them from its
		 * mddb (reachable here through the drives' labels). */
		if (m->mm_op == META_MNS_HOSTS && !dryrun)
			return meta_set_reload(m->mm_name, ep);
		return 0;
	}
	if (memcmp(rec.ms_uuid, m->mm_uuid, 16) != 0)
		return meta_error_set(ep, ME_SET_EXISTS, 0, m->mm_name,
				      "cannot %s set (another set of that "
				      "name exists here)",
				      m->mm_op == META_MNS_CREATE ? "create" :
								    "change");
	switch (m->mm_op) {
	case META_MNS_CREATE:
		return 0; /* already here: a replay */
	case META_MNS_HOSTS:
		return apply_hosts(m, self, dryrun, ep);
	case META_MNS_JOIN:
	case META_MNS_WITHDRAW:
		return apply_join(m, &rec, self, dryrun, ep);
	case META_MNS_RELOAD:
		return dryrun ? 0 : meta_set_reload(m->mm_name, ep);
	case META_MNS_DESTROY:
		return dryrun ? 0 : meta_local_set_del(m->mm_name, ep);
	case META_MNS_ATTACH:
	case META_MNS_DETACH:
		return apply_attach(m, on_master, dryrun, ep);
	case META_MNS_SUSPEND:
	case META_MNS_RESUME:
	case META_MNS_STATE:
	case META_MNS_QUERY:
		return 0; /* the daemon's, in h_set(); no record changes */
	}
	return meta_error_set(ep, ME_SET_BADMSG, 0, m->mm_name,
			      "cannot apply set message for");
}

/* ---- handlers ------------------------------------------------------------ */

/*
 * STATE, sent on the set itself with NO_BCAST: the master answers with its
 * reading of the set's replicas, "replicas R active A stale S", for a node
 * about to join (seed: a joiner inherits the master's state).
 */
static int h_state(struct meta_mn_hctx *hx, const struct meta_mns *m)
{
	unsigned int nrep = 0, nact = 0;
	struct meta_set *s;
	struct mddb *db;
	meta_error_t e;

	meta_error_init(&e);
	if (hx->hx_set != m->mm_setno || !hx->hx_on_master) {
		meta_error_set(&e, ME_SET_BADMSG, hx->hx_node, m->mm_name,
			       "cannot answer for the replicas (not the "
			       "set's master, or sent on set %u) of set",
			       hx->hx_set);
		return meta_mn_fail(hx, &e);
	}
	if (meta_set_open(m->mm_name, META_SET_RDONLY | META_SET_ALLOW_HALF, &s,
			  &e) != 0)
		return meta_mn_fail(hx, &e);
	db = meta_set_db(s);
	for (int i = 0; db != NULL && i < mddb_replica_count(db); i++) {
		struct mddb_replica_info ri;

		nrep++;
		if (mddb_replica_info(db, i, &ri, NULL) == 0 &&
		    (ri.ri_flags & MDDB_F_ACTIVE))
			nact++;
	}
	meta_mn_printf(hx, "replicas %u active %u stale %d\n", nrep, nact,
		       db != NULL && mddb_state(db) == MDDB_S_STALE);
	meta_set_close(s);
	meta_mn_exit(hx, 0);
	return 0;
}

/*
 * The set's model and cached handles are stale after @m ran here
 * (doc/mdcommd.md, 11b), also when it failed (@failed): it may have failed
 * halfway.  After a creation, destruction or new hosts the number may name
 * another set (these come on the admin set: mm_setno); after one that
 * failed, the number may be an unrelated set's here (a creation refused
 * because the number is used), whose model stays.  A withdraw drops only
 * the withdrawing node's, unless it failed.
 */
static void model_drop(struct meta_mn_hctx *hx, const struct meta_mns *m,
		       bool failed)
{
	if (m->mm_op == META_MNS_ATTACH || m->mm_op == META_MNS_DETACH ||
	    m->mm_op == META_MNS_RELOAD ||
	    (m->mm_op == META_MNS_WITHDRAW &&
	     (failed || m->mm_node == hx->hx_node)))
		meta_mn_model_drop(hx, m->mm_setno, false);
	else if (m->mm_op == META_MNS_CREATE || m->mm_op == META_MNS_DESTROY ||
		 m->mm_op == META_MNS_HOSTS) {
		if (failed)
			meta_mn_model_drop_named(hx, m->mm_setno, m->mm_name,
						 true);
		else
			meta_mn_model_drop(hx, m->mm_setno, true);
	}
}

static int h_set(struct meta_mn_hctx *hx)
{
	struct meta_mns m;
	meta_error_t e;

	meta_error_init(&e);
	if (meta_mns_decode(hx->hx_data, hx->hx_len, &m, &e) != 0)
		return meta_mn_fail(hx, &e);
	/* The set messages on the set itself must name it. */
	if (hx->hx_type != MDC_MSG_SET_ADMIN && hx->hx_set != m.mm_setno) {
		meta_error_set(&e, ME_SET_BADMSG, 0, m.mm_name,
			       "cannot take a message for set %u sent on set "
			       "%u, about",
			       m.mm_setno, hx->hx_set);
		return meta_mn_fail(hx, &e);
	}
	if (m.mm_op == META_MNS_SUSPEND || m.mm_op == META_MNS_RESUME) {
		uint32_t holder;
		int cs;

		/* On the admin set only: its order is the one the holds
		 * questions' replay assumes (mn_hold_ran()). */
		if (hx->hx_type != MDC_MSG_SET_ADMIN || !meta_mn_hx_admin(hx)) {
			meta_error_set(&e, ME_SET_BADMSG, 0, NULL,
				       "cannot suspend or resume set '%s' "
				       "(asked by node %u) on set %u: not the "
				       "admin set",
				       m.mm_name, m.mm_node, hx->hx_set);
			return meta_mn_fail(hx, &e);
		}
		cs = meta_mn_hsuspend(hx, m.mm_setno,
				      m.mm_op == META_MNS_SUSPEND, m.mm_count,
				      m.mm_node, m.mm_nonce, &holder);
		if (cs == META_MN_HELD) {
			meta_mn_printf(hx,
				       "set '%s' is being changed by node %u "
				       "(seen on node %u)\n",
				       m.mm_name, holder, hx->hx_node);
			meta_mn_exit(hx, META_MNS_EXIT_HELD);
			return 0;
		}
		if (cs == MDC_CS_SET_NOT_DRAINED) {
			meta_mn_printf(hx,
				       "set %s: messages still under way "
				       "on node %u\n",
				       m.mm_name, hx->hx_node);
			meta_mn_exit(hx, META_MNS_EXIT_NOTDRAINED);
			return 0;
		}
		if (cs != MDC_CS_ACK) {
			meta_error_set(&e, mdc_comm_state_errcode((uint32_t)cs),
				       hx->hx_node, m.mm_name,
				       "cannot suspend or resume set");
			return meta_mn_fail(hx, &e);
		}
		meta_mn_exit(hx, 0);
		return 0;
	}
	if (m.mm_op == META_MNS_STATE)
		return h_state(hx, &m);
	if (m.mm_op == META_MNS_QUERY) {
		if (!meta_mn_hx_admin(hx)) {
			meta_error_set(&e, ME_SET_BADMSG, 0, NULL,
				       "cannot answer for the holds in force "
				       "(asked by node %u) on set %u: not the "
				       "admin set",
				       m.mm_node, hx->hx_set);
			return meta_mn_fail(hx, &e);
		}
		meta_mn_exit(hx, meta_mn_holds(hx, m.mm_node, m.mm_nonce) ?
					 META_MNS_EXIT_HOLDS :
					 0);
		return 0;
	}
	if (meta_mns_apply(&m, hx->hx_node, hx->hx_on_master, &e) != 0) {
		meta_mn_fail(hx, &e);
		/* A change may fail halfway (replicas or node records partly
		 * written, a reload not done): the model is as stale as after
		 * a success.  A dry run changes nothing. */
		if (!(m.mm_flags & META_MNS_F_DRYRUN))
			model_drop(hx, &m, true);
		/* The initiator tries the next set number on this one. */
		if (e.me_code == ME_SET_NUMBERUSED)
			meta_mn_exit(hx, META_MNS_EXIT_NUMBERUSED);
		return 0;
	}
	model_drop(hx, &m, false);
	meta_mn_exit(hx, 0);
	return 0;
}

const struct meta_mn_handler meta_mn_set_handlers[] = {
	{ MDC_MSG_SET_ADMIN, h_set },	    { MDC_MSG_SM_MDDB_ATTACH, h_set },
	{ MDC_MSG_SM_MDDB_DETACH, h_set },  { MDC_MSG_META_DB_NEWSIDE, h_set },
	{ MDC_MSG_META_DB_DELSIDE, h_set }, { MDC_MSG_META_MD_ADDSIDE, h_set },
	{ MDC_MSG_META_MD_DELSIDE, h_set }, { 0, NULL },
};

/* ---- the initiator's side ------------------------------------------------ */

/*
 * A one-line list counts: a join must name the master to the daemon, which
 * the configuration commands go through on every multi-owner set.
 */
bool meta_mnset_cluster(void)
{
	struct meta_nodelist_ent *v;
	meta_error_t e;
	int n;

	if (meta_nodelist_read(NULL, &v, &n, &e) != 0)
		return false;
	free(v);
	return n >= 1;
}

/* Turn a result into 0, or -1 with the failing node's text. */
static int result_check(const struct mdc_result *res, meta_error_t *ep)
{
	char text[META_ERR_WHATLEN];
	size_t n = res->mr_outlen < sizeof(text) - 1 ? res->mr_outlen :
						       sizeof(text) - 1;

	if (res->mr_exitval == 0)
		return 0;
	memcpy(text, res->mr_out, n);
	text[n] = '\0';
	if (n > 0 && text[n - 1] == '\n')
		text[n - 1] = '\0';
	return meta_error_set(ep,
			      res->mr_exitval == META_MNS_EXIT_NUMBERUSED ?
				      ME_SET_NUMBERUSED :
				      ME_COMM_FAILED,
			      res->mr_failing_node ? res->mr_failing_node :
						     res->mr_node,
			      NULL, "%s", text[0] ? text : "set message");
}

struct mn_hold;
static int hold_retry(void *arg, uint32_t delay_ms, meta_error_t *ep);

/* Send and check one message; @h (may be NULL): the hold it runs under,
 * renewed before each retry (hold_retry()). */
static int send_one(uint32_t set, uint32_t type, uint32_t flags,
		    const void *buf, uint32_t len, struct mn_hold *h,
		    meta_error_t *ep)
{
	struct mdc_client_req rq = {
		.cr_set = set,
		.cr_type = type,
		.cr_flags = flags,
		.cr_data = buf,
		.cr_len = len,
		.cr_retry = h != NULL ? hold_retry : NULL,
		.cr_retry_arg = h,
	};
	struct mdc_result res;

	memset(&res, 0, sizeof(res));
	if (mdc_client_send(&rq, &res, ep) != 0)
		return -1;
	return result_check(&res, ep);
}

/*
 * A cluster-wide suspension held by this process (doc/mdcommd.md 7): its
 * SUSPEND message, which names the holder (this node and a nonce), sent
 * again to renew the lease before each step of the change.
 */
struct mn_hold {
	bool h_on; /* some node may hold the set for us: resume it */
	bool h_renewing; /* hold_send() is under way (its own retries) */
	bool h_resuming; /* resume_set() is under way */
	unsigned int h_pause; /* test hook: seconds to wait once held */
	unsigned int h_late; /* test hook: seconds a renewal's answer is
				late */
	uint64_t h_until; /* CLOCK_MONOTONIC ms: the lease surely ends
			     (0: not held yet) */
	struct meta_mns h_s;
};

static int hold_send(struct mn_hold *h, meta_error_t *ep);

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Before a retry of a message sent while @arg (a struct mn_hold) holds the
 * set (doc/mdcommd.md 7, "The lease"): a step's message is retried only
 * once the lease is renewed, so that it never runs after the nodes ended
 * the suspension by themselves; the renewal's own retries (and a resume's)
 * stop before the lease ends, with an error that says so.  Not held yet
 * (the first SUSPEND): the type's retries as usual.
 */
static int hold_retry(void *arg, uint32_t delay_ms, meta_error_t *ep)
{
	struct mn_hold *h = arg;
	uint64_t now = now_ms();

	if (h->h_until == 0)
		return 0;
	if (!h->h_renewing && !h->h_resuming)
		return hold_send(h, ep);
	if (now + delay_ms + 1000 >= h->h_until)
		return meta_error_set(
			ep, SET_ERROR(ME_COMM_TIMEOUT), 0, h->h_s.mm_name,
			"cannot %s the cluster-wide suspension before its "
			"lease of %u s ends (mdcommd still retries the "
			"message; the change stops here) for set",
			h->h_resuming ? "end" : "renew", h->h_s.mm_count);
	return 0;
}

static int mnset_send(const struct meta_mns *m, struct mn_hold *h,
		      meta_error_t *ep)
{
	uint8_t buf[META_MNS_SIZE];
	struct meta_mns dry = *m;
	struct meta_nodelist_ent self;

	dry.mm_flags |= META_MNS_F_DRYRUN;
	if (!meta_mnset_cluster()) {
		if (meta_node_self(&self, ep) != 0 ||
		    meta_mns_apply(&dry, self.ne_id, true, ep) != 0)
			return -1;
		return meta_mns_apply(m, self.ne_id, true, ep);
	}
	/* Each step starts with a whole lease left (renewed). */
	if ((h != NULL && hold_send(h, ep) != 0) ||
	    meta_mns_encode(&dry, buf, sizeof(buf), ep) != 0 ||
	    send_one(META_MN_ADMIN_SET, MDC_MSG_SET_ADMIN,
		     MDC_F_NO_LOG | MDC_F_STOP_ON_ERROR | MDC_F_NO_MCT, buf,
		     sizeof(buf), h, ep) != 0)
		return -1;
	if ((h != NULL && hold_send(h, ep) != 0) ||
	    meta_mns_encode(m, buf, sizeof(buf), ep) != 0)
		return -1;
	return send_one(META_MN_ADMIN_SET, MDC_MSG_SET_ADMIN, MDC_F_NO_LOG, buf,
			sizeof(buf), h, ep);
}

int meta_mnset_send(const struct meta_mns *m, meta_error_t *ep)
{
	return mnset_send(m, NULL, ep);
}

/*
 * Send @h's SUSPEND on the admin set, which every member runs: the first
 * time it suspends the set everywhere, waiting up to 10 s for the
 * messages under way to drain and for another holder's suspension to end
 * (asked again while a node answers that it has not drained, or that
 * another node holds the set); later it renews the lease.  A renewal
 * answered at or after the lease it renews ended fails
 * (ME_COMM_TIMEOUT): the nodes may have ended the suspension by
 * themselves meanwhile, and the renewal suspended them anew, so the
 * change would go on after a gap in the suspension.
 */
static int hold_send(struct mn_hold *h, meta_error_t *ep)
{
	uint8_t buf[META_MNS_SIZE];
	char held[META_ERR_WHATLEN] = "";
	uint64_t until = h->h_until; /* the lease being renewed (0: none) */
	int i;

	if (meta_mns_encode(&h->h_s, buf, sizeof(buf), ep) != 0)
		return -1;
	for (i = 0; i < 100; i++) {
		struct mdc_client_req rq = {
			.cr_set = META_MN_ADMIN_SET,
			.cr_type = MDC_MSG_SET_ADMIN,
			.cr_flags = MDC_F_NO_LOG | MDC_F_NO_MCT,
			.cr_data = buf,
			.cr_len = sizeof(buf),
			.cr_retry = hold_retry,
			.cr_retry_arg = h,
		};
		struct mdc_result res;
		uint64_t sent = now_ms();
		size_t n;
		int rc;

		memset(&res, 0, sizeof(res));
		/* Any attempt may have suspended some nodes. */
		h->h_on = true;
		h->h_renewing = true;
		rc = mdc_client_send(&rq, &res, ep);
		h->h_renewing = false;
		if (rc != 0)
			return -1;
		if (until != 0 && h->h_late > 0) {
			sleep(h->h_late); /* test hook: answered late */
			h->h_late = 0;
		}
		if (until != 0 && now_ms() >= until)
			return meta_error_set(
				ep, SET_ERROR(ME_COMM_TIMEOUT), 0,
				h->h_s.mm_name,
				"cannot renew the cluster-wide suspension: "
				"answered after its lease of %u s ended (the "
				"nodes may have resumed meanwhile; the change "
				"stops here) for set",
				h->h_s.mm_count);
		if (res.mr_exitval == META_MNS_EXIT_HELD) {
			n = res.mr_outlen < sizeof(held) - 1 ? res.mr_outlen :
							       sizeof(held) - 1;
			memcpy(held, res.mr_out, n);
			held[n] = '\0';
			if (n > 0 && held[n - 1] == '\n')
				held[n - 1] = '\0';
		} else if (res.mr_exitval != META_MNS_EXIT_NOTDRAINED) {
			if (result_check(&res, ep) != 0)
				return -1;
			/* Each node's lease started after this was sent. */
			h->h_until = sent + (uint64_t)h->h_s.mm_count * 1000;
			if (h->h_pause > 0)
				sleep(h->h_pause);
			h->h_pause = 0;
			return 0;
		}
		usleep(100 * 1000);
	}
	if (held[0] != '\0')
		return meta_error_set(ep, ME_SET_BUSY, 0, NULL,
				      "%s: not changed, try again", held);
	return meta_error_set(ep, SET_ERROR(EBUSY), 0, h->h_s.mm_name,
			      "cannot suspend mdcommd (messages still under "
			      "way after 10 s) for set");
}

/*
 * Suspend set @m->mm_setno on every node's mdcommd while its node list
 * changes (seed: metaset and metadb suspend mdcommd), as holder @h (this
 * node and a fresh nonce): hold_send().  Each node holds the suspension
 * for META_MNS_LEASE seconds after the last SUSPEND at most: if this
 * process dies before resume_set(), the daemons resume by themselves.
 * h->h_on says whether resume_set() must undo it; a suspend that cannot
 * be made or does not drain fails the change.  No cluster: nothing to do.
 */
static int suspend_set(const struct meta_mns *m, struct mn_hold *h,
		       meta_error_t *ep)
{
	struct meta_mns *s = &h->h_s;
	struct meta_nodelist_ent self;
	struct timespec ts;
	const char *v = NULL;

	memset(h, 0, sizeof(*h));
	if (!meta_mnset_cluster())
		return 0;
	if (meta_node_self(&self, ep) != 0)
		return -1;
	s->mm_op = META_MNS_SUSPEND;
	s->mm_setno = m->mm_setno;
	s->mm_setflags = m->mm_setflags;
	s->mm_ctime = m->mm_ctime;
	memcpy(s->mm_uuid, m->mm_uuid, sizeof(s->mm_uuid));
	memcpy(s->mm_name, m->mm_name, sizeof(s->mm_name));
	s->mm_count = META_MNS_LEASE;
	s->mm_node = self.ne_id;
	/* Unique enough among this node's processes and over time. */
	clock_gettime(CLOCK_REALTIME, &ts);
	s->mm_nonce = ((uint32_t)getpid() * 2654435761u) ^
		      (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec;
	if (s->mm_nonce == 0)
		s->mm_nonce = 1;
#ifdef OBAN_TEST_HOOKS
	/* Test-only: a shorter lease (t0116 kills the initiator). */
	v = getenv("OBAN_TEST_SUSPEND_LEASE");
	if (v != NULL && atoi(v) >= 1 && atoi(v) <= META_MNS_MAXLEASE)
		s->mm_count = (uint32_t)atoi(v);
	/* Test-only: hold the suspension this many seconds (t0116 sends a
	 * message from another node meanwhile). */
	v = getenv("OBAN_TEST_SUSPEND_HOLD");
	if (v != NULL && atoi(v) > 0 && atoi(v) <= 60)
		h->h_pause = (unsigned int)atoi(v);
	/* Test-only: the first renewal's answer comes this many seconds
	 * late (t0120). */
	v = getenv("OBAN_TEST_RENEW_LATE");
	if (v != NULL && atoi(v) > 0 && atoi(v) <= 60)
		h->h_late = (unsigned int)atoi(v);
#endif
	(void)v;
	return hold_send(h, ep);
}

/* Undo suspend_set() on every node: the holder's RESUME releases its own
 * hold only.  When it cannot go out, every node's lease ends the hold. */
static void resume_set(struct mn_hold *h)
{
	struct meta_mns s = h->h_s;
	uint8_t buf[META_MNS_SIZE];
	meta_error_t e;

	if (!h->h_on)
		return;
	h->h_on = false;
	s.mm_op = META_MNS_RESUME;
	s.mm_count = 0;
	meta_error_init(&e);
	/* Retried until the lease ends at most (hold_retry()). */
	h->h_resuming = true;
	if (meta_mns_encode(&s, buf, sizeof(buf), &e) != 0 ||
	    send_one(META_MN_ADMIN_SET, MDC_MSG_SET_ADMIN,
		     MDC_F_NO_LOG | MDC_F_NO_MCT, buf, sizeof(buf), h, &e) != 0)
		fprintf(stderr,
			"metaset: %s (the nodes resume set %s when their "
			"lease of %u s ends)\n",
			meta_strerror(&e), s.mm_name, h->h_s.mm_count);
}

/* A message about set @name from this node's record of it. */
static int mns_from_set(const char *name, uint32_t op, struct meta_mns *m,
			uint32_t *hosts, uint32_t *nhosts, meta_error_t *ep)
{
	struct ml_set rec;
	struct ml_node *nodes = NULL;
	int n = 0, i;

	memset(m, 0, sizeof(*m));
	if (meta_local_set_get(name, &rec, ep) != 0)
		return -1;
	if (!(rec.ms_flags & ML_SF_MN))
		return meta_error_set(ep, ME_USAGE, 0, name,
				      "not a multi-owner set:");
	m->mm_op = op;
	m->mm_setno = rec.ms_setno;
	m->mm_setflags = 1;
	m->mm_ctime = rec.ms_ctime;
	memcpy(m->mm_uuid, rec.ms_uuid, 16);
	snprintf(m->mm_name, sizeof(m->mm_name), "%s", rec.ms_name);
	if (hosts == NULL)
		return 0;
	if (meta_local_nodes(name, &nodes, &n, ep) != 0)
		return -1;
	*nhosts = 0;
	for (i = 0; i < n && i < META_MNS_MAXHOSTS; i++)
		hosts[(*nhosts)++] = nodes[i].mn_nodeid;
	free(nodes);
	return 0;
}

/* Node ids of @names[@n] from the node list. */
static int ids_of(const char *const *names, int n, uint32_t *ids,
		  meta_error_t *ep)
{
	struct meta_nodelist_ent *v, self;
	meta_error_t e;
	int nv, i, k;

	if (n < 1 || n > META_MNS_MAXHOSTS)
		return meta_error_set(ep, ME_USAGE, 0, NULL,
				      "between 1 and %d hosts",
				      META_MNS_MAXHOSTS);
	if (meta_nodelist_read(NULL, &v, &nv, &e) != 0) {
		if (e.me_code != ENOENT) {
			*ep = e;
			return -1;
		}
		/* A single node: only this node exists. */
		if (meta_node_self(&self, ep) != 0)
			return -1;
		v = malloc(sizeof(*v));
		if (v == NULL)
			return meta_error_set(ep, ENOMEM, 0, NULL, "hosts");
		v[0] = self;
		nv = 1;
	}
	for (i = 0; i < n; i++) {
		k = meta_node_lookup(v, nv, names[i]);
		if (k < 0) {
			free(v);
			return meta_error_set(ep, ME_SET_UNKNOWNHOST, 0,
					      names[i], "cannot add host");
		}
		ids[i] = v[k].ne_id;
		for (k = 0; k < i; k++)
			if (ids[k] == ids[i]) {
				free(v);
				return meta_error_set(ep, EEXIST, 0, names[i],
						      "host given twice:");
			}
	}
	free(v);
	return 0;
}

int meta_mnset_create(const char *name, const char *const *hosts, int n,
		      meta_error_t *ep)
{
	struct ml_set *sets = NULL;
	bool used[META_MN_SETMAX + 1] = { false };
	struct meta_mns m;
	int nsets = 0, i;

	memset(&m, 0, sizeof(m));
	if (strlen(name) >= sizeof(m.mm_name))
		return meta_error_set(ep, ME_BADNAME, 0, name,
				      "cannot create set");
	if (ids_of(hosts, n, m.mm_hosts, ep) != 0)
		return -1;
	m.mm_nhosts = (uint32_t)n;
	if (meta_local_sets(&sets, &nsets, ep) != 0)
		return -1;
	for (i = 0; i < nsets; i++)
		if (sets[i].ms_setno <= META_MN_SETMAX)
			used[sets[i].ms_setno] = true;
	free(sets);
	m.mm_op = META_MNS_CREATE;
	m.mm_setflags = 1;
	m.mm_ctime = (uint64_t)time(NULL);
	mdl_uuid_generate(m.mm_uuid);
	snprintf(m.mm_name, sizeof(m.mm_name), "%s", name);
	/* The lowest number free here; a host that has it in use refuses
	 * the dry run, and the next one is tried. */
	for (i = 1; i <= META_MN_SETMAX; i++) {
		if (used[i])
			continue;
		m.mm_setno = (uint32_t)i;
		if (meta_mnset_send(&m, ep) == 0)
			return 0;
		if (ep->me_code != ME_SET_NUMBERUSED)
			return -1;
	}
	return meta_error_set(ep, ME_SET_FULL, 0, name, "cannot create set");
}

int meta_mnset_hosts(const char *name, bool add, const char *const *hosts,
		     int n, meta_error_t *ep)
{
	uint32_t ids[META_MNS_MAXHOSTS], cur[META_MNS_MAXHOSTS], ncur = 0;
	struct meta_mns m;
	struct mn_hold hold;
	int i, rc;
	uint32_t j, k;

	if (mns_from_set(name, META_MNS_HOSTS, &m, cur, &ncur, ep) != 0 ||
	    ids_of(hosts, n, ids, ep) != 0 || meta_mnset_alive(name, ep) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		bool have = false;

		for (j = 0; j < ncur; j++)
			have |= cur[j] == ids[i];
		if (add && have)
			return meta_error_set(ep, ME_SET_HOSTEXISTS, 0,
					      hosts[i], "cannot add host");
		if (!add && !have)
			return meta_error_set(ep, ME_SET_NOHOST, 0, hosts[i],
					      "cannot delete host");
	}
	if (add) {
		if (ncur + (uint32_t)n > META_MNS_MAXHOSTS)
			return meta_error_set(ep, ME_USAGE, 0, name,
					      "too many hosts for set");
		for (i = 0; i < n; i++)
			cur[ncur++] = ids[i];
	} else {
		for (i = 0; i < n; i++)
			for (j = 0; j < ncur; j++)
				if (cur[j] == ids[i]) {
					for (k = j; k + 1 < ncur; k++)
						cur[k] = cur[k + 1];
					ncur--;
					break;
				}
	}
	if (ncur == 0)
		m.mm_op = META_MNS_DESTROY;
	else
		memcpy(m.mm_hosts, cur, ncur * sizeof(cur[0]));
	m.mm_nhosts = m.mm_op == META_MNS_DESTROY ? 0 : ncur;
	if (m.mm_op == META_MNS_DESTROY) {
		struct ml_drive *d = NULL;
		int nd = 0;

		if (meta_local_drives(name, &d, &nd, ep) != 0)
			return -1;
		free(d);
		if (nd > 0)
			return meta_error_set(ep, ME_SET_HASDRIVES, 0, name,
					      "cannot delete set");
	}
	if (suspend_set(&m, &hold, ep) != 0)
		rc = -1;
	else
		rc = mnset_send(&m, &hold, ep);
	resume_set(&hold);
	return rc;
}

/* This node's view of the set for meta_join_check(). */
/*
 * Ask set @m's master @master for its replicas (STATE) into @st.  This
 * node's mdcommd is told the master first (the query goes through it), and
 * told again "none" when anything fails; the caller does the same when the
 * join does not happen.  Sent while the set is suspended (OVERRIDE_SUSPEND),
 * so the master's state cannot change before the join.
 */
static int ask_master(const struct meta_mns *mn, uint32_t master,
		      struct mn_hold *h, struct meta_join_state *st,
		      meta_error_t *ep)
{
	struct meta_mns m = *mn;
	uint8_t buf[META_MNS_SIZE];
	struct mdc_client_req rq = {
		.cr_set = mn->mm_setno,
		.cr_type = MDC_MSG_SET_ADMIN,
		.cr_flags = MDC_F_NO_LOG | MDC_F_NO_BCAST | MDC_F_NO_MCT |
			    MDC_F_OVERRIDE_SUSPEND,
		.cr_data = buf,
		.cr_len = sizeof(buf),
		.cr_retry = hold_retry, /* under the hold: renewed */
		.cr_retry_arg = h,
	};
	struct mdc_result res;
	unsigned int nrep, nact;
	int stale, answer;
	meta_error_t e;

	m.mm_op = META_MNS_STATE;
	m.mm_node = 0;
	m.mm_verdict = 0;
	memset(&res, 0, sizeof(res));
	if (meta_mns_encode(&m, buf, sizeof(buf), ep) != 0 ||
	    mdc_client_ctl(MDC_CLIENT_SETMASTER, m.mm_setno, 0, master, &answer,
			   ep) != 0)
		return -1;
	if (mdc_client_send(&rq, &res, ep) != 0) {
		/* the code says why (no answer, not joined, ...) */
		snprintf(ep->me_what, sizeof(ep->me_what),
			 "cannot ask node %u, the master, for its replicas "
			 "of set",
			 master);
		snprintf(ep->me_object, sizeof(ep->me_object), "%s", m.mm_name);
		goto undo;
	}
	if (result_check(&res, ep) != 0)
		goto undo; /* the master's own error, naming it */
	res.mr_out[sizeof(res.mr_out) - 1] = '\0';
	if (sscanf((const char *)res.mr_out, "replicas %u active %u stale %d",
		   &nrep, &nact, &stale) != 3) {
		meta_error_set(ep, ME_SET_BADMSG, master, m.mm_name,
			       "cannot read the master's replicas of set");
		goto undo;
	}
	st->js_master_replicas = nrep;
	st->js_master_active = nact;
	st->js_master_stale = stale != 0;
	return 0;
undo:
	(void)mdc_client_ctl(MDC_CLIENT_SETMASTER, m.mm_setno, 0, 0, &answer,
			     &e);
	return -1;
}

static int join_view(const char *name, struct meta_join_state *st,
		     uint32_t *master_id, meta_error_t *ep)
{
	struct meta_nodelist_ent self;
	struct ml_node *nodes = NULL;
	struct ml_set rec;
	struct meta_set *s;
	int n = 0, i;

	memset(st, 0, sizeof(*st));
	*master_id = 0;
	if (meta_node_self(&self, ep) != 0 ||
	    meta_local_set_get(name, &rec, ep) != 0 ||
	    meta_local_nodes(name, &nodes, &n, ep) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (nodes[i].mn_flags & META_NODE_OWN) {
			st->js_owners++;
			if (nodes[i].mn_nodeid == self.ne_id)
				st->js_self_joined = true;
		}
		if (rec.ms_master[0] != '\0' &&
		    strcmp(nodes[i].mn_name, rec.ms_master) == 0)
			*master_id = nodes[i].mn_nodeid;
	}
	free(nodes);
	st->js_self_master = strcmp(rec.ms_master, self.ne_name) == 0;
	/* The replicas as this node reads them: a joiner inherits the
	 * master's state, and reads the same drives the master does. */
	if (meta_set_open(name, META_SET_RDONLY | META_SET_ALLOW_HALF, &s,
			  ep) != 0) {
		meta_error_t e;

		if (meta_set_open(name, META_SET_RDONLY | META_SET_NODB, &s,
				  &e) != 0)
			return -1;
	}
	st->js_has_drives = meta_set_db(s) != NULL;
	if (meta_set_db(s) != NULL) {
		struct mddb *db = meta_set_db(s);
		struct mddb_replica_info ri;

		for (i = 0; i < mddb_replica_count(db); i++) {
			st->js_self_replicas++;
			if (mddb_replica_info(db, i, &ri, NULL) == 0 &&
			    (ri.ri_flags & MDDB_F_ACTIVE))
				st->js_self_active++;
		}
		st->js_master_replicas = st->js_self_replicas;
		st->js_master_active = st->js_self_active;
		st->js_master_stale = mddb_state(db) == MDDB_S_STALE;
	} else {
		/* Drives known but none readable here. */
		struct ml_drive *d = NULL;
		int nd = 0;

		(void)meta_local_drives(name, &d, &nd, ep);
		free(d);
		st->js_has_drives = nd > 0;
	}
	meta_set_close(s);
	return 0;
}

int meta_mnset_verdict(const char *name, bool join, meta_error_t *ep)
{
	struct meta_join_state st;
	uint32_t master;
	int v;

	if (join_view(name, &st, &master, ep) != 0)
		return -1;
	v = meta_join_check(&st, join, ep);
	if (v < 0)
		snprintf(ep->me_object, sizeof(ep->me_object), "%s", name);
	return v;
}

static int join_or_withdraw(const char *name, bool join, int *vp,
			    meta_error_t *ep)
{
	struct meta_nodelist_ent self;
	struct meta_join_state st;
	struct meta_mns m;
	uint32_t master;
	meta_error_t e;
	struct mn_hold hold;
	int v, rc, answer;
	bool asked = false;

	*vp = META_JV_NOOP;
	if (meta_node_self(&self, ep) != 0 ||
	    mns_from_set(name, join ? META_MNS_JOIN : META_MNS_WITHDRAW, &m,
			 NULL, NULL, ep) != 0 ||
	    join_view(name, &st, &master, ep) != 0)
		return -1;
	/* Nothing to do by this node's own records (its join state changes
	 * only by its own joins and withdraws): no suspension. */
	if (join == st.js_self_joined)
		return 0;
	/* Suspended first: the master's state cannot change meanwhile. */
	if (suspend_set(&m, &hold, ep) != 0) {
		resume_set(&hold);
		return -1;
	}
	rc = join_view(name, &st, &master, ep);
	/* A later joiner takes the master's reading of the replicas. */
	if (rc == 0 && join && meta_mnset_cluster() && !st.js_self_joined &&
	    st.js_owners > 0 && st.js_has_drives && master != 0 &&
	    master != self.ne_id) {
		rc = hold_send(&hold, ep); /* the lease renewed */
		if (rc == 0)
			rc = ask_master(&m, master, &hold, &st, ep);
		asked = rc == 0;
	}
	v = rc == 0 ? meta_join_check(&st, join, ep) : -1;
	if (rc == 0 && v < 0)
		snprintf(ep->me_object, sizeof(ep->me_object), "%s", name);
	if (v > META_JV_NOOP) {
		m.mm_node = self.ne_id;
		m.mm_verdict = (uint32_t)v;
		rc = mnset_send(&m, &hold, ep);
	} else {
		rc = v < 0 ? -1 : 0;
	}
	resume_set(&hold);
	if ((rc != 0 || v == META_JV_NOOP) && asked)
		(void)mdc_client_ctl(MDC_CLIENT_SETMASTER, m.mm_setno, 0, 0,
				     &answer, &e);
	if (rc != 0 || v == META_JV_NOOP)
		return rc;
	*vp = v;
	if (!meta_mnset_cluster())
		return 0;
	/* Tell this node's mdcommd where the set's messages go now. */
	if (join && (v == META_JV_MASTER || v == META_JV_MASTER_STALE))
		master = self.ne_id;
	if (mdc_client_ctl(MDC_CLIENT_SETMASTER, m.mm_setno, 0,
			   join ? master : 0, &answer, &e) != 0) {
		*ep = e;
		return -1;
	}
	return 0;
}

int meta_mnset_join(const char *name, meta_error_t *ep)
{
	int v;

	return join_or_withdraw(name, true, &v, ep);
}

int meta_mnset_join_verdict(const char *name, int *verdict, meta_error_t *ep)
{
	return join_or_withdraw(name, true, verdict, ep);
}

int meta_mnset_withdraw(const char *name, meta_error_t *ep)
{
	int v;

	return join_or_withdraw(name, false, &v, ep);
}

int meta_mnset_drives_changed(const char *name, bool first, meta_error_t *ep)
{
	struct meta_nodelist_ent self;
	struct meta_mns m;
	meta_error_t e;
	int answer;

	if (meta_node_self(&self, ep) != 0 ||
	    mns_from_set(name, META_MNS_RELOAD, &m, NULL, NULL, ep) != 0 ||
	    meta_mnset_send(&m, ep) != 0)
		return -1;
	if (!first)
		return 0;
	m.mm_op = META_MNS_JOIN;
	m.mm_node = self.ne_id;
	m.mm_verdict = META_JV_MASTER;
	if (meta_mnset_send(&m, ep) != 0)
		return -1;
	if (meta_mnset_cluster() &&
	    mdc_client_ctl(MDC_CLIENT_SETMASTER, m.mm_setno, 0, self.ne_id,
			   &answer, &e) != 0) {
		*ep = e;
		return -1;
	}
	return 0;
}

int meta_mnset_replicas(const char *name, const char *drive, int count,
			meta_error_t *ep)
{
	struct meta_drive_info di;
	uint8_t buf[META_MNS_SIZE];
	struct meta_set *s;
	struct meta_mns m;

	if (mns_from_set(name, count > 0 ? META_MNS_ATTACH : META_MNS_DETACH,
			 &m, NULL, NULL, ep) != 0)
		return -1;
	if (meta_set_open(name, META_SET_RDONLY | META_SET_NODB, &s, ep) != 0)
		return -1;
	if (meta_set_drive_find(s, drive, &di, ep) != 0) {
		meta_set_close(s);
		return -1;
	}
	meta_set_close(s);
	memcpy(m.mm_drive, di.di_uuid, 16);
	m.mm_count = count > 0 ? (uint32_t)count : 0;
	if (!meta_mnset_cluster()) {
		struct meta_nodelist_ent self;

		if (meta_node_self(&self, ep) != 0)
			return -1;
		return meta_mns_apply(&m, self.ne_id, true, ep);
	}
	if (meta_mns_encode(&m, buf, sizeof(buf), ep) != 0)
		return -1;
	return send_one(m.mm_setno,
			count > 0 ? MDC_MSG_META_DB_ATTACH :
				    MDC_MSG_META_DB_DETACH,
			MDC_F_DEFAULT, buf, sizeof(buf), NULL, ep);
}

int meta_mnset_alive(const char *name, meta_error_t *ep)
{
	struct meta_nodelist_ent *v = NULL;
	struct ml_node *nodes = NULL;
	meta_error_t e;
	int nv = 0, n = 0, i, j, rc = 0;

	if (meta_local_nodes(name, &nodes, &n, ep) != 0)
		return -1;
	if (meta_nodelist_read(NULL, &v, &nv, &e) != 0) {
		free(nodes);
		if (e.me_code == ENOENT)
			return 0; /* a single node */
		*ep = e;
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		bool here = false;

		for (j = 0; j < nv; j++)
			here |= v[j].ne_id == nodes[i].mn_nodeid;
		if (!here)
			rc = meta_error_set(ep, ME_SET_HOSTDOWN, 0,
					    nodes[i].mn_name,
					    "cannot change set '%s': host",
					    name);
	}
	free(v);
	free(nodes);
	return rc;
}

int meta_mnset_master_record(const char *name, uint32_t master,
			     meta_error_t *ep)
{
	struct meta_nodelist_ent self;
	struct ml_node *nodes = NULL;
	struct ml_set rec;
	int n = 0, i, k = -1;

	if (meta_node_self(&self, ep) != 0 ||
	    meta_local_set_get(name, &rec, ep) != 0 ||
	    meta_local_nodes(name, &nodes, &n, ep) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (nodes[i].mn_nodeid == master)
			k = i;
	if (master != 0 && k < 0) {
		char what[32];

		free(nodes);
		snprintf(what, sizeof(what), "node %u", master);
		return meta_error_set(ep, ME_SET_NOHOST, 0, what,
				      "cannot make master of set '%s'", name);
	}
	snprintf(rec.ms_master, sizeof(rec.ms_master), "%s",
		 k >= 0 ? nodes[k].mn_name : "");
	free(nodes);
	if (meta_local_set_put(&rec, ep) != 0)
		return -1;
	return master == self.ne_id ? meta_set_commit_nodes(name, ep) : 0;
}
