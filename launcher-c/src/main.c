/* main.c - the launcher, as a checklist: find ourselves, read the cfg,
 * make sure the cache entry exists, find Python, exec it. Each step prints
 * its own one-line error and returns the exit code of docs/format.md. */
#include "cacheroot.h"
#include "cfg.h"
#include "entry.h"
#include "extract.h"
#include "lock.h"
#include "msg.h"
#include "platform.h"
#include "python.h"
#include "standalone.h"
#include "testhook.h"
#include "users.h"
#include "version.h"
#include "zipread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOUCH_AFTER_S (24 * 3600) /* "last used" granularity of an entry's mtime */

/* All the launcher's state, passed explicitly. */
struct ctx {
	int argc;
	char **argv;
	int debug;                  /* PYZAP_DEBUG set and not "0" */
	char self[PATH_MAX];        /* the bundle's absolute real path */
	int fd;                     /* the bundle, open for reading */
	struct zr zip;              /* its zip, end records validated */
	char *cfg_text;             /* .pyzap/launcher.cfg, NUL-terminated */
	size_t cfg_len;
	struct cfg cfg;             /* parsed and key-checked */
	struct roots roots;         /* the cache root chain */
	struct root root;           /* the root in use */
	char entry_dir[PATH_MAX];   /* ROOT/KEY, or "" when key is "-" */
	struct python py;           /* the interpreter found */
	int restarted;              /* this run is restart_if_replaced()'s */
};

/* PYZAP_EXTRACT_FOR=BUNDLE: `python3 app.pyz` runs these bytes (from a
 * memfd or the bundle itself) to unpack BUNDLE's entry exactly as a start
 * would, so there is one implementation of the cache protocol. */
static int open_other(struct ctx *c, const char *bundle)
{
	if (!realpath(bundle, c->self)) {
		pz_error("cannot open %s: %s; check the path", bundle, strerror(errno));
		return PZ_EX_SELF;
	}
	if ((c->fd = open(c->self, O_RDONLY | O_CLOEXEC)) < 0) {
		pz_error("cannot open %s: %s; make it readable (chmod a+r)", c->self, strerror(errno));
		return PZ_EX_SELF;
	}
	pz_debug(c->debug, "%s, unpacking for %s", PYZAP_MARKER, c->self);
	return 0;
}

static int open_self(struct ctx *c)
{
	const char *op, *other = getenv("PYZAP_EXTRACT_FOR");
	if (other && *other)
		return open_other(c, other);
	if (platform_self_path(c->self, sizeof c->self, &op) != 0) {
		pz_error("cannot find the bundle's own path: %s: %s; is /proc mounted?", op, strerror(errno));
		return PZ_EX_SELF;
	}
	pz_debug(c->debug, "%s, bundle %s", PYZAP_MARKER, c->self);
	if (strchr(c->self, ':')) {
		pz_error("the bundle path %s contains ':', which cannot go on PYTHONPATH; rename or move it",
			 c->self);
		return PZ_EX_CORRUPT;
	}
	if ((c->fd = platform_open_self(c->self)) < 0) {
		pz_error("cannot open %s: %s; make it readable (chmod a+r)", c->self, strerror(errno));
		return PZ_EX_SELF;
	}
	return 0;
}

/* A zr failure as an exit code, with its one line. */
static int zip_error(struct ctx *c, int rc)
{
	if (rc == ZR_IO) {
		pz_error("cannot read %s: %s; check the file and its disk", c->self, c->zip.err);
		return PZ_EX_SELF;
	}
	pz_error("%s is not a pyzap bundle or is corrupt: %s; rebuild or re-download it", c->self,
		 c->zip.err);
	return PZ_EX_CORRUPT;
}

static int read_cfg(struct ctx *c)
{
	struct zr_entry e;
	char err[256];
	int rc, found;
	if ((rc = zr_open(&c->zip, c->fd, c->self)) || (rc = zr_find(&c->zip, CFG_NAME, &e, &found)))
		return zip_error(c, rc);
	if (!found) {
		pz_error("%s is not a pyzap bundle: its zip has no %s; rebuild it with pyzap", c->self, CFG_NAME);
		return PZ_EX_CORRUPT;
	}
	if ((rc = zr_read_stored(&c->zip, &e, CFG_MAX_BYTES, &c->cfg_text, &c->cfg_len)))
		return zip_error(c, rc);
	/* Header only: the warm path needs key, python and pyver, not the
	 * file list; verify_cfg() checks the rest before any extraction. */
	if (cfg_parse_header(&c->cfg, c->cfg_text, c->cfg_len, err, sizeof err) != 0) {
		pz_error("%s is corrupt: bad %s: %s; rebuild or re-download it", c->self, CFG_NAME, err);
		return PZ_EX_CORRUPT;
	}
	pz_debug(c->debug, "cfg: %.*s %.*s, key %s, %zu files to unpack",
		 (int)c->cfg.name_len, c->cfg.name ? c->cfg.name : "?", (int)c->cfg.version_len,
		 c->cfg.version ? c->cfg.version : "?", c->cfg.key, c->cfg.f_lines);
	return 0;
}

/* Cold path only: every f line valid and the key is their hash. */
static int verify_cfg(struct ctx *c)
{
	char err[256];
	cfg_free(&c->cfg);
	if (cfg_parse(&c->cfg, c->cfg_text, c->cfg_len, err, sizeof err) != 0 ||
	    cfg_check_key(&c->cfg, err, sizeof err) != 0) {
		pz_error("%s is corrupt: bad %s: %s; rebuild or re-download it", c->self, CFG_NAME, err);
		return PZ_EX_CORRUPT;
	}
	pz_debug(c->debug, "cfg: %zu f lines valid, key %s verified", c->cfg.nfiles, c->cfg.key);
	return 0;
}

static void use_entry(struct ctx *c)
{
	snprintf(c->entry_dir, sizeof c->entry_dir, "%s/%s", c->root.path, c->cfg.key);
	pz_debug(c->debug, "entry %s", c->entry_dir);
}

/* Hold ROOT/KEY open (O_PATH, inherited by Python: no O_CLOEXEC) so that
 * `pyzap cache clean|prune` sees it in use (/proc/PID/fd) from this moment,
 * not only once Python runs with PYZAP_ENTRY_DIR. The same directory as st,
 * else 0 (it was swapped: extract again). */
static int keep_entry_open(struct ctx *c, const struct stat *st)
{
	struct stat now;
	int fd = openat(c->root.fd, c->cfg.key, O_PATH | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	return 1;
}

/* Warm path: ROOT/KEY is a directory of ours that only we can write (the
 * tamper policy: the same single fstatat as before, nothing per file).
 * Touch it if older than a day. */
static int is_warm(struct ctx *c)
{
	struct stat st;
	const char *why;
	int state = entry_state(c->root.fd, c->cfg.key, c->roots.euid, &st, &why);
	if (state != ENTRY_OK) {
		if (state == ENTRY_BAD)
			pz_debug(c->debug, "entry %s/%s %s: not using it, extracting again", c->root.path,
				 c->cfg.key, why);
		else
			pz_debug(c->debug, "entry %s/%s: not there, extracting", c->root.path, c->cfg.key);
		return 0;
	}
	if (!keep_entry_open(c, &st))
		return 0;
	th_point("warm entry kept open");
	/* also when dated in the future (a clock step): else prune never sees it old */
	long long ago = (long long)time(NULL) - (long long)st.st_mtime;
	if ((ago > TOUCH_AFTER_S || ago < -TOUCH_AFTER_S) &&
	    utimensat(c->root.fd, c->cfg.key, NULL, AT_SYMLINK_NOFOLLOW) != 0)
		pz_debug(c->debug, "touch %s/%s: %s", c->root.path, c->cfg.key, strerror(errno));
	return 1;
}

/* Cold path: lock, check again, extract, unlock. */
static int extract(struct ctx *c)
{
	struct lock lk;
	struct stat st;
	const char *why;
	int rc = verify_cfg(c);
	if (rc)
		return rc;
	rc = lock_acquire(&lk, c->root.fd, c->cfg.key, LOCK_TIMEOUT_MS, c->debug);
	if (rc == LOCK_TIMEOUT) {
		pz_error("gave up after %d s waiting for %s/%s held by another process; if none is running, remove that directory",
			 LOCK_TIMEOUT_MS / 1000, c->root.path, lk.name);
		return PZ_EX_LOCK;
	}
	if (rc == LOCK_ERROR) {
		int err = errno;
		pz_error("%s %s/%s: %s; check the cache directory or set PYZAP_CACHE elsewhere", lk.op,
			 c->root.path, lk.name, strerror(err));
		return pz_exit_for_write_errno(err);
	}
	if (rc == LOCK_ACQUIRED) {
		int state = entry_state(c->root.fd, c->cfg.key, c->roots.euid, &st, &why);
		if (state == ENTRY_OK) {
			pz_debug(c->debug, "entry %s/%s appeared while locking", c->root.path, c->cfg.key);
		} else if (state == ENTRY_BAD && entry_quarantine(c->root.fd, c->cfg.key) != 0) {
			int err = errno;
			pz_error("cannot move aside %s/%s, which %s: %s; remove it by hand", c->root.path,
				 c->cfg.key, why, strerror(err));
			rc = pz_exit_for_write_errno(err);
		} else {
			struct extract_job job = { &c->zip, &c->cfg, c->root.fd, c->root.path, &lk, c->debug, NULL };
			rc = extract_entry(&job);
		}
		lock_release(&lk);
	} else {
		rc = 0; /* LOCK_ENTRY_READY */
	}
	return rc;
}

static int prepare_entry(struct ctx *c)
{
	int rc;
	if (c->cfg.key[0] == '-') {
		pz_debug(c->debug, "key '-': nothing to unpack, no cache");
		return 0;
	}
	roots_init(&c->roots, c->debug);
	while (roots_next(&c->roots, &c->root)) {
		if (is_warm(c)) {
			use_entry(c);
			users_record(c->root.fd, c->root.path, &c->cfg, c->self, 1, c->debug);
			root_close(&c->root);
			return 0;
		}
		if (root_probe_exec(&c->roots, &c->root) != 0)
			continue; /* reason kept; try the next candidate */
		if (!(rc = extract(c))) {
			struct stat st;
			const char *why;
			if (entry_state(c->root.fd, c->cfg.key, c->roots.euid, &st, &why) == ENTRY_OK)
				keep_entry_open(c, &st); /* best effort, as on the warm path */
			use_entry(c);
			users_record(c->root.fd, c->root.path, &c->cfg, c->self, 0, c->debug);
		}
		root_close(&c->root);
		return rc;
	}
	pz_error("no usable cache directory (tried %s); set PYZAP_CACHE to a directory you own, on a filesystem that allows exec",
		 c->roots.reasons_len ? c->roots.reasons : "none");
	return PZ_EX_NOCACHE;
}

/* Started across a privilege change (setuid/setgid copy, file capabilities;
 * the kernel sets AT_SECURE): the environment belongs to the less
 * privileged caller, so none of it may choose the interpreter, the cache or
 * what Python imports. sudo strips PYTHONPATH but not PYZAP_*. */
static void drop_untrusted_env(void)
{
	extern char **environ;
	char name[256];
	if (!getauxval(AT_SECURE))
		return;
	for (size_t i = 0; environ && environ[i];) {
		const char *eq = strchr(environ[i], '=');
		size_t n = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		if ((!strncmp(environ[i], "PYZAP_", 6) || !strncmp(environ[i], "PYTHON", 6)) &&
		    n < sizeof name) {
			memcpy(name, environ[i], n);
			name[n] = '\0';
			unsetenv(name); /* shifts environ down: look at index i again */
			continue;
		}
		i++;
	}
}

/* The bundle was replaced (by rename) since we opened it: Python would read
 * the new file by its path with our entry, prepared for the old one. Start
 * over on the new file, once (PYZAP_RESTARTED stops a loop). */
static void restart_if_replaced(struct ctx *c)
{
	struct stat had, now;
	if (fstat(c->fd, &had) != 0 || stat(c->self, &now) != 0 ||
	    (had.st_dev == now.st_dev && had.st_ino == now.st_ino))
		return;
	if (c->restarted) {
		pz_debug(c->debug, "%s was replaced again while starting; going on", c->self);
		return;
	}
	pz_debug(c->debug, "%s was replaced while starting; starting the new file", c->self);
	if (setenv("PYZAP_RESTARTED", "1", 1) == 0)
		execv(c->self, c->argv);
	unsetenv("PYZAP_RESTARTED");
}

int main(int argc, char **argv)
{
	drop_untrusted_env();
	const char *dbg = getenv("PYZAP_DEBUG");
	struct ctx c;
	int rc;
	memset(&c, 0, sizeof c);
	c.argc = argc;
	c.argv = argv;
	c.debug = dbg && *dbg && strcmp(dbg, "0") != 0;
	c.fd = c.root.fd = -1;
	if (getenv("PYZAP_RESTARTED") && argc > 0) /* we are that restart: not for Python to see */
		c.restarted = 1, unsetenv("PYZAP_RESTARTED");
	const char *only = getenv("PYZAP_EXTRACT_FOR");
	if ((rc = open_self(&c)) ||
	    (rc = read_cfg(&c)) ||
	    (rc = prepare_entry(&c)))
		return rc;
	if (only && *only) { /* the entry for the caller, on stdout; no Python */
		printf("%s\n", c.entry_dir);
		return fflush(stdout) == 0 ? 0 : PZ_EX_IO;
	}
	if ((rc = c.cfg.runtime[0] ? standalone_prepare(&c.zip, c.self, &c.cfg, &c.py, c.debug)
				   : python_find(&c.py, &c.cfg, c.debug)))
		return rc;
	th_point("about to exec Python");
	restart_if_replaced(&c);
	return python_exec(&c.py, c.self, c.entry_dir, argc, argv);
}
