/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entering an image (safety walk, fchdir, chroot, personality) and dropping root for good. */
#include "melee-enter.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

/* statx's mount-root attribute, not the mount table: entering (pam_melee,
 * the SPANK plugin, melee) links no libmount. */
bool melee_is_mountpoint(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
		return false;
	return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* nosuid = yes promises that setuid bits in the image grant nothing: an
 * image whose nosuid bind is missing (unmounted by hand, or the option
 * set after up) is not entered at all rather than entered with them. */
static int image_check_nosuid(int imgfd, const struct melee_image *im, char *err, size_t errlen)
{
	struct statvfs sv;

	if (!im->nosuid)
		return 0;
	if (fstatvfs(imgfd, &sv) < 0)
		return melee_fail(err, errlen, -errno, "image %s: %s: %s", im->name, im->path,
				  strerror(errno));
	if (!(sv.f_flag & ST_NOSUID))
		return melee_fail(err, errlen, -ENXIO,
				  "image %s is not prepared (nosuid = yes, but %s is not "
				  "mounted nosuid); run 'melee-mounts up %s' as root",
				  im->name, im->path, im->name);
	return 0;
}

int melee_image_check_prepared(int imgfd, const struct melee_image *im, char *err, size_t errlen)
{
	cleanup_fd int proc = -1;
	struct statfs sfs;

	/* O_NOFOLLOW|O_DIRECTORY: a /proc that is a symlink (to the host's
	 * /etc, say) is refused rather than followed. */
	proc = openat(imgfd, "proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (proc < 0 && (errno == ELOOP || errno == ENOTDIR))
		return melee_fail(err, errlen, -ELOOP,
				  "image %s is unsafe: %s/proc is not a directory (refused)",
				  im->name, im->path);
	if (proc < 0 || fstatfs(proc, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC ||
	    !melee_is_mountpoint(proc)) {
		if (proc >= 0 && melee_is_mountpoint(proc) && sfs.f_type != PROC_SUPER_MAGIC)
			return melee_fail(err, errlen, -EPERM,
					  "image %s is unsafe: %s/proc has something other than "
					  "proc mounted on it (refused)",
					  im->name, im->path);
		return melee_fail(err, errlen, -ENXIO,
				  "image %s is not prepared (%s/proc is not mounted); "
				  "run 'melee-mounts up %s' as root",
				  im->name, im->path, im->name);
	}
	return image_check_nosuid(imgfd, im, err, errlen);
}

int melee_image_open(const struct melee_image *im, char *err, size_t errlen)
{
	cleanup_fd int imgfd = -1;
	int r;

	/* Walked by fd from / with O_NOFOLLOW, every component root-owned and
	 * not writable by others: nobody but root can swap the tree. */
	imgfd = image_open_safely(im->path, 0, err, errlen);
	if (imgfd < 0)
		return imgfd;
	r = melee_image_check_prepared(imgfd, im, err, errlen);
	return r < 0 ? r : melee_steal_fd(&imgfd);
}

int melee_enter_image_at(int imgfd, const struct melee_image *im, char *err, size_t errlen)
{
	/* Where the caller was, to go back to if the chroot is refused: a
	 * caller that then goes on on the host (fallback=host; su without
	 * "-" keeps its directory) must not be left inside the image tree. */
	cleanup_fd int was = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	/* fchdir to the fd melee_image_open() walked and checked, then
	 * chroot("."): no path is looked up again between the check and the
	 * chroot. */
	if (fchdir(imgfd) < 0)
		return melee_fail(err, errlen, -errno, "cannot enter %s: %s", im->path,
				  strerror(errno));
	if (chroot(".") < 0) {
		int e = errno;

		/* Not inside: a caller that cannot go back is not on the host
		 * either (cwd in the image), so that is "inside" as well. */
		if (was < 0 || fchdir(was) < 0)
			return melee_fail(err, errlen, MELEE_ENTER_INSIDE,
					  "cannot chroot to %s (%s), nor go back to the "
					  "directory it was entered from",
					  im->path, strerror(e));
		return melee_fail(err, errlen, -e, "cannot chroot to %s: %s", im->path,
				  strerror(e));
	}
	/* From here on the process is inside the image: no failure below
	 * may be taken for "not entered" (a caller would go on as if on
	 * the host), so every one is MELEE_ENTER_INSIDE. */
	if (chdir("/") < 0)
		return melee_fail(err, errlen, MELEE_ENTER_INSIDE,
				  "cannot chdir to / in %s after the chroot: %s", im->path,
				  strerror(errno));
	/* A 32-bit image's programs ask uname(2) what they run on. */
	if (im->personality == MELEE_PERSONALITY_LINUX32 && personality(PER_LINUX32) < 0)
		return melee_fail(err, errlen, MELEE_ENTER_INSIDE,
				  "cannot set the linux32 personality in image %s after the "
				  "chroot: %s",
				  im->name, strerror(errno));
	return 0;
}

int melee_enter_image(const struct melee_image *im, char *err, size_t errlen)
{
	cleanup_fd int imgfd = melee_image_open(im, err, errlen);

	if (imgfd < 0)
		return imgfd;
	return melee_enter_image_at(imgfd, im, err, errlen);
}

int melee_become_root(void)
{
	/* Groups first, while we may still change them; uid last. */
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	return 0;
}

int melee_act_as_caller(bool caller, char *err, size_t errlen)
{
	uid_t want = caller ? getuid() : 0;

	/* Only the effective uid moves; real and saved stay as the kernel
	 * set them at exec, so this is reversible until the final drop. */
	if (seteuid(want) < 0)
		return melee_fail(err, errlen, -errno, "seteuid(%u): %s", (unsigned)want,
				  strerror(errno));
	return 0;
}

/* A failed regain proves only that root is gone: read back every id
 * (OpenSSH's permanently_set_uid does the same for uid and gid), so that
 * no saved id survives a surprise in the kernel, libc or a security
 * module. */
static int verify_ids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return melee_fail(err, errlen, -errno, "getresuid/getresgid: %s", strerror(errno));
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return melee_fail(err, errlen, -EPERM,
				  "ids after dropping privileges are uid %u/%u/%u gid "
				  "%u/%u/%u, not %u and %u; refusing to go on",
				  (unsigned)ru, (unsigned)eu, (unsigned)su, (unsigned)rg,
				  (unsigned)eg, (unsigned)sg, (unsigned)uid, (unsigned)gid);
	return 0;
}

/* The same for the supplementary groups: exactly the list set, no
 * leftover group. */
static int verify_groups(const gid_t *groups, size_t ngroups, char *err, size_t errlen)
{
	cleanup_free gid_t *now = NULL;
	int count;

	count = getgroups(0, NULL);
	if (count < 0)
		return melee_fail(err, errlen, -errno, "getgroups: %s", strerror(errno));
	if ((size_t)count != ngroups)
		return melee_fail(err, errlen, -EPERM,
				  "%d supplementary groups after dropping privileges, "
				  "not the %zu set; refusing to go on",
				  count, ngroups);
	if (ngroups > 0 && !(now = calloc(ngroups, sizeof(*now))))
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (ngroups > 0 && getgroups(count, now) != count)
		return melee_fail(err, errlen, -EPERM,
				  "the supplementary groups changed while read; "
				  "refusing to go on");
	/* The kernel sorts the list: compare as sets, both ways. */
	for (size_t i = 0; i < ngroups; i++) {
		bool have = false, wanted = false;

		for (size_t j = 0; j < ngroups; j++) {
			have = have || now[j] == groups[i];
			wanted = wanted || groups[j] == now[i];
		}
		if (!have || !wanted)
			return melee_fail(err, errlen, -EPERM,
					  "supplementary group %u %s after dropping "
					  "privileges; refusing to go on",
					  (unsigned)(have ? now[i] : groups[i]),
					  have ? "was not set but is held" : "is missing");
	}
	return 0;
}

int melee_drop_privileges(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, char *err,
			  size_t errlen)
{
	int r;

	/* Groups first, while we still may change them; then gid; uid last,
	 * all three ids (real, effective, saved). */
	if (setgroups(ngroups, groups) < 0)
		return melee_fail(err, errlen, -errno, "setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid) < 0)
		return melee_fail(err, errlen, -errno, "setresgid(%u): %s", (unsigned)gid,
				  strerror(errno));
	if (setresuid(uid, uid, uid) < 0)
		return melee_fail(err, errlen, -errno, "setresuid(%u): %s", (unsigned)uid,
				  strerror(errno));
	/* Prove it: if root can be regained, something is badly wrong. */
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		return melee_fail(err, errlen, -EPERM,
				  "root could be regained after dropping "
				  "privileges; refusing to go on");
	if (gid != 0 && uid != 0 && (setgid(0) != -1 || setegid(0) != -1))
		return melee_fail(err, errlen, -EPERM,
				  "gid 0 could be regained after dropping "
				  "privileges; refusing to go on");
	r = verify_ids(uid, gid, err, errlen);
	if (r < 0)
		return r;
	return verify_groups(groups, ngroups, err, errlen);
}
