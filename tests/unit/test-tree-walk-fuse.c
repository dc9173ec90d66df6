/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree_walk() is never held by a FUSE daemon that does not answer: a
 * FUSE mount made during the walk whose daemon never answers, on
 * a directory the walk has not reached yet, on the very directory it is
 * about to enter (between its look at the name and its open), and on the
 * directory above the one it is in (its way back up through "..").  A
 * user with user_allow_other can do all three to melee-image remove in
 * a directory of the image she may write; stopped, her daemon once held
 * the walk, with the lock, until SIGKILL.  Each walk runs in a child
 * given 15 s; one still running then is killed and counted as hung. */
#include "image-tree.h"
#include "melee-util.h"
#include "tap.h"
#include "walk-fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOP "/tmp/melee-unit-walk-fuse"

enum fuse_at { ON_LATER, ON_SELF, ON_PARENT };

/* What the walking child reports back (shared memory). */
struct shared {
	int r;
	char err[MELEE_ERRLEN];
	char target[64];   /* where it is mounted, below TOP */
	char flagged[256]; /* entries shown as mount points */
};

static struct shared *sh;

struct run {
	const char *tree;
	enum fuse_at at;
	bool mounted;
};

/* The deaf FUSE mount on TOP/rel (walk-fixture.h), made in the walking
 * child: from then on every request to it waits for good. */
static void mount_stopped_fuse(const char *rel)
{
	char to[128];

	snprintf(to, sizeof(to), TOP "/%s", rel);
	if (mount_deaf_fuse(to, S_IFDIR | 0755) < 0)
		exit(98); /* the parent sees no mount: Bail out */
	snprintf(sh->target, sizeof(sh->target), "%s", rel);
}

/* Deletes like melee-image remove (tools/melee-image/image-tree.c
 * remove_entry): files on the way down, directories on the way up, and
 * refuses a mount point.  Makes the FUSE mount once, where run->at says. */
static int delete_visit(const struct tree_entry *e, bool after, void *data, char *err,
			size_t errlen)
{
	struct run *r = data;
	char rel[128];

	if (!after && !r->mounted) {
		bool top_dir = S_ISDIR(e->st->st_mode) && !strchr(e->path, '/');

		if (r->at == ON_LATER && top_dir) {
			snprintf(rel, sizeof(rel), "%s/%s", r->tree,
				 strcmp(e->path, "a") ? "a" : "b");
			mount_stopped_fuse(rel), r->mounted = true;
		} else if (r->at == ON_SELF && top_dir) {
			snprintf(rel, sizeof(rel), "%s/%s", r->tree, e->path);
			mount_stopped_fuse(rel), r->mounted = true;
		} else if (r->at == ON_PARENT && S_ISREG(e->st->st_mode) &&
			   strncmp(e->path, "p/q/", 4) == 0) {
			snprintf(rel, sizeof(rel), "%s/p", r->tree);
			mount_stopped_fuse(rel), r->mounted = true;
		}
	}
	if (e->mount_point) {
		size_t used = strlen(sh->flagged);

		snprintf(sh->flagged + used, sizeof(sh->flagged) - used, "%s ", e->path);
		return melee_fail(err, errlen, -EBUSY, "%s: mounted", e->path);
	}
	if (S_ISDIR(e->st->st_mode) && !after)
		return 0;
	if (unlinkat(e->dirfd, e->name, after ? AT_REMOVEDIR : 0) < 0)
		return melee_fail(err, errlen, -errno, "unlink %s: %s", e->path, strerror(errno));
	return 0;
}

/* Walks TOP/tree in a child; true when it ended within 15 s (its result
 * in sh), false when it hung (then killed).  Either way the FUSE mount is
 * detached (its connection gone with the child's /dev/fuse fd). */
static bool walk_in_child(const char *tree, enum fuse_at at)
{
	bool ended = false;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	sh->r = 1;
	pid = fork();
	if (pid == 0) {
		struct run run = { .tree = tree, .at = at };
		int fd = openat(base, tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		sh->r = tree_walk(fd, "ROOT", delete_visit, &run, sh->err, sizeof(sh->err));
		_exit(0);
	}
	ended = ended_within(pid, 15);
	if (sh->target[0]) {
		char to[128];

		snprintf(to, sizeof(to), TOP "/%s", sh->target);
		umount2(to, MNT_DETACH);
	}
	return ended;
}

int main(void)
{
	char want[200];
	bool ended;
	int rc;

	if (!private_tmpfs(TOP, &rc))
		return rc;
	if (!fuse_available(TOP))
		return 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 99;
	mk("src");
	touch("src/from-fuse");

	/* On a directory the walk reaches later: its look at the name. */
	make_tree("t1");
	ended = walk_in_child("t1", ON_LATER);
	if (!sh->target[0]) {
		printf("Bail out! no FUSE mount could be made\n");
		return 99;
	}
	ok(ended, "a stopped FUSE daemon on a directory not reached yet does not hold the walk");
	ok(sh->r == -EBUSY, "the walk stops there (got %d: %s)", sh->r, sh->err);
	snprintf(want, sizeof(want), "%s ", sh->target + strlen("t1/"));
	is_str(sh->flagged, want, "showing that directory as a mount point");

	/* On the directory being entered, after the look at its name: its
	 * open. */
	make_tree("t2");
	ended = walk_in_child("t2", ON_SELF);
	ok(ended, "a stopped FUSE daemon on the directory being entered does not hold the walk");
	snprintf(want, sizeof(want),
		 "ROOT/%s: a mount appeared there while it was being walked; stopped",
		 sh->target + strlen("t2/"));
	is_str(sh->err, want, "the walk stops there and says where");
	snprintf(want, sizeof(want), "%s/f0", sh->target);
	ok(exists(want), "nothing below it is deleted");

	/* On the directory above the walk: its way back up through "..". */
	mk("t3"), mk("t3/p"), mk("t3/p/q");
	for (int i = 0; i < 20; i++) {
		char p[64];

		snprintf(p, sizeof(p), "t3/p/q/f%d", i);
		touch(p);
	}
	ended = walk_in_child("t3", ON_PARENT);
	ok(ended, "a stopped FUSE daemon on the directory above the walk does not hold it");
	is_str(sh->err, "ROOT/p/q/..: a mount appeared there while it was being walked; stopped",
	       "the walk stops on its way up and says where");
	ok(exists("t3/p/q") && !exists("t3/p/q/f0"),
	   "what it had walked below is deleted, the directory itself is not");

	umount2(TOP, MNT_DETACH);
	rmdir(TOP);
	return done_testing();
}
