/* fsutil.h - small *at() helpers shared by cacheroot.c, lock.c, extract.c. */
#ifndef PYZAP_FSUTIL_H
#define PYZAP_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Deepest tree rmtree_at removes (one open directory per level). */
#define RMTREE_MAX_DEPTH 256

/* mkdirat(dirfd, name) and open it with O_NOFOLLOW; if we created it, set
 * exactly `mode` with fchmod, so the umask does not decide (and the umask the
 * app inherits is not touched). If it already existed it is opened as is;
 * *created says which. Returns the fd or -1 with errno. */
int mkdir_open_at(int dirfd, const char *name, mode_t mode, int *created);

/* Remove name under dirfd and everything below it, never following a
 * symlink. ENOENT is success. Returns 0 or -1 with errno. */
int rmtree_at(int dirfd, const char *name);

/* write(2) all of buf, retrying on EINTR and short writes. 0 or -1/errno. */
int write_all(int fd, const void *buf, size_t len);

#endif
