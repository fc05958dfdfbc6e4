/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), the checksum of
 * every oban on-disk block.  meta_crc32c(0, buf, len) is the standard
 * CRC-32C of @buf (initial value and final xor 0xffffffff), so
 * meta_crc32c(0, "123456789", 9) == 0xe3069283.  Thread-safe.
 */
#ifndef OBAN_META_CRC_H
#define OBAN_META_CRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint32_t meta_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * For tests and benchmarks: the same function computed by one
 * implementation, META_CRC_SW (slicing by 8, every CPU) or META_CRC_HW (the
 * SSE4.2 instruction; where the CPU has none, whatever meta_crc32c()
 * uses).  meta_crc32c_hw() says whether meta_crc32c() uses the instruction.
 */
#define META_CRC_SW 1
#define META_CRC_HW 2
uint32_t meta_crc32c_impl(int impl, uint32_t crc, const void *buf, size_t len);
bool meta_crc32c_hw(void);

/*
 * META_CRC_OK - compare a stored and a computed checksum.  The libFuzzer
 * build (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, as OSS-Fuzz names it)
 * accepts any checksum so that mutations reach the structures behind it;
 * every other build, the replay driver included, checks.
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define META_CRC_OK(stored, computed) ((void)(stored), (void)(computed), 1)
#else
#define META_CRC_OK(stored, computed) ((stored) == (computed))
#endif

/* The crc of a block whose last 4 bytes hold the (little-endian) crc. */
uint32_t meta_crc_block(const void *buf, size_t len);

static inline uint16_t meta_get16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t meta_get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t meta_get64(const void *p)
{
	return (uint64_t)meta_get32(p) |
	       (uint64_t)meta_get32((const uint8_t *)p + 4) << 32;
}

static inline void meta_put16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void meta_put32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void meta_put64(void *p, uint64_t v)
{
	meta_put32(p, (uint32_t)v);
	meta_put32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif /* OBAN_META_CRC_H */
