/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnss_melee's snapshots of the configuration (nss-cache.h).
 *
 * Any thread may call an NSS module, and a process may fork while one
 * does: the table is taken with trylock only, never waited for, so a
 * child forked with the lock held (or a busy moment) reads the files
 * itself, as before, and never hangs.  A snapshot lives while the table
 * or a lookup holds it (refs); one replaced while a lookup uses it is
 * freed by the last to let go.  Nothing is reused once a file changed:
 * each use re-stats every file and directory the read was made of. */
#include "nss-cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A few images at once (a host's logins use one or two); more only
 * evict each other, at the cost of a read. */
#define SLOTS 8

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nss_snapshot *table[SLOTS];
static unsigned next_slot;

void nss_snapshot_put(struct nss_snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	melee_config_free(&s->cfg);
	melee_stamps_free(&s->stamps);
	free(s);
}

/* A fresh snapshot of image from the table, referenced; NULL when there
 * is none (a stale one is dropped). */
static struct nss_snapshot *cached(const char *image)
{
	struct nss_snapshot *found = NULL;

	if (pthread_mutex_trylock(&table_lock) != 0)
		return NULL;
	for (unsigned i = 0; i < SLOTS && !found; i++) {
		if (!table[i] || strcmp(table[i]->image, image) != 0)
			continue;
		if (melee_stamps_fresh(&table[i]->stamps)) {
			found = table[i];
			__atomic_add_fetch(&found->refs, 1, __ATOMIC_ACQ_REL);
		} else {
			nss_snapshot_put(table[i]);
			table[i] = NULL;
		}
	}
	pthread_mutex_unlock(&table_lock);
	return found;
}

static void keep(struct nss_snapshot *s)
{
	unsigned slot = SLOTS;

	/* A read that saw a file changed within its own clock tick can
	 * never be checked: not kept. */
	if (s->stamps.racy || pthread_mutex_trylock(&table_lock) != 0)
		return;
	for (unsigned i = 0; i < SLOTS && slot == SLOTS; i++)
		if (!table[i] || strcmp(table[i]->image, s->image) == 0)
			slot = i;
	if (slot == SLOTS)
		slot = next_slot++ % SLOTS;
	nss_snapshot_put(table[slot]);
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	table[slot] = s;
	pthread_mutex_unlock(&table_lock);
}

static int read_snapshot(const char *image, struct nss_snapshot *s, char *err, size_t errlen)
{
	int r = melee_config_load_image_stamped(MELEE_DEFAULT_CONFIG, 0, image, &s->stamps, &s->cfg,
						err, errlen);

	if (r < 0)
		return r;
	if (!melee_config_find_image(&s->cfg, image) && strcmp(image, MELEE_HOST_NAME) != 0)
		return 0;
	r = melee_login_defs_read_stamped(MELEE_LOGIN_DEFS, &s->stamps, &s->range, err, errlen);
	if (r < 0)
		return r;
	s->have_range = true;
	return 0;
}

int nss_snapshot_get(const char *image, struct nss_snapshot **out, char *err, size_t errlen)
{
	struct nss_snapshot *s;
	int r;

	*out = NULL;
	if (strlen(image) > MELEE_NAME_MAX)
		return melee_fail(err, errlen, -EINVAL, "image name too long");
	s = cached(image);
	if (s) {
		*out = s;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	strcpy(s->image, image);
	s->refs = 1;
	r = read_snapshot(image, s, err, errlen);
	if (r < 0) {
		/* A failure is read again next time: never kept. */
		nss_snapshot_put(s);
		return r;
	}
	keep(s);
	*out = s;
	return 0;
}
