// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client side of include/oban/meta_mn.h: one message with its retries
 * (meta_mn_send()), a configuration command's dry run then commit
 * (meta_mn_send_command()), the BC_CMD payload (doc/format-messages.md,
 * "BC_CMD payload"), and the command context of the daemon's handler.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>
#include <oban/errcodes.h>
#include <oban/mdc_client.h>
#include <oban/meta_mn.h>
#include <oban/meta_set.h>

#include "meta_crc.h"

/* A node's whole output fits an error's what, an exit value with it. */
_Static_assert(META_ERR_WHATLEN >= MDC_MAXOUT + 32, "what too short");

static __thread const struct meta_mn_cmdctx *cur_ctx;

const struct meta_mn_cmdctx *meta_mn_cmdctx(void)
{
	return cur_ctx;
}

void meta_mn_cmdctx_set(const struct meta_mn_cmdctx *cx)
{
	cur_ctx = cx;
}

bool meta_mn_in_daemon(void)
{
#ifdef OBAN_TEST_HOOKS
	/* Test-only: multi-owner sets on one node without mdcommd. */
	const char *v = getenv("OBAN_MN_LOCAL");

	if (v != NULL && strcmp(v, "1") == 0)
		return true;
#endif
	return cur_ctx != NULL;
}

/* ---- the BC_CMD payload ------------------------------------------------ */

int meta_mn_cmd_encode(const char *set, uint32_t flags, int argc,
		       char *const *argv, void *buf, uint32_t *lenp,
		       meta_error_t *ep)
{
	uint8_t *p = buf;
	size_t off = META_MN_CMD_HDRLEN;

	if (argc < 1 || argc > META_MN_CMD_MAXARGS)
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, NULL,
				      "cannot send a command of %d words",
				      argc);
	if (set == NULL || set[0] == '\0' || strlen(set) >= 32)
		return meta_error_set(ep, SET_ERROR(ME_BADNAME), 0, set,
				      "cannot send a command for set");
	memset(p, 0, META_MN_CMD_HDRLEN);
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (n == 1)
			return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, NULL,
					      "cannot send an empty word");
		if (off + n > MDC_MAXDATA)
			return meta_error_set(ep, SET_ERROR(ME_COMM_TOOBIG), 0,
					      argv[0],
					      "cannot send command line of "
					      "more than %u bytes",
					      MDC_MAXDATA - META_MN_CMD_HDRLEN);
		memcpy(p + off, argv[i], n);
		off += n;
	}
	meta_put32(p, META_MN_CMD_MAGIC);
	meta_put16(p + 4, META_MN_CMD_VERSION);
	meta_put16(p + 6, (uint16_t)flags);
	meta_put16(p + 8, (uint16_t)argc);
	meta_put32(p + 12, (uint32_t)(off - META_MN_CMD_HDRLEN));
	memcpy(p + 16, set, strlen(set));
	*lenp = (uint32_t)off;
	return 0;
}

static int bad(meta_error_t *ep, const char *why)
{
	return meta_error_set(ep, SET_ERROR(ME_COMM_BADMSG), 0, NULL,
			      "cannot decode BC_CMD payload: %s", why);
}

int meta_mn_cmd_decode(const void *buf, uint32_t len, struct meta_mn_cmd *mc,
		       meta_error_t *ep)
{
	const uint8_t *p = buf;
	uint32_t slen, argc, off;

	if (len < META_MN_CMD_HDRLEN || len > MDC_MAXDATA)
		return bad(ep, "bad length");
	if (meta_get32(p) != META_MN_CMD_MAGIC)
		return bad(ep, "bad magic");
	if (meta_get16(p + 4) != META_MN_CMD_VERSION)
		return bad(ep, "unknown version");
	if (meta_get16(p + 6) & ~META_MN_CMD_DRYRUN)
		return bad(ep, "unknown flags");
	argc = meta_get16(p + 8);
	if (argc < 1 || argc > META_MN_CMD_MAXARGS)
		return bad(ep, "bad word count");
	if (meta_get16(p + 10) != 0)
		return bad(ep, "pad not zero");
	slen = meta_get32(p + 12);
	if (slen != len - META_MN_CMD_HDRLEN)
		return bad(ep, "length mismatch");
	if (p[16] == '\0' || memchr(p + 16, '\0', 32) == NULL)
		return bad(ep, "bad set name");
	for (size_t i = strlen((const char *)p + 16); i < 32; i++)
		if (p[16 + i] != 0)
			return bad(ep, "set name not zero-padded");
	memset(mc, 0, sizeof(*mc));
	mc->mc_flags = meta_get16(p + 6);
	memcpy(mc->mc_set, p + 16, 32);
	memcpy(mc->mc_buf, p + META_MN_CMD_HDRLEN, slen);
	off = 0;
	for (uint32_t i = 0; i < argc; i++) {
		const char *w = mc->mc_buf + off;
		const char *z = memchr(w, '\0', slen - off);

		if (off >= slen || z == NULL)
			return bad(ep, "truncated words");
		if (z == w)
			return bad(ep, "empty word");
		mc->mc_argv[i] = mc->mc_buf + off;
		off += (uint32_t)(z - w) + 1;
	}
	if (off != slen)
		return bad(ep, "trailing bytes");
	mc->mc_argc = (int)argc;
	mc->mc_argv[argc] = NULL;
	return 0;
}

/* ---- sending ------------------------------------------------------------ */

int meta_mn_send(uint32_t set, uint32_t type, uint32_t flags, const void *data,
		 uint32_t len, struct mdc_result *res, meta_error_t *ep)
{
	struct mdc_client_req rq;
	static __thread struct mdc_result r;

	memset(&rq, 0, sizeof(rq));
	rq.cr_set = set;
	rq.cr_type = type;
	rq.cr_flags = flags;
	rq.cr_data = data;
	rq.cr_len = len;
	memset(&r, 0, sizeof(r));
	if (mdc_client_send(&rq, &r, ep) != 0) {
		if (res != NULL)
			*res = r;
		return -1;
	}
	if (res != NULL)
		*res = r;
	if (r.mr_exitval == 0)
		return 0;
	return meta_mn_result_error(&r, type, ep);
}

/* The code whose message is @msg, or 0. */
static int code_of(const char *msg)
{
#define X(name, value, text) { value, text },
	static const struct {
		int c_code;
		const char *c_msg;
	} codes[] = { META_ERRCODES(X) };
#undef X

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(msg, codes[i].c_msg) == 0)
			return codes[i].c_code;
	for (int e = 1; e < META_ERRNO_MAX; e++)
		if (strcmp(msg, meta_strcode(e)) == 0)
			return e;
	return 0;
}

/* A failure in no known form: the node's whole text and its exit value. */
static int failed_as_is(meta_error_t *ep, uint32_t node, const char *text,
			int32_t exitval)
{
	return meta_error_set(ep, ME_COMM_FAILED, node, NULL,
			      "%s (exit value %" PRId32 ")", text, exitval);
}

int meta_mn_result_error(const struct mdc_result *r, uint32_t type,
			 meta_error_t *ep)
{
	char text[MDC_MAXOUT + 1], line[MDC_MAXOUT + 1], mark[32];
	char *t = text, *at, *obj = NULL;
	size_t n = r->mr_outlen < MDC_MAXOUT ? r->mr_outlen : MDC_MAXOUT;
	uint32_t node = r->mr_failing_node != 0 ? r->mr_failing_node :
						  r->mr_node;
	int code;

	/* The failing node's whole output, without its final newlines. */
	memcpy(text, r->mr_out, n);
	text[n] = '\0';
	n = strlen(text);
	while (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	/* A command's usage error: its whole text, as a local run prints it. */
	if ((type == MDC_MSG_BC_CMD || type == MDC_MSG_BC_CMD_RETRY) &&
	    r->mr_exitval == META_MN_EXIT_USAGE)
		return meta_error_set(ep, ME_USAGE, node, NULL, "%s",
				      n > 0 ? text : mdc_msgtype_name(type));
	/* Without "prog: ". */
	at = strstr(text, ": ");
	if (at != NULL && at - text < 16 && strncmp(text, "meta", 4) == 0 &&
	    strcspn(text, " ") > (size_t)(at - text))
		t = at + 2;
	if (t[0] == '\0')
		return failed_as_is(ep, node, mdc_msgtype_name(type),
				    r->mr_exitval);
	/*
	 * A command's error is its first line: "what 'object' on node N:
	 * reason", each part but the last optional.
	 */
	n = strcspn(t, "\n");
	memcpy(line, t, n);
	line[n] = '\0';
	snprintf(mark, sizeof(mark), "on node %" PRIu32 ": ", node);
	at = strstr(line, mark);
	if (at == NULL || (at > line && at[-1] != ' '))
		return failed_as_is(ep, node, t, r->mr_exitval);
	code = code_of(at + strlen(mark));
	if (code == 0)
		return failed_as_is(ep, node, t, r->mr_exitval);
	t = line;
	at[at > t ? -1 : 0] = '\0';
	n = strlen(t);
	if (n >= 2 && t[n - 1] == '\'') {
		t[n - 1] = '\0';
		obj = strrchr(t, '\'');
		if (obj == NULL || (obj > t && obj[-1] != ' ')) {
			t[n - 1] = '\'';
			obj = NULL;
		} else {
			*obj++ = '\0';
			if (obj - 1 > t)
				obj[-2] = '\0';
		}
	}
	return meta_error_set(ep, code, node, obj, "%s", t);
}

int meta_mn_set_info(const char *set, bool *mn, uint32_t *setno,
		     meta_error_t *ep)
{
	struct meta_set *s;

	if (meta_set_open(set, META_SET_RDONLY | META_SET_NODB, &s, ep) != 0)
		return -1;
	*mn = meta_set_is_mn(s);
	*setno = meta_set_number(s);
	meta_set_close(s);
	return 0;
}

int meta_mn_send_command(const char *set, int argc, char *const *argv,
			 FILE *out, meta_error_t *ep)
{
	static __thread uint8_t buf[MDC_MAXDATA];
	static __thread struct mdc_result res;
	uint32_t setno, len;
	bool mn;

	if (meta_mn_set_info(set, &mn, &setno, ep) != 0)
		return -1;
	if (!mn)
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, set,
				      "cannot send commands for set: not "
				      "multi-owner");
	char *av[META_MN_CMD_MAXARGS + 1];
	const char *base;

	if (argc < 1 || argc > META_MN_CMD_MAXARGS)
		return meta_error_set(ep, SET_ERROR(ME_USAGE), 0, NULL,
				      "cannot send a command of %d words",
				      argc);
	/* The command by its name: the nodes have their own paths. */
	memcpy(av, argv, (size_t)argc * sizeof(*av));
	av[argc] = NULL;
	base = strrchr(argv[0], '/');
	if (base != NULL && base[1] != '\0')
		av[0] = (char *)(uintptr_t)(base + 1);
	argv = av;
	/* The dry run: every node checks, none changes. */
	if (meta_mn_cmd_encode(set, META_MN_CMD_DRYRUN, argc, argv, buf, &len,
			       ep) != 0 ||
	    meta_mn_send(setno, MDC_MSG_BC_CMD,
			 MDC_F_NO_LOG | MDC_F_STOP_ON_ERROR | MDC_F_NO_MCT, buf,
			 len, &res, ep) != 0)
		return -1;
	/* The real run: logged, identical results required. */
	if (meta_mn_cmd_encode(set, 0, argc, argv, buf, &len, ep) != 0)
		return -1;
	if (meta_mn_send(setno, MDC_MSG_BC_CMD, MDC_F_PANIC_WHEN_INCONSISTENT,
			 buf, len, &res, ep) != 0)
		return -1;
	if (out != NULL && res.mr_outlen > 0)
		fwrite(res.mr_out, 1, res.mr_outlen, out);
	return 0;
}
