/* extract.c - every path is created with *at() relative to a directory fd
 * we made ourselves, with O_EXCL|O_NOFOLLOW and explicit modes, so nothing
 * already on disk (a symlink planted in the cache) can redirect a write. */
#include "extract.h"
#include "entry.h"
#include "fsutil.h"
#include "msg.h"
#include "testhook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define SITE_PREFIX "site-packages/"

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *zip_prefix(const struct extract_job *job)
{
	return job->prefix ? job->prefix : SITE_PREFIX;
}

/* State of one extraction. */
struct ex {
	const struct extract_job *job;
	char tmp[48];             /* "KEY.tmp-PID" */
	int tmpfd, sitefd;        /* KEY.tmp-PID and KEY.tmp-PID/site */
	int dirfd;                /* the directory of the last file written */
	size_t dirlen;            /* its path under site/ (prefix of last path) */
	char dirpath[CFG_MAX_LINE + 1];
	int fd;                   /* the file being written */
	XXH64_state_t hash;       /* of the bytes written so far */
	uint64_t written;
	int werr;                 /* errno of a failed write */
	int fsync_each;           /* verify_all fsyncs every file and directory (no syncfs) */
};

/* What to do about a failed write into the cache. */
static const char *hint(int err)
{
	return err == ENOSPC || err == EDQUOT ? "free some space or set PYZAP_CACHE elsewhere"
					      : "check the cache directory or set PYZAP_CACHE elsewhere";
}

/* Print the error for a failed write into the cache; 74 or 75. */
static int write_error(struct ex *x, const char *op, const char *path, size_t n, int err)
{
	pz_error("%s %s/%s/site/%.*s: %s; %s", op, x->job->root, x->tmp, (int)n, path, strerror(err),
		 hint(err));
	return pz_exit_for_write_errno(err);
}

static int corrupt(struct ex *x, const struct cfg_file *f, const char *why)
{
	pz_error("bundle %s is corrupt: %s%.*s: %s; rebuild or re-download it", x->job->zr->path,
		 zip_prefix(x->job), (int)f->path_len, f->path, why);
	return PZ_EX_CORRUPT;
}

/* Something changed KEY.tmp-PID under us (74): never publish it. */
static int tampered(struct ex *x, const struct cfg_file *f, const char *why)
{
	pz_error("%s/%s/site/%.*s %s after it was written; another process is modifying %s, check who can write there",
		 x->job->root, x->tmp, (int)f->path_len, f->path, why, x->job->root);
	return PZ_EX_IO;
}

enum walk { WALK_CREATE, WALK_VERIFY };

/* Open the directory part of f's path under site/, reusing the previous one
 * (files are sorted). WALK_CREATE makes missing directories (0755) while
 * extracting; WALK_VERIFY, before publishing, opens them without following
 * symlinks (and fsyncs each one once when syncfs is not available). */
static int enter_parent(struct ex *x, const struct cfg_file *f, const char **base, enum walk how)
{
	const char *slash = memrchr(f->path, '/', f->path_len);
	size_t dl = slash ? (size_t)(slash - f->path) : 0;
	char comp[CFG_NAME_MAX + 1];
	*base = slash ? slash + 1 : f->path;
	if (x->dirfd >= 0 && dl == x->dirlen && memcmp(f->path, x->dirpath, dl) == 0)
		return 0;
	if (x->dirfd >= 0 && x->dirfd != x->sitefd)
		close(x->dirfd);
	x->dirfd = -1;
	int cur = x->sitefd;
	for (size_t i = 0; i < dl;) {
		const char *end = memchr(f->path + i, '/', dl - i);
		size_t n = end ? (size_t)(end - f->path) - i : dl - i;
		int created, fd;
		memcpy(comp, f->path + i, n); /* n <= 255: checked by the cfg parser */
		comp[n] = '\0';
		if (how == WALK_CREATE)
			fd = mkdir_open_at(cur, comp, 0755, &created);
		else
			fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		if (cur != x->sitefd)
			close(cur);
		if (fd < 0) {
			if (how == WALK_VERIFY)
				return tampered(x, f, "lost a directory of its path (or it became a symlink)");
			if (err == ENOTDIR || err == ELOOP)
				return corrupt(x, f, "a directory in its path is also a file");
			return write_error(x, "mkdir", f->path, i + n, err);
		}
		cur = fd;
		i += n + 1;
	}
	if (how == WALK_VERIFY && x->fsync_each && fsync(cur) != 0) {
		int err = errno;
		if (cur != x->sitefd)
			close(cur);
		return write_error(x, "fsync", f->path, dl, err);
	}
	x->dirfd = cur;
	x->dirlen = dl;
	memcpy(x->dirpath, f->path, dl);
	return 0;
}

/* zr_stream sink: write, hash, count, keep the lock alive. */
static int sink(void *arg, const unsigned char *data, size_t len)
{
	struct ex *x = arg;
	if (write_all(x->fd, data, len) != 0) {
		x->werr = errno;
		return 1;
	}
	XXH64_update(&x->hash, data, len);
	x->written += len;
	lock_refresh(x->job->lock);
	th_point("wrote a chunk");
	return 0;
}

static int extract_file(struct ex *x, const struct cfg_file *f, const struct zr_entry *e)
{
	const char *base;
	char name[CFG_NAME_MAX + 1];
	struct zr *zr = x->job->zr;
	int rc;
	if (e->usize != f->size)
		return corrupt(x, f, "its size in the zip differs from launcher.cfg");
	if ((rc = enter_parent(x, f, &base, WALK_CREATE)))
		return rc;
	size_t bn = f->path_len - (size_t)(base - f->path);
	memcpy(name, base, bn);
	name[bn] = '\0';
	x->fd = openat(x->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (x->fd < 0) {
		if (errno == EEXIST)
			return corrupt(x, f, "the path is also a directory");
		return write_error(x, "create", f->path, f->path_len, errno);
	}
	XXH64_reset(&x->hash, 0);
	x->written = 0;
	x->werr = 0;
	rc = zr_stream(zr, e, sink, x);
	if (rc == ZR_CALLBACK)
		rc = write_error(x, "write", f->path, f->path_len, x->werr);
	else if (rc == ZR_CORRUPT)
		rc = corrupt(x, f, zr->err);
	else if (rc == ZR_IO)
		pz_error("cannot read %s: %s; check the file and its disk", zr->path, zr->err), rc = PZ_EX_SELF;
	else if (x->written != f->size || XXH64_digest(&x->hash) != f->hash)
		rc = corrupt(x, f, "its content does not match the hash in launcher.cfg");
	else if (fchmod(x->fd, f->mode) != 0)
		rc = write_error(x, "chmod", f->path, f->path_len, errno);
	if (close(x->fd) != 0 && !rc) /* NFS and quotas report late */
		rc = write_error(x, "close", f->path, f->path_len, errno);
	x->fd = -1;
	if (!rc)
		th_point("wrote a file");
	return rc;
}

/* The cfg entry for a zip name under site-packages/, by binary search. */
static long find_file(const struct cfg *c, const char *p, size_t n)
{
	size_t lo = 0, hi = c->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cfg_file *f = &c->files[mid];
		int r = memcmp(f->path, p, f->path_len < n ? f->path_len : n);
		if (!r)
			r = (f->path_len > n) - (f->path_len < n);
		if (!r)
			return (long)mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* An entry with at least this much to unpack is inflated by two processes
 * (this one and a forked helper, each writing its own files) when there is a
 * second core: inflating is most of a big first run (pandas + scipy + numpy:
 * 472-502 ms for 140 MiB on one core, 269-309 ms on two). Below it, a fork
 * costs more than it saves and this process unpacks the entry alone. */
#define SPLIT_MIN_BYTES ((uint64_t)16 << 20)

/* CPUs this process may run on: a container's cpuset, not the host's count. */
static int usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* Which process writes each file (0: this one, 1: the helper), balancing
 * bytes in cfg order; NULL when one process does it all. */
static unsigned char *plan_split(const struct cfg *c)
{
	uint64_t total = 0, load[2] = { 0, 0 };
	for (size_t i = 0; i < c->nfiles; i++)
		total += c->files[i].size;
	if (total < SPLIT_MIN_BYTES || usable_cpus() < 2)
		return NULL;
	unsigned char *share = malloc(c->nfiles);
	if (!share)
		return NULL;
	for (size_t i = 0; i < c->nfiles; i++) {
		share[i] = load[1] < load[0];
		load[share[i]] += c->files[i].size;
	}
	return share;
}

/* Fork the helper that writes share 1: 0 in the helper, its pid here, -1 if
 * there is none (no fork: this process writes everything). The helper dies
 * with this process (kill -9 included), so it never writes into a directory
 * that a later start reclaims. Its stderr goes to *errfd, a pipe this process
 * reads only if the helper alone failed: a failure both meet (a full disk)
 * is still one line. */
static pid_t start_helper(int *errfd)
{
	int p[2];
	pid_t parent = getpid();
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid != 0) {
		close(p[1]);
		if (pid < 0)
			close(p[0]);
		else
			*errfd = p[0];
		return pid;
	}
	close(p[0]);
	/* Non-blocking: a line that does not fit is lost, never a helper stuck on a full pipe. */
	if (dup2(p[1], STDERR_FILENO) < 0 || fcntl(STDERR_FILENO, F_SETFL, O_NONBLOCK) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(PZ_EX_IO);
	return 0;
}

/* Wait for the helper; its exit status is the extraction's (its own error
 * line is passed on), unless this process failed first and stopped it. */
static int finish_helper(pid_t pid, int errfd, int rc)
{
	int st;
	if (rc)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			close(errfd);
			return rc ? rc : (pz_error("wait for the unpacking helper: %s", strerror(errno)), PZ_EX_IO);
		}
	if (!rc && WIFEXITED(st) && WEXITSTATUS(st)) {
		char buf[4096];
		ssize_t n;
		while ((n = read(errfd, buf, sizeof buf)) > 0)
			write_all(STDERR_FILENO, buf, (size_t)n);
	}
	close(errfd);
	if (rc)
		return rc;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	pz_error("the process unpacking half of the files died (signal %d); run the bundle again", WTERMSIG(st));
	return PZ_EX_IO;
}

/* One walk of the central directory, extracting the entries the cfg lists
 * (a big entry: half of them, by bytes, in a forked helper). */
static int extract_all(struct ex *x)
{
	const struct cfg *c = x->job->cfg;
	struct zr *zr = x->job->zr;
	struct zr_iter it;
	struct zr_entry e;
	unsigned char *done = calloc(c->nfiles ? c->nfiles : 1, 1);
	unsigned char *share = done ? plan_split(c) : NULL;
	int errfd = -1;
	pid_t helper = share ? start_helper(&errfd) : -1;
	int me = helper == 0; /* 1 in the helper */
	size_t ndone = 0;
	int more, rc = 0, zrc = ZR_OK;
	const char *prefix = zip_prefix(x->job);
	size_t plen = strlen(prefix);
	if (!done)
		return pz_error("out of memory"), PZ_EX_IO;
	if (helper < 0) {
		free(share);
		share = NULL;
	}
	zr_iter_init(&it, zr);
	while (!rc && !(zrc = zr_next(&it, &e, &more)) && more) {
		if (e.name_len <= plen || memcmp(e.name, prefix, plen))
			continue;
		long i = find_file(c, e.name + plen, e.name_len - plen);
		if (i < 0)
			continue;
		if (done[i]) {
			if (me) /* this process reports it */
				_exit(PZ_EX_CORRUPT);
			rc = corrupt(x, &c->files[i], "the zip holds it twice");
			break;
		}
		done[i] = 1, ndone++;
		if (share && share[i] != me)
			continue;
		rc = extract_file(x, &c->files[i], &e);
	}
	if (me) /* the helper's part is done; this process checks the whole */
		_exit(rc ? rc : zrc ? PZ_EX_CORRUPT : 0);
	if (helper > 0)
		rc = finish_helper(helper, errfd, rc);
	free(share);
	if (!rc && zrc == ZR_IO) {
		pz_error("cannot read %s: %s; check the file and its disk", zr->path, zr->err);
		rc = PZ_EX_SELF;
	} else if (!rc && zrc) {
		pz_error("bundle %s is corrupt: %s; rebuild or re-download it", zr->path, zr->err);
		rc = PZ_EX_CORRUPT;
	}
	for (size_t i = 0; !rc && ndone != c->nfiles && i < c->nfiles; i++)
		if (!done[i])
			rc = corrupt(x, &c->files[i], "listed in launcher.cfg but not in the zip");
	zr_iter_free(&it);
	free(done);
	return rc;
}


/* Before the rename: every file is still a regular file (not a symlink, not
 * hard-linked elsewhere) with its size, mode and XXH64. Reads back what was
 * just written (from the page cache); see "Tamper policy" in format.md.
 * With x->fsync_each, also fsyncs each file and directory (the fallback of
 * sync_entry). */
static int verify_all(struct ex *x)
{
	const struct cfg *c = x->job->cfg;
	static unsigned char buf[1 << 16];
	int rc = 0;
	for (size_t i = 0; !rc && i < c->nfiles; i++) {
		const struct cfg_file *f = &c->files[i];
		const char *base;
		char name[CFG_NAME_MAX + 1];
		struct stat st;
		if ((rc = enter_parent(x, f, &base, WALK_VERIFY)))
			break;
		size_t bn = f->path_len - (size_t)(base - f->path);
		memcpy(name, base, bn);
		name[bn] = '\0';
		int fd = openat(x->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			return tampered(x, f, errno == ELOOP ? "was replaced by a symlink" : "disappeared");
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
			rc = tampered(x, f, "is no longer a regular file");
		else if (st.st_nlink != 1)
			rc = tampered(x, f, "got a second hard link");
		else if ((uint64_t)st.st_size != f->size || (st.st_mode & 07777) != f->mode)
			rc = tampered(x, f, "changed size or mode");
		XXH64_reset(&x->hash, 0);
		for (ssize_t n; !rc && (n = read(fd, buf, sizeof buf)) != 0;) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				rc = write_error(x, "read back", f->path, f->path_len, errno);
			else
				XXH64_update(&x->hash, buf, (size_t)n);
			lock_refresh(x->job->lock); /* gigabytes on a slow disk: waiters must keep waiting */
		}
		if (!rc && XXH64_digest(&x->hash) != f->hash)
			rc = tampered(x, f, "changed content");
		if (!rc && x->fsync_each && fsync(fd) != 0) /* see "Durability" in docs/format.md */
			rc = write_error(x, "fsync", f->path, f->path_len, errno);
		lock_refresh(x->job->lock); /* after each fsync, which can take seconds */
		th_point("verified a file");
		close(fd);
	}
	if (!rc && x->fsync_each && (fsync(x->sitefd) != 0 || fsync(x->tmpfd) != 0)) {
		int err = errno;
		pz_error("fsync %s/%s: %s; %s", x->job->root, x->tmp, strerror(err), hint(err));
		rc = pz_exit_for_write_errno(err);
	}
	return rc;
}

/* Make every file and directory of KEY.tmp-PID durable before the rename
 * ("Durability" in docs/format.md). One syncfs writes everything back and
 * commits the journal once, where an fsync per file pays a disk cache flush
 * per file. Writeback is no longer started per file as it is closed either:
 * that made the unpacking itself wait for a busy disk. Pandas + scipy +
 * numpy, 868 files, 6 interleaved first runs on a shared 2-core VM: unpack
 * 2.3 -> 1.2 s, durability 2.0 -> 0.4 s (medians). Where syncfs is refused
 * (a seccomp filter, a kernel without it), every file and directory is
 * fsynced instead. */
static int sync_entry(struct ex *x)
{
	int rc = th_refuse("syncfs") ? (errno = ENOSYS, -1) : syncfs(x->tmpfd);
	int err = errno;
	lock_refresh(x->job->lock);
	th_point("synced");
	if (rc == 0)
		return 0;
	if (err != ENOSYS && err != EPERM && err != EACCES) {
		pz_error("syncfs %s/%s: %s; %s", x->job->root, x->tmp, strerror(err), hint(err));
		return pz_exit_for_write_errno(err);
	}
	pz_debug(x->job->debug, "syncfs: %s; fsyncing each file instead", strerror(err));
	if (x->dirfd >= 0 && x->dirfd != x->sitefd)
		close(x->dirfd);
	x->dirfd = -1;
	x->fsync_each = 1;
	return verify_all(x);
}

static int write_entry_cfg(struct ex *x)
{
	const struct cfg *c = x->job->cfg;
	int fd = openat(x->tmpfd, "entry.cfg", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = 0;
	if (fd < 0 || write_all(fd, c->text, c->len) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0)
		err = errno;
	if (fd >= 0 && close(fd) != 0 && !err)
		err = errno;
	if (!err)
		return 0;
	pz_error("write %s/%s/entry.cfg: %s; %s", x->job->root, x->tmp, strerror(err), hint(err));
	return pz_exit_for_write_errno(err);
}

int extract_entry(const struct extract_job *job)
{
	struct ex x;
	const char *key = job->cfg->key;
	int created, rc;
	memset(&x, 0, sizeof x);
	x.job = job;
	x.tmpfd = x.sitefd = x.dirfd = x.fd = -1;
	snprintf(x.tmp, sizeof x.tmp, "%s.tmp-%ld", key, (long)getpid());
	entry_reclaim(job->rootfd, key, job->debug, job->root);
	if (rmtree_at(job->rootfd, x.tmp) != 0) { /* a leftover of an earlier process with our pid */
		pz_error("remove leftover %s/%s: %s; remove it by hand", job->root, x.tmp, strerror(errno));
		return PZ_EX_IO;
	}
	pz_debug(job->debug, "extracting %zu files into %s/%s", job->cfg->nfiles, job->root, x.tmp);
	if ((x.tmpfd = mkdir_open_at(job->rootfd, x.tmp, 0755, &created)) < 0 ||
	    (x.sitefd = mkdir_open_at(x.tmpfd, "site", 0755, &created)) < 0) {
		int err = errno;
		pz_error("mkdir %s/%s/site: %s; %s", job->root, x.tmp, strerror(err), hint(err));
		rc = pz_exit_for_write_errno(err);
		goto fail;
	}
	th_point("made the tmp directory");
	long t0 = now_ms();
	if ((rc = extract_all(&x)) || (rc = write_entry_cfg(&x)))
		goto fail;
	long t1 = now_ms();
	th_point("wrote entry.cfg");
	if (x.dirfd >= 0 && x.dirfd != x.sitefd)
		close(x.dirfd);
	x.dirfd = -1;
	if ((rc = verify_all(&x)))
		goto fail;
	th_point("verified");
	long t2 = now_ms();
	if ((rc = sync_entry(&x)))
		goto fail;
	/* where a slow first run went: inflate+write, read back, waiting for the disk */
	pz_debug(job->debug, "unpacked in %ld ms, verified in %ld ms, synced in %ld ms", t1 - t0, t2 - t1, now_ms() - t2);
	if (x.dirfd >= 0 && x.dirfd != x.sitefd)
		close(x.dirfd);
	close(x.sitefd), close(x.tmpfd);
	x.dirfd = x.sitefd = x.tmpfd = -1;
	if (renameat(job->rootfd, x.tmp, job->rootfd, key) != 0) {
		int err = errno;
		const char *why;
		struct stat st;
		if ((err == EEXIST || err == ENOTEMPTY) && /* another process won: use theirs */
		    entry_state(job->rootfd, key, geteuid(), &st, &why) == ENTRY_OK) {
			pz_debug(job->debug, "%s/%s appeared meanwhile; using it", job->root, key);
			rmtree_at(job->rootfd, x.tmp);
			return 0;
		}
		pz_error("rename %s/%s to %s: %s; %s", job->root, x.tmp, key, strerror(err), hint(err));
		rc = pz_exit_for_write_errno(err);
		goto fail;
	}
	pz_debug(job->debug, "entry %s/%s complete", job->root, key);
	th_point("renamed into place");
	return 0;
fail:
	if (x.dirfd >= 0 && x.dirfd != x.sitefd)
		close(x.dirfd);
	if (x.sitefd >= 0)
		close(x.sitefd);
	if (x.tmpfd >= 0)
		close(x.tmpfd);
	if (rmtree_at(job->rootfd, x.tmp) != 0)
		pz_debug(job->debug, "cleanup of %s/%s failed: %s", job->root, x.tmp, strerror(errno));
	return rc;
}
