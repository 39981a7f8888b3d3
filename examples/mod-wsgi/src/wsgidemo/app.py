"""The WSGI application mod_wsgi runs inside Apache (imported from the bundle).

The page says where each part came from, so a user (or a test) can see that
the pure package was imported from the archive and the native extension from
the bundle's cache entry, inside a process Apache started.
"""
import os
import pwd
import sys

import markupsafe
import markupsafe._speedups  # the C extension: only in the bundle's cache entry


def _runtime():
    """The pyzap runtime's view of this process (None when it is not active)."""
    try:
        import _pyzap
    except ImportError:
        return None
    return _pyzap.info()


def application(environ, start_response):
    try:
        import mod_wsgi  # exists only inside Apache
        group = mod_wsgi.process_group or "(embedded)"
    except ImportError:
        group = "(not under mod_wsgi)"
    info = _runtime()
    lines = [
        "Hello from Apache httpd + mod_wsgi, served from a pyzap bundle",
        "escaped by markupsafe: %s" % markupsafe.escape("<b>pyzap</b>"),
        "markupsafe: %s" % markupsafe.__file__,
        "markupsafe._speedups: %s" % markupsafe._speedups.__file__,
        "bundle: %s" % (info["archive"] if info else "(pyzap runtime not active)"),
        "cache entry: %s" % (info["entry_dir"] if info else "-"),
        "process: pid %d, user %s, mod_wsgi process group %s, Python %s"
        % (os.getpid(), pwd.getpwuid(os.geteuid()).pw_name, group, sys.version.split()[0]),
    ]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
