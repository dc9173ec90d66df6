/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee_config_load_image (melee.conf + images.d/IMAGE.conf) answers as
 * the whole configuration does: over a directory layout with aliases
 * and users.conf, with an override drop-in or an alias in another file
 * (refused alike, with or without the record of melee-mounts' last full
 * read), and over every file of the fuzz-config corpus read as
 * melee.conf and as a drop-in. */
#include "melee-config.h"
#include "melee-util.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-config-fast.XXXXXX";
static char conf[600];

static void write_file(const char *name, const char *text, size_t len, mode_t mode)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) < 0) {
		perror(p);
		exit(99);
	}
	close(fd);
}

static void put(const char *name, const char *text)
{
	write_file(name, text, strlen(text), 0644);
}

static void drop(const char *name)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static bool strv_equal(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool str_equal(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Every field a caller reads. */
static bool image_equal(const struct melee_image *a, const struct melee_image *b)
{
	if (!a || !b)
		return a == b;
	return str_equal(a->name, b->name) && str_equal(a->path, b->path) &&
	       str_equal(a->description, b->description) &&
	       strv_equal(a->aliases, a->n_aliases, b->aliases, b->n_aliases) &&
	       a->personality == b->personality &&
	       strv_equal(a->allow_groups, a->n_allow_groups, b->allow_groups, b->n_allow_groups) &&
	       strv_equal(a->allow_users, a->n_allow_users, b->allow_users, b->n_allow_users) &&
	       str_equal(a->fstab, b->fstab) && a->accounts == b->accounts &&
	       a->nosuid == b->nosuid && a->separator == b->separator &&
	       str_equal(a->source, b->source) && a->writable == b->writable &&
	       a->writable_size == b->writable_size &&
	       str_equal(a->where, b->where) && str_equal(a->aliases_where, b->aliases_where);
}

struct outcome {
	int full_r, fast_r;
	bool same; /* same image (or none), or the same refusal */
	bool partial;
	char full_err[MELEE_ERRLEN], fast_err[MELEE_ERRLEN];
};

/* Looks `name` up both ways. */
static void both(const char *name, struct outcome *o)
{
	struct melee_config full, fast;

	o->full_r = melee_config_load(conf, getuid(), &full, o->full_err, sizeof(o->full_err));
	o->fast_r =
	    melee_config_load_image(conf, getuid(), name, &fast, o->fast_err, sizeof(o->fast_err));
	o->partial = fast.partial;
	if (o->full_r == 0 && o->fast_r == 0)
		o->same = image_equal(melee_config_find_image(&full, name),
				      melee_config_find_image(&fast, name)) &&
			  full.separator == fast.separator;
	else
		o->same = o->full_r == o->fast_r && strcmp(o->full_err, o->fast_err) == 0;
	melee_config_free(&full);
	melee_config_free(&fast);
}

static void same_answer(const char *name, bool want_partial, const char *what)
{
	struct outcome o;

	both(name, &o);
	ok(o.full_r == 0 && o.fast_r == 0 && o.same, "%s: '%s' found alike (%s / %s)", what, name,
	   o.full_err, o.fast_err);
	if (want_partial)
		ok(o.partial, "%s: '%s' read from melee.conf and its own drop-in only", what, name);
}

/* A line in another drop-in that claims b (a systemd-style override, an
 * alias b of another image, a second [image b]): the full read refuses
 * the configuration, so the lookup of b refuses too, with the same
 * file:line message; a lookup of an image the line is not about still
 * answers.  Expects b.conf and x.conf in place. */
static void test_claims(void)
{
	static const struct {
		const char *file, *text, *want, *what;
	} cases[] = {
		{"images.d/zz-lock.conf", "# site policy\n[image b]\nallow-users = root\n",
		 "images.d/zz-lock.conf:2: [image b] does not belong in zz-lock.conf (expected it "
		 "in images.d/b.conf or melee.conf: a drop-in defines only the image it is named "
		 "after, and never overrides another file)",
		 "an override [image b] in zz-lock.conf"},
		{"images.d/a-restrict.conf", "[image  b ]\n",
		 "images.d/a-restrict.conf:1: [image b] does not belong in a-restrict.conf",
		 "an override read before b.conf (a-restrict.conf)"},
		{"images.d/bee.conf", "[image bee]\n",
		 "images.d/b.conf:2: alias 'bee' of image 'b' is already the name or an alias of "
		 "image 'bee' (",
		 "an image named like b's alias (bee.conf)"},
		{"images.d/x.conf", "[image x]\ndescription = x\naliases = ex, b # b too\n",
		 "images.d/x.conf:3: alias 'b' of image 'x' is already the name or an alias of image "
		 "'b' (",
		 "an alias b in x.conf"},
	};
	struct outcome o;
	char want[MELEE_ERRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		bool is_x = strcmp(cases[i].file, "images.d/x.conf") == 0;

		put(cases[i].file, cases[i].text);
		snprintf(want, sizeof(want), "%s/%s", dir, cases[i].want);
		both("b", &o);
		ok(o.full_r < 0 && strncmp(o.full_err, want, strlen(want)) == 0,
		   "%s: the full read refuses it (%s)", cases[i].what, o.full_err);
		ok(o.fast_r < 0 && strcmp(o.fast_err, o.full_err) == 0,
		   "%s: the lookup of b refuses it alike (%s)", cases[i].what, o.fast_err);
		if (!is_x) {
			both("x", &o);
			ok(o.fast_r == 0, "%s: a lookup of x still answers (%s)", cases[i].what,
			   o.fast_err);
		}
		if (is_x)
			put(cases[i].file, "[image x]\n");
		else
			drop(cases[i].file);
	}
	both("b", &o);
	ok(o.full_r == 0 && o.fast_r == 0 && o.same, "without them, b is found alike again (%s)",
	   o.fast_err);
}

/* Rewrites a file without replacing it: the directory does not change. */
static void rewrite_in_place(const char *name, const char *text)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(p);
		exit(99);
	}
	close(fd);
}

/* A full read that succeeded, recorded in run/ (retried past the clock
 * tick of the last change, which melee_config_note_checked leaves). */
static bool full_read_recorded(const char *run)
{
	char p[700], err[MELEE_ERRLEN];
	struct stat st;

	snprintf(p, sizeof(p), "%s/images.d", dir);
	if (stat(p, &st) < 0)
		return false;
	snprintf(p, sizeof(p), "%s/config-checked-%llx-%llx", run, (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	for (int i = 0; i < 400; i++) {
		struct melee_config cfg;
		int r = melee_config_load(conf, getuid(), &cfg, err, sizeof(err));

		if (r == 0)
			r = melee_config_note_checked(&cfg, run, getuid(), err, sizeof(err));
		melee_config_free(&cfg);
		if (r < 0 || stat(p, &st) == 0)
			return r == 0;
		usleep(5000);
	}
	return false;
}

static int lookup_at(const char *run, const char *name, char *err, size_t errlen)
{
	struct melee_config cfg;
	int r = melee_config_load_image_at(conf, getuid(), name, run, &cfg, err, errlen);

	melee_config_free(&cfg);
	return r;
}

/* melee-mounts' record (melee-config-checked.c): while it matches
 * images.d, a lookup does not read the other drop-ins; a drop-in added
 * since, or a failed full read (which forgets the record), makes it read
 * them again.  Expects b.conf and x.conf in place. */
static void test_record(void)
{
	char run[600], want[MELEE_ERRLEN], err[MELEE_ERRLEN];

	snprintf(run, sizeof(run), "%s/run", dir);
	ok(full_read_recorded(run), "a full read that succeeded records images.d in %s", run);
	rewrite_in_place("images.d/x.conf", "[image x]\n[image b]\n");
	ok(lookup_at(run, "b", err, sizeof(err)) == 0,
	   "while the record holds, a lookup of b does not read x.conf (rewritten in place: "
	   "the directory did not change) (%s)", err);
	ok(!full_read_recorded(run), "the next full read refuses x.conf");
	melee_config_forget_checked(run, getuid());
	snprintf(want, sizeof(want), "%s/images.d/x.conf:2: [image b] does not belong in x.conf",
		 dir);
	ok(lookup_at(run, "b", err, sizeof(err)) == -EINVAL &&
	       strncmp(err, want, strlen(want)) == 0,
	   "and once it forgot the record, the lookup of b refuses too (%s)", err);
	rewrite_in_place("images.d/x.conf", "[image x]\n");
	ok(full_read_recorded(run), "x.conf mended: recorded again");
	ok(lookup_at(run, "b", err, sizeof(err)) == 0, "b answers (%s)", err);
	/* melee.conf is in the record too: an image added there whose alias
	 * is another drop-in's image clashes like a second drop-in would. */
	rewrite_in_place("melee.conf", "[melee]\nimages-dir = /srv/img\n[image m]\naliases = x\n");
	ok(lookup_at(run, "m", err, sizeof(err)) < 0 && strstr(err, "images.d/x.conf:1"),
	   "melee.conf changed in place after the record: the lookup of m reads the other "
	   "drop-ins and refuses it (%s)", err);
	ok(!full_read_recorded(run), "as the full read does");
	rewrite_in_place("melee.conf", "[melee]\nimages-dir = /srv/img\n");
	ok(full_read_recorded(run), "melee.conf mended: recorded again");
	put("images.d/b-restrict.conf", "[image b]\nallow-groups = physics\n");
	snprintf(want, sizeof(want),
		 "%s/images.d/b-restrict.conf:1: [image b] does not belong in b-restrict.conf", dir);
	ok(lookup_at(run, "b", err, sizeof(err)) == -EINVAL &&
	       strncmp(err, want, strlen(want)) == 0,
	   "a drop-in added after the record: the lookup reads it and refuses b (%s)", err);
	ok(!full_read_recorded(run), "the full read refuses it too");
	drop("images.d/b-restrict.conf");
	melee_config_forget_checked(run, getuid());
	ok(rmdir(run) == 0, "forget removes the record (%s is empty)", run);
}

static void test_layout(void)
{
	static const char *const names[] = {"a", "aye", "b",	  "bee",  "c",	    "x",
					    "y", "why", "nosuch", "../b", "b.conf", ""};
	char p[600], want[MELEE_ERRLEN];
	struct melee_config cfg;
	struct outcome o;
	char err[MELEE_ERRLEN];
	int r;

	snprintf(p, sizeof(p), "%s/images.d", dir);
	if (mkdir(p, 0755) < 0)
		exit(99);
	put("melee.conf", "[melee]\nimages-dir = /srv/img\nseparator = ~\ndefault-image = bee\n"
			  "[image a]\naliases = aye\npersonality = linux32\n");
	put("images.d/b.conf", "[image b]\naliases = bee\nallow-groups = physics, chem\n"
			       "allow-users = alice\ndescription = Bee\n");
	put("images.d/c.conf", "[image c]\npath = /opt/c/\nfstab = /etc/melee/fstab.c\n"
			       "accounts = none\nnosuid = yes\n");
	put("images.d/x.conf", "[image x]\n");
	put("images.d/y.conf", "[image y]\naliases = why\n");
	put("users.conf", "alice b\nbob why\n");
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		both(names[i], &o);
		ok(o.full_r == 0 && o.fast_r == 0 && o.same, "layout: '%s' answered alike",
		   names[i]);
	}
	same_answer("b", true, "own drop-in");
	same_answer("a", true, "in melee.conf");
	same_answer("aye", true, "alias in melee.conf");
	same_answer("bee", false, "alias in a drop-in (the full read)");

	/* An error in the file the lookup reads refuses it, with its line. */
	put("images.d/b.conf", "[image b]\npersonality = linux64\n");
	both("b", &o);
	snprintf(want, sizeof(want),
		 "%s/images.d/b.conf:2: personality must be linux or "
		 "linux32, got 'linux64'",
		 dir);
	ok(o.fast_r == -EINVAL && o.same, "a broken images.d/b.conf refuses b, as the full read");
	is_str(o.fast_err, want, "message: file:line of the broken drop-in");
	put("images.d/b.conf", "[image b]\naliases = bee\n");
	write_file("images.d/b.conf", "[image b]\n", 10, 0664);
	both("b", &o);
	ok(o.fast_r < 0 && o.same, "a group-writable images.d/b.conf refuses b (%s)", o.fast_err);
	put("images.d/b.conf", "[image b]\naliases = bee\n");
	put("melee.conf", "[melee]\nimages-dir = relative\n");
	both("b", &o);
	ok(o.fast_r == -EINVAL && o.same, "a broken melee.conf refuses b, as the full read (%s)",
	   o.fast_err);
	put("melee.conf", "[melee]\n[image b]\n");
	both("b", &o);
	ok(o.fast_r == -EEXIST && o.same &&
	       strstr(o.fast_err, "images.d/b.conf:1: image 'b' is "
				  "already defined at"),
	   "b in melee.conf and in images.d/b.conf: refused alike (%s)", o.fast_err);

	/* What the lookup does not parse: another broken drop-in, whose
	 * mistake is not about c. */
	put("melee.conf", "[melee]\nimages-dir = /srv/img\n");
	put("images.d/x.conf", "[image x]\nnosuch = 1\n");
	r = melee_config_load_image(conf, getuid(), "c", &cfg, err, sizeof(err));
	ok(r == 0 && cfg.partial && cfg.n_images == 1 && cfg.n_users == 0,
	   "c is found without parsing x.conf or users.conf (%s)", err);
	melee_config_free(&cfg);
	r = melee_config_load(conf, getuid(), &cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/images.d/x.conf:2: unknown key 'nosuch'", dir);
	ok(r == -EINVAL && strncmp(err, want, strlen(want)) == 0,
	   "the full read still names the broken file and line (%s)", err);
	melee_config_free(&cfg);
	r = melee_config_load_image(conf, getuid(), "x", &cfg, err, sizeof(err));
	ok(r == -EINVAL && strncmp(err, want, strlen(want)) == 0,
	   "x: its own broken drop-in refuses it, with the same line");
	melee_config_free(&cfg);
	put("images.d/x.conf", "[image x]\n");
	test_claims();
	test_record();
	drop("images.d/x.conf");
	drop("images.d/y.conf");
	drop("users.conf");
	drop("images.d/b.conf");
	drop("images.d/c.conf");
}

/* The corpus file `path` (NAME in messages) as melee.conf, then as the
 * drop-in images.d/q.conf after the fuzzer's melee.conf; each image name
 * and alias of the full read, and a few others, looked up both ways. */
static void check_corpus_file(const char *path, const char *name, unsigned *cases, unsigned *bad)
{
	static const char base[] = "[melee]\nimages-dir = /image\ndefault-image = sl6\n"
				   "[image sl6]\naliases = sl63, sci6\n";
	cleanup_free char *text = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || melee_read_fd_bytes(fd, MELEE_CONFIG_MAX_SIZE * 2, &text, &len) < 0) {
		if (fd >= 0)
			close(fd);
		ok(0, "corpus %s: cannot read", name);
		return;
	}
	close(fd);
	for (int layout = 0; layout < 2; layout++) {
		struct melee_config full;
		char err[MELEE_ERRLEN];
		const char *probe[] = {"sl6", "sl63", "q", "nosuch"};

		if (layout == 0) {
			write_file("melee.conf", text, len, 0644);
			drop("images.d/q.conf");
		} else {
			put("melee.conf", base);
			write_file("images.d/q.conf", text, len, 0644);
		}
		if (melee_config_load(conf, getuid(), &full, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < full.n_images; i++) {
				const struct melee_image *im = &full.images[i];
				struct outcome o;

				for (size_t a = 0; a <= im->n_aliases; a++) {
					both(a ? im->aliases[a - 1] : im->name, &o);
					(*cases)++;
					*bad += !(o.fast_r == 0 && o.same);
				}
			}
		}
		melee_config_free(&full);
		for (size_t i = 0; i < sizeof(probe) / sizeof(*probe); i++) {
			struct outcome o;

			both(probe[i], &o);
			(*cases)++;
			/* Never a refusal the full read does not make (its
			 * message may name an earlier line of the file: the
			 * lookup reads another file only for lines about its
			 * image), never another image; and a broken q.conf
			 * refuses q alike. */
			if (layout == 1 && !strcmp(probe[i], "q"))
				*bad += !o.same;
			else if (o.fast_r < 0)
				*bad += o.full_r == 0;
			else if (o.full_r == 0)
				*bad += !o.same;
		}
	}
}

static void test_corpus(void)
{
	const char *src = getenv("top_srcdir");
	char cdir[600], path[1200];
	struct dirent **list = NULL;
	unsigned cases = 0, bad = 0;
	int n;

	snprintf(cdir, sizeof(cdir), "%s/tests/fuzz/corpus/fuzz-config", src ? src : ".");
	n = scandir(cdir, &list, NULL, alphasort);
	ok(n > 40, "the fuzz-config corpus is there (%d files in %s)", n, cdir);
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			unsigned before = bad;

			snprintf(path, sizeof(path), "%s/%s", cdir, list[i]->d_name);
			check_corpus_file(path, list[i]->d_name, &cases, &bad);
			if (bad != before)
				printf("# corpus %s: %u lookups differ\n", list[i]->d_name,
				       bad - before);
		}
		free(list[i]);
	}
	free(list);
	ok(cases > 200 && bad == 0, "corpus: %u lookups, %u answered differently", cases, bad);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 99;
	snprintf(conf, sizeof(conf), "%s/melee.conf", dir);
	test_layout();
	test_corpus();
	drop("melee.conf");
	drop("images.d/q.conf");
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/images.d", dir);
		rmdir(p);
	}
	rmdir(dir);
	return done_testing();
}
