/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filesystem work of melee-image: the one walk root makes over an image
 * tree (removing, scanning, packing) without ever crossing a mount or
 * following a symlink, listing what in an image is more than plain files,
 * registering an image, reading its os-release. */
#ifndef MELEE_IMAGE_TREE_H
#define MELEE_IMAGE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* No real tree is this deep; a deeper one is refused rather than walked. */
#define TREE_MAX_DEPTH 4096
/* The deepest directory an import makes (oci-layer.c): below the walk's
 * limit, so that the scan, pack and removal of what it made can walk it. */
#define TREE_IMPORT_MAX_DEPTH (TREE_MAX_DEPTH - 96)

/* One entry as tree_walk() shows it to its visitor. */
struct tree_entry {
	int dirfd;	       /* the directory that holds it */
	const char *name;      /* its name in dirfd */
	const char *path;      /* its path below the root ("usr/bin/su"), raw bytes */
	const struct stat *st; /* its lstat */
	/* The directory that holds it, as the walk checked it on entering. */
	const struct stat *dir_st;
	uint64_t mnt_id;      /* the mount its name leads to (statx STATX_MNT_ID) */
	uint64_t root_mnt_id; /* the walk root's mount */
	/* Something is mounted on it (mnt_id is not the root's): a bind of a
	 * directory or a file, of any file system, the image's own included.
	 * A directory that is one is never entered. */
	bool mount_point;
};

/* Called before every entry (after = false) and, for each directory
 * entered, once more after its contents (after = true).  Returns 0 to go
 * on, TREE_SKIP to leave a directory unentered, or -errno (message in err)
 * to stop the walk. */
#define TREE_SKIP 1
typedef int (*tree_visit_fn)(const struct tree_entry *e, bool after, void *data, char *err,
			     size_t errlen);

/* Walks everything below the directory rootfd (`shown` names it in
 * messages) without recursion: one open directory at a time, the names of
 * each level on the heap, back up through ".." only after checking that
 * it is the directory we came from.  Never follows a symlink, never
 * enters a mount point, refuses a tree deeper than TREE_MAX_DEPTH.  Each
 * directory is checked on its opened fd (same inode as the entry seen,
 * same mount id as the root): a mount that appears on a directory during
 * the walk stops it with -EBUSY, a directory swapped or moved with
 * -ESTALE, before the visitor sees anything below it. */
int tree_walk(int rootfd, const char *shown, tree_visit_fn fn, void *data, char *err,
	      size_t errlen);

/* tree_walk() with another depth limit: SIZE_MAX for a tree of our own
 * that must always be removable (a partial tree built deeper through its
 * own symlinks costs heap only, one frame a level). */
int tree_walk_deep(int rootfd, const char *shown, size_t max_depth, tree_visit_fn fn, void *data,
		   char *err, size_t errlen);

/* statx of `name` in dirfd (flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH)
 * as a struct stat, and its mount id; never triggers an automount and
 * never asks a file system's server or daemon (AT_STATX_DONT_SYNC: a
 * user's FUSE mount appearing on the name, its daemon stopped, cannot
 * hang the look).  -ENOSYS when the kernel gives no mount id. */
int tree_statx(int dirfd, const char *name, int flags, struct stat *st, uint64_t *mnt_id);

/* Removes `path` and everything below it with tree_walk(): its parent must
 * pass the safety walk of image_open_safely().  Refuses (-EBUSY, message
 * in err) when anything is mounted at or below it, unless `unmount_first`
 * is set: then those mounts are detached first (for a partial tree of our
 * own, where debootstrap may have left /proc), and the tree is removed at
 * any depth (tree_walk_deep): ours must never stay for good.  `keep`
 * (NULL: none) is called with after = false for the tree's root (path ""),
 * every directory before it is entered and every other entry before it is
 * unlinked; a negative return (message in err) stops the delete there
 * (image-remove.c's keep_others: another image's file or tree that lies
 * in the tree through a mount). */
int tree_remove_safely(const char *path, bool unmount_first, tree_visit_fn keep, void *keep_data,
		       char *err, size_t errlen);

/* Removes `name` in dirfd (a file, or a directory and everything below
 * it with tree_walk(), never through a symlink or a mount point): for a
 * tree of our own being built, where no path above can be swapped.  A
 * missing name is no error. */
int tree_remove_at(int dirfd, const char *name, const char *shown, char *err, size_t errlen);

/* What makes an image's content root-equivalent to its source, one line
 * per path: setuid and setgid files, files with capabilities, device nodes, files not owned by
 * root, group- or world-writable directories without the sticky bit,
 * world-writable files, other file systems mounted inside.  `report` gets
 * each path (below the root) and what was found; returns how many paths
 * were reported, or -errno. */
typedef void (*image_scan_report_fn)(const char *path, const char *what, void *data);
int image_scan(int imgfd, const char *imgpath, image_scan_report_fn report, void *data, char *err,
	       size_t errlen);

/* PRETTY_NAME of the image's os-release (etc/ then usr/lib/), or NULL. */
char *image_os_pretty_name(int imgfd);

/* 32 if the image's /bin/sh is a 32-bit ELF, 64 if 64-bit, 0 if unknown. */
int image_shell_bits(int imgfd);

/* The text of images.d/NAME.conf for the tree at `path` or, when
 * `source` is set, for the file image `source` (path NULL: mounted on
 * images-dir/NAME), checked by parsing it back with the loader
 * (melee_config_parse_fd): refused (-EINVAL, message in err) unless it
 * reads back as exactly this one image with this path or source.  The
 * description is made printable (melee_shown) first; *text is malloc'ed. */
int image_registration(const char *name, const char *path, const char *source,
		       const char *description, bool linux32, char **text, char *err,
		       size_t errlen);

/* Writes images.d/NAME.conf atomically, mode 0644, after the check above. */
int image_register(const char *conf_dir, const char *name, const char *path, const char *source,
		   const char *description, bool linux32, char *err, size_t errlen);

#endif
