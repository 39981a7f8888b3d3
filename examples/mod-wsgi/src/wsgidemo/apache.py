"""Find Debian's apache2 and mod_wsgi, and write a self-contained config for them.

The config needs no /etc/apache2 and none of the APACHE_* variables that
Debian's apache2ctl sources from /etc/apache2/envvars: every path in it is
absolute and everything Apache writes (pid file, logs, mutexes, the mod_wsgi
daemon socket) goes to the run directory.
"""
import os
import shutil

# Where distributions keep Apache's loadable modules (Debian first).
MODULE_DIRS = ("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules", "/usr/lib/httpd/modules")


class SetupError(Exception):
    """Something this machine lacks; the message says what to install."""


def find_apache(explicit=None):
    """The httpd binary: --apache, else apache2 or httpd on PATH or in /usr/sbin."""
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise SetupError("%s is not an executable file (--apache)" % explicit)
        return explicit
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    for name in ("apache2", "httpd"):
        found = shutil.which(name, path=search)
        if found:
            return found
    raise SetupError("Apache httpd not found: install it (Debian: apt-get install apache2) or pass --apache PATH")


def find_modules_dir(explicit=None):
    """The directory holding mod_mpm_event.so and friends."""
    candidates = [explicit] if explicit else MODULE_DIRS
    for directory in candidates:
        if os.path.isfile(os.path.join(directory, "mod_authz_core.so")):
            return directory
    raise SetupError("Apache's modules not found in %s: pass --modules-dir DIR" % ", ".join(candidates))


def find_mod_wsgi(modules_dir, explicit=None):
    """mod_wsgi.so: Debian's libapache2-mod-wsgi-py3 links it to mod_wsgi.so-3.X."""
    if explicit:
        if not os.path.isfile(explicit):
            raise SetupError("%s does not exist (--mod-wsgi)" % explicit)
        return explicit
    path = os.path.join(modules_dir, "mod_wsgi.so")
    if os.path.isfile(path):
        return path
    raise SetupError("mod_wsgi not found in %s: install it (Debian: apt-get install libapache2-mod-wsgi-py3) "
                     "or pass --mod-wsgi PATH" % modules_dir)


def render(run_dir, port, modules_dir, mod_wsgi, python_path, script, mpm="event", user=None):
    """The text of apache2.conf.

    mod_wsgi runs in daemon mode: one separate process, started by Apache,
    that alone embeds Python (WSGIRestrictEmbedded keeps it out of the
    workers that serve HTTP). `python-path` puts the bundle's sys.path
    entries into that interpreter; the bundle's runtime is activated there by
    PYTHONPATH, which the daemon inherits from this process (see README).
    """
    def q(value):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')

    lines = [
        "# Written by wsgi-demo; self-contained (no /etc/apache2, no APACHE_* variables).",
        "ServerRoot %s" % q(run_dir),
        "DefaultRuntimeDir %s" % q(run_dir),
        "PidFile %s" % q(os.path.join(run_dir, "apache2.pid")),
        "ServerName 127.0.0.1",
        "Listen 127.0.0.1:%d" % port,
        "LoadModule mpm_%s_module %s" % (mpm, q(os.path.join(modules_dir, "mod_mpm_%s.so" % mpm))),
        "LoadModule authz_core_module %s" % q(os.path.join(modules_dir, "mod_authz_core.so")),
        "LoadModule wsgi_module %s" % q(mod_wsgi),
    ]
    if user:  # only root can switch users: Apache's workers and the daemon run as this one
        lines += ["User %s" % user, "Group %s" % user]
    lines += [
        "ErrorLog %s" % q(os.path.join(run_dir, "error.log")),
        "LogLevel warn wsgi:info",
        'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common',
        "CustomLog %s common" % q(os.path.join(run_dir, "access.log")),
        "DocumentRoot %s" % q(run_dir),
        "<Directory />",
        "    Require all denied",
        "</Directory>",
        "<Directory %s>" % q(run_dir),
        "    Require all granted",
        "</Directory>",
        "WSGIRestrictEmbedded On",
        "WSGISocketPrefix %s" % q(os.path.join(run_dir, "wsgi")),
        # home=: otherwise the daemon chdirs to the user's passwd home and gives
        # up if it does not exist (nobody's is /nonexistent).
        "WSGIDaemonProcess wsgidemo processes=1 threads=4 display-name=%%{GROUP} home=%s python-path=%s"
        % (q(run_dir), q(python_path)),
        "WSGIProcessGroup wsgidemo",
        "WSGIApplicationGroup %{GLOBAL}",
        "WSGIScriptAlias / %s" % q(script),
        "",
    ]
    return "\n".join(lines)
