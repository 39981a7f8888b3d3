/* prepare.c - the app's entry and a standalone runtime's, by the same code:
 * warm check, cold path, hold, touch, use record (prepare.h). */
#include "prepare.h"
#include "cacheroot.h"
#include "entry.h"
#include "extract.h"
#include "lock.h"
#include "msg.h"
#include "testhook.h"
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOUCH_AFTER_S (24 * 3600) /* "last used" granularity of an entry's mtime */

/* entry_state() of ROOT/KEY, read through an O_PATH descriptor of it that
 * is kept open (inherited by Python: no O_CLOEXEC) when the entry is
 * ENTRY_OK, so that `pyzap cache clean|prune` sees it in use (/proc/PID/fd)
 * from this moment, not only once Python runs with PYZAP_ENTRY_DIR. One
 * open and one fstat: what is held is what was checked (O_NOFOLLOW with
 * O_PATH opens a symlink itself, which entry_state_of() refuses). */
static int hold_entry(const struct root *root, const char *key, uid_t euid, struct stat *st,
		      const char **why)
{
	int state, fd = openat(root->fd, key, O_PATH | O_NOFOLLOW);
	*why = NULL;
	if (fd < 0)
		return ENTRY_MISSING;
	state = fstat(fd, st) != 0 ? ENTRY_MISSING : entry_state_of(st, euid, why);
	if (state != ENTRY_OK)
		close(fd);
	return state;
}

/* Warm path: ROOT/KEY is a directory of ours that only we can write (the
 * tamper policy: one fstat, nothing per file), held open. Touched if its
 * mtime is more than a day away from now, also in the future (a clock
 * step): else prune would never see it old. */
static int is_warm(const struct entry_job *j, const struct roots *roots, const struct root *root,
		   int debug)
{
	struct stat st;
	const char *why, *key = j->cfg->key;
	int state = hold_entry(root, key, roots->euid, &st, &why);
	if (state != ENTRY_OK) {
		if (state == ENTRY_BAD)
			pz_debug(debug, "entry %s/%s %s: not using it, extracting again", root->path, key, why);
		else
			pz_debug(debug, "entry %s/%s: not there, extracting", root->path, key);
		return 0;
	}
	th_point("warm entry kept open");
	long long ago = (long long)time(NULL) - (long long)st.st_mtime;
	if ((ago > TOUCH_AFTER_S || ago < -TOUCH_AFTER_S) &&
	    utimensat(root->fd, key, NULL, AT_SYMLINK_NOFOLLOW) != 0)
		pz_debug(debug, "touch %s/%s: %s", root->path, key, strerror(errno));
	return 1;
}

/* Cold path only: every f line valid and the key is their hash. */
static int verify_cfg(const struct entry_job *j, const char *self, int debug)
{
	char err[256];
	cfg_free(j->cfg);
	if (cfg_parse(j->cfg, j->text, j->len, err, sizeof err) != 0 ||
	    cfg_check_key(j->cfg, err, sizeof err) != 0) {
		pz_error("%s is corrupt: bad %s: %s; rebuild or re-download it", self, j->cfg_name, err);
		return PZ_EX_CORRUPT;
	}
	pz_debug(debug, "%s: %zu f lines valid, key %s verified", j->cfg_name, j->cfg->nfiles, j->cfg->key);
	return 0;
}

/* Cold path: lock, check again, extract, unlock; then hold it open. */
static int extract(const struct entry_job *j, const struct roots *roots, const struct root *root,
		   const char *self, int debug)
{
	struct lock lk;
	struct stat st;
	const char *why, *key = j->cfg->key;
	int rc = verify_cfg(j, self, debug);
	if (rc)
		return rc;
	rc = lock_acquire(&lk, root->fd, key, LOCK_TIMEOUT_MS, debug);
	if (rc == LOCK_TIMEOUT) {
		pz_error("gave up after %d s waiting for %s/%s held by another process; if none is running, remove that directory",
			 LOCK_TIMEOUT_MS / 1000, root->path, lk.name);
		return PZ_EX_LOCK;
	}
	if (rc == LOCK_ERROR) {
		int err = errno;
		pz_error("%s %s/%s: %s; check the cache directory or set PYZAP_CACHE elsewhere", lk.op,
			 root->path, lk.name, strerror(err));
		return pz_exit_for_write_errno(err);
	}
	if (rc == LOCK_ACQUIRED) {
		int state = entry_state(root->fd, key, roots->euid, &st, &why);
		if (state == ENTRY_OK) {
			pz_debug(debug, "entry %s/%s appeared while locking", root->path, key);
		} else if (state == ENTRY_BAD && entry_quarantine(root->fd, key) != 0) {
			int err = errno;
			pz_error("cannot move aside %s/%s, which %s: %s; remove it by hand", root->path, key,
				 why, strerror(err));
			rc = pz_exit_for_write_errno(err);
		} else {
			struct extract_job job = { j->zip, j->cfg, root->fd, root->path, &lk, debug, j->prefix };
			rc = extract_entry(&job);
		}
		lock_release(&lk);
	} else {
		rc = 0; /* LOCK_ENTRY_READY */
	}
	if (!rc)
		hold_entry(root, key, roots->euid, &st, &why); /* best effort, as on the warm path */
	return rc;
}

/* The entry is there: its path, and this bundle recorded as a user. */
static void use(struct entry_job *j, const struct root *root, const char *self, int warm, int debug)
{
	struct cfg as_user = *j->user; /* the app's name and version, under this entry's key */
	memcpy(as_user.key, j->cfg->key, sizeof as_user.key);
	snprintf(j->dir, sizeof j->dir, "%s/%s", root->path, j->cfg->key);
	pz_debug(debug, "entry %s", j->dir);
	users_record(root->fd, root->path, &as_user, self, warm, debug);
}

int prepare_entries(struct entry_job *jobs, int n, const char *self, int debug)
{
	struct roots roots;
	struct root root = { .fd = -1 };
	if (n == 0)
		return 0;
	roots_init(&roots, debug);
	while (roots_next(&roots, &root)) {
		int rc = 0, probed = 0, i;
		for (i = 0; i < n && !rc; i++) {
			int warm = is_warm(&jobs[i], &roots, &root, debug);
			if (!warm) {
				if (!probed && root_probe_exec(&roots, &root) != 0)
					break; /* reason kept; try the next candidate */
				probed = 1;
				rc = extract(&jobs[i], &roots, &root, self, debug);
			}
			if (!rc)
				use(&jobs[i], &root, self, warm, debug);
		}
		root_close(&root);
		if (!rc && i < n)
			continue;
		return rc;
	}
	pz_error("no usable cache directory (tried %s); set PYZAP_CACHE to a directory you own, on a filesystem that allows exec",
		 roots.reasons_len ? roots.reasons : "none");
	return PZ_EX_NOCACHE;
}
