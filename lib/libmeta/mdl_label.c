// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdl: the oban drive label and the drive's layout.
 *
 * Theory.  A drive of a set is laid out as
 *
 *   0        4 KiB label (this file), then zeroes up to 1 MiB
 *   1 MiB    replica area: ml_rep_cap replicas of ml_rep_size bytes each
 *   ...      data area: from the next 1 MiB boundary to the end of the
 *            drive, rounded down to 4 KiB; metadevices use only this
 *
 * The label is written once, when the drive joins the set, by the node that
 * adds it, and wiped when it leaves.  It is never rewritten in place while
 * the drive is in the set, so it needs no two-copy scheme: a drive whose
 * label is torn is simply not found, as a drive that failed.
 * The format is in doc/format-label.md.
 */
#include "config.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <oban/debug.h>
#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>

#include "meta_crc.h"

#define MDL_FEAT_INCOMPAT_KNOWN 0ULL

/*
 * Label, 4096 bytes, little-endian:
 *   0 magic "OBANLABL"  8 version  12 size (4096)  16 compat  24 incompat
 *  32 ro_compat  40 drive uuid[16]  56 set uuid[16]  72 set number
 *  76 flags  80 set name[32]  112 drive size  120 replica area offset
 * 128 replica area length  136 replica size  144 replica capacity
 * 148 sector size  152 data offset  160 data length  168 ctime
 * 176 drive name[128]  304..4091 zero  4092 crc32c
 */
void mdl_label_encode(const struct mdl_label *l, void *buf)
{
	uint8_t *b = buf;

	memset(b, 0, MDL_LABEL_SIZE);
	memcpy(b, MDL_MAGIC, 8);
	meta_put32(b + 8, MDL_VERSION);
	meta_put32(b + 12, MDL_LABEL_SIZE);
	meta_put64(b + 16, l->ml_compat);
	meta_put64(b + 24, l->ml_incompat);
	meta_put64(b + 32, l->ml_ro_compat);
	memcpy(b + 40, l->ml_drive_uuid, 16);
	memcpy(b + 56, l->ml_set_uuid, 16);
	meta_put32(b + 72, l->ml_setno);
	meta_put32(b + 76, l->ml_flags);
	memcpy(b + 80, l->ml_setname, 31);
	meta_put64(b + 112, l->ml_size);
	meta_put64(b + 120, l->ml_rep_off);
	meta_put64(b + 128, l->ml_rep_len);
	meta_put64(b + 136, l->ml_rep_size);
	meta_put32(b + 144, l->ml_rep_cap);
	meta_put32(b + 148, l->ml_lsz);
	meta_put64(b + 152, l->ml_data_off);
	meta_put64(b + 160, l->ml_data_len);
	meta_put64(b + 168, l->ml_ctime);
	memcpy(b + 176, l->ml_name, 127);
	meta_put32(b + MDL_LABEL_SIZE - 4, meta_crc_block(b, MDL_LABEL_SIZE));
}

int mdl_label_decode(const void *buf, struct mdl_label *l)
{
	const uint8_t *b = buf;

	if (memcmp(b, MDL_MAGIC, 8) != 0)
		return SET_ERROR(ME_MDL_NOLABEL);
	if (!META_CRC_OK(meta_get32(b + MDL_LABEL_SIZE - 4),
			 meta_crc_block(b, MDL_LABEL_SIZE)))
		return SET_ERROR(ME_MDDB_BADCKSUM);
	memset(l, 0, sizeof(*l));
	l->ml_version = meta_get32(b + 8);
	if (l->ml_version != MDL_VERSION ||
	    meta_get32(b + 12) != MDL_LABEL_SIZE)
		return SET_ERROR(ME_MDDB_BADVERSION);
	l->ml_compat = meta_get64(b + 16);
	l->ml_incompat = meta_get64(b + 24);
	l->ml_ro_compat = meta_get64(b + 32);
	if (l->ml_incompat & ~MDL_FEAT_INCOMPAT_KNOWN)
		return SET_ERROR(ME_MDDB_INCOMPAT);
	memcpy(l->ml_drive_uuid, b + 40, 16);
	memcpy(l->ml_set_uuid, b + 56, 16);
	l->ml_setno = meta_get32(b + 72);
	l->ml_flags = meta_get32(b + 76);
	memcpy(l->ml_setname, b + 80, 31);
	l->ml_size = meta_get64(b + 112);
	l->ml_rep_off = meta_get64(b + 120);
	l->ml_rep_len = meta_get64(b + 128);
	l->ml_rep_size = meta_get64(b + 136);
	l->ml_rep_cap = meta_get32(b + 144);
	l->ml_lsz = meta_get32(b + 148);
	l->ml_data_off = meta_get64(b + 152);
	l->ml_data_len = meta_get64(b + 160);
	l->ml_ctime = meta_get64(b + 168);
	memcpy(l->ml_name, b + 176, 127);
	if (l->ml_rep_cap == 0 || l->ml_rep_cap > MDDB_MAXREPLICAS ||
	    l->ml_rep_size < MDDB_MINBYTES || l->ml_rep_size > MDDB_MAXBYTES ||
	    l->ml_rep_off < MDL_LABEL_SIZE ||
	    l->ml_rep_len != (uint64_t)l->ml_rep_cap * l->ml_rep_size ||
	    l->ml_data_off < l->ml_rep_off + l->ml_rep_len ||
	    l->ml_data_off % MDL_ALIGN != 0 ||
	    l->ml_data_off + l->ml_data_len > l->ml_size || l->ml_setno == 0 ||
	    l->ml_setname[0] == '\0')
		return SET_ERROR(ME_MDDB_CORRUPT);
	return 0;
}

int mdl_label_read(struct meta_dev *d, struct mdl_label *l, meta_error_t *ep)
{
	uint8_t *buf;
	int err;

	if (d->md_size < MDL_LABEL_SIZE)
		return meta_error_set(ep, ME_MDL_NOLABEL, 0, d->md_path,
				      "cannot read label of");
	buf = meta_dev_alloc(MDL_LABEL_SIZE);
	if (buf == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot read label");
	if (meta_dev_read(d, buf, MDL_LABEL_SIZE, 0, ep) != 0) {
		free(buf);
		return -1;
	}
	err = mdl_label_decode(buf, l);
	free(buf);
	if (err == 0 && l->ml_size > d->md_size)
		err = SET_ERROR(ME_MDDB_TRUNCATED);
	if (err != 0)
		return meta_error_set(ep, err, 0, d->md_path,
				      "cannot read label of");
	return 0;
}

int mdl_label_write(struct meta_dev *d, const struct mdl_label *l,
		    meta_error_t *ep)
{
	uint8_t *buf = meta_dev_alloc(MDL_LABEL_SIZE);
	int rc;

	if (buf == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL,
				      "cannot write label");
	mdl_label_encode(l, buf);
	rc = meta_dev_write(d, buf, MDL_LABEL_SIZE, 0, ep);
	if (rc == 0)
		rc = meta_dev_flush(d, ep);
	free(buf);
	return rc;
}

int mdl_label_wipe(struct meta_dev *d, meta_error_t *ep)
{
	uint8_t *buf = meta_dev_alloc(MDL_LABEL_SIZE);
	int rc;

	if (buf == NULL)
		return meta_error_set(ep, ENOMEM, 0, NULL, "cannot wipe label");
	rc = meta_dev_write(d, buf, MDL_LABEL_SIZE, 0, ep);
	if (rc == 0)
		rc = meta_dev_flush(d, ep);
	free(buf);
	return rc;
}

int mdl_geometry(uint64_t size, uint32_t lsz, uint64_t rep_size, uint32_t cap,
		 struct mdl_label *l, meta_error_t *ep)
{
	uint64_t data_off;

	if (cap == 0 || cap > MDDB_MAXREPLICAS || rep_size < MDDB_MINBYTES ||
	    rep_size > MDDB_MAXBYTES || rep_size % 4096 != 0)
		return meta_error_set(ep, ME_MDL_BADSIZE, 0, NULL,
				      "cannot lay out drive");
	l->ml_rep_off = MDL_REPLICA_OFFSET;
	l->ml_rep_size = rep_size;
	l->ml_rep_cap = cap;
	l->ml_rep_len = rep_size * cap;
	data_off = (l->ml_rep_off + l->ml_rep_len + MDL_ALIGN - 1) / MDL_ALIGN *
		   MDL_ALIGN;
	if (size < data_off + MDL_ALIGN)
		return meta_error_set(ep, ME_MDL_TOOSMALL, 0, NULL,
				      "cannot lay out drive (%llu bytes)",
				      (unsigned long long)size);
	l->ml_data_off = data_off;
	l->ml_data_len = (size - data_off) / 4096 * 4096;
	l->ml_size = size;
	l->ml_lsz = lsz;
	return 0;
}

int mdl_probe_signatures(const char *path, char *what, size_t len,
			 meta_error_t *ep)
{
	blkid_probe pr = blkid_new_probe_from_filename(path);
	const char *type = NULL, *usage = NULL;
	int rc;

	if (pr == NULL)
		return meta_error_set(ep, errno ? errno : EIO, 0, path,
				      "cannot probe drive");
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
						      BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	rc = blkid_do_safeprobe(pr);
	if (rc == 0) {
		if (blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL) == 0) {
			snprintf(what, len, "%s partition table", type);
		} else {
			blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
			blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
			snprintf(what, len, "%s %s", type ? type : "unknown",
				 usage && strcmp(usage, "filesystem") == 0 ?
					 "file system" :
				 usage ? usage :
					 "signature");
		}
		rc = 1;
	} else if (rc == -2) {
		snprintf(what, len, "several conflicting signatures");
		rc = 1;
	} else if (rc == 1) {
		rc = 0;
	} else {
		rc = meta_error_set(ep, EIO, 0, path, "cannot probe drive");
	}
	blkid_free_probe(pr);
	return rc;
}

void mdl_uuid_generate(uint8_t uuid[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t n = getrandom(uuid + got, 16 - got, 0);

		VERIFY(n > 0 || errno == EINTR);
		if (n > 0)
			got += (size_t)n;
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

void mdl_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

int mdl_uuid_parse(const char *s, uint8_t uuid[16])
{
	int i = 0;

	while (*s != '\0' && i < 32) {
		unsigned v;

		if (*s == '-') {
			s++;
			continue;
		}
		if (sscanf(s, "%1x", &v) != 1)
			return -1;
		if (i % 2 == 0)
			uuid[i / 2] = (uint8_t)(v << 4);
		else
			uuid[i / 2] |= (uint8_t)v;
		i++;
		s++;
	}
	return (i == 32 && *s == '\0') ? 0 : -1;
}
