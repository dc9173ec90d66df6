/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee_open_regular_in_trusted (melee-util.h), the open of every config
 * file: it looks at the entry (fstatat), then opens it by name, so a
 * FIFO swapped in between the look and the open must neither block the
 * reader nor be returned, and the owner's atomic update (a new file
 * renamed over the name) must never fail a read.  A second process
 * renames a FIFO and a regular file, then only regular files, over the
 * name as fast as it can while the test opens it;
 * the trusted owner is the test's own uid, as in test-safety.c.  Every
 * open runs under alarm(): a blocked open kills the test. */
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-open-swap.XXXXXX";

static void die_setup(const char *what)
{
	perror(what);
	exit(99);
}

static void write_file(int dfd, const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
		die_setup(name);
}

/* The owner's atomic update, as editors, install(1) and configuration
 * management make it: a new regular file renamed over "conf". */
static _Noreturn void replacer(int dfd)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(98);
	for (;;) {
		write_file(dfd, "new.tmp", "good\n");
		if (renameat(dfd, "new.tmp", dfd, "conf") < 0)
			_exit(98);
	}
}

/* The attacker: "conf" is a FIFO, then a regular file, then a FIFO...,
 * each put in place by rename (atomic: the name always exists). */
static _Noreturn void swapper(int dfd)
{
	/* Gone with the test, also when alarm() kills it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(98);
	for (;;) {
		if (mkfifoat(dfd, "fifo.tmp", 0644) < 0 ||
		    renameat(dfd, "fifo.tmp", dfd, "conf") < 0)
			_exit(98);
		write_file(dfd, "reg.tmp", "good\n");
		if (renameat(dfd, "reg.tmp", dfd, "conf") < 0)
			_exit(98);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	long opened = 0, refused = 0, raced = 0, bad_fd = 0, other = 0, calls = 0;
	struct stat st, fst;
	int dfd, fd, r;
	double until;
	pid_t pid;

	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		die_setup("mkdtemp");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		die_setup(dir);

	/* Planted before the look: refused at once, never opened. */
	if (mkfifoat(dfd, "planted", 0644) < 0)
		die_setup("mkfifo");
	alarm(5);
	r = melee_open_regular_in_trusted(dfd, "planted", getuid(), &st);
	alarm(0);
	ok(r == -EINVAL && S_ISFIFO(st.st_mode), "a FIFO in place: -EINVAL, it is a FIFO (got %d)",
	   r);
	if (symlinkat("planted", dfd, "link") < 0)
		die_setup("symlink");
	r = melee_open_regular_in_trusted(dfd, "link", getuid(), &st);
	ok(r == -ELOOP, "a symlink: -ELOOP, not followed (got %d)", r);
	write_file(dfd, "plain", "good\n");
	fd = melee_open_regular_in_trusted(dfd, "plain", getuid(), &st);
	ok(fd >= 0 && fstat(fd, &fst) == 0 && fst.st_ino == st.st_ino && S_ISREG(st.st_mode) &&
	       (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	   "a regular file: opened read-only, close-on-exec, *st is the fd's (got %d)", fd);
	if (fd >= 0)
		close(fd);

	/* The race: both kinds of refusal and of success must come up, and
	 * a swap landing between the look and the open (-EAGAIN) at least
	 * once, else the window was not exercised. */
	write_file(dfd, "conf", "good\n");
	pid = fork();
	if (pid < 0)
		die_setup("fork");
	if (pid == 0)
		swapper(dfd);
	until = now() + 10;
	while (now() < until && (raced < 20 || opened < 20 || refused < 20)) {
		alarm(5); /* a FIFO opened for reading without O_NONBLOCK blocks */
		fd = melee_open_regular_in_trusted(dfd, "conf", getuid(), &st);
		alarm(0);
		calls++;
		if (fd >= 0) {
			opened++;
			if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || fst.st_ino != st.st_ino)
				bad_fd++;
			close(fd);
		} else if (fd == -EINVAL) {
			refused++;
		} else if (fd == -EAGAIN) {
			raced++;
		} else if (fd != -ENOENT) {
			other++;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("# %ld opens: %ld regular, %ld FIFO refused at the look, %ld swapped between look "
	       "and open, %ld other\n",
	       calls, opened, refused, raced, other);
	ok(bad_fd == 0, "never an fd of anything but the regular file looked at (%ld were)",
	   bad_fd);
	ok(other == 0, "no other error (%ld)", other);
	ok(opened > 0 && refused > 0, "both the file and the FIFO were met (%ld, %ld)", opened,
	   refused);
	ok(raced > 0, "a FIFO swapped in after the look was refused, without blocking (%ld times)",
	   raced);

	/* The owner's rename of a new file over the name, racing the reads:
	 * every open succeeds, with the old file or the new one (refusing
	 * the inode that was not the one looked at failed about one read
	 * in a hundred: a login or an NSS lookup meeting the update).  The
	 * swapper may have left a FIFO there: removed first. */
	unlinkat(dfd, "conf", 0);
	write_file(dfd, "conf", "good\n");
	pid = fork();
	if (pid < 0)
		die_setup("fork");
	if (pid == 0)
		replacer(dfd);
	{
		long fails = 0, changed = 0, n;
		ino_t last = 0;
		int last_err = 0;

		until = now() + 20;
		for (n = 0; (n < 20000 || changed < 200) && now() < until; n++) {
			fd = melee_open_regular_in_trusted(dfd, "conf", getuid(), &st);
			if (fd < 0) {
				if (fd != -ENOENT) {
					fails++;
					last_err = fd;
				}
				continue;
			}
			if (st.st_ino != last)
				changed++;
			last = st.st_ino;
			close(fd);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		printf("# %ld opens during renames, %ld saw a new file\n", n, changed);
		ok(fails == 0,
		   "an atomic rename over the file never fails a read (%ld of %ld did, "
		   "last %d)",
		   fails, n, last_err);
		ok(changed > 100, "the renames raced the reads (%ld new files seen)", changed);
	}

	/* A directory others may write: the O_PATH open and /proc reopen
	 * (melee_open_regular), with the same answers. */
	if (fchmod(dfd, 0777) < 0)
		die_setup("chmod");
	r = melee_open_regular_in_trusted(dfd, "planted", getuid(), &st);
	ok(r == -EINVAL, "writable by others: a FIFO still -EINVAL (got %d)", r);
	fd = melee_open_regular_in_trusted(dfd, "plain", getuid(), &st);
	ok(fd >= 0 && fstat(fd, &fst) == 0 && fst.st_ino == st.st_ino,
	   "writable by others: the file opened, *st the fd's (got %d)", fd);
	if (fd >= 0)
		close(fd);

	unlinkat(dfd, "planted", 0);
	unlinkat(dfd, "link", 0);
	unlinkat(dfd, "plain", 0);
	unlinkat(dfd, "conf", 0);
	unlinkat(dfd, "fifo.tmp", 0);
	unlinkat(dfd, "reg.tmp", 0);
	unlinkat(dfd, "new.tmp", 0);
	close(dfd);
	rmdir(dir);
	return done_testing();
}
