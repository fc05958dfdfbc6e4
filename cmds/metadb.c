// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metadb: show, add and delete a set's state database replicas
 * (doc/man/metadb.8).
 *
 *   metadb -s set [-i]                    the replica table (-i: legend)
 *   metadb -s set -a [-c count] [-l length] drive ...
 *   metadb -s set -d drive ...
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/mdl.h>
#include <oban/meta_set.h>

#include "meta_cmdutil.h"

static const char *prog = "metadb";

static void usage(void)
{
	fprintf(stderr, "usage: metadb -s setname [-i]\n"
			"       metadb -s setname -a [-c count] [-l length] "
			"drive ...\n"
			"       metadb -s setname -d drive ...\n");
}

/* The flag letters, in the order they are printed, with the original's
 * meanings (metadb -i). */
static const struct {
	uint32_t flag;
	char letter;
	const char *text;
} legend[] = {
	{ MDDB_F_ACTIVE, 'a',
	  "replica is active, commits are occurring to this replica" },
	{ MDDB_F_MASTER, 'm',
	  "replica is master, this is replica selected as input" },
	{ MDDB_F_LOCACC, 'l',
	  "locator for this replica was read successfully" },
	{ MDDB_F_UP2DATE, 'u', "replica is up to date" },
	{ MDDB_F_EWRITE, 'W', "replica has device write errors" },
	{ MDDB_F_EMASTER, 'M', "replica had problem with master blocks" },
	{ MDDB_F_EDATA, 'D', "replica had problem with data blocks" },
	{ MDDB_F_EFMT, 'F', "replica had format problems" },
	{ MDDB_F_TOOSMALL, 'S',
	  "replica is too small to hold current data base" },
	{ MDDB_F_EREAD, 'R', "replica had device read errors" },
	{ MDDB_F_NODEV, 'N', "replica's drive was not found on this node" },
};
#define NLEGEND (sizeof(legend) / sizeof(legend[0]))

struct name_find {
	const uint8_t *nf_uuid;
	char nf_name[META_DRIVE_NAMELEN];
};

static int name_cb(void *arg, const struct meta_drive_info *di)
{
	struct name_find *nf = arg;

	if (memcmp(di->di_uuid, nf->nf_uuid, 16) != 0)
		return 0;
	snprintf(nf->nf_name, sizeof(nf->nf_name), "%s", di->di_name);
	return 1;
}

static int show(struct meta_set *s, bool info)
{
	struct mddb *db = meta_set_db(s);
	meta_error_t e;
	size_t k;
	int i;

	if (db == NULL) {
		meta_error_set(&e, ME_MDDB_NOREPLICA, 0, meta_set_name(s),
			       "no replicas in set");
		return meta_cmd_fail(prog, &e);
	}
	printf("\tflags\t\tfirst blk\tblock count\n");
	for (i = 0; i < mddb_replica_count(db); i++) {
		struct mddb_replica_info ri;
		struct name_find nf = { 0 };
		char flags[NLEGEND + 1];

		if (mddb_replica_info(db, i, &ri, &e) != 0)
			return meta_cmd_fail(prog, &e);
		nf.nf_uuid = ri.ri_drive_uuid;
		if (meta_set_drive_foreach(s, name_cb, &nf, &e) != 1)
			snprintf(nf.nf_name, sizeof(nf.nf_name), "%s",
				 "unknown");
		for (k = 0; k < NLEGEND; k++)
			flags[k] = (ri.ri_flags & legend[k].flag) ?
					   legend[k].letter :
					   ' ';
		flags[NLEGEND] = '\0';
		printf("     %s\t%llu\t\t%llu\t\t%s\n", flags,
		       (unsigned long long)(ri.ri_offset / 512),
		       (unsigned long long)(ri.ri_length / 512), nf.nf_name);
	}
	if (mddb_state(db) != MDDB_S_OK)
		printf("state database of set '%s' is %s\n", meta_set_name(s),
		       mddb_state(db) == MDDB_S_STALE ?
			       "stale: read-only until enough replicas "
			       "return" :
			       "short of writable replicas: changes refused");
	if (info)
		for (k = 0; k < NLEGEND; k++)
			printf(" %c - %s\n", legend[k].letter, legend[k].text);
	return META_EXIT_OK;
}

/*
 * What metadb needs to know of @set before it changes replicas: whether it
 * is multi-owner, that a length given with -l is the set's (all the
 * replicas of a set have the length its first drives chose), and that
 * @add more replicas (all the drives' together) keep it within 50, so that
 * an add on several drives is refused before any.
 */
static int set_facts(const char *set, uint64_t length, long add, bool *mn,
		     meta_error_t *ep)
{
	struct meta_set *s;
	uint64_t have;
	char t1[32], t2[32];
	int rc = 0, inuse;

	if (meta_set_open(set, META_SET_RDONLY | (add > 0 ? 0 : META_SET_NODB),
			  &s, ep) != 0)
		return -1;
	*mn = meta_set_is_mn(s);
	have = meta_set_replica_length(s);
	inuse = meta_set_db(s) != NULL ? mddb_replica_count(meta_set_db(s)) : 0;
	if (length != 0 && have != 0 && length != have)
		rc = meta_error_set(ep, ME_MDL_BADSIZE, 0, set,
				    "cannot add replicas of %s (%llu blocks; "
				    "its replicas are %s, %llu blocks) to set",
				    mdl_size_text(length, t1, sizeof(t1)),
				    (unsigned long long)(length / 512),
				    mdl_size_text(have, t2, sizeof(t2)),
				    (unsigned long long)(have / 512));
	/* All the drives' replicas or none: the set's limit before any. */
	else if (add > 0 && inuse + add > MDDB_MAXREPLICAS)
		rc = meta_error_set(ep, ME_MDDB_MAXREPLICAS, 0, set,
				    "cannot add %ld replica%s (%d in use) to "
				    "set",
				    add, add == 1 ? "" : "s", inuse);
	meta_set_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	const char *set = NULL;
	bool add = false, del = false, info = false, counted = false,
	     mn = false;
	uint64_t length = 0;
	long count = 1;
	struct meta_set *s;
	meta_error_t e;
	int c, i, rc = META_EXIT_OK;

	while ((c = getopt(argc, argv, "s:adic:l:")) != -1) {
		switch (c) {
		case 's':
			set = optarg;
			break;
		case 'a':
			add = true;
			break;
		case 'd':
			del = true;
			break;
		case 'i':
			info = true;
			break;
		case 'c':
			if (meta_opt_count(prog, optarg, &count) != 0)
				return META_EXIT_USAGE;
			counted = true;
			break;
		case 'l':
			if (meta_opt_length(prog, optarg, &length) != 0)
				return META_EXIT_USAGE;
			break;
		default:
			usage();
			return META_EXIT_USAGE;
		}
	}
	if (set == NULL || (add && del) || ((add || del) != (optind < argc)) ||
	    (!add && (length != 0 || counted))) {
		usage();
		return META_EXIT_USAGE;
	}
	if ((add || del) &&
	    set_facts(set, add ? length : 0, add ? count * (argc - optind) : 0,
		      &mn, &e) != 0)
		return meta_cmd_fail(prog, &e);
	if ((add || del) && mn && meta_mnset_cluster()) {
		/* Across nodes: META_DB_ATTACH / DETACH through the set's
		 * master, which alone writes the replicas; every other node
		 * re-reads them. */
		for (i = optind; i < argc && rc == META_EXIT_OK; i++)
			if (meta_mnset_replicas(set, argv[i],
						add ? (int)count : 0, &e) != 0)
				rc = meta_cmd_fail(prog, &e);
		return rc;
	}
	if (meta_set_open(set, (add || del) ? 0 : META_SET_RDONLY, &s, &e) != 0)
		return meta_cmd_fail(prog, &e);
	if (!add && !del) {
		rc = show(s, info);
		meta_set_close(s);
		return rc;
	}
	for (i = optind; i < argc && rc == META_EXIT_OK; i++)
		if ((add ? meta_set_replica_add(s, argv[i], (int)count, &e) :
			   meta_set_replica_del(s, argv[i], &e)) != 0)
			rc = meta_cmd_fail(prog, &e);
	meta_set_close(s);
	return rc;
}
