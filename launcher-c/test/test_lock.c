/* test_lock.c - the mkdir lock: acquire, busy, stale, entry ready, refresh. */
#include "lock.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tmpdir(char *path)
{
	strcpy(path, "/tmp/pyzap-lock-XXXXXX");
	if (!mkdtemp(path))
		abort();
	return open(path, O_RDONLY | O_DIRECTORY);
}

static void set_age(int dirfd, const char *name, long seconds)
{
	struct timespec ts[2];
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= seconds;
	ts[1] = ts[0];
	utimensat(dirfd, name, ts, 0);
}

static void cleanup(int fd, const char *path)
{
	unlinkat(fd, "k.lock", AT_REMOVEDIR);
	unlinkat(fd, "k", AT_REMOVEDIR);
	close(fd);
	rmdir(path);
}

static void test_acquire_release(void)
{
	char path[64];
	struct lock a, b;
	struct stat st;
	int fd = tmpdir(path);
	CHECK(lock_acquire(&a, fd, "k", 1000, 0) == LOCK_ACQUIRED);
	CHECK(fstatat(fd, "k.lock", &st, 0) == 0 && S_ISDIR(st.st_mode));
	CHECK(lock_acquire(&b, fd, "k", 60, 0) == LOCK_TIMEOUT); /* fresh lock: wait, give up */
	lock_release(&a);
	CHECK(fstatat(fd, "k.lock", &st, 0) != 0);
	CHECK(lock_acquire(&b, fd, "k", 60, 0) == LOCK_ACQUIRED);
	lock_release(&b);
	cleanup(fd, path);
}

static void test_stale(void)
{
	char path[64];
	struct lock l;
	int fd = tmpdir(path);
	mkdirat(fd, "k.lock", 0700);
	set_age(fd, "k.lock", 9); /* under 10 s: alive */
	CHECK(lock_acquire(&l, fd, "k", 60, 0) == LOCK_TIMEOUT);
	set_age(fd, "k.lock", 11); /* over 10 s: stale, removed, taken */
	CHECK(lock_acquire(&l, fd, "k", 60, 0) == LOCK_ACQUIRED);
	lock_release(&l);
	cleanup(fd, path);
}

static void test_entry_ready(void)
{
	char path[64];
	struct lock l;
	int fd = tmpdir(path);
	mkdirat(fd, "k.lock", 0700);
	mkdirat(fd, "k", 0755);
	CHECK(lock_acquire(&l, fd, "k", 60, 0) == LOCK_ENTRY_READY);
	cleanup(fd, path);
}

static void test_error_and_refresh(void)
{
	char path[64];
	struct lock l;
	struct stat st;
	int fd = tmpdir(path);
	int file = openat(fd, "f", O_CREAT | O_RDWR, 0600);
	CHECK(lock_acquire(&l, file, "k", 60, 0) == LOCK_ERROR && l.op != NULL);
	close(file);
	unlinkat(fd, "f", 0);
	CHECK(lock_acquire(&l, fd, "k", 60, 0) == LOCK_ACQUIRED);
	set_age(fd, "k.lock", 5);
	lock_refresh(&l); /* less than a second since acquiring: no syscall */
	fstatat(fd, "k.lock", &st, 0);
	CHECK(time(NULL) - st.st_mtime >= 4);
	l.refreshed.tv_sec -= 2;
	lock_refresh(&l);
	fstatat(fd, "k.lock", &st, 0);
	CHECK(time(NULL) - st.st_mtime <= 1);
	lock_release(&l);
	cleanup(fd, path);
}

const struct unit_test lock_tests[] = {
	{ "lock: acquire, busy, release", test_acquire_release },
	{ "lock: stale after 10 s", test_stale },
	{ "lock: entry appeared", test_entry_ready },
	{ "lock: error, refresh", test_error_and_refresh },
	{ NULL, NULL },
};
