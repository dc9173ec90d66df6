/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attacker of tests/integration/image-pack-swap.sh: waits until a
 * reader has read the directory DIR and closed it (it has then lstat'ed
 * its entries: what a tree scanner such as mksquashfs does before it
 * opens the files by path), then at once replaces DIR/NAME by a symlink
 * to TARGET, with one rename so that the name is never missing.
 *
 * As a user: inotify, and the first close of DIR by anyone triggers it.
 * With --by COMM (root only, fanotify): only a close that follows an open
 * by a process named COMM, so that the swap meets that reader's listing
 * and no other.
 *
 * Prints "ready" once the watch is in place, then "swapped" or "no reader
 * within SECONDS s".
 * Usage: swap-on-read [--by COMM] DIR NAME TARGET SECONDS
 * Exit: 0 swapped, 1 nobody read DIR in time, 2 a usage or system error. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "swap-on-read: %s: %s\n", what, strerror(errno));
	return 2;
}

/* True when buf holds a close of the watched directory itself (no name). */
static int inotify_dir_closed(const char *buf, ssize_t len)
{
	for (const char *p = buf; p < buf + len;) {
		const struct inotify_event *ev = (const struct inotify_event *)p;

		if ((ev->mask & IN_CLOSE_NOWRITE) && ev->len == 0)
			return 1;
		p += sizeof(*ev) + ev->len;
	}
	return 0;
}

static int is_named(pid_t pid, const char *comm)
{
	char path[64], name[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(name, sizeof(name), f))
		name[0] = '\0';
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	if (strcmp(name, comm) == 0)
		return 1;
	fprintf(stderr, "swap-on-read: a close by %d (%s) left alone\n", (int)pid,
		name[0] ? name : "gone");
	return 0;
}

/* True when buf holds a close of the marked directory after an open of
 * it by a process named COMM.  The name is read while the opener waits
 * for our answer to its open (a permission event): read later, it could
 * be the name of what the opener exec'ed since (a process that lists the
 * directory, then execs COMM, is not COMM when it lists it). */
static int fanotify_dir_closed(int fan, const char *buf, ssize_t len, const char *comm,
			       int *armed)
{
	const struct fanotify_event_metadata *m = (const void *)buf;
	int hit = 0;

	for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
		if (m->mask & FAN_OPEN_PERM) {
			struct fanotify_response allow = { .fd = m->fd, .response = FAN_ALLOW };

			if (is_named(m->pid, comm))
				*armed = 1;
			if (write(fan, &allow, sizeof(allow)) != sizeof(allow))
				perror("swap-on-read: fanotify response");
		}
		if ((m->mask & FAN_CLOSE_NOWRITE) && *armed)
			hit = 1;
		if (m->fd >= 0)
			close(m->fd);
	}
	return hit;
}

int main(int argc, char **argv)
{
	char buf[8192] __attribute__((aligned(8)));
	const char *comm = NULL;
	char tmp[NAME_MAX + 1];
	struct pollfd pfd;
	time_t end;
	int dfd, w, r, armed = 0;

	if (argc == 7 && strcmp(argv[1], "--by") == 0) {
		comm = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: swap-on-read [--by COMM] DIR NAME TARGET SECONDS\n");
		return 2;
	}
	snprintf(tmp, sizeof(tmp), ".swap.%ld", (long)getpid());
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(argv[1]);
	/* Prepared before the watch: the swap is then one rename. */
	if (symlinkat(argv[3], dfd, tmp) < 0)
		return fail("symlink");
	if (comm) {
		w = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);
		if (w < 0)
			return fail("fanotify_init");
		r = fanotify_mark(w, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_CLOSE_NOWRITE | FAN_ONDIR,
				  AT_FDCWD, argv[1]);
	} else {
		w = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (w < 0)
			return fail("inotify_init1");
		r = inotify_add_watch(w, argv[1], IN_CLOSE_NOWRITE | IN_ONLYDIR);
	}
	if (r < 0)
		return fail("watch");
	/* Our own open of DIR came before the watch: the next close is a
	 * reader's. */
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + atoi(argv[4]);
	pfd = (struct pollfd){ .fd = w, .events = POLLIN };
	while (time(NULL) < end) {
		ssize_t n;

		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			return fail("poll");
		n = read(w, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN)
			return fail("read");
		if (n > 0 && (comm ? fanotify_dir_closed(w, buf, n, comm, &armed)
				       : inotify_dir_closed(buf, n))) {
			if (renameat(dfd, tmp, dfd, argv[2]) < 0)
				return fail("rename");
			printf("swapped\n");
			return 0;
		}
	}
	unlinkat(dfd, tmp, 0);
	printf("no reader within %s s\n", argv[4]);
	return 1;
}
