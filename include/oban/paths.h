/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where oban keeps things on a node.
 *
 *   configuration     /etc/oban          (runtime.cf)        OBAN_ETCDIR
 *   persistent state  /var/lib/oban      (the local LMDB)    OBAN_STATEDIR
 *   runtime state     /run/oban          (nodelist, sockets,
 *                                         completion table)  OBAN_RUNDIR
 *
 * Each can be moved by the environment variable beside it, so that several
 * simulated nodes can run on one machine; the test cluster also gives every
 * node a mount namespace of its own, in which the defaults already differ.
 * The values are read once, at the first call, and do not change after.
 */
#ifndef OBAN_PATHS_H
#define OBAN_PATHS_H

#include <stddef.h>

enum oban_dir {
	OBAN_DIR_ETC = 0,
	OBAN_DIR_STATE = 1,
	OBAN_DIR_RUN = 2,
};

/* oban_dir - the directory (no trailing slash); never NULL. Thread-safe. */
const char *oban_dir(enum oban_dir which);

/*
 * oban_path - "<dir>/<name>" into @buf of @len bytes.  Returns @buf, or NULL
 * (with errno ENAMETOOLONG) when it does not fit.
 */
char *oban_path(char *buf, size_t len, enum oban_dir which, const char *name);

#endif /* OBAN_PATHS_H */
