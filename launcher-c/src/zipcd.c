/* zipcd.c - walking the central directory (APPNOTE 4.3.12), validating
 * each header before anything in it is used. */
#include "zipfmt.h"

#include <stdlib.h>
#include <string.h>

/* First refill: enough for launcher.cfg's header and a few more. */
#define FIRST_CHUNK 4096u

void zr_iter_init(struct zr_iter *it, struct zr *zr)
{
	memset(it, 0, sizeof *it);
	it->zr = zr;
	it->pos = zr->cd_off;
	it->chunk = FIRST_CHUNK;
}

void zr_iter_free(struct zr_iter *it)
{
	free(it->buf);
	it->buf = NULL;
}

/* Make [pos, pos + n) available; the caller checked it is inside the CD. */
static int need(struct zr_iter *it, size_t n, const unsigned char **p)
{
	struct zr *zr = it->zr;
	uint64_t cd_end = zr->cd_off + zr->cd_size;
	if (it->buf && it->pos >= it->buf_off && it->pos - it->buf_off <= it->buf_len &&
	    n <= it->buf_len - (it->pos - it->buf_off)) {
		*p = it->buf + (it->pos - it->buf_off);
		return ZR_OK;
	}
	size_t want = it->chunk < n ? n : it->chunk; /* n <= ZR_CEN_MAX < ZR_ITER_BUF */
	if (want > cd_end - it->pos)
		want = (size_t)(cd_end - it->pos);
	if (want > it->cap) { /* small at first: the warm path reads one header */
		unsigned char *nb = realloc(it->buf, want);
		if (!nb)
			return zr_fail(zr, "out of memory");
		it->buf = nb;
		it->cap = want;
	}
	int rc = zr_pread(zr, it->pos, it->buf, want);
	if (rc)
		return rc;
	it->buf_off = it->pos;
	it->buf_len = want;
	it->chunk = it->chunk >= ZR_ITER_BUF / 4 ? ZR_ITER_BUF : it->chunk * 4;
	*p = it->buf;
	return ZR_OK;
}

/* 4.5.3: the ZIP64 extra field (tag 1) holds, in this order and only for
 * those set to the placeholder, the uncompressed size, the compressed
 * size, the local header offset (8 bytes each) and the disk (4 bytes). */
static int apply_zip64(struct zr *zr, uint64_t at, const unsigned char *x, size_t xlen,
		       uint64_t *usize, uint64_t *csize, uint64_t *local, uint64_t *disk)
{
	int nu = *usize == Z32_MAX, nc = *csize == Z32_MAX, nl = *local == Z32_MAX;
	int nd = *disk == Z16_MAX;
	size_t i = 0;
	if (!nu && !nc && !nl && !nd)
		return ZR_OK;
	while (xlen - i >= 4) { /* each block: tag (2), size (2), data */
		uint16_t tag = le16(x + i), sz = le16(x + i + 2);
		i += 4;
		if (sz > xlen - i)
			return zr_fail(zr, "extra field of the central header at offset %llu runs past its end",
				       (ull)at);
		if (tag == 1) {
			const unsigned char *f = x + i;
			size_t want = 8u * (size_t)(nu + nc + nl) + 4u * (size_t)nd;
			if (sz < want)
				return zr_fail(zr, "ZIP64 extra field of the central header at offset %llu has %u bytes, needs %zu (APPNOTE 4.5.3)",
					       (ull)at, sz, want);
			if (nu) *usize = le64(f), f += 8;
			if (nc) *csize = le64(f), f += 8;
			if (nl) *local = le64(f), f += 8;
			if (nd) *disk = le32(f);
			return ZR_OK;
		}
		i += sz;
	}
	return zr_fail(zr, "central header at offset %llu has a 0xFFFFFFFF size or offset but no ZIP64 extra field (APPNOTE 4.5.3)",
		       (ull)at);
}

int zr_next(struct zr_iter *it, struct zr_entry *e, int *more)
{
	struct zr *zr = it->zr;
	uint64_t cd_end = zr->cd_off + zr->cd_size, at = it->pos;
	const unsigned char *p;
	int rc;
	*more = 0;
	if (it->index == zr->cd_count) {
		if (at != cd_end)
			return zr_fail(zr, "central directory has %llu bytes left after its %llu entries (wrong entry count)",
				       (ull)(cd_end - at), (ull)zr->cd_count);
		return ZR_OK;
	}
	if (CEN_LEN > cd_end - at)
		return zr_fail(zr, "central header %llu of %llu at offset %llu runs past the end of the central directory at %llu",
			       (ull)it->index, (ull)zr->cd_count, (ull)at, (ull)cd_end);
	if ((rc = need(it, CEN_LEN, &p)))
		return rc;
	if (le32(p) != SIG_CEN)
		return zr_fail(zr, "no central header signature at offset %llu (entry %llu)", (ull)at,
			       (ull)it->index);
	size_t nlen = le16(p + 28), xlen = le16(p + 30), clen = le16(p + 32);
	size_t total = CEN_LEN + nlen + xlen + clen;
	if (total > cd_end - at)
		return zr_fail(zr, "central header at offset %llu (name %zu, extra %zu, comment %zu bytes) runs past the end of the central directory at %llu",
			       (ull)at, nlen, xlen, clen, (ull)cd_end);
	if ((rc = need(it, total, &p)))
		return rc;
	uint64_t csize = le32(p + 20), usize = le32(p + 24), local = le32(p + 42);
	uint64_t disk = le16(p + 34);
	if ((rc = apply_zip64(zr, at, p + CEN_LEN + nlen, xlen, &usize, &csize, &local, &disk)))
		return rc;
	e->flags = le16(p + 8);
	if (e->flags & 1)
		return zr_fail(zr, "entry at offset %llu is encrypted (unsupported)", (ull)at);
	if (disk != 0)
		return zr_fail(zr, "entry at offset %llu is on disk %llu (multi-disk unsupported)", (ull)at,
			       (ull)disk);
	/* Every local header and its data come before the central directory. */
	if (local > zr->cd_off || LOC_LEN > zr->cd_off - local)
		return zr_fail(zr, "entry at offset %llu: local header offset %llu is not before the central directory at %llu",
			       (ull)at, (ull)local, (ull)zr->cd_off);
	if (csize > zr->cd_off - local - LOC_LEN)
		return zr_fail(zr, "entry at offset %llu: %llu compressed bytes cannot fit before the central directory",
			       (ull)at, (ull)csize);
	e->method = le16(p + 10);
	e->crc = le32(p + 16);
	e->csize = csize;
	e->usize = usize;
	e->local_off = local;
	e->name = (const char *)p + CEN_LEN;
	e->name_len = nlen;
	it->pos = at + total;
	it->index++;
	*more = 1;
	return ZR_OK;
}

int zr_find(struct zr *zr, const char *name, struct zr_entry *e, int *found)
{
	struct zr_iter it;
	size_t n = strlen(name);
	int rc, more;
	*found = 0;
	zr_iter_init(&it, zr);
	while ((rc = zr_next(&it, e, &more)) == ZR_OK && more) {
		if (e->name_len == n && memcmp(e->name, name, n) == 0) {
			*found = 1;
			break;
		}
	}
	e->name = NULL; /* pointed into the iterator's buffer */
	zr_iter_free(&it);
	return rc;
}
