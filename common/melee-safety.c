/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening image roots and paths inside them without following anything a user could change. */
#include "melee-safety.h"
#include "melee-config.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Explains why openat(O_NOFOLLOW|O_DIRECTORY) failed on one component. */
static int explain_component(int dirfd, const char *name, const char *shown, int e, char *err,
			     size_t errlen)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return melee_fail(err, errlen, -ELOOP,
					  "%s: is a symlink (refused: image paths must not "
					  "contain symlinks)",
					  shown);
		if (!S_ISDIR(st.st_mode))
			return melee_fail(err, errlen, -ENOTDIR, "%s: is not a directory", shown);
	}
	if (e == ENOENT)
		return melee_fail(err, errlen, -e, "%s: does not exist", shown);
	return melee_fail(err, errlen, -e, "%s: cannot open: %s", shown, strerror(e));
}

static int check_trusted_dir(int fd, const char *shown, uid_t owner, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: cannot stat: %s", shown,
				  strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return melee_fail(err, errlen, -ENOTDIR, "%s: is not a directory", shown);
	return melee_check_trusted(&st, owner, shown, err, errlen);
}

/* The walk of relpath from the directory fd `start`, which it owns (and
 * closes): each component opened once, checked on the fd we hold. */
static int walk_from(int start, const char *base_desc, const char *relpath, uid_t owner, char *err,
		     size_t errlen)
{
	cleanup_fd int fd = start;
	cleanup_free char *copy = strdup(relpath);
	char shown[4096];
	char *save = NULL;
	int r;

	if (!copy)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	snprintf(shown, sizeof(shown), "%s", strcmp(base_desc, "/") ? base_desc : "");
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (strlen(shown) + strlen(c) + 2 < sizeof(shown)) {
			strcat(shown, "/");
			strcat(shown, c);
		}
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return melee_fail(err, errlen, -EINVAL,
					  "%s: '.' and '..' are not allowed in image paths", shown);
		/* O_NOFOLLOW|O_DIRECTORY on each step: no component can be a
		 * symlink, and what we check is what we hold. */
		next = openat(fd, c, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (next < 0)
			return explain_component(fd, c, shown, errno, err, errlen);
		melee_fd_replace(&fd, next);
		r = check_trusted_dir(fd, shown, owner, err, errlen);
		if (r < 0)
			return r;
	}
	return melee_steal_fd(&fd);
}

int image_open_safely_at(int basefd, const char *base_desc, const char *relpath, uid_t owner,
			 char *err, size_t errlen)
{
	int fd = fcntl(basefd, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", base_desc, strerror(errno));
	return walk_from(fd, base_desc, relpath, owner, err, errlen);
}

int image_open_safely(const char *path, uid_t owner, char *err, size_t errlen)
{
	cleanup_fd int root = -1;
	int r;

	if (!path || path[0] != '/')
		return melee_fail(err, errlen, -EINVAL, "%s: image path must be absolute",
				  path ? path : "(null)");
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return melee_fail(err, errlen, -errno, "/: %s", strerror(errno));
	r = check_trusted_dir(root, "/", owner, err, errlen);
	if (r < 0)
		return r;
	/* The walk takes our "/" over: no dup of it to close again (every
	 * session and every melee walks this path). */
	return walk_from(melee_steal_fd(&root), "/", path + 1, owner, err, errlen);
}

/* path split at its last slash: the parent's walk (an O_PATH fd) and the
 * last component.  "/x" has "/" as its parent. */
static int open_parent(const char *path, uid_t owner, char *parent, size_t plen, const char **base,
		       char *err, size_t errlen)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (!path || path[0] != '/' || !slash || !slash[1] || (size_t)(slash - path) + 2 > plen)
		return melee_fail(err, errlen, -EINVAL, "%s: expected an absolute path to a file",
				  path ? path : "(null)");
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash == path ? 1 : slash - path] = '\0';
	if (slash == path)
		parent[0] = '/';
	*base = slash + 1;
	return image_open_safely(parent, owner, err, errlen);
}

int image_open_file_safely(const char *path, uid_t owner, char *err, size_t errlen)
{
	char parent[4096];
	const char *base;
	cleanup_fd int dir = open_parent(path, owner, parent, sizeof(parent), &base, err, errlen);
	struct stat st;

	if (dir < 0)
		return dir;
	/* Looked at before it is opened: opening a device or a FIFO can
	 * block or act.  The parent is root's alone, so what we looked at
	 * stays, and the checks below are made on the fd all the same. */
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", path,
				  errno == ENOENT ? "does not exist" : strerror(errno));
	if (S_ISLNK(st.st_mode))
		return melee_fail(err, errlen, -ELOOP,
				  "%s: is a symlink (refused: an image file must not be one)",
				  path);
	if (!S_ISREG(st.st_mode))
		return melee_fail(err, errlen, -EINVAL, "%s: is not a regular file (refused)",
				  path);
	/* The same open and checks on the fd as every trusted config file. */
	return melee_open_trusted_at(dir, base, path, false, owner, err, errlen);
}

int image_open_safely_create(const char *path, uid_t owner, bool create, bool *created, char *err,
			     size_t errlen)
{
	char parent[4096];
	const char *base;
	cleanup_fd int dir = open_parent(path, owner, parent, sizeof(parent), &base, err, errlen);
	cleanup_fd int fd = -1;
	int r;

	*created = false;
	if (dir < 0)
		return dir;
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: '.' and '..' are not allowed in image paths", path);
	fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		/* Relative to the walked parent, so the new directory is
		 * where the walk says; made 0700 and opened to set owner and
		 * mode, so that it is never reachable with others'. */
		if (mkdirat(dir, base, 0700) == 0) {
			cleanup_fd int w =
			    openat(dir, base, O_RDONLY | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);

			if (w < 0 || fchown(w, owner, (gid_t)-1) < 0 || fchmod(w, 0755) < 0)
				return melee_fail(err, errlen, -errno, "%s: cannot set up: %s",
						  path, strerror(errno));
			*created = true;
		} else if (errno != EEXIST) {
			return melee_fail(err, errlen, -errno, "%s: cannot create: %s", path,
					  strerror(errno));
		}
		fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return explain_component(dir, base, path, errno, err, errlen);
	r = check_trusted_dir(fd, path, owner, err, errlen);
	return r < 0 ? r : melee_steal_fd(&fd);
}

/* Creates the missing last component `name` of a mountpoint in the
 * directory dirfd: relative to a directory fd we walked without following
 * symlinks, so the new node is inside the image. */
static int create_mountpoint(int dirfd, const char *name, enum melee_target_kind kind,
			     const char *shown, char *err, size_t errlen)
{
	if (kind == MELEE_TARGET_DIR) {
		if (mkdirat(dirfd, name, 0755) < 0)
			goto fail;
	} else {
		cleanup_fd int nf =
		    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (nf < 0)
			goto fail;
	}
	return 0;
fail:
	return melee_fail(err, errlen, -errno, "%s: cannot create mountpoint: %s", shown,
			  strerror(errno));
}

/* What the walk to a mountpoint looks at, without asking any file
 * system (AT_STATX_DONT_SYNC on an O_PATH fd: no FUSE daemon is asked, so
 * a user's stopped one cannot hang up while it holds the lock). */
#define MOUNTPOINT_WANT (STATX_TYPE | STATX_MODE | STATX_UID | STATX_MNT_ID)

static int look(int fd, struct statx *sx)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int e;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, MOUNTPOINT_WANT, sx) == 0)
		return sx->stx_mask & STATX_MNT_ID ? 0 : -EOPNOTSUPP;
	/* A FUSE mount may refuse root any attribute: EACCES without
	 * allow_other, EIO once its daemon made its root a bad inode (review
	 * 31).  Its mount id is still the VFS's to tell (fdinfo, no file
	 * system asked): the caller refuses the mount for what it is (-errno
	 * with STATX_MNT_ID in the mask). */
	e = errno;
	memset(sx, 0, sizeof(*sx));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	while (f && getline(&line, &cap, f) > 0) {
		unsigned long long id;

		if (sscanf(line, "mnt_id: %llu", &id) == 1) {
			sx->stx_mnt_id = id;
			sx->stx_mask = STATX_MNT_ID;
			break;
		}
	}
	if (f)
		fclose(f);
	free(line);
	return -e;
}

/* Field `n` (0: the first) of a space-separated mountinfo field list, as
 * a pointer and length: the kernel escapes spaces inside a field (\040),
 * so a single space ends one; false when there are fewer fields. */
static bool field(const char *s, int n, const char **f, size_t *len)
{
	for (; n > 0; n--) {
		s = strchr(s, ' ');
		if (!s)
			return false;
		s++;
	}
	*f = s;
	*len = strcspn(s, " \n");
	return *len > 0;
}

/* Whether the mountinfo super options `opts` (len bytes, comma-separated)
 * hold user_id= with another value than 0. */
static bool users_user_id(const char *opts, size_t len)
{
	while (len > 0) {
		size_t n = strcspn(opts, ",");

		if (n > len)
			n = len;
		if (n > 8 && strncmp(opts, "user_id=", 8) == 0)
			return !(n == 9 && opts[8] == '0');
		opts += n;
		len -= n;
		if (len > 0) {
			opts++;
			len--;
		}
	}
	return false;
}

bool melee_fs_users_fuse(const char *type, size_t tlen, const char *opts, size_t olen)
{
	bool fuse = (tlen == 4 && strncmp(type, "fuse", 4) == 0) ||
		    (tlen > 5 && strncmp(type, "fuse.", 5) == 0) ||
		    (tlen == 7 && strncmp(type, "fuseblk", 7) == 0) ||
		    (tlen > 8 && strncmp(type, "fuseblk.", 8) == 0);

	/* user_id=0: root's own FUSE pool (mergerfs, bindfs of root's). */
	return fuse && users_user_id(opts, olen);
}

/* Whether the mount `id` is one the walk may go on in: 0; -EPERM when it
 * is a user's FUSE mount (fusermount's: user_id= other than 0 among its
 * super options; fuse, fuse.SUBTYPE, fuseblk), whose daemon is the
 * user's to stop and whose files say whatever owner they like, or when
 * it is not in this namespace's mount table at all (detached since), or
 * its line cannot be read.  The caller holds an fd on that mount, so its
 * id is no other mount's meanwhile.  libc only (no libmount here): the
 * one line of /proc/self/mountinfo whose first field is id, its fields
 * after " - " taken whole (type, source, super options: the type is the
 * user's choice after "fuse.", of any length; review 30). */
static int mount_ok(uint64_t id, const char *shown, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	int r = -EPERM;
	const char *why = "not in the mount table (detached)";

	if (!f)
		return melee_fail(err, errlen, -errno, "%s: cannot read /proc/self/mountinfo: %s",
				  shown, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		const char *type, *opts, *sep;
		size_t tlen, olen;
		char *end;

		if (strtoull(line, &end, 10) != id || *end != ' ')
			continue;
		sep = strstr(line, " - ");
		if (!sep || !field(sep + 3, 0, &type, &tlen) || !field(sep + 3, 2, &opts, &olen)) {
			why = "a mount whose line in the mount table cannot be read";
			break;
		}
		if (!melee_fs_users_fuse(type, tlen, opts, olen))
			r = 0;
		why = "a user's FUSE mount";
		break;
	}
	fclose(f);
	if (r < 0)
		return melee_fail(
		    err, errlen, r,
		    "%s: is on %s; refused (nothing there is looked at or mounted on)", shown, why);
	return 0;
}

/* Whether the walk may look inside the directory `dir` (seen as *sx):
 * only what root alone can change, so that no one else can move a
 * directory on the way, or the mountpoint, elsewhere (out of the image,
 * onto the host) between the walk and the mount or after it, or put a
 * mount of theirs there.  A sticky directory of root's (the image's /tmp)
 * is looked inside only for a name of root's (*sticky: its owner alone
 * may move it). */
static int may_look_inside(const struct statx *sx, const char *dir, bool *sticky, char *err,
			   size_t errlen)
{
	*sticky = false;
	if (sx->stx_uid == 0 && !(sx->stx_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if (sx->stx_uid == 0 && (sx->stx_mode & S_ISVTX)) {
		*sticky = true;
		return 0;
	}
	return melee_fail(err, errlen, MELEE_MOUNTPOINT_UNSAFE,
			  "%s: others than root may change it (owner %u, mode %04o; expected a "
			  "directory of root's that no one else may write, or a sticky one); "
			  "refused: whoever may could move the mountpoint elsewhere",
			  dir, (unsigned)sx->stx_uid, (unsigned)(sx->stx_mode & 07777));
}

/* The checks on one opened component of a mountpoint: never a symlink,
 * a directory on the way, and at the end the kind the source has. */
static int check_mountpoint_component(const struct statx *sx, bool last,
				      enum melee_target_kind kind, const char *shown, char *err,
				      size_t errlen)
{
	if (S_ISLNK(sx->stx_mode))
		return melee_fail(err, errlen, -ELOOP,
				  "%s: is a symlink (refused: a mountpoint inside an "
				  "image must not be a symlink, it could point at the host)",
				  shown);
	if (!last && !S_ISDIR(sx->stx_mode))
		return melee_fail(err, errlen, -ENOTDIR, "%s: is not a directory", shown);
	if (last && kind == MELEE_TARGET_DIR && !S_ISDIR(sx->stx_mode))
		return melee_fail(err, errlen, -ENOTDIR,
				  "%s: is not a directory (the source is one)", shown);
	if (last && kind == MELEE_TARGET_FILE && S_ISDIR(sx->stx_mode))
		return melee_fail(err, errlen, -EISDIR, "%s: is a directory (the source is a file)",
				  shown);
	return 0;
}

int image_open_mountpoint(int imgfd, const char *imgpath, const char *relpath,
			  enum melee_target_kind kind, bool create, bool *created, char *err,
			  size_t errlen)
{
	cleanup_free char *copy = strdup(relpath);
	cleanup_fd int fd = -1;
	char shown[4096];
	char *save = NULL, *c, *next_c;
	struct statx dir;
	bool sticky;
	int r;

	*created = false;
	if (!copy)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	fd = fcntl(imgfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", imgpath, strerror(errno));
	snprintf(shown, sizeof(shown), "%s", imgpath);
	r = look(fd, &dir);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: %s", imgpath, strerror(-r));
	for (c = strtok_r(copy, "/", &save); c; c = next_c) {
		const int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
		struct statx sx;
		bool last;
		int nfd;

		next_c = strtok_r(NULL, "/", &save);
		last = next_c == NULL;
		/* Looked at before anything in it is. */
		r = may_look_inside(&dir, shown, &sticky, err, errlen);
		if (r < 0)
			return r;
		if (strlen(shown) + strlen(c) + 2 < sizeof(shown)) {
			strcat(shown, "/");
			strcat(shown, c);
		}
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return melee_fail(err, errlen, -EINVAL,
					  "%s: '.' and '..' are not allowed in mountpoints", shown);
		nfd = openat(fd, c, flags);
		if (nfd < 0 && errno == ENOENT && last && create) {
			r = create_mountpoint(fd, c, kind, shown, err, errlen);
			if (r < 0)
				return r;
			*created = true;
			nfd = openat(fd, c, flags);
		}
		if (nfd < 0 && errno == ENOENT)
			return melee_fail(err, errlen, last ? -ENOENT : MELEE_MOUNTPOINT_NO_PARENT,
					  "%s: mountpoint%s does not exist", shown,
					  last ? "" : " parent");
		if (nfd < 0)
			return melee_fail(err, errlen, -errno, "%s: cannot open: %s", shown,
					  strerror(errno));
		melee_fd_replace(&fd, nfd);
		r = look(fd, &sx);
		/* A mount entered: never a user's (the fd holds it, so the id
		 * read is its own); one that keeps root from its attributes
		 * (FUSE without allow_other) still shows its id. */
		if ((sx.stx_mask & STATX_MNT_ID) && sx.stx_mnt_id != dir.stx_mnt_id) {
			int m = mount_ok(sx.stx_mnt_id, shown, err, errlen);

			if (m < 0)
				return m == -EPERM ? MELEE_MOUNTPOINT_UNSAFE : m;
		}
		if (r < 0)
			return melee_fail(err, errlen, r, "%s: %s", shown, strerror(-r));
		r = check_mountpoint_component(&sx, last, kind, shown, err, errlen);
		if (r < 0)
			return r;
		if (sticky && sx.stx_uid != 0)
			return melee_fail(err, errlen, MELEE_MOUNTPOINT_UNSAFE,
					  "%s: belongs to uid %u in a sticky directory, who may "
					  "move it; refused",
					  shown, (unsigned)sx.stx_uid);
		dir = sx;
	}
	return melee_steal_fd(&fd);
}

static int resolve_in_image(int imgfd, const char *relpath, int flags, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	long fd;

	while (*relpath == '/')
		relpath++;
	fd = syscall(SYS_openat2, imgfd, *relpath ? relpath : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

int image_resolve(int imgfd, const char *relpath, int flags)
{
	return resolve_in_image(imgfd, relpath, flags, 0);
}

int image_resolve_own(int imgfd, const char *relpath, int flags)
{
	/* RESOLVE_NO_XDEV: /home, /tmp and /proc of a prepared image are
	 * the host's (and users') files, not the image's. */
	return resolve_in_image(imgfd, relpath, flags, RESOLVE_NO_XDEV);
}

int image_open_regular(int imgfd, const char *relpath, bool own_only, const char *shown, char *err,
		       size_t errlen)
{
	struct stat st;
	int fd;

	while (*relpath == '/')
		relpath++;
	fd = melee_open_regular(
	    imgfd, *relpath ? relpath : ".", 0,
	    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (own_only ? RESOLVE_NO_XDEV : 0), &st);
	if (fd == -EINVAL)
		return melee_fail(err, errlen, fd, "%s: not a regular file (refused: it is %s)",
				  shown, melee_file_kind(&st));
	if (fd < 0)
		return melee_fail(err, errlen, fd, "%s: %s", shown, strerror(-fd));
	return fd;
}
