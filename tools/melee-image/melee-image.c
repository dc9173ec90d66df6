/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image: its options and commands; the partial tree, the scan and
 * the registration that create (image-create.c) and import
 * (image-import.c) share; pack, list and remove.  See melee-image(8). */
#include "image-cmd.h"
#include "image-pack.h"
#include "image-remove.h"
#include "image-tree.h"
#include "melee-config.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"
#include "verbs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tool_name = "melee-image";

extern char **environ;

volatile sig_atomic_t interrupted;
pid_t child = -1;

/* The PATH every child runs with, whatever the caller's was: root finds
 * tar and debootstrap where the system keeps them (sudo's secure_path),
 * not in a directory of the user who ran su without '-'. */
#define SECURE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Shown at most this many paths of an image scan. */
#define SCAN_SHOWN_MAX 50

static void usage(FILE *f)
{
	/* One screen (24 lines of 80 columns): the rest is in the man page. */
	fprintf(f,
		"Usage: melee-image [OPTIONS] COMMAND ...\n"
		"Create, import, pack, list and remove MELEE images.\n"
		"\n"
		"  create NAME --suite SUITE [--arch ARCH] [--mirror URL]\n"
		"         [--variant minbase|standard] [--include PKG,...]\n"
		"                       build a Debian-family image with debootstrap under\n"
		"                       images-dir, register it and run melee-mounts up\n"
		"  import NAME DIR|TARBALL|oci:DIR[:TAG]|oci-archive:F[:TAG]|docker-archive:F\n"
		"         [--trusted] [--file FILE]  register a tree, or unpack a tarball or\n"
		"                       container image under images-dir (--file: into a\n"
		"                       squashfs FILE); setuid files refuse it unless --trusted\n"
		"  pack NAME FILE [--compression zstd|xz|gzip] [--register NEW]\n"
		"                       write the tree image NAME as one squashfs file FILE\n"
		"  list                 the configured images, their state, a file's size\n"
		"  remove NAME [--delete-files]  unregister an image (not while mounted\n"
		"                       or in use); its files stay unless --delete-files\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE    another configuration (root only); default:\n"
		"                       %s\n"
		"  -d, --description T  description instead of the image's os-release\n"
		"      --no-up          do not run melee-mounts up after create/import\n"
		"  -h, --help           show this help; -V, --version: the version\n"
		"See melee-image(8).\n",
		MELEE_DEFAULT_CONFIG);
}

static void on_signal(int sig)
{
	interrupted = sig;
	if (child > 0)
		kill(child, SIGTERM);
}

void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void load(const struct image_opts *o, struct melee_config *cfg)
{
	char err[MELEE_ERRLEN];

	if (melee_config_load(o->config, 0, cfg, err, sizeof(err)) < 0)
		die_status(2, "%s", err);
}

/* The new image's name must be free: no image or alias, and, when a tree
 * is to be made at images-dir/NAME (`makes_tree`), nothing there yet. */
void check_new_name(const struct melee_config *cfg, const char *name, bool makes_tree, char *final,
		    size_t len)
{
	const struct melee_image *im;
	const char *reserved;
	struct stat st;

	if (!melee_name_valid(name))
		die_status(2,
			   "invalid image name '%.80s' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})",
			   name);
	if ((reserved = melee_name_reserved(name)))
		die_status(2, "'%s' cannot name an image: %s", name, reserved);
	im = melee_config_find_image(cfg, name);
	if (im)
		die_status(2, "image '%s' already exists (%s at %s)", name,
			   strcmp(im->name, name) ? "an alias of it is defined" : "defined",
			   im->where);
	snprintf(final, len, "%s/%s", cfg->images_dir, name);
	if (makes_tree && lstat(final, &st) == 0)
		die_status(2, "%s already exists; 'melee-image import %s %s' registers it", final,
			   name, final);
}

/* A file image registered as `name` is mounted on images-dir/NAME (no
 * path of its own): nothing may be there but an empty directory, and no
 * other image's tree, else up would mount over that tree and remove
 * --delete-files delete it. */
void check_file_image_mountpoint(const struct melee_config *cfg, const char *name)
{
	char path[PATH_MAX];
	cleanup_fd int fd = -1;
	DIR *d;
	struct dirent *de;
	bool empty = true;

	snprintf(path, sizeof(path), "%s/%s", cfg->images_dir, name);
	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct melee_image *im = &cfg->images[i];

		if (im->path &&
		    (melee_path_under(im->path, path) || melee_path_under(path, im->path)))
			die_status(2,
				   "'%s' cannot name a file image: it would be mounted on %s, the "
				   "tree of image '%s'",
				   name, path, im->name);
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return;
	d = fd < 0 ? NULL : fdopendir(fd);
	if (d) {
		melee_steal_fd(&fd);
		while (empty && (de = readdir(d)))
			empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
		closedir(d);
	}
	if (!d || !empty)
		die_status(2,
			   "'%s' cannot name a file image: it would be mounted on %s, which holds "
			   "files already (expected nothing there, or an empty directory)",
			   name, path);
}

/* images-dir must exist and pass the safety walk before we build in it. */
void prepare_images_dir(const struct melee_config *cfg)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int fd = -1;

	if (mkdir(cfg->images_dir, 0755) < 0 && errno != EEXIST)
		die_errno("cannot create %s", cfg->images_dir);
	fd = image_open_safely(cfg->images_dir, 0, err, sizeof(err));
	if (fd < 0)
		die("images-dir is unsafe: %s", err);
}

/* The partial tree's flock, held (LOCK_EX) from its mkdir until this
 * process ends, whatever ends it: a partial tree whose flock can be taken
 * is the leftover of a process that no longer runs (one killed, or one
 * that crashed), and is removed by the next import or create of its name,
 * or by remove. */
static int partial_lock = -1;

bool remove_stale_partial(const struct melee_config *cfg, const char *name)
{
	char err[MELEE_ERRLEN], partial[PATH_MAX + 16];
	cleanup_fd int fd = -1;

	snprintf(partial, sizeof(partial), "%s/.%s.partial", cfg->images_dir, name);
	fd = open(partial, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return false;
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
		die("%s is the partial tree of an import or create of '%s' that is still "
		    "running; wait for it to end",
		    partial, name);
	if (tree_remove_safely(partial, true, NULL, NULL, err, sizeof(err)) < 0)
		die("cannot clear an old %s: %s", partial, err);
	printf("melee-image: %s: removed %s, left by an import or create that no longer "
	       "runs\n",
	       name, partial);
	return true;
}

void make_partial(const struct melee_config *cfg, const char *name, char *partial, size_t len)
{
	/* Under the lock (released when this returns): no other import of
	 * the name sees the new tree between its mkdir and its flock. */
	cleanup_fd int lock = -1;

	lock = image_lock();
	snprintf(partial, len, "%s/.%s.partial", cfg->images_dir, name);
	remove_stale_partial(cfg, name);
	/* Closed (0700) while it is filled: images-dir is open to all, and a
	 * user must not walk into the world-writable directories of a tree
	 * root has not scanned yet.  open_partial() opens it at the end. */
	if (mkdir(partial, 0700) < 0)
		die_errno("cannot create %s", partial);
	partial_lock = open(partial, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (partial_lock < 0 || flock(partial_lock, LOCK_EX | LOCK_NB) < 0)
		die_errno("cannot lock %s", partial);
}

/* The partial tree of an import that dies on its way (a failed or
 * interrupted pack of --file): removed at exit. */
const char *partial_at_exit;

static void remove_partial_at_exit(void)
{
	char err[MELEE_ERRLEN];

	if (partial_at_exit &&
	    tree_remove_safely(partial_at_exit, true, NULL, NULL, err, sizeof(err)) < 0)
		warn("could not remove the partial tree: %s", err);
}

/* The finished partial tree's root made root's, mode 0755, the moment
 * before it is moved into place or packed (a tarball's or layer's own
 * entry for the root never changes it: make_partial). */
void open_partial(const char *partial)
{
	/* Through the fd make_partial holds (its flock's): no path lookup. */
	if (partial_lock < 0 || fchown(partial_lock, 0, 0) < 0 || fchmod(partial_lock, 0755) < 0)
		fail_partial(partial, "cannot make the new image's root root's, mode 0755");
}

noreturn void fail_partial(const char *partial, const char *why)
{
	char err[MELEE_ERRLEN];

	if (tree_remove_safely(partial, true, NULL, NULL, err, sizeof(err)) < 0)
		warn("could not remove the partial tree: %s", err);
	else
		warn("removed the partial tree %s; nothing was registered", partial);
	die("%s", why);
}

int run_mounts_up(const struct image_opts *o, const char *name)
{
	char self[PATH_MAX], tool[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *argv[6];
	int i = 0, status;
	pid_t pid;

	snprintf(tool, sizeof(tool), "%s", SBINDIR "/melee-mounts");
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(tool, sizeof(tool), "%.*s/melee-mounts", (int)(slash - self),
				 self);
			if (access(tool, X_OK) != 0)
				snprintf(tool, sizeof(tool), "%s", SBINDIR "/melee-mounts");
		}
	}
	argv[i++] = tool;
	argv[i++] = "--config";
	argv[i++] = o->config;
	argv[i++] = "up";
	argv[i++] = name;
	argv[i] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(tool, (char *const *)argv);
		fprintf(stderr, "melee-image: cannot run %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct scan_shown {
	const char *name;
	int n;
};

static void show_finding(const char *path, const char *what, void *data)
{
	struct scan_shown *s = data;
	char shown[200];

	if (s->n++ < SCAN_SHOWN_MAX)
		printf("melee-image: %s: /%s: %s\n", s->name,
		       melee_shown(path, 160, shown, sizeof(shown)), what);
}

/* An image is root-equivalent content: lists what in the tree at imgfd
 * could give root (or a file's owner) more than its files, and refuses
 * it unless --trusted.  Returns only when the image may be registered;
 * a refused or failed scan of our own partial tree removes it. */
void scan_or_refuse(const struct image_opts *o, const char *name, const char *path, int imgfd,
		    const char *partial)
{
	char err[MELEE_ERRLEN], why[MELEE_ERRLEN + 128];
	struct scan_shown s = { .name = name };
	int n = image_scan(imgfd, path, show_finding, &s, err, sizeof(err));

	if (n < 0) {
		snprintf(why, sizeof(why), "cannot check the image: %s", err);
		if (partial)
			fail_partial(partial, why);
		die("%s", why);
	}
	if (n > SCAN_SHOWN_MAX)
		printf("melee-image: %s: ... and %d more\n", name, n - SCAN_SHOWN_MAX);
	if (n == 0)
		return;
	if (o->trusted) {
		printf("melee-image: %s: %d path%s above; imported as --trusted\n", name, n,
		       n == 1 ? "" : "s");
		return;
	}
	snprintf(why, sizeof(why),
		 "%s: refused: the %d path%s listed above make%s this image root-equivalent "
		 "(setuid files run as root on this host); give --trusted if you trust its "
		 "source like the host's /usr",
		 name, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	if (partial)
		fail_partial(partial, why);
	die("%s", why);
}

/* Names, describes and registers a finished tree, then prepares it.  The
 * registration is checked (it must read back) before anything is done.
 * Called with the lock held (image_lock(), its fd `lock`): the name is
 * checked again under it, and it is released before melee-mounts up,
 * which takes it itself. */
int finish(const struct image_opts *o, const struct melee_config *cfg, const char *name,
	   const char *path, bool linux32, bool scan, int lock)
{
	char err[MELEE_ERRLEN], shown[256], final[PATH_MAX];
	cleanup_free char *pretty = NULL, *text = NULL;
	cleanup_fd int fd = -1;
	struct melee_config now;
	const char *desc;
	int bits;

	load(o, &now);
	check_new_name(&now, name, false, final, sizeof(final));
	melee_config_free(&now);
	if (image_registration(name, path, NULL, "-", false, &text, err, sizeof(err)) < 0)
		die_status(2, "%s", err);
	fd = image_open_safely(path, 0, err, sizeof(err));
	if (fd < 0)
		die("%s", err);
	bits = image_shell_bits(fd);
	if (bits == 0)
		die("%s/bin/sh is missing or not an ELF executable: not an image", path);
	linux32 |= bits == 32;
	pretty = image_os_pretty_name(fd);
	desc = o->description ? o->description : pretty ? pretty : name;
	if (scan)
		scan_or_refuse(o, name, path, fd, NULL);
	if (image_register(cfg->conf_dir, name, path, NULL, desc, linux32, err, sizeof(err)) < 0)
		die("%s", err);
	printf("melee-image: %s: registered in %s/images.d/%s.conf (%s%s)\n", name, cfg->conf_dir,
	       name, melee_shown(desc, 200, shown, sizeof(shown)), linux32 ? ", linux32" : "");
	close(lock);
	if (o->no_up)
		return 0;
	return run_mounts_up(o, name) == 0 ? 0 : 1;
}

static int cmd_pack(int argc, char **argv, void *userdata)
{
	const struct image_opts *o = userdata;
	const char *name = argv[0], *file = argv[1];
	struct melee_config cfg;
	struct pack_result res = { 0 };
	char final[PATH_MAX], err[MELEE_ERRLEN], shown[256];
	cleanup_free char *text = NULL;
	const char *reg = o->register_as, *desc;
	cleanup_fd int lock = -1;

	/* For the whole pack and its registration: the tree is read as root,
	 * and the image it names must not be removed meanwhile. */
	lock = image_lock();
	load(o, &cfg);
	/* A name or file that cannot be registered fails before the long pack. */
	if (reg) {
		check_new_name(&cfg, reg, false, final, sizeof(final));
		check_file_image_mountpoint(&cfg, reg);
		if (image_registration(reg, NULL, file, "-", false, &text, err, sizeof(err)) < 0)
			die_status(2, "%s", err);
	}
	image_pack(&cfg, name, file, o->compression, &res);
	if (reg) {
		desc = o->description ? o->description : res.description ? res.description : reg;
		if (image_register(cfg.conf_dir, reg, NULL, file, desc, res.linux32, err,
				   sizeof(err)) < 0)
			die("%s (the file %s was written)", err, file);
		printf("melee-image: %s: registered in %s/images.d/%s.conf (source = %s, %s%s); "
		       "'melee-mounts up %s' mounts it\n",
		       reg, cfg.conf_dir, reg, file, melee_shown(desc, 200, shown, sizeof(shown)),
		       res.linux32 ? ", linux32" : "", reg);
	}
	free(res.description);
	melee_config_free(&cfg);
	return 0;
}

/* A file image whose mounted file is not the one at its source any more
 * (melee_squash_stale, as melee-mounts status and up decide it): users
 * still get the old tree, which an administrator who has just packed a
 * new file would not guess from "ready". */
static const char *list_stale_note(const struct melee_image *im,
				   const struct melee_image_status *st, char *buf, size_t len)
{
	int e = -st->stale_error;

	if (st->stale)
		snprintf(buf, len,
			 "  stale: the file changed since up mounted it; 'melee-mounts up "
			 "--remount %s' mounts the new one",
			 im->name);
	else if (e == EACCES || e == EPERM)
		snprintf(buf, len, "  stale: unknown (only root can read the loop device)");
	else if (e)
		snprintf(buf, len, "  stale: unknown (%s)", strerror(e));
	else
		buf[0] = '\0';
	return buf;
}

static int cmd_list(int argc, char **argv, void *userdata)
{
	const struct image_opts *o = userdata;
	struct melee_config cfg;
	char err[MELEE_ERRLEN], desc[256], path[4096], size[64], stale[200];
	cleanup_mnt_table struct libmnt_table *tb = NULL;

	load(o, &cfg);
	tb = melee_mounttab_read(err, sizeof(err));
	if (!tb)
		die("%s", err);
	printf("%-16s %-8s %-11s %-34s %s\n", "NAME", "STATE", "PERSONALITY", "DESCRIPTION",
	       "PATH");
	for (size_t i = 0; i < cfg.n_images; i++) {
		const struct melee_image *im = &cfg.images[i];
		struct melee_image_status st;

		melee_image_status(im, tb, 0, &st);
		if (st.stale && st.state == MELEE_STATE_READY)
			st.state = MELEE_STATE_STALE;
		printf("%-16s %-8s %-11s %-34s %s%s%s\n", im->name, melee_state_name(st.state),
		       im->personality == MELEE_PERSONALITY_LINUX32 ? "linux32" : "linux",
		       melee_shown(im->description, 200, desc, sizeof(desc)),
		       melee_shown(im->source ? im->source : im->path, 4000, path, sizeof(path)),
		       file_image_size(im, size, sizeof(size)),
		       list_stale_note(im, &st, stale, sizeof(stale)));
	}
	melee_config_free(&cfg);
	return 0;
}

static int cmd_remove(int argc, char **argv, void *userdata)
{
	const struct image_opts *o = userdata;
	const char *name = argv[0];
	struct melee_config cfg;
	cleanup_fd int lock = -1;

	/* For the whole removal, before the registration is read: no up
	 * (auto-up included) binds /home into the tree while it is walked,
	 * and none starts from the registration being withdrawn. */
	lock = image_lock();
	load(o, &cfg);
	if (image_remove_resume(&cfg, name)) {
		melee_config_free(&cfg);
		load(o, &cfg);
	}
	/* A name whose only trace is a partial tree of a crashed import. */
	if (!melee_config_find_image(&cfg, name) && melee_name_valid(name) &&
	    remove_stale_partial(&cfg, name)) {
		melee_config_free(&cfg);
		return 0;
	}
	image_remove(&cfg, name, o->delete_files);
	melee_config_free(&cfg);
	return 0;
}

/* A new verb is one row (tools/shared/verbs.h); its completion is in
 * completion/melee-image. */
static const struct verb verbs[] = {
	{ "create", 1, 1, VERB_NEEDS_ROOT, cmd_create },
	{ "import", 2, 2, VERB_NEEDS_ROOT, cmd_import },
	{ "pack", 2, 2, VERB_NEEDS_ROOT, cmd_pack },
	{ "list", 0, 0, 0, cmd_list },
	{ "remove", 1, 1, VERB_NEEDS_ROOT, cmd_remove },
	{ NULL, 0, 0, 0, NULL },
};

/* The environment the children (tar, debootstrap and the perl it runs,
 * melee-mounts) get as root: a fixed PATH and only the variables below,
 * never the rest of a caller's (su without '-' keeps it).  A deny-list
 * missed PERL5OPT/PERL5LIB (debootstrap runs perl), BASH_FUNC_*, GZIP and
 * whatever a helper reads next; these only choose a language, a terminal
 * or a proxy. */
static bool env_kept(const char *e)
{
	static const char *const keep[] = { "TERM=",	  "LANG=",	 "LANGUAGE=",
					    "LC_",	  "http_proxy=", "https_proxy=",
					    "ftp_proxy=", "no_proxy=",	 NULL };

	for (int i = 0; keep[i]; i++)
		if (strncmp(e, keep[i], strlen(keep[i])) == 0)
			return true;
	return false;
}

static void secure_environment(void)
{
	char **kept = NULL;
	size_t n = 0;

	for (char **e = environ; e && *e; e++)
		if (env_kept(*e) && melee_strv_push(&kept, &n, *e) < 0)
			die("out of memory");
	if (clearenv() != 0 || setenv("PATH", SECURE_PATH, 1) < 0)
		die_errno("cannot reset the environment");
	for (size_t i = 0; i < n; i++)
		if (putenv(kept[i]) != 0)
			die_errno("putenv");
	/* kept[i] now belong to the environment; only the vector goes. */
	free(kept);
}

int main(int argc, char **argv)
{
	enum {
		OPT_NO_UP = 256,
		OPT_DELETE,
		OPT_INCLUDE,
		OPT_TRUSTED,
		OPT_COMPRESSION,
		OPT_REGISTER,
		OPT_FILE
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "suite", required_argument, NULL, 's' },
		{ "arch", required_argument, NULL, 'a' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "variant", required_argument, NULL, 'v' },
		{ "include", required_argument, NULL, OPT_INCLUDE },
		{ "description", required_argument, NULL, 'd' },
		{ "no-up", no_argument, NULL, OPT_NO_UP },
		{ "delete-files", no_argument, NULL, OPT_DELETE },
		{ "trusted", no_argument, NULL, OPT_TRUSTED },
		{ "compression", required_argument, NULL, OPT_COMPRESSION },
		{ "register", required_argument, NULL, OPT_REGISTER },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct image_opts o = { .config = MELEE_DEFAULT_CONFIG };
	const struct verb *v;
	int c, nargs;

	sanitize_std_fds();
	close_stdout_at_exit(1);
	atexit(remove_partial_at_exit);
	secure_environment();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "c:s:a:m:v:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (getuid() == 0)
				o.config = optarg;
			else
				warn("ignoring --config %s: only root may choose the configuration",
				     optarg);
			break;
		case 's': o.suite = optarg; break;
		case 'a': o.arch = optarg; break;
		case 'm': o.mirror = optarg; break;
		case 'v': o.variant = optarg; break;
		case 'd': o.description = optarg; break;
		case OPT_INCLUDE: o.include = optarg; break;
		case OPT_NO_UP: o.no_up = true; break;
		case OPT_DELETE: o.delete_files = true; break;
		case OPT_TRUSTED: o.trusted = true; break;
		case OPT_COMPRESSION: o.compression = optarg; break;
		case OPT_REGISTER: o.register_as = optarg; break;
		case OPT_FILE: o.file = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("melee-image %s\n", MELEE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	v = verb_find(verbs, argv[optind]);
	nargs = argc - optind - 1;
	if (!v || !verb_args_fit(v, nargs)) {
		warn("unknown command or wrong arguments: '%.80s' (see melee-image --help)",
		     argv[optind]);
		return 2;
	}
	if ((v->flags & VERB_NEEDS_ROOT) && geteuid() != 0)
		die_status(2, "%s: must be run as root", v->name);
	return v->run(nargs, argv + optind + 1, &o);
}
