/* trust.h - could another user change what a path names? OpenSSH's
 * StrictModes rule: every directory on the way must be owned by root or by
 * us, and writable by nobody else unless its sticky bit stops others from
 * renaming what they do not own (/tmp). The threat model is in
 * docs/format.md ("Threat model"). */
#ifndef PYZAP_TRUST_H
#define PYZAP_TRUST_H

#include <stddef.h>
#include <sys/types.h>

struct stat;

/* Why one directory (its stat) is not safe by the rule above, in buf; NULL
 * if it is. The words are shared with the fallback and pyzap cache
 * (docs/vectors/protocol.txt, "dir"). */
const char *trust_dir_problem(const struct stat *st, uid_t euid, char *buf, size_t cap);

/* The directory open as fd and each of its ancestors up to "/", walked with
 * openat(".."), so what is checked is the directory itself, not a path to
 * it. The directory itself must satisfy the rule too (its own stricter
 * checks are the caller's). 0 safe; -1 with the reason in why. */
int trust_dir_ancestors(int fd, uid_t euid, char *why, size_t cap);

/* An executable to exec by `path`: a regular file owned by root or us,
 * writable by nobody else, and every directory (and symlink) on the way to
 * it, as written and as resolved, safe by the rule above. 0 or -1 + why. */
int trust_exec_file(const char *path, uid_t euid, char *why, size_t cap);

#endif
