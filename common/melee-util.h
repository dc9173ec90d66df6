/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by every part of MELEE: cleanup attributes, error
 * buffers, string vectors.  Library code reports errors through a caller's
 * (char *err, size_t errlen) buffer and a negative errno; it never exits and
 * never writes to stderr. */
#ifndef MELEE_UTIL_H
#define MELEE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MELEE_ERRLEN 1024

static inline void melee_freep(void *p)
{
	free(*(void **)p);
}
static inline void melee_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void melee_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define cleanup_free __attribute__((cleanup(melee_freep)))
#define cleanup_fclose __attribute__((cleanup(melee_fclosep)))
#define cleanup_fd __attribute__((cleanup(melee_closep)))

/* Formats into err (if any) and returns rc, so that callers can write
 * `return melee_fail(err, errlen, -EINVAL, "...")`. */
int melee_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Empties err: for a path that ends well after a call that left a
 * message (a file that may be missing and is). */
void melee_err_clear(char *err, size_t errlen);

/* Takes ownership of an fd and returns it, setting *fd to -1. */
static inline int melee_steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Moves a walk one step on: closes the fd held in *fd and holds nfd. */
static inline void melee_fd_replace(int *fd, int nfd)
{
	melee_closep(fd);
	*fd = nfd;
}

/* The one trust rule for what MELEE reads or walks as root: owned by
 * `owner` (root in production) and not writable by group or others, or
 * anyone else could change it.  -EPERM with a message naming `shown`;
 * err may be NULL for a caller that words its own refusal. */
int melee_check_trusted(const struct stat *st, uid_t owner, const char *shown, char *err,
			size_t errlen);

/* True if `path` is `dir` or lies below it, comparing whole components
 * ("/image/sl6x" is not below "/image/sl6"); every absolute path is
 * below "/".  Both absolute, without a trailing slash. */
bool melee_path_under(const char *path, const char *dir);

/* Every helper that allocates says so to the compiler: a result that is
 * not looked at is a lost -ENOMEM (a member silently dropped, argv[0]
 * read from a NULL vector). */
#define melee_must_check __attribute__((warn_unused_result))

/* NULL-terminated string vectors. */
int melee_strv_push(char ***v, size_t *n, const char *s) melee_must_check;
void melee_strv_free(char **v);
bool melee_strv_contains(char *const *v, const char *s);

/* Opens the regular file `name` below dirfd for reading, O_RDONLY |
 * O_NONBLOCK | O_NOCTTY | O_CLOEXEC, without ever opening anything else
 * for real: a FIFO would block the reader (sshd, su, every NSS caller)
 * until someone writes to it, and opening a device node has effects of
 * its own.  `name` is first opened O_PATH (with `path_flags`, e.g.
 * O_NOFOLLOW) and fstat'ed into *st; only a regular file is then
 * reopened, the same inode through /proc/self/fd (or, with no /proc, by
 * name again with O_NONBLOCK and its device and inode compared).
 * `resolve` is openat2's RESOLVE_* set, 0 for a plain openat.  Returns the
 * fd, or -ELOOP for a symlink (with O_NOFOLLOW), -EINVAL for anything not
 * a regular file (st says what it is), or -errno. */
int melee_open_regular(int dirfd, const char *name, int path_flags, unsigned long long resolve,
		       struct stat *st);

/* melee_open_regular(dirfd, name, O_NOFOLLOW, 0, st) for an entry of a
 * directory only `owner` may change (owned by it, not group- or
 * world-writable, as melee_check_trusted wants: /etc/melee, images.d):
 * there nobody else can swap the entry between a look (fstatat) and an
 * open by name, so no O_PATH open and no reopen through /proc are needed;
 * anything but a regular file found at the open is refused (-EAGAIN) all
 * the same, another regular file (the owner's rename over the name) is
 * taken.  Any other dirfd (AT_FDCWD included) takes melee_open_regular.
 * On success *st is the opened fd's fstat; the codes are
 * melee_open_regular's. */
int melee_open_regular_in_trusted(int dirfd, const char *name, uid_t owner, struct stat *st);

/* "a FIFO", "a directory", ... for messages that refuse what st is. */
const char *melee_file_kind(const struct stat *st);

/* Reads a whole regular file from an open fd, at most max bytes; refuses
 * NUL bytes so that callers may treat the result as a C string. */
int melee_read_fd(int fd, size_t max, char **out, size_t *outlen) melee_must_check;

/* The same without the NUL check, for NUL-separated data such as
 * /proc/self/environ: *out is len bytes plus a terminating NUL. */
int melee_read_fd_bytes(int fd, size_t max, char **out, size_t *outlen) melee_must_check;

/* Writes data to dir/name atomically (temporary file, fsync, rename) with
 * the given mode; dirfd must be a directory fd: 0.  A file of ours that
 * already holds exactly data with that mode is left alone (same inode,
 * same times): 1.  A temporary file of an earlier run that was killed
 * before its rename is removed once its process is gone and it is a
 * minute old. */
int melee_write_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		       char *err, size_t errlen) melee_must_check;

/* s made safe for a message or a log line: every byte outside printable
 * ASCII is '?', and at most max bytes are kept ("..." marks the cut).
 * Writes into buf (len > 4) and returns it. */
const char *melee_shown(const char *s, size_t max, char *buf, size_t len);

/* A character of a user name as libnss_melee and pam_melee read one:
 * [A-Za-z0-9._$-]; the first other one may be the separator. */
bool melee_user_char(char c);

/* Splits off the next whitespace-separated token of *s; NULL at the end. */
char *melee_next_token(char **s);

char *melee_trim(char *s);

#endif
