// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the mdcommd wire decoder (lib/libmeta/mdc_wire.c).
 *
 * Written with FUZZ_TARGET() (fuzz.h): make check replays the seed corpus
 * through it and, with clang, fuzzes it under libFuzzer (tests/fuzz/README.md).
 *
 * Every input is handed to mdc_wire_decode() as one packet received from
 * the cluster, twice: as it is, and with its checksum recomputed, so that
 * mutations get past the CRC to the field checks.  The decoder must refuse
 * or accept, never crash, never read outside the input; a packet it
 * accepts must encode back to exactly the same bytes (one layout, one
 * encoder, one decoder).  Seeds: tests/fuzz/corpus_cpgmsg/ (tests/fuzz/corpus/fuzz_cpgmsg is a
 * link to it).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <oban/mdc_wire.h>

#include "fuzz.h"

static void check_one(const uint8_t *data, size_t size)
{
	static uint8_t again[MDC_WIRE_MAXLEN];
	static struct mdc_packet pk;
	struct mdc_wire_stats st = { 0 };
	meta_error_t e;
	size_t len = 0;

	meta_error_init(&e);
	if (mdc_wire_decode(data, size, 0, &pk, &st, &e) != 0) {
		if (!meta_error_isset(&e) || st.ws_ok != 0)
			abort();
		return;
	}
	if (st.ws_ok != 1)
		abort();
	meta_error_init(&e);
	if (mdc_wire_encode(&pk, again, sizeof(again), &len, &e) != 0)
		abort();
	if (len != size || memcmp(again, data, size) != 0)
		abort();
}

FUZZ_TARGET(fuzz_cpgmsg)
{
	uint8_t *copy;
	uint32_t c;

	check_one(data, size);
	if (size < MDC_WIRE_HDRLEN || size > MDC_WIRE_MAXLEN + 64)
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(copy + 60, 0, 4);
	c = mdc_crc32c(0, copy, size);
	copy[60] = (uint8_t)c;
	copy[61] = (uint8_t)(c >> 8);
	copy[62] = (uint8_t)(c >> 16);
	copy[63] = (uint8_t)(c >> 24);
	check_one(copy, size);
	free(copy);
	return 0;
}
