/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* allow-users / allow-groups: who may use an image. */
#include "melee-access.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>

int main(void)
{
	struct melee_image im = { .name = "sl6" };
	char *groups_v[] = { "root", "no-such-group-xyz", NULL };
	char *users_v[] = { "alice", NULL };
	gid_t in_root[] = { 1000, 0 }, not_root[] = { 1000, 1001 };
	char err[MELEE_ERRLEN] = "";
	gid_t *g = NULL;
	size_t n = 0;

	ok(melee_image_access(&im, "anyone", NULL, 0, err, sizeof(err)) == 0,
	   "no allow lists: everyone may use the image");
	im.allow_groups = groups_v;
	im.n_allow_groups = 2;
	ok(melee_image_access(&im, "bob", in_root, 2, err, sizeof(err)) == 0,
	   "a member of an allowed group may (found by gid, not by name)");
	ok(melee_image_access(&im, "bob", not_root, 2, err, sizeof(err)) == -EACCES,
	   "a non-member may not");
	is_str(err, "you may not use image sl6 (allowed groups: root, no-such-group-xyz)",
	       "the refusal names the allowed groups");
	im.allow_users = users_v;
	im.n_allow_users = 1;
	ok(melee_image_access(&im, "alice", not_root, 2, err, sizeof(err)) == 0,
	   "an allowed user may, whatever her groups");
	ok(melee_image_access(&im, "bob", not_root, 2, err, sizeof(err)) == -EACCES,
	   "bob still may not");
	is_str(err,
	       "you may not use image sl6 (allowed groups: root, no-such-group-xyz; allowed "
	       "users: alice)",
	       "the refusal names groups and users");
	im.allow_groups = NULL;
	im.n_allow_groups = 0;
	melee_image_access(&im, "bob", not_root, 2, err, sizeof(err));
	is_str(err, "you may not use image sl6 (allowed users: alice)", "users only");

	ok(melee_user_groups("root", 0, &g, &n) == 0 && n >= 1 && g[0] == 0,
	   "root's host groups start with its primary group");
	free(g);

	/* melee_user_may_use: the walk (getgrouplist) gives the primary
	 * group even to a name no database knows; gid 0 is root's group. */
	struct passwd pw = { .pw_name = "melee-test-nobody-xyz", .pw_gid = 0 };
	struct melee_image open_im = { .name = "open" }, grp_im = { .name = "grp" };
	char *other_v[] = { "no-such-group-xyz", NULL };

	ok(melee_user_may_use(&open_im, &pw, err, sizeof(err)) == 0,
	   "may use: an image without allow lists, no walk needed");
	grp_im.allow_groups = groups_v;
	grp_im.n_allow_groups = 2;
	ok(melee_user_may_use(&grp_im, &pw, err, sizeof(err)) == 0,
	   "may use: allow-groups root, the user's primary group found by the walk");
	grp_im.allow_groups = other_v;
	grp_im.n_allow_groups = 1;
	ok(melee_user_may_use(&grp_im, &pw, err, sizeof(err)) == -EACCES,
	   "may not use: allow-groups names no group of the user");
	is_str(err, "you may not use image grp (allowed groups: no-such-group-xyz)",
	       "the refusal of melee_image_access, unchanged");
	return done_testing();
}
