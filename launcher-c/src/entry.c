/* entry.c - the warm-path check and the cleanup done under the lock. The
 * warm check costs nothing beyond the fstatat the warm path always did; the
 * cleanup runs only on the cold path, where a readdir of ROOT is cheap next
 * to an extraction. */
#include "entry.h"
#include "fsutil.h"
#include "msg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int entry_state(int rootfd, const char *key, uid_t euid, struct stat *st, const char **why)
{
	*why = NULL;
	if (fstatat(rootfd, key, st, AT_SYMLINK_NOFOLLOW) != 0)
		return ENTRY_MISSING;
	return entry_state_of(st, euid, why);
}

int entry_state_of(const struct stat *st, uid_t euid, const char **why)
{
	*why = NULL;
	if (S_ISLNK(st->st_mode))
		*why = "is a symlink";
	else if (!S_ISDIR(st->st_mode))
		*why = "is not a directory";
	else if (st->st_uid != euid)
		*why = "is owned by another user";
	else if (st->st_mode & 022)
		*why = "is writable by group or others";
	return *why ? ENTRY_BAD : ENTRY_OK;
}

int entry_quarantine(int rootfd, const char *key)
{
	char bad[48];
	snprintf(bad, sizeof bad, "%s.bad-%ld", key, (long)getpid());
	if (rmtree_at(rootfd, bad) != 0)
		return -1;
	/* rename first: from here on nothing named KEY can be used half-removed */
	if (renameat(rootfd, key, rootfd, bad) != 0)
		return errno == ENOENT ? 0 : -1;
	return rmtree_at(rootfd, bad);
}

/* The PID in "KEY.tmp-PID" / "KEY.bad-PID", or 0 if name is not one. */
static long leftover_pid(const char *name, const char *key, size_t kl)
{
	char *end;
	if (strncmp(name, key, kl) != 0 || name[kl] != '.')
		return 0;
	name += kl + 1;
	if (strncmp(name, "tmp-", 4) != 0 && strncmp(name, "bad-", 4) != 0)
		return 0;
	name += 4;
	if (*name < '1' || *name > '9')
		return 0;
	errno = 0;
	long pid = strtol(name, &end, 10);
	return *end || errno || pid <= 0 ? 0 : pid;
}

int entry_reclaim(int rootfd, const char *key, int debug, const char *root)
{
	size_t kl = strlen(key);
	int n = 0, fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		long pid = leftover_pid(de->d_name, key, kl);
		/* Only dead processes' leftovers: we hold KEY.lock, so a live
		 * owner could only be one whose lock went stale; leave it be. */
		if (!pid || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (rmtree_at(rootfd, de->d_name) == 0) {
			n++;
			pz_debug(debug, "removed %s/%s, left by process %ld which is gone", root, de->d_name, pid);
		} else {
			pz_debug(debug, "cannot remove %s/%s: %s", root, de->d_name, strerror(errno));
		}
	}
	closedir(d);
	return n;
}
