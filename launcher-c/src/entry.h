/* entry.h - what the launcher trusts about ROOT/KEY and how it cleans up
 * around it (docs/format.md, "Warm path", "Tamper policy", "Leftovers"). */
#ifndef PYZAP_ENTRY_H
#define PYZAP_ENTRY_H

#include <stddef.h>
#include <sys/types.h>

enum entry_state {
	ENTRY_MISSING = 0, /* nothing named KEY: extract */
	ENTRY_OK = 1,      /* a directory of ours, writable only by us: use it */
	ENTRY_BAD = 2,     /* something else named KEY: move it aside, extract */
};

/* One fstatat(KEY, AT_SYMLINK_NOFOLLOW), the whole warm-path check: a real
 * directory (a symlink is never followed), owned by euid, not writable by
 * group or others. *why says what was wrong for ENTRY_BAD; *st is filled. */
struct stat;
int entry_state(int rootfd, const char *key, uid_t euid, struct stat *st, const char **why);

/* The same verdict from an lstat-like *st the caller already has. */
int entry_state_of(const struct stat *st, uid_t euid, const char **why);

/* Holding KEY.lock: rename a bad KEY to KEY.bad-PID and remove it. 0 or -1
 * with errno (ENOENT counts as done). */
int entry_quarantine(int rootfd, const char *key);

/* Holding KEY.lock: remove KEY.tmp-PID and KEY.bad-PID left by processes
 * that no longer exist (killed mid-extraction). Returns how many. */
int entry_reclaim(int rootfd, const char *key, int debug, const char *root);

#endif
