"""docs/vectors/protocol.txt: the Python side of the cache protocol gives the
same answers as the launcher (launcher-c/test/test_vectors.c) and pyzap cache
(test/unit/protocol.test.ts)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'python'))
sys.dont_write_bytecode = True  # no __pycache__ in python/: the CLI copies that directory
from _pyzap import _cacheroot, _cfg, _extract  # noqa: E402
from _pyzap._errors import PyzapError  # noqa: E402
sys.dont_write_bytecode = False

VECTORS = os.path.join(HERE, '..', '..', '..', 'docs', 'vectors', 'protocol.txt')


def unescape(text):
    """The file's escapes: \\n \\t \\\\ \\xHH."""
    out, i, b = bytearray(), 0, text.encode('ascii')
    while i < len(b):
        if b[i:i + 1] != b'\\':
            out += b[i:i + 1]
            i += 1
            continue
        c = b[i + 1:i + 2]
        if c == b'x':
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        else:
            out += {b'n': b'\n', b't': b'\t'}.get(c, c)
            i += 2
    return bytes(out)


def cases(kind):
    with open(VECTORS) as f:
        for line in f:
            line = line.rstrip('\n')
            if line and not line.startswith('#') and line.split('\t')[0] == kind:
                yield line.split('\t')[1:]


class Stat(object):
    def __init__(self, uid, mode):
        self.st_uid, self.st_mode = uid, mode


class VectorsTest(unittest.TestCase):

    def test_cfg(self):
        n = 0
        for verdict, name, text in cases('cfg'):
            n += 1
            with self.subTest(name=name):
                try:
                    cfg = _cfg.parse_cfg(unescape(text))
                    ok = cfg.key == '-' or cfg.computed_key() == cfg.key
                except PyzapError:
                    ok = False
                self.assertEqual(ok, verdict == 'accept')
        self.assertGreater(n, 40)

    def test_every_kind_has_cases(self):
        # A vector file that lost a section must not pass with nothing checked.
        for kind, least in (('cfg', 40), ('dir', 5), ('chain', 5), ('lockage', 5)):
            self.assertGreaterEqual(len(list(cases(kind))), least, kind)

    def test_dir(self):
        for euid, uid, mode, problem in cases('dir'):
            with self.subTest(euid=euid, uid=uid, mode=mode):
                got = _cacheroot._dir_problem(Stat(int(uid), 0o040000 | int(mode, 8)), int(euid))
                self.assertEqual(got or '-', problem)

    def test_chain(self):
        for euid, env, expected in cases('chain'):
            with self.subTest(euid=euid, env=env):
                environ = dict(kv.split('=', 1) for kv in env.split(';')) if env != '-' else {}
                got = [p for p, _ in _cacheroot.cache_candidates(environ, int(euid))]
                self.assertEqual(','.join(got), expected)

    def test_lockage(self):
        for age, verdict in cases('lockage'):
            with self.subTest(age=age):
                self.assertEqual(_extract.lock_age_is_stale(int(age) / 1000.0), verdict == 'stale')


if __name__ == '__main__':
    unittest.main()
