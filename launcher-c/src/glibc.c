/* glibc.c - reads libc.so.6's version definitions (SHT_GNU_verdef, found
 * through the section headers, which glibc always has): every read is a
 * bounds-checked pread, since the file is the target system's, not ours. */
#include "glibc.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SECTIONS 4096
#define MAX_VERDEFS 4096
#define MAX_TABLE (4u << 20) /* verdef and its string table: glibc's are a few KB */

/* Exactly len bytes at off inside a file of size size. */
static int rd(int fd, uint64_t size, uint64_t off, void *buf, size_t len)
{
	if (len > size || off > size - len)
		return -1;
	return pread(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* Digits at *s (at most 4) into *v, advancing *s; -1 if none. */
static int digits(const char **s, int *v)
{
	int n = 0;
	*v = 0;
	while (**s >= '0' && **s <= '9' && n < 4)
		*v = *v * 10 + (*(*s)++ - '0'), n++;
	return n ? 0 : -1;
}

/* "GLIBC_X.Y" (optionally more after Y, as in "GLIBC_2.3.4") -> X, Y. */
static int parse_name(const char *s, int *x, int *y)
{
	if (strncmp(s, "GLIBC_", 6) != 0)
		return -1;
	s += 6;
	if (digits(&s, x) || *s++ != '.' || digits(&s, y))
		return -1;
	return 0;
}

/* One section header (class-independent fields). */
struct shdr {
	uint64_t type, off, size, link;
};

static void get_shdr(const unsigned char *p, int is64, struct shdr *s)
{
	if (is64) {
		Elf64_Shdr h;
		memcpy(&h, p, sizeof h);
		s->type = h.sh_type, s->off = h.sh_offset, s->size = h.sh_size, s->link = h.sh_link;
	} else {
		Elf32_Shdr h;
		memcpy(&h, p, sizeof h);
		s->type = h.sh_type, s->off = h.sh_offset, s->size = h.sh_size, s->link = h.sh_link;
	}
}

/* Four reads on the warm path of every start: the ELF header, the section
 * headers, the verdef section, its string table. */
int glibc_defined(int fd, int *major, int *minor)
{
	struct stat st;
	unsigned char eh[sizeof(Elf64_Ehdr)], *sh = NULL, *vd = NULL; /* the larger header, read once */
	char *str = NULL;
	struct shdr s, ls;
	uint64_t shoff;
	unsigned shnum, shentsize, i;
	int found = 0, rc = -1;
	if (fstat(fd, &st) != 0 || rd(fd, (uint64_t)st.st_size, 0, eh, sizeof eh) != 0 ||
	    memcmp(eh, ELFMAG, SELFMAG) != 0 || eh[EI_DATA] != ELFDATA2LSB)
		return -1;
	uint64_t size = (uint64_t)st.st_size;
	int is64 = eh[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr h;
		memcpy(&h, eh, sizeof h);
		shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
	} else {
		Elf32_Ehdr h;
		memcpy(&h, eh, sizeof h);
		shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
	}
	if (shentsize != (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) || shnum == 0 || shnum > MAX_SECTIONS)
		return -1;
	if (!(sh = malloc((size_t)shnum * shentsize)) || rd(fd, size, shoff, sh, (size_t)shnum * shentsize))
		goto out;
	for (i = 0; i < shnum; i++) {
		get_shdr(sh + (size_t)i * shentsize, is64, &s);
		if (s.type == SHT_GNU_verdef)
			break;
	}
	if (i == shnum || s.link >= shnum)
		goto out;
	get_shdr(sh + (size_t)s.link * shentsize, is64, &ls);
	if (s.size < sizeof(Elf64_Verdef) || s.size > MAX_TABLE || ls.size == 0 || ls.size > MAX_TABLE)
		goto out;
	if (!(vd = malloc(s.size)) || !(str = malloc(ls.size + 1)) || rd(fd, size, s.off, vd, s.size) ||
	    rd(fd, size, ls.off, str, ls.size))
		goto out;
	str[ls.size] = '\0';
	/* Elf32_Verdef and Elf64_Verdef are the same 20 bytes, as are the Verdaux. */
	for (uint64_t p = 0, n = 0; n < MAX_VERDEFS && p <= s.size - sizeof(Elf64_Verdef); n++) {
		Elf64_Verdef d;
		Elf64_Verdaux a;
		int x, y;
		memcpy(&d, vd + p, sizeof d);
		if (d.vd_aux > s.size - p || s.size - p - d.vd_aux < sizeof a)
			break;
		memcpy(&a, vd + p + d.vd_aux, sizeof a);
		if (a.vda_name < ls.size && parse_name(str + a.vda_name, &x, &y) == 0 &&
		    (!found || x > *major || (x == *major && y > *minor)))
			*major = x, *minor = y, found = 1;
		if (d.vd_next == 0 || d.vd_next > s.size - p)
			break;
		p += d.vd_next;
	}
	rc = found ? 0 : -1;
out:
	free(sh);
	free(vd);
	free(str);
	return rc;
}

static int try_file(const char *path, int *major, int *minor, char *where, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = glibc_defined(fd, major, minor);
	close(fd);
	if (rc == 0)
		snprintf(where, cap, "%s", path);
	return rc;
}

int glibc_version(const char *interp, int *major, int *minor, char *where, size_t cap)
{
	static const char *const dirs[] = { "/lib64", "/usr/lib64", "/lib", "/usr/lib",
					    "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
					    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu" };
	char real[PATH_MAX], path[PATH_MAX + 16];
	if (interp && interp[0] && realpath(interp, real)) {
		char *slash = strrchr(real, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/libc.so.6", real);
			if (try_file(path, major, minor, where, cap) == 0)
				return 0;
		}
	}
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/libc.so.6", dirs[i]);
		if (try_file(path, major, minor, where, cap) == 0)
			return 0;
	}
	snprintf(where, cap, "no libc.so.6 beside %s or in /lib64, /usr/lib64, /lib, /usr/lib", interp && interp[0] ? interp : "the loader");
	return -1;
}
