/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sources of a container image import: the transport of SOURCE, the
 * outer archive indexed in place (never copied: blobs are read with
 * pread at their offsets), and blobs found by digest and checked against
 * it.  The JSON documents are read in oci-json.c, the layers applied in
 * oci-layer.c. */
#include "oci-source.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAR_BLOCK 512
/* The longest name a pax or GNU header may carry, and a pax header. */
#define TAR_NAME_MAX 4096
#define TAR_PAX_MAX (64u << 10)

int oci_wrap(char *err, size_t errlen, int r, const char *shown, const char *what)
{
	char old[MELEE_ERRLEN];

	snprintf(old, sizeof(old), "%s", err);
	return melee_fail(err, errlen, r, "%s%s%s", shown, what, old);
}

static const struct {
	const char *prefix;
	enum oci_transport t;
} transports[] = {
	{ "oci:", OCI_DIR },
	{ "oci-archive:", OCI_ARCHIVE },
	{ "docker-archive:", OCI_DOCKER_ARCHIVE },
};

int oci_parse_ref(const char *source, struct oci_ref *ref, char *err, size_t errlen)
{
	const char *rest = NULL;
	struct stat st;
	char *colon;

	memset(ref, 0, sizeof(*ref));
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (strncmp(source, transports[i].prefix, strlen(transports[i].prefix)) == 0) {
			ref->transport = transports[i].t;
			rest = source + strlen(transports[i].prefix);
		}
	if (!rest)
		return 0;
	if (rest[0] != '/')
		return melee_fail(err, errlen, -EINVAL, "%.80s: give an absolute path after '%.*s'",
				  source, (int)(rest - source), source);
	if (strlen(rest) >= sizeof(ref->buf))
		return melee_fail(err, errlen, -ENAMETOOLONG, "%.80s...: path too long", source);
	strcpy(ref->buf, rest);
	ref->path = ref->buf;
	/* A path that exists with its colon is the path (a file "a:b"). */
	colon = strrchr(ref->buf, ':');
	if (colon && lstat(ref->buf, &st) < 0) {
		*colon = '\0';
		ref->tag = colon + 1;
		if (!ref->tag[0] || strchr(ref->tag, '/'))
			return melee_fail(err, errlen, -EINVAL,
					  "%.200s: expected a tag after the last ':'", source);
	}
	return 0;
}

/* A number of a tar header: octal (NUL- or space-terminated, leading
 * spaces allowed) or GNU base-256 (high bit of the first byte set). */
static int tar_number(const unsigned char *f, size_t len, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	if (f[0] & 0x80) {
		/* Negative numbers (0xff) are refused: no size is negative. */
		if (f[0] != 0x80)
			return -EINVAL;
		for (i = 1; i < len; i++) {
			if (*v >> 56)
				return -EOVERFLOW;
			*v = (*v << 8) | f[i];
		}
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (*v >> 61)
			return -EOVERFLOW;
		*v = (*v << 3) | (uint64_t)(f[i] - '0');
	}
	if (i < len && f[i] != '\0' && f[i] != ' ')
		return -EINVAL;
	return 0;
}

static bool tar_checksum_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long sum = 0;

	if (tar_number(h + 148, 8, &want) < 0)
		return false;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

/* The "path" record of a pax header (records "LEN key=value\n"), each
 * length checked against what is left. */
static int pax_path(const char *p, size_t len, char **path)
{
	while (len) {
		char *end;
		unsigned long n = strtoul(p, &end, 10);
		const char *kv = end + 1;

		if (end == p || *end != ' ' || n > len || n < (size_t)(kv - p) + 2 ||
		    p[n - 1] != '\n')
			return -EINVAL;
		if ((size_t)(p + n - kv) > 5 && strncmp(kv, "path=", 5) == 0) {
			free(*path);
			*path = strndup(kv + 5, (size_t)(p + n - 1 - kv - 5));
			if (!*path)
				return -ENOMEM;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Reads `size` bytes of a long-name or pax record at off, bounded. */
static int read_ext(int fd, uint64_t off, uint64_t size, uint64_t max, char **buf)
{
	if (size > max)
		return -EINVAL;
	*buf = malloc(size + 1);
	if (!*buf)
		return -ENOMEM;
	if (pread(fd, *buf, size, (off_t)off) != (ssize_t)size)
		return -EIO;
	(*buf)[size] = '\0';
	return 0;
}

static int add_member(struct oci_member **m, size_t *n, char *name, uint64_t off, uint64_t size)
{
	struct oci_member *nm;
	const char *s = name;

	while (strncmp(s, "./", 2) == 0)
		s += 2;
	if (*n >= OCI_MEMBERS_MAX)
		return -E2BIG;
	if ((*n & (*n - 1)) == 0) {
		nm = reallocarray(*m, *n ? *n * 2 : 16, sizeof(**m));
		if (!nm)
			return -ENOMEM;
		*m = nm;
	}
	memmove(name, s, strlen(s) + 1);
	(*m)[(*n)++] = (struct oci_member){ name, off, size };
	return 0;
}

/* One header at *off: a member added (regular files only), a long name
 * or pax path kept for the next, or the end (returns 1). */
static int tar_header(int fd, uint64_t fsize, uint64_t *off, char **longname, struct oci_member **m,
		      size_t *n, char *err, size_t errlen)
{
	unsigned char h[TAR_BLOCK];
	uint64_t size, data = *off + TAR_BLOCK;
	cleanup_free char *ext = NULL, *name = NULL;
	int r;

	if (*off + TAR_BLOCK > fsize || pread(fd, h, TAR_BLOCK, (off_t)*off) != TAR_BLOCK)
		return melee_fail(err, errlen, -EINVAL, "tar header at %llu: truncated",
				  (unsigned long long)*off);
	if (h[0] == '\0')
		return 1;
	if (!tar_checksum_ok(h))
		return melee_fail(err, errlen, -EINVAL, "tar header at %llu: bad checksum",
				  (unsigned long long)*off);
	r = tar_number(h + 124, 12, &size);
	if (r < 0 || size > fsize - data)
		return melee_fail(err, errlen, -EINVAL,
				  "tar header at %llu: member size %s the archive",
				  (unsigned long long)*off, r < 0 ? "unreadable in" : "beyond");
	*off = data + ((size + TAR_BLOCK - 1) & ~(uint64_t)(TAR_BLOCK - 1));
	if (h[156] == 'L' || h[156] == 'x') {
		r = read_ext(fd, data, size, h[156] == 'L' ? TAR_NAME_MAX : TAR_PAX_MAX, &ext);
		if (r == 0 && h[156] == 'x')
			r = pax_path(ext, size, longname);
		else if (r == 0) {
			free(*longname);
			*longname = strndup(ext, size);
			r = *longname ? 0 : -ENOMEM;
		}
		return r < 0 ? melee_fail(err, errlen, r, "tar header at %llu: bad %s record",
					  (unsigned long long)data - TAR_BLOCK,
					  h[156] == 'L' ? "long name" : "pax")
			     : 0;
	}
	if (*longname) {
		name = *longname;
		*longname = NULL;
	} else if (h[345] && memcmp(h + 257, "ustar", 5) == 0) {
		r = asprintf(&name, "%.155s/%.100s", (const char *)h + 345, (const char *)h);
		if (r < 0)
			name = NULL;
	} else {
		name = strndup((const char *)h, 100);
	}
	if (!name)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (h[156] != '0' && h[156] != '\0' && h[156] != '7')
		return 0;
	r = add_member(m, n, name, data, size);
	if (r < 0)
		return melee_fail(err, errlen, r, "tar: too many members");
	name = NULL;
	return 0;
}

int oci_tar_index(int fd, uint64_t size, struct oci_member **members, size_t *n, char *err,
		  size_t errlen)
{
	cleanup_free char *longname = NULL;
	uint64_t off = 0;
	int r = 0;

	*members = NULL;
	*n = 0;
	while (off < size &&
	       (r = tar_header(fd, size, &off, &longname, members, n, err, errlen)) == 0)
		;
	if (r < 0) {
		oci_members_free(*members, *n);
		*members = NULL;
		*n = 0;
		return r;
	}
	return 0;
}

void oci_members_free(struct oci_member *members, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(members[i].name);
	free(members);
}

int oci_digest_check(const char *digest, char *err, size_t errlen)
{
	char shown[100];

	if (strncmp(digest, "sha256:", 7) == 0 && strlen(digest) == OCI_DIGEST_LEN &&
	    strspn(digest + 7, "0123456789abcdef") == 64)
		return 0;
	return melee_fail(err, errlen, -EINVAL,
			  "bad digest '%s' (expected sha256: and 64 lowercase hex digits)",
			  melee_shown(digest, 80, shown, sizeof(shown)));
}

int oci_blob_verify(const struct oci_blob *b, const char *shown, char *err, size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t md[SHA256_DIGEST_SIZE];
	char got[OCI_DIGEST_LEN + 1] = "sha256:";
	cleanup_free char *buf = malloc(1 << 20);
	uint64_t done = 0;

	if (!buf)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	sha256_init(&ctx);
	while (done < b->size) {
		size_t want = b->size - done < (1 << 20) ? (size_t)(b->size - done) : (1 << 20);
		ssize_t r = pread(b->fd, buf, want, (off_t)(b->offset + done));

		if (r <= 0)
			return melee_fail(err, errlen, r < 0 ? -errno : -EIO,
					  "%s: blob %s: cannot read it: %s", shown, b->digest,
					  r < 0 ? strerror(errno) : "truncated");
		sha256_update(&ctx, (size_t)r, (const uint8_t *)buf);
		done += (uint64_t)r;
	}
	sha256_digest(&ctx, sizeof(md), md);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		got[7 + 2 * i] = hex[md[i] >> 4];
		got[8 + 2 * i] = hex[md[i] & 15];
	}
	got[OCI_DIGEST_LEN] = '\0';
	if (strcmp(got, b->digest) != 0)
		return melee_fail(err, errlen, -EBADMSG,
				  "%s: blob %s: sha256 mismatch (it hashes to %s)", shown,
				  b->digest, got);
	return 0;
}

/* A directory of the layout: root's, writable by root only, no symlink. */
static int open_trusted_dir(int dfd, const char *name, const char *shown, char *err, size_t errlen)
{
	cleanup_fd int fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", shown, name, strerror(errno));
	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s/%s: %s", shown, name, strerror(errno));
	if (melee_check_trusted(&st, 0, name, NULL, 0) < 0)
		return melee_fail(err, errlen, -EPERM,
				  "%s/%s: refused, owned by uid %u with mode %04o (expected "
				  "root's, writable by root only)",
				  shown, name, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return melee_steal_fd(&fd);
}

/* A regular file in dfd, checked like a tarball: root's, root-writable. */
static int open_trusted_file(int dfd, const char *name, const char *shown, char *err, size_t errlen)
{
	cleanup_fd int fd =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return melee_fail(err, errlen, -errno, "%s: %s: %s", shown, name, strerror(errno));
	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return melee_fail(err, errlen, -EINVAL, "%s: %s: refused, not a regular file",
				  shown, name);
	if (melee_check_trusted(&st, 0, name, NULL, 0) < 0)
		return melee_fail(err, errlen, -EPERM,
				  "%s: %s: refused, owned by uid %u with mode %04o (expected a "
				  "root-owned file that only root can write)",
				  shown, name, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return melee_steal_fd(&fd);
}

static int open_archive(const char *path, struct oci_source *src, char *err, size_t errlen)
{
	char dir[4096];
	const char *base = strrchr(path, '/') + 1;
	cleanup_fd int dfd = -1;
	struct stat st;
	int r;

	snprintf(dir, sizeof(dir), "%.*s", base - path > 1 ? (int)(base - path - 1) : 1, path);
	dfd = image_open_safely(dir, 0, err, errlen);
	if (dfd < 0)
		return oci_wrap(err, errlen, dfd, src->shown,
				": refused, its directory is not safe: ");
	src->fd = open_trusted_file(dfd, base, src->shown, err, errlen);
	if (src->fd < 0)
		return src->fd;
	if (fstat(src->fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", src->shown, strerror(errno));
	r = oci_tar_index(src->fd, (uint64_t)st.st_size, &src->members, &src->n_members, err,
			  errlen);
	if (r < 0)
		return oci_wrap(err, errlen, r, src->shown, ": not a tar archive: ");
	return 0;
}

int oci_source_open(const struct oci_ref *ref, const char *shown, struct oci_source *src, char *err,
		    size_t errlen)
{
	cleanup_fd int bfd = -1;

	*src = (struct oci_source){ ref->transport, shown, -1, -1, -1, NULL, 0 };
	if (ref->transport != OCI_DIR)
		return open_archive(ref->path, src, err, errlen);
	src->dirfd = image_open_safely(ref->path, 0, err, errlen);
	if (src->dirfd < 0)
		return oci_wrap(err, errlen, src->dirfd, shown,
				": refused, the layout is not safe: ");
	bfd = open_trusted_dir(src->dirfd, "blobs", shown, err, errlen);
	if (bfd < 0)
		return bfd == -ENOENT ? 0 : bfd;
	src->blobsfd = open_trusted_dir(bfd, "sha256", shown, err, errlen);
	return src->blobsfd == -ENOENT ? 0 : src->blobsfd < 0 ? src->blobsfd : 0;
}

void oci_source_close(struct oci_source *src)
{
	melee_closep(&src->dirfd);
	melee_closep(&src->blobsfd);
	melee_closep(&src->fd);
	oci_members_free(src->members, src->n_members);
	src->members = NULL;
	src->n_members = 0;
}

static const struct oci_member *member(const struct oci_source *src, const char *name)
{
	for (size_t i = src->n_members; i-- > 0;)
		if (strcmp(src->members[i].name, name) == 0)
			return &src->members[i];
	return NULL;
}

int oci_blob_member(const struct oci_source *src, const char *name, struct oci_blob *b, char *err,
		    size_t errlen)
{
	const struct oci_member *m = member(src, name);
	char shown[200];

	if (!m)
		return melee_fail(err, errlen, -ENOENT, "%s: missing blob %s", src->shown,
				  melee_shown(name, 160, shown, sizeof(shown)));
	*b = (struct oci_blob){ .fd = src->fd, .offset = m->offset, .size = m->size };
	return 0;
}

int oci_blob_find(const struct oci_source *src, const char *digest, uint64_t size,
		  struct oci_blob *b, char *err, size_t errlen)
{
	char name[128];
	struct stat st;
	int r = oci_digest_check(digest, err, errlen);

	if (r < 0)
		return oci_wrap(err, errlen, r, src->shown, ": ");
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
	if (src->transport == OCI_DIR) {
		*b = (struct oci_blob){ .fd = -1, .own_fd = true };
		if (src->blobsfd < 0)
			return melee_fail(err, errlen, -ENOENT, "%s: missing blob %s", src->shown,
					  digest);
		b->fd = open_trusted_file(src->blobsfd, digest + 7, src->shown, err, errlen);
		if (b->fd == -ENOENT)
			return melee_fail(err, errlen, -ENOENT, "%s: missing blob %s", src->shown,
					  digest);
		if (b->fd < 0 || fstat(b->fd, &st) < 0)
			return b->fd < 0 ? b->fd : -errno;
		b->size = (uint64_t)st.st_size;
	} else if ((r = oci_blob_member(src, name, b, err, errlen)) < 0) {
		return melee_fail(err, errlen, r, "%s: missing blob %s", src->shown, digest);
	}
	strcpy(b->digest, digest);
	if (size != UINT64_MAX && size != b->size)
		return melee_fail(err, errlen, -EBADMSG,
				  "%s: blob %s: sha256 mismatch (it has %llu bytes, its descriptor "
				  "says %llu)",
				  src->shown, digest, (unsigned long long)b->size,
				  (unsigned long long)size);
	return 0;
}

void oci_blob_close(struct oci_blob *b)
{
	if (b->own_fd)
		melee_closep(&b->fd);
}

int oci_blob_read(const struct oci_blob *b, const char *shown, char **text, size_t *len, char *err,
		  size_t errlen)
{
	cleanup_free char *buf = NULL;
	int r;

	if (b->size > OCI_JSON_MAX)
		return melee_fail(err, errlen, -EFBIG,
				  "%s: blob %s: %llu bytes, more than a JSON "
				  "document may have",
				  shown, b->digest[0] ? b->digest : "(manifest)",
				  (unsigned long long)b->size);
	if (b->digest[0] && (r = oci_blob_verify(b, shown, err, errlen)) < 0)
		return r;
	buf = malloc(b->size + 1);
	if (!buf)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	if (pread(b->fd, buf, b->size, (off_t)b->offset) != (ssize_t)b->size)
		return melee_fail(err, errlen, -EIO, "%s: cannot read a blob", shown);
	buf[b->size] = '\0';
	*len = b->size;
	*text = buf;
	buf = NULL;
	return 0;
}

int oci_top_read(const struct oci_source *src, const char *name, char **text, size_t *len,
		 char *err, size_t errlen)
{
	struct oci_blob b = { .fd = -1 };
	struct stat st;
	int r;

	if (src->transport == OCI_DIR) {
		b.fd = open_trusted_file(src->dirfd, name, src->shown, err, errlen);
		if (b.fd < 0)
			return b.fd;
		b.own_fd = true;
		if (fstat(b.fd, &st) < 0) {
			oci_blob_close(&b);
			return melee_fail(err, errlen, -errno, "%s: %s", name, strerror(errno));
		}
		b.size = (uint64_t)st.st_size;
	} else if ((r = oci_blob_member(src, name, &b, err, errlen)) < 0) {
		return melee_fail(err, errlen, r, "%s: no %s in it (expected %s)", src->shown, name,
				  src->transport == OCI_ARCHIVE ? "an OCI image layout"
								: "what docker save writes");
	}
	r = oci_blob_read(&b, src->shown, text, len, err, errlen);
	oci_blob_close(&b);
	return r;
}
