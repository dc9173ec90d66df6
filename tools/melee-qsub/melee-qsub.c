/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-qsub: the seeds' qsub5/qsub6 for Torque sites.  Called as
 * qsub<IMAGE> (a link that `melee-mounts links` creates for every image
 * name and alias) it runs
 *     qsub -D <path of IMAGE> <the caller's arguments, unchanged>
 * so that pbs_mom chroots the job into the image.  `melee-qsub IMAGE ARGS`
 * does the same without a link.
 *
 * Not setuid, and needs nothing privileged: it only reads melee.conf (the
 * root-owned, world-readable one) to turn an image name or alias into its
 * path.  Only configured names are accepted, never a path. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "melee-access.h"
#include "melee-config.h"
#include "melee-pw.h"
#include "melee-util.h"
#include "tool-util.h"

const char *tool_name = "melee-qsub";

#define LINK_PREFIX "qsub"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: melee-qsub IMAGE [QSUB-ARGUMENTS...]\n"
		"       qsubIMAGE [QSUB-ARGUMENTS...]   (a link to melee-qsub)\n"
		"\n"
		"Submits a Torque job that runs inside the MELEE image IMAGE (a name or\n"
		"an alias from melee.conf): runs `qsub -D <image path> ARGUMENTS...`\n"
		"with the arguments unchanged.  qsub is looked up in PATH.\n"
		"\n"
		"  -h, --help     show this help (only as melee-qsub)\n"
		"  -V, --version  show the version (only as melee-qsub)\n"
		"\n"
		"Environment: MELEE_CONFIG, another melee.conf than %s.\n"
		"Exit status: qsub's; 2 unknown image or usage; 1 image not allowed;\n"
		"127 qsub not found.  See melee-qsub(1).\n",
		MELEE_DEFAULT_CONFIG);
}

/* The same refusal as melee and pam_melee give.  Advisory here (a user can
 * call qsub -D directly; Torque's own ACLs decide), but it saves a job
 * that would only fail later on the node. */
static void check_access(const struct melee_image *im)
{
	cleanup_free struct passwd *pw = NULL;
	char err[MELEE_ERRLEN];

	if (melee_getpwuid(getuid(), &pw, err, sizeof(err)) < 0)
		die("%s", err);
	if (melee_user_may_use(im, pw, err, sizeof(err)) < 0)
		die("%s", err);
}

static void list_images(const struct melee_config *cfg, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_images; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 cfg->images[i].name);
	if (!buf[0])
		snprintf(buf, len, "none");
}

int main(int argc, char **argv)
{
	const char *base, *name, *conf;
	struct melee_config cfg;
	const struct melee_image *im;
	char err[MELEE_ERRLEN], names[512];
	char **qargv;
	int first; /* argv index of the first argument for qsub */

	sanitize_std_fds();
	close_stdout_at_exit(1);
	base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "melee-qsub");

	if (strncmp(base, LINK_PREFIX, strlen(LINK_PREFIX)) == 0 &&
	    base[strlen(LINK_PREFIX)] != '\0') {
		/* qsubNAME: every argument belongs to qsub, options included. */
		tool_name = base;
		name = base + strlen(LINK_PREFIX);
		first = 1;
	} else {
		if (argc < 2) {
			usage(stderr);
			return 2;
		}
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
			printf("melee-qsub %s\n", MELEE_VERSION);
			return 0;
		}
		name = argv[1];
		first = 2;
	}
	if (!melee_name_valid(name))
		die_status(2, "'%.80s' is not an image name", name);

	/* secure_getenv: ignored should this ever run setuid by mistake. */
	conf = secure_getenv("MELEE_CONFIG");
	if (!conf || !*conf)
		conf = MELEE_DEFAULT_CONFIG;
	if (melee_config_load(conf, 0, &cfg, err, sizeof(err)) < 0)
		die("%s", err);
	im = melee_config_find_image(&cfg, name);
	if (!im) {
		list_images(&cfg, names, sizeof(names));
		die_status(2, "unknown image '%.80s' (configured: %s)", name, names);
	}
	check_access(im);

	qargv = calloc((size_t)(argc - first) + 4, sizeof(*qargv));
	if (!qargv)
		die("out of memory");
	qargv[0] = "qsub";
	qargv[1] = "-D";
	qargv[2] = im->path;
	for (int i = first; i < argc; i++)
		qargv[3 + i - first] = argv[i];
	execvp("qsub", qargv);
	die_status(errno == ENOENT ? 127 : 126, "cannot run qsub: %s", strerror(errno));
}
