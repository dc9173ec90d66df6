/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree_walk() never crosses a mount, whatever file system it is of: a
 * bind of a "home" from the image's own tmpfs (same st_dev) onto a
 * directory not yet visited, a bind made onto the very directory the
 * walk is about to enter (between its look at the name and its open), a
 * file bind.  The binds are made by the visitor during the walk, as root
 * in a private mount namespace, on a tmpfs that holds both the tree and
 * the "home".  A FUSE daemon that stops answering: test-tree-walk-fuse. */
#include "image-tree.h"
#include "melee-util.h"
#include "tap.h"
#include "walk-fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOP "/tmp/melee-unit-walk-mounts"

static void bind(const char *from, const char *to)
{
	char a[256], b[256];

	snprintf(a, sizeof(a), TOP "/%s", from);
	snprintf(b, sizeof(b), TOP "/%s", to);
	if (mount(a, b, NULL, MS_BIND, NULL) < 0) {
		perror(b);
		exit(99);
	}
}

enum bind_at { BIND_NONE, BIND_OTHER, BIND_SELF };

struct run {
	const char *tree; /* the walked tree, below TOP */
	enum bind_at at;  /* at the first top-level directory: bind onto the other one, or itself */
	const char *from; /* what is bound there, below TOP */
	char target[64];  /* where the bind was made, below the tree */
	char flagged[1024]; /* entries shown as mount points */
	int deleted;
};

/* Deletes like melee-image remove (tools/melee-image/image-tree.c remove_entry):
 * files on the way down, directories on the way up, and refuses a mount
 * point.  At the first top-level directory (whichever the file system
 * lists first) it first makes the bind. */
static int delete_visit(const struct tree_entry *e, bool after, void *data, char *err,
			size_t errlen)
{
	struct run *r = data;

	if (!after && r->at != BIND_NONE && S_ISDIR(e->st->st_mode) && !strchr(e->path, '/')) {
		char to[128];

		snprintf(r->target, sizeof(r->target), "%s",
			 r->at == BIND_SELF	? e->path
			 : strcmp(e->path, "a") ? "a"
						: "b");
		snprintf(to, sizeof(to), "%s/%s", r->tree, r->target);
		bind(r->from ? r->from : to, to);
		r->at = BIND_NONE;
	}
	if (e->mount_point) {
		size_t used = strlen(r->flagged);

		snprintf(r->flagged + used, sizeof(r->flagged) - used, "%s ", e->path);
		return melee_fail(err, errlen, -EBUSY, "%s: mounted", e->path);
	}
	if (S_ISDIR(e->st->st_mode) && !after)
		return 0;
	if (unlinkat(e->dirfd, e->name, after ? AT_REMOVEDIR : 0) < 0)
		return melee_fail(err, errlen, -errno, "unlink %s: %s", e->path, strerror(errno));
	r->deleted++;
	return 0;
}

static int walk(const char *rel, tree_visit_fn fn, void *data, char *err, size_t errlen)
{
	int fd = openat(base, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0) {
		perror(rel);
		exit(99);
	}
	r = tree_walk(fd, "ROOT", fn, data, err, errlen);
	close(fd);
	return r;
}

/* A home with files, on the same tmpfs as the trees. */
static void make_home(void)
{
	mk("home"), mk("home/alice"), put("home/alice/thesis", "years of work\n");
}

static bool home_intact(void)
{
	return exists("home/alice/thesis");
}

/* Detaches what run made. */
static void unbind(const struct run *r)
{
	char to[128];

	snprintf(to, sizeof(to), TOP "/%s/%s", r->tree, r->target);
	umount2(to, MNT_DETACH);
}

int main(void)
{
	char err[MELEE_ERRLEN], want[160];
	struct run run;
	int r;

	if (!private_tmpfs(TOP, &r))
		return r;
	make_home();

	/* The home bound onto a directory the walk has not reached yet, from
	 * the same file system: its st_dev is the tree's, its mount is not. */
	make_tree("t1");
	memset(&run, 0, sizeof(run));
	run.tree = "t1", run.at = BIND_OTHER, run.from = "home";
	r = walk("t1", delete_visit, &run, err, sizeof(err));
	ok(r == -EBUSY,
	   "a bind of a same-fs directory onto a later directory stops the walk (got %d: %s)", r,
	   r ? err : "");
	snprintf(want, sizeof(want), "%s ", run.target);
	is_str(run.flagged, want, "the walk shows that directory as a mount point");
	ok(home_intact(), "nothing below the bind is deleted (home/alice/thesis is there)");
	unbind(&run);

	/* The bind made onto the directory the walk is entering, after its
	 * look at the name: only the check of the opened fd sees it. */
	make_tree("t2");
	memset(&run, 0, sizeof(run));
	run.tree = "t2", run.at = BIND_SELF, run.from = "home";
	r = walk("t2", delete_visit, &run, err, sizeof(err));
	ok(r == -EBUSY, "a bind appearing between the look and the open stops the walk (got %d)",
	   r);
	snprintf(want, sizeof(want),
		 "ROOT/%s: a mount appeared there while it was being walked; stopped", run.target);
	is_str(err, want, "and says where");
	ok(home_intact() && exists("home/alice"), "nothing below it is deleted");
	unbind(&run);

	/* A directory bound onto itself: same inode, same st_dev, another
	 * mount: still not entered. */
	make_tree("t3");
	memset(&run, 0, sizeof(run));
	run.tree = "t3", run.at = BIND_SELF;
	r = walk("t3", delete_visit, &run, err, sizeof(err));
	snprintf(want, sizeof(want), "t3/%s/f0", run.target);
	ok(r == -EBUSY, "a directory bound onto itself during the walk is not entered (got %d)", r);
	ok(exists(want), "and nothing below it is deleted");
	unbind(&run);

	/* A file bind: a mount point too, never unlinked through. */
	make_tree("t4");
	touch("t4/b/bound");
	bind("home/alice/thesis", "t4/b/bound");
	memset(&run, 0, sizeof(run));
	r = walk("t4", delete_visit, &run, err, sizeof(err));
	ok(r == -EBUSY && strstr(run.flagged, "b/bound "),
	   "a file bind is shown as a mount point (flagged: %s)", run.flagged);
	ok(home_intact(), "the bound file is intact");
	umount2(TOP "/t4/b/bound", MNT_DETACH);

	/* An untouched tree on the same tmpfs is walked and deleted whole. */
	make_tree("t5");
	memset(&run, 0, sizeof(run));
	r = walk("t5", delete_visit, &run, err, sizeof(err));
	ok(r == 0 && run.deleted == 42 && !exists("t5/a") && home_intact(),
	   "without mounts the walk deletes the tree (%d entries) and only it (%s)", run.deleted,
	   r ? err : "");

	umount2(TOP, MNT_DETACH);
	rmdir(TOP);
	return done_testing();
}
