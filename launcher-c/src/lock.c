/* lock.c - the mkdir lock. Stale detection uses the lock's mtime against
 * the wall clock (that is what other processes see); waiting uses the
 * monotonic clock. */
#include "lock.h"
#include "entry.h"
#include "msg.h"
#include "testhook.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long long ms_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

static long long now_ms(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return ms_of(&t);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* "PID PIDNS LOCKINO\n": who holds KEY.lock. A sibling file, since
 * proper-lockfile removes a lock directory with rmdir (it must stay empty).
 * The lock's inode ties the record to this lock, not an earlier one. */
static void own_ns(char *out, size_t cap)
{
	ssize_t n = readlink("/proc/self/ns/pid", out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	for (char *p = out; *p; p++)
		if (*p == ' ' || *p == '\n')
			*p = '_';
}

static void write_owner(struct lock *l)
{
	struct stat st;
	char ns[64], text[160], tmp[64];
	int fd;
	if (fstatat(l->dirfd, l->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	own_ns(ns, sizeof ns);
	int n = snprintf(text, sizeof text, "%ld %s %llu\n", (long)getpid(), ns[0] ? ns : "-",
			 (unsigned long long)st.st_ino);
	snprintf(tmp, sizeof tmp, "%s.owner.tmp-%ld", l->name, (long)getpid());
	unlinkat(l->dirfd, tmp, 0);
	fd = openat(l->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int ok = write(fd, text, (size_t)n) == n;
	close(fd);
	if (!ok || renameat(l->dirfd, tmp, l->dirfd, l->owner) != 0)
		unlinkat(l->dirfd, tmp, 0);
}

/* 1 if the record says the holder of the lock with inode ino is a process
 * of our PID namespace that is gone; 0 if alive or unknown (then only the
 * lock's age decides, as proper-lockfile's holders record nothing). */
static int holder_gone(struct lock *l, ino_t ino, long *pid_out)
{
	char text[160], ns[64], theirs[64];
	long pid;
	unsigned long long lino;
	int fd = openat(l->dirfd, l->owner, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* "PID PIDNS LOCKINO\n", parsed by hand (sscanf costs the static launcher 10 KB) */
	char *sp1 = strchr(text, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL, *end;
	if (!sp2 || (size_t)(sp2 - sp1 - 1) >= sizeof theirs)
		return 0;
	pid = strtol(text, &end, 10);
	if (end != sp1 || pid <= 0)
		return 0;
	memcpy(theirs, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	theirs[sp2 - sp1 - 1] = '\0';
	lino = strtoull(sp2 + 1, &end, 10);
	if (end == sp2 + 1 || (*end != '\n' && *end) || lino != (unsigned long long)ino)
		return 0;
	own_ns(ns, sizeof ns);
	if (!ns[0] || strcmp(ns, theirs) != 0) /* another PID namespace: its PIDs mean nothing here */
		return 0;
	*pid_out = pid;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int lock_age_is_stale(long long age_ms, long long stale_ms)
{
	/* Dated more than `stale` in the future (a clock step, or set on
	 * purpose): nothing refreshes a lock into the future, so it is stale. */
	return age_ms > stale_ms || age_ms < -LOCK_STALE_MS;
}

int lock_acquire(struct lock *l, int dirfd, const char *key, long timeout_ms, int debug)
{
	struct stat st;
	const char *why;
	long long start = now_ms(CLOCK_MONOTONIC);
	long delay = LOCK_SLEEP_MIN_MS;
	memset(l, 0, sizeof *l);
	l->dirfd = dirfd;
	l->key = key;
	l->debug = debug;
	snprintf(l->name, sizeof l->name, "%s.lock", key);
	snprintf(l->owner, sizeof l->owner, "%s.lock.owner", key);
	for (;;) {
		if (mkdirat(dirfd, l->name, 0700) == 0) {
			l->held = 1;
			write_owner(l);
			clock_gettime(CLOCK_MONOTONIC, &l->refreshed);
			pz_debug(debug, "lock %s: acquired", l->name);
			return LOCK_ACQUIRED;
		}
		if (errno != EEXIST)
			return l->op = "mkdir", LOCK_ERROR;
		if (entry_state(dirfd, key, geteuid(), &st, &why) == ENTRY_OK) {
			pz_debug(debug, "lock %s: busy, but %s is now complete", l->name, key);
			return LOCK_ENTRY_READY;
		}
		if (fstatat(dirfd, l->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT)
				continue; /* released between our mkdir and stat: retry at once */
			return l->op = "stat", LOCK_ERROR;
		}
		long long age = now_ms(CLOCK_REALTIME) - ms_of(&st.st_mtim);
		long holder = 0;
		int gone = holder_gone(l, st.st_ino, &holder);
		if (gone || lock_age_is_stale(age, th_stale_ms(LOCK_STALE_MS))) {
			if (gone)
				pz_debug(debug, "lock %s: its holder, process %ld, is gone; removing it", l->name, holder);
			else
				pz_debug(debug, "lock %s: stale (mtime %lld ms ago), removing it", l->name, age);
			unlinkat(dirfd, l->owner, 0);
			if (unlinkat(dirfd, l->name, AT_REMOVEDIR) != 0 && errno != ENOENT)
				return l->op = "rmdir stale", LOCK_ERROR;
			continue;
		}
		if (now_ms(CLOCK_MONOTONIC) - start >= timeout_ms)
			return LOCK_TIMEOUT;
		pz_debug(debug, "lock %s: held by another process (mtime %lld ms ago), waiting %ld ms",
			 l->name, age, delay);
		sleep_ms(delay);
		delay = delay * 2 > LOCK_SLEEP_MAX_MS ? LOCK_SLEEP_MAX_MS : delay * 2;
	}
}

void lock_refresh(struct lock *l)
{
	struct timespec now;
	if (!l || !l->held)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_of(&now) - ms_of(&l->refreshed) < LOCK_REFRESH_MS)
		return;
	l->refreshed = now;
	/* If this fails the lock was taken from us as stale; the rename into
	 * place is still atomic, so carry on (proper-lockfile would too). */
	if (utimensat(l->dirfd, l->name, NULL, AT_SYMLINK_NOFOLLOW) != 0)
		pz_debug(l->debug, "lock %s: refresh failed: %s", l->name, strerror(errno));
}

void lock_release(struct lock *l)
{
	if (!l->held)
		return;
	l->held = 0;
	unlinkat(l->dirfd, l->owner, 0); /* before the lock: a record never outlives it */
	if (unlinkat(l->dirfd, l->name, AT_REMOVEDIR) != 0)
		pz_debug(l->debug, "lock %s: rmdir failed: %s", l->name, strerror(errno));
	else
		pz_debug(l->debug, "lock %s: released", l->name);
}
