/* msg.c - one-line messages on stderr. */
#include "msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char line[4096];
	size_t cap = sizeof line - 1; /* keep room for the final '\n' */
	int saved = errno;
	int n = snprintf(line, cap, "%s", prefix);
	size_t len = n < 0 ? 0 : (size_t)n;
	if (len < cap) {
		n = vsnprintf(line + len, cap - len, fmt, ap);
		if (n > 0)
			len += (size_t)n;
	}
	if (len >= cap) { /* cut, but say so rather than truncate silently */
		len = cap - 1;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	/* One write so that the line stays whole; nothing useful to do on error. */
	ssize_t w = write(2, line, len);
	(void)w;
	errno = saved;
}

void pz_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("pyzap: ", fmt, ap);
	va_end(ap);
}

void pz_debug(int on, const char *fmt, ...)
{
	va_list ap;
	if (!on)
		return;
	va_start(ap, fmt);
	emit("pyzap: debug: ", fmt, ap);
	va_end(ap);
}

int pz_exit_for_write_errno(int err)
{
	return (err == ENOSPC || err == EDQUOT) ? PZ_EX_NOSPACE : PZ_EX_IO;
}
