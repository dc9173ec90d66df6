/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the passwd/group table parser and the accounts merge
 * of common/melee-accounts.c.  The input is five NUL-separated parts:
 * the image's passwd, the host's passwd, the image's group, the host's
 * group and the host's login.defs (for the human uid range). */
#include "melee-accounts.h"
#include "melee-ids.h"
#include "melee-util.h"
#include "fuzz-util.h"

static char *const suffixes[] = { "+sl6", "+deb12", NULL };

static void describe_all(struct melee_overrides *ov)
{
	char buf[512];

	for (size_t i = 0; i < ov->n; i++)
		if (!melee_override_describe(&ov->v[i], "sl6", buf, sizeof(buf)) ||
		    !memchr(buf, '\0', sizeof(buf)))
			abort();
	melee_overrides_free(ov);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[5];
	char *block = fuzz_split(data, size, part, 5);
	struct melee_id_range range;
	struct melee_overrides ov = { 0 };
	char *out = NULL;

	melee_login_defs_parse(part[4], &range, NULL, NULL, 0);
	if (melee_merge_passwd(part[0], part[1], &range, suffixes, &ov, &out) == 0 && !out)
		abort();
	free(out);
	out = NULL;
	describe_all(&ov);
	if (melee_merge_group(part[2], part[3], part[1], &range, suffixes, &ov, &out) == 0 &&
	    !out)
		abort();
	free(out);
	describe_all(&ov);
	free(block);
	return 0;
}
