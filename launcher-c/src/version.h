/* version.h - the launcher's version and the marker `pyzap inspect` greps for. */
#ifndef PYZAP_VERSION_H
#define PYZAP_VERSION_H

/* The version has one source, packages/cli/package.json ("version"): the
 * Makefile passes it in, so the launcher and the CLI that ships it always
 * agree (the CLI refuses a launcher of another version). */
#ifndef PYZAP_LAUNCHER_VERSION
#error "build with make: PYZAP_LAUNCHER_VERSION comes from packages/cli/package.json"
#endif

#if defined(__linux__)
#define PYZAP_OS "linux"
#elif defined(__APPLE__)
#define PYZAP_OS "macos"
#else
#define PYZAP_OS "unknown"
#endif

#if defined(__x86_64__)
#define PYZAP_ARCH "x86_64"
#elif defined(__aarch64__)
#define PYZAP_ARCH "aarch64"
#else
#define PYZAP_ARCH "unknown"
#endif

/* One string, so `grep -a 'pyzap-launcher '` on a bundle finds the launcher
 * version and platform without running it. */
#define PYZAP_MARKER "pyzap-launcher " PYZAP_LAUNCHER_VERSION " " PYZAP_OS "-" PYZAP_ARCH

#endif
