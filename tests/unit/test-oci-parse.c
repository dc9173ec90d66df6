/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of melee-image's container image import against what an
 * attacker writes: the outer tar index (truncated headers, sizes past
 * the end, octal overflow, negative base-256, pax records that lie about
 * their length, bad checksums), digests that are not sha256, blobs that
 * do not hash to theirs, and index.json / manifest.json that select the
 * wrong image, none, or are not JSON at all. */
#include "oci-source.h"
#include "melee-util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

static char tmpl[] = "/tmp/melee-oci-test.XXXXXX";

/* A 512-byte header: name, size field as given (12 bytes, raw), type,
 * with a right checksum unless bad_sum. */
static void header(unsigned char *h, const char *name, const char *size, char type, bool bad_sum)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	memcpy(h + 124, size, strlen(size) < 12 ? strlen(size) + 1 : 12);
	memcpy(h + 136, "00000000000", 12);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", bad_sum ? sum + 1 : sum);
}

/* Puts 12 raw bytes in the size field and makes the checksum right. */
static void set_size(unsigned char *h, const unsigned char *raw)
{
	unsigned sum = 0;

	memcpy(h + 124, raw, 12);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* Indexes the bytes buf[0..len) written to a file; returns the result. */
static int index_bytes(const void *buf, size_t len, struct oci_member **m, size_t *n, char *err)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "%s/t.tar", tmpl);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		abort();
	r = oci_tar_index(fd, len, m, n, err, MELEE_ERRLEN);
	close(fd);
	return r;
}

static void test_tar(void)
{
	static unsigned char t[512 * 12];
	char err[MELEE_ERRLEN] = "";
	struct oci_member *m = NULL;
	size_t n = 0;
	int r;

	/* Two members and the end: offsets and sizes as written. */
	memset(t, 0, sizeof(t));
	header(t, "./index.json", "00000000005", '0', false);
	memcpy(t + 512, "hello", 5);
	header(t + 1024, "blobs/sha256/ab", "00000001000", '0', false);
	r = index_bytes(t, 512 * 6, &m, &n, err);
	ok(r == 0 && n == 2, "a plain tar: two members (%d, %zu: %s)", r, n, err);
	if (r == 0 && n == 2) {
		is_str(m[0].name, "index.json", "the leading ./ is dropped");
		ok(m[0].offset == 512 && m[0].size == 5, "the first member's bytes are where they are");
		ok(m[1].offset == 1536 && m[1].size == 512, "the second's too");
	}
	oci_members_free(m, n);

	header(t, "a", "77777777777", '0', false);
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL && strstr(err, "beyond the archive"),
	   "a size past the end of the file is refused (%s)", err);
	header(t, "a", "", '0', false);
	set_size(t, (const unsigned char *)"\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL && strstr(err, "unreadable"),
	   "a base-256 size of 88 bits (overflow) is refused (%s)", err);
	set_size(t, (const unsigned char *)"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfb");
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL && strstr(err, "unreadable"),
	   "a negative base-256 size is refused (%s)", err);
	set_size(t, (const unsigned char *)"777777777777");
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL, "an octal size without terminator, "
							     "past the end, is refused (%s)",
	   err);
	set_size(t, (const unsigned char *)"00000000x05\0");
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL && strstr(err, "unreadable"),
	   "a size with a non-octal digit is refused (%s)", err);
	header(t, "a", "00000000005", '0', true);
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL && strstr(err, "bad checksum"),
	   "a header with a wrong checksum is refused (%s)", err);
	ok(index_bytes(t, 300, &m, &n, err) == -EINVAL && strstr(err, "truncated"),
	   "a file cut inside a header is refused (%s)", err);

	/* A pax header whose record says more bytes than it has. */
	memset(t, 0, sizeof(t));
	header(t, "pax", "00000000024", 'x', false);
	memcpy(t + 512, "99 path=/etc/shadow\n", 20);
	header(t + 1024, "a", "00000000000", '0', false);
	ok(index_bytes(t, 512 * 6, &m, &n, err) == -EINVAL && strstr(err, "bad pax record"),
	   "a pax record that lies about its length is refused (%s)", err);
	header(t, "pax", "00000000022", 'x', false);
	memcpy(t + 512, "21 path=blobs/xyzwvu\n", 21);
	header(t, "pax", "00000000025", 'x', false); /* octal: 21 bytes */
	r = index_bytes(t, 512 * 6, &m, &n, err);
	ok(r == 0 && n == 1 && strcmp(m[0].name, "blobs/xyzwvu") == 0,
	   "a right pax path names the next member (%d %zu %s)", r, n, n ? m[0].name : err);
	oci_members_free(m, n);

	/* A GNU long name larger than any path. */
	memset(t, 0, sizeof(t));
	header(t, "././@LongLink", "00000020000", 'L', false);
	ok(index_bytes(t, sizeof(t), &m, &n, err) == -EINVAL, "a GNU long name of 8 KiB past the "
							      "file or the bound is refused (%s)",
	   err);
}

static void test_digest(void)
{
	char err[MELEE_ERRLEN] = "", path[64];
	struct oci_blob b = { .fd = -1 };
	static const char good[] =
	    "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

	ok(oci_digest_check(good, err, sizeof(err)) == 0, "a sha256 digest is accepted");
	ok(oci_digest_check("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
			    err, sizeof(err)) == -EINVAL &&
	       strstr(err, "bad digest"),
	   "upper-case hex is a bad digest (%s)", err);
	ok(oci_digest_check("sha512:2cf2", err, sizeof(err)) == -EINVAL, "another algorithm is "
									 "a bad digest");
	ok(oci_digest_check("sha256:../../../etc/passwd", err, sizeof(err)) == -EINVAL,
	   "a path in a digest is a bad digest");
	ok(oci_digest_check("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98240",
			    err, sizeof(err)) == -EINVAL,
	   "65 hex digits are a bad digest");
	snprintf(path, sizeof(path), "%s/blob", tmpl);
	b.fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (b.fd < 0 || write(b.fd, "xxhello", 7) != 7)
		abort();
	b.offset = 2;
	b.size = 5;
	strcpy(b.digest, good);
	ok(oci_blob_verify(&b, "t", err, sizeof(err)) == 0,
	   "a blob at an offset hashes to its digest (sha256 of 'hello')");
	b.size = 4;
	ok(oci_blob_verify(&b, "t", err, sizeof(err)) == -EBADMSG && strstr(err, "sha256 mismatch"),
	   "one byte less is a sha256 mismatch (%s)", err);
	b.size = 6;
	ok(oci_blob_verify(&b, "t", err, sizeof(err)) < 0, "a blob past the file's end is refused "
							     "(%s)",
	   err);
	close(b.fd);
}

static int pick(const char *json, bool docker, const char *tag, size_t *pos, char *err)
{
	return oci_index_pick(json, strlen(json), docker, tag, pos, err, MELEE_ERRLEN);
}

static void test_index(void)
{
	char err[MELEE_ERRLEN] = "", j[1024];
	size_t pos = 99;
	const char *two = "{\"manifests\":["
			  "{\"digest\":\"d1\",\"annotations\":{\"org.opencontainers.image.ref."
			  "name\":\"a\"}},"
			  "{\"digest\":\"d2\",\"annotations\":{\"org.opencontainers.image.ref."
			  "name\":\"b\"}}]}";

	ok(pick(two, false, "b", &pos, err) == 0 && pos == 1, "the tag selects its manifest");
	ok(pick(two, false, NULL, &pos, err) == -EINVAL && strstr(err, "tags: a, b"),
	   "two images and no tag: refused with the tags (%s)", err);
	ok(pick(two, false, "c", &pos, err) == -ENOENT && strstr(err, "tags: a, b"),
	   "an unknown tag: refused with the tags (%s)", err);
	snprintf(j, sizeof(j),
		 "{\"manifests\":[{\"digest\":\"d1\",\"platform\":{\"architecture\":\"%s\",\"os\":"
		 "\"linux\"}},{\"digest\":\"d2\",\"platform\":{\"architecture\":\"%s\",\"os\":"
		 "\"linux\"}}]}",
		 strcmp(oci_host_arch(), "arm64") ? "arm64" : "s390x", oci_host_arch());
	ok(pick(j, false, NULL, &pos, err) == 0 && pos == 1, "several platforms: the host's");
	ok(pick("{\"manifests\":[]}", false, NULL, &pos, err) == -ENOENT,
	   "an empty index selects nothing (%s)", err);
	ok(pick("{\"manifests\":[{\"digest\":\"d1\"}", false, NULL, &pos, err) == -EINVAL,
	   "truncated JSON is refused (%s)", err);
	ok(pick("{\"manifests\":[]} {}", false, NULL, &pos, err) == -EINVAL,
	   "bytes after the document are refused (%s)", err);
	ok(pick("{\"manifests\":{}}", false, NULL, &pos, err) == -EINVAL,
	   "manifests that are no array are refused (%s)", err);
	memset(j, '[', 200);
	j[200] = '\0';
	ok(pick(j, false, NULL, &pos, err) == -EINVAL, "JSON nested 200 deep is refused (%s)",
	   err);
	ok(pick("[{\"Config\":\"c.json\",\"RepoTags\":[\"sl:6\"]},{\"Config\":\"d.json\","
		"\"RepoTags\":[\"sl:7\",\"x/y:latest\"]}]",
		true, "7", &pos, err) == 0 &&
	       pos == 1,
	   "docker: the tag part of \"repo:tag\" selects");
	ok(pick("[{\"Config\":\"c.json\",\"RepoTags\":[\"sl:6\"]},{\"Config\":\"d.json\","
		"\"RepoTags\":[\"sl:7\"]}]",
		true, NULL, &pos, err) == -EINVAL &&
	       strstr(err, "tags: sl:6, sl:7"),
	   "docker: two images and no tag, refused with the tags (%s)", err);
	ok(pick("{\"a\":1}", true, NULL, &pos, err) == -EINVAL,
	   "docker: a manifest.json that is no array is refused");
}

static void test_ref(void)
{
	char err[MELEE_ERRLEN] = "";
	struct oci_ref r;

	ok(oci_parse_ref("/srv/sl6.tar", &r, err, sizeof(err)) == 0 && r.transport == OCI_NONE,
	   "a plain path names no transport");
	ok(oci_parse_ref("oci-archive:/nonexistent/sl.tar:6", &r, err, sizeof(err)) == 0 &&
	       r.transport == OCI_ARCHIVE && strcmp(r.path, "/nonexistent/sl.tar") == 0 &&
	       strcmp(r.tag, "6") == 0,
	   "oci-archive:FILE:TAG splits at the last ':'");
	ok(oci_parse_ref("oci:relative/dir", &r, err, sizeof(err)) == -EINVAL,
	   "a relative path is refused (%s)", err);
	ok(oci_parse_ref("oci:/nonexistent/dir:", &r, err, sizeof(err)) == -EINVAL,
	   "an empty tag is refused (%s)", err);
	ok(oci_parse_ref("docker-archive:/tmp", &r, err, sizeof(err)) == 0 &&
	       r.transport == OCI_DOCKER_ARCHIVE && !r.tag,
	   "an existing path keeps its name whole");
}

int main(void)
{
	char path[64];

	if (!mkdtemp(tmpl))
		return 1;
	test_tar();
	test_digest();
	test_index();
	test_ref();
	snprintf(path, sizeof(path), "%s/t.tar", tmpl);
	unlink(path);
	snprintf(path, sizeof(path), "%s/blob", tmpl);
	unlink(path);
	rmdir(tmpl);
	return done_testing();
}
