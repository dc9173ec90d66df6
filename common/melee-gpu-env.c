/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment of a session in a gpu = nvidia image (melee-gpu-env.h). */
#include "melee-gpu-env.h"
#include "melee-enter.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

/* The GPU directory up mounted: walked from / by fd, every component
 * root's and writable by no one else (image_open_safely), and itself the
 * root of a read-only tmpfs (as mounts_gpu_mounted checks).  A directory
 * at the same place that a user made or could swap in (an image whose
 * /run is its own, a /run/melee of hers) gets no say in where a session
 * loads libraries from.  The O_PATH fd, or -1. */
static int gpu_dir_open(void)
{
	cleanup_fd int fd = image_open_safely(MELEE_GPU_DIR, 0, NULL, 0);
	struct statfs sf;

	if (fd < 0 || !melee_is_mountpoint(fd) || fstatfs(fd, &sf) < 0 ||
	    sf.f_type != TMPFS_MAGIC || !(sf.f_flags & ST_RDONLY))
		return -1;
	return melee_steal_fd(&fd);
}

/* A directory up made on that tmpfs, checked the same way. */
static bool gpu_subdir(int gpufd, const char *name)
{
	cleanup_fd int fd = image_open_safely_at(gpufd, MELEE_GPU_DIR, name, 0, NULL, 0);

	return fd >= 0;
}

/* A user's PATH as Debian's login.defs (ENV_PATH) gives it: a PAM
 * environment without PATH (sshd, login) gets this after the GPU's bin,
 * where a bare GPU bin would replace the login's own PATH. */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"

/* value = dir, then the old value after a ':' (unless dir is first
 * already: a nested session keeps one copy); `fallback` when unset. */
static int prepend(const char *name, const char *dir, const char *fallback, melee_env_get_fn get,
		   melee_env_set_fn set, void *ctx, char *err, size_t errlen)
{
	const char *old = get(name, ctx);

	if (!old || !*old)
		old = fallback;
	size_t dl = strlen(dir);
	cleanup_free char *value = NULL;
	int r;

	if (old && strncmp(old, dir, dl) == 0 && (old[dl] == ':' || old[dl] == '\0'))
		return 0;
	if (asprintf(&value, "%s%s%s", dir, old && *old ? ":" : "", old && *old ? old : "") < 0) {
		value = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	r = set(name, value, ctx);
	if (r < 0)
		return melee_fail(err, errlen, r, "cannot set %s: %s", name, strerror(-r));
	return 0;
}

/* VK_ICD_FILENAMES: every *.json up bound in the ICD directory, in the
 * directory's order, ':'-separated; "" when there is none. */
static int vulkan_icds(char *out, size_t len)
{
	DIR *d = opendir(MELEE_GPU_DIR "/" MELEE_GPU_VULKAN);
	struct dirent *de;
	size_t used = 0;

	out[0] = '\0';
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		int n;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0 || de->d_type != DT_REG)
			continue;
		n = snprintf(out + used, len - used, "%s" MELEE_GPU_DIR "/" MELEE_GPU_VULKAN "/%s",
			     used ? ":" : "", de->d_name);
		if (n < 0 || (size_t)n >= len - used) {
			out[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	closedir(d);
	return 0;
}

static int set_fixed(const char *name, const char *value, melee_env_set_fn set, void *ctx,
		     char *err, size_t errlen)
{
	int r = set(name, value, ctx);

	if (r < 0)
		return melee_fail(err, errlen, r, "cannot set %s: %s", name, strerror(-r));
	return 0;
}

int melee_gpu_env(const struct melee_image *im, melee_env_get_fn get, melee_env_set_fn set,
		  void *ctx, char *err, size_t errlen)
{
	char icds[4096];
	cleanup_fd int gpufd = -1;
	const char *lpath = NULL;
	bool lib, lib32;
	int r = 0;

	if (im->gpu != MELEE_GPU_NVIDIA)
		return 0;
	gpufd = gpu_dir_open();
	if (gpufd < 0)
		return 0;
	/* lib and lib32, those of them up made, each looked at once: one
	 * LD_LIBRARY_PATH for 64-bit and 32-bit programs alike, since ld.so
	 * passes over a library of the other ELF class there and looks on
	 * (an image with both libcs runs both kinds: Wine, Steam). */
	lib = gpu_subdir(gpufd, MELEE_GPU_LIB);
	lib32 = gpu_subdir(gpufd, MELEE_GPU_LIB32);
	if (lib && lib32)
		lpath = MELEE_GPU_DIR "/" MELEE_GPU_LIB ":" MELEE_GPU_DIR "/" MELEE_GPU_LIB32;
	else if (lib || lib32)
		lpath = lib ? MELEE_GPU_DIR "/" MELEE_GPU_LIB : MELEE_GPU_DIR "/" MELEE_GPU_LIB32;
	if (lpath)
		r = prepend("LD_LIBRARY_PATH", lpath, NULL, get, set, ctx, err, errlen);
	if (r == 0 && gpu_subdir(gpufd, MELEE_GPU_BIN))
		r = prepend("PATH", MELEE_GPU_DIR "/" MELEE_GPU_BIN, DEFAULT_PATH, get, set, ctx,
			    err, errlen);
	if (r == 0 && gpu_subdir(gpufd, MELEE_GPU_EGL))
		r = set_fixed("__EGL_VENDOR_LIBRARY_DIRS", MELEE_GPU_DIR "/" MELEE_GPU_EGL, set,
			      ctx, err, errlen);
	if (r == 0 && gpu_subdir(gpufd, MELEE_GPU_EGL_EXTERNAL))
		r = set_fixed("__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS",
			      MELEE_GPU_DIR "/" MELEE_GPU_EGL_EXTERNAL, set, ctx, err, errlen);
	if (r == 0 && gpu_subdir(gpufd, MELEE_GPU_GBM))
		r = set_fixed("GBM_BACKENDS_PATH", MELEE_GPU_DIR "/" MELEE_GPU_GBM, set, ctx, err,
			      errlen);
	if (r == 0 && gpu_subdir(gpufd, MELEE_GPU_VULKAN) && vulkan_icds(icds, sizeof(icds)) == 0 &&
	    icds[0])
		r = set_fixed("VK_ICD_FILENAMES", icds, set, ctx, err, errlen);
	return r;
}
