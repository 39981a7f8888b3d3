/* test_zipread.c - the zip reader at each limit: one under, at, one over. */
#include "unit.h"
#include "zipbuild.h"
#include "zipread.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char CFG[] = "pyzap 1\nkey -\n";
static const char MAIN[] = "print('hello')\n";
static unsigned char big[5000];

static void init_big(void)
{
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 % 13 + (i / 100));
}

/* .pyzap/launcher.cfg first (STORED), then deflated entries, like a bundle. */
static void std_zip(struct zb *z, struct zlayout *L, const struct zopts *o)
{
	init_big();
	struct zent e[3] = {
		{ ".pyzap/launcher.cfg", CFG, sizeof CFG - 1, 0 },
		{ "__main__.py", MAIN, sizeof MAIN - 1, 1 },
		{ "site-packages/a/b.so", big, sizeof big, 1 },
	};
	zb_build(z, e, 3, o, L);
}

static int sink_count(void *arg, const unsigned char *d, size_t n)
{
	(void)d;
	*(uint64_t *)arg += n;
	return 0;
}

/* Open p and stream every entry; the first failure, or ZR_OK. */
static int walk_n(const void *p, size_t len, uint64_t *nent)
{
	struct zr zr;
	struct zr_iter it;
	struct zr_entry e;
	uint64_t bytes = 0;
	int more, rc, fd = zb_tmpfd(p, len);
	*nent = 0;
	if (!(rc = zr_open(&zr, fd, "test"))) {
		zr_iter_init(&it, &zr);
		while (!(rc = zr_next(&it, &e, &more)) && more) {
			if ((rc = zr_stream(&zr, &e, sink_count, &bytes)))
				break;
			(*nent)++;
		}
		zr_iter_free(&it);
	}
	if (rc && getenv("UNIT_VERBOSE"))
		fprintf(stderr, "    zr: %s\n", zr.err);
	close(fd);
	return rc;
}

static int walk(const struct zb *z)
{
	uint64_t n;
	return walk_n(z->p, z->len, &n);
}

static void test_valid_bundle(void)
{
	struct zb z;
	struct zlayout L;
	struct zopts o = { .prefix = 1000 };
	struct zr zr;
	struct zr_entry e;
	uint64_t n;
	int found;
	char *buf;
	size_t len;
	std_zip(&z, &L, &o);
	CHECK(walk_n(z.p, z.len, &n) == ZR_OK && n == 3);
	int fd = zb_tmpfd(z.p, z.len);
	CHECK(zr_open(&zr, fd, "t") == ZR_OK);
	CHECK(zr.cd_off == L.cd_off && zr.cd_count == 3 && !zr.zip64);
	CHECK(zr_find(&zr, ".pyzap/launcher.cfg", &e, &found) == ZR_OK && found);
	CHECK(zr_read_stored(&zr, &e, 1024, &buf, &len) == ZR_OK);
	CHECK(len == sizeof CFG - 1 && memcmp(buf, CFG, len) == 0 && buf[len] == 0);
	free(buf);
	CHECK(zr_read_stored(&zr, &e, sizeof CFG - 1, &buf, &len) == ZR_OK); /* cap: at */
	free(buf);
	CHECK(zr_read_stored(&zr, &e, sizeof CFG - 2, &buf, &len) == ZR_CORRUPT); /* one over */
	CHECK(zr_find(&zr, "site-packages/a/b.so", &e, &found) == ZR_OK && found);
	CHECK(e.usize == sizeof big && e.method == 8);
	CHECK(zr_read_stored(&zr, &e, 1 << 20, &buf, &len) == ZR_CORRUPT); /* not STORED */
	CHECK(zr_find(&zr, "nope", &e, &found) == ZR_OK && !found);
	close(fd);
	zb_free(&z);
}

static void test_cfg_not_first(void)
{
	struct zb z;
	struct zlayout L;
	struct zopts o = { 0 };
	struct zent e[3] = { { "a", "x", 1, 0 }, { "b", MAIN, sizeof MAIN - 1, 1 },
			     { ".pyzap/launcher.cfg", CFG, sizeof CFG - 1, 0 } };
	struct zr zr;
	struct zr_entry ent;
	int found;
	zb_build(&z, e, 3, &o, &L);
	int fd = zb_tmpfd(z.p, z.len);
	CHECK(zr_open(&zr, fd, "t") == ZR_OK);
	CHECK(zr_find(&zr, ".pyzap/launcher.cfg", &ent, &found) == ZR_OK && found);
	CHECK(ent.local_off == L.loc[2]);
	close(fd);
	zb_free(&z);
}

/* The end record must start within the last 22 + 65535 bytes. */
static void test_eocd_window(void)
{
	size_t comments[] = { 0, 1, 4000, 4096, 65534, 65535 };
	for (size_t i = 0; i < sizeof comments / sizeof comments[0]; i++) {
		struct zb z;
		struct zlayout L;
		struct zopts o = { .prefix = 10, .comment = comments[i] };
		std_zip(&z, &L, &o);
		CHECK(walk(&z) == ZR_OK);
		zb_append(&z, "c", 1); /* trailing byte: comment no longer ends at EOF */
		CHECK(walk(&z) == ZR_CORRUPT);
		zb_free(&z);
	}
	/* One over the window: the record 22 + 65536 bytes from the end, with a
	 * comment length that does reach EOF (impossible in 16 bits: 65536). */
	struct zb z;
	struct zlayout L;
	struct zopts o = { .comment = 65535 };
	std_zip(&z, &L, &o);
	zb_append(&z, "c", 1);
	zb_set16(&z, L.eocd + 20, 0); /* the record claims no comment */
	CHECK(walk(&z) == ZR_CORRUPT);
	/* comment length one under / over the bytes present */
	zb_free(&z);
	std_zip(&z, &L, &(struct zopts){ .comment = 100 });
	zb_set16(&z, L.eocd + 20, 99);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.eocd + 20, 101);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.eocd + 20, 100);
	CHECK(walk(&z) == ZR_OK);
	zb_free(&z);
}

static void test_tiny_files(void)
{
	static const unsigned char empty_zip[22] = { 0x50, 0x4b, 5, 6 };
	uint64_t n;
	CHECK(walk_n(empty_zip, 21, &n) == ZR_CORRUPT);
	CHECK(walk_n(empty_zip, 22, &n) == ZR_OK && n == 0);
	CHECK(walk_n("", 0, &n) == ZR_CORRUPT);
}

static void test_cd_bounds(void)
{
	struct zb z;
	struct zlayout L;
	std_zip(&z, &L, &(struct zopts){ .prefix = 64 });
	uint32_t off = (uint32_t)L.cd_off, size = (uint32_t)L.cd_size;
	zb_set32(&z, L.eocd + 12, size + 1); /* size one over: past the end record */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 12, size - 1); /* one under: ends before the record */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 12, size);
	zb_set32(&z, L.eocd + 16, off + 1);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 16, off - 1);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 12, size + 1); /* consistent end, starts one early */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 12, size);
	zb_set32(&z, L.eocd + 16, 0xFFFFFFF0u); /* far past EOF */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 16, 0xFFFFFFFFu); /* ZIP64 placeholder, no locator */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.eocd + 16, off);
	zb_set16(&z, L.eocd + 4, 1); /* multi-disk */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.eocd + 4, 0);
	CHECK(walk(&z) == ZR_OK);
	zb_free(&z);
}

static void test_name_length(void)
{
	struct zb z;
	struct zlayout L;
	std_zip(&z, &L, &(struct zopts){ 0 });
	size_t last = L.cen[2];
	uint16_t nl = (uint16_t)strlen("site-packages/a/b.so");
	zb_set16(&z, last + 28, nl + 1); /* name runs one past the CD end */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, last + 28, 0xFFFF);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, last + 28, nl);
	zb_set16(&z, last + 30, 1); /* extra length one over */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, last + 30, 0);
	zb_set16(&z, last + 32, 1); /* comment length one over */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, last + 32, 0);
	zb_set16(&z, L.cen[0] + 28, 0xFFFF); /* first header's name over everything */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.cen[0] + 28, (uint16_t)strlen(".pyzap/launcher.cfg"));
	CHECK(walk(&z) == ZR_OK);
	zb_free(&z);
}

static void test_local_header_bounds(void)
{
	struct zb z;
	struct zlayout L;
	std_zip(&z, &L, &(struct zopts){ .prefix = 8 });
	size_t c = L.cen[2];
	zb_set32(&z, c + 42, (uint32_t)L.cd_off - 30); /* at: fits, but no signature there */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 42, (uint32_t)L.cd_off - 29); /* one over: overlaps the CD */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 42, (uint32_t)z.len); /* at EOF */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 42, 0xFFFFFFFEu);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 42, (uint32_t)L.loc[2]);
	CHECK(walk(&z) == ZR_OK);
	/* the last entry's data ends exactly at the CD; one more local extra
	 * byte pushes it one over */
	zb_set16(&z, L.loc[2] + 28, 1);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.loc[2] + 28, 0);
	zb_set32(&z, L.loc[2], 0x04034b51); /* bad local signature */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
}

static void test_data_bounds(void)
{
	struct zb z;
	struct zlayout L;
	std_zip(&z, &L, &(struct zopts){ 0 });
	size_t c = L.cen[2];
	uint32_t cs = (uint32_t)(L.cd_off - L.data[2]);
	zb_set32(&z, c + 20, cs + 1); /* compressed size one over the CD start */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 20, 0x7FFFFFFFu);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 20, cs - 1); /* one under: truncated deflate stream */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 20, cs);
	zb_set32(&z, c + 24, sizeof big - 1); /* inflates to one more than declared */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 24, sizeof big + 1); /* one fewer than declared */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, c + 24, sizeof big);
	zb_set32(&z, c + 16, 0x12345678); /* CRC */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
	/* STORED entry with csize != usize, unknown method, encryption */
	std_zip(&z, &L, &(struct zopts){ 0 });
	zb_set32(&z, L.cen[0] + 20, sizeof CFG - 2);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.cen[0] + 20, sizeof CFG - 1);
	zb_set16(&z, L.cen[1] + 10, 12);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.cen[1] + 10, 8);
	zb_set16(&z, L.cen[1] + 8, 1);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.cen[1] + 8, 8); /* data descriptor flag: sizes from the CD */
	zb_set32(&z, L.loc[1] + 18, 0), zb_set32(&z, L.loc[1] + 22, 0);
	CHECK(walk(&z) == ZR_OK);
	/* corrupt deflate bytes */
	z.p[L.data[2] + 3] ^= 0x55;
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
}

static void test_zip64_records(void)
{
	struct zb z;
	struct zlayout L;
	struct zr zr;
	std_zip(&z, &L, &(struct zopts){ .prefix = 100, .zip64 = 1, .sentinels = 1 });
	CHECK(walk(&z) == ZR_OK);
	int fd = zb_tmpfd(z.p, z.len);
	CHECK(zr_open(&zr, fd, "t") == ZR_OK && zr.zip64 && zr.cd_off == L.cd_off);
	close(fd);
	zb_set64(&z, L.z64loc + 8, L.z64eocd + 1); /* locator points one off */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64loc + 8, L.z64loc - 55); /* record would overlap the locator */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64loc + 8, UINT64_MAX);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64loc + 8, L.z64eocd);
	zb_set64(&z, L.z64eocd + 4, 45); /* record size one over */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64eocd + 4, 43);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64eocd + 4, 44);
	zb_set64(&z, L.z64eocd + 48, UINT64_MAX); /* CD offset overflow */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64eocd + 48, L.cd_off);
	zb_set64(&z, L.z64eocd + 40, UINT64_MAX); /* CD size overflow */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64eocd + 40, L.cd_size);
	zb_set64(&z, L.z64eocd + 32, UINT64_MAX), zb_set64(&z, L.z64eocd + 24, UINT64_MAX);
	CHECK(walk(&z) == ZR_CORRUPT); /* count cannot fit */
	zb_set64(&z, L.z64eocd + 24, 2); /* entries on this disk != total */
	zb_set64(&z, L.z64eocd + 32, 3);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, L.z64eocd + 24, 3);
	zb_set32(&z, L.z64loc + 4, 1); /* record on another disk */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set32(&z, L.z64loc + 4, 0);
	zb_set32(&z, L.z64loc, 0x07064b51); /* locator gone: placeholders unexplained */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
	/* ZIP64 records without placeholders in the end record: still used */
	std_zip(&z, &L, &(struct zopts){ .zip64 = 1 });
	CHECK(walk(&z) == ZR_OK);
	zb_free(&z);
}

static void test_zip64_extra(void)
{
	struct zb z;
	struct zlayout L;
	std_zip(&z, &L, &(struct zopts){ .prefix = 3, .cen_zip64 = 1, .zip64 = 1 });
	CHECK(walk(&z) == ZR_OK);
	size_t c = L.cen[2], x = c + 46 + strlen("site-packages/a/b.so");
	zb_set16(&z, x + 2, 16); /* extra too short for three values */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, x + 2, 25); /* block runs one past the extra field */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, x + 2, 24);
	zb_set16(&z, x, 0x5455); /* not a ZIP64 block: placeholders unexplained */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, x, 1);
	zb_set64(&z, x + 4 + 16, UINT64_MAX); /* local offset overflows */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, x + 4 + 16, L.loc[2]);
	zb_set64(&z, x + 4 + 8, UINT64_MAX); /* compressed size overflows */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, x + 4 + 8, L.cd_off - L.data[2]);
	zb_set64(&z, x + 4, UINT64_MAX); /* uncompressed size lies */
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set64(&z, x + 4, sizeof big);
	CHECK(walk(&z) == ZR_OK);
	/* stored cfg with 2^64-1 size: read with a cap must refuse */
	size_t x0 = L.cen[0] + 46 + strlen(".pyzap/launcher.cfg");
	zb_set64(&z, x0 + 4, UINT64_MAX), zb_set64(&z, x0 + 12, UINT64_MAX);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
	/* 0xFFFFFFFF sizes without any extra field */
	std_zip(&z, &L, &(struct zopts){ 0 });
	zb_set32(&z, L.cen[1] + 24, 0xFFFFFFFFu);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
}

static void test_entry_count(void)
{
	struct zb z;
	struct zlayout L;
	uint64_t n;
	std_zip(&z, &L, &(struct zopts){ 0 });
	for (uint16_t k = 0; k < 8; k++) {
		zb_set16(&z, L.eocd + 8, k), zb_set16(&z, L.eocd + 10, k);
		CHECK(walk_n(z.p, z.len, &n) == (k == 3 ? ZR_OK : ZR_CORRUPT));
	}
	zb_set16(&z, L.eocd + 8, 0xFFFE), zb_set16(&z, L.eocd + 10, 0xFFFE);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_set16(&z, L.eocd + 8, 2), zb_set16(&z, L.eocd + 10, 3);
	CHECK(walk(&z) == ZR_CORRUPT);
	zb_free(&z);
}

/* Every truncation fails cleanly (the sanitizers catch any overread). */
static void test_truncated(void)
{
	struct zb z;
	struct zlayout L;
	uint64_t n;
	std_zip(&z, &L, &(struct zopts){ .prefix = 50 });
	for (size_t len = 0; len < z.len; len++)
		CHECK(walk_n(z.p, len, &n) != ZR_OK);
	CHECK(walk_n(z.p, z.len, &n) == ZR_OK);
	zb_free(&z);
}

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
	return *s;
}

/* Garbage central directories and random byte flips: never a crash. */
static void test_garbage(void)
{
	struct zb z;
	struct zlayout L;
	uint32_t seed = 12345;
	int ok = 0;
	std_zip(&z, &L, &(struct zopts){ .prefix = 20 });
	unsigned char *copy = malloc(z.len);
	for (int round = 0; round < 300; round++) {
		memcpy(copy, z.p, z.len);
		for (size_t i = L.cd_off; i < L.eocd; i++) {
			/* keep the signatures half the time, to get past the first check */
			int keep = round % 2 && (i == L.cen[0] || i == L.cen[1] || i == L.cen[2] ||
						 (i > L.cen[0] && i < L.cen[0] + 4) ||
						 (i > L.cen[1] && i < L.cen[1] + 4) ||
						 (i > L.cen[2] && i < L.cen[2] + 4));
			if (!keep && rng(&seed) % 3 == 0)
				copy[i] = (unsigned char)rng(&seed);
		}
		uint64_t n;
		ok += walk_n(copy, z.len, &n) == ZR_OK;
	}
	for (int round = 0; round < 2000; round++) {
		memcpy(copy, z.p, z.len);
		size_t at = rng(&seed) % z.len;
		copy[at] ^= (unsigned char)(1u << (rng(&seed) % 8));
		uint64_t n;
		ok += walk_n(copy, z.len, &n) == ZR_OK;
	}
	CHECK(ok < 2300); /* most garbage is refused */
	free(copy);
	zb_free(&z);
}

const struct unit_test zipread_tests[] = {
	{ "zip: valid bundle", test_valid_bundle },
	{ "zip: cfg not first", test_cfg_not_first },
	{ "zip: EOCD search window", test_eocd_window },
	{ "zip: tiny files", test_tiny_files },
	{ "zip: CD offset/size vs file", test_cd_bounds },
	{ "zip: name/extra/comment past CD end", test_name_length },
	{ "zip: local header bounds", test_local_header_bounds },
	{ "zip: data bounds, sizes, CRC, methods", test_data_bounds },
	{ "zip: ZIP64 end records", test_zip64_records },
	{ "zip: ZIP64 extra field", test_zip64_extra },
	{ "zip: entry count lies", test_entry_count },
	{ "zip: truncated at every length", test_truncated },
	{ "zip: garbage CD and bit flips", test_garbage },
	{ NULL, NULL },
};
