/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A library for LD_PRELOAD into melee-image in
 * tests/integration/image-remove-mount-reused.sh: the window an attacker
 * gets between remove's read of the mount table and its look at a
 * name.  The first openat(2) of the name $MELEE_PAUSE_NAME relative to
 * a directory fd (as resolve_as_root looks each name up) creates
 * $MELEE_PAUSE_DIR/at and waits (60 s at most) for $MELEE_PAUSE_DIR/go
 * before it goes on.  Read when loaded: melee-image clears its
 * environment. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char name[256], dir[4096];
static int paused;

__attribute__((constructor)) static void pause_at_init(void)
{
	const char *n = getenv("MELEE_PAUSE_NAME"), *d = getenv("MELEE_PAUSE_DIR");

	if (n && d) {
		snprintf(name, sizeof(name), "%s", n);
		snprintf(dir, sizeof(dir), "%s", d);
	}
}

static void maybe_pause(int dirfd, const char *path)
{
	char p[4200];

	if (paused || !name[0] || dirfd == AT_FDCWD || strcmp(path, name) != 0)
		return;
	paused = 1;
	snprintf(p, sizeof(p), "%s/at", dir);
	close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	snprintf(p, sizeof(p), "%s/go", dir);
	for (int i = 0; i < 6000 && access(p, F_OK) != 0; i++)
		usleep(10000);
}

#define WRAP(fn)                                                                                   \
	int fn(int dirfd, const char *path, int flags, ...)                                        \
	{                                                                                          \
		static int (*real)(int, const char *, int, ...);                                   \
		mode_t mode = 0;                                                                   \
                                                                                                   \
		if (flags & (O_CREAT | __O_TMPFILE)) {                                             \
			va_list ap;                                                                \
                                                                                                   \
			va_start(ap, flags);                                                       \
			mode = va_arg(ap, mode_t);                                                 \
			va_end(ap);                                                                \
		}                                                                                  \
		if (!real)                                                                         \
			real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #fn);        \
		maybe_pause(dirfd, path);                                                          \
		return real(dirfd, path, flags, mode);                                             \
	}
WRAP(openat)
WRAP(openat64)
