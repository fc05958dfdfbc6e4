/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Assertions and error origins for oban's userspace code.
 *
 * Two tiers, as in OpenZFS's sys/debug.h:
 *
 *   VERIFY*()  always on.  For conditions whose failure means memory or
 *              on-disk state would be corrupted if we went on.
 *   ASSERT*()  only in a debug build (--enable-debug).  For invariants that
 *              are cheap to state and expensive to check on a hot path.
 *
 * The typed forms print both operands: VERIFY3U(a, ==, b) fails with
 * "VERIFY3U(a == b) failed (3 == 4)" and the place.
 *
 * SET_ERROR(e) evaluates to e.  In a debug build it also records where the
 * error was raised (file, line, function) for this thread, and prints it to
 * stderr when OBAN_ERROR_TRACE is set in the environment; meta_strerror() can
 * then say where an error came from.  Use it at the point of origin only:
 *
 *	if (len < sizeof(*hdr))
 *		return SET_ERROR(EINVAL);
 *
 * The kernel module has its own copy of these names in kmod/core's context
 * header; this one is for libmeta, the daemons and the commands.
 */
#ifndef OBAN_DEBUG_H
#define OBAN_DEBUG_H

#include <stdint.h>

void oban_assert_fail(const char *expr, const char *file, int line,
		      const char *func) __attribute__((noreturn));
void oban_assert3_fail(const char *expr, const char *file, int line,
		       const char *func, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 5, 6)));
int oban_set_error(int err, const char *file, int line, const char *func);
/* oban_error_origin - "file:line (func)" of this thread's last SET_ERROR, or NULL. */
const char *oban_error_origin(void);

#define VERIFY(cond)      \
	((void)((cond) || \
		(oban_assert_fail(#cond, __FILE__, __LINE__, __func__), 0)))

#define OBAN_VERIFY3(a, op, b, type, fmt, name)                             \
	do {                                                                \
		const type _va = (type)(a);                                 \
		const type _vb = (type)(b);                                 \
		if (!(_va op _vb))                                          \
			oban_assert3_fail(name "(" #a " " #op " " #b ")",   \
					  __FILE__, __LINE__, __func__,     \
					  "(" fmt " " #op " " fmt ")", _va, \
					  _vb);                             \
	} while (0)

#define VERIFY3U(a, op, b) \
	OBAN_VERIFY3(a, op, b, unsigned long long, "%llu", "VERIFY3U")
#define VERIFY3S(a, op, b) OBAN_VERIFY3(a, op, b, long long, "%lld", "VERIFY3S")
#define VERIFY3P(a, op, b) OBAN_VERIFY3(a, op, b, uintptr_t, "%#lx", "VERIFY3P")
#define VERIFY0(e) OBAN_VERIFY3(e, ==, 0, long long, "%lld", "VERIFY0")

#ifdef OBAN_DEBUG
#define ASSERT(cond) VERIFY(cond)
#define ASSERT3U(a, op, b) VERIFY3U(a, op, b)
#define ASSERT3S(a, op, b) VERIFY3S(a, op, b)
#define ASSERT3P(a, op, b) VERIFY3P(a, op, b)
#define ASSERT0(e) VERIFY0(e)
#define SET_ERROR(err) oban_set_error((err), __FILE__, __LINE__, __func__)
#else
#define ASSERT(cond) ((void)sizeof(cond))
#define ASSERT3U(a, op, b) ((void)sizeof((a)op(b)))
#define ASSERT3S(a, op, b) ((void)sizeof((a)op(b)))
#define ASSERT3P(a, op, b) ((void)sizeof((a)op(b)))
#define ASSERT0(e) ((void)sizeof(e))
#define SET_ERROR(err) (err)
#endif

#endif /* OBAN_DEBUG_H */
