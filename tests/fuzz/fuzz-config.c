/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: melee.conf and images.d drop-ins (melee_config_parse_fd
 * on arbitrary bytes, then melee_config_finish), each input read both
 * ways.  A configuration that is accepted must hold what the rest of
 * MELEE relies on: valid names that find their image, absolute paths; and
 * a lookup's scan of the input as another drop-in refuses nothing that
 * the full read accepts. */
#include "melee-config-parse.h"
#include "melee-util.h"
#include "fuzz-util.h"

#include <stdbool.h>

/* The melee.conf a drop-in is read after (aliases to collide with). */
static const char base_conf[] = "[melee]\n"
				"images-dir = /image\n"
				"default-image = sl6\n"
				"[image sl6]\n"
				"aliases = sl63, sci6\n";

static void check_accepted(const struct melee_config *cfg)
{
	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct melee_image *im = &cfg->images[i];

		if (!melee_name_valid(im->name) || melee_config_find_image(cfg, im->name) != im ||
		    !im->path || im->path[0] != '/' || strcmp(im->path, "/") == 0 ||
		    !im->fstab || im->fstab[0] != '/' || !im->description)
			abort();
		for (size_t a = 0; a < im->n_aliases; a++)
			if (melee_config_find_image(cfg, im->aliases[a]) != im)
				abort();
	}
	if (cfg->default_image && !melee_config_find_image(cfg, cfg->default_image))
		abort();
	if (!strchr(MELEE_SEPARATORS, cfg->separator))
		abort();
}

/* The input as another drop-in that a lookup of sl63 (an alias of sl6 in
 * base_conf) reads for lines claiming sl63 or sl6 (melee_config_scan_dropin):
 * a refusal there must be one the full read makes too. */
static int scan(const uint8_t *data, size_t size, const struct melee_config *base)
{
	char err[MELEE_ERRLEN] = "";
	const struct melee_image *im = melee_config_find_image(base, "sl6");
	int fd, r;

	if (!im)
		abort();
	fd = fuzz_memfd(data, size);
	r = melee_config_scan_dropin(fd, "/etc/melee/images.d/fuzz.conf", "sl63", im, err,
				     sizeof(err));
	close(fd);
	if (r > 0 || memchr(err, '\0', sizeof(err)) == NULL || (r < 0 && !err[0]))
		abort();
	return r;
}

static void parse(const uint8_t *data, size_t size, bool dropin)
{
	struct melee_config cfg;
	char err[MELEE_ERRLEN] = "";
	int fd, r = 0, scan_r = 0;

	melee_config_init(&cfg);
	cfg.conf_dir = strdup("/etc/melee");
	if (!cfg.conf_dir)
		fuzz_die("strdup");
	if (dropin) {
		fd = fuzz_memfd((const uint8_t *)base_conf, strlen(base_conf));
		r = melee_config_parse_fd(fd, "/etc/melee/melee.conf", false, &cfg, err,
					  sizeof(err));
		close(fd);
		if (r < 0)
			abort(); /* the fixed file is good */
		scan_r = scan(data, size, &cfg);
	}
	fd = fuzz_memfd(data, size);
	r = melee_config_parse_fd(fd, dropin ? "/etc/melee/images.d/fuzz.conf" : "/etc/melee/melee.conf",
				  dropin, &cfg, err, sizeof(err));
	close(fd);
	if (r == 0)
		r = melee_config_finish(&cfg, err, sizeof(err));
	if (r > 0 || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (r == 0)
		check_accepted(&cfg);
	if (scan_r < 0 && r == 0)
		abort(); /* a lookup refused what the full read accepts */
	melee_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse(data, size, false);
	parse(data, size, true);
	return 0;
}
