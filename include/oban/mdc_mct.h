/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The message completion table (MCT): for every (set, originating node,
 * class, submessage), the id of the last message this node ran and its
 * result.  A node that is handed a message it has already run (a retry, a
 * duplicate delivery, a new master's change-log replay) answers with the
 * stored result instead of running the handler again, so every message
 * runs at most once on every node.
 *
 * It lives in one LMDB environment, a single file "mct.lmdb" (MDB_NOSUBDIR)
 * in the directory given to mdc_mct_open(): the daemon passes
 * oban_dir(OBAN_DIR_RUN), a tmpfs, so the table survives a daemon restart
 * and is gone after a reboot, as the original's mapped file was.  Every put
 * is its own committed write transaction (durable before the result leaves
 * the node).  Key and value are fixed little-endian records (doc/
 * format-messages.md, "Completion table records").
 *
 * Threading: a struct mdc_mct may be used from several threads (LMDB
 * serialises writers); open and close are not concurrent with other calls.
 */
#ifndef OBAN_MDC_MCT_H
#define OBAN_MDC_MCT_H

#include <stdbool.h>
#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_msg.h>

struct mdc_mct;

enum mdc_mct_state {
	MDC_MCT_NOT_DONE = 0x1, /* no entry, or one for another message */
	MDC_MCT_DONE = 0x2, /* ran; the result is stored */
	MDC_MCT_IN_PROGRESS = 0x8, /* the handler was started, not finished */
};

/*
 * mdc_mct_open - open (creating) the table in directory @dir.
 * @mctp  out: the table; release with mdc_mct_close().
 * Errors: ME_COMM_MCT with the LMDB reason in the message, ENOMEM.
 */
int mdc_mct_open(const char *dir, struct mdc_mct **mctp, meta_error_t *ep);

/* mdc_mct_close - close @mct (NULL is fine). */
void mdc_mct_close(struct mdc_mct *mct);

/*
 * mdc_mct_check - look @msg up.  Returns MDC_MCT_DONE (and copies the
 * stored result into @res) when the slot holds @msg's id and is done;
 * MDC_MCT_IN_PROGRESS when it holds @msg's id but was never finished (the
 * node died in the handler); MDC_MCT_NOT_DONE otherwise.  A NO_MCT message
 * is always NOT_DONE.  Returns -1 with @ep (ME_COMM_MCT) on an LMDB error.
 */
int mdc_mct_check(struct mdc_mct *mct, const struct mdc_msg *msg,
		  struct mdc_result *res, meta_error_t *ep);

/*
 * mdc_mct_mark - record that @msg is IN_PROGRESS (@res NULL) or DONE with
 * @res.  Nothing is stored for a NO_MCT message.  0 or -1 (ME_COMM_MCT).
 */
int mdc_mct_mark(struct mdc_mct *mct, const struct mdc_msg *msg,
		 enum mdc_mct_state state, const struct mdc_result *res,
		 meta_error_t *ep);

#endif /* OBAN_MDC_MCT_H */
