/* zipread.h - the one bounds-checked reader over the bundle's zip.
 *
 * Everything the launcher reads from its own file goes through zr_pread(),
 * which refuses any range not inside the file. Every offset and length taken
 * from the archive is validated before use. Offsets are absolute file offsets:
 * the builder adjusts them to count the launcher bytes in front of the zip
 * (docs/format.md, "The file"). References are to PKWARE's APPNOTE.TXT 6.3.x.
 */
#ifndef PYZAP_ZIPREAD_H
#define PYZAP_ZIPREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Result of every zr_* call that can fail. */
enum zr_status {
	ZR_OK = 0,
	ZR_CORRUPT = 1,  /* the archive is malformed; zr.err says how */
	ZR_IO = 2,       /* a read failed; zr.err says how, zr.err_errno is set */
	ZR_CALLBACK = 3, /* the zr_stream callback returned non-zero */
};

/* An open archive. Filled by zr_open(); read-only afterwards. */
struct zr {
	int fd;               /* the file, not owned */
	const char *path;     /* for messages only */
	uint64_t size;        /* file size from fstat: the bound for every read */
	dev_t dev;            /* the file's identity from that fstat */
	ino_t ino;
	uint64_t eocd_off;    /* where the end of central directory record starts */
	uint64_t cd_off;      /* absolute offset of the first central header */
	uint64_t cd_size;     /* bytes of central directory */
	uint64_t cd_count;    /* number of central headers */
	int zip64;            /* 1 if the ZIP64 end records were used */
	int err_errno;        /* errno of the last ZR_IO */
	char err[256];        /* the last error, "what ... at offset N" */
};

/* One central directory entry, as validated by the iterator. */
struct zr_entry {
	const char *name;     /* NOT NUL-terminated; valid until the next zr_next */
	size_t name_len;
	uint16_t flags;       /* general purpose bit flag (bit 3: data descriptor) */
	uint16_t method;      /* 0 stored, 8 deflate; others refused when read */
	uint32_t crc;         /* CRC-32 of the uncompressed bytes */
	uint64_t csize;       /* compressed size (ZIP64 extra applied) */
	uint64_t usize;       /* uncompressed size (ZIP64 extra applied) */
	uint64_t local_off;   /* absolute offset of the local header */
};

/* Walks the central directory with a growing read-ahead buffer, so the
 * first entry costs one small read and a full walk few large ones. */
struct zr_iter {
	struct zr *zr;
	uint64_t pos;         /* absolute offset of the next central header */
	uint64_t index;       /* headers read so far */
	unsigned char *buf;   /* read-ahead window over the central directory */
	size_t cap;           /* allocated bytes of buf (grows with chunk) */
	uint64_t buf_off;     /* absolute offset of buf[0] */
	size_t buf_len;       /* valid bytes in buf */
	size_t chunk;         /* next refill size (grows to ZR_ITER_BUF) */
};

/* Largest central header: 46 fixed bytes + three 16-bit lengths. */
#define ZR_CEN_MAX (46u + 3u * 65535u)
#define ZR_ITER_BUF (256u * 1024u)

/* Read exactly len bytes at off; refuses ranges not inside the file. */
int zr_pread(struct zr *zr, uint64_t off, void *buf, size_t len);

/* Find and validate the end records of the archive open on fd. */
int zr_open(struct zr *zr, int fd, const char *path);

/* Iterate: zr_next returns ZR_OK with *more = 1 and *e filled, or *more = 0
 * at the end (after checking that the count and the CD size agree). */
void zr_iter_init(struct zr_iter *it, struct zr *zr);
int zr_next(struct zr_iter *it, struct zr_entry *e, int *more);
void zr_iter_free(struct zr_iter *it);

/* Find the entry named name (usually the first). *found = 0 if absent. */
int zr_find(struct zr *zr, const char *name, struct zr_entry *e, int *found);

/* Absolute offset where the entry's data starts (reads the local header). */
int zr_data_offset(struct zr *zr, const struct zr_entry *e, uint64_t *off);

/* Read a STORED entry of at most cap bytes into a new NUL-terminated buffer;
 * checks its CRC-32. The caller frees *out. */
int zr_read_stored(struct zr *zr, const struct zr_entry *e, size_t cap,
		   char **out, size_t *len);

/* Inflate (method 8, raw) or copy (method 0) the entry into cb, chunk by
 * chunk; checks the sizes from the central directory and the CRC-32. */
typedef int (*zr_sink)(void *arg, const unsigned char *data, size_t len);
int zr_stream(struct zr *zr, const struct zr_entry *e, zr_sink cb, void *arg);

#endif
