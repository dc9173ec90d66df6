/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as a login name, split as
 * libnss_melee and pam_melee split it, with a fixed configuration that
 * the target writes and loads once.  Both must agree on every name that
 * names an image: what one module resolves, the other enters. */
#include "melee-access.h"
#include "melee-config.h"
#include "melee-util.h"
#include "fuzz-name.h"
#include "fuzz-util.h"

#include <fcntl.h>
#include <sys/stat.h>

static const char conf_text[] = "[melee]\n"
				"separator = +\n"
				"[image sl6]\n"
				"aliases = sl63, sci6\n"
				"allow-users = alice bob\n"
				"[image deb12]\n"
				"[image a.b_c-9]\n";

/* pam_melee refuses a base of this many bytes or more (its buffer). */
#define PAM_BASE_SIZE 256

static struct melee_config cfg;

/* The configuration, written into a directory of our own and loaded as
 * the modules load theirs (with the ownership checks). */
static void load_config(void)
{
	char dir[] = "/tmp/melee-fuzz-name.XXXXXX", conf[64], err[MELEE_ERRLEN];
	int fd;

	if (!mkdtemp(dir))
		fuzz_die("mkdtemp");
	snprintf(conf, sizeof(conf), "%s/melee.conf", dir);
	fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, conf_text, strlen(conf_text)) != (ssize_t)strlen(conf_text) ||
	    close(fd) < 0)
		fuzz_die(conf);
	if (chmod(dir, 0755) < 0)
		fuzz_die(dir);
	if (melee_config_load(conf, geteuid(), &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz-name: %s\n", err);
		abort();
	}
	unlink(conf);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_strndup(data, size);
	char nbase[600], pbase[300], pimage[MELEE_NAME_MAX + 8], sep = 0, err[MELEE_ERRLEN];
	const char *nimage = NULL;
	const struct melee_image *nim = NULL, *pim = NULL;
	bool nss_ok, suffix = false;
	int r;

	if (!cfg.conf_dir)
		load_config();
	nss_ok = fuzz_nss_split(name, nbase, sizeof(nbase), &nimage, &sep);
	if (nss_ok) {
		size_t bl = strlen(nbase);

		/* base, separator and image are the whole name again */
		if (!bl || strncmp(name, nbase, bl) || name[bl] != sep || nimage != name + bl + 1 ||
		    !melee_name_valid(nimage))
			abort();
		if (sep == cfg.separator)
			nim = melee_config_find_image(&cfg, nimage);
	}
	r = fuzz_pam_parse(&cfg, name, pbase, sizeof(pbase), pimage, sizeof(pimage), &suffix, err,
			   sizeof(err));
	if (r > 0 || !memchr(err, '\0', sizeof(err)))
		abort();
	if (r == 0 && suffix) {
		pim = melee_config_find_image(&cfg, pimage);
		if (pim && melee_image_access(pim, pbase, NULL, 0, err, sizeof(err)) > 0)
			abort();
	}
	/* An image name either module accepts, the other accepts the same. */
	if (pim && (!nss_ok || nim != pim || strcmp(nbase, pbase)))
		abort();
	if (nim && strlen(nbase) < PAM_BASE_SIZE && (r < 0 || !suffix || pim != nim))
		abort();
	free(name);
	return 0;
}
