/* lock.c - the mkdir lock. Stale detection uses the lock's mtime against
 * the wall clock (that is what other processes see); waiting uses the
 * monotonic clock. */
#include "lock.h"
#include "entry.h"
#include "msg.h"
#include "testhook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	for (;;) {
		if (mkdirat(dirfd, l->name, 0700) == 0) {
			l->held = 1;
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
		if (age > th_stale_ms(LOCK_STALE_MS)) {
			pz_debug(debug, "lock %s: stale (mtime %lld ms ago), removing it", l->name, age);
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
	if (unlinkat(l->dirfd, l->name, AT_REMOVEDIR) != 0)
		pz_debug(l->debug, "lock %s: rmdir failed: %s", l->name, strerror(errno));
	else
		pz_debug(l->debug, "lock %s: released", l->name);
}
