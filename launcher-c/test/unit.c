/* unit.c - runs every table, prints "N passed, N failed". */
#include "unit.h"

#include <string.h>

int unit_fails;

int main(int argc, char **argv)
{
	const struct unit_test *tables[] = { zipread_tests, cfg_tests, lock_tests, vector_tests };
	int passed = 0, failed = 0;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		for (const struct unit_test *u = tables[t]; u->name; u++) {
			if (argc > 1 && !strstr(u->name, argv[1]))
				continue;
			unit_fails = 0;
			u->fn();
			if (unit_fails) {
				failed++;
				printf("FAIL %s\n", u->name);
			} else {
				passed++;
			}
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
