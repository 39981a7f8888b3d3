/* fuzz_extract.c - libFuzzer harness that reaches extraction: the input is a
 * plan (files with fuzzer-chosen paths, contents, modes and compression,
 * then a few byte patches of the finished zip). The harness writes a VALID
 * launcher.cfg for the plan (hashes and key computed, so the cfg checks
 * pass), builds the zip, applies the patches and runs extract_entry() into
 * a scratch root. Invariants checked after each run (abort() = finding):
 * success means ROOT holds exactly KEY and every file has the planned bytes
 * and mode; failure means ROOT is empty (nothing half-written is left). */
#include "cfg.h"
#include "extract.h"
#include "fsutil.h"
#include "lock.h"
#include "zipbuild.h"
#include "zipread.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define MAX_FILES 8

struct file {
	char path[64];
	unsigned char data[256];
	size_t len;
	unsigned mode;
	int deflate;
};

/* Bytes of the plan, consumed front to back; zeros once it runs out. */
struct plan {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct plan *pl)
{
	if (!pl->n)
		return 0;
	pl->n--;
	return *pl->p++;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

static int root_fd;
static char root_path[64];

static void remove_root(void)
{
	rmdir(root_path); /* empty between runs */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* tmpfs if there is one: extraction fsyncs every file */
	snprintf(root_path, sizeof root_path, "%s/pyzap-fuzz-extract-%ld",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
	mkdir(root_path, 0755);
	if ((root_fd = open(root_path, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	atexit(remove_root);
	return 0;
}

/* Names in ROOT; removes them all when clean. */
static int list_root(char names[][64], int max, int clean)
{
	int n = 0, fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fdopendir(fd);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n < max)
			snprintf(names[n], 64, "%s", de->d_name);
		n++;
		if (clean && rmtree_at(root_fd, de->d_name) != 0)
			abort();
	}
	if (d)
		closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char alphabet[] = "ab.c_-/ ";
	struct plan pl = { data, size };
	struct file files[MAX_FILES];
	size_t nf = take(&pl) % MAX_FILES + 1;
	memset(files, 0, sizeof files);
	for (size_t i = 0; i < nf; i++) {
		struct file *f = &files[i];
		size_t plen = take(&pl) % 12 + 1;
		for (size_t k = 0; k < plen; k++) /* short names over a tiny alphabet: collisions, dir-vs-file */
			f->path[k] = alphabet[take(&pl) % (sizeof alphabet - 1)];
		unsigned flags = take(&pl);
		f->mode = flags & 1 ? 0755 : 0644;
		f->deflate = (flags >> 1) & 1;
		f->len = take(&pl);
		for (size_t k = 0; k < f->len; k++)
			f->data[k] = (unsigned char)take(&pl);
	}
	/* A valid cfg needs sorted, unique paths: sort, then drop repeats. */
	qsort(files, nf, sizeof files[0], by_path);
	size_t u = 0;
	for (size_t i = 0; i < nf; i++)
		if (!u || strcmp(files[u - 1].path, files[i].path))
			files[u++] = files[i];
	nf = u;

	char cfgtext[8192], flines[4096] = "";
	size_t fl = 0;
	for (size_t i = 0; i < nf; i++)
		fl += (size_t)snprintf(flines + fl, sizeof flines - fl, "f %016llx %zu %o %s\n",
				       (unsigned long long)XXH64(files[i].data, files[i].len, 0), files[i].len,
				       files[i].mode, files[i].path);
	char keyinput[4200];
	int kn = snprintf(keyinput, sizeof keyinput, "pyzap-entry 1\n%s", flines);
	snprintf(cfgtext, sizeof cfgtext, "pyzap 1\nname fuzz\nkey %016llx\n%s",
		 (unsigned long long)XXH64(keyinput, (size_t)kn, 0), flines);
	struct cfg c;
	char err[256];
	if (cfg_parse(&c, cfgtext, strlen(cfgtext), err, sizeof err) != 0 ||
	    cfg_check_key(&c, err, sizeof err) != 0) {
		cfg_free(&c); /* a path the format forbids ("." , "a//b"...): not extraction's job */
		return 0;
	}

	/* The zip: cfg first, then each file (one of them twice if the plan says). */
	struct zent ents[ZB_MAX];
	char names[MAX_FILES + 1][80];
	size_t ne = 0;
	ents[ne++] = (struct zent){ CFG_NAME, cfgtext, strlen(cfgtext), 0 };
	for (size_t i = 0; i < nf; i++) {
		snprintf(names[i], sizeof names[i], "site-packages/%s", files[i].path);
		ents[ne++] = (struct zent){ names[i], files[i].data, files[i].len, files[i].deflate };
	}
	unsigned dup = take(&pl);
	if (dup < nf && ne < ZB_MAX)
		ents[ne++] = ents[1 + dup];
	struct zb z = { 0 };
	struct zopts o = { .prefix = 16 };
	struct zlayout L;
	zb_build(&z, ents, ne, &o, &L);
	/* Patches anywhere after the cfg's bytes: sizes, CRCs, deflate streams, names. */
	size_t after = L.data[0] + strlen(cfgtext);
	for (unsigned np = take(&pl) % 4; np-- && z.len > after;) {
		size_t off = after + ((size_t)take(&pl) << 8 | take(&pl)) % (z.len - after);
		z.p[off] = (unsigned char)take(&pl);
	}

	int fd = zb_tmpfd(z.p, z.len);
	struct zr zr;
	if (zr_open(&zr, fd, "fuzz.pyz") == ZR_OK) {
		struct lock lk;
		memset(&lk, 0, sizeof lk);
		struct extract_job job = { &zr, &c, root_fd, root_path, &lk, 0 };
		int rc = extract_entry(&job);
		char left[4][64];
		int n = list_root(left, 4, 0);
		if (rc == 0) {
			/* Success: exactly ROOT/KEY, every file with its planned bytes and mode. */
			if (n != 1 || strcmp(left[0], c.key))
				abort();
			for (size_t i = 0; i < nf; i++) {
				char rel[128], buf[300];
				struct stat st;
				snprintf(rel, sizeof rel, "%s/site/%s", c.key, files[i].path);
				int ffd = openat(root_fd, rel, O_RDONLY | O_NOFOLLOW);
				if (ffd < 0 || fstat(ffd, &st) != 0 || (st.st_mode & 07777) != files[i].mode ||
				    (size_t)st.st_size != files[i].len ||
				    read(ffd, buf, sizeof buf) != (ssize_t)files[i].len ||
				    memcmp(buf, files[i].data, files[i].len) != 0)
					abort();
				close(ffd);
			}
		} else if (n != 0) {
			abort(); /* failure left something behind */
		}
		list_root(left, 4, 1);
	}
	close(fd);
	zb_free(&z);
	cfg_free(&c);
	return 0;
}
