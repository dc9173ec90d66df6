/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee.conf, images.d and users.conf parsing: good files, and bad ones
 * checked for their exact file:line message. */
#include "melee-config.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/melee-unit-config.XXXXXX";

static void write_file(const char *name, const char *text, mode_t mode)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(p);
		exit(99);
	}
	fchmod(fd, mode);
	close(fd);
}

/* Parses text as melee.conf (and finishes); returns the error message. */
static int parse_main(const char *text, struct melee_config *cfg, char *err, size_t len)
{
	char p[512];
	int fd, r;

	write_file("melee.conf", text, 0644);
	snprintf(p, sizeof(p), "%s/melee.conf", dir);
	fd = open(p, O_RDONLY);
	melee_config_init(cfg);
	err[0] = '\0';
	r = melee_config_parse_fd(fd, "melee.conf", false, cfg, err, len);
	close(fd);
	if (r == 0)
		r = melee_config_finish(cfg, err, len);
	return r;
}

static void bad(const char *text, const char *want, const char *what)
{
	struct melee_config cfg;
	char err[MELEE_ERRLEN];
	int r = parse_main(text, &cfg, err, sizeof(err));

	ok(r < 0, "refused: %s", what);
	is_str(err, want, "message: %s", what);
	melee_config_free(&cfg);
}

static void test_good(void)
{
	struct melee_config cfg;
	char err[MELEE_ERRLEN] = "";
	const struct melee_image *im;
	int r;

	r = parse_main("# comment\n"
		       "; another\n"
		       "[melee]\n"
		       "images-dir = /image/   # trailing comment\n"
		       "separator = %\n"
		       "default-image = sl63\n"
		       "user-choice = no\n"
		       "auto-up = yes\n"
		       "gpu-libraries = libnvidia-extra*, libfoo?.so.1\n"
		       "\n"
		       "[image sl6]\n"
		       "path = /image/sl63\n"
		       "description = Scientific Linux 6.3 # SL\n"
		       "aliases = sl63, sci6\n"
		       "personality = linux32\n"
		       "allow-groups = physics chem\n"
		       "allow-users = alice\n"
		       "fstab = /etc/melee/fstab.sl6\n"
		       "accounts = bind\n"
		       "nosuid = yes\n"
		       "gpu = nvidia\n"
		       "[ image trixie ]\n",
		       &cfg, err, sizeof(err));
	ok(r == 0, "a full melee.conf parses (%s)", err);
	is_str(cfg.images_dir, "/image", "images-dir loses its trailing slash");
	ok(cfg.separator == '%', "separator read");
	ok(!cfg.user_choice, "user-choice = no");
	ok(cfg.auto_up, "auto-up = yes");
	ok(cfg.n_images == 2, "two images");
	im = melee_config_find_image(&cfg, "sl6");
	ok(im && strcmp(im->path, "/image/sl63") == 0, "explicit path kept");
	ok(im && strcmp(im->description, "Scientific Linux 6.3") == 0, "description without comment");
	ok(im && im->personality == MELEE_PERSONALITY_LINUX32, "personality linux32");
	ok(im && im->accounts == MELEE_ACCOUNTS_BIND, "accounts bind");
	ok(im && im->nosuid, "nosuid = yes");
	ok(im && im->gpu == MELEE_GPU_NVIDIA, "gpu = nvidia");
	ok(cfg.n_gpu_libraries == 2 && strcmp(cfg.gpu_libraries[1], "libfoo?.so.1") == 0 &&
	       im && im->gpu_libraries == cfg.gpu_libraries,
	   "gpu-libraries: two patterns, seen by the images");
	ok(im && im->n_allow_groups == 2 && strcmp(im->allow_groups[1], "chem") == 0,
	   "allow-groups split on blanks");
	ok(im && strcmp(im->fstab, "/etc/melee/fstab.sl6") == 0, "per-image fstab");
	ok(melee_config_find_image(&cfg, "sl63") == im, "alias sl63 resolves to sl6");
	ok(melee_config_find_image(&cfg, "sci6") == im, "alias sci6 resolves to sl6");
	ok(melee_config_find_image(&cfg, "sl7") == NULL, "unknown name: none");
	ok(melee_config_find_image(&cfg, "../sl6") == NULL, "a path is never a name");
	im = melee_config_find_image(&cfg, "trixie");
	ok(im && strcmp(im->path, "/image/trixie") == 0, "default path is images-dir/NAME");
	ok(im && strcmp(im->description, "trixie") == 0, "default description is the name");
	ok(im && im->accounts == MELEE_ACCOUNTS_MERGE, "default accounts = merge");
	ok(im && im->personality == MELEE_PERSONALITY_LINUX, "default personality linux");
	ok(im && !im->nosuid, "default nosuid = no");
	ok(im && im->gpu == MELEE_GPU_NONE, "default gpu = none");
	ok(im && strcmp(im->fstab, SYSCONFDIR "/melee/fstab") == 0, "default fstab");
	is_str(cfg.default_image, "sl63", "default-image may be an alias");
	melee_config_free(&cfg);

	r = parse_main("[image f]\n"
		       "source = /srv/images/f.sqsh/\n"
		       "[image g]\n"
		       "source = /srv/images/g.sqsh\n"
		       "writable = tmpfs:512M\n"
		       "[image h]\n"
		       "source = /srv/images/h.sqsh\n"
		       "path = /mnt/h\n"
		       "writable = tmpfs\n"
		       "[image k]\n"
		       "source = /srv/k\n"
		       "writable = tmpfs:2g\n"
		       "[image n]\n"
		       "source = /srv/n\n"
		       "writable = no\n"
		       "[image t]\n",
		       &cfg, err, sizeof(err));
	ok(r == 0, "file images parse (%s)", err);
	im = melee_config_find_image(&cfg, "f");
	ok(im && im->source && strcmp(im->source, "/srv/images/f.sqsh") == 0,
	   "source kept, trailing slash dropped");
	ok(im && strcmp(im->path, "/image/f") == 0, "a file image is mounted on images-dir/NAME");
	ok(im && im->writable == MELEE_WRITABLE_NO && im->writable_size == 0,
	   "default writable = no");
	im = melee_config_find_image(&cfg, "g");
	ok(im && im->writable == MELEE_WRITABLE_TMPFS && im->writable_size == 512ULL << 20,
	   "writable = tmpfs:512M is 512 MiB");
	im = melee_config_find_image(&cfg, "h");
	ok(im && im->writable == MELEE_WRITABLE_TMPFS && im->writable_size == 0 &&
		   strcmp(im->path, "/mnt/h") == 0,
	   "writable = tmpfs without a size, explicit path");
	im = melee_config_find_image(&cfg, "k");
	ok(im && im->writable_size == 2ULL << 30, "writable = tmpfs:2g is 2 GiB");
	im = melee_config_find_image(&cfg, "n");
	ok(im && im->writable == MELEE_WRITABLE_NO, "writable = no");
	im = melee_config_find_image(&cfg, "t");
	ok(im && im->source == NULL, "no source: a tree image");
	melee_config_free(&cfg);

	r = parse_main("", &cfg, err, sizeof(err));
	ok(r == 0 && cfg.n_images == 0 && cfg.separator == '+' && cfg.user_choice &&
		   !cfg.auto_up && strcmp(cfg.images_dir, "/image") == 0,
	   "an empty file gives the defaults");
	melee_config_free(&cfg);

}

static void test_bad(void)
{
	bad("[melee\n", "melee.conf:1: malformed section header '[melee' (expected '[melee]' or '[image NAME]')",
	    "unterminated header");
	bad("[melee] x\n", "melee.conf:1: malformed section header '[melee] x' (expected '[melee]' or '[image NAME]')",
	    "text after header");
	bad("\n[global]\n", "melee.conf:2: unknown section '[global]' (expected '[melee]' or '[image NAME]')",
	    "unknown section");
	bad("[image]\n", "melee.conf:1: [image] needs a name (expected '[image NAME]')", "nameless image");
	bad("[image ../x]\n", "melee.conf:1: invalid image name '../x' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})",
	    "path as image name");
	bad("[image a]\n[image a]\n", "melee.conf:2: image 'a' is already defined at melee.conf:1",
	    "duplicate image");
	bad("images-dir = /x\n", "melee.conf:1: key 'images-dir' outside of a section (expected a '[melee]' or '[image NAME]' header first)",
	    "key before any section");
	bad("[melee]\nimages-dir\n", "melee.conf:2: expected 'key = value', a '[section]' header or a comment, got 'images-dir'",
	    "line without '='");
	bad("[melee]\n = x\n", "melee.conf:2: missing key before '='", "empty key");
	bad("[melee]\nimage-dir = /x\n", "melee.conf:2: unknown key 'image-dir' in [melee] (expected one of: images-dir, separator, default-image, user-choice, auto-up, export-mime-types, gpu-libraries)",
	    "unknown key in [melee]");
	bad("[image a]\npth = /x\n", "melee.conf:2: unknown key 'pth' in [image a] (expected one of: path, description, aliases, personality, allow-groups, allow-users, fstab, accounts, nosuid, source, writable, gpu)",
	    "unknown key in [image]");
	bad("[melee]\nimages-dir = image\n", "melee.conf:2: images-dir must be an absolute path without empty, '.' or '..' components, got 'image'",
	    "relative images-dir");
	bad("[melee]\nseparator = :\n", "melee.conf:2: separator must be one of the characters '+~%^=', got ':'",
	    "':' as separator");
	bad("[melee]\nseparator = ++\n", "melee.conf:2: separator must be one of the characters '+~%^=', got '++'",
	    "two-character separator");
	bad("[melee]\nimages-dir = /\n", "melee.conf:2: images-dir must not be '/' (expected a directory of its own, such as /image)",
	    "images-dir = / (an image 'usr' would be the host's /usr)");
	bad("[melee]\nimages-dir = /a//b\n", "melee.conf:2: images-dir must be an absolute path without empty, '.' or '..' components, got '/a//b'",
	    "images-dir with an empty component");
	bad("[melee]\nseparator = ,\n", "melee.conf:2: separator must be one of the characters '+~%^=', got ','",
	    "',' as separator (it would split a group's member list)");
	bad("[melee]\nseparator = @\n", "melee.conf:2: separator must be one of the characters '+~%^=', got '@'",
	    "'@' as separator (sssd's user@domain names)");
	bad("[melee]\nimages-dir = /a\n[image x]\n[melee]\nimages-dir = /b\n",
	    "melee.conf:4: a second [melee] section (the first is at line 1; expected one)",
	    "a second [melee] section");
	bad("[melee]\nuser-choice = maybe\n", "melee.conf:2: user-choice must be yes or no, got 'maybe'",
	    "user-choice not boolean");
	bad("[melee]\nauto-up = sometimes\n", "melee.conf:2: auto-up must be yes or no, got 'sometimes'",
	    "auto-up not boolean");
	bad("[melee]\ndefault-image = nosuch\n", "melee.conf:2: default-image 'nosuch' is not a configured image",
	    "unknown default-image");
	bad("[melee]\ndefault-image = a/b\n", "melee.conf:2: invalid image name 'a/b' for default-image (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})",
	    "invalid default-image");
	bad("[image a]\npath = /image/../etc\n", "melee.conf:2: path must be an absolute path without empty, '.' or '..' components, got '/image/../etc'",
	    "path with ..");
	bad("[image a]\npath = //\n", "melee.conf:2: path must not be '/': the host itself is not an image",
	    "the host's root as an image");
	bad("[image a]\npersonality = linux64\n", "melee.conf:2: personality must be linux or linux32, got 'linux64'",
	    "bad personality");
	bad("[image a]\naccounts = copy\n", "melee.conf:2: accounts must be merge, bind or none, got 'copy'",
	    "bad accounts");
	bad("[image a]\nnosuid = maybe\n", "melee.conf:2: nosuid must be yes or no, got 'maybe'",
	    "nosuid not boolean");
	bad("[image a]\ngpu = amd\n", "melee.conf:2: gpu must be none or nvidia, got 'amd'",
	    "gpu neither none nor nvidia");
	bad("[melee]\ngpu-libraries = libok*, ../libx.so\n",
	    "melee.conf:2: gpu-libraries: invalid soname pattern '../libx.so' (expected lib followed by [A-Za-z0-9._+-*?], such as libnvidia-foo*)",
	    "gpu-libraries with a path");
	bad("[melee]\ngpu-libraries = cuda*\n",
	    "melee.conf:2: gpu-libraries: invalid soname pattern 'cuda*' (expected lib followed by [A-Za-z0-9._+-*?], such as libnvidia-foo*)",
	    "gpu-libraries pattern not starting with lib");
	bad("[image host]\npath = /image/host\n", "melee.conf:1: 'host' cannot name an image: it means the host itself",
	    "an image named host");
	bad("[image lock]\npath = /image/lock\n",
	    "melee.conf:1: 'lock' cannot name an image: melee-mounts keeps its lock as /run/melee/lock, where the image's own directory would be",
	    "an image named lock");
	bad("[image gpu]\npath = /image/gpu\n",
	    "melee.conf:1: 'gpu' cannot name an image: melee-mounts keeps the GPU driver files of every image in /run/melee/gpu, where the image's own directory would be",
	    "an image named gpu");
	bad("[image config-checked-1-2]\npath = /image/x\n",
	    "melee.conf:1: 'config-checked-1-2' cannot name an image: melee-mounts keeps its records of checked configurations as /run/melee/config-checked-*",
	    "an image named like a checked-configuration record");
	bad("[image a]\naliases = sl, host\n", "melee.conf:2: 'host' cannot be an alias: it means the host itself",
	    "an alias named host");
	bad("[image a]\naliases = good, bad/one\n", "melee.conf:2: invalid alias 'bad/one' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})",
	    "invalid alias");
	bad("[image a]\naliases = x\n[image b]\naliases = x\n",
	    "melee.conf:4: alias 'x' of image 'b' is already the name or an alias of image 'a' (melee.conf:1)",
	    "alias used twice");
	bad("[image a]\n[image b]\naliases = a\n",
	    "melee.conf:3: alias 'a' of image 'b' is already the name or an alias of image 'a' (melee.conf:1)",
	    "alias equal to another image's name");
	/* The names are indexed as they are read: a later image's name
	 * counts too, and so does the image's own. */
	bad("[image a]\naliases = c\n[image c]\n",
	    "melee.conf:2: alias 'c' of image 'a' is already the name or an alias of image 'c' (melee.conf:3)",
	    "alias equal to a later image's name");
	bad("[image a]\naliases = a\n",
	    "melee.conf:2: alias 'a' of image 'a' is already the name or an alias of image 'a' (melee.conf:1)",
	    "alias equal to the image's own name");
	bad("[image a]\npath = /x\npath = /y\n", "melee.conf:3: duplicate key 'path' (first set at line 2)",
	    "duplicate key");
	bad("[image a]\nallow-groups = ok bad:grp\n", "melee.conf:2: invalid group name 'bad:grp' in allow-groups",
	    "bad group name");
	bad("[image a]\nsource = img.sqsh\n", "melee.conf:2: source must be an absolute path without empty, '.' or '..' components, got 'img.sqsh'",
	    "relative source");
	bad("[image a]\nsource = /srv/../etc/x\n", "melee.conf:2: source must be an absolute path without empty, '.' or '..' components, got '/srv/../etc/x'",
	    "source with ..");
	bad("[image a]\nsource = /srv//a.sqsh\n", "melee.conf:2: source must be an absolute path without empty, '.' or '..' components, got '/srv//a.sqsh'",
	    "source with an empty component");
	bad("[image a]\nsource = /\n", "melee.conf:2: source must not be '/': the host itself is not an image",
	    "source = /");
	bad("[image a]\nsource = /s/a\nwritable = yes\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'yes'",
	    "writable = yes");
	bad("[image a]\nsource = /s/a\nwritable = tmpfs:\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'tmpfs:'",
	    "writable = tmpfs: without a size");
	bad("[image a]\nsource = /s/a\nwritable = tmpfs:0\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'tmpfs:0'",
	    "writable = tmpfs:0");
	bad("[image a]\nsource = /s/a\nwritable = tmpfs:12X\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'tmpfs:12X'",
	    "writable = tmpfs:12X (unknown unit)");
	bad("[image a]\nsource = /s/a\nwritable = tmpfs:50%\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'tmpfs:50%'",
	    "writable = tmpfs:50% (a share of RAM is not a size)");
	bad("[image a]\nsource = /s/a\nwritable = tmpfs:99999999999999999999\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'tmpfs:99999999999999999999'",
	    "writable = tmpfs:SIZE that overflows");
	bad("[image a]\nsource = /s/a\nwritable = tmpfs:17179869184G\n", "melee.conf:3: writable must be no, tmpfs or tmpfs:SIZE (SIZE a positive number with an optional K, M, G or T, such as 512M), got 'tmpfs:17179869184G'",
	    "writable = tmpfs:SIZE whose unit overflows");
	bad("\n[image a]\nwritable = tmpfs\n", "melee.conf:2: image 'a': writable = tmpfs needs source = FILE (a tree image is written in place)",
	    "writable = tmpfs on a tree image");
	bad("[image a]\nsource = /s/a\nsource = /s/b\n", "melee.conf:3: duplicate key 'source' (first set at line 2)",
	    "duplicate source");
	bad("[image a]\nfstab = fstab\n", "melee.conf:2: fstab must be an absolute path, got 'fstab'",
	    "relative fstab");
	{
		char longline[5000];
		memset(longline, 'x', sizeof(longline) - 2);
		longline[sizeof(longline) - 2] = '\n';
		longline[sizeof(longline) - 1] = '\0';
		bad(longline, "melee.conf:1: line longer than 4096 characters", "over-long line");
	}
	{
		struct melee_config cfg;
		char err[MELEE_ERRLEN] = "";
		char p[512];
		int fd, r;

		write_file("nul.conf", "[melee]\n", 0644);
		snprintf(p, sizeof(p), "%s/nul.conf", dir);
		fd = open(p, O_WRONLY | O_APPEND);
		if (write(fd, "x\0y\n", 4) != 4)
			exit(99);
		close(fd);
		fd = open(p, O_RDONLY);
		melee_config_init(&cfg);
		r = melee_config_parse_fd(fd, "nul.conf", false, &cfg, err, sizeof(err));
		close(fd);
		ok(r < 0, "refused: NUL byte");
		is_str(err, "nul.conf: contains a NUL byte (expected a text file)", "message: NUL byte");
		melee_config_free(&cfg);
	}
}

static int load(struct melee_config *cfg, char *err, size_t len)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/melee.conf", dir);
	err[0] = '\0';
	return melee_config_load(p, getuid(), cfg, err, len);
}

static void test_load(void)
{
	struct melee_config cfg;
	char err[MELEE_ERRLEN], want[MELEE_ERRLEN], p[512];
	const struct melee_image *im;
	int r;

	snprintf(p, sizeof(p), "%s/images.d", dir);
	mkdir(p, 0755);
	write_file("melee.conf", "[melee]\nimages-dir = /srv/img\n[image a]\n", 0644);
	write_file("images.d/b.conf", "[image b]\naliases = bee\n", 0644);
	write_file("images.d/c.conf", "[image c]\n", 0644);
	write_file("images.d/ignored.txt", "garbage\n", 0644);
	write_file("images.d/.hidden.conf", "garbage\n", 0644);
	write_file("users.conf", "# who goes where\nalice b\nbob bee\n", 0644);
	r = load(&cfg, err, sizeof(err));
	ok(r == 0, "melee.conf + images.d + users.conf load (%s)", err);
	ok(cfg.n_images == 3, "three images (a, then b and c from images.d)");
	im = melee_config_find_image(&cfg, "bee");
	ok(im && strcmp(im->name, "b") == 0 && strcmp(im->path, "/srv/img/b") == 0,
	   "drop-in image with alias and images-dir path");
	ok(cfg.n_users == 2 && strcmp(cfg.users[1].image, "bee") == 0, "users.conf read");
	snprintf(want, sizeof(want), "%s/fstab", dir);
	im = melee_config_find_image(&cfg, "a");
	is_str(im ? im->fstab : NULL, want, "fstab defaults to the config's directory");
	melee_config_free(&cfg);

	write_file("images.d/d.conf", "[melee]\n", 0644);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "%s/images.d/d.conf:1: [melee] belongs in melee.conf, not in a drop-in (expected '[image NAME]')",
		 dir);
	ok(r < 0, "refused: [melee] in a drop-in");
	is_str(err, want, "message: [melee] in a drop-in");
	melee_config_free(&cfg);

	write_file("images.d/d.conf", "[image d]\n[image a]\n", 0644);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "%s/images.d/d.conf:2: [image a] does not belong in d.conf (expected it in "
		 "images.d/a.conf or melee.conf: a drop-in defines only the image it is named "
		 "after, and never overrides another file)",
		 dir);
	ok(r < 0, "refused: a drop-in defines an image it is not named after");
	is_str(err, want, "message: the drop-in's line and where the image belongs");
	melee_config_free(&cfg);
	snprintf(p, sizeof(p), "%s/images.d/d.conf", dir);
	unlink(p);

	write_file("images.d/a.conf", "[image a]\n", 0644);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/images.d/a.conf:1: image 'a' is already defined at %s/melee.conf:3",
		 dir, dir);
	ok(r < 0, "refused: drop-in redefines an image");
	is_str(err, want, "message: image defined in two files");
	melee_config_free(&cfg);
	snprintf(p, sizeof(p), "%s/images.d/a.conf", dir);
	unlink(p);

	write_file("users.conf", "alice b\nalice c\n", 0644);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/users.conf:2: user 'alice' already has an image at %s/users.conf:1",
		 dir, dir);
	ok(r < 0, "refused: user twice in users.conf");
	is_str(err, want, "message: user twice");
	melee_config_free(&cfg);

	write_file("users.conf", "alice\n", 0644);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/users.conf:1: expected 'USER IMAGE'", dir);
	ok(r < 0, "refused: users.conf line without image");
	is_str(err, want, "message: users.conf field count");
	melee_config_free(&cfg);

	write_file("users.conf", "\n\nalice nosuch\n", 0644);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/users.conf:3: image 'nosuch' for user 'alice' is not a configured image",
		 dir);
	ok(r < 0, "refused: users.conf names an unknown image");
	is_str(err, want, "message: users.conf unknown image");
	melee_config_free(&cfg);
	write_file("users.conf", "alice b\n", 0644);

	write_file("images.d/c.conf", "[image c]\n", 0664);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/images.d/c.conf: group- or world-writable (mode 0664), refused",
		 dir);
	ok(r < 0, "refused: group-writable drop-in");
	is_str(err, want, "message: group-writable drop-in");
	melee_config_free(&cfg);
	write_file("images.d/c.conf", "[image c]\n", 0644);

	snprintf(p, sizeof(p), "%s/melee.conf", dir);
	chmod(p, 0646);
	r = load(&cfg, err, sizeof(err));
	snprintf(want, sizeof(want), "%s/melee.conf: group- or world-writable (mode 0646), refused", dir);
	ok(r < 0, "refused: world-writable melee.conf");
	is_str(err, want, "message: world-writable melee.conf");
	melee_config_free(&cfg);
	chmod(p, 0644);

	{
		char link[600];
		snprintf(link, sizeof(link), "%s/link.conf", dir);
		if (symlink(p, link) < 0) {
			perror(link);
			exit(99);
		}
		err[0] = '\0';
		r = melee_config_load(link, getuid(), &cfg, err, sizeof(err));
		snprintf(want, sizeof(want), "%s: is a symlink (refused)", link);
		ok(r < 0, "refused: melee.conf is a symlink");
		is_str(err, want, "message: symlinked config");
		melee_config_free(&cfg);
	}

	r = melee_config_load(p, getuid() + 1, &cfg, err, sizeof(err));
	ok(r == -EPERM && strstr(err, "owned by uid") && strstr(err, "(refused)"),
	   "refused: config not owned by the trusted owner (%s)", err);
	melee_config_free(&cfg);

	r = melee_config_load("relative/melee.conf", getuid(), &cfg, err, sizeof(err));
	is_str(err, "relative/melee.conf: the configuration path must be absolute",
	       "refused: relative config path");
	melee_config_free(&cfg);
}

static void test_names(void)
{
	char big[10240];

	ok(melee_name_valid("sl6"), "sl6 is a name");
	ok(melee_name_valid("trixie-2.0_x"), "dots, dashes, underscores inside");
	ok(melee_name_valid("A"), "one character");
	ok(!melee_name_valid(""), "empty refused");
	ok(!melee_name_valid(NULL), "NULL refused");
	ok(!melee_name_valid(".hidden"), "leading dot refused");
	ok(!melee_name_valid("-x"), "leading dash refused");
	ok(!melee_name_valid("../x"), "../x refused");
	ok(!melee_name_valid("/etc"), "/etc refused");
	ok(!melee_name_valid("a/b"), "slash refused");
	ok(!melee_name_valid("a b"), "space refused");
	ok(!melee_name_valid("a+b"), "separator refused");
	ok(!melee_name_valid("a\nb"), "newline refused");
	memset(big, 'a', 64);
	big[64] = '\0';
	ok(melee_name_valid(big), "64 characters accepted");
	big[64] = 'a';
	big[65] = '\0';
	ok(!melee_name_valid(big), "65 characters refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(!melee_name_valid(big), "10 kB name refused");
}

/* melee_read_fd's cap: a file of exactly max bytes is read, one more is
 * too big, also for a max below its first buffer. */
static void test_read_cap(void)
{
	static const size_t sizes[][2] = { { 10, 10 }, { 11, 10 }, { 8192, 8192 }, { 8193, 8192 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i][0], max = sizes[i][1], got = 0;
		char *text = malloc(len + 1), *out = NULL, p[512];
		int fd, r;

		memset(text, 'x', len);
		text[len] = '\0';
		write_file("cap", text, 0644);
		snprintf(p, sizeof(p), "%s/cap", dir);
		fd = open(p, O_RDONLY);
		r = melee_read_fd(fd, max, &out, &got);
		close(fd);
		if (len <= max)
			ok(r == 0 && got == len, "a %zu-byte file with max %zu is read (r=%d)", len, max, r);
		else
			ok(r == -EFBIG, "a %zu-byte file with max %zu is too big (r=%d)", len, max, r);
		free(out);
		free(text);
	}
}

/* melee_shown: printable, cut with "...", a name of the maximum length
 * kept whole. */
static void test_shown(void)
{
	char buf[69], name[65];

	memset(name, 'n', 64);
	name[64] = '\0';
	is_str(melee_shown(name, 64, buf, sizeof(buf)), name, "a 64-byte name is kept whole");
	is_str(melee_shown("a\nb\x1b\x7f\xc3", 64, buf, sizeof(buf)), "a?b???",
	       "control, DEL and non-ASCII bytes become '?'");
	is_str(melee_shown("abcdefgh", 4, buf, sizeof(buf)), "abcd...", "cut at max, marked");
	is_str(melee_shown(name, 64, buf, 8), "nnnn...", "cut to fit the buffer (8 bytes with the NUL)");
}

/* melee_read_fd_bytes (melee reads /proc/self/environ with it): NUL bytes
 * are kept, the cap is checked before the buffer grows, so a block that
 * reaches the cap is refused whole (melee's own loop used to parse and free
 * a block that realloc had already freed). */
static void test_read_bytes(void)
{
	static const size_t sizes[][2] = { { 8192, 8192 }, { 8193, 8192 }, { 16385, 16384 },
					   { 40000, 1 << 20 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i][0], max = sizes[i][1], got = 0;
		char *data = malloc(len), *out = NULL, p[512];
		int fd, r;

		for (size_t k = 0; k < len; k++)
			data[k] = k % 7 == 6 ? '\0' : 'v';
		snprintf(p, sizeof(p), "%s/bytes", dir);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
			printf("Bail out! cannot write %s\n", p);
			exit(99);
		}
		close(fd);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		r = melee_read_fd_bytes(fd, max, &out, &got);
		close(fd);
		if (len <= max)
			ok(r == 0 && got == len && memcmp(out, data, len) == 0 && out[len] == '\0',
			   "%zu bytes with NULs, max %zu: read whole (r=%d)", len, max, r);
		else
			ok(r == -EFBIG && out == NULL,
			   "%zu bytes with NULs, max %zu: too big, nothing returned (r=%d)", len, max, r);
		free(out);
		free(data);
	}
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	test_names();
	test_good();
	test_bad();
	test_load();
	test_read_cap();
	test_shown();
	test_read_bytes();
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system -- '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return done_testing();
}
