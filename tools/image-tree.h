/* Filesystem work of melee-image: removing a tree without ever crossing a
 * mount or following a symlink, registering an image, reading its
 * os-release. */
#ifndef MELEE_IMAGE_TREE_H
#define MELEE_IMAGE_TREE_H

#include <stdbool.h>
#include <stddef.h>

/* Removes `path` and everything below it, walking by fd: never follows a
 * symlink, never descends into another file system.  Refuses (-EBUSY,
 * message in err) when anything is mounted at or below it, unless
 * `unmount_first` is set: then those mounts are detached first (for a
 * partial tree of our own, where debootstrap may have left /proc). */
int tree_remove_safely(const char *path, bool unmount_first, char *err, size_t errlen);

/* PRETTY_NAME of the image's os-release (etc/ then usr/lib/), or NULL. */
char *image_os_pretty_name(int imgfd);

/* 32 if the image's /bin/sh is a 32-bit ELF, 64 if 64-bit, 0 if unknown. */
int image_shell_bits(int imgfd);

/* Writes images.d/NAME.conf atomically, mode 0644. */
int image_register(const char *conf_dir, const char *name, const char *path,
		   const char *description, bool linux32, char *err, size_t errlen);

#endif
