/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing melee.conf, its images.d/ drop-ins and users.conf (the files
 * are found and opened in melee-config-load.c).  See melee.conf(5). */
#include "melee-config-parse.h"
#include "melee-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_LEN 4096

void melee_config_init(struct melee_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->separator = '+';
	cfg->user_choice = true;
}

void melee_config_free(struct melee_config *cfg)
{
	for (size_t i = 0; i < cfg->n_images; i++)
		melee_image_free(&cfg->images[i]);
	for (size_t i = 0; i < cfg->n_users; i++) {
		free(cfg->users[i].user);
		free(cfg->users[i].image);
		free(cfg->users[i].where);
	}
	free(cfg->images);
	melee_index_free(&cfg->names);
	melee_index_free(&cfg->aliases);
	free(cfg->users);
	free(cfg->conf_dir);
	free(cfg->images_dir);
	melee_strv_free(cfg->gpu_libraries);
	free(cfg->default_image);
	free(cfg->default_image_where);
	melee_config_init(cfg);
}

enum section { SEC_NONE, SEC_MELEE, SEC_IMAGE };

/* The keys of each section, indexed by their enum; NULL-terminated for
 * the "expected one of" list. */
enum melee_key {
	MELEE_KEY_IMAGES_DIR,
	MELEE_KEY_SEPARATOR,
	MELEE_KEY_DEFAULT_IMAGE,
	MELEE_KEY_USER_CHOICE,
	MELEE_KEY_AUTO_UP,
	MELEE_KEY_EXPORT_MIME_TYPES,
	MELEE_KEY_GPU_LIBRARIES
};
#define MELEE_KEY_COUNT (MELEE_KEY_GPU_LIBRARIES + 1)
static const char *const melee_keys[MELEE_KEY_COUNT + 1] = {
	[MELEE_KEY_IMAGES_DIR] = "images-dir",
	[MELEE_KEY_SEPARATOR] = "separator",
	[MELEE_KEY_DEFAULT_IMAGE] = "default-image",
	[MELEE_KEY_USER_CHOICE] = "user-choice",
	[MELEE_KEY_AUTO_UP] = "auto-up",
	[MELEE_KEY_EXPORT_MIME_TYPES] = "export-mime-types",
	[MELEE_KEY_GPU_LIBRARIES] = "gpu-libraries",
};

static int key_index(const char *const *keys, const char *key)
{
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			return i;
	return -1;
}

static void key_list(const char *const *keys, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; keys[i]; i++) {
		strncat(buf, keys[i], len - strlen(buf) - 1);
		if (keys[i + 1])
			strncat(buf, ", ", len - strlen(buf) - 1);
	}
}

static const struct melee_image *find_by_name(const struct melee_config *cfg, const char *name)
{
	size_t i = cfg->names.s ? melee_index_get(&cfg->names, name, 0) : MELEE_INDEX_NONE;

	return i == MELEE_INDEX_NONE ? NULL : &cfg->images[i];
}

/* The first image (in the order read) with the alias; NULL if none. */
static const struct melee_image *find_by_alias(const struct melee_config *cfg, const char *name)
{
	size_t i;

	if (!cfg->aliases.s) {
		/* Before melee_config_finish indexed them. */
		for (i = 0; i < cfg->n_images; i++)
			if (melee_strv_contains(cfg->images[i].aliases, name))
				return &cfg->images[i];
		return NULL;
	}
	i = melee_index_get(&cfg->aliases, name, 0);
	return i == MELEE_INDEX_NONE ? NULL : &cfg->images[i];
}

/* A soname pattern of gpu-libraries: lib..., glob characters allowed,
 * never a path (up matches it against the names in the ld.so cache). */
static bool gpu_pattern_valid(const char *s)
{
	return strncmp(s, "lib", 3) == 0 && strlen(s) <= 128 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-*?") ==
		   strlen(s);
}

static int set_gpu_libraries(struct melee_config *cfg, const char *value, const char *path,
			     unsigned ln, char *err, size_t errlen)
{
	char bad[64];
	int r;

	melee_strv_free(cfg->gpu_libraries);
	cfg->gpu_libraries = NULL;
	cfg->n_gpu_libraries = 0;
	r = melee_conf_list(value, &cfg->gpu_libraries, &cfg->n_gpu_libraries, gpu_pattern_valid,
			    bad, sizeof(bad));
	if (r == -EINVAL)
		return melee_fail(err, errlen, r,
				  "%s:%u: gpu-libraries: invalid soname pattern '%s' (expected "
				  "lib followed by [A-Za-z0-9._+-*?], such as libnvidia-foo*)",
				  path, ln, bad);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s:%u: out of memory", path, ln);
	return 0;
}

static int set_melee_key(struct melee_config *cfg, enum melee_key k, const char *value,
			 const char *path, unsigned ln, char *err, size_t errlen)
{
	switch (k) {
	case MELEE_KEY_IMAGES_DIR:
		free(cfg->images_dir);
		cfg->images_dir = NULL;
		/* Images right under / would be named like the host's own
		 * directories (an image "usr" would be /usr). */
		if (strspn(value, "/") == strlen(value) && *value)
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: images-dir must not be '/' (expected a "
					  "directory of its own, such as /image)",
					  path, ln);
		if (melee_conf_abs_path(value, &cfg->images_dir) < 0)
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: images-dir must be an absolute path without "
					  "empty, '.' or '..' components, got '%s'",
					  path, ln, value);
		return 0;
	case MELEE_KEY_SEPARATOR:
		/* Only characters that mean nothing in passwd and group
		 * lines (',' would split a member list), in a shell word or
		 * in ssh's user@host. */
		if (strlen(value) != 1 || !strchr(MELEE_SEPARATORS, value[0]))
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: separator must be one of the characters "
					  "'%s', got '%s'",
					  path, ln, MELEE_SEPARATORS, value);
		cfg->separator = value[0];
		return 0;
	case MELEE_KEY_DEFAULT_IMAGE:
		free(cfg->default_image);
		free(cfg->default_image_where);
		cfg->default_image = cfg->default_image_where = NULL;
		if (!*value)
			return 0;
		if (!melee_name_valid(value))
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: invalid image name '%s' for default-image "
					  "(expected [A-Za-z0-9][A-Za-z0-9._-]{0,63})",
					  path, ln, value);
		cfg->default_image = strdup(value);
		cfg->default_image_where = melee_conf_where(path, ln);
		if (!cfg->default_image || !cfg->default_image_where)
			return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", path, ln);
		return 0;
	case MELEE_KEY_USER_CHOICE:
		return melee_conf_yes_no("user-choice", value, &cfg->user_choice, path, ln, err,
					 errlen);
	case MELEE_KEY_AUTO_UP:
		return melee_conf_yes_no("auto-up", value, &cfg->auto_up, path, ln, err, errlen);
	case MELEE_KEY_EXPORT_MIME_TYPES:
		return melee_conf_yes_no("export-mime-types", value, &cfg->export_mime_types, path,
					 ln, err, errlen);
	case MELEE_KEY_GPU_LIBRARIES: return set_gpu_libraries(cfg, value, path, ln, err, errlen);
	}
	return melee_fail(err, errlen, -EINVAL, "%s:%u: unknown key", path, ln);
}

static int read_text(int fd, const char *path, char **buf, char *err, size_t errlen)
{
	int r = melee_read_fd(fd, MELEE_CONFIG_MAX_SIZE, buf, NULL);

	if (r == -EFBIG)
		return melee_fail(err, errlen, r, "%s: larger than %d bytes", path,
				  MELEE_CONFIG_MAX_SIZE);
	if (r == -EILSEQ)
		return melee_fail(err, errlen, r, "%s: contains a NUL byte (expected a text file)",
				  path);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read: %s", path, strerror(-r));
	return 0;
}

/* Iterates lines; strips comments ('#' or ';' first, or '#' after blank)
 * and surrounding blanks.  Returns NULL at the end, or sets *toolong. */
static char *next_line(char **cursor, unsigned *ln, bool *toolong)
{
	char *s = *cursor, *nl, *hash;

	if (!*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = s + strlen(s);
	}
	(*ln)++;
	*toolong = strlen(s) > LINE_MAX_LEN;
	s = melee_trim(s);
	if (*s == '#' || *s == ';')
		*s = '\0';
	for (hash = s; (hash = strchr(hash, '#')); hash++)
		if (hash > s && (hash[-1] == ' ' || hash[-1] == '\t')) {
			*hash = '\0';
			break;
		}
	return melee_trim(s);
}

/* Where melee_config_parse_fd is in its file. */
struct conf_parser {
	const char *path;
	bool is_dropin;
	struct melee_config *cfg;
	unsigned ln, melee_line;
	enum section sec;
	struct melee_image *im;	 /* the [image NAME] being read */
	unsigned first_seen[16]; /* key index -> line that set it, per section */
};
_Static_assert(MELEE_KEY_COUNT <= 16 && MELEE_IMAGE_KEY_COUNT <= 16, "first_seen holds every key");

static int start_melee_section(struct conf_parser *p, char *err, size_t errlen)
{
	if (p->is_dropin)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: [melee] belongs in melee.conf, not in a drop-in "
				  "(expected '[image NAME]')",
				  p->path, p->ln);
	/* A second [melee] would quietly override the keys of the first. */
	if (p->melee_line)
		return melee_fail(err, errlen, -EEXIST,
				  "%s:%u: a second [melee] section (the first is at line %u; "
				  "expected one)",
				  p->path, p->ln, p->melee_line);
	p->melee_line = p->ln;
	p->sec = SEC_MELEE;
	p->im = NULL;
	return 0;
}

/* The file name without its directory. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A drop-in images.d/NAME.conf may hold [image NAME] and nothing else.
 * That is what lets a lookup of NAME read melee.conf and this one file
 * (melee_config_load_image in melee-config-load.c): no other drop-in can
 * define NAME, so none can restrict it either.  A systemd-style override
 * (a second [image NAME] in images.d/NAME-restrict.conf) is therefore
 * refused where it stands, by file and line, instead of being read by
 * full loads and unseen by lookups. */
static bool dropin_may_define(const char *path, const char *name)
{
	const char *base = base_name(path);
	size_t len = strlen(name);

	return strncmp(base, name, len) == 0 && strcmp(base + len, ".conf") == 0;
}

static int misplaced(const char *path, unsigned ln, const char *name, char *err, size_t errlen)
{
	return melee_fail(
	    err, errlen, -EINVAL,
	    "%s:%u: [image %s] does not belong in %s (expected it in images.d/%s.conf "
	    "or melee.conf: a drop-in defines only the image it is named after, and "
	    "never overrides another file)",
	    path, ln, name, base_name(path), name);
}

static int start_image_section(struct conf_parser *p, const char *name, char *err, size_t errlen)
{
	struct melee_config *cfg = p->cfg;
	const struct melee_image *dup;
	const char *reserved;
	struct melee_image *ni;

	if (!*name)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: [image] needs a name (expected '[image NAME]')", p->path,
				  p->ln);
	if (!melee_name_valid(name))
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: invalid image name '%.80s' (expected "
				  "[A-Za-z0-9][A-Za-z0-9._-]{0,63})",
				  p->path, p->ln, name);
	if ((reserved = melee_name_reserved(name)))
		return melee_fail(err, errlen, -EINVAL, "%s:%u: '%s' cannot name an image: %s",
				  p->path, p->ln, name, reserved);
	if (p->is_dropin && !dropin_may_define(p->path, name))
		return misplaced(p->path, p->ln, name, err, errlen);
	dup = find_by_name(cfg, name);
	if (dup)
		return melee_fail(err, errlen, -EEXIST,
				  "%s:%u: image '%s' is already defined at %s", p->path, p->ln,
				  name, dup->where);
	/* Grown by doubling: one image more per header must not copy them
	 * all each time. */
	if (cfg->n_images == cfg->cap_images) {
		size_t cap = cfg->cap_images ? 2 * cfg->cap_images : 8;

		ni = realloc(cfg->images, cap * sizeof(*ni));
		if (!ni)
			return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", p->path,
					  p->ln);
		cfg->images = ni;
		cfg->cap_images = cap;
	}
	if (melee_index_reserve(&cfg->names, cfg->n_images + 1) < 0)
		return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", p->path, p->ln);
	p->im = &cfg->images[cfg->n_images++];
	memset(p->im, 0, sizeof(*p->im));
	p->im->name = strdup(name);
	p->im->where = melee_conf_where(p->path, p->ln);
	if (!p->im->name || !p->im->where)
		return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", p->path, p->ln);
	melee_index_put(&cfg->names, p->im->name, 0, cfg->n_images - 1);
	p->sec = SEC_IMAGE;
	return 0;
}

/* "[melee]" or "[image NAME]". */
static int parse_header(struct conf_parser *p, char *line, char *err, size_t errlen)
{
	char *end = strchr(line, ']');
	char *name;

	if (!end || end[1] != '\0')
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: malformed section header '%s' (expected '[melee]' or "
				  "'[image NAME]')",
				  p->path, p->ln, line);
	*end = '\0';
	name = melee_trim(line + 1);
	memset(p->first_seen, 0, sizeof(p->first_seen));
	if (strcmp(name, "melee") == 0)
		return start_melee_section(p, err, errlen);
	if (strncmp(name, "image", 5) != 0 ||
	    (name[5] != '\0' && name[5] != ' ' && name[5] != '\t'))
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: unknown section '[%s]' (expected '[melee]' or "
				  "'[image NAME]')",
				  p->path, p->ln, name);
	return start_image_section(p, melee_trim(name + 5), err, errlen);
}

/* "key = value" inside a section: a known key, once per section. */
static int parse_assignment(struct conf_parser *p, char *line, char *err, size_t errlen)
{
	const char *const *keys = p->sec == SEC_MELEE ? melee_keys : melee_image_keys;
	char *eq = strchr(line, '='), *key, *value, list[256];
	int k;

	if (!eq)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: expected 'key = value', a '[section]' header or a "
				  "comment, got '%.80s'",
				  p->path, p->ln, line);
	*eq = '\0';
	key = melee_trim(line);
	value = melee_trim(eq + 1);
	if (!*key)
		return melee_fail(err, errlen, -EINVAL, "%s:%u: missing key before '='", p->path,
				  p->ln);
	if (p->sec == SEC_NONE)
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: key '%s' outside of a section (expected a '[melee]' or "
				  "'[image NAME]' header first)",
				  p->path, p->ln, key);
	k = key_index(keys, key);
	if (k < 0) {
		key_list(keys, list, sizeof(list));
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: unknown key '%.80s' in [%s%s] (expected one of: %s)",
				  p->path, p->ln, key, p->sec == SEC_MELEE ? "melee" : "image ",
				  p->sec == SEC_MELEE ? "" : p->im->name, list);
	}
	if (p->first_seen[k])
		return melee_fail(err, errlen, -EINVAL,
				  "%s:%u: duplicate key '%s' (first set at line %u)", p->path,
				  p->ln, key, p->first_seen[k]);
	p->first_seen[k] = p->ln;
	if (p->sec == SEC_MELEE)
		return set_melee_key(p->cfg, (enum melee_key)k, value, p->path, p->ln, err, errlen);
	return melee_image_set_key(p->im, k, value, p->path, p->ln, err, errlen);
}

int melee_config_parse_fd(int fd, const char *path, bool is_dropin, struct melee_config *cfg,
			  char *err, size_t errlen)
{
	struct conf_parser p = { .path = path, .is_dropin = is_dropin, .cfg = cfg };
	cleanup_free char *buf = NULL;
	char *cursor, *line;
	bool toolong;
	int r;

	r = read_text(fd, path, &buf, err, errlen);
	if (r < 0)
		return r;
	cursor = buf;
	while ((line = next_line(&cursor, &p.ln, &toolong))) {
		if (toolong)
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: line longer than %d characters", path, p.ln,
					  LINE_MAX_LEN);
		if (!*line)
			continue;
		r = *line == '[' ? parse_header(&p, line, err, errlen)
				 : parse_assignment(&p, line, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Whether `name` is what a lookup asked for, or the name or an alias of
 * the image it found. */
static bool names_it(const char *name, const char *asked, const struct melee_image *im)
{
	return strcmp(name, asked) == 0 || strcmp(name, im->name) == 0 ||
	       melee_strv_contains(im->aliases, name);
}

/* A line of another drop-in that claims `name` (names_it): the message a
 * full read gives for it. */
static int claims_name(const char *path, unsigned ln, const char *header, const char *alias_of,
		       const char *name, const struct melee_image *im, char *err, size_t errlen)
{
	if (alias_of)
		return melee_fail(err, errlen, -EEXIST,
				  "%s:%u: alias '%s' of image '%s' is already the name or an "
				  "alias of image '%s' (%s)",
				  path, ln, name, alias_of, im->name, im->where);
	if (!dropin_may_define(path, header))
		return misplaced(path, ln, header, err, errlen);
	if (strcmp(header, im->name) != 0) /* images.d/ALIAS.conf: told from the alias */
		return melee_fail(err, errlen, -EEXIST,
				  "%s: alias '%s' of image '%s' is already the name or an alias of "
				  "image '%s' (%s:%u)",
				  im->aliases_where, header, im->name, header, path, ln);
	return melee_fail(err, errlen, -EEXIST, "%s:%u: image '%s' is already defined at %s", path,
			  ln, header, im->where);
}

int melee_config_scan_dropin(int fd, const char *path, const char *asked,
			     const struct melee_image *im, char *err, size_t errlen)
{
	cleanup_free char *buf = NULL;
	char *cursor, *line, *section = NULL;
	unsigned ln = 0;
	bool toolong;
	int r;

	r = read_text(fd, path, &buf, err, errlen);
	if (r < 0)
		return r;
	cursor = buf;
	while ((line = next_line(&cursor, &ln, &toolong))) {
		char *end, *eq, *save = NULL;

		if (*line == '[') {
			/* The header as parse_header reads it; anything else
			 * ends the section (the full read refuses it). */
			end = strchr(line, ']');
			section = NULL;
			if (!end || end[1] != '\0')
				continue;
			*end = '\0';
			line = melee_trim(line + 1);
			if (strncmp(line, "image", 5) != 0 || (line[5] != ' ' && line[5] != '\t'))
				continue;
			section = melee_trim(line + 5);
			if (names_it(section, asked, im))
				return claims_name(path, ln, section, NULL, section, im, err,
						   errlen);
			continue;
		}
		if (!section || !(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		if (strcmp(melee_trim(line), "aliases") != 0)
			continue;
		for (char *t = strtok_r(eq + 1, ", \t", &save); t;
		     t = strtok_r(NULL, ", \t", &save))
			if (names_it(t, asked, im))
				return claims_name(path, ln, NULL, section, t, im, err, errlen);
	}
	return 0;
}

int melee_users_parse_fd(int fd, const char *path, struct melee_config *cfg, char *err,
			 size_t errlen)
{
	cleanup_free char *buf = NULL;
	char *cursor, *line;
	unsigned ln = 0;
	bool toolong;
	int r;

	r = read_text(fd, path, &buf, err, errlen);
	if (r < 0)
		return r;
	cursor = buf;
	while ((line = next_line(&cursor, &ln, &toolong))) {
		char *user, *image, *extra;
		struct melee_user_default *nu;

		if (toolong)
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: line longer than %d characters", path, ln,
					  LINE_MAX_LEN);
		if (!*line)
			continue;
		user = melee_next_token(&line);
		image = melee_next_token(&line);
		extra = melee_next_token(&line);
		if (!image || extra)
			return melee_fail(err, errlen, -EINVAL, "%s:%u: expected 'USER IMAGE'",
					  path, ln);
		if (!melee_conf_account_name_valid(user))
			return melee_fail(err, errlen, -EINVAL, "%s:%u: invalid user name '%.80s'",
					  path, ln, user);
		if (!melee_name_valid(image))
			return melee_fail(err, errlen, -EINVAL,
					  "%s:%u: invalid image name '%.80s' (expected "
					  "[A-Za-z0-9][A-Za-z0-9._-]{0,63})",
					  path, ln, image);
		for (size_t i = 0; i < cfg->n_users; i++)
			if (strcmp(cfg->users[i].user, user) == 0)
				return melee_fail(err, errlen, -EEXIST,
						  "%s:%u: user '%s' already has an image at %s",
						  path, ln, user, cfg->users[i].where);
		nu = realloc(cfg->users, (cfg->n_users + 1) * sizeof(*nu));
		if (!nu)
			return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", path, ln);
		cfg->users = nu;
		nu = &cfg->users[cfg->n_users++];
		nu->user = strdup(user);
		nu->image = strdup(image);
		nu->where = melee_conf_where(path, ln);
		if (!nu->user || !nu->image || !nu->where)
			return melee_fail(err, errlen, -ENOMEM, "%s:%u: out of memory", path, ln);
	}
	return 0;
}

const struct melee_image *melee_config_find_image(const struct melee_config *cfg, const char *name)
{
	const struct melee_image *im;

	if (!melee_name_valid(name))
		return NULL;
	im = find_by_name(cfg, name);
	return im ? im : find_by_alias(cfg, name);
}

/* Image i's aliases: none may be the name of any image, nor an alias of
 * an earlier one (the message names the first such image in the order
 * read).  Then indexes them: by the names index and the aliases of the
 * images before i, each alias costs one probe, not a scan of them all. */
static int check_aliases(struct melee_config *cfg, size_t i, char *err, size_t errlen)
{
	const struct melee_image *im = &cfg->images[i];

	for (size_t a = 0; a < im->n_aliases; a++) {
		const char *al = im->aliases[a];
		size_t jn = melee_index_get(&cfg->names, al, 0);
		size_t ja = melee_index_get(&cfg->aliases, al, 0);
		size_t j = jn < ja ? jn : ja; /* ja is always before i */

		if (j != MELEE_INDEX_NONE)
			return melee_fail(err, errlen, -EEXIST,
					  "%s: alias '%s' of image '%s' is already "
					  "the name or an alias of image '%s' (%s)",
					  im->aliases_where, al, im->name, cfg->images[j].name,
					  cfg->images[j].where);
	}
	for (size_t a = 0; a < im->n_aliases; a++) {
		if (melee_index_reserve(&cfg->aliases, cfg->n_aliases_indexed + 1) < 0)
			return melee_fail(err, errlen, -ENOMEM, "out of memory");
		if (melee_index_put(&cfg->aliases, im->aliases[a], 0, i) == MELEE_INDEX_NONE)
			cfg->n_aliases_indexed++;
	}
	return 0;
}

int melee_config_finish(struct melee_config *cfg, char *err, size_t errlen)
{
	int r;

	/* An empty index before the loop: find_by_alias uses it from here on. */
	melee_index_free(&cfg->aliases);
	cfg->n_aliases_indexed = 0;
	if (melee_index_init(&cfg->aliases, 8) < 0)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (!cfg->images_dir && !(cfg->images_dir = strdup("/image")))
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (!cfg->conf_dir && !(cfg->conf_dir = strdup(SYSCONFDIR "/melee")))
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < cfg->n_images; i++) {
		r = melee_image_finish(&cfg->images[i], cfg, err, errlen);
		if (r < 0)
			return r;
		r = check_aliases(cfg, i, err, errlen);
		if (r < 0)
			return r;
	}
	/* A partial read holds one image: the default may be any other. */
	if (cfg->default_image && !cfg->partial &&
	    !melee_config_find_image(cfg, cfg->default_image))
		return melee_fail(err, errlen, -ENOENT,
				  "%s: default-image '%s' is not a configured image",
				  cfg->default_image_where, cfg->default_image);
	for (size_t i = 0; i < cfg->n_users; i++)
		if (!melee_config_find_image(cfg, cfg->users[i].image))
			return melee_fail(err, errlen, -ENOENT,
					  "%s: image '%s' for user '%s' is not a configured image",
					  cfg->users[i].where, cfg->users[i].image,
					  cfg->users[i].user);
	return 0;
}
