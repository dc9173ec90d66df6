/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* login.defs read as shadow's getdef reads it (lib/getdef.c def_load and
 * getdef_ulong): quoted, hex and octal values are the numbers useradd
 * uses, and a UID_MIN/UID_MAX that is no number refuses every suffix
 * instead of falling back to 1000..60000. */
#include "melee-ids.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(const char *text, struct melee_id_range *r, char *err, size_t errlen)
{
	r->uid_min = r->uid_max = 7; /* the parse must set them */
	return melee_login_defs_parse(text, r, "/etc/login.defs", err, errlen);
}

/* Values useradd reads as 5000..6000, each as shadow's def_load splits
 * the line. */
static void shadow_values(void)
{
	static const char *const texts[] = {
		"UID_MIN \"5000\"\nUID_MAX \"6000\"\n",     /* quoted */
		"UID_MIN 0x1388\nUID_MAX 0X1770\n",         /* hex */
		"UID_MIN 011610\nUID_MAX 013560\n",         /* octal */
		"UID_MIN\t\t5000  \t\r\nUID_MAX 6000\t\n",  /* trailing blanks, CRLF */
		"UID_MIN  \"\"5000\"ignored\nUID_MAX \"6000\n", /* up to the next quote */
		"UID_MIN 1\nUID_MIN 5000\nUID_MAX 6000\n",  /* the last line wins */
		"UID_MIN +5000\nUID_MAX 6000\n",            /* strtoul's sign */
	};
	struct melee_id_range r;
	char err[MELEE_ERRLEN];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		err[0] = '\0';
		ok(parse(texts[i], &r, err, sizeof(err)) == 0 && r.uid_min == 5000 &&
			   r.uid_max == 6000 && !err[0],
		   "read as 5000..6000 (got %lu..%lu%s%s): %s", r.uid_min, r.uid_max,
		   err[0] ? ", " : "", err, texts[i]);
	}
	ok(parse("UID_MIN 0x1388\n", &r, err, sizeof(err)) == 0 && melee_uid_is_human(&r, 5000) &&
		   !melee_uid_is_human(&r, 4999) && !melee_uid_is_human(&r, 1000),
	   "UID_MIN 0x1388: uid 1000 (a service account of that site) is no person");
	ok(parse("UID_MIN\nUID_MAX=5\n", &r, err, sizeof(err)) == 0 && r.uid_min == 1000 &&
		   r.uid_max == 60000,
	   "a key without a value, or KEY=VALUE (one word), is no setting: shadow skips it");
}

/* Present but no number: refused, the line and value named. */
static void refused_values(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "UID_MIN abc\n",
		  "/etc/login.defs:1: UID_MIN 'abc' is not a number (expected decimal, 0x hex "
		  "or 0 octal, as shadow reads it)" },
		{ "# people\nUID_MIN 1000\nUID_MAX 60000 # end\n",
		  "/etc/login.defs:3: UID_MAX '60000 # end' is not a number (expected decimal, "
		  "0x hex or 0 octal, as shadow reads it)" },
		{ "UID_MIN -1\n", NULL },
		{ "UID_MIN \"\"\n", NULL },
		{ "UID_MIN 5000abc\n", NULL },
		{ "UID_MIN 08\n", NULL }, /* not octal */
		{ "UID_MAX 99999999999999999999999\n", NULL },
		{ "UID_MIN 1000\nGID_MAX 6e4\n", NULL },
		{ "UID_MIN 00000000000000000000000000000000000000000000000000000000000000000001\n",
		  NULL },
	};
	struct melee_id_range r;
	char err[MELEE_ERRLEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ok(parse(bad[i].text, &r, err, sizeof(err)) == -EINVAL && strstr(err, "is not a number"),
		   "refused: %s(%s)", bad[i].text, err);
		if (bad[i].msg)
			is_str(err, bad[i].msg, "the message names the file, line, key and value");
	}
	parse("UID_MIN \"\x1b[2J\"\n", &r, err, sizeof(err));
	ok(strstr(err, "UID_MIN '?[2J'") != NULL, "control bytes are not echoed: %s", err);
}

/* Through the file, as libnss_melee and pam_melee read it. */
static void through_file(void)
{
	char dir[] = "/tmp/test-login-defs.XXXXXX", path[64], fifo[64];
	char err[MELEE_ERRLEN] = "";
	struct melee_id_range r;
	int fd;

	ok(mkdtemp(dir) != NULL, "a work directory");
	snprintf(path, sizeof(path), "%s/login.defs", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && write(fd, "UID_MIN abc\n", 12) == 12 && close(fd) == 0, "a broken login.defs");
	/* Unit tests run as any user: the owner check is the test's uid. */
	if (getuid() == 0) {
		ok(melee_suffix_allowed(path, "alice", 1001, err, sizeof(err)) == -EINVAL,
		   "every suffix refused: %s", err);
		ok(strstr(err, "/login.defs:1: UID_MIN 'abc' is not a number") != NULL,
		   "with the reason: %s", err);
	} else {
		ok(melee_suffix_allowed(path, "alice", 1001, err, sizeof(err)) < 0,
		   "refused (not root's here): %s", err);
	}
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ok(mkfifo(fifo, 0644) == 0, "a FIFO");
	ok(melee_login_defs_read(fifo, &r, err, sizeof(err)) == -EPERM &&
		   strstr(err, "(it is a FIFO)"),
	   "a FIFO as login.defs: refused at once, never opened: %s", err);
	ok(melee_login_defs_read(dir, &r, err, sizeof(err)) == -EPERM &&
		   strstr(err, "(it is a directory)"),
	   "a directory: refused: %s", err);
	unlink(fifo);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	shadow_values();
	refused_values();
	through_file();
	return done_testing();
}
