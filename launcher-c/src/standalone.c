/* standalone.c - the runtime entry of a standalone bundle: same cache
 * protocol as the app's entry (entry.h, lock.h, extract.h), different cfg
 * and zip prefix; plus the glibc check that replaces a loader error on a
 * too-old system with one line. */
#include "standalone.h"
#include "cacheroot.h"
#include "entry.h"
#include "extract.h"
#include "glibc.h"
#include "lock.h"
#include "msg.h"
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOUCH_AFTER_S (24 * 3600)

/* The runtime.cfg records the launcher needs beyond launcher.cfg's. */
struct rt {
	struct zr *zip;
	const char *self;
	const struct cfg *app; /* launcher.cfg: its name/version go in the runtime's use records */
	int debug;
	char *text;
	size_t len;
	struct cfg cfg;
	char exe[PATH_MAX];   /* `exe`: the interpreter, relative to the entry's site/ */
	char interp[PATH_MAX]; /* `interp`: the dynamic loader it needs, "" if absent */
	char early[PATH_MAX];  /* `early`: relative to site/, for PYTHONPATH; "" if absent (older bundles) */
	int glibc_major, glibc_minor; /* `glibc`: the floor, 0.0 if absent */
};

/* Value of record `name` in the cfg text (not f lines), into out; 0 or -1. */
static int record(const struct rt *r, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *p = r->text, *end = r->text + r->len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		if (n > nl && memcmp(p, name, nl) == 0 && p[nl] == ' ') {
			if (n - nl - 1 >= cap)
				return -1;
			memcpy(out, p + nl + 1, n - nl - 1);
			out[n - nl - 1] = '\0';
			return 0;
		}
		p += n + 1;
	}
	return -1;
}

/* "X.Y" (digits only, each at most 3) -> X, Y. */
static int parse_version(const char *s, int *x, int *y)
{
	int *out = x, n = 0;
	*x = *y = 0;
	for (; *s; s++) {
		if (*s == '.' && out == x && n > 0)
			out = y, n = 0;
		else if (*s >= '0' && *s <= '9' && n < 3)
			*out = *out * 10 + (*s - '0'), n++;
		else
			return -1;
	}
	return out == y && n > 0 ? 0 : -1;
}

static int corrupt(const struct rt *r, const char *why)
{
	pz_error("%s is corrupt: %s %s; rebuild or re-download it", r->self, RUNTIME_CFG_NAME, why);
	return PZ_EX_CORRUPT;
}

/* Read and check runtime.cfg's header: its key must be launcher.cfg's `runtime`. */
static int read_runtime_cfg(struct rt *r, const char *want_key)
{
	struct zr_entry e;
	char err[256], glibc[16];
	int rc, found;
	if ((rc = zr_find(r->zip, RUNTIME_CFG_NAME, &e, &found)) || !found ||
	    (rc = zr_read_stored(r->zip, &e, CFG_MAX_BYTES, &r->text, &r->len)))
		return corrupt(r, rc == ZR_IO ? "cannot be read" : "is missing");
	if (cfg_parse_header(&r->cfg, r->text, r->len, err, sizeof err) != 0)
		return corrupt(r, err);
	if (strcmp(r->cfg.key, want_key) != 0)
		return corrupt(r, "has another key than launcher.cfg's runtime record");
	if (record(r, "exe", r->exe, sizeof r->exe) != 0 || r->exe[0] == '/' || strstr(r->exe, ".."))
		return corrupt(r, "has no valid exe record");
	if (record(r, "interp", r->interp, sizeof r->interp) != 0)
		r->interp[0] = '\0';
	if (record(r, "early", r->early, sizeof r->early) != 0)
		r->early[0] = '\0';
	else if (r->early[0] == '/' || strstr(r->early, "..") || strchr(r->early, ':'))
		return corrupt(r, "has a bad early record");
	if (record(r, "glibc", glibc, sizeof glibc) == 0 &&
	    parse_version(glibc, &r->glibc_major, &r->glibc_minor) != 0)
		return corrupt(r, "has a bad glibc record");
	return 0;
}

/* One line and exit 79 unless this system has the loader and a new enough glibc. */
static int check_glibc(const struct rt *r)
{
	char where[PATH_MAX + 96];
	int major = 0, minor = 0;
	struct stat st;
	if (r->glibc_major == 0)
		return 0;
	if (r->interp[0] && stat(r->interp, &st) != 0) {
		pz_error("this bundle's Python needs glibc %d.%d or newer and its loader %s, which this system lacks (not a glibc system?); run it on a Linux with glibc %d.%d+",
			 r->glibc_major, r->glibc_minor, r->interp, r->glibc_major, r->glibc_minor);
		return PZ_EX_GLIBC;
	}
	if (glibc_version(r->interp, &major, &minor, where, sizeof where) != 0) {
		pz_error("this bundle's Python needs glibc %d.%d or newer, and none was found (%s); run it on a Linux with glibc %d.%d+",
			 r->glibc_major, r->glibc_minor, where, r->glibc_major, r->glibc_minor);
		return PZ_EX_GLIBC;
	}
	pz_debug(r->debug, "glibc %d.%d (%s), runtime needs %d.%d", major, minor, where, r->glibc_major,
		 r->glibc_minor);
	if (major < r->glibc_major || (major == r->glibc_major && minor < r->glibc_minor)) {
		pz_error("this bundle's Python needs glibc %d.%d or newer, but this system has glibc %d.%d (%s); run it on a newer system, or build it on a system as old as this one",
			 r->glibc_major, r->glibc_minor, major, minor, where);
		return PZ_EX_GLIBC;
	}
	return 0;
}

/* Cold path for ROOT/RKEY: full parse, key check, lock, extract. */
static int extract_runtime(struct rt *r, struct root *root)
{
	char err[256];
	struct lock lk;
	struct stat st;
	const char *why;
	int rc;
	cfg_free(&r->cfg);
	if (cfg_parse(&r->cfg, r->text, r->len, err, sizeof err) != 0 ||
	    cfg_check_key(&r->cfg, err, sizeof err) != 0)
		return corrupt(r, err);
	rc = lock_acquire(&lk, root->fd, r->cfg.key, LOCK_TIMEOUT_MS, r->debug);
	if (rc == LOCK_TIMEOUT) {
		pz_error("gave up after %d s waiting for %s/%s held by another process; if none is running, remove that directory",
			 LOCK_TIMEOUT_MS / 1000, root->path, lk.name);
		return PZ_EX_LOCK;
	}
	if (rc == LOCK_ERROR) {
		int e = errno;
		pz_error("%s %s/%s: %s; check the cache directory or set PYZAP_CACHE elsewhere", lk.op,
			 root->path, lk.name, strerror(e));
		return pz_exit_for_write_errno(e);
	}
	if (rc == LOCK_ENTRY_READY)
		return 0;
	int state = entry_state(root->fd, r->cfg.key, geteuid(), &st, &why);
	if (state == ENTRY_BAD && entry_quarantine(root->fd, r->cfg.key) != 0) {
		int e = errno;
		pz_error("cannot move aside %s/%s, which %s: %s; remove it by hand", root->path, r->cfg.key,
			 why, strerror(e));
		rc = pz_exit_for_write_errno(e);
	} else if (state != ENTRY_OK) {
		struct extract_job job = { r->zip, &r->cfg, root->fd, root->path, &lk, r->debug,
					   RUNTIME_ZIP_PREFIX };
		rc = extract_entry(&job);
	}
	lock_release(&lk);
	return rc;
}

/* The first usable root: its ROOT/RKEY, warm or freshly extracted. */
static int prepare_runtime(struct rt *r, char *entry, size_t cap)
{
	struct roots roots;
	struct root root = { .fd = -1 };
	roots_init(&roots, r->debug);
	while (roots_next(&roots, &root)) {
		struct stat st;
		const char *why;
		int rc = 0, warm = entry_state(root.fd, r->cfg.key, roots.euid, &st, &why) == ENTRY_OK;
		if (warm && time(NULL) - st.st_mtime > TOUCH_AFTER_S)
			utimensat(root.fd, r->cfg.key, NULL, AT_SYMLINK_NOFOLLOW);
		if (!warm) {
			if (root_probe_exec(&roots, &root) != 0)
				continue;
			pz_debug(r->debug, "runtime %s/%s: not there, extracting", root.path, r->cfg.key);
			rc = extract_runtime(r, &root);
		}
		if (!rc) {
			snprintf(entry, cap, "%s/%s", root.path, r->cfg.key);
			/* The app's name and version, in the runtime entry's records. */
			struct cfg as_user = *r->app;
			memcpy(as_user.key, r->cfg.key, sizeof as_user.key);
			users_record(root.fd, root.path, &as_user, r->self, warm, r->debug);
		}
		root_close(&root);
		return rc;
	}
	pz_error("no usable cache directory (tried %s); set PYZAP_CACHE to a directory you own, on a filesystem that allows exec",
		 roots.reasons_len ? roots.reasons : "none");
	return PZ_EX_NOCACHE;
}

int standalone_prepare(struct zr *zip, const char *self, const struct cfg *app, struct python *py,
		       int debug)
{
	struct rt r;
	char entry[PATH_MAX];
	int rc;
	memset(&r, 0, sizeof r);
	memset(py, 0, sizeof *py);
	r.zip = zip, r.self = self, r.app = app, r.debug = debug;
	py->debug = debug;
	if (!(rc = read_runtime_cfg(&r, app->runtime)) && !(rc = check_glibc(&r)) &&
	    !(rc = prepare_runtime(&r, entry, sizeof entry))) {
		if (snprintf(py->path, sizeof py->path, "%s/site/%s", entry, r.exe) >= (int)sizeof py->path) {
			pz_error("the runtime path %s/site/%s is too long; set PYZAP_CACHE to a shorter directory",
				 entry, r.exe);
			rc = PZ_EX_NOEXEC;
		} else if (r.early[0] && snprintf(py->early, sizeof py->early, "%s/site/%s", entry, r.early) >=
						  (int)sizeof py->early) {
			py->early[0] = '\0'; /* only a start-up cost: Python reads the stdlib zip instead */
		} else {
			pz_debug(debug, "python: %s (the bundle's own runtime)", py->path);
		}
	}
	cfg_free(&r.cfg);
	free(r.text);
	return rc;
}
