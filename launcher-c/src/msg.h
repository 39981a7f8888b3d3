/* msg.h - exit codes (docs/format.md) and the one-line error / debug output. */
#ifndef PYZAP_MSG_H
#define PYZAP_MSG_H

/* Exit codes from docs/format.md, "Exit codes". */
enum pz_exit {
	PZ_EX_CORRUPT = 65,   /* bundle corrupt or not a pyzap bundle */
	PZ_EX_SELF = 66,      /* cannot open or read our own file */
	PZ_EX_NOCACHE = 73,   /* no usable cache directory */
	PZ_EX_IO = 74,        /* I/O error while extracting */
	PZ_EX_NOSPACE = 75,   /* disk full or quota while extracting */
	PZ_EX_LOCK = 76,      /* gave up waiting for another extraction */
	PZ_EX_GLIBC = 79,     /* standalone: this system's glibc is older than the runtime needs */
	PZ_EX_NOEXEC = 126,   /* interpreter found but could not be executed */
	PZ_EX_NOPYTHON = 127, /* no interpreter found */
};

/* Print "pyzap: <message>\n" on stderr with a single write(2), so lines
 * from concurrent launchers never interleave. Long messages are cut. */
void pz_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Same, as "pyzap: debug: <message>\n", only when `on` (PYZAP_DEBUG=1). */
void pz_debug(int on, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 74 or 75 for an errno from a write into the cache. */
int pz_exit_for_write_errno(int err);

#endif
