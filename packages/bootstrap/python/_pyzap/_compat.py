"""pyzap: teach pkg_resources and pkgutil about the archive, when (and if) they are imported.

pkg_resources handles our finder and loader as the zipimporters they
subclass: `resource_exists/isdir/listdir/string/stream` read the zip. Two
things need more, for our classes and for zipimporter itself
(`PYZAP_ZIPIMPORT=1`); other zips keep pkg_resources' behaviour:
- the working set: pkg_resources treats a zip on sys.path as an egg and does
  not look for `*.dist-info` inside it. `ARCHIVE/site-packages` is a site
  directory, so its distributions are listed (and added to the working set
  that pkg_resources built while it was imported): entry points,
  `get_distribution`, `require` see exactly the bundled distributions;
- `resource_filename` (zipimport supports it for eggs only): answered with
  `_resources.real_path()`, a real file;
- the archive's file list: pkg_resources reads it with `zipfile` (the whole
  central directory, again in Python) and indexes it per provider object,
  and it makes a provider per call and one per distribution (certbot: 40
  indexes of 1,000 names at every start, ~25 ms). Our providers share one
  index per archive, built from the directory zipimport already read.

pkgutil would list the archive's modules through its zipimport function,
which imports `inspect`; our finder's own `iter_modules` is registered instead.

`_pyzap.ImportWatcher` calls these right after the module is imported (or at
activation, if it already is). Imported only then.
"""
import os
import sys


def register_pkg_resources(module):
    """Give `module` (pkg_resources, or pip's vendored copy) a provider whose resource_filename is real."""
    import zipimport
    from _pyzap import _importer

    class SharedIndex(object):
        """Mixin for ZipProvider: the archive's names and directory index, built once per archive."""

        @property
        def zipinfo(self):
            found = _manifest(module, self.loader.archive)
            return found if found is not None else module.ZipProvider.zipinfo.fget(self)

        def _index(self):
            found = _manifest(module, self.loader.archive)
            return found.dirs if found is not None else module.ZipProvider._index(self)

    class ArchiveMetadata(SharedIndex, module.EggMetadata):
        """The metadata of one *.dist-info / *.egg-info directory of the archive."""

    class ArchiveProvider(SharedIndex, module.ZipProvider):
        def get_resource_filename(self, manager, resource_name):
            from _pyzap import _resources
            found = _resources.real_path(self.loader.archive, self._resource_to_zip(resource_name))
            if found is None:
                return module.ZipProvider.get_resource_filename(self, manager, resource_name)
            return found

    module.register_loader_type(_importer.ArchiveLoader, ArchiveProvider)
    module.register_loader_type(zipimport.zipimporter, ArchiveProvider)

    def find_in_zip(importer, path_item, only=False):
        if not _is_bundle_site(importer):
            return module.find_eggs_in_zip(importer, path_item, only)
        return bundle_dists(importer, path_item)

    def bundle_dists(importer, path_item):
        """The distributions of a bundle's site directory (not an egg: its *.dist-info), as
        find_eggs_in_zip lists them, with metadata providers that share the archive's index."""
        top = importer.prefix.rstrip('/' + os.sep)
        for sub in list(_manifest(module, importer.archive).dirs.get(top, ())):
            if sub.lower().endswith(('.dist-info', '.egg-info')):
                subpath = os.path.join(path_item, sub)
                meta = ArchiveMetadata(zipimport.zipimporter(subpath))
                meta.egg_info = subpath
                yield module.Distribution.from_location(path_item, sub, meta)

    module.register_finder(zipimport.zipimporter, find_in_zip)
    working_set = module.working_set  # built while pkg_resources was imported, without them
    for entry in list(working_set.entries):
        importer = module.get_importer(entry)
        if _is_bundle_site(importer):
            for dist in find_in_zip(importer, entry):
                working_set.add(dist, entry, False)
                dist.activate(replace=False)


class _Manifest(object):
    """What ZipProvider.zipinfo gives, for an active bundle's archive: its names
    (os.sep-separated, as zipimport's directory holds them) answer `in` and
    iteration; a value (a ZipInfo: date and size, for extracting an egg's
    resource) loads pkg_resources' own manifest on first use. `dirs` is
    ZipProvider._index(): directory -> the names in it."""

    def __init__(self, module, archive):
        from _pyzap import _importer
        self.module = module
        self.archive = archive
        self.names = _importer.archive(archive).files
        dirs = {}
        for path in self.names:  # ZipProvider._index's walk, once
            parts = path.split(os.sep)
            while parts:
                parent = os.sep.join(parts[:-1])
                if parent in dirs:
                    dirs[parent].append(parts[-1])
                    break
                dirs[parent] = [parts.pop()]
        self.dirs = dirs

    def __contains__(self, name):
        return name in self.names

    def __iter__(self):
        return iter(self.names)

    def __len__(self):
        return len(self.names)

    def keys(self):
        return self.names.keys()

    def __getitem__(self, name):
        return self.module.ZipProvider._zip_manifests.load(self.archive)[name]

    def get(self, name, default=None):
        return self[name] if name in self.names else default


_manifests = {}  # (id of the pkg_resources module, archive) -> _Manifest


def _manifest(module, archive):
    """The shared _Manifest of `archive` if it is an active bundle, else None (any other zip)."""
    key = (id(module), archive)
    found = _manifests.get(key)
    if found is None:
        import _pyzap
        if _pyzap.bundle_for(archive) is None:
            return None
        found = _manifests[key] = _Manifest(module, archive)
    return found


def _is_bundle_site(importer):
    """Whether `importer` is a zipimporter (ours or zipimport's) for ARCHIVE/site-packages of an active bundle."""
    import _pyzap
    archive = getattr(importer, 'archive', None)
    prefix = getattr(importer, 'prefix', None)
    return (isinstance(archive, str) and prefix in ('site-packages/', 'site-packages' + os.sep)
            and _pyzap.bundle_for(archive) is not None)


def register_pkgutil(module):
    """pkgutil.iter_modules() on the archive: our finder's listing (no `inspect` import)."""
    from _pyzap import _importer
    module.iter_importer_modules.register(_importer.ArchiveFinder, _importer.ArchiveFinder.iter_modules)
