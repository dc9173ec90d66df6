/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cleanup attributes for libmount objects, like systemd's libmount-util.h:
 * one way to release a table, an iterator, an fs entry or a context on
 * every path.  Its own header, so that code without libmount never sees
 * <libmount.h>. */
#ifndef MELEE_MNT_UTIL_H
#define MELEE_MNT_UTIL_H

#include <libmount.h>

static inline void melee_mnt_unref_tablep(struct libmnt_table **tb)
{
	mnt_unref_table(*tb); /* NULL is fine */
}
static inline void melee_mnt_free_iterp(struct libmnt_iter **it)
{
	mnt_free_iter(*it);
}
static inline void melee_mnt_unref_fsp(struct libmnt_fs **fs)
{
	mnt_unref_fs(*fs);
}
static inline void melee_mnt_free_contextp(struct libmnt_context **cxt)
{
	mnt_free_context(*cxt);
}
#define cleanup_mnt_table __attribute__((cleanup(melee_mnt_unref_tablep)))
#define cleanup_mnt_iter __attribute__((cleanup(melee_mnt_free_iterp)))
#define cleanup_mnt_fs __attribute__((cleanup(melee_mnt_unref_fsp)))
#define cleanup_mnt_context __attribute__((cleanup(melee_mnt_free_contextp)))

#endif
