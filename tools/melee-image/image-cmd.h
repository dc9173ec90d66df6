/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image's commands: what melee-image.c (options, names, the
 * partial tree, registration) shares with image-create.c (create) and
 * image-import.c (import). */
#ifndef MELEE_IMAGE_CMD_H
#define MELEE_IMAGE_CMD_H

#include "melee-config.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <sys/types.h>

struct image_opts {
	const char *config, *suite, *arch, *mirror, *variant, *include, *description;
	const char *compression, *register_as, *file;
	bool no_up, delete_files, trusted;
};

/* The signal (SIGINT, SIGTERM, SIGHUP) that stops a create or import,
 * once catch_signals() is in place; `child` (tar, debootstrap), when
 * set, gets a SIGTERM for it. */
extern volatile sig_atomic_t interrupted;
extern pid_t child;
void catch_signals(void);

/* The partial tree removed at exit (a --file import whose pack dies). */
extern const char *partial_at_exit;

void load(const struct image_opts *o, struct melee_config *cfg);
void check_new_name(const struct melee_config *cfg, const char *name, bool makes_tree, char *final,
		    size_t len);
/* Dies (status 2) unless images-dir/NAME, where a file image registered
 * as NAME is mounted, is free: no other image's tree, nothing there or
 * an empty directory. */
void check_file_image_mountpoint(const struct melee_config *cfg, const char *name);
void prepare_images_dir(const struct melee_config *cfg);
/* images-dir/.NAME.partial, empty, root's 0755 (an old one removed). */
void make_partial(const struct melee_config *cfg, const char *name, char *partial, size_t len);
/* Removes images-dir/.NAME.partial when no running process holds it
 * (the leftover of a crash), saying so; dies when one does.  Returns
 * whether there was one. */
bool remove_stale_partial(const struct melee_config *cfg, const char *name);
/* The finished partial tree opened to all (root's, 0755): the moment
 * before it is moved into place or packed.  Fails the partial on error. */
void open_partial(const char *partial);
/* Removes the partial tree, says so, and dies with `why`. */
noreturn void fail_partial(const char *partial, const char *why);
int run_mounts_up(const struct image_opts *o, const char *name);
void scan_or_refuse(const struct image_opts *o, const char *name, const char *path, int imgfd,
		    const char *partial);
int finish(const struct image_opts *o, const struct melee_config *cfg, const char *name,
	   const char *path, bool linux32, bool scan, int lock);

int cmd_create(int argc, char **argv, void *userdata);
int cmd_import(int argc, char **argv, void *userdata);

#endif
