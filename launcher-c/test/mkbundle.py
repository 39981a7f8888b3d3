#!/usr/bin/env python3
"""Make a pyzap bundle by hand for test/smoke.sh: copy the launcher, then
append a zip (zipfile 'a' mode on a non-zip writes ABSOLUTE offsets, which is
the bundle layout) with .pyzap/launcher.cfg first.

usage: mkbundle.py LAUNCHER OUT [--python P] [--pyver X.Y] [--bad-hash]
                   [--bad-key] [--no-files] [--main FILE] SRC:PATH:MODE ...
"""
import argparse
import shutil
import zipfile

M = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def _round(acc, lane):
    return (_rotl((acc + lane * P2) & M, 31) * P1) & M


def xxh64(data, seed=0):
    """XXH64 in pure Python (the stdlib has none); checked against known vectors."""
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = _round(v[k], int.from_bytes(data[i:i + 8], 'little'))
                i += 8
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & M
        for k in range(4):
            h = ((h ^ _round(0, v[k])) * P1 + P4) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 8 <= n:
        h = (_rotl(h ^ _round(0, int.from_bytes(data[i:i + 8], 'little')), 27) * P1 + P4) & M
        i += 8
    if i + 4 <= n:
        h = (_rotl(h ^ (int.from_bytes(data[i:i + 4], 'little') * P1 & M), 23) * P2 + P3) & M
        i += 4
    while i < n:
        h = (_rotl(h ^ (data[i] * P5 & M), 11) * P1) & M
        i += 1
    h ^= h >> 33
    h = (h * P2) & M
    h ^= h >> 29
    h = (h * P3) & M
    return h ^ (h >> 32)


assert xxh64(b'') == 0xEF46DB3751D8E999
assert xxh64(b'abc') == 0x44BC2CF5AD770999
assert xxh64(b'a' * 100) == xxh64(bytes(b'a' * 100))

MAIN = '''\
import os, sys
print("ARGV=" + repr(sys.argv[1:]))
for k in ("PYTHONPATH", "PYZAP_ARCHIVE", "PYZAP_ENTRY_DIR", "PYZAP_ARGV0"):
    print(k + "=" + os.environ.get(k, "<unset>"))
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('launcher')
    ap.add_argument('out')
    ap.add_argument('files', nargs='*', help='SRC:PATH:MODE')
    ap.add_argument('--python', default=None)
    ap.add_argument('--pyver', default=None)
    ap.add_argument('--bad-hash', action='store_true', help='f line hash off by one')
    ap.add_argument('--bad-key', action='store_true', help='key that does not match')
    ap.add_argument('--main', default=None, help='__main__.py to use')
    a = ap.parse_args()
    files = []
    for spec in a.files:
        src, path, mode = spec.rsplit(':', 2)
        data = open(src, 'rb').read()
        files.append((path, data, mode))
    files.sort(key=lambda f: f[0].encode())
    flines = []
    for i, (path, data, mode) in enumerate(files):
        h = xxh64(data) ^ (1 if a.bad_hash and i == 0 else 0)
        flines.append('f %016x %d %s %s\n' % (h, len(data), mode, path))
    key = '%016x' % xxh64(('pyzap-entry 1\n' + ''.join(flines)).encode()) if files else '-'
    if a.bad_key:
        key = '0123456789abcdef'
    cfg = 'pyzap 1\nname smoke\nversion 0.0.1\nkey %s\n' % key
    if a.python:
        cfg += 'python %s\n' % a.python
    if a.pyver:
        cfg += 'pyver %s\n' % a.pyver
    cfg += ''.join(flines)
    shutil.copyfile(a.launcher, a.out)
    main_py = open(a.main).read() if a.main else MAIN
    with zipfile.ZipFile(a.out, 'a') as z:
        z.writestr(zipfile.ZipInfo('.pyzap/launcher.cfg'), cfg, zipfile.ZIP_STORED)
        z.writestr('__main__.py', main_py, zipfile.ZIP_DEFLATED)
        for path, data, mode in files:
            zi = zipfile.ZipInfo('site-packages/' + path)
            zi.external_attr = int(mode, 8) << 16
            z.writestr(zi, data, zipfile.ZIP_DEFLATED)
    print(key)


if __name__ == '__main__':
    main()
