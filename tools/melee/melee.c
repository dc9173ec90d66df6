/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee: runs the caller's shell, a command or a script inside a
 * configured image, with the caller's own privileges: the seeds'
 * imageswitch.  Installed setuid root; root is used for the chroot only
 * and dropped right after it.  See melee(1).
 *
 * Order of work, and why:
 *   1. std fds made sane, every other fd marked close-on-exec;
 *   2. --help/--version before anything privileged;
 *   3. the image name checked (configured names only, never a path);
 *   4. every lookup on the host (passwd, groups, config, cwd, script);
 *   5. the access check, the syslog line; the image root walked and
 *      checked (safety walk, prepared), auto-up when configured and it
 *      is not prepared;
 *   6. melee_enter_image_at() (chroot on that fd, personality);
 *   7. melee_drop_privileges() (proves root cannot come back);
 *   8. environment, working directory, exec. */
#include "melee-access.h"
#include "melee-auto-up.h"
#include "melee-caller.h"
#include "melee-config.h"
#include "melee-cwd.h"
#include "melee-default.h"
#include "melee-enter.h"
#include "melee-gpu-env.h"
#include "melee-log.h"
#include "melee-pw.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Exit statuses of env(1) and chroot(1) (EXIT_MELEE: melee-caller.h). */
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

/* The bound on /proc/self/environ: above what exec can pass. */
#define MELEE_ENVIRON_MAX (8u << 20)

const char *tool_name = "melee";

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f, "Usage: melee IMAGE [COMMAND [ARG...]]\n"
		   "       IMAGE [COMMAND [ARG...]]      (a link named after the image)\n"
		   "       #!/path/to/IMAGE [INTERPRETER] (first line of a script)\n"
		   "       melee --list [--all] | --show-default | --set-default IMAGE|host\n"
		   "Run your shell, a command or a script inside a MELEE image, in the same\n"
		   "directory, with your own privileges.\n"
		   "\n"
		   "  -l, --list      the images you may use, * marks your default image;\n"
		   "                  --all: every image, and who a closed one is open to\n"
		   "  --show-default  the image a login would choose for you now, and why\n"
		   "  --set-default IMAGE  make IMAGE your default (~/.config/melee/image);\n"
		   "                  host: remove it\n"
		   "  -h, --help      show this help\n"
		   "  -V, --version   show the version\n"
		   "\n"
		   "Exit status: the command's; 125 melee's own error, 126 the command cannot\n"
		   "be run, 127 the command is not found in the image.  See melee(1).\n");
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Interpreter use: the kernel runs "#!/path/sl6 [ARG]" scripts as
 * "/path/sl6 [ARG] SCRIPT ARGS...".  True when argv has that shape: the
 * script's first line names argv[0] (and the same ARG). */
static bool script_mode(int argc, char **argv, int *script_idx, char **interp_arg)
{
	for (int idx = 1; idx <= 2 && idx < argc; idx++) {
		char line[512], *p, *interp, *arg;
		ssize_t n;
		int fd = open(argv[idx], O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0)
			continue;
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (n < 2 || line[0] != '#' || line[1] != '!')
			continue;
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		p = line + 2;
		interp = melee_next_token(&p);
		arg = melee_trim(p);
		if (!interp || strcmp(interp, argv[0]) != 0)
			continue;
		if (idx == 1 && *arg == '\0') {
			*script_idx = 1;
			*interp_arg = NULL;
			return true;
		}
		if (idx == 2 && strcmp(arg, argv[1]) == 0) {
			*script_idx = 2;
			*interp_arg = argv[1];
			return true;
		}
	}
	return false;
}

/* The loader of a setuid program drops LD_PRELOAD, LD_LIBRARY_PATH and
 * their kin from the environment so that they never load into it while
 * it is root.  They are the caller's and belong to the command, which
 * runs as the caller: read them back from the untouched original block
 * (while /proc is the host's) and restore them after root is gone. */
static char **saved_loader_vars(void)
{
	cleanup_fd int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	char **saved = NULL;
	size_t n = 0, len = 0;

	/* The kernel gives exec at most 6 MiB of arguments and environment
	 * together (fs/exec.c, bprm_stack_limits), so this cap is never the
	 * reason a variable is lost; it only bounds the read. */
	if (fd < 0 || melee_read_fd_bytes(fd, MELEE_ENVIRON_MAX, &buf, &len) < 0)
		return NULL;
	for (size_t off = 0; off < len;) {
		const char *e = buf + off, *eq;
		size_t elen = strnlen(e, len - off);

		eq = memchr(e, '=', elen);
		if (eq && elen < len - off) {
			char name[256];
			size_t nl = (size_t)(eq - e);

			if (nl > 0 && nl < sizeof(name)) {
				memcpy(name, e, nl);
				name[nl] = '\0';
				if (!getenv(name) && melee_strv_push(&saved, &n, e) < 0)
					die_status(EXIT_MELEE, "out of memory");
			}
		}
		off += elen + 1;
	}
	return saved;
}

static const char *env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

static int env_set(const char *name, const char *value, void *ctx)
{
	(void)ctx;
	return setenv(name, value, 1) < 0 ? -errno : 0;
}

static void set_environment(const struct melee_image *im, char **saved)
{
	char err[MELEE_ERRLEN];

	for (size_t i = 0; saved && saved[i]; i++) {
		char *kept = strdup(saved[i]);

		if (!kept || putenv(kept) != 0)
			die_status(EXIT_MELEE, "out of memory");
	}
	/* Debian's prompt shows debian_chroot; scripts can ask MELEE_IMAGE. */
	if (setenv("MELEE_IMAGE", im->name, 1) < 0 || setenv("debian_chroot", im->name, 1) < 0)
		die_errno("setenv");
	if (melee_gpu_env(im, env_get, env_set, NULL, err, sizeof(err)) < 0)
		die_status(EXIT_MELEE, "%s", err);
}

/* True if `file` exists somewhere the PATH lookup would look. */
static bool found_in_path(const char *file)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;

	if (strchr(file, '/'))
		return access(file, F_OK) == 0;
	for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/%s", *d ? d : ".", file);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

static noreturn void exec_or_die(const char *file, char **argv, const char *imgname)
{
	execvp(file, argv);
	/* execvp reports EACCES when some PATH entry was unreadable even if
	 * the command exists nowhere: that is still "not found". */
	if (errno == ENOENT || (errno == EACCES && !found_in_path(file)))
		die_status(EXIT_NOT_FOUND, "%s: command not found in image %s", file, imgname);
	die_status(EXIT_CANNOT_RUN, "%s: cannot run in image %s: %s", file, imgname,
		   strerror(errno));
}

/* What to run, from the command line (steps 2 and 3). */
struct request {
	const char *image; /* the name asked for: argv[1], or argv[0]'s */
	int first_arg;	   /* argv index of the command, if any */
	bool as_script;	   /* #!/path/IMAGE [INTERP]: run argv[script_idx] */
	int script_idx;
	char *interp_arg;
	struct stat script_st; /* the script as the host sees it */
};

/* What melee learns about its caller on the host, before the chroot
 * (step 4): after it only these copies and ids are used. */
struct caller {
	char user[256], shell[PATH_MAX], home[PATH_MAX];
	struct melee_cwd cwd; /* the working directory, as the host sees it */
	gid_t *groups;
	size_t ngroups;
};

/* Step 1: fds 0-2 exist before we open anything, nothing the caller left
 * open reaches the command, and a lost write to stdout is an error. */
static void sanitize_process(void)
{
	sanitize_std_fds();
	close_stdout_at_exit(EXIT_MELEE);
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int bad_usage(const char *option, const char *expected)
{
	warn("%s %s", option, expected);
	usage(stderr);
	return EXIT_MELEE;
}

/* Step 2, before anything privileged: as melee, the options and the
 * image name in argv[1]; as a link (sl6), the image is argv[0]'s name.
 * Returns -1 to go on, or the exit status of an option that is done. */
static int parse_command_line(int argc, char **argv, struct request *rq)
{
	const char *self = argc > 0 ? base_name(argv[0]) : "melee";

	if (strcmp(self, "melee") != 0) {
		rq->image = self;
		rq->first_arg = 1;
		return -1;
	}
	/* No argument at all: what the caller can do, and how. */
	if (argc < 2) {
		cmd_list(false); /* the images the caller may use */
		fflush(stdout);
		fprintf(stderr, "Usage: melee IMAGE [COMMAND [ARG...]]  (melee --help for more)\n");
		return EXIT_MELEE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("melee %s\n", MELEE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "-l") == 0 || strcmp(argv[1], "--list") == 0) {
		if (argc == 2 || (argc == 3 && strcmp(argv[2], "--all") == 0))
			return cmd_list(argc == 3);
		return bad_usage(argv[1], "takes only --all");
	}
	if (strcmp(argv[1], "--show-default") == 0)
		return argc == 2 ? cmd_show_default() : bad_usage(argv[1], "takes no argument");
	if (strcmp(argv[1], "--set-default") == 0)
		return argc == 3 ? cmd_set_default(argv[2])
				 : bad_usage(argv[1], "takes one IMAGE, or host");
	if (argv[1][0] == '-' && argv[1][1] != '\0') {
		warn("unknown option '%.80s'", argv[1]);
		usage(stderr);
		return EXIT_MELEE;
	}
	rq->image = argv[1];
	rq->first_arg = 2;
	return -1;
}

/* Steps 4 and 5: every lookup on the host, before the chroot, and the
 * access check.  What the caller names (the script, the working
 * directory) is opened with the caller's rights, not root's. */
static void look_up_caller(const struct melee_image *im, int argc, char **argv, struct request *rq,
			   struct caller *c)
{
	cleanup_free struct passwd *pw = NULL;
	char err[MELEE_ERRLEN];
	int r;

	if (melee_act_as_caller(true, err, sizeof(err)) < 0)
		die_status(EXIT_MELEE, "%s", err);
	if (rq->first_arg == 1)
		rq->as_script = script_mode(argc, argv, &rq->script_idx, &rq->interp_arg);
	r = melee_getpwuid(getuid(), &pw, err, sizeof(err));
	if (r == -ENOENT)
		die_status(EXIT_MELEE, "you (uid %u) are not in the password database",
			   (unsigned)getuid());
	if (r < 0)
		die_status(EXIT_MELEE, "%s", err);
	snprintf(c->user, sizeof(c->user), "%s", pw->pw_name);
	snprintf(c->shell, sizeof(c->shell), "%s",
		 pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	snprintf(c->home, sizeof(c->home), "%s", pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
	/* The groups this process holds go with the command; who may use
	 * the image is judged by the host's group database, as the PAM and
	 * NSS modules and the SPANK plugin judge it (melee.conf(5)): a
	 * shell that kept a group since taken away gets no image by it,
	 * and one started without the user's groups loses none. */
	c->groups = caller_groups(&c->ngroups);
	r = melee_user_may_use(im, pw, err, sizeof(err));
	if (r < 0) {
		melee_log(LOG_NOTICE, "user=%s image=%s refused: %s", c->user, im->name, err);
		die_status(EXIT_MELEE, "%s", err);
	}
	melee_cwd_remember(&c->cwd);
	if (rq->as_script && stat(argv[rq->script_idx], &rq->script_st) < 0)
		die_status(EXIT_MELEE, "%s: %s", argv[rq->script_idx], strerror(errno));
	if (melee_act_as_caller(false, err, sizeof(err)) < 0)
		die_status(EXIT_MELEE, "%s", err);
}

/* Step 5's syslog line.  The command name is the caller's choice:
 * melee_shown() keeps a newline or escape in it from forging or
 * garbling log lines. */
static void log_use(const struct melee_image *im, int argc, char **argv, const struct request *rq,
		    const struct caller *c)
{
	char logged[96];

	/* Here on the host: there is no logging after the chroot. */
	melee_log(LOG_INFO, "user=%s image=%s command=%s", c->user, im->name,
		  melee_shown(rq->as_script	     ? base_name(argv[rq->script_idx])
			      : argc > rq->first_arg ? base_name(argv[rq->first_arg])
						     : base_name(c->shell),
			      80, logged, sizeof(logged)));
}

/* Steps 5b and 6a, still root: the image root walked and checked
 * (melee_image_open) into the fd that step 6 enters; only when that walk
 * finds it not prepared (missing, or its mounts not made) does auto-up =
 * yes run melee-mounts up, then walk again, so an image that is up is
 * walked once, as pam_melee does.  The child is made root in full (real
 * uid 0 too: melee-mounts refuses --config and up otherwise) and gets
 * nothing of the caller (melee-auto-up.h); the name is a configured
 * image's. */
static int open_prepared(const struct melee_config *cfg, const struct melee_image *im)
{
	char err[MELEE_ERRLEN], uperr[MELEE_ERRLEN], ran[MELEE_ERRLEN];
	int fd = melee_image_open(im, err, sizeof(err)), r;

	if (fd == -ENOENT || fd == -ENXIO) {
		r = melee_auto_up(cfg, MELEE_DEFAULT_CONFIG, im, ran, sizeof(ran), uperr,
				  sizeof(uperr));
		if (r < 0) {
			melee_log(LOG_NOTICE, "image=%s refused: %s", im->name, uperr);
			die_status(EXIT_MELEE, "%s", uperr);
		}
		if (r > 0) {
			melee_log(LOG_NOTICE, "%s", ran);
			fd = melee_image_open(im, err, sizeof(err));
		}
	}
	if (fd < 0)
		die_status(EXIT_MELEE, "%s", err);
	return fd;
}

/* Steps 6 and 7: into the image whose root open_prepared() checked,
 * root dropped for good, then the caller's environment back. */
static void enter_as_caller(int imgfd, const struct melee_image *im, struct caller *c, char **saved)
{
	char err[MELEE_ERRLEN];

	if (melee_enter_image_at(imgfd, im, err, sizeof(err)) < 0)
		die_status(EXIT_MELEE, "%s", err);
	if (melee_drop_privileges(getuid(), getgid(), c->groups, c->ngroups, err, sizeof(err)) < 0)
		die_status(EXIT_MELEE, "%s", err);
	free(c->groups);
	c->groups = NULL;
	set_environment(im, saved);
}

/* Step 8: the caller's directory inside the image.  A command is never
 * run elsewhere, nor in a directory of the same name that someone else
 * made there (melee_cwd_check: the image's /var/tmp is its own, writable
 * by all, and another user could have made the path first with a
 * Makefile of theirs); the shell falls back to home, then /. */
static void change_directory(const struct melee_image *im, bool has_command, const struct caller *c)
{
	char why[PATH_MAX + 64], shown[96];

	if (c->cwd.known && chdir(c->cwd.path) == 0) {
		if (melee_cwd_check(&c->cwd, getuid(), why, sizeof(why)) == 0)
			return;
		melee_shown(why, 80, shown, sizeof(shown));
		if (has_command)
			die_status(EXIT_MELEE,
				   "directory %s in image %s is not the one you called from, and "
				   "someone else could have made it there (%s); not running the "
				   "command there",
				   c->cwd.path, im->name, shown);
		warn("warning: %s in image %s is not the one you called from, and someone else "
		     "could have made it there (%s); starting in %s",
		     c->cwd.path, im->name, shown, c->home);
	} else if (c->cwd.known && errno != ENOENT && errno != ENOTDIR) {
		/* There, but not for this caller (EACCES): not "missing". */
		snprintf(why, sizeof(why), "%s", strerror(errno));
		if (has_command)
			die_status(EXIT_MELEE,
				   "directory %s in image %s cannot be entered (%s); not running "
				   "the command elsewhere",
				   c->cwd.path, im->name, why);
		warn("warning: %s in image %s cannot be entered (%s); starting in %s", c->cwd.path,
		     im->name, why, c->home);
	} else if (!c->cwd.known && has_command) {
		/* Removed on the host (or outside this process's root): not
		 * the image's doing. */
		die_status(EXIT_MELEE,
			   "your working directory no longer exists on the host (removed, or "
			   "outside your root); not running the command elsewhere");
	} else if (!c->cwd.known) {
		warn("warning: your working directory no longer exists on the host; starting in "
		     "%s",
		     c->home);
	} else if (has_command) {
		die_status(EXIT_MELEE,
			   "directory %s does not exist in image %s; not running "
			   "the command elsewhere",
			   c->cwd.path, im->name);
	} else {
		warn("warning: %s does not exist in image %s; starting in %s", c->cwd.path,
		     im->name, c->home);
	}
	if (chdir(c->home) < 0 && chdir("/") < 0)
		die_errno("chdir");
}

/* Step 8: the script through its interpreter. */
static noreturn void run_script(const struct melee_image *im, int argc, char **argv,
				const struct request *rq)
{
	struct stat inside;
	char **cmd = NULL;
	size_t n = 0;

	/* The script must be the same file inside the image, or we would
	 * run something else than what was asked. */
	if (stat(argv[rq->script_idx], &inside) < 0 || inside.st_dev != rq->script_st.st_dev ||
	    inside.st_ino != rq->script_st.st_ino)
		die_status(EXIT_MELEE,
			   "script %s is not the same file inside image %s (keep "
			   "scripts under a shared directory such as /home)",
			   argv[rq->script_idx], im->name);
	if (melee_strv_push(&cmd, &n, rq->interp_arg ? rq->interp_arg : "/bin/sh") < 0)
		die_status(EXIT_MELEE, "out of memory");
	for (int i = rq->script_idx; i < argc; i++)
		if (melee_strv_push(&cmd, &n, argv[i]) < 0)
			die_status(EXIT_MELEE, "out of memory");
	exec_or_die(cmd[0], cmd, im->name);
}

/* Step 8: the caller's shell, or /bin/sh when the image lacks it. */
static noreturn void run_shell(const struct melee_image *im, struct caller *c)
{
	char *sh_argv[2] = { NULL, NULL };

	if (access(c->shell, X_OK) < 0) {
		warn("warning: your shell %s does not exist in image %s; using /bin/sh", c->shell,
		     im->name);
		snprintf(c->shell, sizeof(c->shell), "/bin/sh");
	}
	sh_argv[0] = (char *)base_name(c->shell);
	execv(c->shell, sh_argv);
	die_status(EXIT_CANNOT_RUN, "%s: cannot run in image %s: %s", c->shell, im->name,
		   strerror(errno));
}

int main(int argc, char **argv)
{
	struct request rq = { 0 };
	struct caller c = { 0 };
	const struct melee_image *im;
	struct melee_config cfg;
	char **saved;
	int r, imgfd;

	sanitize_process();
	r = parse_command_line(argc, argv, &rq);
	if (r >= 0)
		return r;
	/* Step 3: configured names only, never a path. */
	load_config(&cfg, rq.image);
	im = find_image(&cfg, rq.image);
	/* Read while we are root: the kernel hides a setuid process's
	 * environ from its own caller's uid. */
	saved = saved_loader_vars();
	look_up_caller(im, argc, argv, &rq, &c);
	log_use(im, argc, argv, &rq, &c);
	imgfd = open_prepared(&cfg, im);
	enter_as_caller(imgfd, im, &c, saved);
	close(imgfd);
	melee_strv_free(saved);
	change_directory(im, rq.as_script || argc > rq.first_arg, &c);
	if (rq.as_script)
		run_script(im, argc, argv, &rq);
	if (argc > rq.first_arg)
		exec_or_die(argv[rq.first_arg], argv + rq.first_arg, im->name);
	run_shell(im, &c);
}
