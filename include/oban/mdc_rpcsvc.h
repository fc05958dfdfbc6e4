/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdcommd's local RPC server: the unix socket that libmeta's mdc_client_*
 * calls reach (protocol: lib/libmeta/mdcommd.x).
 *
 * One thread accepts; each connection gets a thread of its own, which
 * reads calls, checks the caller's credentials (SO_PEERCRED, and
 * SO_PEERGROUPS for supplementary groups), runs them on the core and
 * writes the replies.  A SEND blocks its connection's thread until the
 * core answers; other connections go on meanwhile.  Root may call
 * everything, members of @monitor_gid only NULL, PING and STATUS; other
 * callers get AUTH_TOOWEAK.  The socket file is mode 0666: access is
 * decided by the credentials, not by the file mode.
 */
#ifndef OBAN_MDC_RPCSVC_H
#define OBAN_MDC_RPCSVC_H

#include <sys/types.h>

#include <oban/error.h>
#include <oban/mdc_core.h>

struct mdc_rpcsvc;

/*
 * mdc_rpcsvc_create - listen on @path (an old socket file there is
 * removed) and serve @c.  @monitor_gid: (gid_t)-1 for no monitor group.
 * Errors: errno (socket, bind, listen), ENAMETOOLONG, ENOMEM.
 */
int mdc_rpcsvc_create(struct mdc_core *c, const char *path, gid_t monitor_gid,
		      struct mdc_rpcsvc **svcp, meta_error_t *ep);

/*
 * mdc_rpcsvc_destroy - stop accepting, close every connection (a SEND
 * still waiting is abandoned; its caller sees the RPC fail), wait for the
 * threads, remove the socket file.  Call before mdc_core_destroy().
 */
void mdc_rpcsvc_destroy(struct mdc_rpcsvc *svc);

#endif /* OBAN_MDC_RPCSVC_H */
