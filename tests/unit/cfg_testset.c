// SPDX-License-Identifier: GPL-2.0-or-later
/* A set over plain files for the command tests (see cfg_testset.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/mddb.h>
#include <oban/meta_cfg.h>
#include <oban/meta_dev.h>

#include "cfg_testset.h"

static char setdir[512];
static int nopen;

struct testset {
	struct meta_dev *ts_dev;
	struct mddb *ts_db;
	char ts_dir[700];
};

void testset_dir(const char *dir)
{
	snprintf(setdir, sizeof(setdir), "%s", dir);
}

int testset_open_count(void)
{
	return nopen;
}

static void set_uuid(const char *name, uint8_t *u)
{
	memset(u, 0, 16);
	for (size_t i = 0; name[i] && i < 16; i++)
		u[i] = (uint8_t)name[i];
	u[15] ^= 0x5e;
}

int testset_create(const char *set)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", setdir, set);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(p, sizeof(p), "%s/%s/drives", setdir, set);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(p, sizeof(p), "%s/%s/replica", setdir, set);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)MDDB_MINBYTES * 2) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int testset_drive(const char *set, const char *name, uint64_t blocks)
{
	char p[1024];
	int fd, rc;

	snprintf(p, sizeof(p), "%s/%s/drives/%s", setdir, set, name);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	rc = ftruncate(fd, (off_t)(blocks * 512));
	close(fd);
	return rc;
}

static int ts_lookup(void *arg, const char *name, struct meta_drive *d,
		     meta_error_t *ep)
{
	struct testset *ts = arg;
	const char *base = strrchr(name, '/');
	char p[1024];
	struct stat sb;

	base = base ? base + 1 : name;
	snprintf(p, sizeof(p), "%s/drives/%s", ts->ts_dir, base);
	if (base[0] == '\0' || base[0] == '.' || stat(p, &sb) != 0)
		return meta_error_set(ep, ME_SET_NODRIVE, 0, name,
				      "cannot find drive");
	memset(d, 0, sizeof(*d));
	snprintf(d->md_name, sizeof(d->md_name), "%s", base);
	for (size_t i = 0; base[i] && i < 16; i++)
		d->md_uuid[i] = (uint8_t)base[i];
	d->md_len = (uint64_t)sb.st_size / 512;
	return 0;
}

/* The probe: the drive's file opened and its first and last block read. */
static int ts_probe(void *arg, const char *name, meta_error_t *ep)
{
	struct testset *ts = arg;
	struct meta_dev *dev;
	char p[1024];
	void *buf;
	int rc;

	snprintf(p, sizeof(p), "%s/drives/%s", ts->ts_dir, name);
	if (access(p, F_OK) != 0)
		return meta_error_set(ep, ME_MDL_NOTFOUND, 0, name,
				      "cannot find on this node drive");
	if (meta_dev_open(p, META_DEV_RDONLY | META_DEV_NODIRECT, &dev, ep) !=
	    0)
		return -1;
	buf = meta_dev_alloc(dev->md_lsz);
	VERIFY(buf != NULL);
	rc = dev->md_size < dev->md_lsz ?
		     meta_error_set(ep, ENXIO, 0, name, "cannot read") :
	     meta_dev_read(dev, buf, dev->md_lsz, 0, ep) ?:
		     meta_dev_read(dev, buf, dev->md_lsz,
				   (dev->md_size / dev->md_lsz - 1) *
					   dev->md_lsz,
				   ep);
	free(buf);
	meta_dev_close(dev);
	return rc;
}

int meta_cfg_open(const char *set, struct meta_cfgh **hp, meta_error_t *ep)
{
	struct mddb_replica_spec spec;
	struct testset *ts;
	struct meta_cfgh *h;
	uint8_t uuid[16];
	char p[1024];
	struct stat sb;

	if (meta_setname_check(set, ep) != 0)
		return -1;
	ts = calloc(1, sizeof(*ts));
	h = calloc(1, sizeof(*h));
	VERIFY(ts != NULL && h != NULL);
	snprintf(ts->ts_dir, sizeof(ts->ts_dir), "%s/%s", setdir, set);
	snprintf(p, sizeof(p), "%s/replica", ts->ts_dir);
	if (stat(p, &sb) != 0) {
		free(ts);
		free(h);
		return meta_error_set(ep, ME_SET_NOTFOUND, 0, set,
				      "cannot open set");
	}
	if (meta_dev_open(p, META_DEV_NODIRECT, &ts->ts_dev, ep) != 0)
		goto out_free;
	memset(&spec, 0, sizeof(spec));
	spec.rs_dev = ts->ts_dev;
	spec.rs_length = (uint64_t)sb.st_size;
	memset(spec.rs_drive_uuid, 0x77, 16);
	snprintf(spec.rs_name, sizeof(spec.rs_name), "replica");
	set_uuid(set, uuid);
	if (mddb_open(uuid, &spec, 1, 0, &ts->ts_db, ep) != 0) {
		struct mddb_create_args a = { .ca_setno = 1,
					      .ca_setname = set,
					      .ca_mn = true };

		memcpy(a.ca_set_uuid, uuid, 16);
		if (mddb_create(&a, &spec, 1, &ts->ts_db, ep) != 0)
			goto out_close;
	}
	if (meta_cfgh_init(h, ts->ts_db, set, 1, true, ts_lookup, ts, ep) !=
	    0) {
		mddb_close(ts->ts_db);
		goto out_close;
	}
	h->ch_priv = ts;
	h->ch_probe = ts_probe;
	*hp = h;
	nopen++;
	return 0;
out_close:
	meta_dev_close(ts->ts_dev);
out_free:
	free(ts);
	free(h);
	return -1;
}

void meta_cfg_close(struct meta_cfgh *h)
{
	struct testset *ts;

	if (h == NULL)
		return;
	ts = h->ch_priv;
	meta_cfgh_release(h);
	mddb_close(ts->ts_db);
	meta_dev_close(ts->ts_dev);
	free(ts);
	free(h);
	nopen--;
}
