/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee.so, the Slurm SPANK plugin: `srun/sbatch/salloc --melee-image=NAME`
 * runs every task of the job inside that image on every node.
 *
 * Where each step happens, and why there (spank.h has the call order):
 *   slurm_spank_init            every context: parse the plugstack arguments,
 *                               register --melee-image.
 *   slurm_spank_init_post_opt   slurmstepd, still root, before any task is
 *                               forked: load melee.conf, find the image,
 *                               look the user and groups up on the host and
 *                               check allow-users/allow-groups.  All NSS use
 *                               happens here, never after a chroot.  With
 *                               auto-up = yes, melee-mounts up for an image
 *                               that is not prepared on this node.
 *   ..._task_init_privileged    each forked task, root: remember the job's
 *                               cwd as the host sees it (slurmstepd chdir'd
 *                               there before the fork; its path and
 *                               identity, no fd), then melee_enter_image()
 *                               (safety walk, prepared check, fchdir+chroot,
 *                               personality).  slurmstepd then drops
 *                               privileges and chdirs to the job's cwd by
 *                               its path, which therefore resolves inside
 *                               the image (or to /tmp if it is missing).
 *   slurm_spank_task_init       each task, as the user, after its stdio is
 *                               the job's: melee_cwd_check() (the very
 *                               directory of the host, or one nobody but
 *                               root or the user made there).  A task whose
 *                               image could not be entered or whose
 *                               directory is refused prints the reason to
 *                               the job's stderr, tells slurmstepd through
 *                               the refusal pipe, and exits here, before
 *                               exec.
 *   slurm_spank_task_exit       slurmstepd, root: a step over several nodes
 *                               one of whose tasks here was refused is
 *                               cancelled on every node (see end_step).
 *
 * A failure never makes slurmstepd itself fail: a batch step whose stepd
 * fails drains the node.  Only the task exits (status 1), at once, and the
 * message is in the job's stderr and in slurmd's log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/spank.h>

#include "melee-access.h"
#include "melee-auto-up.h"
#include "melee-config.h"
#include "melee-cwd.h"
#include "melee-enter.h"
#include "melee-gpu-env.h"
#include "melee-pw.h"
#include "melee-util.h"

/* Only these symbols are exported (melee-spank.sym). */
SPANK_PLUGIN(melee, 1);

#define ENV_IMAGE "MELEE_IMAGE"

static struct {
	char conf[PATH_MAX];		 /* conf=FILE, else the compiled-in path */
	bool env_default;		 /* env=yes: MELEE_IMAGE of the submit env */
	char option[MELEE_NAME_MAX + 1]; /* --melee-image=NAME, "" if absent */
	/* Filled in slurmstepd by init_post_opt; inherited by the tasks. */
	struct melee_config cfg;
	bool cfg_loaded;
	const struct melee_image *image; /* NULL: the job runs on the host */
	/* A forked task's own: entered, and the job's cwd on the host. */
	bool entered;
	struct melee_cwd cwd;
	bool failed;
	char error[MELEE_ERRLEN];
	/* slurmstepd: a --melee-image value that is no name (it came through
	 * the job's environment, which srun's own check never saw). */
	char option_error[MELEE_ERRLEN];
} state;

/* slurmstepd of a step over several nodes: a refused task writes a byte
 * into [1] before it exits (the entering fails in the forked task, whose
 * memory slurmstepd never sees); task_exit reads [0].  Close-on-exec: an
 * entered task's program never holds it. */
static int refusal_pipe[2] = { -1, -1 };

static int option_image_cb(int val, const char *arg, int remote);

static struct spank_option option_image = {
	.name = "melee-image",
	.arginfo = "NAME",
	.usage = "Run the job's tasks inside the MELEE image NAME (or an alias "
		 "of it) on every node.",
	.has_arg = 1,
	.val = 0,
	.cb = option_image_cb,
};

static int option_image_cb(int val, const char *arg, int remote)
{
	char shown[96];

	/* Only names of melee_name_valid's grammar, never a path: what reaches
	 * slurmstepd is looked up in melee.conf and nothing else.  The value
	 * is the user's: shown printable, so that a newline cannot forge a
	 * line of slurmd's log or the user's terminal. */
	if (!arg || !melee_name_valid(arg)) {
		melee_shown(arg ? arg : "", 80, shown, sizeof(shown));
		if (remote) {
			/* slurmstepd only logs a failed option callback (with
			 * the raw value) and runs the job on the host: record
			 * it instead, and let init_post_opt fail the job's
			 * tasks like any other refusal (with the job id in
			 * slurmd's log). */
			snprintf(state.option_error, sizeof(state.option_error),
				 "--melee-image: '%s' is not an image name", shown);
			return 0;
		}
		slurm_error("melee: --melee-image: '%s' is not an image name "
			    "(letters, digits, '.', '_', '-'; at most %d)",
			    shown, MELEE_NAME_MAX);
		return -1;
	}
	snprintf(state.option, sizeof(state.option), "%s", arg);
	return 0;
}

/* The plugstack.conf arguments: conf=FILE and env=yes|no.  plugstack.conf
 * is root's file read by root, so conf= may point anywhere root trusts;
 * melee_config_load still insists on root-owned, unwritable files. */
static int parse_args(int ac, char **av)
{
	snprintf(state.conf, sizeof(state.conf), "%s", MELEE_DEFAULT_CONFIG);
	state.env_default = false;
	for (int i = 0; i < ac; i++) {
		if (strncmp(av[i], "conf=", 5) == 0) {
			if (av[i][5] != '/' || strlen(av[i] + 5) >= sizeof(state.conf)) {
				slurm_error("melee: plugstack argument %s: an absolute path "
					    "is expected",
					    av[i]);
				return -1;
			}
			snprintf(state.conf, sizeof(state.conf), "%s", av[i] + 5);
		} else if (strcmp(av[i], "env=yes") == 0) {
			state.env_default = true;
		} else if (strcmp(av[i], "env=no") == 0) {
			state.env_default = false;
		} else {
			/* Like pam_limits: an unknown argument is logged, not fatal,
			 * so that a typo does not stop every job on the cluster. */
			slurm_error("melee: unknown plugstack argument '%s' (ignored; "
				    "known: conf=FILE, env=yes|no)",
				    av[i]);
		}
	}
	return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();

	if (parse_args(ac, av) < 0)
		return -1;
	/* The option must exist in srun, sbatch and salloc (to be accepted)
	 * and in slurmstepd (to be handed to us there). */
	if (ctx == S_CTX_LOCAL || ctx == S_CTX_ALLOCATOR || ctx == S_CTX_REMOTE) {
		spank_err_t rc = spank_option_register(sp, &option_image);

		if (rc != ESPANK_SUCCESS) {
			slurm_error("melee: cannot register --melee-image: %s", spank_strerror(rc));
			return -1;
		}
	}
	return 0;
}

static void fail(uint32_t jobid, const char *msg)
{
	state.failed = true;
	snprintf(state.error, sizeof(state.error), "%s", msg);
	/* slurmstepd's log is slurmd's log: the admin sees it there. */
	slurm_error("melee: job %u: %s", jobid, msg);
}

/* Finds the image and checks that the job's user may use it.  Runs on the
 * host as root, so every passwd/group lookup is done before any chroot. */
static int resolve_image(spank_t sp, const char *name, char *err, size_t errlen)
{
	cleanup_free struct passwd *pw = NULL;
	uid_t uid;
	int r;

	if (spank_get_item(sp, S_JOB_UID, &uid) != ESPANK_SUCCESS)
		return melee_fail(err, errlen, -EIO, "cannot get the job's user id");
	r = melee_config_load_image(state.conf, 0, name, &state.cfg, err, errlen);
	state.cfg_loaded = true;
	if (r < 0)
		return r;
	state.image = melee_config_find_image(&state.cfg, name);
	if (!state.image)
		return melee_fail(err, errlen, -ENOENT, "unknown image '%s'", name);

	r = melee_getpwuid(uid, &pw, err, errlen);
	if (r < 0)
		return r;
	return melee_user_may_use(state.image, pw, err, errlen);
}

/* auto-up = yes: once per step and node, here in slurmstepd (root, on
 * the host, before any task is forked), not in each task: an image that
 * is not up on this node is prepared by the installed melee-mounts. */
static void prepare_on_demand(uint32_t jobid)
{
	char err[MELEE_ERRLEN] = "", ran[MELEE_ERRLEN];
	int r =
	    melee_auto_up(&state.cfg, state.conf, state.image, ran, sizeof(ran), err, sizeof(err));

	if (r < 0) {
		state.image = NULL;
		fail(jobid, err);
	} else if (r > 0) {
		slurm_info("melee: job %u: %s", jobid, ran);
	}
}

/* Only for a step over several nodes (not the batch step, which runs on
 * one): there the other nodes' tasks may wait for this node's forever
 * (MPI ranks in MPI_Init's PMI fence).  No pipe, no cancelling: the
 * refused task still exits with the reason. */
static void open_refusal_pipe(spank_t sp)
{
	uint32_t nnodes = 0, stepid = 0;

	if (spank_get_item(sp, S_JOB_NNODES, &nnodes) != ESPANK_SUCCESS || nnodes < 2 ||
	    spank_get_item(sp, S_JOB_STEPID, &stepid) != ESPANK_SUCCESS ||
	    stepid == SLURM_BATCH_SCRIPT || refusal_pipe[0] >= 0)
		return;
	if (pipe2(refusal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		refusal_pipe[0] = refusal_pipe[1] = -1;
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	char name[MELEE_NAME_MAX + 2] = "";
	char err[MELEE_ERRLEN] = "";
	uint32_t jobid = 0, stepid = 0;

	if (spank_context() != S_CTX_REMOTE)
		return 0;
	spank_get_item(sp, S_JOB_ID, &jobid);
	/* The extern step only holds the job's adopted processes (sshd
	 * sessions); it runs nothing of the user's. */
	if (spank_get_item(sp, S_JOB_STEPID, &stepid) == ESPANK_SUCCESS &&
	    stepid == SLURM_EXTERN_CONT)
		return 0;

	if (state.option_error[0]) {
		fail(jobid, state.option_error);
		return 0;
	}
	if (state.option[0]) {
		snprintf(name, sizeof(name), "%s", state.option);
	} else if (state.env_default) {
		spank_err_t rc = spank_getenv(sp, ENV_IMAGE, name, sizeof(name));

		if (rc == ESPANK_NOSPACE ||
		    (rc == ESPANK_SUCCESS && name[0] && !melee_name_valid(name))) {
			fail(jobid, "MELEE_IMAGE in the job's environment is not an "
				    "image name");
			return 0;
		}
		if (rc != ESPANK_SUCCESS)
			name[0] = '\0';
	}
	if (!name[0])
		return 0;

	open_refusal_pipe(sp);
	if (resolve_image(sp, name, err, sizeof(err)) < 0) {
		state.image = NULL;
		fail(jobid, err[0] ? err : "cannot use the image");
	} else {
		prepare_on_demand(jobid);
	}
	/* Never a non-zero return: see the top of this file. */
	return 0;
}

/* A batch script lives in slurmd's spool directory on the host, which the
 * image does not have.  Open it before the chroot and let the task exec it
 * through /proc/self/fd (the image's /proc is the host's, melee-mounts
 * binds it, and the prepared check insists on it).  This one fd is not
 * close-on-exec on purpose: the script's interpreter reads it. */
static int keep_batch_script(spank_t sp, char *err, size_t errlen)
{
	int argc = 0, fd;
	char **argv = NULL, path[64];

	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS || argc < 1 || !argv ||
	    !argv[0])
		return melee_fail(err, errlen, -EIO, "cannot get the batch script's path");
	fd = open(argv[0], O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "cannot open the batch script %s: %s",
				  argv[0], strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* argv belongs to slurmstepd; in this forked task only the pointer
	 * changes (the old string stays allocated until exec). */
	argv[0] = strdup(path);
	if (!argv[0])
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

/* The task's environment for melee_gpu_env: spank_getenv copies. */
struct task_env {
	spank_t sp;
	char *buf; /* the last value read; grown to fit (ARG_MAX at most) */
	size_t len;
};

/* A value longer than the buffer is read again in a larger one: treated
 * as unset, a user's long LD_LIBRARY_PATH or PATH would be replaced. */
static const char *task_env_get(const char *name, void *ctx)
{
	struct task_env *te = ctx;

	for (size_t len = te->len ? te->len : 8192; len <= 2 * 1024 * 1024; len *= 2) {
		spank_err_t rc;

		if (len > te->len) {
			char *grown = realloc(te->buf, len);

			if (!grown)
				return NULL;
			te->buf = grown;
			te->len = len;
		}
		rc = spank_getenv(te->sp, name, te->buf, te->len);
		if (rc != ESPANK_NOSPACE)
			return rc == ESPANK_SUCCESS ? te->buf : NULL;
	}
	return NULL;
}

static int task_env_set(const char *name, const char *value, void *ctx)
{
	struct task_env *te = ctx;

	return spank_setenv(te->sp, name, value, 1) == ESPANK_SUCCESS ? 0 : -EINVAL;
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	struct task_env te = { .sp = sp };
	char err[MELEE_ERRLEN] = "";
	uint32_t jobid = 0, stepid = 0;

	if (spank_context() != S_CTX_REMOTE || !state.image || state.failed)
		return 0;
	spank_get_item(sp, S_JOB_ID, &jobid);
	spank_get_item(sp, S_JOB_STEPID, &stepid);
	if (stepid == SLURM_BATCH_SCRIPT && keep_batch_script(sp, err, sizeof(err)) < 0) {
		fail(jobid, err);
		return 0;
	}
	/* slurmstepd's cwd, which the task inherited: the job's directory
	 * (--chdir or the submit directory) on the host, or /tmp where the
	 * host has none.  Seen by the kernel, not the PWD or
	 * SLURM_SUBMIT_DIR of the job's environment, which the user sets. */
	melee_cwd_remember(&state.cwd);
	/* The one enter function: the same checks as melee and pam_melee. */
	if (melee_enter_image(state.image, err, sizeof(err)) < 0) {
		fail(jobid, err);
		return 0;
	}
	state.entered = true;
	if (spank_setenv(sp, ENV_IMAGE, state.image->name, 1) != ESPANK_SUCCESS)
		slurm_error("melee: job %u: cannot set %s", jobid, ENV_IMAGE);
	if (melee_gpu_env(state.image, task_env_get, task_env_set, &te, err, sizeof(err)) < 0)
		slurm_error("melee: job %u: %s", jobid, err);
	free(te.buf);
	slurm_verbose("melee: job %u: task entered image %s (%s)", jobid, state.image->name,
		      state.image->path);
	return 0;
}

/* slurm_spank_task_init, as the user inside the image, after slurmstepd's
 * chdir to the job's cwd by its path: the directory must be the job's own
 * (melee_cwd_check, as melee(1) does).  The image's /var/tmp is its own
 * and writable by every user of the image: another user could have made
 * the job's path there first, with a run.sh or Makefile of theirs.  And a
 * path missing there sent the task to the image's /tmp. */
static void check_cwd(spank_t sp)
{
	char why[MELEE_ERRLEN], whyshown[96], shown[520], msg[MELEE_ERRLEN];
	uint32_t jobid = 0;
	int r = melee_cwd_check(&state.cwd, getuid(), why, sizeof(why));

	if (r == 0)
		return;
	spank_get_item(sp, S_JOB_ID, &jobid);
	/* The path is the user's choice: printable only in the log. */
	melee_shown(state.cwd.known ? state.cwd.path : "(unknown)", 512, shown, sizeof(shown));
	if (r == -ENOENT)
		snprintf(msg, sizeof(msg),
			 "directory %s does not exist in image %s; not running the task "
			 "elsewhere",
			 shown, state.image->name);
	else
		snprintf(msg, sizeof(msg),
			 "directory %s in image %s is not the job's directory on the host, "
			 "and someone else could have made it there (%s); not running the "
			 "task there",
			 shown, state.image->name,
			 melee_shown(why, 80, whyshown, sizeof(whyshown)));
	fail(jobid, msg);
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	if (spank_context() != S_CTX_REMOTE)
		return 0;
	if (state.entered && !state.failed)
		check_cwd(sp);
	if (!state.failed)
		return 0;
	/* stderr is the job's stderr by now (slurmstepd set the task's stdio
	 * up after task_init_privileged). */
	dprintf(STDERR_FILENO, "melee: %s\n", state.error);
	if (refusal_pipe[1] >= 0 && write(refusal_pipe[1], "r", 1) < 0)
		slurm_error("melee: cannot tell slurmstepd of the refusal: %m");
	/* Exit here rather than return -1: with an `optional` plugstack line
	 * slurmstepd would ignore the error and run the task on the host.
	 * This is the forked task just before its exec; slurmstepd exits the
	 * same way when its own task setup fails. */
	_exit(1);
}

/* A task of this node was refused (its reason is in the job's stderr
 * already: it wrote it before it exited): the step is cancelled on every
 * node, once.  Without it an MPI step hangs: the ranks on the other nodes
 * wait in MPI_Init for this node's, which never come, and Slurm ends a
 * step at a task's non-zero exit only with srun --kill-on-bad-exit.
 * slurmstepd is root: slurmctld lets it cancel the step. */
static void end_step(spank_t sp)
{
	uint32_t jobid = 0, stepid = 0;
	char byte;
	int r;

	if (refusal_pipe[0] < 0 || read(refusal_pipe[0], &byte, 1) != 1)
		return;
	close(refusal_pipe[0]);
	refusal_pipe[0] = -1;
	spank_get_item(sp, S_JOB_ID, &jobid);
	spank_get_item(sp, S_JOB_STEPID, &stepid);
	slurm_error("melee: job %u: a task could not enter its image here: cancelling step %u.%u "
		    "on every node",
		    jobid, jobid, stepid);
#ifdef HAVE_SLURM_KILL_JOB_STEP_FLAGS
	r = slurm_kill_job_step(jobid, stepid, SIGKILL, 0);
#else
	r = slurm_kill_job_step(jobid, stepid, SIGKILL);
#endif
	if (r != SLURM_SUCCESS)
		slurm_error("melee: job %u: cannot cancel step %u.%u: %m", jobid, jobid, stepid);
}

int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	if (spank_context() == S_CTX_REMOTE)
		end_step(sp);
	return 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	for (int i = 0; i < 2; i++) {
		if (refusal_pipe[i] >= 0)
			close(refusal_pipe[i]);
		refusal_pipe[i] = -1;
	}
	if (state.cfg_loaded)
		melee_config_free(&state.cfg);
	state.cfg_loaded = false;
	state.image = NULL;
	state.entered = false;
	return 0;
}
