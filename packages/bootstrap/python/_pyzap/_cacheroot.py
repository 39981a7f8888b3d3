"""The cache-root chain (docs/format.md, "Choosing ROOT"), as the launcher walks it.

Candidates in order, the checks each must pass (owner, mode, symlinks, ':',
noexec), creation of missing roots with exact modes, and the mmap(PROT_EXEC)
probe. Shared by the no-launcher extraction and `PYZAP=cache dir`.
"""
import os
import stat

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
            out.append((home.rstrip('/') + '/.cache/pyzap', False))
    runtime = env.get('XDG_RUNTIME_DIR', '')
    if runtime.startswith('/'):
        out.append((runtime + '/pyzap', False))
    for base in ('/var/tmp', '/tmp', '/dev/shm'):
        out.append((f'{base}/pyzap-{uid}', False))
    return out


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
