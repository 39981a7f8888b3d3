"""importlib.metadata's Distribution for a dist-info directory inside the archive.

Reads each metadata file (METADATA, entry_points.txt, RECORD...) with one
pread through the zip directory zipimport already read at start-up
(`_importer.archive`), so the first lookup costs no zipfile.ZipFile: opening
one parses the whole central directory again, which grows with the archive.

Imported only on the first importlib.metadata lookup that concerns the bundle.
"""
import importlib.metadata

from _pyzap import _importer, _normalize


class ArchiveDistribution(importlib.metadata.Distribution):
    """One distribution of the archive's site-packages (DIST.dist-info)."""

    def __init__(self, archive_path, dist_info):
        self._archive = _importer.archive(archive_path)
        self._dir = 'site-packages/' + dist_info + '/'

    def __repr__(self):
        return '<pyzap ArchiveDistribution %s/%s>' % (self._archive.path, self._dir.rstrip('/'))

    def read_text(self, filename):
        """Text of DIST.dist-info/FILENAME, None when the distribution has no such file."""
        try:
            data = self._archive.read(self._dir + filename)
        except OSError:
            return None
        return data.decode('utf-8')

    def locate_file(self, path):
        """A readable path object for `path` relative to site-packages (dist.files[i].locate()).

        Served from the zip directory zipimport already read: a zipfile.Path
        would parse the whole central directory again in Python (28 ms for
        pandas + scipy + numpy, which numpy.testing pays at import).
        """
        return _ArchivePath(self._archive, 'site-packages/' + str(path))

    @property
    def _normalized_name(self):
        # What PathDistribution derives from its directory name, without reading METADATA.
        stem = self._dir[len('site-packages/'):].rstrip('/')
        return _normalize(stem.rpartition('.')[0].partition('-')[0])


class _ArchivePath(object):
    """A file or directory of the archive, readable like the zipfile.Path that a
    PathDistribution over a zip gives (importlib.resources' Traversable):
    compiled modules' sources come from the chunks, like get_source()."""

    def __init__(self, archive, name):
        self._archive = archive
        self._name = name.rstrip('/')

    def __str__(self):
        return self._archive.path + '/' + self._name

    def __repr__(self):
        return '<pyzap ArchivePath %s>' % self

    def __eq__(self, other):
        return isinstance(other, _ArchivePath) and (self._archive.path, self._name) == (other._archive.path, other._name)

    def __hash__(self):
        return hash((self._archive.path, self._name))

    @property
    def name(self):
        return self._name.rpartition('/')[2]

    @property
    def parent(self):
        return _ArchivePath(self._archive, self._name.rpartition('/')[0])

    def joinpath(self, *parts):
        name = '/'.join([self._name] + [str(p).strip('/') for p in parts if str(p)])
        return _ArchivePath(self._archive, name)

    __truediv__ = joinpath

    def is_dir(self):
        return self._name in self._archive.dirs()

    def is_file(self):
        # A compiled module's source is in the chunks: the loader's rule (_importer.ArchiveLoader),
        # answered from the names alone, not by decompressing a chunk.
        archive = self._archive
        return self._name in archive.files or (
            archive.chunked and self._name.endswith('.py') and archive.has_pyc(self._name + 'c'))

    def exists(self):
        return self.is_dir() or self.is_file()

    def iterdir(self):
        if not self.is_dir():
            raise NotADirectoryError(20, 'not a directory in the bundle', str(self))
        prefix = self._name + '/'
        seen = set()
        for name in _listing(self._archive):
            if name.startswith(prefix):
                child = name[len(prefix):].partition('/')[0]
                if child and child not in seen:
                    seen.add(child)
                    yield _ArchivePath(self._archive, prefix + child)

    def read_bytes(self):
        return self._archive.read_source(self._name)

    def read_text(self, encoding='utf-8', errors='strict'):
        return self.read_bytes().decode(encoding, errors)

    def open(self, mode='r', encoding='utf-8', errors='strict', **_):
        import io
        data = self.read_bytes()
        return io.BytesIO(data) if 'b' in mode else io.StringIO(data.decode(encoding, errors))


def _listing(archive):
    """The archive's names as a directory would show them: a compiled module's
    `.py` (its source, in the chunks) instead of its `.pyc`, and every directory."""
    names = list(archive.dirs())
    for name in archive.files:
        if archive.chunked and name.endswith('.pyc'):
            name = name[:-1]
        names.append(name)
    if archive.chunked:  # and the modules whose bytecode is in packs (_bytecode)
        names.extend(name[:-1] for name in archive.pycs())
    return names
