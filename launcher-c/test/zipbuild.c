/* zipbuild.c - a small zip writer for tests (APPNOTE 4.3). */
#include "zipbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void grow(struct zb *z, size_t n)
{
	if (z->len + n <= z->cap)
		return;
	z->cap = (z->len + n) * 2 + 1024;
	z->p = realloc(z->p, z->cap);
	if (!z->p)
		abort();
}

void zb_append(struct zb *z, const void *p, size_t n)
{
	grow(z, n);
	if (n)
		memcpy(z->p + z->len, p, n);
	z->len += n;
}

static void fill(struct zb *z, int c, size_t n)
{
	if (!n)
		return;
	grow(z, n);
	memset(z->p + z->len, c, n);
	z->len += n;
}

void zb_set16(struct zb *z, size_t off, uint16_t v)
{
	z->p[off] = (unsigned char)v, z->p[off + 1] = (unsigned char)(v >> 8);
}
void zb_set32(struct zb *z, size_t off, uint32_t v)
{
	zb_set16(z, off, (uint16_t)v), zb_set16(z, off + 2, (uint16_t)(v >> 16));
}
void zb_set64(struct zb *z, size_t off, uint64_t v)
{
	zb_set32(z, off, (uint32_t)v), zb_set32(z, off + 4, (uint32_t)(v >> 32));
}
static void u16(struct zb *z, uint16_t v) { fill(z, 0, 2), zb_set16(z, z->len - 2, v); }
static void u32(struct zb *z, uint32_t v) { fill(z, 0, 4), zb_set32(z, z->len - 4, v); }
static void u64(struct zb *z, uint64_t v) { fill(z, 0, 8), zb_set64(z, z->len - 8, v); }

static unsigned char *deflate_raw(const void *p, size_t n, size_t *out_len)
{
	z_stream s;
	size_t cap = n + n / 10 + 64;
	unsigned char *out = malloc(cap);
	memset(&s, 0, sizeof s);
	if (!out || deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	s.next_in = (unsigned char *)p;
	s.avail_in = (uInt)n;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		abort();
	*out_len = s.total_out;
	deflateEnd(&s);
	return out;
}

void zb_build(struct zb *z, const struct zent *e, size_t n, const struct zopts *o, struct zlayout *L)
{
	unsigned char *cdata[ZB_MAX];
	size_t clen[ZB_MAX];
	uint32_t crc[ZB_MAX];
	memset(z, 0, sizeof *z);
	memset(L, 0, sizeof *L);
	fill(z, 'X', o->prefix);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);
		crc[i] = (uint32_t)crc32(0, e[i].data, (uInt)e[i].len);
		if (e[i].deflate) {
			cdata[i] = deflate_raw(e[i].data, e[i].len, &clen[i]);
		} else {
			cdata[i] = malloc(e[i].len + 1);
			memcpy(cdata[i], e[i].data, e[i].len);
			clen[i] = e[i].len;
		}
		L->loc[i] = z->len;
		u32(z, 0x04034b50), u16(z, 20), u16(z, 0), u16(z, e[i].deflate ? 8 : 0);
		u16(z, 0), u16(z, 0x21), u32(z, crc[i]), u32(z, (uint32_t)clen[i]);
		u32(z, (uint32_t)e[i].len), u16(z, (uint16_t)nl), u16(z, 0);
		zb_append(z, e[i].name, nl);
		L->data[i] = z->len;
		zb_append(z, cdata[i], clen[i]);
	}
	L->cd_off = z->len;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);
		int x = o->cen_zip64;
		L->cen[i] = z->len;
		u32(z, 0x02014b50), u16(z, 0x031e), u16(z, x ? 45 : 20), u16(z, 0);
		u16(z, e[i].deflate ? 8 : 0), u16(z, 0), u16(z, 0x21), u32(z, crc[i]);
		u32(z, x ? 0xFFFFFFFFu : (uint32_t)clen[i]);
		u32(z, x ? 0xFFFFFFFFu : (uint32_t)e[i].len);
		u16(z, (uint16_t)nl), u16(z, x ? 28 : 0), u16(z, 0), u16(z, 0), u16(z, 0);
		u32(z, 0644u << 16), u32(z, x ? 0xFFFFFFFFu : (uint32_t)L->loc[i]);
		zb_append(z, e[i].name, nl);
		if (x) /* ZIP64 extra (4.5.3): usize, csize, local offset */
			u16(z, 1), u16(z, 24), u64(z, e[i].len), u64(z, clen[i]), u64(z, L->loc[i]);
		free(cdata[i]);
	}
	L->cd_size = z->len - L->cd_off;
	int s = o->zip64 && o->sentinels;
	if (o->zip64) {
		L->z64eocd = z->len;
		u32(z, 0x06064b50), u64(z, 44), u16(z, 45), u16(z, 45), u32(z, 0), u32(z, 0);
		u64(z, n), u64(z, n), u64(z, L->cd_size), u64(z, L->cd_off);
		L->z64loc = z->len;
		u32(z, 0x07064b50), u32(z, 0), u64(z, L->z64eocd), u32(z, 1);
	}
	L->eocd = z->len;
	u32(z, 0x06054b50), u16(z, 0), u16(z, 0);
	u16(z, s ? 0xFFFF : (uint16_t)n), u16(z, s ? 0xFFFF : (uint16_t)n);
	u32(z, s ? 0xFFFFFFFFu : (uint32_t)L->cd_size), u32(z, s ? 0xFFFFFFFFu : (uint32_t)L->cd_off);
	u16(z, (uint16_t)o->comment);
	fill(z, 'c', o->comment);
}

void zb_free(struct zb *z)
{
	free(z->p);
	memset(z, 0, sizeof *z);
}

int zb_tmpfd(const void *p, size_t len)
{
	char path[] = "/tmp/pyzap-unit-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	unlink(path);
	if (len && write(fd, p, len) != (ssize_t)len)
		abort();
	return fd;
}
