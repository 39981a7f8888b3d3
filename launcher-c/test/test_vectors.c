/* test_vectors.c - docs/vectors/protocol.txt, the cases the launcher, the
 * Python fallback and pyzap cache must all answer the same way. */
#include "cacheroot.h"
#include "cfg.h"
#include "lock.h"
#include "trust.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VECTORS "../docs/vectors/protocol.txt"

/* Undo the file's escapes (\n \t \\ \xHH) in place; returns the length. */
static size_t unescape(char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		char c = s[++i];
		if (c == 'n')
			s[o++] = '\n';
		else if (c == 't')
			s[o++] = '\t';
		else if (c == 'x') {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			s[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			s[o++] = c;
	}
	return o;
}

/* Split line at TABs into at most max fields. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	for (char *p = line; n < max;) {
		f[n++] = p;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

static int check_cfg(char **f)
{
	char err[256];
	struct cfg c;
	size_t n = unescape(f[3]);
	int ok = cfg_parse(&c, f[3], n, err, sizeof err) == 0 && cfg_check_key(&c, err, sizeof err) == 0;
	cfg_free(&c);
	if (ok != !strcmp(f[1], "accept")) {
		fprintf(stderr, "  cfg '%s': %s, expected %s (%s)\n", f[2], ok ? "accepted" : "rejected", f[1],
			ok ? "" : err);
		return 0;
	}
	return 1;
}

static int check_dir(char **f)
{
	struct stat st;
	char buf[128];
	memset(&st, 0, sizeof st);
	st.st_uid = (uid_t)atoi(f[2]);
	st.st_mode = S_IFDIR | (mode_t)strtol(f[3], NULL, 8);
	const char *p = trust_dir_problem(&st, (uid_t)atoi(f[1]), buf, sizeof buf);
	if (strcmp(p ? p : "-", f[4]) != 0) {
		fprintf(stderr, "  dir %s %s %s: '%s', expected '%s'\n", f[1], f[2], f[3], p ? p : "-", f[4]);
		return 0;
	}
	return 1;
}

static int check_chain(char **f)
{
	static const char *vars[] = { "PYZAP_CACHE", "HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" };
	struct roots r;
	char got[4096] = "", path[ROOT_PATH_MAX];
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	if (strcmp(f[2], "-") != 0)
		for (char *kv = strtok(f[2], ";"); kv; kv = strtok(NULL, ";")) {
			char *eq = strchr(kv, '=');
			*eq = '\0';
			setenv(kv, eq + 1, 1);
		}
	roots_init(&r, 0);
	r.euid = (uid_t)atoi(f[1]);
	for (int i = 0, c; (c = roots_candidate(&r, i, path, sizeof path)) != 0; i++)
		if (c > 0)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", got[0] ? "," : "", path);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	if (strcmp(got, f[3]) != 0) {
		fprintf(stderr, "  chain %s: '%s', expected '%s'\n", f[1], got, f[3]);
		return 0;
	}
	return 1;
}

static void test_vectors(void)
{
	FILE *fp = fopen(VECTORS, "r");
	static char line[1 << 16];
	int n = 0;
	CHECK(fp != NULL);
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		char *f[6];
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		int k = fields(line, f, 6);
		n++;
		if (!strcmp(f[0], "cfg") && k == 4)
			CHECK(check_cfg(f));
		else if (!strcmp(f[0], "dir") && k == 5)
			CHECK(check_dir(f));
		else if (!strcmp(f[0], "chain") && k == 4)
			CHECK(check_chain(f));
		else if (!strcmp(f[0], "lockage") && k == 3)
			CHECK(lock_age_is_stale(atoll(f[1]), LOCK_STALE_MS) == !strcmp(f[2], "stale"));
		else
			CHECK(!"a line of protocol.txt this runner does not know");
	}
	fclose(fp);
	CHECK(n >= 80); /* the file was really read */
}

const struct unit_test vector_tests[] = {
	{ "vectors: docs/vectors/protocol.txt", test_vectors },
	{ NULL, NULL },
};
