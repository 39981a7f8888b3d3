/* zipbuild.h - build zip archives in memory for the reader's tests, and
 * record where each structure landed so tests can patch fields. */
#ifndef PYZAP_ZIPBUILD_H
#define PYZAP_ZIPBUILD_H

#include <stddef.h>
#include <stdint.h>

struct zb {
	unsigned char *p;
	size_t len, cap;
};

struct zent {
	const char *name;
	const void *data;
	size_t len;
	int deflate;          /* method 8 instead of 0 */
};

struct zopts {
	size_t prefix;        /* launcher bytes in front; offsets count them */
	size_t comment;       /* EOCD comment length (filled with 'c') */
	int zip64;            /* write ZIP64 end record + locator */
	int sentinels;        /* with zip64: EOCD fields set to 0xFFFF/0xFFFFFFFF */
	int cen_zip64;        /* central sizes/offsets 0xFFFFFFFF + ZIP64 extra */
};

#define ZB_MAX 16
struct zlayout {
	size_t loc[ZB_MAX], data[ZB_MAX], cen[ZB_MAX]; /* offsets per entry */
	size_t cd_off, cd_size, z64eocd, z64loc, eocd;
};

void zb_build(struct zb *z, const struct zent *e, size_t n, const struct zopts *o, struct zlayout *L);
void zb_free(struct zb *z);
void zb_set16(struct zb *z, size_t off, uint16_t v);
void zb_set32(struct zb *z, size_t off, uint32_t v);
void zb_set64(struct zb *z, size_t off, uint64_t v);
void zb_append(struct zb *z, const void *p, size_t n);

/* An unlinked temporary file holding len bytes of p; its fd. */
int zb_tmpfd(const void *p, size_t len);

#endif
