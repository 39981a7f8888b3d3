"""pyzap: the sources of compiled modules, kept in solid chunks (docs/format.md, "Sources").

A module imported from the archive runs from its .pyc; its `.py` is not an
entry of its own but part of `.pyzap/sources/N.xz` (N.zz: a zlib stream, from a
build Python without lzma), listed in `.pyzap/sources/index`. Nothing here
runs at start-up: the index is read on the first get_source() (a traceback,
inspect.getsource(), linecache), and one chunk, the most recent, is kept
decompressed. In a bundle with bytecode packs a chunk is decompressed once,
into the cache beside the packs (`_bytecode.Packs.source_chunk`), and read
from that copy by later runs.
"""
from _pyzap._importer import SOURCES_INDEX as INDEX

# archive path -> {name: (chunk, offset, size)}
_indexes = {}
# (archive path, chunk) -> bytes: the last chunk decompressed.
_last = [None, None]


def _index(archive):
    found = _indexes.get(archive.path)
    if found is None:
        found = {}
        lines = archive.read(INDEX).decode('utf-8').split('\n')
        if lines[0] != 'pyzap-sources 1':
            raise OSError('%s: %s is not a pyzap sources index' % (archive.path, INDEX))
        try:
            for line in lines[1:]:
                if line:
                    chunk, offset, size, name = line.split(' ', 3)
                    found[name] = (chunk, int(offset), int(size))
        except ValueError:  # linecache and traceback expect OSError from a bad source
            raise OSError('%s: bad line in %s: %r' % (archive.path, INDEX, line[:200]))
        _indexes[archive.path] = found
    return found


def _chunk(archive, chunk):
    key = (archive.path, chunk)
    if _last[0] != key and archive.packed:
        # A bundle with bytecode packs lists the chunks in their index: the chunk is
        # decompressed once into the cache beside the packs, and read from there after.
        from _pyzap import _bytecode
        packs = _bytecode.packs(archive)
        if chunk in packs.chunks:
            _last[:] = [key, packs.source_chunk(chunk)]
    if _last[0] != key:
        packed = archive.read('.pyzap/sources/' + chunk)
        if chunk.endswith('.xz'):
            import lzma
            data = lzma.decompress(packed)
        else:
            import zlib
            data = zlib.decompress(packed)
        _last[:] = [key, data]
    return _last[1]


def read(archive, name):
    """Bytes of source `name` (an archive name, 'site-packages/pkg/mod.py'); OSError when absent."""
    if not archive.chunked:
        raise FileNotFoundError(2, 'not in the bundle', archive.path + '/' + name)
    where = _index(archive).get(name)
    if where is None:
        raise FileNotFoundError(2, 'not in the bundle', archive.path + '/' + name)
    chunk, offset, size = where
    try:
        data = _chunk(archive, chunk)
    except ImportError:  # this Python has no lzma: no source, as for a .pyc-only module
        raise FileNotFoundError(2, 'cannot decompress the sources (no lzma module)', archive.path + '/' + name)
    except Exception as exc:
        raise OSError('%s: bad sources chunk %s: %s' % (archive.path, chunk, exc))
    if offset < 0 or size < 0 or offset + size > len(data):
        raise OSError('%s: sources chunk %s is shorter than its index says' % (archive.path, chunk))
    return data[offset:offset + size]
