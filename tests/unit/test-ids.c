/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-ids: login.defs ranges and who is a person (who may have a
 * USER+IMAGE name). */
#include "melee-ids.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	struct melee_id_range r;
	char dir[] = "/tmp/test-ids.XXXXXX", path[64], link[64], fifo[64];
	char err[MELEE_ERRLEN] = "";

	melee_login_defs_parse("UID_MIN 1501\nUID_MAX\t1502\n", &r, NULL, NULL, 0);
	ok(r.uid_min == 1501 && r.uid_max == 1502 && r.gid_min == 1000, "ranges read");
	ok(!melee_uid_is_human(&r, 1500) && melee_uid_is_human(&r, 1501) &&
		   melee_uid_is_human(&r, 1502) && !melee_uid_is_human(&r, 1503),
	   "UID_MIN and UID_MAX are people, one below and one above are not");
	melee_login_defs_parse("# UID_MIN 5\n  UID_MIN 1700\nUID_MINIMUM 3\nXUID_MAX 9\n"
			       "\tGID_MAX 3000\nUID_MAX 1800 \t\n#GID_MIN 7", &r, NULL, NULL, 0);
	ok(r.uid_min == 1700 && r.uid_max == 1800 && r.gid_min == 1000 && r.gid_max == 3000,
	   "keys after blanks read (trailing blanks dropped); comments, longer and "
	   "prefixed keys ignored");
	melee_login_defs_parse("UID_MIN 0\nUID_MAX 70000\n", &r, NULL, NULL, 0);
	ok(!melee_uid_is_human(&r, 0) && !melee_uid_is_human(&r, 65534) &&
		   melee_uid_is_human(&r, 1),
	   "uid 0 and 65534 never, whatever login.defs says");
	/* A range that reaches -1: shadow reads any unsigned long. */
	ok(melee_login_defs_parse("UID_MIN 1000\nUID_MAX 4294967295\n", &r, NULL, NULL, 0) == 0 &&
		   r.uid_max == 4294967295ul,
	   "UID_MAX 4294967295 read as shadow reads it");
	ok(!melee_uid_is_human(&r, (uid_t)-1) && melee_uid_is_human(&r, 4294967294u),
	   "uid -1 (no uid at all) never, even inside a UID_MAX that reaches it");
	ok(mkdtemp(dir) != NULL, "a work directory");
	snprintf(path, sizeof(path), "%s/nosuch", dir);
	r.uid_min = 7;
	ok(melee_login_defs_read(path, &r, err, sizeof(err)) == 0 && r.uid_min == 1000 &&
		   r.uid_max == 60000,
	   "a missing login.defs: shadow's defaults");
	snprintf(link, sizeof(link), "%s/link", dir);
	ok(symlink("/etc/login.defs", link) == 0, "a symlink");
	ok(melee_login_defs_read(link, &r, err, sizeof(err)) == -ELOOP, "a symlink is refused");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ok(mkfifo(fifo, 0644) == 0, "a fifo");
	ok(melee_login_defs_read(fifo, &r, err, sizeof(err)) == -EPERM,
	   "a fifo is refused at once (no hang)");
	ok(melee_suffix_allowed(path, "root", 0, err, sizeof(err)) == -EPERM, "root: refused");
	is_str(err, "root (uid 0) is not a human account: it has no USER+IMAGE name", "with why");
	ok(melee_suffix_allowed(path, "svc", 999, err, sizeof(err)) == -EPERM, "uid 999: refused");
	ok(strstr(err, "svc (uid 999) is not a human account (UID_MIN..UID_MAX of ") &&
		   strstr(err, "/nosuch: 1000..60000): it has no USER+IMAGE name"),
	   "the message names the file and the range: %s", err);
	ok(melee_suffix_allowed(path, "alice", 1001, err, sizeof(err)) == 0, "uid 1001: allowed");
	unlink(link);
	unlink(fifo);
	rmdir(dir);
	return done_testing();
}
