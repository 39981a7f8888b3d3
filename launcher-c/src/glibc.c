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

int glibc_defined(int fd, int *major, int *minor)
{
	struct stat st;
	unsigned char id[EI_NIDENT];
	uint64_t shoff, vd_off = 0, vd_size = 0, str_off = 0, str_size = 0;
	unsigned shnum, shentsize, i;
	int found = 0;
	if (fstat(fd, &st) != 0 || rd(fd, (uint64_t)st.st_size, 0, id, sizeof id) != 0 ||
	    memcmp(id, ELFMAG, SELFMAG) != 0 || id[EI_DATA] != ELFDATA2LSB)
		return -1;
	uint64_t size = (uint64_t)st.st_size;
	int is64 = id[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr h;
		if (rd(fd, size, 0, &h, sizeof h))
			return -1;
		shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
		if (shentsize != sizeof(Elf64_Shdr))
			return -1;
	} else {
		Elf32_Ehdr h;
		if (rd(fd, size, 0, &h, sizeof h))
			return -1;
		shoff = h.e_shoff, shnum = h.e_shnum, shentsize = h.e_shentsize;
		if (shentsize != sizeof(Elf32_Shdr))
			return -1;
	}
	if (shnum == 0 || shnum > MAX_SECTIONS)
		return -1;
	/* The verdef section and its string table (sh_link). */
	for (i = 0; i < shnum; i++) {
		uint64_t type, off, sz, link;
		if (is64) {
			Elf64_Shdr s;
			if (rd(fd, size, shoff + (uint64_t)i * shentsize, &s, sizeof s))
				return -1;
			type = s.sh_type, off = s.sh_offset, sz = s.sh_size, link = s.sh_link;
		} else {
			Elf32_Shdr s;
			if (rd(fd, size, shoff + (uint64_t)i * shentsize, &s, sizeof s))
				return -1;
			type = s.sh_type, off = s.sh_offset, sz = s.sh_size, link = s.sh_link;
		}
		if (type != SHT_GNU_verdef)
			continue;
		vd_off = off, vd_size = sz;
		if (link >= shnum)
			return -1;
		uint64_t lo = shoff + link * (uint64_t)shentsize;
		if (is64) {
			Elf64_Shdr s;
			if (rd(fd, size, lo, &s, sizeof s))
				return -1;
			str_off = s.sh_offset, str_size = s.sh_size;
		} else {
			Elf32_Shdr s;
			if (rd(fd, size, lo, &s, sizeof s))
				return -1;
			str_off = s.sh_offset, str_size = s.sh_size;
		}
		break;
	}
	if (vd_size == 0 || str_size == 0 || vd_size > size || str_size > size)
		return -1;
	/* Elf32_Verdef and Elf64_Verdef are the same 20 bytes. */
	uint64_t p = vd_off;
	for (unsigned n = 0; n < MAX_VERDEFS && p - vd_off + sizeof(Elf64_Verdef) <= vd_size; n++) {
		Elf64_Verdef vd;
		Elf64_Verdaux va;
		char name[32];
		int x, y;
		if (rd(fd, size, p, &vd, sizeof vd) ||
		    rd(fd, size, p + vd.vd_aux, &va, sizeof va) || va.vda_name >= str_size)
			return -1;
		size_t len = sizeof name - 1;
		if (str_size - va.vda_name < len)
			len = (size_t)(str_size - va.vda_name);
		memset(name, 0, sizeof name);
		if (rd(fd, size, str_off + va.vda_name, name, len))
			return -1;
		if (parse_name(name, &x, &y) == 0 && (!found || x > *major || (x == *major && y > *minor)))
			*major = x, *minor = y, found = 1;
		if (vd.vd_next == 0)
			break;
		p += vd.vd_next;
	}
	return found ? 0 : -1;
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
