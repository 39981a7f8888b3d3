/* unit.h - a minimal test harness: CHECK records a failure and goes on;
 * each TEST function is one counted test. */
#ifndef PYZAP_UNIT_H
#define PYZAP_UNIT_H

#include <stdio.h>

extern int unit_fails; /* failed CHECKs in the running test */

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			unit_fails++;                                                     \
			fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                         \
	} while (0)

typedef void (*unit_fn)(void);
struct unit_test {
	const char *name;
	unit_fn fn;
};

/* Each test file exports a NULL-terminated table. */
extern const struct unit_test zipread_tests[];
extern const struct unit_test cfg_tests[];
extern const struct unit_test lock_tests[];
extern const struct unit_test vector_tests[];

#endif
