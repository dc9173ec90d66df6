/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image remove, and the lock every verb of melee-image that changes
 * an image takes.  See melee-image(8). */
#ifndef MELEE_IMAGE_REMOVE_H
#define MELEE_IMAGE_REMOVE_H

#include "melee-config.h"

#include <stdbool.h>

/* The lock of every verb that changes an image (common/melee-lock.c),
 * the one melee-mounts up and down and auto-up take; says so when it has
 * to wait for another holder.  Returns its fd (closing it releases it);
 * dies when it cannot be taken. */
int image_lock(void);

/* Removes image `name` of cfg (loaded with image_lock() held, which stays
 * held): refuses an alias, an image not registered by melee-image, one
 * mounted or in use, and with `delete_files` one whose path holds or lies
 * in another image's tree or holds another image's file; unregisters it,
 * deletes its path when `delete_files` (a tree image's tree, a file
 * image's mount point, never its file; when that fails it stays
 * unregistered, its drop-in kept aside as images.d/.NAME.conf.removing),
 * then drops the registration.  Dies on any refusal or error. */
void image_remove(const struct melee_config *cfg, const char *name, bool delete_files);

/* A removal of `name` cut short (SIGKILL, a crash, a failed delete) left
 * its drop-in aside: renames it back so that the configuration, loaded
 * again, has the image for image_remove() to finish.  True if it did;
 * false when there is nothing to resume.  Call with image_lock() held. */
bool image_remove_resume(const struct melee_config *cfg, const char *name);

#endif
