/* prepare.h - making sure a bundle's cache entries exist: the app's ROOT/KEY
 * and, for a standalone bundle, its runtime's ROOT/RKEY. One walk of the
 * cache root chain for both, and one implementation of the warm check, the
 * cold path (lock, extract) and what follows either (held open against
 * `pyzap cache prune`, touched when a day old, use recorded). docs/format.md,
 * "Warm path" and "Cold path". */
#ifndef PYZAP_PREPARE_H
#define PYZAP_PREPARE_H

#include <limits.h>
#include <stddef.h>

#include "cfg.h"
#include "zipread.h"

struct entry_job {
	struct zr *zip;          /* the bundle */
	struct cfg *cfg;         /* its header parsed; parsed in full and key-checked on the cold path */
	const char *text;        /* that cfg's text, for the full parse */
	size_t len;
	const char *cfg_name;    /* ".pyzap/launcher.cfg", for messages */
	const char *prefix;      /* zip prefix of its f paths; NULL: "site-packages/" */
	const struct cfg *user;  /* the app's cfg: the name and version in the entry's use record */
	char dir[PATH_MAX];      /* out: ROOT/KEY */
};

/* Each job's entry in the first usable root of the chain (the same root for
 * all: a root is left for the next one only when it cannot hold an entry
 * that is missing there). self is the bundle's path (use records, messages).
 * 0, or the exit code after printing one line. */
int prepare_entries(struct entry_job *jobs, int n, const char *self, int debug);

#endif
