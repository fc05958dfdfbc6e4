// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcommd's local RPC server; see include/oban/mdc_rpcsvc.h.
 *
 * A small ONC RPC server of our own rather than libtirpc's svc_run():
 * SEND must block until the cluster answers, and svc_run() serves every
 * connection from one thread.  Each connection has a thread and one
 * xdrrec stream (record marking, as svc_vc does); a call is decoded with
 * xdr_callmsg(), checked (program, version, procedure, credentials), run,
 * and answered with xdr_replymsg().  The procedures are a table indexed by
 * procedure number.
 *
 * Locks: rs_lock (struct mdc_rpcsvc) protects rs_stopping, rs_conns and
 * rs_nconn; rs_cv signals a connection thread's exit.  A SEND waits on its
 * own struct svc_wait (sw_lock, sw_cv), which the core's reply callback
 * completes from whatever thread answers; the wait is reference counted
 * (the waiting thread and the callback) so that a thread that gives up at
 * shutdown never leaves the callback writing into freed memory.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rpc/rpc.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_core.h>
#include <oban/mdc_rpcsvc.h>
#include <oban/mdc_trace.h>
#include <oban/mdcommd_rpc.h>

/* xdr_void() takes no arguments: a cast of it to xdrproc_t is not clean. */
static bool_t xdr_nothing(XDR *x, void *p)
{
	return TRUE;
}

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

struct svc_conn {
	struct svc_conn *cn_next;
	struct mdc_rpcsvc *cn_svc;
	int cn_fd;
	bool cn_root;
	bool cn_monitor;
	struct mdc_result cn_res; /* the reply's output points here */
};

struct mdc_rpcsvc {
	struct mdc_core *rs_core;
	int rs_lfd;
	char rs_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	gid_t rs_monitor_gid;
	pthread_t rs_accept;
	pthread_mutex_t rs_lock; /* protects the three fields below */
	bool rs_stopping;
	struct svc_conn *rs_conns;
	unsigned int rs_nconn;
	pthread_cond_t rs_cv; /* a connection thread ended */
};

/* A SEND or PING waiting for the core's answer. */
struct svc_wait {
	pthread_mutex_t sw_lock;
	pthread_cond_t sw_cv;
	int sw_refs;
	bool sw_done;
	struct mdc_result sw_res;
};

static void wait_rele(struct svc_wait *w)
{
	int left;

	VERIFY0(pthread_mutex_lock(&w->sw_lock));
	left = --w->sw_refs;
	VERIFY0(pthread_mutex_unlock(&w->sw_lock));
	if (left > 0)
		return;
	pthread_mutex_destroy(&w->sw_lock);
	pthread_cond_destroy(&w->sw_cv);
	free(w);
}

static void wait_done(void *cookie, const struct mdc_result *res)
{
	struct svc_wait *w = cookie;

	VERIFY0(pthread_mutex_lock(&w->sw_lock));
	w->sw_res = *res;
	w->sw_done = true;
	VERIFY0(pthread_cond_broadcast(&w->sw_cv));
	VERIFY0(pthread_mutex_unlock(&w->sw_lock));
	wait_rele(w);
}

static struct svc_wait *wait_new(void)
{
	struct svc_wait *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	VERIFY0(pthread_mutex_init(&w->sw_lock, NULL));
	VERIFY0(pthread_cond_init(&w->sw_cv, NULL));
	w->sw_refs = 2; /* this thread, and the reply callback */
	return w;
}

/*
 * Wait for the answer, or for shutdown.  Returns false if abandoned.  The
 * wait is polled every second for rs_stopping, which is set under rs_lock
 * (a different lock), so a missed wake-up costs at most that second.
 */
static bool wait_answer(struct mdc_rpcsvc *svc, struct svc_wait *w,
			struct mdc_result *res)
{
	struct timespec ts;
	bool done, stop;

	VERIFY0(pthread_mutex_lock(&w->sw_lock));
	while (!w->sw_done) {
		VERIFY0(pthread_mutex_unlock(&w->sw_lock));
		VERIFY0(pthread_mutex_lock(&svc->rs_lock));
		stop = svc->rs_stopping;
		VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
		VERIFY0(pthread_mutex_lock(&w->sw_lock));
		if (w->sw_done || stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		(void)pthread_cond_timedwait(&w->sw_cv, &w->sw_lock, &ts);
	}
	done = w->sw_done;
	if (done)
		*res = w->sw_res;
	VERIFY0(pthread_mutex_unlock(&w->sw_lock));
	wait_rele(w);
	return done;
}

static void result_to_rpc(const struct mdc_result *r, mdc_rpc_result *out)
{
	memset(out, 0, sizeof(*out));
	out->rr_id.rid_nid = r->mr_id.mi_nid;
	out->rr_id.rid_seq = r->mr_id.mi_seq;
	out->rr_id.rid_sub = r->mr_id.mi_sub;
	out->rr_type = r->mr_type;
	out->rr_set = r->mr_set;
	out->rr_comm_state = r->mr_comm_state;
	out->rr_exitval = r->mr_exitval;
	out->rr_failing_node = r->mr_failing_node;
	out->rr_out.rr_out_len = r->mr_outlen;
	out->rr_out.rr_out_val = (char *)r->mr_out;
}

/* ---- procedures ------------------------------------------------------- */

typedef void (*svc_proc_fn)(struct svc_conn *cn, void *args, void *res);

static void proc_null(struct svc_conn *cn, void *args, void *res)
{
}

/* Submit, wait, and put the answer in @res (it points into cn_res). */
static void run_send(struct svc_conn *cn, const struct mdc_send *s, bool ping,
		     mdc_rpc_result *res)
{
	struct mdc_rpcsvc *svc = cn->cn_svc;
	struct svc_wait *w = wait_new();
	struct mdc_msgid id = { 0 };
	meta_error_t e;
	int rc;

	memset(&cn->cn_res, 0, sizeof(cn->cn_res));
	cn->cn_res.mr_type = s->sd_type;
	cn->cn_res.mr_set = s->sd_set;
	if (w == NULL) {
		cn->cn_res.mr_comm_state = MDC_CS_THR_CREATE_FAIL;
		goto out;
	}
	meta_error_init(&e);
	mdc_trace(MDC_TR_RPC_IN, 0, 0);
	rc = ping ? mdc_core_ping(svc->rs_core, s->sd_set, wait_done, w, &e) :
		    mdc_core_send(svc->rs_core, s, wait_done, w, &id, &e);
	if (rc != 0) {
		/* Refused outright: the callback will never come. */
		wait_rele(w);
		wait_rele(w);
		cn->cn_res.mr_comm_state = MDC_CS_EINVAL;
		goto out;
	}
	if (!wait_answer(svc, w, &cn->cn_res))
		cn->cn_res.mr_comm_state = MDC_CS_RPC_FAIL;
	mdc_trace_msg(MDC_TR_RPC_OUT, 0, &id);
out:
	result_to_rpc(&cn->cn_res, res);
}

static void proc_send(struct svc_conn *cn, void *args, void *res)
{
	mdc_rpc_send *a = args;
	struct mdc_msgid id;
	struct mdc_send s = {
		.sd_set = a->rs_set,
		.sd_type = a->rs_type,
		.sd_flags = a->rs_flags,
		.sd_recipient = a->rs_recipient,
		.sd_data = a->rs_data.rs_data_val,
		.sd_len = a->rs_data.rs_data_len,
		.sd_sender = a->rs_sender,
	};

	if (a->rs_has_id) {
		memset(&id, 0, sizeof(id));
		id.mi_nid = a->rs_id.rid_nid;
		id.mi_seq = a->rs_id.rid_seq;
		id.mi_sub = (uint8_t)a->rs_id.rid_sub;
		s.sd_id = &id;
	}
	run_send(cn, &s, false, res);
}

static void proc_ping(struct svc_conn *cn, void *args, void *res)
{
	mdc_rpc_ctl *a = args;
	struct mdc_send s = { .sd_set = a->rc_set, .sd_type = MDC_MSG_TEST2 };

	run_send(cn, &s, true, res);
}

static void proc_ctl(struct svc_conn *cn, void *args, void *res, int op)
{
	struct mdc_core *c = cn->cn_svc->rs_core;
	mdc_rpc_ctl *a = args;
	int *out = res;
	meta_error_t e;

	meta_error_init(&e);
	switch (op) {
	case MDC_RPC_SUSPEND:
		*out = mdc_core_suspend(c, a->rc_set, a->rc_class);
		break;
	case MDC_RPC_RESUME:
		*out = mdc_core_resume(c, a->rc_set, a->rc_class,
				       a->rc_arg != 0);
		break;
	case MDC_RPC_LOCK:
		*out = mdc_core_lock(c, a->rc_set, a->rc_class, a->rc_arg != 0);
		break;
	case MDC_RPC_REINIT:
		*out = mdc_core_reinit(c, a->rc_set);
		break;
	case MDC_RPC_ABORT:
		*out = mdc_core_abort(c);
		break;
	case MDC_RPC_VERBOSITY:
		*out = mdc_core_verbosity(c, a->rc_arg);
		break;
	case MDC_RPC_SETMASTER:
		*out = mdc_core_set_master(c, a->rc_set, a->rc_arg, &e) == 0 ?
			       MDC_CS_ACK :
			       MDC_CS_EINVAL;
		break;
	case MDC_RPC_REPLAY:
		*out = mdc_core_replay(c, a->rc_set, &e);
		if (*out < 0)
			fprintf(stderr, "mdcommd: replay of set %u: %s\n",
				a->rc_set, meta_strerror(&e));
		break;
	default:
		*out = MDC_CS_EINVAL;
	}
}

#define CTL(name, num)                                                 \
	static void proc_##name(struct svc_conn *cn, void *a, void *r) \
	{                                                              \
		proc_ctl(cn, a, r, num);                               \
	}
CTL(suspend, MDC_RPC_SUSPEND)
CTL(resume, MDC_RPC_RESUME)
CTL(lock, MDC_RPC_LOCK)
CTL(reinit, MDC_RPC_REINIT)
CTL(abort, MDC_RPC_ABORT)
CTL(verbosity, MDC_RPC_VERBOSITY)
CTL(setmaster, MDC_RPC_SETMASTER)
CTL(replay, MDC_RPC_REPLAY)

static void proc_status(struct svc_conn *cn, void *args, void *res)
{
	struct mdc_core_stats st;
	mdc_rpc_status *out = res;

	mdc_core_stats(cn->cn_svc->rs_core, &st);
	memset(out, 0, sizeof(*out));
	out->rt_members = (u_int)mdc_core_members(cn->cn_svc->rs_core, NULL);
	out->rt_nodeid = mdc_core_nodeid(cn->cn_svc->rs_core);
	out->rt_sent = st.cs_sent;
	out->rt_answered = st.cs_answered;
	out->rt_timeouts = st.cs_timeouts;
	out->rt_runs = st.cs_runs;
	out->rt_mct_hits = st.cs_mct_hits;
	out->rt_master_jobs = st.cs_master_jobs;
	out->rt_bad_packets = st.cs_bad_packets;
	out->rt_inconsistent = st.cs_inconsistent;
}

static void proc_members(struct svc_conn *cn, void *args, void *res)
{
	static __thread u_int ids[MDC_MAXNODES];
	mdc_rpc_members *out = res;
	uint32_t raw[MDC_MAXNODES];
	size_t n = mdc_core_members(cn->cn_svc->rs_core, raw);

	(void)args;
	for (size_t i = 0; i < n; i++)
		ids[i] = raw[i];
	out->rm_ids.rm_ids_len = (u_int)n;
	out->rm_ids.rm_ids_val = ids;
}

static void proc_master(struct svc_conn *cn, void *args, void *res)
{
	const mdc_rpc_ctl *in = args;
	int *out = res;

	*out = in->rc_set > 0 && in->rc_set < MDC_MAXSETS ?
		       (int)mdc_core_master(cn->cn_svc->rs_core, in->rc_set) :
		       -1;
}

struct svc_proc {
	svc_proc_fn sp_fn;
	xdrproc_t sp_xargs;
	size_t sp_argsize;
	xdrproc_t sp_xres;
	size_t sp_ressize;
	bool sp_readonly; /* the monitor group may call it */
};

#define PROC(num, fn, xa, ta, xr, tr, ro)      \
	[num] = { .sp_fn = (fn),               \
		  .sp_xargs = (xdrproc_t)(xa), \
		  .sp_argsize = sizeof(ta),    \
		  .sp_xres = (xdrproc_t)(xr),  \
		  .sp_ressize = sizeof(tr),    \
		  .sp_readonly = (ro) }

static const struct svc_proc svc_procs[] = {
	PROC(MDC_RPC_NULL, proc_null, xdr_nothing, char, xdr_nothing, char,
	     true),
	PROC(MDC_RPC_SEND, proc_send, xdr_mdc_rpc_send, mdc_rpc_send,
	     xdr_mdc_rpc_result, mdc_rpc_result, false),
	PROC(MDC_RPC_SUSPEND, proc_suspend, xdr_mdc_rpc_ctl, mdc_rpc_ctl,
	     xdr_int, int, false),
	PROC(MDC_RPC_RESUME, proc_resume, xdr_mdc_rpc_ctl, mdc_rpc_ctl, xdr_int,
	     int, false),
	PROC(MDC_RPC_LOCK, proc_lock, xdr_mdc_rpc_ctl, mdc_rpc_ctl, xdr_int,
	     int, false),
	PROC(MDC_RPC_REINIT, proc_reinit, xdr_mdc_rpc_ctl, mdc_rpc_ctl, xdr_int,
	     int, false),
	PROC(MDC_RPC_ABORT, proc_abort, xdr_mdc_rpc_ctl, mdc_rpc_ctl, xdr_int,
	     int, false),
	PROC(MDC_RPC_VERBOSITY, proc_verbosity, xdr_mdc_rpc_ctl, mdc_rpc_ctl,
	     xdr_int, int, false),
	PROC(MDC_RPC_PING, proc_ping, xdr_mdc_rpc_ctl, mdc_rpc_ctl,
	     xdr_mdc_rpc_result, mdc_rpc_result, true),
	PROC(MDC_RPC_STATUS, proc_status, xdr_nothing, char, xdr_mdc_rpc_status,
	     mdc_rpc_status, true),
	PROC(MDC_RPC_SETMASTER, proc_setmaster, xdr_mdc_rpc_ctl, mdc_rpc_ctl,
	     xdr_int, int, false),
	PROC(MDC_RPC_REPLAY, proc_replay, xdr_mdc_rpc_ctl, mdc_rpc_ctl, xdr_int,
	     int, false),
	PROC(MDC_RPC_MEMBERS, proc_members, xdr_nothing, char,
	     xdr_mdc_rpc_members, mdc_rpc_members, true),
	PROC(MDC_RPC_MASTER, proc_master, xdr_mdc_rpc_ctl, mdc_rpc_ctl, xdr_int,
	     int, true),
};

#define SVC_NPROCS (sizeof(svc_procs) / sizeof(svc_procs[0]))
_Static_assert(SVC_NPROCS == MDC_RPC_MASTER + 1, "one row per procedure");

/* ---- the connection loop ---------------------------------------------- */

static int conn_read(void *h, void *buf, int len)
{
	struct svc_conn *cn = h;
	ssize_t n;

	do
		n = read(cn->cn_fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	return n > 0 ? (int)n : -1; /* EOF is an error to xdrrec */
}

static int conn_write(void *h, void *buf, int len)
{
	struct svc_conn *cn = h;
	const char *p = buf;
	int left = len;
	ssize_t n;

	while (left > 0) {
		n = write(cn->cn_fd, p, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		left -= (int)n;
	}
	return len;
}

/* Who is calling: root, the monitor group, or nobody we serve. */
static void conn_creds(struct svc_conn *cn)
{
	struct ucred uc;
	gid_t groups[256];
	socklen_t len = sizeof(uc);
	size_t i;

	if (getsockopt(cn->cn_fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0)
		return; /* no credentials: no access */
	cn->cn_root = uc.uid == 0;
	if (cn->cn_svc->rs_monitor_gid == (gid_t)-1)
		return;
	if (uc.gid == cn->cn_svc->rs_monitor_gid)
		cn->cn_monitor = true;
	len = sizeof(groups);
	if (getsockopt(cn->cn_fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		for (i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == cn->cn_svc->rs_monitor_gid)
				cn->cn_monitor = true;
}

static bool send_reply(XDR *x, struct rpc_msg *r)
{
	x->x_op = XDR_ENCODE;
	return xdr_replymsg(x, r) && xdrrec_endofrecord(x, TRUE);
}

static void conn_serve(struct svc_conn *cn)
{
	char credbuf[2 * MAX_AUTH_BYTES];
	union {
		mdc_rpc_send send;
		mdc_rpc_ctl ctl;
		char pad[64];
	} args;
	union {
		mdc_rpc_result result;
		mdc_rpc_status status;
		int i;
	} res;
	const struct svc_proc *sp;
	struct rpc_msg call, reply;
	XDR x;

	_Static_assert(sizeof(mdc_rpc_send) <= sizeof(args), "args fit");
	xdrrec_create(&x, 0, 0, cn, conn_read, conn_write);
	for (;;) {
		x.x_op = XDR_DECODE;
		if (!xdrrec_skiprecord(&x))
			break;
		memset(&call, 0, sizeof(call));
		call.rm_call.cb_cred.oa_base = credbuf;
		call.rm_call.cb_verf.oa_base = credbuf + MAX_AUTH_BYTES;
		if (!xdr_callmsg(&x, &call) || call.rm_direction != CALL)
			break;
		memset(&reply, 0, sizeof(reply));
		reply.rm_xid = call.rm_xid;
		reply.rm_direction = REPLY;
		reply.rm_reply.rp_stat = MSG_ACCEPTED;
		reply.rm_reply.rp_acpt.ar_verf = _null_auth;
		if (call.rm_call.cb_rpcvers != RPC_MSG_VERSION) {
			reply.rm_reply.rp_stat = MSG_DENIED;
			reply.rm_reply.rp_rjct.rj_stat = RPC_MISMATCH;
			reply.rm_reply.rp_rjct.rj_vers.low = RPC_MSG_VERSION;
			reply.rm_reply.rp_rjct.rj_vers.high = RPC_MSG_VERSION;
			if (!send_reply(&x, &reply))
				break;
			continue;
		}
		if (call.rm_call.cb_prog != MDC_PROG) {
			reply.rm_reply.rp_acpt.ar_stat = PROG_UNAVAIL;
			goto reply_only;
		}
		if (call.rm_call.cb_vers != MDC_VERS) {
			reply.rm_reply.rp_acpt.ar_stat = PROG_MISMATCH;
			reply.rm_reply.rp_acpt.ar_vers.low = MDC_VERS;
			reply.rm_reply.rp_acpt.ar_vers.high = MDC_VERS;
			goto reply_only;
		}
		if (call.rm_call.cb_proc >= SVC_NPROCS) {
			reply.rm_reply.rp_acpt.ar_stat = PROC_UNAVAIL;
			goto reply_only;
		}
		sp = &svc_procs[call.rm_call.cb_proc];
		if (!cn->cn_root && !(sp->sp_readonly && cn->cn_monitor)) {
			reply.rm_reply.rp_stat = MSG_DENIED;
			reply.rm_reply.rp_rjct.rj_stat = AUTH_ERROR;
			reply.rm_reply.rp_rjct.rj_why = AUTH_TOOWEAK;
			goto reply_only;
		}
		memset(&args, 0, sizeof(args));
		if (!sp->sp_xargs(&x, &args)) {
			xdr_free(sp->sp_xargs, (char *)&args);
			reply.rm_reply.rp_acpt.ar_stat = GARBAGE_ARGS;
			goto reply_only;
		}
		memset(&res, 0, sizeof(res));
		sp->sp_fn(cn, &args, &res);
		xdr_free(sp->sp_xargs, (char *)&args);
		reply.rm_reply.rp_acpt.ar_stat = SUCCESS;
		reply.rm_reply.rp_acpt.ar_results.where = (caddr_t)&res;
		reply.rm_reply.rp_acpt.ar_results.proc = sp->sp_xres;
		if (!send_reply(&x, &reply))
			break;
		continue;
reply_only:
		reply.rm_reply.rp_acpt.ar_results.where = NULL;
		reply.rm_reply.rp_acpt.ar_results.proc = (xdrproc_t)xdr_nothing;
		if (!send_reply(&x, &reply))
			break;
	}
	xdr_destroy(&x);
}

static void *conn_thread(void *arg)
{
	struct svc_conn *cn = arg, **pp;
	struct mdc_rpcsvc *svc = cn->cn_svc;

	conn_serve(cn);
	VERIFY0(pthread_mutex_lock(&svc->rs_lock));
	for (pp = &svc->rs_conns; *pp != NULL; pp = &(*pp)->cn_next)
		if (*pp == cn) {
			*pp = cn->cn_next;
			break;
		}
	svc->rs_nconn--;
	close(cn->cn_fd);
	free(cn);
	VERIFY0(pthread_cond_broadcast(&svc->rs_cv));
	VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
	return NULL;
}

static void *accept_thread(void *arg)
{
	struct mdc_rpcsvc *svc = arg;
	struct svc_conn *cn;
	pthread_attr_t attr;
	pthread_t tid;
	int fd;

	VERIFY0(pthread_attr_init(&attr));
	VERIFY0(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED));
	for (;;) {
		fd = accept4(svc->rs_lfd, NULL, NULL, SOCK_CLOEXEC);
		VERIFY0(pthread_mutex_lock(&svc->rs_lock));
		if (svc->rs_stopping) {
			VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0) {
			VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			break;
		}
		cn = calloc(1, sizeof(*cn));
		if (cn == NULL) {
			VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
			close(fd);
			continue;
		}
		cn->cn_svc = svc;
		cn->cn_fd = fd;
		conn_creds(cn);
		cn->cn_next = svc->rs_conns;
		svc->rs_conns = cn;
		svc->rs_nconn++;
		if (pthread_create(&tid, &attr, conn_thread, cn) != 0) {
			svc->rs_conns = cn->cn_next;
			svc->rs_nconn--;
			close(fd);
			free(cn);
		}
		VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

int mdc_rpcsvc_create(struct mdc_core *c, const char *path, gid_t monitor_gid,
		      struct mdc_rpcsvc **svcp, meta_error_t *ep)
{
	struct sockaddr_un sun;
	struct mdc_rpcsvc *svc;
	int err;

	memset(&sun, 0, sizeof(sun));
	if (strlen(path) >= sizeof(sun.sun_path))
		return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0, path,
				      "cannot listen");
	svc = calloc(1, sizeof(*svc));
	if (svc == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, path,
				      "cannot listen");
	svc->rs_core = c;
	svc->rs_monitor_gid = monitor_gid;
	strcpy(svc->rs_path, path);
	VERIFY0(pthread_mutex_init(&svc->rs_lock, NULL));
	VERIFY0(pthread_cond_init(&svc->rs_cv, NULL));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	svc->rs_lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (svc->rs_lfd < 0)
		goto out_errno;
	(void)unlink(path);
	if (bind(svc->rs_lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto out_close;
	if (chmod(path, 0666) != 0 || listen(svc->rs_lfd, 64) != 0)
		goto out_unlink;
	err = pthread_create(&svc->rs_accept, NULL, accept_thread, svc);
	if (err != 0) {
		errno = err;
		goto out_unlink;
	}
	*svcp = svc;
	return 0;

out_unlink:
	err = errno;
	(void)unlink(path);
	errno = err;
out_close:
	err = errno;
	close(svc->rs_lfd);
	errno = err;
out_errno:
	err = errno;
	pthread_cond_destroy(&svc->rs_cv);
	pthread_mutex_destroy(&svc->rs_lock);
	free(svc);
	return meta_error_set(ep, SET_ERROR(err), 0, path, "cannot listen");
}

void mdc_rpcsvc_destroy(struct mdc_rpcsvc *svc)
{
	struct svc_conn *cn;

	if (svc == NULL)
		return;
	VERIFY0(pthread_mutex_lock(&svc->rs_lock));
	svc->rs_stopping = true;
	for (cn = svc->rs_conns; cn != NULL; cn = cn->cn_next)
		(void)shutdown(cn->cn_fd, SHUT_RDWR);
	VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
	(void)shutdown(svc->rs_lfd, SHUT_RDWR);
	VERIFY0(pthread_join(svc->rs_accept, NULL));
	VERIFY0(pthread_mutex_lock(&svc->rs_lock));
	while (svc->rs_nconn > 0)
		VERIFY0(pthread_cond_wait(&svc->rs_cv, &svc->rs_lock));
	VERIFY0(pthread_mutex_unlock(&svc->rs_lock));
	close(svc->rs_lfd);
	(void)unlink(svc->rs_path);
	pthread_cond_destroy(&svc->rs_cv);
	pthread_mutex_destroy(&svc->rs_lock);
	free(svc);
}
