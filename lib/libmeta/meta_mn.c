// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The handler framework of include/oban/meta_mn.h: finding a type's
 * handler, and what a handler may do with its context (result, output,
 * error text, higher-class sends).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_core.h>
#include <oban/meta_mn.h>

static meta_mn_handler_fn table_find(const struct meta_mn_handler *t,
				     uint32_t type)
{
	for (; t->mh_fn != NULL; t++)
		if (t->mh_type == type)
			return t->mh_fn;
	return NULL;
}

meta_mn_handler_fn meta_mn_handler_find(uint32_t type)
{
	meta_mn_handler_fn fn = table_find(meta_mn_set_handlers, type);

	return fn != NULL ? fn : table_find(meta_mn_handlers, type);
}

void meta_mn_exit(struct meta_mn_hctx *hx, int exitval)
{
	hx->hx_res->mr_exitval = exitval;
}

static void vout(struct mdc_result *r, const char *fmt, va_list ap)
{
	size_t room;
	int n;

	if (r->mr_outlen >= MDC_MAXOUT - 1)
		return;
	room = MDC_MAXOUT - r->mr_outlen;
	n = vsnprintf((char *)r->mr_out + r->mr_outlen, room, fmt, ap);
	if (n < 0)
		return;
	r->mr_outlen += (size_t)n < room ? (uint32_t)n : (uint32_t)room - 1;
}

void meta_mn_printf(struct meta_mn_hctx *hx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout(hx->hx_res, fmt, ap);
	va_end(ap);
}

int meta_mn_fail(struct meta_mn_hctx *hx, meta_error_t *e)
{
	hx->hx_res->mr_outlen = 0;
	hx->hx_res->mr_exitval = 1;
	meta_mn_printf(hx, "%s", meta_strerror(e));
	return 0;
}

static void hsend_done(void *cookie, const struct mdc_result *res)
{
	(void)cookie;
	(void)res;
}

int meta_mn_hsend(struct meta_mn_hctx *hx, uint32_t type, uint32_t flags,
		  const void *data, uint32_t len, meta_error_t *ep)
{
	struct mdc_send s;

	memset(&s, 0, sizeof(s));
	s.sd_set = hx->hx_set;
	s.sd_type = type;
	s.sd_flags = flags;
	s.sd_data = data;
	s.sd_len = len;
	return mdc_hctx_send(hx->hx_core, &s, hsend_done, NULL, ep);
}
