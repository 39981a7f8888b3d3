/* zipread.c - bounds-checked reads and the end records. The central
 * directory walk is in zipcd.c, entry data in zipdata.c. */
#include "zipfmt.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* First guess for the tail read: one page covers the end record, a short
 * comment and the ZIP64 locator of every bundle pyzap writes. */
#define FIRST_TAIL 4096u

int zr_fail(struct zr *zr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(zr->err, sizeof zr->err, fmt, ap);
	va_end(ap);
	return ZR_CORRUPT;
}

int zr_pread(struct zr *zr, uint64_t off, void *buf, size_t len)
{
	unsigned char *p = buf;
	/* Written so it cannot overflow: off <= size first, then the rest. */
	if (off > zr->size || len > zr->size - off)
		return zr_fail(zr, "read of %zu bytes at offset %llu is outside the file (%llu bytes)",
			       len, (ull)off, (ull)zr->size);
	while (len > 0) {
		size_t want = len > (size_t)SSIZE_MAX ? (size_t)SSIZE_MAX : len;
		ssize_t n = pread(zr->fd, p, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			zr->err_errno = n < 0 ? errno : EIO;
			snprintf(zr->err, sizeof zr->err, "read of %zu bytes at offset %llu: %s", len,
				 (ull)off, n < 0 ? strerror(errno) : "unexpected end of file (file changed?)");
			return ZR_IO;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return ZR_OK;
}

/* Last position i in [min_i, len - 22] where an end record starts whose
 * comment ends exactly at the end of the file (buf ends at EOF). */
static int scan_eocd(const unsigned char *buf, size_t len, size_t min_i, size_t *at)
{
	for (size_t i = len - EOCD_LEN + 1; i-- > min_i;) {
		if (le32(buf + i) == SIG_EOCD && le16(buf + i + 20) == len - EOCD_LEN - i) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

/* Parse the ZIP64 locator (4.3.15) and end record (4.3.14) before eocd_off. */
static int read_zip64(struct zr *zr, const unsigned char *loc, uint64_t *disk, uint64_t *cd_disk,
		      uint64_t *n_disk, uint64_t *n_total, uint64_t *limit)
{
	unsigned char r[EOCD64_LEN];
	uint64_t loc_off = zr->eocd_off - LOC64_LEN;
	uint32_t z_disk = le32(loc + 4);   /* disk holding the zip64 end record */
	uint64_t z_off = le64(loc + 8);    /* its absolute offset */
	uint32_t z_disks = le32(loc + 16); /* total number of disks */
	if (z_disk != 0 || z_disks > 1)
		return zr_fail(zr, "ZIP64 locator at offset %llu says the archive spans several disks",
			       (ull)loc_off);
	if (z_off > loc_off || EOCD64_LEN > loc_off - z_off)
		return zr_fail(zr, "ZIP64 end record offset %llu (from the locator at %llu) is not before the locator",
			       (ull)z_off, (ull)loc_off);
	int rc = zr_pread(zr, z_off, r, sizeof r);
	if (rc)
		return rc;
	uint64_t rec_size = le64(r + 4); /* size of the record after these 12 bytes */
	if (le32(r) != SIG_EOCD64)
		return zr_fail(zr, "no ZIP64 end record signature at offset %llu (APPNOTE 4.3.14)", (ull)z_off);
	if (rec_size < EOCD64_LEN - 12 || rec_size != loc_off - z_off - 12)
		return zr_fail(zr, "ZIP64 end record at offset %llu has size %llu but the locator is at %llu",
			       (ull)z_off, (ull)rec_size, (ull)loc_off);
	*disk = le32(r + 16);
	*cd_disk = le32(r + 20);
	*n_disk = le64(r + 24);
	*n_total = le64(r + 32);
	zr->cd_size = le64(r + 40);
	zr->cd_off = le64(r + 48);
	*limit = z_off; /* the central directory must end where this record starts */
	zr->zip64 = 1;
	return ZR_OK;
}

/* Find the end record, apply ZIP64 if present, validate the CD's place. */
static int parse_end(struct zr *zr, const unsigned char *tail, size_t at)
{
	const unsigned char *e = tail + at;
	unsigned char locbuf[LOC64_LEN];
	const unsigned char *loc = NULL;
	uint64_t disk = le16(e + 4), cd_disk = le16(e + 6); /* this disk, disk of CD start */
	uint64_t n_disk = le16(e + 8), n_total = le16(e + 10); /* entries here, entries total */
	uint64_t limit = zr->eocd_off;
	int rc, need64 = disk == Z16_MAX || cd_disk == Z16_MAX || n_disk == Z16_MAX ||
			 n_total == Z16_MAX || le32(e + 12) == Z32_MAX || le32(e + 16) == Z32_MAX;
	zr->cd_size = le32(e + 12);
	zr->cd_off = le32(e + 16);
	if (zr->eocd_off >= LOC64_LEN) { /* a locator, if any, sits right before */
		if (at >= LOC64_LEN) {
			loc = e - LOC64_LEN;
		} else {
			if ((rc = zr_pread(zr, zr->eocd_off - LOC64_LEN, locbuf, LOC64_LEN)))
				return rc;
			loc = locbuf;
		}
		if (le32(loc) != SIG_LOC64)
			loc = NULL;
	}
	if (loc) {
		if ((rc = read_zip64(zr, loc, &disk, &cd_disk, &n_disk, &n_total, &limit)))
			return rc;
	} else if (need64) {
		return zr_fail(zr, "end record at offset %llu has ZIP64 placeholders but no ZIP64 locator precedes it (APPNOTE 4.3.15)",
			       (ull)zr->eocd_off);
	}
	if (disk != 0 || cd_disk != 0 || n_disk != n_total)
		return zr_fail(zr, "end record at offset %llu describes a multi-disk archive (unsupported)",
			       (ull)zr->eocd_off);
	if (zr->cd_off > limit || zr->cd_size > limit - zr->cd_off)
		return zr_fail(zr, "central directory (offset %llu, %llu bytes) runs past the end record at %llu",
			       (ull)zr->cd_off, (ull)zr->cd_size, (ull)limit);
	if (zr->cd_off + zr->cd_size != limit)
		return zr_fail(zr, "central directory ends at %llu but the end record starts at %llu (offsets not absolute, or data between them)",
			       (ull)(zr->cd_off + zr->cd_size), (ull)limit);
	if (n_total > zr->cd_size / CEN_LEN) /* each central header is >= 46 bytes */
		return zr_fail(zr, "%llu entries cannot fit in a central directory of %llu bytes",
			       (ull)n_total, (ull)zr->cd_size);
	zr->cd_count = n_total;
	return ZR_OK;
}

int zr_open(struct zr *zr, int fd, const char *path)
{
	struct stat st;
	unsigned char *tail = NULL;
	size_t want, at, min_i;
	int rc;
	memset(zr, 0, sizeof *zr);
	zr->fd = fd;
	zr->path = path;
	if (fstat(fd, &st) != 0) {
		zr->err_errno = errno;
		snprintf(zr->err, sizeof zr->err, "fstat: %s", strerror(errno));
		return ZR_IO;
	}
	if (!S_ISREG(st.st_mode))
		return zr_fail(zr, "not a regular file");
	zr->size = (uint64_t)st.st_size;
	zr->dev = st.st_dev, zr->ino = st.st_ino;
	if (zr->size < EOCD_LEN)
		return zr_fail(zr, "file of %llu bytes is too small to hold a zip end record", (ull)zr->size);
	/* Read one page first; only if the record is not there read the whole
	 * window (plus room for the ZIP64 locator before the record). */
	want = zr->size < FIRST_TAIL ? (size_t)zr->size : FIRST_TAIL;
	for (;;) {
		uint64_t base = zr->size - want;
		free(tail);
		if (!(tail = malloc(want)))
			return zr_fail(zr, "out of memory");
		if ((rc = zr_pread(zr, base, tail, want)))
			break;
		min_i = want > EOCD_WINDOW ? want - EOCD_WINDOW : 0;
		if (scan_eocd(tail, want, min_i, &at)) {
			zr->eocd_off = base + at;
			rc = parse_end(zr, tail, at);
			break;
		}
		size_t full = zr->size < EOCD_WINDOW + LOC64_LEN ? (size_t)zr->size : EOCD_WINDOW + LOC64_LEN;
		if (want == full) {
			rc = zr_fail(zr, "no zip end record in the last %zu bytes (APPNOTE 4.3.16): not a zip archive",
				     want < EOCD_WINDOW ? want : (size_t)EOCD_WINDOW);
			break;
		}
		want = full;
	}
	free(tail);
	return rc;
}
