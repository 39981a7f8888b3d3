/* cacheroot.h - choosing the cache ROOT (docs/format.md, "Choosing ROOT"). */
#ifndef PYZAP_CACHEROOT_H
#define PYZAP_CACHEROOT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* Room kept after ROOT for "/KEY.tmp-PID/site" and "/.probe-PID". */
#define ROOT_PATH_MAX (PATH_MAX - 64)
/* A root's resolved path leaves room for "/KEY.tmp-PID/site/" and a cfg
 * PATH (at most 1024 bytes) within PATH_MAX: 3008 on Linux. */
#define ROOT_REAL_MAX (PATH_MAX - 1024 - 64)

/* One usable candidate. */
struct root {
	char path[ROOT_PATH_MAX]; /* as built from the environment; goes on PYTHONPATH */
	int fd;                   /* the directory, open; every later access is *at() */
};

/* The chain of candidates and why each one that failed was skipped. */
struct roots {
	int debug;                /* PYZAP_DEBUG: trace each decision */
	uid_t euid;               /* the owner every candidate must have */
	int next;                 /* index of the next candidate to try */
	size_t reasons_len;
	char reasons[3072];       /* "PATH (why); PATH (why)" for the exit-73 line */
};

void roots_init(struct roots *r, int debug);

/* Open the next candidate that passes every check (exists or was created,
 * directory, owned by euid, not a symlink, not group/other-writable,
 * writable by us, no ':' in its path, not ST_NOEXEC). 1 found, 0 none left. */
int roots_next(struct roots *r, struct root *out);

/* Candidate i of the chain as a path (for the conformance vectors): 1
 * filled, -1 not applicable here (variable unset), 0 past the end. */
int roots_candidate(struct roots *r, int i, char *path, size_t cap);

/* Before the first extraction: a 1-byte file mapped PROT_READ|PROT_EXEC
 * must succeed. 0 ok; -1 after recording the reason (try roots_next). */
int root_probe_exec(struct roots *r, struct root *root);

/* Record that root was given up (reason kept), and close it. */
void roots_skip(struct roots *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void root_close(struct root *root);

#endif
