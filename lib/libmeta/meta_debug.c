// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The failure side of VERIFY()/ASSERT() and the error-origin record of
 * SET_ERROR(), for userspace.  See include/oban/debug.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <oban/debug.h>

static __thread char oban_origin[160];

void oban_assert_fail(const char *expr, const char *file, int line,
		      const char *func)
{
	fprintf(stderr, "oban: %s:%d: %s: VERIFY(%s) failed\n", file, line,
		func, expr);
	abort();
}

void oban_assert3_fail(const char *expr, const char *file, int line,
		       const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "oban: %s:%d: %s: %s failed ", file, line, func, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int oban_set_error(int err, const char *file, int line, const char *func)
{
	snprintf(oban_origin, sizeof(oban_origin), "%s:%d (%s)", file, line,
		 func);
	if (getenv("OBAN_ERROR_TRACE") != NULL)
		fprintf(stderr, "oban: error %d raised at %s\n", err,
			oban_origin);
	return err;
}

const char *oban_error_origin(void)
{
	return oban_origin[0] != '\0' ? oban_origin : NULL;
}
