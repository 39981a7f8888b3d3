/* standalone.c - what a standalone bundle's runtime adds to a start: its
 * cfg, the glibc check that replaces a loader error on a too-old system with
 * one line, and the interpreter inside its entry (which prepare.c makes sure
 * of, exactly like the app's). */
#include "standalone.h"
#include "glibc.h"
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Value of record `name` in the cfg text (not f lines), into out; 0 or -1. */
static int record(const struct runtime *r, const char *name, char *out, size_t cap)
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

static int corrupt(const char *self, const char *why)
{
	pz_error("%s is corrupt: %s %s; rebuild or re-download it", self, RUNTIME_CFG_NAME, why);
	return PZ_EX_CORRUPT;
}

/* Read and check runtime.cfg's header: its key must be launcher.cfg's `runtime`. */
static int read_runtime_cfg(struct runtime *r, struct zr *zip, const char *self, const char *want_key)
{
	struct zr_entry e;
	char err[256], glibc[16];
	int rc, found;
	if ((rc = zr_find(zip, RUNTIME_CFG_NAME, &e, &found)) || !found ||
	    (rc = zr_read_stored(zip, &e, CFG_MAX_BYTES, &r->text, &r->len)))
		return corrupt(self, rc == ZR_IO ? "cannot be read" : "is missing");
	if (cfg_parse_header(&r->cfg, r->text, r->len, err, sizeof err) != 0)
		return corrupt(self, err);
	if (strcmp(r->cfg.key, want_key) != 0)
		return corrupt(self, "has another key than launcher.cfg's runtime record");
	if (record(r, "exe", r->exe, sizeof r->exe) != 0 || r->exe[0] == '/' || strstr(r->exe, ".."))
		return corrupt(self, "has no valid exe record");
	if (record(r, "interp", r->interp, sizeof r->interp) != 0)
		r->interp[0] = '\0';
	if (record(r, "early", r->early, sizeof r->early) != 0)
		r->early[0] = '\0';
	else if (r->early[0] == '/' || strstr(r->early, "..") || strchr(r->early, ':'))
		return corrupt(self, "has a bad early record");
	if (record(r, "glibc", glibc, sizeof glibc) == 0 &&
	    parse_version(glibc, &r->glibc_major, &r->glibc_minor) != 0)
		return corrupt(self, "has a bad glibc record");
	return 0;
}

/* One line and exit 79 unless this system has the loader and a new enough glibc. */
static int check_glibc(const struct runtime *r, int debug)
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
	pz_debug(debug, "glibc %d.%d (%s), runtime needs %d.%d", major, minor, where, r->glibc_major,
		 r->glibc_minor);
	if (major < r->glibc_major || (major == r->glibc_major && minor < r->glibc_minor)) {
		pz_error("this bundle's Python needs glibc %d.%d or newer, but this system has glibc %d.%d (%s); run it on a newer system, or build it on a system as old as this one",
			 r->glibc_major, r->glibc_minor, major, minor, where);
		return PZ_EX_GLIBC;
	}
	return 0;
}

int runtime_open(struct runtime *rt, struct zr *zip, const char *self, const char *key, int debug)
{
	int rc;
	memset(rt, 0, sizeof *rt);
	if (!(rc = read_runtime_cfg(rt, zip, self, key)))
		rc = check_glibc(rt, debug);
	return rc;
}

int runtime_python(const struct runtime *rt, const char *entry, struct python *py, int debug)
{
	memset(py, 0, sizeof *py);
	py->debug = debug;
	if (snprintf(py->path, sizeof py->path, "%s/site/%s", entry, rt->exe) >= (int)sizeof py->path) {
		pz_error("the runtime path %s/site/%s is too long; set PYZAP_CACHE to a shorter directory", entry,
			 rt->exe);
		return PZ_EX_NOEXEC;
	}
	if (rt->early[0] &&
	    snprintf(py->early, sizeof py->early, "%s/site/%s", entry, rt->early) >= (int)sizeof py->early)
		py->early[0] = '\0'; /* only a start-up cost: Python reads the stdlib zip instead */
	pz_debug(debug, "python: %s (the bundle's own runtime)", py->path);
	return 0;
}

void runtime_close(struct runtime *rt)
{
	cfg_free(&rt->cfg);
	free(rt->text);
	rt->text = NULL;
}
