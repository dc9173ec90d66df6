/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's NVIDIA user-space driver in images with gpu = nvidia: where
 * `melee-mounts up` binds it (tools/melee-mounts/mounts-gpu.c) and the
 * environment that finds it there, computed once here for melee,
 * pam_melee and the SPANK plugin. */
#ifndef MELEE_GPU_ENV_H
#define MELEE_GPU_ENV_H

#include <stddef.h>

#include "melee-config.h"

/* The same path on the host and in every image: a tmpfs of root's that
 * up mounts on each gpu = nvidia image's copy of /run/melee/gpu, holding
 * read-only binds of the host's files. */
#define MELEE_GPU_DIR RUNSTATEDIR "/melee/gpu"
#define MELEE_GPU_LIB "lib"		/* libraries, soname links beside */
#define MELEE_GPU_LIB32 "lib32"		/* the 32-bit (i386) ones, the same way */
#define MELEE_GPU_BIN "bin"		/* nvidia-smi, nvidia-debugdump */
#define MELEE_GPU_EGL "egl_vendor.d"	/* glvnd's EGL vendor JSON files */
#define MELEE_GPU_VULKAN "vulkan/icd.d" /* the Vulkan ICD JSON files */
/* NVIDIA EGL's external platforms (Wayland, GBM) */
#define MELEE_GPU_EGL_EXTERNAL "egl_external_platform.d"
#define MELEE_GPU_GBM "lib/gbm" /* the GBM backend */

/* The current value of an environment variable (NULL: unset), and a
 * setter; ctx is the caller's (a PAM handle, a spank_t). */
typedef const char *(*melee_env_get_fn)(const char *name, void *ctx);
typedef int (*melee_env_set_fn)(const char *name, const char *value, void *ctx);

/* Inside image im (after melee_enter_image): for gpu = nvidia, sets
 * LD_LIBRARY_PATH (lib, then lib32: ld.so passes over a library of the
 * other ELF class) and PATH with the GPU directories first, and
 * __EGL_VENDOR_LIBRARY_DIRS, __EGL_EXTERNAL_PLATFORM_CONFIG_DIRS,
 * VK_ICD_FILENAMES and GBM_BACKENDS_PATH to
 * what up bound, each only when that part of MELEE_GPU_DIR is there
 * (a root-owned directory no one else may write).  Nothing for gpu =
 * none.  0, or the setter's negative code with a message. */
int melee_gpu_env(const struct melee_image *im, melee_env_get_fn get, melee_env_set_fn set,
		  void *ctx, char *err, size_t errlen);

#endif
