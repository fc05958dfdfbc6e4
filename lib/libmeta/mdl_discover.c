// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdl: finding a set's drives on this node.
 *
 * Theory.  runtime.cf (oban_dir(OBAN_DIR_ETC)/runtime.cf) is a "key value"
 * file; '#' starts a comment; keys this code does not know belong to other
 * parts (mdcommd's debug settings) and are skipped.  Each "drive_glob
 * PATTERN" line adds a glob(3) pattern; without any, "/dev/disk/by-id/ *"
 * (no space) is used.  A scan opens every match read-only, once per device
 * (st_rdev for block devices, st_dev/st_ino for files), reads its first
 * 4 KiB and reports those with a valid oban label.  Nothing is written.
 */
#include "config.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <oban/debug.h>
#include <oban/mdl.h>
#include <oban/meta_dev.h>
#include <oban/paths.h>

#define MDL_DEFAULT_GLOB "/dev/disk/by-id/*"

/* Read the drive_glob lines of runtime.cf into a NULL-ended array. */
static int read_globs(char ***globsp, meta_error_t *ep)
{
	char path[4096], line[1024];
	char **globs = NULL;
	size_t n = 0;
	FILE *f;

	if (oban_path(path, sizeof(path), OBAN_DIR_ETC, "runtime.cf") == NULL)
		return meta_error_set(ep, ENAMETOOLONG, 0, "runtime.cf",
				      "cannot read");
	f = fopen(path, "re");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			char *p = line, *key, *val, *end;

			p[strcspn(p, "#\n")] = '\0';
			key = strtok_r(p, " \t=", &end);
			val = strtok_r(NULL, " \t", &end);
			if (key == NULL || strcmp(key, "drive_glob") != 0 ||
			    val == NULL)
				continue;
			char **ng = realloc(globs, (n + 2) * sizeof(*ng));
			if (ng == NULL || (ng[n] = strdup(val)) == NULL) {
				free(ng);
				fclose(f);
				return meta_error_set(ep, ENOMEM, 0, NULL,
						      "cannot read runtime.cf");
			}
			globs = ng;
			globs[++n] = NULL;
		}
		fclose(f);
	} else if (errno != ENOENT) {
		return meta_error_set(ep, errno, 0, path, "cannot read");
	}
	if (n == 0) {
		globs = calloc(2, sizeof(*globs));
		if (globs == NULL ||
		    (globs[0] = strdup(MDL_DEFAULT_GLOB)) == NULL) {
			free(globs);
			return meta_error_set(ep, ENOMEM, 0, NULL,
					      "cannot read runtime.cf");
		}
	}
	*globsp = globs;
	return 0;
}

static void free_globs(char **globs)
{
	for (char **g = globs; g != NULL && *g != NULL; g++)
		free(*g);
	free(globs);
}

struct seen {
	dev_t *s_ids;
	ino_t *s_inos;
	size_t s_n;
};

static bool seen_add(struct seen *s, const struct stat *st)
{
	dev_t id = S_ISBLK(st->st_mode) ? st->st_rdev : st->st_dev;
	ino_t ino = S_ISBLK(st->st_mode) ? 0 : st->st_ino;
	size_t i;

	for (i = 0; i < s->s_n; i++)
		if (s->s_ids[i] == id && s->s_inos[i] == ino)
			return false;
	dev_t *ni = realloc(s->s_ids, (s->s_n + 1) * sizeof(*ni));
	if (ni != NULL)
		s->s_ids = ni;
	ino_t *nn = realloc(s->s_inos, (s->s_n + 1) * sizeof(*nn));
	if (nn != NULL)
		s->s_inos = nn;
	if (ni == NULL || nn == NULL)
		return true;
	s->s_ids[s->s_n] = id;
	s->s_inos[s->s_n] = ino;
	s->s_n++;
	return true;
}

int mdl_scan(int (*fn)(void *arg, const char *path, const struct mdl_label *l),
	     void *arg, meta_error_t *ep)
{
	struct seen seen = { 0 };
	char **globs = NULL;
	int rc = 0;

	if (read_globs(&globs, ep) != 0)
		return -1;
	for (char **g = globs; g != NULL && *g != NULL && rc == 0; g++) {
		glob_t gl;

		if (glob(*g, 0, NULL, &gl) != 0)
			continue;
		for (size_t i = 0; i < gl.gl_pathc && rc == 0; i++) {
			const char *path = gl.gl_pathv[i];
			struct meta_dev *d;
			struct mdl_label l;
			struct stat st;
			meta_error_t e;

			if (stat(path, &st) != 0 ||
			    !(S_ISBLK(st.st_mode) || S_ISREG(st.st_mode)) ||
			    !seen_add(&seen, &st))
				continue;
			if (meta_dev_open(path, META_DEV_RDONLY, &d, &e) != 0)
				continue;
			if (mdl_label_read(d, &l, &e) == 0)
				rc = fn(arg, path, &l);
			meta_dev_close(d);
		}
		globfree(&gl);
	}
	free(seen.s_ids);
	free(seen.s_inos);
	free_globs(globs);
	return rc;
}

struct uuid_find {
	uint8_t uf_uuid[16];
	char *uf_path;
	size_t uf_len;
};

static int uuid_find_cb(void *arg, const char *path, const struct mdl_label *l)
{
	struct uuid_find *uf = arg;

	if (memcmp(l->ml_drive_uuid, uf->uf_uuid, 16) != 0)
		return 0;
	snprintf(uf->uf_path, uf->uf_len, "%s", path);
	return 1;
}

int mdl_resolve(const char *name, char *path, size_t len, meta_error_t *ep)
{
	struct stat st;
	char *dev;

	if (strncmp(name, "UUID=", 5) == 0) {
		struct uuid_find uf = { .uf_path = path, .uf_len = len };
		int rc;

		if (mdl_uuid_parse(name + 5, uf.uf_uuid) == 0) {
			rc = mdl_scan(uuid_find_cb, &uf, ep);
			if (rc < 0)
				return -1;
			if (rc == 1)
				return 0;
		}
	}
	if (strchr(name, '=') != NULL) {
		dev = blkid_evaluate_tag(name, NULL, NULL);
		if (dev == NULL)
			return meta_error_set(ep, ME_MDL_NOTFOUND, 0, name,
					      "cannot find drive");
		snprintf(path, len, "%s", dev);
		free(dev);
		return 0;
	}
	if (stat(name, &st) != 0)
		return meta_error_set(ep, ME_MDL_NOTFOUND, 0, name,
				      "cannot find drive");
	snprintf(path, len, "%s", name);
	return 0;
}
