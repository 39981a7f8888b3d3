"""_pyzap._commands in-process: the PYZAP=info|env|cache command lines, and the lock prune and clean take."""
import io
import os
import shutil
import sys
import tempfile
import time
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundlekit  # noqa: E402

sys.path.insert(0, bundlekit.PYTHON_DIR)
sys.dont_write_bytecode = True  # no __pycache__ in python/: the CLI copies that directory
from _pyzap import _commands, _extract  # noqa: E402
sys.dont_write_bytecode = False


class CommandLineTest(unittest.TestCase):
    """What `pyzap cache` users type works the same way after `PYZAP=cache ./app.pyz`."""

    def parse(self, command, *args):
        return _commands._parse(command, 'app.pyz', list(args))

    def refused(self, command, *args):
        """The one line a mistake prints (then the usage and exit 2, see test_main_exits_2_on_usage)."""
        with self.assertRaises(_commands.Usage) as cm:
            self.parse(command, *args)
        return str(cm.exception)

    def test_options_and_their_defaults(self):
        self.assertFalse(self.parse('info').json)
        self.assertTrue(self.parse('info', '--json').json)
        env = self.parse('env', '--export')
        self.assertEqual((env.export, env.json), (True, False))
        # --json before or after the cache command, as before argparse.
        self.assertTrue(self.parse('cache', '--json', 'list').json)
        self.assertTrue(self.parse('cache', 'list', '--json').json)
        prune = self.parse('cache', 'prune', '--older-than', '7d', '--max-size=2G', '--dry-run')
        self.assertEqual((prune.command, prune.older_than, prune.max_size, prune.dry_run, prune.json),
                         ('prune', '7d', '2G', True, False))
        clean = self.parse('cache', 'clean', 'abc', '0123456789abcdef')
        self.assertEqual((clean.all, clean.keys), (False, ['abc', '0123456789abcdef']))
        self.assertTrue(self.parse('cache', 'clean', '--all').all)

    def test_mistakes_are_one_line(self):
        self.assertEqual(self.refused('bogus'), 'PYZAP=bogus is not a command: use PYZAP=info, PYZAP=env or '
                                                'PYZAP=cache, or unset PYZAP to run the application')
        self.assertEqual(self.refused('env', '--shell'), 'PYZAP=env takes --export or --json, not --shell')
        self.assertEqual(self.refused('info', 'extra'), 'unknown argument for PYZAP=info app.pyz: extra')
        self.assertEqual(self.refused('cache'), 'PYZAP=cache needs a command: dir, list, prune or clean')
        self.assertIn("invalid choice: 'purge'", self.refused('cache', 'purge'))
        self.assertIn('pyzap cache verify', self.refused('cache', 'verify'))
        self.assertEqual(self.refused('cache', 'prune', '--older-than'),
                         'PYZAP=cache app.pyz prune: argument --older-than: expected one argument')
        # No abbreviations: --dry is not --dry-run (yargs does not guess either).
        self.assertEqual(self.refused('cache', 'prune', '--dry'), 'unknown argument for PYZAP=cache app.pyz prune: --dry')
        self.assertEqual(self.refused('cache', 'list', '--all'), 'unknown argument for PYZAP=cache app.pyz list: --all')

    def test_main_exits_2_on_usage(self):
        stderr = io.StringIO()
        with redirect_stderr(stderr):
            code = _commands.main('cache', '/srv/app.pyz', ['list', '--bogus'])
        self.assertEqual(code, _commands.USAGE)
        lines = stderr.getvalue().splitlines()
        self.assertEqual(lines[0], 'pyzap: unknown argument for PYZAP=cache app.pyz list: --bogus')
        self.assertTrue(lines[1].startswith('usage: PYZAP=info app.pyz'), lines)

    def test_help_exits_0(self):
        stdout = io.StringIO()
        with redirect_stdout(stdout), self.assertRaises(SystemExit) as cm:
            self.parse('cache', 'prune', '--help')
        self.assertEqual(cm.exception.code, 0)
        self.assertIn('--older-than AGE', stdout.getvalue())


class TryLockTest(unittest.TestCase):
    """The one mkdir-lock attempt shared by extraction (which waits on it) and PYZAP=cache prune/clean."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix='pyzap-lock-')
        self.addCleanup(shutil.rmtree, self.root, True)
        self.lock = os.path.join(self.root, '0123456789abcdef.lock')

    def test_free_held_and_stale(self):
        self.assertTrue(_extract.try_lock(self.lock))
        self.assertTrue(os.path.isdir(self.lock))
        self.assertFalse(_extract.try_lock(self.lock), 'a fresh lock is someone else\'s: not broken')
        self.assertEqual(_commands._lock(self.root, '0123456789abcdef'), None)
        old = time.time() - _extract.Settings.lock_stale - 5
        os.utime(self.lock, (old, old))
        self.assertEqual(_commands._lock(self.root, '0123456789abcdef'), self.lock, 'a stale lock is taken over')
        future = time.time() + _extract.Settings.lock_stale + 60
        os.utime(self.lock, (future, future))
        self.assertTrue(_extract.try_lock(self.lock), 'nothing refreshes a lock into the future: stale')


class ScanLockTest(unittest.TestCase):
    """PYZAP=cache list calls a lock stale by the rule the launcher and `pyzap cache` use (lock_age_is_stale)."""

    def test_future_dated_lock_is_stale(self):
        root = tempfile.mkdtemp(prefix='pyzap-scan-')
        self.addCleanup(shutil.rmtree, root, True)
        key = '0123456789abcdef'
        os.mkdir(os.path.join(root, key + '.lock'))
        now = time.time()
        fresh = _commands.scan(root, now)[0]['lock']
        self.assertFalse(fresh['stale'])
        future = now + _extract.Settings.lock_stale + 60  # nothing refreshes a lock into the future
        os.utime(os.path.join(root, key + '.lock'), (future, future))
        self.assertTrue(_commands.scan(root, now)[0]['lock']['stale'])


class ExpandKeyTest(unittest.TestCase):
    """clean takes the keys PYZAP=cache list shows, res- ones too, whole or by a unique prefix."""

    def test_resource_keys(self):
        root = tempfile.mkdtemp(prefix='pyzap-scan-')
        self.addCleanup(shutil.rmtree, root, True)
        for key in ('0123456789abcdef', 'res-0123456789abcdef'):
            os.mkdir(os.path.join(root, key))
        self.assertEqual(_commands._expand_key(root, 'res-01'), 'res-0123456789abcdef')
        self.assertEqual(_commands._expand_key(root, 'res-0123456789ab'), 'res-0123456789abcdef')
        self.assertEqual(_commands._expand_key(root, 'res-fedcba9876543210'), 'res-fedcba9876543210')
        self.assertEqual(_commands._expand_key(root, '01'), '0123456789abcdef')

    def test_bytecode_keys(self):
        """pyc-H (bytecode packs, _bytecode): listed as kind "bytecode", its files counted, cleaned by key."""
        root = tempfile.mkdtemp(prefix='pyzap-scan-')
        self.addCleanup(shutil.rmtree, root, True)
        os.mkdir(os.path.join(root, 'pyc-0123456789abcdef'))
        for name, size in (('0', 100), ('1', 23)):
            with open(os.path.join(root, 'pyc-0123456789abcdef', name), 'wb') as f:
                f.write(b'x' * size)
        self.assertEqual(_commands._expand_key(root, 'pyc-01'), 'pyc-0123456789abcdef')
        [e] = _commands.scan(root)
        self.assertEqual((e['key'], e['kind'], e['state'], e['files'], e['bytes']),
                         ('pyc-0123456789abcdef', 'bytecode', 'complete', 2, 123))
        stdout = io.StringIO()
        from unittest import mock
        with redirect_stdout(stdout), mock.patch.dict(os.environ, {'PYZAP_CACHE': root}):
            self.assertEqual(_commands.main('cache', '/srv/app.pyz', ['clean', 'pyc-0123']), 0)
        self.assertEqual(os.listdir(root), [])


class ScanEntryCfgTest(unittest.TestCase):
    """PYZAP=cache list names an entry from its entry.cfg as `pyzap cache list` does: parsed by
    the launcher's rules (_cfg), nothing from a malformed one."""

    def entry(self, cfg):
        root = tempfile.mkdtemp(prefix='pyzap-scan-')
        self.addCleanup(shutil.rmtree, root, True)
        os.makedirs(os.path.join(root, '0123456789abcdef', 'site'))
        with open(os.path.join(root, '0123456789abcdef', 'entry.cfg'), 'wb') as f:
            f.write(cfg)
        return _commands.scan(root)[0]['bundles'][0]

    def test_name_and_version(self):
        found = self.entry(b'pyzap 1\nname caf\xc3\xa9-app\nversion 2.0\nfuture x y\nkey -\n')
        self.assertEqual((found['name'], found['version']), ('caf\xe9-app', '2.0'))

    def test_malformed_names_nothing(self):
        found = self.entry(b'pyzap 1\nname forged\nname twice\nkey -\n')
        self.assertEqual((found['name'], found['version']), (None, None))


if __name__ == '__main__':
    unittest.main()
