/* python.h - finding the interpreter and handing over to it
 * (docs/format.md, "Starting Python"). */
#ifndef PYZAP_PYTHON_H
#define PYZAP_PYTHON_H

#include <limits.h>
#include "cfg.h"

struct python {
	char path[PATH_MAX];      /* the interpreter chosen */
	char tried[1024];         /* "A, B, C" for the exit-127 line */
	char early[PATH_MAX];     /* standalone: the runtime's directory for PYTHONPATH ahead of its stdlib zip, or "" */
	int debug;
};

/* $PYZAP_PYTHON (no fallback if set), cfg python, pythonX.Y on PATH,
 * python3 on PATH. 0 found; else prints one line and returns 127. */
int python_find(struct python *py, const struct cfg *cfg, int debug);

/* Export PYTHONPATH, PYZAP_ARCHIVE, PYZAP_ENTRY_DIR, PYZAP_ARGV0 and
 * execv(python, [python, archive, argv[1], ...]). entry_dir is ROOT/KEY or
 * "" when nothing is unpacked. Returns only on failure: 126/127 (printed). */
int python_exec(const struct python *py, const char *archive, const char *entry_dir, int argc,
		char **argv);

#endif
