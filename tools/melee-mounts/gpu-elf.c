/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ld.so cache and ELF symbol versions, read bounded (gpu-elf.h). */
#include "gpu-elf.h"
#include "melee-util.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A real cache is a few hundred KiB; an ELF section of version data a
 * few KiB.  Anything above these is refused, not read. */
#define LDCACHE_MAX (64u << 20)
#define ELF_SECTION_MAX (16u << 20)
#define ELF_SHNUM_MAX 4096u
#define VERSION_ENTRIES_MAX 100000u
#define ELF_LIBC_MAX (32u << 20)

/* glibc's sysdeps/generic/dl-cache.h: the flags of this machine's own
 * libraries in the cache, and of its 32-bit ones: ldconfig gives an
 * i386 library on x86_64 no architecture bits (FLAG_ELF_LIBC6 alone, or
 * FLAG_ELF for one that needs no libc.so.6: i386's ld.so takes both,
 * _dl_cache_check_flags), an x32 one 0x0800 (not bound: no distribution
 * ships an x32 driver). */
#define CACHE_FLAG_ELF 0x0001
#define CACHE_FLAG_ELF_LIBC6 0x0003
#if defined(__x86_64__)
#define CACHE_FLAG_NATIVE (CACHE_FLAG_ELF_LIBC6 | 0x0300)
#define ELF_MACHINE EM_X86_64
#define HAVE_ABI_32 1
#define CACHE_FLAG_IS_32(f) ((f) == CACHE_FLAG_ELF_LIBC6 || (f) == CACHE_FLAG_ELF)
#define ELF_MACHINE_32 EM_386
#define ABI_NAMES "64-bit (x86_64)", "32-bit (i386)"
#elif defined(__aarch64__)
/* NVIDIA ships no 32-bit ARM driver. */
#define CACHE_FLAG_NATIVE (CACHE_FLAG_ELF_LIBC6 | 0x0a00)
#define ELF_MACHINE EM_AARCH64
#define HAVE_ABI_32 0
#define ABI_NAMES "64-bit (aarch64)", "32-bit"
#else
#define CACHE_FLAG_NATIVE CACHE_FLAG_ELF_LIBC6
#define ELF_MACHINE EM_NONE
#define HAVE_ABI_32 0
#define ABI_NAMES "native", "32-bit"
#endif

#define CACHE_OLD_MAGIC "ld.so-1.7.0"
#define CACHE_NEW_MAGIC "glibc-ld.so.cache1.1"
#define CACHE_NEW_HEADER 48 /* magic+version 20, nlibs, len_strings, flags.. */
#define CACHE_NEW_ENTRY 24  /* flags, key, value, osversion, hwcap */

const char *gpu_abi_name(enum gpu_abi abi)
{
	static const char *const names[] = { ABI_NAMES };

	return abi < GPU_ABI_N ? names[abi] : "not an ELF file";
}

static int read_all(int fd, const char *shown, size_t max, unsigned char **buf, size_t *len,
		    char *err, size_t errlen)
{
	int r = melee_read_fd_bytes(fd, max, (char **)buf, len);

	if (r == -EFBIG)
		return melee_fail(err, errlen, r, "%s: larger than %zu bytes", shown, max);
	if (r < 0)
		return melee_fail(err, errlen, r, "%s: cannot read: %s", shown, strerror(-r));
	return 0;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A NUL-terminated string at off inside buf[len], or NULL. */
static const char *string_at(const unsigned char *buf, size_t len, size_t off)
{
	if (off >= len || !memchr(buf + off, '\0', len - off))
		return NULL;
	return (const char *)buf + off;
}

/* Where the new format starts: 0, or after the old format's entries
 * (12 bytes each), aligned to 8 as ldconfig writes it. */
static int cache_new_start(const unsigned char *buf, size_t len, size_t *start)
{
	size_t old = strlen(CACHE_OLD_MAGIC);

	*start = 0;
	if (len >= old + 4 && memcmp(buf, CACHE_OLD_MAGIC, old) == 0) {
		uint64_t end = (uint64_t)old + 4 + (uint64_t)get32(buf + old) * 12;

		*start = (size_t)((end + 7) & ~(uint64_t)7);
		if (end > len)
			return -EINVAL;
	}
	if (*start + CACHE_NEW_HEADER > len ||
	    memcmp(buf + *start, CACHE_NEW_MAGIC, strlen(CACHE_NEW_MAGIC)) != 0)
		return -EINVAL;
	return 0;
}

static int cache_push(struct gpu_cache_entry **out, size_t *n, const char *key, const char *value,
		      enum gpu_abi abi)
{
	struct gpu_cache_entry *ne = realloc(*out, (*n + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	*out = ne;
	ne[*n].soname = strdup(key);
	ne[*n].path = strdup(value);
	ne[*n].abi = abi;
	(*n)++;
	return ne[*n - 1].soname && ne[*n - 1].path ? 0 : -ENOMEM;
}

static int cache_entries(const unsigned char *buf, size_t len, size_t start,
			 struct gpu_cache_entry **out, size_t *n)
{
	const unsigned char *h = buf + start;
	uint32_t nlibs = get32(h + 20);

	if ((uint64_t)nlibs * CACHE_NEW_ENTRY > len - start - CACHE_NEW_HEADER)
		return -EINVAL;
	for (uint32_t i = 0; i < nlibs; i++) {
		const unsigned char *e = h + CACHE_NEW_HEADER + (size_t)i * CACHE_NEW_ENTRY;
		int32_t flags = (int32_t)get32(e);
		/* Offsets count from the new header (glibc's dl-cache.c). */
		const char *key = string_at(buf, len, start + get32(e + 4));
		const char *value = string_at(buf, len, start + get32(e + 8));
		enum gpu_abi abi;
		int r;

		if (!key || !value)
			return -EINVAL;
		if (flags == CACHE_FLAG_NATIVE)
			abi = GPU_ABI_NATIVE;
#if HAVE_ABI_32
		else if (CACHE_FLAG_IS_32(flags))
			abi = GPU_ABI_32;
#endif
		else
			continue;
		if (value[0] != '/')
			continue;
		r = cache_push(out, n, key, value, abi);
		if (r < 0)
			return r;
	}
	return 0;
}

void gpu_ldcache_free(struct gpu_cache_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].soname);
		free(e[i].path);
	}
	free(e);
}

int gpu_ldcache_read(int fd, const char *shown, struct gpu_cache_entry **out, size_t *n, char *err,
		     size_t errlen)
{
	cleanup_free unsigned char *buf = NULL;
	size_t len = 0, start;
	int r = read_all(fd, shown, LDCACHE_MAX, &buf, &len, err, errlen);

	*out = NULL;
	*n = 0;
	if (r < 0)
		return r;
	if (cache_new_start(buf, len, &start) < 0)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: not an ld.so cache of the format '%s' (run ldconfig)", shown,
				  CACHE_NEW_MAGIC);
	r = cache_entries(buf, len, start, out, n);
	if (r < 0) {
		gpu_ldcache_free(*out, *n);
		*out = NULL;
		*n = 0;
		return melee_fail(err, errlen, r, "%s: %s", shown,
				  r == -ENOMEM ? "out of memory" : "malformed ld.so cache");
	}
	return 0;
}

unsigned gpu_glibc_parse(const char *s)
{
	unsigned part[3] = { 0, 0, 0 };
	int i = 0;

	if (strcmp(s, "ABI_DT_RELR") == 0)
		return 23600; /* DT_RELR relocations: glibc 2.36 */
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s && i < 3; s++) {
		if (*s == '.')
			i++;
		else if (*s >= '0' && *s <= '9' && part[i] < 100)
			part[i] = part[i] * 10 + (unsigned)(*s - '0');
		else
			return 0;
	}
	return part[0] * 10000 + part[1] * 100 + part[2];
}

const char *gpu_glibc_str(unsigned v, char *buf, size_t len)
{
	if (v % 100)
		snprintf(buf, len, "%u.%u.%u", v / 10000, v / 100 % 100, v % 100);
	else
		snprintf(buf, len, "%u.%u", v / 10000, v / 100 % 100);
	return buf;
}

/* Reads size bytes at off, all inside the file (fsize). */
static int pread_in(int fd, uint64_t fsize, uint64_t off, size_t size, void *buf)
{
	ssize_t got;

	if (off > fsize || size > fsize - off)
		return -EINVAL;
	got = pread(fd, buf, size, (off_t)off);
	if (got < 0)
		return -errno;
	return (size_t)got == size ? 0 : -EINVAL;
}

/* A section of an ELF file of either class, in one form. */
struct elf_shdr {
	uint32_t type, link;
	uint64_t offset, size;
};

/* A section's data and its linked string table, read whole (both capped). */
struct elf_sec {
	unsigned char *data, *str;
	size_t len, strlen;
};

static void elf_sec_free(struct elf_sec *s)
{
	free(s->data);
	free(s->str);
}

static int read_section(int fd, uint64_t fsize, const struct elf_shdr *sh, unsigned char **out,
			size_t *len)
{
	if (sh->size > ELF_SECTION_MAX)
		return -EFBIG;
	*len = (size_t)sh->size;
	*out = malloc(*len + 1);
	if (!*out)
		return -ENOMEM;
	(*out)[*len] = '\0';
	return pread_in(fd, fsize, sh->offset, *len, *out);
}

/* The section headers' place (*shoff, *shnum) from the ELF header, and
 * which ABI the file is for: ELF64 of this machine, or ELF32 of its
 * 32-bit ABI.  The version sections (Verneed, Verdef and their aux
 * entries) have the same layout in both classes; only these headers
 * differ. */
static int elf_header(int fd, uint64_t fsize, enum gpu_abi *abi, uint64_t *shoff, unsigned *shnum)
{
	unsigned char ident[EI_NIDENT];
	int r = pread_in(fd, fsize, 0, sizeof(ident), ident);

	if (r < 0 || memcmp(ident, ELFMAG, SELFMAG) != 0)
		return -EINVAL;
	if (ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (pread_in(fd, fsize, 0, sizeof(eh), &eh) < 0 || eh.e_machine != ELF_MACHINE ||
		    eh.e_shentsize != sizeof(Elf64_Shdr))
			return -EINVAL;
		*abi = GPU_ABI_NATIVE;
		*shoff = eh.e_shoff;
		*shnum = eh.e_shnum;
		return 0;
	}
#if HAVE_ABI_32
	if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (pread_in(fd, fsize, 0, sizeof(eh), &eh) < 0 || eh.e_machine != ELF_MACHINE_32 ||
		    eh.e_shentsize != sizeof(Elf32_Shdr))
			return -EINVAL;
		*abi = GPU_ABI_32;
		*shoff = eh.e_shoff;
		*shnum = eh.e_shnum;
		return 0;
	}
#endif
	return -EINVAL;
}

/* The section headers, read raw in the file's class and converted. */
static int elf_sections(int fd, uint64_t fsize, enum gpu_abi abi, uint64_t shoff, unsigned shnum,
			struct elf_shdr *sh)
{
	size_t each = abi == GPU_ABI_NATIVE ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	cleanup_free unsigned char *raw = calloc(shnum + 1u, each);
	int r;

	if (!raw)
		return -ENOMEM;
	r = pread_in(fd, fsize, shoff, shnum * each, raw);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < shnum; i++) {
		if (abi == GPU_ABI_NATIVE) {
			Elf64_Shdr s;

			memcpy(&s, raw + i * each, sizeof(s));
			sh[i] = (struct elf_shdr){ s.sh_type, s.sh_link, s.sh_offset, s.sh_size };
		} else {
			Elf32_Shdr s;

			memcpy(&s, raw + i * each, sizeof(s));
			sh[i] = (struct elf_shdr){ s.sh_type, s.sh_link, s.sh_offset, s.sh_size };
		}
	}
	return 0;
}

/* The first section of type `type` and its sh_link string table; 0 with
 * s->data NULL when there is none. */
static int elf_find(int fd, uint64_t fsize, uint32_t type, enum gpu_abi *abi, struct elf_sec *s)
{
	cleanup_free struct elf_shdr *sh = NULL;
	uint64_t shoff;
	unsigned shnum;
	int r = elf_header(fd, fsize, abi, &shoff, &shnum);

	if (r < 0 || shnum > ELF_SHNUM_MAX)
		return -EINVAL;
	sh = calloc(shnum + 1u, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	r = elf_sections(fd, fsize, *abi, shoff, shnum, sh);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < shnum; i++) {
		if (sh[i].type != type)
			continue;
		if (sh[i].link >= shnum)
			return -EINVAL;
		r = read_section(fd, fsize, &sh[i], &s->data, &s->len);
		if (r == 0)
			r = read_section(fd, fsize, &sh[sh[i].link], &s->str, &s->strlen);
		return r;
	}
	return 0;
}

/* The version a name such as GLIBC_2.34 stands for, 0 for other names. */
static unsigned glibc_name(const struct elf_sec *s, uint32_t name)
{
	const char *n = string_at(s->str, s->strlen, name);

	return n && strncmp(n, "GLIBC_", 6) == 0 ? gpu_glibc_parse(n + 6) : 0;
}

/* The Elf64 and Elf32 forms of the version entries are the same bytes:
 * one reader serves both classes. */
_Static_assert(sizeof(Elf64_Verneed) == sizeof(Elf32_Verneed) &&
		   sizeof(Elf64_Vernaux) == sizeof(Elf32_Vernaux) &&
		   sizeof(Elf64_Verdef) == sizeof(Elf32_Verdef) &&
		   sizeof(Elf64_Verdaux) == sizeof(Elf32_Verdaux),
	       "ELF version entries differ between the classes");

/* .gnu.version_r: Verneed entries, each with its Vernaux list. */
static int max_needed(const struct elf_sec *s, unsigned *v)
{
	size_t off = 0, seen = 0;

	for (;;) {
		Elf64_Verneed vn;
		size_t aoff;

		if (off > s->len || s->len - off < sizeof(vn))
			return -EINVAL;
		memcpy(&vn, s->data + off, sizeof(vn));
		aoff = off + vn.vn_aux;
		for (unsigned i = 0; i < vn.vn_cnt; i++) {
			Elf64_Vernaux va;
			unsigned g;

			if (aoff > s->len || s->len - aoff < sizeof(va) ||
			    ++seen > VERSION_ENTRIES_MAX)
				return -EINVAL;
			memcpy(&va, s->data + aoff, sizeof(va));
			g = glibc_name(s, va.vna_name);
			if (g > *v)
				*v = g;
			if (!va.vna_next)
				break;
			aoff += va.vna_next;
		}
		if (!vn.vn_next)
			return 0;
		off += vn.vn_next;
	}
}

/* .gnu.version_d: Verdef entries; the first Verdaux names the version. */
static int max_defined(const struct elf_sec *s, unsigned *v)
{
	size_t off = 0, seen = 0;

	for (;;) {
		Elf64_Verdef vd;
		Elf64_Verdaux va;
		unsigned g;

		if (off > s->len || s->len - off < sizeof(vd) || ++seen > VERSION_ENTRIES_MAX)
			return -EINVAL;
		memcpy(&vd, s->data + off, sizeof(vd));
		if (vd.vd_cnt > 0) {
			size_t aoff = off + vd.vd_aux;

			if (aoff > s->len || s->len - aoff < sizeof(va))
				return -EINVAL;
			memcpy(&va, s->data + aoff, sizeof(va));
			g = glibc_name(s, va.vda_name);
			if (g > *v)
				*v = g;
		}
		if (!vd.vd_next)
			return 0;
		off += vd.vd_next;
	}
}

int gpu_elf_glibc(int fd, const char *shown, int defined, enum gpu_abi *abi, unsigned *version,
		  char *err, size_t errlen)
{
	struct elf_sec s = { 0 };
	struct stat st;
	int r;

	*version = 0;
	*abi = GPU_ABI_NONE;
	if (fstat(fd, &st) < 0)
		return melee_fail(err, errlen, -errno, "%s: %s", shown, strerror(errno));
	r = elf_find(fd, (uint64_t)st.st_size, defined ? SHT_GNU_verdef : SHT_GNU_verneed, abi, &s);
	if (r == 0 && s.data)
		r = defined ? max_defined(&s, version) : max_needed(&s, version);
	elf_sec_free(&s);
	if (r == -ENOMEM)
		return melee_fail(err, errlen, r, "out of memory");
	if (r < 0)
		return melee_fail(err, errlen, -EINVAL,
				  "%s: not a well-formed ELF file of this machine's %s%s%s ABI "
				  "(its symbol versions cannot be read)",
				  shown, gpu_abi_name(GPU_ABI_NATIVE), HAVE_ABI_32 ? " or " : "",
				  HAVE_ABI_32 ? gpu_abi_name(GPU_ABI_32) : "");
	return 0;
}

struct release {
	const char *family, *name;
	unsigned glibc;
};

/* Each family's releases in order, with the glibc they ship. */
static const struct release releases[] = {
	{ "Debian", "Debian 9 stretch", 22400 },
	{ "Debian", "Debian 10 buster", 22800 },
	{ "Debian", "Debian 11 bullseye", 23100 },
	{ "Debian", "Debian 12 bookworm", 23600 },
	{ "Debian", "Debian 13 trixie", 24100 },
	{ "Ubuntu", "Ubuntu 18.04", 22700 },
	{ "Ubuntu", "Ubuntu 20.04", 23100 },
	{ "Ubuntu", "Ubuntu 22.04", 23500 },
	{ "Ubuntu", "Ubuntu 24.04", 23900 },
	{ "EL", "EL7", 21700 },
	{ "EL", "EL8", 22800 },
	{ "EL", "EL9", 23400 },
	{ "EL", "EL10", 23900 },
};

const char *gpu_glibc_releases(unsigned v, char *buf, size_t len)
{
	const char *last = "";
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++) {
		const struct release *r = &releases[i];
		char ver[32];
		int n;

		if (strcmp(r->family, last) == 0 || r->glibc < v)
			continue;
		last = r->family;
		n = snprintf(buf + used, len - used, "%s%s (%s)", used ? ", " : "", r->name,
			     gpu_glibc_str(r->glibc, ver, sizeof(ver)));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len,
			 "none this table knows (newer than Debian 13, Ubuntu 24.04, EL10)");
	return buf;
}

/* glibc's banner, "... stable release version 2.31.", in its libc.so.6:
 * the release, where the highest symbol version may be older (2.31
 * added none: its highest is GLIBC_2.30). */
unsigned gpu_libc_release(int fd)
{
	static const char mark[] = "release version ";
	cleanup_free char *buf = NULL;
	size_t len = 0, i = 0;
	const char *p;
	char v[16];

	if (lseek(fd, 0, SEEK_SET) < 0 || melee_read_fd_bytes(fd, ELF_LIBC_MAX, &buf, &len) < 0)
		return 0;
	p = memmem(buf, len, mark, sizeof(mark) - 1);
	if (!p)
		return 0;
	p += sizeof(mark) - 1;
	while (i < sizeof(v) - 1 && p + i < buf + len &&
	       ((p[i] >= '0' && p[i] <= '9') || p[i] == '.')) {
		v[i] = p[i];
		i++;
	}
	v[i] = '\0';
	if (i && v[i - 1] == '.')
		v[i - 1] = '\0';
	return gpu_glibc_parse(v);
}
