// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Corosync CPG transport of mdcommd (see include/oban/mdc_transport.h).
 *
 * One CPG handle, opened with cpg_model_initialize(CPG_MODEL_V1) so that
 * totem configuration changes (the cluster's ring, not just our group) are
 * delivered too, starting with the current one
 * (CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF); one libquorum handle tracking
 * quorum changes.
 *
 * Order: every packet goes out with cpg_mcast_joined(CPG_TYPE_AGREED), the
 * only guarantee CPG implements (FIFO is "same as agreed"; SAFE is not
 * implemented), so every member delivers our packets in one total order,
 * and group configuration changes are ordered with them (extended virtual
 * synchrony).  Quorum notifications come through a second IPC channel and
 * are not ordered with the packets, so at each configuration change (group
 * or totem ring), inside its callback and so before any later packet is
 * delivered, the quorum is read again (quorum_getquorate(), synchronous)
 * and given to the core first: the packets that follow a membership
 * change are judged with the quorum corosync has at that moment.  That it
 * is already the new ring's quorum is inferred (corosync synchronises
 * votequorum before CPG, by service order), not proven by a test here; a
 * later notification still corrects it, and one for an older ring than
 * the last one seen is ignored.  The core only uses the quorum to refuse
 * new work.
 *
 * Flow control: corosync answers CS_ERR_TRY_AGAIN while its queues are
 * full (cpg_flow_control_state_get() says so before we try).  We retry
 * with a doubling sleep from 1 ms to 100 ms, for at most MCAST_TRY_MS in
 * all, then fail with ME_COMM_BUSY; the core's timeouts and the sender's
 * retries take it from there.  The caller holds the core's lock while we
 * wait: bounded, and nothing else could be sent meanwhile anyway.
 *
 * Membership: CPG reports processes; mdcommd runs once per node, so the
 * member list is reduced to sorted, distinct node ids.
 *
 * Threading: one thread calls to_dispatch(); to_mcast() may be called from
 * the same thread (inside a callback) or from others: libcpg handles are
 * thread-safe.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <corosync/corotypes.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_msg.h>
#include <oban/mdc_transport.h>
#include <oban/mdc_wire.h>

#define MCAST_TRY_MS 5000
#define JOIN_TRIES 50

struct mdc_cpg {
	cpg_handle_t cp_handle;
	quorum_handle_t cp_qhandle;
	bool cp_have_quorum_handle;
	struct cpg_name cp_group;
	bool cp_joined;
	uint32_t cp_nodeid;
	bool cp_quorate;
	const struct mdc_transport_cb *cp_cb;
	void *cp_cbarg;
	uint64_t cp_ring_seq; /* last totem ring */
	uint64_t cp_try_again; /* TRY_AGAIN answers seen */
	uint64_t cp_flow_waits; /* sends that found flow control on */
};

static int cpg_fail(meta_error_t *ep, cs_error_t rc, const char *what)
{
	return meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT), 0, "corosync",
			      "cannot %s: cs_error %d", what, (int)rc);
}

static void ms_sleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static struct mdc_cpg *cpg_of(cpg_handle_t h)
{
	void *ctx = NULL;

	if (cpg_context_get(h, &ctx) != CS_OK)
		return NULL;
	return ctx;
}

static void cpg_deliver(cpg_handle_t h, const struct cpg_name *group,
			uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct mdc_cpg *cp = cpg_of(h);

	if (cp == NULL || cp->cp_cb == NULL)
		return;
	cp->cp_cb->tc_deliver(cp->cp_cbarg, nodeid, msg, len);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The quorum now, read synchronously, given to the core if it changed:
 * called from the configuration change callbacks, which CPG orders with
 * the packets (see the top of this file).
 */
static void quorum_reread(struct mdc_cpg *cp)
{
	int q = 0;

	if (!cp->cp_have_quorum_handle ||
	    quorum_getquorate(cp->cp_qhandle, &q) != CS_OK)
		return;
	if ((q != 0) == cp->cp_quorate)
		return;
	cp->cp_quorate = q != 0;
	if (cp->cp_cb != NULL)
		cp->cp_cb->tc_quorum(cp->cp_cbarg, cp->cp_quorate);
}

static void cpg_confchg(cpg_handle_t h, const struct cpg_name *group,
			const struct cpg_address *members, size_t nmembers,
			const struct cpg_address *left, size_t nleft,
			const struct cpg_address *joined, size_t njoined)
{
	struct mdc_cpg *cp = cpg_of(h);
	uint32_t ids[CPG_MEMBERS_MAX];
	size_t i, n = 0;

	if (cp == NULL || cp->cp_cb == NULL)
		return;
	for (i = 0; i < nmembers && n < CPG_MEMBERS_MAX; i++)
		if (members[i].nodeid >= 1 && members[i].nodeid <= MDC_MAXNODES)
			ids[n++] = members[i].nodeid;
	qsort(ids, n, sizeof(ids[0]), cmp_u32);
	quorum_reread(cp);
	for (i = 1; i < n;) /* one daemon per node: drop repeats */
		if (ids[i] == ids[i - 1])
			memmove(&ids[i], &ids[i + 1],
				(--n - i) * sizeof(ids[0]));
		else
			i++;
	cp->cp_cb->tc_confchg(cp->cp_cbarg, ids, n);
}

static void cpg_totem_confchg(cpg_handle_t h, struct cpg_ring_id ring,
			      uint32_t n, const uint32_t *members)
{
	struct mdc_cpg *cp = cpg_of(h);

	if (cp == NULL)
		return;
	cp->cp_ring_seq = ring.seq;
	quorum_reread(cp);
}

/* libquorum's context is per handle too. */
static void quorum_notify(quorum_handle_t qh, uint32_t quorate,
			  uint64_t ring_seq, uint32_t nview, uint32_t *view)
{
	const void *ctx = NULL;
	struct mdc_cpg *cp;

	if (quorum_context_get(qh, &ctx) != CS_OK || ctx == NULL)
		return;
	cp = (struct mdc_cpg *)(uintptr_t)ctx;
	if (ring_seq < cp->cp_ring_seq)
		return; /* an older ring's: quorum_reread() has a newer one */
	cp->cp_quorate = quorate != 0;
	if (cp->cp_cb != NULL)
		cp->cp_cb->tc_quorum(cp->cp_cbarg, cp->cp_quorate);
}

static void cpgt_bind(void *tp, const struct mdc_transport_cb *cb, void *arg)
{
	struct mdc_cpg *cp = tp;

	cp->cp_cb = cb;
	cp->cp_cbarg = arg;
}

static int cpgt_join(void *tp, const char *name, meta_error_t *ep)
{
	struct mdc_cpg *cp = tp;
	cs_error_t rc;
	int i;

	if (strlen(name) >= CPG_MAX_NAME_LENGTH)
		return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0, name,
				      "cannot join group");
	memset(&cp->cp_group, 0, sizeof(cp->cp_group));
	cp->cp_group.length = (uint32_t)strlen(name);
	memcpy(cp->cp_group.value, name, cp->cp_group.length);
	for (i = 0; i < JOIN_TRIES; i++) {
		rc = cpg_join(cp->cp_handle, &cp->cp_group);
		if (rc != CS_ERR_TRY_AGAIN)
			break;
		ms_sleep(100);
	}
	if (rc != CS_OK)
		return cpg_fail(ep, rc, "join the cpg group");
	cp->cp_joined = true;
	return 0;
}

static int cpgt_leave(void *tp, meta_error_t *ep)
{
	struct mdc_cpg *cp = tp;
	cs_error_t rc;
	int i;

	if (!cp->cp_joined)
		return 0;
	for (i = 0; i < JOIN_TRIES; i++) {
		rc = cpg_leave(cp->cp_handle, &cp->cp_group);
		if (rc != CS_ERR_TRY_AGAIN)
			break;
		ms_sleep(100);
	}
	if (rc != CS_OK)
		return cpg_fail(ep, rc, "leave the cpg group");
	cp->cp_joined = false;
	return 0;
}

static int cpgt_mcast(void *tp, const void *buf, size_t len, meta_error_t *ep)
{
	struct mdc_cpg *cp = tp;
	cpg_flow_control_state_t fc;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	unsigned int waited = 0, delay = 1;
	cs_error_t rc;

	if (len > MDC_WIRE_MAXLEN)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TOOBIG), 0, NULL,
				      "cannot multicast %zu bytes", len);
	if (cpg_flow_control_state_get(cp->cp_handle, &fc) == CS_OK &&
	    fc == CPG_FLOW_CONTROL_ENABLED)
		cp->cp_flow_waits++;
	for (;;) {
		rc = cpg_mcast_joined(cp->cp_handle, CPG_TYPE_AGREED, &iov, 1);
		if (rc != CS_ERR_TRY_AGAIN)
			break;
		cp->cp_try_again++;
		if (waited >= MCAST_TRY_MS)
			return meta_error_set(ep, SET_ERROR(ME_COMM_BUSY), 0,
					      "corosync",
					      "cannot multicast: queue full "
					      "for %u ms",
					      waited);
		ms_sleep(delay);
		waited += delay;
		delay = delay < 100 ? delay * 2 : 100;
	}
	if (rc != CS_OK)
		return cpg_fail(ep, rc, "multicast");
	return 0;
}

static int cpgt_dispatch(void *tp, int timeout_ms, meta_error_t *ep)
{
	struct mdc_cpg *cp = tp;
	struct pollfd pfd[2];
	int fd, n = 0, rc;
	cs_error_t cs;

	if (cpg_fd_get(cp->cp_handle, &fd) != CS_OK)
		return cpg_fail(ep, CS_ERR_BAD_HANDLE, "poll cpg");
	pfd[n].fd = fd;
	pfd[n++].events = POLLIN;
	if (cp->cp_have_quorum_handle &&
	    quorum_fd_get(cp->cp_qhandle, &fd) == CS_OK) {
		pfd[n].fd = fd;
		pfd[n++].events = POLLIN;
	}
	rc = poll(pfd, (nfds_t)n, timeout_ms);
	if (rc < 0 && errno != EINTR)
		return meta_error_set(ep, SET_ERROR(errno), 0, "corosync",
				      "cannot poll");
	if (rc <= 0)
		return 0;
	if (pfd[0].revents & (POLLERR | POLLHUP))
		return cpg_fail(ep, CS_ERR_LIBRARY, "read cpg (corosync gone)");
	if (pfd[0].revents & POLLIN) {
		cs = cpg_dispatch(cp->cp_handle, CS_DISPATCH_ALL);
		if (cs != CS_OK && cs != CS_ERR_TRY_AGAIN)
			return cpg_fail(ep, cs, "dispatch cpg");
	}
	if (n > 1 && (pfd[1].revents & POLLIN)) {
		cs = quorum_dispatch(cp->cp_qhandle, CS_DISPATCH_ALL);
		if (cs != CS_OK && cs != CS_ERR_TRY_AGAIN)
			return cpg_fail(ep, cs, "dispatch quorum");
	}
	return 0;
}

static int cpgt_fd(void *tp)
{
	struct mdc_cpg *cp = tp;
	int fd;

	return cpg_fd_get(cp->cp_handle, &fd) == CS_OK ? fd : -1;
}

static uint32_t cpgt_nodeid(void *tp)
{
	return ((struct mdc_cpg *)tp)->cp_nodeid;
}

static bool cpgt_quorate(void *tp)
{
	return ((struct mdc_cpg *)tp)->cp_quorate;
}

static void cpgt_destroy(void *tp)
{
	struct mdc_cpg *cp = tp;

	if (cp == NULL)
		return;
	(void)cpgt_leave(cp, NULL);
	if (cp->cp_have_quorum_handle) {
		(void)quorum_trackstop(cp->cp_qhandle);
		(void)quorum_finalize(cp->cp_qhandle);
	}
	(void)cpg_finalize(cp->cp_handle);
	free(cp);
}

static const struct mdc_transport_ops mdc_cpg_ops = {
	.to_name = "cpg",
	.to_bind = cpgt_bind,
	.to_join = cpgt_join,
	.to_leave = cpgt_leave,
	.to_mcast = cpgt_mcast,
	.to_dispatch = cpgt_dispatch,
	.to_fd = cpgt_fd,
	.to_nodeid = cpgt_nodeid,
	.to_quorate = cpgt_quorate,
	.to_destroy = cpgt_destroy,
};

int mdc_cpg_create(struct mdc_transport *t, meta_error_t *ep)
{
	cpg_model_v1_data_t model;
	quorum_callbacks_t qcb = { .quorum_notify_fn = quorum_notify };
	struct mdc_cpg *cp;
	uint32_t qtype = 0;
	int quorate = 0;
	unsigned int nodeid = 0;
	cs_error_t rc;

	cp = calloc(1, sizeof(*cp));
	if (cp == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, NULL,
				      "cannot create cpg transport");
	memset(&model, 0, sizeof(model));
	model.model = CPG_MODEL_V1;
	model.cpg_deliver_fn = cpg_deliver;
	model.cpg_confchg_fn = cpg_confchg;
	model.cpg_totem_confchg_fn = cpg_totem_confchg;
	model.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
	rc = cpg_model_initialize(&cp->cp_handle, CPG_MODEL_V1,
				  (cpg_model_data_t *)&model, cp);
	if (rc != CS_OK) {
		cpg_fail(ep, rc, "connect to corosync cpg");
		goto out_free;
	}
	rc = cpg_local_get(cp->cp_handle, &nodeid);
	if (rc != CS_OK) {
		cpg_fail(ep, rc, "read the local node id");
		goto out_cpg;
	}
	if (nodeid == 0 || nodeid > MDC_MAXNODES) {
		meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT), 0, "corosync",
			       "cannot use node id %u (oban needs 1..%u)",
			       nodeid, MDC_MAXNODES);
		goto out_cpg;
	}
	cp->cp_nodeid = nodeid;
	/* Without libquorum there is no quorum: refuse to start. */
	rc = quorum_initialize(&cp->cp_qhandle, &qcb, &qtype);
	if (rc != CS_OK) {
		cpg_fail(ep, rc, "connect to corosync quorum");
		goto out_cpg;
	}
	cp->cp_have_quorum_handle = true;
	(void)quorum_context_set(cp->cp_qhandle, cp);
	rc = quorum_getquorate(cp->cp_qhandle, &quorate);
	if (rc != CS_OK) {
		cpg_fail(ep, rc, "read quorum");
		goto out_quorum;
	}
	cp->cp_quorate = quorate != 0;
	rc = quorum_trackstart(cp->cp_qhandle, CS_TRACK_CHANGES);
	if (rc != CS_OK) {
		cpg_fail(ep, rc, "track quorum");
		goto out_quorum;
	}
	t->t_ops = &mdc_cpg_ops;
	t->t_priv = cp;
	return 0;

out_quorum:
	(void)quorum_finalize(cp->cp_qhandle);
out_cpg:
	(void)cpg_finalize(cp->cp_handle);
out_free:
	free(cp);
	return -1;
}
