/* cfg.c - parse launcher.cfg strictly: the launcher trusts nothing in it
 * that it has not checked, since paths from it are created on disk. */
#include "cfg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* One line being parsed, for messages. */
struct pline {
	size_t no;        /* 1-based line number */
	const char *p;    /* start, not NUL-terminated */
	size_t n;         /* length without the \n */
};

static int fail(char *err, size_t cap, size_t no, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t cap, size_t no, const char *fmt, ...)
{
	va_list ap;
	int k = no ? snprintf(err, cap, "line %zu: ", no) : 0;
	if (k < 0 || (size_t)k >= cap)
		k = 0;
	va_start(ap, fmt);
	vsnprintf(err + k, cap - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_lhex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static uint64_t hex64(const char *s)
{
	uint64_t v = 0;
	for (int i = 0; i < 16; i++)
		v = v << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
	return v;
}

/* Decimal without sign or leading zeros, at most INT64_MAX (an off_t). */
static int parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0'); /* 19 digits cannot overflow 64 bits */
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

/* No leading '/', no empty, "." or ".." component, components <= NAME_MAX. */
static const char *check_path(const char *p, size_t n)
{
	size_t i = 0, depth = 0;
	if (n == 0)
		return "empty path";
	if (p[0] == '/')
		return "path starts with '/'";
	if (n > CFG_PATH_MAX)
		return "path longer than 1024 bytes";
	while (i <= n) {
		size_t j = i;
		while (j < n && p[j] != '/')
			j++;
		size_t c = j - i;
		if (c == 0)
			return "path has an empty component";
		if ((c == 1 && p[i] == '.') || (c == 2 && p[i] == '.' && p[i + 1] == '.'))
			return "path has a '.' or '..' component";
		if (c > CFG_NAME_MAX)
			return "path has a component longer than 255 bytes";
		if (++depth > CFG_DEPTH_MAX)
			return "path has more than 128 components";
		i = j + 1;
	}
	return NULL;
}

/* Bytewise order of two paths; < 0, 0, > 0. */
static int pathcmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	return r ? r : (an > bn) - (an < bn);
}

/* `f HASH SIZE MODE PATH`: v points after "f ". */
static int parse_f(struct cfg *c, const struct pline *l, const char *v, size_t vn, size_t max_files,
		   char *err, size_t cap)
{
	struct cfg_file f;
	const char *why;
	size_t sp;
	if (c->nfiles >= max_files)
		return fail(err, cap, l->no, "more than %zu f lines", max_files);
	if (vn < 17 || !is_lhex(v, 16) || v[16] != ' ')
		return fail(err, cap, l->no, "hash must be 16 lowercase hex digits");
	f.hash = hex64(v);
	v += 17, vn -= 17;
	for (sp = 0; sp < vn && v[sp] != ' '; sp++)
		;
	if (sp == vn || parse_size(v, sp, &f.size))
		return fail(err, cap, l->no, "size must be a decimal number");
	v += sp + 1, vn -= sp + 1;
	if (vn < 4 || v[3] != ' ' || (memcmp(v, "644", 3) && memcmp(v, "755", 3)))
		return fail(err, cap, l->no, "mode must be 644 or 755");
	f.mode = v[0] == '6' ? 0644 : 0755;
	f.path = v + 4;
	f.path_len = vn - 4;
	if ((why = check_path(f.path, f.path_len)))
		return fail(err, cap, l->no, "%s", why);
	if (c->nfiles > 0) {
		const struct cfg_file *prev = &c->files[c->nfiles - 1];
		if (pathcmp(prev->path, prev->path_len, f.path, f.path_len) >= 0)
			return fail(err, cap, l->no, "f lines are not sorted by path (or a path repeats)");
	}
	f.line = l->p;
	f.line_len = l->n + 1; /* with its \n, as hashed into the key */
	c->files[c->nfiles++] = f; /* room: one slot per line was allocated */
	return 0;
}

/* A known single-valued record: name, version, key, python, pyver, runtime. */
static int parse_record(struct cfg *c, const struct pline *l, const char *r, size_t rn,
			const char *v, size_t vn, int has_v, unsigned *seen, char *err, size_t cap)
{
	static const char *const names[] = { "name", "version", "key", "python", "pyver", "runtime" };
	const unsigned count = sizeof names / sizeof names[0];
	unsigned bit;
	for (bit = 0; bit < count; bit++)
		if (strlen(names[bit]) == rn && memcmp(names[bit], r, rn) == 0)
			break;
	if (bit == count)
		return 0; /* unknown record: ignored, for forward compatibility */
	if (!has_v)
		return fail(err, cap, l->no, "record '%s' has no value", names[bit]);
	if (*seen & (1u << bit))
		return fail(err, cap, l->no, "record '%s' appears twice", names[bit]);
	*seen |= 1u << bit;
	switch (bit) {
	case 0: c->name = v, c->name_len = vn; break;
	case 1: c->version = v, c->version_len = vn; break;
	case 2:
		if (!(vn == 1 && v[0] == '-') && !(vn == 16 && is_lhex(v, 16)))
			return fail(err, cap, l->no, "key must be 16 lowercase hex digits or '-'");
		memcpy(c->key, v, vn);
		c->key[vn] = '\0';
		break;
	case 3:
		if (vn == 0 || v[0] != '/' || vn > CFG_PYTHON_MAX)
			return fail(err, cap, l->no, "python must be an absolute path of at most %u bytes",
				    CFG_PYTHON_MAX);
		memcpy(c->python, v, vn);
		c->python[vn] = '\0';
		break;
	case 4: {
		size_t dot = 0, i;
		for (i = 0; i < vn; i++)
			if (v[i] == '.' && !dot)
				dot = i;
			else if (v[i] < '0' || v[i] > '9')
				break;
		if (i != vn || dot == 0 || dot > 3 || vn - dot - 1 == 0 || vn - dot - 1 > 3)
			return fail(err, cap, l->no, "pyver must look like 3.11");
		memcpy(c->pyver, v, vn);
		c->pyver[vn] = '\0';
		break;
	}
	case 5:
		if (vn != 16 || !is_lhex(v, 16))
			return fail(err, cap, l->no, "runtime must be 16 lowercase hex digits");
		memcpy(c->runtime, v, 16);
		c->runtime[16] = '\0';
		break;
	}
	return 0;
}

/* One slot per line (an upper bound on f lines), so parse_f never
 * reallocates. */
static int alloc_files(struct cfg *c, const char *text, size_t len, size_t max_files, char *err,
		       size_t cap)
{
	size_t lines = 0;
	for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		lines++;
	if (lines > max_files)
		lines = max_files;
	if (!(c->files = malloc((lines ? lines : 1) * sizeof *c->files)))
		return fail(err, cap, 0, "out of memory for %zu lines", lines);
	return 0;
}

static int parse(struct cfg *c, const char *text, size_t len, size_t max_files, int full, char *err,
		 size_t cap)
{
	struct pline l = { 0, text, 0 };
	unsigned seen = 0;
	size_t off = 0;
	memset(c, 0, sizeof *c);
	c->text = text;
	c->len = len;
	c->full = full;
	if (len > CFG_MAX_BYTES)
		return fail(err, cap, 0, "launcher.cfg is %zu bytes, over the limit of %u", len, CFG_MAX_BYTES);
	if (len == 0 || text[len - 1] != '\n')
		return fail(err, cap, 0, "launcher.cfg is empty or its last line has no newline");
	if (full && alloc_files(c, text, len, max_files, err, cap))
		return -1;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off); /* found: text ends with \n */
		l.no++;
		l.p = text + off;
		l.n = (size_t)(nl - l.p);
		off += l.n + 1;
		if (l.n > CFG_MAX_LINE)
			return fail(err, cap, l.no, "longer than %u bytes", CFG_MAX_LINE);
		if (!full && l.n >= 2 && l.p[0] == 'f' && l.p[1] == ' ') {
			if (++c->f_lines > max_files) /* the rest is checked before extracting */
				return fail(err, cap, l.no, "more than %zu f lines", max_files);
			continue;
		}
		if (memchr(l.p, '\0', l.n))
			return fail(err, cap, l.no, "contains a NUL byte");
		if (l.no == 1) {
			if (l.n == 7 && memcmp(l.p, "pyzap 1", 7) == 0)
				continue;
			if (l.n > 6 && memcmp(l.p, "pyzap ", 6) == 0)
				return fail(err, cap, 1, "format '%.*s' is not supported by this launcher (format 1); use a matching pyzap",
					    (int)(l.n > 32 ? 32 : l.n), l.p);
			return fail(err, cap, 1, "not a pyzap launcher.cfg (the first line must be 'pyzap 1')");
		}
		const char *sp = memchr(l.p, ' ', l.n);
		size_t rn = sp ? (size_t)(sp - l.p) : l.n;
		const char *v = sp ? sp + 1 : l.p + l.n;
		size_t vn = l.n - rn - (sp ? 1 : 0);
		if (rn == 0)
			return fail(err, cap, l.no, "empty line or record name");
		if (rn == 1 && l.p[0] == 'f') {
			if (!sp || parse_f(c, &l, v, vn, max_files, err, cap))
				return sp ? -1 : fail(err, cap, l.no, "f line has no fields");
			c->f_lines++;
		} else if (rn == 5 && memcmp(l.p, "pyzap", 5) == 0) {
			return fail(err, cap, l.no, "a second 'pyzap' header");
		} else if (parse_record(c, &l, l.p, rn, v, vn, sp != NULL, &seen, err, cap)) {
			return -1;
		}
	}
	if (!(seen & (1u << 2)))
		return fail(err, cap, 0, "launcher.cfg has no 'key' line");
	if (c->key[0] == '-' && c->f_lines > 0)
		return fail(err, cap, 0, "key is '-' but there are %zu f lines", c->f_lines);
	return 0;
}

int cfg_parse(struct cfg *c, const char *text, size_t len, char *err, size_t cap)
{
	return parse(c, text, len, CFG_MAX_FILES, 1, err, cap);
}

int cfg_parse_limited(struct cfg *c, const char *text, size_t len, size_t max_files, char *err,
		      size_t cap)
{
	return parse(c, text, len, max_files, 1, err, cap);
}

int cfg_parse_header(struct cfg *c, const char *text, size_t len, char *err, size_t cap)
{
	return parse(c, text, len, CFG_MAX_FILES, 0, err, cap);
}

void cfg_free(struct cfg *c)
{
	free(c->files);
	c->files = NULL;
	c->nfiles = 0;
}

void cfg_compute_key(const struct cfg *c, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	XXH64_state_t st;
	XXH64_reset(&st, 0);
	XXH64_update(&st, "pyzap-entry 1\n", 14);
	for (size_t i = 0; i < c->nfiles; i++)
		XXH64_update(&st, c->files[i].line, c->files[i].line_len);
	uint64_t h = XXH64_digest(&st);
	for (int i = 15; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 15];
	out[16] = '\0';
}

int cfg_check_key(const struct cfg *c, char *err, size_t cap)
{
	char k[17];
	if (c->key[0] == '-')
		return 0;
	if (!c->full)
		return fail(err, cap, 0, "internal error: key checked on a header-only parse");
	cfg_compute_key(c, k);
	if (memcmp(k, c->key, 17) != 0)
		return fail(err, cap, 0, "key %s does not match the file list (which hashes to %s)", c->key, k);
	return 0;
}
