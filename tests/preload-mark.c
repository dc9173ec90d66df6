/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A library for the LD_PRELOAD test of melee: when it is loaded into a
 * process it appends "pid=P ruid=R euid=E exe=PATH" to the file named
 * by MELEE_PRELOAD_MARK.  If it were ever loaded into the setuid melee
 * while root, a line with euid=0 would appear. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void preload_mark(void)
{
	const char *path = getenv("MELEE_PRELOAD_MARK");
	char exe[256], line[512];
	ssize_t n;
	int fd, len;

	if (!path)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	len = snprintf(line, sizeof(line), "pid=%ld ruid=%u euid=%u exe=%s\n", (long)getpid(),
		       (unsigned)getuid(), (unsigned)geteuid(), exe);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)len) != len)
		abort();
	close(fd);
}
