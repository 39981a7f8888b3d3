/* platform.h - what differs between operating systems. Linux is in
 * platform_linux.c; macOS (_NSGetExecutablePath, no /proc) comes later. */
#ifndef PYZAP_PLATFORM_H
#define PYZAP_PLATFORM_H

#include <stddef.h>

/* Absolute real path of the running executable into buf (cap bytes).
 * 0, or -1 with errno (ENAMETOOLONG if it does not fit) and *op naming
 * the failed call. */
int platform_self_path(char *buf, size_t cap, const char **op);

/* Open the running executable for reading: an fd, or -1 with errno. */
int platform_open_self(const char *path);

#endif
