/* extract.h - the cold path: unpack every f file of the cfg into
 * ROOT/KEY.tmp-PID, verify it, rename into ROOT/KEY (docs/format.md,
 * "Cold path", steps 3 and 4). The caller holds ROOT/KEY.lock. */
#ifndef PYZAP_EXTRACT_H
#define PYZAP_EXTRACT_H

#include "cfg.h"
#include "lock.h"
#include "zipread.h"

struct extract_job {
	struct zr *zr;            /* the bundle */
	const struct cfg *cfg;    /* validated; key checked */
	int rootfd;               /* ROOT, open */
	const char *root;         /* ROOT's path, for messages */
	struct lock *lock;        /* refreshed while extracting */
	int debug;
	const char *prefix;       /* zip name prefix of the f paths; NULL: "site-packages/" */
};

/* 0 when ROOT/KEY is complete (ours or a faster process's); else the exit
 * code (65, 66, 74, 75) after printing one error line. Nothing is left
 * behind on failure except what could not be removed. */
int extract_entry(const struct extract_job *job);

#endif
