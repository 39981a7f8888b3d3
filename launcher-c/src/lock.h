/* lock.h - ROOT/KEY.lock, a directory lock compatible with proper-lockfile
 * (lock(ROOT/KEY, { realpath: false, stale: 10000, lockfilePath: ROOT/KEY.lock })):
 * mkdir takes it, its mtime says it is alive, rmdir releases it. */
#ifndef PYZAP_LOCK_H
#define PYZAP_LOCK_H

#include <time.h>

#define LOCK_STALE_MS 10000         /* proper-lockfile's `stale` */
#define LOCK_TIMEOUT_MS 300000      /* give up (exit 76) after 300 s */
#define LOCK_REFRESH_MS 500         /* refresh twice a second: "at least every second" */
#define LOCK_SLEEP_MIN_MS 25
#define LOCK_SLEEP_MAX_MS 200

enum lock_result {
	LOCK_ACQUIRED = 0,    /* we hold it: extract */
	LOCK_ENTRY_READY = 1, /* someone else finished ROOT/KEY meanwhile */
	LOCK_ERROR = -1,      /* mkdir/stat/rmdir failed; errno set, op says which */
	LOCK_TIMEOUT = -2,    /* held by someone else for longer than the timeout */
};

struct lock {
	int dirfd;                 /* the cache root, not owned */
	char name[40];             /* "KEY.lock" */
	char owner[48];            /* "KEY.lock.owner": "PID PIDNS LOCKINO\n" of the holder */
	const char *key;           /* "KEY": the entry whose appearance ends the wait */
	int held;
	int debug;
	struct timespec refreshed; /* CLOCK_MONOTONIC of the last mtime refresh */
	const char *op;            /* the failed operation, for LOCK_ERROR messages */
};

/* Stale by its mtime's age alone: older than stale_ms, or more than
 * LOCK_STALE_MS in the future (docs/vectors/protocol.txt, "lockage"). */
int lock_age_is_stale(long long age_ms, long long stale_ms);

/* Take ROOT/KEY.lock, waiting with backoff (25 ms growing to 200 ms),
 * removing it if its mtime is older than LOCK_STALE_MS. */
int lock_acquire(struct lock *l, int dirfd, const char *key, long timeout_ms, int debug);

/* utimensat the lock if LOCK_REFRESH_MS passed since the last time. */
void lock_refresh(struct lock *l);

void lock_release(struct lock *l);

#endif
