/* cacheroot.c - the root chain: each candidate is checked through an open
 * directory fd (no check-then-use on paths), and the reason each one was
 * skipped is kept for the error message. */
#include "cacheroot.h"
#include "fsutil.h"
#include "msg.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

void roots_init(struct roots *r, int debug)
{
	memset(r, 0, sizeof *r);
	r->debug = debug;
	r->euid = geteuid();
}

void roots_skip(struct roots *r, const char *path, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	pz_debug(r->debug, "cache root %s skipped: %s", path, why);
	size_t cap = sizeof r->reasons, used = r->reasons_len;
	int n = snprintf(r->reasons + used, cap - used, "%s%s (%s)", used ? "; " : "", path, why);
	if (n < 0 || (size_t)n >= cap - used) { /* full: end with "..." rather than cut silently */
		memcpy(r->reasons + cap - 4, "...", 4);
		r->reasons_len = cap - 1;
	} else {
		r->reasons_len += (size_t)n;
	}
}

void root_close(struct root *root)
{
	if (root->fd >= 0)
		close(root->fd);
	root->fd = -1;
}

/* Only an absolute value of a variable is used. */
static const char *abs_env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] == '/' ? v : NULL;
}

/* Candidate i as a path; *make_parent for ~/.cache and $XDG_CACHE_HOME,
 * *allow_link for $PYZAP_CACHE. 0 if i is past the end, -1 if i does not
 * apply here (variable unset), 1 if path was filled. */
static int candidate(struct roots *r, int i, char *path, size_t cap, int *make_parent,
		     int *allow_link)
{
	const char *v;
	int n = -1;
	*make_parent = *allow_link = 0;
	switch (i) {
	case 0:
		if (!(v = getenv("PYZAP_CACHE")) || !*v)
			return -1;
		*allow_link = 1;
		n = snprintf(path, cap, "%s", v);
		break;
	case 1:
		if (r->euid == 0)
			n = snprintf(path, cap, "/var/cache/pyzap");
		else if ((v = abs_env("XDG_CACHE_HOME")))
			*make_parent = 1, n = snprintf(path, cap, "%s/pyzap", v);
		else if ((v = abs_env("HOME")))
			*make_parent = 1, n = snprintf(path, cap, "%s/.cache/pyzap", v);
		else
			return roots_skip(r, "$HOME/.cache/pyzap", "HOME is not set to an absolute path"), -1;
		break;
	case 2:
		if (!(v = abs_env("XDG_RUNTIME_DIR")))
			return -1;
		n = snprintf(path, cap, "%s/pyzap", v);
		break;
	case 3: n = snprintf(path, cap, "/var/tmp/pyzap-%u", (unsigned)r->euid); break;
	case 4: n = snprintf(path, cap, "/tmp/pyzap-%u", (unsigned)r->euid); break;
	case 5: n = snprintf(path, cap, "/dev/shm/pyzap-%u", (unsigned)r->euid); break;
	default: return 0;
	}
	if (n < 0 || (size_t)n >= cap) {
		roots_skip(r, "(candidate)", "path longer than %zu bytes", cap - 1);
		return -1;
	}
	return 1;
}

/* Create path's parent (0700) if missing: ~/.cache or $XDG_CACHE_HOME. An
 * existing one may be a symlink (~/.cache on a bigger disk): the root is
 * then judged where it really is, ancestors included (check()). */
static int make_parent_dir(const char *path)
{
	char parent[ROOT_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n == 0)
		return 0;
	memcpy(parent, path, n);
	parent[n] = '\0';
	if (mkdir(parent, 0700) == 0)
		return chmod(parent, 0700); /* exactly 0700 whatever the umask */
	return errno == EEXIST ? 0 : -1;
}

/* The path the kernel has for the open directory fd; -1 + why if it has none
 * we can use (deleted, too long, or with ':'). */
static int real_path_of(int fd, char *out, size_t cap, char *why, size_t whycap)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, out, cap);
	if (n <= 0 || (size_t)n >= cap || out[0] != '/') {
		snprintf(why, whycap, "cannot resolve its real path (%s)", n < 0 ? strerror(errno) : "too long");
		return -1;
	}
	out[n] = '\0';
	if ((size_t)n > ROOT_REAL_MAX) { /* ROOT/KEY.tmp-PID/site/PATH must fit PATH_MAX for every tool */
		snprintf(why, whycap, "its real path is longer than %d bytes", ROOT_REAL_MAX);
		return -1;
	}
	if (strchr(out, ':')) {
		snprintf(why, whycap, "its real path contains ':', which cannot go on PYTHONPATH");
		return -1;
	}
	return 0;
}

int roots_candidate(struct roots *r, int i, char *path, size_t cap)
{
	int make_parent, allow_link;
	return candidate(r, i, path, cap, &make_parent, &allow_link);
}

/* Open and check one candidate; on failure record why and return -1. */
static int check(struct roots *r, const char *path, int make_parent, int allow_link, struct root *out)
{
	struct stat st;
	struct statvfs vfs;
	int fd, created = 0, nofollow = O_NOFOLLOW;
	if (path[0] != '/')
		return roots_skip(r, path, "not an absolute path"), -1;
	if (strchr(path, ':'))
		return roots_skip(r, path, "contains ':', which cannot go on PYTHONPATH"), -1;
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT)
			return roots_skip(r, path, "lstat: %s", strerror(errno)), -1;
		if (make_parent && make_parent_dir(path) != 0)
			return roots_skip(r, path, "cannot create its parent: %s", strerror(errno)), -1;
		if ((fd = mkdir_open_at(AT_FDCWD, path, 0755, &created)) < 0)
			return roots_skip(r, path, "mkdir: %s", strerror(errno)), -1;
		pz_debug(r->debug, "cache root %s: %s", path, created ? "created (0755)" : "appeared");
	} else {
		if (S_ISLNK(st.st_mode)) {
			if (!allow_link)
				return roots_skip(r, path, "is a symlink"), -1;
			if (st.st_uid != r->euid && st.st_uid != 0)
				return roots_skip(r, path, "is a symlink owned by uid %u", (unsigned)st.st_uid), -1;
			nofollow = 0; /* $PYZAP_CACHE may be a link of ours or root's */
		}
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow)) < 0)
			return roots_skip(r, path, "open: %s", strerror(errno)), -1;
	}
	const char *why = NULL;
	char buf[128];
	if (fstat(fd, &st) != 0) {
		snprintf(buf, sizeof buf, "fstat: %s", strerror(errno)), why = buf;
	} else if (st.st_uid != r->euid) {
		snprintf(buf, sizeof buf, "owned by uid %u, not by you (uid %u)", (unsigned)st.st_uid,
			 (unsigned)r->euid), why = buf;
	} else if (st.st_mode & 022) {
		snprintf(buf, sizeof buf, "writable by group or others (mode %04o)",
			 (unsigned)(st.st_mode & 07777)), why = buf;
	} else if ((st.st_mode & 0300) != 0300) {
		snprintf(buf, sizeof buf, "not writable by you (mode %04o)", (unsigned)(st.st_mode & 07777)),
			why = buf;
	} else if (fstatvfs(fd, &vfs) != 0) {
		snprintf(buf, sizeof buf, "fstatvfs: %s", strerror(errno)), why = buf;
	} else if (vfs.f_flag & ST_NOEXEC) {
		why = "on a filesystem mounted noexec";
	}
	char real[ROOT_PATH_MAX], why2[256];
	if (!why && trust_dir_ancestors(fd, r->euid, why2, sizeof why2) != 0)
		why = why2; /* another user could swap the root (or its entry) after this check */
	if (!why && real_path_of(fd, real, sizeof real, buf, sizeof buf) != 0)
		why = buf;
	if (why) {
		close(fd);
		roots_skip(r, path, "%s", why);
		return -1;
	}
	/* Python gets the path of the directory that was checked: resolved, so
	 * no symlink on the way (in a place we did not check) can redirect it. */
	if (strcmp(real, path) != 0)
		pz_debug(r->debug, "cache root %s is %s", path, real);
	snprintf(out->path, sizeof out->path, "%s", real);
	out->fd = fd;
	return 0;
}

int roots_next(struct roots *r, struct root *out)
{
	char path[ROOT_PATH_MAX];
	int make_parent, allow_link, c;
	out->fd = -1;
	while ((c = candidate(r, r->next++, path, sizeof path, &make_parent, &allow_link)) != 0) {
		if (c < 0)
			continue;
		if (check(r, path, make_parent, allow_link, out) == 0) {
			pz_debug(r->debug, "cache root %s: usable", path);
			return 1;
		}
	}
	return 0;
}

int root_probe_exec(struct roots *r, struct root *root)
{
	char name[32];
	int fd;
	void *p;
	snprintf(name, sizeof name, ".probe-%ld", (long)getpid());
	unlinkat(root->fd, name, 0); /* a leftover of an earlier process with our pid */
	fd = openat(root->fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		roots_skip(r, root->path, "cannot create %s: %s", name, strerror(errno));
		return root_close(root), -1;
	}
	if (write_all(fd, "\x7f", 1) != 0) {
		roots_skip(r, root->path, "cannot write %s: %s", name, strerror(errno));
		close(fd), unlinkat(root->fd, name, 0);
		return root_close(root), -1;
	}
	p = mmap(NULL, 1, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	int err = errno;
	close(fd);
	unlinkat(root->fd, name, 0);
	if (p == MAP_FAILED) {
		roots_skip(r, root->path, "does not allow executable mappings (mmap PROT_EXEC: %s)",
			   strerror(err));
		return root_close(root), -1;
	}
	munmap(p, 1);
	pz_debug(r->debug, "cache root %s: exec probe ok", root->path);
	return 0;
}
