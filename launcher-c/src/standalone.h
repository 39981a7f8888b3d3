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

/* For a cfg with a `runtime` record: check this system's glibc against the
 * runtime's floor (exit 79 with one line if older or absent), make sure
 * ROOT/RKEY exists (warm path: one lstat; cold path: the same lock, extract,
 * verify and rename as the app's entry), and set py->path to the
 * interpreter inside it. 0, or the exit code after printing one line. */
int standalone_prepare(struct zr *zip, const char *self, const struct cfg *app, struct python *py,
		       int debug);

#endif
