/* testhook.h - fault injection for the hardening tests, compiled in only by
 * `make testing` (-DPYZAP_TESTING, build/testing/pyzap-launcher). In the
 * shipped launcher every hook is an empty inline and costs nothing.
 *
 *   PYZAP_TEST_AT=N       at the Nth test point, kill -9 ourselves
 *   PYZAP_TEST_AT=N:stop  at the Nth test point, SIGSTOP ourselves
 *                         (several points: comma-separated, e.g. 5:stop,9:stop)
 *   PYZAP_TEST_TRACE=1    print "pyzap: test point N: WHAT" at each point
 *   PYZAP_TEST_STALE_MS=M a lock is stale after M ms instead of 10 s
 *   PYZAP_TEST_REFUSE=syncfs  syncfs fails with ENOSYS (as under a seccomp
 *                         filter), so the per-file fsync fallback runs
 */
#ifndef PYZAP_TESTHOOK_H
#define PYZAP_TESTHOOK_H

#ifdef PYZAP_TESTING
void th_point(const char *what);
long th_stale_ms(long dflt);
int th_refuse(const char *call);
#else
static inline void th_point(const char *what) { (void)what; }
static inline long th_stale_ms(long dflt) { return dflt; }
static inline int th_refuse(const char *call) { (void)call; return 0; }
#endif

#endif
