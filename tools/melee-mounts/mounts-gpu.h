/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gpu = nvidia at up: the host's NVIDIA user-space driver found from the
 * ld.so cache (and the driver's JSON files and tools), checked against
 * the image's glibc, and bound read-only under MELEE_GPU_DIR
 * (melee-gpu-env.h) on a tmpfs of its own in the image. */
#ifndef MELEE_MOUNTS_GPU_H
#define MELEE_MOUNTS_GPU_H

#include <libmount.h>
#include <stdbool.h>
#include <stddef.h>

#include "gpu-elf.h"
#include "melee-config.h"
#include "mounts-ops.h"

#define MELEE_LDSO_CACHE "/etc/ld.so.cache"

/* What up binds: a file of the host, opened and checked, where it goes
 * (relative to MELEE_GPU_DIR), and the ABI it is for (GPU_ABI_NONE: a
 * JSON file); and the soname links beside. */
struct gpu_file {
	char *dest, *host;
	int fd;
	enum gpu_abi abi;
};
struct gpu_link {
	char *name, *target;
};
struct gpu_set {
	struct gpu_file *f;
	size_t nf;
	struct gpu_link *l;
	size_t nl;
	char version[64]; /* the driver's, "" when unknown */
	bool quiet;	  /* discovery for status and watch: no warnings */
	/* The image's libc.so.6 of each ABI, v its highest GLIBC_2.xx (0:
	 * the image has none of that ABI, and gets no library of it). */
	struct {
		unsigned v, release;
	} libc[GPU_ABI_N];
};
void gpu_set_free(struct gpu_set *set);

/* Everything before a mount: the host's driver files (owned by root,
 * written by no one else, regular files), and each ELF one's glibc need
 * against the image's libc.so.6 of its ABI (imgfd: the image's root).
 * 0 (an empty set when the host has no driver), or -1 with the reason
 * printed: up refuses the image then. */
int mounts_gpu_prepare(const struct melee_image *im, int imgfd, struct gpu_set *set);

/* Discovery alone (no glibc check): the host's driver files now, for the
 * ABIs the image has a libc.so.6 of (64-bit libraries and tools, 32-bit
 * libraries in MELEE_GPU_LIB32), opened and checked as for up; with
 * quiet, no warning on the way.  0, or -1 (set empty). */
int mounts_gpu_discover(const struct melee_image *im, int imgfd, struct gpu_set *set, bool quiet);

/* Whether the GPU files bound in the image (imgfd its root) are no longer
 * what the host has (a driver updated: other files, other inodes, another
 * cache): 1 stale, 0 current or nothing bound.  now_version (len bytes)
 * gets the host's driver version now ("" if unknown or none;
 * MELEE_GPU_REFUSED when up refuses what it would bind now). */
#define MELEE_GPU_REFUSED "refused"
int mounts_gpu_stale(const struct melee_image *im, int imgfd, char *now_version, size_t len);

/* Whether the tmpfs at gpufd shows other files than set (the driver
 * now), and whether the mount at fd is such a tmpfs of up's. */
bool mounts_gpu_differs(int gpufd, const struct gpu_set *set);
bool mounts_gpu_mounted(int fd);

/* What watch watches for gpu = nvidia images: add(ctx, dir, name) for
 * the ld.so cache, the JSON directories (name NULL: every name) and the
 * tools. */
void mounts_gpu_watch_paths(void (*add)(void *ctx, const char *dir, const char *name), void *ctx);

/* Mounts the set in the image (after its fstab binds: on its copy of
 * /run).  A tmpfs of an earlier up that no longer shows what the host
 * has (mounts_gpu_stale) is replaced in place: the new one is filled
 * beneath it, then the old one detached lazily (a process that mapped a
 * library keeps it).  Counts the mounts made or already there; -1 with
 * the reason printed, nothing of it left mounted (a replacement that
 * fails leaves the old driver bound). */
int mounts_gpu_up(const struct melee_image *im, int imgfd, const struct gpu_set *set,
		  const struct mounts_opts *o, size_t *made, size_t *present);

/* watch: replaces image im's stale GPU files as up does, quietly; the
 * line to report ("IMG: replaced ...") in line.  1 replaced, 0 nothing
 * to do, -1 failed (line says why). */
int mounts_gpu_repair(const struct melee_image *im, int imgfd, char *line, size_t len);

/* For status: the driver files bound in image im (from the mount table)
 * and the driver version their names carry ("" if none). */
size_t mounts_gpu_bound(const struct melee_image *im, struct libmnt_table *tb, char *version,
			size_t len);

/* For check: the /dev/nvidia* device nodes (and /dev/nvidia-caps) that
 * the image's /dev (the host's, through its bind) shows, on one line. */
void mounts_gpu_check_devices(const struct melee_image *im, int imgfd);

#endif
