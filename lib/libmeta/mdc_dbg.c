// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdcommd's debug file and runtime.cf settings; see include/oban/mdc_dbg.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_dbg.h>
#include <oban/paths.h>

struct mdc_dbg {
	pthread_mutex_t db_lock; /* protects everything below */
	char db_path[512];
	FILE *db_fp;
	uint64_t db_size; /* bytes in the current file */
	uint64_t db_max;
	uint32_t db_mask; /* read without the lock: a torn read is harmless */
	uint64_t db_rotations;
};

static void rt_defaults(struct mdc_runtime *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->rt_out_max = MDC_OUT_MAX_DEFAULT;
	rt->rt_action = MDC_INCONS_FENCE;
	rt->rt_rt_priority = MDC_RT_PRIORITY_DEFAULT;
	if (oban_path(rt->rt_out_file, sizeof(rt->rt_out_file), OBAN_DIR_RUN,
		      "commd.out") == NULL)
		rt->rt_out_file[0] = '\0';
}

static int rt_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno != 0 || end == v)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		n <<= 10, end++;
		break;
	case 'm':
	case 'M':
		n <<= 20, end++;
		break;
	case 'g':
	case 'G':
		n <<= 30, end++;
		break;
	default:
		break;
	}
	if (*end != '\0' || n < 4096)
		return -1;
	*out = n;
	return 0;
}

int mdc_runtime_read(const char *path, struct mdc_runtime *rt, meta_error_t *ep)
{
	char buf[1024], def[512];
	unsigned int lineno = 0;
	FILE *fp;
	int ret = 0;

	rt_defaults(rt);
	if (path == NULL) {
		path = oban_path(def, sizeof(def), OBAN_DIR_ETC, "runtime.cf");
		if (path == NULL)
			return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0,
					      NULL, "cannot read runtime.cf");
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		if (errno == ENOENT)
			return 0;
		return meta_error_set(ep, SET_ERROR(errno), 0, path,
				      "cannot open");
	}
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		char *k, *v, *e;

		lineno++;
		if ((e = strchr(buf, '#')) != NULL)
			*e = '\0';
		for (k = buf; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0')
			continue;
		for (v = k; *v && !isspace((unsigned char)*v) && *v != '='; v++)
			;
		if (*v != '\0')
			*v++ = '\0';
		while (isspace((unsigned char)*v) || *v == '=')
			v++;
		e = v + strlen(v);
		while (e > v && isspace((unsigned char)e[-1]))
			*--e = '\0';

		if (strcmp(k, "commd_verbosity") == 0) {
			unsigned long m;

			errno = 0;
			m = strtoul(v, &e, 0);
			if (errno != 0 || e == v || *e != '\0' ||
			    m > UINT32_MAX)
				goto bad;
			rt->rt_verbosity = (uint32_t)m;
		} else if (strcmp(k, "commd_out_file") == 0) {
			if (v[0] != '/' || strlen(v) >= sizeof(rt->rt_out_file))
				goto bad;
			strcpy(rt->rt_out_file, v);
		} else if (strcmp(k, "commd_out_max") == 0) {
			if (rt_size(v, &rt->rt_out_max) != 0)
				goto bad;
		} else if (strcmp(k, "commd_trace_dir") == 0) {
			if (v[0] != '/' || strpbrk(v, " \t") != NULL ||
			    strlen(v) >= sizeof(rt->rt_trace_dir))
				goto bad;
			strcpy(rt->rt_trace_dir, v);
		} else if (strcmp(k, "commd_rt_priority") == 0) {
			unsigned long m;

			errno = 0;
			m = strtoul(v, &e, 10);
			if (errno != 0 || e == v || *e != '\0' || v[0] == '-' ||
			    m > MDC_RT_PRIORITY_MAX)
				goto bad;
			rt->rt_rt_priority = (int)m;
		}
#ifdef OBAN_TEST_HOOKS
		else if (strcmp(k, "commd_test_dryrun_fail") == 0 ||
			 strcmp(k, "commd_test_result_differ") == 0) {
			bool *b = k[11] == 'd' ? &rt->rt_test_dryrun_fail :
						 &rt->rt_test_result_differ;

			if (strcmp(v, "1") == 0)
				*b = true;
			else if (strcmp(v, "0") == 0)
				*b = false;
			else
				goto bad;
		} else if (strcmp(k, "commd_test_log_delay") == 0) {
			unsigned long m;

			errno = 0;
			m = strtoul(v, &e, 10);
			if (errno != 0 || e == v || *e != '\0' || m > 600000)
				goto bad;
			rt->rt_test_log_delay_ms = (uint32_t)m;
		}
#else
		else if (strncmp(k, "commd_test_", 11) == 0) {
			ret = meta_error_set(ep, SET_ERROR(ME_CONFIG_FILE), 0,
					     path,
					     "cannot use line %u (%s): test "
					     "hooks are not built in "
					     "(configure --enable-test-hooks)",
					     lineno, k);
			break;
		}
#endif
		else if (strcmp(k, "commd_fence_command") == 0) {
			if (v[0] != '/' || strpbrk(v, " \t") != NULL ||
			    strlen(v) >= sizeof(rt->rt_fence_command))
				goto bad;
			snprintf(rt->rt_fence_command,
				 sizeof(rt->rt_fence_command), "%s", v);
		} else if (strcmp(k, "commd_inconsistency_action") == 0) {
			if (strcmp(v, "fence") == 0)
				rt->rt_action = MDC_INCONS_FENCE;
			else if (strcmp(v, "leave") == 0)
				rt->rt_action = MDC_INCONS_LEAVE;
			else
				goto bad;
		}
		continue;
bad:
		ret = meta_error_set(ep, SET_ERROR(ME_CONFIG_FILE), 0, path,
				     "cannot use line %u (%s '%s')", lineno, k,
				     v);
		break;
	}
	fclose(fp);
	return ret;
}

static int dbg_open(struct mdc_dbg *d, meta_error_t *ep)
{
	struct stat sb;
	int fd;

	fd = open(d->db_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return meta_error_set(ep, SET_ERROR(errno), 0, d->db_path,
				      "cannot open debug file");
	d->db_fp = fdopen(fd, "a");
	if (d->db_fp == NULL) {
		int e = errno;

		close(fd);
		return meta_error_set(ep, SET_ERROR(e), 0, d->db_path,
				      "cannot open debug file");
	}
	d->db_size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
	return 0;
}

int mdc_dbg_create(const char *path, uint32_t mask, uint64_t max,
		   struct mdc_dbg **dp, meta_error_t *ep)
{
	struct mdc_dbg *d;

	if (strlen(path) + 3 >= sizeof(d->db_path))
		return meta_error_set(ep, SET_ERROR(ENAMETOOLONG), 0, path,
				      "cannot open debug file");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return meta_error_set(ep, SET_ERROR(ENOMEM), 0, path,
				      "cannot open debug file");
	VERIFY0(pthread_mutex_init(&d->db_lock, NULL));
	strcpy(d->db_path, path);
	d->db_mask = mask;
	d->db_max = max ? max : MDC_OUT_MAX_DEFAULT;
	if (dbg_open(d, ep) != 0) {
		pthread_mutex_destroy(&d->db_lock);
		free(d);
		return -1;
	}
	*dp = d;
	return 0;
}

void mdc_dbg_destroy(struct mdc_dbg *d)
{
	if (d == NULL)
		return;
	if (d->db_fp != NULL)
		fclose(d->db_fp);
	pthread_mutex_destroy(&d->db_lock);
	free(d);
}

void mdc_dbg_set_mask(struct mdc_dbg *d, uint32_t mask)
{
	if (d != NULL)
		__atomic_store_n(&d->db_mask, mask, __ATOMIC_RELAXED);
}

uint32_t mdc_dbg_mask(struct mdc_dbg *d)
{
	return d != NULL ? __atomic_load_n(&d->db_mask, __ATOMIC_RELAXED) : 0;
}

/* Rename the full file to "<file>.1" and start a new one.  Lock held. */
static void dbg_rotate(struct mdc_dbg *d)
{
	char old[sizeof(d->db_path) + 2];

	fclose(d->db_fp);
	d->db_fp = NULL;
	snprintf(old, sizeof(old), "%s.1", d->db_path);
	(void)rename(d->db_path, old);
	d->db_rotations++;
	if (dbg_open(d, NULL) != 0)
		d->db_fp = NULL; /* output stops; the daemon goes on */
}

void mdc_dbg_printf(struct mdc_dbg *d, uint32_t what, const char *fmt, ...)
{
	char line[1200];
	struct timespec ts;
	uint32_t mask = mdc_dbg_mask(d);
	va_list ap;
	int n = 0, m;

	if (d == NULL || (mask & what & MDC_MMV_ALL) == 0)
		return;
	if (mask & MDC_MMV_TIMESTAMP) {
		clock_gettime(CLOCK_REALTIME, &ts);
		n = snprintf(line, sizeof(line), "%lld.%06ld ",
			     (long long)ts.tv_sec, ts.tv_nsec / 1000);
	}
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = '\0';
	if (mask & MDC_MMV_SYSLOG)
		syslog(LOG_WARNING, "%s", line);

	VERIFY0(pthread_mutex_lock(&d->db_lock));
	if (d->db_fp != NULL && d->db_size > 0 &&
	    d->db_size + (uint64_t)n > d->db_max)
		dbg_rotate(d);
	if (d->db_fp != NULL && fputs(line, d->db_fp) >= 0) {
		fflush(d->db_fp);
		d->db_size += (uint64_t)n;
	}
	VERIFY0(pthread_mutex_unlock(&d->db_lock));
}
