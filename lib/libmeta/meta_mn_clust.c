// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reconfiguration steps run by hand (metaclust step1 / step2,
 * include/oban/meta_mn.h).  The full reconfiguration cycle (suspend,
 * membership, step1..4, resume, driven by the cluster) is not built yet;
 * these two steps are what a master change needs: every survivor chooses
 * the same master from the same membership and node records, and the new
 * master replays the change log.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_client.h>
#include <oban/mdc_core.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

struct hosts {
	struct mdc_node_info h_ni[MDC_MAXNODES];
	size_t h_n;
	const char *h_master; /* the node records' master, by name */
	uint32_t h_master_id;
	const uint32_t *h_members;
	size_t h_nmembers;
};

static bool is_member(const struct hosts *h, uint32_t id)
{
	for (size_t i = 0; i < h->h_nmembers; i++)
		if (h->h_members[i] == id)
			return true;
	return false;
}

static int host_one(void *arg, const struct meta_host_info *hi)
{
	struct hosts *h = arg;
	struct mdc_node_info *ni;

	if (h->h_n == MDC_MAXNODES || hi->hi_nodeid == 0)
		return 0;
	ni = &h->h_ni[h->h_n++];
	ni->ni_id = hi->hi_nodeid;
	ni->ni_alive = is_member(h, hi->hi_nodeid);
	ni->ni_owner = (hi->hi_flags & META_NODE_OWN) != 0;
	if (h->h_master[0] != '\0' && strcmp(hi->hi_name, h->h_master) == 0)
		h->h_master_id = hi->hi_nodeid;
	return 0;
}

/* Keep only the members' lines of the node list ("id name address"). */
static int nodelist_prune(const uint32_t *members, size_t n, meta_error_t *ep)
{
	char path[4096], tmp[4200], line[1024];
	struct hosts h = { .h_members = members, .h_nmembers = n };
	FILE *in, *out;
	int rc = 0;

	if (oban_path(path, sizeof(path), OBAN_DIR_RUN, "nodelist") == NULL)
		return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0, NULL,
				      "cannot name the node list");
	in = fopen(path, "r");
	if (in == NULL)
		return errno == ENOENT ? 0 :
					 meta_error_set(ep, errno, 0, path,
							"cannot read");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "w");
	if (out == NULL) {
		fclose(in);
		return meta_error_set(ep, errno, 0, tmp, "cannot write");
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		unsigned long id = strtoul(line, NULL, 10);

		if (id != 0 && !is_member(&h, (uint32_t)id))
			continue;
		fputs(line, out);
	}
	fclose(in);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = meta_error_set(ep, errno, 0, tmp, "cannot write");
	if (fclose(out) != 0 && rc == 0)
		rc = meta_error_set(ep, errno, 0, tmp, "cannot write");
	if (rc == 0 && rename(tmp, path) != 0)
		rc = meta_error_set(ep, errno, 0, path, "cannot replace");
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* The set's number and hosts, with liveness from @members. */
static int set_hosts(const char *set, struct hosts *h, uint32_t *setno,
		     meta_error_t *ep)
{
	struct meta_set *s;
	static char master[META_NODE_NAMELEN];
	int rc;

	if (meta_set_open(set, META_SET_RDONLY | META_SET_NODB, &s, ep) != 0)
		return -1;
	if (!meta_set_is_mn(s)) {
		meta_set_close(s);
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, set,
				      "cannot reconfigure set: not "
				      "multi-owner");
	}
	*setno = meta_set_number(s);
	snprintf(master, sizeof(master), "%s", meta_set_master(s));
	h->h_master = master;
	rc = meta_set_host_foreach(s, host_one, h, ep);
	meta_set_close(s);
	return rc;
}

int meta_mn_step1(const char *set, uint32_t *masterp, meta_error_t *ep)
{
	static uint32_t members[MDC_MAXNODES];
	static struct hosts h;
	uint32_t setno, current = 0, master = 0;
	size_t n;
	int answer;

	if (mdc_client_members(members, &n, ep) != 0)
		return -1;
	memset(&h, 0, sizeof(h));
	h.h_members = members;
	h.h_nmembers = n;
	if (set_hosts(set, &h, &setno, ep) != 0)
		return -1;
	if (nodelist_prune(members, n, ep) != 0)
		return -1;
	/* The daemon's master if it has one, else the node records'. */
	if (mdc_client_master(setno, &current, ep) != 0)
		return -1;
	if (current == 0)
		current = h.h_master_id;
	if (mdc_choose_master(h.h_ni, h.h_n, current, &master, ep) != 0)
		return -1;
	if (mdc_client_ctl(MDC_CLIENT_SETMASTER, setno, 0, master, &answer,
			   ep) != 0)
		return -1;
	if (answer != MDC_CS_ACK)
		return meta_error_set(ep,
				      mdc_comm_state_errcode((uint32_t)answer),
				      0, set, "cannot set master %u of set",
				      master);
	*masterp = master;
	return 0;
}

int meta_mn_step2(const char *set, int *replayed, meta_error_t *ep)
{
	struct hosts h;
	uint32_t setno;
	int answer;

	memset(&h, 0, sizeof(h));
	if (set_hosts(set, &h, &setno, ep) != 0)
		return -1;
	if (mdc_client_ctl(MDC_CLIENT_REPLAY, setno, 0, 0, &answer, ep) != 0)
		return -1;
	if (answer < 0)
		return meta_error_set(ep, SET_ERROR(ME_COMM_NOMASTER), 0, set,
				      "cannot replay the change log of set "
				      "here: this node is not its master, or "
				      "the log cannot be read");
	*replayed = answer;
	return 0;
}
