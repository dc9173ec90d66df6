#include "melee-accounts.h"
#include "melee-ids.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#define ACCOUNTS_MAX_SIZE (64 * 1024 * 1024)

/* A growing output buffer. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = (b->len + n + 2) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_line(struct buf *b, const char *line)
{
	buf_add(b, line, strlen(line));
	buf_add(b, "\n", 1);
}

static int buf_finish(struct buf *b, char **out)
{
	if (b->oom) {
		free(b->s);
		return -ENOMEM;
	}
	if (!b->s && !(b->s = strdup("")))
		return -ENOMEM;
	*out = b->s;
	return 0;
}

/* One parsed line of passwd or group: the text kept verbatim, with the
 * fields we need. */
struct entry {
	char *line;   /* the original line */
	char *name;   /* field 0 */
	long id;      /* field 2, -1 if not a number */
	char *gidstr; /* passwd: field 3 */
	char *members; /* group: field 3 */
};

struct table {
	struct entry *e;
	size_t n;
	char *storage;
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].line);
	free(t->e);
	free(t->storage);
}

static long parse_id(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	return v;
}

static int table_parse(const char *text, struct table *t)
{
	char *save = NULL;

	memset(t, 0, sizeof(*t));
	t->storage = strdup(text ? text : "");
	if (!t->storage)
		return -ENOMEM;
	for (char *l = strtok_r(t->storage, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct entry *ne, *e;
		char *f[4] = { NULL, NULL, NULL, NULL }, *p;
		int i;

		if (!*l || *l == '#')
			continue;
		ne = realloc(t->e, (t->n + 1) * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		t->e = ne;
		e = &t->e[t->n];
		memset(e, 0, sizeof(*e));
		e->line = strdup(l);
		if (!e->line)
			return -ENOMEM;
		t->n++;
		/* Split the storage copy in place; e->line keeps the text. */
		for (i = 0, p = l; i < 4 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		e->name = f[0];
		e->id = parse_id(f[2]);
		e->gidstr = f[3];
		e->members = f[3];
		if (e->members) {
			char *colon = strchr(e->members, ':');
			if (colon)
				*colon = '\0';
		}
	}
	return 0;
}

static bool in_range(long id, unsigned long min, unsigned long max)
{
	return id >= 0 && (unsigned long)id >= min && (unsigned long)id <= max;
}

/* A uid of a person, by the rule libnss_melee and pam_melee apply
 * (melee-ids.h: never 0 nor nobody, whatever login.defs says), so that
 * an image never has a USER+IMAGE line the host refuses. */
static bool human_uid(long id, const struct melee_id_range *r)
{
	return id >= 0 && (unsigned long)id <= (uid_t)-1 && melee_uid_is_human(r, (uid_t)id);
}

static const struct entry *find_name(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, name) == 0)
			return &t->e[i];
	return NULL;
}

static bool is_human(const struct table *host_pw, const struct melee_id_range *r,
		     const char *name)
{
	const struct entry *e = find_name(host_pw, name);

	return e && human_uid(e->id, r);
}

/* Writes `line` again with its name (up to the first ':') + suffix. */
static void buf_suffixed_line(struct buf *b, const char *line, const char *suffix)
{
	const char *colon = strchr(line, ':');

	if (!colon)
		return;
	buf_add(b, line, (size_t)(colon - line));
	buf_add(b, suffix, strlen(suffix));
	buf_line(b, colon);
}

int melee_merge_passwd(const char *image_passwd, const char *host_passwd,
		       const struct melee_id_range *range, char *const *suffixes, char **out)
{
	struct table img, host;
	struct buf b = { 0 };
	int r;

	r = table_parse(image_passwd, &img);
	if (r == 0)
		r = table_parse(host_passwd, &host);
	else
		memset(&host, 0, sizeof(host));
	if (r < 0)
		goto out;
	for (size_t i = 0; i < img.n; i++) {
		const struct entry *e = &img.e[i];
		bool clash = is_human(&host, range, e->name);

		for (size_t j = 0; j < host.n && !clash; j++)
			clash = human_uid(host.e[j].id, range) &&
				host.e[j].id == e->id;
		if (!clash)
			buf_line(&b, e->line);
	}
	for (size_t j = 0; j < host.n; j++)
		if (human_uid(host.e[j].id, range))
			buf_line(&b, host.e[j].line);
	for (size_t k = 0; suffixes && suffixes[k]; k++)
		for (size_t j = 0; j < host.n; j++)
			if (human_uid(host.e[j].id, range))
				buf_suffixed_line(&b, host.e[j].line, suffixes[k]);
	r = buf_finish(&b, out);
	b.s = NULL;
out:
	free(b.s);
	table_free(&img);
	table_free(&host);
	return r;
}

/* The human members of a host group: listed members that are humans, and
 * humans whose primary group it is.  -ENOMEM rather than a short list. */
static int human_members(const struct entry *g, const struct table *host_pw,
			  const struct melee_id_range *r, char ***v, size_t *n)
{
	cleanup_free char *copy = strdup(g->members ? g->members : "");
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (is_human(host_pw, r, m) && !melee_strv_contains(*v, m) &&
		    melee_strv_push(v, n, m) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < host_pw->n; i++) {
		const struct entry *u = &host_pw->e[i];

		if (human_uid(u->id, r) && parse_id(u->gidstr) == g->id &&
		    !melee_strv_contains(*v, u->name) && melee_strv_push(v, n, u->name) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A host group matters when a human user is in it. */
static bool host_group_relevant(const struct entry *g, const struct table *host_pw,
				const struct melee_id_range *r, bool *oom)
{
	char **v = NULL;
	size_t n = 0;

	if (human_members(g, host_pw, r, &v, &n) < 0)
		*oom = true;
	melee_strv_free(v);
	return n > 0;
}

/* Members that appear as explicit member lists: primary-group members are
 * implicit in passwd, so only listed ones are written. */
static int listed_human_members(const struct entry *g, const struct table *host_pw,
				const struct melee_id_range *r, char ***v, size_t *n)
{
	cleanup_free char *copy = strdup(g->members ? g->members : "");
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (is_human(host_pw, r, m) && !melee_strv_contains(*v, m) &&
		    melee_strv_push(v, n, m) < 0)
			return -ENOMEM;
	return 0;
}

/* The member list; each human member also under its suffixed names. */
static void join_members(struct buf *b, char **v, const struct table *pw,
			 const struct melee_id_range *r, char *const *suffixes)
{
	bool first = true;

	for (size_t i = 0; v && v[i]; i++) {
		if (!first)
			buf_add(b, ",", 1);
		first = false;
		buf_add(b, v[i], strlen(v[i]));
		for (size_t k = 0; suffixes && suffixes[k] && is_human(pw, r, v[i]); k++) {
			buf_add(b, ",", 1);
			buf_add(b, v[i], strlen(v[i]));
			buf_add(b, suffixes[k], strlen(suffixes[k]));
		}
	}
}

int melee_merge_group(const char *image_group, const char *host_group,
		      const char *host_passwd, const struct melee_id_range *range,
		      char *const *suffixes, char **out)
{
	struct table img = { 0 }, host = { 0 }, pw = { 0 };
	struct buf b = { 0 };
	bool *done = NULL;
	int r;

	if ((r = table_parse(image_group, &img)) < 0 ||
	    (r = table_parse(host_group, &host)) < 0 ||
	    (r = table_parse(host_passwd, &pw)) < 0)
		goto out;
	done = calloc(host.n + 1, sizeof(*done));
	if (!done) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t j = 0; j < host.n; j++)
		done[j] = !host_group_relevant(&host.e[j], &pw, range, &b.oom);

	for (size_t i = 0; i < img.n; i++) {
		const struct entry *e = &img.e[i];
		bool drop = false, merged = false;

		for (size_t j = 0; j < host.n; j++) {
			const struct entry *h = &host.e[j];

			if (done[j])
				continue;
			if (strcmp(h->name, e->name) == 0) {
				done[j] = true;
				if (h->id == e->id) {
					/* Same group: keep the image's line and its
					 * members, add the humans. */
					char **v = NULL;
					size_t n = 0;
					cleanup_free char *copy = strdup(e->members ? e->members : "");
					char *save = NULL;

					if (!copy)
						b.oom = true;
					for (char *m = copy ? strtok_r(copy, ",", &save) : NULL; m;
					     m = strtok_r(NULL, ",", &save))
						if (!melee_strv_contains(v, m) &&
						    melee_strv_push(&v, &n, m) < 0)
							b.oom = true;
					if (listed_human_members(h, &pw, range, &v, &n) < 0)
						b.oom = true;
					{
						/* name:pw:gid: from the image's line */
						const char *l = e->line;
						const char *c3 = l;
						for (int k = 0; k < 3 && c3; k++) {
							c3 = strchr(c3, ':');
							if (c3)
								c3++;
						}
						if (c3) {
							buf_add(&b, l, (size_t)(c3 - l));
							join_members(&b, v, &pw, range, suffixes);
							buf_add(&b, "\n", 1);
							merged = true;
						}
					}
					melee_strv_free(v);
				}
				break;
			}
			if (h->id == e->id && in_range(e->id, range->gid_min, range->gid_max))
				drop = true;
		}
		if (!drop && !merged)
			buf_line(&b, e->line);
	}
	for (size_t j = 0; j < host.n; j++) {
		const struct entry *h = &host.e[j];
		char **v = NULL;
		size_t n = 0;
		char head[512];

		if (done[j])
			continue;
		if (listed_human_members(h, &pw, range, &v, &n) < 0)
			b.oom = true;
		snprintf(head, sizeof(head), "%s:x:%ld:", h->name, h->id);
		buf_add(&b, head, strlen(head));
		join_members(&b, v, &pw, range, suffixes);
		buf_add(&b, "\n", 1);
		melee_strv_free(v);
	}
	r = buf_finish(&b, out);
	b.s = NULL;
out:
	free(b.s);
	free(done);
	table_free(&img);
	table_free(&host);
	table_free(&pw);
	return r;
}

static int read_host(const char *etc, const char *name, bool optional, char **out,
		     char *err, size_t errlen)
{
	char path[4096];
	cleanup_fd int fd = -1;
	int r;

	snprintf(path, sizeof(path), "%s/%s", etc, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && optional) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
	r = melee_read_fd(fd, ACCOUNTS_MAX_SIZE, out, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read: %s", path, strerror(-r));
	return 0;
}

/* Reads the image's own etc/NAME.  After the first up our merged file is
 * bound over it; a non-recursive clone of the image's /etc has no mounts
 * on top, so it shows the image's original. */
static int read_image(int imgfd, const char *name, char **out, char *err, size_t errlen)
{
	cleanup_fd int etc = image_resolve(imgfd, "etc", O_PATH | O_DIRECTORY);
	cleanup_fd int tree = -1, fd = -1;
	int r;

	if (etc == -ENOENT) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if (etc < 0)
		return melee_fail(err, errlen, etc, "image's /etc: %s", strerror(-etc));
	tree = open_tree(etc, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	fd = openat(tree >= 0 ? tree : etc, name, O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP) /* a symlink inside the image: resolve it there */
		fd = image_resolve(imgfd, name[0] == 'p' ? "etc/passwd" : "etc/group",
				   O_RDONLY | O_NOCTTY);
	else if (fd < 0)
		fd = -errno;
	if (fd == -ENOENT) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if (fd < 0)
		return melee_fail(err, errlen, fd, "image's /etc/%s: %s", name, strerror(-fd));
	r = melee_read_fd(fd, ACCOUNTS_MAX_SIZE, out, NULL);
	if (r < 0)
		return melee_fail(err, errlen, r, "image's /etc/%s: cannot read: %s", name,
				  strerror(-r));
	return 0;
}

int melee_accounts_write(int imgfd, const char *host_etc, int outdirfd,
			 char *const *suffixes, char *err, size_t errlen)
{
	cleanup_free char *defs = NULL, *hpw = NULL, *hgr = NULL, *ipw = NULL,
			  *igr = NULL, *opw = NULL, *ogr = NULL;
	struct melee_id_range range;
	int r;

	if ((r = read_host(host_etc, "login.defs", true, &defs, err, errlen)) < 0 ||
	    (r = read_host(host_etc, "passwd", false, &hpw, err, errlen)) < 0 ||
	    (r = read_host(host_etc, "group", false, &hgr, err, errlen)) < 0 ||
	    (r = read_image(imgfd, "passwd", &ipw, err, errlen)) < 0 ||
	    (r = read_image(imgfd, "group", &igr, err, errlen)) < 0)
		return r;
	melee_login_defs_parse(defs, &range);
	if ((r = melee_merge_passwd(ipw, hpw, &range, suffixes, &opw)) < 0 ||
	    (r = melee_merge_group(igr, hgr, hpw, &range, suffixes, &ogr)) < 0)
		return melee_fail(err, errlen, r, "merging accounts: %s", strerror(-r));
	r = melee_write_atomic(outdirfd, "passwd", opw, strlen(opw), 0644, err, errlen);
	if (r < 0)
		return r;
	return melee_write_atomic(outdirfd, "group", ogr, strlen(ogr), 0644, err, errlen);
}
