"""pyzap: activate this bundle's runtime, then run the sitecustomize it shadows.

`site` imports this module in every Python that has the bundle's
`ARCHIVE/.pyzap/boot` on `sys.path` (the launcher puts it on `PYTHONPATH`, so
subprocesses get it too). It finds its bundle through its own zipimporter,
reads `_pyzap/bundle.py` (one unmarshal) and then either:

- in an interpreter whose cache tag is the bundle's: puts the bundle's cache
  entry and `ARCHIVE/site-packages` right after `boot` on `sys.path` (a child
  Python inherits only `boot` on PYTHONPATH), imports `_pyzap` and activates
  the bundle (isolation from the host's site-packages, native finder at the
  front of `sys.meta_path`);
- in any other interpreter (the ABI guard): removes this bundle's entries from
  `sys.path` and activates nothing, so a foreign Python is not polluted. As a
  child inherits only `boot`, nothing of the bundle was importable before
  (the host's `.pth` files ran before this module).

Either way it then runs the `sitecustomize` this one shadows (Debian's apport
hook, a virtualenv's, another bundle's), loaded under another module name.

Kept parseable by Python 2.7 and 3.x (any interpreter may import it through an
inherited PYTHONPATH) and free of imports beyond sys and os.

`__main__.py` runs this file's code under the name `_pyzap_boot` to borrow
`read_bundle()` before it checks the interpreter: then nothing is activated.
"""
import os
import sys

_CHAINED_NAME = '_pyzap_chained_sitecustomize'


def _main():
    """Activate (or guard) this bundle, then chain; errors are reported like site does."""
    loader = globals().get('__loader__')
    archive = getattr(loader, 'archive', None)
    if archive is None:
        return  # not imported from a bundle: nothing of ours to activate
    boot = os.path.join(archive, loader.prefix.rstrip('/' + os.sep))
    index = _path_index(boot)
    rest = sys.path[index + 1:] if index >= 0 else list(sys.path)  # where the shadowed one is
    mine = [boot]
    try:
        data = read_bundle(boot)
        entry_dir = _find_entry_dir(data.get('KEY'))
        tag = getattr(getattr(sys, 'implementation', None), 'cache_tag', None)
        if tag != data.get('CACHE_TAG'):
            mine = [boot, os.path.join(archive, 'site-packages')]
            if entry_dir:
                mine.append(os.path.join(entry_dir, 'site'))
            _remove_paths(mine)
        else:
            import _pyzap
            if data.get('KEY') and not entry_dir:
                entry_dir = _pyzap.find_entry_dir(data['KEY'])
            mine = [boot] + ([os.path.join(entry_dir, 'site')] if entry_dir else [])
            mine.append(os.path.join(archive, 'site-packages'))
            _add_paths(mine)
            _pyzap.activate(archive, data, entry_dir)
    except Exception as err:
        _report(err)
    _chain(rest, mine)


def _path_index(path):
    """Where `path` is on sys.path (site made every entry absolute and normalised)."""
    norm = os.path.normpath(path)
    for i, entry in enumerate(sys.path):
        if entry == path or os.path.normpath(entry) == norm:
            return i
    return -1


def read_bundle(boot):
    """The namespace of this bundle's generated `_pyzap/bundle.py`, read through a zipimporter of its own.

    Not `import _pyzap.bundle`: when bundles are nested, `_pyzap` may be another
    bundle's package; and the interpreter must be checked (CACHE_TAG) before
    `_pyzap` is imported at all. Also used by `__main__.py`.
    """
    import zipimport  # already imported: it is what loaded this module
    code = zipimport.zipimporter(os.path.join(boot, '_pyzap')).get_code('bundle')
    data = {}
    exec(code, data)
    return data


def _find_entry_dir(key):
    """This bundle's cache entry ROOT/KEY: $PYZAP_ENTRY_DIR if it is ours, else from sys.path,
    else beside $PYZAP_ENTRY_DIR (an outer bundle, in a child of an inner one)."""
    if not key:
        return None
    env = os.environ.get('PYZAP_ENTRY_DIR')
    if env and os.path.basename(os.path.normpath(env)) == key:
        return env
    for entry in sys.path:
        parent, base = os.path.split(entry)
        if base == 'site' and os.path.basename(parent) == key:
            return parent
    if env:
        beside = os.path.join(os.path.dirname(os.path.normpath(env)), key)
        if os.path.isdir(os.path.join(beside, 'site')):
            return beside
    return None


def _add_paths(paths):
    """Put the bundle's directories right after its boot directory (paths[0]) on sys.path.

    A child Python inherits only ARCHIVE/.pyzap/boot on PYTHONPATH (see
    _pyzap.activate): nothing of the bundle is importable before this runs,
    not even from the host's .pth files, whatever the interpreter.
    """
    at = _path_index(paths[0]) + 1
    present = set(os.path.normpath(p) for p in sys.path)
    for path in paths[1:]:
        if os.path.normpath(path) not in present:
            sys.path.insert(at, path)
            at += 1
        else:
            at = max(at, _path_index(path) + 1)


def _remove_paths(paths):
    """The ABI guard: drop this bundle's entries from sys.path."""
    drop = set(os.path.normpath(p) for p in paths)
    sys.path[:] = [p for p in sys.path if os.path.normpath(p) not in drop]


def _chain(rest, mine):
    """Run the sitecustomize that this one shadows (found on `rest`), under another name."""
    drop = set(os.path.normpath(p) for p in mine)
    rest = [p for p in rest if os.path.normpath(p) not in drop]
    name = _CHAINED_NAME
    n = 1
    while name in sys.modules:  # nested bundles: each level chains one more
        n += 1
        name = '%s_%d' % (_CHAINED_NAME, n)
    try:
        if sys.version_info[0] < 3:
            _chain_py2(name, rest)
        else:
            _chain_py3(name, rest)
    except Exception as err:
        sys.modules.pop(name, None)
        _report(err)


def _chain_py3(name, rest):
    bootstrap = sys.modules['_frozen_importlib']
    external = sys.modules['_frozen_importlib_external']
    spec = external.PathFinder.find_spec('sitecustomize', rest)
    if spec is None or spec.loader is None:
        return
    origin = spec.origin
    if type(spec.loader) in (external.SourceFileLoader, external.SourcelessFileLoader):
        # A new loader under the new name: renaming the found spec fails.
        loader = type(spec.loader)(name, origin)
        new = bootstrap.ModuleSpec(name, loader, origin=origin)
        new.has_location = True
        module = bootstrap.module_from_spec(new)
        sys.modules[name] = module
        loader.exec_module(module)
        return
    # Any other loader (another bundle's zipimporter): run its code in a new module.
    code = spec.loader.get_code('sitecustomize')
    module = type(sys)(name)
    module.__file__ = origin
    module.__loader__ = spec.loader
    module.__spec__ = bootstrap.ModuleSpec(name, spec.loader, origin=origin)
    sys.modules[name] = module
    exec(code, module.__dict__)


def _chain_py2(name, rest):
    import imp
    try:
        found = imp.find_module('sitecustomize', rest)
    except ImportError:
        return
    try:
        imp.load_module(name, *found)
    finally:
        if found[0] is not None:
            found[0].close()


def _report(err):
    """What site prints when sitecustomize fails."""
    if sys.flags.verbose:
        sys.excepthook(*sys.exc_info())
    else:
        sys.stderr.write(
            "Error in sitecustomize; set PYTHONVERBOSE for traceback:\n"
            "%s: %s\n" % (err.__class__.__name__, err))


if __name__ != '_pyzap_boot':  # see the docstring: __main__.py borrowing read_bundle()
    _main()
