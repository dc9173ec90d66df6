/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image-remove.h"
#include "image-layers.h"
#include "image-tree.h"
#include "image-users.h"
#include "melee-lock.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int image_lock(void)
{
	char err[MELEE_ERRLEN];
	int fd = melee_lock_take(false, err, sizeof(err));

	if (fd == -EWOULDBLOCK) {
		warn("waiting for %s/lock (another melee-mounts or melee-image holds it)",
		     MELEE_RUNDIR);
		fd = melee_lock_take(true, err, sizeof(err));
	}
	if (fd < 0)
		die("%s", err);
	return fd;
}

/* One thing of another image's that the delete must never touch, by
 * identity (what lies under a path is not seen by comparing paths: an
 * administrator's bind of /image/a/srv on /srv puts source = /srv/b.sqsh
 * physically in /image/a, and the walk reaches it through the bind's
 * source side, which is no mount point).  A directory (a tree, a file
 * image's mount point) by its (dev, ino); a file by the directory that
 * holds it and its name, not by its inode alone: another hard link to it
 * inside the tree may go, its registered name may not.  A file that is
 * itself the root of a bind has no directory of its own mount: by its
 * inode and the name the bind's source has. */
struct kept {
	const char *image, *as; /* the other image, and its path or source as registered */
	const char *what;	/* "tree", "file", or a file image's "mount point" */
	bool is_dir, by_inode;
	dev_t dev, dir_dev;
	ino_t ino, dir_ino;
	char name[NAME_MAX + 1];
	char *layer; /* a layer of the mount the image's tree or file is on */
};

struct kept_list {
	struct kept *v;
	size_t n, cap;
	const char *tree; /* NAME's path, as messages show it */
};

static void kept_list_free(struct kept_list *kl)
{
	for (size_t i = 0; i < kl->n; i++)
		free(kl->v[i].layer);
	free(kl->v);
}

static bool sx_same(const struct statx *sx, dev_t dev, ino_t ino)
{
	return makedev(sx->stx_dev_major, sx->stx_dev_minor) == dev && sx->stx_ino == ino;
}

/* tree_remove_safely's keep: stops the delete at another image's tree or
 * file before anything of it is deleted (a directory is met on the way
 * down, before the walk enters it). */
static int keep_others(const struct tree_entry *e, bool after, void *data, char *err, size_t errlen)
{
	const struct kept_list *kl = data;
	char path[256];

	(void)after;
	for (size_t i = 0; i < kl->n; i++) {
		const struct kept *k = &kl->v[i];
		struct statx dir;

		if (k->is_dir) {
			if (!S_ISDIR(e->st->st_mode) || e->st->st_dev != k->dev ||
			    e->st->st_ino != k->ino)
				continue;
		} else if (S_ISDIR(e->st->st_mode) ||
			   (!k->layer && strcmp(e->name, k->name) != 0)) {
			continue;
		} else if (k->by_inode) {
			if (e->st->st_dev != k->dev || e->st->st_ino != k->ino)
				continue;
		} else if (statx(e->dirfd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_INO,
				 &dir) < 0 ||
			   !sx_same(&dir, k->dir_dev, k->dir_ino)) {
			/* Unknown is not kept: the walk itself stops on a
			 * directory it cannot look at. */
			continue;
		}
		melee_shown(e->path, 200, path, sizeof(path));
		if (k->layer)
			return melee_fail(err, errlen, -EBUSY,
					  "%s holds %s, where image '%s''s %s %s is (here as %s): "
					  "not deleted",
					  kl->tree, k->layer, k->image, k->what, k->as,
					  *path ? path : ".");
		return melee_fail(err, errlen, -EBUSY,
				  "%s holds image '%s''s %s %s (here as %s, through a mount): "
				  "not deleted",
				  kl->tree, k->image, k->what, k->as, *path ? path : ".");
	}
	return 0;
}

/* Deletes the files of image `name` (unregistered: its drop-in is
 * images.d/`aside`).  When that fails part of the tree may already be
 * gone (a user who can write the image's /var/tmp can make the walk fail
 * at will: files added behind it, a tree deeper than it walks), so the
 * image stays unregistered: a half-deleted tree is never put back in
 * service for logins and auto-up.  The drop-in left aside records it, and
 * the next remove of that name finishes the job. */
static void remove_files(const char *name, const char *path, const char *where, const char *aside,
			 struct kept_list *kl)
{
	char err[MELEE_ERRLEN];
	sigset_t stop, old;

	/* An interrupt would leave the tree half-deleted and unregistered:
	 * SIGINT, SIGTERM and SIGHUP wait until the walk has ended. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	if (tree_remove_safely(path, false, keep_others, kl, err, sizeof(err)) < 0)
		die("%s; image '%s' stays unregistered (%s/%s records it) and its files may be "
		    "partly deleted: run 'melee-image remove %s --delete-files' again once the "
		    "cause is gone",
		    err, name, where, aside, name);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("melee-image: %s: deleted %s\n", name, path);
}

bool image_remove_resume(const struct melee_config *cfg, const char *name)
{
	char err[MELEE_ERRLEN], where[PATH_MAX], file[96], aside[96];
	cleanup_fd int dfd = -1;

	if (melee_config_find_image(cfg, name) || !melee_name_valid(name))
		return false;
	snprintf(where, sizeof(where), "%s/images.d", cfg->conf_dir);
	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(aside, sizeof(aside), ".%s.conf.removing", name);
	dfd = melee_open_trusted(where, true, 0, err, sizeof(err));
	if (dfd < 0 || faccessat(dfd, aside, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	/* Under the lock (the caller's): no up or auto-up reads the
	 * registration before this remove has withdrawn it again. */
	if (renameat2(dfd, aside, dfd, file, RENAME_NOREPLACE) < 0)
		die_errno("image '%s': its removal was cut short and %s/%s is left, but it "
			  "cannot be renamed back to %s",
			  name, where, aside, file);
	printf("melee-image: %s: finishing the removal that was cut short (%s/%s)\n", name, where,
	       aside);
	return true;
}

/* k's identity: `path` (other image's tree or file) as root sees it,
 * looked at as resolve_as_root looks (through fds held on the way, never
 * an open for reading, no FUSE daemon asked, nothing others may change
 * gone through) and never by its path again.  1 with *real and *mnt_id
 * for the up-front check; 0 when there is nothing to keep (a name on the
 * way not there, in directories of root's alone; a file bound alone whose
 * source is gone and that has no other name); -1 when where it lies
 * cannot be told (*f says where and why resolve_as_root stopped); -2 when
 * it is a file bound alone whose source's name is gone but that has
 * another name, which may lie anywhere. */
static int look_as_root(struct libmnt_table *tb, const char *path, struct kept *k, char **real,
			uint64_t *mnt_id, struct as_found *f)
{
	const char *slash;

	*real = resolve_as_root(tb, path, f);
	if (!*real)
		return f->missing ? 0 : -1;
	*mnt_id = f->sx.stx_mnt_id;
	k->dev = makedev(f->sx.stx_dev_major, f->sx.stx_dev_minor);
	k->ino = f->sx.stx_ino;
	k->is_dir = S_ISDIR(f->sx.stx_mode);
	if (k->is_dir)
		return 1;
	slash = strrchr(*real, '/');
	snprintf(k->name, sizeof(k->name), "%s", slash + 1);
	if (f->dir.stx_mnt_id != f->sx.stx_mnt_id) {
		/* A bind of the file alone: its directory here is the
		 * bind's target's; its own is where the bind's source is. */
		struct libmnt_fs *fs = mount_of(tb, f->sx.stx_mnt_id);
		const char *root = fs ? mnt_fs_get_root(fs) : NULL;

		if (!root || !strrchr(root, '/') || !strrchr(root, '/')[1])
			return 0;
		/* Its source's name unlinked since the bind: a hard link to
		 * it may still be anywhere, in the tree too, and holds the
		 * file's data after the bind goes (review 27). */
		if (source_gone(root))
			return f->sx.stx_nlink > 0 ? -2 : 0;
		snprintf(k->name, sizeof(k->name), "%s", strrchr(root, '/') + 1);
		k->by_inode = true;
		return 1;
	}
	k->dir_dev = makedev(f->dir.stx_dev_major, f->dir.stx_dev_minor);
	k->dir_ino = f->dir.stx_ino;
	return 1;
}

/* `phys` (at or below `dir`, physical_path's) as a path below dir. */
static const char *below_shown(const char *dir, const char *phys)
{
	size_t len = strlen(dir) - (strcmp(dir, "/") == 0);

	return strcmp(dir, phys) == 0 || !phys[len] ? "." : phys + len + 1;
}

/* Another image's tree or file, k, lies physically in im's tree, at
 * `phys` on its file system, where the tree is at `phys_tree`. */
static noreturn void refuse_held(const struct melee_image *im, const struct melee_image *other,
				 const struct kept *k, const char *phys_tree, const char *phys)
{
	const char *here = below_shown(phys_tree, phys);

	die("image '%s': %s, which --delete-files deletes, holds image '%s''s %s %s (%s%s, "
	    "through a mount): its files are not deleted; remove it without --delete-files",
	    im->name, im->path, other->name, k->what, k->as,
	    strcmp(here, ".") == 0 ? "the tree itself" : "here as ",
	    strcmp(here, ".") == 0 ? "" : here);
}

/* im's delete refused for what it may do to another image's tree or
 * file: "image 'a': PATH, which --delete-files deletes, RELATION image
 * 'b''s tree PATH: WHY; its files are not deleted; remove it without
 * --delete-files" and, with fix, ", or correct image 'b' first". */
__attribute__((format(printf, 4, 5))) static noreturn void
refuse_other(const struct melee_image *im, const struct melee_image *other, bool fix,
	     const char *fmt, ...)
{
	char why[PATH_MAX + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	die("image '%s': %s, which --delete-files deletes, %s; its files are not deleted; "
	    "remove it without --delete-files%s%s%s",
	    im->name, im->path, why, fix ? ", or correct image '" : "", fix ? other->name : "",
	    fix ? "' first" : "");
}

/* Room for one more kept thing in kl (the layers found come on top of
 * each image's tree and file), zeroed; counted once filled. */
static struct kept *kept_add(struct kept_list *kl)
{
	if (kl->n == kl->cap) {
		size_t cap = kl->cap ? 2 * kl->cap : 16;
		struct kept *v = reallocarray(kl->v, cap, sizeof(*v));

		if (!v)
			die("out of memory");
		kl->v = v;
		kl->cap = cap;
	}
	kl->v[kl->n] = (struct kept){ 0 };
	return &kl->v[kl->n];
}

/* What check_layer needs: NAME's image and where its tree lies, and the
 * other image's tree or file whose mount's layers are looked at. */
struct layer_check {
	struct libmnt_table *tb;
	const struct melee_image *im;
	const struct kept *top;
	const char *phys_tree; /* NULL: the tree could not be placed */
	dev_t tree_sb;
	struct kept_list *kl;
};

/* A layer kept by identity, so that the walk stops at it even where the
 * up-front placement failed: a directory by (dev, ino), a file by its
 * inode under any name (a loop file's other hard link holds its data as
 * well). */
static void keep_layer(struct kept_list *kl, const struct kept *top, const struct layer *l)
{
	struct kept *k = kept_add(kl);

	*k = (struct kept){ .image = top->image,
			    .as = top->as,
			    .what = top->what,
			    .is_dir = l->is_dir,
			    .by_inode = !l->is_dir,
			    .dev = l->dev,
			    .ino = l->ino,
			    .layer = strdup(l->shown) };
	if (!k->layer)
		die("out of memory");
	kl->n++;
}

/* mount_layers' fn for the mount another image's tree or file is on (and
 * the mounts below its layers): keeps the layer, and refuses up front
 * when it lies in the tree, when the tree lies in it (deleting the tree
 * deletes part of what the mount shows), or when it cannot be placed at
 * all (a relative name, a layer not found by its name: a wrongful
 * refusal at worst, never a wrongful delete). */
static void check_layer(const struct layer *l, void *data)
{
	const struct layer_check *c = data;
	const struct melee_image *im = c->im;
	cleanup_free char *phys = NULL;
	dev_t sb = 0;

	if (l->relative)
		die("image '%s': %s, which --delete-files deletes, may hold %s, where image '%s''s "
		    "%s %s is: the mount table names that layer by a relative path, which cannot "
		    "be placed; its files are not deleted; remove it without --delete-files",
		    im->name, im->path, l->shown, c->top->image, c->top->what, c->top->as);
	if (l->lost)
		die("image '%s': %s, which --delete-files deletes, may hold %s, where image '%s''s "
		    "%s %s is: that layer is not where its name says (renamed, moved or unlinked "
		    "since the mount was made), so where it lies cannot be told; its files are not "
		    "deleted; remove it without --delete-files",
		    im->name, im->path, l->shown, c->top->image, c->top->what, c->top->as);
	if (!l->has_id)
		die("image '%s': %s, which --delete-files deletes, may hold %s, where image '%s''s "
		    "%s %s is: that layer is named through %s (%s), which root alone does not "
		    "control, so where it lies cannot be told; its files are not deleted; remove "
		    "it "
		    "without --delete-files",
		    im->name, im->path, l->shown, c->top->image, c->top->what, c->top->as,
		    l->found->stop, l->found->why);
	keep_layer(c->kl, c->top, l);
	phys = c->phys_tree ? physical_path(c->tb, l->real, l->mnt_id, &sb) : NULL;
	if (!phys || sb != c->tree_sb)
		return;
	if (melee_path_under(phys, c->phys_tree))
		die("image '%s': %s, which --delete-files deletes, holds %s, where image '%s''s %s "
		    "%s is: its files are not deleted; remove it without --delete-files",
		    im->name, im->path, l->shown, c->top->image, c->top->what, c->top->as);
	if (l->is_dir && melee_path_under(c->phys_tree, phys))
		die("image '%s': %s, which --delete-files deletes, lies in %s (there as %s), where "
		    "image '%s''s %s %s is: its files are not deleted; remove it without "
		    "--delete-files",
		    im->name, im->path, l->shown, below_shown(phys, c->phys_tree), c->top->image,
		    c->top->what, c->top->as);
}

/* Collects every other image's tree and file by identity into kl (for
 * the delete walk's keep_others), with every layer of the mounts they
 * are on, and refuses up front, before anything is changed, when one
 * lies physically in im's tree: on its file system at or below where the
 * tree is (physical_path).  What this cannot see (a tree whose way root
 * alone does not control, a mount made or a directory moved since) the
 * walk's keep_others still stops.  The layers of the mount the tree
 * itself lies on are not looked at: the delete goes through that mount
 * and never reaches what it is made of (a container's root overlay,
 * whose layers are named where this cannot see, would otherwise refuse
 * every delete; review 25). */
static void check_tree_holds_no_other(const struct melee_config *cfg, const struct melee_image *im,
				      struct libmnt_table *tb, const char *real_tree,
				      const struct as_found *tree, struct kept_list *kl)
{
	struct layer_check c = { .tb = tb, .im = im, .kl = kl };
	const uint64_t tree_mnt = real_tree ? tree->sx.stx_mnt_id : 0;
	cleanup_free char *phys_tree = NULL;

	kl->tree = im->path;
	if (real_tree)
		phys_tree = physical_path(tb, real_tree, tree_mnt, &c.tree_sb);
	c.phys_tree = phys_tree;
	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct melee_image *other = &cfg->images[i];
		const char *const paths[2] = { other->path, other->source };

		if (other == im)
			continue;
		for (int j = 0; j < 2; j++) {
			cleanup_free char *real = NULL, *phys = NULL;
			struct as_found f;
			struct kept k;
			uint64_t mnt_id;
			dev_t sb = 0;
			int r;

			if (!paths[j])
				continue;
			k = (struct kept){ .image = other->name, .as = paths[j] };
			k.what = j == 1 ? "file" : other->source ? "mount point" : "tree";
			r = look_as_root(tb, paths[j], &k, &real, &mnt_id, &f);
			if (r == -2)
				refuse_other(
				    im, other, false,
				    "may hold image '%s''s %s %s: it is a file bound alone "
				    "whose source's name was unlinked since, and another "
				    "name of it, which may be in the tree, cannot be found",
				    other->name, k.what, paths[j]);
			if (r < 0)
				refuse_other(im, other, true,
					     "may hold image '%s''s %s %s: it is named through %s "
					     "(%s), which root alone does not control, so where it "
					     "lies cannot be told",
					     other->name, k.what, paths[j], f.stop, f.why);
			if (r == 0)
				continue;
			*kept_add(kl) = k;
			kl->n++;
			c.top = &k;
			if (!mount_layers(tb, mnt_id, tree_mnt, check_layer, &c))
				refuse_other(im, other, false,
					     "may hold a layer of the mounts image '%s''s %s %s is "
					     "on: they lie on each other more than 8 deep (or 64 "
					     "mounts in all), past what is looked at",
					     other->name, k.what, paths[j]);
			if (phys_tree)
				phys = physical_path(tb, real, mnt_id, &sb);
			if (!phys || sb != c.tree_sb)
				continue;
			if (melee_path_under(phys, phys_tree))
				refuse_held(im, other, &k, phys_tree, phys);
			/* The tree inside another's: deleting it deletes part
			 * of that tree, which no walk of this one sees. */
			if (j == 0 && melee_path_under(phys_tree, phys))
				die("image '%s': %s, which --delete-files deletes, lies in image "
				    "'%s''s %s %s (there as %s, through a mount): its files are "
				    "not deleted; remove it without --delete-files",
				    im->name, im->path, other->name, k.what, paths[j],
				    below_shown(phys, phys_tree));
		}
	}
}

/* Whether `path` is `tree` or lies in it, as written or as resolved
 * (real_path, real_tree: resolve_as_root's, NULL when it could not): a
 * symlink of root's on the way (a hand-written source = /srv/sqsh/x.sqsh
 * where /srv/sqsh -> /image/foo/srv) hides it from a comparison of
 * strings, and tree_remove_safely deletes what lies there.  *resolved
 * says whether only the resolved paths meet. */
static bool lies_in(const char *path, const char *real_path, const char *tree,
		    const char *real_tree, bool *resolved)
{
	*resolved = false;
	if (melee_path_under(path, tree))
		return true;
	*resolved = real_path && real_tree && melee_path_under(real_path, real_tree);
	return *resolved;
}

/* What --delete-files deletes is im->path: the tree of a tree image, the
 * mount point (images-dir/NAME) of a file image, never its file.  It
 * goes only when no other image's tree or file is there: a file image
 * registered as NAME mounts on images-dir/NAME, which may be the tree of
 * an image imported in place under another name; a hand-written path may
 * hold another image's tree or lie inside it, a hand-written source =
 * FILE may lie in the tree.  Refused before anything is changed. */
static void check_tree_not_shared(const struct melee_config *cfg, const struct melee_image *im,
				  struct libmnt_table *tb, struct kept_list *kl)
{
	struct as_found tree;
	cleanup_free char *real_tree = resolve_as_root(tb, im->path, &tree);

	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct melee_image *other = &cfg->images[i];
		cleanup_free char *real_other = NULL, *real_source = NULL;
		bool resolved;

		if (other == im)
			continue;
		if (other->path) {
			real_other = resolve_as_root(tb, other->path, NULL);
			if (lies_in(other->path, real_other, im->path, real_tree, &resolved) ||
			    lies_in(im->path, real_tree, other->path, real_other, &resolved))
				die("image '%s' shares its tree %s with image '%s' (at %s%s): its "
				    "files are not deleted; remove it without --delete-files",
				    im->name, im->path, other->name, other->path,
				    resolved ? ", through a symlink" : "");
		}
		if (!other->source)
			continue;
		real_source = resolve_as_root(tb, other->source, NULL);
		if (lies_in(other->source, real_source, im->path, real_tree, &resolved))
			die("image '%s': %s, which --delete-files deletes, holds the file of image "
			    "'%s' (%s%s%s): its files are not deleted; remove it without "
			    "--delete-files",
			    im->name, im->path, other->name, other->source,
			    resolved ? ", through a symlink: " : "", resolved ? real_source : "");
	}
	check_tree_holds_no_other(cfg, im, tb, real_tree, &tree, kl);
}

/* The delete walks im->path's parent like an image root
 * (tree_remove_safely); one it would refuse (a symlink on the way, a
 * directory others may write) is refused here already, before the image
 * is unregistered: nothing changed, no drop-in left aside that every
 * later remove would find refused again. */
static void check_parent_safe(const struct melee_image *im)
{
	char parent[PATH_MAX], err[MELEE_ERRLEN];
	cleanup_fd int pfd = -1;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", im->path);
	slash = strrchr(parent, '/');
	if (!slash || !slash[1])
		die("image '%s': %s is not an absolute path to delete", im->name, im->path);
	slash[slash == parent ? 1 : 0] = '\0';
	pfd = image_open_safely(parent, 0, err, sizeof(err));
	if (pfd < 0)
		die("%s: image '%s' is not removed and its files are not deleted (the delete walks "
		    "%s like an image root)",
		    err, im->name, parent);
}

/* A mount at or below the image's path: what up mounts, for which down
 * is the way, or a user's own FUSE mount (fusermount) in a directory of
 * the image they may write, which down leaves alone (it is not the
 * image's): named with who made it, and the way to take it down. */
static noreturn void refuse_mounted(struct libmnt_table *tb, const struct melee_image *im)
{
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	char shown[200], *uid = NULL;
	size_t n = 0;

	while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs);

		if (!t || !melee_path_under(t, im->path) || !melee_fs_is_users_fuse(fs) ||
		    mnt_optstr_get_option(mnt_fs_get_fs_options(fs), "user_id", &uid, &n) != 0)
			continue;
		melee_shown(t, 160, shown, sizeof(shown));
		die("image '%s' has a mount that is not the image's below it: %s at %s, made by "
		    "uid %.*s (melee-mounts down leaves it); unmount it ('umount %s' as root) "
		    "and try again",
		    im->name, mnt_fs_get_fstype(fs), shown, (int)n, uid, shown);
	}
	die("image '%s' is mounted; run 'melee-mounts down %s' first", im->name, im->name);
}

void image_remove(const struct melee_config *cfg, const char *name, bool delete_files)
{
	const struct melee_image *im;
	char err[MELEE_ERRLEN], conf[PATH_MAX], comm[64], where[PATH_MAX], file[96], aside[96];
	cleanup_mnt_table struct libmnt_table *tb = NULL;
	__attribute__((cleanup(kept_list_free))) struct kept_list kl = { 0 };
	cleanup_fd int dfd = -1;
	pid_t user;

	im = melee_config_find_image(cfg, name);
	if (!im)
		die_status(2, "unknown image '%.80s'", name);
	if (strcmp(im->name, name) != 0)
		die_status(2, "'%s' is an alias of image '%s': name the image itself", name,
			   im->name);
	snprintf(conf, sizeof(conf), "%s/images.d/%s.conf", cfg->conf_dir, name);
	snprintf(where, sizeof(where), "%s", im->where);
	*strrchr(where, ':') = '\0';
	if (strcmp(where, conf) != 0)
		die_status(2, "image '%s' is defined in %s, not by melee-image; remove it there",
			   name, im->where);
	tb = melee_mounttab_read(err, sizeof(err));
	if (!tb)
		die("%s", err);
	if (melee_mounttab_has(tb, im->path, true))
		refuse_mounted(tb, im);
	if (delete_files) {
		check_tree_not_shared(cfg, im, tb, &kl);
		check_parent_safe(im);
	}
	user = image_user(im->path, comm, sizeof(comm), NULL);
	if (user)
		die("image '%s' is in use by process %d (%s)", name, (int)user, comm);
	snprintf(where, sizeof(where), "%s/images.d", cfg->conf_dir);
	dfd = melee_open_trusted(where, true, 0, err, sizeof(err));
	if (dfd < 0)
		die("%s", err);
	/* Unregistered first, under a name the loader skips (a leading
	 * dot, see dropin_filter in common/melee-config-load.c): from here
	 * on no melee, login or auto-up finds the image. */
	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(aside, sizeof(aside), ".%s.conf.removing", name);
	if (renameat(dfd, file, dfd, aside) < 0)
		die_errno("cannot unregister image '%s': rename %s to images.d/%s", name, conf,
			  aside);
	if (delete_files)
		remove_files(name, im->path, where, aside, &kl);
	if (unlinkat(dfd, aside, 0) < 0)
		die_errno("cannot remove %s/%s (image '%s' is unregistered)", where, aside, name);
	printf("melee-image: %s: removed from the configuration (%s)\n", name, conf);
	if (im->source)
		printf("melee-image: %s: its file %s is kept (--delete-files deletes the directory "
		       "it is mounted on, %s, never the file)\n",
		       name, im->source, im->path);
	else if (!delete_files)
		printf("melee-image: %s: files kept in %s (--delete-files deletes them)\n", name,
		       im->path);
}
