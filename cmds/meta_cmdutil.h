/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by metaset and metadb (header-only, static). */
#ifndef OBAN_CMDS_META_CMDUTIL_H
#define OBAN_CMDS_META_CMDUTIL_H

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <oban/error.h>
#include <oban/mddb.h>

/* Exit codes (doc/man/metaset.8): 0 ok, 1 failed, 2 usage. */
#define META_EXIT_OK 0
#define META_EXIT_FAIL 1
#define META_EXIT_USAGE 2

static inline int meta_cmd_fail(const char *prog, meta_error_t *ep)
{
	fprintf(stderr, "%s: %s\n", prog, meta_strerror(ep));
	return META_EXIT_FAIL;
}

/*
 * A replica length: a number of 512-byte blocks, as the original's -l, or a
 * number with a suffix: b (512-byte blocks), k, m, g (KiB, MiB, GiB).
 * Returns 0 and the length in bytes, or -1 (also for a length of 0, which
 * would otherwise read as "the default").
 */
static inline int meta_parse_length(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 512;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || !isdigit((unsigned char)*s) || v == 0)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
	case 'b':
		break;
	case 'k':
		mul = 1ULL << 10;
		break;
	case 'm':
		mul = 1ULL << 20;
		break;
	case 'g':
		mul = 1ULL << 30;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > UINT64_MAX / mul)
		return -1;
	*bytes = v * mul;
	return 0;
}

/*
 * The options -l length and -c count of metaset and metadb: parse @arg into
 * *@out, or print "@prog: invalid ..." and return -1 (the caller exits with
 * META_EXIT_USAGE).  A count is a whole number from 1 to MDDB_MAXREPLICAS
 * (the replicas a set may have).
 */
static inline int meta_opt_length(const char *prog, const char *arg,
				  uint64_t *out)
{
	if (meta_parse_length(arg, out) == 0)
		return 0;
	fprintf(stderr, "%s: invalid length '%s'\n", prog, arg);
	return -1;
}

static inline int meta_opt_count(const char *prog, const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno == 0 && end != arg && *end == '\0' && v >= 1 &&
	    v <= MDDB_MAXREPLICAS) {
		*out = v;
		return 0;
	}
	fprintf(stderr, "%s: invalid count '%s' (1 to %d)\n", prog, arg,
		MDDB_MAXREPLICAS);
	return -1;
}

#endif /* OBAN_CMDS_META_CMDUTIL_H */
