/* python.c - interpreter discovery like a shell's PATH search, with capped
 * lengths (too long is skipped, never cut), then execv. */
#include "python.h"
#include "msg.h"
#include "trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* musl's and glibc's execvp default when PATH is unset. */
#define DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

static int is_exec_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* An interpreter another user could have put there (or could swap) is not
 * run: see trust.h. The reason goes to PYZAP_DEBUG. */
static int trusted(struct python *py)
{
	char why[PATH_MAX + 128];
	if (trust_exec_file(py->path, geteuid(), why, sizeof why) == 0)
		return 1;
	pz_debug(py->debug, "python: %s skipped: %s", py->path, why);
	return 0;
}

static void note_tried(struct python *py, const char *what)
{
	size_t used = strlen(py->tried);
	snprintf(py->tried + used, sizeof py->tried - used, "%s%s", used ? ", " : "", what);
}

/* First executable regular file named name in $PATH, into py->path. */
static int search_path(struct python *py, const char *name)
{
	const char *path = getenv("PATH"), *p, *z;
	size_t nl = strlen(name);
	if (!path)
		path = DEFAULT_PATH;
	for (p = path;; p = z + 1) {
		z = strchr(p, ':');
		if (!z)
			z = p + strlen(p);
		size_t dl = (size_t)(z - p);
		if (dl + 1 + nl < sizeof py->path) { /* skip what does not fit */
			if (dl == 0) /* an empty PATH element is the current directory */
				memcpy(py->path, ".", 1), dl = 1;
			else
				memcpy(py->path, p, dl);
			py->path[dl] = '/';
			memcpy(py->path + dl + 1, name, nl + 1);
			if (is_exec_file(py->path) && trusted(py))
				return 0;
		}
		if (!*z)
			return -1;
	}
}

static int found(struct python *py, const char *how)
{
	pz_debug(py->debug, "python: %s (%s)", py->path, how);
	return 0;
}

int python_find(struct python *py, const struct cfg *cfg, int debug)
{
	const char *env = getenv("PYZAP_PYTHON");
	char name[32];
	const char *need = cfg->pyver[0] ? cfg->pyver : "3";
	memset(py, 0, sizeof *py);
	py->debug = debug;
	if (env && *env) {
		int ok = strchr(env, '/') ? (snprintf(py->path, sizeof py->path, "%s", env) <
						     (int)sizeof py->path && is_exec_file(py->path))
					  : search_path(py, env) == 0;
		if (ok)
			return found(py, "$PYZAP_PYTHON");
		pz_error("PYZAP_PYTHON=%s is not an executable file%s; this bundle needs CPython %s: set PYZAP_PYTHON to its path, or unset it",
			 env, strchr(env, '/') ? "" : " on PATH", need);
		return PZ_EX_NOPYTHON;
	}
	if (cfg->python[0]) {
		snprintf(py->path, sizeof py->path, "%s", cfg->python);
		int executable = is_exec_file(py->path);
		if (executable && trusted(py))
			return found(py, "the build interpreter, from launcher.cfg");
		if (!executable)
			pz_debug(debug, "python: %s (from launcher.cfg) is not executable here", cfg->python);
		note_tried(py, cfg->python);
	}
	if (cfg->pyver[0]) {
		snprintf(name, sizeof name, "python%s", cfg->pyver);
		if (search_path(py, name) == 0)
			return found(py, "on PATH");
		pz_debug(debug, "python: no %s on PATH", name);
		note_tried(py, name);
	}
	if (search_path(py, "python3") == 0)
		return found(py, "on PATH");
	note_tried(py, "python3");
	pz_error("no Python interpreter found (tried %s on PATH); this bundle needs CPython %s: install it or set PYZAP_PYTHON to its path",
		 py->tried, need);
	return PZ_EX_NOPYTHON;
}

/* What Python runs: the archive's __main__.py, loaded like `python ARCHIVE`
 * would but without runpy (which imports importlib.util, contextlib and
 * collections: ~5 ms). `-c` puts the current directory at sys.path[0]
 * (after site ran): drop it first. The archive comes as argv[1] and is popped;
 * __main__.py sets sys.argv[0] from $PYZAP_ARGV0. Parseable by Python 2.7 so
 * that a wrong interpreter reaches __main__.py's clear message (exit 78). */
static const char BOOT_CODE[] =
	"import sys,zipimport\n"
	"if sys.path and not sys.path[0]:del sys.path[0]\n"
	"l=zipimport.zipimporter(sys.argv.pop(1))\n"
	"exec(l.get_code('__main__'),{'__name__':'__main__','__loader__':l,'__builtins__':__builtins__})\n";

/* Append to pp (our n-byte prefix of three or four elements) ":" and each element
 * of old that is not already one of ours, so a bundle re-executed through
 * its launcher (a child process, a restart) does not grow PYTHONPATH. pp
 * has room for all of old. */
static void append_others(char *pp, size_t n, const char *old)
{
	size_t end = n;
	for (const char *p = old; p && *old;) { /* every element, empty ones too */
		const char *z = strchr(p, ':');
		size_t len = z ? (size_t)(z - p) : strlen(p);
		int ours = 0;
		for (const char *q = pp; q < pp + n;) { /* ours, each a whole element */
			const char *qz = memchr(q, ':', (size_t)(pp + n - q));
			size_t ql = qz ? (size_t)(qz - q) : (size_t)(pp + n - q);
			if (ql == len && memcmp(q, p, len) == 0)
				ours = 1;
			q += ql + 1;
		}
		if (!ours) {
			pp[end++] = ':';
			memcpy(pp + end, p, len);
			end += len;
		}
		p += len + (z ? 1 : 0);
		if (!z)
			break;
	}
	pp[end] = '\0';
}

/* Set name=value; prints and returns 126 on failure (out of memory). */
static int export(const char *name, const char *value)
{
	if (setenv(name, value, 1) == 0)
		return 0;
	pz_error("setenv %s: %s", name, strerror(errno));
	return PZ_EX_NOEXEC;
}

int python_exec(const struct python *py, const char *archive, const char *entry_dir, int argc,
		char **argv)
{
	const char *old = getenv("PYTHONPATH");
	size_t al = strlen(archive), el = strlen(entry_dir), ol = old ? strlen(old) : 0;
	size_t cap = al * 2 + el + strlen(py->early) + ol + 64;
	char *pp = malloc(cap);
	char **args = malloc(((size_t)(argc > 1 ? argc : 1) + 4) * sizeof *args);
	int rc;
	if (!pp || !args) {
		pz_error("out of memory");
		return PZ_EX_NOEXEC;
	}
	/* ARCHIVE/.pyzap/boot [: EARLY] : ROOT/KEY/site : ARCHIVE/site-packages [: old]; EARLY
	 * (standalone) holds the codecs Python imports before site, so that they
	 * do not make zipimport read the runtime's whole stdlib zip (_stdlib.py). */
	int n = snprintf(pp, cap, "%s/.pyzap/boot%s%s%s%s%s:%s/site-packages", archive,
			 py->early[0] ? ":" : "", py->early, el ? ":" : "", entry_dir, el ? "/site" : "",
			 archive);
	append_others(pp, (size_t)n, old);
	if ((rc = export("PYTHONPATH", pp)) || (rc = export("PYZAP_ARCHIVE", archive)) ||
	    (rc = export("PYZAP_ENTRY_DIR", entry_dir)) ||
	    (rc = export("PYZAP_ARGV0", argc > 0 && argv[0] ? argv[0] : "")))
		return rc;
	pz_debug(py->debug, "PYTHONPATH=%s", pp);
	pz_debug(py->debug, "exec %s -c BOOT %s (+%d args)", py->path, archive, argc > 1 ? argc - 1 : 0);
	args[0] = (char *)py->path;
	args[1] = "-c";
	args[2] = (char *)BOOT_CODE;
	args[3] = (char *)archive;
	for (int i = 1; i < argc; i++)
		args[i + 3] = argv[i];
	args[argc > 1 ? argc + 3 : 4] = NULL;
	execv(py->path, args);
	int err = errno;
	pz_error("cannot execute %s: %s; set PYZAP_PYTHON to a working Python interpreter", py->path,
		 strerror(err));
	return err == ENOENT ? PZ_EX_NOPYTHON : PZ_EX_NOEXEC;
}
