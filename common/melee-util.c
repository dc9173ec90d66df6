/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small shared helpers: error buffers, trust checks, string vectors, bounded reads. */
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

int melee_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void melee_err_clear(char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

int melee_check_trusted(const struct stat *st, uid_t owner, const char *shown, char *err,
			size_t errlen)
{
	char want[32] = "root";

	if (st->st_uid != owner) {
		if (owner != 0)
			snprintf(want, sizeof(want), "uid %u", (unsigned)owner);
		return melee_fail(err, errlen, -EPERM, "%s: owned by uid %u, expected %s (refused)",
				  shown, (unsigned)st->st_uid, want);
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return melee_fail(err, errlen, -EPERM,
				  "%s: group- or world-writable (mode %04o), refused", shown,
				  (unsigned)(st->st_mode & 07777));
	return 0;
}

bool melee_path_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	/* "" is no directory; "/image/" is "/image" (an fstab source may
	 * end in a slash, and must not slip past a check by it). */
	if (len == 0)
		return false;
	while (len > 0 && dir[len - 1] == '/')
		len--;
	return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int open_at(int dirfd, const char *name, int flags, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = resolve,
	};
	long fd;

	/* openat2 only where it is asked for: the NSS module reads
	 * /etc/melee with this and must not need a newer kernel for it. */
	if (resolve)
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	else
		fd = openat(dirfd, name, flags | O_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

/* The regular file looked at in *st, opened by name for reading:
 * O_NONBLOCK, so that a FIFO swapped in meanwhile cannot block, and
 * refused (-EAGAIN) unless it is a regular file and, with same_inode,
 * the inode looked at.  *now is what the opened fd is. */
static int open_same_by_name(int dirfd, const char *name, int path_flags,
			     unsigned long long resolve, const struct stat *st, bool same_inode,
			     struct stat *now)
{
	cleanup_fd int fd =
	    open_at(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | path_flags, resolve);

	if (fd < 0)
		return fd;
	if (fstat(fd, now) < 0)
		return -errno;
	if (!S_ISREG(now->st_mode) ||
	    (same_inode && (now->st_dev != st->st_dev || now->st_ino != st->st_ino)))
		return -EAGAIN;
	return melee_steal_fd(&fd);
}

int melee_open_regular(int dirfd, const char *name, int path_flags, unsigned long long resolve,
		       struct stat *st)
{
	const int rd = O_RDONLY | O_NONBLOCK | O_NOCTTY;
	cleanup_fd int pfd = open_at(dirfd, name, O_PATH | path_flags, resolve);
	struct stat again;
	char proc[64];
	int fd;

	if (pfd < 0)
		return pfd;
	if (fstat(pfd, st) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode)) /* O_PATH|O_NOFOLLOW opens the link itself */
		return -ELOOP;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, rd | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	/* No /proc (a bare chroot): by name once more. */
	return open_same_by_name(dirfd, name, path_flags, resolve, st, true, &again);
}

int melee_open_regular_in_trusted(int dirfd, const char *name, uid_t owner, struct stat *st)
{
	struct stat dir, seen;
	int fd;

	/* Anyone but `owner` who may write the directory could swap a
	 * device node in between the look and the open, which then acts:
	 * such a directory (and AT_FDCWD, a path walked by no one) gets the
	 * O_PATH open and the reopen through /proc. */
	if (dirfd == AT_FDCWD || fstat(dirfd, &dir) < 0 || !S_ISDIR(dir.st_mode) ||
	    melee_check_trusted(&dir, owner, "", NULL, 0) < 0) {
		fd = melee_open_regular(dirfd, name, O_NOFOLLOW, 0, st);
		if (fd >= 0 && fstat(fd, st) < 0) {
			close(fd);
			return -errno;
		}
		return fd;
	}
	/* Looked at without being opened, then opened by name: only the
	 * owner can change the entry in between, and a FIFO swapped in is
	 * refused all the same (open_same_by_name).  Another regular file is
	 * taken: that is the owner's atomic update (write a temporary file,
	 * rename it over the name: editors, install(1), configuration
	 * management), and refusing it would fail a login or a lookup that
	 * meets the rename (test-open-trusted-swap).  One path lookup less
	 * than the O_PATH open and no walk of /proc, on every read of
	 * melee.conf, a drop-in and users.conf. */
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	seen = *st;
	return open_same_by_name(dirfd, name, O_NOFOLLOW, 0, &seen, false, st);
}

const char *melee_file_kind(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symlink";
	default: return "a regular file";
	}
}

int melee_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;
	char *dup = strdup(s);

	if (!dup)
		return -ENOMEM;
	nv = realloc(*v, (*n + 2) * sizeof(*nv));
	if (!nv) {
		free(dup);
		return -ENOMEM;
	}
	nv[(*n)++] = dup;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

void melee_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

bool melee_strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

int melee_read_fd_bytes(int fd, size_t max, char **out, size_t *outlen)
{
	/* Reads up to max + 1 bytes: a file of exactly max bytes is fine,
	 * one byte more is too big.  The cap is checked before every
	 * realloc, so no path keeps a pointer to a block realloc freed. */
	size_t len = 0, cap = max < 4096 ? max + 1 : 4096;
	char *buf = malloc(cap + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len > max) {
			free(buf);
			return -EFBIG;
		}
		if (len == cap) {
			char *nb;

			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

int melee_read_fd(int fd, size_t max, char **out, size_t *outlen)
{
	char *buf;
	size_t len;
	int r = melee_read_fd_bytes(fd, max, &buf, &len);

	if (r < 0)
		return r;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EILSEQ;
	}
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

/* True when dir/name already holds exactly data: a regular file of ours
 * (owner the effective uid, one link, that mode), nothing else.  Read
 * without following a link or blocking on a FIFO planted there; any
 * doubt is "no", and the file is written. */
static bool ours_as_wanted(const struct stat *st, size_t len, mode_t mode)
{
	return S_ISREG(st->st_mode) && st->st_uid == geteuid() && st->st_nlink == 1 &&
	       (st->st_mode & 07777) == mode && (size_t)st->st_size == len;
}

static bool holds_already(int dirfd, const char *name, const char *data, size_t len, mode_t mode)
{
	cleanup_fd int fd = -1;
	char buf[4096];
	struct stat st, was;
	size_t done = 0;

	/* Looked at before it is opened: a device node (a link to a
	 * world-writable one) in a directory others may write is not opened
	 * at all; the open then must find that same file. */
	if (fstatat(dirfd, name, &was, AT_SYMLINK_NOFOLLOW) < 0 || !ours_as_wanted(&was, len, mode))
		return false;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != was.st_dev || st.st_ino != was.st_ino ||
	    !ours_as_wanted(&st, len, mode))
		return false;
	while (done < len) {
		size_t want = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t n = read(fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || memcmp(buf, data + done, (size_t)n) != 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* Temporary files of melee_write_atomic (".NAME.tmpPID") left by a run
 * killed between their creation and the rename (SIGKILL, or the caller's
 * RLIMIT_FSIZE in the setuid melee: the caller may signal it), removed
 * once their process is gone and they are a minute old: a process of
 * another pid namespace (which kill() cannot see) writing this directory
 * takes far less than that between its create and its rename; only a
 * file of this process's own user.  Best
 * effort: a name that cannot be read or removed is left. */
static void sweep_stale_temps(int dirfd, const char *name)
{
	char prefix[256];
	int n = snprintf(prefix, sizeof(prefix), ".%s.tmp", name);
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (n > 0 && (size_t)n < sizeof(prefix) && (de = readdir(d))) {
		const char *digits = de->d_name + n;
		char *end;
		struct stat st;
		long pid;

		if (strncmp(de->d_name, prefix, (size_t)n) != 0 || *digits < '0' || *digits > '9')
			continue;
		errno = 0;
		pid = strtol(digits, &end, 10);
		if (*end || errno || pid <= 0 || pid == (long)getpid() || pid > INT_MAX)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		/* Ours alone: in a directory others may write (links --apps
		 * into one an administrator chose) another user's file of
		 * that name is not (review 32). */
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_mtime > now - 60)
			continue;
		unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

int melee_write_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		       char *err, size_t errlen)
{
	char tmp[256];
	int fd, r;
	size_t done = 0;

	sweep_stale_temps(dirfd, name);
	/* Unchanged content is left as it is: a bind of this file made by
	 * an earlier run (the merged accounts in every image) keeps showing
	 * the file here, not a replaced inode with the same bytes. */
	if (holds_already(dirfd, name, data, len, mode))
		return 1;
	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp%ld", name, (long)getpid()) >= sizeof(tmp))
		return melee_fail(err, errlen, -ENAMETOOLONG, "%s: name too long", name);
	/* O_EXCL|O_NOFOLLOW: never write through something planted here. */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "cannot create %s: %s", tmp,
				  strerror(errno));
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return melee_fail(err, errlen, r, "cannot write %s: %s", name, strerror(-r));
}

char *melee_next_token(char **s)
{
	char *p = *s, *start;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*s = p;
		return NULL;
	}
	start = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return start;
}

char *melee_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

const char *melee_shown(const char *s, size_t max, char *buf, size_t len)
{
	size_t i = 0;

	for (; s[i] && i + 4 < len && i < max; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i])
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}

bool melee_user_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '$';
}
