/* fuzz_zip.c - libFuzzer harness over everything the launcher does with its
 * own file before extracting: end records, the central directory walk, the
 * lookup of launcher.cfg, STORED reads, inflating each entry (sizes and
 * CRC-32 checked), and parsing the cfg it finds. The input is the whole
 * bundle (a few junk bytes standing in for the launcher, then the zip). */
#include "cfg.h"
#include "zipread.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_INFLATE (1u << 20) /* per entry: keeps each run fast */

static int sink(void *arg, const unsigned char *data, size_t len)
{
	size_t *total = arg;
	/* touch every byte so ASan sees a bad buffer */
	for (size_t i = 0; i < len; i++)
		*total += data[i];
	return 0;
}

static int fd_for(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("fuzz", MFD_CLOEXEC)) < 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zr zr;
	struct zr_entry e;
	struct zr_iter it;
	int found, more;
	size_t total = 0;
	if (zr_open(&zr, fd_for(data, size), "fuzz") != ZR_OK)
		return 0;
	if (zr_find(&zr, CFG_NAME, &e, &found) == ZR_OK && found) {
		char *text, err[256];
		size_t len;
		if (zr_read_stored(&zr, &e, CFG_MAX_BYTES, &text, &len) == ZR_OK) {
			struct cfg c;
			if (cfg_parse(&c, text, len, err, sizeof err) == 0)
				cfg_check_key(&c, err, sizeof err);
			cfg_free(&c);
			free(text);
		}
	}
	zr_iter_init(&it, &zr);
	while (zr_next(&it, &e, &more) == ZR_OK && more)
		if (e.usize <= MAX_INFLATE)
			zr_stream(&zr, &e, sink, &total);
	zr_iter_free(&it);
	return 0;
}
