#!/usr/bin/env python3
"""Write hostile bundles (the launcher, then a crafted zip) for scenario 6 of
issue 6. Each targets one thing the launcher must refuse with exit 65.

usage: hostile.py LAUNCHER OUTDIR   (prints the case names, one a line)
"""
import os
import struct
import sys
import warnings
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'launcher-c', 'test'))
from mkbundle import xxh64  # noqa: E402

PAYLOAD = b'\x7fELF' + b'evil' * 64


def cfg(files, key=None):
    """launcher.cfg for [(path, data)]; key computed unless given."""
    flines = ''.join('f %016x %d 755 %s\n' % (xxh64(d), len(d), p) for p, d in files)
    if key is None:
        key = '%016x' % xxh64(('pyzap-entry 1\n' + flines).encode())
    return 'pyzap 1\nname hostile\nversion 1\nkey %s\npyver 3.11\n%s' % (key, flines)


def write(launcher, out, cfg_text, entries, cfg_method=zipfile.ZIP_STORED):
    """Launcher bytes, then a zip: the cfg first, then (name, data[, attributes]) entries."""
    with open(launcher, 'rb') as f:
        head = f.read()
    with open(out, 'wb') as f:
        f.write(head)
    with zipfile.ZipFile(out, 'a') as z:
        if cfg_text is not None:
            z.writestr(zipfile.ZipInfo('.pyzap/launcher.cfg'), cfg_text, cfg_method)
        z.writestr('__main__.py', 'print("ran")\n')
        for entry in entries:
            name, data = entry[0], entry[1]
            zi = zipfile.ZipInfo(name)
            zi.external_attr = (entry[2] if len(entry) > 2 else 0o100755) << 16
            z.writestr(zi, data, zipfile.ZIP_DEFLATED)
    os.chmod(out, 0o755)


def patch(out, find, replace, nth=-1):
    """Replace the nth occurrence of bytes `find` in the file."""
    with open(out, 'rb') as f:
        data = bytearray(f.read())
    pos = [i for i in range(len(data)) if data.startswith(find, i)][nth]
    data[pos:pos + len(replace)] = replace
    with open(out, 'wb') as f:
        f.write(data)


def last_entry(data):
    """Offsets of the last central header and its local header."""
    cd = data.rfind(b'PK\x01\x02')
    return cd, struct.unpack_from('<I', data, cd + 42)[0]


def set_usize(out, usize):
    """Make the last entry's central and local headers say `usize` bytes."""
    with open(out, 'rb') as f:
        data = bytearray(f.read())
    cd, loc = last_entry(data)
    struct.pack_into('<I', data, cd + 24, usize)
    struct.pack_into('<I', data, loc + 22, usize)
    with open(out, 'wb') as f:
        f.write(data)


def zip64_overflow(out):
    """Give the last central header 0xFFFFFFFF sizes and a ZIP64 extra with 2**64-1."""
    with open(out, 'rb') as f:
        data = bytearray(f.read())
    cd, _ = last_entry(data)
    n, m, k = struct.unpack_from('<HHH', data, cd + 28)
    struct.pack_into('<II', data, cd + 20, 0xFFFFFFFF, 0xFFFFFFFF)
    struct.pack_into('<H', data, cd + 30, m + 20)
    at = cd + 46 + n + m
    data[at:at] = b'\x01\x00\x10\x00' + b'\xff' * 16
    eocd = data.rfind(b'PK\x05\x06')
    struct.pack_into('<I', data, eocd + 12, struct.unpack_from('<I', data, eocd + 12)[0] + 20)
    with open(out, 'wb') as f:
        f.write(data)


def share_local_header(out):
    """Point the last central header at the previous entry's local header."""
    with open(out, 'rb') as f:
        data = bytearray(f.read())
    cd, _ = last_entry(data)
    prev = data.rfind(b'PK\x01\x02', 0, cd)
    struct.pack_into('<I', data, cd + 42, struct.unpack_from('<I', data, prev + 42)[0])
    with open(out, 'wb') as f:
        f.write(data)


def eocd_offset(out):
    with open(out, 'rb') as f:
        data = f.read()
    return data.rfind(b'PK\x05\x06'), data


def main():
    launcher, outdir = sys.argv[1], sys.argv[2]
    warnings.simplefilter('ignore')  # zipfile warns about the duplicate name
    os.makedirs(outdir, exist_ok=True)
    good = [('pkg/lib.so', PAYLOAD)]
    site = [('site-packages/pkg/lib.so', PAYLOAD)]
    cases = {}

    def case(name, *args, **kw):
        path = os.path.join(outdir, name + '.pyz')
        write(launcher, path, *args, **kw)
        cases[name] = path
        return path

    # paths that would escape KEY/site: refused by the cfg parser
    case('dotdot', cfg([('../../escaped.so', PAYLOAD)]), [('site-packages/../../escaped.so', PAYLOAD)])
    case('absolute', cfg([('/tmp/escaped.so', PAYLOAD)]), [('site-packages//tmp/escaped.so', PAYLOAD)])
    case('dot-component', cfg([('pkg/./lib.so', PAYLOAD)]), [('site-packages/pkg/./lib.so', PAYLOAD)])
    # the same name twice in the zip
    case('duplicate', cfg(good), site + site)
    # the cfg says one size, the zip another
    case('size-lies', cfg([('pkg/lib.so', PAYLOAD + b'x')]), site)
    # central directory and local header agree, the data inflates to more
    p = case('inflate-lies', cfg(good), [('site-packages/pkg/lib.so', PAYLOAD + b'MORE')])
    set_usize(p, len(PAYLOAD))
    # central directory pointing outside the file
    p = case('cd-outside', cfg(good), site)
    off, data = eocd_offset(p)
    patch(p, data[off:off + 20], data[off:off + 16] + struct.pack('<I', 0xFFFFFF00))
    # a ZIP64 extra whose sizes overflow
    zip64_overflow(case('zip64-overflow', cfg(good), site))
    # a symlink entry (external attributes say S_IFLNK) pointing outside
    case('symlink', cfg([('pkg/link.so', b'/etc/passwd')]), [('site-packages/pkg/link.so', b'/etc/passwd', 0o120777)])
    # not what the launcher expects: no cfg, another format, cfg compressed
    case('no-cfg', None, site)
    case('format-2', cfg(good).replace('pyzap 1', 'pyzap 2', 1), site)
    case('cfg-deflated', cfg(good), site, cfg_method=zipfile.ZIP_DEFLATED)
    case('key-lies', cfg(good, key='0123456789abcdef'), site)
    # two central entries sharing one local header (issue 11 item 11): the
    # same bytes under two names, so sizes and hashes agree
    twins = [('pkg/a.so', PAYLOAD), ('pkg/b.so', PAYLOAD)]
    share_local_header(case('shared-local', cfg(twins), [('site-packages/' + n, d) for n, d in twins]))
    for name in cases:
        print(name)


if __name__ == '__main__':
    main()
