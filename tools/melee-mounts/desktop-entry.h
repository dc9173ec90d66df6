/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Desktop entries as untrusted text: the [Desktop Entry] group read, an
 * Exec line re-quoted for a launcher (Desktop Entry Specification 1.5). */
#ifndef MELEE_DESKTOP_ENTRY_H
#define MELEE_DESKTOP_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The [Desktop Entry] group: keys in file order, values unescaped. */
struct desktop_kv {
	char *key, *val;
};
struct desktop_entry {
	struct desktop_kv *kv;
	size_t n;
};

void desktop_entry_free(struct desktop_entry *e);
const char *desktop_entry_get(const struct desktop_entry *e, const char *key);

/* Reads the [Desktop Entry] group of data (modified in place): values
 * unescaped (\s \n \t \r \\); false with the reason (a key twice, no Type). */
bool desktop_entry_parse(char *data, struct desktop_entry *e, char *why, size_t whylen);

/* Valid UTF-8 without control characters: text that cannot start a line
 * of its own in a file we write. */
bool desktop_text_clean(const char *s);

/* The Exec value `melee_path IMAGE ARGS...` for the entry's (unescaped)
 * Exec: each argument parsed by the specification's quoting, its field
 * codes checked (%k becomes entry_path), re-quoted where it needs it.
 * NULL with the reason if it cannot be carried over faithfully. */
char *desktop_exec_through(const char *exec, const char *melee_path, const char *image,
			   const char *entry_path, char *why, size_t whylen);

/* Writes s as a desktop entry value: backslashes doubled, a leading
 * space as \s (s holds no control characters). */
void desktop_put_value(FILE *f, const char *s);

#endif
