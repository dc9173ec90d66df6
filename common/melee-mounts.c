/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An image's bind-mount set: its fstab through libmount, the accounts files, the one bind
 * operation. */
#include "melee-mounts.h"
#include "melee-mnt-util.h"
#include "melee-nosuid.h"
#include "melee-safety.h"
#include "melee-squash.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

void melee_plan_free(struct melee_mount_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->m[i].source);
		free(plan->m[i].target);
		free(plan->m[i].where);
	}
	free(plan->m);
	plan->m = NULL;
	plan->n = 0;
}

static int plan_add(struct melee_mount_plan *plan, const char *source, const char *target,
		    bool recursive, bool readonly, bool nofail, const char *where)
{
	struct melee_mount_spec *nm = realloc(plan->m, (plan->n + 1) * sizeof(*nm));

	if (!nm)
		return -ENOMEM;
	plan->m = nm;
	nm = &plan->m[plan->n];
	memset(nm, 0, sizeof(*nm));
	nm->source = strdup(source);
	nm->target = strdup(target);
	nm->where = strdup(where);
	nm->recursive = recursive;
	nm->readonly = readonly;
	nm->nofail = nofail;
	plan->n++;
	if (!nm->source || !nm->target || !nm->where)
		return -ENOMEM;
	return 0;
}

struct parse_error {
	int line;
};

static int fstab_errcb(struct libmnt_table *tb, const char *filename, int line)
{
	struct parse_error *pe = mnt_table_get_userdata(tb);

	if (pe && !pe->line)
		pe->line = line;
	return -EINVAL; /* stop at the first bad line */
}

/* libmount skips blank and '#' lines; the n-th entry is the n-th other
 * line, which is how we name file:line for entries it accepted. */
static unsigned entry_line(const char *text, size_t index)
{
	unsigned ln = 0;
	size_t seen = 0;
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n'), *q = p;

		ln++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q && *q != '\n' && *q != '#') {
			if (seen == index)
				return ln;
			seen++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return ln;
}

static bool path_clean(const char *p)
{
	if (p[0] != '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
		return false;
	size_t n = strlen(p);
	if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
		return false;
	return true;
}

static int fstab_entry(struct libmnt_fs *fs, const char *where, struct melee_mount_plan *plan,
		       char *err, size_t errlen)
{
	const char *src = mnt_fs_get_source(fs), *tgt = mnt_fs_get_target(fs);
	const char *fstype = mnt_fs_get_fstype(fs), *opts = mnt_fs_get_options(fs);
	bool bind = false, rbind = false, ro = false, nofail = false;
	char *name, *value;
	size_t nsz, vsz;
	char *optstr = (char *)(opts ? opts : "");
	cleanup_free char *target = NULL;

	if (!src || src[0] != '/' || !path_clean(src))
		return melee_fail(err, errlen, -EINVAL,
				  "%s: source must be an absolute host path, got '%s'", where,
				  src ? src : "");
	if (!tgt || !path_clean(tgt) || strcmp(tgt, "/") == 0)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: target must be an absolute path inside the image "
				  "(not '/' and without '.' or '..'), got '%s'",
				  where, tgt ? tgt : "");
	if (fstype && strcmp(fstype, "none") && strcmp(fstype, "bind") && strcmp(fstype, "rbind"))
		return melee_fail(err, errlen, -EINVAL,
				  "%s: type must be 'none' (only bind mounts), got '%s'", where,
				  fstype);
	while (mnt_optstr_next_option(&optstr, &name, &nsz, &value, &vsz) == 0) {
		if (nsz == 4 && strncmp(name, "bind", 4) == 0)
			bind = true;
		else if (nsz == 5 && strncmp(name, "rbind", 5) == 0)
			rbind = true;
		else if (nsz == 2 && strncmp(name, "ro", 2) == 0)
			ro = true;
		else if (nsz == 2 && strncmp(name, "rw", 2) == 0)
			ro = false;
		else if (nsz == 6 && strncmp(name, "nofail", 6) == 0)
			nofail = true;
		else if (nsz == 8 && strncmp(name, "defaults", 8) == 0)
			;
		else
			return melee_fail(err, errlen, -EINVAL,
					  "%s: unsupported option '%.*s' (expected bind or "
					  "rbind, optionally ro, rw, nofail)",
					  where, (int)nsz, name);
	}
	if (!bind && !rbind)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: options must include bind or rbind, got '%s'", where,
				  opts ? opts : "");
	target = strdup(tgt);
	if (!target)
		return melee_fail(err, errlen, -ENOMEM, "%s: out of memory", where);
	if (strlen(target) > 1 && target[strlen(target) - 1] == '/')
		target[strlen(target) - 1] = '\0';
	for (size_t i = 0; i < plan->n; i++)
		if (strcmp(plan->m[i].target, target) == 0)
			return melee_fail(err, errlen, -EEXIST,
					  "%s: target %s is already mounted by %s", where, target,
					  plan->m[i].where);
	if (plan_add(plan, src, target, rbind, ro, nofail, where) < 0)
		return melee_fail(err, errlen, -ENOMEM, "%s: out of memory", where);
	return 0;
}

int melee_fstab_load(const char *path, uid_t owner, struct melee_mount_plan *plan, char *err,
		     size_t errlen)
{
	cleanup_fd int fd = -1;
	cleanup_free char *text = NULL;
	cleanup_mnt_table struct libmnt_table *tb = NULL;
	cleanup_mnt_iter struct libmnt_iter *it = NULL;
	cleanup_fclose FILE *f = NULL;
	struct libmnt_fs *fs;
	struct parse_error pe = { 0 };
	size_t index = 0;
	int r;

	if (err && errlen)
		err[0] = '\0';
	fd = melee_open_trusted(path, false, owner, err, errlen);
	if (fd < 0)
		return fd;
	r = melee_read_fd(fd, MELEE_CONFIG_MAX_SIZE, &text, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read: %s", path,
				  r == -EILSEQ ? "contains a NUL byte" : strerror(-r));
	f = fmemopen(text, strlen(text), "r");
	tb = mnt_new_table();
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!f || !tb || !it)
		return melee_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
	mnt_table_set_userdata(tb, &pe);
	mnt_table_set_parser_errcb(tb, fstab_errcb);
	r = mnt_table_parse_stream(tb, f, path);
	if (r < 0 || pe.line)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%d: syntax error (expected 'SOURCE TARGET none "
				  "bind|rbind[,ro]')",
				  path, pe.line ? pe.line : 1);
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		char where[4200];

		snprintf(where, sizeof(where), "%s:%u", path, entry_line(text, index++));
		r = fstab_entry(fs, where, plan, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int melee_image_plan(const struct melee_image *im, uid_t owner, struct melee_mount_plan *plan,
		     char *err, size_t errlen)
{
	char src[4096];
	int r;

	memset(plan, 0, sizeof(*plan));
	r = melee_fstab_load(im->fstab, owner, plan, err, errlen);
	if (r < 0)
		goto fail;
	for (size_t j = 0; j < plan->n; j++) {
		const char *s = plan->m[j].source;

		/* An image below an rbind source would receive a copy of its
		 * own and every other image's mounts on each up. */
		if (plan->m[j].recursive && melee_path_under(im->path, s)) {
			r = melee_fail(err, errlen, -ELOOP,
				       "%s: image %s (%s) lies inside the rbind source %s: "
				       "every up would copy the images' own mounts into it; "
				       "move the image out of %s",
				       plan->m[j].where, im->name, im->path, s, s);
			goto fail;
		}
	}
	for (int i = 0; i < 2 && im->accounts != MELEE_ACCOUNTS_NONE; i++) {
		const char *file = i == 0 ? "passwd" : "group";
		char tgt[64];

		snprintf(tgt, sizeof(tgt), "/etc/%s", file);
		if (im->accounts == MELEE_ACCOUNTS_MERGE)
			snprintf(src, sizeof(src), "%s/%s/%s", MELEE_RUNDIR, im->name, file);
		else
			snprintf(src, sizeof(src), "/etc/%s", file);
		for (size_t j = 0; j < plan->n; j++)
			if (strcmp(plan->m[j].target, tgt) == 0) {
				r = melee_fail(err, errlen, -EEXIST,
					       "%s: target %s is also set by accounts = %s in %s",
					       plan->m[j].where, tgt,
					       im->accounts == MELEE_ACCOUNTS_MERGE ? "merge"
										    : "bind",
					       im->where);
				goto fail;
			}
		r = plan_add(plan, src, tgt, false, true, false,
			     im->accounts == MELEE_ACCOUNTS_MERGE ? "accounts = merge"
								  : "accounts = bind");
		if (r < 0) {
			r = melee_fail(err, errlen, r, "%s: out of memory", im->where);
			goto fail;
		}
	}
	return 0;
fail:
	melee_plan_free(plan);
	return r;
}

struct libmnt_table *melee_mounttab_read(char *err, size_t errlen)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");

	if (!tb)
		melee_fail(err, errlen, -EIO, "cannot read /proc/self/mountinfo");
	return tb;
}

enum melee_skip melee_plan_entry_skipped(int imgfd, const char *imgpath,
					 const struct melee_mount_spec *m, char *why, size_t whylen)
{
	char err[MELEE_ERRLEN] = "";
	struct stat sb;
	bool created;
	cleanup_fd int fd = -1;

	if (!m->nofail)
		return MELEE_SKIP_NONE;
	if (stat(m->source, &sb) < 0)
		return MELEE_SKIP_NO_SOURCE;
	fd = image_open_mountpoint(imgfd, imgpath, m->target,
				   S_ISDIR(sb.st_mode) ? MELEE_TARGET_DIR : MELEE_TARGET_FILE,
				   false, &created, err, sizeof(err));
	if (fd == MELEE_MOUNTPOINT_NO_PARENT)
		return MELEE_SKIP_NO_PARENT;
	if (fd == MELEE_MOUNTPOINT_UNSAFE) {
		if (why && whylen)
			snprintf(why, whylen, "%s", err);
		return MELEE_SKIP_UNSAFE;
	}
	/* A read-only image (a squashfs file without writable = tmpfs)
	 * cannot get the mountpoint up would create: trixie's minbase has
	 * no /etc/hosts. */
	if (fd == -ENOENT) {
		struct statvfs sv;

		if (fstatvfs(imgfd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
			return MELEE_SKIP_READ_ONLY;
	}
	return MELEE_SKIP_NONE;
}

bool melee_fs_is_users_fuse(struct libmnt_fs *fs)
{
	const char *type = mnt_fs_get_fstype(fs), *opts = mnt_fs_get_fs_options(fs);

	return type && opts && melee_fs_users_fuse(type, strlen(type), opts, strlen(opts));
}

bool melee_mounttab_has(struct libmnt_table *tb, const char *path, bool below)
{
	cleanup_mnt_iter struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	bool found = false;

	if (!below)
		return mnt_table_find_target(tb, path, MNT_ITER_BACKWARD) != NULL;
	it = mnt_new_iter(MNT_ITER_BACKWARD);
	if (!it)
		return false;
	while (!found && mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *t = mnt_fs_get_target(fs);

		found = t && melee_path_under(t, path);
	}
	return found;
}

const char *melee_state_name(enum melee_image_state s)
{
	switch (s) {
	case MELEE_STATE_READY: return "ready";
	case MELEE_STATE_PARTIAL: return "partial";
	case MELEE_STATE_DOWN: return "down";
	case MELEE_STATE_UNSAFE: return "unsafe";
	case MELEE_STATE_BROKEN: return "broken";
	case MELEE_STATE_STALE: return "stale";
	}
	return "?";
}

const char *const melee_account_daemon_dirs[] = { "/run/nscd", "/run/systemd/userdb", NULL };

bool melee_cover_wanted(const struct melee_image *im, const struct melee_mount_plan *plan,
			const char *dir)
{
	const struct melee_mount_spec *by = NULL;
	char host[8192];
	struct stat sb;

	if (im->accounts == MELEE_ACCOUNTS_BIND)
		return false; /* the host's accounts: its daemons agree with them */
	for (size_t i = 0; i < plan->n; i++) {
		const char *t = plan->m[i].target;
		size_t len = strlen(t);

		if (strcmp(t, dir) == 0)
			return false; /* bound on purpose by the fstab */
		if (melee_path_under(dir, t) && (!by || len > strlen(by->target)))
			by = &plan->m[i];
	}
	if (!by)
		return false;
	snprintf(host, sizeof(host), "%s%s", by->source, dir + strlen(by->target));
	return stat(host, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int melee_mount_cover(int target_fd, char *err, size_t errlen)
{
	cleanup_fd int fs = -1, mnt = -1;

	/* Read-only and empty from the start: there is no moment at which
	 * anything could be placed in it.  A new mount attached below the
	 * image's rslave /run is private (its parent is not shared). */
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return melee_fail(err, errlen, -errno, "cannot create a tmpfs: %s",
				  strerror(errno));
	if (fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return melee_fail(err, errlen, -errno, "cannot configure a tmpfs: %s",
				  strerror(errno));
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return melee_fail(err, errlen, -errno, "cannot mount a tmpfs: %s", strerror(errno));
	if (move_mount(mnt, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return melee_fail(err, errlen, -errno, "cannot attach the tmpfs: %s",
				  strerror(errno));
	return melee_steal_fd(&mnt);
}

/* The top mount at `path` is a read-only tmpfs: our cover, not a mount
 * that the host has there (copied by the rbind). */
static bool cover_mounted(struct libmnt_table *tb, const char *path)
{
	struct libmnt_fs *fs = mnt_table_find_target(tb, path, MNT_ITER_BACKWARD);
	const char *type = fs ? mnt_fs_get_fstype(fs) : NULL;
	const char *vfs = fs ? mnt_fs_get_vfs_options(fs) : NULL;

	return type && strcmp(type, "tmpfs") == 0 && vfs &&
	       mnt_optstr_get_option(vfs, "ro", NULL, NULL) == 0;
}

/* " WORD" at the end of st->detail, cut to fit. */
static void detail_append(struct melee_image_status *st, const char *word)
{
	size_t l = strlen(st->detail);

	snprintf(st->detail + l, sizeof(st->detail) - l, " %s", word);
}

/* A cover that up should have made and that is not there: the image's
 * programs can ask a host daemon for accounts (named in st->detail). */
static bool covers_missing(const struct melee_image *im, const struct melee_mount_plan *plan,
			   struct libmnt_table *tb, struct melee_image_status *st)
{
	bool missing = false;

	for (size_t i = 0; melee_account_daemon_dirs[i]; i++) {
		const char *dir = melee_account_daemon_dirs[i];
		char full[8192];

		snprintf(full, sizeof(full), "%s%s", im->path, dir);
		if (!melee_cover_wanted(im, plan, dir) || cover_mounted(tb, full))
			continue;
		if (!missing)
			snprintf(st->detail, sizeof(st->detail),
				 "not covered (the host's account daemons answer there; up "
				 "covers it):");
		missing = true;
		detail_append(st, full);
	}
	return missing;
}

void melee_image_status(const struct melee_image *im, struct libmnt_table *tb, uid_t owner,
			struct melee_image_status *st)
{
	struct melee_mount_plan plan;
	cleanup_fd int fd = -1;

	memset(st, 0, sizeof(*st));
	/* A file image whose squashfs is not mounted is down: its path may
	 * not even exist yet (up makes it). */
	if (im->source) {
		melee_squash_status(im, tb, st);
		if (st->present == 0) {
			st->state = MELEE_STATE_DOWN;
			return;
		}
	}
	fd = image_open_safely(im->path, owner, st->detail, sizeof(st->detail));
	if (fd < 0) {
		st->state = MELEE_STATE_UNSAFE;
		return;
	}
	if (melee_image_plan(im, owner, &plan, st->detail, sizeof(st->detail)) < 0) {
		st->state = MELEE_STATE_BROKEN;
		return;
	}
	melee_nosuid_status(im, fd, st);
	for (size_t i = 0; i < plan.n; i++) {
		char full[8192];

		/* What up skips is not expected either. */
		if (melee_plan_entry_skipped(fd, im->path, &plan.m[i], NULL, 0) != MELEE_SKIP_NONE)
			continue;
		st->expected++;

		snprintf(full, sizeof(full), "%s%s", im->path, plan.m[i].target);
		if (melee_mounttab_has(tb, full, false))
			st->present++;
	}
	st->state = st->present == 0		  ? MELEE_STATE_DOWN
		    : st->present == st->expected ? MELEE_STATE_READY
						  : MELEE_STATE_PARTIAL;
	/* The covers are not counted (they are no fstab entries), but an
	 * image without one is not ready. */
	if (st->state != MELEE_STATE_DOWN && covers_missing(im, &plan, tb, st))
		st->state = MELEE_STATE_PARTIAL;
	melee_plan_free(&plan);
}

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200 /* Linux 6.5, <linux/mount.h> */
#endif

int melee_bind_clone(const char *source, bool recursive, bool readonly, char *err, size_t errlen)
{
	struct mount_attr attr = {
		.attr_set = readonly ? MOUNT_ATTR_RDONLY : 0,
		.propagation = MS_SLAVE,
	};
	cleanup_fd int tree = -1;

	/* Made rslave and read-only while it is detached, so that there is
	 * no moment at which the image holds a shared or writable copy. */
	tree = open_tree(AT_FDCWD, source,
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return melee_fail(err, errlen, -errno, "cannot clone %s: %s", source,
				  strerror(errno));
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return melee_fail(err, errlen, -errno, "cannot make the copy of %s rslave%s: %s",
				  source, readonly ? " and read-only" : "", strerror(errno));
	return melee_steal_fd(&tree);
}

int melee_bind_attach(int tree, const char *source, int target_fd, bool beneath, char *err,
		      size_t errlen)
{
	if (move_mount(tree, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH |
			   (beneath ? MOVE_MOUNT_BENEATH : 0)) < 0)
		return melee_fail(err, errlen, -errno, "cannot attach %s%s: %s", source,
				  beneath ? " beneath the mount it replaces" : "", strerror(errno));
	return 0;
}

int melee_bind(const char *source, int target_fd, bool recursive, bool readonly, char *err,
	       size_t errlen)
{
	cleanup_fd int tree = melee_bind_clone(source, recursive, readonly, err, errlen);
	int r;

	if (tree < 0)
		return tree;
	r = melee_bind_attach(tree, source, target_fd, false, err, errlen);
	return r < 0 ? r : melee_steal_fd(&tree);
}
