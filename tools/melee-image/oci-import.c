/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image import of a container image: the source opened and its
 * image selected, every layer's sha256 checked (all before the first is
 * applied, and before any tree is made), then the layers applied in
 * order beneath the new tree's root.  The tree itself (made, scanned,
 * registered or removed) is melee-image.c's, as for a tarball. */
#include "oci-source.h"
#include "melee-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int oci_import_prepare(const struct oci_ref *ref, const char *shown, struct oci_source *src,
		       struct oci_image *img, volatile sig_atomic_t *interrupted, char *err,
		       size_t errlen)
{
	int r = oci_source_open(ref, shown, src, err, errlen);

	*img = (struct oci_image){ 0 };
	if (r == 0)
		r = oci_image_select(src, ref->tag, img, err, errlen);
	for (size_t i = 0; r == 0 && i < img->n_layers; i++) {
		if (*interrupted)
			r = melee_fail(err, errlen, -EINTR, "interrupted");
		else
			r = oci_blob_verify(&img->layers[i].blob, shown, err, errlen);
	}
	if (r < 0) {
		oci_image_free(img);
		oci_source_close(src);
	}
	return r;
}

int oci_import_apply(struct oci_image *img, const char *shown, int rootfd, struct oci_apply *ap,
		     char *err, size_t errlen)
{
	int r = 0;

	printf("melee-image: %s: applying %zu layer%s (%.1f MB) of %s\n", ap->name, img->n_layers,
	       img->n_layers == 1 ? "" : "s", (double)img->total / (1 << 20), shown);
	fflush(stdout);
	ap->total = img->total;
	for (size_t i = 0; r == 0 && i < img->n_layers; i++)
		r = oci_layer_apply(rootfd, &img->layers[i], ap, err, errlen);
	oci_dirs_free(ap->dirs);
	ap->dirs = NULL;
	if (ap->progress && ap->total)
		printf("\n");
	if (r == 0 && ap->xattrs_dropped)
		printf("melee-image: %s: %u xattrs not kept (trusted.*, security.* but "
		       "security.capability)\n",
		       ap->name, ap->xattrs_dropped);
	if (r == 0 && ap->devices_skipped)
		printf("melee-image: %s: %u device nodes skipped (not created without --trusted)\n",
		       ap->name, ap->devices_skipped);
	return r;
}
