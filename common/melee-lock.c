/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "melee-lock.h"
#include "melee-config.h"
#include "melee-mounts.h" /* MELEE_RUNDIR */
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int melee_lock_take(bool wait, char *err, size_t errlen)
{
	cleanup_fd int dfd = -1, fd = -1;

	if (mkdir(MELEE_RUNDIR, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "cannot create %s: %s", MELEE_RUNDIR,
				  strerror(errno));
	/* Trusted like a configuration directory: a user who could replace
	 * the lock file would hold every up and remove at will. */
	dfd = melee_open_trusted(MELEE_RUNDIR, true, 0, err, errlen);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, MELEE_RUNDIR_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "cannot open %s/lock: %s", MELEE_RUNDIR,
				  strerror(errno));
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		return melee_fail(err, errlen, -errno, "cannot lock %s/lock: %s", MELEE_RUNDIR,
				  strerror(errno));
	}
	return melee_steal_fd(&fd);
}
