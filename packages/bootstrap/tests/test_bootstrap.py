"""End-to-end: hand-built bundles run as `python3 app.pyz` and as the launcher would run them."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundlekit  # noqa: E402

DEBIAN_PYTHON = '/usr/bin/python3'


def foreign_pythons(python3_only=False):
    """Interpreters of another X.Y than this one that pyenv has here (2.7 too, unless `python3_only`)."""
    return [exe for version, exe in sorted(bundlekit.pyenv_pythons(other_than_mine=True).items())
            if not (python3_only and version.startswith('2.'))]


class BundleTestCase(unittest.TestCase):
    native = None  # built once per class

    @classmethod
    def setUpClass(cls):
        cls.classdir = tempfile.mkdtemp(prefix='pyzap-boot-test-')
        cls.native = bundlekit.demo_native(cls.classdir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.classdir, ignore_errors=True)

    def setUp(self):
        if self.native is None:
            self.skipTest('needs gcc and Python.h to build a real extension module')
        self.tmp = tempfile.mkdtemp(prefix='pyzap-boot-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.cache = os.path.join(self.tmp, 'cache')
        self.app = os.path.join(self.tmp, 'app.pyz')
        self.key = bundlekit.make_bundle(self.app, bundlekit.demo_files(), self.native)
        self.entry = os.path.join(self.cache, self.key)

    def env(self, **extra):
        extra.setdefault('PYZAP_CACHE', self.cache)
        return bundlekit.clean_env(**extra)

    def run_app(self, *args, python=None, app=None, env=None, cwd=None):
        return subprocess.run([python or sys.executable, app or self.app] + list(args),
                              env=env or self.env(), cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True)

    def report(self, *args, **kwargs):
        res = self.run_app(*args, **kwargs)
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout), res.stderr

    def launcher_env(self, argv0='./app', **extra):
        """The environment the C launcher exports (docs/format.md, "Starting Python")."""
        site = [self.app + '/.pyzap/boot', self.entry + '/site', self.app + '/site-packages']
        old = extra.pop('OLD_PYTHONPATH', None)
        return self.env(PYTHONPATH=':'.join(site + ([old] if old else [])),
                        PYZAP_ARCHIVE=self.app, PYZAP_ENTRY_DIR=self.entry,
                        PYZAP_ARGV0=argv0, **extra)

    def assert_clean_cache(self):
        """Nothing half-written: no tmp dirs, no lock left behind."""
        left = [n for n in os.listdir(self.cache) if '.tmp-' in n or n.endswith('.lock')
                or n.startswith('.probe-')]
        self.assertEqual(left, [])


class FallbackTest(BundleTestCase):
    """`python3 app.pyz`: the bootstrap does the launcher's job."""

    def test_first_run_extracts_and_second_reuses(self):
        out, err = self.report(env=self.env(PYZAP_DEBUG='1'))
        self.assertIn('extracting ' + self.key, err)
        so = os.path.join(self.entry, 'site', self.native['demo._speed'][0])
        self.assertEqual(out['ext_file'], so)
        self.assertEqual(os.stat(so).st_mode & 0o7777, 0o755)
        self.assertEqual(os.stat(self.entry).st_mode & 0o7777, 0o755)
        self.assertEqual(os.stat(os.path.join(self.entry, 'site', 'demo')).st_mode & 0o7777, 0o755)
        with zipfile.ZipFile(self.app) as zf:
            cfg = zf.read('.pyzap/launcher.cfg')
        with open(os.path.join(self.entry, 'entry.cfg'), 'rb') as f:
            self.assertEqual(f.read(), cfg)
        self.assert_clean_cache()
        inode = os.stat(so).st_ino

        out, err = self.report(env=self.env(PYZAP_DEBUG='1'))
        self.assertNotIn('extracting', err)
        self.assertIn('using entry ' + self.entry, err)
        self.assertEqual(os.stat(so).st_ino, inode)
        self.assertEqual(out['answer'], 42)

    def test_extension_file_is_in_cache_and_pure_module_in_archive(self):
        out, _ = self.report()
        site = self.entry + '/site/'
        self.assertTrue(out['ext_file'].startswith(site), out['ext_file'])
        self.assertEqual(out['ext_origin'], out['ext_file'])
        self.assertTrue(out['pure_file'].startswith(self.app + '/site-packages/demo/__init__.py'),
                        out['pure_file'])
        # An extension package: __file__ in the cache, submodules from the cache and the zip.
        self.assertEqual(out['pkg_file'], site + self.native['nativepkg'][0])
        self.assertEqual(out['pkg_path'], [site + 'nativepkg', self.app + '/site-packages/nativepkg'])
        self.assertEqual(out['helper'], 'helper from the zip')
        self.assertTrue(out['meta_path'][0].startswith('<pyzap NativeFinder'), out['meta_path'])

    def test_exports_what_the_launcher_exports(self):
        link = os.path.join(self.tmp, 'link.pyz')
        os.symlink(self.app, link)
        out, _ = self.report(app=link, env=self.env(PYTHONPATH='/old/dir'))
        site_dirs = [self.app + '/.pyzap/boot', self.entry + '/site', self.app + '/site-packages']
        self.assertEqual(out['argv'][0], link)  # sys.argv[0] left as given
        self.assertEqual(out['env'], {
            'PYTHONPATH': self.app + '/.pyzap/boot:/old/dir',  # children add the rest themselves
            'PYZAP_ARCHIVE': self.app,  # the real path
            'PYZAP_ENTRY_DIR': self.entry,
            'PYZAP_ARGV0': link,
        })
        self.assertEqual(out['path'][1:4], site_dirs)
        self.assertIn('/old/dir', out['path'])
        info = out['info']
        self.assertEqual(info['archive'], self.app)
        self.assertEqual(info['entry_dir'], self.entry)
        self.assertEqual(info['key'], self.key)
        self.assertEqual(info['site_dirs'], site_dirs)
        self.assertEqual(info['pythonpath'], ':'.join(site_dirs))
        self.assertEqual((info['name'], info['entry'], info['cache_tag']),
                         ('demo', 'demo.cli:main', sys.implementation.cache_tag))

    def test_child_python_inherits_the_bundle(self):
        out, _ = self.report('child')
        self.assertEqual(out['child']['answer'], 42, out['child'])
        self.assertEqual(out['child']['ext'], out['ext_file'])

    @unittest.skipUnless(os.path.exists(DEBIAN_PYTHON), 'needs /usr/bin/python3')
    def test_debian_python_child_runs_its_own_sitecustomize(self):
        res = subprocess.run([DEBIAN_PYTHON, '-c', 'import sys, sitecustomize; '
                              'print(sys.implementation.cache_tag, sitecustomize.__file__)'],
                             stdout=subprocess.PIPE, universal_newlines=True, env=self.env())
        tag, origin = res.stdout.split() if res.returncode == 0 else (None, None)
        if tag != sys.implementation.cache_tag:
            self.skipTest('/usr/bin/python3 has no sitecustomize or another version')
        out, _ = self.report('child', DEBIAN_PYTHON)
        child = out['child']
        self.assertEqual(child['answer'], 42, child)
        self.assertEqual(child['chained'], ['_pyzap_chained_sitecustomize'])
        check = subprocess.run([DEBIAN_PYTHON, '-c', 'import sys; '
                                'print(sys.modules["_pyzap_chained_sitecustomize"].__file__)'],
                               stdout=subprocess.PIPE, universal_newlines=True,
                               env=self.launcher_env())
        self.assertEqual(check.stdout.strip(), origin)

    def test_exit_code_is_the_entry_points_return_value(self):
        res = self.run_app('exit', '3')
        self.assertEqual(res.returncode, 3, res.stderr)

    def test_pure_bundle_touches_no_cache(self):
        app = os.path.join(self.tmp, 'pure.pyz')
        key = bundlekit.make_bundle(app, bundlekit.demo_files(), None, entry='demo.pure:main')
        self.assertEqual(key, '-')
        out, _ = self.report(app=app)
        self.assertFalse(os.path.exists(self.cache))
        self.assertIsNone(out['info']['entry_dir'])
        self.assertEqual(out['info']['site_dirs'], [app + '/.pyzap/boot', app + '/site-packages'])
        self.assertEqual(out['entry_dir_env'], '')
        self.assertFalse(out['extract_loaded'])

    def test_bundle_path_with_colon_is_refused(self):
        app = os.path.join(self.tmp, 'a:b.pyz')
        shutil.copy(self.app, app)
        res = self.run_app(app=app)
        self.assertEqual(res.returncode, 65)
        self.assertRegex(res.stderr, r"^pyzap: the bundle path .*a:b\.pyz contains ':'")

    def test_bundle_started_from_inside_another_bundle(self):
        inner = os.path.join(self.tmp, 'inner.pyz')
        native = {'nativepkg': self.native['nativepkg']}
        inner_key = bundlekit.make_bundle(inner, bundlekit.demo_files(), native, name='inner',
                                          entry='demo.pure:main')
        self.assertNotEqual(inner_key, self.key)
        out, err = self.report('run', inner)
        self.assertEqual(out['info']['archive'], inner)
        self.assertEqual(out['info']['name'], 'inner')
        self.assertEqual(out['path'][1:4], [inner + '/.pyzap/boot',
                                            os.path.join(self.cache, inner_key, 'site'),
                                            inner + '/site-packages'])


class LauncherStartTest(BundleTestCase):
    """Started by the launcher: PYTHONPATH and PYZAP_* are already there."""

    def setUp(self):
        super().setUp()
        self.report()  # extract the entry the way the launcher would have

    def test_runs_entry_with_argv0_from_launcher(self):
        out, _ = self.report('report', env=self.launcher_env(argv0='./myapp'))
        self.assertEqual(out['argv'], ['./myapp', 'report'])
        self.assertFalse(out['extract_loaded'])
        self.assertEqual(out['ext_file'], os.path.join(self.entry, 'site',
                                                       self.native['demo._speed'][0]))
        self.assertEqual(out['info']['archive'], self.app)

    def test_chains_to_shadowed_sitecustomize(self):
        other = os.path.join(self.tmp, 'other')
        os.mkdir(other)
        with open(os.path.join(other, 'sitecustomize.py'), 'w') as f:
            f.write('import builtins\nbuiltins.CHAINED_MARKER = __name__\n')
        res = subprocess.run([sys.executable, '-c', bundlekit.DEMO_CLI.split('CHILD = """')[1]
                              .split('"""')[0]], env=self.launcher_env(OLD_PYTHONPATH=other),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        child = json.loads(res.stdout)
        self.assertEqual(child['marker'], '_pyzap_chained_sitecustomize')
        self.assertEqual(child['answer'], 42)
        self.assertEqual(res.stderr, '')

    def test_error_in_chained_sitecustomize_is_reported(self):
        other = os.path.join(self.tmp, 'other')
        os.mkdir(other)
        with open(os.path.join(other, 'sitecustomize.py'), 'w') as f:
            f.write('raise RuntimeError("boom")\n')
        res = subprocess.run([sys.executable, '-c', 'import demo._speed; print(demo._speed.answer())'],
                             env=self.launcher_env(OLD_PYTHONPATH=other), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(res.stdout.strip(), '42')
        self.assertEqual(res.stderr, 'Error in sitecustomize; set PYTHONVERBOSE for traceback:\n'
                                     'RuntimeError: boom\n')

    def test_nested_bundles_keep_sys_path_order(self):
        """An inner bundle launched from an outer one: inner first, outer still reachable."""
        inner = os.path.join(self.tmp, 'inner.pyz')
        inner_key = bundlekit.make_bundle(inner, bundlekit.demo_files(),
                                          {'nativepkg': self.native['nativepkg']}, name='inner',
                                          entry='demo.pure:main')
        self.report(app=inner)
        inner_entry = os.path.join(self.cache, inner_key)
        inner_path = [inner + '/.pyzap/boot', inner_entry + '/site', inner + '/site-packages']
        outer_env = self.launcher_env()
        env = dict(outer_env, PYTHONPATH=':'.join(inner_path) + ':' + outer_env['PYTHONPATH'],
                   PYZAP_ARCHIVE=inner, PYZAP_ENTRY_DIR=inner_entry)
        code = ('import json, sys, _pyzap, demo._speed, nativepkg; print(json.dumps(['
                '[repr(f) for f in sys.meta_path if "NativeFinder" in repr(f)], _pyzap.info()["archive"], '
                'demo._speed.__file__, nativepkg.__file__, '
                'sorted(m for m in sys.modules if "chained" in m)]))')
        res = subprocess.run([sys.executable, '-c', code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        finders, archive, speed, pkg, chained = json.loads(res.stdout)
        self.assertEqual(finders, ['<pyzap NativeFinder %s/site>' % inner_entry,
                                   '<pyzap NativeFinder %s/site>' % self.entry])
        self.assertEqual(archive, inner)
        self.assertTrue(speed.startswith(self.entry + '/site/'))  # only the outer has it
        self.assertTrue(pkg.startswith(inner_entry + '/site/'))  # both have it: inner wins
        self.assertEqual(chained[0], '_pyzap_chained_sitecustomize')  # the outer's sitecustomize


GUARD_PROBE = '''
import json, sys
print(json.dumps({"path": sys.path, "modules": sorted(m for m in sys.modules if "pyzap" in m),
                  "finders": [repr(f) for f in sys.meta_path if "NativeFinder" in repr(f)],
                  "marker": getattr(__import__("builtins" if sys.version_info[0] > 2
                                               else "__builtin__"), "CHAINED_MARKER", None)}))
'''


class AbiGuardTest(BundleTestCase):
    """A Python with another cache tag drops the bundle's paths and activates nothing."""

    def setUp(self):
        super().setUp()
        self.report()
        self.other = os.path.join(self.tmp, 'other')
        os.mkdir(self.other)
        with open(os.path.join(self.other, 'sitecustomize.py'), 'w') as f:
            f.write('try:\n    import builtins\nexcept ImportError:\n    import __builtin__ as builtins\n'
                    'builtins.CHAINED_MARKER = __name__\n')

    def probe(self, python, app=None, entry=None):
        app = app or self.app
        entry = entry or self.entry
        env = self.env(PYTHONPATH=':'.join([app + '/.pyzap/boot', entry + '/site',
                                             app + '/site-packages', self.other]),
                       PYZAP_ARCHIVE=app, PYZAP_ENTRY_DIR=entry)
        res = subprocess.run([python, '-c', GUARD_PROBE], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr, '')
        return json.loads(res.stdout), app, entry

    def assert_guarded(self, out, app, entry):
        for p in out['path']:
            self.assertFalse(p.startswith(app) or p.startswith(entry), out['path'])
        self.assertIn(self.other, out['path'])
        self.assertEqual(out['finders'], [])
        self.assertEqual(out['modules'], ['_pyzap_chained_sitecustomize'])  # no _pyzap runtime
        self.assertEqual(out['marker'], '_pyzap_chained_sitecustomize')  # still chained

    def test_simulated_foreign_interpreter(self):
        app = os.path.join(self.tmp, 'foreign.pyz')
        key = bundlekit.make_bundle(app, bundlekit.demo_files(), self.native, cache_tag='cpython-299',
                                    py_version=(2, 99))
        # The guard finds the entry from sys.path (basename = KEY) even without the env var.
        self.assert_guarded(*self.probe(sys.executable, app, os.path.join(self.cache, key)))

    def test_matching_interpreter_is_activated(self):
        out, _, _ = self.probe(sys.executable)
        self.assertIn(self.app + '/site-packages', out['path'])
        self.assertEqual(len(out['finders']), 1)
        self.assertEqual(out['marker'], '_pyzap_chained_sitecustomize')

    def test_real_foreign_interpreters(self):
        pythons = foreign_pythons()
        if not pythons:
            self.skipTest('no Python of another version installed')
        for python in pythons:
            with self.subTest(python=python):
                self.assert_guarded(*self.probe(python))


class ForeignChildPthTest(BundleTestCase):
    """A child Python of another version whose own .pth files import a module the bundle
    also ships gets its own, never the bundle's: the child inherits only the bundle's
    boot directory on PYTHONPATH, and the guard removes it before anything is imported."""

    def test_foreign_child_pth_does_not_import_from_the_bundle(self):
        pythons = foreign_pythons(python3_only=True)
        if not pythons:
            self.skipTest('no Python 3 of another version installed')
        self.report()  # extracts the cache entry
        code = ('import subprocess, sys; print(subprocess.run([sys.argv[1], "-c", sys.argv[2]], '
                'stdout=subprocess.PIPE, universal_newlines=True).stdout, end="")')
        child = ('import json, sys; print(json.dumps([sys.LEAKED, '
                 '[p for p in sys.path if p.startswith(%r) or p.startswith(%r)]]))' % (self.app, self.entry))
        for n, python in enumerate(pythons):
            with self.subTest(python=python):
                venv = os.path.join(self.tmp, 'venv%d' % n)
                subprocess.check_call([python, '-m', 'venv', '--without-pip', venv])
                vpy = os.path.join(venv, 'bin', 'python')
                site = subprocess.check_output([vpy, '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
                                               universal_newlines=True).strip()
                with open(os.path.join(site, 'leak.pth'), 'w') as f:
                    f.write('import sys, importlib.util; sys.LEAKED = importlib.util.find_spec("demo") is not None\n')
                res = subprocess.run([sys.executable, '-c', code, vpy, child], env=self.launcher_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(json.loads(res.stdout), [False, []])


RES_MAIN = r"""
import importlib.resources, json, os, sys, _pyzap
from _pyzap import _resources

def main():
    archive = _pyzap.info()['archive']
    with importlib.resources.as_file(importlib.resources.files('demo') / 'data' / 'hello.txt') as p:
        as_file = str(p)
    print(json.dumps({
        'as_file': as_file,
        'text': open(as_file).read(),
        'dir': _resources.real_path(archive, 'site-packages/demo/data'),
        'native': _resources.real_path(archive, 'site-packages/' + sys.argv[1]),
        'missing': _resources.real_path(archive, 'site-packages/demo/nothing.txt'),
    }))
"""


class RealFilesTest(BundleTestCase):
    """A resource asked for as a real file: the cache entry's copy, else extracted once into ROOT/res-H."""

    def setUp(self):
        super().setUp()
        files = dict(bundlekit.demo_files(), **{'demo/res.py': RES_MAIN, 'demo/data/hello.txt': 'hello\n',
                                                'demo/data/more/x.txt': 'x\n'})
        self.key = bundlekit.make_bundle(self.app, files, self.native, entry='demo.res:main')
        self.entry = os.path.join(self.cache, self.key)

    def test_extracted_once_then_reused(self):
        native_rel = self.native['nativepkg'][0]
        first, _ = self.report(native_rel)
        res = [n for n in os.listdir(self.cache) if n.startswith('res-')]
        self.assertEqual(len(res), 2, os.listdir(self.cache))  # the file, and the directory
        self.assertTrue(first['as_file'].startswith(self.cache + '/res-'), first)
        self.assertTrue(first['as_file'].endswith('/site/demo/data/hello.txt'), first)
        self.assertEqual(first['text'], 'hello\n')
        self.assertEqual(sorted(os.listdir(first['dir'])), ['hello.txt', 'more'])
        self.assertEqual(first['native'], self.entry + '/site/' + native_rel)  # unpacked by the build
        self.assertIsNone(first['missing'])
        mtime = os.stat(first['as_file']).st_mtime_ns
        second, _ = self.report(native_rel)
        self.assertEqual(second, first)
        self.assertEqual(os.stat(first['as_file']).st_mtime_ns, mtime)  # not extracted again
        self.assertEqual(sorted(n for n in os.listdir(self.cache) if n.startswith('res-')), sorted(res))

    def test_a_copy_others_can_write_is_replaced(self):
        first, _ = self.report(self.native['nativepkg'][0])
        top = first['as_file'][:first['as_file'].index('/site/')]
        with open(first['as_file'], 'w') as f:
            f.write('planted\n')
        os.chmod(top, 0o777)
        second, _ = self.report(self.native['nativepkg'][0])
        self.assertEqual(second['text'], 'hello\n')
        self.assertEqual(os.stat(top).st_mode & 0o777, 0o755)


class UnpackHintTest(unittest.TestCase):
    """The line an uncaught OSError on a path inside the archive ends with."""

    def test_hint_names_the_package_and_the_flag(self):
        sys.path.insert(0, bundlekit.PYTHON_DIR)
        self.addCleanup(sys.path.remove, bundlekit.PYTHON_DIR)
        write, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in python/
        try:
            from _pyzap import _excepthook
        finally:
            sys.dont_write_bytecode = write
        err = NotADirectoryError(20, 'Not a directory', '/srv/app.pyz/site-packages/pkg/data/x.txt')
        self.assertEqual(_excepthook.unpack_hint(err, ['/srv/app.pyz']),
                         'pyzap: pkg opened /srv/app.pyz/site-packages/pkg/data/x.txt, a path inside the '
                         'bundle, which is not a real file; rebuild the bundle with --unpack pkg')
        try:
            try:
                open('/srv/app.pyz/site-packages/mod.py/x')
            except OSError:
                raise RuntimeError('wrapped')
        except RuntimeError as wrapped:
            self.assertIn('--unpack mod', _excepthook.unpack_hint(wrapped, ['/srv/app.pyz']))
        self.assertIsNone(_excepthook.unpack_hint(FileNotFoundError(2, 'x', '/etc/nothing'), ['/srv/app.pyz']))


class WrongPythonTest(BundleTestCase):

    def test_wrong_cache_tag_exits_78(self):
        app = os.path.join(self.tmp, 'py399.pyz')
        bundlekit.make_bundle(app, bundlekit.demo_files(), self.native, cache_tag='cpython-399',
                              py_version=(3, 99))
        res = self.run_app(app=app)
        self.assertEqual(res.returncode, 78)
        # Run as `python app.pyz`: PYZAP_PYTHON (the launcher's) would not help.
        self.assertEqual(res.stderr, 'pyzap: this bundle needs Python 3.99 (cpython-399), but %s is '
                         'Python %d.%d; run it with a Python 3.99 (python3.99 %s) or as ./py399.pyz\n'
                         % ((sys.executable,) + sys.version_info[:2] + (app,)))
        self.assertFalse(os.path.exists(self.cache))

    def test_real_foreign_interpreters_exit_78(self):
        pythons = foreign_pythons()
        if not pythons:
            self.skipTest('no Python of another version installed')
        for python in pythons:
            with self.subTest(python=python):
                res = self.run_app(python=python)
                self.assertEqual(res.returncode, 78, res.stderr)
                self.assertRegex(res.stderr, r'^pyzap: this bundle needs Python %d\.%d \(%s\), but '
                                 % (sys.version_info[0], sys.version_info[1],
                                    sys.implementation.cache_tag))
                self.assertEqual(res.stderr.count('\n'), 1)


class LockTest(BundleTestCase):

    def test_stale_lock_is_taken_over(self):
        os.makedirs(self.entry + '.lock')
        old = time.time() - 20
        os.utime(self.entry + '.lock', (old, old))
        out, err = self.report(env=self.env(PYZAP_DEBUG='1'))
        self.assertIn('is stale', err)
        self.assertEqual(out['answer'], 42)
        self.assert_clean_cache()

    def test_waits_for_lock_holder_and_uses_its_entry(self):
        # The "winner" extracts elsewhere first; its entry is renamed into place later.
        other_cache = os.path.join(self.tmp, 'other-cache')
        res = self.run_app(env=self.env(PYZAP_CACHE=other_cache))
        self.assertEqual(res.returncode, 0, res.stderr)
        winner_tmp = self.entry + '.tmp-999999'
        os.makedirs(self.cache)
        os.mkdir(self.entry + '.lock')  # held by "another process"
        proc = subprocess.Popen([sys.executable, self.app], env=self.env(PYZAP_DEBUG='1'),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        try:
            seen = []
            for line in proc.stderr:  # wait until it is really waiting for the lock
                seen.append(line)
                if 'waiting for lock' in line:
                    break
            self.assertIn('waiting for lock', ''.join(seen))
            shutil.copytree(os.path.join(other_cache, self.key), winner_tmp)
            with open(os.path.join(winner_tmp, 'winner'), 'w'):
                pass
            os.rename(winner_tmp, self.entry)
            os.rmdir(self.entry + '.lock')
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn('made by another process', err)
        self.assertTrue(os.path.exists(os.path.join(self.entry, 'winner')))
        self.assertTrue(json.loads(out)['ext_file'].startswith(self.entry + '/site/'))
        self.assert_clean_cache()


class CorruptBundleTest(BundleTestCase):

    def assert_corrupt(self, app, pattern):
        res = self.run_app(app=app)
        self.assertEqual(res.returncode, 65, res.stderr)
        self.assertRegex(res.stderr, '^pyzap: ' + pattern)
        self.assertEqual(res.stderr.count('\n'), 1, res.stderr)
        self.assertEqual([n for n in os.listdir(self.cache) if not n.startswith('.')], [])

    def test_size_mismatch(self):
        rel = self.native['demo._speed'][0]
        app = os.path.join(self.tmp, 'bad.pyz')
        bundlekit.make_bundle(app, bundlekit.demo_files(), self.native,
                              tamper={'site-packages/' + rel: b'short'})
        self.assert_corrupt(app, r'.* is 5 bytes in the zip but \d+ in launcher.cfg')

    def test_crc_mismatch(self):
        rel = self.native['demo._speed'][0]
        with zipfile.ZipFile(self.app) as zf:
            info = zf.getinfo('site-packages/' + rel)
        with open(self.app, 'r+b') as f:
            f.seek(info.header_offset + 26)
            name_len, extra_len = [int.from_bytes(f.read(2), 'little') for _ in range(2)]
            where = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
            f.seek(where)
            byte = f.read(1)
            f.seek(where)
            f.write(bytes([byte[0] ^ 0xff]))
        self.assert_corrupt(self.app, r'.* is corrupt: ')

    def test_path_escaping_the_entry(self):
        rel = self.native['demo._speed'][0]
        size = len(self.native['demo._speed'][1])
        cfg = ('pyzap 1\nname demo\nkey 0123456789abcdef\npyver 3.11\n'
               'f 0123456789abcdef %d 755 ../%s\n' % (size, rel))
        app = os.path.join(self.tmp, 'evil.pyz')
        bundlekit.make_bundle(app, bundlekit.demo_files(), self.native, key='0123456789abcdef', cfg=cfg)
        self.assert_corrupt(app, r'bad .pyzap/launcher.cfg: line 5: path has an empty, "\." or "\.\." '
                                 r'component; rebuild the bundle with pyzap')

    def test_key_mismatch_between_cfg_and_bundle_py(self):
        app = os.path.join(self.tmp, 'key.pyz')
        bundlekit.make_bundle(app, bundlekit.demo_files(), self.native, key='0123456789abcdef')
        with zipfile.ZipFile(app) as zf:
            cfg = zf.read('.pyzap/launcher.cfg').decode().replace('0123456789abcdef', 'fedcba9876543210', 1)
        bundlekit.make_bundle(app, bundlekit.demo_files(), self.native, key='0123456789abcdef', cfg=cfg)
        self.assert_corrupt(app, r'.*: launcher.cfg says key fedcba9876543210 but bundle.py says '
                                 r'0123456789abcdef')


def bootstrap_sources():
    """(files any Python runs, files any Python 3 imports), relative to PYTHON_DIR, from the tree itself.

    The top-level files run in whatever interpreter meets the bundle: `site`
    imports sitecustomize through an inherited PYTHONPATH (the ABI guard),
    `python app.pyz` runs __main__ (exit 78). The _pyzap package is imported
    before any version check by `PYZAP=info|cache` under any Python 3. Listing
    the directory, not naming files, keeps a new module from being missed.
    """
    top = sorted(f for f in os.listdir(bundlekit.PYTHON_DIR) if f.endswith('.py'))
    package = sorted(os.path.relpath(os.path.join(d, f), bundlekit.PYTHON_DIR)
                     for d, _, files in os.walk(bundlekit.PYTHON_DIR) for f in files if f.endswith('.py'))
    return top, package


COMPILE_ALL = ('import sys\n'
               'for path in sys.argv[1:]:\n'
               '    try:\n'
               '        compile(open(path).read(), path, "exec")\n'
               '    except SyntaxError as err:\n'
               '        print("%s:%s: %s" % (path, err.lineno, err.msg))\n')


class SyntaxCompatibilityTest(unittest.TestCase):
    """A foreign Python compiles the bootstrap from source (the .pyc are for the bundle's): it must parse there."""

    def test_old_interpreters_can_compile_the_bootstrap(self):
        pythons = bundlekit.pyenv_pythons()
        oldest = [v for v in pythons if v.startswith(('2.7.', '3.6.'))]
        if not oldest:
            # CI's machine image has both; say why this is not checked anywhere else.
            self.skipTest('no Python 2.7 or 3.6 under ~/.pyenv/versions: cannot check old syntax')
        top, package = bootstrap_sources()
        self.assertIn('sitecustomize.py', top)
        self.assertIn(os.path.join('_pyzap', '_commands.py'), package)
        tmp = tempfile.mkdtemp(prefix='pyzap-syntax-')
        self.addCleanup(shutil.rmtree, tmp, True)
        # The generated bundle.py is read by the top-level files under any Python too.
        generated = os.path.join(tmp, 'bundle.py')
        with open(generated, 'w') as f:
            f.write(bundlekit.bundle_py('demo', 'demo.cli:main', '0123456789abcdef', {'demo._native': 'demo/_native.so'}))
        for version, exe in sorted(pythons.items()):
            rels = top if version.startswith('2.') else package
            files = [os.path.join(bundlekit.PYTHON_DIR, rel) for rel in rels] + [generated]
            with self.subTest(python=version):
                res = subprocess.run([exe, '-c', COMPILE_ALL] + files, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, universal_newlines=True)
                self.assertEqual((res.returncode, res.stdout), (0, ''), res.stderr)


if __name__ == '__main__':
    unittest.main()
