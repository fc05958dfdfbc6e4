// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether a set's drives are free to leave it: the storage area deletes
 * drives, the configuration model knows what is built on them.  A drive that
 * a metadevice or a hot spare pool uses is refused before anything is
 * written (metaset -d), so that no unit is left on a drive the set no longer
 * has.
 */
#include "config.h"

#include <string.h>

#include <oban/debug.h>
#include <oban/mddb.h>
#include <oban/meta_cfg.h>
#include <oban/meta_set.h>

int meta_set_drives_unused(struct meta_set *s, const char *const *names, int n,
			   meta_error_t *ep)
{
	struct meta_drive_info di;
	struct meta_cfgh h;
	int i, rc = 0;

	if (meta_set_db(s) == NULL)
		return 0;
	if (meta_cfgh_init(&h, meta_set_db(s), meta_set_name(s),
			   meta_set_number(s), meta_set_is_mn(s), NULL, NULL,
			   ep) != 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		memset(&di, 0, sizeof(di));
		if (meta_set_drive_find(s, names[i], &di, ep) != 0 ||
		    meta_cfg_drive_unused(h.ch_cfg, di.di_name, ep) != 0)
			rc = -1;
	}
	meta_cfgh_release(&h);
	return rc;
}
