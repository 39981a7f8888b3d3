/* users.h - ROOT/KEY.users/H: which bundles use an entry, for `pyzap cache
 * list` (docs/format.md, "The cache"). Best effort: never fails a start. */
#ifndef PYZAP_USERS_H
#define PYZAP_USERS_H

#include "cfg.h"

/* Record that the bundle at `self` (its absolute real path) uses ROOT/KEY:
 * ROOT/KEY.users/H, H = XXH64 of self, content "name\tversion\tpath\n",
 * mtime = last use. With only_if_old, nothing is written unless one fstatat
 * shows the record missing or older than a day (the warm path's cost). Any
 * failure is a debug line only. */
void users_record(int rootfd, const char *root, const struct cfg *cfg, const char *self,
		  int only_if_old, int debug);

#endif
