/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening image roots and paths inside them without trusting anything a
 * user could have changed. */
#ifndef MELEE_SAFETY_H
#define MELEE_SAFETY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The fd walk (HACKING.md, security invariants): every component of the absolute `path`, the
 * last included, must be a directory owned by `owner` (root in production)
 * and not group/world-writable; symlinks are refused.  Returns an O_PATH
 * directory fd, or -errno with a message naming the component and why. */
int image_open_safely(const char *path, uid_t owner, char *err, size_t errlen);

/* The same walk below an already trusted directory fd; `base_desc` names
 * it in messages and `relpath` is relative. */
int image_open_safely_at(int basefd, const char *base_desc, const char *relpath, uid_t owner,
			 char *err, size_t errlen);

/* A file trusted like an image root (a squashfs image, source = FILE):
 * every directory above it passes the walk above, and the file itself,
 * opened O_NOFOLLOW, must be a regular file owned by `owner` and not
 * group/world-writable.  Returns an O_RDONLY fd of it, or -errno with a
 * message naming what is wrong (-ELOOP a symlink, -EINVAL not a regular
 * file, -EPERM its owner or mode, or the walk's codes for a directory). */
int image_open_file_safely(const char *path, uid_t owner, char *err, size_t errlen);

/* The walk of the absolute `path` for a mountpoint that up creates when
 * missing (the mountpoint of a file image): the directories above must
 * exist and pass the walk; the last component, when missing and `create`
 * is set, is made an empty directory of `owner`'s, mode 0755, relative to
 * its walked parent.  *created says whether it was.  Returns the O_PATH
 * fd of the directory, checked like every component. */
int image_open_safely_create(const char *path, uid_t owner, bool create, bool *created, char *err,
			     size_t errlen);

enum melee_target_kind { MELEE_TARGET_DIR, MELEE_TARGET_FILE };

/* Whether a mount of file system type `type` with super options `opts`
 * (as /proc/self/mountinfo shows them; lengths given, neither need end
 * there) is a FUSE mount a user made: fusermount lets any user mount one
 * on a directory of theirs, and the kernel shows the mounting user as
 * user_id, not 0.  Its daemon is the user's, who can stop it. */
bool melee_fs_users_fuse(const char *type, size_t tlen, const char *opts, size_t olen);

/* image_open_mountpoint()'s code for "a directory above the mountpoint is
 * missing in the image" (-ENOENT is the mountpoint itself): up creates
 * only the last component, so a nofail entry is skipped on this code. */
#define MELEE_MOUNTPOINT_NO_PARENT (-ENOLINK)
/* Its code for "a directory on the way others than root may change, or a
 * user's mount on the way": nothing there is looked at or mounted on; a
 * nofail entry is skipped on this code. */
#define MELEE_MOUNTPOINT_UNSAFE (-EPERM)

/* Opens (O_PATH) the mountpoint `relpath` inside the image rooted at
 * imgfd, refusing a symlink anywhere on the way: a mountpoint such as
 * IMG/tmp -> /etc would put a bind over the host's files; refusing to
 * look inside a directory others than root may change (the mountpoint
 * could be moved out of the image, onto the host, before or after the
 * mount) and to enter a user's FUSE mount (MELEE_MOUNTPOINT_UNSAFE); no
 * file system is asked for attributes (a stopped FUSE daemon never
 * hangs it).  When the last
 * component is missing and `create` is set it is created (a directory or
 * an empty file, as `kind` says); a missing parent is
 * MELEE_MOUNTPOINT_NO_PARENT. *created
 * tells whether it was.  `imgpath` names the image in messages. */
int image_open_mountpoint(int imgfd, const char *imgpath, const char *relpath,
			  enum melee_target_kind kind, bool create, bool *created, char *err,
			  size_t errlen);

/* Opens a path inside the image the way the image itself would resolve
 * it (symlinks followed, but never out of the image root). */
int image_resolve(int imgfd, const char *relpath, int flags);

/* The same, staying in the image's own file system: a path that crosses
 * into a mount (the host's /home, /tmp, /proc bound in by `up`) is
 * -EXDEV.  For files whose content MELEE copies out of the image. */
int image_resolve_own(int imgfd, const char *relpath, int flags);

/* Opens the regular file `relpath` inside the image for reading, resolved
 * as image_resolve does (image_resolve_own with `own_only`), without ever
 * opening a FIFO or a device node for real (melee_open_regular): a FIFO
 * as the image's etc/os-release or /bin/sh must not hang pack or check.
 * The fd is O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC; -EINVAL when it is
 * not a regular file, with a message naming `shown` and what it is, or
 * another -errno (-ENOENT: missing) with its message. */
int image_open_regular(int imgfd, const char *relpath, bool own_only, const char *shown, char *err,
		       size_t errlen);

#endif
