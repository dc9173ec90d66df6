/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee_write_atomic: a new file, and content that is already there
 * exactly (a file of ours, one link, that mode) left as it is, so that
 * binds of it made earlier (the merged accounts in every image) keep
 * showing it; anything else in its place replaced, never followed,
 * never blocked on. */
#include "melee-util.h"
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-write-atomic-XXXXXX";
static int dfd;

static ino_t ino_of(const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_ino : 0;
}

static const char *content(const char *name)
{
	static char buf[256];
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* A file `name` in the directory, `age` seconds old. */
static int make_aged(const char *name, int age)
{
	struct timespec t[2] = { { time(NULL) - age, 0 }, { time(NULL) - age, 0 } };
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return utimensat(dfd, name, t, AT_SYMLINK_NOFOLLOW);
}

/* A pid that no process has (a child, reaped). */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	if (p > 0)
		waitpid(p, NULL, 0);
	return p;
}

static int put(const char *text)
{
	char err[MELEE_ERRLEN];

	return melee_write_atomic(dfd, "f", text, strlen(text), 0644, err, sizeof(err));
}

int main(void)
{
	ino_t first;
	struct stat st;

	if (!mkdtemp(dir) || (dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return 1;
	ok(put("one\n") == 0, "a new file is written");
	is_str(content("f"), "one\n", "with its content");
	first = ino_of("f");
	ok(put("one\n") == 1 && ino_of("f") == first,
	   "the same content again: 1, the same file, left as it is");
	ok(put("two\n") == 0 && ino_of("f") != first, "other content: a new file renamed over it");
	is_str(content("f"), "two\n", "holding the new content");

	first = ino_of("f");
	ok(fchmodat(dfd, "f", 0600, 0) == 0 && put("two\n") == 0 && ino_of("f") != first,
	   "the same content in another mode: written again");
	ok(fstatat(dfd, "f", &st, 0) == 0 && (st.st_mode & 07777) == 0644, "in the mode asked for");

	first = ino_of("f");
	ok(linkat(dfd, "f", dfd, "other-name", 0) == 0 && put("two\n") == 0 && ino_of("f") != first,
	   "the same content with a second link: written again (the other name keeps the old "
	   "file)");

	ok(unlinkat(dfd, "f", 0) == 0 && mkfifoat(dfd, "f", 0644) == 0 && put("two\n") == 0,
	   "a FIFO in its place: not blocked on, replaced");
	ok(fstatat(dfd, "f", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode),
	   "by a regular file");

	ok(symlinkat("other-name", dfd, "g") == 0 &&
	       melee_write_atomic(dfd, "g", "two\n", 4, 0644, (char[MELEE_ERRLEN]){ 0 },
				  MELEE_ERRLEN) == 0,
	   "a symlink to a file with that content: written");
	ok(fstatat(dfd, "g", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode),
	   "the symlink replaced, not followed");
	ok(fstatat(dfd, "other-name", &st, 0) == 0 && st.st_nlink == 1, "its target untouched");

	/* Temporaries a killed run left (review 29: the setuid melee's
	 * --set-default killed by the caller's RLIMIT_FSIZE). */
	{
		char stale[64], young[64], live[64], other[64];
		pid_t dead = dead_pid(), dead2 = dead_pid();

		snprintf(stale, sizeof(stale), ".f.tmp%ld", (long)dead);
		snprintf(young, sizeof(young), ".f.tmp%ld", (long)dead2);
		snprintf(live, sizeof(live), ".f.tmp%ld", (long)getppid());
		snprintf(other, sizeof(other), ".g.tmp%ld", (long)dead);
		ok(dead > 0 && dead2 > 0 && dead2 != dead && make_aged(stale, 120) == 0 &&
		       make_aged(young, 0) == 0 && make_aged(live, 120) == 0 &&
		       make_aged(other, 120) == 0,
		   "temporaries of killed runs made: one old, one new, one of a live process, one "
		   "of another file");
		ok(put("three\n") == 0 && ino_of(stale) == 0,
		   "a write removes the old temporary of a process that is gone");
		ok(ino_of(young) != 0, "but not one under a minute old (another pid namespace's)");
		ok(ino_of(live) != 0, "nor one of a process that is running");
		ok(ino_of(other) != 0, "nor another file's");
		ok(make_aged(stale, 120) == 0 && put("three\n") == 1 && ino_of(stale) == 0,
		   "content already there: the old temporary removed all the same");
		if (geteuid() == 0) {
			ok(make_aged(stale, 120) == 0 && fchownat(dfd, stale, 1501, 1501, 0) == 0 &&
			       put("four\n") == 0 && ino_of(stale) != 0,
			   "nor one of another user (root writing a directory others may write)");
			unlinkat(dfd, stale, 0);
		}
		unlinkat(dfd, young, 0);
		unlinkat(dfd, live, 0);
		unlinkat(dfd, other, 0);
	}

	unlinkat(dfd, "f", 0);
	unlinkat(dfd, "g", 0);
	unlinkat(dfd, "other-name", 0);
	rmdir(dir);
	return done_testing();
}
