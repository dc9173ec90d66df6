/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: users.conf (melee_users_parse_fd on arbitrary bytes,
 * after a fixed melee.conf, then melee_config_finish).  Accepted lines
 * must name a configured image, each user once. */
#include "melee-config.h"
#include "melee-util.h"
#include "fuzz-util.h"

static const char base_conf[] = "[melee]\n"
				"[image sl6]\n"
				"aliases = sl63\n"
				"[image deb12]\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct melee_config cfg;
	char err[MELEE_ERRLEN] = "";
	int fd, r;

	melee_config_init(&cfg);
	fd = fuzz_memfd((const uint8_t *)base_conf, strlen(base_conf));
	r = melee_config_parse_fd(fd, "/etc/melee/melee.conf", false, &cfg, err, sizeof(err));
	close(fd);
	if (r < 0)
		abort(); /* the fixed file is good */
	fd = fuzz_memfd(data, size);
	r = melee_users_parse_fd(fd, "/etc/melee/users.conf", &cfg, err, sizeof(err));
	close(fd);
	if (r == 0)
		r = melee_config_finish(&cfg, err, sizeof(err));
	if (r > 0 || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	for (size_t i = 0; r == 0 && i < cfg.n_users; i++) {
		if (!melee_config_find_image(&cfg, cfg.users[i].image) || !cfg.users[i].user[0])
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg.users[i].user, cfg.users[j].user) == 0)
				abort();
	}
	melee_config_free(&cfg);
	return 0;
}
