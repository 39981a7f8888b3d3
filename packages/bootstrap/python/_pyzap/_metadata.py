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
        self._zipfile = None
        self._located = None

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

        A zipfile.Path, as the standard PathDistribution over a zip gives: the
        archive is opened here, on the first such call, never for metadata.
        """
        if self._located is None:
            import zipfile
            # Kept referenced: on 3.9 the Path shares the ZipFile's file, which its __del__ closes.
            self._zipfile = zipfile.ZipFile(self._archive.path)
            self._located = zipfile.Path(self._zipfile, at='site-packages/')
        name = 'site-packages/' + str(path)
        if self._archive.chunked and name.endswith('.py') and name not in self._archive.files:
            return _Source(self._archive, name)  # a compiled module's source, kept in the chunks
        return self._located.joinpath(str(path))

    @property
    def _normalized_name(self):
        # What PathDistribution derives from its directory name, without reading METADATA.
        stem = self._dir[len('site-packages/'):].rstrip('/')
        return _normalize(stem.rpartition('.')[0].partition('-')[0])


class _Source(object):
    """What locate_file() gives for a source kept in the chunks: readable like a zipfile.Path."""

    def __init__(self, archive, name):
        self._archive = archive
        self._name = name

    def __str__(self):
        return self._archive.path + '/' + self._name

    @property
    def name(self):
        return self._name.rpartition('/')[2]

    def exists(self):
        try:
            self.read_bytes()
        except OSError:
            return False
        return True

    is_file = exists

    def is_dir(self):
        return False

    def read_bytes(self):
        return self._archive.read_source(self._name)

    def read_text(self, encoding='utf-8', errors='strict'):
        return self.read_bytes().decode(encoding, errors)

    def open(self, mode='r', encoding='utf-8', errors='strict', **_):
        import io
        data = self.read_bytes()
        return io.BytesIO(data) if 'b' in mode else io.StringIO(data.decode(encoding, errors))
