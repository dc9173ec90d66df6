/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Error style of the command-line tools: noreturn, printf-checked die(). */
#ifndef MELEE_TOOL_UTIL_H
#define MELEE_TOOL_UTIL_H

#include <stdnoreturn.h>

extern const char *tool_name;

noreturn void die_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Registers (atexit) a check that everything written to stdout reached
 * it: at exit stdout is flushed and closed, and a lost write (a full
 * disk, >/dev/full, a closed pipe other than EPIPE) is reported on
 * stderr and turns the exit status into `status` (the tool's own
 * failure code), as util-linux's closestream does.  Every tool calls it
 * first thing in main(). */
void close_stdout_at_exit(int status);

/* Makes sure fds 0, 1 and 2 are open (on /dev/null if they were closed),
 * so that no file we open later becomes someone's stderr. */
void sanitize_std_fds(void);

#endif
