/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The desktop-entry text of links --apps: the [Desktop Entry] group read
 * with the specification's escapes, control characters and bad UTF-8
 * found, and an image's Exec line turned into `melee IMAGE ARGS` with
 * every argument re-quoted and every field code checked. */
#include "desktop-entry.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

const char *tool_name = "test-desktop-entry";

/* exec_is(EXEC, WANT, WHY): WANT the launcher's Exec (without the melee
 * part), or NULL and WHY the reason. */
static void exec_is(const char *exec, const char *want, const char *why_want)
{
	char why[256] = "";
	char *got = desktop_exec_through(exec, "/usr/bin/melee", "img",
					 "/usr/share/applications/a.desktop", why, sizeof(why));
	char full[512];

	if (want) {
		snprintf(full, sizeof(full), "/usr/bin/melee img %s", want);
		is_str(got, full, "Exec %s -> %s", exec, want);
	} else {
		is_str(got, NULL, "Exec %s is refused", exec);
		is_str(why, why_want, "  because %s", why_want);
	}
	free(got);
}

static void parse_cases(void)
{
	char text[] = "# c\n[Desktop Entry]\nType = Application\nName=A\\sB\\\\C\\nD\n"
		      "Name[de_DE@euro]=x\nBad Key=1\n[Desktop Action x]\nExec=other\n";
	char dup[] = "[Desktop Entry]\nType=Application\nExec=a\nExec=b\n";
	char none[] = "[Other]\nType=Application\n";
	struct desktop_entry e = {0};
	char why[256] = "";

	ok(desktop_entry_parse(text, &e, why, sizeof(why)), "an entry parses");
	is_str(desktop_entry_get(&e, "Type"), "Application", "spaces around = are dropped");
	is_str(desktop_entry_get(&e, "Name"), "A B\\C\nD", "\\s \\\\ \\n unescaped");
	is_str(desktop_entry_get(&e, "Name[de_DE@euro]"), "x", "a localized key");
	is_str(desktop_entry_get(&e, "Bad Key"), NULL, "a key with a space is not one");
	is_str(desktop_entry_get(&e, "Exec"), NULL, "keys of other groups are not read");
	ok(!desktop_text_clean(desktop_entry_get(&e, "Name")), "a newline is not clean text");
	desktop_entry_free(&e);
	ok(!desktop_entry_parse(dup, &e, why, sizeof(why)), "a key twice is refused");
	is_str(why, "the key Exec appears twice", "  with the key named");
	desktop_entry_free(&e);
	ok(!desktop_entry_parse(none, &e, why, sizeof(why)), "no [Desktop Entry] is refused");
	desktop_entry_free(&e);
	ok(desktop_text_clean("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "UTF-8 is clean text");
	ok(!desktop_text_clean("a\x01"), "a control character is not");
	ok(!desktop_text_clean("a\x7f"), "DEL is not");
	ok(!desktop_text_clean("\xff"), "a byte that starts no UTF-8 sequence is not");
	ok(!desktop_text_clean("\xc3("), "a broken sequence is not");
	ok(!desktop_text_clean("\xc0\xaf"), "an overlong '/' is not");
}

int main(void)
{
	parse_cases();
	exec_is("prog", "prog", NULL);
	exec_is("  prog   a  b ", "prog a b", NULL);
	exec_is("prog %f", "prog %f", NULL);
	exec_is("prog --file=%u", "prog --file=%u", NULL);
	exec_is("prog %F", "prog %F", NULL);
	exec_is("prog %U %i %c", "prog %U %i %c", NULL);
	exec_is("prog %k", "prog /usr/share/applications/a.desktop", NULL);
	exec_is("prog %d %D %n %N %v %m x", "prog x", NULL);
	exec_is("prog 100%%", "prog 100%%", NULL);
	exec_is("prog \"a b\"", "prog \"a b\"", NULL);
	exec_is("prog \"\"", "prog \"\"", NULL);
	exec_is("prog \"a\\\"b\" \"\\$x\" \"\\`y\\`\" \"c\\\\d\"",
		"prog \"a\\\"b\" \"\\$x\" \"\\`y\\`\" \"c\\\\d\"", NULL);
	exec_is("prog ; rm -rf ~", "prog \";\" rm -rf \"~\"", NULL);
	exec_is("prog $(id) `id` a|b a&b <in >out *",
		"prog \"\\$(id)\" \"\\`id\\`\" \"a|b\" \"a&b\" \"<in\" \">out\" \"*\"", NULL);
	exec_is("prog 'it s'", "prog \"'it\" \"s'\"", NULL);
	exec_is("prog %z", NULL, "the Exec field code %z is not one of the specification's");
	exec_is("prog 50%", NULL, "the Exec field code % is not one of the specification's");
	exec_is("prog %f %F", NULL, "the Exec has more than one of %f %u %F %U");
	exec_is("prog x%F", NULL, "the Exec field code %F is not an argument of its own");
	exec_is("prog --icon=%i", NULL, "the Exec field code %i is not an argument of its own");
	exec_is("prog \"%f\"", NULL, "the Exec field code %f is inside quotes");
	exec_is("%u", NULL, "the Exec field code %u is the program");
	exec_is("%d", NULL, "the Exec names no program");
	exec_is("prog \"a", NULL, "the Exec has an unterminated quote");
	exec_is("   ", NULL, "the Exec is empty");
	exec_is("prog ;%f", NULL,
		"an Exec argument has a field code and characters that need quotes");
	return done_testing();
}
