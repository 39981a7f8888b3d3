/* main.c - the launcher, as a checklist: find ourselves, read the cfg,
 * make sure the cache entry exists, find Python, exec it. Each step prints
 * its own one-line error and returns the exit code of docs/format.md. */
#include "cfg.h"
#include "msg.h"
#include "platform.h"
#include "prepare.h"
#include "python.h"
#include "standalone.h"
#include "testhook.h"
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
	struct runtime rt;          /* standalone: .pyzap/runtime.cfg */
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
	 * file list; prepare.c checks the rest before any extraction. */
	if (cfg_parse_header(&c->cfg, c->cfg_text, c->cfg_len, err, sizeof err) != 0) {
		pz_error("%s is corrupt: bad %s: %s; rebuild or re-download it", c->self, CFG_NAME, err);
		return PZ_EX_CORRUPT;
	}
	pz_debug(c->debug, "cfg: %.*s %.*s, key %s, %zu files to unpack",
		 (int)c->cfg.name_len, c->cfg.name ? c->cfg.name : "?", (int)c->cfg.version_len,
		 c->cfg.version ? c->cfg.version : "?", c->cfg.key, c->cfg.f_lines);
	return 0;
}

/* The app's entry and, for a standalone bundle, the runtime's: checked
 * (runtime.cfg, glibc) first, then prepared over one walk of the root chain.
 * PYZAP_EXTRACT_FOR wants the app's entry only. */
static int prepare(struct ctx *c, int app_only)
{
	struct entry_job jobs[2];
	int n = 0, rc, standalone = c->cfg.runtime[0] && !app_only;
	memset(jobs, 0, sizeof jobs);
	if (standalone && (rc = runtime_open(&c->rt, &c->zip, c->self, c->cfg.runtime, c->debug)))
		return rc;
	if (c->cfg.key[0] == '-')
		pz_debug(c->debug, "key '-': nothing to unpack for the app");
	else
		jobs[n++] = (struct entry_job){ &c->zip, &c->cfg, c->cfg_text, c->cfg_len, CFG_NAME, NULL, &c->cfg, "" };
	if (standalone)
		jobs[n++] = (struct entry_job){ &c->zip, &c->rt.cfg, c->rt.text, c->rt.len, RUNTIME_CFG_NAME,
						 RUNTIME_ZIP_PREFIX, &c->cfg, "" };
	if ((rc = prepare_entries(jobs, n, c->self, c->debug)))
		return rc;
	if (c->cfg.key[0] != '-')
		snprintf(c->entry_dir, sizeof c->entry_dir, "%s", jobs[0].dir);
	return standalone ? runtime_python(&c->rt, jobs[n - 1].dir, &c->py, c->debug) : 0;
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
	struct stat now; /* against zr_open's fstat of the file we read */
	if (stat(c->self, &now) != 0 || (c->zip.dev == now.st_dev && c->zip.ino == now.st_ino))
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
	c.fd = -1;
	if (getenv("PYZAP_RESTARTED") && argc > 0) /* we are that restart: not for Python to see */
		c.restarted = 1, unsetenv("PYZAP_RESTARTED");
	const char *only = getenv("PYZAP_EXTRACT_FOR");
	if ((rc = open_self(&c)) ||
	    (rc = read_cfg(&c)) ||
	    (rc = prepare(&c, only && *only)))
		return rc;
	if (only && *only) { /* the entry for the caller, on stdout; no Python */
		printf("%s\n", c.entry_dir);
		return fflush(stdout) == 0 ? 0 : PZ_EX_IO;
	}
	if (!c.cfg.runtime[0] && (rc = python_find(&c.py, &c.cfg, c.debug)))
		return rc;
	runtime_close(&c.rt);
	th_point("about to exec Python");
	restart_if_replaced(&c);
	return python_exec(&c.py, c.self, c.entry_dir, argc, argv);
}
