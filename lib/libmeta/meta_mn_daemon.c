// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The node side of multi-owner sets in mdcommd: the store under the core
 * (include/oban/meta_mn_daemon.h).
 *
 * Change log.  The master writes a logged message into change-log slot C
 * (its class) of the set's mddb before anything runs, and clears it before
 * the answer leaves (mdc_core.c steps 4 and 9).  The slot holds the message
 * encoded as a REQUEST packet (mdc_wire_encode()), so it carries the wire
 * format's checksum and version rules (doc/format-messages.md, 3).  A slot
 * that holds the same message id is a retry (0); another message means a
 * replay is owed (1, the message returned).  mdc_core_replay() on a new
 * master reads every slot back (so_log_read_all).  The master keeps one
 * writable handle per set for the change log (ms_log: devices and mddb
 * open) across messages and holds the set's lock only during each
 * operation, so that this node's commands (which take the set's lock) are
 * never shut out for long; log_hold() reopens it when meta_set_changed()
 * says the set may have changed, and it is dropped on a reload, a master
 * change, a replay, an error or a lost replica (doc/mdcommd.md, 11a).
 *
 * Models.  For every set this node serves, the daemon keeps the set's
 * configuration model in core (struct meta_cfg), loaded from the replicas
 * when the node starts serving the set (a master is known: scan at start,
 * tick after a SETMASTER) and again after MDDB_PARSE.  A configuration
 * command (BC_CMD, meta_mn_cmd.c) is applied to this model on every node:
 * the master also commits it to the replicas, the other nodes do not
 * write.  Since every node starts from the same model and applies the same
 * deterministic operation, every node gets the same result, and no node
 * fails because the master's change is already on disk: nothing but the
 * model is consulted (doc/mdcommd.md, "Identical results").  A command
 * runs on a cached set handle (mn_cmd_hold(): the change log's on the
 * master, ms_ro elsewhere), never on a fresh open, and a dry run on the
 * model itself, undone after (meta_cfg_undo()), never on a copy.
 *
 * Handlers: so_run finds the type's handler (meta_mn_handler_find()) and
 * calls it with a struct meta_mn_hctx.
 *
 * Locks: md_lock protects the daemon's sets.  The core calls the store ops
 * with its own lock held, and they take md_lock; tick and scan call the
 * core first and take md_lock after, so the order is always core, daemon.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mddb.h>
#include <oban/mdc_wire.h>
#include <oban/meta_set.h>

#include "meta_mn_impl.h"

/* ---- sets by number ------------------------------------------------------ */

struct find_arg {
	uint32_t fa_setno;
	char fa_name[META_SET_NAMELEN];
	bool fa_mn;
	bool fa_found;
};

static int find_one(void *arg, const char *name)
{
	struct find_arg *fa = arg;
	struct meta_set *s;
	meta_error_t e;

	meta_error_init(&e);
	if (meta_set_open(name, META_SET_RDONLY | META_SET_NODB, &s, &e) != 0)
		return 0; /* a set that cannot be opened is not this one */
	if (meta_set_number(s) == fa->fa_setno) {
		snprintf(fa->fa_name, sizeof(fa->fa_name), "%s", name);
		fa->fa_mn = meta_set_is_mn(s);
		fa->fa_found = true;
	}
	meta_set_close(s);
	return fa->fa_found ? 1 : 0;
}

struct mn_set *mn_set_get(struct meta_mn_daemon *d, uint32_t set,
			  meta_error_t *ep)
{
	struct mn_set *ss;
	struct find_arg fa;

	if (set == 0 || set >= MDC_MAXSETS) {
		meta_error_set(ep, SET_ERROR(ME_COMM_BADSET), 0, NULL,
			       "no set number %u", set);
		return NULL;
	}
	ss = &d->md_sets[set];
	if (ss->ms_known)
		return ss;
	memset(&fa, 0, sizeof(fa));
	fa.fa_setno = set;
	if (meta_set_list(find_one, &fa, ep) < 0 && !fa.fa_found)
		return NULL;
	if (!fa.fa_found) {
		meta_error_set(ep, SET_ERROR(ME_SET_NOTFOUND), 0, NULL,
			       "no set number %u on this node", set);
		return NULL;
	}
	memcpy(ss->ms_name, fa.fa_name, sizeof(ss->ms_name));
	ss->ms_mn = fa.fa_mn;
	ss->ms_known = true;
	return ss;
}

/* ---- models -------------------------------------------------------------- */

/*
 * The drive lookup of the daemon's models.  On a node other than the
 * master the handle is opened without mddb (META_SET_NODB: ms_ro), so
 * md_nrepl (di_nreplicas) is 0 there and something else on the master:
 * no command may decide anything from a drive's replica count inside the
 * daemon, or the nodes' results would differ (today only metastat's
 * printing reads it, drive_has_db() in meta_print.c, and metastat does not
 * run through mdcommd).
 */
int mn_lookup(void *arg, const char *name, struct meta_drive *dr,
	      meta_error_t *ep)
{
	struct mn_set *ss = arg;
	struct meta_drive_info di;

	if (ss->ms_cur == NULL)
		return meta_error_set(ep, SET_ERROR(ME_INTERNAL), 0, name,
				      "cannot look up drive: set not open");
	memset(&di, 0, sizeof(di));
	if (meta_set_drive_find(ss->ms_cur, name, &di, ep) != 0)
		return -1;
	memset(dr, 0, sizeof(*dr));
	snprintf(dr->md_name, sizeof(dr->md_name), "%s", di.di_name);
	memcpy(dr->md_uuid, di.di_uuid, sizeof(dr->md_uuid));
	dr->md_len = di.di_data_length / 512;
	dr->md_nrepl = di.di_nreplicas;
	return 0;
}

/* A fresh model of @ss from @s's mddb (none: an empty model). */
static int model_from(struct mn_set *ss, uint32_t set, struct meta_set *s,
		      meta_error_t *ep)
{
	struct meta_cfg *cfg = NULL;
	struct meta_store st;

	if (meta_cfg_create(ss->ms_name, set, ss->ms_mn, mn_lookup, ss, &cfg,
			    ep) != 0)
		return -1;
	if (meta_set_db(s) != NULL) {
		meta_store_mddb(&st, meta_set_db(s));
		if (meta_cfg_load(cfg, &st, ep) != 0) {
			meta_cfg_destroy(cfg);
			return -1;
		}
	}
	meta_cfg_destroy(ss->ms_cfg);
	ss->ms_cfg = cfg;
	ss->ms_cfg_loads++;
	return 0;
}

int mn_model_load(struct meta_mn_daemon *d, uint32_t set, struct mn_set *ss,
		  meta_error_t *ep)
{
	struct meta_set *s = NULL;
	int rc;

	(void)d;
	mn_log_drop(ss); /* a reload: the cached handles too */
	mn_ro_drop(ss);
	if (meta_set_open(ss->ms_name, META_SET_RDONLY, &s, ep) != 0)
		return -1;
	ss->ms_cur = s;
	rc = model_from(ss, set, s, ep);
	ss->ms_cur = NULL;
	meta_set_close(s);
	return rc;
}

void mn_ro_drop(struct mn_set *ss)
{
	meta_set_close(ss->ms_ro);
	ss->ms_ro = NULL;
}

/* The change log's handle (below): the master's commands use it too. */
static struct meta_set *log_hold(struct meta_mn_daemon *d, uint32_t set,
				 bool *cached, meta_error_t *ep);
static uint64_t log_active(struct mddb *db);
static void log_rele(struct meta_mn_daemon *d, uint32_t set, int rc,
		     uint64_t active);

/*
 * What a command costs here does not grow with the set's volumes: no set
 * open and no mddb load per command (the handles are cached and checked
 * with meta_set_changed(), which stats one file and reads eight bytes).
 * The model is loaded when there is none (at start, after MDDB_PARSE on
 * the other nodes, after a metaset handler dropped it), never because the
 * replicas moved on: it is the truth every node runs against, also when a
 * master died after its commit and the new one replays the command
 * (doc/mdcommd.md, "Identical results").
 */
struct meta_set *mn_cmd_hold(struct meta_mn_daemon *d, uint32_t set,
			     struct mn_set *ss, bool master, uint64_t *active,
			     meta_error_t *ep)
{
	struct meta_set *s;
	bool cached;

	*active = 0;
	if (master) {
		s = log_hold(d, set, &cached, ep);
		if (s == NULL)
			return NULL;
		*active = log_active(meta_set_db(s));
		if (ss->ms_cfg == NULL) {
			int rc;

			ss->ms_cur = s;
			rc = model_from(ss, set, s, ep);
			ss->ms_cur = NULL;
			if (rc != 0) {
				log_rele(d, set, -1, *active);
				return NULL;
			}
		}
		return s;
	}
	if (ss->ms_cfg == NULL && mn_model_load(d, set, ss, ep) != 0)
		return NULL;
	if (ss->ms_ro != NULL) {
		if (meta_set_relock(ss->ms_ro, ep) != 0)
			return NULL;
		if (!meta_set_changed(ss->ms_ro))
			return ss->ms_ro;
		mn_ro_drop(ss);
	}
	if (meta_set_open(ss->ms_name, META_SET_RDONLY | META_SET_NODB, &s,
			  ep) != 0)
		return NULL;
	ss->ms_ro = s;
	ss->ms_ro_opens++;
	return s;
}

void mn_cmd_rele(struct meta_mn_daemon *d, uint32_t set, struct mn_set *ss,
		 bool master, int rc, uint64_t active)
{
	if (master) {
		log_rele(d, set, rc, active);
		return;
	}
	if (ss->ms_ro == NULL)
		return;
	if (rc < 0)
		mn_ro_drop(ss);
	else
		meta_set_unlock(ss->ms_ro);
}

/* ---- the store ops ------------------------------------------------------- */

void mn_log_drop(struct mn_set *ss)
{
	meta_error_t e;

	/* A clear left unflushed (the close would flush it too, silently). */
	meta_error_init(&e);
	if (ss->ms_log != NULL && ss->ms_log_unflushed != 0 &&
	    mddb_log_flush(meta_set_db(ss->ms_log), &e) != 0)
		fprintf(stderr,
			"mdcommd: set %s: a change-log clear may not be "
			"durable: %s\n",
			ss->ms_name, meta_strerror(&e));
	ss->ms_log_unflushed = 0;
	meta_set_close(ss->ms_log);
	ss->ms_log = NULL;
	ss->ms_log_clean = 0;
}

/*
 * @set's change-log handle, writable (only the master calls these), with the
 * set's node-local lock held: the cached one if the local replica has not
 * changed since it was opened, else a fresh meta_set_open() that is then
 * cached.  *@cached says which.  Release with log_rele().
 */
static struct meta_set *log_hold(struct meta_mn_daemon *d, uint32_t set,
				 bool *cached, meta_error_t *ep)
{
	struct mn_set *ss = mn_set_get(d, set, ep);
	struct meta_set *s;

	*cached = false;
	if (ss == NULL)
		return NULL;
	if (ss->ms_log != NULL) {
		if (meta_set_relock(ss->ms_log, ep) != 0)
			return NULL;
		if (!meta_set_changed(ss->ms_log) &&
		    meta_set_db(ss->ms_log) != NULL &&
		    mddb_state(meta_set_db(ss->ms_log)) == MDDB_S_OK) {
			*cached = true;
			return ss->ms_log;
		}
		mn_log_drop(ss);
	}
	if (meta_set_open(ss->ms_name, 0, &s, ep) != 0)
		return NULL;
	if (meta_set_db(s) == NULL) {
		meta_set_close(s);
		meta_error_set(ep, SET_ERROR(ME_MDDB_NOREPLICA), 0, ss->ms_name,
			       "cannot use the change log of set");
		return NULL;
	}
	ss->ms_log = s;
	ss->ms_log_opens++;
	return s;
}

/* The replicas of @db that are active, as a bit mask (the first 64). */
static uint64_t log_active(struct mddb *db)
{
	struct mddb_replica_info ri;
	uint64_t m = 0;
	meta_error_t e;

	meta_error_init(&e);
	for (int i = 0; i < mddb_replica_count(db) && i < 64; i++)
		if (mddb_replica_info(db, i, &ri, &e) == 0 &&
		    (ri.ri_flags & MDDB_F_ACTIVE))
			m |= 1ull << i;
	return m;
}

/*
 * Done with the handle of log_hold(): keep it (lock dropped) if the
 * operation succeeded and lost no replica (@active: log_active() before),
 * else close it, so that the next use opens the set afresh.
 */
static void log_rele(struct meta_mn_daemon *d, uint32_t set, int rc,
		     uint64_t active)
{
	struct mn_set *ss = &d->md_sets[set];

	if (ss->ms_log == NULL)
		return;
	if (rc < 0 || log_active(meta_set_db(ss->ms_log)) != active ||
	    mddb_state(meta_set_db(ss->ms_log)) != MDDB_S_OK)
		mn_log_drop(ss);
	else
		meta_set_unlock(ss->ms_log);
}

/* Slot @slot of @db into @msg: 1 if it holds a message, 0 if empty, -1. */
static int log_get(struct mddb *db, uint32_t set, unsigned slot,
		   struct mdc_msg *msg, meta_error_t *ep)
{
	static uint8_t buf[MDDB_LOG_MAXLEN];
	struct mdc_packet pk;
	meta_error_t e;
	size_t len;

	meta_error_init(&e);
	if (mddb_log_read(db, slot, buf, sizeof(buf), &len, &e) != 0) {
		if (e.me_code == ENOENT)
			return 0;
		*ep = e;
		return -1;
	}
	if (mdc_wire_decode(buf, len, set, &pk, NULL, ep) != 0 ||
	    pk.pk_kind != MDC_WK_REQUEST)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADMSG), 0, NULL,
				      "cannot read change-log slot %u of set "
				      "%u",
				      slot, set);
	*msg = pk.pk_msg;
	return 1;
}

/*
 * Log @msg in slot @cls of @db (st_log_write()'s answer).  @empty: the
 * slot is known to be empty (ms_log_clean), so it is not read first.
 */
static int log_write_db(struct meta_mn_daemon *d, struct mddb *db,
			const struct mdc_msg *msg, unsigned int cls, bool empty,
			struct mdc_msg *other, meta_error_t *ep)
{
	static uint8_t buf[MDC_WIRE_MAXLEN];
	struct mdc_packet pk;
	size_t len;
	int rc;

	rc = empty ? 0 : log_get(db, msg->mm_set, cls, other, ep);
	if (rc == 1)
		return mdc_msgid_eq(&other->mm_id, &msg->mm_id) ? 0 : 1;
	/* empty, or unreadable: the new message replaces it */
	memset(&pk, 0, sizeof(pk));
	pk.pk_kind = MDC_WK_REQUEST;
	pk.pk_from = d->md_self;
	pk.pk_to = d->md_self;
	pk.pk_msg = *msg;
	meta_error_init(ep);
	if (mdc_wire_encode(&pk, buf, sizeof(buf), &len, ep) != 0)
		return -1;
	return empty ? mddb_log_write_known(db, cls, buf, len, ep) :
		       mddb_log_write(db, cls, buf, len, ep);
}

/*
 * The change-log ops use the set's cached handle (log_hold()).  An
 * operation that fails on the cached handle is tried once more on a fresh
 * open, so that a stale handle never fails a message the original's
 * open-per-operation would have logged.  Every slot write is one write and
 * one flush per active replica (mddb_slots.c), done before this returns:
 * the log is on disk before the core runs the message anywhere.
 */
static int st_log_write(void *arg, const struct mdc_msg *msg,
			struct mdc_msg *other, meta_error_t *ep)
{
	struct meta_mn_daemon *d = arg;
	unsigned int cls = mdc_class_of(msg->mm_type);
	struct meta_set *s;
	uint32_t delay;
	bool cached;
	int rc = -1;

	pthread_mutex_lock(&d->md_lock);
	for (int tries = 0; tries < 2; tries++) {
		uint64_t act;

		s = log_hold(d, msg->mm_set, &cached, ep);
		if (s == NULL) {
			rc = -1;
			break;
		}
		struct mn_set *ss = &d->md_sets[msg->mm_set];
		bool empty = cached && (ss->ms_log_clean & (1u << cls));

		act = log_active(meta_set_db(s));
		ss->ms_log_clean &= ~(1u << cls);
		rc = log_write_db(d, meta_set_db(s), msg, cls, empty, other,
				  ep);
		log_rele(d, msg->mm_set, rc, act);
		if (rc >= 0 || !cached)
			break;
		meta_error_init(ep);
	}
	delay = d->md_cfg.dc_test.mt_log_delay_ms;
	pthread_mutex_unlock(&d->md_lock);
	if (rc == 0 && delay > 0 && !(msg->mm_flags & MDC_F_REPLAY))
		usleep(delay * 1000); /* test hook: a window to kill in */
	return rc;
}

static int st_log_clear(void *arg, uint32_t set, unsigned int cls,
			meta_error_t *ep)
{
	struct meta_mn_daemon *d = arg;
	struct meta_set *s;
	bool cached;
	int rc = -1;

	pthread_mutex_lock(&d->md_lock);
	for (int tries = 0; tries < 2; tries++) {
		uint64_t act;

		s = log_hold(d, set, &cached, ep);
		if (s == NULL) {
			rc = -1;
			break;
		}
		act = log_active(meta_set_db(s));
		/* Flushed by st_log_settle(), once the answer is on its way. */
		rc = mddb_log_clear_unflushed(meta_set_db(s), cls, ep);
		if (rc == 0) { /* dropped again below if the handle goes */
			d->md_sets[set].ms_log_clean |= 1u << cls;
			d->md_sets[set].ms_log_unflushed |= 1u << cls;
		}
		log_rele(d, set, rc, act);
		if (rc == 0 || !cached)
			break;
		meta_error_init(ep);
	}
	pthread_mutex_unlock(&d->md_lock);
	return rc;
}

/*
 * After the answer: flush the drives the clear wrote.  A flush that fails
 * drops the handle (the replica is marked failed) and the clear is made
 * again, durably, on a fresh open of the set, as the clear itself would
 * have been retried; only if that fails too does the slot keep the
 * message (said on stderr: a later replay runs it where a node's
 * completion table no longer holds it).
 */
static void st_log_settle(void *arg, uint32_t set)
{
	struct meta_mn_daemon *d = arg;
	struct meta_set *s;
	struct mn_set *ss;
	uint32_t cls;
	meta_error_t e;
	bool cached;

	if (set == 0 || set >= MDC_MAXSETS)
		return;
	pthread_mutex_lock(&d->md_lock);
	ss = &d->md_sets[set];
	cls = ss->ms_log_unflushed;
	ss->ms_log_unflushed = 0;
	meta_error_init(&e);
	if (ss->ms_log == NULL || cls == 0 ||
	    mddb_log_flush(meta_set_db(ss->ms_log), &e) == 0)
		goto out;
	fprintf(stderr, "mdcommd: %s\n", meta_strerror(&e));
	mn_log_drop(ss);
	for (unsigned int c = 0; c < MDC_LOG_SLOTS; c++) {
		uint64_t act;
		int rc;

		if (!(cls & (1u << c)))
			continue;
		meta_error_init(&e);
		s = log_hold(d, set, &cached, &e);
		if (s == NULL) {
			rc = -1;
		} else {
			act = log_active(meta_set_db(s));
			rc = mddb_log_clear(meta_set_db(s), c, &e);
			log_rele(d, set, rc, act);
		}
		if (rc != 0)
			fprintf(stderr,
				"mdcommd: set %s: the clear of change-log "
				"slot %u may not be durable: %s\n",
				ss->ms_name, c, meta_strerror(&e));
	}
out:
	pthread_mutex_unlock(&d->md_lock);
}

/* A replay (a new master): never from a cached handle. */
static int st_log_read_all(void *arg, uint32_t set,
			   struct mdc_msg slots[MDC_LOG_SLOTS], uint32_t *inuse,
			   meta_error_t *ep)
{
	struct meta_mn_daemon *d = arg;
	struct meta_set *s;
	bool cached;
	int rc = 0;

	*inuse = 0;
	pthread_mutex_lock(&d->md_lock);
	if (set > 0 && set < MDC_MAXSETS)
		mn_log_drop(&d->md_sets[set]);
	s = log_hold(d, set, &cached, ep);
	if (s == NULL) {
		rc = -1;
		goto out;
	}
	for (unsigned int i = 0; i < MDC_LOG_SLOTS && rc == 0; i++) {
		int r = log_get(meta_set_db(s), set, i, &slots[i], ep);

		if (r < 0)
			rc = -1;
		else if (r == 1)
			*inuse |= 1u << i;
	}
	log_rele(d, set, rc, log_active(meta_set_db(s)));
out:
	pthread_mutex_unlock(&d->md_lock);
	return rc;
}

/* The core's word that @set's log (0: all) may have changed under us. */
static void st_log_forget(void *arg, uint32_t set)
{
	struct meta_mn_daemon *d = arg;

	pthread_mutex_lock(&d->md_lock);
	for (uint32_t i = 1; i < MDC_MAXSETS; i++)
		if (set == 0 || set == i)
			d->md_sets[i].ms_log_clean = 0;
	pthread_mutex_unlock(&d->md_lock);
}

/*
 * Drop every set's model and handles when this node has lost quorum since
 * the last look (mdc_core_qlost()), even if quorum is back: in a minority
 * partition the others may have changed the sets without this node, so
 * its models are not the truth any more and are loaded again from the
 * replicas at their next use.  Called with md_lock held, by the tick and
 * before every handler, so that a message delivered after a short loss
 * and before the next tick does not run on a stale model.
 */
static void mn_quorum_sync(struct meta_mn_daemon *d)
{
	uint64_t ql = mdc_core_qlost(d->md_core);

	if (ql == d->md_qlost)
		return;
	d->md_qlost = ql;
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		struct mn_set *ss = &d->md_sets[i];

		if (i == d->md_cfg.dc_admin_set)
			continue;
		meta_cfg_destroy(ss->ms_cfg);
		ss->ms_cfg = NULL;
		mn_log_drop(ss);
		mn_ro_drop(ss);
	}
}

static int st_run(void *arg, const struct mdc_msg *msg, uint32_t flags,
		  struct mdc_hctx *hc, struct mdc_result *res)
{
	struct meta_mn_daemon *d = arg;
	meta_mn_handler_fn fn = meta_mn_handler_find(msg->mm_type);
	struct meta_mn_hctx hx;
	int rc;

	if (fn == NULL)
		return -1;
	res->mr_exitval = 0;
	res->mr_outlen = 0;
	memset(&hx, 0, sizeof(hx));
	hx.hx_node = mdc_hctx_node(hc);
	hx.hx_on_master = (flags & MDC_F_ON_MASTER) != 0;
	hx.hx_set = msg->mm_set;
	hx.hx_type = msg->mm_type;
	hx.hx_flags = msg->mm_flags;
	hx.hx_sub = msg->mm_id.mi_sub;
	hx.hx_sender = msg->mm_sender;
	hx.hx_data = msg->mm_data;
	hx.hx_len = msg->mm_len;
	hx.hx_msg = msg;
	hx.hx_res = res;
	hx.hx_core = hc;
	hx.hx_daemon = d;
	pthread_mutex_lock(&d->md_lock);
	mn_quorum_sync(d);
	if (msg->mm_set > 0 && msg->mm_set < MDC_MAXSETS)
		hx.hx_master = hx.hx_on_master ?
				       hx.hx_node :
				       d->md_sets[msg->mm_set].ms_master;
	rc = fn(&hx);
	pthread_mutex_unlock(&d->md_lock);
	return rc;
}

static int st_mct_check(void *arg, const struct mdc_msg *msg,
			struct mdc_result *res, meta_error_t *ep)
{
	struct meta_mn_daemon *d = arg;

	return mdc_mct_check(d->md_cfg.dc_mct, msg, res, ep);
}

static int st_mct_mark(void *arg, const struct mdc_msg *msg,
		       enum mdc_mct_state state, const struct mdc_result *res,
		       meta_error_t *ep)
{
	struct meta_mn_daemon *d = arg;

	return mdc_mct_mark(d->md_cfg.dc_mct, msg, state, res, ep);
}

const struct mdc_store_ops meta_mn_store_ops = {
	.so_log_write = st_log_write,
	.so_log_clear = st_log_clear,
	.so_log_settle = st_log_settle,
	.so_log_read_all = st_log_read_all,
	.so_run = st_run,
	.so_mct_check = st_mct_check,
	.so_mct_mark = st_mct_mark,
	.so_log_forget = st_log_forget,
};

/* ---- the daemon ---------------------------------------------------------- */

int meta_mn_daemon_create(const struct meta_mn_daemon_config *cfg,
			  struct meta_mn_daemon **dp, meta_error_t *ep)
{
	struct meta_mn_daemon *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot create the set store");
	VERIFY0(pthread_mutex_init(&d->md_lock, NULL));
	d->md_cfg = *cfg;
	d->md_hq.hq_need = true; /* a (re)started daemon knows no hold */
	*dp = d;
	return 0;
}

void meta_mn_daemon_bind(struct meta_mn_daemon *d, struct mdc_core *c)
{
	uint32_t self = mdc_core_nodeid(c);

	pthread_mutex_lock(&d->md_lock);
	d->md_core = c;
	d->md_self = self;
	pthread_mutex_unlock(&d->md_lock);
}

void meta_mn_daemon_destroy(struct meta_mn_daemon *d)
{
	if (d == NULL)
		return;
	for (int i = 0; i < MDC_MAXSETS; i++) {
		meta_cfg_destroy(d->md_sets[i].ms_cfg);
		mn_log_drop(&d->md_sets[i]);
		mn_ro_drop(&d->md_sets[i]);
	}
	pthread_mutex_destroy(&d->md_lock);
	free(d);
}

void meta_mn_daemon_set_test(struct meta_mn_daemon *d,
			     const struct meta_mn_test *t)
{
	pthread_mutex_lock(&d->md_lock);
	d->md_cfg.dc_test = *t;
	pthread_mutex_unlock(&d->md_lock);
}

void meta_mn_daemon_lease_end(struct meta_mn_daemon *d, uint32_t set)
{
	pthread_mutex_lock(&d->md_lock);
	if (set > 0 && set < MDC_MAXSETS && d->md_sets[set].ms_susp_until != 0)
		d->md_sets[set].ms_susp_until = 1; /* long past */
	pthread_mutex_unlock(&d->md_lock);
}

void meta_mn_daemon_holds_known(struct meta_mn_daemon *d)
{
	pthread_mutex_lock(&d->md_lock);
	if (d->md_hq.hq_known_at != 0)
		d->md_hq.hq_known_at = 1; /* long past */
	pthread_mutex_unlock(&d->md_lock);
}

enum mn_counter { MN_LOG_OPENS, MN_CFG_LOADS, MN_RO_OPENS };

/* One of @set's counters (tests); 0 for no such set. */
static uint64_t set_counter(struct meta_mn_daemon *d, uint32_t set,
			    enum mn_counter which)
{
	const struct mn_set *ss;
	uint64_t n = 0;

	pthread_mutex_lock(&d->md_lock);
	if (set > 0 && set < MDC_MAXSETS) {
		ss = &d->md_sets[set];
		switch (which) {
		case MN_LOG_OPENS:
			n = ss->ms_log_opens;
			break;
		case MN_CFG_LOADS:
			n = ss->ms_cfg_loads;
			break;
		case MN_RO_OPENS:
			n = ss->ms_ro_opens;
			break;
		}
	}
	pthread_mutex_unlock(&d->md_lock);
	return n;
}

uint64_t meta_mn_daemon_log_opens(struct meta_mn_daemon *d, uint32_t set)
{
	return set_counter(d, set, MN_LOG_OPENS);
}

uint64_t meta_mn_daemon_model_loads(struct meta_mn_daemon *d, uint32_t set)
{
	return set_counter(d, set, MN_CFG_LOADS);
}

uint64_t meta_mn_daemon_cmd_opens(struct meta_mn_daemon *d, uint32_t set)
{
	return set_counter(d, set, MN_RO_OPENS);
}

unsigned int meta_mn_daemon_handles(struct meta_mn_daemon *d, uint32_t set)
{
	unsigned int h = 0;

	pthread_mutex_lock(&d->md_lock);
	if (set > 0 && set < MDC_MAXSETS) {
		if (d->md_sets[set].ms_log != NULL)
			h |= META_MN_H_LOG;
		if (d->md_sets[set].ms_ro != NULL)
			h |= META_MN_H_RO;
	}
	pthread_mutex_unlock(&d->md_lock);
	return h;
}

const struct meta_cfg *meta_mn_daemon_model(struct meta_mn_daemon *d,
					    uint32_t set)
{
	const struct meta_cfg *cfg = NULL;

	pthread_mutex_lock(&d->md_lock);
	if (set > 0 && set < MDC_MAXSETS)
		cfg = d->md_sets[set].ms_cfg;
	pthread_mutex_unlock(&d->md_lock);
	return cfg;
}

/* Hosts of a set: the joined ones, and the master's id by its name. */
struct hosts_arg {
	uint32_t *ha_ids;
	size_t ha_n;
	const char *ha_master; /* name, or "" */
	uint32_t ha_master_id;
	uint32_t ha_self;
	bool ha_self_owner;
};

static int hosts_one(void *arg, const struct meta_host_info *hi)
{
	struct hosts_arg *ha = arg;

	if ((hi->hi_flags & META_NODE_OWN) && ha->ha_ids != NULL &&
	    ha->ha_n < MDC_MAXNODES)
		ha->ha_ids[ha->ha_n++] = hi->hi_nodeid;
	if (ha->ha_master != NULL && ha->ha_master[0] != '\0' &&
	    strcmp(hi->hi_name, ha->ha_master) == 0)
		ha->ha_master_id = hi->hi_nodeid;
	if (hi->hi_nodeid == ha->ha_self && (hi->hi_flags & META_NODE_OWN))
		ha->ha_self_owner = true;
	return 0;
}

int meta_mn_daemon_nodelist(void *arg, uint32_t set, uint32_t *nodes, size_t *n,
			    meta_error_t *ep)
{
	struct meta_mn_daemon *d = arg;
	struct hosts_arg ha;
	struct meta_set *s;
	struct mn_set *ss;
	int rc = -1;

	pthread_mutex_lock(&d->md_lock);
	ss = mn_set_get(d, set, ep);
	if (ss == NULL ||
	    meta_set_open(ss->ms_name, META_SET_RDONLY | META_SET_NODB, &s,
			  ep) != 0)
		goto out;
	memset(&ha, 0, sizeof(ha));
	ha.ha_ids = nodes;
	rc = meta_set_host_foreach(s, hosts_one, &ha, ep);
	meta_set_close(s);
	*n = ha.ha_n;
out:
	pthread_mutex_unlock(&d->md_lock);
	return rc;
}

struct scan_arg {
	struct meta_mn_daemon *sa_d;
	uint32_t sa_sets[MDC_MAXSETS];
	uint32_t sa_masters[MDC_MAXSETS];
	int sa_n;
	meta_error_t sa_err;
};

static int scan_one(void *arg, const char *name)
{
	struct scan_arg *sa = arg;
	struct hosts_arg ha;
	struct meta_set *s;
	meta_error_t e;
	uint32_t no;

	meta_error_init(&e);
	if (meta_set_open(name, META_SET_RDONLY | META_SET_NODB, &s, &e) != 0)
		goto fail;
	no = meta_set_number(s);
	if (!meta_set_is_mn(s) || no >= MDC_MAXSETS) {
		meta_set_close(s);
		return 0;
	}
	memset(&ha, 0, sizeof(ha));
	ha.ha_master = meta_set_master(s);
	ha.ha_self = sa->sa_d->md_self;
	if (meta_set_host_foreach(s, hosts_one, &ha, &e) != 0) {
		meta_set_close(s);
		goto fail;
	}
	meta_set_close(s);
	if (ha.ha_self_owner && ha.ha_master_id != 0) {
		sa->sa_sets[sa->sa_n] = no;
		sa->sa_masters[sa->sa_n++] = ha.ha_master_id;
	}
	return 0;
fail:
	if (!meta_error_isset(&sa->sa_err))
		sa->sa_err = e;
	return 0;
}

int meta_mn_daemon_scan(struct meta_mn_daemon *d, meta_error_t *ep)
{
	struct scan_arg sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_d = d;
	meta_error_init(&sa.sa_err);
	pthread_mutex_lock(&d->md_lock);
	if (meta_set_list(scan_one, &sa, ep) < 0) {
		pthread_mutex_unlock(&d->md_lock);
		return -1;
	}
	pthread_mutex_unlock(&d->md_lock);
	for (int i = 0; i < sa.sa_n; i++) {
		if (mdc_core_set_master(d->md_core, sa.sa_sets[i],
					sa.sa_masters[i], ep) != 0)
			return -1;
	}
	meta_mn_daemon_tick(d);
	if (meta_error_isset(&sa.sa_err)) {
		*ep = sa.sa_err;
		return -1;
	}
	return sa.sa_n;
}

/* The admin set's master: the lowest-numbered member. */
static void admin_master(struct meta_mn_daemon *d)
{
	uint32_t admin = d->md_cfg.dc_admin_set, ids[MDC_MAXNODES];
	meta_error_t e;

	if (admin == 0 || admin >= MDC_MAXSETS ||
	    mdc_core_members(d->md_core, ids) == 0)
		return;
	if (mdc_core_master(d->md_core, admin) != ids[0]) {
		meta_error_init(&e);
		(void)mdc_core_set_master(d->md_core, admin, ids[0], &e);
	}
}

uint64_t mn_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the holds in force, asked for (doc/mdcommd.md 7) -------------------- */

/*
 * Make the core's hold mark of @set what the daemon knows: held while a
 * hold is known here or the set is gated for the holds question.  Called
 * with neither lock held (the core's lock is taken outside the daemon's).
 * A handler that changes the hold between the look and the core's call
 * sets the mark itself, under the core's lock, and bumps ms_hold_gen: then
 * the look is made again, so the last call made is for the last state.
 * Callers on several threads at once are safe too: every change of the
 * hold or the gate bumps ms_hold_gen, and a caller returns only when the
 * generation it looked at is still current after its call, so whichever
 * core call is made last followed a look at the current state (a later
 * change makes its caller, or the handler, set the mark again).
 */
static void mark_sync(struct meta_mn_daemon *d, uint32_t set)
{
	struct mn_set *ss = &d->md_sets[set];
	uint32_t gen;
	bool want;

	pthread_mutex_lock(&d->md_lock);
	do {
		gen = ss->ms_hold_gen;
		want = ss->ms_susp_until != 0 || ss->ms_gate;
		pthread_mutex_unlock(&d->md_lock);
		if (want)
			(void)mdc_core_hold(d->md_core, set);
		else
			(void)mdc_core_release(d->md_core, set);
		pthread_mutex_lock(&d->md_lock);
	} while (ss->ms_hold_gen != gen);
	pthread_mutex_unlock(&d->md_lock);
}

void mn_hold_ran(struct meta_mn_daemon *d, uint32_t set, bool suspend,
		 uint32_t node, uint32_t nonce, uint64_t at, uint64_t until)
{
	struct mn_holdq *q = &d->md_hq;

	if (!q->hq_busy || q->hq_snap_seq == 0 || q->hq_snap_seq != q->hq_seq)
		return; /* no answer to come that this run is newer than */
	if (q->hq_nlog == MN_HOLDLOG) {
		q->hq_over = true;
		return;
	}
	q->hq_log[q->hq_nlog++] = (struct mn_holdop){
		.ho_set = set,
		.ho_suspend = suspend,
		.ho_node = node,
		.ho_nonce = nonce,
		.ho_at = at,
		.ho_until = until,
	};
}

bool meta_mn_holds(struct meta_mn_hctx *hx, uint32_t asker, uint32_t question)
{
	struct meta_mn_daemon *d = hx->hx_daemon; /* md_lock held */
	struct mn_holdq *q = &d->md_hq;
	uint64_t now = mn_mono_ms();
	unsigned int n = 0;

	if (asker == d->md_self && q->hq_busy && question == q->hq_seq) {
		/* This node's own question runs here: the answer will be the
		 * members' state at this point of the admin set's order; what
		 * runs here after it is replayed on the answer. */
		q->hq_snap_seq = question;
		q->hq_snap_ms = now;
		q->hq_nlog = 0;
		q->hq_over = false;
	}
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		const struct mn_set *ss = &d->md_sets[i];

		if (ss->ms_susp_until <= now)
			continue; /* none (0), or its lease just ran out */
		meta_mn_printf(hx, "%u %u %u %llu\n", i, ss->ms_susp_node,
			       ss->ms_susp_nonce,
			       (unsigned long long)(ss->ms_susp_until - now));
		n++;
	}
	meta_mn_printf(hx, "end %u\n", n);
	/* A node that asks itself, lost quorum since its tick last looked,
	 * or took a partial answer less than a lease after its gate began
	 * may lack a hold. */
	return q->hq_gate_end == 0 && !q->hq_need &&
	       mdc_core_qlost(d->md_core) == q->hq_qlost &&
	       now >= q->hq_known_at;
}

/*
 * The question is over (answered, or its time is up): the gate is lifted
 * (@sync: the sets whose mark is to follow).  md_lock.
 */
static void gate_off(struct meta_mn_daemon *d, bool sync[MDC_MAXSETS])
{
	struct mn_holdq *q = &d->md_hq;

	q->hq_gate_end = 0;
	q->hq_snap_seq = 0;
	q->hq_nlog = 0;
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		struct mn_set *ss = &d->md_sets[i];

		if (!ss->ms_gate)
			continue;
		ss->ms_gate = false;
		ss->ms_hold_gen++;
		sync[i] = true;
	}
}

/* One decimal number of @lo..@hi at *@pp, followed by @stop: *@pp moves
 * past the stop.  No sign, blank or overflow. */
static bool holds_num(const char **pp, char stop, uint64_t lo, uint64_t hi,
		      uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)**pp))
		return false;
	errno = 0;
	x = strtoull(*pp, &end, 10);
	if (errno != 0 || x < lo || x > hi || *end != stop)
		return false;
	*v = x;
	*pp = end + 1;
	return true;
}

bool mn_holds_parse(const char *out, size_t len, uint32_t admin,
		    uint64_t left[MDC_MAXSETS], uint32_t node[MDC_MAXSETS],
		    uint32_t nonce[MDC_MAXSETS])
{
	char text[MDC_MAXOUT + 1];
	const char *p = text;
	unsigned int got = 0;

	if (len > MDC_MAXOUT)
		return false;
	memcpy(text, out, len);
	text[len] = '\0';
	if (strlen(text) != len)
		return false; /* a NUL inside */
	while (*p != '\0') {
		uint64_t set, n, x, ms, count;

		if (strncmp(p, "end ", 4) == 0) {
			p += 4;
			/* The last line: nothing may follow it. */
			return holds_num(&p, '\n', 0, MDC_MAXSETS, &count) &&
			       *p == '\0' && count == got;
		}
		if (!holds_num(&p, ' ', 1, MDC_MAXSETS - 1, &set) ||
		    !holds_num(&p, ' ', 1, META_NODE_MAXID, &n) ||
		    !holds_num(&p, ' ', 1, UINT32_MAX, &x) ||
		    !holds_num(&p, '\n', 1, META_MNS_MAXLEASE * 1000ull, &ms) ||
		    set == admin || left[set] != 0)
			return false; /* malformed, the admin set, or twice */
		left[set] = ms;
		node[set] = (uint32_t)n;
		nonce[set] = (uint32_t)x;
		got++;
	}
	return false; /* no end line: cut short */
}

/*
 * Replay on a hold (*@until, *@node, *@nonce; *@until 0: none) the
 * SUSPENDs and RESUMEs of @set this node ran after its own QUERY, by the
 * rules of meta_mn_hsuspend().  md_lock.
 */
static void holds_replay(const struct mn_holdq *q, uint32_t set,
			 uint64_t *until, uint32_t *node, uint32_t *nonce)
{
	for (unsigned int k = 0; k < q->hq_nlog; k++) {
		const struct mn_holdop *op = &q->hq_log[k];
		bool mine = *node == op->ho_node && *nonce == op->ho_nonce;

		if (op->ho_set != set)
			continue;
		if (*until != 0 && *until <= op->ho_at)
			*until = 0; /* its lease had ended by then */
		if (op->ho_suspend && (*until == 0 || mine)) {
			*until = op->ho_until;
			*node = op->ho_node;
			*nonce = op->ho_nonce;
		} else if (!op->ho_suspend && *until != 0 && mine) {
			*until = 0;
		}
	}
	if (*until == 0)
		*node = *nonce = 0;
}

/* Say that this node's question for the holds in force is over (@how),
 * its gate lifted (the cluster tests wait for it). */
static void holds_over(const struct meta_mn_daemon *d, const char *how)
{
	fprintf(stderr,
		"mdcommd: node %u: the question for the holds in force is "
		"over (%s)\n",
		d->md_self, how);
}

/*
 * QUERY answered (meta_mn_holds() on every member; the answer is one
 * node's list: a complete one, exit META_MNS_EXIT_HOLDS, whenever a member
 * knew every hold).  The list is the state at the point where this node's
 * own QUERY ran in the admin set's order; the SUSPENDs and RESUMEs this
 * node ran since are replayed on it (the admin set's master runs the next
 * SET_ADMIN message before its own answer comes back to it).  A complete
 * answer then decides every set: the hold it gives replaces this node's,
 * none releases it.  A partial one (no member knew every hold: all
 * restarted or lost quorum) only adds holds this node does not know, and
 * leaves this node answering partial until hq_known_at (meta_mn_holds()).
 * Runs outside the core's lock (a reply callback).
 */
static void holds_reply(void *cookie, const struct mdc_result *res)
{
	struct meta_mn_daemon *d = cookie;
	struct mn_holdq *q = &d->md_hq;
	uint64_t left[MDC_MAXSETS] = { 0 }, now = mn_mono_ms();
	uint64_t until[MDC_MAXSETS] = { 0 };
	uint32_t node[MDC_MAXSETS] = { 0 }, nonce[MDC_MAXSETS] = { 0 };
	uint32_t was[MDC_MAXSETS] = { 0 };
	bool sync[MDC_MAXSETS] = { false };
	bool ok = res->mr_comm_state == MDC_CS_ACK &&
		  (res->mr_exitval == 0 ||
		   res->mr_exitval == META_MNS_EXIT_HOLDS) &&
		  mn_holds_parse((const char *)res->mr_out, res->mr_outlen,
				 d->md_cfg.dc_admin_set, left, node, nonce);
	bool complete = ok && res->mr_exitval == META_MNS_EXIT_HOLDS;

	pthread_mutex_lock(&d->md_lock);
	q->hq_busy = false;
	if (!ok)
		q->hq_fails++;
	if (!ok || q->hq_sent_gen != q->hq_gen || q->hq_gate_end == 0 ||
	    q->hq_snap_seq == 0 || q->hq_snap_seq != q->hq_seq || q->hq_over ||
	    mdc_core_qlost(d->md_core) != q->hq_sent_qlost) {
		/* Refused, cut short, not run here, a newer question due or
		 * quorum lost since: the tick asks again (hq_next). */
		q->hq_snap_seq = 0;
		q->hq_nlog = 0;
		pthread_mutex_unlock(&d->md_lock);
		return;
	}
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		struct mn_set *ss = &d->md_sets[i];

		if (i == d->md_cfg.dc_admin_set)
			continue;
		until[i] = left[i] != 0 ? q->hq_snap_ms + left[i] : 0;
		holds_replay(q, i, &until[i], &node[i], &nonce[i]);
		if (until[i] <= now)
			until[i] = node[i] = nonce[i] = 0;
		if (!complete && (ss->ms_susp_until != 0 || until[i] == 0)) {
			until[i] = 0; /* a partial list only adds */
			continue;
		}
		if (until[i] != 0 && ss->ms_susp_until != 0 &&
		    ss->ms_susp_node == node[i] &&
		    ss->ms_susp_nonce == nonce[i]) {
			/* The same hold: it may have been renewed unseen. */
			if (ss->ms_susp_until < until[i])
				ss->ms_susp_until = until[i];
			until[i] = 0; /* nothing to say */
			continue;
		}
		if (until[i] == 0 && ss->ms_susp_until == 0)
			continue; /* none either way */
		was[i] = ss->ms_susp_until != 0 ? ss->ms_susp_node : 0;
		ss->ms_susp_until = until[i];
		ss->ms_susp_node = node[i];
		ss->ms_susp_nonce = nonce[i];
		ss->ms_hold_gen++;
		sync[i] = true;
	}
	gate_off(d, sync);
	if (complete)
		q->hq_known_at = 0;
	q->hq_answers++;
	pthread_mutex_unlock(&d->md_lock);
	holds_over(d, complete ? "a complete answer" : "a partial answer");
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		if (until[i] != 0 && was[i] != 0)
			fprintf(stderr,
				"mdcommd: set %u: a cluster-wide suspension "
				"by node %u is in force: held on node %u in "
				"place of the one by node %u known here, for "
				"the %llu ms of its lease left\n",
				i, node[i], d->md_self, was[i],
				(unsigned long long)(until[i] - now));
		else if (until[i] != 0)
			fprintf(stderr,
				"mdcommd: set %u: a cluster-wide suspension "
				"by node %u is in force: held on node %u too "
				"for the %llu ms of its lease left\n",
				i, node[i], d->md_self,
				(unsigned long long)(until[i] - now));
		else if (was[i] != 0)
			fprintf(stderr,
				"mdcommd: set %u: the cluster-wide suspension "
				"by node %u ended meanwhile: released on node "
				"%u\n",
				i, was[i], d->md_self);
		if (sync[i])
			mark_sync(d, i);
	}
}

/* Send QUERY number @seq on the admin set, run by every member
 * (holds_reply()). */
static void holds_send(struct meta_mn_daemon *d, uint32_t seq)
{
	uint8_t buf[META_MNS_SIZE];
	struct meta_mns m;
	struct mdc_send s;
	meta_error_t e;

	meta_error_init(&e);
	memset(&m, 0, sizeof(m));
	m.mm_op = META_MNS_QUERY;
	m.mm_node = d->md_self;
	m.mm_nonce = seq;
	memset(&s, 0, sizeof(s));
	s.sd_set = d->md_cfg.dc_admin_set;
	s.sd_type = MDC_MSG_SET_ADMIN;
	s.sd_flags = MDC_F_NO_LOG | MDC_F_NO_MCT;
	s.sd_data = buf;
	s.sd_len = sizeof(buf);
	if (meta_mns_encode(&m, buf, sizeof(buf), &e) == 0 &&
	    mdc_core_send(d->md_core, &s, holds_reply, d, NULL, &e) == 0)
		return;
	fprintf(stderr, "mdcommd: cannot ask for the holds in force: %s\n",
		meta_strerror(&e));
	pthread_mutex_lock(&d->md_lock);
	d->md_hq.hq_busy = false;
	d->md_hq.hq_fails++;
	pthread_mutex_unlock(&d->md_lock);
}

/*
 * From the tick: a daemon that (re)started or lost quorum does not know
 * the cluster-wide suspensions in force (doc/mdcommd.md 7, "A daemon that
 * restarts").  It holds the sets it serves (@masters: joined) until the
 * members have told it the holds (QUERY), asked again after 1, 2, 4, then
 * every 8 s while refused, at most for one lease (META_MNS_LEASE): by then
 * every hold in force when it started has been renewed through this node
 * or has ended.  Never waits.
 */
static void holds_ask(struct meta_mn_daemon *d, const uint32_t *masters,
		      bool quorate)
{
	struct mn_holdq *q = &d->md_hq;
	uint32_t ids[MDC_MAXNODES], admin = d->md_cfg.dc_admin_set, am;
	uint32_t seq = 0;
	bool sync[MDC_MAXSETS] = { false };
	bool alone, send = false, timeout = false, fresh = false;
	const char *over = NULL;
	uint64_t ql = mdc_core_qlost(d->md_core), now = mn_mono_ms();
	size_t n = mdc_core_members(d->md_core, ids);

	/* Alone in a quorate group (a one-node cluster): no other daemon
	 * runs, so no hold is in force but one this node ran itself.  A node
	 * alone without quorum waits: the others may run elsewhere. */
	alone = quorate && n == 1 && ids[0] == d->md_self;
	am = admin != 0 && admin < MDC_MAXSETS ?
		     mdc_core_master(d->md_core, admin) :
		     0;
	pthread_mutex_lock(&d->md_lock);
	if (ql != q->hq_qlost) {
		q->hq_qlost = ql;
		q->hq_need = fresh = true;
	}
	/* Held at once, the question once there is quorum (a message needs
	 * it too): no message slips in between.  Every set it serves, one
	 * with a known hold too (that hold may have ended or changed hands
	 * meanwhile; the answer decides), and held again at each new loss
	 * (idempotent; a hold's RESUME or lease end meanwhile keeps the
	 * gate's mark anyway: mark_sync()). */
	for (uint32_t i = 1; q->hq_need && i < MDC_MAXSETS; i++) {
		struct mn_set *ss = &d->md_sets[i];

		if (i == admin || masters[i] == 0 || (ss->ms_gate && !fresh))
			continue;
		if (!ss->ms_gate) {
			ss->ms_gate = true;
			ss->ms_hold_gen++;
		}
		sync[i] = true;
	}
	if (q->hq_need && quorate) {
		q->hq_need = false;
		q->hq_gen++;
		q->hq_next = 0;
		q->hq_fails = 0;
		q->hq_snap_seq = 0;
		q->hq_nlog = 0;
		q->hq_gate_end = now + META_MNS_LEASE * 1000ull;
		q->hq_known_at = q->hq_gate_end;
	}
	if (q->hq_gate_end != 0) {
		bool any = false;

		for (uint32_t i = 1; i < MDC_MAXSETS; i++)
			any = any || d->md_sets[i].ms_gate;
		if (alone) {
			gate_off(d, sync); /* nobody to ask */
			q->hq_known_at = 0;
			over = "alone: nobody to ask";
		} else if (now >= q->hq_gate_end) {
			timeout = any;
			gate_off(d, sync);
			over = "no answer in time";
		} else if (!q->hq_busy && now >= q->hq_next && am != 0) {
			q->hq_busy = send = true;
			q->hq_sent_gen = q->hq_gen;
			q->hq_sent_qlost = ql;
			if (++q->hq_seq == 0)
				q->hq_seq = 1;
			seq = q->hq_seq;
			q->hq_next =
				now + (1000ull
				       << (q->hq_fails < 3 ? q->hq_fails : 3));
		}
	}
	pthread_mutex_unlock(&d->md_lock);
	if (timeout)
		fprintf(stderr,
			"mdcommd: no answer about the cluster-wide "
			"suspensions in force in %u s: the sets held for it "
			"are released on node %u\n",
			META_MNS_LEASE, d->md_self);
	if (over != NULL)
		holds_over(d, over);
	for (uint32_t i = 1; i < MDC_MAXSETS; i++)
		if (sync[i])
			mark_sync(d, i);
	if (send)
		holds_send(d, seq);
}

/*
 * A cluster-wide suspension whose lease ran out (its initiator died, or
 * could not reach this node with the resume): resume the set here (a set
 * gated for the holds question stays held until the answer).
 */
static void suspend_leases(struct meta_mn_daemon *d)
{
	bool expired[MDC_MAXSETS] = { false };
	uint64_t now = mn_mono_ms();

	pthread_mutex_lock(&d->md_lock);
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		struct mn_set *ss = &d->md_sets[i];

		if (ss->ms_susp_until != 0 && now >= ss->ms_susp_until) {
			ss->ms_susp_until = 0;
			ss->ms_susp_node = ss->ms_susp_nonce = 0;
			ss->ms_hold_gen++;
			expired[i] = true;
		}
	}
	pthread_mutex_unlock(&d->md_lock);
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		if (!expired[i])
			continue;
		fprintf(stderr,
			"mdcommd: set %u: the cluster-wide suspension's lease "
			"ran out without a resume: released on node %u\n",
			i, d->md_self);
		mark_sync(d, i);
	}
}

void meta_mn_daemon_tick(struct meta_mn_daemon *d)
{
	uint32_t masters[MDC_MAXSETS];
	bool joined[MDC_MAXSETS], quorate;

	suspend_leases(d);
	admin_master(d);
	quorate = mdc_core_quorate(d->md_core);
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		masters[i] = mdc_core_master(d->md_core, i);
		joined[i] = mdc_core_joined(d->md_core, i);
	}
	holds_ask(d, masters, quorate);
	pthread_mutex_lock(&d->md_lock);
	mn_quorum_sync(d);
	for (uint32_t i = 1; i < MDC_MAXSETS; i++) {
		struct mn_set *ss = &d->md_sets[i];
		meta_error_t e;

		if (ss->ms_master != masters[i]) {
			mn_log_drop(ss); /* a new master, or none */
			mn_ro_drop(ss);
		}
		ss->ms_master = masters[i];
		if (i == d->md_cfg.dc_admin_set)
			continue;
		if (!quorate) {
			/*
			 * In a minority partition the others may change the
			 * set without this node: its model is not the truth
			 * any more, and is loaded again from the replicas once
			 * quorum is back (the core refuses every message
			 * but LOCAL_ONLY ones without quorum).
			 */
			meta_cfg_destroy(ss->ms_cfg);
			ss->ms_cfg = NULL;
			mn_log_drop(ss);
			mn_ro_drop(ss);
			continue;
		}
		if (masters[i] == 0) {
			/*
			 * No master: between a master's death and the next
			 * SETMASTER the model must stay, since the new
			 * master's replay runs against it (doc/mdcommd.md,
			 * 11b): loaded afresh after the dead master's commit,
			 * it would already hold the change.  Only a node that
			 * left the set (mdc_core_set_master() with 0) forgets
			 * it.
			 */
			if (!joined[i]) {
				meta_cfg_destroy(ss->ms_cfg);
				ss->ms_cfg = NULL;
			}
			continue;
		}
		if (ss->ms_cfg != NULL || ss->ms_blocked)
			continue;
		if (ss->ms_wait > 0) {
			ss->ms_wait--;
			continue;
		}
		/* A set that cannot be loaded (no such set here: another
		 * area's set number, no replicas yet) is tried again after
		 * 1, 2, 4 ... 64 ticks; a handler loads it on demand. */
		meta_error_init(&e);
		if (mn_set_get(d, i, &e) != NULL &&
		    mn_model_load(d, i, ss, &e) == 0) {
			ss->ms_backoff = 0;
			continue;
		}
		ss->ms_backoff = ss->ms_backoff == 0 ? 1 :
				 ss->ms_backoff < 64 ? ss->ms_backoff * 2 :
						       64;
		ss->ms_wait = ss->ms_backoff;
	}
	pthread_mutex_unlock(&d->md_lock);
}
