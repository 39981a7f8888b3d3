"""_pyzap._extract in-process: launcher.cfg validation, the cache-root chain, lock timeout."""
import os
import shutil
import stat
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundlekit  # noqa: E402

sys.path.insert(0, bundlekit.PYTHON_DIR)
sys.dont_write_bytecode = True  # no __pycache__ in python/: the CLI copies that directory
from _pyzap import _extract  # noqa: E402
sys.dont_write_bytecode = False

GOOD = (b'pyzap 1\nname demo\nversion 1.0\nkey 0123456789abcdef\npython /usr/bin/python3\n'
        b'pyver 3.11\nfuture record ignored\n'
        b'f 00000000000000aa 12 755 a/b c.so\n'
        b'f 00000000000000bb 0 644 a/z.so\n')


class ParseCfgTest(unittest.TestCase):

    def assert_bad(self, raw, message):
        with self.assertRaises(_extract.PyzapError) as cm:
            _extract.parse_cfg(raw)
        self.assertEqual(cm.exception.code, 65)
        self.assertIn(message, cm.exception.message)

    def test_valid(self):
        cfg = _extract.parse_cfg(GOOD)
        self.assertEqual(cfg.key, '0123456789abcdef')
        self.assertEqual(cfg.files, [('00000000000000aa', 12, 0o755, 'a/b c.so'),
                                     ('00000000000000bb', 0, 0o644, 'a/z.so')])

    def test_header(self):
        self.assert_bad(GOOD.replace(b'pyzap 1', b'pyzap 2'), 'expected "pyzap 1"')
        self.assert_bad(GOOD[:-1], 'not terminated by a newline')

    def test_bad_paths(self):
        for path in (b'/abs', b'a//b', b'./a', b'a/../b', b'a/', b'..', b'a\0b'):
            with self.subTest(path=path):
                raw = b'pyzap 1\nkey 0123456789abcdef\nf 00000000000000aa 1 644 ' + path + b'\n'
                with self.assertRaises(_extract.PyzapError):
                    _extract.parse_cfg(raw)

    def test_fields(self):
        self.assert_bad(GOOD.replace(b'00000000000000aa', b'00000000000000AA'), 'hash')
        self.assert_bad(GOOD.replace(b' 12 755', b' -1 755'), 'size')
        self.assert_bad(GOOD.replace(b' 12 755', b' 12 600'), 'mode')
        self.assert_bad(GOOD.replace(b'key 0123456789abcdef', b'key 0123'), 'key must be')
        self.assert_bad(GOOD.replace(b'key 0123456789abcdef\n', b''), 'no key record')
        self.assert_bad(GOOD.replace(b'a/z.so', b'a/a.so'), 'not sorted')
        self.assert_bad(GOOD.replace(b'a/z.so', b'a/b c.so'), 'not sorted or repeat')

    def test_limits(self):
        line = b'name ' + b'x' * (8192 - 5) + b'\n'
        self.assertEqual(len(line), 8193)  # 8192 bytes plus the newline: allowed
        _extract.parse_cfg(b'pyzap 1\nkey -\n' + line)
        self.assert_bad(b'pyzap 1\nkey -\n' + line[:-1] + b'y\n', 'longer than 8192')
        f = b'pyzap 1\nkey 0123456789abcdef\nf 00000000000000aa 1 644 %s\n'
        _extract.parse_cfg(f % (b'a/' * 127 + b'b'))
        self.assert_bad(f % (b'a/' * 128 + b'b'), 'more than 128 components')
        _extract.parse_cfg(f % ((b'x' * 204 + b'/') * 4 + b'x' * 204))
        self.assert_bad(f % ((b'x' * 204 + b'/') * 4 + b'x' * 205), 'longer than 1024 bytes')
        self.assert_bad(f % (b'x' * 256), 'component longer than 255 bytes')

    def test_dash_key(self):
        self.assertEqual(_extract.parse_cfg(b'pyzap 1\nkey -\n').key, '-')


class CandidatesTest(unittest.TestCase):

    def test_user_chain(self):
        env = {'PYZAP_CACHE': '/c', 'HOME': '/home/u', 'XDG_RUNTIME_DIR': '/run/user/1000'}
        self.assertEqual(_extract.cache_candidates(env, 1000), [
            ('/c', True), ('/home/u/.cache/pyzap', False), ('/run/user/1000/pyzap', False),
            ('/var/tmp/pyzap-1000', False), ('/tmp/pyzap-1000', False), ('/dev/shm/pyzap-1000', False)])

    def test_xdg_cache_home_only_if_absolute(self):
        first = lambda env: _extract.cache_candidates(env, 1000)[0][0]  # noqa: E731
        self.assertEqual(first({'XDG_CACHE_HOME': '/x', 'HOME': '/h'}), '/x/pyzap')
        self.assertEqual(first({'XDG_CACHE_HOME': 'rel', 'HOME': '/h'}), '/h/.cache/pyzap')

    def test_root_chain(self):
        self.assertEqual(_extract.cache_candidates({'HOME': '/root'}, 0)[:2],
                         [('/var/cache/pyzap', False), ('/var/tmp/pyzap-0', False)])


class ReclaimTest(unittest.TestCase):
    """What an entry's extraction and a resource copy (res-H) leave behind when killed is removed
    by the next one, and only that."""

    def test_dead_processes_leftovers_only(self):
        from _pyzap import _cacheroot
        root = tempfile.mkdtemp(prefix='pyzap-reclaim-')
        self.addCleanup(shutil.rmtree, root, True)
        dead = 2 ** 22 + 12345  # above the usual pid_max: no such process
        key = 'res-0123456789abcdef'
        names = [key + '.tmp-%d' % dead, key + '.bad-%d' % dead, key + '.tmp-%d' % os.getpid(),
                 key + '.tmp-1', key, 'res-fedcba9876543210.tmp-%d' % dead]
        for name in names:
            os.mkdir(os.path.join(root, name))
        _cacheroot.reclaim(root, key)
        self.assertEqual(sorted(os.listdir(root)), sorted(names[2:]))

    def test_a_dead_processes_pack_copy(self):
        """A bytecode pack's copy being written is a file, ROOT/pyc-H/N.tmp-PID: removed the same way."""
        from _pyzap import _cacheroot
        pyc = tempfile.mkdtemp(prefix='pyzap-reclaim-')
        self.addCleanup(shutil.rmtree, pyc, True)
        dead = 2 ** 22 + 12345
        names = ['3.tmp-%d' % dead, '3.tmp-%d' % os.getpid(), '3', '4.tmp-%d' % dead]
        for name in names:
            with open(os.path.join(pyc, name), 'wb') as f:
                f.write(b'partial')
        _cacheroot.reclaim(pyc, '3')
        self.assertEqual(sorted(os.listdir(pyc)), sorted(names[1:]))


class CacheRootTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='pyzap-root-')
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_creates_missing_root_and_parents(self):
        root = os.path.join(self.tmp, 'home', '.cache', 'pyzap')
        old = os.umask(0o077)
        try:
            self.assertIsNone(_extract.check_root(root, False))
        finally:
            os.umask(old)
        self.assertEqual(stat.S_IMODE(os.stat(root).st_mode), 0o755)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(root)).st_mode), 0o700)

    def test_no_usable_cache_directory_exits_73_naming_each(self):
        a_file = os.path.join(self.tmp, 'file')
        open(a_file, 'w').close()
        shared = os.path.join(self.tmp, 'shared')
        os.mkdir(shared)
        os.chmod(shared, 0o777)
        link = os.path.join(self.tmp, 'link')
        os.symlink(shared, link)
        candidates = [(a_file, True), (a_file + '/pyzap', False), (shared, False), (link, False),
                      ('relative/pyzap', False), (self.tmp + '/a:b', False)]
        with self.assertRaises(_extract.PyzapError) as cm:
            _extract.ensure_entry('/nonexistent.pyz', '0123456789abcdef', candidates)
        err = cm.exception
        self.assertEqual(err.code, 73)
        self.assertEqual(err.message,
                         'no usable cache directory: '
                         '%s (not a directory), %s/pyzap (Not a directory), '
                         '%s (writable by group or others (mode 0777)), %s (is a symlink), '
                         'relative/pyzap (not an absolute path), '
                         "%s/a:b (contains ':' (cannot go on PYTHONPATH)); "
                         'set PYZAP_CACHE to a directory you own, not writable by others, '
                         'on a filesystem that allows exec' % (a_file, a_file, shared, link, self.tmp))

    def _linked_dir(self):
        """TMP/real (0755) and TMP/link -> it, ours: (real, link)."""
        real = os.path.join(self.tmp, 'real')
        os.mkdir(real, 0o755)
        os.chmod(real, 0o755)
        link = os.path.join(self.tmp, 'link')
        os.symlink(real, link)
        return real, link

    def test_explicit_symlink_owned_by_us_is_followed(self):
        real, link = self._linked_dir()
        self.assertIsNone(_extract.check_root(link, True))
        self.assertEqual(_extract.check_root(link, False), 'is a symlink')

    def test_root_under_a_directory_others_can_write_is_refused(self):
        # Issue 11 item 1: another user could rename the root (or its KEY)
        # and put theirs in its place after the check.
        for mode, refused in ((0o777, True), (0o775, True), (0o1777, False), (0o755, False)):
            shared = os.path.join(self.tmp, 'shared-%o' % mode)
            os.mkdir(shared)
            os.chmod(shared, mode)
            root = os.path.join(shared, 'victim', 'pyzap')
            real, why = _extract.checked_root(root, False)
            if refused:
                self.assertIsNone(real)
                self.assertEqual(why, 'an ancestor directory is writable by group or others '
                                      'without the sticky bit (mode %04o)' % mode)
            else:
                self.assertIsNone(why)
                self.assertEqual(real, os.path.realpath(root))

    def test_root_too_long_for_its_files_is_refused(self):
        # Issue 11 item 10: ROOT/KEY.tmp-PID/site/PATH must fit PATH_MAX for
        # every tool that later walks the entry (prune, verify, rm).
        deep = self.tmp
        from _pyzap._cacheroot import ROOT_REAL_MAX
        self.assertEqual(ROOT_REAL_MAX, 3008)
        while len(deep) <= ROOT_REAL_MAX:
            deep = os.path.join(deep, 'd' * 200)
            os.mkdir(deep, 0o755)
        real, why = _extract.checked_root(os.path.join(deep, 'pyzap'), False)
        self.assertIsNone(real)
        self.assertEqual(why, 'its real path is longer than 3008 bytes')

    def test_real_path_is_what_python_gets(self):
        real, link = self._linked_dir()
        self.assertEqual(_extract.checked_root(link, True), (os.path.realpath(real), None))

    def test_probe_exec_on_a_normal_directory(self):
        self.assertIsNone(_extract.probe_exec(self.tmp))
        self.assertEqual(os.listdir(self.tmp), [])

    def test_lock_timeout_exits_76(self):
        class Quick(_extract.Settings):
            lock_timeout = 0.2
        root = os.path.join(self.tmp, 'cache')
        os.mkdir(root, 0o755)
        os.mkdir(os.path.join(root, '0123456789abcdef.lock'))
        with self.assertRaises(_extract.PyzapError) as cm:
            _extract.extract('/nonexistent.pyz', '0123456789abcdef', root, Quick)
        self.assertEqual(cm.exception.code, 76)
        self.assertIn('remove %s/0123456789abcdef.lock' % root, cm.exception.message)
        self.assertTrue(os.path.isdir(os.path.join(root, '0123456789abcdef.lock')))  # not ours

    def test_unreadable_bundle_is_65_and_releases_the_lock(self):
        root = os.path.join(self.tmp, 'cache')
        os.mkdir(root, 0o755)
        with self.assertRaises(_extract.PyzapError) as cm:
            _extract.extract(os.path.join(self.tmp, 'missing.pyz'), '0123456789abcdef', root)
        self.assertEqual(cm.exception.code, 65)
        self.assertEqual(os.listdir(root), [])

    def test_disk_full_is_75_and_other_io_errors_74(self):
        import errno
        full = _extract._io_error(OSError(errno.ENOSPC, 'No space left on device'), 'cannot extract')
        self.assertEqual(full.code, 75)
        quota = _extract._io_error(OSError(errno.EDQUOT, 'Disk quota exceeded'), 'cannot extract')
        self.assertEqual(quota.code, 75)
        other = _extract._io_error(OSError(errno.EIO, 'Input/output error', '/c/x'), 'cannot extract')
        self.assertEqual(other.code, 74)
        self.assertEqual(other.message, 'cannot extract: /c/x: Input/output error; check the cache '
                                        'directory or set PYZAP_CACHE to another one')

    def test_lock_is_refreshed_while_extracting(self):
        native = bundlekit.demo_native(self.tmp)
        if native is None:
            self.skipTest('needs gcc')
        app = os.path.join(self.tmp, 'app.pyz')
        key = bundlekit.make_bundle(app, bundlekit.demo_files(), native)
        root = os.path.join(self.tmp, 'cache')
        os.mkdir(root, 0o755)
        refreshed = []
        real_refresh = _extract._refresh

        def spy(lock):
            refreshed.append(os.path.isdir(lock))
            real_refresh(lock)

        class Always(_extract.Settings):
            lock_refresh = 0.0

        _extract._refresh = spy
        try:
            entry = _extract.extract(app, key, root, Always)
        finally:
            _extract._refresh = real_refresh
        self.assertEqual(entry, os.path.join(root, key))
        self.assertTrue(refreshed and all(refreshed))
        self.assertEqual(sorted(os.listdir(root)), [key])

    def _poisoned(self, **kw):
        """A bundle whose natives are not what its cfg says; extracted by the
        Python fallback (explicit candidates: no launcher is run)."""
        app = os.path.join(self.tmp, 'poison.pyz')
        rel, data = 'demo/_x.so', b'\x7fELF' + b'a' * 60
        key = bundlekit.make_bundle(app, bundlekit.demo_files(), {'demo._x': (rel, data)}, **kw)
        root = os.path.join(self.tmp, 'cache')
        os.mkdir(root, 0o755)
        with self.assertRaises(_extract.PyzapError) as cm:
            _extract.ensure_entry(app, key, [(root, True)])
        self.assertEqual(cm.exception.code, 65)
        self.assertEqual(os.listdir(root), [])  # nothing published, nothing left
        return cm.exception.message

    def test_same_size_other_content_is_not_published(self):
        # Issue 11 item 4: sizes and CRC-32 agree with the zip, XXH64 does not.
        message = self._poisoned(tamper={'site-packages/demo/_x.so': b'\x7fELF' + b'b' * 60})
        self.assertIn('site-packages/demo/_x.so: its content does not match the hash', message)

    def test_a_key_that_does_not_match_the_file_list_is_refused(self):
        message = self._poisoned(key='0123456789abcdef')
        self.assertIn('key 0123456789abcdef does not match the file list', message)

    def test_old_entry_is_touched(self):
        root = os.path.join(self.tmp, 'cache')
        entry = os.path.join(root, '0123456789abcdef')
        os.makedirs(entry)
        os.chmod(root, 0o755)
        old = time.time() - 3 * 24 * 3600
        os.utime(entry, (old, old))
        self.assertEqual(_extract.ensure_entry('/x.pyz', '0123456789abcdef', [(root, True)]), entry)
        self.assertGreater(os.stat(entry).st_mtime, time.time() - 60)


if __name__ == '__main__':
    unittest.main()
