"""pyzap: the bytecode of modules imported from the archive, in xz packs (docs/format.md, "Bytecode packs").

A bundle built with --compress 1-9 has no .pyc entries in site-packages: their
bytes are in `.pyzap/bytecode/N.xz` (STORED entries, each an xz stream of
concatenated .pyc files; N.zz, zlib streams, in bundles with much bytecode), listed in `.pyzap/bytecode/index` (marshal: archive
name -> (pack, offset, size); per pack its raw size and sha256; the key H of
all the packs). A pack is unpacked once, the first time one of its modules
is imported, into `ROOT/pyc-H/N` (written to `N.tmp-PID`, size, xz's check and
the index's SHA-256 verified, fsync'ed, renamed into place); later runs read a module with one
`pread` from that copy, no inflate. Each copy in use stays open for the
life of the process (and the directory, `_cacheroot.hold`), so `pyzap cache
clean` and `prune` see it in use.

The sources chunks listed in the index are unpacked the same way, into
`ROOT/pyc-H/sN`, the first time a source of theirs is read (`_sources`).

No usable cache root, or writing fails: the pack is decompressed into this
process's memory (PYZAP_DEBUG=1 says so). No lzma module and a pack not in
the cache yet: one line and exit 77 (NO_LZMA). A pack that does not
decompress to what its index says: one line and exit 65 (CORRUPT).

Imported by _importer when the bundle has packs, at the first import from the archive.
"""
import marshal
import os
import sys

from _pyzap import _cacheroot, debug

INDEX = '.pyzap/bytecode/index'
PREFIX = '.pyzap/bytecode/'
SOURCES = '.pyzap/sources/'
FORMAT = 'pyzap-bytecode 1'
KIND = 'pyc-'  # ROOT/pyc-H, beside the entries (ROOT/KEY) and resource copies (ROOT/res-H)
_FLAGS = os.O_RDONLY | getattr(os, 'O_CLOEXEC', 0) | getattr(os, 'O_NOFOLLOW', 0)


def _fail(code, message):
    """One line and exit with `_errors.<code>`: raised from inside an import, SystemExit passes
    every `except Exception`. (_errors is imported only then: not on every start.)"""
    from _pyzap import _errors
    sys.stderr.write('pyzap: %s\n' % message)
    raise SystemExit(getattr(_errors, code))


class Packs(object):
    """The packs of one bundle: its index, and one source of bytes per pack (an fd or, without a cache, bytes)."""

    def __init__(self, archive):
        self.archive = archive  # _importer._Archive
        try:
            index = marshal.loads(archive.read(INDEX))
            if index.get('format') != FORMAT:
                raise ValueError('format %r' % (index.get('format'),))
            self.key, self.packs, self.files = index['key'], index['packs'], index['files']
            # Sources chunks: name -> (raw size, sha256); in the key too (absent from older builds).
            self.chunks = dict((chunk, (raw, digest)) for chunk, raw, digest in index.get('sources', ()))
        except Exception as exc:
            _fail('CORRUPT', '%s: bad bytecode index %s (%s); the bundle is corrupt, rebuild or copy it again'
                  % (archive.path, INDEX, exc))
        self._sources = {}  # pack number -> fd of the unpacked copy, or its bytes
        self._dir = None  # ROOT/pyc-H once made; False: no usable cache, decompress into memory

    def read(self, name):
        """The bytes of .pyc `name` (archive name); KeyError if it is not packed."""
        number, offset, size = self.files[name]
        source = self._sources.get(number)
        if source is None:
            source = self._open(number)
        if isinstance(source, bytes):
            data = source[offset:offset + size]
        else:
            data = os.pread(source, size, offset)
        if len(data) != size:
            _fail('CORRUPT', '%s: the bytecode of %s lies outside its pack; the bundle is corrupt, rebuild it'
                  % (self.archive.path, name))
        return data

    def _open(self, number):
        pack, raw, digest = self.packs[number]
        source = self._unpacked(PREFIX + pack, _stem(pack), raw, digest, True)
        self._sources[number] = source
        return source

    def source_chunk(self, chunk):
        """The bytes of sources chunk `chunk` ('3.xz' of .pyzap/sources/), from its copy
        ROOT/pyc-H/s3, unpacked the first time a source of it is read (pkg_resources'
        pyparsing reads its own at every start: 2 chunks, ~9 ms of xz per certbot run).
        OSError when it is not listed, damaged or cannot be decompressed here: a
        traceback then shows no source lines, as before."""
        found = self.chunks.get(chunk)
        if found is None:
            raise FileNotFoundError(2, 'sources chunk not in the bytecode index', self.archive.path + '/' + SOURCES + chunk)
        raw, digest = found
        source = self._unpacked(SOURCES + chunk, 's' + _stem(chunk), raw, digest, False)
        if isinstance(source, bytes):
            return source
        try:
            data = os.pread(source, raw, 0)
        finally:
            os.close(source)
        if len(data) != raw:
            raise OSError('%s: the copy of sources chunk %s is short' % (self.archive.path, chunk))
        return data

    def _unpacked(self, entry, stem, raw, digest, strict):
        """An fd of ROOT/pyc-H/STEM, the decompressed copy of archive entry `entry`, made if
        missing; its bytes when there is no usable cache or writing fails. strict (bytecode):
        a damaged entry or no lzma exits; otherwise (sources) they raise OSError."""
        directory = self._directory()
        if directory:
            fd = self._cached(directory, stem, raw)
            if fd is not None:
                return fd
        data = self._decompress(entry, raw, digest, strict)
        if directory:
            fd = self._write(directory, stem, data, _what(entry, strict))
            if fd is not None:
                return fd
        return data

    def _directory(self):
        """ROOT/pyc-H, made if missing and held open; False when there is no usable one."""
        if self._dir is None:
            self._dir = False
            import _pyzap
            bundle = _pyzap.bundle_for(self.archive.path)
            try:
                if bundle is None:
                    raise OSError('%s is not an active bundle' % self.archive.path)
                root = _cacheroot.root_for(bundle, 'bytecode')
                directory = root + '/' + KIND + self.key
                if _problem(directory) is not None:
                    _make_dir(directory)
                if not _cacheroot.hold(directory):
                    raise OSError('%s was removed or replaced meanwhile' % directory)
                self._dir = directory
            except OSError as exc:
                debug('bytecode packs of %s: no cache directory (%s); decompressing them in memory', self.archive.path, exc)
        return self._dir

    def _cached(self, directory, stem, raw):
        """An fd of the unpacked copy directory/STEM if it is ours (or root's) and whole, else None."""
        path = directory + '/' + stem
        try:
            fd = os.open(path, _FLAGS)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            import stat
            if stat.S_ISREG(st.st_mode) and st.st_uid in (os.geteuid(), 0) and not st.st_mode & 0o022 and st.st_size == raw:
                return fd
        except OSError:
            pass
        os.close(fd)
        debug('%s is not a whole copy; unpacking it again', path)
        return None

    def _decompress(self, entry, raw, digest, strict):
        """The decompressed bytes of archive entry `entry`: `raw` of them, whose SHA-256 is
        `digest` (the cache directory is named after these: a copy in it must be what the
        index says, whichever bundle wrote it); see _unpacked for `strict`."""
        what = _what(entry, strict)
        try:
            packed = self.archive.read(entry)
        except OSError as exc:
            if not strict:
                raise
            _fail('CORRUPT', '%s: cannot read %s (%s); the bundle is corrupt, rebuild or copy it again'
                  % (self.archive.path, what, exc))
        if entry.endswith('.zz'):  # a zlib stream (a bundle with much bytecode, or built without lzma)
            import zlib
            decompress = zlib.decompress  # checks its Adler-32
        else:
            try:
                import lzma
            except ImportError:
                if not strict:  # no source lines, as for a module shipped without its source
                    raise FileNotFoundError(2, 'cannot decompress the sources (no lzma module)', self.archive.path + '/' + entry)
                _fail('NO_LZMA', '%s: this Python (%s) has no lzma module, needed to unpack the bundle\'s bytecode; '
                      'run it with a Python built with lzma (PYZAP_PYTHON), or rebuild the bundle with --compress 0'
                      % (self.archive.path, sys.executable))
            decompress = lzma.decompress  # xz checks its own CRC
        try:
            data = decompress(packed)
        except Exception as exc:
            data = exc
        if isinstance(data, bytes) and len(data) == raw:
            import hashlib  # first runs only: ~1 ms a MiB
            if hashlib.sha256(data).hexdigest() != digest:
                data = ValueError('its SHA-256 is not the one in the index')
        if not isinstance(data, bytes) or len(data) != raw:
            why = data if not isinstance(data, bytes) else '%d bytes, not %d' % (len(data), raw)
            if not strict:
                raise OSError('%s: %s is corrupt (%s)' % (self.archive.path, what, why))
            _fail('CORRUPT', '%s: %s is corrupt (%s); rebuild the bundle or copy it again'
                  % (self.archive.path, what, why))
        return data

    def _write(self, directory, stem, data, what):
        """Publish `data` as directory/STEM (tmp, verify, fsync, rename); an fd of it, or None if writing failed."""
        _cacheroot.reclaim(directory, stem)
        final = directory + '/' + stem
        tmp = '%s.tmp-%d' % (final, os.getpid())
        fd = None
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _FLAGS, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, 0o644)
            if os.fstat(fd).st_size != len(data):
                raise OSError('%s is short' % tmp)
            os.fsync(fd)
            os.rename(tmp, final)  # the last rename wins; every copy is whole and the same
            debug('unpacked %s of %s', final, self.archive.path)
            return fd
        except OSError as exc:
            debug('cannot write %s (%s); keeping %s in memory', tmp, exc, what)
            if fd is not None:
                os.close(fd)
            _cacheroot.rmtree(tmp)
            return None


def _what(entry, strict):
    """'bytecode pack 3.xz' or 'sources chunk 3.xz', for messages."""
    return ('bytecode pack %s' if strict else 'sources chunk %s') % entry.rpartition('/')[2]


def _stem(pack):
    """'3' for '3.xz': the unpacked copy's name."""
    return pack.partition('.')[0]


def _make_dir(directory):
    """Make ROOT/pyc-H (0755); anything else by that name (not ours, writable by others) is moved aside first."""
    if os.path.lexists(directory):
        bad = '%s.bad-%d' % (directory, os.getpid())
        os.rename(directory, bad)
        _cacheroot.rmtree(bad)
    try:
        os.mkdir(directory, 0o755)
    except FileExistsError:
        pass  # another process made it meanwhile
    else:
        os.chmod(directory, 0o755)
    problem = _problem(directory)
    if problem is not None:
        raise OSError('%s %s' % (directory, problem))


def _problem(directory):
    """_cacheroot.entry_problem, except that a directory of root's is fine too: a root-run app whose
    workers drop to another user (Apache, mod_wsgi) has them read the copies root unpacked (the
    packs root has not unpacked yet they keep in memory, as they cannot write there)."""
    problem = _cacheroot.entry_problem(directory)
    if problem == 'is owned by another user' and os.lstat(directory).st_uid == 0:
        return None
    return problem


def packs(archive):
    """The Packs of `archive` (an _importer._Archive), read once."""
    found = archive.packs
    if found is None:
        found = archive.packs = Packs(archive)
    return found
