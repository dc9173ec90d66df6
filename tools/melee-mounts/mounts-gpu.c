/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's NVIDIA driver files found and checked for gpu = nvidia
 * images (mounts-gpu.h); mounting them is in mounts-gpu-bind.c. */
#include "mounts-gpu.h"
#include "gpu-elf.h"
#include "melee-gpu-env.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The driver's sonames, not a list of its libraries: a new driver's new
 * library (libnvidia-gpucomp, libnvidia-nvvm) is found without a change
 * here.  libcuda.so* rather than libcuda*: the CUDA toolkit's
 * libcudart belongs to the image, matched to its own CUDA. */
static const char *const driver_patterns[] = {
	"libcuda.so*", "libcudadebugger.so*", "libnvidia-*", "libnvcuvid*",
	"libnvoptix*", "lib*_nvidia*",	      NULL,
};

/* JSON files the loaders read, the first directory winning as in the
 * loaders (glvnd, the Vulkan loader): where in MELEE_GPU_DIR, and where
 * on the host. */
static const struct {
	const char *dest;
	const char *dirs[3];
} json_dirs[] = {
	{ MELEE_GPU_EGL, { "/etc/glvnd/egl_vendor.d", "/usr/share/glvnd/egl_vendor.d", NULL } },
	{ MELEE_GPU_VULKAN, { "/etc/vulkan/icd.d", "/usr/share/vulkan/icd.d", NULL } },
	/* NVIDIA's EGL reads these for Wayland and GBM (egl-wayland's
	 * 10_nvidia_wayland.json, egl-gbm's 15_nvidia_gbm.json). */
	{ MELEE_GPU_EGL_EXTERNAL,
	  { "/etc/egl/egl_external_platform.d", "/usr/share/egl/egl_external_platform.d", NULL } },
};

static const char *const tools[] = { "nvidia-smi", "nvidia-debugdump", NULL };
static const char *const tool_dirs[] = { "/usr/bin", "/usr/local/bin", NULL };

/* Discovery for status and watch (set->quiet) only asks whether what is
 * bound is still what the host has: up names the file that is wrong. */
#define gwarn(set, ...)                                                                            \
	do {                                                                                       \
		if (!(set)->quiet)                                                                 \
			warn(__VA_ARGS__);                                                         \
	} while (0)

void gpu_set_free(struct gpu_set *set)
{
	for (size_t i = 0; i < set->nf; i++) {
		free(set->f[i].dest);
		free(set->f[i].host);
		melee_closep(&set->f[i].fd);
	}
	for (size_t i = 0; i < set->nl; i++) {
		free(set->l[i].name);
		free(set->l[i].target);
	}
	free(set->f);
	free(set->l);
	memset(set, 0, sizeof(*set));
}

void mounts_gpu_watch_paths(void (*add)(void *ctx, const char *dir, const char *name), void *ctx)
{
	/* ldconfig renames the new cache into place after a driver's files
	 * are installed (dpkg's trigger, the .run installer): the last event
	 * of an update. */
	add(ctx, "/etc", "ld.so.cache");
	for (size_t k = 0; k < sizeof(json_dirs) / sizeof(json_dirs[0]); k++)
		for (size_t d = 0; json_dirs[k].dirs[d]; d++)
			add(ctx, json_dirs[k].dirs[d], NULL);
	for (size_t d = 0; tool_dirs[d]; d++)
		for (size_t t = 0; tools[t]; t++)
			add(ctx, tool_dirs[d], tools[t]);
}

static bool has_dest(const struct gpu_set *set, const char *dest)
{
	for (size_t i = 0; i < set->nf; i++)
		if (strcmp(set->f[i].dest, dest) == 0)
			return true;
	for (size_t i = 0; i < set->nl; i++)
		if (strcmp(set->l[i].name, dest) == 0)
			return true;
	return false;
}

/* Opens the host file `path` (its symlinks resolved: the driver's
 * sonames are links) as a regular file of root's that no one else may
 * write, below directories of root's that no one else may write (walked
 * by fd from /, image_open_safely: whoever could write one could swap
 * the file between the check and the bind).  A file or directory that
 * fails refuses the up, as a driver half bound would fail in the image
 * long after.  The opened fd is what is bound, so a later swap of the
 * path changes nothing. */
static int host_open(const struct gpu_set *set, const char *path, char **real)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int dir = -1;
	struct stat st;
	char *slash;
	int fd;

	*real = realpath(path, NULL);
	if (!*real) {
		gwarn(set, "GPU driver file %s: %s", path, strerror(errno));
		return -1;
	}
	slash = strrchr(*real, '/');
	*slash = '\0';
	dir = image_open_safely(slash == *real ? "/" : *real, 0, err, sizeof(err));
	*slash = '/';
	if (dir < 0) {
		gwarn(set, "GPU driver file %s is below a directory that is not root's alone: %s",
		      *real, err);
		return -1;
	}
	fd = melee_open_regular(dir, slash + 1, O_NOFOLLOW, 0, &st);
	if (fd == -EINVAL)
		gwarn(set, "GPU driver file %s is %s, expected a regular file; refused", *real,
		      melee_file_kind(&st));
	else if (fd < 0)
		gwarn(set, "GPU driver file %s: %s", *real, strerror(-fd));
	else if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		gwarn(set,
		      "GPU driver file %s is not root's alone (owner %u, mode %04o; expected "
		      "owner root and not writable by group or others); refused",
		      *real, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		melee_closep(&fd);
		return -1;
	}
	return fd < 0 ? -1 : fd;
}

static int add_file(struct gpu_set *set, const char *dest, const char *path, enum gpu_abi abi)
{
	cleanup_free char *real = NULL;
	struct gpu_file *nf;
	int fd;

	if (has_dest(set, dest))
		return 0;
	fd = host_open(set, path, &real);
	if (fd < 0)
		return -1;
	nf = realloc(set->f, (set->nf + 1) * sizeof(*nf));
	if (!nf)
		die("out of memory");
	set->f = nf;
	nf[set->nf].fd = fd;
	nf[set->nf].abi = abi;
	nf[set->nf].dest = strdup(dest);
	nf[set->nf].host = real;
	real = NULL;
	if (!nf[set->nf++].dest)
		die("out of memory");
	return 0;
}

static void add_link(struct gpu_set *set, const char *name, const char *target)
{
	struct gpu_link *nl;

	if (has_dest(set, name))
		return;
	nl = realloc(set->l, (set->nl + 1) * sizeof(*nl));
	if (!nl)
		die("out of memory");
	set->l = nl;
	nl[set->nl].name = strdup(name);
	nl[set->nl].target = strdup(target);
	if (!nl[set->nl].name || !nl[set->nl].target)
		die("out of memory");
	set->nl++;
}

static bool soname_wanted(const struct melee_image *im, const char *soname)
{
	for (size_t i = 0; driver_patterns[i]; i++)
		if (fnmatch(driver_patterns[i], soname, 0) == 0)
			return true;
	for (size_t i = 0; im->gpu_libraries && im->gpu_libraries[i]; i++)
		if (fnmatch(im->gpu_libraries[i], soname, 0) == 0)
			return true;
	return false;
}

/* One library of the cache: the file under its own name, and its soname
 * a link to it, as ldconfig makes them, in lib or (32-bit) lib32; the
 * GBM backend beside a 64-bit one (GBM_BACKENDS_PATH names one
 * directory: a 32-bit Wayland compositor is not a case). */
static int add_library(struct gpu_set *set, const struct gpu_cache_entry *e)
{
	char real[PATH_MAX], dest[PATH_MAX], gbm[PATH_MAX];
	cleanup_free char *dir = strdup(e->path);
	const char *base, *sub = e->abi == GPU_ABI_32 ? MELEE_GPU_LIB32 : MELEE_GPU_LIB;

	if (!dir || !realpath(e->path, real)) {
		gwarn(set, "GPU driver library %s (%s): %s", e->path, e->soname, strerror(errno));
		return -1;
	}
	base = strrchr(real, '/') + 1;
	snprintf(dest, sizeof(dest), "%s/%s", sub, base);
	if (add_file(set, dest, real, e->abi) < 0)
		return -1;
	if (strcmp(e->soname, base) != 0) {
		snprintf(dest, sizeof(dest), "%s/%s", sub, e->soname);
		add_link(set, dest, base);
	}
	if (e->abi != GPU_ABI_NATIVE)
		return 0;
	snprintf(gbm, sizeof(gbm), "%s/gbm/nvidia-drm_gbm.so", dirname(dir));
	if (access(gbm, F_OK) == 0 &&
	    add_file(set, MELEE_GPU_GBM "/nvidia-drm_gbm.so", gbm, GPU_ABI_NATIVE) < 0)
		return -1;
	return 0;
}

#define ABI_BIT(abi) (1u << (abi))
#define ABI_ALL (ABI_BIT(GPU_ABI_NATIVE) | ABI_BIT(GPU_ABI_32))

/* The driver's libraries of the ABIs in `want`; *host: the ABIs the
 * host has driver libraries of, wanted or not. */
static int discover_libraries(const struct melee_image *im, struct gpu_set *set, unsigned want,
			      unsigned *host)
{
	char err[MELEE_ERRLEN];
	struct gpu_cache_entry *e = NULL;
	size_t n = 0;
	struct stat st;
	cleanup_fd int fd = melee_open_regular(AT_FDCWD, MELEE_LDSO_CACHE, O_NOFOLLOW, 0, &st);
	int rc = 0;

	if (fd == -EINVAL) {
		gwarn(set, "%s: %s is %s, expected a regular file", im->name, MELEE_LDSO_CACHE,
		      melee_file_kind(&st));
		return -1;
	}
	if (fd < 0) {
		gwarn(set, "%s: cannot open %s: %s", im->name, MELEE_LDSO_CACHE, strerror(-fd));
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		gwarn(set, "%s: %s is not root's alone; refused", im->name, MELEE_LDSO_CACHE);
		return -1;
	}
	if (gpu_ldcache_read(fd, MELEE_LDSO_CACHE, &e, &n, err, sizeof(err)) < 0) {
		gwarn(set, "%s: %s", im->name, err);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!soname_wanted(im, e[i].soname))
			continue;
		*host |= ABI_BIT(e[i].abi);
		if (want & ABI_BIT(e[i].abi))
			rc = add_library(set, &e[i]);
	}
	gpu_ldcache_free(e, n);
	return rc;
}

/* The vendor's JSON files (*nvidia*.json: they name libraries by
 * soname, which serves both ABIs) and, for an image with a 64-bit libc,
 * the tools (64-bit programs that load the 64-bit libnvidia-ml). */
static int discover_files(struct gpu_set *set, unsigned want)
{
	char path[PATH_MAX], dest[PATH_MAX];

	for (size_t k = 0; k < sizeof(json_dirs) / sizeof(json_dirs[0]); k++)
		for (size_t d = 0; json_dirs[k].dirs[d]; d++) {
			DIR *dir = opendir(json_dirs[k].dirs[d]);
			struct dirent *de;
			int rc = 0;

			while (dir && rc == 0 && (de = readdir(dir))) {
				if (fnmatch("*nvidia*.json", de->d_name, 0) != 0)
					continue;
				snprintf(path, sizeof(path), "%s/%s", json_dirs[k].dirs[d],
					 de->d_name);
				snprintf(dest, sizeof(dest), "%s/%s", json_dirs[k].dest,
					 de->d_name);
				rc = add_file(set, dest, path, GPU_ABI_NONE);
			}
			if (dir)
				closedir(dir);
			if (rc < 0)
				return -1;
		}
	for (size_t t = 0; tools[t] && (want & ABI_BIT(GPU_ABI_NATIVE)); t++)
		for (size_t d = 0; tool_dirs[d]; d++) {
			snprintf(path, sizeof(path), "%s/%s", tool_dirs[d], tools[t]);
			snprintf(dest, sizeof(dest), MELEE_GPU_BIN "/%s", tools[t]);
			if (access(path, F_OK) == 0 &&
			    add_file(set, dest, path, GPU_ABI_NATIVE) < 0)
				return -1;
		}
	return 0;
}

/* The driver version: libcuda.so.555.42.02 or libnvidia-ml.so.555.42.02
 * in the names (lib32's in an image with 32-bit ones alone), else the
 * kernel module's /proc/driver/nvidia/version. */
static void driver_version(struct gpu_set *set)
{
	static const char *const prefixes[] = {
		MELEE_GPU_LIB "/libcuda.so.",
		MELEE_GPU_LIB "/libnvidia-ml.so.",
		MELEE_GPU_LIB32 "/libcuda.so.",
		MELEE_GPU_LIB32 "/libnvidia-ml.so.",
		NULL,
	};
	char line[256];
	FILE *f;

	for (size_t p = 0; prefixes[p]; p++)
		for (size_t i = 0; i < set->nf; i++) {
			const char *d = set->f[i].dest;
			size_t pl = strlen(prefixes[p]);

			if (strncmp(d, prefixes[p], pl) == 0 && strchr(d + pl, '.')) {
				snprintf(set->version, sizeof(set->version), "%s", d + pl);
				return;
			}
		}
	f = fopen("/proc/driver/nvidia/version", "re");
	if (f && fgets(line, sizeof(line), f)) {
		char *k = strstr(line, "Kernel Module");

		if (k && sscanf(k + 13, " %63s", set->version) != 1)
			set->version[0] = '\0';
	}
	if (f)
		fclose(f);
}

/* Where images keep libc.so.6 (Debian's multiarch, EL's lib64, the
 * 32-bit ones of Debian's libc6-i386 and libc6:i386, of EL's glibc.i686
 * and of i386 images), as the image resolves it (symlinks followed,
 * never out of its root).  Which ABI one is for, its ELF header says:
 * lib/libc.so.6 is 32-bit in EL x86_64 and i686 images alike. */
static const char *const libc_paths[] = {
	"lib/x86_64-linux-gnu/libc.so.6",
	"usr/lib/x86_64-linux-gnu/libc.so.6",
	"lib/aarch64-linux-gnu/libc.so.6",
	"usr/lib/aarch64-linux-gnu/libc.so.6",
	"lib64/libc.so.6",
	"usr/lib64/libc.so.6",
	"lib/i386-linux-gnu/libc.so.6",
	"usr/lib/i386-linux-gnu/libc.so.6",
	"lib32/libc.so.6",
	"usr/lib32/libc.so.6",
	"lib/libc.so.6",
	"usr/lib/libc.so.6",
	NULL,
};

/* The highest GLIBC_2.xx each ABI's libc.so.6 in the image defines (what
 * a library of that ABI may need of it; the first found of each ABI, as
 * ld.so's default directories come first) and its release for messages,
 * into set->libc.  -1 with the reason in err when one cannot be read;
 * an image without any leaves set->libc zero. */
static int image_libcs(const struct melee_image *im, int imgfd, struct gpu_set *set, char *err,
		       size_t errlen)
{
	char shown[PATH_MAX];

	for (size_t i = 0; libc_paths[i]; i++) {
		cleanup_fd int fd = -1;
		enum gpu_abi abi;
		unsigned v;

		snprintf(shown, sizeof(shown), "%s/%s", im->path, libc_paths[i]);
		/* On the image's own file system only: a libc.so.6 that is a
		 * symlink into the image's /home, /tmp or /proc binds (a user's
		 * FIFO or FUSE file) could hang or watch up under the lock. */
		fd = image_open_regular(imgfd, libc_paths[i], true, shown, err, errlen);
		if (fd == -ENOENT || fd == -ENOTDIR)
			continue;
		if (fd == -EXDEV)
			return melee_fail(
			    err, errlen, fd,
			    "gpu = nvidia refused: %s leads out of the image's own file system "
			    "(into a bind such as /home); expected the image's own libc",
			    shown);
		if (fd < 0 || gpu_elf_glibc(fd, shown, 1, &abi, &v, err, errlen) < 0)
			return -1;
		if (!v || set->libc[abi].v)
			continue;
		set->libc[abi].v = v;
		set->libc[abi].release = gpu_libc_release(fd);
		if (set->libc[abi].release < v)
			set->libc[abi].release = v;
	}
	return 0;
}

static bool is_elf(int fd)
{
	unsigned char magic[4];

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       memcmp(magic, "\177ELF", 4) == 0;
}

/* Every ELF file of the set against the image's glibc of its ABI: a
 * library that needs a newer one would fail in the image at dlopen,
 * long after up.  A file whose ELF header is not of the ABI it is bound
 * for (a cache that lies) is refused too. */
static int check_glibc(const struct melee_image *im, const struct gpu_set *set)
{
	char err[MELEE_ERRLEN], have[32], need[32], rel[512];
	enum gpu_abi abi;
	unsigned v;

	for (size_t i = 0; i < set->nf; i++) {
		const struct gpu_file *f = &set->f[i];

		if (!is_elf(f->fd))
			continue;
		if (gpu_elf_glibc(f->fd, f->host, 0, &abi, &v, err, sizeof(err)) < 0) {
			warn("%s: %s", im->name, err);
			return -1;
		}
		if (abi != f->abi) {
			warn("%s: gpu = nvidia refused: the host's %s is a %s ELF file, bound as a "
			     "%s "
			     "one",
			     im->name, f->host, gpu_abi_name(abi), gpu_abi_name(f->abi));
			return -1;
		}
		if (v <= set->libc[abi].v)
			continue;
		warn("%s: gpu = nvidia refused: the host's %s needs glibc %s, the image%s has %s; "
		     "an image of %s or later would do",
		     im->name, f->host, gpu_glibc_str(v, need, sizeof(need)),
		     abi == GPU_ABI_32 ? "'s 32-bit libc" : "",
		     gpu_glibc_str(set->libc[abi].release, have, sizeof(have)),
		     gpu_glibc_releases(v, rel, sizeof(rel)));
		return -1;
	}
	return 0;
}

/* After discovery of the host's driver: whether the image has a libc
 * its libraries can be bound for (image_libcs' result r, err its
 * reason).  Said only now: an image up on a host without a driver
 * needs none. */
static int image_fits(const struct melee_image *im, const struct gpu_set *set, int r,
		      const char *err, unsigned want, unsigned host)
{
	if (r < 0) {
		gwarn(set, "%s: %s", im->name, err);
		return -1;
	}
	if (!want) {
		gwarn(set,
		      "%s: gpu = nvidia: no libc.so.6 with GLIBC_2.x versions found in the image "
		      "(looked in lib/, lib64/, lib32/ and usr/lib/ and their multiarch "
		      "directories)",
		      im->name);
		return -1;
	}
	if (host && !(host & want)) {
		enum gpu_abi has = want & ABI_BIT(GPU_ABI_32) ? GPU_ABI_32 : GPU_ABI_NATIVE;

		gwarn(set,
		      "%s: gpu = nvidia refused: the image has a %s libc.so.6 alone and the host "
		      "has no %s NVIDIA driver library in %s",
		      im->name, gpu_abi_name(has), gpu_abi_name(has), MELEE_LDSO_CACHE);
		return -1;
	}
	return 0;
}

int mounts_gpu_discover(const struct melee_image *im, int imgfd, struct gpu_set *set, bool quiet)
{
	char err[MELEE_ERRLEN] = "";
	unsigned want = 0, host = 0;
	int r;

	memset(set, 0, sizeof(*set));
	set->quiet = quiet;
	if (im->gpu != MELEE_GPU_NVIDIA)
		return 0;
	r = image_libcs(im, imgfd, set, err, sizeof(err));
	for (int abi = 0; abi < GPU_ABI_N; abi++)
		if (set->libc[abi].v)
			want |= ABI_BIT(abi);
	/* An image whose libc is unusable still takes nothing from a host
	 * without a driver: every ABI is looked at to know. */
	if (discover_libraries(im, set, r < 0 || !want ? ABI_ALL : want, &host) < 0 ||
	    discover_files(set, r < 0 || !want ? ABI_ALL : want) < 0 ||
	    (set->nf && image_fits(im, set, r, err, want, host) < 0)) {
		gpu_set_free(set);
		return -1;
	}
	driver_version(set);
	return 0;
}

int mounts_gpu_prepare(const struct melee_image *im, int imgfd, struct gpu_set *set)
{
	if (im->gpu != MELEE_GPU_NVIDIA) {
		memset(set, 0, sizeof(*set));
		return 0;
	}
	if (mounts_gpu_discover(im, imgfd, set, false) < 0 ||
	    (set->nf && check_glibc(im, set) < 0)) {
		warn("%s: gpu = nvidia: the host's driver cannot be bound; nothing mounted",
		     im->name);
		gpu_set_free(set);
		return -1;
	}
	return 0;
}
