/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container images as melee-image import reads them (oci:, oci-archive:,
 * docker-archive:): the transports, the outer tar's index, blobs checked
 * against their sha256 digests, the index, manifest and config that name
 * the layers (oci-source.c, oci-json.c), and one layer applied beneath
 * the new tree's root (oci-layer.c).  Library style: -errno and a
 * message in the caller's err buffer; nothing here exits. */
#ifndef MELEE_OCI_SOURCE_H
#define MELEE_OCI_SOURCE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum oci_transport { OCI_NONE, OCI_DIR, OCI_ARCHIVE, OCI_DOCKER_ARCHIVE };

/* The largest JSON document (index, manifest, config) read into memory. */
#define OCI_JSON_MAX (4u << 20)
/* The most members an outer archive may list, and layers an image. */
#define OCI_MEMBERS_MAX (1u << 20)
#define OCI_LAYERS_MAX 1024u
/* "sha256:" and 64 lowercase hex digits. */
#define OCI_DIGEST_LEN 71

/* SOURCE split: transport, the path (absolute) and the tag, if any.
 * path and tag point into `buf`. */
struct oci_ref {
	enum oci_transport transport;
	char buf[4096];
	const char *path, *tag;
};

/* One regular file of an outer archive: its name (leading "./" dropped)
 * and where its bytes are. */
struct oci_member {
	char *name;
	uint64_t offset, size;
};

/* An opened source: a layout directory or an archive read in place. */
struct oci_source {
	enum oci_transport transport;
	const char *shown; /* the SOURCE argument, for messages */
	int dirfd;	   /* oci: the layout directory (O_PATH) */
	int blobsfd;	   /* oci: blobs/sha256 (O_PATH), -1 if absent */
	int fd;		   /* archives: the archive, O_RDONLY */
	struct oci_member *members;
	size_t n_members;
};

/* Where a blob's bytes are: fd (the source's or a blob file's own) at
 * offset, size bytes.  own_fd: fd is the blob's and is closed by
 * oci_blob_close(). */
struct oci_blob {
	int fd;
	bool own_fd;
	uint64_t offset, size;
	char digest[OCI_DIGEST_LEN + 1]; /* what it must hash to */
};

/* A layer to apply, in order (the lowest first). */
struct oci_layer {
	struct oci_blob blob;
	/* As the manifest declares it, and enforced (oci-layer.c): "" for
	 * docker's manifest.json, which declares none (compression detected). */
	char media_type[128];
};

/* What the manifest selected: its layers and the config's platform. */
struct oci_image {
	struct oci_layer *layers;
	size_t n_layers;
	uint64_t total; /* bytes of all layers, for the progress line */
	bool linux32;	/* for the host's 32-bit architecture (386 on amd64) */
};

/* Puts shown and what before the message in err; returns r. */
int oci_wrap(char *err, size_t errlen, int r, const char *shown, const char *what);

/* Splits SOURCE ("oci:DIR[:TAG]", "oci-archive:FILE[:TAG]",
 * "docker-archive:FILE[:TAG]"): OCI_NONE when it names no transport.
 * The TAG is what follows the last ':' when the whole path does not
 * exist.  -EINVAL for a relative path or an empty tag. */
int oci_parse_ref(const char *source, struct oci_ref *ref, char *err, size_t errlen);

/* Indexes the uncompressed tar read from fd (size bytes): every regular
 * member's name, offset and size.  Headers are checked (checksum, octal
 * or base-256 numbers without overflow, sizes inside the file, pax and
 * GNU long names of bounded length); -EINVAL with the reason otherwise. */
int oci_tar_index(int fd, uint64_t size, struct oci_member **members, size_t *n, char *err,
		  size_t errlen);
void oci_members_free(struct oci_member *members, size_t n);

/* Checks that `digest` is "sha256:" and 64 lowercase hex digits. */
int oci_digest_check(const char *digest, char *err, size_t errlen);

/* Hashes size bytes of fd from offset and compares with digest:
 * -EBADMSG "sha256 mismatch" when they differ. */
int oci_blob_verify(const struct oci_blob *b, const char *shown, char *err, size_t errlen);

/* Opens the source as ref names it, checked like a tarball (root-owned,
 * writable by root only, in a directory that passes the safety walk). */
int oci_source_open(const struct oci_ref *ref, const char *shown, struct oci_source *src, char *err,
		    size_t errlen);
void oci_source_close(struct oci_source *src);

/* Finds a blob by digest (oci layouts, docker's newer archives) or by
 * member name (docker's manifest.json): size is what its descriptor
 * says (UINT64_MAX: unknown).  "missing blob" when absent. */
int oci_blob_find(const struct oci_source *src, const char *digest, uint64_t size,
		  struct oci_blob *b, char *err, size_t errlen);
int oci_blob_member(const struct oci_source *src, const char *name, struct oci_blob *b, char *err,
		    size_t errlen);
void oci_blob_close(struct oci_blob *b);

/* Reads a blob of at most OCI_JSON_MAX bytes whole, after its hash check
 * when it has a digest; NUL-terminated, malloc'ed. */
int oci_blob_read(const struct oci_blob *b, const char *shown, char **text, size_t *len, char *err,
		  size_t errlen);

/* Reads the source's top document `name` (index.json, manifest.json):
 * a file of the layout directory, or a member of the archive. */
int oci_top_read(const struct oci_source *src, const char *name, char **text, size_t *len,
		 char *err, size_t errlen);

/* The host's platform as OCI names it (GOARCH, GOOS). */
const char *oci_host_arch(void);
/* The 32-bit architecture the host also runs (linux32 personality), or
 * NULL. */
const char *oci_host_arch32(void);

/* Reads the index (or docker's manifest.json), selects the image by tag
 * (or the only one, or the host's platform), checks its config's
 * platform and its layers' media types, and locates every layer. */
int oci_image_select(const struct oci_source *src, const char *tag, struct oci_image *img,
		     char *err, size_t errlen);
void oci_image_free(struct oci_image *img);

/* The selection of oci_image_select() on JSON text alone (for tests and
 * fuzzing): from an index (or a docker manifest.json when docker is
 * set), the position of the entry to read in its array. */
int oci_index_pick(const char *json, size_t len, bool docker, const char *tag, size_t *pos,
		   char *err, size_t errlen);

/* The depth of each directory an import made (oci-dirs.c). */
struct oci_dirs;
/* The depth of the directory fd (the root rootfd: 0), -ESTALE when this
 * import did not make it; *dirs is made on the first call. */
int oci_dirs_depth(struct oci_dirs **dirs, int rootfd, int fd, unsigned *depth);
/* Records the directory `name` in pfd, just made, at depth. */
int oci_dirs_add(struct oci_dirs **dirs, int pfd, const char *name, unsigned depth);
void oci_dirs_free(struct oci_dirs *dirs);

/* What applying layers needs besides the layer. */
struct oci_apply {
	const char *name;		    /* the image's name, for the lines on stdout */
	bool trusted;			    /* device nodes created, not skipped */
	bool progress;			    /* the "\r" line (stdout is a terminal) */
	volatile sig_atomic_t *interrupted; /* set by a signal: stop */
	uint64_t done, total;		    /* bytes of layers read so far, of all */
	unsigned devices_skipped;
	unsigned xattrs_dropped; /* trusted.* and security.* not kept */
	uint64_t unchecked;	 /* bytes written since the last statvfs */
	struct oci_dirs *dirs;	 /* freed by oci_import_apply */
};

/* Applies one layer (a tar, gzip- or zstd-compressed or not) beneath the
 * directory rootfd: whiteouts remove what lower layers made, every other
 * entry is written by the *at calls on its parent, resolved beneath
 * rootfd (openat2 RESOLVE_IN_ROOT).  -EXDEV "escapes the image" for a
 * name with ".." or a leading "/". */
int oci_layer_apply(int rootfd, const struct oci_layer *layer, struct oci_apply *ap, char *err,
		    size_t errlen);

/* An import's first half, before any tree is made: opens the source,
 * selects the image (ref's tag), checks every layer's digest.  On
 * failure nothing is left open. */
int oci_import_prepare(const struct oci_ref *ref, const char *shown, struct oci_source *src,
		       struct oci_image *img, volatile sig_atomic_t *interrupted, char *err,
		       size_t errlen);

/* Its second: the layers applied in order beneath the empty directory
 * rootfd; lines on stdout name ap->name. */
int oci_import_apply(struct oci_image *img, const char *shown, int rootfd, struct oci_apply *ap,
		     char *err, size_t errlen);

#endif
