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

#include "mddb_impl.h"
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
	const struct mddb_head hd = { MDL_VERSION, l->ml_compat, l->ml_incompat,
				      l->ml_ro_compat };
	uint8_t *b = buf;

	mddb_head_encode(b, MDL_LABEL_SIZE, MDL_MAGIC, &hd);
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
	mddb_seal(b, MDL_LABEL_SIZE);
}

/*
 * The areas a label describes: inside the drive, in order, aligned, of
 * sizes mdl_geometry() could have chosen.  Every sum is bounded first, so
 * no hostile value wraps around.
 */
static bool geometry_ok(const struct mdl_label *l)
{
	uint32_t lsz = l->ml_lsz;

	if (lsz < 512 || lsz > 4096 || (lsz & (lsz - 1)) != 0)
		return false;
	if (l->ml_rep_cap == 0 || l->ml_rep_cap > MDDB_MAXREPLICAS ||
	    l->ml_rep_size < MDDB_MINBYTES || l->ml_rep_size > MDDB_MAXBYTES ||
	    l->ml_rep_size % 4096 != 0 ||
	    l->ml_rep_len != (uint64_t)l->ml_rep_cap * l->ml_rep_size)
		return false;
	if (l->ml_rep_off < MDL_LABEL_SIZE || l->ml_rep_off % 4096 != 0 ||
	    l->ml_rep_off > l->ml_size ||
	    l->ml_rep_len > l->ml_size - l->ml_rep_off)
		return false;
	if (l->ml_data_off < l->ml_rep_off + l->ml_rep_len ||
	    l->ml_data_off % MDL_ALIGN != 0 || l->ml_data_off > l->ml_size ||
	    l->ml_data_len > l->ml_size - l->ml_data_off ||
	    l->ml_data_len < MDL_ALIGN || l->ml_data_len % 4096 != 0)
		return false;
	return true;
}

int mdl_label_decode(const void *buf, struct mdl_label *l)
{
	const uint8_t *b = buf;
	struct mddb_head hd;
	int err;

	memset(l, 0, sizeof(*l));
	err = mddb_head_decode(b, MDL_LABEL_SIZE, MDL_MAGIC, ME_MDL_NOLABEL,
			       MDL_VERSION, MDL_FEAT_INCOMPAT_KNOWN, &hd);
	if (err != 0)
		return err;
	l->ml_version = hd.hd_version;
	l->ml_compat = hd.hd_compat;
	l->ml_incompat = hd.hd_incompat;
	l->ml_ro_compat = hd.hd_ro_compat;
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
	if (!geometry_ok(l) || l->ml_setno == 0 ||
	    l->ml_setno > MDDB_SETNO_MAX ||
	    (l->ml_flags & ~MDL_LF_KNOWN) != 0 || l->ml_setname[0] == '\0' ||
	    l->ml_name[0] == '\0')
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

const char *mdl_size_text(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB",
					    "TiB" };
	int u = 0;

	while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, unit[u]);
	return buf;
}

int mdl_geometry(uint64_t size, uint32_t lsz, uint64_t rep_size, uint32_t cap,
		 struct mdl_label *l, meta_error_t *ep)
{
	char t1[32], t2[32], t3[32], t4[32];
	uint64_t data_off;

	if (lsz < 512 || lsz > 4096 || (lsz & (lsz - 1)) != 0)
		return meta_error_set(ep, ME_MDL_BADSIZE, 0, NULL,
				      "cannot lay out a drive of %u-byte "
				      "sectors (512 to 4096, a power of 2) "
				      "on",
				      lsz);
	if (cap == 0 || cap > MDDB_MAXREPLICAS || rep_size < MDDB_MINBYTES ||
	    rep_size > MDDB_MAXBYTES || rep_size % 4096 != 0)
		return meta_error_set(ep, ME_MDL_BADSIZE, 0, NULL,
				      "cannot lay out %u replicas of %llu "
				      "bytes on drive",
				      cap, (unsigned long long)rep_size);
	l->ml_rep_off = MDL_REPLICA_OFFSET;
	l->ml_rep_size = rep_size;
	l->ml_rep_cap = cap;
	l->ml_rep_len = rep_size * cap;
	data_off = (l->ml_rep_off + l->ml_rep_len + MDL_ALIGN - 1) / MDL_ALIGN *
		   MDL_ALIGN;
	if (size < data_off + MDL_ALIGN)
		return meta_error_set(
			ep, ME_MDL_TOOSMALL, 0, NULL,
			"cannot put %u replica%s of %s on a drive of %s (needs "
			"%s: 1 MiB for the label, %s of replicas, 1 MiB of "
			"data)",
			cap, cap == 1 ? "" : "s",
			mdl_size_text(rep_size, t1, sizeof(t1)),
			mdl_size_text(size, t2, sizeof(t2)),
			mdl_size_text(data_off + MDL_ALIGN, t3, sizeof(t3)),
			mdl_size_text(l->ml_rep_len, t4, sizeof(t4)));
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
