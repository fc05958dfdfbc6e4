// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metadump: the offline inspector (doc/man/metadump.8).  Prints a drive's
 * oban label, then every replica in its replica area: header, commit slots,
 * locators, directory, records, change-log and resync slots.  Reads devices
 * or image files with the library's own decoders; never writes; needs no
 * daemon.
 *
 *   metadump [-q] drive-or-image ...
 *   metadump [-q] -r offset[:length] image ...   a bare replica, no label
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>

#include "meta_cmdutil.h"

static const char *prog = "metadump";

static int dump_label(const char *path, struct meta_dev *d, bool records)
{
	struct mdl_label l;
	meta_error_t e;
	char u1[37], u2[37];
	uint32_t i;
	int rc = META_EXIT_OK;

	if (mdl_label_read(d, &l, &e) != 0)
		return meta_cmd_fail(prog, &e);
	mdl_uuid_format(l.ml_drive_uuid, u1);
	mdl_uuid_format(l.ml_set_uuid, u2);
	printf("%s: oban label version %u\n"
	       "  drive '%s' uuid %s\n"
	       "  set '%s' number %u uuid %s%s\n"
	       "  size %" PRIu64 " sector %u\n"
	       "  replica area %" PRIu64 "+%" PRIu64 ": %u x %" PRIu64
	       " bytes\n"
	       "  data area %" PRIu64 "+%" PRIu64 "\n"
	       "  features compat %#" PRIx64 " incompat %#" PRIx64
	       " ro_compat %#" PRIx64 "\n",
	       path, l.ml_version, l.ml_name, u1, l.ml_setname, l.ml_setno, u2,
	       (l.ml_flags & MDL_LF_MN) ? " (multi-owner)" : "", l.ml_size,
	       l.ml_lsz, l.ml_rep_off, l.ml_rep_len, l.ml_rep_cap,
	       l.ml_rep_size, l.ml_data_off, l.ml_data_len, l.ml_compat,
	       l.ml_incompat, l.ml_ro_compat);
	for (i = 0; i < l.ml_rep_cap; i++)
		if (mddb_dump_replica(d, l.ml_rep_off + i * l.ml_rep_size,
				      l.ml_rep_size, records, stdout, &e) != 0)
			rc = meta_cmd_fail(prog, &e);
	return rc;
}

int main(int argc, char **argv)
{
	bool records = true, bare = false;
	uint64_t off = 0, len = 0;
	int c, i, rc = META_EXIT_OK;
	char *end;

	while ((c = getopt(argc, argv, "qr:")) != -1) {
		switch (c) {
		case 'q':
			records = false;
			break;
		case 'r':
			bare = true;
			off = strtoull(optarg, &end, 0);
			if (*end == ':')
				len = strtoull(end + 1, &end, 0);
			if (*end != '\0') {
				fprintf(stderr, "%s: invalid offset '%s'\n",
					prog, optarg);
				return META_EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr,
				"usage: metadump [-q] [-r offset[:length]] "
				"drive ...\n");
			return META_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: metadump [-q] [-r offset[:length]] "
				"drive ...\n");
		return META_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		struct meta_dev *d;
		meta_error_t e;

		if (meta_dev_open(argv[i], META_DEV_RDONLY, &d, &e) != 0) {
			rc = meta_cmd_fail(prog, &e);
			continue;
		}
		if (bare) {
			printf("%s:\n", argv[i]);
			if (mddb_dump_replica(d, off,
					      len ? len : d->md_size - off,
					      records, stdout, &e) != 0)
				rc = meta_cmd_fail(prog, &e);
		} else if (dump_label(argv[i], d, records) != META_EXIT_OK) {
			rc = META_EXIT_FAIL;
		}
		meta_dev_close(d);
	}
	return rc;
}
