"""Build small pyzap bundles by hand for the tests (what packages/cli does, minus pip).

The zip follows docs/format.md: a fake launcher prefix, `.pyzap/launcher.cfg`
first and STORED, then every other entry sorted, with the central-directory
offsets counting the prefix (zipfile in append mode over the prefix does that).
"""
import glob
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.join(os.path.dirname(HERE), 'python')
PREFIX = b'\x7fELF fake launcher\n' + b'\0' * 4000
EXT_SUFFIX = sysconfig.get_config_var('EXT_SUFFIX')
CACHE_TAG = sys.implementation.cache_tag

C_SOURCE = r'''
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, MODNAME, NULL, -1, methods};
PyMODINIT_FUNC INITFUNC(void) { return PyModule_Create(&def); }
'''

# The app the tests bundle: demo.cli:main prints what it sees as JSON.
DEMO_CLI = r'''
import json, os, subprocess, sys

CHILD = """
import json, sys
out = {'exe': sys.executable, 'path': sys.path,
       'chained': sorted(m for m in sys.modules if m.startswith('_pyzap_chained')),
       'marker': getattr(__import__('builtins'), 'CHAINED_MARKER', None)}
try:
    import demo._speed
    out['ext'] = demo._speed.__file__
    out['answer'] = demo._speed.answer()
except ImportError as err:
    out['error'] = str(err)
print(json.dumps(out))
"""


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'report'
    if cmd == 'exit':
        return int(sys.argv[2])
    if cmd == 'run':  # run another command (e.g. an inner bundle) as a child
        res = subprocess.run([sys.executable] + sys.argv[2:], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
        sys.stderr.write(res.stderr)
        sys.stdout.write(res.stdout)
        return res.returncode
    import _pyzap, demo, demo._speed, nativepkg, nativepkg.helper
    out = {
        'argv': sys.argv,
        'pure_file': demo.__file__,
        'ext_file': demo._speed.__file__,
        'ext_origin': demo._speed.__spec__.origin,
        'answer': demo._speed.answer(),
        'pkg_file': nativepkg.__file__,
        'pkg_path': list(nativepkg.__path__),
        'helper': nativepkg.helper.VALUE,
        'info': _pyzap.info(),
        'env': {k: os.environ.get(k) for k in
                ('PYTHONPATH', 'PYZAP_ARCHIVE', 'PYZAP_ENTRY_DIR', 'PYZAP_ARGV0')},
        'extract_loaded': '_pyzap._extract' in sys.modules,
        'meta_path': [repr(f) for f in sys.meta_path],
        'path': sys.path,
    }
    if cmd == 'child':
        exe = sys.argv[2] if len(sys.argv) > 2 else sys.executable
        res = subprocess.run([exe, '-c', CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
        out['child'] = json.loads(res.stdout) if res.returncode == 0 else res.stderr
    print(json.dumps(out))
'''


PURE_MAIN = r'''
import json, os, sys


def main():
    import _pyzap
    print(json.dumps({'argv': sys.argv, 'info': _pyzap.info(), 'path': sys.path,
                      'extract_loaded': '_pyzap._extract' in sys.modules,
                      'entry_dir_env': os.environ.get('PYZAP_ENTRY_DIR')}))
    return 0
'''


def build_extension(workdir, modname, python_includes=None):
    """Compile a tiny real extension module; return its path, or None without a compiler."""
    if not shutil.which('gcc'):
        return None
    include = python_includes or sysconfig.get_paths()['include']
    if not os.path.exists(os.path.join(include, 'Python.h')):
        return None
    src = os.path.join(workdir, 'ext.c')
    with open(src, 'w') as f:
        f.write(C_SOURCE)
    last = modname.rpartition('.')[2]
    out = os.path.join(workdir, modname + EXT_SUFFIX)
    subprocess.run(['gcc', '-shared', '-fPIC', '-O0', '-I', include,
                    '-DMODNAME="%s"' % modname, '-DINITFUNC=PyInit_%s' % last,
                    '-o', out, src], check=True)
    return out


def pyc_bytes(name, source):
    """An unchecked-hash .pyc of `source`, as the builder writes beside each .py."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, name)
        with open(src, 'w') as f:
            f.write(source)
        out = src + 'c'
        py_compile.compile(src, cfile=out, dfile=name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        with open(out, 'rb') as f:
            return f.read()


def bundle_py(name, entry, key, native, cache_tag=CACHE_TAG, py_version=None):
    if py_version is None:
        py_version = tuple(sys.version_info[:2])
    return ('FORMAT = 1\nNAME = %r\nVERSION = %r\nENTRY = %r\nKEY = %r\nCACHE_TAG = %r\n'
            'PY_VERSION = %r\nNATIVE = %r\n'
            % (name, '1.0.0', entry, key, cache_tag, py_version, native))


def short_hash(data):
    """XXH64, as the launcher and the fallback verify it."""
    if PYTHON_DIR not in sys.path:
        sys.path.append(PYTHON_DIR)
    from _pyzap._xxh64 import xxh64_hex
    return xxh64_hex(data)


def make_bundle(path, pure, native=None, name='demo', entry='demo.cli:main', cache_tag=CACHE_TAG,
                py_version=None, key=None, cfg=None, tamper=None, with_pyc=True):
    """Write a bundle at `path`.

    pure:   {path under site-packages: text} zipped Python
    native: {module name: (path under site-packages, bytes)} unpacked files
    key:    None -> computed from the f lines (any 16 hex will do: the Python
            fallback does not recompute it); '-' -> nothing unpacked
    cfg:    replace the generated launcher.cfg text
    tamper: {zip name: bytes} stored instead of the real content (cfg still describes the real one)
    """
    native = native or {}
    flines = []
    payload = {}
    for module, (rel, data) in sorted(native.items(), key=lambda kv: kv[1][0].encode()):
        flines.append('f %s %d 755 %s\n' % (short_hash(data), len(data), rel))
        payload['site-packages/' + rel] = data
    flines.sort(key=lambda line: line.split(' ', 4)[4].encode())
    if key is None:
        key = short_hash(('pyzap-entry 1\n' + ''.join(flines)).encode()) if flines else '-'
    if cfg is None:
        cfg = ('pyzap 1\nname %s\nversion 1.0.0\nkey %s\npython %s\npyver %d.%d\n'
               % (name, key, sys.executable, sys.version_info[0], sys.version_info[1])
               + ''.join(flines))
    files = {}
    for rel, text in pure.items():
        files['site-packages/' + rel] = text.encode()
    files.update(payload)
    boot = {
        '.pyzap/boot/sitecustomize.py': 'sitecustomize.py',
        '.pyzap/boot/_pyzap/__init__.py': '_pyzap/__init__.py',
        '__main__.py': '__main__.py',
    }
    for mod in sorted(os.listdir(os.path.join(PYTHON_DIR, '_pyzap'))):
        if mod.endswith('.py') and mod != 'bundle.py':
            boot['.pyzap/boot/_pyzap/' + mod] = '_pyzap/' + mod
    for arc, rel in boot.items():
        with open(os.path.join(PYTHON_DIR, rel)) as f:
            files[arc] = f.read().encode()
    native_map = {m: rel for m, (rel, _) in native.items()}
    files['.pyzap/boot/_pyzap/bundle.py'] = bundle_py(
        name, entry, None if key == '-' else key, native_map, cache_tag, py_version).encode()
    files['.pyzap/manifest.json'] = b'{}\n'
    if with_pyc:
        for arc in [a for a in files if a.endswith('.py')]:
            files[arc + 'c'] = pyc_bytes(os.path.basename(arc), files[arc].decode())
    if tamper:
        files.update(tamper)
    with open(path, 'wb') as f:
        f.write(PREFIX)
    with zipfile.ZipFile(path, 'a') as zf:
        zf.writestr(zipfile.ZipInfo('.pyzap/launcher.cfg'), cfg.encode(), zipfile.ZIP_STORED)
        for arc in sorted(files, key=lambda a: a.encode()):
            info = zipfile.ZipInfo(arc)
            info.external_attr = 0o644 << 16
            method = zipfile.ZIP_STORED if arc.endswith('.pyc') else zipfile.ZIP_DEFLATED
            zf.writestr(info, files[arc], method)
    os.chmod(path, 0o755)
    return key


def demo_files():
    """The pure part of the demo app."""
    return {
        'demo/__init__.py': '',
        'demo/cli.py': DEMO_CLI,
        'nativepkg/helper.py': 'VALUE = "helper from the zip"\n',
        'demo/pure.py': PURE_MAIN,
    }


def demo_native(workdir):
    """The native part: demo._speed and an __init__ extension package; None without gcc."""
    speed = build_extension(workdir, 'demo._speed')
    pkg = build_extension(workdir, 'nativepkg')
    if speed is None or pkg is None:
        return None
    with open(speed, 'rb') as f:
        speed_bytes = f.read()
    with open(pkg, 'rb') as f:
        pkg_bytes = f.read()
    return {
        'demo._speed': ('demo/_speed' + EXT_SUFFIX, speed_bytes),
        'nativepkg': ('nativepkg/__init__' + EXT_SUFFIX, pkg_bytes),
    }


def clean_env(**extra):
    """os.environ without PYTHONPATH / PYZAP_*, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k != 'PYTHONPATH' and not k.startswith('PYZAP_')}
    env.update(extra)
    return env


def pyenv_pythons(other_than_mine=False):
    """{'2.7.18': path, '3.6.15': path, ...}: the interpreters pyenv has here (CI's image has the same),
    without this interpreter's X.Y when `other_than_mine`."""
    root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    mine = '%d.%d.' % sys.version_info[:2]
    found = {}
    for exe in glob.glob(os.path.join(root, 'versions', '*', 'bin', 'python')):
        version = os.path.basename(os.path.dirname(os.path.dirname(exe)))
        if version[:1].isdigit() and not (other_than_mine and version.startswith(mine)):
            found[version] = exe
    return found
