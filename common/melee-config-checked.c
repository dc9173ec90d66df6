/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record that lets a lookup skip the other drop-ins.
 *
 * A lookup of IMAGE parses melee.conf and images.d/IMAGE.conf only
 * (melee_config_load_image).  Only those files may define IMAGE
 * (melee.conf(5), "One drop-in per image"), but a line elsewhere that
 * tries (a systemd-style override, images.d/IMAGE-restrict.conf holding a
 * second [image IMAGE]; an alias IMAGE in another image's drop-in) makes
 * every full read refuse the configuration, and the lookup must not let
 * in anyone that the full read keeps out.  So the lookup reads the other
 * drop-ins for such lines (melee_config_scan_dropin), unless this record
 * says that melee-mounts read them all, without error, and that no entry
 * of images.d was added, removed or renamed since: the directory's
 * device, inode and ctime, which every such change moves.  melee.conf's
 * device, inode, size, mtime and ctime too: an alias or an [image] added
 * there can clash with another drop-in as well, and the record then
 * names the very melee.conf it was checked with (not another --config's).  One fstat and
 * one small read per lookup; nothing here is an answer, only a licence
 * to skip, so a missing, foreign or stale record costs time, never
 * safety.
 *
 * What it cannot see is a drop-in rewritten in place after the record
 * (the directory does not change): that is caught by the next full read
 * (melee-mounts check or up), which then removes the record
 * (melee_config_forget_checked), and by every lookup after it.  The
 * records live in MELEE_CHECKED_DIR, as config-checked-DEV-INO. */
#include "melee-config-parse.h"
#include "melee-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One record per images.d (its device and inode in the name:
 * MELEE_CHECKED_PREFIX DEV-INO): a melee-mounts --config for another
 * directory leaves this one's alone. */

static void record_name(const struct stat *st, char *buf, size_t len)
{
	snprintf(buf, len, MELEE_CHECKED_PREFIX "%llx-%llx", (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino);
}

static int record_text(const struct stat *st, const struct stat *conf, char *buf, size_t len)
{
	return snprintf(
	    buf, len, "images.d %llu %llu %lld %ld\nmelee.conf %llu %llu %lld %lld %ld %lld %ld\n",
	    (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
	    (long long)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec,
	    (unsigned long long)conf->st_dev, (unsigned long long)conf->st_ino,
	    (long long)conf->st_size, (long long)conf->st_mtim.tv_sec, (long)conf->st_mtim.tv_nsec,
	    (long long)conf->st_ctim.tv_sec, (long)conf->st_ctim.tv_nsec);
}

bool melee_config_checked_fresh(int dropins_fd, const struct stat *conf_st, const char *checked_dir,
				uid_t owner)
{
	char want[256], name[64];
	cleanup_fd int dfd = -1, fd = -1;
	cleanup_free char *text = NULL;
	struct stat st;

	/* No message is wanted (NULL): a missing record is the common
	 * case of a lookup before melee-mounts ran, and costs no strerror(). */
	if (!checked_dir || fstat(dropins_fd, &st) < 0)
		return false;
	dfd = melee_open_trusted(checked_dir, true, owner, NULL, 0);
	if (dfd < 0)
		return false;
	record_name(&st, name, sizeof(name));
	fd = melee_open_trusted_at(dfd, name, name, false, owner, NULL, 0);
	if (fd < 0 || melee_read_fd(fd, sizeof(want), &text, NULL) < 0)
		return false;
	record_text(&st, conf_st, want, sizeof(want));
	return strcmp(text, want) == 0;
}

/* a's second is over at b.  Whole seconds, not nanoseconds: a file
 * system may keep whole seconds only (ext4 with 128-byte inodes, some
 * NFS servers), where a change later in the same second leaves the
 * ctime as it was (git's racy rule without USE_NSEC; melee-stamps.c). */
static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec;
}

int melee_config_note_checked(const struct melee_config *cfg, const char *checked_dir, uid_t owner,
			      char *err, size_t errlen)
{
	char text[256], tmp[96], name[64];
	cleanup_fd int dfd = -1, fd = -1;
	int len;

	if (!cfg->dropins_seen || cfg->partial)
		return 0;
	/* A change after the full read's fstat but within the second
	 * that stamped the ctime it saw could leave that ctime as it was:
	 * record only a ctime of a second over before the clock read right
	 * after the fstat (load_dir), which every later change passes.
	 * Racy like git's index: the next full read records it. */
	if (!before(&cfg->dropins_st.st_ctim, &cfg->dropins_seen_at) ||
	    !before(&cfg->conf_st.st_ctim, &cfg->dropins_seen_at))
		return 0;
	if (mkdir(checked_dir, 0755) < 0 && errno != EEXIST)
		return melee_fail(err, errlen, -errno, "%s: cannot create: %s", checked_dir,
				  strerror(errno));
	dfd = melee_open_trusted(checked_dir, true, owner, err, errlen);
	if (dfd < 0)
		return dfd;
	len = record_text(&cfg->dropins_st, &cfg->conf_st, text, sizeof(text));
	record_name(&cfg->dropins_st, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: cannot create: %s", checked_dir, tmp,
				  strerror(errno));
	/* Replaced by rename: a lookup reads the old record or the new. */
	errno = 0;
	if (fchmod(fd, 0644) < 0 || write(fd, text, (size_t)len) != len ||
	    renameat(dfd, tmp, dfd, name) < 0) {
		int e = errno ? errno : EIO;

		unlinkat(dfd, tmp, 0);
		return melee_fail(err, errlen, -e, "%s/%s: cannot write: %s", checked_dir, name,
				  strerror(e));
	}
	return 0;
}

static int record_filter(const struct dirent *d)
{
	return strncmp(d->d_name, MELEE_CHECKED_PREFIX, strlen(MELEE_CHECKED_PREFIX)) == 0;
}

/* Every record, not only the failed configuration's: which images.d that
 * was is not known once its read failed, and a lost record costs time
 * only. */
void melee_config_forget_checked(const char *checked_dir, uid_t owner)
{
	char ignored[MELEE_ERRLEN];
	cleanup_fd int dfd = melee_open_trusted(checked_dir, true, owner, ignored, sizeof(ignored));
	struct dirent **list = NULL;
	int n;

	if (dfd < 0)
		return;
	n = scandirat(dfd, ".", &list, record_filter, NULL);
	for (int i = 0; i < n; i++) {
		unlinkat(dfd, list[i]->d_name, 0);
		free(list[i]);
	}
	free(list);
}
