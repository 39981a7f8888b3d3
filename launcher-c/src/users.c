/* users.c - the per-bundle use record of an entry (see users.h). Written the
 * way extract.c writes files: a fresh O_EXCL|O_NOFOLLOW temp name, then a
 * rename over the record, so a reader sees the old line or the new one. */
#include "users.h"
#include "fsutil.h"
#include "msg.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define USERS_REFRESH_S (24 * 3600) /* as the entry's own "last used" */

/* "name\tversion\tpath\n" into buf; -1 if a field would break the line. */
static int users_line(char *buf, size_t cap, const struct cfg *cfg, const char *self)
{
	int n;
	if (strpbrk(self, "\t\n") || memchr(cfg->name ? cfg->name : "", '\t', cfg->name_len) ||
	    memchr(cfg->version ? cfg->version : "", '\t', cfg->version_len))
		return -1;
	n = snprintf(buf, cap, "%.*s\t%.*s\t%s\n", (int)cfg->name_len, cfg->name ? cfg->name : "",
		     (int)cfg->version_len, cfg->version ? cfg->version : "", self);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

static int users_write(int rootfd, const char *dir, const char *h, const char *line, size_t len)
{
	char tmp[48];
	int created, fd, dfd = mkdir_open_at(rootfd, dir, 0755, &created), rc = -1;
	if (dfd < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", h, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		/* fchmod: the mode is ours to choose, not the app's umask */
		rc = fchmod(fd, 0644) == 0 && write_all(fd, line, len) == 0 ? 0 : -1;
		if (close(fd) != 0)
			rc = -1;
		if (rc == 0)
			rc = renameat(dfd, tmp, dfd, h);
		if (rc != 0) {
			int e = errno;
			unlinkat(dfd, tmp, 0);
			errno = e;
		}
	}
	int e = errno;
	close(dfd);
	errno = e;
	return rc;
}

void users_record(int rootfd, const char *root, const struct cfg *cfg, const char *self,
		  int only_if_old, int debug)
{
	char dir[32], rel[64], h[17], line[PATH_MAX + 2 * CFG_MAX_LINE + 4];
	struct stat st;
	int n;
	snprintf(h, sizeof h, "%016llx", (unsigned long long)XXH64(self, strlen(self), 0));
	snprintf(dir, sizeof dir, "%s.users", cfg->key);
	snprintf(rel, sizeof rel, "%s/%s", dir, h);
	if (only_if_old && fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    time(NULL) - st.st_mtime <= USERS_REFRESH_S)
		return;
	if ((n = users_line(line, sizeof line, cfg, self)) < 0) {
		pz_debug(debug, "not recording use of %s/%s: name, version or path has a tab or newline",
			 root, cfg->key);
		return;
	}
	if (users_write(rootfd, dir, h, line, (size_t)n) != 0)
		pz_debug(debug, "cannot record use in %s/%s: %s", root, rel, strerror(errno));
	else
		pz_debug(debug, "recorded use in %s/%s", root, rel);
}
