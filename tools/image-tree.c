#include "image-tree.h"
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
#include <sys/mount.h>
#include <sys/stat.h>

/* Empties the directory dfd (on device dev), depth first, by fd. */
static int empty_dir(int dfd, dev_t dev, const char *shown, char *err, size_t errlen)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		close(dfd);
		return melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = melee_fail(err, errlen, -errno, "%s/%s: %s", shown, de->d_name,
				       strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			char sub[4096];
			int cfd;

			snprintf(sub, sizeof(sub), "%s/%s", shown, de->d_name);
			/* Another file system below us is a mount we must not
			 * touch: stop rather than delete through it. */
			if (st.st_dev != dev) {
				r = melee_fail(err, errlen, -EBUSY,
					       "%s: another file system is mounted there; "
					       "refusing to delete through it",
					       sub);
				break;
			}
			cfd = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				r = melee_fail(err, errlen, -errno, "%s: %s", sub, strerror(errno));
				break;
			}
			r = empty_dir(cfd, dev, sub, err, errlen);
			if (r == 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
				r = melee_fail(err, errlen, -errno, "%s: %s", sub, strerror(errno));
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
			r = melee_fail(err, errlen, -errno, "%s/%s: %s", shown, de->d_name,
				       strerror(errno));
		}
	}
	closedir(d);
	return r;
}

int tree_remove_safely(const char *path, bool unmount_first, char *err, size_t errlen)
{
	struct libmnt_table *tb = melee_mounttab_read(err, errlen);
	struct stat st;
	int fd, r;

	if (!tb)
		return -EIO;
	if (melee_mounttab_has(tb, path, true)) {
		struct libmnt_iter *it = mnt_new_iter(MNT_ITER_BACKWARD);
		struct libmnt_fs *fs;
		size_t len = strlen(path);

		if (!unmount_first || !it) {
			mnt_free_iter(it);
			mnt_unref_table(tb);
			return melee_fail(err, errlen, -EBUSY,
					  "%s: something is still mounted under it; refusing to "
					  "delete (run 'melee-mounts down' first)",
					  path);
		}
		while (mnt_table_next_fs(tb, it, &fs) == 0) {
			const char *t = mnt_fs_get_target(fs);

			if (t && strncmp(t, path, len) == 0 && (t[len] == '/' || !t[len]))
				/* Reached from path by fd, never through a
				 * symlink, and only the table's mount. */
				melee_unmount_in_image(path, t, (uint64_t)mnt_fs_get_id(fs), true,
						       err, errlen);
		}
		mnt_free_iter(it);
		mnt_unref_table(tb);
		tb = melee_mounttab_read(err, errlen);
		if (!tb)
			return -EIO;
		if (melee_mounttab_has(tb, path, true)) {
			mnt_unref_table(tb);
			return melee_fail(err, errlen, -EBUSY,
					  "%s: mounts under it could not be removed; refusing to "
					  "delete",
					  path);
		}
	}
	mnt_unref_table(tb);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0
				       : melee_fail(err, errlen, -errno, "%s: %s", path,
						    strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	r = empty_dir(fd, st.st_dev, path, err, errlen);
	if (r == 0 && rmdir(path) < 0)
		r = melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	return r;
}

char *image_os_pretty_name(int imgfd)
{
	static const char *const files[] = { "etc/os-release", "usr/lib/os-release",
					     "etc/redhat-release", NULL };

	for (int i = 0; files[i]; i++) {
		cleanup_fd int fd = image_resolve(imgfd, files[i], O_RDONLY | O_NOCTTY);
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
			if (n >= 2 && (line[0] == '"' || line[0] == '\'') && line[n - 1] == line[0]) {
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
	cleanup_fd int fd = image_resolve(imgfd, "bin/sh", O_RDONLY | O_NOCTTY);
	unsigned char ident[EI_NIDENT];

	if (fd < 0 || read(fd, ident, sizeof(ident)) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		return 0;
	return ident[EI_CLASS] == ELFCLASS32 ? 32 : ident[EI_CLASS] == ELFCLASS64 ? 64 : 0;
}

int image_register(const char *conf_dir, const char *name, const char *path,
		   const char *description, bool linux32, char *err, size_t errlen)
{
	char dir[4096], text[8192];
	cleanup_fd int dfd = -1;
	char clean[512];
	size_t k = 0;

	/* The description goes into an INI line: no newlines, no comment
	 * marker that would cut it. */
	for (const char *p = description; *p && k + 1 < sizeof(clean); p++)
		clean[k++] = (*p == '\n' || *p == '\r' || *p == '#') ? ' ' : *p;
	clean[k] = '\0';
	snprintf(dir, sizeof(dir), "%s/images.d", conf_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	snprintf(text, sizeof(text),
		 "# Registered by melee-image.\n[image %s]\npath = %s\ndescription = %s\n%s", name,
		 path, melee_trim(clean), linux32 ? "personality = linux32\n" : "");
	snprintf(dir, sizeof(dir), "%s.conf", name);
	return melee_write_atomic(dfd, dir, text, strlen(text), 0644, err, errlen);
}
