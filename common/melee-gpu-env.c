/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment of a session in a gpu = nvidia image (melee-gpu-env.h). */
#include "melee-gpu-env.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A directory of root's that no one else can write: what up makes.  A
 * user-made directory at the same place (an image whose /run is not the
 * host's) gets no say in where a session loads libraries from. */
static bool root_dir(const char *path)
{
	struct stat st;

	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
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
	int r = 0;

	if (im->gpu != MELEE_GPU_NVIDIA || !root_dir(MELEE_GPU_DIR))
		return 0;
	if (root_dir(MELEE_GPU_DIR "/" MELEE_GPU_LIB))
		r = prepend("LD_LIBRARY_PATH", MELEE_GPU_DIR "/" MELEE_GPU_LIB, NULL, get, set, ctx,
			    err, errlen);
	if (r == 0 && root_dir(MELEE_GPU_DIR "/" MELEE_GPU_BIN))
		r = prepend("PATH", MELEE_GPU_DIR "/" MELEE_GPU_BIN, DEFAULT_PATH, get, set, ctx,
			    err, errlen);
	if (r == 0 && root_dir(MELEE_GPU_DIR "/" MELEE_GPU_EGL))
		r = set_fixed("__EGL_VENDOR_LIBRARY_DIRS", MELEE_GPU_DIR "/" MELEE_GPU_EGL, set,
			      ctx, err, errlen);
	if (r == 0 && root_dir(MELEE_GPU_DIR "/" MELEE_GPU_EGL_EXTERNAL))
		r = set_fixed("__EGL_EXTERNAL_PLATFORM_CONFIG_DIRS",
			      MELEE_GPU_DIR "/" MELEE_GPU_EGL_EXTERNAL, set, ctx, err, errlen);
	if (r == 0 && root_dir(MELEE_GPU_DIR "/" MELEE_GPU_GBM))
		r = set_fixed("GBM_BACKENDS_PATH", MELEE_GPU_DIR "/" MELEE_GPU_GBM, set, ctx, err,
			      errlen);
	if (r == 0 && root_dir(MELEE_GPU_DIR "/" MELEE_GPU_VULKAN) &&
	    vulkan_icds(icds, sizeof(icds)) == 0 && icds[0])
		r = set_fixed("VK_ICD_FILENAMES", icds, set, ctx, err, errlen);
	return r;
}
