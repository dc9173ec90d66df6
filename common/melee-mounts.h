/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bind-mount set of an image: its fstab (parsed with libmount), the
 * accounts files, the live mount table, and the one bind operation. */
#ifndef MELEE_MOUNTS_H
#define MELEE_MOUNTS_H

#include <libmount.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "melee-config.h"
#include "melee-enter.h" /* melee_is_mountpoint */
#include "melee-util.h"

#define MELEE_RUNDIR RUNSTATEDIR "/melee"

struct melee_mount_spec {
	char *source; /* absolute host path */
	char *target; /* absolute, relative to the image root */
	bool recursive;
	bool readonly;
	bool nofail; /* a missing source is skipped, not an error */
	char *where; /* "fstab:line", or a description for accounts */
};

struct melee_mount_plan {
	struct melee_mount_spec *m;
	size_t n;
};

void melee_plan_free(struct melee_mount_plan *plan);

/* Parses an fstab whose targets are relative to the image root; only bind
 * and rbind mounts, with ro, rw and nofail.  The file must be owned by
 * `owner` and not group/world-writable. */
int melee_fstab_load(const char *path, uid_t owner, struct melee_mount_plan *plan, char *err,
		     size_t errlen);

/* The whole expected set of an image: its fstab, then (accounts = merge or
 * bind) passwd and group. */
int melee_image_plan(const struct melee_image *im, uid_t owner, struct melee_mount_plan *plan,
		     char *err, size_t errlen);

/* The live mount table, read once per run. */
struct libmnt_table *melee_mounttab_read(char *err, size_t errlen);

/* True if `path` (or, with `below`, anything under it) is a mountpoint. */
/* Whether up skips entry m of an image (imgfd: its root) instead of
 * failing: a nofail entry whose host source is missing, or whose
 * mountpoint's parent directory the image lacks (an image without
 * /var/log gets no wtmp bind), or whose mountpoint a read-only image
 * (a squashfs file) lacks. */
enum melee_skip {
	MELEE_SKIP_NONE,
	MELEE_SKIP_NO_SOURCE,
	MELEE_SKIP_NO_PARENT,
	MELEE_SKIP_READ_ONLY, /* no mountpoint in a read-only image */
	MELEE_SKIP_UNSAFE     /* a directory on the way others than root may
			       * change, or a user's mount (MELEE_MOUNTPOINT_UNSAFE) */
};
enum melee_skip melee_plan_entry_skipped(int imgfd, const char *imgpath,
					 const struct melee_mount_spec *m, char *why,
					 size_t whylen);

bool melee_mounttab_has(struct libmnt_table *tb, const char *path, bool below);
/* melee_fs_users_fuse (melee-safety.h) of a libmount entry. */
bool melee_fs_is_users_fuse(struct libmnt_fs *fs);

enum melee_image_state {
	MELEE_STATE_READY,
	MELEE_STATE_PARTIAL,
	MELEE_STATE_DOWN,
	MELEE_STATE_UNSAFE,
	MELEE_STATE_BROKEN, /* config or fstab problem */
	/* Every mount present, but a bind shows a file its host source no
	 * longer names (melee-mounts' mounts-stale.c decides; up repairs). */
	MELEE_STATE_STALE,
};
const char *melee_state_name(enum melee_image_state s);

struct melee_image_status {
	enum melee_image_state state;
	size_t present, expected;
	char detail[MELEE_ERRLEN]; /* why unsafe or broken */
	int nosuid;		   /* nosuid = yes: 1 the root is mounted nosuid, 0 not */
	/* source = FILE: the file on disk is no longer the one mounted
	 * (melee_squash_stale said 1). */
	bool stale;
	/* source = FILE and mounted: -errno when melee_squash_stale could
	 * not tell (a caller other than root cannot open the loop device),
	 * else 0.  stale is false then: shown as unknown, never as current. */
	int stale_error;
};

void melee_image_status(const struct melee_image *im, struct libmnt_table *tb, uid_t owner,
			struct melee_image_status *st);

/* Binds `source` onto the opened mountpoint `target_fd`: a recursive or
 * plain bind, made rslave (unmounts inside the image never reach the
 * host) and read-only when asked.  Returns an fd (O_PATH, O_CLOEXEC) of
 * the mount attached, through which it can be taken back without its path
 * (melee_unmount_fd, tools/melee-mounts/mounts-made.c), or -errno. */
int melee_bind(const char *source, int target_fd, bool recursive, bool readonly, char *err,
	       size_t errlen);

/* melee_bind in two steps, for a caller that may try more than one place
 * (tools/melee-mounts/mounts-stale.c): the detached copy of `source` (its fd, or
 * -errno), made rslave and read-only as melee_bind makes it; then that
 * copy attached on the opened mountpoint, on top of whatever is mounted
 * there, or with `beneath` under the mount on top of `target_fd` (the
 * root of that mount; MOVE_MOUNT_BENEATH, Linux 6.5: a kernel before
 * refuses it with -EINVAL).  A failed attach leaves the copy usable. */
int melee_bind_clone(const char *source, bool recursive, bool readonly, char *err, size_t errlen);
int melee_bind_attach(int tree, const char *source, int target_fd, bool beneath, char *err,
		      size_t errlen);

/* Host daemons that answer account lookups through a socket under /run:
 * nscd (and unscd) at /run/nscd, which glibc asks before it reads any file,
 * and systemd-userdbd's multiplexer at /run/systemd/userdb, which the
 * image's nss_systemd asks (it answers from the host's NSS).  An image
 * with accounts = merge or none must see only its own files, so up covers
 * each such directory that a bind from the host shows in the image with
 * an empty read-only tmpfs.  NULL-terminated. */
extern const char *const melee_account_daemon_dirs[];

/* True if `dir` (one of the above) is to be covered in this image: its
 * accounts are merge or none, a plan entry binds a parent of `dir` from
 * the host (the deepest one counts, and none binds `dir` itself), and
 * what that bind shows at `dir` is a directory on the host.  Nothing is
 * created in the host's /run: a daemon installed after up shows in
 * status (partial) until the next up covers it. */
bool melee_cover_wanted(const struct melee_image *im, const struct melee_mount_plan *plan,
			const char *dir);

/* Attaches an empty tmpfs, read-only, nosuid, nodev and noexec from its
 * creation (fsmount), on the opened directory.  Returns the attached
 * mount's fd as melee_bind does, or -errno. */
int melee_mount_cover(int target_fd, char *err, size_t errlen);

#endif
