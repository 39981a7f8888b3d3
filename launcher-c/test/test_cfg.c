/* test_cfg.c - launcher.cfg: valid files, each kind of bad line, limits, key. */
#include "cfg.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

static char err[256];

static int parse(const char *text)
{
	struct cfg c;
	int rc = cfg_parse(&c, text, strlen(text), err, sizeof err);
	cfg_free(&c);
	return rc;
}

/* text with the correct key for its f lines put in place of KEY. */
static char *with_key(const char *fmt_with_KEY, const char *flines)
{
	char key[17];
	XXH64_state_t st;
	XXH64_reset(&st, 0);
	XXH64_update(&st, "pyzap-entry 1\n", 14);
	XXH64_update(&st, flines, strlen(flines));
	unsigned long long h = XXH64_digest(&st);
	snprintf(key, sizeof key, "%016llx", h);
	size_t n = strlen(fmt_with_KEY) + strlen(flines) + 32;
	char *out = malloc(n);
	const char *k = strstr(fmt_with_KEY, "KEY");
	snprintf(out, n, "%.*s%s%s%s", (int)(k - fmt_with_KEY), fmt_with_KEY, key, k + 3, flines);
	return out;
}

static void test_xxh64_vectors(void)
{
	CHECK(XXH64("", 0, 0) == 0xEF46DB3751D8E999ULL);
	CHECK(XXH64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
}

static void test_valid(void)
{
	/* bytewise: "numpy.libs" < "numpy/core" ('.' is 0x2e, '/' 0x2f) */
	const char *fl = "f fedcba9876543210 0 644 numpy.libs/lib with space.so\n"
			 "f 0123456789abcdef 123456 755 numpy/core/_m.so\n";
	char *t = with_key("pyzap 1\nname certbot\nversion 2.1.0\nkey KEY\n"
			   "python /usr/bin/python3.11\npyver 3.11\nfuture thing ignored\nfuture\n", fl);
	struct cfg c;
	CHECK(cfg_parse(&c, t, strlen(t), err, sizeof err) == 0);
	CHECK(c.nfiles == 2);
	if (c.nfiles != 2)
		return;
	CHECK(c.files[1].hash == 0x0123456789abcdefULL && c.files[1].size == 123456 && c.files[1].mode == 0755);
	CHECK(c.files[0].size == 0 && c.files[0].mode == 0644);
	CHECK(c.files[0].path_len == strlen("numpy.libs/lib with space.so"));
	CHECK(memcmp(c.files[0].path, "numpy.libs/lib with space.so", c.files[0].path_len) == 0);
	CHECK(!strcmp(c.python, "/usr/bin/python3.11") && !strcmp(c.pyver, "3.11"));
	CHECK(c.name_len == 7 && !memcmp(c.name, "certbot", 7));
	CHECK(cfg_check_key(&c, err, sizeof err) == 0);
	cfg_free(&c);
	free(t);
	CHECK(parse("pyzap 1\nkey -\n") == 0);
}

static void test_bad_key(void)
{
	struct cfg c;
	const char *t = "pyzap 1\nkey 0000000000000000\nf 0123456789abcdef 1 644 a\n";
	CHECK(cfg_parse(&c, t, strlen(t), err, sizeof err) == 0);
	CHECK(cfg_check_key(&c, err, sizeof err) != 0 && strstr(err, "does not match"));
	cfg_free(&c);
	/* the key covers every byte of the f lines: a changed size changes it */
	char *ok = with_key("pyzap 1\nkey KEY\n", "f 0123456789abcdef 1 644 a\n");
	CHECK(cfg_parse(&c, ok, strlen(ok), err, sizeof err) == 0 && cfg_check_key(&c, err, sizeof err) == 0);
	cfg_free(&c);
	ok[strlen(ok) - 8] = '2';
	CHECK(cfg_parse(&c, ok, strlen(ok), err, sizeof err) == 0 && cfg_check_key(&c, err, sizeof err) != 0);
	cfg_free(&c);
	free(ok);
	CHECK(parse("pyzap 1\nkey 0123456789ABCDEF\n") != 0);   /* uppercase */
	CHECK(parse("pyzap 1\nkey 0123456789abcde\n") != 0);    /* 15 digits */
	CHECK(parse("pyzap 1\nkey 0123456789abcdef0\n") != 0);  /* 17 digits */
	CHECK(parse("pyzap 1\nkey\n") != 0);
	CHECK(parse("pyzap 1\nname x\n") != 0);                 /* no key */
	CHECK(parse("pyzap 1\nkey -\nkey -\n") != 0);           /* twice */
	CHECK(parse("pyzap 1\nkey -\nf 0123456789abcdef 1 644 a\n") != 0); /* '-' with files */
}

static void test_header(void)
{
	CHECK(parse("") != 0);
	CHECK(parse("pyzap 1") != 0);                       /* no final newline */
	CHECK(parse("pyzap 2\nkey -\n") != 0 && strstr(err, "not supported"));
	CHECK(parse("pyzap 1 \nkey -\n") != 0);
	CHECK(parse("key -\npyzap 1\n") != 0);
	CHECK(parse("PK\3\4\nkey -\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyzap 1\n") != 0);
	CHECK(parse("pyzap 1\n\nkey -\n") != 0);             /* empty line */
	CHECK(parse("pyzap 1\n key -\n") != 0);              /* empty record name */
	struct cfg c;
	CHECK(cfg_parse(&c, "pyzap 1\nkey -\0\n", 15, err, sizeof err) != 0); /* NUL */
	cfg_free(&c);
}

static void test_records(void)
{
	CHECK(parse("pyzap 1\nkey -\npython python3\n") != 0); /* not absolute */
	CHECK(parse("pyzap 1\nkey -\npython /a\npython /b\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver 3\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver 3.\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver .11\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver 3.11.1\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver 3/1\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver 3.1234\n") != 0);
	CHECK(parse("pyzap 1\nkey -\npyver 3.123\n") == 0);
	CHECK(parse("pyzap 1\nkey -\nname\n") != 0);           /* known record, no value */
	CHECK(parse("pyzap 1\nkey -\nname \n") == 0);          /* empty value is a value */
	/* runtime: the standalone runtime's key, 16 lowercase hex digits */
	struct cfg c;
	const char *rt = "pyzap 1\nkey -\nruntime 0123456789abcdef\n";
	CHECK(cfg_parse_header(&c, rt, strlen(rt), err, sizeof err) == 0 && !strcmp(c.runtime, "0123456789abcdef"));
	cfg_free(&c);
	CHECK(parse("pyzap 1\nkey -\n") == 0);
	CHECK(parse("pyzap 1\nkey -\nruntime 0123456789ABCDEF\n") != 0);
	CHECK(parse("pyzap 1\nkey -\nruntime 0123456789abcde\n") != 0);
	CHECK(parse("pyzap 1\nkey -\nruntime 0123456789abcdef0\n") != 0);
	CHECK(parse("pyzap 1\nkey -\nruntime 0123456789abcdef\nruntime 0123456789abcdef\n") != 0);
}

static int parse_f(const char *fline)
{
	char *t = with_key("pyzap 1\nkey KEY\n", fline);
	struct cfg c;
	int rc = cfg_parse(&c, t, strlen(t), err, sizeof err);
	if (rc == 0)
		rc = cfg_check_key(&c, err, sizeof err);
	cfg_free(&c);
	free(t);
	return rc;
}

static void test_f_lines(void)
{
	CHECK(parse_f("f 0123456789abcdef 1 644 a\n") == 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a/b/c.so\n") == 0);
	CHECK(parse_f("f 0123456789abcdeF 1 644 a\n") != 0);   /* hash case */
	CHECK(parse_f("f 0123456789abcde 1 644 a\n") != 0);    /* hash 15 */
	CHECK(parse_f("f 0123456789abcdef0 1 644 a\n") != 0);  /* hash 17 */
	CHECK(parse_f("f 0123456789abcdef  1 644 a\n") != 0);  /* two spaces */
	CHECK(parse_f("f 0123456789abcdef -1 644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 01 644 a\n") != 0);  /* leading zero */
	CHECK(parse_f("f 0123456789abcdef 0 644 a\n") == 0);
	CHECK(parse_f("f 0123456789abcdef 1x 644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 9223372036854775807 644 a\n") == 0); /* INT64_MAX */
	CHECK(parse_f("f 0123456789abcdef 9223372036854775808 644 a\n") != 0); /* one over */
	CHECK(parse_f("f 0123456789abcdef 99999999999999999999 644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 777 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 0644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644\n") != 0);     /* no path */
	CHECK(parse_f("f 0123456789abcdef 1 644 \n") != 0);    /* empty path */
	CHECK(parse_f("f 0123456789abcdef 1\n") != 0);
	CHECK(parse_f("f\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 /etc/passwd\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a//b\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a/\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 ./a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a/./b\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 ../a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a/../../b\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a/..\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 ..a/b..\n") == 0); /* dots inside names are fine */
	CHECK(parse_f("f 0123456789abcdef 1 644 .hidden/...\n") == 0);
	/* sorted bytewise, no repeats */
	CHECK(parse_f("f 0123456789abcdef 1 644 a\nf 0123456789abcdef 1 644 b\n") == 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 b\nf 0123456789abcdef 1 644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a\nf 0123456789abcdef 1 644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 a\nf 0123456789abcdef 1 644 a/b\n") == 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 ab\nf 0123456789abcdef 1 644 a\n") != 0);
	CHECK(parse_f("f 0123456789abcdef 1 644 B\nf 0123456789abcdef 1 644 a\n") == 0); /* 'B' < 'a' */
	CHECK(parse_f("f 0123456789abcdef 1 644 \xc3\xa9\nf 0123456789abcdef 1 644 z\n") != 0);
}

static void test_limits(void)
{
	char line[CFG_MAX_LINE + 64];
	char *t;
	/* a line of 8191, 8192 (at) and 8193 bytes, not counting its \n */
	for (int over = -1; over <= 1; over++) {
		size_t n = CFG_MAX_LINE + over;
		char *text = malloc(n + 64);
		int k = sprintf(text, "pyzap 1\nkey -\nname ");
		memset(text + k, 'x', n - 5);
		strcpy(text + k + n - 5, "\n");
		CHECK((parse(text) == 0) == (over <= 0));
		free(text);
	}
	/* an f path of 1024 bytes (at) and 1025, of 128 components and 129 */
	for (int over = 0; over <= 1; over++) {
		char p[1100];
		int k = 0;
		for (int i = 0; i < 5; i++)
			k += sprintf(p + k, "%s%.*s", i ? "/" : "", i == 4 ? 204 + over : 204,
				     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		CHECK(k == 1024 + over);
		snprintf(line, sizeof line, "f 0123456789abcdef 1 644 %s\n", p);
		CHECK((parse_f(line) == 0) == !over);
		k = sprintf(line, "f 0123456789abcdef 1 644 ");
		for (int i = 0; i < 128 + over; i++)
			k += sprintf(line + k, "%sa", i ? "/" : "");
		strcpy(line + k, "\n");
		CHECK((parse_f(line) == 0) == !over);
		CHECK(over == 0 || strstr(err, "more than 128 components"));
	}
	/* path components of 255 (at) and 256 (one over) bytes */
	memset(line, 0, sizeof line);
	strcpy(line, "f 0123456789abcdef 1 644 d/");
	memset(line + strlen(line), 'y', 255);
	strcat(line, "\n");
	CHECK(parse_f(line) == 0);
	line[strlen(line) - 1] = 'y';
	strcat(line, "\n");
	CHECK(parse_f(line) != 0);
	/* the f-line cap: at and one over (1,000 here; 1,000,000 cannot be
	 * reached within 16 MiB, see cfg.h) */
	size_t per = 34, max = 1001; /* "f <16> 1 644 NNNNNNNN\n" */
	t = malloc(64 + per * max);
	size_t len = (size_t)sprintf(t, "pyzap 1\nkey 0000000000000000\n");
	for (size_t i = 0; i < max; i++)
		len += (size_t)sprintf(t + len, "f 0123456789abcdef 1 644 %08zu\n", i);
	struct cfg c;
	CHECK(cfg_parse_limited(&c, t, len - per, 1000, err, sizeof err) == 0 && c.nfiles == 1000);
	cfg_free(&c);
	CHECK(cfg_parse_limited(&c, t, len, 1000, err, sizeof err) != 0 && strstr(err, "more than"));
	cfg_free(&c);
	CHECK(cfg_parse(&c, t, len, err, sizeof err) == 0 && c.nfiles == 1001);
	cfg_free(&c);
	free(t);
	/* 16 MiB (at) and one byte over: unknown records pad the file */
	size_t big = CFG_MAX_BYTES + 1;
	t = malloc(big);
	len = (size_t)sprintf(t, "pyzap 1\nkey -\n");
	while (len < big) {
		size_t n = big - len > 8000 ? 8000 : big - len;
		memset(t + len, 'z', n);
		t[len + n - 1] = '\n';
		len += n;
	}
	t[CFG_MAX_BYTES - 1] = '\n';
	CHECK(cfg_parse(&c, t, CFG_MAX_BYTES, err, sizeof err) == 0);
	cfg_free(&c);
	CHECK(cfg_parse(&c, t, CFG_MAX_BYTES + 1, err, sizeof err) != 0);
	cfg_free(&c);
	free(t);
}

/* The warm path's header-only parse: f lines are counted, not checked. */
static void test_header_only(void)
{
	struct cfg c;
	const char *t = "pyzap 1\nkey 0123456789abcdef\nf garbage\npython /usr/bin/python3\n";
	CHECK(cfg_parse_header(&c, t, strlen(t), err, sizeof err) == 0);
	CHECK(c.f_lines == 1 && c.nfiles == 0 && !strcmp(c.python, "/usr/bin/python3"));
	CHECK(cfg_check_key(&c, err, sizeof err) != 0); /* refuses: not fully parsed */
	cfg_free(&c);
	CHECK(cfg_parse(&c, t, strlen(t), err, sizeof err) != 0 && strstr(err, "line 3"));
	cfg_free(&c);
	t = "pyzap 1\nkey -\nf 0123456789abcdef 1 644 a\n";
	CHECK(cfg_parse_header(&c, t, strlen(t), err, sizeof err) != 0); /* '-' with files */
	cfg_free(&c);
	t = "pyzap 1\nkey zz\n";
	CHECK(cfg_parse_header(&c, t, strlen(t), err, sizeof err) != 0); /* header still checked */
	cfg_free(&c);
}

const struct unit_test cfg_tests[] = {
	{ "cfg: header-only parse", test_header_only },
	{ "cfg: xxh64 vectors", test_xxh64_vectors },
	{ "cfg: valid", test_valid },
	{ "cfg: key", test_bad_key },
	{ "cfg: header and lines", test_header },
	{ "cfg: records", test_records },
	{ "cfg: f lines", test_f_lines },
	{ "cfg: limits", test_limits },
	{ NULL, NULL },
};
