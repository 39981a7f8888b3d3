"""pyzap --standalone: the carried standard library zip, without parsing it at start-up.

CPython's getpath puts the runtime's `lib/python3XY.zip` on `sys.path`, and
zipimport reads its whole central directory in Python the first time an import
reaches it (~35,000 instructions per entry: ~3 ms for ~570 entries), then
builds every module's code twice (gh-141276). A start through the launcher
avoids both:

- the launcher puts `lib/pyzap-early` of the runtime on `PYTHONPATH`: the
  codecs imported before `site` (`encodings` and the UTF-8, ASCII and Latin-1
  codecs) as plain files, so those imports never reach the zip (the early
  `encodings` looks in the zip for any other codec);
- here, before anything else imports from the zip, zipimport's directory cache
  is filled from `pyzap-early/stdlib.idx` (the build interpreter's own reading
  of that zip, marshalled: one read, one `marshal.loads`), and the zip is
  served by `_importer`'s single-load finder;
- `pyzap-early` leaves `sys.path` and the children's `PYTHONPATH` again.

Anything else (a child started with `-I`, `-E` or `-S`, a bundle built before
the index existed) gets the interpreter's usual zipimport: slower, same result.
The index is trusted only for the zip it was made from (same size, same cache
tag); both are files of one content-keyed runtime entry.

Imported on every start of a standalone bundle (only then): only modules already loaded.
"""
import marshal
import os
import sys
import zipimport

EARLY = 'pyzap-early'
INDEX = 'stdlib.idx'


def is_early(path):
    """Whether `path` is a runtime's early directory (never for children: it holds one Python's .pyc)."""
    return os.path.basename(path) == EARLY


def install(zip_path):
    """Serve the runtime's stdlib zip `zip_path` (found by _pyzap._stdlib_zip) with the single-load
    importer; False if its index is not there."""
    # encodings is loaded; its __path__ keeps the directory it needs. By name:
    # the launcher's spelling of the path may differ from sys.base_prefix's.
    sys.path[:] = [p for p in sys.path if not is_early(p)]
    files = zipimport._zip_directory_cache.get(zip_path)
    if files is None:
        files = _read_index(zip_path, os.path.join(os.path.dirname(zip_path), EARLY, INDEX))
        if files is None:
            return False
        zipimport._zip_directory_cache[zip_path] = files
    from _pyzap import _importer
    _importer.install_zip(zip_path, files)
    return True


def _read_index(zip_path, index):
    """zipimport's toc of zip_path from its index (None if absent or made for another zip)."""
    try:
        fd = os.open(index, os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0))
    except OSError:
        return None
    try:
        data = b''
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            data += chunk
        tag, size, names, columns = marshal.loads(data)
        if tag != sys.implementation.cache_tag or size != os.stat(zip_path).st_size:
            return None
    except (OSError, ValueError, TypeError, EOFError):
        return None
    finally:
        os.close(fd)
    # name -> (ZIP/name, compress, size, ...), built by zip() and map() in C: ~0.05 ms, not 3.
    return dict(zip(names, zip(map((zip_path + '/').__add__, names), *columns)))
