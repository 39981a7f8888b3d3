/* trust.c - the StrictModes walk. A directory another user can write to
 * (without the sticky bit) lets them rename what it holds and put their own
 * in its place after we looked: that is how a cache root or an interpreter
 * path would be swapped under us, so such a path is refused up front. */
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 1024 /* deeper than any real tree; bounds a ".." loop */

const char *trust_dir_problem(const struct stat *st, uid_t euid, char *buf, size_t cap)
{
	if (st->st_uid != 0 && st->st_uid != euid) {
		snprintf(buf, cap, "owned by uid %u (neither root nor you)", (unsigned)st->st_uid);
		return buf;
	}
	if ((st->st_mode & 022) && !(st->st_mode & S_ISVTX)) {
		snprintf(buf, cap, "writable by group or others without the sticky bit (mode %04o)",
			 (unsigned)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

int trust_dir_ancestors(int fd, uid_t euid, char *why, size_t cap)
{
	struct stat st, up;
	char buf[128];
	const char *p;
	int cur = fd;
	if (fstat(cur, &st) != 0)
		return snprintf(why, cap, "fstat: %s", strerror(errno)), -1;
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		if ((p = trust_dir_problem(&st, euid, buf, sizeof buf))) {
			snprintf(why, cap, "%s%s", depth ? "an ancestor directory is " : "", p);
			if (cur != fd)
				close(cur);
			return -1;
		}
		int parent = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int err = errno;
		if (cur != fd)
			close(cur);
		if (parent < 0)
			return snprintf(why, cap, "open an ancestor: %s", strerror(err)), -1;
		if (fstat(parent, &up) != 0) {
			err = errno;
			close(parent);
			return snprintf(why, cap, "fstat an ancestor: %s", strerror(err)), -1;
		}
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) { /* ".." of "/" is "/" */
			close(parent);
			return 0;
		}
		cur = parent;
		st = up;
	}
	if (cur != fd)
		close(cur);
	return snprintf(why, cap, "more than %d ancestor directories", MAX_DEPTH), -1;
}

/* Each directory on an absolute path (not the last component), as written:
 * a symlink on the way must be ours or root's (its parent decides who can
 * replace it, and is checked as the walk goes), and what it leads to must
 * be a safe directory. *links counts the symlinks met. */
static int walk_written(const char *path, uid_t euid, int *links, char *why, size_t cap)
{
	char pre[PATH_MAX], buf[128];
	const char *p = NULL;
	struct stat st;
	size_t n = strlen(path);
	const char *last = strrchr(path, '/');
	if (path[0] != '/' || n >= sizeof pre)
		return snprintf(why, cap, "not an absolute path of at most %zu bytes", sizeof pre - 1), -1;
	if (stat("/", &st) != 0 || (p = trust_dir_problem(&st, euid, buf, sizeof buf)))
		return snprintf(why, cap, "/ is %s", p ? p : strerror(errno)), -1;
	for (size_t i = 1; path + i <= last; i++) {
		if (path[i] != '/' && path + i != last)
			continue;
		if (path[i - 1] == '/') /* "//" */
			continue;
		memcpy(pre, path, i);
		pre[i] = '\0';
		if (lstat(pre, &st) != 0)
			return snprintf(why, cap, "%s: %s", pre, strerror(errno)), -1;
		if (S_ISLNK(st.st_mode)) {
			++*links;
			if (st.st_uid != 0 && st.st_uid != euid)
				return snprintf(why, cap, "%s is a symlink owned by uid %u", pre, (unsigned)st.st_uid), -1;
			if (stat(pre, &st) != 0)
				return snprintf(why, cap, "%s: %s", pre, strerror(errno)), -1;
		}
		if (!S_ISDIR(st.st_mode))
			return snprintf(why, cap, "%s is not a directory", pre), -1;
		if ((p = trust_dir_problem(&st, euid, buf, sizeof buf)))
			return snprintf(why, cap, "%s is %s", pre, p), -1;
	}
	return 0;
}

int trust_exec_file(const char *path, uid_t euid, char *why, size_t cap)
{
	char real[PATH_MAX], abs[PATH_MAX];
	struct stat st;
	int links = 0;
	if (path[0] != '/') { /* a relative PATH element: judge it where it is */
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd) ||
		    snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs)
			return snprintf(why, cap, "cannot make %s absolute", path), -1;
		path = abs;
	}
	if (walk_written(path, euid, &links, why, cap) != 0)
		return -1;
	if (lstat(path, &st) != 0)
		return snprintf(why, cap, "%s", strerror(errno)), -1;
	if (S_ISLNK(st.st_mode)) {
		links++;
		if (st.st_uid != 0 && st.st_uid != euid)
			return snprintf(why, cap, "is a symlink owned by uid %u", (unsigned)st.st_uid), -1;
	}
	/* Through a symlink: the place it leads to must be safe as well. */
	if (links) {
		if (!realpath(path, real))
			return snprintf(why, cap, "realpath: %s", strerror(errno)), -1;
		if (walk_written(real, euid, &links, why, cap) != 0)
			return -1;
		path = real;
	}
	if (stat(path, &st) != 0)
		return snprintf(why, cap, "%s", strerror(errno)), -1;
	if (!S_ISREG(st.st_mode))
		return snprintf(why, cap, "not a regular file"), -1;
	if (st.st_uid != 0 && st.st_uid != euid)
		return snprintf(why, cap, "owned by uid %u (neither root nor you)", (unsigned)st.st_uid), -1;
	if (st.st_mode & 022)
		return snprintf(why, cap, "writable by group or others (mode %04o)", (unsigned)(st.st_mode & 07777)), -1;
	return 0;
}
