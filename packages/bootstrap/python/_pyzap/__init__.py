"""pyzap runtime: import a bundle's native modules from the cache, describe the bundle.

Activated by the bundle's `sitecustomize` (or by `__main__.py` when the bundle
is started as `python3 app.pyz`). Pure Python is imported straight from
`ARCHIVE/site-packages` by the archive importer of `_importer` (a path hook
that loads each module once; `PYZAP_ZIPIMPORT=1` leaves it to CPython's
zipimport); what the OS cannot load from a zip lives in the cache entry
`ROOT/KEY/site`, and `NativeFinder` maps each extension module named in
`bundle.NATIVE` to its file there.

Public API: `info()`. Everything else is for the bootstrap (`debug()` is its
one PYZAP_DEBUG trace).

Imported on every start: only sys and os (plus the import machinery that is
already loaded). Kept parseable by every Python 3 (a foreign interpreter may
compile it from source).
"""
import os
import sys

try:  # the frozen import machinery is always loaded: no import cost
    from _frozen_importlib import ModuleSpec
    from _frozen_importlib_external import ExtensionFileLoader, PathFinder
except ImportError:  # pragma: no cover - not CPython
    from importlib.machinery import ExtensionFileLoader, ModuleSpec, PathFinder

FORMAT = 1


# Read once: an os.environ lookup per call would be paid on every start.
DEBUG = os.environ.get('PYZAP_DEBUG') == '1'


def debug(message, *args):
    """With PYZAP_DEBUG=1, one line on stderr as the launcher writes it; `message % args`
    is only formatted then."""
    if DEBUG:
        sys.stderr.write('pyzap: debug: %s\n' % (message % args if args else message))

# Activated bundles, the one this process runs first.
_bundles = []


class Bundle(object):
    """One activated bundle: its archive, its cache entry and what it runs."""

    def __init__(self, archive, data, entry_dir):
        self.archive = archive
        self.entry_dir = entry_dir or None
        self.key = data.get('KEY')
        self.name = data.get('NAME')
        self.version = data.get('VERSION')
        self.entry = data.get('ENTRY')
        self.cache_tag = data.get('CACHE_TAG')
        self.native = data.get('NATIVE') or {}
        self.packages = data.get('PACKAGES') or {}  # subpackage -> its directory under KEY/site
        self.preload = list(data.get('PRELOAD') or ())  # --standalone: loaded before the first native
        self.dists = data.get('DISTS') or ()
        self.boot_dir = os.path.join(archive, '.pyzap', 'boot')
        self.site_packages = os.path.join(archive, 'site-packages')
        self.site_dir = os.path.join(entry_dir, 'site') if entry_dir else None
        self.finder = None
        self.importer = False  # True when _importer serves site-packages

    def site_dirs(self):
        """The sys.path entries of this bundle, in order (what a child Python needs)."""
        dirs = [self.boot_dir]
        if self.site_dir:
            dirs.append(self.site_dir)
        dirs.append(self.site_packages)
        return dirs

    def info(self):
        """This bundle as a plain dict (see `info()`)."""
        dirs = self.site_dirs()
        return {
            'archive': self.archive,
            'entry_dir': self.entry_dir,
            'key': self.key,
            'name': self.name,
            'version': self.version,
            'entry': self.entry,
            'cache_tag': self.cache_tag,
            'site_dirs': dirs,
            'pythonpath': ':'.join(dirs),
        }


class NativeFinder(object):
    """Meta path finder: extension module name -> its file in the cache entry.

    Also a subpackage unpacked whole (`bundle.PACKAGES`, pandas.io.formats
    whose Styler reads its templates beside its `__file__`) while its package
    runs from the archive: it is found in its directory in the cache entry,
    with the ordinary path finder, so its `__file__` and everything below it
    are real files.

    `find_spec` returns None for every name it does not own, and never raises.
    """

    _pyzap_finder = True  # lets finders of nested bundles order themselves

    def __init__(self, bundle):
        self.bundle = bundle
        self.native = bundle.native
        self.packages = bundle.packages
        self.site_dir = bundle.site_dir

    def __repr__(self):
        return '<pyzap NativeFinder %s>' % self.site_dir

    def find_spec(self, fullname, path=None, target=None):
        rel = self.native.get(fullname)
        if rel is None:
            part = self.packages.get(fullname)
            if part is None:
                return None
            try:
                return PathFinder.find_spec(fullname, [self.site_dir + '/' + part.rpartition('/')[0]], target)
            except Exception:
                return None
        if self.bundle.preload:
            _preload(self.bundle)
        try:
            filename = self.site_dir + '/' + rel
            parent, _, base = rel.rpartition('/')
            is_package = base.startswith('__init__.')
            spec = ModuleSpec(fullname, ExtensionFileLoader(fullname, filename),
                              origin=filename, is_package=is_package)
            spec.has_location = True  # __file__ is the file in the cache
            if is_package:
                # Submodules may be unpacked beside it or stay in the zip.
                spec.submodule_search_locations = [
                    self.site_dir + '/' + parent,
                    self.bundle.site_packages + '/' + parent,
                ]
            return spec
        except Exception:
            return None

    def invalidate_caches(self):
        pass

    def _rank(self):
        """Position of this bundle on sys.path: nested bundles' finders follow that order."""
        try:
            return sys.path.index(self.bundle.boot_dir)
        except ValueError:
            return len(sys.path)

    def install(self):
        """Put the finder at the front of sys.meta_path (after finders of bundles earlier on sys.path)."""
        if self in sys.meta_path:
            return
        rank = self._rank()
        i = 0
        meta_path = sys.meta_path
        while i < len(meta_path) and getattr(meta_path[i], '_pyzap_finder', False):
            other = getattr(meta_path[i], '_rank', None)
            if other is None or other() > rank:
                break
            i += 1
        meta_path.insert(i, self)

    def uninstall(self):
        """Remove the finder from sys.meta_path."""
        while self in sys.meta_path:
            sys.meta_path.remove(self)


class SiblingFinder(object):
    """Last on sys.meta_path: a submodule searched for only in the cache entry is also searched in the archive.

    A package unpacked whole leaves its `tests/` in the archive (the build
    says so): they are imported from there.

    A package whose `__init__` is native (mypyc-compiled: isort, black) may set
    its own `__path__` to the directory of its `__init__` file, the cache
    entry, while that `__init__` runs; its pure-Python submodules stay in the
    archive. Only consulted when every other finder failed, so it costs nothing
    on a successful import.
    """

    def __init__(self, bundle):
        self.site_dir = bundle.site_dir + '/'
        self.site_packages = bundle.site_packages + '/'

    def __repr__(self):
        return '<pyzap SiblingFinder %s>' % self.site_dir

    def find_spec(self, fullname, path=None, target=None):
        if not path:
            return None
        try:
            extra = []
            for entry in path:
                if isinstance(entry, str) and entry.startswith(self.site_dir):
                    other = self.site_packages + entry[len(self.site_dir):]
                    if other not in path and other not in extra:
                        extra.append(other)
            return PathFinder.find_spec(fullname, extra, target) if extra else None
        except Exception:
            return None

    def invalidate_caches(self):
        pass


class ImportWatcher(object):
    """Early on sys.meta_path: runs a hook right after one of a few modules is executed."""

    def __init__(self, hooks):
        self.hooks = hooks  # module name -> name of the hook(module) in _compat

    def __repr__(self):
        return '<pyzap ImportWatcher %s>' % ', '.join(sorted(self.hooks))

    def find_spec(self, fullname, path=None, target=None):
        hook = self.hooks.get(fullname)
        if hook is None:
            return None
        try:
            finders = sys.meta_path[sys.meta_path.index(self) + 1:]
        except ValueError:
            return None
        for finder in finders:
            find = getattr(finder, 'find_spec', None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
            spec.loader = _HookedLoader(spec.loader, hook)
        return spec

    def invalidate_caches(self):
        pass


class _HookedLoader(object):
    """A loader that runs `_compat.HOOK(module)` after the real loader executed the module."""

    def __init__(self, loader, hook):
        self._loader = loader
        self._hook = hook

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        create = getattr(self._loader, 'create_module', None)
        return create(spec) if create is not None else None

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            from _pyzap import _compat
            getattr(_compat, self._hook)(module)
        except Exception as err:  # never break the import itself
            sys.stderr.write('pyzap: warning: could not register the bundle with %s: %s\n'
                             % (module.__name__, err))


def _preload(bundle):
    """Load the system libraries a standalone bundle carries for its extension modules.

    dlopen() through the extension loader (no ctypes, which would cost an
    import): there is no PyInit_ to find, so it raises ImportError, but the
    library stays loaded and the loader matches later DT_NEEDED by soname.
    """
    import _imp
    paths, bundle.preload = bundle.preload, []
    for rel in paths:
        try:
            _imp.create_dynamic(ModuleSpec('_pyzap_preload', None, origin=bundle.site_dir + '/' + rel))
        except ImportError:
            pass


class MetadataFinder(object):
    """importlib.metadata for the distributions inside the archive.

    CPython's own MetadataPathFinder lists a sys.path entry with os.listdir or
    zipfile.Path(entry), and neither works for a directory inside a zip
    (ARCHIVE/site-packages). The dist-info names come from bundle.py (DISTS),
    so nothing is listed, and their files are read through the zip directory
    zipimport already holds (_metadata.py): no zipfile.ZipFile, whose opening
    re-reads the whole central directory (6-27 ms, growing with the archive).
    """

    def __init__(self, bundle):
        self.bundle = bundle

    def __repr__(self):
        return '<pyzap MetadataFinder %s>' % self.bundle.site_packages

    def find_spec(self, fullname, path=None, target=None):
        return None

    def invalidate_caches(self):
        pass

    def find_distributions(self, context=None):
        """Distributions matching `context.name` (all when None) if our site-packages is on `context.path`."""
        paths = getattr(context, 'path', None) or sys.path
        if self.bundle.site_packages not in paths:
            return iter(())
        name = getattr(context, 'name', None)
        want = _normalize(name) if name else None
        found = [d for d in self.bundle.dists if want is None or _normalize(d.split('-', 1)[0]) == want]
        if not found:
            return iter(())
        from _pyzap import _metadata
        return iter([_metadata.ArchiveDistribution(self.bundle.archive, d) for d in found])


def _normalize(name):
    """PEP 503 normalisation, with '_' as importlib.metadata compares names."""
    import re
    return re.sub(r'[-_.]+', '_', name).lower()


def activate(archive, data, entry_dir):
    """Activate a bundle in this process: remember it, install its native finder.

    `data` is the namespace of its bundle.py; `entry_dir` is ROOT/KEY or None.
    Called by sitecustomize and __main__.py (stable within format 1: a nested
    bundle's sitecustomize may call another bundle's runtime).
    """
    found = bundle_for(archive)
    if found is not None:
        return found
    bundle = Bundle(archive, data, entry_dir)
    zipimport_only = _zipimport_asked(archive)
    if not zipimport_only:
        zip_path = _stdlib_zip()
        if zip_path is not None:  # first: before anything imports from a standalone runtime's stdlib zip
            from _pyzap import _stdlib
            _stdlib.install(zip_path)
    from _pyzap import _isolate
    if not _isolate.inherit_path():
        entries, modules = _isolate.drop_host_site(bundle.site_dirs())
        if entries and DEBUG:  # the joins cost something too
            debug('isolated from the host site-packages: removed %s from sys.path%s (PYZAP_INHERIT_PATH=1 keeps them)',
                  ', '.join(entries), ' and modules ' + ', '.join(sorted(modules)) if modules else '')
    if not zipimport_only:
        from _pyzap import _importer
        bundle.importer = _importer.install(archive)
    if (bundle.native or bundle.packages) and bundle.site_dir:
        bundle.finder = NativeFinder(bundle)
        bundle.finder.install()
    if bundle.site_dir:
        # also the tests/ a package unpacked whole leaves in the archive
        sys.meta_path.append(SiblingFinder(bundle))
    if bundle.dists and sys.version_info >= (3, 8):  # _metadata needs importlib.metadata (3.8+)
        _insert_before(PathFinder, MetadataFinder(bundle))
    _bundles.append(bundle)
    _watch_imports()
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _show_exception
    for name, text in data.get('PTH') or ():
        _run_pth(bundle, name, text)
    _leave_boot_for_children(bundle)
    debug('runtime active for %s (entry %s, %d native modules, %s)', archive, entry_dir or '-',
          len(bundle.native), 'archive importer' if bundle.importer else 'zipimport')
    return bundle


def _zipimport_asked(archive):
    """PYZAP_ZIPIMPORT=1, unless the bundle's bytecode is in packs, which zipimport cannot read
    (built with --compress 1-9; --compress 0 keeps the .pyc entries zipimport reads)."""
    if os.environ.get('PYZAP_ZIPIMPORT') != '1':
        return False
    from _pyzap import _importer
    try:
        packed = _importer.archive(archive).packed
    except Exception:
        packed = False
    if packed:
        debug('PYZAP_ZIPIMPORT=1 ignored: the bytecode of %s is in packs, which zipimport cannot read '
              '(a bundle built with --compress 0 has the .pyc entries it reads)', archive)
        return False
    return True


def _stdlib_zip():
    """getpath's `PREFIX/lib/python3XY.zip` entry of sys.path if that file exists (a --standalone
    runtime's standard library, _stdlib.py), else None. getpath lists it even when there is no
    such file: checked here, so other bundles do not import _stdlib at every start."""
    name = 'python%d%d.zip' % sys.version_info[:2]
    lib = os.path.join(sys.base_prefix, 'lib')
    for entry in sys.path:
        if entry.endswith(name) and os.path.dirname(entry) == lib:
            return entry if os.path.isfile(entry) else None
    return None


WATCHED = {  # module -> its hook in _compat
    'pkg_resources': 'register_pkg_resources',
    'pip._vendor.pkg_resources': 'register_pkg_resources',
    'pkgutil': 'register_pkgutil',
}


def _watch_imports():
    """Register the archive with pkg_resources and pkgutil: now if imported, else when they are."""
    pending = {}
    for name, hook in WATCHED.items():
        module = sys.modules.get(name)
        if module is None:
            pending[name] = hook
            continue
        try:
            from _pyzap import _compat
            getattr(_compat, hook)(module)
        except Exception:
            pass
    meta_path = sys.meta_path
    if pending and not any(isinstance(f, ImportWatcher) for f in meta_path):
        # Right after the bundles' native finders, ahead of every finder that may find these modules.
        i = 0
        while i < len(meta_path) and getattr(meta_path[i], '_pyzap_finder', False):
            i += 1
        meta_path.insert(i, ImportWatcher(pending))


def _show_exception(exc_type, value, tb):
    """sys.excepthook: source lines for archive modules, and the --unpack hint (_excepthook.py)."""
    from _pyzap import _excepthook
    _excepthook.show(exc_type, value, tb)


def _leave_boot_for_children(bundle):
    """Leave only ARCHIVE/.pyzap/boot of this bundle on the PYTHONPATH children inherit.

    The launcher exports boot, ROOT/KEY/site and ARCHIVE/site-packages. A child
    Python's `site` runs the host's .pth files before our sitecustomize, and
    they could import the bundle's modules (setuptools' _distutils_hack) in an
    interpreter of another version. With only boot inherited, nothing of the
    bundle is importable until sitecustomize has checked the interpreter and
    added the rest (see sitecustomize._add_paths). Also drops duplicates a
    re-exec through the launcher would add.
    """
    old = os.environ.get('PYTHONPATH')
    if old is None:
        return
    drop = (bundle.site_packages, bundle.site_dir)
    kept = []
    for path in old.split(os.pathsep):
        if os.path.basename(path) == 'pyzap-early':  # a standalone runtime's (_stdlib.py): its Python's only
            continue
        if path and path not in drop and not (path == bundle.boot_dir and path in kept):
            kept.append(path)
    if bundle.boot_dir not in kept:
        kept.insert(0, bundle.boot_dir)
    os.environ['PYTHONPATH'] = os.pathsep.join(kept)


def find_entry_dir(key):
    """ROOT/KEY in the first cache root of the chain that has it, or None (rare: a nested
    bundle's child whose entry is in another root than the inner bundle's)."""
    from _pyzap import _cacheroot
    for root, explicit in _cacheroot.cache_candidates():
        if not os.path.isdir(os.path.join(root, key, 'site')):
            continue  # checked first: checking a root creates it when it is missing
        real, _ = _cacheroot.checked_root(root, explicit)
        if real:
            return os.path.join(real, key)
    return None


def _insert_before(finder, new):
    """Put `new` on sys.meta_path just ahead of `finder` (so importlib.metadata asks it first)."""
    meta_path = sys.meta_path
    for i, item in enumerate(meta_path):
        if item is finder:
            meta_path.insert(i, new)
            return
    meta_path.append(new)


def _run_pth(bundle, name, text):
    """Do what site.addpackage does for one .pth file of the archive's site-packages.

    `import` lines are executed from a frame whose local `sitedir` is the
    archive's site-packages (old-style -nspkg.pth files read it through
    sys._getframe(1)); other lines name directories to append to sys.path,
    relative to site-packages (inside the archive) or absolute.
    """
    sitedir = bundle.site_packages
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith('#'):
            continue
        try:
            if line.startswith(('import ', 'import\t')):
                exec(line)
                continue
            path = os.path.join(sitedir, line.rstrip())
            if path not in sys.path and (os.path.isdir(path) or _in_archive(bundle, path)):
                sys.path.append(path)
        except Exception as err:
            sys.stderr.write('Error processing line %d of %s/%s:\n  %s: %s\nRemainder of file ignored\n'
                             % (n, sitedir, name, type(err).__name__, err))
            return


def _in_archive(bundle, path):
    """Whether `path` is a directory inside the bundle's archive (rare: .pth path lines only)."""
    prefix = bundle.archive + '/'
    if not path.startswith(prefix):
        return False
    import zipimport
    files = zipimport._zip_directory_cache.get(bundle.archive) or ()
    inside = path[len(prefix):].rstrip('/') + '/'
    return any(name.startswith(inside) for name in files)


def bundle_for(archive):
    """The active Bundle whose archive path is `archive`, or None."""
    for bundle in _bundles:
        if bundle.archive == archive:
            return bundle
    return None


def info():
    """Describe the bundle this process runs, or None outside a bundle.

    A dict: archive (the bundle file), entry_dir (ROOT/KEY or None), key,
    name, version, entry ('module:attr'), cache_tag, site_dirs (the sys.path
    entries a child Python needs) and pythonpath (site_dirs joined with ':').
    """
    if not _bundles:
        return None
    return _bundles[0].info()
