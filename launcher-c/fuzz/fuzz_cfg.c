/* fuzz_cfg.c - libFuzzer harness over launcher.cfg: the warm path's header
 * parse, the full parse with its limits, and the key check. The text is
 * NUL-terminated like zr_read_stored() returns it. */
#include "cfg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct cfg c;
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cfg_parse_header(&c, text, size, err, sizeof err) == 0 && c.f_lines > CFG_MAX_FILES)
		abort(); /* the header parse must enforce the same cap */
	cfg_free(&c);
	if (cfg_parse_limited(&c, text, size, 64, err, sizeof err) == 0)
		cfg_check_key(&c, err, sizeof err);
	cfg_free(&c);
	if (cfg_parse(&c, text, size, err, sizeof err) == 0)
		cfg_check_key(&c, err, sizeof err);
	cfg_free(&c);
	free(text);
	return 0;
}
