/* glibc.h - which glibc this system has, read from its libc.so.6 without
 * loading it (the launcher is static): the newest GLIBC_x.y version the
 * library defines (docs/format.md, "Standalone bundles"). */
#ifndef PYZAP_GLIBC_H
#define PYZAP_GLIBC_H

#include <stddef.h>

/* Find libc.so.6 beside the real path of the dynamic loader `interp` (the
 * PT_INTERP of the runtime's executable), else in the usual directories,
 * and read its version definitions. 0 with *major.*minor and the file in
 * where; -1 when there is no readable glibc (where says what was tried). */
int glibc_version(const char *interp, int *major, int *minor, char *where, size_t cap);

/* The newest "GLIBC_X.Y" defined by the ELF file open on fd: 0 or -1. */
int glibc_defined(int fd, int *major, int *minor);

#endif
