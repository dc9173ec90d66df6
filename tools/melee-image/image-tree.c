/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image's file-system work: walking and removing trees without crossing mounts or links. */
#include "image-tree.h"
#include "melee-config.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-safety.h"
#include "melee-umount.h"
#include "melee-util.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* What remove_entry deletes for: messages name the tree as `shown`;
 * `keep`, when set, is asked about every entry before anything of it is
 * deleted (tree_remove_safely). */
struct remove_walk {
	const char *shown;
	tree_visit_fn keep;
	void *keep_data;
};

/* Deletes what tree_walk() shows it: files on the way down, directories
 * on the way back up, and never anything through a mount point (a bind
 * of /home from the image's own file system included).  A directory is
 * put to `keep` when the walk meets it on the way down, before it is
 * entered: by its rmdir its contents would be gone already. */
static int remove_entry(const struct tree_entry *e, bool after, void *data, char *err,
			size_t errlen)
{
	const struct remove_walk *rw = data;
	char path[256];
	int r;

	melee_shown(e->path, 200, path, sizeof(path));
	if (e->mount_point)
		return melee_fail(err, errlen, -EBUSY,
				  "%s/%s: something is mounted there; refusing to delete "
				  "through it",
				  rw->shown, path);
	if (!after && rw->keep && (r = rw->keep(e, false, rw->keep_data, err, errlen)) < 0)
		return r;
	if (S_ISDIR(e->st->st_mode) && !after)
		return 0;
	if (unlinkat(e->dirfd, e->name, after ? AT_REMOVEDIR : 0) < 0)
		/* EBUSY: a mount made on a file after the walk's look at it
		 * (the kernel unlinks no mount point). */
		return melee_fail(err, errlen, -errno, "%s/%s: %s", rw->shown, path,
				  errno == EBUSY ? "something was mounted there while it was "
						   "being deleted; stopped"
						 : strerror(errno));
	return 0;
}

int tree_remove_at(int dirfd, const char *name, const char *shown, char *err, size_t errlen)
{
	struct remove_walk rw = { .shown = shown };
	cleanup_fd int fd = -1;
	struct stat st;
	int r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			   ? 0
			   : melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT
			   ? melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno))
			   : 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	r = tree_walk(fd, shown, remove_entry, &rw, err, errlen);
	if (r == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		r = melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	return r;
}

/* Detaches everything mounted at or below path (our own partial tree
 * only); fails when a mount stays. */
static int unmount_below(const char *path, char *err, size_t errlen)
{
	cleanup_mnt_table struct libmnt_table *tb = melee_mounttab_read(err, errlen);
	cleanup_mnt_table struct libmnt_table *after = NULL;
	cleanup_mnt_iter struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;

	if (!tb)
		return -EIO;
	it = mnt_new_iter(MNT_ITER_BACKWARD);
	if (!it)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs);

		if (t && melee_path_under(t, path))
			/* Reached from path by fd, never through a symlink,
			 * and only the table's mount (a failure shows below). */
			melee_unmount_in_image(path, t, (uint64_t)mnt_fs_get_id(fs), true, err,
					       errlen);
	}
	after = melee_mounttab_read(err, errlen);
	if (!after)
		return -EIO;
	if (melee_mounttab_has(after, path, true))
		return melee_fail(err, errlen, -EBUSY,
				  "%s: mounts under it could not be removed; refusing to delete",
				  path);
	return 0;
}

int tree_remove_safely(const char *path, bool unmount_first, tree_visit_fn keep, void *keep_data,
		       char *err, size_t errlen)
{
	struct remove_walk rw = { .shown = path, .keep = keep, .keep_data = keep_data };
	cleanup_mnt_table struct libmnt_table *tb = melee_mounttab_read(err, errlen);
	cleanup_free char *parent = strdup(path);
	cleanup_fd int pfd = -1, opath = -1, fd = -1;
	struct stat pst, st;
	uint64_t pmnt, mnt;
	const char *base;
	bool mounted;
	int r;

	if (!tb)
		return -EIO;
	mounted = melee_mounttab_has(tb, path, true);
	if (mounted && !unmount_first)
		return melee_fail(err, errlen, -EBUSY,
				  "%s: something is still mounted under it; refusing to "
				  "delete (run 'melee-mounts down' first)",
				  path);
	if (mounted && (r = unmount_below(path, err, errlen)) < 0)
		return r;
	if (!parent)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	base = strrchr(path, '/');
	if (path[0] != '/' || !base || !base[1])
		return melee_fail(err, errlen, -EINVAL, "%s: not an absolute path to delete", path);
	base++;
	/* The parent is walked like an image root: nobody else can swap the
	 * tree for a symlink or move it while we delete. */
	parent[base - path > 1 ? base - path - 1 : 1] = '\0';
	pfd = image_open_safely(parent, 0, err, errlen);
	if (pfd < 0)
		return pfd;
	/* O_PATH first, opened for reading only once checked (as the walk
	 * opens each directory): a mount made on the root since the table
	 * was read, a user's FUSE mount whose daemon is stopped, is never
	 * asked to open anything. */
	opath = openat(pfd, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (opath < 0)
		return errno == ENOENT
			   ? 0
			   : melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	/* The tree's root on its parent's mount: a bind over it (even from
	 * the same file system) is not ours to empty. */
	if ((r = tree_statx(pfd, "", AT_EMPTY_PATH, &pst, &pmnt)) < 0 ||
	    (r = tree_statx(opath, "", AT_EMPTY_PATH, &st, &mnt)) < 0)
		return melee_fail(err, errlen, r, "%s: %s", path, strerror(-r));
	if (mnt != pmnt)
		return melee_fail(err, errlen, -EBUSY,
				  "%s: something is mounted on it; refusing to delete", path);
	fd = openat(opath, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	/* The tree's root is put to `keep` too: the walk shows it nothing
	 * but what lies below. */
	if (keep) {
		struct tree_entry root = { .dirfd = pfd,
					   .name = base,
					   .path = "",
					   .st = &st,
					   .mnt_id = mnt,
					   .root_mnt_id = mnt };

		if ((r = keep(&root, false, keep_data, err, errlen)) < 0)
			return r;
	}
	r = tree_walk_deep(fd, path, unmount_first ? SIZE_MAX : TREE_MAX_DEPTH, remove_entry, &rw,
			   err, errlen);
	if (r == 0 && unlinkat(pfd, base, AT_REMOVEDIR) < 0)
		r = melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	return r;
}

char *image_os_pretty_name(int imgfd)
{
	static const char *const files[] = { "etc/os-release", "usr/lib/os-release",
					     "etc/redhat-release", NULL };

	for (int i = 0; files[i]; i++) {
		/* Only a regular file is opened: a FIFO must not hang pack. */
		cleanup_fd int fd = image_open_regular(imgfd, files[i], false, files[i], NULL, 0);
		cleanup_free char *text = NULL;
		char *line, *save = NULL;

		if (fd < 0 || melee_read_fd(fd, 65536, &text, NULL) < 0)
			continue;
		if (i == 2) { /* one line: "Scientific Linux release 6.3 (Carbon)" */
			line = strtok_r(text, "\n", &save);
			return line ? strdup(melee_trim(line)) : NULL;
		}
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			size_t n;

			if (strncmp(line, "PRETTY_NAME=", 12) != 0)
				continue;
			line += 12;
			n = strlen(line);
			if (n >= 2 && (line[0] == '"' || line[0] == '\'') &&
			    line[n - 1] == line[0]) {
				line[n - 1] = '\0';
				line++;
			}
			return strdup(line);
		}
	}
	return NULL;
}

int image_shell_bits(int imgfd)
{
	cleanup_fd int fd = image_open_regular(imgfd, "bin/sh", false, "bin/sh", NULL, 0);
	unsigned char ident[EI_NIDENT];

	if (fd < 0 || read(fd, ident, sizeof(ident)) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		return 0;
	return ident[EI_CLASS] == ELFCLASS32 ? 32 : ident[EI_CLASS] == ELFCLASS64 ? 64 : 0;
}

/* Parses text with the loader's own parser and checks that it reads back
 * as the one image meant: a path the INI format cannot hold (trailing
 * blanks, " #", a newline) or that the loader refuses ("/") never reaches
 * images.d, where it would stop every later load.  `key` is "path" for a
 * tree, "source" for a file image; `value` its path. */
static int check_reads_back(const char *text, const char *name, const char *key, const char *value,
			    const char *description, bool linux32, char *err, size_t errlen)
{
	char file[128], shown[160];
	struct melee_config cfg;
	cleanup_fd int fd = memfd_create("melee-image-registration", MFD_CLOEXEC);
	size_t len = strlen(text);
	const struct melee_image *im;
	const char *got;
	bool is_file = strcmp(key, "source") == 0;
	int r;

	if (fd < 0)
		return melee_fail(err, errlen, -errno, "memfd_create: %s", strerror(errno));
	if (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) < 0)
		return melee_fail(err, errlen, -EIO, "cannot check the registration: %s",
				  strerror(errno));
	snprintf(file, sizeof(file), "images.d/%s.conf", name);
	melee_config_init(&cfg);
	r = melee_config_parse_fd(fd, file, true, &cfg, err, errlen);
	if (r < 0) {
		melee_config_free(&cfg);
		return r;
	}
	im = cfg.n_images == 1 ? &cfg.images[0] : NULL;
	got = !im ? NULL : is_file ? im->source : im->path;
	if (!im || strcmp(im->name, name) != 0 || !got || strcmp(got, value) != 0 ||
	    (!is_file && im->source))
		r = melee_fail(err, errlen, -EINVAL,
			       "%s '%s' cannot be written to %s: it would read back as '%s' "
			       "(the file has no quoting: no newline, no trailing blank, no "
			       "' #'); rename the %s",
			       key, melee_shown(value, 100, shown, sizeof(shown)), file,
			       got ? got : "", is_file ? "file" : "directory");
	else if (!im->description || strcmp(im->description, description) != 0 ||
		 (im->personality == MELEE_PERSONALITY_LINUX32) != linux32)
		r = melee_fail(err, errlen, -EINVAL, "%s: does not read back as written", file);
	melee_config_free(&cfg);
	return r;
}

int image_registration(const char *name, const char *path, const char *source,
		       const char *description, bool linux32, char **text, char *err, size_t errlen)
{
	const char *key = source ? "source" : "path", *value = source ? source : path;
	char clean[256], shown[160];
	const char *desc;
	int r;

	/* A newline would end the line; other control characters would reach
	 * every terminal that shows the path. */
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return melee_fail(err, errlen, -EINVAL,
					  "%s '%s' has a control character (shown as '?'); "
					  "rename the %s",
					  key, melee_shown(value, 100, shown, sizeof(shown)),
					  source ? "file" : "directory");

	/* Printable ASCII only (an os-release may hold ESC or BEL meant for
	 * root's terminal), and no '#' that would start a comment. */
	melee_shown(description, 200, clean, sizeof(clean));
	for (char *p = clean; *p; p++)
		if (*p == '#')
			*p = ' ';
	desc = melee_trim(clean);
	if (!*desc)
		desc = name;
	/* A file image's path is the default mountpoint, images-dir/NAME. */
	if (asprintf(text,
		     "# Registered by melee-image.\n[image %s]\n%s = %s\ndescription = %s\n%s",
		     name, key, value, desc, linux32 ? "personality = linux32\n" : "") < 0) {
		*text = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	r = check_reads_back(*text, name, key, value, desc, linux32, err, errlen);
	if (r < 0) {
		free(*text);
		*text = NULL;
	}
	return r;
}

int image_register(const char *conf_dir, const char *name, const char *path, const char *source,
		   const char *description, bool linux32, char *err, size_t errlen)
{
	char dir[4096];
	cleanup_free char *text = NULL;
	cleanup_fd int dfd = -1;
	int r;

	r = image_registration(name, path, source, description, linux32, &text, err, errlen);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s/images.d", conf_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	snprintf(dir, sizeof(dir), "%s.conf", name);
	r = melee_write_atomic(dfd, dir, text, strlen(text), 0644, err, errlen);
	return r < 0 ? r : 0;
}
