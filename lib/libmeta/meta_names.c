// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names and sizes of the configuration model.
 *
 * A metadevice is "dN" with N in 0..8191 written without leading zeros, a
 * hot spare pool is "hspNNN" with exactly three digits (000..999), as in
 * Solaris Volume Manager.  Either may carry a set prefix, "blue/d10"; the
 * commands also accept "-s blue" and a bare "d10".  A name that looks like
 * a metadevice but is out of range ("d8192", "hsp1000") is ME_CFG_RANGE, a
 * name that is not one at all is ME_BADNAME, so that callers can tell a
 * drive name from a bad metadevice name.
 *
 * Sizes are counted in 512-byte blocks.  A size on the command line is a
 * number with an optional suffix: b (blocks), k, m, g, t (binary units);
 * without one it is blocks.  They are printed the way metastat prints them:
 * "1238895 blocks (604 MB)", the unit value truncated, with one decimal
 * when below ten ("1.0 GB").
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/meta_cfg.h>

/* Parse decimal digits [s, s+n) into *v (no sign, no overflow). */
static bool parse_digits(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

int meta_name_parse(const char *s, struct meta_name *n, meta_error_t *ep)
{
	const char *slash, *base;
	uint64_t v;
	size_t len;

	memset(n, 0, sizeof(*n));
	if (s == NULL || *s == '\0')
		return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, "",
				      "cannot parse name");
	slash = strchr(s, '/');
	base = s;
	if (slash != NULL) {
		len = (size_t)(slash - s);
		if (len == 0 || len >= META_SETNAMELEN ||
		    strchr(slash + 1, '/'))
			return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s,
					      "cannot parse name");
		memcpy(n->mn_set, s, len);
		n->mn_set[len] = '\0';
		if (meta_setname_check(n->mn_set, NULL) != 0)
			return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s,
					      "cannot parse name");
		base = slash + 1;
	}
	len = strlen(base);
	if (len >= 2 && base[0] == 'd' && isdigit((unsigned char)base[1])) {
		if (!parse_digits(base + 1, len - 1, &v))
			return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s,
					      "cannot parse name");
		if (len > 2 && base[1] == '0')
			return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s,
					      "cannot parse name");
		if (v >= META_MAXUNITS)
			return meta_error_set(ep, SET_ERROR(ME_CFG_RANGE), 0, s,
					      "metadevice names are d0..d%d",
					      META_MAXUNITS - 1);
		n->mn_kind = META_NK_UNIT;
		n->mn_num = (uint32_t)v;
		return 0;
	}
	if (len >= 4 && strncmp(base, "hsp", 3) == 0 &&
	    parse_digits(base + 3, len - 3, &v)) {
		if (len != 6)
			return meta_error_set(ep, SET_ERROR(ME_CFG_RANGE), 0, s,
					      "hot spare pool names are "
					      "hsp000..hsp999");
		n->mn_kind = META_NK_HSP;
		n->mn_num = (uint32_t)v;
		return 0;
	}
	return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s,
			      "not a metadevice or hot spare pool name");
}

bool meta_name_is_meta(const char *s)
{
	struct meta_name n;

	return meta_name_parse(s, &n, NULL) == 0;
}

int meta_setname_check(const char *s, meta_error_t *ep)
{
	size_t len = s ? strlen(s) : 0;

	if (len == 0 || len >= META_SETNAMELEN || s[0] == '-' || s[0] == '.')
		return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s ? s : "",
				      "invalid set name");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, s,
					      "invalid set name");
	}
	return 0;
}

int meta_setno_check(uint32_t setno, meta_error_t *ep)
{
	char obj[16];

	if (setno >= 1 && setno <= META_MAXSETS)
		return 0;
	snprintf(obj, sizeof(obj), "%" PRIu32, setno);
	return meta_error_set(ep, SET_ERROR(ME_CFG_RANGE), 0, obj,
			      "set numbers are 1..%d", META_MAXSETS);
}

int meta_size_parse(const char *s, uint64_t *blocks, meta_error_t *ep)
{
	size_t len = s ? strlen(s) : 0;
	unsigned shift = 0; /* log2 of bytes per unit, 9 for blocks */
	uint64_t v;

	if (len == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0, "",
				      "cannot parse size");
	switch (tolower((unsigned char)s[len - 1])) {
	case 'b':
		shift = 9;
		len--;
		break;
	case 'k':
		shift = 10;
		len--;
		break;
	case 'm':
		shift = 20;
		len--;
		break;
	case 'g':
		shift = 30;
		len--;
		break;
	case 't':
		shift = 40;
		len--;
		break;
	default:
		shift = 9;
		break;
	}
	if (!parse_digits(s, len, &v) || v == 0)
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0, s,
				      "cannot parse size");
	/* blocks = v << (shift - 9), refusing overflow (and > 2^63 blocks) */
	if (v > (UINT64_MAX >> 1) >> (shift - 9))
		return meta_error_set(ep, SET_ERROR(ME_CFG_BADSIZE), 0, s,
				      "size too large");
	*blocks = v << (shift - 9);
	return 0;
}

static char *size_fmt(uint64_t blocks, char *buf, size_t len, const char *sep)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB", "PB" };
	/* value in tenths of the unit, truncated */
	uint64_t bytes, div = 1024;
	unsigned u = 0;

	if (blocks > UINT64_MAX / 512)
		blocks = UINT64_MAX / 512;
	bytes = blocks * 512;
	if (blocks < 2) {
		snprintf(buf, len, "%" PRIu64 "%sB", bytes, sep);
		return buf;
	}
	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes / (div * 1024) >= 1) {
		div *= 1024;
		u++;
	}
	if (bytes / div < 10) {
		uint64_t tenths =
			(uint64_t)((unsigned __int128)bytes * 10 / div);

		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%s%s", tenths / 10,
			 tenths % 10, sep, units[u]);
	} else {
		snprintf(buf, len, "%" PRIu64 "%s%s", bytes / div, sep,
			 units[u]);
	}
	return buf;
}

char *meta_size_str(uint64_t blocks, char *buf, size_t len)
{
	return size_fmt(blocks, buf, len, " ");
}

char *meta_size_short(uint64_t blocks, char *buf, size_t len)
{
	return size_fmt(blocks, buf, len, "");
}
