/* zipdata.c - reading an entry's data: local header (APPNOTE 4.3.7),
 * STORED copy or raw DEFLATE (method 8), CRC-32 and size checks. Sizes come
 * from the central directory: with a data descriptor (flag bit 3) the local
 * header holds zeros. */
#include "zipfmt.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CHUNK (64u * 1024u)

static int same_local_name(struct zr *zr, const struct zr_entry *e, size_t len)
{
	unsigned char buf[256];
	int rc;
	if (len != e->name_len)
		return zr_fail(zr, "the local header at offset %llu names another file than the central directory",
			       (ull)e->local_off);
	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof buf ? len - done : sizeof buf;
		if ((rc = zr_pread(zr, e->local_off + LOC_LEN + done, buf, n)))
			return rc;
		if (memcmp(buf, e->name + done, n) != 0)
			return zr_fail(zr, "the local header at offset %llu names another file than the central directory",
				       (ull)e->local_off);
		done += n;
	}
	return ZR_OK;
}

int zr_data_offset(struct zr *zr, const struct zr_entry *e, uint64_t *off)
{
	unsigned char h[LOC_LEN];
	int rc;
	if (e->local_off > zr->cd_off || LOC_LEN > zr->cd_off - e->local_off)
		return zr_fail(zr, "local header offset %llu is not before the central directory at %llu",
			       (ull)e->local_off, (ull)zr->cd_off);
	if ((rc = zr_pread(zr, e->local_off, h, LOC_LEN)))
		return rc;
	if (le32(h) != SIG_LOC)
		return zr_fail(zr, "no local header signature at offset %llu", (ull)e->local_off);
	/* The name and extra lengths (offsets 26, 28) say where the data starts.
	 * No overflow: local_off < cd_off <= size. */
	uint64_t start = e->local_off + LOC_LEN + le16(h + 26) + le16(h + 28);
	/* The local name must be the central one: else several central entries
	 * can share one local header (amplified disk use; zipfile refuses it). */
	if (e->name && (rc = same_local_name(zr, e, le16(h + 26))))
		return rc;
	if (start > zr->cd_off || e->csize > zr->cd_off - start)
		return zr_fail(zr, "data of the entry at offset %llu (%llu bytes from %llu) runs past the central directory at %llu",
			       (ull)e->local_off, (ull)e->csize, (ull)start, (ull)zr->cd_off);
	*off = start;
	return ZR_OK;
}

int zr_read_stored(struct zr *zr, const struct zr_entry *e, size_t cap, char **out, size_t *len)
{
	uint64_t off;
	char *buf;
	int rc;
	*out = NULL;
	if (e->method != 0)
		return zr_fail(zr, "entry at offset %llu must be STORED but uses method %u",
			       (ull)e->local_off, e->method);
	if (e->csize != e->usize)
		return zr_fail(zr, "STORED entry at offset %llu has compressed size %llu but size %llu",
			       (ull)e->local_off, (ull)e->csize, (ull)e->usize);
	if (e->usize > cap)
		return zr_fail(zr, "entry at offset %llu is %llu bytes, over the limit of %zu",
			       (ull)e->local_off, (ull)e->usize, cap);
	if ((rc = zr_data_offset(zr, e, &off)))
		return rc;
	if (!(buf = malloc((size_t)e->usize + 1)))
		return zr_fail(zr, "out of memory for %llu bytes", (ull)e->usize);
	if ((rc = zr_pread(zr, off, buf, (size_t)e->usize))) {
		free(buf);
		return rc;
	}
	if (crc32_z(0, (const unsigned char *)buf, (size_t)e->usize) != e->crc) {
		free(buf);
		return zr_fail(zr, "CRC-32 mismatch in the entry at offset %llu", (ull)e->local_off);
	}
	buf[e->usize] = '\0';
	*out = buf;
	*len = (size_t)e->usize;
	return ZR_OK;
}

/* Copy a STORED entry's bytes to cb. */
static int copy_stored(struct zr *zr, const struct zr_entry *e, uint64_t off, unsigned char *in,
		       zr_sink cb, void *arg, uLong *crc)
{
	uint64_t left = e->csize;
	int rc;
	if (e->csize != e->usize)
		return zr_fail(zr, "STORED entry at offset %llu has compressed size %llu but size %llu",
			       (ull)e->local_off, (ull)e->csize, (ull)e->usize);
	while (left > 0) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		if ((rc = zr_pread(zr, off, in, n)))
			return rc;
		*crc = crc32_z(*crc, in, n);
		if (cb(arg, in, n))
			return ZR_CALLBACK;
		off += n;
		left -= n;
	}
	return ZR_OK;
}

/* Inflate a raw DEFLATE stream (windowBits -15) of exactly csize bytes into
 * at most usize bytes. */
static int inflate_entry(struct zr *zr, const struct zr_entry *e, uint64_t off, unsigned char *in,
			 unsigned char *out, zr_sink cb, void *arg, uLong *crc, uint64_t *total)
{
	z_stream zs;
	uint64_t in_left = e->csize;
	int zrc = Z_OK, rc = ZR_OK;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, -15) != Z_OK)
		return zr_fail(zr, "inflateInit2 failed (out of memory)");
	while (zrc != Z_STREAM_END) {
		if (zs.avail_in == 0) {
			if (in_left == 0) {
				rc = zr_fail(zr, "deflate data of the entry at offset %llu ends early (truncated)",
					     (ull)e->local_off);
				goto out;
			}
			size_t n = in_left < CHUNK ? (size_t)in_left : CHUNK;
			if ((rc = zr_pread(zr, off, in, n)))
				goto out;
			off += n;
			in_left -= n;
			zs.next_in = in;
			zs.avail_in = (uInt)n;
		}
		zs.next_out = out;
		zs.avail_out = CHUNK;
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
			rc = zr_fail(zr, "corrupt deflate data in the entry at offset %llu: %s",
				     (ull)e->local_off, zs.msg ? zs.msg : "inflate error");
			goto out;
		}
		size_t got = CHUNK - zs.avail_out;
		if (got > e->usize - *total) {
			rc = zr_fail(zr, "entry at offset %llu inflates to more than its %llu bytes",
				     (ull)e->local_off, (ull)e->usize);
			goto out;
		}
		*total += got;
		*crc = crc32_z(*crc, out, got);
		if (got && cb(arg, out, got)) {
			rc = ZR_CALLBACK;
			goto out;
		}
	}
	if (zs.avail_in != 0 || in_left != 0)
		rc = zr_fail(zr, "entry at offset %llu has bytes after the end of its deflate stream",
			     (ull)e->local_off);
out:
	inflateEnd(&zs);
	return rc;
}

int zr_stream(struct zr *zr, const struct zr_entry *e, zr_sink cb, void *arg)
{
	unsigned char *in = NULL, *out = NULL;
	uint64_t off, total = 0;
	uLong crc = crc32_z(0, NULL, 0);
	int rc;
	if (e->method != 0 && e->method != 8)
		return zr_fail(zr, "entry at offset %llu uses compression method %u (only 0 stored and 8 deflate are supported)",
			       (ull)e->local_off, e->method);
	if ((rc = zr_data_offset(zr, e, &off)))
		return rc;
	if (!(in = malloc(CHUNK)) || !(out = malloc(CHUNK))) {
		rc = zr_fail(zr, "out of memory");
		goto out;
	}
	if (e->method == 0) {
		rc = copy_stored(zr, e, off, in, cb, arg, &crc);
		total = e->usize;
	} else {
		rc = inflate_entry(zr, e, off, in, out, cb, arg, &crc, &total);
	}
	if (rc)
		goto out;
	if (total != e->usize)
		rc = zr_fail(zr, "entry at offset %llu inflates to %llu bytes, the central directory says %llu",
			     (ull)e->local_off, (ull)total, (ull)e->usize);
	else if (crc != e->crc)
		rc = zr_fail(zr, "CRC-32 mismatch in the entry at offset %llu", (ull)e->local_off);
out:
	free(in);
	free(out);
	return rc;
}
