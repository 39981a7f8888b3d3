"""pyzap: run the bundle's entry point.

Started by the launcher (`PYZAP_ARCHIVE` is this archive and sitecustomize
has activated the runtime): set sys.argv[0] to `PYZAP_ARGV0` and run the entry.

Started as `python3 app.pyz` (no launcher, or from inside another bundle): do
the launcher's job here, namely check the Python version, unpack the native
files into the cache (`_pyzap._extract`), put the bundle on sys.path, export
PYTHONPATH and PYZAP_* for subprocesses, activate the runtime, then run the entry
with sys.argv[0] as given.

Kept parseable by Python 2.7 and 3.x so a wrong interpreter gets a clear
message (exit 78) rather than a SyntaxError.
"""
import os
import sys

CORRUPT = 65
WRONG_PYTHON = 78
# Run something else than the entry point (_pyzap/_alternate.py).
_ALTERNATES = ('PYZAP_INTERPRETER', 'PYZAP_SCRIPT', 'PYZAP_MODULE')


def _fail(code, message):
    sys.stderr.write('pyzap: %s\n' % message)
    sys.exit(code)


def _main():
    archive = __loader__.archive
    if os.environ.get('PYZAP'):  # PYZAP=info|env|cache: the bundle's own commands, not the app
        boot = os.path.join(archive, '.pyzap', 'boot')
        # The interpreter first: _pyzap is written for the bundle's Python
        # (2.7 cannot even import it), so another one gets the one-line exit 78.
        _check_python(_read_bundle(archive, boot))
        sys.path.insert(0, boot)
        from _pyzap import _commands
        sys.exit(_commands.main(os.environ['PYZAP'], archive, sys.argv[1:]))
    launched = os.environ.get('PYZAP_ARCHIVE')
    runtime = sys.modules.get('_pyzap')
    if launched and runtime is not None and hasattr(runtime, 'bundle_for'):
        if launched == archive or launched == os.path.realpath(archive):
            bundle = runtime.bundle_for(launched)
            if bundle is not None:
                if 'PYZAP_ARGV0' in os.environ:
                    sys.argv[0] = os.environ['PYZAP_ARGV0']
                runtime.debug('started by the launcher; running %s', bundle.entry)
                return _run_app(bundle.entry)
    return _run_app(_start_without_launcher(archive))


def _read_bundle(archive, boot):
    """The namespace of this bundle's generated _pyzap/bundle.py, or exit 65.

    Read by the bundle's sitecustomize.read_bundle(), the one reader: its code
    is run here under the name `_pyzap_boot`, which defines its functions and
    activates nothing (this may be any interpreter, not yet checked).
    """
    import zipimport
    try:
        boot_code = zipimport.zipimporter(boot).get_code('sitecustomize')
        sitecustomize = {'__name__': '_pyzap_boot'}
        exec(boot_code, sitecustomize)
        return sitecustomize['read_bundle'](boot)
    except Exception as err:
        _fail(CORRUPT, '%s has no readable .pyzap/boot/_pyzap/bundle.py or .pyzap/boot/sitecustomize.py (%s); '
                       'it is not a pyzap bundle or is corrupt, rebuild it' % (archive, err))


def _check_python(data):
    """Exit 78 unless this interpreter has the bundle's cache tag."""
    tag = getattr(getattr(sys, 'implementation', None), 'cache_tag', None)
    need = data.get('CACHE_TAG')
    if tag == need:
        return
    want = '.'.join(str(n) for n in data.get('PY_VERSION', ())) or '?'
    have = '%d.%d' % sys.version_info[:2]
    # PYZAP_PYTHON is the launcher's: it cannot help `python3.12 app.pyz`.
    if os.environ.get('PYZAP_ARCHIVE'):
        fix = 'set PYZAP_PYTHON to a Python %s interpreter' % want
    else:
        fix = 'run it with a Python %s (python%s %s) or as ./%s' % (want, want, sys.argv[0], os.path.basename(sys.argv[0]))
    _fail(WRONG_PYTHON, 'this bundle needs Python %s (%s), but %s is Python %s; %s'
                        % (want, need, sys.executable or 'this interpreter', have, fix))


def _start_without_launcher(given):
    """Do the launcher's job in Python; return the entry point to run."""
    archive = os.path.realpath(given)
    boot = os.path.join(archive, '.pyzap', 'boot')
    data = _read_bundle(archive, boot)
    _check_python(data)
    if ':' in archive:
        _fail(CORRUPT, "the bundle path %s contains ':', which cannot go on PYTHONPATH; "
                       "rename the file or move it to a path without ':'" % archive)

    # Our runtime, not one an outer bundle may have imported already.
    runtime = sys.modules.get('_pyzap')
    if runtime is not None and list(getattr(runtime, '__path__', ())) != [os.path.join(boot, '_pyzap')]:
        for name in [n for n in sys.modules if n == '_pyzap' or n.startswith('_pyzap.')]:
            del sys.modules[name]
    where = 1 if sys.path and sys.path[0] == given else 0
    sys.path.insert(where, boot)
    import _pyzap
    _pyzap.debug('started without the launcher (%s); bundle %s key %s', given, data.get('NAME'), data.get('KEY'))

    entry_dir = None
    if data.get('KEY') is not None:
        from _pyzap import _extract
        try:
            entry_dir = _extract.ensure_entry(archive, data['KEY'])
        except _extract.PyzapError as err:
            _fail(err.code, err.message)
    site_dirs = [boot]
    if entry_dir:
        site_dirs.append(os.path.join(entry_dir, 'site'))
    site_dirs.append(os.path.join(archive, 'site-packages'))
    sys.path[where:where + 1] = site_dirs

    # What the launcher exports, so subprocesses see the same packages.
    old = os.environ.get('PYTHONPATH')
    os.environ['PYTHONPATH'] = ':'.join(site_dirs) + (':' + old if old else '')
    os.environ['PYZAP_ARCHIVE'] = archive
    os.environ['PYZAP_ENTRY_DIR'] = entry_dir or ''
    os.environ['PYZAP_ARGV0'] = sys.argv[0]
    _pyzap.debug('PYTHONPATH=%s', os.environ['PYTHONPATH'])

    _pyzap.activate(archive, data, entry_dir)
    _pyzap.debug('running %s', data.get('ENTRY'))
    return data.get('ENTRY')


def _run_app(entry):
    """The entry point, unless PYZAP_INTERPRETER, PYZAP_SCRIPT or PYZAP_MODULE asks for something else."""
    if any(os.environ.get(name, '') not in ('', '0') for name in _ALTERNATES):
        from _pyzap import _alternate
        return _alternate.run(_run)
    return _run(entry)


def _run(entry):
    """Run 'module:attr.sub' exactly like a console_scripts wrapper: sys.exit(func())."""
    module, _, attrs = entry.partition(':')
    if not attrs:
        import runpy
        runpy.run_module(module, run_name='__main__', alter_sys=True)
        return
    __import__(module)
    func = sys.modules[module]
    for attr in attrs.split('.'):
        func = getattr(func, attr)
    sys.exit(func())


_main()
