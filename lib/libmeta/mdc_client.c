// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libmeta's client of the local mdcommd; see include/oban/mdc_client.h.
 *
 * Each thread keeps one connection to the daemon's unix socket and makes
 * its calls on it with clnt_call(): a message costs one call, not a
 * connect, an accept and a new server thread each time (doc/bench.md).
 * The connection is opened on a thread's first call and is dropped and
 * opened again when it cannot be trusted: before a call if the daemon
 * closed it (the socket is readable or hung up: a restarted daemon), if
 * the process forked (the child does not share its parent's stream), or
 * if the caller's effective uid, gid or groups changed (the daemon decides
 * access by the credentials of the connect, SO_PEERCRED); and after any
 * call that failed.  A call that could not be written on a kept
 * connection is made once more on a fresh one: the daemon got nothing.
 * The thread's connection is closed when the thread exits.
 *
 * mdc_client_send() runs the retry policy of the
 * message table (mdc_retry_next()) around the call: the first attempt
 * gets a new message id from the daemon, every retry sends the same id,
 * so the completion tables make the retries idempotent.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_client.h>
#include <oban/mdcommd_rpc.h>

/* xdr_void() takes no arguments: a cast of it to xdrproc_t is not clean. */
static bool_t xdr_nothing(XDR *x, void *p)
{
	return TRUE;
}
#include <oban/paths.h>

#define CTL_TIMEOUT_S 60

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Connect to the daemon.  Returns a client, or NULL with @ep set. */
static CLIENT *client_open(meta_error_t *ep)
{
	struct sockaddr_un sun;
	struct netbuf nb;
	CLIENT *cl;
	int fd, err;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (oban_path(sun.sun_path, sizeof(sun.sun_path), OBAN_DIR_RUN,
		      "mdcommd.sock") == NULL) {
		meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0, "mdcommd.sock",
			       "cannot reach mdcommd");
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		meta_error_set(ep, SET_ERROR(errno), 0, sun.sun_path,
			       "cannot reach mdcommd");
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		err = errno;
		close(fd);
		meta_error_set(ep, SET_ERROR(err), 0, sun.sun_path,
			       "cannot reach mdcommd");
		return NULL;
	}
	nb.buf = &sun;
	nb.len = nb.maxlen = sizeof(sun);
	cl = clnt_vc_create(fd, &nb, MDC_PROG, MDC_VERS, 0, 0);
	if (cl == NULL) {
		close(fd);
		meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT), 0,
			       sun.sun_path, "cannot reach mdcommd: %s",
			       clnt_spcreateerror("rpc"));
		return NULL;
	}
	(void)clnt_control(cl, CLSET_FD_CLOSE, NULL);
	return cl;
}

#define CONN_MAXGROUPS 64

/* A thread's kept connection, and who opened it. */
struct client_conn {
	CLIENT *cc_cl;
	int cc_fd;
	pid_t cc_pid;
	uid_t cc_euid;
	gid_t cc_egid;
	int cc_ngroups; /* -1: more than CONN_MAXGROUPS */
	gid_t cc_groups[CONN_MAXGROUPS];
};

static pthread_key_t conn_key;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;
static bool conn_have_key;

static void conn_close(struct client_conn *cc)
{
	if (cc->cc_cl != NULL)
		clnt_destroy(cc->cc_cl); /* CLSET_FD_CLOSE: closes cc_fd */
	cc->cc_cl = NULL;
}

/* Thread exit: close the thread's connection. */
static void conn_free(void *p)
{
	struct client_conn *cc = p;

	if (cc->cc_pid == getpid())
		conn_close(cc);
	else if (cc->cc_cl != NULL)
		clnt_destroy(cc->cc_cl); /* a fork's copy: our fd only */
	free(cc);
}

static void conn_key_create(void)
{
	conn_have_key = pthread_key_create(&conn_key, conn_free) == 0;
}

/* Who calls: effective ids and groups, as the daemon will see them. */
static void conn_who(struct client_conn *cc)
{
	cc->cc_pid = getpid();
	cc->cc_euid = geteuid();
	cc->cc_egid = getegid();
	cc->cc_ngroups = getgroups(CONN_MAXGROUPS, cc->cc_groups);
}

static bool conn_same_who(const struct client_conn *cc)
{
	struct client_conn now;

	conn_who(&now);
	return now.cc_pid == cc->cc_pid && now.cc_euid == cc->cc_euid &&
	       now.cc_egid == cc->cc_egid && now.cc_ngroups >= 0 &&
	       now.cc_ngroups == cc->cc_ngroups &&
	       memcmp(now.cc_groups, cc->cc_groups,
		      (size_t)now.cc_ngroups * sizeof(gid_t)) == 0;
}

/* Did the daemon close its end (or send what nobody asked for)? */
static bool conn_broken(const struct client_conn *cc)
{
	struct pollfd pfd = { .fd = cc->cc_fd, .events = POLLIN };

	return poll(&pfd, 1, 0) != 0;
}

/*
 * This thread's connection, opened if there is none or the one kept
 * cannot be trusted (header comment).  *@kept says whether it was used
 * before.  NULL with @ep set when the daemon cannot be reached.
 */
static struct client_conn *conn_get(bool *kept, meta_error_t *ep)
{
	struct client_conn *cc = NULL;

	*kept = false;
	(void)pthread_once(&conn_once, conn_key_create);
	if (conn_have_key)
		cc = pthread_getspecific(conn_key);
	if (cc == NULL) {
		cc = calloc(1, sizeof(*cc));
		if (cc == NULL) {
			meta_error_set(ep, SET_ERROR(ENOMEM), 0, "mdcommd.sock",
				       "cannot reach mdcommd");
			return NULL;
		}
		if (conn_have_key && pthread_setspecific(conn_key, cc) != 0) {
			free(cc);
			meta_error_set(ep, SET_ERROR(ENOMEM), 0, "mdcommd.sock",
				       "cannot reach mdcommd");
			return NULL;
		}
	}
	if (cc->cc_cl != NULL) {
		if (cc->cc_pid != getpid()) {
			/* A fork's copy: close our fd, never write on it. */
			clnt_destroy(cc->cc_cl);
			cc->cc_cl = NULL;
		} else if (!conn_same_who(cc) || conn_broken(cc)) {
			conn_close(cc);
		} else {
			*kept = true;
			return cc;
		}
	}
	cc->cc_cl = client_open(ep);
	if (cc->cc_cl != NULL &&
	    !clnt_control(cc->cc_cl, CLGET_FD, (char *)&cc->cc_fd)) {
		conn_close(cc);
		meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT), 0,
			       "mdcommd.sock", "cannot reach mdcommd");
	}
	if (cc->cc_cl == NULL) {
		if (!conn_have_key)
			free(cc);
		return NULL;
	}
	conn_who(cc);
	return cc;
}

/*
 * One call on this thread's connection.  0, or -1 with @ep.  Not
 * reentrant within a thread (nothing here calls back).
 */
static int client_call(u_long proc, xdrproc_t xa, void *args, xdrproc_t xr,
		       void *res, unsigned int timeout_s, meta_error_t *ep)
{
	struct timeval tv = { (time_t)timeout_s, 0 };
	struct client_conn *cc;
	enum clnt_stat st;
	bool kept;

	for (;;) {
		cc = conn_get(&kept, ep);
		if (cc == NULL)
			return -1;
		st = clnt_call(cc->cc_cl, proc, xa, args, xr, res, tv);
		if (st == RPC_SUCCESS)
			break;
		conn_close(cc);
		/* Not written on a kept connection: the daemon got nothing. */
		if (!(kept && st == RPC_CANTSEND))
			break;
	}
	if (!conn_have_key) { /* no key: nothing can keep it */
		conn_close(cc);
		free(cc);
	}
	if (st == RPC_SUCCESS)
		return 0;
	if (st == RPC_AUTHERROR)
		return meta_error_set(ep, SET_ERROR(ME_COMM_DENIED), 0,
				      "mdcommd", "cannot call");
	return meta_error_set(ep, SET_ERROR(ME_COMM_TRANSPORT), 0, "mdcommd",
			      "cannot call: %s", clnt_sperrno(st));
}

static void result_from_rpc(const mdc_rpc_result *r, struct mdc_result *out)
{
	memset(out, 0, sizeof(*out));
	out->mr_id.mi_nid = r->rr_id.rid_nid;
	out->mr_id.mi_seq = r->rr_id.rid_seq;
	out->mr_id.mi_sub = (uint8_t)r->rr_id.rid_sub;
	out->mr_type = r->rr_type;
	out->mr_set = r->rr_set;
	out->mr_comm_state = r->rr_comm_state;
	out->mr_exitval = r->rr_exitval;
	out->mr_failing_node = r->rr_failing_node;
	out->mr_outlen = r->rr_out.rr_out_len <= MDC_MAXOUT ?
				 r->rr_out.rr_out_len :
				 MDC_MAXOUT;
	if (out->mr_outlen > 0)
		memcpy(out->mr_out, r->rr_out.rr_out_val, out->mr_outlen);
}

int mdc_client_send(const struct mdc_client_req *rq, struct mdc_result *res,
		    meta_error_t *ep)
{
	const struct mdc_msgtype_info *mt = mdc_msgtype_get(rq->cr_type);
	mdc_rpc_send a;
	mdc_rpc_result r;
	struct mdc_retry rt;
	meta_error_t e;
	uint32_t delay;
	unsigned int timeout;
	int err;

	memset(res, 0, sizeof(*res));
	if (mt == NULL)
		return meta_error_set(ep, SET_ERROR(ME_COMM_UNKNOWN_TYPE), 0,
				      NULL, "cannot send message type %u",
				      rq->cr_type);
	if (rq->cr_len > MDC_MAXDATA)
		return meta_error_set(ep, SET_ERROR(ME_COMM_TOOBIG), 0,
				      mt->mt_name, "cannot send");
	memset(&a, 0, sizeof(a));
	a.rs_set = rq->cr_set;
	a.rs_type = rq->cr_type;
	a.rs_flags = rq->cr_flags;
	a.rs_recipient = rq->cr_recipient;
	a.rs_data.rs_data_len = rq->cr_len;
	a.rs_data.rs_data_val = (char *)(uintptr_t)rq->cr_data;
	/* As the original: the type's timeout for the largest cluster. */
	timeout = mt->mt_timeout * MDC_MAXNODES;
	mdc_retry_init(&rt, mt, rq->cr_flags);
	for (;;) {
		uint32_t cs;

		memset(&r, 0, sizeof(r));
		meta_error_init(&e);
		if (client_call(MDC_RPC_SEND, (xdrproc_t)xdr_mdc_rpc_send, &a,
				(xdrproc_t)xdr_mdc_rpc_result, &r, timeout,
				&e) != 0) {
			/* No daemon, or not allowed: nothing to retry. */
			if (e.me_code != ME_COMM_TRANSPORT) {
				*ep = e;
				return -1;
			}
			cs = MDC_CS_RPC_FAIL;
		} else {
			result_from_rpc(&r, res);
			xdr_free((xdrproc_t)xdr_mdc_rpc_result, (char *)&r);
			cs = res->mr_comm_state;
			if (cs == MDC_CS_EINVAL)
				return meta_error_set(
					ep, SET_ERROR(ME_COMM_BADMSG), 0,
					mt->mt_name,
					"cannot send: refused by mdcommd");
			if (res->mr_id.mi_nid != 0 && !a.rs_has_id) {
				a.rs_has_id = TRUE; /* retries keep the id */
				a.rs_id.rid_nid = res->mr_id.mi_nid;
				a.rs_id.rid_seq = res->mr_id.mi_seq;
			}
		}
		switch (mdc_retry_next(&rt, cs, &delay, &err)) {
		case MDC_RETRY_DONE:
			return 0;
		case MDC_RETRY_FAIL:
			return meta_error_set(ep, SET_ERROR(err), 0,
					      mt->mt_name, "cannot send");
		case MDC_RETRY_AGAIN:
			if (rq->cr_retry != NULL &&
			    rq->cr_retry(rq->cr_retry_arg, delay, ep) != 0)
				return -1;
			sleep_ms(delay);
			break;
		}
	}
}

int mdc_client_ctl(enum mdc_client_op op, uint32_t set, uint32_t cls,
		   uint32_t arg, int *answer, meta_error_t *ep)
{
	mdc_rpc_ctl a = { .rc_set = set, .rc_class = cls, .rc_arg = arg };

	switch (op) {
	case MDC_CLIENT_SUSPEND:
	case MDC_CLIENT_RESUME:
	case MDC_CLIENT_LOCK:
	case MDC_CLIENT_REINIT:
	case MDC_CLIENT_ABORT:
	case MDC_CLIENT_VERBOSITY:
	case MDC_CLIENT_SETMASTER:
	case MDC_CLIENT_REPLAY:
		break;
	default:
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, NULL,
				      "cannot make control call %d", (int)op);
	}
	*answer = MDC_CS_NULL;
	return client_call((u_long)op, (xdrproc_t)xdr_mdc_rpc_ctl, &a,
			   (xdrproc_t)xdr_int, answer, CTL_TIMEOUT_S, ep);
}

int mdc_client_ping(uint32_t set, struct mdc_result *res, meta_error_t *ep)
{
	mdc_rpc_ctl a = { .rc_set = set };
	mdc_rpc_result r;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	if (client_call(MDC_RPC_PING, (xdrproc_t)xdr_mdc_rpc_ctl, &a,
			(xdrproc_t)xdr_mdc_rpc_result, &r, CTL_TIMEOUT_S,
			ep) != 0)
		return -1;
	result_from_rpc(&r, res);
	xdr_free((xdrproc_t)xdr_mdc_rpc_result, (char *)&r);
	if (res->mr_comm_state != MDC_CS_ACK)
		return meta_error_set(
			ep,
			SET_ERROR(mdc_comm_state_errcode(res->mr_comm_state)),
			0, "mdcommd", "cannot ping set %u", set);
	return 0;
}

int mdc_client_status(struct mdc_client_status *st, meta_error_t *ep)
{
	mdc_rpc_status r;

	memset(&r, 0, sizeof(r));
	if (client_call(MDC_RPC_STATUS, (xdrproc_t)xdr_nothing, NULL,
			(xdrproc_t)xdr_mdc_rpc_status, &r, CTL_TIMEOUT_S,
			ep) != 0)
		return -1;
	st->cs_nodeid = r.rt_nodeid;
	st->cs_members = r.rt_members;
	st->cs_sent = r.rt_sent;
	st->cs_answered = r.rt_answered;
	st->cs_timeouts = r.rt_timeouts;
	st->cs_runs = r.rt_runs;
	st->cs_mct_hits = r.rt_mct_hits;
	st->cs_master_jobs = r.rt_master_jobs;
	st->cs_bad_packets = r.rt_bad_packets;
	st->cs_inconsistent = r.rt_inconsistent;
	return 0;
}

int mdc_client_members(uint32_t *ids, size_t *n, meta_error_t *ep)
{
	mdc_rpc_members r;

	memset(&r, 0, sizeof(r));
	if (client_call(MDC_RPC_MEMBERS, (xdrproc_t)xdr_nothing, NULL,
			(xdrproc_t)xdr_mdc_rpc_members, &r, CTL_TIMEOUT_S,
			ep) != 0)
		return -1;
	*n = 0;
	for (u_int i = 0; i < r.rm_ids.rm_ids_len && i < MDC_MAXNODES; i++)
		ids[(*n)++] = r.rm_ids.rm_ids_val[i];
	xdr_free((xdrproc_t)xdr_mdc_rpc_members, (char *)&r);
	return 0;
}

int mdc_client_master(uint32_t set, uint32_t *master, meta_error_t *ep)
{
	mdc_rpc_ctl a;
	int r = -1;

	memset(&a, 0, sizeof(a));
	a.rc_set = set;
	if (client_call(MDC_RPC_MASTER, (xdrproc_t)xdr_mdc_rpc_ctl, &a,
			(xdrproc_t)xdr_int, &r, CTL_TIMEOUT_S, ep) != 0)
		return -1;
	if (r < 0)
		return meta_error_set(ep, SET_ERROR(ME_COMM_BADSET), 0, NULL,
				      "no set number %u", set);
	*master = (uint32_t)r;
	return 0;
}
