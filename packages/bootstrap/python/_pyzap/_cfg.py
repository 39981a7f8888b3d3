"""launcher.cfg, as the launcher reads it (docs/format.md): parsing, limits, path rules.

Used by the no-launcher path (`_extract`) and `PYZAP=` commands; imports
nothing beyond the standard library's basics.
"""
import os

from _pyzap._errors import CORRUPT, PyzapError

CFG_NAME = '.pyzap/launcher.cfg'
CFG_MAX_BYTES = 16 * 1024 * 1024
CFG_MAX_FILES = 1000000
CFG_MAX_LINE = 8192
CFG_NAME_MAX = 255     # bytes per path component
CFG_PATH_MAX = 1024    # bytes per f path
CFG_DEPTH_MAX = 128    # components per f path
HEX = frozenset(b'0123456789abcdef')


class Cfg(object):
    """The parsed launcher.cfg: key ('-' or 16 hex), the files to unpack, the header records."""

    def __init__(self, raw, key, files, flines=(), records=None):
        self.raw = raw
        self.records = records or {}  # name -> value (text) of every header record, 'key' included
        self.key = key
        self.files = files  # [(xxh64 hex, size, mode, path)]
        self.flines = flines  # the f lines as bytes, without their newline (for the key)

    def computed_key(self):
        """XXH64 of "pyzap-entry 1\n" and every f line (docs/format.md, "The key")."""
        from _pyzap._xxh64 import xxh64_hex
        return xxh64_hex(b'pyzap-entry 1\n' + b''.join(line + b'\n' for line in self.flines))


def parse_cfg(raw):
    """Parse and validate launcher.cfg bytes exactly as launcher-c/src/cfg.c
    does (docs/vectors/protocol.txt holds the cases both must agree on);
    raise PyzapError(65) when anything is off."""
    def bad(why):
        return PyzapError(CORRUPT, f'bad .pyzap/launcher.cfg: {why}; rebuild the bundle with pyzap')

    if len(raw) > CFG_MAX_BYTES:
        raise bad(f'larger than {CFG_MAX_BYTES} bytes')
    if not raw.endswith(b'\n'):
        raise bad('not terminated by a newline')
    lines = raw[:-1].split(b'\n')
    key = None
    seen = set()
    records = {}
    files = []
    flines = []
    last = None
    for number, line in enumerate(lines, 1):
        if len(line) > CFG_MAX_LINE:
            raise bad(f'line {number} is longer than {CFG_MAX_LINE} bytes')
        if b'\0' in line:
            raise bad(f'line {number} contains a NUL byte')
        if number == 1:
            if line != b'pyzap 1':
                raise bad(f'first line is {line[:40]!r}, expected "pyzap 1" (format 1)')
            continue
        record, space, rest = line.partition(b' ')
        if not record:
            raise bad(f'line {number}: empty line or record name')
        if record == b'f':
            if not space:
                raise bad(f'line {number}: f line has no fields')
            fields = rest.split(b' ', 3)
            if len(fields) != 4:
                raise bad(f'line {number}: expected "f HASH SIZE MODE PATH"')
            digest, size, mode, path = fields
            if len(digest) != 16 or not set(digest) <= HEX:
                raise bad(f'line {number}: hash must be 16 lowercase hex digits')
            if not _is_size(size):
                raise bad(f'line {number}: size must be a decimal number')
            if mode not in (b'644', b'755'):
                raise bad(f'line {number}: mode must be 644 or 755')
            check_path(path, number, bad)
            if last is not None and path <= last:
                raise bad(f'line {number}: paths are not sorted or repeat ({path.decode("utf-8", "replace")})')
            last = path
            if len(files) >= CFG_MAX_FILES:
                raise bad(f'more than {CFG_MAX_FILES} files')
            files.append((digest.decode('ascii'), int(size), int(mode, 8), os.fsdecode(path)))
            flines.append(line)
        elif record == b'pyzap':
            raise bad(f'line {number}: a second "pyzap" header')
        elif record in RECORDS:
            if not space:
                raise bad(f'line {number}: record {record.decode()!r} has no value')
            if record in seen:
                raise bad(f'line {number}: record {record.decode()!r} appears twice')
            seen.add(record)
            if record == b'key':
                if rest != b'-' and not (len(rest) == 16 and set(rest) <= HEX):
                    raise bad(f'line {number}: key must be 16 lowercase hex digits or "-"')
                key = rest.decode('ascii')
            elif record == b'python' and (not rest.startswith(b'/') or len(rest) > 4095):
                raise bad(f'line {number}: python must be an absolute path of at most 4095 bytes')
            elif record == b'pyver' and not _is_pyver(rest):
                raise bad(f'line {number}: pyver must look like 3.11')
            records[record.decode('ascii')] = rest.decode('utf-8', 'replace')
        elif space:  # any other record: not checked, for forward compatibility
            records[record.decode('utf-8', 'replace')] = rest.decode('utf-8', 'replace')
    if key is None:
        raise bad('no key record')
    if key == '-' and files:
        raise bad(f'key is "-" but there are {len(files)} f lines')
    return Cfg(raw, key, files, flines, records)


RECORDS = (b'name', b'version', b'key', b'python', b'pyver')


def _is_size(s):
    """Decimal, no sign, no leading zero, at most INT64_MAX (an off_t)."""
    return (0 < len(s) <= 19 and s.isdigit() and s.isascii() and not (len(s) > 1 and s[:1] == b'0')
            and int(s) <= 0x7FFFFFFFFFFFFFFF)


def _is_pyver(v):
    major, dot, minor = v.partition(b'.')
    return (bool(dot) and 0 < len(major) <= 3 and 0 < len(minor) <= 3
            and major.isdigit() and minor.isdigit() and major.isascii() and minor.isascii())


def check_path(path, number, bad):
    """A cfg PATH: relative, no empty/./.. component, no NUL; any other bytes (as the launcher)."""
    if not path or path.startswith(b'/') or b'\0' in path:
        raise bad(f'line {number}: path must be relative and without NUL')
    if len(path) > CFG_PATH_MAX:
        raise bad(f'line {number}: path longer than {CFG_PATH_MAX} bytes')
    parts = path.split(b'/')
    for part in parts:
        if part in (b'', b'.', b'..'):
            raise bad(f'line {number}: path has an empty, "." or ".." component')
        if len(part) > CFG_NAME_MAX:
            raise bad(f'line {number}: path has a component longer than {CFG_NAME_MAX} bytes')
    if len(parts) > CFG_DEPTH_MAX:
        raise bad(f'line {number}: path has more than {CFG_DEPTH_MAX} components')
