// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The corpus replay driver: runs every file of tests/fuzz/corpus/<target>/
 * through each registered target (fuzz.h), built with gcc and run by make
 * check, so that the seed corpus and every crash once found stay tested on
 * machines without clang.
 *
 *   fuzz_replay                      every target, its whole corpus
 *   fuzz_replay TARGET FILE ...      one target, the given files
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static struct fuzz_target *targets;

void fuzz_register(struct fuzz_target *t)
{
	t->ft_next = targets;
	targets = t;
}

static int run_file(struct fuzz_target *t, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	t->ft_fn(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *src = getenv("OBAN_SRCDIR");
	struct fuzz_target *t;
	unsigned passed = 0, failed = 0;
	char dir[4096], path[8192];

	if (argc > 2) {
		for (t = targets; t != NULL; t = t->ft_next)
			if (strcmp(t->ft_name, argv[1]) == 0)
				break;
		if (t == NULL) {
			fprintf(stderr, "no fuzz target '%s'\n", argv[1]);
			return 2;
		}
		for (int i = 2; i < argc; i++)
			run_file(t, argv[i]) == 0 ? passed++ : failed++;
		printf("%u passed, %u failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	for (t = targets; t != NULL; t = t->ft_next) {
		struct dirent *de;
		DIR *d;
		unsigned n = 0;

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
			 src ? src : ".", t->ft_name);
		d = opendir(dir);
		if (d == NULL) {
			perror(dir);
			failed++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (run_file(t, path) == 0) {
				passed++;
				n++;
			} else {
				failed++;
			}
		}
		closedir(d);
		if (n == 0) {
			fprintf(stderr, "%s: empty corpus\n", dir);
			failed++;
		}
		printf("%s: %u inputs replayed\n", t->ft_name, n);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
