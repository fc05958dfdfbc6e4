/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One fuzz target, two builds (tests/fuzz/README.md):
 *
 *   FUZZ_TARGET(fuzz_foo) { ... use data, size ...; return 0; }
 *
 * With FUZZ_LIBFUZZER (the clang build) the body becomes
 * LLVMFuzzerTestOneInput; otherwise (the gcc build) it registers itself with
 * the replay driver (replay.c), which runs every file of
 * tests/fuzz/corpus/fuzz_foo/ through it in make check.
 */
#ifndef OBAN_TESTS_FUZZ_H
#define OBAN_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_target {
	const char *ft_name;
	int (*ft_fn)(const uint8_t *data, size_t size);
	struct fuzz_target *ft_next;
};

void fuzz_register(struct fuzz_target *t);

#ifdef FUZZ_LIBFUZZER
#define FUZZ_TARGET(name)                                             \
	static int name##_one(const uint8_t *data, size_t size);      \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)  \
	{                                                             \
		return name##_one(data, size);                        \
	}                                                             \
	static int name##_one(const uint8_t *data, size_t size)
#else
#define FUZZ_TARGET(name)                                                      \
	static int name##_one(const uint8_t *data, size_t size);               \
	static struct fuzz_target name##_target = { #name, name##_one, NULL }; \
	__attribute__((constructor)) static void name##_register(void)         \
	{                                                                      \
		fuzz_register(&name##_target);                                 \
	}                                                                      \
	static int name##_one(const uint8_t *data, size_t size)
#endif

#endif /* OBAN_TESTS_FUZZ_H */
