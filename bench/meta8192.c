// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta8192 - the cost of creating 8192 volumes in one set, one metainit at
 * a time, and of metastat over all of them.
 *
 *   bench/meta8192 [-d dir] [-r drives] [-n volumes] [-x metainit] [-k]
 *   bench/meta8192 -o kept-dir
 *   bench/meta8192 -m [-n volumes] [-x metainit]
 *
 * -m (cluster mode, what bench/meta8192-mdc.sh runs on a test cluster
 * node): the user's path.  Set "bench" exists, multi-owner, with at least
 * two drives (the mirror's concats go on the first two), and mdcommd runs;
 * each creation is the library call metainit makes on such a set,
 * meta_mn_send_command() (the dry run on every node, then the logged real
 * run that the master commits), timed in the initiator; with -x the first
 * and last hundred are made by that metainit binary (no OBAN_MN_LOCAL: it
 * forwards through mdcommd itself).  Printed: the first and the last
 * hundred, last/first, the initiator thread's CPU time, and the metastat
 * figures below.
 *
 * A real set on one node, in a scratch directory under @dir (default
 * $TMPDIR or /tmp) that holds this node's etc, state and run directories
 * (OBAN_ETCDIR, OBAN_STATEDIR, OBAN_RUNDIR) and @drives sparse drive files
 * (default 3): "bench", multi-owner, created and given its drives by the
 * library calls metaset makes, one replica of the default 16 MiB per drive.
 * Volumes: d0 and d1 concats on the first two drives, d2 a mirror of them,
 * d3.. soft partitions of 1 MB on the mirror (the layout an Oracle RAC
 * installation uses).
 *
 * Otherwise (the test-hook path) each creation is a whole metainit as the
 * command runs it on one node with the set local (cmds/metainit.c with
 * OBAN_MN_LOCAL, a test hook users do not have): meta_cfg_open() (open
 * the set: lock, local records, drives, mddb_open(); load the whole
 * configuration model and check it), meta_mdtab_words() (parse, validate
 * against the model, one mddb commit to every replica, apply), and
 * meta_cfg_close().  Only the process start is not in it; with -x the
 * first and the last hundred creations are made by running that metainit
 * binary instead (OBAN_MN_LOCAL=1: it must be built with
 * --enable-test-hooks), so that figure has the process start too.  Give
 * it the program itself, not libtool's wrapper script:
 * LD_LIBRARY_PATH=lib/libmeta/.libs bench/meta8192 -x cmds/.libs/metainit
 *
 * Printed, for the first and the last hundred creations: the whole command
 * (total and median), and its two parts: open and load, and the change
 * alone (validate + commit + apply on the loaded model: what the bench
 * timed before the whole command was); the ratio last/first of each (goal
 * for the whole command: <= 1.5).  Then metastat over all volumes (open,
 * load, print the long form to /dev/null; goal <= 1 s) and metastat -p,
 * each the median of 5, and what every command pays before it does
 * anything at that size (median of 11): opening the set without its mddb,
 * mddb_open(), and the model load.  No assertions: the machine is shared
 * and noisy.  -k keeps the scratch directory (its path is printed); -o
 * runs only the metastat and open figures on a kept one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <oban/meta_cfg.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>

#define MAXDRIVES 8
#define SETNAME "bench"
#define NSTAT 5

extern char **environ;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: what a creation costs apart from waiting. */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(*c)), m;

	if (c == NULL)
		return 0;
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), dcmp);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

static double sum(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The words of metainit's entry for volume @i. */
static int entry(uint32_t i, char (*drv)[700], char w[8][700], char **argv)
{
	int argc = 0;

	snprintf(w[argc++], sizeof(w[0]), "d%" PRIu32, i);
	if (i < 2) {
		snprintf(w[argc++], sizeof(w[0]), "1");
		snprintf(w[argc++], sizeof(w[0]), "1");
		snprintf(w[argc++], sizeof(w[0]), "%.*s", 600, drv[i]);
	} else if (i == 2) {
		snprintf(w[argc++], sizeof(w[0]), "-m");
		snprintf(w[argc++], sizeof(w[0]), "d0");
		snprintf(w[argc++], sizeof(w[0]), "d1");
	} else {
		snprintf(w[argc++], sizeof(w[0]), "-p");
		snprintf(w[argc++], sizeof(w[0]), "d2");
		snprintf(w[argc++], sizeof(w[0]), "1m");
	}
	for (int k = 0; k < argc; k++)
		argv[k] = w[k];
	argv[argc] = NULL;
	return argc;
}

/*
 * One metainit, in process: into @t[0..2] the elapsed time of the whole,
 * of open + load and of the change, into @t[3..5] their CPU time.
 */
static int create_inproc(int argc, char **argv, double *t, meta_error_t *ep)
{
	struct meta_cfgh *h;
	double t0 = now(), c0 = cpu(), t1, c1, t2, c2;
	int rc;

	if (meta_cfg_open(SETNAME, &h, ep) != 0)
		return -1;
	t1 = now();
	c1 = cpu();
	rc = meta_mdtab_words(h->ch_cfg, argc, argv, &h->ch_store, ep);
	t2 = now();
	c2 = cpu();
	meta_cfg_close(h);
	t[0] = now() - t0;
	t[1] = t1 - t0;
	t[2] = t2 - t1;
	t[3] = cpu() - c0;
	t[4] = c1 - c0;
	t[5] = c2 - c1;
	return rc;
}

/* One metainit, the binary @bin: "metainit -s bench words...". */
static int create_exec(const char *bin, int argc, char **argv, double *t)
{
	char *av[16], s1[] = "-s", s2[] = SETNAME;
	double t0 = now();
	int st, k = 0;
	pid_t pid;

	av[k++] = (char *)bin;
	av[k++] = s1;
	av[k++] = s2;
	for (int i = 0; i < argc; i++)
		av[k++] = argv[i];
	av[k] = NULL;
	posix_spawn_file_actions_t fa;

	/* Its "dN: ... is setup" to /dev/null, as the bench's own. */
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	st = posix_spawn(&pid, bin, &fa, NULL, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (st != 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return -1;
	t[0] = now() - t0;
	t[1] = t[2] = t[3] = t[4] = t[5] = 0;
	return 0;
}

/*
 * One metainit through mdcommd, as the command sends it: "metainit -s
 * bench words..." by meta_mn_send_command() (the dry run on every node,
 * then the logged real run).  Into @t[0] the elapsed time, @t[3] this
 * thread's CPU time (the initiator's only).
 */
static int create_mn(int argc, char **argv, FILE *out, double *t,
		     meta_error_t *ep)
{
	char *av[16], a0[] = "metainit", s1[] = "-s", s2[] = SETNAME;
	double t0 = now(), c0 = cpu();
	int k = 0, rc;

	av[k++] = a0;
	av[k++] = s1;
	av[k++] = s2;
	for (int i = 0; i < argc; i++)
		av[k++] = argv[i];
	av[k] = NULL;
	rc = meta_mn_send_command(SETNAME, k, av, out, ep);
	t[0] = now() - t0;
	t[3] = cpu() - c0;
	t[1] = t[2] = t[4] = t[5] = 0;
	return rc;
}

/* The set's first two drives (cluster mode: the set exists). */
static int set_drives(char (*drv)[700], meta_error_t *ep);

/* metastat over everything (-p with @mdtab): open, load, print. */
static double metastat(FILE *out, bool mdtab, meta_error_t *ep)
{
	struct meta_cfgh *h;
	double t0 = now();

	if (meta_cfg_open(SETNAME, &h, ep) != 0)
		return -1;
	if (mdtab)
		meta_print_mdtab(h->ch_cfg, out, 0, NULL);
	else
		meta_print_status(h->ch_cfg, out, 0, NULL);
	fflush(out);
	meta_cfg_close(h);
	return now() - t0;
}

/* This node's directories under @root. */
static void set_env(const char *root)
{
	char p[800];

	snprintf(p, sizeof(p), "%s/etc", root);
	setenv("OBAN_ETCDIR", p, 1);
	snprintf(p, sizeof(p), "%s/state", root);
	setenv("OBAN_STATEDIR", p, 1);
	snprintf(p, sizeof(p), "%s/run", root);
	setenv("OBAN_RUNDIR", p, 1);
	setenv("OBAN_NODENAME", "node1", 1);
}

static int setup(const char *root, int ndrives, uint32_t nvol, char (*drv)[700],
		 meta_error_t *ep)
{
	static const char *const hosts[] = { "node1" };
	const char *names[MAXDRIVES];
	char p[800];
	struct meta_set *s;
	FILE *f;
	int rc;

	for (const char *d = "etc\0state\0run\0d\0"; *d; d += strlen(d) + 1) {
		snprintf(p, sizeof(p), "%s/%s", root, d);
		if (mkdir(p, 0755) != 0)
			return meta_error_set(ep, errno, 0, p, "cannot make");
	}
	snprintf(p, sizeof(p), "%s/etc/runtime.cf", root);
	f = fopen(p, "w");
	if (f == NULL)
		return meta_error_set(ep, errno, 0, p, "cannot write");
	fprintf(f, "drive_glob %s/d/*\n", root);
	fclose(f);
	set_env(root);
	for (int i = 0; i < ndrives; i++) {
		/* The mirror's two drives hold every soft partition (1 MB and
		 * a watermark block each); the others only a replica. */
		off_t len = i < 2 ? (off_t)(nvol + 1024) << 20 : 64 << 20;
		int fd;

		snprintf(drv[i], sizeof(drv[i]), "%s/d/drive%d", root, i);
		fd = open(drv[i], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, len) != 0)
			return meta_error_set(ep, errno, 0, drv[i],
					      "cannot make");
		close(fd);
		names[i] = drv[i];
	}
	if (meta_set_create(SETNAME, true, hosts, 1, ep) != 0 ||
	    meta_set_open(SETNAME, 0, &s, ep) != 0)
		return -1;
	rc = meta_set_drive_add(s, names, ndrives, 0, false, ep);
	meta_set_close(s);
	return rc;
}

struct drv_arg {
	char (*da_drv)[700];
	int da_n;
};

static int drv_one(void *arg, const struct meta_drive_info *di)
{
	struct drv_arg *da = arg;

	snprintf(da->da_drv[da->da_n++], 700, "%s", di->di_name);
	return da->da_n == 2 ? 1 : 0;
}

static int set_drives(char (*drv)[700], meta_error_t *ep)
{
	struct drv_arg da = { drv, 0 };
	struct meta_set *s;

	if (meta_set_open(SETNAME, META_SET_RDONLY | META_SET_NODB, &s, ep) !=
	    0)
		return -1;
	if (meta_set_drive_foreach(s, drv_one, &da, ep) < 0) {
		meta_set_close(s);
		return -1;
	}
	meta_set_close(s);
	if (da.da_n < 2)
		return meta_error_set(ep, EINVAL, 0, SETNAME,
				      "need two drives in set");
	return 0;
}

#define NOPEN 11

/* What every command pays first: the medians of NOPEN opens, in @o[0..2]. */
static int open_costs(double *o, uint32_t *nunits, meta_error_t *ep)
{
	double a[NOPEN], b[NOPEN], c[NOPEN], t0;
	struct meta_cfgh *h;
	struct meta_set *s;

	for (int k = 0; k < NOPEN; k++) {
		t0 = now();
		if (meta_set_open(SETNAME, META_SET_NODB, &s, ep) != 0)
			return -1;
		meta_set_close(s);
		a[k] = now() - t0;
		t0 = now();
		if (meta_set_open(SETNAME, 0, &s, ep) != 0)
			return -1;
		meta_set_close(s);
		b[k] = now() - t0;
		t0 = now();
		if (meta_cfg_open(SETNAME, &h, ep) != 0)
			return -1;
		*nunits = meta_cfg_nunits(h->ch_cfg);
		meta_cfg_close(h);
		c[k] = now() - t0;
	}
	o[0] = median(a, NOPEN);
	o[1] = median(b, NOPEN);
	o[2] = median(c, NOPEN);
	return 0;
}

static void report(const char *what, double (*t)[6], uint32_t nvol, int k,
		   bool exec)
{
	double first[100], last[100], f, l;

	for (int i = 0; i < 100; i++) {
		first[i] = t[i][k];
		last[i] = t[nvol - 100 + i][k];
	}
	f = sum(first, 100);
	l = sum(last, 100);
	printf("  %s%s\n", what,
	       exec && k == 0 ? " (metainit run by exec)" : "");
	printf("    first 100: %8.1f ms  (median %7.3f ms each)\n", f * 1e3,
	       median(first, 100) * 1e3);
	printf("    last 100:  %8.1f ms  (median %7.3f ms each)\n", l * 1e3,
	       median(last, 100) * 1e3);
	printf("    last/first: %7.2f  (medians: %.2f)%s\n", l / f,
	       median(last, 100) / median(first, 100),
	       k == 0 ? "  (goal <= 1.5)" : "");
}

int main(int argc, char **argv)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const char *bin = NULL, *old = NULL;
	uint32_t nvol = META_MAXUNITS, nunits = 0;
	int ndrives = 3, opt, rc = 1;
	bool keep = false, mn = false;
	char root[600], drv[MAXDRIVES][700], w[8][700], *av[9];
	double(*t)[6] = NULL, ts[NSTAT], tp[NSTAT], o[3];
	meta_error_t e;
	FILE *devnull = NULL;

	while ((opt = getopt(argc, argv, "d:r:n:x:ko:m")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'r':
			ndrives = atoi(optarg);
			break;
		case 'n':
			nvol = (uint32_t)atoi(optarg);
			break;
		case 'x':
			bin = optarg;
			break;
		case 'k':
			keep = true;
			break;
		case 'o':
			old = optarg;
			break;
		case 'm':
			mn = true;
			break;
		default:
			fprintf(stderr, "usage: meta8192 [-d dir] [-r drives] "
					"[-n volumes] [-x metainit] [-k]\n"
					"       meta8192 -o kept-dir\n"
					"       meta8192 -m [-n volumes] "
					"[-x metainit]\n");
			return 2;
		}
	}
	if (ndrives < 2 || ndrives > MAXDRIVES || nvol < 203 ||
	    nvol > META_MAXUNITS) {
		fprintf(stderr, "meta8192: 2..%d drives, 203..%d volumes\n",
			MAXDRIVES, META_MAXUNITS);
		return 2;
	}
	meta_error_init(&e);
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		return 1;
	if (old != NULL) {
		snprintf(root, sizeof(root), "%s", old);
		keep = true;
		set_env(root);
		goto stat;
	}
	if (mn) {
		/* Cluster mode: set "bench" exists on this node's cluster,
		 * mdcommd runs; every creation goes through it. */
		t = calloc(nvol, sizeof(*t));
		if (t == NULL || set_drives(drv, &e) != 0) {
			fprintf(stderr, "meta8192: set %s: %s\n", SETNAME,
				meta_strerror(&e));
			goto out_mn;
		}
		for (uint32_t i = 0; i < nvol; i++) {
			int ac = entry(i, drv, w, av);

			if (bin != NULL && (i < 100 || i >= nvol - 100)) {
				if (create_exec(bin, ac, av, t[i]) != 0) {
					fprintf(stderr,
						"meta8192: %s -s %s d%" PRIu32
						" failed\n",
						bin, SETNAME, i);
					goto out_mn;
				}
			} else if (create_mn(ac, av, devnull, t[i], &e) != 0) {
				fprintf(stderr, "meta8192: d%" PRIu32 ": %s\n",
					i, meta_strerror(&e));
				goto out_mn;
			}
		}
		printf("meta8192 -m: %" PRIu32 " volumes in set %s through "
		       "mdcommd (2 concats, 1 mirror, %" PRIu32
		       " soft partitions on it)\n",
		       nvol, SETNAME, nvol - 3);
		report(bin != NULL ? "whole metainit (the binary, through "
				     "mdcommd: dry run, logged real run)" :
				     "whole metainit through mdcommd "
				     "(meta_mn_send_command: dry run on every "
				     "node, logged real run)",
		       t, nvol, 0, bin != NULL);
		if (bin == NULL)
			report("CPU time of the initiator's thread", t, nvol, 3,
			       false);
		keep = true; /* no scratch directory */
		snprintf(root, sizeof(root), "(none: cluster mode)");
		goto stat;
out_mn:
		fclose(devnull);
		free(t);
		return 1;
	}
	snprintf(root, sizeof(root), "%s/meta8192.XXXXXX", dir);
	if (mkdtemp(root) == NULL) {
		perror("meta8192: mkdtemp");
		return 1;
	}
	t = calloc(nvol, sizeof(*t));
	if (t == NULL)
		goto out;
	if (setup(root, ndrives, nvol, drv, &e) != 0) {
		fprintf(stderr, "meta8192: set up: %s\n", meta_strerror(&e));
		goto out;
	}
	if (bin != NULL)
		setenv("OBAN_MN_LOCAL", "1", 1); /* for the binary only */
	for (uint32_t i = 0; i < nvol; i++) {
		int ac = entry(i, drv, w, av);

		if (bin != NULL && (i < 100 || i >= nvol - 100)) {
			if (create_exec(bin, ac, av, t[i]) != 0) {
				fprintf(stderr,
					"meta8192: %s -s %s d%" PRIu32
					" failed\n",
					bin, SETNAME, i);
				goto out;
			}
		} else if (create_inproc(ac, av, t[i], &e) != 0) {
			fprintf(stderr, "meta8192: d%" PRIu32 ": %s\n", i,
				meta_strerror(&e));
			goto out;
		}
	}
	printf("meta8192: %" PRIu32 " volumes in one set (2 concats, 1 "
	       "mirror, %" PRIu32 " soft partitions on it), %d drives with a "
	       "16 MiB replica each, in %s\n",
	       nvol, nvol - 3, ndrives, dir);
	report("whole metainit, test-hook path (OBAN_MN_LOCAL: open set, load "
	       "model, validate, commit, close)",
	       t, nvol, 0, bin != NULL);
	if (bin == NULL) {
		report("  of which open + load", t, nvol, 1, false);
		report("  of which validate + commit + apply (model loaded)", t,
		       nvol, 2, false);
		report("CPU time of the whole metainit (no I/O waits)", t, nvol,
		       3, false);
		report("  of which open + load", t, nvol, 4, false);
		report("  of which validate + commit + apply", t, nvol, 5,
		       false);
	}
stat:
	for (int k = 0; k < NSTAT; k++) {
		ts[k] = metastat(devnull, false, &e);
		tp[k] = metastat(devnull, true, &e);
		if (ts[k] < 0 || tp[k] < 0) {
			fprintf(stderr, "meta8192: metastat: %s\n",
				meta_strerror(&e));
			goto out;
		}
	}
	if (open_costs(o, &nunits, &e) != 0) {
		fprintf(stderr, "meta8192: open: %s\n", meta_strerror(&e));
		goto out;
	}
	printf("  metastat of all (open, load, long form): %.1f ms  (median "
	       "of %d; goal <= 1000 ms)\n",
	       median(ts, NSTAT) * 1e3, NSTAT);
	printf("  metastat -p of all (open, load, md.tab form): %.1f ms  "
	       "(median of %d)\n",
	       median(tp, NSTAT) * 1e3, NSTAT);
	printf("  what every command pays first at %" PRIu32
	       " volumes (medians of %d): %.2f ms\n"
	       "    open the set without its mddb %.2f ms, mddb_open %.2f ms, "
	       "model load and check %.2f ms\n",
	       nunits, NOPEN, o[2] * 1e3, o[0] * 1e3, (o[1] - o[0]) * 1e3,
	       (o[2] - o[1]) * 1e3);
	rc = 0;
out:
	fclose(devnull);
	free(t);
	if (mn)
		; /* the set is the cluster's: the script tears it down */
	else if (keep)
		printf("  kept: %s\n", root);
	else
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
