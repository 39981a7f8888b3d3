"""pyzap: how an uncaught exception is shown in a bundle.

Two things the default hook does not do:
- before Python 3.13 it only reads source lines from real files; Python's
  `traceback` module reads them through linecache and so through our loader's
  `get_source()`, and shows them for modules in the archive;
- when the error is a file operation on a path inside the archive
  (`NotADirectoryError: .../app.pyz/site-packages/pkg/data/x.txt`), a package
  kept zipped opened its own files by path. The traceback is followed by one
  line that names the package and the rebuild flag that fixes it.

`_pyzap` installs a stub as sys.excepthook (only if nobody replaced it
before) that imports this module when an exception is shown.
"""
import os
import sys


def unpack_hint(value, archives):
    """'pyzap: ...' naming the package and --unpack flag, if `value` (or its cause) opened a path in an archive."""
    seen = set()
    while value is not None and id(value) not in seen:
        seen.add(id(value))
        if isinstance(value, OSError):
            for name in (value.filename, getattr(value, 'filename2', None)):
                hint = _hint_for(name, archives)
                if hint:
                    return hint
        value = value.__cause__ or value.__context__
    return None


def _hint_for(filename, archives):
    if isinstance(filename, bytes):
        filename = os.fsdecode(filename)
    if not isinstance(filename, str):
        return None
    for archive in archives:
        site = archive + '/site-packages/'
        if filename.startswith(site):
            top = filename[len(site):].split('/', 1)[0]
            package = top[:-3] if top.endswith('.py') else top
            return ('pyzap: %s opened %s, a path inside the bundle, which is not a real file; '
                    'rebuild the bundle with --unpack %s' % (package, filename, package))
        if filename.startswith(archive + '/'):
            return ('pyzap: the application opened %s, a path inside the bundle, which is not a real file'
                    % filename)
    return None


def show(exc_type, value, tb):
    """Print the traceback (source lines included), then the --unpack hint if there is one."""
    try:
        import traceback
        traceback.print_exception(exc_type, value, tb)
    except Exception:
        sys.__excepthook__(exc_type, value, tb)
    try:
        import _pyzap
        hint = unpack_hint(value, [b.archive for b in _pyzap._bundles])
    except Exception:
        hint = None
    if hint:
        sys.stderr.write(hint + '\n')
