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
	struct stat st;

	if (mkdir(MELEE_RUNDIR, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "cannot create %s: %s", MELEE_RUNDIR,
				  strerror(errno));
	/* Trusted like a configuration directory: a user who could replace
	 * the lock file would hold every up and remove at will. */
	dfd = melee_open_trusted(MELEE_RUNDIR, true, 0, err, errlen);
	if (dfd < 0)
		return dfd;
	/* O_NONBLOCK|O_NOCTTY: whatever root may have left there is opened
	 * without waiting or taking it as a terminal, and refused below. */
	fd = openat(dfd, MELEE_RUNDIR_LOCK,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "cannot open %s/lock: %s", MELEE_RUNDIR,
				  strerror(errno));
	/* flock needs no write access: a lock file others may open (an
	 * administrator's chmod) would let any user hold it, and with it
	 * every up, down, remove and auto-up.  Made root's 0600 again. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return melee_fail(err, errlen, -EINVAL, "%s/lock: not a regular file",
				  MELEE_RUNDIR);
	/* A second name elsewhere: its owner and mode are not ours to change. */
	if (st.st_nlink != 1)
		return melee_fail(err, errlen, -EINVAL, "%s/lock: has other links (refused)",
				  MELEE_RUNDIR);
	if ((st.st_uid != 0 || (st.st_mode & 07777) != 0600) &&
	    (fchown(fd, 0, 0) < 0 || fchmod(fd, 0600) < 0))
		return melee_fail(err, errlen, -errno, "%s/lock: cannot make it root's, 0600: %s",
				  MELEE_RUNDIR, strerror(errno));
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		return melee_fail(err, errlen, -errno, "cannot lock %s/lock: %s", MELEE_RUNDIR,
				  strerror(errno));
	}
	return melee_steal_fd(&fd);
}
