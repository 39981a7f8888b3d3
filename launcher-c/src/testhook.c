/* testhook.c - see testhook.h; empty unless built with -DPYZAP_TESTING. */
#include "testhook.h"

#ifdef PYZAP_TESTING
#include "msg.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void th_point(const char *what)
{
	static long count;
	const char *at = getenv("PYZAP_TEST_AT"), *trace = getenv("PYZAP_TEST_TRACE");
	long n = ++count;
	if (trace && *trace == '1')
		pz_error("test point %ld: %s", n, what);
	for (const char *p = at; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : "") {
		char *end;
		if (strtol(p, &end, 10) == n) /* "N" or "N:stop", comma-separated */
			raise(strncmp(end, ":stop", 5) == 0 ? SIGSTOP : SIGKILL);
	}
}

long th_stale_ms(long dflt)
{
	const char *v = getenv("PYZAP_TEST_STALE_MS");
	return v && *v ? strtol(v, NULL, 10) : dflt;
}

int th_refuse(const char *call)
{
	const char *v = getenv("PYZAP_TEST_REFUSE");
	return v && strcmp(v, call) == 0;
}
#else
typedef int pyzap_testhook_unused; /* ISO C: no empty translation unit */
#endif
