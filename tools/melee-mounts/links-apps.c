/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts links --apps: host menu launchers for the applications of
 * an image.  The image's desktop entries are read as untrusted text:
 * through the fd walk beneath the image root, never following a symlink
 * out of the image's own files, size-capped; an entry that could smuggle
 * a line or a command into the launcher is skipped with a warning.  The
 * launcher's Exec runs `melee IMAGE` directly with the entry's arguments
 * re-quoted one by one (Desktop Entry Specification 1.5, "The Exec key"):
 * no shell ever sees them. */
#include "links-apps.h"

#include "desktop-entry.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define APPS_DIR "usr/share/applications"
#define ENTRY_MAX (64 * 1024)
#define ICON_MAX (1024 * 1024)
#define ICONS_SUBDIR "melee-icons"
#define IMAGE_KEY "X-Melee-Image="
#define APP_KEY "X-Melee-App="

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

static const char *const icon_exts[] = { "svg", "png", "xpm" };

/* What a launcher carries over: texts (with their translations), and
 * plain values; Exec and Icon are rewritten. */
static const char *const texts[] = { "Name", "GenericName", "Comment", "Keywords" };
static const char *const plain[] = { "Terminal", "StartupNotify", "StartupWMClass", "MimeType",
				     "Categories" };
#define PLAIN_MIME 3 /* plain[PLAIN_MIME]: only with export-mime-types = yes */

/* Does the host's icon theme (or its pixmaps) have `name`? */
static bool host_has_icon(const char *name)
{
	static const char *const dirs[] = {
		"/usr/share/icons/*/*/*",
		"/usr/local/share/icons/*/*/*",
		"/usr/share/pixmaps",
	};

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++)
		for (size_t x = 0; x < sizeof(icon_exts) / sizeof(icon_exts[0]); x++) {
			char pat[PATH_MAX];
			glob_t g;
			bool found;

			snprintf(pat, sizeof(pat), "%s/%s.%s", dirs[d], name, icon_exts[x]);
			found = glob(pat, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
			globfree(&g);
			if (found)
				return true;
		}
	return false;
}

/* Whether the directory at fd (O_PATH: read through /proc/self/fd) has
 * an access ACL, which may keep someone out whom its mode bits let
 * through (setfacl -m u:alice:---); one that cannot be asked counts as
 * having one. */
static bool has_acl(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return getxattr(path, "system.posix_acl_access", NULL, 0) >= 0 ||
	       (errno != ENODATA && errno != EOPNOTSUPP);
}

/* True when every directory from the image root down to the file open
 * at pfd lets every user through (o+x, and no ACL that may shut one
 * out): the file's real path (its symlinks resolved, as /proc/self/fd
 * shows it) walked again without following anything, ending at the same
 * inode. */
static bool dirs_searchable(int imgfd, int pfd, const struct stat *file)
{
	char link[64], root[PATH_MAX], path[PATH_MAX];
	cleanup_fd int cur = -1;
	struct stat st;
	ssize_t nr, np;
	char *rel, *save = NULL, *comp, *next;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", imgfd);
	nr = readlink(link, root, sizeof(root) - 1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	np = readlink(link, path, sizeof(path) - 1);
	if (nr <= 0 || np <= 0 || fstat(imgfd, &st) < 0 || !(st.st_mode & S_IXOTH) ||
	    has_acl(imgfd))
		return false;
	root[nr] = path[np] = '\0';
	if (strcmp(root, "/") == 0)
		nr = 0;
	if (strncmp(path, root, (size_t)nr) != 0 || path[nr] != '/')
		return false;
	rel = path + nr + 1;
	cur = openat(imgfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (comp = strtok_r(rel, "/", &save); cur >= 0 && comp; comp = next) {
		int nfd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		next = strtok_r(NULL, "/", &save);
		melee_fd_replace(&cur, nfd);
		if (cur < 0 || fstat(cur, &st) < 0)
			return false;
		if (next && (!S_ISDIR(st.st_mode) || !(st.st_mode & S_IXOTH) || has_acl(cur)))
			return false;
	}
	return cur >= 0 && st.st_dev == file->st_dev && st.st_ino == file->st_ino;
}

/* Opens the image's own file `rel` (not a host mount) for reading when it
 * is a regular file of root's that users cannot write, that every user
 * may read (o+r, and o+x on the directories down to it: a file only root
 * may read must not become a world-readable copy on the host), of at most
 * max bytes; -1 with *err otherwise.  It is resolved O_PATH and checked
 * before anything opens it: opening a FIFO would release a writer blocked
 * on it, opening a device node can act on the device (melee_open_regular:
 * resolved O_PATH, checked, reopened through /proc/self/fd). */
static int open_image_file(int imgfd, const char *rel, size_t max, int *err)
{
	cleanup_fd int fd = -1;
	struct stat st;

	while (*rel == '/')
		rel++;
	/* Beneath the image as it resolves its own links, never into a
	 * mount the host shares with it (its /home, /tmp). */
	fd = melee_open_regular(imgfd, *rel ? rel : ".", 0,
				RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, &st);
	*err = fd < 0 ? -fd : 0;
	if (fd < 0)
		return -1;
	if (melee_check_trusted(&st, 0, rel, NULL, 0) < 0)
		*err = EPERM;
	/* An ACL may keep someone out whom the mode bits let in: the copy
	 * on the host would have the mode bits alone. */
	else if (!(st.st_mode & S_IROTH) || !dirs_searchable(imgfd, fd, &st) ||
		 fgetxattr(fd, "system.posix_acl_access", NULL, 0) >= 0)
		*err = EACCES;
	else if ((size_t)st.st_size > max)
		*err = EFBIG;
	return *err ? -1 : melee_steal_fd(&fd);
}

/* Why open_image_file refused a file that exists. */
static const char *refused_why(int e)
{
	return e == EFBIG    ? "too large"
	       : e == EPERM  ? "not owned by root or writable by others"
	       : e == EINVAL ? "not a regular file"
	       : e == EACCES ? "not readable by every user (a file only root may read, or "
			       "one with an ACL, is not copied to the host)"
			     : strerror(e);
}

/* Copies the image's icon file `rel` to appdir/melee-icons/BASE.EXT;
 * returns that path, or NULL. */
static char *copy_icon(int imgfd, const char *imgpath, int appfd, const char *appdir,
		       const char *rel, const char *base)
{
	const char *ext = strrchr(rel, '.');
	cleanup_fd int fd = -1, ifd = -1;
	cleanup_free char *data = NULL;
	char name[NAME_MAX + 1], err[MELEE_ERRLEN], *path = NULL;
	size_t len;
	int e;

	if (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg") && strcmp(ext, ".xpm")))
		return NULL;
	fd = open_image_file(imgfd, rel, ICON_MAX, &e);
	/* A special file or one only root may read is said (the launcher
	 * goes without it); a missing one is the usual search. */
	if (fd < 0 && (e == EINVAL || e == EACCES))
		warn("%s/%s: %s: icon not copied", strcmp(imgpath, "/") ? imgpath : "",
		     rel[0] == '/' ? rel + 1 : rel, refused_why(e));
	if (fd < 0 || melee_read_fd_bytes(fd, ICON_MAX, &data, &len) < 0)
		return NULL;
	/* 0755 whatever the umask: every user's menu reads the icons.  Set
	 * on the directory opened without following a link, never by name:
	 * in an applications directory someone else may write, the new
	 * directory could be swapped for a link to a file of root's. */
	bool made = mkdirat(appfd, ICONS_SUBDIR, 0755) == 0;

	if (!made && errno != EEXIST)
		return NULL;
	ifd = openat(appfd, ICONS_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ifd >= 0 && made)
		fchmod(ifd, 0755);
	snprintf(name, sizeof(name), "%s%s", base, ext);
	if (ifd < 0 || melee_write_atomic(ifd, name, data, len, 0644, err, sizeof(err)) < 0) {
		warn("%s/%s/%s: %s", appdir, ICONS_SUBDIR, name, ifd < 0 ? strerror(errno) : err);
		return NULL;
	}
	if (asprintf(&path, "%s/%s/%s", appdir, ICONS_SUBDIR, name) < 0)
		die("out of memory");
	return path;
}

/* The launcher's Icon: a theme name the host has stays; otherwise the
 * image's file (its hicolor theme or pixmaps for a name, the path for an
 * absolute one) is copied next to the launchers.  A name found nowhere
 * stays (the desktop shows its generic icon); NULL drops the key. */
static char *launcher_icon(int imgfd, const char *imgpath, int appfd, const char *appdir,
			   const char *icon, const char *base)
{
	static const char *const sizes[] = { "scalable", "256x256", "128x128", "96x96",
					     "64x64",	 "48x48",   "32x32" };
	char rel[PATH_MAX];
	char *copied;

	if (icon[0] == '/')
		return copy_icon(imgfd, imgpath, appfd, appdir, icon, base);
	if (icon[0] == '.' ||
	    icon[strspn(icon, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789._+-")] != '\0')
		return NULL;
	if (host_has_icon(icon))
		return xstrdup(icon);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		snprintf(rel, sizeof(rel), "usr/share/icons/hicolor/%s/apps/%s.%s", sizes[s], icon,
			 s == 0 ? "svg" : "png");
		if ((copied = copy_icon(imgfd, imgpath, appfd, appdir, rel, base)))
			return copied;
	}
	for (size_t x = 0; x < sizeof(icon_exts) / sizeof(icon_exts[0]); x++) {
		snprintf(rel, sizeof(rel), "usr/share/pixmaps/%s.%s", icon, icon_exts[x]);
		if ((copied = copy_icon(imgfd, imgpath, appfd, appdir, rel, base)))
			return copied;
	}
	return xstrdup(icon);
}

static bool is_localized(const char *key, const char *base)
{
	size_t n = strlen(base);

	return strncmp(key, base, n) == 0 && (key[n] == '\0' || key[n] == '[');
}

/* A key whose value reaches the launcher. */
static bool copied_key(const char *key)
{
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		if (is_localized(key, texts[t]))
			return true;
	for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++)
		if (strcmp(key, plain[k]) == 0)
			return true;
	return strcmp(key, "Exec") == 0 || strcmp(key, "Icon") == 0;
}

/* The launcher's text, or NULL with the reason (why[0] empty: an entry
 * not shown in menus, skipped without a word). */
static char *launcher_text(const struct desktop_entry *e, int imgfd, int appfd, const char *appdir,
			   const struct melee_image *im, const char *id, const char *base,
			   const char *melee_path, bool mime, char *why, size_t whylen)
{
	const char *type = desktop_entry_get(e, "Type"), *exec = desktop_entry_get(e, "Exec");
	const char *icon = desktop_entry_get(e, "Icon");
	cleanup_free char *cmd = NULL, *icon_value = NULL;
	char entry_path[PATH_MAX];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	why[0] = '\0';
	if (strcmp(type, "Application") != 0 ||
	    (desktop_entry_get(e, "Hidden") &&
	     strcmp(desktop_entry_get(e, "Hidden"), "true") == 0) ||
	    (desktop_entry_get(e, "NoDisplay") &&
	     strcmp(desktop_entry_get(e, "NoDisplay"), "true") == 0))
		return NULL;
	for (size_t i = 0; i < e->n; i++)
		if (copied_key(e->kv[i].key) && !desktop_text_clean(e->kv[i].val)) {
			snprintf(why, whylen,
				 "the value of %s has a control character or is not "
				 "UTF-8",
				 e->kv[i].key);
			return NULL;
		}
	if (!desktop_entry_get(e, "Name") || !exec) {
		snprintf(why, whylen, "no %s", exec ? "Name" : "Exec");
		return NULL;
	}
	snprintf(entry_path, sizeof(entry_path), "/%s/%s", APPS_DIR, id);
	cmd = desktop_exec_through(exec, melee_path, im->name, entry_path, why, whylen);
	if (!cmd)
		return NULL;
	if (icon)
		icon_value = launcher_icon(imgfd, im->path, appfd, appdir, icon, base);
	f = open_memstream(&out, &len);
	if (!f)
		die("out of memory");
	fputs("[Desktop Entry]\nType=Application\n", f);
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		for (size_t i = 0; i < e->n; i++) {
			if (!is_localized(e->kv[i].key, texts[t]))
				continue;
			fprintf(f, "%s=", e->kv[i].key);
			desktop_put_value(f, e->kv[i].val);
			fprintf(f, t == 0 ? " (%s)\n" : "\n", im->name);
		}
	fputs("Exec=", f);
	desktop_put_value(f, cmd);
	fputc('\n', f);
	if (icon_value) {
		fputs("Icon=", f);
		desktop_put_value(f, icon_value);
		fputc('\n', f);
	}
	for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++) {
		const char *v = desktop_entry_get(e, plain[k]);

		if (!v || (k < 2 && strcmp(v, "true") && strcmp(v, "false")))
			continue;
		/* An image's entry may claim any type, x-scheme-handler/https
		 * included: the host's default browser would become this
		 * image's program.  Only when the admin says so. */
		if (k == PLAIN_MIME && !mime)
			continue;
		fprintf(f, "%s=", plain[k]);
		desktop_put_value(f, v);
		fputc('\n', f);
	}
	fprintf(f, "%s%s\n%s%s\n", IMAGE_KEY, im->name, APP_KEY, id);
	if (fclose(f) != 0)
		die("out of memory");
	return out;
}

/* The value of `key` (with its '=') in a launcher, up to the line's end. */
static bool key_value(const char *data, const char *key, char *val, size_t len)
{
	size_t n = strlen(key);

	for (const char *p = data; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0) {
			size_t l = strcspn(p + n, "\n");

			snprintf(val, len, "%.*s", (int)l, p + n);
			return true;
		}
	return false;
}

/* Removes the icons copied for the launcher `name`
 * (melee-icons/<name without .desktop>.EXT) other than `keep`. */
static int remove_icons(int dirfd, const char *dir, const char *name, const char *keep, bool quiet)
{
	/* The icons directory opened without following a link: a link
	 * planted in its place must not lead the unlinks elsewhere. */
	cleanup_fd int ifd =
	    openat(dirfd, ICONS_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc = 0;

	if (ifd < 0)
		return 0;
	for (size_t x = 0; x < sizeof(icon_exts) / sizeof(icon_exts[0]); x++) {
		char icon[NAME_MAX + 16];
		size_t sub = strlen(ICONS_SUBDIR) + 1;

		snprintf(icon, sizeof(icon), "%s/%.*s.%s", ICONS_SUBDIR,
			 (int)(strlen(name) - strlen(".desktop")), name, icon_exts[x]);
		if (keep && strcmp(icon, keep) == 0)
			continue;
		if (unlinkat(ifd, icon + sub, 0) == 0) {
			if (!quiet)
				printf("removed %s/%s\n", dir, icon);
		} else if (errno != ENOENT && errno != ENOTDIR) {
			warn("cannot remove %s/%s: %s", dir, icon, strerror(errno));
			rc = 1;
		}
	}
	unlinkat(dirfd, ICONS_SUBDIR, AT_REMOVEDIR); /* only once empty */
	return rc;
}

bool links_launcher_image(int dirfd, const char *name, char *image, size_t len, bool *app)
{
	cleanup_fd int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	cleanup_free char *data = NULL;
	char id[NAME_MAX + 1];
	struct stat st;
	size_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    melee_read_fd(fd, ENTRY_MAX, &data, &n) < 0)
		return false;
	*app = key_value(data, APP_KEY, id, sizeof(id));
	return key_value(data, IMAGE_KEY, image, len);
}

int links_remove_launcher(int dirfd, const char *dir, const char *name, bool quiet)
{
	char image[NAME_MAX + 1];
	bool app = false;
	int rc = 0;

	if (!links_launcher_image(dirfd, name, image, sizeof(image), &app))
		return 0;
	if (unlinkat(dirfd, name, 0) < 0) {
		warn("cannot remove %s/%s: %s", dir, name, strerror(errno));
		return 1;
	}
	if (!quiet)
		printf("removed %s/%s\n", dir, name);
	if (app)
		rc = remove_icons(dirfd, dir, name, NULL, quiet);
	return rc;
}

/* A desktop file ID we can carry into a launcher's file name. */
static bool usable_id(const char *name)
{
	size_t n = strlen(name);

	return n > 8 && n < 200 && name[0] != '.' && strcmp(name + n - 8, ".desktop") == 0 &&
	       name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789._+-")] == '\0';
}

/* Reads the image's entry `id` (a symlink only as the image resolves it
 * and only to the image's own files).  NULL with a warning printed. */
static char *read_image_entry(int imgfd, int dirfd, const char *shown, const char *id)
{
	char rel[PATH_MAX], target[PATH_MAX] = "";
	cleanup_fd int fd = -1;
	char *data = NULL;
	size_t len;
	ssize_t n;
	int e, r;

	snprintf(rel, sizeof(rel), "%s/%s", APPS_DIR, id);
	n = readlinkat(dirfd, id, target, sizeof(target) - 1);
	if (n >= 0)
		target[n] = '\0';
	fd = open_image_file(imgfd, rel, ENTRY_MAX, &e);
	if (fd < 0 && n >= 0 && (e == ENOENT || e == EXDEV || e == ELOOP)) {
		warn("%s: a symlink to %s, which is not a file of the image%s: skipped", shown,
		     target, e == EXDEV ? " (it leads into a mount shared with the host)" : "");
		return NULL;
	}
	if (fd < 0) {
		warn("%s: %s: skipped", shown, e == EFBIG ? "larger than 64 KiB" : refused_why(e));
		return NULL;
	}
	r = melee_read_fd(fd, ENTRY_MAX, &data, &len);
	if (r < 0) {
		warn("%s: %s: skipped", shown,
		     r == -EILSEQ  ? "contains NUL bytes"
		     : r == -EFBIG ? "larger than 64 KiB"
				   : strerror(-r));
		return NULL;
	}
	return data;
}

bool links_name_is_ours(int dirfd, const char *dir, const char *name, const char *image, bool app)
{
	char owner[NAME_MAX + 1];
	bool is_app = false;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return true;
	if (links_launcher_image(dirfd, name, owner, sizeof(owner), &is_app) && is_app == app &&
	    strcmp(owner, image) == 0)
		return true;
	warn("%s/%s exists and was not written by melee-mounts links%s for %s; left alone", dir,
	     name, app ? " --apps" : "", image);
	return false;
}

/* Writes the launcher `name` (links_name_is_ours() said yes) if it changed. */
static int write_app_launcher(int appfd, const char *appdir, const char *name, const char *text,
			      bool quiet)
{
	char err[MELEE_ERRLEN];
	/* 1: it holds this already, and was left alone. */
	int r = melee_write_atomic(appfd, name, text, strlen(text), 0644, err, sizeof(err));

	if (r < 0) {
		warn("%s/%s: %s", appdir, name, err);
		return 1;
	}
	if (r == 0 && !quiet)
		printf("%s/%s\n", appdir, name);
	return 0;
}

/* The launcher's icon as a path relative to appdir if it is a copy of
 * ours (melee-icons/...), else NULL; buf holds it. */
static const char *icon_in_use(const char *text, const char *appdir, char *buf)
{
	char val[PATH_MAX];
	size_t n = strlen(appdir);

	if (!key_value(text, "Icon=", val, sizeof(val)) || strncmp(val, appdir, n) != 0 ||
	    val[n] != '/')
		return NULL;
	snprintf(buf, NAME_MAX + 16, "%s", val + n + 1);
	return buf;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Writes the launchers of every entry (names into *written). */
static int write_all(const struct melee_image *im, int imgfd, int appfd, const char *appdir,
		     const char *melee_path, bool mime, char ***written, size_t *nwritten,
		     bool quiet)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int pathfd =
	    image_open_safely_at(imgfd, im->path, APPS_DIR, 0, err, sizeof(err));
	cleanup_fd int dirfd = -1;
	struct dirent **list = NULL;
	int n, rc = 0;

	if (pathfd == -ENOENT)
		return 0; /* no applications: nothing to write, stale ones go */
	if (pathfd < 0)
		die_status(2, "%s", err);
	dirfd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	n = dirfd < 0 ? -1 : scandirat(dirfd, ".", &list, not_hidden, alphasort);
	if (n < 0)
		die_status(2, "cannot read %s/%s: %s", im->path, APPS_DIR, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *id = list[i]->d_name;
		char shown[PATH_MAX + 80], name[NAME_MAX + 1], why[256], sid[64];
		char icon[NAME_MAX + 16];
		cleanup_free char *data = NULL, *text = NULL;
		struct desktop_entry e = { 0 };

		snprintf(shown, sizeof(shown), "%s/%s/%s", im->path, APPS_DIR,
			 melee_shown(id, 40, sid, sizeof(sid)));
		if (strlen(id) <= 8 || strcmp(id + strlen(id) - 8, ".desktop") != 0)
			continue;
		if (!usable_id(id) || strlen(id) + strlen(im->name) + 8 > NAME_MAX) {
			warn("%s: a file name other than [A-Za-z0-9._+-].desktop: skipped", shown);
			rc = 1;
			continue;
		}
		data = read_image_entry(imgfd, dirfd, shown, id);
		if (!data) {
			rc = 1;
			continue;
		}
		/* (It fits: the length was checked above.) */
		if (snprintf(name, sizeof(name), "melee-%s-%s", im->name, id) >= (int)sizeof(name))
			continue;
		if (!links_name_is_ours(appfd, appdir, name, im->name, true)) {
			rc = 1;
			continue;
		}
		name[strlen(name) - 8] = '\0'; /* the icon's base name */
		if (desktop_entry_parse(data, &e, why, sizeof(why)))
			text = launcher_text(&e, imgfd, appfd, appdir, im, id, name, melee_path,
					     mime, why, sizeof(why));
		desktop_entry_free(&e);
		strcat(name, ".desktop");
		if (!text && why[0]) {
			warn("%s: %s: skipped", shown, why);
			rc = 1;
		}
		if (!text)
			continue;
		rc |= write_app_launcher(appfd, appdir, name, text, quiet);
		rc |= remove_icons(appfd, appdir, name, icon_in_use(text, appdir, icon), quiet);
		if (melee_strv_push(written, nwritten, name) < 0)
			die("out of memory");
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return rc;
}

/* Removes this image's application launchers not in `keep`. */
static int remove_others(const struct melee_image *im, int appfd, const char *appdir,
			 char *const *keep, bool quiet)
{
	struct dirent **list = NULL;
	char prefix[MELEE_NAME_MAX + 16];
	int n = scandirat(appfd, ".", &list, not_hidden, alphasort), rc = 0;

	if (n < 0)
		die_status(2, "cannot read %s: %s", appdir, strerror(errno));
	snprintf(prefix, sizeof(prefix), "melee-%s-", im->name);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		char image[NAME_MAX + 1];
		bool app = false;

		if (strncmp(name, prefix, strlen(prefix)) == 0 && usable_id(name) &&
		    !melee_strv_contains(keep, name) &&
		    links_launcher_image(appfd, name, image, sizeof(image), &app) && app &&
		    strcmp(image, im->name) == 0)
			rc |= links_remove_launcher(appfd, appdir, name, quiet);
		free(list[i]);
	}
	free(list);
	return rc;
}

int links_apps(const struct melee_image *im, const char *appdir, const char *melee_path, bool mime,
	       bool remove, bool quiet)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int appfd = -1, imgfd = -1;
	char **written = NULL;
	size_t nwritten = 0;
	int rc = 0;

	/* Copied icons are named by this path in Icon= lines. */
	if (appdir[0] != '/' || !desktop_text_clean(appdir) || strchr(appdir, '\\'))
		die_status(2,
			   "%s: the applications directory must be an absolute path without "
			   "backslashes or control characters",
			   appdir);
	appfd = open(appdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (appfd < 0)
		die_status(2, "cannot open %s: %s", appdir, strerror(errno));
	if (!remove) {
		imgfd = image_open_safely(im->path, 0, err, sizeof(err));
		if (imgfd < 0)
			die_status(2, "%s", err);
		rc = write_all(im, imgfd, appfd, appdir, melee_path, mime, &written, &nwritten,
			       quiet);
	}
	rc |= remove_others(im, appfd, appdir, written, quiet);
	melee_strv_free(written);
	return rc ? 1 : 0;
}
