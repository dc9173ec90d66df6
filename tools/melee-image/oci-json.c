/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON documents of a container image: the OCI index (or docker's
 * manifest.json) chooses the image by tag or platform, its manifest
 * names the config and the layers, the config says the platform.  Every
 * document but the top one is a blob checked against its digest first
 * (oci_blob_read); the top one is root's like the source. */
#include "oci-source.h"
#include "melee-util.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_NAME "org.opencontainers.image.ref.name"
/* Nested indexes followed at most (an index of indexes of manifests). */
#define INDEX_DEPTH_MAX 4
#define JSON_NESTING_MAX 32

const char *oci_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

const char *oci_host_arch32(void)
{
#if defined(__x86_64__)
	return "386";
#elif defined(__aarch64__)
	return "arm";
#else
	return NULL;
#endif
}

static void json_freep(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_freep)))

static int parse(const char *text, size_t len, json_object **out, const char *what, char *err,
		 size_t errlen)
{
	json_tokener *tok = json_tokener_new_ex(JSON_NESTING_MAX);
	enum json_tokener_error e;

	if (!tok)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	*out = len > INT32_MAX ? NULL : json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	/* Text after the document, or a document cut short, is not JSON. */
	if (*out && (e != json_tokener_success || json_tokener_get_parse_end(tok) != len)) {
		json_object_put(*out);
		*out = NULL;
	}
	json_tokener_free(tok);
	if (!*out)
		return melee_fail(err, errlen, -EINVAL, "%s: not valid JSON (%s)", what,
				  e == json_tokener_success ? "trailing bytes"
							    : json_tokener_error_desc(e));
	return 0;
}

/* A member of the object o of type t, or NULL. */
static json_object *get(json_object *o, const char *key, json_type t)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v = get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

/* The names an entry goes by: OCI's ref.name annotation, docker's
 * RepoTags ("repo:tag"). */
static size_t entry_names(json_object *e, bool docker, const char **names, size_t max)
{
	json_object *tags = get(e, "RepoTags", json_type_array);
	const char *ref = get_str(get(e, "annotations", json_type_object), REF_NAME);
	size_t n = 0;

	if (!docker) {
		if (ref && max)
			names[n++] = ref;
		return n;
	}
	for (size_t i = 0; tags && i < json_object_array_length(tags) && n < max; i++) {
		json_object *t = json_object_array_get_idx(tags, i);

		if (json_object_is_type(t, json_type_string))
			names[n++] = json_object_get_string(t);
	}
	return n;
}

static bool name_matches(const char *name, const char *tag, bool docker)
{
	const char *colon = strrchr(name, ':');

	if (strcmp(name, tag) == 0)
		return true;
	/* "repo:tag" answers to "tag" (a ':' after the last '/'). */
	return docker && colon && !strchr(colon, '/') && strcmp(colon + 1, tag) == 0;
}

/* "a, b, c": every name of every entry, for a refusal. */
static void list_tags(json_object *arr, bool docker, char *buf, size_t len)
{
	const char *names[16];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(arr) && used + 1 < len; i++) {
		size_t n = entry_names(json_object_array_get_idx(arr, i), docker, names, 16);

		for (size_t j = 0; j < n && used + 1 < len; j++)
			used += (size_t)snprintf(buf + used, len - used, "%s%.100s",
						 used ? ", " : "", names[j]);
	}
	if (!buf[0])
		snprintf(buf, len, "(none)");
}

static bool for_host(json_object *e)
{
	json_object *p = get(e, "platform", json_type_object);
	const char *arch = get_str(p, "architecture"), *os = get_str(p, "os");

	return arch && os && strcmp(arch, oci_host_arch()) == 0 && strcmp(os, "linux") == 0;
}

/* The entries that answer to tag (all without one); several names among
 * them without a tag is a refusal.  Then the host's platform among
 * them, else the first. */
static int pick(json_object *arr, bool docker, const char *tag, size_t *pos, char *err,
		size_t errlen)
{
	const char *names[16], *first = NULL;
	size_t n = json_object_array_length(arr), found = SIZE_MAX;
	char tags[1024];

	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		size_t k = entry_names(e, docker, names, 16);
		bool match = !tag;

		for (size_t j = 0; j < k && tag; j++)
			match |= name_matches(names[j], tag, docker);
		if (!match)
			continue;
		if (!tag && first && strcmp(first, k ? names[0] : "") != 0) {
			list_tags(arr, docker, tags, sizeof(tags));
			return melee_fail(err, errlen, -EINVAL,
					  "several images and no tag given (add :TAG); tags: %s",
					  tags);
		}
		first = k ? names[0] : "";
		if (found == SIZE_MAX ||
		    (!for_host(json_object_array_get_idx(arr, found)) && for_host(e)))
			found = i;
	}
	if (found == SIZE_MAX) {
		list_tags(arr, docker, tags, sizeof(tags));
		return melee_fail(err, errlen, -ENOENT, "%s%.100s%s; tags: %s",
				  tag ? "no image tagged '" : "no image in it", tag ? tag : "",
				  tag ? "'" : "", tags);
	}
	*pos = found;
	return 0;
}

int oci_index_pick(const char *json, size_t len, bool docker, const char *tag, size_t *pos,
		   char *err, size_t errlen)
{
	cleanup_json json_object *root = NULL;
	json_object *arr;
	int r = parse(json, len, &root, docker ? "manifest.json" : "index.json", err, errlen);

	if (r < 0)
		return r;
	arr = docker ? (json_object_is_type(root, json_type_array) ? root : NULL)
		     : get(root, "manifests", json_type_array);
	if (!arr)
		return melee_fail(err, errlen, -EINVAL, "%s: expected %s",
				  docker ? "manifest.json" : "index.json",
				  docker ? "an array of images" : "a \"manifests\" array");
	return pick(arr, docker, tag, pos, err, errlen);
}

static bool layer_type_known(const char *t)
{
	static const char *const known[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		"application/vnd.oci.image.layer.nondistributable.v1.tar",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
		"application/vnd.docker.image.rootfs.diff.tar",
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.docker.image.rootfs.diff.tar.zstd",
		"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
		NULL,
	};

	for (int i = 0; known[i]; i++)
		if (strcmp(t, known[i]) == 0)
			return true;
	return false;
}

static bool is_index_type(const char *t)
{
	return t && (strcmp(t, "application/vnd.oci.image.index.v1+json") == 0 ||
		     strcmp(t, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* A blob named by the descriptor d, read whole and parsed. */
static int read_desc(const struct oci_source *src, json_object *d, const char *what,
		     json_object **out, char *err, size_t errlen)
{
	const char *digest = get_str(d, "digest");
	json_object *size = get(d, "size", json_type_int);
	struct oci_blob b = { .fd = -1 };
	cleanup_free char *text = NULL;
	size_t len;
	int r;

	if (!digest || !size || json_object_get_int64(size) < 0)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: the %s descriptor has no digest or size", src->shown, what);
	r = oci_blob_find(src, digest, (uint64_t)json_object_get_int64(size), &b, err, errlen);
	if (r == 0)
		r = oci_blob_read(&b, src->shown, &text, &len, err, errlen);
	oci_blob_close(&b);
	if (r < 0)
		return r;
	r = parse(text, len, out, what, err, errlen);
	return r < 0 ? oci_wrap(err, errlen, r, src->shown, ": ") : 0;
}

/* The config's platform must be the host's, or its 32-bit one (386 on
 * amd64, arm on arm64), which runs with the linux32 personality as
 * `create --arch i386` registers it (image-create.c). */
static int check_platform(const struct oci_source *src, json_object *config, struct oci_image *img,
			  char *err, size_t errlen)
{
	const char *arch = get_str(config, "architecture"), *os = get_str(config, "os");
	const char *arch32 = oci_host_arch32();

	if (!arch || !os)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: its config names no architecture or os", src->shown);
	img->linux32 = arch32 && strcmp(arch, arch32) == 0 && strcmp(os, "linux") == 0;
	if (img->linux32)
		return 0;
	if (strcmp(arch, oci_host_arch()) != 0 || strcmp(os, "linux") != 0)
		return melee_fail(err, errlen, -EXDEV,
				  "%s: wrong architecture: the image is for %.40s/%.40s, this host "
				  "is linux/%s%s%s%s",
				  src->shown, os, arch, oci_host_arch(),
				  arch32 ? " (or linux/" : "", arch32 ? arch32 : "",
				  arch32 ? " as linux32)" : "");
	return 0;
}

static int add_layer(struct oci_image *img, const struct oci_blob *b, const char *type, char *err,
		     size_t errlen)
{
	struct oci_layer *l;

	if (img->n_layers >= OCI_LAYERS_MAX)
		return melee_fail(err, errlen, -E2BIG, "more than %u layers", OCI_LAYERS_MAX);
	l = reallocarray(img->layers, img->n_layers + 1, sizeof(*l));
	if (!l)
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	img->layers = l;
	l += img->n_layers++;
	l->blob = *b;
	snprintf(l->media_type, sizeof(l->media_type), "%s", type);
	img->total += b->size;
	return 0;
}

static int oci_layers(const struct oci_source *src, json_object *manifest, struct oci_image *img,
		      char *err, size_t errlen)
{
	json_object *layers = get(manifest, "layers", json_type_array);
	char shown[160];
	int r;

	if (!layers)
		return melee_fail(err, errlen, -EINVAL, "%s: the manifest has no layers",
				  src->shown);
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		json_object *d = json_object_array_get_idx(layers, i);
		json_object *size = get(d, "size", json_type_int);
		const char *type = get_str(d, "mediaType"), *digest = get_str(d, "digest");
		struct oci_blob b = { .fd = -1 };

		if (!type || !layer_type_known(type))
			return melee_fail(err, errlen, -EPROTONOSUPPORT,
					  "%s: layer %zu: unsupported layer type '%s' (expected a "
					  "tar, tar+gzip or tar+zstd layer)",
					  src->shown, i + 1,
					  melee_shown(type ? type : "", 120, shown, sizeof(shown)));
		if (!digest || !size || json_object_get_int64(size) < 0)
			return melee_fail(err, errlen, -EINVAL,
					  "%s: layer %zu has no digest or size", src->shown, i + 1);
		r = oci_blob_find(src, digest, (uint64_t)json_object_get_int64(size), &b, err,
				  errlen);
		if (r == 0)
			r = add_layer(img, &b, type, err, errlen);
		if (r < 0) {
			oci_blob_close(&b);
			return r;
		}
	}
	return 0;
}

/* index.json, nested indexes, the manifest and its config. */
static int select_oci(const struct oci_source *src, const char *tag, struct oci_image *img,
		      char *err, size_t errlen)
{
	cleanup_json json_object *doc = NULL, *config = NULL;
	cleanup_free char *text = NULL;
	json_object *d = NULL;
	size_t len, pos;
	int r = oci_top_read(src, "index.json", &text, &len, err, errlen);

	for (int depth = 0; r == 0; depth++) {
		if (depth > INDEX_DEPTH_MAX)
			return melee_fail(err, errlen, -ELOOP, "%s: indexes nested too deep",
					  src->shown);
		r = doc ? 0 : parse(text, len, &doc, "index.json", err, errlen);
		if (r == 0 && depth == 0 && !get(doc, "manifests", json_type_array))
			r = melee_fail(err, errlen, -EINVAL, "index.json: no \"manifests\" array");
		if (r == 0 && !get(doc, "manifests", json_type_array))
			break; /* a manifest */
		if (r == 0)
			r = pick(get(doc, "manifests", json_type_array), false, depth ? NULL : tag,
				 &pos, err, errlen);
		if (r < 0)
			return oci_wrap(err, errlen, r, src->shown, ": ");
		d = json_object_array_get_idx(get(doc, "manifests", json_type_array), pos);
		json_object_get(d);
		json_object_put(doc);
		doc = NULL;
		r = read_desc(src, d, is_index_type(get_str(d, "mediaType")) ? "index" : "manifest",
			      &doc, err, errlen);
		json_object_put(d);
	}
	if (r < 0)
		return r;
	r = read_desc(src, get(doc, "config", json_type_object), "config", &config, err, errlen);
	if (r == 0)
		r = check_platform(src, config, img, err, errlen);
	return r < 0 ? r : oci_layers(src, doc, img, err, errlen);
}

/* The digest docker's archives name a file by: "blobs/sha256/HEX" (an
 * OCI layout inside) or "HEX.json" (the config of older ones); "" when
 * the name says none. */
static void digest_of_name(const char *name, char *digest, size_t len)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t n = strspn(base, "0123456789abcdef");

	digest[0] = '\0';
	if (n == 64 &&
	    (!base[64] || strcmp(base + 64, ".json") == 0 || strcmp(base + 64, ".tar") == 0))
		snprintf(digest, len, "sha256:%.64s", base);
}

/* One layer of docker's manifest.json: a member, checked against the
 * digest in its name or else the config's diff_id (docker's layers are
 * uncompressed tars: diff_id is their own sha256). */
static int docker_layer(const struct oci_source *src, json_object *name, json_object *diff_id,
			struct oci_image *img, char *err, size_t errlen)
{
	struct oci_blob b = { .fd = -1 };
	const char *n =
	    json_object_is_type(name, json_type_string) ? json_object_get_string(name) : NULL;
	int r;

	if (!n || !json_object_is_type(diff_id, json_type_string))
		return melee_fail(err, errlen, -EINVAL,
				  "%s: manifest.json's layers do not match the config's diff_ids",
				  src->shown);
	r = oci_blob_member(src, n, &b, err, errlen);
	if (r < 0)
		return r;
	digest_of_name(n, b.digest, sizeof(b.digest));
	if (!b.digest[0] || strncmp(n, "blobs/", 6) != 0)
		snprintf(b.digest, sizeof(b.digest), "%s", json_object_get_string(diff_id));
	r = oci_digest_check(b.digest, err, errlen);
	if (r < 0)
		return oci_wrap(err, errlen, r, src->shown, ": ");
	/* docker's manifest.json names no media type: the layer is read as
	 * whatever it is (tar, gzip or zstd), as docker load does. */
	return add_layer(img, &b, "", err, errlen);
}

static int select_docker(const struct oci_source *src, const char *tag, struct oci_image *img,
			 char *err, size_t errlen)
{
	cleanup_json json_object *doc = NULL, *config = NULL;
	cleanup_free char *text = NULL, *ctext = NULL;
	json_object *e, *layers, *diffs;
	struct oci_blob b = { .fd = -1 };
	const char *cname;
	size_t len, pos;
	int r = oci_top_read(src, "manifest.json", &text, &len, err, errlen);

	if (r == 0)
		r = oci_index_pick(text, len, true, tag, &pos, err, errlen);
	if (r < 0)
		return r == -EIO || r == -ENOENT ? r : oci_wrap(err, errlen, r, src->shown, ": ");
	parse(text, len, &doc, "manifest.json", err, errlen);
	e = json_object_array_get_idx(doc, pos);
	cname = get_str(e, "Config");
	layers = get(e, "Layers", json_type_array);
	if (!cname || !layers)
		return melee_fail(err, errlen, -EINVAL, "%s: manifest.json: no Config or Layers",
				  src->shown);
	r = oci_blob_member(src, cname, &b, err, errlen);
	digest_of_name(cname, b.digest, sizeof(b.digest));
	if (r == 0 && !b.digest[0])
		r = melee_fail(err, errlen, -EINVAL,
			       "%s: bad digest: the config's name %.100s is no digest", src->shown,
			       cname);
	if (r == 0)
		r = oci_blob_read(&b, src->shown, &ctext, &len, err, errlen);
	if (r == 0)
		r = parse(ctext, len, &config, "config", err, errlen);
	if (r == 0)
		r = check_platform(src, config, img, err, errlen);
	if (r < 0)
		return r;
	diffs = get(get(config, "rootfs", json_type_object), "diff_ids", json_type_array);
	if (!diffs || json_object_array_length(diffs) != json_object_array_length(layers))
		return melee_fail(err, errlen, -EINVAL,
				  "%s: manifest.json's layers do not match the config's diff_ids",
				  src->shown);
	for (size_t i = 0; r == 0 && i < json_object_array_length(layers); i++)
		r = docker_layer(src, json_object_array_get_idx(layers, i),
				 json_object_array_get_idx(diffs, i), img, err, errlen);
	return r;
}

int oci_image_select(const struct oci_source *src, const char *tag, struct oci_image *img,
		     char *err, size_t errlen)
{
	int r;

	*img = (struct oci_image){ 0 };
	r = src->transport == OCI_DOCKER_ARCHIVE ? select_docker(src, tag, img, err, errlen)
						 : select_oci(src, tag, img, err, errlen);
	if (r < 0)
		oci_image_free(img);
	return r;
}

void oci_image_free(struct oci_image *img)
{
	for (size_t i = 0; i < img->n_layers; i++)
		oci_blob_close(&img->layers[i].blob);
	free(img->layers);
	*img = (struct oci_image){ 0 };
}
