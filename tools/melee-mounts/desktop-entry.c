/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Desktop entries as untrusted text (links --apps): the [Desktop Entry]
 * group of an image's entry read, and its Exec re-quoted argument by
 * argument so that a launcher runs melee directly, never a shell. */
#include "desktop-entry.h"

#include "melee-util.h"
#include "tool-util.h"

#include <stdlib.h>
#include <string.h>

void desktop_entry_free(struct desktop_entry *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->kv[i].key);
		free(e->kv[i].val);
	}
	free(e->kv);
	e->kv = NULL;
	e->n = 0;
}

const char *desktop_entry_get(const struct desktop_entry *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->kv[i].key, key) == 0)
			return e->kv[i].val;
	return NULL;
}

/* The string escapes of the specification (\s \n \t \r \\); any other
 * backslash stays, for the Exec quoting rules that come after. */
static char *unescape(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;
	static const char from[] = "sntr\\", to[] = " \n\t\r\\";

	if (!out)
		die("out of memory");
	for (; *in; in++) {
		const char *p = in[0] == '\\' && in[1] ? strchr(from, in[1]) : NULL;

		if (p) {
			*o++ = to[p - from];
			in++;
		} else {
			*o++ = *in;
		}
	}
	*o = '\0';
	return out;
}

/* Text we copy into a launcher: valid UTF-8 without control characters
 * (a newline in a Name would start a line of its own: an Exec of the
 * image's choosing). */
bool desktop_text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80	      ? 0
			: (*p & 0xe0) == 0xc0 ? 1
			: (*p & 0xf0) == 0xe0 ? 2
			: (*p & 0xf8) == 0xf0 ? 3
					      : -1;

		if (n < 0 || (n == 0 && (*p < 0x20 || *p == 0x7f)) || (n == 1 && *p < 0xc2))
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* KEY or KEY[locale], as the specification spells them. */
static bool valid_key(const char *k)
{
	size_t n = strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
	size_t l;

	if (n == 0)
		return false;
	if (k[n] == '\0')
		return true;
	if (k[n] != '[')
		return false;
	l = strspn(k + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@.-");
	return l > 0 && strcmp(k + n + 1 + l, "]") == 0;
}

/* Reads the [Desktop Entry] group of data.  False with the reason. */
bool desktop_entry_parse(char *data, struct desktop_entry *e, char *why, size_t whylen)
{
	bool in_group = false, seen_group = false;
	char *save = NULL;

	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *key, *raw;
		struct desktop_kv *nkv;

		if (line[0] == '#' || line[strspn(line, " \t\r")] == '\0')
			continue;
		if (line[0] == '[') {
			in_group = strcmp(melee_trim(line), "[Desktop Entry]") == 0 && !seen_group;
			seen_group = true;
			continue;
		}
		eq = strchr(line, '=');
		if (!in_group || !eq)
			continue;
		*eq = '\0';
		key = melee_trim(line);
		raw = eq + 1 + strspn(eq + 1, " \t");
		/* A key we never copy may be anything; one we do is checked. */
		if (!valid_key(key))
			continue;
		if (desktop_entry_get(e, key)) {
			snprintf(why, whylen, "the key %s appears twice", key);
			return false;
		}
		nkv = realloc(e->kv, (e->n + 1) * sizeof(*nkv));
		if (!nkv)
			die("out of memory");
		e->kv = nkv;
		e->kv[e->n].key = strdup(key);
		if (!e->kv[e->n].key)
			die("out of memory");
		e->kv[e->n++].val = unescape(raw);
	}
	if (!desktop_entry_get(e, "Type")) {
		snprintf(why, whylen, "no [Desktop Entry] group with a Type");
		return false;
	}
	return true;
}

/* Whether field code %c of argument t can be carried over (the
 * deprecated ones are dropped before): one of the specification's, not
 * the program nor inside quotes, %F %U %i alone in their argument, and
 * at most one of %f %u %F %U in the whole Exec (*files counts them).
 * False with the reason. */
static bool field_code_ok(char c, const char *t, bool quoted, bool first, int *files, char *why,
			  size_t whylen)
{
	if (!c || !strchr("fuFUick", c)) {
		snprintf(why, whylen, "the Exec field code %%%s is not one of the specification's",
			 c ? (char[]){ c, 0 } : "");
		return false;
	}
	if (quoted || first) {
		snprintf(why, whylen, "the Exec field code %%%c is %s", c,
			 first ? "the program" : "inside quotes");
		return false;
	}
	if (strchr("FUi", c) && strlen(t) != 2) {
		snprintf(why, whylen, "the Exec field code %%%c is not an argument of its own", c);
		return false;
	}
	if (strchr("fuFU", c) && ++*files > 1) {
		snprintf(why, whylen, "the Exec has more than one of %%f %%u %%F %%U");
		return false;
	}
	return true;
}

/* Double quotes, with \" \` \$ \\ inside: the one quoting the
 * specification defines; ; $( ) and ` stay literal characters.  Takes
 * `arg` (freed). */
static char *quote_arg(char *arg)
{
	char *q = NULL;
	size_t qlen = 0;
	FILE *f = open_memstream(&q, &qlen);

	if (!f)
		die("out of memory");
	fputc('"', f);
	for (const char *p = arg; *p; p++) {
		if (strchr("\"`$\\", *p))
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
	if (fclose(f) != 0)
		die("out of memory");
	free(arg);
	return q;
}

/* One argument of the launcher's Exec from one of the entry's: field
 * codes checked (%f %u %F %U %i %c kept, %k the entry's path in the image,
 * the deprecated ones dropped), then quoted if it needs quotes.  NULL
 * with the reason for an argument we cannot carry over faithfully. */
static char *exec_arg(const char *t, bool quoted, bool first, const char *entry_path, int *files,
		      char *why, size_t whylen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bool code = false, dropped_all = *t != '\0';

	if (!f)
		die("out of memory");
	for (const char *p = t; *p; p++) {
		char c = p[1];

		if (*p != '%') {
			fputc(*p, f);
			dropped_all = false;
			continue;
		}
		p++;
		if (c == '%') {
			fputs("%%", f);
			dropped_all = false;
			continue;
		}
		if (c && strchr("dDnNvm", c))
			continue;
		if (!field_code_ok(c, t, quoted, first, files, why, whylen)) {
			fclose(f);
			free(out);
			return NULL;
		}
		dropped_all = false;
		if (c == 'k') {
			fputs(entry_path, f);
			continue;
		}
		fprintf(f, "%%%c", c);
		code = true;
	}
	if (fclose(f) != 0)
		die("out of memory");
	if (dropped_all) {
		out[0] = '\0';
		return out;
	}
	if (*out && !strpbrk(out, " \t\n\"'\\><~|&;$*?#()`"))
		return out;
	if (code) {
		snprintf(why, whylen,
			 "an Exec argument has a field code and characters that need quotes");
		free(out);
		return NULL;
	}
	return quote_arg(out);
}

/* The launcher's Exec: `melee_path IMAGE` and the entry's arguments. */
char *desktop_exec_through(const char *exec, const char *melee_path, const char *image,
			   const char *entry_path, char *why, size_t whylen)
{
	char *out = NULL, *tok = malloc(strlen(exec) + 1);
	size_t len = 0, nargs = 0;
	FILE *f = open_memstream(&out, &len);
	const char *p = exec;
	int files = 0;

	if (!f || !tok)
		die("out of memory");
	fprintf(f, "%s %s", melee_path, image);
	for (;;) {
		size_t n = 0;
		bool quoted = false;
		char *arg;

		p += strspn(p, " ");
		if (!*p)
			break;
		while (*p && *p != ' ') {
			if (*p != '"') {
				tok[n++] = *p++;
				continue;
			}
			quoted = true;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("\"`$\\", p[1]))
					p++;
				tok[n++] = *p;
			}
			if (!*p) {
				snprintf(why, whylen, "the Exec has an unterminated quote");
				goto fail;
			}
			p++;
		}
		tok[n] = '\0';
		arg = exec_arg(tok, quoted, nargs == 0, entry_path, &files, why, whylen);
		if (!arg)
			goto fail;
		if (nargs == 0 && !*arg) {
			snprintf(why, whylen, "the Exec names no program");
			free(arg);
			goto fail;
		}
		if (*arg || quoted)
			fprintf(f, " %s", *arg ? arg : "\"\"");
		free(arg);
		nargs++;
	}
	if (fclose(f) != 0)
		die("out of memory");
	free(tok);
	if (nargs == 0) {
		snprintf(why, whylen, "the Exec is empty");
		free(out);
		return NULL;
	}
	return out;
fail:
	fclose(f);
	free(out);
	free(tok);
	return NULL;
}

/* A value as a desktop entry line holds it: backslashes doubled, a
 * leading space kept (desktop_text_clean already refused control characters). */
void desktop_put_value(FILE *f, const char *s)
{
	if (*s == ' ') {
		fputs("\\s", f);
		s++;
	}
	for (; *s; s++) {
		if (*s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}
