// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcommd's own handlers (include/oban/meta_mn.h, meta_mn_handlers[]).
 */
#include "config.h"

#include <oban/meta_mn.h>

static int h_dummy(struct meta_mn_hctx *hx)
{
	meta_mn_exit(hx, 0);
	return 0;
}

const struct meta_mn_handler meta_mn_handlers[] = {
	{ MDC_MSG_TEST1, h_dummy }, { MDC_MSG_TEST2, h_dummy },
	{ MDC_MSG_TEST3, h_dummy }, { MDC_MSG_TEST4, h_dummy },
	{ MDC_MSG_TEST5, h_dummy }, { MDC_MSG_VERBOSITY, h_dummy },
	{ MDC_MSG_ABORT, h_dummy }, { 0, NULL },
};
