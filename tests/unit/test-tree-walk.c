/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree_walk(), the walk melee-image deletes and scans with: every entry
 * once, symlinks never followed, a directory swapped or moved during the
 * walk stops it (nothing outside the tree is touched), a tree deeper than
 * TREE_MAX_DEPTH is refused.  On a tree the test builds under /tmp. */
#include "image-tree.h"
#include "melee-util.h"
#include "tap.h"
#include "walk-fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-walk.XXXXXX";

struct seen {
	char log[4096];
	const char *trigger; /* path at which `act` runs */
	void (*act)(void);
	bool delete;
};

static int visit(const struct tree_entry *e, bool after, void *data, char *err, size_t errlen)
{
	struct seen *s = data;
	size_t used = strlen(s->log);

	snprintf(s->log + used, sizeof(s->log) - used, "%s%s%s ", after ? "<" : "", e->path,
		 S_ISLNK(e->st->st_mode)   ? "@"
		 : S_ISDIR(e->st->st_mode) ? "/"
					   : "");
	if (!after && s->trigger && strcmp(e->path, s->trigger) == 0)
		s->act();
	if (s->delete &&(after || !S_ISDIR(e->st->st_mode)) &&
	    unlinkat(e->dirfd, e->name, after ? AT_REMOVEDIR : 0) < 0)
		return melee_fail(err, errlen, -errno, "unlink %s: %s", e->path, strerror(errno));
	return 0;
}

static int walk(const char *rel, struct seen *s, char *err, size_t errlen)
{
	int fd = openat(base, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0) {
		perror(rel);
		exit(99);
	}
	r = tree_walk(fd, "ROOT", visit, s, err, errlen);
	close(fd);
	return r;
}

/* Moves the directory being walked out of the tree, next to a file that
 * must survive: coming back up through ".." would land beside it. */
static void move_out(void)
{
	if (renameat(base, "t2/a/b", base, "outside/b") < 0)
		perror("move_out");
}

/* Swaps a directory for another between the walk's lstat and its open. */
static void swap_dir(void)
{
	if (renameat(base, "t3/x", base, "t3-x.old") < 0 || mkdirat(base, "t3/x", 0755) < 0)
		perror("swap_dir");
}

int main(void)
{
	char err[MELEE_ERRLEN];
	struct seen s;
	int r;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	base = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* Every entry once, directories again after their contents, and a
	 * symlink to a directory outside is not followed. */
	mk("t1"), mk("t1/a"), mk("t1/a/b"), touch("t1/a/b/f"), mk("outside1"), touch("outside1/o");
	if (symlinkat("../outside1", base, "t1/a/link") < 0)
		return 99;
	memset(&s, 0, sizeof(s));
	r = walk("t1", &s, err, sizeof(err));
	ok(r == 0, "a small tree is walked (%s)", r ? err : "");
	ok(strstr(s.log, "a/b/f ") && strstr(s.log, "a/link@ ") && strstr(s.log, "<a/b/ ") &&
	       strstr(s.log, "<a/ "),
	   "every entry once, each directory again after its contents: %s", s.log);
	ok(!strstr(s.log, "a/link/o"), "the symlink to a directory is not followed");
	memset(&s, 0, sizeof(s));
	s.delete = true;
	r = walk("t1", &s, err, sizeof(err));
	ok(r == 0 && !exists("t1/a") && exists("t1") && exists("outside1/o"),
	   "deleting empties the tree and nothing the symlink points to (%s)", r ? err : "");

	/* The tree is moved while we are in it: ".." is no longer the
	 * directory we came down from, and the walk stops there. */
	mk("t2"), mk("t2/a"), mk("t2/a/b"), mk("t2/a/b/c"), touch("t2/a/b/c/f");
	mk("outside"), touch("outside/keep");
	memset(&s, 0, sizeof(s));
	s.trigger = "a/b/c/f", s.act = move_out, s.delete = true;
	r = walk("t2", &s, err, sizeof(err));
	ok(r == -ESTALE, "a directory moved out during the walk stops it (got %d)", r);
	is_str(err, "ROOT/a/b: was moved while it was being walked; stopped", "and says where");
	ok(exists("outside/keep"), "nothing beside where it was moved to is deleted");

	/* A directory swapped between the lstat and the open. */
	mk("t3"), mk("t3/x"), touch("t3/x/f");
	memset(&s, 0, sizeof(s));
	s.trigger = "x", s.act = swap_dir;
	r = walk("t3", &s, err, sizeof(err));
	ok(r == -ESTALE, "a directory swapped before it is entered stops the walk (got %d)", r);
	is_str(err, "ROOT/x: changed while it was being walked; stopped", "and says where");

	/* Deeper than the cap: refused, not walked. */
	{
		int fd = openat(base, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		mk("t4");
		for (int i = 0; i <= TREE_MAX_DEPTH && fd >= 0; i++) {
			int next;

			mkdirat(fd, i ? "d" : "t4/d", 0755);
			next = openat(fd, i ? "d" : "t4/d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			close(fd);
			fd = next;
		}
		if (fd >= 0)
			close(fd);
		memset(&s, 0, sizeof(s));
		s.delete = true;
		r = walk("t4", &s, err, sizeof(err));
		ok(r == -ELOOP, "a tree of %d levels is refused (got %d)", TREE_MAX_DEPTH + 1, r);
		ok(strstr(err, "more than 4096 directories deep; refusing to walk it") != NULL,
		   "with a message: %.80s...", err);
	}
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return done_testing();
}
