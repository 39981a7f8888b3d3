"""wsgi-demo [--port PORT] [--run-dir DIR] [--user NAME] [--stop-after SECONDS]: serve wsgidemo.app with Apache + mod_wsgi.

Writes an Apache config into the run directory and starts Apache httpd as a
child process (in the foreground), which inherits this process's environment.
"""
import argparse
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from wsgidemo import apache

# mod_wsgi loads the application from a file; this one imports it from the bundle.
WSGI_SCRIPT = "from wsgidemo.app import application  # noqa: F401 (served by mod_wsgi)\n"
READY_TIMEOUT = 30.0  # seconds for Apache to write its pid file and accept connections
STOP_TIMEOUT = 15.0  # seconds for Apache to stop after SIGTERM before it is killed


def bundle_paths():
    """(sys.path entries for the app, PYTHONPATH value) of the bundle this runs from.

    In a pyzap bundle they come from the runtime (`_pyzap.info()`); installed
    normally (a venv, site-packages), the directory that holds `wsgidemo`.
    """
    try:
        import _pyzap
        info = _pyzap.info()
    except ImportError:
        info = None
    if info:
        return info["site_dirs"], info["pythonpath"]
    spec = importlib.util.find_spec("wsgidemo")
    parent = os.path.dirname(list(spec.submodule_search_locations)[0])
    return [parent], parent


def child_env(pythonpath):
    """This process's environment with the bundle's directories first on PYTHONPATH.

    The pyzap launcher has exported them already; `python3 app.pyz` has not.
    """
    env = dict(os.environ)
    old = env.get("PYTHONPATH", "")
    if not old.startswith(pythonpath):
        env["PYTHONPATH"] = pythonpath + (":" + old if old else "")
    return env


def die_with_parent():
    """In the child before exec: Linux sends Apache SIGTERM if this process dies (even by SIGKILL)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass  # not Linux: --stop-after and the signal handlers still stop Apache


def wait_ready(proc, pid_file, port, deadline):
    """True once Apache wrote its pid file and accepts connections; False if it exited or time ran out."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with open(pid_file) as f:
                written = f.read().strip() == str(proc.pid)
        except OSError:
            written = False
        if written:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                pass
        time.sleep(0.05)
    return False


def stop(proc):
    """SIGTERM (Apache stops its workers and the mod_wsgi daemon), then SIGKILL if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def log_excerpt(path, lines=20):
    """'; the end of PATH:' and its last lines, or '' when Apache wrote nothing there (errors went to stderr)."""
    try:
        with open(path, errors="replace") as f:
            text = "".join(f.readlines()[-lines:])
    except OSError:
        text = ""
    return "; the end of %s:\n%s" % (path, text.rstrip("\n")) if text.strip() else ""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="wsgi-demo", description="Serve the bundled WSGI app with Apache httpd + mod_wsgi.")
    parser.add_argument("--port", type=int, default=8080, help="loopback port to listen on (default 8080)")
    parser.add_argument("--run-dir", help="directory for the config, pid file and logs (default: a new temporary one, removed at exit)")
    parser.add_argument("--user", default="www-data", help="user (and group) for Apache's workers and the mod_wsgi daemon when started as root (default www-data)")
    parser.add_argument("--stop-after", type=float, default=0, help="stop the server after this many seconds (0: never)")
    parser.add_argument("--apache", help="Apache httpd binary (default: apache2 or httpd on PATH or in /usr/sbin)")
    parser.add_argument("--modules-dir", help="directory of Apache's modules (default: /usr/lib/apache2/modules, ...)")
    parser.add_argument("--mod-wsgi", help="mod_wsgi.so to load (default: MODULES_DIR/mod_wsgi.so)")
    parser.add_argument("--mpm", default="event", choices=["event", "worker", "prefork"], help="Apache MPM (default event)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        httpd = apache.find_apache(args.apache)
        modules_dir = apache.find_modules_dir(args.modules_dir)
        mod_wsgi = apache.find_mod_wsgi(modules_dir, args.mod_wsgi)
    except apache.SetupError as err:
        sys.stderr.write("wsgi-demo: %s\n" % err)
        return 2
    if not 0 < args.port < 65536:
        sys.stderr.write("wsgi-demo: --port must be between 1 and 65535, not %d\n" % args.port)
        return 2

    own_run_dir = args.run_dir is None
    run_dir = os.path.abspath(args.run_dir or tempfile.mkdtemp(prefix="wsgi-demo-"))
    os.makedirs(run_dir, exist_ok=True)
    user = args.user if os.geteuid() == 0 else None
    if user:
        os.chmod(run_dir, 0o755)  # the workers and the daemon (as USER) reach the script and the socket
    site_dirs, pythonpath = bundle_paths()
    script = os.path.join(run_dir, "app.wsgi")
    with open(script, "w") as f:
        f.write(WSGI_SCRIPT)
    conf = os.path.join(run_dir, "apache2.conf")
    with open(conf, "w") as f:
        f.write(apache.render(run_dir, args.port, modules_dir, mod_wsgi, ":".join(site_dirs), script, args.mpm, user))
    pid_file = os.path.join(run_dir, "apache2.pid")
    error_log = os.path.join(run_dir, "error.log")

    proc = subprocess.Popen([httpd, "-f", conf, "-DFOREGROUND"], env=child_env(pythonpath), preexec_fn=die_with_parent)
    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)
        if proc.poll() is None:
            proc.terminate()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        if not wait_ready(proc, pid_file, args.port, time.monotonic() + READY_TIMEOUT):
            code = stop(proc)
            if stopping:
                return 0
            sys.stderr.write("wsgi-demo: Apache did not start (exit %s)%s\n" % (code, log_excerpt(error_log)))
            return 1
        print("wsgi-demo: serving http://127.0.0.1:%d/ (apache2 pid %d, config %s)" % (args.port, proc.pid, conf), flush=True)
        try:
            proc.wait(args.stop_after if args.stop_after > 0 else None)
        except subprocess.TimeoutExpired:
            print("wsgi-demo: stopping after %g s" % args.stop_after, flush=True)
        code = stop(proc)
        if code != 0 and not stopping:
            sys.stderr.write("wsgi-demo: Apache exited with %d%s\n" % (code, log_excerpt(error_log)))
            return 1
        print("wsgi-demo: stopped", flush=True)
        return 0
    finally:
        stop(proc)
        if own_run_dir:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
