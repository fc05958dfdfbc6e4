/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OBAN_MDC_NODELIST_H
#define OBAN_MDC_NODELIST_H

#include <stdbool.h>

#include <oban/error.h>

/*
 * mdc_nodelist_init - when this node has no node list yet, write it from
 * corosync's configured nodelist (cmap); *@written says whether it did.  A
 * node list already present is kept.  Errors: ENOTCONN (corosync's cmap
 * cannot be reached), and meta_nodelist_write()'s (ME_SET_BADNODELIST when
 * corosync's nodelist does not make a valid one).  Run once, at start.
 */
int mdc_nodelist_init(bool *written, meta_error_t *ep);

#endif /* OBAN_MDC_NODELIST_H */
