/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the container import's parsers of untrusted bytes
 * (tools/melee-image/oci-source.c, oci-json.c).  The first byte chooses:
 * bit 0 clear, the rest is an archive for oci_tar_index (an oci-archive
 * or docker-archive read in place); set, it is JSON for oci_index_pick,
 * an index.json (bit 1 clear) or a docker manifest.json (bit 1 set),
 * picked without a tag (bit 2 clear) or with the tag "latest".  An
 * indexed member lies inside the archive, and its name is a string; a
 * pick is an entry of the array; an error is a string. */
#include "fuzz-util.h"
#include "melee-util.h"
#include "oci-source.h"

#include <fcntl.h>

static void check_err(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL)
		abort();
}

static void fuzz_tar(const uint8_t *data, size_t size)
{
	char err[MELEE_ERRLEN] = "";
	struct oci_member *m = NULL;
	size_t n = 0;
	int fd = fuzz_memfd(data, size), r;

	r = oci_tar_index(fd, size, &m, &n, err, sizeof(err));
	close(fd);
	check_err(err, sizeof(err));
	if (r > 0 || (r < 0 && n))
		abort();
	for (size_t i = 0; r == 0 && i < n; i++)
		if (!m[i].name || m[i].offset > size || m[i].size > size - m[i].offset)
			abort();
	oci_members_free(m, n);
}

static void fuzz_pick(const uint8_t *data, size_t size, bool docker, const char *tag)
{
	char err[MELEE_ERRLEN] = "";
	size_t pos = (size_t)-1;
	int r = oci_index_pick((const char *)data, size, docker, tag, &pos, err, sizeof(err));

	check_err(err, sizeof(err));
	/* An entry of an array held in the text: fewer entries than bytes. */
	if (r > 0 || (r == 0 && pos >= size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t how;

	if (size < 1)
		return 0;
	how = data[0];
	data++;
	size--;
	if (!(how & 1))
		fuzz_tar(data, size);
	else
		fuzz_pick(data, size, how & 2, how & 4 ? "latest" : NULL);
	return 0;
}
