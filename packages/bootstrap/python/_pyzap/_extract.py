"""Unpack a bundle's native files into the cache when there is no launcher.

Only `__main__.py` imports this, and only when the bundle was started as
`python3 app.pyz` and its KEY is not None. It follows docs/format.md like the
launcher does: the same cache-root chain and checks (with the mmap(PROT_EXEC)
probe), the same mkdir lock (proper-lockfile compatible), extraction into
`KEY.tmp-PID` then `rename`, the same exit codes and one-line messages.

Normally the launcher does this: `run_launcher` runs the bundle's own
launcher bytes (from a memfd, else the bundle file) with PYZAP_EXTRACT_FOR,
so there is one implementation of the protocol. The Python code below is the
last resort where no launcher can run (another architecture, exec refused);
it verifies everything the launcher does (the key, duplicates, sizes, every
file's XXH64 in pure Python: ~4 MB/s) before it publishes an entry.

The cfg parser lives in `_cfg`, the cache-root chain in `_cacheroot`; their
names are re-exported here for callers and tests.
"""
import errno
import os
import stat
import time

from _pyzap import debug
from _pyzap._cacheroot import cache_candidates, check_root, checked_root, entry_problem, probe_exec  # noqa: F401 (re-exported)
from _pyzap._cacheroot import reclaim, rmtree as _rmtree
from _pyzap._cfg import CFG_MAX_BYTES, CFG_NAME, parse_cfg  # noqa: F401 (re-exported)
from _pyzap._errors import CORRUPT, DISK_FULL, IO_ERROR, LOCK_TIMEOUT, NO_CACHE, PyzapError  # noqa: F401


class Settings(object):
    """Lock timing (format.md values); tests shorten them."""
    lock_stale = 10.0       # a lock older than this (by mtime) is stale
    lock_timeout = 300.0    # give up waiting after this long
    lock_refresh = 0.5      # refresh our lock's mtime at least this often
    backoff_first = 0.025
    backoff_max = 0.2


def _is_dir(path):
    return entry_problem(path) is None


# ---------------------------------------------------------------- the entry

def ensure_entry(archive, key, candidates=None, settings=Settings):
    """Return ROOT/KEY for this bundle, extracting it first if no root has it.

    The bundle's own launcher does it when it can run (see run_launcher):
    one implementation of the protocol. Otherwise, or with explicit
    candidates (tests), walks the candidate roots like the launcher: the
    first usable root that already holds KEY is used as is (warm path);
    otherwise the first usable root that passes the exec probe gets the
    extraction, verified like the launcher's (XXH64 in Python: slow).
    """
    if candidates is None:
        entry = run_launcher(archive)
        if entry is not None:
            return entry
        candidates = cache_candidates()
    tried = []
    for path, explicit in candidates:
        given = path.rstrip('/') or '/'
        root, reason = checked_root(given, explicit)
        if reason is None:
            entry = f'{root}/{key}'
            problem = entry_problem(entry)
            if problem is None:
                debug(f'cache root {root}: using entry {entry}')
                _touch_if_old(entry, os.lstat(entry))
                return entry
            if problem != 'missing':
                debug(f'entry {entry} {problem}: not using it, extracting again')
            reason = probe_exec(root)
        if reason is not None:
            debug(f'cache root {given}: skipped, {reason}')
            tried.append(f'{given} ({reason})')
            continue
        debug(f'cache root {root}: extracting {key}')
        return extract(archive, key, root, settings)
    raise PyzapError(NO_CACHE, 'no usable cache directory: ' + ', '.join(tried)
                     + '; set PYZAP_CACHE to a directory you own, not writable by others, '
                       'on a filesystem that allows exec')


def launcher_size(archive):
    """Bytes of launcher in front of the zip: the local-header offset of the
    first central-directory entry (the cfg, written first), read from the
    end record. None if the archive does not look like a bundle."""
    import struct
    with open(archive, 'rb') as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 65557))
        tail = f.read()
        at = tail.rfind(b'PK\x05\x06')
        if at < 0 or at + 22 > len(tail):
            return None
        cd = struct.unpack_from('<I', tail, at + 16)[0]
        if cd == 0xFFFFFFFF:  # ZIP64: the zip64 end record has the offset
            loc = tail.rfind(b'PK\x06\x07', 0, at)
            if loc < 0:
                return None
            f.seek(struct.unpack_from('<Q', tail, loc + 8)[0] + 48)
            cd = struct.unpack('<Q', f.read(8))[0]
        f.seek(cd)
        head = f.read(46)
    if len(head) < 46 or head[:4] != b'PK\x01\x02':
        return None
    off = struct.unpack_from('<I', head, 42)[0]
    return off if 0 < off < size else None


def run_launcher(archive):
    """Have the bundle's launcher unpack its entry (PYZAP_EXTRACT_FOR):
    its bytes run from a memfd (the bundle may sit on a noexec mount or lack
    +x), else the bundle itself. Returns ROOT/KEY; exits with the launcher's
    code after its one-line message; None if no launcher could run here
    (another architecture, exec forbidden), and Python does the work."""
    if not hasattr(os, 'waitstatus_to_exitcode'):  # 3.9+, as posix_spawn is 3.8+: Python does the work
        debug('this Python has no os.posix_spawn or os.waitstatus_to_exitcode: unpacking in Python')
        return None
    env = dict(os.environ)
    env['PYZAP_EXTRACT_FOR'] = archive
    for path, cleanup in _launcher_paths(archive):
        try:
            rd, wr = os.pipe()
            try:
                pid = os.posix_spawn(path, [path], env, file_actions=[(os.POSIX_SPAWN_DUP2, wr, 1)])
            finally:
                os.close(wr)
                cleanup()
        except OSError as err:
            os.close(rd)
            debug(f'cannot run the launcher ({path}): {err.strerror or err}')
            continue
        out = b''
        with os.fdopen(rd, 'rb') as pipe:
            out = pipe.read()
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if status == 0 and out.endswith(b'\n') and out.startswith(b'/'):
            entry = os.fsdecode(out[:-1])
            debug(f'the launcher unpacked {entry}')
            return entry
        if status in (126, 127) or status < 0:  # exec failed in the child, or killed
            debug(f'the launcher ({path}) failed to run (status {status})')
            continue
        raise SystemExit(status if status > 0 else 1)  # its one line is on stderr already
    return None


def _launcher_paths(archive):
    """Where the launcher's bytes can be executed from: (path, cleanup)."""
    try:
        n = launcher_size(archive)
    except OSError:
        n = None
    if n and hasattr(os, 'memfd_create'):
        try:
            fd = os.memfd_create('pyzap-launcher', os.MFD_CLOEXEC)
            with open(archive, 'rb') as f:
                os.write(fd, f.read(n))  # small (~100 KB): one write
            yield f'/proc/self/fd/{fd}', lambda: os.close(fd)
        except OSError as err:
            debug(f'cannot copy the launcher into a memfd: {err.strerror or err}')
    yield archive, lambda: None


def _touch_if_old(entry, st):
    """Mark the entry "last used" (its mtime) at most once a day."""
    if time.time() - st.st_mtime > 24 * 3600:
        try:
            os.utime(entry)
        except OSError:
            pass


def extract(archive, key, root, settings=Settings):
    """The cold path: lock, extract into KEY.tmp-PID, verify, rename, unlock."""
    entry = f'{root}/{key}'
    lock = entry + '.lock'
    try:
        if not _acquire(lock, entry, settings):
            debug(f'{entry} was made by another process')
            return entry
    except OSError as err:
        raise _io_error(err, f'cannot take the lock {lock}')
    try:
        problem = entry_problem(entry)
        if problem is None:
            debug(f'{entry} was made by another process')
            return entry
        if problem != 'missing':
            _quarantine(entry)
        reclaim(root, key)
        return _extract_locked(archive, key, entry, lock, settings)
    finally:
        try:
            os.rmdir(lock)
        except OSError:
            pass


def _acquire(lock, entry, settings):
    """Wait for the lock; True once held, False if the entry appeared meanwhile."""
    delay = settings.backoff_first
    deadline = time.monotonic() + settings.lock_timeout
    announced = False
    while not try_lock(lock, settings):
        if _is_dir(entry):
            return False
        if time.monotonic() >= deadline:
            raise PyzapError(LOCK_TIMEOUT, f'gave up after {settings.lock_timeout:.0f} s waiting for '
                             f'another process to extract {entry} (lock {lock}); if no pyzap process '
                             f'is running, remove {lock}')
        if not announced:
            debug(f'waiting for lock {lock}')
            announced = True
        time.sleep(delay)
        delay = min(delay * 2, settings.backoff_max)
    return True


def try_lock(lock, settings=Settings):
    """One attempt at the mkdir lock (docs/format.md, "The cache", step 1): True if we now hold it.

    A stale lock is removed and tried once more; one someone holds is left alone
    (False). Extraction waits on this; `PYZAP=cache` prune and clean do not.
    """
    for _ in range(2):
        try:
            os.mkdir(lock, 0o755)
            return True
        except FileExistsError:
            pass
        if not _remove_if_stale(lock, settings):
            return False
    return False


def _remove_if_stale(lock, settings):
    """Remove `lock` if stale; True if it is gone (removed, or released meanwhile).

    Stale as launcher-c/src/lock.c says: its recorded holder is gone, or its
    mtime is older than settings.lock_stale, or in the future."""
    try:
        st = os.lstat(lock)
    except FileNotFoundError:
        return True
    age = time.time() - st.st_mtime
    gone = _holder_gone(lock, st.st_ino)
    if not gone and not lock_age_is_stale(age, settings.lock_stale):
        return False
    debug(f'lock {lock}: its holder, process {gone}, is gone' if gone
          else f'lock {lock} is stale ({age:.0f} s old), removing it')
    try:
        os.unlink(lock + '.owner')
    except OSError:
        pass
    try:
        os.rmdir(lock)
    except OSError:
        pass
    return True


def lock_age_is_stale(age, stale=Settings.lock_stale):
    """By its mtime's age in seconds: older than `stale`, or more than 10 s in
    the future (nothing refreshes a lock into the future). launcher-c/src/lock.c."""
    return age > stale or age < -Settings.lock_stale


def _holder_gone(lock, ino):
    """The PID recorded in LOCK.owner ("PID PIDNS LOCKINO") if it holds this
    lock (same inode), is in our PID namespace and is gone; else None."""
    try:
        with open(lock + '.owner') as f:
            pid, ns, lino = f.read().split()
        mine = os.readlink('/proc/self/ns/pid').replace(' ', '_')
    except (OSError, ValueError):
        return None
    if not pid.isdigit() or pid[0] == '0' or lino != str(ino) or ns != mine:
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return int(pid)
    except OSError:
        pass
    return None


def _quarantine(entry):
    """Holding the lock: move a bad ROOT/KEY aside (rename first), then remove it."""
    bad = f'{entry}.bad-{os.getpid()}'
    _rmtree(bad)
    try:
        os.rename(entry, bad)
    except FileNotFoundError:
        return
    except OSError as err:
        raise _io_error(err, f'cannot move aside {entry}')
    _rmtree(bad)


def _extract_locked(archive, key, entry, lock, settings):
    import zipfile
    import zlib
    global Xxh64
    from _pyzap._xxh64 import Xxh64
    tmp = f'{entry}.tmp-{os.getpid()}'
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as err:
        raise PyzapError(CORRUPT, f'cannot read {archive} as a zip: {err}; rebuild the bundle')
    try:
        cfg = _read_cfg(zf, archive, key)
        if os.path.lexists(tmp):
            _rmtree(tmp)
        try:
            _mkdir_exact(tmp)
            _mkdir_exact(tmp + '/site')
            _unpack(zf, archive, cfg, tmp + '/site', lock, settings)
            _write_file(tmp + '/entry.cfg', [cfg.raw], 0o644)
            _verify(cfg, tmp)
            try:
                os.rename(tmp, entry)
            except OSError as err:
                if err.errno in (errno.EEXIST, errno.ENOTEMPTY) and _is_dir(entry):
                    debug(f'{entry} was made by another process meanwhile; using it')
                    _rmtree(tmp)
                    return entry
                raise
        except BaseException:
            _rmtree(tmp)
            raise
    except OSError as err:
        raise _io_error(err, f'cannot extract into {tmp}')
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as err:
        raise PyzapError(CORRUPT, f'{archive} is corrupt: {err}; rebuild the bundle')
    finally:
        zf.close()
    debug(f'extracted {len(cfg.files)} files into {entry}')
    return entry


def _read_cfg(zf, archive, key):
    try:
        info = zf.getinfo(CFG_NAME)
    except KeyError:
        raise PyzapError(CORRUPT, f'{archive} has no {CFG_NAME}; it is not a pyzap bundle')
    if info.file_size > CFG_MAX_BYTES:
        raise PyzapError(CORRUPT, f'{archive}: {CFG_NAME} is larger than {CFG_MAX_BYTES} bytes')
    cfg = parse_cfg(zf.read(info))
    if cfg.key != key:
        raise PyzapError(CORRUPT, f'{archive}: launcher.cfg says key {cfg.key} but bundle.py says '
                         f'{key}; rebuild the bundle')
    # The entry is shared by every bundle with this key: like the launcher,
    # never publish one whose file list does not hash to it.
    computed = cfg.computed_key()
    if computed != cfg.key:
        raise PyzapError(CORRUPT, f'{archive} is corrupt: bad {CFG_NAME}: key {cfg.key} does not match '
                         f'the file list (which hashes to {computed}); rebuild or re-download it')
    listed = {'site-packages/' + f[3] for f in cfg.files}
    seen = set()
    for name in zf.namelist():
        if name in listed:
            if name in seen:
                raise PyzapError(CORRUPT, f'bundle {archive} is corrupt: {name}: the zip holds it twice; '
                                 'rebuild or re-download it')
            seen.add(name)
    return cfg


def _unpack(zf, archive, cfg, site, lock, settings):
    """Extract every f file into `site`, checking central-directory size, size and CRC-32."""
    made = {site}
    refreshed = time.monotonic()
    for digest, size, mode, path in cfg.files:
        member = 'site-packages/' + path
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise PyzapError(CORRUPT, f'{archive} lacks {member} listed in launcher.cfg; rebuild the bundle')
        if info.file_size != size:
            raise PyzapError(CORRUPT, f'{archive}: {member} is {info.file_size} bytes in the zip '
                             f'but {size} in launcher.cfg; rebuild the bundle')
        parent = site
        for part in path.split('/')[:-1]:
            parent = parent + '/' + part
            if parent not in made:
                _mkdir_exact(parent)
                made.add(parent)
        written = 0
        hasher = Xxh64()
        fd = os.open(site + '/' + path,
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
        with os.fdopen(fd, 'wb') as out:
            os.fchmod(fd, mode)
            with zf.open(info) as src:  # raises BadZipFile on a CRC-32 mismatch at the end
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > size:
                        break
                    out.write(chunk)
                    hasher.update(chunk)
                    now = time.monotonic()
                    if now - refreshed >= settings.lock_refresh:
                        _refresh(lock)
                        refreshed = now
            out.flush()
            os.fsync(fd)  # see "Durability" in docs/format.md
        if written != size:
            raise PyzapError(CORRUPT, f'{archive}: {member} inflates to a different size than '
                             f'the {size} bytes in launcher.cfg; rebuild the bundle')
        if hasher.hexdigest() != digest:
            raise PyzapError(CORRUPT, f'bundle {archive} is corrupt: {member}: its content does not '
                             'match the hash in launcher.cfg; rebuild or re-download it')
        now = time.monotonic()
        if now - refreshed >= settings.lock_refresh:
            _refresh(lock)
            refreshed = now


def _verify(cfg, tmp):
    """Before the rename, like the launcher: every file still a regular file
    with one link, its size and mode (contents were CRC-checked as read), and
    each directory fsynced (the files were fsynced as written)."""
    dirs = {tmp, tmp + '/site'}
    for _digest, size, mode, path in cfg.files:
        full = f'{tmp}/site/{path}'
        dirs.add(os.path.dirname(full))
        try:
            st = os.lstat(full)
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 \
                or st.st_size != size or stat.S_IMODE(st.st_mode) != mode:
            raise PyzapError(IO_ERROR, f'{full} changed after it was written; another process '
                             f'is modifying the cache, check who can write there')
    for d in sorted(dirs):
        fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _refresh(lock):
    try:
        os.utime(lock)
    except OSError:
        pass


def _mkdir_exact(path):
    os.mkdir(path, 0o755)
    os.chmod(path, 0o755)


def _write_file(path, chunks, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    with os.fdopen(fd, 'wb') as out:
        os.fchmod(fd, mode)
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        os.fsync(fd)


def _io_error(err, what):
    if err.errno in (errno.ENOSPC, getattr(errno, 'EDQUOT', -1)):
        return PyzapError(DISK_FULL, f'{what}: {err.strerror}; free some space or set PYZAP_CACHE '
                          'to a directory on another filesystem')
    name = f' {err.filename}' if err.filename else ''
    return PyzapError(IO_ERROR, f'{what}:{name}: {err.strerror or err}; check the cache directory '
                      'or set PYZAP_CACHE to another one')
