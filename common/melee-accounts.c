/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accounts = merge: the image's system accounts plus the host's people, written as the image's
 * passwd and group. */
#include "melee-accounts.h"
#include "melee-accounts-read.h"
#include "melee-ids.h"
#include "melee-index.h"
#include "melee-util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
	char *line;    /* the original line */
	char *name;    /* field 0 */
	long id;       /* field 2, -1 if not a number */
	char *gidstr;  /* passwd: field 3 */
	char *members; /* group: field 3 */
};

struct table {
	struct entry *e;
	size_t n, cap;
	char *storage; /* split into fields in place */
	char *lines;   /* the same text, each line NUL-terminated: entry.line */
};

static void table_free(struct table *t)
{
	free(t->e);
	free(t->storage);
	free(t->lines);
}

static int table_parse(const char *text, struct table *t)
{
	char *save = NULL;

	memset(t, 0, sizeof(*t));
	t->storage = strdup(text ? text : "");
	t->lines = strdup(text ? text : "");
	if (!t->storage || !t->lines)
		return -ENOMEM;
	/* Two copies rather than one allocation per line: 20,000 lines. */
	for (char *nl = strchr(t->lines, '\n'); nl; nl = strchr(nl + 1, '\n'))
		*nl = '\0';
	for (char *l = strtok_r(t->storage, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct entry *e;
		char *f[4] = { NULL, NULL, NULL, NULL }, *p;
		int i;

		/* glibc's files module skips leading blanks before it reads
		 * a line (and then '#' comments): " alice:x:0:0:..." is
		 * alice there, so it is alice here too. */
		while (isspace((unsigned char)*l))
			l++;
		if (!*l || *l == '#')
			continue;
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 64;
			struct entry *ne = realloc(t->e, cap * sizeof(*ne));

			if (!ne)
				return -ENOMEM;
			t->e = ne;
			t->cap = cap;
		}
		e = &t->e[t->n];
		memset(e, 0, sizeof(*e));
		e->line = t->lines + (l - t->storage);
		t->n++;
		/* Split the storage copy in place; e->line keeps the text. */
		for (i = 0, p = l; i < 4 && p; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		e->name = f[0];
		e->id = melee_parse_id(f[2]);
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

/* A group member as glibc reads it: leading blanks are skipped (" alice"
 * is alice); NULL for an empty one. */
static char *member_name(char *m)
{
	while (isspace((unsigned char)*m))
		m++;
	return *m ? m : NULL;
}

/* The host's human users (UID_MIN..UID_MAX), by name and by uid. */
struct humans {
	struct table pw;
	struct melee_index by_name, by_uid;
	const struct melee_id_range *range;
};

static void humans_free(struct humans *hu)
{
	table_free(&hu->pw);
	melee_index_free(&hu->by_name);
	melee_index_free(&hu->by_uid);
}

/* A person, by the rule libnss_melee and pam_melee apply (melee-ids.h:
 * never 0 nor nobody, whatever login.defs says), so that an image never
 * has a USER+IMAGE line the host refuses. */
static bool is_human_entry(const struct humans *hu, const struct entry *e)
{
	return e->id >= 0 && (unsigned long)e->id <= (uid_t)-1 &&
	       melee_uid_is_human(hu->range, (uid_t)e->id);
}

static int humans_load(struct humans *hu, const char *host_passwd, const struct melee_id_range *r)
{
	int rc;

	memset(hu, 0, sizeof(*hu));
	hu->range = r;
	if ((rc = table_parse(host_passwd, &hu->pw)) < 0 ||
	    (rc = melee_index_init(&hu->by_name, hu->pw.n)) < 0 ||
	    (rc = melee_index_init(&hu->by_uid, hu->pw.n)) < 0)
		return rc;
	for (size_t i = 0; i < hu->pw.n; i++)
		if (is_human_entry(hu, &hu->pw.e[i])) {
			melee_index_put(&hu->by_name, hu->pw.e[i].name, 0, i);
			melee_index_put(&hu->by_uid, NULL, hu->pw.e[i].id, i);
		}
	return 0;
}

/* The pw entry of the human called `name`, or MELEE_INDEX_NONE. */
static size_t human_named(const struct humans *hu, const char *name)
{
	return melee_index_get(&hu->by_name, name, 0);
}

/* A human's name or one of its suffixed names ("alice+sl6"). */
static bool is_human_name(const struct humans *hu, const char *name, char *const *suffixes)
{
	size_t len = strlen(name);

	if (human_named(hu, name) != MELEE_INDEX_NONE)
		return true;
	for (size_t k = 0; suffixes && suffixes[k]; k++) {
		size_t sl = strlen(suffixes[k]);
		char base[256];

		if (len > sl && len - sl < sizeof(base) &&
		    strcmp(name + len - sl, suffixes[k]) == 0) {
			memcpy(base, name, len - sl);
			base[len - sl] = '\0';
			if (human_named(hu, base) != MELEE_INDEX_NONE)
				return true;
		}
	}
	return false;
}

void melee_overrides_free(struct melee_overrides *ov)
{
	for (size_t i = 0; ov && i < ov->n; i++) {
		free(ov->v[i].host_name);
		free(ov->v[i].image_name);
	}
	if (ov) {
		free(ov->v);
		ov->v = NULL;
		ov->n = 0;
	}
}

static int override_add(struct melee_overrides *ov, enum melee_override_kind kind, long host_id,
			long image_id, const char *host_name, const char *image_name)
{
	struct melee_override *nv, *o;

	if (!ov)
		return 0;
	nv = realloc(ov->v, (ov->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	ov->v = nv;
	o = &ov->v[ov->n];
	*o = (struct melee_override){ .kind = kind, .host_id = host_id, .image_id = image_id };
	o->host_name = host_name ? strdup(host_name) : NULL;
	o->image_name = strdup(image_name);
	ov->n++;
	if ((host_name && !o->host_name) || !o->image_name)
		return -ENOMEM;
	return 0;
}

const char *melee_override_describe(const struct melee_override *o, const char *image, char *buf,
				    size_t len)
{
	char img[80], hn[80], in[80];

	melee_shown(image, 64, img, sizeof(img));
	melee_shown(o->host_name ? o->host_name : "", 64, hn, sizeof(hn));
	melee_shown(o->image_name, 64, in, sizeof(in));
	switch (o->kind) {
	case MELEE_OVERRIDE_UID:
		snprintf(buf, len,
			 "image %s: uid %ld is '%s' on the host, '%s' in the image: the host's "
			 "name is used",
			 img, o->host_id, hn, in);
		break;
	case MELEE_OVERRIDE_USER:
		snprintf(buf, len,
			 "image %s: user '%s' is uid %ld on the host, uid %ld in the image: the "
			 "host's uid is used",
			 img, in, o->host_id, o->image_id);
		break;
	case MELEE_OVERRIDE_GID:
		if (o->host_name)
			snprintf(buf, len,
				 "image %s: gid %ld is '%s' on the host, '%s' in the image: the "
				 "host's name is used",
				 img, o->host_id, hn, in);
		else
			snprintf(buf, len,
				 "image %s: gid %ld is a host user's group without a name on the "
				 "host, '%s' in the image: the image's line is left out",
				 img, o->host_id, in);
		break;
	case MELEE_OVERRIDE_GROUP:
		snprintf(buf, len,
			 "image %s: group '%s' is gid %ld on the host, gid %ld in the image: the "
			 "host's gid is used",
			 img, in, o->host_id, o->image_id);
		break;
	}
	return buf;
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

/* Image lines are kept unless they name a host human or use one's uid
 * (then the host's line is the one written), or carry a suffixed human
 * name (written below). */
static int merge_passwd(const char *image_passwd, const struct humans *hu, char *const *suffixes,
			struct melee_overrides *ov, char **out)
{
	struct table img = { 0 };
	struct buf b = { 0 };
	int r;

	if ((r = table_parse(image_passwd, &img)) < 0)
		goto out;
	for (size_t i = 0; i < img.n && r == 0; i++) {
		const struct entry *e = &img.e[i];
		size_t j = human_named(hu, e->name);

		/* No usable uid: glibc skips the line, but an old one (an
		 * SL6 image's) would wrap 4294967296 to root.  Left out. */
		if (e->id < 0)
			continue;
		if (j != MELEE_INDEX_NONE) {
			if (hu->pw.e[j].id != e->id)
				r = override_add(ov, MELEE_OVERRIDE_USER, hu->pw.e[j].id, e->id,
						 e->name, e->name);
		} else if (e->id >= 0 &&
			   (j = melee_index_get(&hu->by_uid, NULL, e->id)) != MELEE_INDEX_NONE) {
			r = override_add(ov, MELEE_OVERRIDE_UID, e->id, e->id, hu->pw.e[j].name,
					 e->name);
		} else if (!is_human_name(hu, e->name, suffixes)) {
			buf_line(&b, e->line);
		}
	}
	if (r < 0)
		goto out;
	for (size_t j = 0; j < hu->pw.n; j++)
		if (is_human_entry(hu, &hu->pw.e[j]))
			buf_line(&b, hu->pw.e[j].line);
	for (size_t k = 0; suffixes && suffixes[k]; k++)
		for (size_t j = 0; j < hu->pw.n; j++)
			if (is_human_entry(hu, &hu->pw.e[j]))
				buf_suffixed_line(&b, hu->pw.e[j].line, suffixes[k]);
	r = buf_finish(&b, out);
	b.s = NULL;
out:
	free(b.s);
	table_free(&img);
	return r;
}

int melee_merge_passwd(const char *image_passwd, const char *host_passwd,
		       const struct melee_id_range *range, char *const *suffixes,
		       struct melee_overrides *ov, char **out)
{
	struct humans hu;
	int r = humans_load(&hu, host_passwd, range);

	if (r == 0)
		r = merge_passwd(image_passwd, &hu, suffixes, ov, out);
	humans_free(&hu);
	return r;
}

/* A gid that a host human holds (as primary group or listed member): the
 * merged file has one line for it, under the host's name. */
struct held_gid {
	long gid;
	size_t host_line;	 /* the host's first line with this gid, or MELEE_INDEX_NONE */
	size_t first, n_members; /* its listed human members: members[first..] */
	bool written;
};

struct group_merge {
	struct table img, host;
	const struct humans *hu;
	struct melee_index host_by_gid;	 /* gid -> first host line */
	struct melee_index held_by_gid;	 /* gid -> held[] */
	struct melee_index held_by_name; /* the host's name of a held gid -> held[] */
	struct held_gid *held;
	size_t n_held;
	size_t *members; /* listed human members (pw entries), held gid by held gid */
};

static void group_merge_free(struct group_merge *g)
{
	free(g->held);
	free(g->members);
	melee_index_free(&g->host_by_gid);
	melee_index_free(&g->held_by_gid);
	melee_index_free(&g->held_by_name);
	table_free(&g->img);
	table_free(&g->host);
}

static size_t held_add(struct group_merge *g, long gid)
{
	size_t k = melee_index_get(&g->held_by_gid, NULL, gid);

	if (k != MELEE_INDEX_NONE)
		return k;
	k = g->n_held++;
	g->held[k] = (struct held_gid){ .gid = gid,
					.host_line = melee_index_get(&g->host_by_gid, NULL, gid) };
	melee_index_put(&g->held_by_gid, NULL, gid, k);
	return k;
}

/* Held gid k lists pw entry u. */
struct listing {
	size_t k, u;
};

/* How many members the host's lines list in all: room for the listings. */
static size_t count_listed(const struct table *host)
{
	size_t n = 0;

	for (size_t j = 0; j < host->n; j++)
		for (const char *c = host->e[j].members; c && *c; c++)
			n += *c == ',';
	return n + host->n;
}

/* The human members that host line j lists, in order.  Its member field
 * is split in place (read once). */
static void list_host_members(struct group_merge *g, size_t j, struct listing *ls, size_t *n)
{
	struct entry *h = &g->host.e[j];
	size_t k = MELEE_INDEX_NONE;
	char *save = NULL;

	if (h->id < 0 || !h->members)
		return;
	for (char *f = strtok_r(h->members, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		char *m = member_name(f);
		size_t u = m ? human_named(g->hu, m) : MELEE_INDEX_NONE;

		if (u == MELEE_INDEX_NONE)
			continue;
		if (k == MELEE_INDEX_NONE)
			k = held_add(g, h->id);
		ls[(*n)++] = (struct listing){ .k = k, .u = u };
	}
}

/* Each held gid's members in the host's order, each once, also when a
 * big group is split over several lines of one gid (NIS style): sorted
 * by gid (counting sort), then a mark per user.  Linear: a scan of the
 * members so far, for each member, was quadratic. */
static int group_listings(struct group_merge *g, const struct listing *ls, size_t n)
{
	cleanup_free size_t *next = calloc(g->n_held + 1, sizeof(*next));
	cleanup_free size_t *mark = calloc(g->hu->pw.n + 1, sizeof(*mark));
	size_t sum = 0;

	g->members = malloc((n + 1) * sizeof(*g->members));
	if (!next || !mark || !g->members)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		g->held[ls[i].k].n_members++;
	for (size_t k = 0; k < g->n_held; k++) {
		g->held[k].first = next[k] = sum;
		sum += g->held[k].n_members;
	}
	for (size_t i = 0; i < n; i++)
		g->members[next[ls[i].k]++] = ls[i].u;
	for (size_t k = 0; k < g->n_held; k++) {
		struct held_gid *h = &g->held[k];
		size_t w = h->first;

		for (size_t i = h->first; i < h->first + h->n_members; i++)
			if (mark[g->members[i]] != k + 1) {
				mark[g->members[i]] = k + 1;
				g->members[w++] = g->members[i];
			}
		h->n_members = w - h->first;
	}
	return 0;
}

/* The gids the host's humans hold, with each one's listed human members. */
static int collect_held(struct group_merge *g)
{
	const struct table *pw = &g->hu->pw;
	cleanup_free struct listing *ls = malloc(count_listed(&g->host) * sizeof(*ls));
	size_t n = 0;
	int r;

	if ((r = melee_index_init(&g->host_by_gid, g->host.n)) < 0 ||
	    (r = melee_index_init(&g->held_by_gid, pw->n + g->host.n)) < 0 ||
	    (r = melee_index_init(&g->held_by_name, pw->n + g->host.n)) < 0)
		return r;
	g->held = calloc(pw->n + g->host.n + 1, sizeof(*g->held));
	if (!g->held || !ls)
		return -ENOMEM;
	for (size_t j = 0; j < g->host.n; j++)
		if (g->host.e[j].id >= 0)
			melee_index_put(&g->host_by_gid, NULL, g->host.e[j].id, j);
	for (size_t u = 0; u < pw->n; u++) {
		long gid = melee_parse_id(pw->e[u].gidstr);

		if (is_human_entry(g->hu, &pw->e[u]) && gid >= 0)
			held_add(g, gid);
	}
	for (size_t j = 0; j < g->host.n; j++)
		list_host_members(g, j, ls, &n);
	if ((r = group_listings(g, ls, n)) < 0)
		return r;
	for (size_t k = 0; k < g->n_held; k++)
		if (g->held[k].host_line != MELEE_INDEX_NONE)
			melee_index_put(&g->held_by_name, g->host.e[g->held[k].host_line].name, 0,
					k);
	return 0;
}

/* Appends ",NAME,NAME+sl6,..." for each held member (no leading comma
 * when `first`). */
static void write_members(struct buf *b, const struct group_merge *g, const struct held_gid *h,
			  bool first, char *const *suffixes)
{
	for (size_t i = h->first; i < h->first + h->n_members; i++) {
		const char *m = g->hu->pw.e[g->members[i]].name;
		size_t len = strlen(m);

		if (!first)
			buf_add(b, ",", 1);
		first = false;
		buf_add(b, m, len);
		for (size_t k = 0; suffixes && suffixes[k]; k++) {
			buf_add(b, ",", 1);
			buf_add(b, m, len);
			buf_add(b, suffixes[k], strlen(suffixes[k]));
		}
	}
}

/* An image line as written: its name, password and gid fields, its own
 * members without any host human (a host user's groups inside the image
 * are the host's, whatever the image's file lists), then `h`'s members. */
static void write_image_group(struct buf *b, struct entry *e, const struct group_merge *g,
			      const struct held_gid *h, char *const *suffixes)
{
	const char *c3 = e->line;
	char *save = NULL;
	bool first = true;

	for (int k = 0; k < 3 && c3; k++) {
		c3 = strchr(c3, ':');
		if (c3)
			c3++;
	}
	if (c3) {
		buf_add(b, e->line, (size_t)(c3 - e->line));
	} else {
		buf_add(b, e->line, strlen(e->line));
		buf_add(b, ":", 1);
	}
	for (char *f = e->members ? strtok_r(e->members, ",", &save) : NULL; f;
	     f = strtok_r(NULL, ",", &save)) {
		char *m = member_name(f);

		if (!m || is_human_name(g->hu, m, suffixes))
			continue;
		if (!first)
			buf_add(b, ",", 1);
		first = false;
		buf_add(b, m, strlen(m));
	}
	if (h)
		write_members(b, g, h, first, suffixes);
	buf_add(b, "\n", 1);
}

/* One image line: kept (without host humans among its members), merged
 * with the host's line of the same name and gid, or left out when it
 * names a held gid otherwise or uses the host's name of one. */
static int merge_image_group(struct group_merge *g, struct buf *b, struct entry *e,
			     char *const *suffixes, struct melee_overrides *ov)
{
	size_t k;

	/* No usable gid: left out, as in passwd (an old glibc would wrap
	 * 4294967306 to 10, a host gid, under the image's name). */
	if (e->id < 0)
		return 0;
	k = melee_index_get(&g->held_by_gid, NULL, e->id);
	if (k != MELEE_INDEX_NONE) {
		struct held_gid *h = &g->held[k];
		const char *hn =
		    h->host_line != MELEE_INDEX_NONE ? g->host.e[h->host_line].name : NULL;

		if (!hn || strcmp(hn, e->name) != 0)
			return override_add(ov, MELEE_OVERRIDE_GID, e->id, e->id, hn, e->name);
		if (!h->written)
			write_image_group(b, e, g, h, suffixes);
		h->written = true;
		return 0;
	}
	k = melee_index_get(&g->held_by_name, e->name, 0);
	if (k != MELEE_INDEX_NONE)
		return override_add(ov, MELEE_OVERRIDE_GROUP, g->held[k].gid, e->id, e->name,
				    e->name);
	write_image_group(b, e, g, NULL, suffixes);
	return 0;
}

/* The held gids the image does not have, as the host's lines, in the
 * host's order. */
static void write_host_only_groups(struct group_merge *g, struct buf *b, char *const *suffixes)
{
	for (size_t j = 0; j < g->host.n; j++) {
		const struct entry *h = &g->host.e[j];
		size_t k =
		    h->id >= 0 ? melee_index_get(&g->held_by_gid, NULL, h->id) : MELEE_INDEX_NONE;
		char gid[32], *p = gid + sizeof(gid);
		long id = h->id;

		if (k == MELEE_INDEX_NONE || g->held[k].host_line != j || g->held[k].written)
			continue;
		g->held[k].written = true;
		/* ":x:GID:", without snprintf (a tenth of a 20,000-group merge) */
		*--p = ':';
		do
			*--p = (char)('0' + id % 10);
		while ((id /= 10) > 0);
		p -= 3;
		memcpy(p, ":x:", 3);
		buf_add(b, h->name, strlen(h->name));
		buf_add(b, p, (size_t)(gid + sizeof(gid) - p));
		write_members(b, g, &g->held[k], true, suffixes);
		buf_add(b, "\n", 1);
	}
}

static int merge_group(const char *image_group, const char *host_group, const struct humans *hu,
		       char *const *suffixes, struct melee_overrides *ov, char **out)
{
	struct group_merge g = { .hu = hu };
	struct buf b = { 0 };
	int r;

	if ((r = table_parse(image_group, &g.img)) < 0 ||
	    (r = table_parse(host_group, &g.host)) < 0 || (r = collect_held(&g)) < 0)
		goto out;
	for (size_t i = 0; i < g.img.n; i++)
		if ((r = merge_image_group(&g, &b, &g.img.e[i], suffixes, ov)) < 0)
			goto out;
	write_host_only_groups(&g, &b, suffixes);
	r = buf_finish(&b, out);
	b.s = NULL;
out:
	free(b.s);
	group_merge_free(&g);
	return r;
}

int melee_merge_group(const char *image_group, const char *host_group, const char *host_passwd,
		      const struct melee_id_range *range, char *const *suffixes,
		      struct melee_overrides *ov, char **out)
{
	struct humans hu;
	int r = humans_load(&hu, host_passwd, range);

	if (r == 0)
		r = merge_group(image_group, host_group, &hu, suffixes, ov, out);
	humans_free(&hu);
	return r;
}

int melee_accounts_merge(int imgfd, const char *host_etc, char *const *suffixes, char **passwd,
			 char **group, struct melee_overrides *ov, char *err, size_t errlen)
{
	cleanup_free char *hpw = NULL, *hgr = NULL, *ipw = NULL, *igr = NULL;
	struct melee_id_range range;
	struct humans hu;
	char defs[4096];
	int r;

	*passwd = *group = NULL;
	/* Read as libnss_melee and pam_melee read it (root-owned, no
	 * symlink): the three agree on who is a person. */
	snprintf(defs, sizeof(defs), "%s/login.defs", host_etc);
	if ((r = melee_login_defs_read(defs, &range, err, errlen)) < 0 ||
	    (r = melee_accounts_read_host(host_etc, "passwd", false, &hpw, err, errlen)) < 0 ||
	    (r = melee_accounts_read_host(host_etc, "group", false, &hgr, err, errlen)) < 0 ||
	    (r = melee_accounts_read_image(imgfd, "passwd", &ipw, err, errlen)) < 0 ||
	    (r = melee_accounts_read_image(imgfd, "group", &igr, err, errlen)) < 0)
		return r;
	/* The host's people are parsed once for both files. */
	r = humans_load(&hu, hpw, &range);
	if (r == 0)
		r = merge_passwd(ipw, &hu, suffixes, ov, passwd);
	if (r == 0)
		r = merge_group(igr, hgr, &hu, suffixes, ov, group);
	humans_free(&hu);
	if (r < 0) {
		free(*passwd);
		*passwd = NULL;
		return melee_fail(err, errlen, r, "merging accounts: %s", strerror(-r));
	}
	return 0;
}

int melee_accounts_write(int imgfd, const char *host_etc, int outdirfd, char *const *suffixes,
			 struct melee_overrides *ov, char *err, size_t errlen)
{
	cleanup_free char *opw = NULL, *ogr = NULL;
	int r;

	r = melee_accounts_merge(imgfd, host_etc, suffixes, &opw, &ogr, ov, err, errlen);
	if (r < 0)
		return r;
	r = melee_write_atomic(outdirfd, "passwd", opw, strlen(opw), 0644, err, errlen);
	if (r >= 0)
		r = melee_write_atomic(outdirfd, "group", ogr, strlen(ogr), 0644, err, errlen);
	return r < 0 ? r : 0;
}
