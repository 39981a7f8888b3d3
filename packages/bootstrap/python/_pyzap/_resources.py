"""pyzap: real files for resources that live in the archive.

Some code needs a resource as a file on disk: `pkg_resources.resource_filename`
(certbot's `ssl-dhparams.pem`), `importlib.resources.as_file` (certifi's
`cacert.pem` for `certifi.where()`, llvmlite's 178 MB `libllvmlite.so`).
`real_path()` answers with, in order:

1. the file in the bundle's cache entry (`ROOT/KEY/site/...`), when the build
   unpacked it there (native files, packages unpacked whole, data the build
   analysis marked): nothing to do;
2. otherwise a copy extracted once into `ROOT/res-H/site/...`, where H is a
   hash of the requested entries' names, CRC-32s and sizes (from the zip's
   central directory). Identical resources of different bundles share it; a
   changed resource gets another H. It is written to `ROOT/res-H.tmp-PID`,
   every file's CRC-32 and size checked (zipfile), files and directories
   fsync'ed, then renamed into place, as entries are; a process that loses the
   race uses the winner's copy. Like an entry it is used only if it is a real
   directory owned by this user and not writable by group or others; anything
   else by that name is moved aside and removed.

Never a temporary file per start (what zipimport's reader does for `as_file`).
A process that uses a copy keeps its directory open until it exits and
refreshes its mtime once a day, as a launcher does for an entry, so
`pyzap cache clean` and `prune` (which list `res-*` beside the entries) leave
it alone while it is in use and see when it was last used.

Imported only when a resource is asked for as a file, or an importlib.resources
reader is made.
"""
import os

from _pyzap import _cacheroot, debug

SITE = 'site-packages/'


def _bundle(archive):
    import _pyzap
    return _pyzap.bundle_for(archive)


def real_path(archive, name):
    """A real file or directory with the content of `name` (inside the zip, e.g.
    'site-packages/certbot/ssl-dhparams.pem') of the active bundle `archive`.

    None when `archive` is not an active bundle or holds no such file or directory.
    """
    bundle = _bundle(archive)
    name = name.replace(os.sep, '/').strip('/')
    if bundle is None or not name.startswith(SITE):
        return None
    from _pyzap import _importer
    files = _importer.archive(archive).files
    if name in files:
        members = [name]
    else:
        members = sorted(n for n in files if n.startswith(name + '/') and not n.endswith('/'))
        if not members:
            return None
    rel = name[len(SITE):]
    if bundle.site_dir:
        unpacked = [bundle.site_dir + '/' + m[len(SITE):] for m in members]
        if all(os.path.isfile(p) for p in unpacked):
            return bundle.site_dir + '/' + rel
    return _extract_once(bundle, files, members, rel)


def _extract_once(bundle, files, members, rel, again=True):
    import hashlib
    digest = hashlib.sha256(b'pyzap-res 1\n')
    for m in members:
        entry = files[m]
        digest.update(('%s %d %d\n' % (m, entry[7], entry[3])).encode('utf-8', 'surrogateescape'))
    root = _cacheroot.root_for(bundle, 'resources')
    dest = os.path.join(root, 'res-' + digest.hexdigest()[:16])
    target = dest + '/site/' + rel
    if _cacheroot.entry_problem(dest) is None and _cacheroot.hold(dest):
        return target
    _cacheroot.reclaim(root, os.path.basename(dest))
    tmp = '%s.tmp-%d' % (dest, os.getpid())
    try:
        _write(bundle.archive, members, tmp)
        if os.path.lexists(dest) and _cacheroot.entry_problem(dest) is not None:  # not ours, or writable by others: replace it
            bad = '%s.bad-%d' % (dest, os.getpid())
            os.rename(dest, bad)
            _cacheroot.rmtree(bad)
        try:
            os.rename(tmp, dest)
        except OSError:
            if _cacheroot.entry_problem(dest) is not None:
                raise
            _cacheroot.rmtree(tmp)  # someone else published it first: theirs is as good
    except BaseException:
        _cacheroot.rmtree(tmp)
        raise
    if not _cacheroot.hold(dest) and again:  # removed between its rename and now: extract it again, once
        return _extract_once(bundle, files, members, rel, again=False)
    debug('extracted %d file(s) of %s once into %s', len(members), rel, dest)
    return target


def _write(archive, members, tmp):
    """Extract `members` into tmp/site/..., checked (CRC-32, size) and fsync'ed."""
    import shutil
    import zipfile
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)
    dirs = set()
    os.mkdir(tmp, 0o755)
    with zipfile.ZipFile(archive) as zf:
        for m in members:
            info = zf.getinfo(m)
            out = tmp + '/site/' + m[len(SITE):]
            parent = os.path.dirname(out)
            if parent not in dirs:
                os.makedirs(parent, 0o755, exist_ok=True)
                dirs.add(parent)
            mode = 0o755 if (info.external_attr >> 16) & 0o111 else 0o644
            fd = os.open(out, flags, mode)
            with os.fdopen(fd, 'wb') as dst, zf.open(info) as src:  # zipfile checks the CRC at the end
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fchmod(dst.fileno(), mode)
                if dst.tell() != info.file_size:
                    raise OSError('pyzap: %s: %s is truncated; the bundle is corrupt' % (archive, m))
                os.fsync(dst.fileno())
    for d in sorted(dirs | {tmp}, key=len, reverse=True):
        os.chmod(d, 0o755)
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# importlib.resources: zipimport's reader, whose files() are zipfile.Path objects
# of a subclass that as_file() turns into real_path() instead of a temporary copy.
_reader_class = None


def reader(loader, fullname):
    """An importlib.resources reader for package `fullname` of the archive."""
    global _reader_class
    if _reader_class is None:
        _reader_class = _make_reader_class()
    return _reader_class(loader, fullname)


def _make_reader_class():
    import contextlib
    import pathlib
    import zipfile
    import importlib.resources
    try:
        from importlib.resources.readers import ZipReader
    except ImportError:  # Python < 3.11
        from importlib.readers import ZipReader

    class ArchivePath(zipfile.Path):
        """A zipfile.Path whose as_file() is the real copy of the file."""

    @contextlib.contextmanager
    def as_file(path):
        found = real_path(path.root.filename, path.at)
        if found is None:
            raise FileNotFoundError(2, 'not in the bundle', str(path))
        yield pathlib.Path(found)

    importlib.resources.as_file.register(ArchivePath, as_file)

    class ArchiveReader(ZipReader):
        def files(self):
            return ArchivePath(self.archive, self.prefix)

    return ArchiveReader
