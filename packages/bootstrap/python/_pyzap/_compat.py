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
  `_resources.real_path()`, a real file.

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

    class ArchiveProvider(module.ZipProvider):
        def get_resource_filename(self, manager, resource_name):
            from _pyzap import _resources
            found = _resources.real_path(self.loader.archive, self._resource_to_zip(resource_name))
            if found is None:
                return module.ZipProvider.get_resource_filename(self, manager, resource_name)
            return found

    module.register_loader_type(_importer.ArchiveLoader, ArchiveProvider)
    module.register_loader_type(zipimport.zipimporter, ArchiveProvider)

    def find_in_zip(importer, path_item, only=False):
        if _is_bundle_site(importer):
            only = False  # a site directory, not an egg: list its *.dist-info
        return module.find_eggs_in_zip(importer, path_item, only)

    module.register_finder(zipimport.zipimporter, find_in_zip)
    working_set = module.working_set  # built while pkg_resources was imported, without them
    for entry in list(working_set.entries):
        importer = module.get_importer(entry)
        if _is_bundle_site(importer):
            for dist in find_in_zip(importer, entry):
                working_set.add(dist, entry, False)
                dist.activate(replace=False)


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
