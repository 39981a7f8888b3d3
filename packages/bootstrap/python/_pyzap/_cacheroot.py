"""The cache-root chain (docs/format.md, "Choosing ROOT"), as the launcher walks it.

Candidates in order, the checks each must pass (owner, mode, symlinks, ':',
noexec), creation of missing roots with exact modes, and the mmap(PROT_EXEC)
probe; the warm check of an entry (`entry_problem`). Shared by the
no-launcher extraction, `PYZAP=cache`, and what the runtime unpacks once
(resources, `_resources`; bytecode packs, `_bytecode`), which also share
`root_for` and `hold`.
"""
import os
import stat

# ROOT/KEY.tmp-PID/site/PATH (PATH <= 1024 bytes) must fit PATH_MAX (4096):
# launcher-c/src/cacheroot.h
ROOT_REAL_MAX = 4096 - 1024 - 64


def cache_candidates(environ=None, euid=None):
    """The cache roots to try, in order: [(path, explicit)]; explicit = $PYZAP_CACHE."""
    env = os.environ if environ is None else environ
    uid = os.geteuid() if euid is None else euid
    out = []
    if env.get('PYZAP_CACHE'):
        out.append((env['PYZAP_CACHE'], True))
    if uid == 0:
        out.append(('/var/cache/pyzap', False))
    else:
        xdg = env.get('XDG_CACHE_HOME', '')
        home = env.get('HOME', '')
        if xdg.startswith('/'):
            out.append((xdg + '/pyzap', False))
        elif home.startswith('/'):
            out.append((home + '/.cache/pyzap', False))  # as the launcher: the root is resolved later
    runtime = env.get('XDG_RUNTIME_DIR', '')
    if runtime.startswith('/'):
        out.append((runtime + '/pyzap', False))
    for base in ('/var/tmp', '/tmp', '/dev/shm'):
        out.append((f'{base}/pyzap-{uid}', False))
    return out


def entry_problem(entry):
    """The launcher's warm check (docs/format.md, "Tamper policy"): None if
    `entry` is a real directory of ours, writable only by us; 'missing'; or
    what is wrong with it. One lstat, nothing per file."""
    try:
        st = os.lstat(entry)
    except OSError:
        return 'missing'
    if stat.S_ISLNK(st.st_mode):
        return 'is a symlink'
    if not stat.S_ISDIR(st.st_mode):
        return 'is not a directory'
    if st.st_uid != os.geteuid():
        return 'is owned by another user'
    if st.st_mode & 0o022:
        return 'is writable by group or others'
    return None


def rmtree(path):
    """Remove a tree of ours (or a file), whatever is left of it."""
    if not os.path.isdir(path) or os.path.islink(path):
        try:
            os.unlink(path)
        except OSError:
            pass
        return
    import shutil
    shutil.rmtree(path, ignore_errors=True)


def root_for(bundle, what):
    """The cache root for what the runtime unpacks of `bundle`: its entry's, or
    the first usable one of the chain when nothing is unpacked. OSError naming
    each root tried when there is none (`what` says for what)."""
    if bundle.entry_dir:
        return os.path.dirname(bundle.entry_dir)
    reasons = []
    for path, explicit in cache_candidates():
        real, why = checked_root(path, explicit)
        if real:
            return real
        reasons.append('%s: %s' % (path, why))
    raise OSError('pyzap: no usable cache directory for %s of %s (%s)'
                  % (what, bundle.archive, '; '.join(reasons)))


_HELD = {}


def hold(dest):
    """Keep directory `dest` open for the life of this process, so `pyzap cache
    clean` and `prune` (which look for open files under /proc) see it in use;
    refresh its mtime once a day for prune's age rule. False if `dest` is no
    longer the directory we checked (removed or replaced meanwhile)."""
    if dest in _HELD:
        return True
    try:
        fd = os.open(dest, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0) | getattr(os, 'O_CLOEXEC', 0))
    except OSError:
        return False
    try:
        held, now = os.fstat(fd), os.lstat(dest)
        if (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino):
            os.close(fd)
            return False
        import time
        if time.time() - held.st_mtime > 86400:
            try:
                os.utime(dest)
            except PermissionError:  # root's, used by a worker that dropped to another user
                pass
    except OSError:
        os.close(fd)
        return False
    _HELD[dest] = fd
    return True


def reclaim(root, key):
    """Remove ROOT/KEY.tmp-PID and KEY.bad-PID left by processes that are gone (an entry's, under
    its lock, a resource copy's res-H, or a bytecode pack's pyc-H/N.tmp-PID)."""
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        head, sep, pid = name.rpartition('-')
        if head not in (key + '.tmp', key + '.bad') or not pid.isdigit() or pid[0] == '0':
            continue
        if int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue
        except ProcessLookupError:
            pass
        except OSError:
            continue
        from _pyzap import debug
        debug('removing %s/%s, left by process %s which is gone', root, name, pid)
        rmtree(os.path.join(root, name))


def _mkdir(path, mode):
    """mkdir with exactly `mode` (not masked by umask); fine if it appeared meanwhile."""
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        return
    os.chmod(path, mode)


def _create_root(path):
    """Create a missing root: missing parents 0700 (like ~/.cache), the root itself 0755."""
    parent = os.path.dirname(path)
    if parent != path and not os.path.lexists(parent):
        _create_root_parent(parent)
    _mkdir(path, 0o755)


def _create_root_parent(path):
    parent = os.path.dirname(path)
    if parent != path and not os.path.lexists(parent):
        _create_root_parent(parent)
    _mkdir(path, 0o700)


def check_root(path, explicit):
    """Why `path` cannot be the cache root (creating it if missing), or None if it can."""
    return checked_root(path, explicit)[1]


def _dir_problem(st, euid):
    """OpenSSH's StrictModes rule for one directory (launcher-c/src/trust.c)."""
    if st.st_uid not in (0, euid):
        return f'owned by uid {st.st_uid} (neither root nor you)'
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        return ('writable by group or others without the sticky bit '
                f'(mode {stat.S_IMODE(st.st_mode):04o})')
    return None


def ancestors_problem(fd, euid):
    """Why another user could swap the directory open as `fd` (it or an
    ancestor is theirs, or writable by them without the sticky bit), or None.
    Walks '..' from the directory itself, not a path to it."""
    cur = os.dup(fd)
    try:
        st = os.fstat(cur)
        for depth in range(1024):
            problem = _dir_problem(st, euid)
            if problem:
                return ('an ancestor directory is ' if depth else '') + problem
            parent = os.open('..', os.O_RDONLY | os.O_DIRECTORY, dir_fd=cur)
            os.close(cur)
            cur = parent
            up = os.fstat(cur)
            if (up.st_dev, up.st_ino) == (st.st_dev, st.st_ino):
                return None
            st = up
        return 'more than 1024 ancestor directories'
    finally:
        os.close(cur)


def checked_root(path, explicit):
    """(the root's real path, None) if `path` can be the cache root (creating
    it if missing), else (None, why not). The real path is the one that was
    checked, so it is what goes on PYTHONPATH."""
    reason = _check_path(path, explicit)
    if reason:
        return None, reason
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            reason = ancestors_problem(fd, os.geteuid())
            real = os.readlink(f'/proc/self/fd/{fd}')
        finally:
            os.close(fd)
    except OSError as err:
        return None, err.strerror or str(err)
    if reason:
        return None, reason
    if len(os.fsencode(real)) > ROOT_REAL_MAX:
        return None, f'its real path is longer than {ROOT_REAL_MAX} bytes'
    if ':' in real:
        return None, "its real path contains ':', which cannot go on PYTHONPATH"
    return real, None


def _check_path(path, explicit):
    if not path.startswith('/'):
        return 'not an absolute path'
    if ':' in path:
        return "contains ':' (cannot go on PYTHONPATH)"
    euid = os.geteuid()
    try:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            _create_root(path)
            st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            if not explicit:
                return 'is a symlink'
            if st.st_uid not in (euid, 0):
                return f'is a symlink owned by uid {st.st_uid}'
            st = os.stat(path)
        if not stat.S_ISDIR(st.st_mode):
            return 'not a directory'
        if st.st_uid != euid:
            return f'owned by uid {st.st_uid}, not {euid}'
        if st.st_mode & 0o022:
            return f'writable by group or others (mode {stat.S_IMODE(st.st_mode):04o})'
        if not os.access(path, os.W_OK | os.X_OK):
            return 'not writable'
        if os.statvfs(path).f_flag & getattr(os, 'ST_NOEXEC', 8):
            return 'on a noexec filesystem'
    except OSError as err:
        return err.strerror or str(err)
    return None


def probe_exec(root):
    """Why files under `root` cannot be mapped executable, or None if they can."""
    import mmap
    probe = f'{root}/.probe-{os.getpid()}'
    try:
        try:
            os.unlink(probe)
        except FileNotFoundError:
            pass
        fd = os.open(probe, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, b'\0')
            mmap.mmap(fd, 1, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC).close()
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        return f'mmap(PROT_EXEC) probe failed: {err.strerror or err}'
    return None
