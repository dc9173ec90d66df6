/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee's lines in the system log: see melee-log.h. */
#include "melee-log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_SOCKET "/dev/log"

/* A line on /dev/log: a datagram, or on a stream socket (syslog-ng may
 * listen on one) the line with its terminating NUL as the frame, as
 * syslog(3) sends it. */
static void send_line(const char *line, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = LOG_SOCKET };
	int types[] = { SOCK_DGRAM, SOCK_STREAM };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		int r, e;

		if (fd < 0)
			return;
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		e = errno;
		if (r == 0)
			send(fd, line, len + (types[i] == SOCK_STREAM), MSG_NOSIGNAL);
		close(fd);
		if (r == 0 || e != EPROTOTYPE)
			return;
	}
}

void melee_log(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int head, n;

	head = snprintf(line, sizeof(line), "<%d>melee[%d]: ", LOG_AUTHPRIV | LOG_PRI(prio),
			(int)getpid());
	va_start(ap, fmt);
	n = vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	send_line(line, strlen(line));
}
