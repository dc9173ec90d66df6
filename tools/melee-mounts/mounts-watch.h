/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts watch: keeps every up image following its host files. */
#ifndef MOUNTS_WATCH_H
#define MOUNTS_WATCH_H

#include <stdbool.h>

/* Runs in the foreground until killed: inotify on the directories of
 * every file bind's source (each hop of a symlink too), the host's
 * account files, the configuration and the lock's directory; after a
 * change the stale binds of the images named (all when n == 0) are
 * replaced, each under the one lock (melee_lock_take(), closed
 * to release it) and never held while idle.  Repairs go to syslog, and
 * to stdout unless quiet.  Returns only on a fatal error (exit status). */
int mounts_watch(const char *config, char **names, int n, bool quiet);

/* The longest a change waits before its repair starts: events are
 * gathered until 100 ms pass without one, at most this long. */
#define MOUNTS_WATCH_SETTLE_MS 1000

#endif
