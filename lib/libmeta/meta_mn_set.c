// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The set area's mdcommd handlers (include/oban/meta_mn.h): sides,
 * replica attach and detach, set creation, join and withdraw.
 *
 * Owned by the set area; mdcommd's helper created it with an empty table
 * so that the daemon links before the handlers exist.  Add entries
 * { MDC_MSG_..., fn } before the terminating one.
 */
#include "config.h"

#include <oban/meta_mn.h>

const struct meta_mn_handler meta_mn_set_handlers[] = {
	{ 0, NULL },
};
