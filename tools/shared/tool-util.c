/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command-line tools' error style (die) and the check of standard output at exit. */
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((format(printf, 1, 0))) static void vmsg(const char *fmt, va_list ap, int e)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
}

void die_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(status);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void die_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(fmt, ap, e);
	va_end(ap);
	exit(1);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, 0);
	va_end(ap);
}

/* util-linux's close_stream(): an error is a write that failed earlier
 * (ferror) or one that fclose's flush fails; EBADF with nothing pending
 * means stdout was closed from the start and nothing was lost. */
static int close_stream(FILE *stream)
{
	bool pending = __fpending(stream) != 0;
	bool earlier = ferror(stream) != 0;
	bool failed = fclose(stream) != 0;

	if (earlier || (failed && (pending || errno != EBADF))) {
		if (!failed)
			errno = 0; /* the earlier error's errno is long gone */
		return EOF;
	}
	return 0;
}

static int close_stdout_status = 1;

static void close_stdout(void)
{
	/* A reader that went away (melee-mounts status | head) is not the
	 * tool's failure. */
	if (close_stream(stdout) != 0 && errno != EPIPE) {
		if (errno)
			fprintf(stderr, "%s: write error on standard output: %s\n", tool_name,
				strerror(errno));
		else
			fprintf(stderr, "%s: write error on standard output\n", tool_name);
		_exit(close_stdout_status);
	}
	if (close_stream(stderr) != 0)
		_exit(close_stdout_status);
}

void close_stdout_at_exit(int status)
{
	close_stdout_status = status;
	if (atexit(close_stdout) != 0)
		die("cannot register the check of standard output");
}

void sanitize_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n < 0)
			abort(); /* cannot even report it safely */
		if (n != fd)
			abort();
	}
}
