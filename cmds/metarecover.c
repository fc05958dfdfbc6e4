// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metarecover - soft partitions and their extent headers (metarecover(8)).
 *
 *   metarecover [-s set] [-n] [-v] component -p       compare
 *   metarecover [-s set] [-n] [-v] component -p -m    headers from the
 *                                                      configuration
 *   metarecover [-s set] [-n] [-v] component -p -d    configuration from
 *                                                      the headers
 *
 * component is a drive of the set (any name meta_set_drive_find() takes)
 * or a soft partition built on a drive (its drive).  The headers and their
 * chain: include/oban/meta_spwm.h; every committed change to a soft
 * partition on a drive writes them (meta_spwm_post()), -m repairs a drive
 * whose write failed.  A drive without soft partitions matches with no
 * header or with the one free header the last metaclear left.  Soft
 * partitions on a metadevice are refused: their headers would be written
 * through the metadevice, which needs the engine (not built).
 *
 * On a multi-owner set it runs only on the set's master.  -m writes the
 * drive and changes no configuration, so it sends no message; -d sends one
 * "metainit -s set dN -p drive -o offset -b blocks ..." per soft partition
 * it recovers through mdcommd (dry run on every node, then the real run),
 * after checking them all on this node's model.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/mdc_client.h>
#include <oban/meta_dev.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>
#include <oban/meta_spwm.h>

#include "cmd_common.h"

static const char usage[] = "[-s set] [-n] [-v] {drive|dN} -p [-d|-m]";

struct rec {
	struct cmd r_c;
	bool r_verbose;
	struct meta_drive_info r_di;
	uint8_t r_setuuid[META_UUIDLEN];
	uint32_t r_setno;
	struct meta_spwm *r_plan; /* from the configuration */
	uint32_t r_nplan;
	bool r_noplan; /* no soft partition: r_plan is the all-free chain */
	struct meta_spwm *r_disk; /* read from the drive */
	uint32_t r_ndisk;
	bool r_disk_ok; /* the whole chain read */
	meta_error_t r_disk_err;
};

/* CMD_OK when this node is the master of multi-owner set c_set. */
static int check_master(struct cmd *c)
{
	struct meta_nodelist_ent self, *ents = NULL;
	char master[META_NODE_NAMELEN] = "";
	uint32_t setno = 0, mid = 0;
	bool mn;
	int n = 0;

	if (meta_node_self(&self, &c->c_err) != 0)
		return cmd_fail(c);
	if (meta_mn_in_daemon()) {
		/* test-only, no mdcommd: the set's own record */
		struct meta_set *s;

		if (meta_set_open(c->c_set, META_SET_RDONLY | META_SET_NODB, &s,
				  &c->c_err) != 0)
			return cmd_fail(c);
		snprintf(master, sizeof(master), "%s", meta_set_master(s));
		meta_set_close(s);
		if (strcmp(master, self.ne_name) == 0)
			return CMD_OK;
	} else {
		if (meta_mn_set_info(c->c_set, &mn, &setno, &c->c_err) != 0 ||
		    mdc_client_master(setno, &mid, &c->c_err) != 0)
			return cmd_fail(c);
		if (mid != 0 && mid == self.ne_id)
			return CMD_OK;
		if (mid != 0 &&
		    meta_nodelist_read(NULL, &ents, &n, NULL) == 0) {
			for (int i = 0; i < n; i++)
				if (ents[i].ne_id == mid)
					snprintf(master, sizeof(master), "%s",
						 ents[i].ne_name);
			free(ents);
		}
		if (mid != 0 && master[0] == '\0')
			snprintf(master, sizeof(master), "node %" PRIu32, mid);
	}
	if (master[0] == '\0')
		meta_error_set(&c->c_err, SET_ERROR(ME_SET_NOMASTER),
			       self.ne_id, c->c_set, "cannot recover set");
	else
		meta_error_set(&c->c_err, SET_ERROR(ME_COMM_NOTMASTER),
			       self.ne_id, c->c_set,
			       "cannot recover (master: %s) set", master);
	return cmd_fail(c);
}

/* Resolve the component: a drive, or a soft partition on a drive. */
static int resolve(struct rec *r, const char *comp)
{
	struct cmd *c = &r->r_c;
	struct meta_set *s = c->c_h->ch_priv;
	const char *drive = comp;
	uint32_t num;

	if (meta_name_is_meta(comp)) {
		const struct meta_unit *u;

		if (cmd_unit(c, comp, &num) != CMD_OK)
			return CMD_FAIL;
		u = meta_cfg_unit(c->c_h->ch_cfg, num);
		if (u == NULL) {
			meta_error_set(&c->c_err, SET_ERROR(ME_CFG_NOENT), 0,
				       cmd_uname(c, num), "cannot recover");
			return cmd_fail(c);
		}
		if (u->mu_type != META_UT_SP ||
		    u->mu_sp.sp_parent != META_NONE) {
			meta_error_set(&c->c_err, SET_ERROR(ME_CFG_BADTYPE), 0,
				       cmd_uname(c, num),
				       "extent headers on a metadevice need "
				       "the engine (not built); cannot "
				       "recover");
			return cmd_fail(c);
		}
		drive = u->mu_sp.sp_drive;
	}
	if (meta_set_drive_find(s, drive, &r->r_di, &c->c_err) != 0)
		return cmd_fail(c);
	if (r->r_di.di_path[0] == '\0') {
		meta_error_set(&c->c_err, SET_ERROR(ME_MDL_NOTFOUND), 0,
			       r->r_di.di_name, "drive not found on this node");
		return cmd_fail(c);
	}
	memcpy(r->r_setuuid, meta_set_uuid(s), META_UUIDLEN);
	r->r_setno = meta_set_number(s);
	return CMD_OK;
}

static void print_wm(const char *how, const struct meta_spwm *w)
{
	if (w->wm_type == META_SPWM_ALLOC)
		printf("%s block %" PRIu64 ": d%" PRIu32 " extent %" PRIu32
		       " of %" PRIu32 ", offset %" PRIu64 ", %" PRIu64
		       " blocks\n",
		       how, w->wm_start, w->wm_unit, w->wm_seq, w->wm_next,
		       w->wm_voff, w->wm_len);
	else
		printf("%s block %" PRIu64 ": free, %" PRIu64 " blocks\n", how,
		       w->wm_start, w->wm_len);
}

/* Read the chain from the drive (a broken chain is kept in r_disk_err). */
static int read_disk(struct rec *r)
{
	struct cmd *c = &r->r_c;
	struct meta_dev *d;

	if (meta_dev_open(r->r_di.di_path, META_DEV_RDONLY, &d, &c->c_err) != 0)
		return cmd_fail(c);
	meta_error_init(&r->r_disk_err);
	r->r_disk_ok = meta_spwm_read(d, r->r_di.di_data_offset,
				      r->r_di.di_data_length / 512,
				      r->r_di.di_name, r->r_setuuid,
				      r->r_di.di_uuid, &r->r_disk, &r->r_ndisk,
				      &r->r_disk_err) == 0;
	meta_dev_close(d);
	if (r->r_verbose)
		for (uint32_t i = 0; i < r->r_ndisk; i++)
			print_wm("on disk", &r->r_disk[i]);
	return CMD_OK;
}

static bool wm_same(const struct meta_spwm *a, const struct meta_spwm *b)
{
	return a->wm_type == b->wm_type && a->wm_unit == b->wm_unit &&
	       a->wm_seq == b->wm_seq && a->wm_next == b->wm_next &&
	       a->wm_start == b->wm_start && a->wm_len == b->wm_len &&
	       a->wm_voff == b->wm_voff;
}

/* -p: compare the headers with the configuration. */
static int do_check(struct rec *r)
{
	struct cmd *c = &r->r_c;
	uint32_t i, bad = 0, nplan = r->r_nplan;

	/* No soft partition: any header but the one free header is extra. */
	if (r->r_noplan &&
	    !(r->r_ndisk == 1 && wm_same(&r->r_plan[0], &r->r_disk[0])))
		nplan = 0;
	for (i = 0; i < nplan; i++) {
		if (i >= r->r_ndisk || !wm_same(&r->r_plan[i], &r->r_disk[i])) {
			print_wm("missing or different:", &r->r_plan[i]);
			bad++;
		}
	}
	for (; i < r->r_ndisk; i++) {
		print_wm("not in the configuration:", &r->r_disk[i]);
		bad++;
	}
	if (r->r_noplan && r->r_ndisk == 0 && !r->r_disk_ok &&
	    r->r_disk_err.me_code == ME_CFG_NOHEADER) {
		printf("%s: no soft partition and no extent header\n",
		       r->r_di.di_name);
		return CMD_OK;
	}
	if (r->r_noplan && bad == 0 && r->r_disk_ok) {
		printf("%s: no soft partition; the free header covers the "
		       "drive\n",
		       r->r_di.di_name);
		return CMD_OK;
	}
	if (!r->r_disk_ok) {
		printf("%s\n", meta_strerror(&r->r_disk_err));
		bad++;
	}
	if (bad == 0) {
		printf("%s: %" PRIu32 " extent headers match the "
		       "configuration\n",
		       r->r_di.di_name, r->r_nplan);
		return CMD_OK;
	}
	meta_error_set(&c->c_err, SET_ERROR(ME_CFG_HDRDIFF), 0, r->r_di.di_name,
		       "%" PRIu32 " differences on drive", bad);
	cmd_fail(c);
	fprintf(stderr, "metarecover: -p -m writes the headers from the "
			"configuration, -p -d the configuration from them\n");
	return CMD_FAIL;
}

/* -m: write the headers from the configuration. */
static int do_write(struct rec *r)
{
	struct cmd *c = &r->r_c;
	struct meta_dev *d;
	int rc;

	if (r->r_verbose || c->c_dry)
		for (uint32_t i = 0; i < r->r_nplan; i++)
			print_wm(c->c_dry ? "would write" : "write",
				 &r->r_plan[i]);
	if (c->c_dry) {
		printf("%s: %" PRIu32 " extent headers would be written\n",
		       r->r_di.di_name, r->r_nplan);
		return CMD_OK;
	}
	if (meta_dev_open(r->r_di.di_path, 0, &d, &c->c_err) != 0)
		return cmd_fail(c);
	rc = meta_spwm_write(d, r->r_di.di_data_offset, r->r_plan, r->r_nplan,
			     &c->c_err);
	meta_dev_close(d);
	if (rc != 0)
		return cmd_fail(c);
	printf("%s: %" PRIu32 " extent headers written\n", r->r_di.di_name,
	       r->r_nplan);
	return CMD_OK;
}

/* The metainit words of soft partition @s: "dN -p drive -o X -b Y ...". */
static char **sp_words(struct rec *r, const struct meta_spwm_sp *s, int *argc)
{
	int n = 3 + 4 * (int)s->ws_next, k = 0;
	char **w = calloc(n + 1, sizeof(*w));
	bool ok = w != NULL;

	if (ok)
		ok = asprintf(&w[k++], "d%" PRIu32, s->ws_unit) > 0 &&
		     (w[k++] = strdup("-p")) != NULL &&
		     (w[k++] = strdup(r->r_di.di_name)) != NULL;
	for (uint32_t i = 0; ok && i < s->ws_next; i++)
		ok = (w[k++] = strdup("-o")) != NULL &&
		     asprintf(&w[k++], "%" PRIu64, s->ws_ext[i].me_poff) > 0 &&
		     (w[k++] = strdup("-b")) != NULL &&
		     asprintf(&w[k++], "%" PRIu64, s->ws_ext[i].me_len) > 0;
	if (!ok) {
		for (int i = 0; w != NULL && i < n; i++)
			free(w[i]);
		free(w);
		return NULL;
	}
	*argc = n;
	return w;
}

static void words_free(char **w, int n)
{
	for (int i = 0; w != NULL && i < n; i++)
		free(w[i]);
	free(w);
}

static bool sp_same(const struct meta_unit *u, const struct meta_spwm_sp *s,
		    const char *drive)
{
	if (u->mu_type != META_UT_SP || u->mu_sp.sp_parent != META_NONE ||
	    strcmp(u->mu_sp.sp_drive, drive) != 0 ||
	    u->mu_sp.sp_next != s->ws_next)
		return false;
	for (uint32_t i = 0; i < s->ws_next; i++)
		if (u->mu_sp.sp_ext[i].me_poff != s->ws_ext[i].me_poff ||
		    u->mu_sp.sp_ext[i].me_len != s->ws_ext[i].me_len)
			return false;
	return true;
}

/*
 * -d: the soft partitions the headers describe and the configuration
 * lacks, checked on the model in memory, then created (through mdcommd on
 * a multi-owner set, after the set is closed here).
 */
static int do_recover(struct rec *r, bool mn)
{
	struct cmd *c = &r->r_c;
	struct meta_spwm_sp *sps = NULL;
	uint32_t nsp = 0, nnew = 0;
	char ***words = NULL, *set = NULL;
	int *nwords = NULL, rc = CMD_OK;

	if (!r->r_disk_ok) {
		c->c_err = r->r_disk_err;
		return cmd_fail(c);
	}
	if (meta_spwm_sps(r->r_disk, r->r_ndisk, c->c_set, &sps, &nsp,
			  &c->c_err) != 0)
		return cmd_fail(c);
	words = calloc(nsp + 1, sizeof(*words));
	nwords = calloc(nsp + 1, sizeof(*nwords));
	set = strdup(c->c_set);
	if (words == NULL || nwords == NULL || set == NULL) {
		meta_error_set(&c->c_err, SET_ERROR(ENOMEM), 0, c->c_set,
			       "cannot recover");
		rc = cmd_fail(c);
		goto out;
	}
	/* Check every one on the model in memory (no store). */
	for (uint32_t i = 0; i < nsp; i++) {
		const struct meta_unit *u =
			meta_cfg_unit(c->c_h->ch_cfg, sps[i].ws_unit);

		if (u != NULL && sp_same(u, &sps[i], r->r_di.di_name)) {
			printf("%s: already in the configuration\n",
			       cmd_uname(c, sps[i].ws_unit));
			continue;
		}
		words[nnew] = sp_words(r, &sps[i], &nwords[nnew]);
		if (words[nnew] == NULL) {
			meta_error_set(&c->c_err, SET_ERROR(ENOMEM), 0,
				       c->c_set, "cannot recover");
			rc = cmd_fail(c);
			goto out;
		}
		if (meta_mdtab_words(c->c_h->ch_cfg, nwords[nnew], words[nnew],
				     NULL, &c->c_err) != 0) {
			rc = cmd_fail(c);
			nnew++;
			goto out;
		}
		nnew++;
	}
	if (c->c_dry || nnew == 0) {
		for (uint32_t i = 0; c->c_dry && i < nnew; i++)
			printf("%s/%s: would be recovered\n", set, words[i][0]);
		goto out;
	}
	if (mn && !meta_mn_in_daemon()) {
		/* Through mdcommd: the set must not be open here. */
		cmd_close(c);
		for (uint32_t i = 0; i < nnew && rc == CMD_OK; i++) {
			int argc = nwords[i] + 3;
			char **argv = calloc(argc + 1, sizeof(*argv));

			if (argv == NULL) {
				meta_error_set(&c->c_err, SET_ERROR(ENOMEM), 0,
					       set, "cannot recover");
				rc = cmd_fail(c);
				break;
			}
			argv[0] = (char *)"metainit";
			argv[1] = (char *)"-s";
			argv[2] = set;
			memcpy(argv + 3, words[i], nwords[i] * sizeof(*argv));
			c->c_set = set;
			rc = cmd_mn_send(c, argc, argv);
			free(argv);
		}
		goto out;
	}
	/* Here: from the model as stored, each its own change. */
	if (meta_cfgh_reload(c->c_h, &c->c_err) != 0) {
		rc = cmd_fail(c);
		goto out;
	}
	for (uint32_t i = 0; i < nnew && rc == CMD_OK; i++) {
		if (meta_mdtab_words(c->c_h->ch_cfg, nwords[i], words[i],
				     &c->c_h->ch_store, &c->c_err) != 0)
			rc = cmd_fail(c);
		else
			printf("%s/%s: Soft Partition is recovered\n", set,
			       words[i][0]);
	}
out:
	for (uint32_t i = 0; words != NULL && i < nnew; i++)
		words_free(words[i], nwords[i]);
	free(words);
	free(nwords);
	free(set);
	meta_spwm_sps_free(sps, nsp);
	return rc;
}

int metarecover_main(int argc, char **argv)
{
	const char *sopt = NULL;
	bool p = false, from_disk = false, to_disk = false, mn = false;
	struct rec r;
	struct cmd *c = &r.r_c;
	int opt, rc;

	memset(&r, 0, sizeof(r));
	cmd_init(c, "metarecover");
	optind = 0;
	while ((opt = getopt(argc, argv, "s:nvpdm")) != -1) {
		switch (opt) {
		case 's':
			sopt = optarg;
			break;
		case 'n':
			c->c_dry = true;
			break;
		case 'v':
			r.r_verbose = true;
			break;
		case 'p':
			p = true;
			break;
		case 'd':
			from_disk = true;
			break;
		case 'm':
			to_disk = true;
			break;
		default:
			return cmd_usage(c, usage);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || !p || (from_disk && to_disk))
		return cmd_usage(c, usage);
	if (meta_mn_cmdctx() != NULL) {
		/* it sends metainit messages; it is never sent itself */
		fprintf(stderr, "metarecover: cannot run inside mdcommd\n");
		return CMD_USAGE;
	}
	rc = cmd_mn_forward_check(c, sopt, 1, argv, &mn);
	if (rc != CMD_OK)
		return rc;
	if (mn) {
		rc = check_master(c);
		if (rc != CMD_OK)
			return rc;
	}
	rc = cmd_open(c, sopt, 1, argv);
	if (rc != CMD_OK)
		return rc;
	rc = resolve(&r, argv[0]);
	if (rc == CMD_OK && to_disk &&
	    meta_spwm_plan(c->c_h->ch_cfg, r.r_di.di_name, r.r_setno,
			   r.r_setuuid, r.r_di.di_uuid,
			   r.r_di.di_data_length / 512, &r.r_plan, &r.r_nplan,
			   &c->c_err) != 0)
		rc = cmd_fail(c);
	if (rc == CMD_OK && !to_disk && !from_disk) {
		/* A drive without soft partitions has nothing to match. */
		if (meta_spwm_plan(c->c_h->ch_cfg, r.r_di.di_name, r.r_setno,
				   r.r_setuuid, r.r_di.di_uuid,
				   r.r_di.di_data_length / 512, &r.r_plan,
				   &r.r_nplan, &c->c_err) == 0) {
			/* the headers of the soft partitions */
		} else if (c->c_err.me_code != ME_CFG_NOENT)
			rc = cmd_fail(c);
		else if ((r.r_plan = calloc(1, sizeof(*r.r_plan))) == NULL) {
			meta_error_set(&c->c_err, SET_ERROR(ENOMEM), 0,
				       r.r_di.di_name, "cannot check");
			rc = cmd_fail(c);
		} else {
			/* What the last metaclear left: one free header. */
			meta_error_init(&c->c_err);
			meta_spwm_plan_free(r.r_setno, r.r_setuuid,
					    r.r_di.di_uuid,
					    r.r_di.di_data_length / 512,
					    r.r_plan);
			r.r_nplan = 1;
			r.r_noplan = true;
		}
	}
	if (rc == CMD_OK && !to_disk)
		rc = read_disk(&r);
	if (rc == CMD_OK) {
		if (to_disk)
			rc = do_write(&r);
		else if (from_disk)
			rc = do_recover(&r, mn);
		else
			rc = do_check(&r);
	}
	free(r.r_plan);
	free(r.r_disk);
	if (c->c_h != NULL)
		cmd_close(c);
	return rc;
}

#ifndef OBAN_CMD_NOMAIN
int main(int argc, char **argv)
{
	return metarecover_main(argc, argv);
}
#endif
