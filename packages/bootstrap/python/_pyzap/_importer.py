"""pyzap: import pure Python from the bundle's archive, each module loaded once.

CPython's zipimport would do the job, but it builds every module's code twice
(gh-141276), sets `__file__` to the `.pyc` and leaves `co_filename` as the
relative name given at build time. This path-entry finder serves every
directory under `ARCHIVE/site-packages` instead:

- the archive's directory is the one zipimport already read to import this
  runtime from `ARCHIVE/.pyzap/boot` (`zipimport._zip_directory_cache`), so it
  costs nothing more;
- a module is one `pread` of its STORED `.pyc` (or, in a bundle with bytecode
  packs, of its pack's unpacked copy in the cache, `_bytecode`) and one
  `marshal.loads`;
- `__file__` and `__spec__.origin` are `ARCHIVE/site-packages/pkg/mod.py` and
  code objects carry that name, so tracebacks, `inspect.getsource()` and
  linecache find the source through `get_source()`;
- finder and loader are `zipimport.zipimporter` subclasses (with `archive`,
  `prefix` and `_files` set, zipimport's `__init__` never called), so code that
  only knows zipimport works unchanged: pkg_resources finds the archive's
  distributions and serves its resources, jinja2's `PackageLoader` reads
  templates, `pkgutil.iter_modules` lists packages;
- `importlib.resources.files()` gets zipimport's reader, except that
  `as_file()` gives the file's real copy (`_resources.real_path`) instead of a
  new temporary file each time.

It is a path hook, not a meta-path finder, so `sys.path` order still decides:
a package unpacked whole into `ROOT/KEY/site` (earlier on `sys.path`) wins over
its zipped copy, and namespace packages merge across directories as usual.

Imported on every start: only modules that are already loaded.
"""
import marshal
import os
import sys
import zipimport

import _imp
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import MAGIC_NUMBER, decode_source

SITE = 'site-packages'
SOURCES_INDEX = '.pyzap/sources/index'
BYTECODE_INDEX = '.pyzap/bytecode/index'

# Active archives: path -> _Archive.
_archives = {}


class _Archive(object):
    """One bundle file: its zip directory and reads of single entries."""

    def __init__(self, path, files, root=SITE):
        self.path = path
        self.files = files  # zipimport's toc: name -> (path, compress, csize, size, offset, ...)
        self.site = path + '/' + root if root else path  # the directory served: ARCHIVE/site-packages, or a whole zip
        self._dirs = None
        # Sources of compiled modules in solid chunks (_pyzap._sources, imported when one is read).
        self.chunked = SOURCES_INDEX in files
        # Bytecode in packs (_pyzap._bytecode): its index is read at the first lookup.
        self.packed = BYTECODE_INDEX in files
        self.packs = None  # _bytecode.Packs
        self._pycs = None if self.packed else {}

    def pycs(self):
        """The packed .pyc: archive name -> (pack, offset, size); empty when the bytecode is in entries."""
        if self._pycs is None:
            # Empty while the index is read: reading it may import zlib (an extension module on
            # some Pythons), whose lookup comes back here and must not read the index again.
            self._pycs = {}
            try:
                from _pyzap import _bytecode
                self._pycs = _bytecode.packs(self).files
            except BaseException:
                self._pycs = None
                raise
        return self._pycs

    def has_pyc(self, name):
        return name in self.files or name in self.pycs()

    def read_pyc(self, name):
        """The bytes of .pyc `name`, from its entry or its pack."""
        if name in self.files:
            return self.read(name)
        return self.packs.read(name)

    def dirs(self):
        """Every directory that holds a file (for namespace packages); built on first need."""
        if self._dirs is None:
            parents = set(name.rpartition('/')[0] for name in self.files)
            parents.update(name.rpartition('/')[0] for name in self.pycs())
            dirs = set()
            for name in parents:
                while name and name not in dirs:
                    dirs.add(name)
                    name = name.rpartition('/')[0]
            self._dirs = dirs
        return self._dirs

    def read(self, name):
        """The bytes of entry `name`; OSError when it is missing or unreadable."""
        entry = self.files.get(name)
        if entry is None:
            raise FileNotFoundError(2, 'not in the bundle', self.path + '/' + name)
        compress, csize, offset = entry[1], entry[2], entry[4]
        fd = os.open(self.path, os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0))
        try:
            # The local header's name and extra field usually fit in the slack.
            want = 30 + 512 + csize
            buf = os.pread(fd, want, offset)
            if len(buf) < 30 or buf[:4] != b'PK\x03\x04':
                raise OSError('%s: bad local header for %s at offset %d' % (self.path, name, offset))
            start = 30 + int.from_bytes(buf[26:28], 'little') + int.from_bytes(buf[28:30], 'little')
            data = buf[start:start + csize]
            if len(data) < csize:
                data = os.pread(fd, csize, offset + start)
            if len(data) != csize:
                raise OSError('%s: %s is truncated' % (self.path, name))
        finally:
            os.close(fd)
        if compress == 0:
            return data
        import zlib
        return zlib.decompress(data, -15, entry[3])  # sized buffer: no regrowth for a big .pyc

    def read_source(self, name):
        """read(name), or for a compiled module's source, its bytes from the solid chunks."""
        if name.endswith('.pyc') and name not in self.files and name in self.pycs():
            return self.read_pyc(name)
        if name in self.files or not name.endswith('.py'):
            return self.read(name)
        from _pyzap import _sources
        return _sources.read(self, name)


class _Settable(zipimport.zipimporter):
    """zipimporter whose `archive`, `prefix`, `_files` are plain attributes.

    Python 3.7's zipimporter is written in C and those are read-only members
    there; names in a subclass's namespace shadow them, so assignment lands in
    the instance's __dict__ (3.8+: its pure-Python zipimporter has them anyway).
    """
    if sys.version_info < (3, 8):
        archive = prefix = _files = None


class ArchiveFinder(_Settable):
    """Path-entry finder for one directory of the archive (`ARCHIVE/site-packages[/pkg...]`)."""

    def __init__(self, archive, path):  # no super().__init__: the directory is already read
        self.zip = archive
        self.path = path
        # zipimporter's attributes, for pkg_resources, pkgutil and jinja2.
        self.archive = archive.path
        self.prefix = _dir_prefix(path[len(archive.path) + 1:])  # inside the zip, e.g. 'site-packages/pkg/'
        self._files = archive.files

    def __repr__(self):
        return '<pyzap ArchiveFinder %s>' % self.path

    def find_spec(self, fullname, target=None):
        tail = fullname.rpartition('.')[2]
        base = self.prefix + tail
        files = self._files
        pycs = self.zip.pycs()
        init = base + '/__init__.pyc'
        if init in files or init in pycs or base + '/__init__.py' in files:
            return self._spec(fullname, base + '/__init__', True)
        if base + '.pyc' in files or base + '.pyc' in pycs or base + '.py' in files:
            return self._spec(fullname, base, False)
        if base in self.zip.dirs():
            # A namespace portion, exactly as FileFinder reports one.
            spec = ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = [self.path + '/' + tail]
            return spec
        return None

    def _spec(self, fullname, stem, is_package):
        loader = ArchiveLoader(self.zip, fullname, stem, is_package)
        spec = ModuleSpec(fullname, loader, origin=loader.filename, is_package=is_package)
        spec.has_location = True
        spec.cached = loader.cached
        if is_package:
            spec.submodule_search_locations = [self.archive + '/' + stem.rpartition('/')[0]]
        return spec

    def invalidate_caches(self):
        pass

    def iter_modules(self, prefix=''):
        """(name, ispkg) for pkgutil.iter_modules(), like FileFinder's."""
        seen = set()
        n = len(self.prefix)
        names = self._files
        if self.zip.pycs():
            names = set(names)
            names.update(self.zip.pycs())
        for name in sorted(names):
            if not name.startswith(self.prefix):
                continue
            rest = name[n:]
            head, sep, tail = rest.partition('/')
            if sep:
                mod, ispkg = head, tail in ('__init__.py', '__init__.pyc')
                if not ispkg or '.' in head:
                    continue
            else:
                mod = _module_name(head)
                if not mod or '.' in mod or mod == '__init__':
                    continue
                ispkg = False
            if mod not in seen:
                seen.add(mod)
                yield prefix + mod, ispkg


def _dir_prefix(name):
    """zipimporter.prefix of directory `name` in the zip: 'pkg/sub/', or '' at the zip's root."""
    return name + '/' if name else ''


def _module_name(filename):
    """'mod' for mod.py, mod.pyc or mod.cpython-311-x86_64-linux-gnu.so (natives are served from the cache)."""
    for suffix in ('.py', '.pyc') + tuple(_imp.extension_suffixes()):
        if filename.endswith(suffix):
            return filename[:-len(suffix)]
    return None


class ArchiveLoader(_Settable):
    """Loads one module from the archive: its STORED .pyc, else its source."""

    def __init__(self, archive, fullname, stem, is_package):  # no super().__init__, as above
        self.archive_obj = archive
        self.name = fullname
        self.stem = stem  # e.g. 'site-packages/pkg/__init__' or 'site-packages/pkg/mod'
        self.package = is_package
        # zipimporter's attributes, which importlib.readers.ZipReader and tools read.
        self.archive = archive.path
        parent = stem.rpartition('/')[0]
        self.prefix = _dir_prefix(parent.rpartition('/')[0] if is_package else parent)
        self._files = archive.files
        # A compiled module's source is in the solid chunks (_sources) when not an entry of its own.
        has_pyc = archive.has_pyc(stem + '.pyc')
        has_source = stem + '.py' in archive.files or (archive.chunked and has_pyc)
        self.filename = archive.path + '/' + stem + ('.py' if has_source else '.pyc')
        self.cached = archive.path + '/' + stem + '.pyc' if has_pyc else None

    def __repr__(self):
        return '<pyzap ArchiveLoader %s>' % self.filename

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        code = self.get_code(module.__name__)
        exec(code, module.__dict__)

    def is_package(self, fullname):
        return self.package

    def get_filename(self, fullname):
        return self.filename

    def get_code(self, fullname):
        if self.cached is not None:
            data = self.archive_obj.read_pyc(self.stem + '.pyc')
            # Our own unchecked-hash pycs (flags 0b01); anything else: compile the source.
            if data[:4] == MAGIC_NUMBER and len(data) > 16:
                code = marshal.loads(memoryview(data)[16:])
                _imp._fix_co_filename(code, self.filename)
                return code
        source = self.archive_obj.read(self.stem + '.py')
        return compile(source, self.filename, 'exec', dont_inherit=True)

    def get_source(self, fullname):
        try:
            data = self.archive_obj.read_source(self.stem + '.py')
        except OSError:
            return None
        return decode_source(data)

    def get_data(self, path):
        """Bytes of a file of the archive, by its full path (pkgutil.get_data, ...)."""
        root = self.archive + '/'
        if not path.startswith(root):
            raise FileNotFoundError(2, 'not in the bundle', path)
        return self.archive_obj.read_source(path[len(root):])

    def get_resource_reader(self, fullname):
        """zipimport's reader (importlib.resources.files()), whose as_file() gives a real copy."""
        if not self.package:
            return None
        if sys.version_info < (3, 10):
            # No importlib.readers.ZipReader (_resources), and zipimport's older reader asks
            # get_data for zip-relative names: without a reader, importlib.resources opens
            # spec.origin's directory / resource, and on failure reads it through get_data.
            return None
        if self.archive_obj.site == self.archive:  # a whole zip, not a bundle (the standalone stdlib)
            return zipimport.zipimporter.get_resource_reader(self, fullname)
        from _pyzap import _resources
        return _resources.reader(self, fullname)


def _hook(path):
    """sys.path_hooks entry: an ArchiveFinder for any directory under an active ARCHIVE/site-packages."""
    for archive in _archives.values():
        site = archive.site
        if path == site or (path.startswith(site) and path[len(site)] == '/'):
            return ArchiveFinder(archive, path.rstrip('/'))
    raise ImportError('not a pyzap archive directory', path=path)


def archive(path):
    """The _Archive of bundle `path` (installed or not: PYZAP_ZIPIMPORT=1 uses it for reads too)."""
    found = _archives.get(path)
    if found is None:
        files = zipimport._zip_directory_cache.get(path)
        if files is None:
            zipimport.zipimporter(path + '/' + SITE)
            files = zipimport._zip_directory_cache[path]
        found = _Archive(path, files)
    return found


def install(path):
    """Serve ARCHIVE/site-packages of the bundle `path` from now on; False if it cannot be done."""
    if path in _archives:
        return True
    if os.sep != '/':  # pragma: no cover - zipimport's names use os.sep
        return False
    try:
        found = archive(path)
    except Exception:
        return False
    _serve(found)
    return True


def install_zip(path, files):
    """Serve the whole zip `path` (a standalone runtime's standard library), whose zipimport toc is `files`."""
    if path not in _archives and os.sep == '/':
        _serve(_Archive(path, files, ''))


def _serve(found):
    _archives[found.path] = found
    if _hook not in sys.path_hooks:
        sys.path_hooks.insert(0, _hook)
    # zipimporters made for our directories before now must not answer first.
    site = found.site
    cache = sys.path_importer_cache
    for entry in [e for e in cache if e == site or e.startswith(site + '/')]:
        del cache[entry]
