"""pyzap: isolate a bundle from the host's site-packages, as a venv or pex does.

By the time the bundle's runtime is activated, `site` has already added the
user site and the site-packages directories (system, Debian's dist-packages,
a venv's) to `sys.path` and executed their `.pth` files. Those directories are
always appended after the interpreter's own entries (`PYTHONPATH`, then the
standard library), so what site added is: the first site directory on
`sys.path` and everything after it, except entries that `PYTHONPATH` names
explicitly. `drop_host_site()` removes them, and undoes what their `.pth`
files left behind: modules loaded from them (setuptools' `_distutils_hack`,
Debian's `certifi` hook), the meta-path finders and path hooks those modules
installed, and the cached importers of the removed entries.

`PYZAP_INHERIT_PATH=1` keeps the host's site-packages (after the bundle's:
what is bundled still wins).

Imported on every start of a bundle: only sys and os, and `site`, which is
already loaded.
"""
import os
import sys


def inherit_path():
    """Whether the user asked to see the host's site-packages."""
    return os.environ.get('PYZAP_INHERIT_PATH', '') not in ('', '0')


def _norm(path):
    return os.path.normpath(os.path.abspath(path)) if path else path


def _site_dirs():
    """The directories `site` treats as site-packages in this interpreter (venv-aware)."""
    site = sys.modules.get('site')
    if site is None:  # python -S: site added nothing
        return set()
    dirs = []
    try:
        dirs.extend(site.getsitepackages())
    except Exception:
        pass
    try:
        dirs.append(site.getusersitepackages())
    except Exception:
        pass
    return set(_norm(d) for d in dirs if d)


def host_entries(keep=()):
    """The sys.path entries that site added: the first site directory on and after it.

    Entries named by PYTHONPATH and those in `keep` (the bundle's own) are never included.
    """
    explicit = set(_norm(p) for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p)
    explicit.update(_norm(p) for p in keep)
    site_dirs = _site_dirs()
    found = []
    started = False
    for entry in sys.path:
        norm = _norm(entry)
        if norm in explicit:
            continue
        if not started and norm in site_dirs:
            started = True
        if started:
            found.append(entry)
    return found


def _under(path, dirs):
    if not isinstance(path, str) or not path:
        return False
    for d in dirs:
        if path == d or path.startswith(d + os.sep):
            return True
    return False


def _loaded_from(module, dirs):
    """Whether a module was loaded from one of `dirs` (its file, or all of a package's path)."""
    if _under(getattr(module, '__file__', None), dirs):
        return True
    path = getattr(module, '__path__', None)
    if path is None or getattr(module, '__file__', None):
        return False
    try:
        path = list(path)
    except Exception:
        return False
    return bool(path) and all(_under(p, dirs) for p in path)


def drop_host_site(keep=()):
    """Remove what site added from sys.path and undo its .pth files; returns (entries, modules) removed."""
    entries = host_entries(keep)
    if not entries:
        return [], []
    drop = set(entries)
    dirs = [_norm(e) for e in entries]
    sys.path[:] = [p for p in sys.path if p not in drop]
    cache = sys.path_importer_cache
    for key in [k for k in cache if isinstance(k, str) and _under(_norm(k), dirs)]:
        del cache[key]
    modules = [name for name, mod in list(sys.modules.items()) if mod is not None and _loaded_from(mod, dirs)]
    gone = set(modules)
    for name in modules:
        del sys.modules[name]
    # Finders and hooks whose code came from a removed module (e.g. DistutilsMetaFinder).
    sys.meta_path[:] = [f for f in sys.meta_path if _owner(f) not in gone]
    sys.path_hooks[:] = [h for h in sys.path_hooks if _owner(h) not in gone]
    return entries, modules


def _owner(obj):
    """The module that defined a finder or hook (a class, a function, or an instance's class)."""
    return getattr(obj, '__module__', None) or getattr(type(obj), '__module__', None)
