/* Error style of the command-line tools: noreturn, printf-checked die(). */
#ifndef MELEE_TOOL_UTIL_H
#define MELEE_TOOL_UTIL_H

#include <stdnoreturn.h>

extern const char *tool_name;

noreturn void die_status(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Makes sure fds 0, 1 and 2 are open (on /dev/null if they were closed),
 * so that no file we open later becomes someone's stderr. */
void sanitize_std_fds(void);

#endif
