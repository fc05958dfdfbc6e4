// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_error_t: recording an error where it happens and printing it once,
 * where the command or daemon reports it.  See include/oban/error.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/error.h>

struct meta_errmsg {
	int em_code;
	const char *em_msg;
};

static const struct meta_errmsg meta_errmsgs[] = {
#define ME_MSG(name, num, msg) { .em_code = (num), .em_msg = (msg) },
	META_ERRCODES(ME_MSG)
#undef ME_MSG
};

void meta_error_init(meta_error_t *ep)
{
	memset(ep, 0, sizeof(*ep));
}

enum meta_errclass meta_errclass(int code)
{
	if (code == 0)
		return MEC_NONE;
	if (code >= ME_BASE && code < ME_LAST)
		return MEC_OBAN;
	return MEC_SYS;
}

int meta_error_set(meta_error_t *ep, int code, uint32_t node,
		   const char *object, const char *fmt, ...)
{
	va_list ap;

	if (ep == NULL)
		return -1;
	meta_error_init(ep);
	if (code == 0)
		code = ME_INTERNAL;
	ep->me_code = code;
	ep->me_class = meta_errclass(code);
	ep->me_node = node;
	if (object != NULL)
		snprintf(ep->me_object, sizeof(ep->me_object), "%s", object);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(ep->me_what, sizeof(ep->me_what), fmt, ap);
		va_end(ap);
	}
	return -1;
}

bool meta_error_isset(const meta_error_t *ep)
{
	return ep->me_class != MEC_NONE;
}

const char *meta_strcode(int code)
{
	static __thread char unknown[32];
	size_t i;

	if (code == 0)
		return "no error";
	if (code > 0 && code < ME_BASE)
		return strerror(code);
	for (i = 0; i < sizeof(meta_errmsgs) / sizeof(meta_errmsgs[0]); i++)
		if (meta_errmsgs[i].em_code == code)
			return meta_errmsgs[i].em_msg;
	snprintf(unknown, sizeof(unknown), "unknown error %d", code);
	return unknown;
}

const char *meta_strerror(meta_error_t *ep)
{
	char node[32] = "";
	char obj[META_ERR_OBJLEN + 4] = "";
	const char *origin = NULL;
	int n;

	if (!meta_error_isset(ep)) {
		snprintf(ep->me_msg, sizeof(ep->me_msg), "no error");
		return ep->me_msg;
	}
	if (ep->me_object[0] != '\0')
		snprintf(obj, sizeof(obj), "'%s'", ep->me_object);
	if (ep->me_node != 0)
		snprintf(node, sizeof(node), "on node %u", ep->me_node);
#ifdef OBAN_DEBUG
	if (getenv("OBAN_ERROR_ORIGIN") != NULL)
		origin = oban_error_origin();
#endif
	/* "what 'object' on node N: message", leaving out the empty parts. */
	n = snprintf(ep->me_msg, sizeof(ep->me_msg), "%s%s%s%s%s%s%s",
		     ep->me_what, ep->me_what[0] && obj[0] ? " " : "", obj,
		     (ep->me_what[0] || obj[0]) && node[0] ? " " : "", node,
		     ep->me_what[0] || obj[0] || node[0] ? ": " : "",
		     meta_strcode(ep->me_code));
	if (origin != NULL && n > 0 && (size_t)n < sizeof(ep->me_msg))
		snprintf(ep->me_msg + n, sizeof(ep->me_msg) - n, " [%s]",
			 origin);
	return ep->me_msg;
}
