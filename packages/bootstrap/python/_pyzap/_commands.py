"""`PYZAP=info|env ./app.pyz` and `PYZAP=cache ./app.pyz dir|list|prune|clean`.

The same basic commands as `pyzap inspect` / `pyzap cache` for servers without
Node, sharing the on-disk protocol of docs/format.md with the launcher and the
CLI: the same root chain (`_extract`), the same lock `ROOT/KEY.lock` (mkdir,
stale after 10 s by mtime), and deletion by renaming `ROOT/KEY` to
`ROOT/KEY.del-PID` under that lock. Only `__main__.py` imports this, and only
when `PYZAP` is set: it costs nothing on a normal start.

`--json` prints the same JSON as the CLI's `--json`.
"""
import contextlib
import os
import re
import stat
import sys
import time

from _pyzap import _cacheroot, _cfg, _extract

USAGE = 2
NOT_FOUND = 3
NO_CACHE = 23
ENTRY_BUSY = 24

# ROOT/KEY and its companions; what the runtime unpacked on demand, by the
# prefix of its key: ROOT/res-H resources (_resources), ROOT/pyc-H bytecode
# packs (_bytecode). Kinds, and where their files are (entries: under site/).
RUNTIME_KINDS = {'res-': ('resources', 'site'), 'pyc-': ('bytecode', '')}
KEY_RE = re.compile(r'^((?:res-|pyc-)?[0-9a-f]{16})(?:\.(lock|users)|\.(tmp|del|bad)-(\d+))?$')
RECORD_RE = re.compile(r'^[0-9a-f]{16}$')
SIZE_UNITS = {'': 1, 'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40}
TIME_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
HELP = ('usage: PYZAP=info %(b)s [--json]\n'
        '       PYZAP=env %(b)s [--export | --json]\n'
        '       PYZAP=cache %(b)s dir|list [--json]\n'
        '       PYZAP=cache %(b)s prune [--older-than 30d] [--max-size 2G] [--dry-run] [--json]\n'
        '       PYZAP=cache %(b)s clean (--all | KEY...) [--json]\n')


class Usage(Exception):
    """A bad command line: one line, exit 2."""


def main(command, archive, args):
    """Run PYZAP=`command` with `args`; return the exit code."""
    try:
        opts = _parse(command, os.path.basename(archive), args)
        if command == 'info':
            return _info(archive, opts.json)
        if command == 'env':
            return _env(archive, opts.export, opts.json)
        return {'dir': lambda: _dir(opts.json), 'list': lambda: _list(opts.json),
                'prune': lambda: _prune(opts), 'clean': lambda: _clean(opts)}[opts.command]()
    except Usage as err:
        sys.stderr.write('pyzap: %s\n' % err)
        sys.stderr.write(HELP % {'b': os.path.basename(archive)})
        return USAGE
    except _extract.PyzapError as err:
        sys.stderr.write('pyzap: %s\n' % err.message)
        return err.code


def _parse(command, base, args):
    """The options of PYZAP=`command` (argparse: imported only here, when PYZAP is set).

    Every mistake is a Usage error: one line, then HELP, exit 2 (argparse's own
    exit is for --help only)."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):
            raise Usage('%s: %s' % (self.prog, message))

    # --json anywhere: before or after the cache command.
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument('--json', action='store_true', default=argparse.SUPPRESS,
                           help="print JSON, the same as the pyzap CLI's --json")

    def parser(prog, **kwargs):
        return Parser(prog=prog, parents=[json_flag], allow_abbrev=False, **kwargs)

    if command == 'info':
        top = parser('PYZAP=info %s' % base, description='Describe the bundle and its cache entry on this machine.')
    elif command == 'env':
        top = parser('PYZAP=env %s' % base, description='Print the environment a Python outside the bundle needs '
                     'to see its packages (unpacking the cache entry first).')
        top.add_argument('--export', action='store_true', help="prefix each line with 'export ' (for sh)")
    elif command == 'cache':
        top = parser('PYZAP=cache %s' % base, description='The cache on this machine, as `pyzap cache` does it.')
        commands = top.add_subparsers(dest='command', metavar='{dir,list,prune,clean}', parser_class=Parser)
        commands.add_parser('dir', parents=[json_flag], allow_abbrev=False, help='the cache root, and each one skipped')
        commands.add_parser('list', parents=[json_flag], allow_abbrev=False, help='the entries, their sizes and bundles')
        prune = commands.add_parser('prune', parents=[json_flag], allow_abbrev=False,
                                    help='remove entries not used for a while, stale locks and leftovers')
        prune.add_argument('--older-than', metavar='AGE', help='entries last used longer ago (default 30d)')
        prune.add_argument('--max-size', metavar='SIZE', help='then the least recently used, down to this size')
        prune.add_argument('--dry-run', action='store_true', help='only say what would be removed')
        clean = commands.add_parser('clean', parents=[json_flag], allow_abbrev=False,
                                    help='remove entries now, unless locked or in use')
        clean.add_argument('--all', action='store_true', help='every entry')
        clean.add_argument('keys', nargs='*', metavar='KEY', help='a key, or the start of one')
        commands.add_parser('verify', add_help=False)  # the CLI's: refused below, with where to find it
    else:
        raise Usage('PYZAP=%s is not a command: use PYZAP=info, PYZAP=env or PYZAP=cache, '
                    'or unset PYZAP to run the application' % command)
    opts, unknown = top.parse_known_args(args)
    opts.json = getattr(opts, 'json', False)
    if unknown and command == 'env':
        raise Usage('PYZAP=env takes --export or --json, not %s' % ' '.join(unknown))
    if unknown:
        raise Usage('unknown argument%s for %s: %s' % ('s' if len(unknown) > 1 else '',
                                                        top.prog + (' ' + opts.command if command == 'cache' else ''),
                                                        ' '.join(unknown)))
    if command == 'cache' and opts.command is None:
        raise Usage('PYZAP=cache needs a command: dir, list, prune or clean')
    if command == 'cache' and opts.command == 'verify':
        raise Usage('verify needs the pyzap CLI (pyzap cache verify); PYZAP=cache has dir, list, prune and clean')
    return opts


def _print_json(value):
    import json
    sys.stdout.write(json.dumps(value, indent=2) + '\n')


# ---------------------------------------------------------------- info

def _info(archive, json_out):
    import json
    import zipfile
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read('.pyzap/manifest.json').decode('utf-8'))
    root = _choose_root()[0]
    key = manifest.get('cacheKey')
    entry = os.path.join(root, key) if root and key else None
    present = bool(entry and os.path.isdir(entry))
    info = {'archive': os.path.realpath(archive)}
    runtime = manifest.get('runtime')
    rt_entry = os.path.join(root, runtime['key']) if runtime and root else None
    if json_out:
        # `pyzap inspect --json`'s keys and forms (mode as octal text), then this machine's part.
        out = {'file': info['archive'], 'size': os.path.getsize(archive)}
        out.update(manifest)
        out['unpack'] = [dict(u, mode='%o' % u['mode']) if isinstance(u.get('mode'), int) else u
                         for u in manifest.get('unpack', [])]
        out['cache'] = {'root': root, 'entry': entry, 'present': present}
        if runtime:  # --standalone: the carried interpreter's own (shared) entry
            out['cache'].update(runtimeEntry=rt_entry, runtimePresent=bool(rt_entry and os.path.isdir(rt_entry)))
        out['env'] = dict(_environment(info['archive'], entry))
        _print_json(out)
        return 0
    py = manifest.get('python', {})
    lines = ['%s' % info['archive'],
             '  bundle     %s %s, runs %s' % (manifest.get('name'), manifest.get('version'), manifest.get('entry')),
             '  python     %s (%s), built with %s' % (py.get('requires'), py.get('cacheTag'), py.get('executable')),
             '  cache key  %s' % (key or '- (nothing to unpack)'),
             '  entry      %s%s' % (entry or '-', '' if not entry else (' (present)' if present else ' (not extracted)'))]
    if runtime:  # --standalone: the carried interpreter, a second (shared) entry
        lines.append('  runtime    CPython %s, %d files, %s unpacked, needs glibc %s+; entry %s%s' % (
            runtime.get('version'), runtime.get('files', 0), _human(runtime.get('bytes', 0)), runtime.get('glibc') or '?',
            rt_entry or '-', ' (present)' if rt_entry and os.path.isdir(rt_entry) else ' (not extracted)'))
    for item in manifest.get('unpack', []):
        lines.append('  unpack     %s (%s)' % (item.get('path'), item.get('reason')))
    lines.append('  env        (PYZAP=env %s prints it for services)' % os.path.basename(archive))
    for name, value in _environment(info['archive'], entry):
        lines.append('    %s=%s' % (name, value))
    sys.stdout.write('\n'.join(lines) + '\n')
    return 0


# ---------------------------------------------------------------- env

def _environment(archive, entry_dir):
    """[(name, value)]: what a Python of the bundle's X.Y needs in its environment
    to see the bundle's packages, as the launcher exports it (without the
    PYTHONPATH it inherited)."""
    site_dirs = [os.path.join(archive, '.pyzap', 'boot')]
    if entry_dir:
        site_dirs.append(os.path.join(entry_dir, 'site'))
    site_dirs.append(os.path.join(archive, 'site-packages'))
    return [('PYTHONPATH', ':'.join(site_dirs)), ('PYZAP_ARCHIVE', archive), ('PYZAP_ENTRY_DIR', entry_dir or '')]


def _env(archive, export, json_out):
    """Print the environment for a service that embeds or starts Python (systemd's
    EnvironmentFile=, Apache's envvars), unpacking the cache entry first."""
    import json
    import zipfile
    archive = os.path.realpath(archive)
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read('.pyzap/manifest.json').decode('utf-8'))
    key = manifest.get('cacheKey')
    entry_dir = None
    if key:
        # The launcher's entry when it started us, else find or unpack it as it would.
        given = os.environ.get('PYZAP_ENTRY_DIR')
        if given and os.path.basename(given) == key and os.path.isdir(given):
            entry_dir = given
        else:
            entry_dir = _extract.ensure_entry(archive, key)
    env = _environment(archive, entry_dir)
    if json_out:
        _print_json(dict(env))
        return 0
    py = manifest.get('python', {})
    prefix = 'export ' if export else ''
    out = ['# %s %s: for a Python %s (%s) outside the bundle; generated by PYZAP=env'
           % (manifest.get('name'), manifest.get('version'), py.get('requires'), py.get('cacheTag'))]
    out += ['%s%s=%s' % (prefix, name, _quote(value)) for name, value in env]
    sys.stdout.write('\n'.join(out) + '\n')
    return 0


def _quote(value):
    """As is when safe for sh and systemd alike, else in single quotes."""
    if value and re.match(r'^[A-Za-z0-9_@%+=:,./-]+$', value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- root

def _choose_root():
    """(root, tried): the first candidate passing the launcher's checks and exec probe."""
    tried = []
    for path, explicit in _cacheroot.cache_candidates():
        root = path.rstrip('/') or '/'
        reason = _cacheroot.check_root(root, explicit) or _cacheroot.probe_exec(root)
        tried.append({'path': root, 'skipped': reason})
        if reason is None:
            return root, tried
    return None, tried


def _require_root():
    root, tried = _choose_root()
    if root is None:
        why = '; '.join('%s (%s)' % (t['path'], t['skipped']) for t in tried)
        raise _extract.PyzapError(NO_CACHE, 'no usable cache directory (tried %s); set PYZAP_CACHE to a '
                                  'directory you own, on a filesystem that allows exec' % why)
    return root


def _dir(json_out):
    root, tried = _choose_root()
    if json_out:
        _print_json({'root': root, 'tried': tried})
        return 0 if root else NO_CACHE
    for t in tried:
        sys.stderr.write('pyzap: %s: %s\n' % (t['path'], 'chosen' if t['skipped'] is None else 'skipped, ' + t['skipped']))
    if root is None:
        return _require_root()
    sys.stdout.write(root + '\n')
    return 0


# ---------------------------------------------------------------- list

def _iso(ns):
    """An mtime in ns as JavaScript's toISOString() shows it (ms, truncated)."""
    ms = ns // 1000000
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(ms // 1000)) + '.%03dZ' % (ms % 1000)


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def scan(root, now=None, orphans=None):
    """Every key in `root` as the CLI's `pyzap cache list --json` describes it; KEY.users
    directories whose entry is gone are appended to `orphans`."""
    now = time.time() if now is None else now
    orphans = [] if orphans is None else orphans
    by_key, users = {}, {}
    for name in sorted(os.listdir(root)):
        m = KEY_RE.match(name)
        if not m:
            continue
        full = os.path.join(root, name)
        try:
            st = os.lstat(full)
        except OSError:
            continue
        if not os.path.isdir(full) or os.path.islink(full):
            continue
        if m.group(2) == 'users':
            users[m.group(1)] = full
            continue
        e = by_key.setdefault(m.group(1), {
            'key': m.group(1), 'kind': _kind(m.group(1))[0], 'state': 'partial', 'path': None, 'bundles': [], 'files': 0, 'bytes': 0,
            'diskBytes': 0, 'created': None, 'lastUsed': None, 'lock': None, 'leftovers': []})
        if m.group(2):
            age = now - st.st_mtime
            e['lock'] = {'path': full, 'ageMs': int(round(age * 1000)), 'stale': _extract.lock_age_is_stale(age)}
        elif m.group(3):
            pid = int(m.group(4))
            e['leftovers'].append({'path': full, 'pid': pid, 'alive': _alive(pid)})
        else:
            _describe(e, full, st)
    for key, full in users.items():
        e = by_key.get(key)
        if e is None or not e['path']:
            orphans.append(full)
        else:
            e['bundles'] = _read_users(full) or e['bundles']
    for e in by_key.values():
        if e['lock'] and not e['lock']['stale']:
            e['state'] = 'locked'
    orphans.sort()
    return [by_key[k] for k in sorted(by_key)]


def _read_users(users):
    """The records of ROOT/KEY.users (`name\\tversion\\tpath\\n`), most recently used first."""
    out = []
    try:
        names = sorted(n for n in os.listdir(users) if RECORD_RE.match(n))
    except OSError:
        return out
    for name in names:
        p = os.path.join(users, name)
        try:
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode):
                continue
            with open(p, 'rb') as f:
                text = f.read().decode('utf-8', 'replace')
        except OSError:
            continue
        fields = (text[:-1] if text.endswith('\n') else text).split('\t')
        if len(fields) != 3:
            continue
        out.append({'name': fields[0] or None, 'version': fields[1] or None, 'path': fields[2] or None,
                    'lastUsed': _iso(st.st_mtime_ns)})
    out.sort(key=lambda b: b['lastUsed'], reverse=True)  # stable: ties keep the name order
    return out


def _kind(key):
    """(kind, the subdirectory that holds its files) of a key: an entry's, or RUNTIME_KINDS'."""
    return RUNTIME_KINDS.get(key[:4], ('entry', 'site'))


def _describe(e, full, st):
    e['state'] = 'complete'
    e['path'] = full
    e['lastUsed'] = _iso(st.st_mtime_ns)
    files_dir = _kind(e['key'])[1]
    if e['kind'] != 'entry':  # no entry.cfg: written once (its files), then only its mtime refreshed
        try:
            e['created'] = _iso(os.lstat(os.path.join(full, files_dir) if files_dir else full).st_mtime_ns)
        except OSError:
            pass
    else:
        header = {}
        cfg = os.path.join(full, 'entry.cfg')
        try:
            e['created'] = _iso(os.lstat(cfg).st_mtime_ns)
            with open(cfg, 'rb') as f:
                header = _cfg.parse_cfg(f.read(_cfg.CFG_MAX_BYTES + 1)).records
        except (OSError, _extract.PyzapError):
            pass  # unreadable or malformed: no name (pyzap cache verify says what is wrong)
        e['bundles'] = [{'name': header.get('name'), 'version': header.get('version'), 'path': None, 'lastUsed': None}]
    disk = st.st_blocks * 512
    files = size = 0
    site = os.path.join(full, files_dir) if files_dir else full
    site += '/'
    for dirpath, dirnames, filenames in os.walk(full):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            try:
                s = os.lstat(p)
            except OSError:
                continue
            disk += s.st_blocks * 512
            if name in filenames and p.startswith(site) and os.path.isfile(p) and not os.path.islink(p):
                files += 1
                size += s.st_size
    e['files'], e['bytes'], e['diskBytes'] = files, size, disk


def _human(n):
    if n < 1024:
        return '%d B' % n
    v = float(n)
    for unit in ('KiB', 'MiB', 'GiB', 'TiB'):
        v /= 1024
        if v < 1024 or unit == 'TiB':
            return '%.1f %s' % (v, unit) if v < 10 else '%d %s' % (int(round(v)), unit)


def _table(header, rows):
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    fmt = lambda cells: '  '.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    return '\n'.join([fmt(header)] + [fmt(r) for r in rows]) + '\n'


def _ago(iso, now):
    """'3 min ago' for an ISO time from _iso(), as the CLI prints it."""
    if not iso:
        return '-'
    import calendar
    then = calendar.timegm(time.strptime(iso[:19], '%Y-%m-%dT%H:%M:%S')) + int(iso[20:23]) / 1000.0
    s = max(0, int(round(now - then)))
    if s < 60:
        return '%d s ago' % s
    if s < 3600:
        return '%d min ago' % int(round(s / 60.0))
    if s < 86400:
        return '%d h ago' % int(round(s / 3600.0))
    return '%d d ago' % int(round(s / 86400.0))


def _bundles_cell(bundles):
    """'hello 1.0.0: /srv/a.pyz, /srv/b.pyz', one group per name and version."""
    groups = []
    for b in bundles:
        label = ('%s %s' % (b['name'] or '?', b['version'] or '')).strip()
        for have in groups:
            if have[0] == label:
                break
        else:
            have = (label, [])
            groups.append(have)
        if b['path'] and b['path'] not in have[1]:
            have[1].append(b['path'])
    return '; '.join('%s: %s' % (label, ', '.join(paths)) if paths else label for label, paths in groups) or '-'


def _list(json_out):
    root = _require_root()
    entries = scan(root)
    if json_out:
        _print_json({'root': root, 'entries': entries})
        return 0
    if not entries:
        sys.stdout.write('no entries in %s\n' % root)
        return 0
    # The same columns and formats as the CLI's `pyzap cache list`.
    now = time.time()
    rows = [[e['key'], _human(e['bytes']), _human(e['diskBytes']), str(e['files']), _ago(e['created'], now),
             _ago(e['lastUsed'], now), e['state'],
             '(%s unpacked on demand)' % e['kind'] if e['kind'] != 'entry' else _bundles_cell(e['bundles'])] for e in entries]
    sys.stdout.write(_table(['KEY', 'SIZE', 'ON DISK', 'FILES', 'CREATED', 'LAST USED', 'STATE', 'BUNDLES'], rows))
    sys.stdout.write('%d %s, %s on disk in %s\n' % (len(entries), 'entry' if len(entries) == 1 else 'entries',
                                                   _human(sum(e['diskBytes'] for e in entries)), root))
    return 0


# ---------------------------------------------------------------- removing

def _lock(root, key):
    """Take ROOT/KEY.lock without waiting (a stale one is broken); the lock path, or None if held."""
    lock = os.path.join(root, key + '.lock')
    return lock if _extract.try_lock(lock) else None


def _owned_by_us(pid):
    try:
        return os.stat('/proc/%d' % pid).st_uid == os.geteuid()
    except OSError:
        return False


def entry_users(entry):
    """PIDs other than ours that run with PYZAP_ENTRY_DIR=entry or have one of its files mapped."""
    names = {entry, os.path.join(os.path.realpath(os.path.dirname(entry)), os.path.basename(entry))}
    env_needles = [('\0PYZAP_ENTRY_DIR=%s\0' % n).encode() for n in names]
    map_needles = [(' %s/' % n).encode() for n in names]
    users = []
    try:
        pids = [int(p) for p in os.listdir('/proc') if p.isdigit()]
    except OSError:
        return users
    for pid in pids:
        if pid == os.getpid():
            continue
        for what, needles, prefix in (('environ', env_needles, b'\0'), ('maps', map_needles, b'')):
            if what == 'environ' and not _owned_by_us(pid):
                continue  # anyone can set PYZAP_ENTRY_DIR: only our processes' environments count
            try:
                with open('/proc/%d/%s' % (pid, what), 'rb') as f:
                    data = prefix + f.read()
            except OSError:
                continue
            if any(n in data for n in needles):
                users.append(pid)
                break
        else:
            if _holds_open(pid, names):  # a launcher keeps ROOT/KEY open until Python runs
                users.append(pid)
    return users


def _holds_open(pid, names):
    try:
        fds = os.listdir('/proc/%d/fd' % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)) in names:
                return True
        except OSError:
            pass
    return False


def remove_entry(root, key, dry_run=False):
    """removed | would-remove | locked | in-use | missing, following the CLI's protocol."""
    entry = os.path.join(root, key)
    if dry_run:
        return 'missing' if not os.path.isdir(entry) else ('in-use' if entry_users(entry) else 'would-remove')
    with _holding_lock(root, key) as held:
        if not held:
            return 'locked'
        if not os.path.isdir(entry):
            return 'missing'
        if entry_users(entry):
            return 'in-use'
        doomed = '%s.del-%d' % (entry, os.getpid())
        _cacheroot.rmtree(doomed)
        os.rename(entry, doomed)
        if entry_users(entry) or entry_users(doomed):  # open dirs and maps show the new name
            os.rename(doomed, entry)
            return 'in-use'
        _cacheroot.rmtree(doomed)
        _cacheroot.rmtree(entry + '.users')  # its use records go with it
        return 'removed'


def _remove_orphan_users(root, key):
    """Under the key's lock, ROOT/KEY.users if ROOT/KEY is (still) gone."""
    with _holding_lock(root, key) as held:
        if not held:
            return 'locked'
        if os.path.lexists(os.path.join(root, key)):
            return 'missing'
        _cacheroot.rmtree(os.path.join(root, key + '.users'))
        return 'removed'


@contextlib.contextmanager
def _holding_lock(root, key):
    """The key's lock for the duration of the block (True), or False if someone holds it."""
    lock = _lock(root, key)
    try:
        yield lock is not None
    finally:
        if lock is not None:
            try:
                os.rmdir(lock)
            except OSError:
                pass


def _amount(value, units, what, example, option):
    """'30d' or '2G' (the CLI's units.ts forms) as seconds or bytes."""
    m = re.match(r'^(\d+(?:\.\d+)?)\s*([a-zA-Z]?)(?:i?[bB])?$', value.strip()) if value else None
    unit = units.get(m.group(2).lower()) if m else None
    if unit is None:
        raise Usage('the %s option is not a %s: %s (e.g. %s)' % (option, what, value, example))
    return float(m.group(1)) * unit


def _prune(opts):
    json_out, dry_run = opts.json, opts.dry_run
    max_bytes = _amount(opts.max_size, SIZE_UNITS, 'size', '2G', '--max-size') if opts.max_size is not None else None
    older = opts.older_than or (None if max_bytes is not None else '30d')
    older_s = _amount(older, TIME_UNITS, 'duration', '30d', '--older-than') if older else None
    root = _require_root()
    now = time.time()
    actions, orphans = [], []
    entries = scan(root, now, orphans)
    for users in orphans:
        key = os.path.basename(users)[:16]
        actions.append(_action(key, users, 'leftover', 'use records of a removed entry', 0,
                               'would-remove' if dry_run else _remove_orphan_users(root, key)))
    for e in entries:
        dead = [l for l in e['leftovers'] if not l['alive']]
        if not dead and not (e['lock'] and e['lock']['stale']):
            continue
        lock = None if dry_run else _lock(root, e['key'])
        try:
            for l in dead:
                if lock or dry_run:
                    if not dry_run:
                        _cacheroot.rmtree(l['path'])
                    actions.append(_action(e['key'], l['path'], 'leftover', 'process %d is gone' % l['pid'], 0,
                                           'would-remove' if dry_run else 'removed'))
            if e['lock'] and e['lock']['stale']:
                actions.append(_action(e['key'], e['lock']['path'], 'stale-lock', 'not refreshed for %d s'
                                       % (e['lock']['ageMs'] // 1000), 0,
                                       'would-remove' if dry_run else ('removed' if lock else 'locked')))
        finally:
            if lock:
                os.rmdir(lock)
    last = lambda e: _mtime(e['path'])
    kept = []
    for e in [e for e in entries if e['path']]:
        if older_s is not None and now - last(e) > older_s:
            outcome = remove_entry(root, e['key'], dry_run)
            actions.append(_action(e['key'], e['path'], 'entry', 'last used ' + e['lastUsed'], e['diskBytes'], outcome))
            if outcome in ('removed', 'would-remove', 'missing'):
                continue
        kept.append(e)
    if max_bytes is not None:
        total = sum(e['diskBytes'] for e in kept)
        for e in sorted([e for e in kept if older_s is None or now - last(e) > older_s], key=last):
            if total <= max_bytes:
                break
            outcome = remove_entry(root, e['key'], dry_run)
            actions.append(_action(e['key'], e['path'], 'entry', 'over --max-size, last used ' + e['lastUsed'],
                                   e['diskBytes'], outcome))
            if outcome in ('removed', 'would-remove'):
                total -= e['diskBytes']
    if json_out:
        _print_json({'root': root, 'dryRun': dry_run, 'actions': actions})
    elif not actions:
        sys.stdout.write('nothing to prune in %s\n' % root)
    else:
        sys.stdout.write(_table(['KEY', 'WHAT', 'OUTCOME', 'SIZE', 'WHY'],
                                [[a['key'], a['what'], a['outcome'], _human(a['bytes']), a['why']] for a in actions]))
    return 0


def _mtime(path):
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0


def _action(key, path, what, why, size, outcome):
    return {'key': key, 'path': path, 'what': what, 'why': why, 'bytes': size, 'outcome': outcome}


def _expand_key(root, typed):
    """A whole key as typed, or the one key in `root` that starts with it (as the CLI does)."""
    if re.match(r'^(?:res-|pyc-)?[0-9a-f]{16}$', typed):
        return typed
    matches = [e['key'] for e in scan(root) if e['key'].startswith(typed)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise _extract.PyzapError(NOT_FOUND, 'no entry in %s has a key starting with %s' % (root, typed))
    raise Usage('%s is the start of %d keys: %s; type more of the key' % (typed, len(matches), ', '.join(matches)))


def _clean(opts):
    json_out, all_, keys = opts.json, opts.all, opts.keys
    if not all_ and not keys:
        raise Usage('clean needs --all or the KEYs to remove (PYZAP=cache ... list shows them)')
    for k in keys:
        if not re.match(r'^(?:res-|pyc-)?[0-9a-f]{1,16}$', k):
            raise Usage('not a cache key: %s (16 lowercase hex digits, res- or pyc- and 16 for resources or bytecode, '
                        'or a prefix of one)' % k)
    root = _require_root()
    if all_:
        keys = [e['key'] for e in scan(root) if e['path']]
    else:
        keys = [_expand_key(root, k) for k in keys]
    results = [{'key': k, 'outcome': remove_entry(root, k)} for k in keys]
    if json_out:
        _print_json({'root': root, 'results': results})
    elif results:
        sys.stdout.write(_table(['KEY', 'OUTCOME'], [[r['key'], r['outcome']] for r in results]))
    else:
        sys.stdout.write('no entries in %s\n' % root)
    missing = [r['key'] for r in results if r['outcome'] == 'missing']
    if missing and not all_:
        sys.stderr.write('pyzap: no such entry in %s: %s\n' % (root, ', '.join(missing)))
        return NOT_FOUND
    busy = [r['key'] for r in results if r['outcome'] in ('locked', 'in-use')]
    if busy:
        sys.stderr.write('pyzap: left in place because locked or in use: %s; run it again when the '
                         'applications using them have stopped\n' % ', '.join(busy))
        return ENTRY_BUSY
    return 0
