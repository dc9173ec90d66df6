/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-mounts: prepares images (up), releases them (down), reports their
 * state (status) and validates the configuration (check).  The seeds'
 * imagemounts.  See melee-mounts(8). */
#include "melee-config.h"
#include "melee-gpu-env.h"
#include "melee-lock.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "links-apps.h"
#include "mounts-links.h"
#include "mounts-namerules.h"
#include "mounts-ops.h"
#include "mounts-gpu.h"
#include "mounts-stale.h"
#include "mounts-watch.h"
#include "tool-util.h"
#include "verbs.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

const char *tool_name = "melee-mounts";

static void usage(FILE *f)
{
	/* One screen (24 lines of 80 columns): the rest is in the man page. */
	fprintf(f,
		"Usage: melee-mounts [OPTIONS] COMMAND [IMAGE...]\n"
		"Prepare MELEE images: bind-mount what each image shares with the host.\n"
		"\n"
		"Commands (all configured images when none is named):\n"
		"  up [IMAGE...]       mount each image's fstab entries and accounts\n"
		"  down [IMAGE...]     unmount what 'up' mounted, deepest first\n"
		"  status [IMAGE...]   show each image's state; exit 0 only if all ready\n"
		"  check [IMAGE...]    validate the configuration and every image\n"
		"  links               IMAGE -> melee links and launchers of every image\n"
		"  links --apps IMAGE [--remove]  menu launchers of the image's apps\n"
		"  watch [IMAGE...]    foreground: keep up images following the host's files\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE   another configuration (root only); default:\n"
		"                      %s\n"
		"  -n, --dry-run       up/down: only print the mount operations\n"
		"  -l, --lazy, -f, --force  down: detach busy mounts, processes inside or not\n"
		"      --remount       up: remount a stale file image (nobody inside)\n"
		"  -j, --json          status: print JSON; -q, --quiet: only problems\n"
		"  links: --bindir, --desktop-dir, --applications-dir DIR: where they go;\n"
		"         --xsessions-dir DIR: also a session entry melee-IMAGE per image\n"
		"  -h, --help          show this help; -V, --version: the version\n"
		"Exit status: 0 success, 1 an image failed or is not ready, 2 usage or\n"
		"configuration error.  See melee-mounts(8).\n",
		MELEE_DEFAULT_CONFIG);
}

static noreturn void die_unknown_image(const struct melee_config *cfg, const char *name)
{
	char list[2048] = "";

	for (size_t j = 0; j < cfg->n_images; j++) {
		if (strlen(list) + strlen(cfg->images[j].name) + 3 >= sizeof(list))
			break;
		strcat(list, j ? ", " : "");
		strcat(list, cfg->images[j].name);
	}
	die_status(2, "unknown image '%.80s'%s (configured: %s)", name,
		   melee_name_valid(name) ? "" : ": not a valid image name",
		   cfg->n_images ? list : "none");
}

static void select_images(const struct melee_config *cfg, char **names, int n,
			  const struct melee_image ***out, size_t *nout)
{
	const struct melee_image **sel;
	size_t k = 0;

	if (n == 0) {
		sel = calloc(cfg->n_images + 1, sizeof(*sel));
		if (!sel)
			die("out of memory");
		for (size_t i = 0; i < cfg->n_images; i++)
			sel[k++] = &cfg->images[i];
		*out = sel;
		*nout = k;
		return;
	}
	sel = calloc((size_t)n + 1, sizeof(*sel));
	if (!sel)
		die("out of memory");
	for (int i = 0; i < n; i++) {
		const struct melee_image *im = melee_config_find_image(cfg, names[i]);
		bool dup = false;

		if (!im)
			die_unknown_image(cfg, names[i]);
		for (size_t j = 0; j < k; j++)
			dup |= sel[j] == im;
		if (!dup)
			sel[k++] = im;
	}
	*out = sel;
	*nout = k;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Why a file image's staleness is unknown (melee_squash_stale failed):
 * a user who is not root cannot open the loop device. */
static const char *stale_unknown_why(const struct melee_image_status *st)
{
	int e = -st->stale_error;

	return e == EACCES || e == EPERM ? "only root can read the loop device" : strerror(e);
}

/* File images name their file, and say when it is no longer the one
 * mounted, or that this caller cannot tell (not "ready" and silent). */
static void source_note(const struct melee_image *im, const struct melee_image_status *st)
{
	if (!im->source)
		return;
	printf("  source %s", im->source);
	if (st->stale)
		printf("  stale");
	else if (st->stale_error)
		printf("  stale unknown (%s)", stale_unknown_why(st));
}

/* nosuid = yes images say whether their nosuid bind is in place. */
static const char *nosuid_note(const struct melee_image *im, const struct melee_image_status *st)
{
	if (!im->nosuid || st->state == MELEE_STATE_UNSAFE || st->state == MELEE_STATE_BROKEN)
		return "";
	return st->nosuid ? "  nosuid" : "  nosuid bind missing";
}

/* Binds that show an old file: "  stale /image/sl6/etc/resolv.conf". */
static void stale_note(const struct melee_image *im, char **stale, size_t n)
{
	for (size_t k = 0; k < n; k++)
		printf("  stale %s%s", im->path, stale[k]);
}

/* The host's driver now when the bound one is stale ("" if it is not,
 * "none" when the host has none, MELEE_GPU_REFUSED when up refuses it):
 * mounts_gpu_stale. */
static void gpu_host_now(const struct melee_image *im, char **stale, char *now, size_t len)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int imgfd = -1;

	now[0] = '\0';
	if (im->gpu != MELEE_GPU_NVIDIA || !melee_strv_contains(stale, MELEE_GPU_DIR))
		return;
	imgfd = image_open_safely(im->path, 0, err, sizeof(err));
	if (imgfd < 0 || mounts_gpu_stale(im, imgfd, now, len) != 1)
		snprintf(now, len, "?");
	else if (!now[0])
		snprintf(now, len, "none");
}

/* gpu = nvidia: how many of the driver's files are bound, which driver,
 * and the host's now when that is another (up replaces it). */
static void gpu_note(const struct melee_image *im, struct libmnt_table *tb, const char *now)
{
	char ver[64];
	size_t n;

	if (im->gpu != MELEE_GPU_NVIDIA)
		return;
	n = mounts_gpu_bound(im, tb, ver, sizeof(ver));
	printf("  gpu: %zu file%s bound, driver %s", n, n == 1 ? "" : "s", ver[0] ? ver : "none");
	if (strcmp(now, MELEE_GPU_REFUSED) == 0)
		printf(" (stale: up refuses the driver now; melee-mounts up %s says why)",
		       im->name);
	else if (now[0])
		printf(" (stale: the host's driver is %s now; up replaces it)", now);
}

/* One image's object of status --json. */
static void status_json(size_t i, const struct melee_image *im, struct libmnt_table *tb,
			const struct melee_image_status *st, char **stale, size_t n_stale,
			const char *now)
{
	char ver[64];

	printf("%s{\"image\":", i ? "," : "");
	json_string(im->name);
	printf(",\"path\":");
	json_string(im->path);
	printf(",\"state\":\"%s\",\"present\":%zu,\"expected\":%zu", melee_state_name(st->state),
	       st->present, st->expected);
	if (im->nosuid)
		printf(",\"nosuid\":%s", st->nosuid ? "true" : "false");
	if (im->source) {
		printf(",\"source\":");
		json_string(im->source);
		if (st->stale_error) {
			printf(",\"stale\":null,\"stale_unknown\":");
			json_string(stale_unknown_why(st));
		} else {
			printf(",\"stale\":%s", st->stale ? "true" : "false");
		}
	}
	if (st->detail[0]) {
		printf(",\"detail\":");
		json_string(st->detail);
	}
	if (im->gpu == MELEE_GPU_NVIDIA) {
		size_t nb = mounts_gpu_bound(im, tb, ver, sizeof(ver));

		printf(",\"gpu\":{\"files\":%zu,\"driver\":", nb);
		json_string(ver);
		if (now[0]) {
			printf(",\"stale\":true,\"host_driver\":");
			json_string(now);
		}
		printf("}");
	}
	if (n_stale) {
		printf(",\"stale_binds\":[");
		for (size_t k = 0; k < n_stale; k++) {
			printf("%s", k ? "," : "");
			json_string(stale[k]);
		}
		printf("]");
	}
	printf("}");
}

static int cmd_status(const struct melee_image **sel, size_t n, bool json)
{
	char err[MELEE_ERRLEN];
	cleanup_mnt_table struct libmnt_table *tb = melee_mounttab_read(err, sizeof(err));
	size_t wname = 5, wpath = 4;
	int rc = 0;

	if (!tb)
		die("%s", err);
	for (size_t i = 0; i < n; i++) {
		if (strlen(sel[i]->name) > wname)
			wname = strlen(sel[i]->name);
		if (strlen(sel[i]->path) > wpath)
			wpath = strlen(sel[i]->path);
	}
	if (json)
		printf("[");
	else
		printf("%-*s  %-*s  %-7s  %s\n", (int)wname, "IMAGE", (int)wpath, "PATH", "STATE",
		       "MOUNTS");
	for (size_t i = 0; i < n; i++) {
		struct melee_image_status st;
		char **stale = NULL, now[64];
		size_t n_stale = 0;

		melee_image_status(sel[i], tb, 0, &st);
		stale = st.state == MELEE_STATE_DOWN ? NULL : mounts_stale_find(sel[i], &n_stale);
		gpu_host_now(sel[i], stale, now, sizeof(now));
		if (n_stale && st.state == MELEE_STATE_READY)
			st.state = MELEE_STATE_STALE;
		if (st.state != MELEE_STATE_READY)
			rc = 1;
		if (json) {
			status_json(i, sel[i], tb, &st, stale, n_stale, now);
		} else {
			printf("%-*s  %-*s  %-7s  %zu/%zu%s", (int)wname, sel[i]->name, (int)wpath,
			       sel[i]->path, melee_state_name(st.state), st.present, st.expected,
			       nosuid_note(sel[i], &st));
			source_note(sel[i], &st);
			stale_note(sel[i], stale, n_stale);
			gpu_note(sel[i], tb, now);
			printf("%s%s\n", st.detail[0] ? "  " : "", st.detail);
		}
		melee_strv_free(stale);
	}
	if (json)
		printf("]\n");
	return rc;
}

/* links --apps IMAGE: a configured image, or for --remove any valid
 * name (the image may have left the configuration already). */
static int cmd_links_apps(const struct melee_config *cfg, const char *name, const char *bindir,
			  const char *appdir, bool remove, bool quiet)
{
	const struct melee_image *im = melee_config_find_image(cfg, name);
	struct melee_image gone = { 0 };
	char melee_path[PATH_MAX] = "";

	if (!im && remove && melee_name_valid(name)) {
		gone.name = (char *)name;
		im = &gone;
	}
	if (!im)
		die_unknown_image(cfg, name);
	if (!remove)
		links_melee_path(bindir, melee_path, sizeof(melee_path));
	return links_apps(im, appdir ? appdir : LINKS_APPS_DEFAULT_DIR, melee_path,
			  cfg->export_mime_types, remove, quiet);
}

/* "FILE:LINE:" at the start of a message: a colon, digits, a colon,
 * before the first blank. */
static bool has_file_line(const char *msg)
{
	for (const char *p = msg; *p && *p != ' '; p++) {
		const char *q = p + 1;

		if (*p != ':' || !isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q == ':')
			return true;
	}
	return false;
}

/* check's line for a configuration that cannot be loaded.  A mistake
 * on a line keeps "FILE:LINE: message", the form editors jump to and up
 * prints (tests/integration/mounts-check-file-line.sh); one without a
 * line is "FILE: FAIL: why", the file named once
 * (tests/integration/mounts-check-stderr.sh). */
static noreturn void check_config_failed(const char *config, const char *err)
{
	size_t n = strlen(config);
	const char *why = err;

	if (has_file_line(err)) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	if (strncmp(err, config, n) == 0 && err[n] == ':')
		why += n + 1 + strspn(err + n + 1, " ");
	fprintf(stderr, "%s: FAIL: %s\n", config, why);
	exit(2);
}

/* What every verb gets: the options, the configuration as read, the
 * images named on the command line (all of them when none is). */
struct mounts_run {
	struct mounts_opts o;
	const char *config, *bindir, *desktop_dir, *xsessions_dir;
	const char *apps, *apps_dir;
	bool apps_remove;
	struct melee_config cfg;
	const struct melee_image **sel;
	size_t nsel;
};

static int verb_up(int argc, char **argv, void *userdata)
{
	struct mounts_run *r = userdata;

	(void)argc, (void)argv;
	return mounts_up(r->sel, r->nsel, &r->o);
}

static int verb_down(int argc, char **argv, void *userdata)
{
	struct mounts_run *r = userdata;

	(void)argc, (void)argv;
	return mounts_down(r->sel, r->nsel, &r->o);
}

static int verb_status(int argc, char **argv, void *userdata)
{
	struct mounts_run *r = userdata;

	(void)argc, (void)argv;
	return cmd_status(r->sel, r->nsel, r->o.json);
}

static int verb_check(int argc, char **argv, void *userdata)
{
	struct mounts_run *r = userdata;
	int rc;

	(void)argc, (void)argv;
	rc = mounts_check(&r->cfg, r->sel, r->nsel, &r->o);
	mounts_namerules_warn(&r->cfg); /* warnings: rc unchanged */
	return rc;
}

static int verb_links(int argc, char **argv, void *userdata)
{
	struct mounts_run *r = userdata;

	(void)argc, (void)argv;
	if (r->apps)
		return cmd_links_apps(&r->cfg, r->apps, r->bindir, r->apps_dir, r->apps_remove,
				      r->o.quiet);
	return mounts_links(&r->cfg, r->bindir, r->desktop_dir, r->xsessions_dir, r->o.quiet);
}

static int verb_watch(int argc, char **argv, void *userdata)
{
	struct mounts_run *r = userdata;

	if (r->o.dry_run)
		die_status(2, "--dry-run does not go with watch");
	/* The names are checked now; the configuration is read again at
	 * every change. */
	free(r->sel);
	r->sel = NULL;
	melee_config_free(&r->cfg);
	melee_config_init(&r->cfg);
	return mounts_watch(r->config, argv, argc, r->o.quiet);
}

/* A new verb is one row (tools/shared/verbs.h); its options are checked
 * in check_option_verbs, its completion in completion/melee-mounts. */
static const struct verb verbs[] = {
	{ "up", 0, VERB_ANY, VERB_NEEDS_ROOT | VERB_TAKES_LOCK, verb_up },
	{ "down", 0, VERB_ANY, VERB_NEEDS_ROOT | VERB_TAKES_LOCK, verb_down },
	{ "status", 0, VERB_ANY, 0, verb_status },
	{ "check", 0, VERB_ANY, 0, verb_check },
	{ "links", 0, 0, 0, verb_links },
	{ "watch", 0, VERB_ANY, VERB_NEEDS_ROOT, verb_watch },
	{ NULL, 0, 0, 0, NULL },
};

/* True: go on with the verb; false: exit with *status (--help,
 * --version, a bad option). */
static bool parse_options(int argc, char **argv, struct mounts_run *r, int *status)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "lazy", no_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "bindir", required_argument, NULL, 'B' },
		{ "desktop-dir", required_argument, NULL, 'D' },
		{ "xsessions-dir", required_argument, NULL, 'X' },
		{ "remount", no_argument, NULL, 'M' },
		{ "apps", required_argument, NULL, 'A' },
		{ "applications-dir", required_argument, NULL, 'P' },
		{ "remove", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:nlfjqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			/* Only root may point the tool at another configuration. */
			if (getuid() == 0)
				r->config = optarg;
			else
				warn("ignoring --config %s: only root may choose the "
				     "configuration",
				     optarg);
			break;
		case 'n': r->o.dry_run = true; break;
		case 'l': r->o.lazy = true; break;
		case 'f': r->o.force = true; break;
		case 'j': r->o.json = true; break;
		case 'q': r->o.quiet = true; break;
		case 'B': r->bindir = optarg; break;
		case 'D': r->desktop_dir = optarg; break;
		case 'X': r->xsessions_dir = optarg; break;
		case 'M': r->o.remount = true; break;
		case 'A': r->apps = optarg; break;
		case 'P': r->apps_dir = optarg; break;
		case 'R': r->apps_remove = true; break;
		case 'h':
			usage(stdout);
			*status = 0;
			return false;
		case 'V':
			printf("melee-mounts %s\n", MELEE_VERSION);
			*status = 0;
			return false;
		default:
			usage(stderr);
			*status = 2;
			return false;
		}
	}
	return true;
}

/* Options that go with one verb only, before anything is read. */
static void check_option_verbs(const char *cmd, const struct mounts_run *r)
{
	if (r->o.remount && strcmp(cmd, "up") != 0)
		die_status(2, "--remount goes with up only");
	if (r->o.force && strcmp(cmd, "down") != 0)
		die_status(2, "--force goes with down only");
}

static void load_configuration(const char *cmd, struct mounts_run *r)
{
	char err[MELEE_ERRLEN];

	if (melee_config_load(r->config, 0, &r->cfg, err, sizeof(err)) < 0) {
		/* Lookups read every drop-in again for lines about their
		 * image (melee-config-checked.c). */
		if (geteuid() == 0)
			melee_config_forget_checked(MELEE_CHECKED_DIR, 0);
		/* check's own format for it, on stderr like every failure. */
		if (strcmp(cmd, "check") == 0)
			check_config_failed(r->config, err);
		die_status(2, "%s", err);
	}
	/* Read whole and accepted: lookups may skip the other drop-ins
	 * until one is added, removed or renamed.  Only an optimisation,
	 * so a failure to record says nothing. */
	if (geteuid() == 0)
		(void)melee_config_note_checked(&r->cfg, MELEE_CHECKED_DIR, 0, err, sizeof(err));
}

/* Usage errors found once the configuration is read: --apps and its
 * options, the verb's number of image names. */
static void check_arguments(const struct verb *v, int nargs, const struct mounts_run *r)
{
	if ((r->apps_dir || r->apps_remove) && !r->apps)
		die_status(2, "--applications-dir and --remove go with links --apps IMAGE");
	if (r->apps && strcmp(v->name, "links") != 0)
		die_status(2, "--apps goes with the links command");
	/* links --apps IMAGE names its image with the option. */
	if (!r->apps && !verb_args_fit(v, nargs))
		die_status(2, "%s takes no image names: it covers every image", v->name);
}

/* up keeps an fd for each mount it made until the run succeeded, to
 * take exactly those back if it fails (mounts-made.c), and a site may
 * bind hundreds into one image: the soft limit of open files (1024 for a
 * systemd service, pid 1's for auto-up) is raised to the hard one, as
 * systemd asks of a program that needs more (mounts-many-binds).  No fd
 * is ever passed to select(); melee-mounts runs no other program. */
static void raise_open_files(void)
{
	struct rlimit l;

	if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
		l.rlim_cur = l.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &l);
	}
}

int main(int argc, char **argv)
{
	struct mounts_run r = {
		.config = MELEE_DEFAULT_CONFIG,
		.bindir = BINDIR,
		.desktop_dir = DATADIR "/applications",
	};
	const struct verb *v;
	char err[MELEE_ERRLEN], names[128];
	cleanup_fd int lock = -1;
	int rc, nargs;

	sanitize_std_fds();
	close_stdout_at_exit(1);
	raise_open_files();
	if (!parse_options(argc, argv, &r, &rc))
		return rc;
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	v = verb_find(verbs, argv[optind]);
	check_option_verbs(argv[optind], &r);
	if (!v) {
		verb_names(verbs, names, sizeof(names));
		warn("unknown command '%.80s' (expected %s)", argv[optind], names);
		return 2;
	}
	optind++;
	nargs = argc - optind;
	/* Before reading any configuration: up and down change the mount
	 * table, which only root may do. */
	if ((v->flags & VERB_NEEDS_ROOT) && geteuid() != 0 && !r.o.dry_run)
		die_status(2, "%s: must be run as root", v->name);
	/* The lock before the configuration: a remove that holds it may be
	 * unregistering an image, and an up that read the registration
	 * before would bind /home into a tree that is being deleted. */
	if ((v->flags & VERB_TAKES_LOCK) && !r.o.dry_run &&
	    (lock = melee_lock_take(true, err, sizeof(err))) < 0)
		die("%s", err);
	load_configuration(v->name, &r);
	check_arguments(v, nargs, &r);
	/* links covers every image (links --apps names its own). */
	if (strcmp(v->name, "links") != 0)
		select_images(&r.cfg, argv + optind, nargs, &r.sel, &r.nsel);
	rc = v->run(nargs, argv + optind, &r);
	free(r.sel);
	melee_config_free(&r.cfg);
	return rc;
}
