// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta_set_node: who the nodes are, who this node is, and who may join.
 *
 * Theory.  The cluster's membership reaches libmeta through one file, the
 * node list (oban_path(OBAN_DIR_RUN, "nodelist"), facts 6.3): one line per
 * node, "id name address".  Corosync's membership is turned into that file
 * by `metaclust step1` and mdcommd (meta_nodelist_write(), atomic rename);
 * commands and handlers read it (meta_nodelist_read()).  A node is a member
 * ("Member = Yes") when it is in the file.  Without the file the system is
 * a single node: this node, id 1, always a member (seed 004).
 *
 * This node's name is $OBAN_NODENAME (simulated nodes, one machine) or the
 * short host name; its id is the one the node list gives that name.
 *
 * meta_join_check() is the seed's join and withdraw rules as a pure
 * function of what the node knows of the set, so that the rules are tested
 * alone and every node applies the same ones.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oban/mddb.h>
#include <oban/meta_set.h>
#include <oban/paths.h>

static const char *nodelist_path(const char *path, char *buf, size_t len)
{
	if (path != NULL)
		return path;
	return oban_path(buf, len, OBAN_DIR_RUN, "nodelist");
}

static int ent_cmp(const void *a, const void *b)
{
	const struct meta_nodelist_ent *x = a, *y = b;

	return x->ne_id < y->ne_id ? -1 : x->ne_id > y->ne_id;
}

/* The checks shared by reader and writer: ids in range, no id or name
 * twice.  @what names the source for the message. */
static int check_ents(const struct meta_nodelist_ent *e, int n,
		      const char *what, meta_error_t *ep)
{
	int i, j;

	for (i = 0; i < n; i++) {
		if (e[i].ne_id < 1 || e[i].ne_id > META_NODE_MAXID ||
		    e[i].ne_name[0] == '\0')
			return meta_error_set(ep, ME_SET_BADNODELIST, 0, what,
					      "node id %u out of 1..%d in",
					      e[i].ne_id, META_NODE_MAXID);
		for (j = 0; j < i; j++)
			if (e[i].ne_id == e[j].ne_id ||
			    strcmp(e[i].ne_name, e[j].ne_name) == 0)
				return meta_error_set(
					ep, ME_SET_BADNODELIST, 0, what,
					"node %u '%s' listed twice in",
					e[i].ne_id, e[i].ne_name);
	}
	return 0;
}

/* Parse one line into @e: 1 parsed, 0 blank, -1 bad. */
static int parse_line(char *line, struct meta_nodelist_ent *e)
{
	char *f[4], *save = NULL, *end;
	unsigned long id;
	int k = 0;

	line[strcspn(line, "#\n")] = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t != NULL;
	     t = strtok_r(NULL, " \t\r", &save)) {
		if (k == 4)
			return -1;
		f[k++] = t;
	}
	if (k == 0)
		return 0;
	if (k != 3)
		return -1;
	errno = 0;
	id = strtoul(f[0], &end, 10);
	if (errno != 0 || *end != '\0' || f[0][0] < '0' || f[0][0] > '9' ||
	    id < 1 || id > META_NODE_MAXID ||
	    strlen(f[1]) >= sizeof(e->ne_name) ||
	    strlen(f[2]) >= sizeof(e->ne_addr))
		return -1;
	memset(e, 0, sizeof(*e));
	e->ne_id = (uint32_t)id;
	memcpy(e->ne_name, f[1], strlen(f[1]));
	memcpy(e->ne_addr, f[2], strlen(f[2]));
	return 1;
}

int meta_nodelist_read(const char *path, struct meta_nodelist_ent **ents,
		       int *n, meta_error_t *ep)
{
	char buf[4096], line[1024];
	struct meta_nodelist_ent *v = NULL, *nv;
	const char *p = nodelist_path(path, buf, sizeof(buf));
	int cnt = 0, lineno = 0, rc;
	FILE *f;

	*ents = NULL;
	*n = 0;
	if (p == NULL)
		return meta_error_set(ep, ENAMETOOLONG, 0, "nodelist",
				      "cannot read node list");
	f = fopen(p, "re");
	if (f == NULL)
		return meta_error_set(ep, errno, 0, p, "cannot read node list");
	while (fgets(line, sizeof(line), f) != NULL) {
		struct meta_nodelist_ent e;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = -1; /* a line longer than any valid one */
		} else {
			rc = parse_line(line, &e);
		}
		if (rc < 0) {
			fclose(f);
			free(v);
			return meta_error_set(ep, ME_SET_BADNODELIST, 0, p,
					      "line %d is not \"id name "
					      "address\" in",
					      lineno);
		}
		if (rc == 0)
			continue;
		if (cnt == META_NODE_MAXID) {
			fclose(f);
			free(v);
			return meta_error_set(ep, ME_SET_BADNODELIST, 0, p,
					      "more than %d nodes in",
					      META_NODE_MAXID);
		}
		nv = realloc(v, (size_t)(cnt + 1) * sizeof(*v));
		if (nv == NULL) {
			fclose(f);
			free(v);
			return meta_error_set(ep, ENOMEM, 0, p,
					      "cannot read node list");
		}
		v = nv;
		v[cnt++] = e;
	}
	if (ferror(f)) {
		fclose(f);
		free(v);
		return meta_error_set(ep, EIO, 0, p, "cannot read node list");
	}
	fclose(f);
	if (check_ents(v, cnt, p, ep) != 0) {
		free(v);
		return -1;
	}
	if (cnt > 0)
		qsort(v, (size_t)cnt, sizeof(*v), ent_cmp);
	*ents = v;
	*n = cnt;
	return 0;
}

int meta_nodelist_write(const char *path, const struct meta_nodelist_ent *ents,
			int n, meta_error_t *ep)
{
	char buf[4096], tmp[4200];
	struct meta_nodelist_ent *v;
	const char *p = nodelist_path(path, buf, sizeof(buf));
	FILE *f;
	int i, fd;

	if (p == NULL || n < 0 || n > META_NODE_MAXID)
		return meta_error_set(ep, p == NULL ? ENAMETOOLONG : EINVAL, 0,
				      "nodelist", "cannot write node list");
	for (i = 0; i < n; i++)
		if (strnlen(ents[i].ne_name, sizeof(ents[i].ne_name)) ==
			    sizeof(ents[i].ne_name) ||
		    strnlen(ents[i].ne_addr, sizeof(ents[i].ne_addr)) ==
			    sizeof(ents[i].ne_addr) ||
		    ents[i].ne_addr[0] == '\0' ||
		    strpbrk(ents[i].ne_name, " \t\r\n#") != NULL ||
		    strpbrk(ents[i].ne_addr, " \t\r\n#") != NULL)
			return meta_error_set(ep, ME_SET_BADNODELIST, 0, p,
					      "node %u: bad name or address "
					      "for",
					      ents[i].ne_id);
	if (check_ents(ents, n, p, ep) != 0)
		return -1;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (v == NULL)
		return meta_error_set(ep, ENOMEM, 0, p,
				      "cannot write node list");
	if (n > 0)
		memcpy(v, ents, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), ent_cmp);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", p, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (f == NULL) {
		meta_error_set(ep, errno, 0, tmp, "cannot write node list");
		if (fd >= 0)
			close(fd);
		free(v);
		return -1;
	}
	fprintf(f, "# oban node list: id name address\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%u %s %s\n", v[i].ne_id, v[i].ne_name,
			v[i].ne_addr);
	free(v);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		meta_error_set(ep, errno, 0, tmp, "cannot write node list");
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, p) != 0) {
		meta_error_set(ep, errno, 0, p, "cannot write node list");
		unlink(tmp);
		return -1;
	}
	return 0;
}

int meta_node_lookup(const struct meta_nodelist_ent *ents, int n,
		     const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(ents[i].ne_name, name) == 0)
			return i;
	return -1;
}

int meta_node_self(struct meta_nodelist_ent *self, meta_error_t *ep)
{
	const char *env = getenv("OBAN_NODENAME");
	struct meta_nodelist_ent *v;
	char host[256];
	meta_error_t e;
	int n, i;

	memset(self, 0, sizeof(*self));
	if (env != NULL && *env != '\0') {
		snprintf(host, sizeof(host), "%s", env);
	} else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
	}
	if (strlen(host) >= sizeof(self->ne_name))
		return meta_error_set(ep, ENAMETOOLONG, 0, host,
				      "node name too long:");
	memcpy(self->ne_name, host, strlen(host));
	if (meta_nodelist_read(NULL, &v, &n, &e) != 0) {
		if (e.me_code != ENOENT) {
			*ep = e;
			return -1;
		}
		self->ne_id = 1; /* a single node */
		return 0;
	}
	i = meta_node_lookup(v, n, self->ne_name);
	if (i < 0) {
		free(v);
		return meta_error_set(ep, ME_SET_UNKNOWNHOST, 0, self->ne_name,
				      "this node is not in the node list:");
	}
	*self = v[i];
	free(v);
	return 0;
}

/* ---- Join and withdraw ------------------------------------------------- */

/* More than half the replicas, or exactly half of an odd count (facts 4.4:
 * an even count at exactly half needs a mediator's vote, which oban has
 * not). */
static bool quorate(uint32_t active, uint32_t total)
{
	return total > 0 && 2 * active > total;
}

int meta_join_check(const struct meta_join_state *st, bool join,
		    meta_error_t *ep)
{
	if (!join) {
		if (!st->js_self_joined)
			return META_JV_NOOP;
		if (!st->js_self_master)
			return META_JV_WD_SLAVE;
		if (st->js_owners > 1)
			return meta_error_set(ep, ME_SET_MASTERBUSY, 0, NULL,
					      "cannot withdraw: %u other "
					      "node(s) joined; withdraw them "
					      "first",
					      st->js_owners - 1);
		return META_JV_WD_LAST;
	}
	if (st->js_self_joined)
		return META_JV_NOOP;
	if (!st->js_has_drives)
		return meta_error_set(ep, ME_MDDB_NOREPLICA, 0, NULL,
				      "cannot join a set without drives");
	if (st->js_owners == 0) /* the first to join is the master */
		return quorate(st->js_self_active, st->js_self_replicas) ?
			       META_JV_MASTER :
			       META_JV_MASTER_STALE;
	if (st->js_master_stale)
		return META_JV_SLAVE_STALE;
	/* The master is not STALE: it has at least half (seed: a slave may
	 * join while the master runs with 50% of its replicas). */
	if (2 * st->js_master_active < st->js_master_replicas)
		return meta_error_set(ep, ME_MDDB_TOOFEW, 0, NULL,
				      "cannot join: the master uses %u of %u "
				      "replicas",
				      st->js_master_active,
				      st->js_master_replicas);
	return META_JV_SLAVE;
}
