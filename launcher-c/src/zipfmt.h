/* zipfmt.h - private to zipread.c / zipdata.c: on-disk constants and helpers.
 * Section numbers are those of PKWARE's APPNOTE.TXT 6.3.x. */
#ifndef PYZAP_ZIPFMT_H
#define PYZAP_ZIPFMT_H

#include <stdint.h>
#include "zipread.h"

#define SIG_LOC   0x04034b50u /* 4.3.7  local file header */
#define SIG_CEN   0x02014b50u /* 4.3.12 central directory file header */
#define SIG_EOCD  0x06054b50u /* 4.3.16 end of central directory record */
#define SIG_LOC64 0x07064b50u /* 4.3.15 zip64 end of central directory locator */
#define SIG_EOCD64 0x06064b50u /* 4.3.14 zip64 end of central directory record */

#define LOC_LEN   30u /* fixed part of a local header */
#define CEN_LEN   46u /* fixed part of a central header */
#define EOCD_LEN  22u /* fixed part of the end record */
#define LOC64_LEN 20u /* the whole zip64 locator */
#define EOCD64_LEN 56u /* fixed part of the zip64 end record */

/* 4.3.16: the end record is 22 bytes followed by a comment of at most
 * 65535 bytes, so it starts within the last 22 + 65535 bytes. */
#define EOCD_WINDOW (EOCD_LEN + 65535u)

/* Placeholder values that mean "see the ZIP64 records" (4.4.8, 4.4.13...). */
#define Z16_MAX 0xFFFFu
#define Z32_MAX 0xFFFFFFFFu

/* All zip integers are little-endian. */
static inline uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

/* Record a ZR_CORRUPT error in zr->err and return ZR_CORRUPT. */
int zr_fail(struct zr *zr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef unsigned long long ull; /* for printf of uint64_t without PRIu64 noise */

#endif
