// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening a set's configuration: meta_set (the storage area) gives the
 * set's mddb and resolves drive names; meta_cfg_store.c does the rest.
 *
 * This file holds only meta_cfg_open() and meta_cfg_close(), so that the
 * command tests can link their own pair (a set over plain files) in its
 * place without pulling this one from the archive.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/mddb.h>
#include <oban/meta_dev.h>
#include <oban/meta_cfg.h>
#include <oban/meta_set.h>
#include <oban/meta_spwm.h>

/* The model's drive lookup: the set's drives, sizes in blocks. */
static int set_lookup(void *arg, const char *name, struct meta_drive *d,
		      meta_error_t *ep)
{
	struct meta_drive_info di;

	memset(&di, 0, sizeof(di));
	if (meta_set_drive_find(arg, name, &di, ep) != 0)
		return -1;
	memset(d, 0, sizeof(*d));
	snprintf(d->md_name, sizeof(d->md_name), "%s", di.di_name);
	memcpy(d->md_uuid, di.di_uuid, sizeof(d->md_uuid));
	d->md_len = di.di_data_length / 512;
	d->md_nrepl = di.di_nreplicas;
	return 0;
}

/* The probe: the drive found on this node, its data area's ends read. */
static int set_probe(void *arg, const char *name, meta_error_t *ep)
{
	struct meta_drive_info di;
	struct meta_dev *dev = NULL;
	void *buf = NULL;
	int rc = -1;

	memset(&di, 0, sizeof(di));
	if (meta_set_drive_find(arg, name, &di, ep) != 0)
		return -1;
	if (di.di_path[0] == '\0')
		return meta_error_set(ep, SET_ERROR(ME_MDL_NOTFOUND), 0, name,
				      "cannot find on this node drive");
	if (meta_dev_open(di.di_path, META_DEV_RDONLY, &dev, ep) != 0)
		return -1;
	buf = meta_dev_alloc(dev->md_lsz);
	if (buf == NULL) {
		meta_error_set(ep, SET_ERROR(ENOMEM), 0, name, "cannot probe");
	} else if (di.di_data_length < dev->md_lsz ||
		   meta_dev_read(dev, buf, dev->md_lsz, di.di_data_offset,
				 ep) != 0 ||
		   meta_dev_read(dev, buf, dev->md_lsz,
				 di.di_data_offset +
					 (di.di_data_length / dev->md_lsz - 1) *
						 dev->md_lsz,
				 ep) != 0) {
		if (!meta_error_isset(ep))
			meta_error_set(ep, SET_ERROR(ENXIO), 0, name,
				       "cannot read");
	} else {
		rc = 0;
	}
	free(buf);
	meta_dev_close(dev);
	return rc;
}

int meta_cfg_open(const char *set, struct meta_cfgh **hp, meta_error_t *ep)
{
	struct meta_set *s = NULL;
	struct meta_cfgh *h;

	if (meta_set_open(set, 0, &s, ep) != 0)
		return -1;
	if (meta_set_db(s) == NULL) {
		meta_set_close(s);
		return meta_error_set(ep, SET_ERROR(ME_MDDB_NOREPLICA), 0, set,
				      "cannot read configuration");
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		meta_set_close(s);
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, set,
				      "cannot open configuration");
	}
	if (meta_cfgh_init(h, meta_set_db(s), meta_set_name(s),
			   meta_set_number(s), meta_set_is_mn(s), set_lookup, s,
			   ep) != 0) {
		free(h);
		meta_set_close(s);
		return -1;
	}
	h->ch_priv = s;
	h->ch_probe = set_probe;
	/* After each commit: the extent headers of the drives touched. */
	h->ch_store.ms_post = meta_spwm_post;
	h->ch_store.ms_post_arg = s;
	*hp = h;
	return 0;
}

void meta_cfg_close(struct meta_cfgh *h)
{
	if (h == NULL)
		return;
	meta_cfgh_release(h);
	meta_set_close(h->ch_priv);
	free(h);
}
