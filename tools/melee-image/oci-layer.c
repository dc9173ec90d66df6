/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One layer of a container image applied beneath the new tree's root.
 * libarchive only reads the tar stream; every write is ours: the parent
 * of each entry is resolved beneath the root by openat2(RESOLVE_IN_ROOT)
 * (a symlink in the tree is followed as a chroot would, never out of
 * it), then the *at call acts on that parent fd and the last name only.
 * What whiteouts remove is removed by tree_remove_at() (tree_walk), and
 * never what this layer wrote itself (a set of its paths). */
#include "image-tree.h"
#include "oci-pathset.h"
#include "oci-source.h"
#include "melee-util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define READ_CHUNK (1u << 20)
/* The largest file a layer may make (its apparent size: 16 TiB). */
#define OCI_FILE_MAX (1ull << 44)

struct layer {
	int rootfd;
	struct oci_apply *ap;
	const struct oci_layer *l;
	struct pathset set;
	uint64_t read;
	char *buf;
	int last_pct;
};

/* The entry's name as a clean relative path ("" is the root): "./" and
 * empty components dropped; ".." or a leading "/" escapes the image,
 * but for the root's own entry "/" (umoci insert writes one). */
static int clean_path(const char *in, char *out, size_t len, char *err, size_t errlen)
{
	size_t used = 0;
	char shown[200];

	if (strlen(in) >= len)
		return melee_fail(err, errlen, -ENAMETOOLONG, "entry '%s' has too long a name",
				  melee_shown(in, 160, shown, sizeof(shown)));
	for (const char *p = in; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && strncmp(p, "..", 2) == 0)
			return melee_fail(err, errlen, -EXDEV,
					  "entry '%s' escapes the image (a '..' in its name)",
					  melee_shown(in, 160, shown, sizeof(shown)));
		if (n && !(n == 1 && p[0] == '.')) {
			if (used)
				out[used++] = '/';
			memcpy(out + used, p, n);
			used += n;
		}
		p += n + (p[n] == '/');
	}
	out[used] = '\0';
	if (in[0] == '/' && used)
		return melee_fail(err, errlen, -EXDEV,
				  "entry '%s' escapes the image (an absolute name)",
				  melee_shown(in, 160, shown, sizeof(shown)));
	return 0;
}

static int resolve(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve =
				    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	int fd = (int)syscall(SYS_openat2, rootfd, path[0] ? path : ".", &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* Makes the directory `name` in pfd (beneath the root), refused with
 * -E2BIG when it would be more than TREE_IMPORT_MAX_DEPTH directories
 * deep, counted on the directories really made (oci-dirs.c), whatever
 * symlinks the entry's name went through: else a layer could build a
 * tree that no walk of ours, nor its removal, could go through. */
static int mkdir_beneath(struct layer *ly, int pfd, const char *name, mode_t mode)
{
	unsigned depth;
	int r = oci_dirs_depth(&ly->ap->dirs, ly->rootfd, pfd, &depth);

	if (r < 0)
		return r;
	if (depth + 1 > TREE_IMPORT_MAX_DEPTH)
		return -E2BIG;
	if (mkdirat(pfd, name, mode) < 0)
		return -errno;
	return oci_dirs_add(&ly->ap->dirs, pfd, name, depth + 1);
}

/* What a failed mkdir_beneath() says. */
static const char *mkdir_error(int r)
{
	static char why[96];

	if (r != -E2BIG)
		return strerror(-r);
	snprintf(why, sizeof(why), "more than %d directories deep (too deep)",
		 TREE_IMPORT_MAX_DEPTH);
	return why;
}

/* The directory `dir` (clean, relative) beneath the root, made (0755,
 * root's) where missing when `create`: a layer may name a file before
 * its directory, or never name the directory at all. */
static int open_dir(struct layer *ly, char *dir, bool create)
{
	int rootfd = ly->rootfd, fd = resolve(rootfd, dir);

	if (fd != -ENOENT || !create)
		return fd;
	for (char *p = dir;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			char *slash;
			cleanup_fd int pfd = -1;

			*p = '\0';
			fd = resolve(rootfd, dir);
			if (fd == -ENOENT) {
				slash = strrchr(dir, '/');
				if (slash)
					*slash = '\0';
				pfd = resolve(rootfd, slash ? dir : "");
				if (slash)
					*slash = '/';
				fd = pfd < 0
					 ? pfd
					 : mkdir_beneath(ly, pfd, slash ? slash + 1 : dir, 0755);
				if (fd == 0 || fd == -EEXIST)
					fd = resolve(rootfd, dir);
			}
			*p = c;
			if (fd < 0 || c == '\0')
				return fd;
			close(fd);
		}
	}
}

/* What clear_lower() walks with: the path of its root below the image's
 * root, and the key of the entry seen (that path and the walk's). */
struct clear {
	struct layer *ly;
	const char *path;
	char *key;
	size_t cap;
};

/* Keeps what this layer wrote (and enters the directories above it);
 * removes every other entry, a whole tree at once. */
static int clear_visit(const struct tree_entry *e, bool after, void *data, char *err, size_t errlen)
{
	struct clear *c = data;
	size_t need = strlen(c->path) + strlen(e->path) + 2;
	char shown[256];
	int r;

	if (after)
		return 0;
	if (need > c->cap) {
		char *k = realloc(c->key, need);

		if (!k)
			return melee_fail(err, errlen, -ENOMEM, "out of memory");
		c->key = k;
		c->cap = need;
	}
	snprintf(c->key, c->cap, "%s%s%s", c->path, c->path[0] ? "/" : "", e->path);
	if (set_get(&c->ly->set, c->key))
		return 0;
	r = tree_remove_at(e->dirfd, e->name, melee_shown(c->key, 200, shown, sizeof(shown)), err,
			   errlen);
	return r < 0 ? r : TREE_SKIP;
}

/* Everything below the directory `path` (fd dirfd) that lower layers
 * made: what this layer wrote stays, and the directories above it are
 * emptied of the rest.  One tree_walk (heap only): a layer chooses the
 * depth, and a recursion per level here once overflowed the stack. */
static int clear_lower(struct layer *ly, int dirfd, const char *path, char *err, size_t errlen)
{
	struct clear c = { ly, path, NULL, 0 };
	char shown[256];
	int r;

	shown[0] = '/';
	melee_shown(path, 200, shown + 1, sizeof(shown) - 1);
	r = tree_walk(dirfd, shown, clear_visit, &c, err, errlen);
	free(c.key);
	return r;
}

static int remove_lower(struct layer *ly, int dirfd, const char *name, const char *path, char *err,
			size_t errlen)
{
	unsigned char f = set_get(&ly->set, path);
	cleanup_fd int fd = -1;
	char shown[256];
	struct stat st;

	melee_shown(path, 200, shown, sizeof(shown));
	if (!f)
		return tree_remove_at(dirfd, name, shown, err, errlen);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "/%s: %s", shown, strerror(errno));
	return clear_lower(ly, fd, path, err, errlen);
}

/* ".wh.NAME" in dir removes NAME; ".wh..wh..opq" what is below dir. */
static int whiteout(struct layer *ly, char *dir, const char *base, char *err, size_t errlen)
{
	char target[PATH_MAX];
	cleanup_fd int dfd = open_dir(ly, dir, false);
	const char *name = base + strlen(WH_PREFIX);

	if (dfd == -ENOENT || dfd == -ENOTDIR)
		return 0; /* nothing there to hide */
	if (dfd < 0)
		return melee_fail(err, errlen, dfd, "/%s: %s", dir, strerror(-dfd));
	if (strcmp(base, WH_OPAQUE) == 0)
		return clear_lower(ly, dfd, dir, err, errlen);
	/* Other ".wh..wh." names are aufs's own bookkeeping. */
	if (strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) == 0 || !name[0] ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if ((size_t)snprintf(target, sizeof(target), "%s%s%s", dir, dir[0] ? "/" : "", name) >=
	    sizeof(target))
		return melee_fail(err, errlen, -ENAMETOOLONG, "/%s: name too long", dir);
	return remove_lower(ly, dfd, name, target, err, errlen);
}

/* user.* is the image's; security.capability too, and the --trusted
 * scan lists it (image-scan.c).  Every other trusted.* and security.* is
 * the host's business: trusted.overlay.* would steer overlayfs where the
 * tree (or its squashfs file) is a lowerdir, security.selinux would label
 * files as the image chose (umoci drops it too: ignoreXattrs in its
 * oci/layer/tar_generate.go).  system.* (ACLs) is not kept either: pack
 * stores no ACL (image-pack.c).  Counted for the summary line. */
static bool xattr_kept(struct layer *ly, const char *name)
{
	if (strncmp(name, "user.", 5) == 0 || strcmp(name, "security.capability") == 0)
		return true;
	if (strncmp(name, "trusted.", 8) == 0 || strncmp(name, "security.", 9) == 0)
		ly->ap->xattrs_dropped++;
	return false;
}

/* The entry's xattrs (SCHILY.xattr / LIBARCHIVE.xattr records) on fd, or
 * on a symlink through its parent's /proc/self/fd path (no fd opens a
 * symlink itself for fsetxattr). */
static int set_xattrs(struct layer *ly, struct archive_entry *e, int fd, int pfd, const char *base,
		      char *err, size_t errlen)
{
	const char *name;
	const void *value;
	size_t size;
	char link[PATH_MAX];

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		int r;

		if (!xattr_kept(ly, name))
			continue;
		if (fd >= 0) {
			r = fsetxattr(fd, name, value, size, 0);
		} else {
			snprintf(link, sizeof(link), "/proc/self/fd/%d/%s", pfd, base);
			r = lsetxattr(link, name, value, size, 0);
		}
		if (r < 0)
			return melee_fail(err, errlen, -errno, "xattr %.60s: %s", name,
					  strerror(errno));
	}
	return 0;
}

/* Owner, mode (after the owner: chown drops setuid), xattrs (after
 * both: chown drops security.capability), times, on the open fd. */
static int set_meta(struct layer *ly, struct archive_entry *e, int fd, char *err, size_t errlen)
{
	struct timespec ts[2] = {
		{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
		{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
	};

	if (fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0 ||
	    fchmod(fd, archive_entry_perm(e) & 07777) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	if (set_xattrs(ly, e, fd, -1, NULL, err, errlen) < 0)
		return -EIO;
	if (futimens(fd, ts) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	return 0;
}

/* Every SPACE_CHECK bytes written, the free space of the file system
 * the tree is on must stay above 5% of its size (at most 1 GiB): a
 * layer's uncompressed size is known only once it is read, and a full
 * images-dir would stop whatever else writes there. */
#define SPACE_CHECK (1u << 20)
#define SPACE_RESERVE_MAX (1ull << 30)

static int check_space(struct layer *ly, int fd, size_t wrote, char *err, size_t errlen)
{
	struct statvfs sv;
	uint64_t avail, reserve;

	ly->ap->unchecked += wrote;
	if (ly->ap->unchecked < SPACE_CHECK)
		return 0;
	ly->ap->unchecked = 0;
	if (fstatvfs(fd, &sv) < 0)
		return melee_fail(err, errlen, -errno, "statvfs: %s", strerror(errno));
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	reserve = (uint64_t)sv.f_blocks * sv.f_frsize / 20;
	if (reserve > SPACE_RESERVE_MAX)
		reserve = SPACE_RESERVE_MAX;
	if (avail < reserve)
		return melee_fail(err, errlen, -ENOSPC,
				  "no space left for the image (%llu MB free, %llu MB kept free)",
				  (unsigned long long)(avail >> 20),
				  (unsigned long long)(reserve >> 20));
	return 0;
}

static int write_file(struct layer *ly, struct archive *a, struct archive_entry *e, int pfd,
		      const char *base, char *err, size_t errlen)
{
	cleanup_fd int fd = -1;
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	/* A sparse entry (GNU sparse, a few bytes of tar) may claim any
	 * size: no file of an image is this large. */
	if (archive_entry_size(e) < 0 || (uint64_t)archive_entry_size(e) > OCI_FILE_MAX)
		return melee_fail(err, errlen, -EFBIG,
				  "%lld bytes: too large a file (at most %llu TiB)",
				  (long long)archive_entry_size(e), OCI_FILE_MAX >> 40);
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
		for (size_t done = 0; done < size;) {
			ssize_t w = pwrite(fd, (const char *)buf + done, size - done,
					   (off_t)off + (off_t)done);

			if (w < 0)
				return melee_fail(err, errlen, -errno, "%s", strerror(errno));
			done += (size_t)w;
		}
		if (check_space(ly, fd, size, err, errlen) < 0)
			return -ENOSPC;
	}
	if (r != ARCHIVE_EOF)
		return melee_fail(err, errlen, -EIO, "%s", archive_error_string(a));
	/* A sparse file's hole at its end is in its size only. */
	if (ftruncate(fd, archive_entry_size(e)) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	return set_meta(ly, e, fd, err, errlen);
}

static int make_dir(struct layer *ly, struct archive_entry *e, int pfd, const char *base,
		    bool exists, char *err, size_t errlen)
{
	cleanup_fd int fd = -1;
	int r = exists ? 0 : mkdir_beneath(ly, pfd, base, 0700);

	if (r < 0)
		return melee_fail(err, errlen, r, "%s", mkdir_error(r));
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	return set_meta(ly, e, fd, err, errlen);
}

static int make_symlink(struct layer *ly, struct archive_entry *e, int pfd, const char *base,
			char *err, size_t errlen)
{
	const char *target = archive_entry_symlink(e);
	struct timespec ts[2] = {
		{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
		{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
	};

	if (!target || symlinkat(target, pfd, base) < 0 ||
	    fchownat(pfd, base, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return melee_fail(err, errlen, target ? -errno : -EINVAL, "%s",
				  target ? strerror(errno) : "a symlink without a target");
	if (set_xattrs(ly, e, -1, pfd, base, err, errlen) < 0)
		return -EIO;
	if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	return 0;
}

/* A hard link to the entry `target` names (beneath the root; a symlink
 * there is linked itself, never followed). */
static int make_hardlink(struct layer *ly, struct archive_entry *e, int pfd, const char *base,
			 char *err, size_t errlen)
{
	char target[PATH_MAX], *slash;
	cleanup_fd int tfd = -1;
	const char *tbase;
	int r = clean_path(archive_entry_hardlink(e), target, sizeof(target), err, errlen);

	if (r < 0)
		return r;
	slash = strrchr(target, '/');
	if (slash)
		*slash = '\0';
	tbase = slash ? slash + 1 : target;
	tfd = open_dir(ly, slash ? target : (char[]){ "" }, false);
	if (tfd < 0 || !tbase[0])
		return melee_fail(err, errlen, tfd < 0 ? tfd : -EINVAL,
				  "its link target is not in the image: %s",
				  tfd < 0 ? strerror(-tfd) : "the root");
	if (linkat(tfd, tbase, pfd, base, 0) < 0)
		return melee_fail(err, errlen, -errno, "link to its target: %s", strerror(errno));
	return 0;
}

/* FIFOs always; devices only --trusted, else listed and skipped. */
static int make_node(struct layer *ly, struct archive_entry *e, int pfd, const char *base,
		     const char *path, char *err, size_t errlen)
{
	mode_t type = archive_entry_filetype(e);
	cleanup_fd int fd = -1;
	char shown[256];

	if (type != AE_IFIFO && !ly->ap->trusted) {
		printf("%smelee-image: %s: /%s: device node skipped (%s device %u:%u)\n",
		       ly->ap->progress ? "\r\033[K" : "", ly->ap->name,
		       melee_shown(path, 200, shown, sizeof(shown)),
		       type == AE_IFCHR ? "character" : "block",
		       (unsigned)archive_entry_rdevmajor(e), (unsigned)archive_entry_rdevminor(e));
		ly->ap->devices_skipped++;
		return 0;
	}
	if (mknodat(pfd, base,
		    (type == AE_IFIFO	? S_IFIFO
		     : type == AE_IFCHR ? S_IFCHR
					: S_IFBLK) |
			0600,
		    makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e))) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	/* O_PATH: nothing of the node's own open runs. */
	fd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	if (fchownat(fd, "", (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e),
		     AT_EMPTY_PATH) < 0 ||
	    fchmodat(pfd, base, archive_entry_perm(e) & 07777, 0) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	if (set_xattrs(ly, e, -1, pfd, base, err, errlen) < 0)
		return -EIO;
	/* By name, never opened (a FIFO's open would block). */
	if (utimensat(
		pfd, base,
		(struct timespec[]){ { archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
				     { archive_entry_mtime(e), archive_entry_mtime_nsec(e) } },
		AT_SYMLINK_NOFOLLOW) < 0)
		return melee_fail(err, errlen, -errno, "%s", strerror(errno));
	return 0;
}

/* Makes room for the entry at pfd/base: a directory stays for a
 * directory (its metadata is the entry's), anything else there goes,
 * a whole tree included. */
static int make_room(struct archive_entry *e, int pfd, const char *base, const char *path,
		     bool *exists, char *err, size_t errlen)
{
	struct stat st;
	char shown[256];

	*exists = false;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : melee_fail(err, errlen, -errno, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode) && archive_entry_filetype(e) == AE_IFDIR) {
		*exists = true;
		return 0;
	}
	melee_shown(path, 200, shown, sizeof(shown));
	return tree_remove_at(pfd, base, shown, err, errlen);
}

static int write_entry(struct layer *ly, struct archive *a, struct archive_entry *e,
		       const char *path, int pfd, const char *base, char *err, size_t errlen)
{
	mode_t type = archive_entry_filetype(e);
	bool exists;
	int r;

	if (type == AE_IFSOCK)
		return 0; /* a socket is a process's, not a file's */
	r = make_room(e, pfd, base, path, &exists, err, errlen);
	if (r < 0)
		return r;
	if (archive_entry_hardlink(e))
		r = make_hardlink(ly, e, pfd, base, err, errlen);
	else if (type == AE_IFREG)
		r = write_file(ly, a, e, pfd, base, err, errlen);
	else if (type == AE_IFDIR)
		r = make_dir(ly, e, pfd, base, exists, err, errlen);
	else if (type == AE_IFLNK)
		r = make_symlink(ly, e, pfd, base, err, errlen);
	else if (type == AE_IFIFO || type == AE_IFCHR || type == AE_IFBLK)
		r = make_node(ly, e, pfd, base, path, err, errlen);
	else
		r = melee_fail(err, errlen, -EINVAL, "unknown file type %o", (unsigned)type);
	if (r == 0)
		r = mark_written(&ly->set, path);
	return r;
}

/* The times of the directory `dir` (beneath the root) before an entry
 * in it is written or removed: its fd (O_PATH), or -1 when it is not
 * there yet.  Each entry then puts them back (restore_times), as umoci
 * does: a directory keeps the mtime of its own entry (or of the lower
 * layer) whatever later entries do in it, and a file image of the tree
 * equals umoci's unpack in directory mtimes too. */
static int keep_times(int rootfd, const char *dir, struct timespec times[2])
{
	int fd = resolve(rootfd, dir);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	return fd;
}

static int restore_times(int fd, const struct timespec times[2], char *err, size_t errlen)
{
	char path[64];

	if (fd < 0)
		return 0;
	/* The magic link followed: the very directory of the fd. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (utimensat(AT_FDCWD, path, times, 0) < 0)
		return melee_fail(err, errlen, -errno, "cannot keep its directory's times: %s",
				  strerror(errno));
	return 0;
}

static int apply_entry(struct layer *ly, struct archive *a, struct archive_entry *e, char *err,
		       size_t errlen)
{
	char path[PATH_MAX], dir[PATH_MAX], why[MELEE_ERRLEN], shown[256];
	const char *name = archive_entry_pathname(e), *base;
	cleanup_fd int pfd = -1, parent = -1;
	struct timespec times[2];
	char *slash;
	int r = clean_path(name ? name : "", path, sizeof(path), err, errlen);

	if (r < 0 || !path[0])
		return r; /* the root's own entry: melee makes it root's 0755 */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	base = slash ? slash + 1 : dir;
	parent = keep_times(ly->rootfd, slash ? dir : "", times);
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		r = whiteout(ly, slash ? dir : (char[]){ "" }, base, why, sizeof(why));
	else if ((pfd = open_dir(ly, slash ? dir : (char[]){ "" }, true)) < 0)
		r = melee_fail(why, sizeof(why), pfd, "its directory: %s", mkdir_error(pfd));
	else
		r = write_entry(ly, a, e, path, pfd, base, why, sizeof(why));
	if (r == 0)
		r = restore_times(parent, times, why, sizeof(why));
	if (r < 0)
		return melee_fail(err, errlen, r, "/%s: %s",
				  melee_shown(path, 200, shown, sizeof(shown)), why);
	return 0;
}

static void show_progress(struct layer *ly)
{
	struct oci_apply *ap = ly->ap;
	int pct = ap->total ? (int)(ap->done * 100 / ap->total) : 100;

	if (!ap->progress || pct == ly->last_pct)
		return;
	ly->last_pct = pct;
	printf("\rmelee-image: %s: applying layers: %llu/%llu MB (%d%%)", ap->name,
	       (unsigned long long)(ap->done >> 20), (unsigned long long)(ap->total >> 20), pct);
	fflush(stdout);
}

/* libarchive's reader: the layer's bytes where they are (a blob file, or
 * a member of the archive), by pread. */
static la_ssize_t read_blob(struct archive *a, void *data, const void **buf)
{
	struct layer *ly = data;
	const struct oci_blob *b = &ly->l->blob;
	size_t want = b->size - ly->read < READ_CHUNK ? (size_t)(b->size - ly->read) : READ_CHUNK;
	ssize_t r;

	if (!want)
		return 0;
	r = pread(b->fd, ly->buf, want, (off_t)(b->offset + ly->read));
	if (r < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	ly->read += (uint64_t)r;
	ly->ap->done += (uint64_t)r;
	show_progress(ly);
	*buf = ly->buf;
	return r;
}

static int apply_all(struct layer *ly, struct archive *a, char *err, size_t errlen)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (*ly->ap->interrupted)
			return melee_fail(err, errlen, -EINTR, "interrupted");
		r = apply_entry(ly, a, e, err, errlen);
		if (r < 0)
			return r;
	}
	if (r != ARCHIVE_EOF)
		return melee_fail(err, errlen, -EIO, "%s", archive_error_string(a));
	return 0;
}

/* The compression the media type declares ("...tar", "...tar+gzip" or
 * "...tar.gzip", "+zstd" or ".zstd"), as libarchive's filter code, or -1
 * for "" (docker's manifest.json declares none: any, detected). */
static int declared_filter(const char *type)
{
	size_t n = strlen(type);

	if (!type[0])
		return -1;
	if (n > 5 && (strcmp(type + n - 5, "+gzip") == 0 || strcmp(type + n - 5, ".gzip") == 0))
		return ARCHIVE_FILTER_GZIP;
	if (n > 5 && (strcmp(type + n - 5, "+zstd") == 0 || strcmp(type + n - 5, ".zstd") == 0))
		return ARCHIVE_FILTER_ZSTD;
	return ARCHIVE_FILTER_NONE;
}

/* A layer in another compression than its media type declares is
 * refused: a reader that trusts the declaration would read another
 * layer than we do. */
static int check_filter(struct archive *a, const struct oci_layer *layer, char *err, size_t errlen)
{
	int want = declared_filter(layer->media_type), got = archive_filter_code(a, 0);
	char shown[160];

	if (want < 0 || got == want)
		return 0;
	return melee_fail(err, errlen, -EPROTO,
			  "layer type mismatch: declared '%s', but the layer is %s",
			  melee_shown(layer->media_type, 120, shown, sizeof(shown)),
			  got == ARCHIVE_FILTER_NONE   ? "not compressed"
			  : got == ARCHIVE_FILTER_GZIP ? "gzip-compressed"
			  : got == ARCHIVE_FILTER_ZSTD ? "zstd-compressed"
						       : "in another compression");
}

int oci_layer_apply(int rootfd, const struct oci_layer *layer, struct oci_apply *ap, char *err,
		    size_t errlen)
{
	struct layer ly = {
		.rootfd = rootfd, .ap = ap, .l = layer, .buf = malloc(READ_CHUNK), .last_pct = -1
	};
	struct archive *a = archive_read_new();
	char why[MELEE_ERRLEN];
	int r = -ENOMEM;

	if (a && ly.buf && archive_read_support_filter_gzip(a) == ARCHIVE_OK &&
	    archive_read_support_filter_zstd(a) == ARCHIVE_OK &&
	    archive_read_support_filter_none(a) == ARCHIVE_OK &&
	    archive_read_support_format_tar(a) == ARCHIVE_OK &&
	    archive_read_support_format_gnutar(a) == ARCHIVE_OK) {
		if (archive_read_open(a, &ly, NULL, read_blob, NULL) != ARCHIVE_OK)
			r = melee_fail(why, sizeof(why), -EIO, "%s", archive_error_string(a));
		else if ((r = check_filter(a, layer, why, sizeof(why))) == 0)
			r = apply_all(&ly, a, why, sizeof(why));
	} else {
		snprintf(why, sizeof(why), "cannot set up libarchive");
	}
	if (r < 0)
		melee_fail(err, errlen, r, "layer %s: %s", layer->blob.digest, why);
	archive_read_free(a);
	set_free(&ly.set);
	free(ly.buf);
	return r;
}
