// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mdcommd core's control calls, local to this node: suspend (classes in
 * ascending order, going on as they drain), resume (descending), hold and
 * release, lock, reinit, abort, verbosity, stats and the small accessors.
 * The theory of the core, with why suspend and resume go in these orders
 * and what mc_lock protects, is the comment at the top of mdc_core.c; the
 * state these calls change is in mdc_core_impl.h.
 *
 * Locks: every public call here takes mc_lock (core_lock()) and drops it
 * at the end (core_unlock()), with nothing done in between with it
 * dropped; except mdc_hctx_suspend(), which a handler calls with it held,
 * core_drain_continue(), which mdc_core.c calls with it held, and
 * mdc_core_nodeid(), which reads a field that never changes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <oban/mdc_core.h>
#include <oban/mdc_dbg.h>

#include "mdc_core_impl.h"

/* ---- control ---------------------------------------------------------- */

static bool class_busy(struct mdc_setstate *ss, unsigned int cls)
{
	return ss->ss_islot[cls] != NULL || ss->ss_iq[cls] != NULL ||
	       ss->ss_mbusy[cls] || ss->ss_mq[cls] != NULL;
}

static void event(struct mdc_core *c, enum mdc_event ev, uint32_t set,
		  unsigned int cls)
{
	if (c->mc_cfg.cc_event != NULL)
		c->mc_cfg.cc_event(c->mc_cfg.cc_arg, ev, set, cls);
}

/*
 * Suspend every class of @set with @mark (CF_SUSPENDALL: the
 * administrator's, CF_HOLD: a cluster-wide suspension's), in ascending
 * order, stopping at the first busy class.  The marks are independent: a
 * class stays suspended while any of them is set.
 */
static int suspend_all(struct mdc_core *c, uint32_t set, uint8_t mark)
{
	struct mdc_setstate *ss = &c->mc_sets[set];
	unsigned int cls;

	for (cls = 1; cls < MDC_NCLASSES; cls++) {
		if (!(ss->ss_cflags[cls] & mark)) {
			if (!(ss->ss_cflags[cls] & CF_SUSPENDED))
				event(c, MDC_EV_SUSPEND, set, cls);
			ss->ss_cflags[cls] |= mark;
		}
		if (class_busy(ss, cls)) {
			ss->ss_drain_pending |= mark;
			return MDC_CS_SET_NOT_DRAINED;
		}
	}
	ss->ss_drain_pending &= (uint8_t)~mark;
	return MDC_CS_ACK;
}

static int suspend_one(struct mdc_core *c, uint32_t set, unsigned int cls)
{
	struct mdc_setstate *ss = &c->mc_sets[set];

	if (!(ss->ss_cflags[cls] & CF_SUSPENDED))
		event(c, MDC_EV_SUSPEND, set, cls);
	ss->ss_cflags[cls] |= CF_SUSPEND1;
	return class_busy(ss, cls) ? MDC_CS_SET_NOT_DRAINED : MDC_CS_ACK;
}

int mdc_core_suspend(struct mdc_core *c, uint32_t set, unsigned int cls)
{
	uint32_t s, lo = set, hi = set;
	int rc, ret = MDC_CS_ACK;

	if (set >= MDC_MAXSETS || cls >= MDC_NCLASSES)
		return MDC_CS_EINVAL;
	if (set == 0)
		lo = 1, hi = MDC_MAXSETS - 1;
	core_lock(c);
	for (s = lo; s <= hi; s++) {
		rc = cls == 0 ? suspend_all(c, s, CF_SUSPENDALL) :
				suspend_one(c, s, cls);
		if (rc != MDC_CS_ACK)
			ret = rc;
	}
	DBG(c, MDC_MMV_MISC, "suspend set %u class %u: %s", set, cls,
	    mdc_comm_state_name((uint32_t)ret));
	core_unlock(c);
	return ret;
}

/* Suspend-all continues as classes drain; see mdc_core_suspend(). */
void core_drain_continue(struct mdc_core *c)
{
	uint32_t set;

	for (set = 1; set < MDC_MAXSETS; set++) {
		uint8_t p = c->mc_sets[set].ss_drain_pending;

		if (p & CF_SUSPENDALL)
			(void)suspend_all(c, set, CF_SUSPENDALL);
		if (p & CF_HOLD)
			(void)suspend_all(c, set, CF_HOLD);
	}
}

/* Clear every class's @marks of @set, 7 down to @low. */
static void resume_all(struct mdc_core *c, uint32_t set, unsigned int low,
		       uint8_t marks)
{
	struct mdc_setstate *ss = &c->mc_sets[set];

	ss->ss_drain_pending &= (uint8_t)~marks;
	for (unsigned int k = MDC_NCLASSES - 1; k >= low; k--) {
		bool was = ss->ss_cflags[k] & CF_SUSPENDED;

		ss->ss_cflags[k] &= (uint8_t)~marks;
		if (was && !(ss->ss_cflags[k] & CF_SUSPENDED))
			event(c, MDC_EV_RESUME, set, k);
	}
}

int mdc_hctx_suspend(struct mdc_hctx *hc, uint32_t set, bool suspend)
{
	struct mdc_core *c = hc->hc_core;
	int rc = MDC_CS_ACK;

	if (set == 0 || set >= MDC_MAXSETS)
		return MDC_CS_EINVAL;
	/* The handler holds mc_lock. */
	if (suspend)
		rc = suspend_all(c, set, CF_HOLD);
	else
		resume_all(c, set, 1, CF_HOLD);
	DBG(c, MDC_MMV_MISC, "%s set %u, all classes, from a handler: %s",
	    suspend ? "hold" : "release", set,
	    mdc_comm_state_name((uint32_t)rc));
	return rc;
}

int mdc_core_release(struct mdc_core *c, uint32_t set)
{
	if (set == 0 || set >= MDC_MAXSETS)
		return MDC_CS_EINVAL;
	core_lock(c);
	resume_all(c, set, 1, CF_HOLD);
	DBG(c, MDC_MMV_MISC, "release set %u", set);
	core_unlock(c);
	return MDC_CS_ACK;
}

int mdc_core_hold(struct mdc_core *c, uint32_t set)
{
	int rc;

	if (set == 0 || set >= MDC_MAXSETS)
		return MDC_CS_EINVAL;
	core_lock(c);
	rc = suspend_all(c, set, CF_HOLD);
	DBG(c, MDC_MMV_MISC, "hold set %u: %s", set,
	    mdc_comm_state_name((uint32_t)rc));
	core_unlock(c);
	return rc;
}

int mdc_core_resume(struct mdc_core *c, uint32_t set, unsigned int cls,
		    bool keep_class1)
{
	struct mdc_setstate *ss;
	uint32_t s, lo = set, hi = set;
	unsigned int low = keep_class1 ? 2 : 1;

	if (set >= MDC_MAXSETS || cls >= MDC_NCLASSES)
		return MDC_CS_EINVAL;
	if (set == 0)
		lo = 1, hi = MDC_MAXSETS - 1;
	core_lock(c);
	for (s = lo; s <= hi; s++) {
		ss = &c->mc_sets[s];
		if (cls != 0) {
			bool was = ss->ss_cflags[cls] & CF_SUSPENDED;

			ss->ss_cflags[cls] &= (uint8_t)~CF_SUSPEND1;
			if (was && !(ss->ss_cflags[cls] & CF_SUSPENDED))
				event(c, MDC_EV_RESUME, s, cls);
			continue;
		}
		resume_all(c, s, low, CF_SUSPEND1 | CF_SUSPENDALL);
	}
	if (set == 0 && cls == 0)
		c->mc_aborted = false;
	DBG(c, MDC_MMV_MISC, "resume set %u class %u", set, cls);
	core_unlock(c);
	return MDC_CS_ACK;
}

int mdc_core_lock(struct mdc_core *c, uint32_t set, unsigned int cls, bool lock)
{
	uint32_t s, lo = set, hi = set;
	unsigned int k;

	if (set >= MDC_MAXSETS || cls >= MDC_NCLASSES)
		return MDC_CS_EINVAL;
	if (set == 0)
		lo = 1, hi = MDC_MAXSETS - 1;
	core_lock(c);
	for (s = lo; s <= hi; s++)
		for (k = cls ? cls : 1; k <= (cls ? cls : MDC_NCLASSES - 1);
		     k++) {
			if (lock)
				c->mc_sets[s].ss_cflags[k] |= CF_LOCKED;
			else
				c->mc_sets[s].ss_cflags[k] &=
					(uint8_t)~CF_LOCKED;
		}
	core_unlock(c);
	return MDC_CS_ACK;
}

int mdc_core_reinit(struct mdc_core *c, uint32_t set)
{
	uint32_t nodes[MDC_MAXNODES];
	struct mdc_setstate *ss;
	meta_error_t err;
	size_t n = 0, i;
	int ret = MDC_CS_ACK;

	if (set == 0 || set >= MDC_MAXSETS)
		return MDC_CS_EINVAL;
	core_lock(c);
	ss = &c->mc_sets[set];
	if (c->mc_cfg.cc_nodelist == NULL) {
		ss->ss_have_nodes = false;
		goto out;
	}
	meta_error_init(&err);
	if (c->mc_cfg.cc_nodelist(c->mc_cfg.cc_arg, set, nodes, &n, &err) !=
		    0 ||
	    n > MDC_MAXNODES) {
		DBG(c, MDC_MMV_INIT | MDC_MMV_SYSLOG, "reinit set %u: %s", set,
		    meta_strerror(&err));
		ret = MDC_CS_EINVAL;
		goto out;
	}
	memset(ss->ss_nodes, 0, sizeof(ss->ss_nodes));
	for (i = 0; i < n; i++)
		if (nodes[i] >= 1 && nodes[i] <= MDC_MAXNODES)
			ss->ss_nodes[nodes[i]] = 1;
	ss->ss_have_nodes = true;
	DBG(c, MDC_MMV_INIT, "reinit set %u: %zu nodes", set, n);
out:
	core_unlock(c);
	return ret;
}

int mdc_core_abort(struct mdc_core *c)
{
	core_lock(c);
	c->mc_aborted = true;
	DBG(c, MDC_MMV_MISC | MDC_MMV_SYSLOG, "abort state entered");
	core_unlock(c);
	return MDC_CS_ACK;
}

int mdc_core_verbosity(struct mdc_core *c, uint32_t mask)
{
	core_lock(c);
	mdc_dbg_set_mask(c->mc_cfg.cc_dbg, mask);
	core_unlock(c);
	return MDC_CS_ACK;
}

void mdc_core_stats(struct mdc_core *c, struct mdc_core_stats *st)
{
	core_lock(c);
	*st = c->mc_stats;
	core_unlock(c);
}

uint32_t mdc_core_nodeid(struct mdc_core *c)
{
	return c->mc_self; /* set at creation, never changes */
}

size_t mdc_core_members(struct mdc_core *c, uint32_t *ids)
{
	uint32_t node;
	size_t n = 0;

	core_lock(c);
	for (node = 1; node <= MDC_MAXNODES; node++)
		if (c->mc_member[node]) {
			if (ids != NULL)
				ids[n] = node;
			n++;
		}
	core_unlock(c);
	return n;
}

bool mdc_core_idle(struct mdc_core *c)
{
	uint32_t set;
	unsigned int cls;
	bool idle = true;

	core_lock(c);
	for (set = 1; set < MDC_MAXSETS && idle; set++) {
		if (c->mc_sets[set].ss_jobs != NULL)
			idle = false;
		for (cls = 1; cls < MDC_NCLASSES; cls++)
			if (class_busy(&c->mc_sets[set], cls))
				idle = false;
	}
	core_unlock(c);
	return idle;
}
