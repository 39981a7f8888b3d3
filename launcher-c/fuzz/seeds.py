#!/usr/bin/env python3
"""Write the fuzzing seed corpus: real bundles made like test/mkbundle.py
does (a stand-in launcher, then a zip appended with absolute offsets, cfg
first), including ZIP64 records, and their launcher.cfg texts.

usage: seeds.py ZIP_DIR CFG_DIR
"""
import io
import os
import sys
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test'))
from mkbundle import xxh64  # noqa: E402

LAUNCHER = b'\x7fELF' + b'\0' * 60  # stands in for the launcher: offsets stay absolute


def cfg_for(files, key_dash=False):
    flines = ''.join('f %016x %d %s %s\n' % (xxh64(d), len(d), m, p) for p, d, m in files)
    key = '-' if key_dash else '%016x' % xxh64(('pyzap-entry 1\n' + flines).encode())
    return ('pyzap 1\nname seed\nversion 1.0\nkey %s\npython /usr/bin/python3\npyver 3.11\n%s'
            % (key, flines)).encode()


def bundle(files, zip64=False, method=zipfile.ZIP_DEFLATED):
    files = sorted(files, key=lambda f: f[0].encode())
    cfg = cfg_for(files)
    buf = io.BytesIO(LAUNCHER)
    buf.seek(len(LAUNCHER))
    with zipfile.ZipFile(buf, 'a') as z:
        z.writestr(zipfile.ZipInfo('.pyzap/launcher.cfg'), cfg, zipfile.ZIP_STORED)
        z.writestr('__main__.py', 'print("hi")\n', zipfile.ZIP_DEFLATED)
        for path, data, mode in files:
            zi = zipfile.ZipInfo('site-packages/' + path)
            zi.external_attr = int(mode, 8) << 16
            if zip64:
                with z.open(zi, 'w', force_zip64=True) as out:
                    out.write(data)
            else:
                z.writestr(zi, data, method)
    return buf.getvalue(), cfg


def main():
    zdir, cdir = sys.argv[1], sys.argv[2]
    os.makedirs(zdir, exist_ok=True)
    os.makedirs(cdir, exist_ok=True)
    so = b'\x7fELF' + bytes(range(256)) * 4
    cases = {
        'one': ([('pkg/_ext.cpython-311-x86_64-linux-gnu.so', so, '755')], {}),
        'two-dirs': ([('a/b/libx.so.1', so[:300], '644'), ('a/c.so', b'x' * 40, '755')], {}),
        'stored': ([('p/q.so', so[:200], '644')], {'method': zipfile.ZIP_STORED}),
        'zip64': ([('z/big.so', so, '755')], {'zip64': True}),
        'empty-file': ([('e/empty.so', b'', '644')], {}),
    }
    for name, (files, kw) in cases.items():
        data, cfg = bundle(files, **kw)
        open(os.path.join(zdir, name + '.pyz'), 'wb').write(data)
        open(os.path.join(cdir, name + '.cfg'), 'wb').write(cfg)
    open(os.path.join(cdir, 'dash.cfg'), 'wb').write(cfg_for([], key_dash=True))


if __name__ == '__main__':
    main()
