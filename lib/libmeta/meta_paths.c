// SPDX-License-Identifier: GPL-2.0-or-later
/* Where oban keeps things on a node; see include/oban/paths.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/paths.h>

static const struct {
	const char *od_env;
	const char *od_default;
} oban_dirs[] = {
	[OBAN_DIR_ETC] = { "OBAN_ETCDIR", "/etc/oban" },
	[OBAN_DIR_STATE] = { "OBAN_STATEDIR", "/var/lib/oban" },
	[OBAN_DIR_RUN] = { "OBAN_RUNDIR", "/run/oban" },
};

#define OBAN_NDIRS (sizeof(oban_dirs) / sizeof(oban_dirs[0]))

static char oban_dir_value[OBAN_NDIRS][256];
static pthread_once_t oban_dir_once = PTHREAD_ONCE_INIT;

static void oban_dir_load(void)
{
	const char *v;
	size_t i, n;

	for (i = 0; i < OBAN_NDIRS; i++) {
		v = getenv(oban_dirs[i].od_env);
		if (v == NULL || v[0] == '\0' ||
		    strlen(v) >= sizeof(oban_dir_value[i]))
			v = oban_dirs[i].od_default;
		snprintf(oban_dir_value[i], sizeof(oban_dir_value[i]), "%s", v);
		n = strlen(oban_dir_value[i]);
		while (n > 1 && oban_dir_value[i][n - 1] == '/')
			oban_dir_value[i][--n] = '\0';
	}
}

const char *oban_dir(enum oban_dir which)
{
	pthread_once(&oban_dir_once, oban_dir_load);
	if ((size_t)which >= OBAN_NDIRS)
		which = OBAN_DIR_RUN;
	return oban_dir_value[which];
}

char *oban_path(char *buf, size_t len, enum oban_dir which, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", oban_dir(which), name);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}
