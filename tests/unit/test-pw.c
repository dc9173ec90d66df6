/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-pw: the passwd lookup grown on ERANGE, through real glibc and its
 * files module, on a passwd file of the test's own (bind-mounted over
 * /etc/passwd in a private mount namespace; a user namespace first when
 * not root). */
#include "melee-pw.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* A passwd file with a 20 KiB GECOS (far above the first buffer, which
 * sysconf sizes at 1 KiB), and with `huge` one above MELEE_PW_MAX too
 * (glibc's files module then fails every lookup that reads past it). */
static int write_passwd(const char *path, bool huge)
{
	FILE *f = fopen(path, "we");
	static char big[20000 + 1], hugebuf[MELEE_PW_MAX + 1];

	if (!f)
		return -1;
	memset(big, 'g', sizeof(big) - 1);
	memset(hugebuf, 'h', sizeof(hugebuf) - 1);
	fprintf(f, "root:x:0:0:root:/root:/bin/sh\n");
	fprintf(f, "plain:x:4241:4241:Plain:/home/plain:/bin/sh\n");
	fprintf(f, "longgecos:x:4242:4242:%s:/home/longgecos:/bin/bash\n", big);
	if (huge)
		fprintf(f, "hugegecos:x:4243:4243:%s:/home/hugegecos:/bin/sh\n", hugebuf);
	return fclose(f);
}

/* Root needs only the mount namespace; anyone else maps itself to root
 * of a new user namespace first.  Only the files module answers (our
 * nsswitch.conf), and a host nscd is out of reach (its socket covered),
 * so every answer comes from the test's passwd. */
static int private_ns(const char *nsswitch)
{
	if (unshare(CLONE_NEWNS | (getuid() != 0 ? CLONE_NEWUSER : 0)) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(nsswitch, "/etc/nsswitch.conf", NULL, MS_BIND, NULL) < 0)
		return -1;
	if (access("/run/nscd", F_OK) == 0 &&
	    mount("none", "/run/nscd", "tmpfs", MS_RDONLY, NULL) < 0)
		return -1;
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/test-pw.XXXXXX", path[64], hugepath[64], nss[64], err[MELEE_ERRLEN];
	FILE *f;
	cleanup_free struct passwd *pw = NULL, *big = NULL, *byuid = NULL, *huge = NULL;
	struct passwd *none = NULL;
	int r;

	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/passwd", dir);
	snprintf(hugepath, sizeof(hugepath), "%s/passwd.huge", dir);
	snprintf(nss, sizeof(nss), "%s/nsswitch.conf", dir);
	if (write_passwd(path, false) < 0 || write_passwd(hugepath, true) < 0)
		return 99;
	f = fopen(nss, "we");
	if (!f || fputs("passwd: files\ngroup: files\n", f) < 0 || fclose(f) != 0)
		return 99;
	if (private_ns(nss) < 0 || mount(path, "/etc/passwd", NULL, MS_BIND, NULL) < 0) {
		printf("1..0 # SKIP no private mount namespace for a test passwd (%s)\n",
		       strerror(errno));
		unlink(path);
		unlink(hugepath);
		unlink(nss);
		rmdir(dir);
		return 0;
	}

	r = melee_getpwnam("plain", &pw, err, sizeof(err));
	ok(r == 0 && pw && strcmp(pw->pw_name, "plain") == 0 && pw->pw_uid == 4241 &&
		   strcmp(pw->pw_dir, "/home/plain") == 0,
	   "a plain entry by name: its fields (r=%d)", r);

	r = melee_getpwnam("longgecos", &big, err, sizeof(err));
	ok(r == 0 && big && strlen(big->pw_gecos) == 20000 && big->pw_uid == 4242 &&
		   strcmp(big->pw_shell, "/bin/bash") == 0,
	   "an entry with a 20 KiB GECOS by name: grown until it fits, every field read "
	   "(r=%d: %s)",
	   r, r ? err : "");

	r = melee_getpwuid(4242, &byuid, err, sizeof(err));
	ok(r == 0 && byuid && strcmp(byuid->pw_name, "longgecos") == 0 &&
		   strlen(byuid->pw_gecos) == 20000,
	   "the same entry by uid (r=%d: %s)", r, r ? err : "");

	r = melee_getpwnam("nosuchuser", &none, err, sizeof(err));
	ok(r == -ENOENT && !none, "an unknown name: -ENOENT (r=%d)", r);
	is_str(err, "user 'nosuchuser' is not in the password database",
	       "and the message names it");
	r = melee_getpwuid(4299, &none, err, sizeof(err));
	ok(r == -ENOENT && !none, "an unknown uid: -ENOENT (r=%d)", r);
	is_str(err, "user id 4299 is not in the password database", "and the message names it");

	if (mount(hugepath, "/etc/passwd", NULL, MS_BIND, NULL) < 0)
		return 99;
	r = melee_getpwnam("hugegecos", &huge, err, sizeof(err));
	ok(r == -ERANGE && !huge, "an entry bigger than MELEE_PW_MAX: -ERANGE, no entry (r=%d)",
	   r);
	is_str(err, "user 'hugegecos': the passwd entry is bigger than 1048576 bytes",
	       "and the message names the user and the limit");

	/* Both binds first: a file with a mount on it cannot be unlinked. */
	umount2("/etc/passwd", MNT_DETACH);
	umount2("/etc/passwd", MNT_DETACH);

	/* A database that cannot be read (here: no /etc/passwd at all, an
	 * /etc of our own): glibc says ENOENT, which is a failed lookup,
	 * never "no such user". */
	{
		cleanup_free struct passwd *gone = NULL;

		if (mount("pw-test-etc", "/etc", "tmpfs", 0, "mode=755") < 0 ||
		    !(f = fopen("/etc/nsswitch.conf", "we")) ||
		    fputs("passwd: files\ngroup: files\n", f) < 0 || fclose(f) != 0)
			return 99;
		r = melee_getpwnam("plain", &gone, err, sizeof(err));
		ok(r < 0 && r != -ENOENT && !gone,
		   "an unreadable passwd database: an error, not 'no such user' (r=%d: %s)", r, err);
		is_str(err, "cannot look up user 'plain': No such file or directory",
		       "and the message says the lookup failed");
		umount2("/etc", MNT_DETACH);
	}
	unlink(path);
	unlink(hugepath);
	unlink(nss);
	rmdir(dir);
	return done_testing();
}
