/* platform_linux.c - /proc/self/exe names and opens the running file even
 * when it was started through a symlink or a relative path. */
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int platform_self_path(char *buf, size_t cap, const char **op)
{
	*op = "readlink /proc/self/exe";
	ssize_t n = readlink("/proc/self/exe", buf, cap);
	if (n < 0)
		return -1;
	if ((size_t)n >= cap) { /* possibly cut: refuse rather than use a wrong path */
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	if (buf[0] != '/') { /* e.g. a file from a deleted mount namespace */
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int platform_open_self(const char *path)
{
	/* The magic link opens exactly the file the kernel is running, even if
	 * path was replaced since; path is used for messages only. */
	(void)path;
	return open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
}
