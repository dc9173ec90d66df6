/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image pack: the new file, unnamed until it is whole, and what
 * killed packs of the same file left behind. */
#include "pack-output.h"
#include "image-pack.h"
#include "melee-util.h"
#include "tool-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Whether name is ".BASE.pack" and digits: a temporary file of a pack
 * of FILE (this version's fallback, or any earlier version's). */
static bool is_leftover_name(const char *name, const char *base)
{
	size_t n = strlen(base);
	const char *digits;

	if (name[0] != '.' || strncmp(name + 1, base, n) != 0 ||
	    strncmp(name + 1 + n, ".pack", strlen(".pack")) != 0)
		return false;
	/* Only now inside the name: a pointer past its end is not made. */
	digits = name + 1 + n + strlen(".pack");
	return digits[0] && strspn(digits, "0123456789") == strlen(digits);
}

/* FILE's directory as the messages show it. */
static int dir_len(const struct pack_output *o)
{
	return (int)(o->base - o->file - 1);
}

/* A leftover written to less than this long ago stays: on a directory
 * shared with other hosts (NFS, where the named file is the fallback) a
 * pack there creates its file first and locks it next, and this host's
 * clearing between the two would unlink the file that pack then writes
 * whole and fails to publish.  Minutes, for the hosts' clocks. */
#define LEFTOVER_MIN_AGE 300

/* Removes one leftover, or says why it stays.  The directory is one only
 * root can write (open_file_dir's walk), so a name in it is root's doing;
 * still only a regular file of root's with one link is taken for a pack's
 * (never a symlink followed, nor a FIFO or device opened for more than
 * the lock: O_NONBLOCK, and the type is checked before the open).  A pack
 * holds LOCK_EX on its file from its creation to its end, so a leftover
 * whose lock is free belongs to a pack that no longer runs, on this host
 * or on another that shares the directory: no PID is guessed (a PID of
 * another node's pack means nothing here).  Locks are not held by packs
 * of versions before this one; on this host those ran under image_lock,
 * as this pack does, so none of them is running now.  One written to
 * lately stays (LEFTOVER_MIN_AGE). */
static void clear_leftover(const struct pack_output *o, const char *name, const char *image)
{
	cleanup_fd int fd = -1;
	struct stat st, now;
	char size[32];
	time_t age;

	if (fstatat(o->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || st.st_nlink != 1) {
		printf("melee-image: %s: left %.*s/%s alone: not a file of root's with one link, "
		       "so no pack's\n",
		       image, dir_len(o), o->file, name);
		return;
	}
	age = time(NULL) - st.st_mtim.tv_sec;
	/* Written "in the future": by a host whose clock is ahead of this
	 * one's (NFS keeps the writer's time), so its age here says nothing
	 * of how long ago that was; maybe just now, by a pack starting there. */
	if (age < 0) {
		printf("melee-image: %s: left %.*s/%s alone: its time is %llds in the future (the "
		       "clock of the host that wrote it is ahead of this one's), so maybe a pack "
		       "that is starting wrote it; a pack from %ds after that time on removes it\n",
		       image, dir_len(o), o->file, name, -(long long)age, LEFTOVER_MIN_AGE);
		return;
	}
	if (age < LEFTOVER_MIN_AGE) {
		printf("melee-image: %s: left %.*s/%s alone: written %llds ago, so maybe by a pack "
		       "that is starting; a pack from %ds after its last write on removes it\n",
		       image, dir_len(o), o->file, name, (long long)age, LEFTOVER_MIN_AGE);
		return;
	}
	/* Read-write: NFS takes flock's LOCK_EX as a write lock. */
	fd = openat(o->dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		printf("melee-image: %s: left %.*s/%s alone: %s\n", image, dir_len(o), o->file,
		       name,
		       errno == EWOULDBLOCK ? "a pack that is running writes it" : strerror(errno));
		return;
	}
	if (unlinkat(o->dfd, name, 0) < 0) {
		warn("pack: cannot remove %.*s/%s, left by a pack that was killed: %s", dir_len(o),
		     o->file, name, strerror(errno));
		return;
	}
	printf("melee-image: %s: removed %.*s/%s (%s), left by a pack of %s that was killed\n",
	       image, dir_len(o), o->file, name, human_size(now.st_size, size, sizeof(size)),
	       o->file);
}

/* The temporary files of packs of FILE that were killed (SIGKILL, the
 * OOM killer, a crash, a power loss) before this version, or while their
 * file was named (the fallback without O_TMPFILE; the moment between
 * linkat and renameat in pack_output_publish).  Only FILE's own: a
 * leftover of another file is the next pack of that file's to clear. */
static void pack_output_clear_leftovers(const struct pack_output *o, const char *image)
{
	int fd = openat(o->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	char **names = NULL;
	size_t n = 0;
	struct dirent *d;

	if (!dir)
		die_errno("pack: cannot read the directory of %s", o->file);
	while ((d = readdir(dir)))
		if (is_leftover_name(d->d_name, o->base) &&
		    melee_strv_push(&names, &n, d->d_name) < 0)
			die("out of memory");
	closedir(dir);
	for (size_t i = 0; i < n; i++)
		clear_leftover(o, names[i], image);
	melee_strv_free(names);
}

void pack_output_init(struct pack_output *o, int dfd, const char *base, const char *file,
		      const char *image)
{
	*o = (struct pack_output){ .dfd = dfd, .base = base, .file = file, .fd = -1 };
	if ((size_t)snprintf(o->tmp, sizeof(o->tmp), ".%s.pack%ld", base, (long)getpid()) >=
	    sizeof(o->tmp))
		die_status(2, "pack: %s: name too long", file);
	pack_output_clear_leftovers(o, image);
}

noreturn void pack_output_fail(struct pack_output *o, const char *why)
{
	if (o->named)
		unlinkat(o->dfd, o->tmp, 0);
	die("pack: %s; %s was not changed", why, o->file);
}

/* O_TMPFILE: the file has no name until pack_output_publish gives it
 * one, so the kernel frees it when its last fd closes, whatever kills
 * the pack (and mksquashfs, which writes it through a bind of this very
 * inode: run_mksquashfs in image-pack.c).  Without O_TMPFILE (NFS,
 * FUSE; EISDIR from a kernel before 3.11) the file is named o->tmp, as
 * before, with O_EXCL|O_NOFOLLOW: never written through anything
 * planted under that name; a pack killed then leaves it, locked no more,
 * for the next pack of FILE to remove. */
void pack_output_create(struct pack_output *o)
{
	/* Mode 0600, also once published: the file holds every file of the
	 * image, its root-only ones too (/etc/shadow, /root, host keys),
	 * which anyone who can read the file reads with unsquashfs; root
	 * mounts it, nobody else needs to read it.  And no one but root can
	 * open it, so no one can hold its lock (clear_leftover). */
	o->fd = openat(o->dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (o->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		o->fd = openat(o->dfd, o->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0600);
		o->named = o->fd >= 0;
	}
	if (o->fd < 0)
		die_errno("pack: cannot create a temporary file in the directory of %s", o->file);
	/* The mark of a pack that runs (clear_leftover).  A file system
	 * without locks (ENOLCK) does not stop the pack: it only leaves its
	 * named file open to another node's clearing.  Held by someone else
	 * already: not ours to write. */
	if (flock(o->fd, LOCK_EX | LOCK_NB) < 0 && errno != ENOLCK)
		pack_output_fail(o, errno == EWOULDBLOCK
					? "cannot lock the temporary file: another process holds it"
					: "cannot lock the temporary file");
	if (fchown(o->fd, 0, 0) < 0 || fchmod(o->fd, 0600) < 0)
		pack_output_fail(o, "cannot make the temporary file root's, mode 0600");
}

/* An unnamed file is linked straight to FILE when there is no FILE
 * (linkat never replaces a name: nothing is ever left then); else to
 * o->tmp and renamed over FILE, so that a reader of FILE sees the old
 * file or the new one whole.  A pack killed between the two leaves
 * o->tmp, whole and unlocked, for the next pack to remove.
 * AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which root has; the
 * /proc/self/fd link is the way without it. */
void pack_output_publish(struct pack_output *o)
{
	char proc[64];
	int r;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (!o->named) {
		r = linkat(o->fd, "", o->dfd, o->base, AT_EMPTY_PATH);
		if (r < 0 && errno != EEXIST)
			r = linkat(AT_FDCWD, proc, o->dfd, o->base, AT_SYMLINK_FOLLOW);
		if (r == 0)
			goto done;
		if (errno != EEXIST)
			pack_output_fail(o, "cannot give the new file a name");
		r = linkat(o->fd, "", o->dfd, o->tmp, AT_EMPTY_PATH);
		if (r < 0 && errno != EEXIST)
			r = linkat(AT_FDCWD, proc, o->dfd, o->tmp, AT_SYMLINK_FOLLOW);
		if (r < 0)
			pack_output_fail(o, "cannot give the new file a name");
		o->named = true;
	}
	if (renameat(o->dfd, o->tmp, o->dfd, o->base) < 0)
		pack_output_fail(o, "cannot move the new file into place");
done:
	o->named = false;
	fsync(o->dfd);
}
