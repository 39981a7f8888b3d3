/* standalone.h - bundles that carry their interpreter (`pyzap bundle
 * --standalone`): the runtime is a second cache entry, ROOT/RKEY, listed by
 * .pyzap/runtime.cfg (launcher.cfg's format, files under .pyzap/runtime/ in
 * the zip) and named by launcher.cfg's `runtime` record. It is shared by
 * every bundle whose runtime has the same content (docs/format.md,
 * "Standalone bundles"). */
#ifndef PYZAP_STANDALONE_H
#define PYZAP_STANDALONE_H

#include "cfg.h"
#include "python.h"
#include "zipread.h"

#define RUNTIME_CFG_NAME ".pyzap/runtime.cfg"
#define RUNTIME_ZIP_PREFIX ".pyzap/runtime/"

struct runtime {
	char *text;                   /* .pyzap/runtime.cfg */
	size_t len;
	struct cfg cfg;               /* its header; prepare.c parses the rest on the cold path */
	char exe[PATH_MAX];           /* `exe`: the interpreter, relative to the entry's site/ */
	char interp[PATH_MAX];        /* `interp`: the dynamic loader it needs, "" if absent */
	char early[PATH_MAX];         /* `early`: relative to site/, for PYTHONPATH; "" if absent (older bundles) */
	int glibc_major, glibc_minor; /* `glibc`: the floor, 0.0 if absent */
};

/* For a cfg with a `runtime` record (key): read .pyzap/runtime.cfg (its key
 * must be that one) and check this system's glibc against the runtime's
 * floor (exit 79 with one line if older or absent). The entry ROOT/RKEY is
 * then prepared like the app's (prepare.h). 0, or the exit code after
 * printing one line. */
int runtime_open(struct runtime *rt, struct zr *zip, const char *self, const char *key, int debug);

/* py for the interpreter inside the runtime entry `entry` (ROOT/RKEY). */
int runtime_python(const struct runtime *rt, const char *entry, struct python *py, int debug);

void runtime_close(struct runtime *rt);

#endif
