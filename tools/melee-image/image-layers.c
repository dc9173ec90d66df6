/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image-layers.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-util.h"
#include "tool-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Whether sx is a directory of root's that no one else may write:
 * nothing in it can be changed but by root. */
static bool roots_dir(const struct statx *sx)
{
	return S_ISDIR(sx->stx_mode) && sx->stx_uid == 0 && !(sx->stx_mode & (S_IWGRP | S_IWOTH));
}

/* The mount of id `id` in tb, or NULL. */
struct libmnt_fs *mount_of(struct libmnt_table *tb, uint64_t id)
{
	cleanup_mnt_iter struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;

	while (it && mnt_table_next_fs(tb, it, &fs) == 0)
		if ((uint64_t)mnt_fs_get_id(fs) == id)
			return fs;
	return NULL;
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Why the mount of id `id`, just entered, may not be gone through; NULL
 * when it may: it is in tb (the table read before the check: one made
 * since is not), it is the same mount now (ids are reused, lowest free
 * first: a mount of root's in tb gone since can have handed its id to a
 * user's FUSE mount made since, review 26; the fd that entered it holds
 * the mount, so its id stays its own while it is looked at), and it is
 * no user's FUSE mount (melee_fs_is_users_fuse: fusermount records the
 * user's uid, which she cannot make 0): her daemon chooses every owner
 * and mode it shows, its root looks like root's 000 before it answered
 * anything, and any look inside can hang on it.  Root's own FUSE mounts
 * (a mergerfs pool, an sshfs of root's) are root's like any other. */
static const char *mount_refused(struct libmnt_table *tb, uint64_t id)
{
	struct libmnt_fs *fs = mount_of(tb, id), *now_fs;
	cleanup_mnt_table struct libmnt_table *now = NULL;
	char err[MELEE_ERRLEN];

	if (!fs)
		return "a mount made since the mount table was read";
	if (melee_fs_is_users_fuse(fs))
		return "a user's FUSE mount";
	now = melee_mounttab_read(err, sizeof(err));
	now_fs = now ? mount_of(now, id) : NULL;
	if (!now_fs || melee_fs_is_users_fuse(now_fs) ||
	    mnt_fs_get_devno(now_fs) != mnt_fs_get_devno(fs) ||
	    !same_str(mnt_fs_get_fstype(now_fs), mnt_fs_get_fstype(fs)) ||
	    !same_str(mnt_fs_get_target(now_fs), mnt_fs_get_target(fs)) ||
	    !same_str(mnt_fs_get_root(now_fs), mnt_fs_get_root(fs)))
		return "a mount that is not the one the mount table read showed";
	return NULL;
}

/* What resolve_as_root looks at: the type, mode, links, owner, identity
 * and mount of each thing on the way. */
#define AS_ROOT_WANT (STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_INO | STATX_MNT_ID)

/* `name` in the directory dirfd, held by an O_PATH fd of its own and
 * looked at through it: never opened, a symlink not followed, no
 * automount triggered, and AT_STATX_DONT_SYNC, so no FUSE daemon is
 * asked for its attributes.  -1 (errno set) when it is not there. */
static int look_at(int dirfd, const char *name, struct statx *sx)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, AS_ROOT_WANT, sx) < 0 ||
			!(sx->stx_mask & STATX_MNT_ID))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* resolve_as_root's end where it stops: `at` and why into *f (if any). */
__attribute__((format(printf, 3, 4))) static char *stopped(struct as_found *f, const char *at,
							   const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return NULL;
	snprintf(f->stop, sizeof(f->stop), "%s", *at ? at : "/");
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return NULL;
}

/* `path` with root's own symlinks followed, as far as root alone
 * controls it: each directory on the way must be root's and writable by
 * no one else before anything in it is looked at, a symlink is followed
 * only when root owns it, and a mount is entered only when it is root's
 * (mount_refused).  Each thing on the way is held by an fd and the next
 * one looked up in it (look_at), never by a path from "/" again: a user
 * who swaps a directory on the way for a symlink between two looks
 * (renameat2 RENAME_EXCHANGE) cannot send the next look elsewhere, into
 * her stopped FUSE daemon (review 25).  No FUSE daemon is asked, so a
 * stopped one cannot hang this while the lock is held, and no symlink of
 * a user's can point the check at another image.  Nothing is gone
 * through that others may change (a group's 2775, a sticky 1777, a
 * user's own directory): there a user can rename root's directory that
 * leads to another image's tree (through a bind of root's) and put a
 * look-alike of hers in its place, whose identity would then be kept
 * instead of the tree's (review 26).  NULL when the path leaves what
 * root alone controls, is missing, or loops; *f (may be NULL) then says
 * where and why (missing: a name not there in directories of root's
 * alone, where only root could have moved it).  Else *f gets what the
 * path names and the directory it is in, as looked at on the way: no
 * caller looks at the path again. */
char *resolve_as_root(struct libmnt_table *tb, const char *path, struct as_found *f)
{
	char out[PATH_MAX] = "", rest[PATH_MAX], cand[PATH_MAX], target[PATH_MAX];
	cleanup_fd int root = -1, cur = -1; /* "/", and what out names */
	struct statx root_sx, cur_sx, dir_sx, sx;
	bool from_root = true; /* out is to be walked again from "/" */
	int links = 0;

	if (f)
		f->missing = false;
	if (path[0] != '/' || strlen(path) >= sizeof(rest))
		return stopped(f, path, "not an absolute path shorter than %d bytes", PATH_MAX);
	root = look_at(AT_FDCWD, "/", &root_sx);
	if (root < 0 || !roots_dir(&root_sx))
		return stopped(f, "/", "the root directory is not root's alone");
	snprintf(rest, sizeof(rest), "%s", path);
	for (;;) {
		char *c = rest + strspn(rest, "/");
		size_t len = strcspn(c, "/");
		char comp[NAME_MAX + 1];
		const char *refused;
		ssize_t n;
		int next;

		if (from_root) {
			if (cur >= 0)
				close(cur);
			cur = dup(root);
			if (cur < 0)
				return stopped(f, "/", "%s", strerror(errno));
			cur_sx = dir_sx = root_sx;
			out[0] = '\0';
			from_root = false;
		}
		if (len == 0)
			break;
		if (len > NAME_MAX)
			return stopped(f, out, "a name longer than %d bytes follows", NAME_MAX);
		memcpy(comp, c, len);
		comp[len] = '\0';
		memmove(rest, c + len, strlen(c + len) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			/* out holds no symlink: its parent is its last cut,
			 * walked to again from "/" (each step looked at anew). */
			*(strrchr(out, '/') ? strrchr(out, '/') : out) = '\0';
			if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", out, rest) >=
			    sizeof(cand))
				return stopped(f, out, "the path grows too long");
			memcpy(rest, cand, strlen(cand) + 1);
			from_root = true;
			continue;
		}
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", out, comp) >= sizeof(cand))
			return stopped(f, out, "the path grows too long");
		/* A file ends the path: what follows is not there.  A
		 * directory must be root's alone before anything in it is
		 * looked at (what the path names may be anyone's). */
		if (S_ISDIR(cur_sx.stx_mode) && !roots_dir(&cur_sx))
			return stopped(f, out, "%s",
				       cur_sx.stx_uid == 0 ? "a directory others may write"
							   : "a directory that is not root's");
		if (S_ISREG(cur_sx.stx_mode) || (next = look_at(cur, comp, &sx)) < 0) {
			if (f && (S_ISREG(cur_sx.stx_mode) || errno == ENOENT || errno == ENOTDIR))
				f->missing = true;
			return stopped(f, cand, "%s",
				       f && f->missing ? "not there" : strerror(errno));
		}
		/* Another mount: judged by the table, never by what it shows. */
		refused =
		    sx.stx_mnt_id != cur_sx.stx_mnt_id ? mount_refused(tb, sx.stx_mnt_id) : NULL;
		if (!refused && S_ISLNK(sx.stx_mode) && sx.stx_uid != 0)
			refused = "a symbolic link that is not root's";
		if (!refused && !S_ISLNK(sx.stx_mode) && !S_ISDIR(sx.stx_mode) &&
		    !S_ISREG(sx.stx_mode))
			refused = "neither a directory nor a file";
		if (refused) {
			close(next);
			return stopped(f, cand, "%s", refused);
		}
		if (!S_ISLNK(sx.stx_mode)) {
			memcpy(out, cand, strlen(cand) + 1);
			close(cur);
			cur = next;
			dir_sx = cur_sx;
			cur_sx = sx;
			continue;
		}
		n = ++links > 40 ? -1 : readlinkat(next, "", target, sizeof(target) - 1);
		close(next);
		if (n <= 0)
			return stopped(f, cand, "%s",
				       links > 40 ? "too many symbolic links"
						  : "unreadable symbolic link");
		target[n] = '\0';
		if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", target, rest) >= sizeof(cand))
			return stopped(f, out, "the path grows too long");
		memcpy(rest, cand, strlen(cand) + 1);
		/* Resolved on from the directory the link is in (root's, as
		 * checked, still held), or from "/". */
		from_root = target[0] == '/';
	}
	if (f) {
		f->sx = cur_sx;
		f->dir = dir_sx;
	}
	return strdup(out[0] ? out : "/");
}

/* Whether a mount's root field (mountinfo) says its source was unlinked
 * since it was bound ("//deleted"): it lies nowhere now. */
bool source_gone(const char *root)
{
	size_t len = strlen(root);

	return len >= 9 && strcmp(root + len - 9, "//deleted") == 0;
}

/* Where `real` (resolve_as_root's: no symlink, no "..") lies in its file
 * system, and which file system (*sb, the mount table's st_dev of it):
 * the mount's root (mountinfo's root field, where a bind's source lies)
 * and the path below the mount's target.  NULL when the mount is not in
 * tb, real is not below its target, or the bind's source is gone
 * (mountinfo's "//deleted": nothing of it lies anywhere now). */
char *physical_path(struct libmnt_table *tb, const char *real, uint64_t mnt_id, dev_t *sb)
{
	struct libmnt_fs *fs = mount_of(tb, mnt_id);
	const char *target = fs ? mnt_fs_get_target(fs) : NULL;
	const char *root = fs ? mnt_fs_get_root(fs) : NULL;
	const char *below;
	char *out;

	if (!target || !root || !melee_path_under(real, target) || source_gone(root))
		return NULL;
	below = strcmp(target, "/") == 0 ? real : real + strlen(target);
	if (strcmp(root, "/") == 0)
		root = "";
	if (asprintf(&out, "%s%s", root, *root || *below ? below : "/") < 0)
		die("out of memory");
	*sb = mnt_fs_get_devno(fs);
	return out;
}

#define LAYER_DEPTH 8 /* mounts below the first; sysfs hops below a device */

struct layer_walk {
	struct libmnt_table *tb;
	layer_fn fn;
	void *data;
	uint64_t skip;	   /* the mount whose layers are not looked at */
	uint64_t seen[64]; /* mounts whose layers were walked */
	size_t n_seen;
	bool cut; /* a limit was met: some layers were not looked at */
};

/* The super block options of mount `id` as /proc/self/mountinfo has
 * them, still escaped: libmount hands them decoded (\054 as ','), after
 * which a comma in a layer's name is the comma between two options.
 * Allocated; NULL when the mount is gone. */
static char *raw_super_options(uint64_t id)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		char *end, *sep, *opts;

		if (strtoull(line, &end, 10) != id || *end != ' ')
			continue;
		/* "... - TYPE SOURCE OPTIONS": no field holds a bare space. */
		sep = strstr(line, " - ");
		opts = sep ? strchr(sep + 3, ' ') : NULL;
		opts = opts ? strchr(opts + 1, ' ') : NULL;
		if (!opts)
			return NULL;
		opts[strcspn(opts, "\n")] = '\0';
		return strdup(opts + 1);
	}
	return NULL;
}

/* Undoes the mount table's escapes in place: \ooo (octal) for ' ', '\t',
 * '\n', '\\' and, in options, ','. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/* Cuts the next layer off an overlay's escaped name list at *s (`list`:
 * lowerdir's, ':' between layers) and undoes overlay's own escape (a
 * backslash takes the next character as it is, as the kernel reads
 * upperdir, workdir and lowerdir; lowerdir+= and datadir+= are read
 * literally and never come here).  NULL at the end. */
static char *next_escaped_layer(char **s, bool list)
{
	char *start = *s, *o = *s, *i = *s;

	if (!start)
		return NULL;
	for (; *i && !(list && *i == ':'); i++, o++) {
		if (*i == '\\' && i[1])
			i++;
		*o = *i;
	}
	*s = *i ? i + 1 : NULL;
	*o = '\0';
	return start;
}

static void mount_layers_at(struct layer_walk *w, uint64_t mnt_id, int depth);

/* Looks at one layer (path as the kernel holds it) and hands it to the
 * walk's fn; then walks the layers of the mount it lies on.  A layer not
 * found by its name (renamed, moved or unlinked since the mount was
 * made: an overlay keeps the names it was given, a loop file shows
 * "(deleted)" or a name on a mount detached since) is `lost`: nothing
 * tells where it lies; one named through what root alone does not
 * control cannot be placed either (l->found says where and why).  Its
 * identity is never asked of the kernel (LOOP_GET_STATUS64 asks the
 * file's file system, a stopped FUSE daemon of a user's, detached from
 * the table, would hang it). */
static void visit_layer(struct layer_walk *w, struct layer *l, int depth)
{
	struct as_found f;

	l->relative = l->path[0] != '/';
	l->real = l->relative ? NULL : resolve_as_root(w->tb, l->path, &f);
	l->found = l->relative ? NULL : &f;
	if (l->real) {
		l->has_id = true;
		l->is_dir = S_ISDIR(f.sx.stx_mode);
		l->dev = makedev(f.sx.stx_dev_major, f.sx.stx_dev_minor);
		l->ino = f.sx.stx_ino;
		l->mnt_id = f.sx.stx_mnt_id;
	} else {
		l->lost = !l->relative && f.missing;
	}
	w->fn(l, w->data);
	/* A layer below a layer: the mount this one lies on stores it. */
	if (l->real)
		mount_layers_at(w, l->mnt_id, depth + 1);
	free(l->real);
	l->real = NULL;
	l->found = NULL;
}

/* What a message calls l ("the upperdir /x of the overlay on /y"); cut
 * short when longer than l->shown holds. */
__attribute__((format(printf, 2, 3))) static void layer_shown(struct layer *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->shown, sizeof(l->shown), fmt, ap);
	va_end(ap);
}

/* An overlay's layers, every occurrence of each key: upperdir, workdir
 * and lowerdir (a list) as given to mount(2), lowerdir+= and datadir+=
 * one layer each (fsconfig, util-linux 2.39's mount). */
static void overlay_layers(struct layer_walk *w, struct libmnt_fs *fs, int depth)
{
	static const struct {
		const char *key, *shown;
		bool escaped, list;
	} keys[] = {
		{ "upperdir", "upperdir", true, false }, { "workdir", "workdir", true, false },
		{ "lowerdir", "lowerdir", true, true },	 { "lowerdir+", "lowerdir", false, false },
		{ "datadir+", "datadir", false, false },
	};
	cleanup_free char *opts = raw_super_options(mnt_fs_get_id(fs));
	char *save = NULL;

	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '='), *rest, *one;
		size_t i;

		if (!v)
			continue;
		*v++ = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(o, keys[i].key) != 0; i++)
			;
		if (i == sizeof(keys) / sizeof(keys[0]))
			continue;
		unescape_octal(v);
		rest = v;
		while ((one = keys[i].escaped ? next_escaped_layer(&rest, keys[i].list) : rest)) {
			struct layer l = { .path = one };

			if (!keys[i].escaped)
				rest = NULL;
			if (!*one)
				continue; /* lowerdir's "::" before its data layers */
			layer_shown(&l, "the %s %s of the overlay on %s", keys[i].shown, one,
				    mnt_fs_get_target(fs));
			visit_layer(w, &l, depth);
		}
	}
}

/* The file of the loop device whose sysfs directory is `dir`, if it is
 * one, mounted as fs (itself, or a partition of it, or below a
 * device-mapper device). */
static void loop_layer(struct layer_walk *w, struct libmnt_fs *fs, const char *dir, int depth)
{
	const char *src = mnt_fs_get_source(fs) ? mnt_fs_get_source(fs) : "?";
	char file[PATH_MAX + 32], path[PATH_MAX], node[NAME_MAX + 8];
	struct layer l = { .path = path };

	snprintf(file, sizeof(file), "%s/loop/backing_file", dir);
	{
		cleanup_fclose FILE *f = fopen(file, "re");

		if (!f || !fgets(path, sizeof(path), f))
			return;
	}
	path[strcspn(path, "\n")] = '\0';
	snprintf(node, sizeof(node), "/dev/%s", strrchr(dir, '/') + 1);
	if (strcmp(node, src) == 0)
		layer_shown(&l, "the file %s of %s, mounted on %s", path, node,
			    mnt_fs_get_target(fs));
	else
		layer_shown(&l, "the file %s of %s, below %s mounted on %s", path, node, src,
			    mnt_fs_get_target(fs));
	visit_layer(w, &l, depth);
}

/* The loop devices below the block device at `sys` (a /sys/dev/block or
 * /sys/class/block path): itself, the disk of a partition, each device a
 * device-mapper device is made of (slaves/), `hops` deep at most. */
static void block_layers(struct layer_walk *w, struct libmnt_fs *fs, const char *sys, int depth,
			 int hops)
{
	char dir[PATH_MAX], file[PATH_MAX + 32];
	struct dirent *d;
	DIR *slaves;

	if (hops > LAYER_DEPTH) {
		w->cut = true;
		return;
	}
	if (!realpath(sys, dir))
		return;
	snprintf(file, sizeof(file), "%s/partition", dir);
	if (access(file, F_OK) == 0) {
		*strrchr(dir, '/') = '\0';
		block_layers(w, fs, dir, depth, hops + 1);
		return;
	}
	snprintf(file, sizeof(file), "%s/slaves", dir);
	slaves = opendir(file);
	while (slaves && (d = readdir(slaves)))
		if (d->d_name[0] != '.') {
			snprintf(file, sizeof(file), "/sys/class/block/%s", d->d_name);
			block_layers(w, fs, file, depth, hops + 1);
		}
	if (slaves)
		closedir(slaves);
	loop_layer(w, fs, dir, depth);
}

static void mount_layers_at(struct layer_walk *w, uint64_t mnt_id, int depth)
{
	struct libmnt_fs *fs = mount_of(w->tb, mnt_id);
	const char *type = fs ? mnt_fs_get_fstype(fs) : NULL;
	char sys[64];
	dev_t devno;

	if (mnt_id == w->skip)
		return;
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i] == mnt_id)
			return;
	if (!fs)
		return;
	if (depth > LAYER_DEPTH || w->n_seen == sizeof(w->seen) / sizeof(w->seen[0])) {
		w->cut = true;
		return;
	}
	w->seen[w->n_seen++] = mnt_id;
	if (type && strcmp(type, "overlay") == 0)
		overlay_layers(w, fs, depth);
	devno = mnt_fs_get_devno(fs);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(devno), minor(devno));
	if (major(devno) != 0)
		block_layers(w, fs, sys, depth, 0);
}

bool mount_layers(struct libmnt_table *tb, uint64_t mnt_id, uint64_t skip, layer_fn fn, void *data)
{
	struct layer_walk w = { .tb = tb, .fn = fn, .data = data, .skip = skip };

	mount_layers_at(&w, mnt_id, 0);
	return !w.cut;
}
