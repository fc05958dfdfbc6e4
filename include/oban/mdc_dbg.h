/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdcommd's debug output and its settings in runtime.cf.
 *
 * runtime.cf (oban_path(OBAN_DIR_ETC, "runtime.cf")) is a file of
 * "key value" lines ("key=value" is accepted too, as the original wrote
 * it); '#' starts a comment; unknown keys are ignored, so that other
 * areas keep their settings in the same file.  mdcommd reads:
 *
 *   commd_verbosity            debug mask, hexadecimal (0x...) or decimal
 *   commd_out_file             debug file; default <rundir>/commd.out
 *   commd_out_max              rotate the debug file at this many bytes
 *                              (default 10 MiB; k, M, G suffixes)
 *   commd_inconsistency_action "fence" (default) or "leave"
 *   commd_fence_command        absolute path of the program that fences
 *                              this node ("fence"; run with the node's id
 *                              and name); none: fencing falls back to
 *                              leaving
 *   commd_rt_priority          real-time priority of mdcommd's threads
 *                              (SCHED_RR, 1..98, below corosync's); 0:
 *                              ordinary scheduling.  Default 1.  Read at
 *                              start only.
 *   commd_trace_dir            a benchmarking aid: an existing directory
 *                              (absolute path) into which the daemon
 *                              records the steps of every message
 *                              (include/oban/mdc_trace.h: the file
 *                              DIR/<pid>, 32 MiB allocated at start);
 *                              unset: off, the default.  Read at start
 *                              only; a directory the daemon cannot
 *                              trace into stops it at start, as does
 *                              a file of its pid left there (EEXIST:
 *                              an earlier process of that pid).  Costs
 *                              some 60 ns a trace point, 12 to 20 a
 *                              message on each node (doc/bench.md
 *                              "Tracing one message's steps").
 *
 * The debug file is rotated by size: when a line would take it past the
 * limit it is renamed to "<file>.1" (replacing the older one) and a new
 * file is started, so it never holds more than twice the limit (the
 * original's file grew without bound).
 *
 * Threading: a struct mdc_dbg may be shared by threads (one mutex).
 */
#ifndef OBAN_MDC_DBG_H
#define OBAN_MDC_DBG_H

#include <stdint.h>

#include <oban/error.h>
#include <oban/mdc_core.h>

/* Debug mask bits (the original's MD_MMV_*). */
#define MDC_MMV_INIT 0x1
#define MDC_MMV_SEND 0x2 /* initiator */
#define MDC_MMV_WORK 0x4 /* packets received */
#define MDC_MMV_PROC_M 0x8 /* master processing */
#define MDC_MMV_PROC_S 0x10 /* node processing */
#define MDC_MMV_WAKE_M 0x20 /* results to the master */
#define MDC_MMV_WAKE_I 0x40 /* replies to initiators */
#define MDC_MMV_MISC 0x80
#define MDC_MMV_ALL 0xffff
#define MDC_MMV_SYSLOG 0x10000000 /* also to syslog, whatever the mask */
#define MDC_MMV_TIMESTAMP 0x20000000 /* prefix with the time */

#define MDC_OUT_MAX_DEFAULT (10u << 20)
#define MDC_RT_PRIORITY_DEFAULT 1
#define MDC_RT_PRIORITY_MAX 98 /* corosync runs at the maximum, 99 */

struct mdc_runtime {
	uint32_t rt_verbosity;
	char rt_out_file[512];
	uint64_t rt_out_max;
	enum mdc_incons_action rt_action;
	char rt_fence_command[512]; /* "" when none */
	int rt_rt_priority; /* SCHED_RR priority; 0: SCHED_OTHER */
	char rt_trace_dir[512]; /* commd_trace_dir; "" when off */
	/* Test hooks (test-only keys; doc/mdcommd.md "Test hooks"). */
	bool rt_test_dryrun_fail; /* commd_test_dryrun_fail */
	bool rt_test_result_differ; /* commd_test_result_differ */
	uint32_t rt_test_log_delay_ms; /* commd_test_log_delay (ms) */
};

/*
 * mdc_runtime_read - read @path (NULL: the default runtime.cf) into @rt,
 * defaults first.  A missing file gives the defaults and 0.  Errors:
 * ME_CONFIG_FILE (a bad value for one of our keys, with its line number),
 * errno from reading.
 */
int mdc_runtime_read(const char *path, struct mdc_runtime *rt,
		     meta_error_t *ep);

/*
 * mdc_dbg_create - debug output to @path with @mask, rotated at @max
 * bytes.  The file is opened for append (created 0640).  Errors: errno.
 */
int mdc_dbg_create(const char *path, uint32_t mask, uint64_t max,
		   struct mdc_dbg **dp, meta_error_t *ep);
void mdc_dbg_destroy(struct mdc_dbg *d);
void mdc_dbg_set_mask(struct mdc_dbg *d, uint32_t mask);
uint32_t mdc_dbg_mask(struct mdc_dbg *d);

/*
 * mdc_dbg_printf - one line (a newline is added) if any bit of @what is
 * in the mask.  @d may be NULL (nothing is written).
 */
void mdc_dbg_printf(struct mdc_dbg *d, uint32_t what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* OBAN_MDC_DBG_H */
