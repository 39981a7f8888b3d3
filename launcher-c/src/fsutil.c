/* fsutil.c - directory creation with exact modes, symlink-safe removal. */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mkdir_open_at(int dirfd, const char *name, mode_t mode, int *created)
{
	int fd;
	*created = 0;
	if (mkdirat(dirfd, name, 0700) == 0)
		*created = 1;
	else if (errno != EEXIST)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (*created && fchmod(fd, mode) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int rmtree_depth(int dirfd, const char *name, int depth)
{
	int fd, rc = 0, e = 0;
	DIR *d;
	struct dirent *de;
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM) /* Linux says EISDIR, POSIX EPERM */
		return -1;
	if (depth >= RMTREE_MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!(d = fdopendir(fd))) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rmtree_depth(fd, de->d_name, depth + 1) != 0 && !e) {
			e = errno;
			rc = -1;
		}
	}
	if (errno && !e) {
		e = errno;
		rc = -1;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT && !e) {
		e = errno;
		rc = -1;
	}
	errno = e;
	return rc;
}

int rmtree_at(int dirfd, const char *name)
{
	return rmtree_depth(dirfd, name, 0);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
