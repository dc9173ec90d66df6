/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration and image registry: melee.conf, images.d/NAME.conf and
 * users.conf, as melee.conf(5) describes.  Parsing is pure (an fd in, a struct
 * out, a file:line message on error); loading adds the ownership checks. */
#ifndef MELEE_CONFIG_H
#define MELEE_CONFIG_H

#include "melee-index.h"
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#define MELEE_NAME_MAX 64
#define MELEE_CONFIG_MAX_SIZE (1024 * 1024)
#define MELEE_DEFAULT_CONFIG SYSCONFDIR "/melee/melee.conf"

enum melee_personality { MELEE_PERSONALITY_LINUX, MELEE_PERSONALITY_LINUX32 };
enum melee_accounts { MELEE_ACCOUNTS_MERGE, MELEE_ACCOUNTS_BIND, MELEE_ACCOUNTS_NONE };
/* What a file image (source = FILE) is written on: nothing (read-only),
 * or an overlay whose upper layer is a tmpfs shared by the image's users. */
enum melee_writable { MELEE_WRITABLE_NO, MELEE_WRITABLE_TMPFS };
/* gpu = nvidia: up binds the host's NVIDIA user-space driver under
 * MELEE_GPU_DIR and entering sets its environment (melee-gpu-env.h). */
enum melee_gpu { MELEE_GPU_NONE, MELEE_GPU_NVIDIA };

struct melee_image {
	char *name;
	char *path;	   /* absolute; defaults to images-dir/name */
	char *description; /* defaults to the name */
	char **aliases;
	size_t n_aliases;
	enum melee_personality personality;
	char **allow_groups; /* empty: everyone */
	size_t n_allow_groups;
	char **allow_users;
	size_t n_allow_users;
	char *fstab; /* defaults to <config dir>/fstab */
	enum melee_accounts accounts;
	bool nosuid; /* entered through a nosuid bind of its root */
	/* A file image: the absolute path of a squashfs file mounted on
	 * `path`; NULL for a tree image. */
	char *source;
	enum melee_writable writable;
	/* The tmpfs size in bytes for writable = tmpfs:SIZE; 0: the kernel's
	 * default (half of the RAM). */
	unsigned long long writable_size;
	enum melee_gpu gpu;
	/* The [melee] gpu-libraries patterns (borrowed from the config). */
	char *const *gpu_libraries;
	char separator; /* the [melee] separator, for USER<sep>IMAGE */
	char *where;	/* "file:line" of its [image] header */
	char *aliases_where;
};

struct melee_user_default {
	char *user;
	char *image;
	char *where;
};

struct melee_config {
	char *conf_dir;
	char *images_dir;
	char separator;
	char *default_image;
	char *default_image_where;
	bool user_choice;
	/* auto-up = yes: entering runs melee-mounts up for an image that is
	 * not prepared (melee-auto-up.h). */
	bool auto_up;
	/* export-mime-types = yes: links --apps keeps the MimeType of the
	 * images' entries (links-apps.c). */
	bool export_mime_types;
	/* gpu-libraries: soname patterns up binds for gpu = nvidia images
	 * besides the driver's own (tools/melee-mounts/mounts-gpu.c). */
	char **gpu_libraries;
	size_t n_gpu_libraries;
	struct melee_image *images;
	size_t n_images, cap_images;
	/* Each image's name, and from melee_config_finish on each alias, to
	 * its index in images: reading and checking N images costs N steps,
	 * not N * N (5,000 images, each in its own drop-in). */
	struct melee_index names, aliases;
	size_t n_aliases_indexed;
	struct melee_user_default *users;
	size_t n_users;
	/* Read by melee_config_load_image: melee.conf and one drop-in only,
	 * so `images` is not every image and `users` is empty. */
	bool partial;
	/* images.d as a full read found it just before listing it (when it
	 * has one): what melee_config_note_checked records. */
	bool dropins_seen;
	struct stat conf_st; /* melee.conf as the read opened it */
	struct stat dropins_st;
	struct timespec dropins_seen_at; /* CLOCK_REALTIME_COARSE after that fstat */
	/* The caller's record of every file the read opened or found
	 * missing (melee-stamps.h), or NULL; not owned. */
	struct melee_stamps *stamps;
};

/* True for [A-Za-z0-9][A-Za-z0-9._-]{0,63}: the only image names there are. */
bool melee_name_valid(const char *name);
/* "host" names the host itself wherever an image is chosen (melee
 * --set-default host, the answer to pam_melee's question): no image or
 * alias may take it. */
#define MELEE_HOST_NAME "host"
/* What melee-mounts keeps in /run/melee beside each image's directory
 * there (/run/melee/IMAGE): its lock and the records of configurations
 * it checked.  No image may take such a name. */
#define MELEE_RUNDIR_LOCK "lock"
#define MELEE_CHECKED_PREFIX "config-checked-"
/* Why name cannot name an image (host, or one of the names above), or
 * NULL when it may. */
const char *melee_name_reserved(const char *name);

void melee_config_init(struct melee_config *cfg);
void melee_config_free(struct melee_config *cfg);

/* Parses one INI file (melee.conf or a drop-in) into cfg.  `path` is only
 * used in messages.  A drop-in may hold [image] sections only. */
int melee_config_parse_fd(int fd, const char *path, bool is_dropin, struct melee_config *cfg,
			  char *err, size_t errlen);
/* Parses users.conf: lines "USER IMAGE". */
int melee_users_parse_fd(int fd, const char *path, struct melee_config *cfg, char *err,
			 size_t errlen);
/* Fills defaults and checks what spans files: aliases, default-image,
 * users.conf images. */
int melee_config_finish(struct melee_config *cfg, char *err, size_t errlen);

/* The characters a separator may be: none means anything in passwd or
 * group lines, a shell word or ssh's user@host. */
#define MELEE_SEPARATORS "+~%^="

/* Opens a config file or directory that must be owned by `owner` (root in
 * production) and not group/world-writable; O_NOFOLLOW|O_CLOEXEC. */
int melee_open_trusted(const char *path, bool directory, uid_t owner, char *err, size_t errlen);
/* The same for the entry `name` of the directory dirfd (`path` names it
 * in messages): no path above dirfd is looked up again. */
int melee_open_trusted_at(int dirfd, const char *name, const char *path, bool directory,
			  uid_t owner, char *err, size_t errlen);

/* Loads conf_path, then images.d/NAME.conf (sorted) and users.conf beside it.
 * On failure cfg holds nothing (freeing it again is harmless). */
int melee_config_load(const char *conf_path, uid_t owner, struct melee_config *cfg, char *err,
		      size_t errlen);

/* What melee_config_load + melee_config_find_image(image) would find, or
 * a refusal where the full read refuses for a line about IMAGE, in a time
 * that does not grow with the number of images when IMAGE is in
 * melee.conf or images.d/IMAGE.conf and melee-mounts' record of images.d
 * holds (else the other drop-ins are read for such lines; for a name
 * neither file defines, the whole configuration is read).  The result
 * may be partial (cfg->partial): only for looking up IMAGE, never for
 * listing images or reading users.conf. */
int melee_config_load_image(const char *conf_path, uid_t owner, const char *image,
			    struct melee_config *cfg, char *err, size_t errlen);

struct melee_stamps;
/* melee_config_load_image and melee_config_load that also record in
 * *stamps (melee-stamps.h) each file and directory they read or found
 * missing: a caller that keeps cfg reuses it while they are fresh. */
int melee_config_load_image_stamped(const char *conf_path, uid_t owner, const char *image,
				    struct melee_stamps *stamps, struct melee_config *cfg,
				    char *err, size_t errlen);
int melee_config_load_stamped(const char *conf_path, uid_t owner, struct melee_stamps *stamps,
			      struct melee_config *cfg, char *err, size_t errlen);

/* The same, with the record of melee_config_note_checked looked for in
 * checked_dir instead of MELEE_CHECKED_DIR (for tests). */
int melee_config_load_image_at(const char *conf_path, uid_t owner, const char *image,
			       const char *checked_dir, struct melee_config *cfg, char *err,
			       size_t errlen);

/* Where melee-mounts records that it read the whole configuration. */
#define MELEE_CHECKED_DIR RUNSTATEDIR "/melee"

/* After a full read that succeeded (melee-mounts, as root): records in
 * checked_dir/config-checked-DEV-INO which images.d it read, so that a lookup
 * may skip the other drop-ins until one is added, removed or renamed
 * (melee-config-checked.c says why that is enough).  Records nothing for
 * a directory changed within the current clock tick. */
int melee_config_note_checked(const struct melee_config *cfg, const char *checked_dir, uid_t owner,
			      char *err, size_t errlen);
/* After a full read that failed: lookups read the other drop-ins again
 * (for the lines that claim their image) until the next note. */
void melee_config_forget_checked(const char *checked_dir, uid_t owner); /* all records */

/* Finds an image by name or alias; NULL if none (or name invalid). */
const struct melee_image *melee_config_find_image(const struct melee_config *cfg, const char *name);

#endif
