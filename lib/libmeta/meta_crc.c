// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CRC-32C (see meta_crc.h).
 *
 * Two implementations of the same function, chosen once per process: the
 * SSE4.2 crc32 instruction on x86-64 CPUs that have it (8 bytes per
 * instruction), and otherwise "slicing by 8" (eight 256-entry tables, 8
 * bytes per step, after Intel's and zlib's).  A byte-at-a-time table loop,
 * as this file had first, checks a few hundred MB/s at best: loading a set
 * of 8192 volumes checks megabytes, so the difference is milliseconds per
 * command.  tests/unit/test_mddb checks both against a bitwise reference
 * at every length and alignment up to 300 bytes and against known values.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define META_CRC_X86 1
#include <nmmintrin.h>
#endif

#include "meta_crc.h"

static uint32_t crc_table[8][256];
static bool crc_hw;
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78U : c >> 1;
		crc_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_table[j][i] =
				(crc_table[j - 1][i] >> 8) ^
				crc_table[0][crc_table[j - 1][i] & 0xff];
#ifdef META_CRC_X86
	__builtin_cpu_init();
	crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

/* Slicing by 8 on the raw (not inverted) register. */
static uint32_t crc_sw(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len > 0 && ((uintptr_t)p & 7) != 0) {
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		uint32_t lo = crc ^ meta_get32(p), hi = meta_get32(p + 4);

		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#ifdef META_CRC_X86
__attribute__((target("sse4.2"))) static uint32_t
crc_sse42(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc;

	while (len > 0 && ((uintptr_t)p & 7) != 0) {
		c = _mm_crc32_u8((uint32_t)c, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8); /* little-endian, as the instruction wants */
		c = _mm_crc32_u64(c, v);
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

uint32_t meta_crc32c(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc_once, crc_init);
#ifdef META_CRC_X86
	if (crc_hw)
		return ~crc_sse42(~crc, buf, len);
#endif
	return ~crc_sw(~crc, buf, len);
}

uint32_t meta_crc32c_impl(int impl, uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc_once, crc_init);
	if (impl == META_CRC_SW)
		return ~crc_sw(~crc, buf, len);
#ifdef META_CRC_X86
	if (impl == META_CRC_HW && crc_hw)
		return ~crc_sse42(~crc, buf, len);
#endif
	return meta_crc32c(crc, buf, len);
}

bool meta_crc32c_hw(void)
{
	pthread_once(&crc_once, crc_init);
	return crc_hw;
}

uint32_t meta_crc_block(const void *buf, size_t len)
{
	return meta_crc32c(0, buf, len - 4);
}
