/* cfg.h - .pyzap/launcher.cfg: parser, limits and the cache key
 * (docs/format.md, ".pyzap/launcher.cfg"). */
#ifndef PYZAP_CFG_H
#define PYZAP_CFG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_NAME ".pyzap/launcher.cfg"
#define CFG_MAX_BYTES (16u * 1024u * 1024u) /* whole file */
#define CFG_MAX_FILES 1000000u              /* f lines */
#define CFG_MAX_LINE 8192u                  /* bytes per line, without its \n */
#define CFG_NAME_MAX 255u                   /* bytes per path component (NAME_MAX) */
#define CFG_PATH_MAX 1024u                  /* bytes per f path: ROOT/KEY.tmp-PID/site/PATH fits PATH_MAX */
#define CFG_DEPTH_MAX 128u                  /* components per f path: every tree walker can remove it */
#define CFG_PYTHON_MAX 4095u                /* python path (PATH_MAX - 1) */

/* One `f HASH SIZE MODE PATH` line. Pointers are into the cfg text. */
struct cfg_file {
	uint64_t hash;        /* XXH64 (seed 0) of the file's bytes */
	uint64_t size;        /* its size in bytes */
	unsigned mode;        /* 0644 or 0755 */
	const char *path;     /* relative to site-packages/ and KEY/site/; no NUL */
	size_t path_len;
	const char *line;     /* the whole line with its \n, for the key */
	size_t line_len;
};

struct cfg {
	const char *text;     /* the raw cfg, not owned; copied to entry.cfg */
	size_t len;
	const char *name;     /* `name` (may be NULL); not NUL-terminated */
	size_t name_len;
	const char *version;  /* `version` (may be NULL); not NUL-terminated */
	size_t version_len;
	char key[17];         /* 16 lowercase hex digits, or "-" */
	char python[CFG_PYTHON_MAX + 1]; /* build interpreter, "" if absent */
	char pyver[8];        /* "X.Y", "" if absent */
	char runtime[17];     /* key of the runtime entry (--standalone), "" if absent */
	struct cfg_file *files; /* sorted by path, bytewise (full parse only) */
	size_t nfiles;
	size_t f_lines;       /* f lines seen, also by a header-only parse */
	int full;             /* 1 if f lines were parsed and validated */
};

/* Parse and validate text; on error fill err ("line N: why") and return -1.
 * cfg_free() is needed after success or failure. */
int cfg_parse(struct cfg *c, const char *text, size_t len, char *err, size_t errcap);

/* The warm path's parse: every record but the f lines, which are only
 * counted (~10x cheaper for thousands of files). The f lines and the key
 * are validated by cfg_parse + cfg_check_key before anything is extracted. */
int cfg_parse_header(struct cfg *c, const char *text, size_t len, char *err, size_t errcap);
void cfg_free(struct cfg *c);

/* cfg_parse with another cap on f lines. At >= 27 bytes per f line, 16 MiB
 * holds fewer than CFG_MAX_FILES lines, so the tests need a smaller cap to
 * reach this limit at all. */
int cfg_parse_limited(struct cfg *c, const char *text, size_t len, size_t max_files, char *err,
		      size_t errcap);

/* XXH64 of "pyzap-entry 1\n" + every f line, as 16 lowercase hex digits. */
void cfg_compute_key(const struct cfg *c, char out[17]);

/* 0 if c->key is "-" (and there are no f lines) or matches the computed
 * key; else -1 with the computed key in err. */
int cfg_check_key(const struct cfg *c, char *err, size_t errcap);

#endif
