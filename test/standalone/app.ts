// A small application that checks what a standalone bundle must provide:
// Python subprocesses (sys.executable -c and -I, multiprocessing spawn), ssl
// (a TLS handshake with a test CA), sqlite3, hashlib, a host Python child
// left alone, and numpy when it is bundled. Prints one JSON object.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const CODE = `import json
import multiprocessing
import os
import socket
import ssl
import subprocess
import sys
import threading


def square(x):
    return x * x


def child(args):
    r = subprocess.run([sys.executable] + args, capture_output=True, text=True)
    return [r.returncode, r.stdout.strip(), r.stderr.strip()[-400:]]


def tls(cert, key):
    """One TLS round trip on localhost: our server, our client, the cert as the CA."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as s:
            s.sendall(s.recv(100).upper())

    t = threading.Thread(target=serve)
    t.start()
    client_ctx = ssl.create_default_context(cafile=cert)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with client_ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"ping")
            answer = s.recv(100).decode()
            version = s.version()
    t.join()
    listener.close()
    return [answer, version]


def main():
    import hashlib
    import sqlite3
    out = {"executable": sys.executable, "prefix": sys.prefix, "pythonhome": os.environ.get("PYTHONHOME")}
    out["child"] = child(["-c", "import sys, sacheck; print(sacheck.__name__, sys.prefix == %r)" % sys.prefix])
    out["isolated"] = child(["-I", "-c", "import ssl, sqlite3, json; print('ok')"])
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        out["spawn"] = pool.map(square, [1, 2, 3])
    out["sha256"] = hashlib.sha256(b"pyzap").hexdigest()[:16]
    out["sqlite"] = sqlite3.connect(":memory:").execute("select 6 * 7").fetchone()[0]
    out["openssl"] = ssl.OPENSSL_VERSION
    if len(sys.argv) == 4 and sys.argv[1] == "tls":
        out["tls"] = tls(sys.argv[2], sys.argv[3])
    host = "/usr/bin/python3"
    if os.path.exists(host):
        r = subprocess.run([host, "-c", "import json, os, ssl, sys; print(json.dumps([sys.prefix, os.__file__]))"],
                           capture_output=True, text=True)
        out["host"] = [r.returncode, r.stdout.strip(), r.stderr.strip()[-400:]]
    try:
        import numpy
    except ImportError:
        out["numpy"] = None
    else:
        out["numpy"] = float(numpy.linalg.inv(numpy.array([[2.0, 0.0], [0.0, 4.0]])).sum())
    print(json.dumps(out))
`;

/** Write the project into dir/sacheck; returns its path. */
export function writeCheckApp(dir: string): string {
  const app = path.join(dir, "sacheck");
  mkdirSync(path.join(app, "src/sacheck"), { recursive: true });
  writeFileSync(
    path.join(app, "pyproject.toml"),
    `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "sacheck"\nversion = "1.0"\n\n[project.scripts]\nsacheck = "sacheck:main"\n`,
  );
  writeFileSync(path.join(app, "src/sacheck/__init__.py"), CODE);
  return app;
}
