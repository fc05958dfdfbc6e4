// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metaset: administer sets on this node (doc/man/metaset.8).
 *
 *   metaset [-s set]                      print one set, or every set
 *   metaset -s set -a [-M] -h host ...    create the set with these hosts
 *   metaset -s set -a [-l length] [-c count] [-f] drive ...
 *                                         add drives, each with count
 *                                         replicas (default 1)
 *   metaset -s set -d [-f] drive ...      delete drives
 *   metaset -s set -d [-f] -h host ...    delete the hosts: all of them
 *                                         deletes the set
 *   metaset [-s set] -j | -w              join (bring the replicas up to
 *                                         date, own the set) or withdraw;
 *                                         without -s: every multi-owner set
 *   metaset -s set -P                     purge the set from this node
 *
 * Thin: parses, calls libmeta, prints.  For a multi-owner set, creation,
 * hosts, join and withdraw go to every node as set messages through
 * mdcommd (meta_mnset_*(), doc/storage.md "Sets across nodes"); drives are
 * changed by the set's master, after which every host re-reads them.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mddb.h>
#include <oban/meta_cfg.h>
#include <oban/meta_set.h>

#include "meta_cmdutil.h"

static const char *prog = "metaset";

static void usage(void)
{
	fprintf(stderr,
		"usage: metaset [-s setname]\n"
		"       metaset -s setname -a [-M] -h hostname ...\n"
		"       metaset -s setname -a [-M] [-l length] [-c count] [-f] "
		"drive ...\n"
		"       metaset -s setname -d [-M] [-f] drive ...\n"
		"       metaset -s setname -d [-M] [-f] -h hostname ...\n"
		"       metaset [-s setname] -j | -w\n"
		"       metaset -s setname -P\n");
}

static int print_set(const char *name)
{
	struct meta_set *s;
	meta_error_t e;
	int rc;

	if (meta_set_open(name, META_SET_RDONLY, &s, &e) != 0) {
		meta_error_t e2;

		/* Show what this node knows even when no replica can be
		 * read; then report why. */
		if (e.me_code == ME_SET_NOTFOUND ||
		    meta_set_open(name, META_SET_RDONLY | META_SET_NODB, &s,
				  &e2) != 0)
			return meta_cmd_fail(prog, &e);
		fprintf(stderr, "%s: %s\n", prog, meta_strerror(&e));
	}
	rc = meta_set_print(stdout, s, &e);
	meta_set_close(s);
	return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
}

static int first_drive(void *arg, const struct meta_drive_info *di)
{
	memcpy(arg, di, sizeof(*di));
	return 1;
}

struct host_check {
	const char *hc_name;
	bool hc_found;
};

static int find_host(void *arg, const struct meta_host_info *hi)
{
	struct host_check *hc = arg;

	if (strcmp(hi->hi_name, hc->hc_name) == 0)
		hc->hc_found = true;
	return 0;
}

static int count_host(void *arg, const struct meta_host_info *hi)
{
	(*(int *)arg)++;
	return 0;
}

/* The hosts given must be hosts of the set, each once.  Returns 0 when they
 * are all of its hosts (deleting them deletes the set), 1 when only some,
 * -1 after printing an error. */
static int check_hosts(const char *set, char **hosts, int n)
{
	struct meta_set *s;
	meta_error_t e;
	int i, j, nhosts = 0;

	if (meta_set_open(set, META_SET_RDONLY | META_SET_NODB, &s, &e) != 0)
		return meta_cmd_fail(prog, &e), -1;
	for (i = 0; i < n; i++) {
		struct host_check hc = { .hc_name = hosts[i] };

		meta_set_host_foreach(s, find_host, &hc, &e);
		if (!hc.hc_found) {
			meta_error_set(&e, ME_SET_NOHOST, 0, hosts[i],
				       "cannot delete host from set '%s'", set);
			meta_set_close(s);
			return meta_cmd_fail(prog, &e), -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(hosts[i], hosts[j]) == 0) {
				meta_error_set(&e, EEXIST, 0, hosts[i],
					       "host given twice:");
				meta_set_close(s);
				return meta_cmd_fail(prog, &e), -1;
			}
	}
	meta_set_host_foreach(s, count_host, &nhosts, &e);
	meta_set_close(s);
	return n < nhosts ? 1 : 0;
}

/* Is @set a multi-owner set this node knows? */
static bool is_mn(const char *set)
{
	struct meta_set *s;
	meta_error_t e;
	bool mn;

	if (meta_set_open(set, META_SET_RDONLY | META_SET_NODB, &s, &e) != 0)
		return false;
	mn = meta_set_is_mn(s);
	meta_set_close(s);
	return mn;
}

/* Across nodes only the master changes the drives; the first drives make
 * their adder the master. */
static bool may_change_drives(struct meta_set *s, meta_error_t *ep)
{
	struct meta_nodelist_ent self;

	if (meta_node_self(&self, ep) != 0 ||
	    meta_mnset_alive(meta_set_name(s), ep) != 0)
		return false;
	if (meta_set_db(s) == NULL && meta_set_master(s)[0] == '\0')
		return true;
	if (strcmp(meta_set_master(s), self.ne_name) == 0)
		return true;
	if (meta_set_master(s)[0] == '\0')
		meta_error_set(ep, ME_SET_NOMASTER, 0, meta_set_name(s),
			       "cannot change drives of set");
	else
		meta_error_set(ep, ME_SET_NOTMASTER, 0, meta_set_name(s),
			       "cannot change drives of set (run it on its "
			       "master, %s)",
			       meta_set_master(s));
	return false;
}

struct jw_all {
	bool a_join;
	int a_rc;
};

static int jw_one(void *arg, const char *name)
{
	struct jw_all *a = arg;
	meta_error_t e;

	if (!is_mn(name))
		return 0;
	if ((a->a_join ? meta_mnset_join(name, &e) :
			 meta_mnset_withdraw(name, &e)) != 0)
		a->a_rc = meta_cmd_fail(prog, &e);
	return 0;
}

static int print_one(void *arg, const char *name)
{
	int *rc = arg;

	if (print_set(name) != 0)
		*rc = META_EXIT_FAIL;
	return 0;
}

int main(int argc, char **argv)
{
	const char *set = NULL;
	bool add = false, del = false, mn = false, hosts = false;
	bool force = false, purge = false, join = false, withdraw = false;
	bool cluster, first, doubt;
	uint64_t length = 0;
	long count = 0;
	meta_error_t e;
	struct meta_set *s;
	int c, rc, n;

	while ((c = getopt(argc, argv, "s:adMhl:c:fPjw")) != -1) {
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
		case 'M':
			mn = true;
			break;
		case 'h':
			hosts = true;
			break;
		case 'l':
			if (meta_opt_length(prog, optarg, &length) != 0)
				return META_EXIT_USAGE;
			break;
		case 'c':
			if (meta_opt_count(prog, optarg, &count) != 0)
				return META_EXIT_USAGE;
			break;
		case 'f':
			force = true;
			break;
		case 'P':
			purge = true;
			break;
		case 'j':
			join = true;
			break;
		case 'w':
			withdraw = true;
			break;
		default:
			usage();
			return META_EXIT_USAGE;
		}
	}
	n = argc - optind;
	if ((length != 0 || count != 0) && (!add || hosts)) {
		usage();
		return META_EXIT_USAGE;
	}
	if (join || withdraw) {
		if (join + withdraw + add + del + purge + hosts > 1 || n > 0) {
			usage();
			return META_EXIT_USAGE;
		}
		if (set == NULL) {
			/* Every multi-owner set this node knows. */
			struct jw_all a = { .a_join = join };

			if (meta_set_list(jw_one, &a, &e) < 0)
				return meta_cmd_fail(prog, &e);
			return a.a_rc;
		}
		if (is_mn(set)) {
			int v = META_JV_NOOP;

			rc = join ? meta_mnset_join_verdict(set, &v, &e) :
				    meta_mnset_withdraw(set, &e);
			if (rc)
				return meta_cmd_fail(prog, &e);
			/* A stale join is allowed, and said. */
			if (v == META_JV_MASTER_STALE ||
			    v == META_JV_SLAVE_STALE)
				printf("%s: set %s: joined stale (%s)\n", prog,
				       set,
				       v == META_JV_MASTER_STALE ?
					       "half or fewer of the replicas" :
					       "the master's state database "
					       "is stale");
			return META_EXIT_OK;
		}
		if (meta_set_open(set, 0, &s, &e) != 0)
			return meta_cmd_fail(prog, &e);
		rc = join ? meta_set_join(s, &e) : meta_set_withdraw(s, &e);
		meta_set_close(s);
		return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
	}
	if ((add + del + purge) > 1 || ((add || del || purge) && set == NULL) ||
	    ((add || del) && n == 0) || (purge && n > 0) ||
	    (!add && !del && !purge && (n > 0 || hosts))) {
		usage();
		return META_EXIT_USAGE;
	}
	if (!add && !del && !purge) {
		if (set != NULL)
			return print_set(set);
		rc = META_EXIT_OK;
		if (meta_set_list(print_one, &rc, &e) < 0)
			return meta_cmd_fail(prog, &e);
		return rc;
	}
	if (purge) {
		if (meta_set_destroy(set, true, &e) != 0)
			return meta_cmd_fail(prog, &e);
		return META_EXIT_OK;
	}
	if (add && hosts) {
		/* A new set, or more hosts for an existing one. */
		if (meta_set_open(set, META_SET_NODB, &s, &e) == 0) {
			meta_set_close(s);
			if (is_mn(set)) {
				rc = meta_mnset_hosts(
					set, true,
					(const char *const *)&argv[optind], n,
					&e);
				return rc ? meta_cmd_fail(prog, &e) :
					    META_EXIT_OK;
			}
			if (meta_set_open(set, 0, &s, &e) != 0)
				return meta_cmd_fail(prog, &e);
			rc = meta_set_host_add(
				s, (const char *const *)&argv[optind], n, &e);
			meta_set_close(s);
			return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
		}
		if (e.me_code != ME_SET_NOTFOUND)
			return meta_cmd_fail(prog, &e);
		if (mn)
			rc = meta_mnset_create(
				set, (const char *const *)&argv[optind], n, &e);
		else
			rc = meta_set_create(set, mn,
					     (const char *const *)&argv[optind],
					     n, &e);
		return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
	}
	if (del && hosts) {
		/* On one node the only host is this one: deleting it deletes
		 * the set; -f deletes its drives first. */
		rc = check_hosts(set, &argv[optind], n);
		if (rc < 0)
			return META_EXIT_FAIL;
		if (rc == 1 && is_mn(set)) {
			rc = meta_mnset_hosts(
				set, false, (const char *const *)&argv[optind],
				n, &e);
			return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
		}
		if (rc == 1) { /* some of the hosts: the set stays */
			if (meta_set_open(set, 0, &s, &e) != 0)
				return meta_cmd_fail(prog, &e);
			rc = meta_set_host_del(
				s, (const char *const *)&argv[optind], n, &e);
			meta_set_close(s);
			return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
		}
		cluster = is_mn(set) && meta_mnset_cluster();
		if (force && meta_set_open(set, 0, &s, &e) == 0) {
			struct meta_drive_info di;
			char name[META_DRIVE_NAMELEN];

			if (cluster &&
			    meta_set_drive_foreach(s, first_drive, &di, &e) ==
				    1 &&
			    !may_change_drives(s, &e)) {
				meta_set_close(s);
				return meta_cmd_fail(prog, &e);
			}
			while (meta_set_drive_foreach(s, first_drive, &di,
						      &e) == 1) {
				const char *one = name;

				snprintf(name, sizeof(name), "%s", di.di_name);
				if (meta_set_drive_del(s, &one, 1, true, &e) !=
				    0) {
					meta_set_close(s);
					return meta_cmd_fail(prog, &e);
				}
			}
			meta_set_close(s);
		}
		if (cluster)
			rc = meta_mnset_hosts(
				set, false, (const char *const *)&argv[optind],
				n, &e);
		else
			rc = meta_set_destroy(set, false, &e);
		return rc ? meta_cmd_fail(prog, &e) : META_EXIT_OK;
	}
	cluster = is_mn(set) && meta_mnset_cluster();
	if (meta_set_open(set, 0, &s, &e) != 0)
		return meta_cmd_fail(prog, &e);
	first = meta_set_db(s) == NULL;
	if (cluster && !may_change_drives(s, &e)) {
		meta_set_close(s);
		return meta_cmd_fail(prog, &e);
	}
	if (add)
		rc = meta_set_drive_add_count(
			s, (const char *const *)&argv[optind], n, length,
			count > 0 ? (uint32_t)count : 1, force, &e);
	else if (meta_set_drives_unused(s, (const char *const *)&argv[optind],
					n, &e) != 0)
		rc = -1;
	else
		rc = meta_set_drive_del(s, (const char *const *)&argv[optind],
					n, force, &e);
	/* A drive add or delete whose commit is in doubt: every host re-reads
	 * the set to see which way it went (an add kept the drives' labels
	 * and replicas). */
	doubt = rc != 0 && !first && meta_set_db(s) != NULL &&
		mddb_commit_in_doubt(meta_set_db(s));
	meta_set_close(s);
	if (rc != 0) {
		meta_error_t e2;

		meta_error_init(&e2);
		if (doubt && cluster &&
		    meta_mnset_drives_changed(set, false, &e2) != 0)
			fprintf(stderr, "%s: %s\n", prog, meta_strerror(&e2));
		return meta_cmd_fail(prog, &e);
	}
	/* Every host re-reads the set's drives from its replicas; the first
	 * drives made this node the master, which every host records. */
	if (cluster && meta_mnset_drives_changed(set, add && first, &e) != 0)
		return meta_cmd_fail(prog, &e);
	return META_EXIT_OK;
}
