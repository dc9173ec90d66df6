/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accounts = merge: the merged passwd and group of a fixed input, byte for byte against golden files. */
#include "melee-accounts.h"
#include "melee-ids.h"
#include "melee-util.h"
#include "tap.h"

#include <fcntl.h>

/* The golden files were written once by the merge as it was before it
 * was made linear and reviewed line by line (README there):
 * a faster merge must write exactly the same files. */
#define GOLDEN "tests/unit/accounts-golden"

static char *golden(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[4096], *text = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/" GOLDEN "/%s", top ? top : ".", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || melee_read_fd(fd, 1 << 20, &text, NULL) < 0) {
		printf("Bail out! %s: cannot read\n", path);
		exit(1);
	}
	close(fd);
	return text;
}

/* The first line where got and want differ, for the log. */
static void show_first_difference(const char *got, const char *want)
{
	size_t line = 1, i = 0, start = 0;

	for (; got[i] && got[i] == want[i]; i++)
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
	got += start;
	want += start;
	printf("#   first difference on line %zu\n#   got:  '%.*s'\n#   want: '%.*s'\n", line,
	       (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
}

static void is_golden(const char *got, const char *name, const char *desc)
{
	char *want = golden(name);
	bool same = got && strcmp(got, want) == 0;

	ok(same, "%s", desc);
	if (!same && got)
		show_first_difference(got, want);
	free(want);
}

/* The overrides, described as melee-mounts up prints them. */
static char *described(const struct melee_overrides *ov)
{
	size_t len = 0, cap = ov->n * 512 + 1;
	char *all = malloc(cap), line[512];

	if (!all)
		abort();
	all[0] = '\0';
	for (size_t i = 0; i < ov->n; i++)
		len += (size_t)snprintf(all + len, cap - len, "%s\n",
					melee_override_describe(&ov->v[i], "sl6", line,
								sizeof(line)));
	return all;
}

int main(void)
{
	char *defs = golden("host-login.defs"), *hpw = golden("host-passwd"),
	     *hgr = golden("host-group"), *ipw = golden("image-passwd"),
	     *igr = golden("image-group"), *pw = NULL, *gr = NULL, *ovs;
	char *suffixes[] = { "+sl6", "+sl63", NULL };
	struct melee_overrides ov = { 0 };
	struct melee_id_range range;

	melee_login_defs_parse(defs, &range, NULL, NULL, 0);
	ok(melee_merge_passwd(ipw, hpw, &range, suffixes, &ov, &pw) == 0,
	   "golden passwd: merged");
	is_golden(pw, "expected-passwd",
		  "golden passwd: byte for byte the expected file (image system users, host "
		  "humans, their +sl6 and +sl63 names)");
	ok(melee_merge_group(igr, hgr, hpw, &range, suffixes, &ov, &gr) == 0,
	   "golden group: merged");
	is_golden(gr, "expected-group",
		  "golden group: byte for byte the expected file (held gids under the host's "
		  "names, a group split over two host lines listed once, image groups without "
		  "host humans)");
	ovs = described(&ov);
	is_golden(ovs, "expected-overrides", "golden overrides: the same eight, in the same order");
	free(ovs);
	melee_overrides_free(&ov);
	free(pw);
	free(gr);
	free(defs);
	free(hpw);
	free(hgr);
	free(ipw);
	free(igr);
	return done_testing();
}
