/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmeta's error convention.
 *
 * Every libmeta function that can fail returns 0 on success and -1 on
 * failure, and fills a caller-supplied meta_error_t that says what failed:
 *
 *   me_class   which kind of code me_code is (errno, oban, RPC)
 *   me_code    a positive errno, or an enum meta_errcode (errcodes.h)
 *   me_node    the cluster node the error happened on, 0 for this node
 *   me_object  the object concerned, quoted in the message ("blue/d10")
 *   me_what    what was being done ("cannot open replica")
 *
 * meta_strerror() turns it into one line in the project's style:
 *
 *   cannot open replica 'blue/0' on node 2: I/O error
 *
 * A meta_error_t is plain data: it may be copied, and it needs no release.
 * The functions here are thread-safe: they touch only the struct given.
 */
#ifndef OBAN_ERROR_H
#define OBAN_ERROR_H

#include <stdbool.h>
#include <stdint.h>

#include <oban/errcodes.h>

enum meta_errclass {
	MEC_NONE = 0, /* no error */
	MEC_SYS = 1, /* me_code is an errno */
	MEC_OBAN = 2, /* me_code is an enum meta_errcode */
	MEC_RPC = 3, /* me_code is a clnt_stat from libtirpc */
};

/*
 * me_what holds a whole failure text read back from another node (at most
 * MDC_MAXOUT, 1024 bytes, and an exit value: meta_mn_result_error()).
 */
#define META_ERR_OBJLEN 128
#define META_ERR_WHATLEN 1088
#define META_ERR_MSGLEN 1536

typedef struct meta_error {
	int32_t me_class;
	int32_t me_code;
	uint32_t me_node;
	char me_object[META_ERR_OBJLEN];
	char me_what[META_ERR_WHATLEN];
	char me_msg[META_ERR_MSGLEN]; /* meta_strerror()'s buffer */
} meta_error_t;

/* meta_error_init - clear @ep to "no error".  Never fails. */
void meta_error_init(meta_error_t *ep);

/*
 * meta_error_set - record an error in @ep and return -1, so that a failing
 * function can say "return meta_error_set(ep, ...);".
 *
 * @code   a positive errno or an enum meta_errcode; 0 is turned into
 *         ME_INTERNAL (a caller that records "success" as an error is a bug).
 * @node   the node the error happened on, 0 for this node.
 * @object the object the error is about, or NULL.
 * @fmt    printf format of what was being done ("cannot open replica"), or
 *         NULL.  Truncated to META_ERR_WHATLEN.
 *
 * @ep may be NULL, in which case nothing is recorded and -1 is returned.
 */
int meta_error_set(meta_error_t *ep, int code, uint32_t node,
		   const char *object, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* meta_error_isset - true if @ep holds an error. */
bool meta_error_isset(const meta_error_t *ep);

/*
 * meta_strcode - the message for one code: strerror() for an errno, the
 * errcodes.h message for an oban code, "unknown error N" otherwise.  Returns
 * a static string, or for an unknown code a string in a thread-local buffer
 * that the next call overwrites.
 */
const char *meta_strcode(int code);

/*
 * The errno values below this have a name of their own in strerror() on
 * Linux (EHWPOISON, 133, is the last); a text from another node is read
 * back into its code by searching these and the oban codes
 * (meta_mn_result_error()), so every text must be unique (test_error).
 */
#define META_ERRNO_MAX 134

/*
 * meta_strerror - format @ep as one line ("cannot open replica 'blue/0' on
 * node 2: I/O error") into @ep->me_msg and return it.  "no error" when @ep
 * holds none.  In a debug build, the place where the error was first raised
 * with SET_ERROR() is appended when OBAN_ERROR_ORIGIN is set in the
 * environment.
 */
const char *meta_strerror(meta_error_t *ep);

/* meta_errclass - the class of @code (MEC_NONE for 0). */
enum meta_errclass meta_errclass(int code);

#endif /* OBAN_ERROR_H */
