/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image import: a tree registered where it is; a tarball or a
 * container image (oci-import.c) filled into a partial tree, then moved
 * into place or packed into a squashfs file (--file).  See
 * melee-image(8). */
#include "image-cmd.h"
#include "image-remove.h"
#include "image-pack.h"
#include "image-tree.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "oci-source.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Opens the tarball to unpack as root: a root-owned regular file that
 * nobody else can write, in a directory that passes the safety walk (else
 * someone could swap it between our checks and tar's read). */
static int open_tarball(const char *src)
{
	char err[MELEE_ERRLEN], dir[PATH_MAX];
	const char *base = strrchr(src, '/') + 1;
	cleanup_fd int dfd = -1;
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "%.*s", base - src > 1 ? (int)(base - src - 1) : 1, src);
	dfd = image_open_safely(dir, 0, err, sizeof(err));
	if (dfd < 0)
		die("import: %s: refused, its directory is not safe: %s", src, err);
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die_errno("import: %s", src);
	if (fstat(fd, &st) < 0)
		die_errno("import: %s", src);
	if (!S_ISREG(st.st_mode))
		die("import: %s: not a regular file (expected a directory or a tarball)", src);
	if (melee_check_trusted(&st, 0, src, NULL, 0) < 0)
		die("import: %s: refused, owned by uid %u with mode %04o (expected a root-owned "
		    "file that only root can write)",
		    src, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return fd;
}

/* Unpacks the tarball (as open_tarball() opened it) into partial, with
 * the owners and modes it records, but for the root's own entry
 * (--no-overwrite-dir: the partial root stays root's 0700 until
 * open_partial()).  tar is `child`: a signal stops it. */
static int unpack(const char *name, const char *src, int tarfd, const char *partial, char *err,
		  size_t errlen)
{
	int status;

	printf("melee-image: %s: unpacking %s\n", name, src);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		/* tar reads the file we checked, through our fd: a path is
		 * looked up again; /proc/self/fd/0 lets tar detect compression. */
		if (dup2(tarfd, 0) < 0)
			_exit(127);
		execlp("tar", "tar", "--numeric-owner", "--no-overwrite-dir", "-xpf",
		       "/proc/self/fd/0", "-C", partial, (char *)NULL);
		_exit(127);
	}
	if (child < 0)
		return melee_fail(err, errlen, -errno, "cannot run tar: %s", strerror(errno));
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	child = -1;
	if (interrupted)
		return melee_fail(err, errlen, -EINTR, "interrupted");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return melee_fail(err, errlen, -EIO, "cannot unpack the tarball");
	return 0;
}

/* An import's finished partial tree as a squashfs file (--file): packed
 * like `pack` does, the tree removed, the file registered.  With the
 * lock held (`lock`). */
static int finish_file(const struct image_opts *o, const struct melee_config *cfg, const char *name,
		       const char *partial, bool linux32, int lock)
{
	char err[MELEE_ERRLEN], shown[256], final[PATH_MAX];
	struct pack_result res = { 0 };
	cleanup_free char *text = NULL;
	struct melee_config now;
	const char *desc;

	load(o, &now);
	check_new_name(&now, name, false, final, sizeof(final));
	check_file_image_mountpoint(&now, name);
	melee_config_free(&now);
	if (image_registration(name, NULL, o->file, "-", false, &text, err, sizeof(err)) < 0)
		fail_partial(partial, err);
	partial_at_exit = partial;
	image_pack_tree(name, partial, o->file, NULL, &res);
	partial_at_exit = NULL;
	res.linux32 |= linux32;
	if (tree_remove_safely(partial, true, NULL, NULL, err, sizeof(err)) < 0)
		warn("could not remove the unpacked tree: %s", err);
	desc = o->description ? o->description : res.description ? res.description : name;
	if (image_register(cfg->conf_dir, name, NULL, o->file, desc, res.linux32, err,
			   sizeof(err)) < 0) {
		unlink(o->file);
		die("%s", err);
	}
	printf("melee-image: %s: registered in %s/images.d/%s.conf (source = %s, %s%s)\n", name,
	       cfg->conf_dir, name, o->file, melee_shown(desc, 200, shown, sizeof(shown)),
	       res.linux32 ? ", linux32" : "");
	free(res.description);
	close(lock);
	if (o->no_up)
		return 0;
	return run_mounts_up(o, name) == 0 ? 0 : 1;
}

/* A filled partial tree: scanned, then moved into place and registered,
 * or packed into --file; linux32: registered with that personality
 * (a container image for the host's 32-bit architecture). */
static int finish_partial(const struct image_opts *o, const struct melee_config *cfg,
			  const char *name, const char *partial, const char *final, bool linux32)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int imgfd = -1;
	int lock;

	/* From the scan to the registration: root reads the tree. */
	lock = image_lock();
	imgfd = image_open_safely(partial, 0, err, sizeof(err));
	if (imgfd < 0)
		fail_partial(partial, err);
	scan_or_refuse(o, name, partial, imgfd, partial);
	/* The last moment a signal leaves nothing: after it the tree is
	 * moved into place, or pack (which catches them itself) writes it. */
	if (interrupted)
		fail_partial(partial, "interrupted");
	/* Checked here, before the move: finish() would leave a tree that
	 * is no image unregistered at images-dir/NAME (a layer's opaque
	 * whiteout at the root removes everything below it). */
	if (image_shell_bits(imgfd) == 0)
		fail_partial(partial, "/bin/sh is missing or not an ELF executable: not an image");
	/* --file: the tree stays closed while it is packed (the squashfs's
	 * root is made 0755 by image_pack_tree), else a user could add
	 * files to its world-writable directories after the scan. */
	if (o->file)
		return finish_file(o, cfg, name, partial, linux32, lock);
	open_partial(partial);
	if (rename(partial, final) < 0)
		fail_partial(partial, "cannot move the new image into place");
	return finish(o, cfg, name, final, linux32, false, lock);
}

/* What fills the partial tree: a tarball (tar) or a container image
 * (oci-import.c). */
struct import_source {
	const char *src;
	int tarfd;		   /* a tarball, as open_tarball() opened it, or -1 */
	const struct oci_ref *ref; /* a container image, or NULL */
};

static int fill_oci(const struct image_opts *o, const char *name, const struct import_source *is,
		    struct oci_image *img, const char *partial, char *err, size_t errlen)
{
	struct oci_apply ap = { .name = name,
				.trusted = o->trusted,
				.progress = isatty(STDOUT_FILENO),
				.interrupted = &interrupted };
	cleanup_fd int rootfd = open(partial, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (rootfd < 0)
		return melee_fail(err, errlen, -errno, "cannot open the new tree: %s",
				  strerror(errno));
	return oci_import_apply(img, is->src, rootfd, &ap, err, errlen);
}

/* The one way of a tarball and a container image into images-dir:
 * signals caught first, the source checked (a container image's tags
 * and digests before any tree is made), then filled into
 * images-dir/.NAME.partial, which any failure or signal removes; the
 * filled tree is scanned and moved into place or packed
 * (finish_partial). */
static int import_source(const struct image_opts *o, const struct melee_config *cfg,
			 const char *name, const struct import_source *is, const char *final)
{
	char err[MELEE_ERRLEN], partial[PATH_MAX + 16];
	struct oci_source source;
	struct oci_image img = { 0 };
	bool linux32;
	int r;

	prepare_images_dir(cfg);
	catch_signals();
	if (is->ref &&
	    oci_import_prepare(is->ref, is->src, &source, &img, &interrupted, err, sizeof(err)) < 0)
		die("import: %s", err);
	if (interrupted)
		die("import: interrupted");
	make_partial(cfg, name, partial, sizeof(partial));
	linux32 = img.linux32;
	if (is->ref) {
		r = fill_oci(o, name, is, &img, partial, err, sizeof(err));
		oci_image_free(&img);
		oci_source_close(&source);
	} else {
		r = unpack(name, is->src, is->tarfd, partial, err, sizeof(err));
	}
	if (r < 0)
		fail_partial(partial, err);
	if (interrupted)
		fail_partial(partial, "interrupted");
	return finish_partial(o, cfg, name, partial, final, linux32);
}

/* --file: an absolute path that does not exist yet, in a directory that
 * passes the safety walk (pack checks it again when it writes). */
static void check_file_option(const char *file)
{
	char err[MELEE_ERRLEN], dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	cleanup_fd int dfd = -1;
	struct stat st;

	if (file[0] != '/' || !slash[1] || strlen(file) >= sizeof(dir))
		die_status(2, "import: --file %s: give the absolute path of a file to write", file);
	if (lstat(file, &st) == 0)
		die_status(2, "import: --file %s: already exists (expected a new file)", file);
	snprintf(dir, sizeof(dir), "%.*s", slash > file ? (int)(slash - file) : 1, file);
	dfd = image_open_safely(dir, 0, err, sizeof(err));
	if (dfd < 0)
		die_status(2, "import: --file %s: refused, its directory is not safe: %s", file,
			   err);
}

int cmd_import(int argc, char **argv, void *userdata)
{
	const struct image_opts *o = userdata;
	const char *name = argv[0], *src = argv[1];
	struct melee_config cfg;
	char final[PATH_MAX], tree[PATH_MAX], err[MELEE_ERRLEN];
	struct oci_ref ref;
	struct stat st;
	size_t len = strlen(src);
	int r;

	load(o, &cfg);
	if (oci_parse_ref(src, &ref, err, sizeof(err)) < 0)
		die_status(2, "import: %s", err);
	if (o->file)
		check_file_option(o->file);
	if (ref.transport != OCI_NONE) {
		check_new_name(&cfg, name, !o->file, final, sizeof(final));
		if (o->file)
			check_file_image_mountpoint(&cfg, name);
		r = import_source(o, &cfg, name, &(struct import_source){ src, -1, &ref }, final);
		melee_config_free(&cfg);
		return r;
	}
	if (src[0] != '/')
		die_status(2, "import: %s: give an absolute path", src);
	if (stat(src, &st) < 0)
		die_errno("import: %s", src);
	/* A tree is registered where it is, images-dir/NAME included; only a
	 * tarball makes a new tree there. */
	check_new_name(&cfg, name, !S_ISDIR(st.st_mode) && !o->file, final, sizeof(final));
	if (S_ISDIR(st.st_mode) && o->file)
		die_status(2, "import: --file takes a tarball or a container image, not a tree "
			      "(pack writes a tree's file)");
	if (o->file)
		check_file_image_mountpoint(&cfg, name);
	if (S_ISDIR(st.st_mode)) {
		while (len > 1 && src[len - 1] == '/')
			len--;
		if (len >= sizeof(tree))
			die_status(2, "import: %s: path too long", src);
		snprintf(tree, sizeof(tree), "%.*s", (int)len, src);
		r = finish(o, &cfg, name, tree, false, true, image_lock());
	} else {
		cleanup_fd int tarfd = open_tarball(src);

		r = import_source(o, &cfg, name, &(struct import_source){ src, tarfd, NULL },
				  final);
	}
	melee_config_free(&cfg);
	return r;
}
