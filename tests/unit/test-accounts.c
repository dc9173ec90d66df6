/* accounts = merge: the image's system accounts plus the host's humans. */
#include "melee-accounts.h"
#include "tap.h"

#include <string.h>

int main(void)
{
	struct melee_id_range r;
	char *out = NULL;
	const char *host_pw = "root:x:0:0:root:/root:/bin/bash\n"
			      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			      "alice:x:1001:1001:Alice:/home/alice:/bin/bash\n"
			      "bob:x:1002:100:Bob:/home/bob:/bin/zsh\n"
			      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			      "svc:x:999:999::/var/lib/svc:/usr/sbin/nologin\n";
	const char *img_pw = "root:x:0:0:root:/root:/bin/sh\n"
			     "bin:x:1:1:bin:/bin:/sbin/nologin\n"
			     "\n"
			     "alice:x:500:500:Old Alice:/home/alice:/bin/sh\n"
			     "builder:x:1001:1001::/home/builder:/bin/sh\n"
			     "local:x:1500:1500::/home/local:/bin/sh\n"
			     "nobody:x:99:99:Nobody:/:/sbin/nologin\n";
	const char *host_gr = "root:x:0:\n"
			      "users:x:100:\n"
			      "audio:x:29:alice,svc\n"
			      "alice:x:1001:\n"
			      "physics:x:1600:alice,bob,svc\n"
			      "svc:x:999:\n"
			      "video:x:44:bob\n";
	const char *img_gr = "root:x:0:root\n"
			     "bin:x:1:\n"
			     "audio:x:29:pulse\n"
			     "users:x:100:\n"
			     "video:x:39:\n"
			     "builder:x:1001:\n";

	melee_login_defs_parse("# comment\nUID_MIN 1000\nUID_MAX\t60000\nGID_MIN 1000\n"
			       "MAIL_DIR /var/mail\n",
			       &r);
	ok(r.uid_min == 1000 && r.uid_max == 60000 && r.gid_min == 1000 && r.gid_max == 60000,
	   "login.defs ranges read");
	melee_login_defs_parse("UID_MIN 500\n", &r);
	ok(r.uid_min == 500 && r.uid_max == 60000, "missing keys keep the defaults");
	melee_login_defs_parse("", &r);

	ok(melee_merge_passwd(img_pw, host_pw, &r, NULL, &out) == 0, "passwd merge runs");
	is_str(out,
	       "root:x:0:0:root:/root:/bin/sh\n"
	       "bin:x:1:1:bin:/bin:/sbin/nologin\n"
	       "local:x:1500:1500::/home/local:/bin/sh\n"
	       "nobody:x:99:99:Nobody:/:/sbin/nologin\n"
	       "alice:x:1001:1001:Alice:/home/alice:/bin/bash\n"
	       "bob:x:1002:100:Bob:/home/bob:/bin/zsh\n",
	       "passwd: image system accounts kept (image's root, not the host's), host humans "
	       "added once, image alice and uid-1001 builder replaced, no host system accounts");
	free(out);

	ok(melee_merge_passwd(out = NULL, host_pw, &r, NULL, &out) == 0 && strstr(out, "alice:x:1001") &&
		   !strstr(out, "root:"),
	   "passwd: an image without /etc/passwd gets just the humans");
	free(out);

	ok(melee_merge_passwd("root:x:0:0::/root:/bin/sh\nalice:x:1001:1001:Alice:/home/alice:/bin/bash\n",
			      host_pw, &r, NULL, &out) == 0,
	   "passwd merge with the human already in the image");
	is_str(out,
	       "root:x:0:0::/root:/bin/sh\n"
	       "alice:x:1001:1001:Alice:/home/alice:/bin/bash\n"
	       "bob:x:1002:100:Bob:/home/bob:/bin/zsh\n",
	       "passwd: a human user already in the image is not doubled");
	free(out);

	ok(melee_merge_group(img_gr, host_gr, host_pw, &r, NULL, &out) == 0, "group merge runs");
	is_str(out,
	       "root:x:0:root\n"
	       "bin:x:1:\n"
	       "audio:x:29:pulse,alice\n"
	       "users:x:100:\n"
	       "video:x:39:\n"
	       "alice:x:1001:\n"
	       "physics:x:1600:alice,bob\n",
	       "group: same-name same-gid groups get the humans appended, a same-name group "
	       "with another gid stays the image's, the image group on a human gid is "
	       "replaced, host human groups added with human members only");
	free(out);

	ok(melee_merge_group(out = NULL, "", "", &r, NULL, &out) == 0 && strcmp(out, "") == 0,
	   "group: empty inputs give an empty file");
	free(out);
	{
		char *sfx[] = { "+sl6", "+sl63", NULL };

		ok(melee_merge_passwd("root:x:0:0::/root:/bin/sh\n", host_pw, &r, sfx, &out) == 0,
		   "passwd merge with suffixes");
		is_str(out,
		       "root:x:0:0::/root:/bin/sh\n"
		       "alice:x:1001:1001:Alice:/home/alice:/bin/bash\n"
		       "bob:x:1002:100:Bob:/home/bob:/bin/zsh\n"
		       "alice+sl6:x:1001:1001:Alice:/home/alice:/bin/bash\n"
		       "bob+sl6:x:1002:100:Bob:/home/bob:/bin/zsh\n"
		       "alice+sl63:x:1001:1001:Alice:/home/alice:/bin/bash\n"
		       "bob+sl63:x:1002:100:Bob:/home/bob:/bin/zsh\n",
		       "passwd: every human also under each suffixed name (image and alias)");
		free(out);
		ok(melee_merge_group("audio:x:29:pulse\n", host_gr, host_pw, &r, sfx, &out) == 0,
		   "group merge with suffixes");
		is_str(out,
		       "audio:x:29:pulse,alice,alice+sl6,alice+sl63\n"
		       "users:x:100:\n"
		       "alice:x:1001:\n"
		       "physics:x:1600:alice,alice+sl6,alice+sl63,bob,bob+sl6,bob+sl63\n"
		       "video:x:44:bob,bob+sl6,bob+sl63\n",
		       "group: human members also under their suffixed names");
		free(out);
	}
	{
		/* A login.defs whose range takes in 0 and 65534 (UID_MIN 0,
		 * UID_MAX 4000000000, as some directory sites write): root and
		 * nobody are still no people, as libnss_melee and pam_melee
		 * decide, so the image gets no root+sl6 or nobody+sl6 line. */
		char *sfx[] = { "+sl6", NULL };

		melee_login_defs_parse("UID_MIN 0\nUID_MAX 4000000000\n", &r);
		ok(melee_merge_passwd("", host_pw, &r, sfx, &out) == 0,
		   "passwd merge with a range that includes 0 and 65534");
		ok(out && !strstr(out, "root+sl6") && !strstr(out, "nobody+sl6") &&
			   strstr(out, "alice+sl6:x:1001") && strstr(out, "svc+sl6:x:999"),
		   "passwd: no root+sl6 nor nobody+sl6, whatever the range; alice+sl6 and svc+sl6 are there");
		free(out);
		out = NULL;
	}
	return done_testing();
}
