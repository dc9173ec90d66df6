/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The work behind melee-mounts up, down and check. */
#include "mounts-ops.h"
#include "mounts-gpu.h"
#include "mounts-made.h"
#include "mounts-nosuid.h"
#include "mounts-squash.h"
#include "mounts-stale.h"
#include "melee-accounts.h"
#include "melee-mnt-util.h"
#include "melee-mounts.h"
#include "melee-nosuid.h"
#include "melee-safety.h"
#include "melee-util.h"
#include "tool-util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void full_path(char *buf, size_t len, const struct melee_image *im, const char *target)
{
	snprintf(buf, len, "%s%s", im->path, target);
}

/* One line per image line the merge left out for a host name or id. */
static void print_overrides(const struct melee_image *im, const struct melee_overrides *ov)
{
	char line[512];

	for (size_t i = 0; i < ov->n; i++)
		printf("%s\n", melee_override_describe(&ov->v[i], im->name, line, sizeof(line)));
}

/* "+sl6" and "+sl63" (aliases): alice+sl6 and alice+sl63 inside image sl6. */
char **mounts_image_suffixes(const struct melee_image *im)
{
	char **suffixes = NULL, sfx[MELEE_NAME_MAX + 2];
	size_t n = 0;

	snprintf(sfx, sizeof(sfx), "%c%s", im->separator, im->name);
	if (melee_strv_push(&suffixes, &n, sfx) < 0)
		die("out of memory");
	for (size_t i = 0; i < im->n_aliases; i++) {
		snprintf(sfx, sizeof(sfx), "%c%s", im->separator, im->aliases[i]);
		if (melee_strv_push(&suffixes, &n, sfx) < 0)
			die("out of memory");
	}
	return suffixes;
}

/* Generates the merged accounts under MELEE_RUNDIR/<image>/. */
int mounts_write_accounts(const struct melee_image *im, int imgfd, const struct mounts_opts *o,
			  char *err, size_t errlen)
{
	cleanup_fd int run = -1, dir = -1;
	struct melee_overrides ov = { 0 };
	char **suffixes, shown[4096];
	struct stat st;
	int r;

	run = open(MELEE_RUNDIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (run < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", MELEE_RUNDIR, strerror(errno));
	if (mkdirat(run, im->name, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", MELEE_RUNDIR, im->name,
				  strerror(errno));
	dir = openat(run, im->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0 || fstat(dir, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", MELEE_RUNDIR, im->name,
				  strerror(errno));
	snprintf(shown, sizeof(shown), "%s/%s", MELEE_RUNDIR, im->name);
	r = melee_check_trusted(&st, 0, shown, err, errlen);
	if (r < 0)
		return r;
	suffixes = mounts_image_suffixes(im);
	r = melee_accounts_write(imgfd, "/etc", dir, suffixes, &ov, err, errlen);
	if (r == 0 && !o->quiet)
		print_overrides(im, &ov);
	melee_overrides_free(&ov);
	melee_strv_free(suffixes);
	return r;
}

/* check: the overrides the next up will make, and whether it can merge. */
static int check_accounts(const struct melee_image *im, int imgfd, const struct mounts_opts *o)
{
	struct melee_overrides ov = { 0 };
	char err[MELEE_ERRLEN], **suffixes = mounts_image_suffixes(im);
	cleanup_free char *pw = NULL, *gr = NULL;
	int r;

	r = melee_accounts_merge(imgfd, "/etc", suffixes, &pw, &gr, &ov, err, sizeof(err));
	if (r < 0)
		fprintf(stderr, "%s: FAIL: accounts = merge: %s\n", im->name, err);
	else if (!o->quiet)
		print_overrides(im, &ov);
	melee_overrides_free(&ov);
	melee_strv_free(suffixes);
	return r < 0;
}

static bool is_accounts_spec(const struct melee_mount_spec *m)
{
	return strncmp(m->source, MELEE_RUNDIR "/", strlen(MELEE_RUNDIR) + 1) == 0;
}

static bool is_file_target(const struct melee_mount_spec *m)
{
	struct stat st;

	return is_accounts_spec(m) || stat(m->source, &st) < 0 || !S_ISDIR(st.st_mode);
}

/* Our cover: the root of a read-only tmpfs (a mount the host itself has
 * there, copied by the rbind, is covered all the same). */
static bool is_cover(int fd)
{
	struct statfs sf;

	return melee_is_mountpoint(fd) && fstatfs(fd, &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
	       (sf.f_flags & ST_RDONLY);
}

/* One image's up: its plan and, per entry, the opened mountpoint and
 * what happened to it. */
struct up_run {
	const struct melee_image *im;
	const struct mounts_opts *o;
	struct mounts_seen *seen;
	struct melee_mount_plan plan;
	int imgfd;
	int *fds;
	bool *skip;
	bool self_present;
	struct mounts_made made; /* what this run mounted, for rollback() */
	size_t n_new, n_present, n_refreshed;
	size_t n_replaced; /* stale binds replaced in place (accounts too) */
	size_t n_layers;   /* a file image's squashfs (and tmpfs, overlay) */
	size_t n_gpu;	   /* gpu = nvidia: the tmpfs and the driver's files */
	struct gpu_set gpu;
	bool layers_new; /* this run mounted every one of them */
};

/* Takes back what this run mounted, and only that: every mount recorded
 * in u->made where it was attached (the nosuid bind, the binds, the
 * covers), the last first, each through its own fd (melee_unmount_fd),
 * so that one with a mount stacked on it since, or a directory on its
 * path renamed, is detached all the same.  "As it was" is
 * the image before this run: an earlier run's mount stays, and so does a
 * stale bind this run replaced (mounts_entry_replace): it stands for
 * that earlier mount, which is gone, and taking it back would leave the
 * image's own file where the earlier run had bound the host's. */
static void rollback(struct up_run *u)
{
	mounts_made_rollback(&u->made, u->im->name);
}

/* accounts = merge or none: the host's nscd and userdb sockets, which the
 * image would reach through its /run bind, under an empty read-only tmpfs
 * (melee_account_daemon_dirs).  After the binds: the cover sits on the
 * image's copy of /run, so that down removes it with that copy.  Each
 * cover it makes is noted for rollback(). */
static int cover_account_daemons(struct up_run *u)
{
	const struct melee_image *im = u->im;

	for (size_t i = 0; melee_account_daemon_dirs[i]; i++) {
		const char *dir = melee_account_daemon_dirs[i];
		char err[MELEE_ERRLEN], full[8192];
		cleanup_fd int fd = -1;
		bool created;
		int mnt;

		if (!melee_cover_wanted(im, &u->plan, dir))
			continue;
		if (u->o->dry_run) {
			printf("would cover %s%s with an empty read-only tmpfs\n", im->path, dir);
			continue;
		}
		/* Through the fd walk: no symlink on the way.  Nothing is
		 * created: what is missing now was gone since the check. */
		fd = image_open_mountpoint(u->imgfd, im->path, dir, MELEE_TARGET_DIR, false,
					   &created, err, sizeof(err));
		if (fd == -ENOENT)
			continue;
		if (fd < 0) {
			warn("%s: cannot cover %s: %s", im->name, dir, err);
			return -1;
		}
		if (is_cover(fd))
			continue; /* covered by an earlier up */
		full_path(full, sizeof(full), im, dir);
		mnt = melee_mount_cover(fd, err, sizeof(err));
		if (mnt < 0) {
			warn("%s: cannot cover %s: %s", im->name, full, err);
			return -1;
		}
		mounts_made_add(&u->made, mnt, full);
	}
	return 0;
}

static void up_run_free(struct up_run *u)
{
	for (size_t i = 0; u->fds && i < u->plan.n; i++)
		melee_closep(&u->fds[i]);
	free(u->fds);
	free(u->skip);
	mounts_made_free(&u->made);
	melee_closep(&u->imgfd);
	melee_plan_free(&u->plan);
	gpu_set_free(&u->gpu);
}

/* The image root by the safety walk, its plan, and the per-entry state. */
static int up_prepare(struct up_run *u)
{
	char err[MELEE_ERRLEN];

	u->imgfd = image_open_safely(u->im->path, 0, err, sizeof(err));
	if (u->imgfd < 0) {
		warn("%s: unsafe image path, refused: %s", u->im->name, err);
		return -1;
	}
	if (melee_image_plan(u->im, 0, &u->plan, err, sizeof(err)) < 0) {
		warn("%s: %s", u->im->name, err);
		return -1;
	}
	u->fds = calloc(u->plan.n + 1, sizeof(*u->fds));
	u->skip = calloc(u->plan.n + 1, sizeof(*u->skip));
	if (!u->fds || !u->skip)
		die("out of memory");
	for (size_t i = 0; i < u->plan.n; i++)
		u->fds[i] = -1;
	return 0;
}

static void print_would_mount(const struct melee_mount_spec *m, const char *full)
{
	printf("would mount %s %s on %s (rslave%s)\n", m->recursive ? "--rbind" : "--bind",
	       m->source, full, m->readonly ? ", ro" : "");
}

/* Entry i before anything is mounted: skipped (nofail), or its source
 * exists and its mountpoint opens (created unless a dry run). */
static int up_check_entry(struct up_run *u, size_t i)
{
	const struct melee_image *im = u->im;
	const struct melee_mount_spec *m = &u->plan.m[i];
	bool is_accounts = is_accounts_spec(m);
	char err[MELEE_ERRLEN], full[8192];
	enum melee_skip skipped = melee_plan_entry_skipped(u->imgfd, im->path, m, err, sizeof(err));
	struct stat st;
	bool created;

	if (skipped != MELEE_SKIP_NONE) {
		u->skip[i] = true;
		if (u->o->quiet)
			return 0;
		if (skipped == MELEE_SKIP_NO_SOURCE)
			printf("%s: skipping %s: source %s is missing (nofail)\n", im->name,
			       m->target, m->source);
		else if (skipped == MELEE_SKIP_READ_ONLY)
			printf("%s: skipping %s: the image is read-only and has no mountpoint "
			       "for it (nofail)\n",
			       im->name, m->target);
		else if (skipped == MELEE_SKIP_UNSAFE)
			printf("%s: skipping %s: %s (nofail)\n", im->name, m->target, err);
		else
			printf("%s: skipping %s: the image has no directory for it (nofail)\n",
			       im->name, m->target);
		return 0;
	}
	if (!is_accounts && stat(m->source, &st) < 0) {
		warn("%s: %s: source %s does not exist", im->name, m->where, m->source);
		return -1;
	}
	full_path(full, sizeof(full), im, m->target);
	u->fds[i] = image_open_mountpoint(u->imgfd, im->path, m->target,
					  is_accounts || !S_ISDIR(st.st_mode) ? MELEE_TARGET_FILE
									      : MELEE_TARGET_DIR,
					  !u->o->dry_run, &created, err, sizeof(err));
	if (u->fds[i] == -ENOENT && u->o->dry_run) {
		printf("would create mountpoint %s\n", full);
		u->skip[i] = true;
		print_would_mount(m, full);
		return 0;
	}
	if (u->fds[i] < 0) {
		warn("%s: %s (%s)", im->name, err, m->where);
		return -1;
	}
	if (created && !u->o->quiet)
		printf("%s: created mountpoint %s\n", im->name, full);
	return 0;
}

/* Reopens entry i's mountpoint now, after the entries before it were
 * mounted: a target below an earlier one (/dev/pts after /dev) must land
 * on the new mount, not on the directory it covers. */
static int up_reopen_entry(struct up_run *u, size_t i)
{
	const struct melee_mount_spec *m = &u->plan.m[i];
	char err[MELEE_ERRLEN];
	bool created;
	int fd = image_open_mountpoint(u->imgfd, u->im->path, m->target,
				       is_file_target(m) ? MELEE_TARGET_FILE : MELEE_TARGET_DIR,
				       true, &created, err, sizeof(err));

	if (fd < 0) {
		warn("%s: %s (%s)", u->im->name, err, m->where);
		return -1;
	}
	melee_fd_replace(&u->fds[i], fd);
	return 0;
}

/* Mounts entry i, or counts it present: 0, or -1 after a warning.  A
 * bind that no longer shows what its source names (a host file replaced
 * by rename, merged accounts the host's users outdated) is replaced in
 * place (mounts-stale.h). */
static int up_mount_entry(struct up_run *u, size_t i)
{
	const struct melee_image *im = u->im;
	const struct melee_mount_spec *m = &u->plan.m[i];
	char err[MELEE_ERRLEN], full[8192];
	int mnt;

	full_path(full, sizeof(full), im, m->target);
	if (!u->o->dry_run && up_reopen_entry(u, i) < 0)
		return -1;
	if (melee_is_mountpoint(u->fds[i])) {
		if (!mounts_entry_stale(m, u->fds[i], NULL) ||
		    (u->o->dry_run && is_accounts_spec(m))) {
			u->n_present++;
			return 0;
		}
		if (u->o->dry_run) {
			printf("would replace the stale bind on %s by %s\n", full, m->source);
			u->n_present++;
			return 0;
		}
		if (mounts_entry_replace(im, m, &u->fds[i], err, sizeof(err)) < 0) {
			warn("%s: cannot replace the stale bind of %s: %s", im->name, m->target,
			     err);
			return -1;
		}
		if (is_accounts_spec(m))
			u->n_refreshed++;
		else if (!u->o->quiet)
			printf("%s: %s\n", im->name, mounts_repair_what(m));
		u->n_replaced++;
		return 0;
	}
	if (u->o->dry_run) {
		print_would_mount(m, full);
		return 0;
	}
	mnt = melee_bind(m->source, u->fds[i], m->recursive, m->readonly, err, sizeof(err));
	if (mnt < 0) {
		warn("%s: %s on %s: %s", im->name, m->where, full, err);
		return -1;
	}
	mounts_made_add(&u->made, mnt, full);
	u->n_new++;
	return 0;
}

/* The nosuid bind first (the other binds then sit on top of it), the
 * merged accounts, then every entry in order; on any failure what this
 * run mounted is undone (rollback()), a stale bind that cannot be
 * replaced too. */
static int up_mount_all(struct up_run *u)
{
	char err[MELEE_ERRLEN];
	int r;

	r = mounts_nosuid_up(u->im, &u->imgfd, u->o, u->seen, &u->made, &u->self_present);
	u->n_new += u->made.n;
	u->n_present += u->self_present;
	if (r == 0 && u->im->accounts == MELEE_ACCOUNTS_MERGE && !u->o->dry_run &&
	    mounts_write_accounts(u->im, u->imgfd, u->o, err, sizeof(err)) < 0) {
		warn("%s: %s", u->im->name, err);
		r = -1;
	}
	for (size_t i = 0; r == 0 && i < u->plan.n; i++)
		if (!u->skip[i])
			r = up_mount_entry(u, i);
	if (r < 0)
		rollback(u);
	return r;
}

static void up_report(const struct up_run *u)
{
	const char *name = u->im->name;
	size_t n_expected = u->plan.n + (u->im->nosuid ? 1 : 0) + u->n_layers + u->n_gpu;

	if (u->o->quiet || u->o->dry_run)
		return;
	/* A nofail entry skipped (its source missing) is not expected: as
	 * status counts (16/16, not 16 of 17). */
	for (size_t i = 0; i < u->plan.n; i++)
		n_expected -= u->skip[i];
	if (u->n_refreshed)
		printf("%s: refreshed the merged accounts (the host's users changed)\n", name);
	if (u->n_new == 0 && u->n_replaced == 0)
		printf("%s: already up, nothing mounted (%zu of %zu present)\n", name, u->n_present,
		       n_expected);
	else if (u->n_new == 0)
		printf("%s: up, %zu of %zu present\n", name, u->n_present + u->n_replaced,
		       n_expected);
	else
		printf("%s: mounted %zu, %zu already present\n", name, u->n_new,
		       u->n_present + u->n_replaced);
}

/* A file image's layers under everything else; false when there is
 * nothing more to do (a dry run of an image not mounted yet). */
static bool up_layers(struct up_run *u, int *rc)
{
	size_t made = 0, present = 0;

	if (!u->im->source)
		return true;
	u->n_layers = u->im->writable == MELEE_WRITABLE_TMPFS ? 3 : 1;
	if (mounts_squash_up(u->im, u->o, &made, &present) < 0) {
		*rc = 1;
		return false;
	}
	u->n_new += made;
	u->n_present += present;
	u->layers_new = made > 0 && present == 0;
	if (u->o->dry_run && !mounts_squash_mounted(u->im)) {
		*rc = 0;
		return false;
	}
	return true;
}

/* gpu = nvidia: on the image's copy of /run, so after the binds. */
static int up_gpu(struct up_run *u)
{
	size_t made, present;

	if (mounts_gpu_up(u->im, u->imgfd, &u->gpu, u->o, &made, &present) < 0)
		return -1;
	u->n_new += made;
	u->n_present += present;
	u->n_gpu = made + present;
	return 0;
}

static int up_one(const struct melee_image *im, const struct mounts_opts *o,
		  struct mounts_seen *seen)
{
	struct up_run u = { .im = im, .o = o, .seen = seen, .imgfd = -1 };
	int rc = 1;

	if (!up_layers(&u, &rc))
		goto out;
	/* The GPU driver is checked against the image's glibc before anything
	 * is mounted: a refusal leaves the image as it was. */
	if (up_prepare(&u) < 0 || mounts_gpu_prepare(im, u.imgfd, &u.gpu) < 0)
		goto out;
	/* Everything is checked before anything is mounted, so that a bad
	 * entry leaves nothing half-mounted. */
	for (size_t i = 0; i < u.plan.n; i++)
		if (up_check_entry(&u, i) < 0)
			goto out;
	if (up_mount_all(&u) < 0)
		goto out;
	/* A cover that fails, or the GPU files (their mountpoint is only
	 * there to check on the image's /run): a refusal takes back what
	 * this run mounted, and the image is as it was. */
	if (cover_account_daemons(&u) < 0 || up_gpu(&u) < 0) {
		rollback(&u);
		goto out;
	}
	up_report(&u);
	rc = 0;
out:
	up_run_free(&u);
	/* A failed up of a file image leaves it as it found it: down, when
	 * this run mounted its layers (its binds are rolled back already). */
	if (rc && u.layers_new) {
		struct mounts_opts quiet = *o;
		size_t done = 0, busy = 0;

		quiet.quiet = true;
		quiet.lazy = true;
		if (mounts_squash_down(im, &quiet, &done, &busy) != 0)
			warn("%s: rollback: the file image's layers stay mounted", im->name);
	}
	return rc;
}

/* up --remount of a file image whose file was replaced: its mounts are
 * taken down first when no process is inside.  False when refused. */
static bool remount_first(const struct melee_image *im, const struct mounts_opts *o,
			  struct mounts_seen *seen)
{
	struct mounts_opts quiet = *o;
	int w;

	if (!o->remount || !im->source || o->dry_run)
		return true;
	w = mounts_squash_remount_wanted(im);
	if (w < 0)
		return false;
	if (w == 0) {
		if (!o->quiet)
			printf("%s: not stale, nothing to remount\n", im->name);
		return true;
	}
	quiet.quiet = true;
	quiet.lazy = false;
	if (mounts_down(&im, 1, &quiet) != 0) {
		warn("%s: the stale mount could not be taken down; not remounted", im->name);
		return false;
	}
	mounts_seen_touch(seen, im->path);
	if (!o->quiet)
		printf("%s: took down the stale mount of %s\n", im->name, im->source);
	return true;
}

int mounts_up(const struct melee_image **sel, size_t n, const struct mounts_opts *o)
{
	struct mounts_seen seen = { 0 };
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (!remount_first(sel[i], o, &seen)) {
			rc |= 1;
			continue;
		}
		rc |= up_one(sel[i], o, &seen);
		/* Whatever happened, this image's mounts (made, refreshed or
		 * rolled back) all lie at or below its root. */
		if (!o->dry_run)
			mounts_seen_touch(&seen, sel[i]->path);
	}
	mounts_seen_free(&seen);
	return rc;
}

/* Reads the ELF program interpreter of an executable: "" for a static
 * binary.  Handles both classes (32-bit images). */
static int elf_interp(int fd, char *interp, size_t len)
{
	unsigned char ident[EI_NIDENT];
	bool is64;
	uint64_t phoff;
	unsigned phnum, phentsize;

	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	is64 = ident[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -ENOEXEC;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;
		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return -ENOEXEC;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	}
	interp[0] = '\0';
	for (unsigned i = 0; i < phnum && i < 256; i++) {
		uint64_t type, off, size;

		if (is64) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) !=
			    (ssize_t)sizeof(ph))
				return -ENOEXEC;
			type = ph.p_type, off = ph.p_offset, size = ph.p_filesz;
		} else {
			Elf32_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + (uint64_t)i * phentsize)) !=
			    (ssize_t)sizeof(ph))
				return -ENOEXEC;
			type = ph.p_type, off = ph.p_offset, size = ph.p_filesz;
		}
		if (type != PT_INTERP)
			continue;
		if (size == 0 || size >= len)
			return -ENOEXEC;
		if (pread(fd, interp, size, (off_t)off) != (ssize_t)size)
			return -ENOEXEC;
		interp[size] = '\0';
		return 0;
	}
	return 0;
}

/* Binds of an up image that show what the host no longer has. */
static int check_stale(const struct melee_image *im)
{
	size_t n = 0;
	char **stale = mounts_stale_find(im, &n);

	for (size_t k = 0; k < n; k++)
		fprintf(stderr,
			"%s: FAIL: %s%s is stale: it shows a file its host source no longer "
			"names (up replaces it)\n",
			im->name, im->path, stale[k]);
	melee_strv_free(stale);
	return n ? 1 : 0;
}

/* The image's /bin/sh: there, an ELF executable, and its dynamic loader
 * (into interp, "" for a static shell) in the image.  The number of
 * problems, each on stderr. */
static int check_shell(const struct melee_image *im, int imgfd, char *interp, size_t len)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int sh = -1;

	interp[0] = '\0';
	/* A FIFO as /bin/sh is refused, never opened: it would hang check. */
	sh = image_open_regular(imgfd, "/bin/sh", false, "/bin/sh", err, sizeof(err));
	if (sh < 0) {
		fprintf(stderr, "%s: FAIL: %s%s\n", im->name, im->path,
			sh == -ENOENT ? "/bin/sh: missing (every image needs a shell)" : err);
		return 1;
	}
	if (elf_interp(sh, interp, len) < 0) {
		fprintf(stderr, "%s: FAIL: %s/bin/sh is not an ELF executable\n", im->name,
			im->path);
		return 1;
	}
	if (interp[0]) {
		cleanup_fd int ld = image_resolve(imgfd, interp, O_PATH);

		if (ld < 0) {
			fprintf(stderr,
				"%s: FAIL: %s/bin/sh needs the dynamic loader %s, which the "
				"image does not have\n",
				im->name, im->path, interp);
			return 1;
		}
	}
	return 0;
}

/* One entry of the image's plan: its source on the host, and a safe
 * mountpoint in the image (one that up would create is a note).  1 for
 * a problem, on stderr, else 0. */
static int check_entry(const struct melee_image *im, int imgfd, const struct melee_mount_spec *m,
		       const struct mounts_opts *o)
{
	bool acc = strncmp(m->source, MELEE_RUNDIR "/", strlen(MELEE_RUNDIR) + 1) == 0;
	char err[MELEE_ERRLEN];
	struct stat st;
	bool created;
	cleanup_fd int fd = -1;
	enum melee_skip skipped = melee_plan_entry_skipped(imgfd, im->path, m, err, sizeof(err));

	/* Not a failure (nofail), but what up leaves out, and why. */
	if (skipped == MELEE_SKIP_UNSAFE)
		printf("%s: note: %s is skipped: %s (nofail)\n", im->name, m->target, err);
	if (skipped != MELEE_SKIP_NONE)
		return 0;
	if (!acc && stat(m->source, &st) < 0) {
		fprintf(stderr, "%s: FAIL: %s: source %s does not exist\n", im->name, m->where,
			m->source);
		return 1;
	}
	fd = image_open_mountpoint(imgfd, im->path, m->target,
				   acc || !S_ISDIR(st.st_mode) ? MELEE_TARGET_FILE
							       : MELEE_TARGET_DIR,
				   false, &created, err, sizeof(err));
	if (fd == -ENOENT) {
		if (!o->quiet)
			printf("%s: note: %s (up will create it)\n", im->name, err);
	} else if (fd < 0) {
		fprintf(stderr, "%s: FAIL: %s (%s)\n", im->name, err, m->where);
		return 1;
	}
	return 0;
}

static int check_one(const struct melee_image *im, const struct mounts_opts *o)
{
	struct melee_mount_plan plan = { 0 };
	char err[MELEE_ERRLEN], interp[512];
	cleanup_fd int imgfd = -1;
	int problems = 0;

	if (im->source) {
		problems = mounts_squash_check(im);
		/* Its tree is there to check only while it is mounted. */
		if (!mounts_squash_mounted(im)) {
			if (!problems && !o->quiet)
				printf("%s: ok (file image %s, not mounted)\n", im->name,
				       im->source);
			return problems ? 1 : 0;
		}
	}
	imgfd = image_open_safely(im->path, 0, err, sizeof(err));
	if (imgfd < 0) {
		fprintf(stderr, "%s: FAIL: unsafe image path: %s\n", im->name, err);
		return 1;
	}
	problems += check_shell(im, imgfd, interp, sizeof(interp));
	if (melee_image_plan(im, 0, &plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: FAIL: %s\n", im->name, err);
		return 1;
	}
	for (size_t i = 0; i < plan.n; i++)
		problems += check_entry(im, imgfd, &plan.m[i], o);
	melee_plan_free(&plan);
	if (im->accounts == MELEE_ACCOUNTS_MERGE)
		problems += check_accounts(im, imgfd, o);
	problems += check_stale(im);
	if (im->gpu == MELEE_GPU_NVIDIA && !o->quiet)
		mounts_gpu_check_devices(im, imgfd);
	if (!problems && !o->quiet)
		printf("%s: ok (%s)\n", im->name, interp[0] ? "dynamic shell" : "static shell");
	return problems ? 1 : 0;
}

int mounts_check(const struct melee_config *cfg, const struct melee_image **sel, size_t n,
		 const struct mounts_opts *o)
{
	int rc = 0;

	if (!o->quiet)
		printf("configuration: ok (%zu image%s)\n", cfg->n_images,
		       cfg->n_images == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		rc |= check_one(sel[i], o);
	return rc;
}
