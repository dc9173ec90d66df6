/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee-image import of a container image: the source opened and its
 * image selected, every layer's sha256 checked (all before the first is
 * applied), then the layers applied in order beneath the new tree's
 * root.  The tree itself (made, scanned, registered or removed) is
 * melee-image.c's, as for a tarball. */
#include "oci-source.h"
#include "melee-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int oci_import(const struct oci_ref *ref, const char *shown, int rootfd, struct oci_apply *ap,
	       char *err, size_t errlen)
{
	struct oci_source src;
	struct oci_image img = { 0 };
	char size[32];
	int r = oci_source_open(ref, shown, &src, err, errlen);

	if (r == 0)
		r = oci_image_select(&src, ref->tag, &img, err, errlen);
	for (size_t i = 0; r == 0 && i < img.n_layers; i++) {
		if (*ap->interrupted)
			r = melee_fail(err, errlen, -EINTR, "interrupted");
		else
			r = oci_blob_verify(&img.layers[i].blob, shown, err, errlen);
	}
	if (r == 0) {
		snprintf(size, sizeof(size), "%.1f MB", (double)img.total / (1 << 20));
		printf("melee-image: %s: applying %zu layer%s (%s) of %s\n", ap->name, img.n_layers,
		       img.n_layers == 1 ? "" : "s", size, shown);
		fflush(stdout);
		ap->total = img.total;
	}
	for (size_t i = 0; r == 0 && i < img.n_layers; i++)
		r = oci_layer_apply(rootfd, &img.layers[i], ap, err, errlen);
	if (ap->progress && ap->total)
		printf("\n");
	if (r == 0 && ap->devices_skipped)
		printf("melee-image: %s: %u device nodes skipped (not created without --trusted)\n",
		       ap->name, ap->devices_skipped);
	oci_image_free(&img);
	oci_source_close(&src);
	return r;
}
