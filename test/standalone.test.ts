// `pyzap bundle --standalone`: the bundle carries its interpreter and runs in
// a root filesystem that has no Python at all (glibc, its loader and /bin/sh
// only); Python subprocesses work there; a host Python started by the app is
// left alone; bundles built with the same interpreter share one runtime
// entry; an older glibc gets one line and exit 79 instead of a loader error.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ok, pyzap, REPO, run, tempDir } from "./helpers.js";
import { writeCheckApp } from "./standalone/app.js";
import { canChroot, inRoot, makeRootfs, pythonsIn } from "./standalone/rootfs.js";

const dir = tempDir("pyzap-standalone-");
const hello = path.join(dir, "hello.pyz");
const check = path.join(dir, "sacheck.pyz");
const cache = path.join(dir, "cache");

ok(pyzap(["bundle", path.join(REPO, "examples/hello"), "-c", "hello", "--standalone", "-o", hello, "-q"]));
ok(pyzap(["bundle", writeCheckApp(dir), "numpy", "-c", "sacheck", "--standalone", "-o", check, "-q"]));

/** A record of the bundle's .pyzap/runtime.cfg ("key", "interp", "glibc"...). */
function runtimeRecord(bundle: string, name: string): string {
  const text = execFileSync("unzip", ["-p", bundle, ".pyzap/runtime.cfg"], { encoding: "utf8" });
  return new RegExp(`^${name} (.*)$`, "m").exec(text)?.[1] ?? "";
}

const interp = runtimeRecord(hello, "interp");
const skipNoRoot = !canChroot;
if (skipNoRoot) console.log("standalone chroot tests skipped: they need root and unshare (mount and pid namespaces)");

describe.skipIf(skipNoRoot)("in a root filesystem without Python", () => {
  const root = path.join(dir, "root");
  makeRootfs(root, interp);
  const pythonsBefore = pythonsIn(root);
  cpSync(hello, path.join(root, "app/hello.pyz"));
  cpSync(check, path.join(root, "app/sacheck.pyz"));
  // A self-signed certificate for localhost: the CA of the TLS round trip.
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", path.join(root, "app/key.pem"), "-out", path.join(root, "app/cert.pem")], { stdio: "ignore" });

  test("there is no python anywhere in it", () => {
    expect(pythonsBefore).toEqual([]);
    expect(existsSync(path.join(root, "usr/bin/python3"))).toBe(false);
  });

  test("examples/hello runs and prints its greeting, its native module from the cache", () => {
    const r = inRoot(root, ["/app/hello.pyz", "chroot"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("&lt;b&gt;hello, chroot&lt;/b&gt;");
    expect(r.stdout).toMatch(/native: +\/cache\/[0-9a-f]{16}\/site\/markupsafe\/_speedups/);
  });

  test("subprocesses, multiprocessing spawn, TLS, sqlite3, hashlib and numpy work", () => {
    const r = inRoot(root, ["/app/sacheck.pyz", "tls", "/app/cert.pem", "/app/key.pem"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.executable).toMatch(/^\/cache\/[0-9a-f]{16}\/site\/bin\/python3\.\d+$/);
    expect(out.pythonhome).toBeNull();
    expect(out.child).toEqual([0, "sacheck True", ""]);
    expect(out.isolated).toEqual([0, "ok", ""]);
    expect(out.spawn).toEqual([1, 4, 9]);
    expect(out.sha256).toBe(createHash("sha256").update("pyzap").digest("hex").slice(0, 16));
    expect(out.sqlite).toBe(42);
    expect(out.tls[0]).toBe("PING");
    expect(out.tls[1]).toMatch(/^TLSv1\.[23]$/);
    expect(out.numpy).toBe(0.75); // numpy 2 needs libstdc++, which this root lacks: carried
    expect(out.host).toBeUndefined(); // no /usr/bin/python3 in here
  });
});

describe("on this machine", () => {
  test("a host Python started by the app keeps its own home and standard library", () => {
    const r = run(check, [], { PYZAP_CACHE: cache });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.executable.startsWith(`${cache}/`)).toBe(true);
    expect(out.child).toEqual([0, "sacheck True", ""]);
    if (!existsSync("/usr/bin/python3")) return console.log("host Python check skipped: no /usr/bin/python3");
    const [code, stdout, stderr] = out.host;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const [prefix, osFile] = JSON.parse(stdout);
    expect(prefix).toBe("/usr");
    expect(osFile).toMatch(/^\/usr\/lib\/python3\.\d+\/os\.py$/);
  });

  test("the standard library starts without zipimport reading its zip, and children and unusual codecs are unaffected", () => {
    const probe = [
      "import json, os, subprocess, sys, zipimport",
      "z = [p for p in sys.path if p.endswith('.zip')][0]",
      "import importlib.resources as r",
      "with r.as_file(r.files('email').joinpath('architecture.rst')) as f: resource = f.read_text()[:20]",
      "child = subprocess.run([sys.executable, '-c', 'import json, os; print(os.environ.get(\"PYTHONPATH\"), json.__name__)'], capture_output=True, text=True)",
      "print(json.dumps({'loader': type(json.__loader__).__name__, 'file': json.__file__, 'zip': z, 'early': [p for p in sys.path if 'pyzap-early' in p],",
      "  'toc': len(zipimport._zip_directory_cache[z]), 'child': [child.returncode, child.stdout.strip(), child.stderr],",
      "  'enc': sys.stdout.encoding, 'resource': resource}))",
    ].join("\n");
    // koi8_r is not among the early codecs: the early encodings finds it in the zip, before site.
    const r = run(hello, ["-c", probe], { PYZAP_CACHE: cache, PYZAP_INTERPRETER: "1", PYTHONIOENCODING: "koi8_r" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const key = runtimeRecord(hello, "key");
    expect(runtimeRecord(hello, "early")).toBe("lib/pyzap-early");
    expect(out.zip).toMatch(new RegExp(`^${cache}/${key}/site/lib/python3\\d+\\.zip$`));
    // One load per module (not zipimport's two), from the zip's prebuilt index.
    expect(out.loader).toBe("ArchiveLoader");
    expect(out.file).toBe(`${out.zip}/json/__init__.pyc`);
    expect(out.toc).toBeGreaterThan(300);
    expect(out.early).toEqual([]);
    expect(out.enc).toBe("koi8-r");
    // A data file of a stdlib package, as a real file (importlib's own temporary copy).
    expect(out.resource).toBe(":mod:`email` Package");
    // A child inherits only the boot directory: never the early one, whose .pyc are this Python's only.
    expect(out.child[0]).toBe(0);
    expect(out.child[1]).toBe(`${hello}/.pyzap/boot json`);
  });

  test("two apps built with the same interpreter share one runtime entry", () => {
    expect(runtimeRecord(hello, "key")).toMatch(/^[0-9a-f]{16}$/);
    expect(runtimeRecord(check, "key")).toBe(runtimeRecord(hello, "key"));
    ok(run(hello, ["again"], { PYZAP_CACHE: cache }));
    const runtimes = readdirSync(cache).filter((e) => /^[0-9a-f]{16}$/.test(e) && readFileSync(path.join(cache, e, "entry.cfg"), "utf8").includes("\nexe "));
    expect(runtimes).toEqual([runtimeRecord(hello, "key")]);
    // Both bundles are recorded as users of it (pyzap cache list shows them).
    expect(readdirSync(path.join(cache, `${runtimes[0]}.users`))).toHaveLength(2);
  });
});

describe("what the bundle says about its runtime", () => {
  test("pyzap inspect shows the Python version, the unpacked size and the glibc floor", () => {
    const r = ok(pyzap(["inspect", hello]));
    const key = runtimeRecord(hello, "key");
    expect(r.stdout).toMatch(new RegExp(`runtime +CPython 3\\.\\d+\\.\\d+ \\(bin/python3\\.\\d+\\), \\d+ files, [\\d.]+ MiB unpacked once into a shared entry \\(key ${key}\\)`));
    expect(r.stdout).toContain(`glibc      ${runtimeRecord(hello, "glibc")} or newer on the target`);
    expect(r.stdout).toMatch(/left out: .*\bidlelib\b.*\btest\b/);
  });

  test("PYZAP=info and PYZAP=cache run in the bundle's own interpreter and know the runtime entry", () => {
    const key = runtimeRecord(hello, "key");
    const info = ok(run(hello, [], { PYZAP: "info", PYZAP_CACHE: cache }));
    expect(info.stdout).toMatch(new RegExp(`runtime +CPython 3\\.\\d+\\.\\d+, \\d+ files, .* needs glibc ${runtimeRecord(hello, "glibc")}\\+; entry ${cache}/${key} \\(present\\)`));
    const list = ok(run(hello, ["list", "--json"], { PYZAP: "cache", PYZAP_CACHE: cache }));
    // The runtime entry lists the bundles that use it, as any entry does.
    const entries = JSON.parse(list.stdout).entries as { key: string; bundles: { name: string; path: string }[] }[];
    const users = entries.find((e) => e.key === key)?.bundles.map((b) => [b.name, b.path]).sort();
    expect(users).toEqual([["hello", hello], ["sacheck", check]]);
  });
});

describe.skipIf(skipNoRoot)("on a system whose glibc is too old", () => {
  test("one line naming both versions, exit 79, and no runtime unpacked", () => {
    const root = path.join(dir, "oldroot");
    makeRootfs(root, interp);
    // A libc.so.6 that defines versions up to GLIBC_2.17, where the launcher looks.
    const src = path.join(dir, "fakelibc");
    mkdirSync(src);
    writeFileSync(path.join(src, "libc.c"), "int fake_old(void) { return 0; }\nint fake_new(void) { return 1; }\n");
    writeFileSync(path.join(src, "v.map"), "GLIBC_2.2.5 { global: fake_old; local: *; };\nGLIBC_2.17 { global: fake_new; } GLIBC_2.2.5;\n");
    const libDir = path.join(root, path.dirname(interp));
    execFileSync("gcc", ["-shared", "-nostdlib", "-fPIC", "-Wl,-soname,libc.so.6", `-Wl,--version-script=${path.join(src, "v.map")}`,
      "-o", path.join(libDir, "libc.so.6"), path.join(src, "libc.c")]);
    cpSync(hello, path.join(root, "app/hello.pyz"));
    const r = inRoot(root, ["/app/hello.pyz"]);
    const floor = runtimeRecord(hello, "glibc");
    expect(floor).toMatch(/^2\.\d+$/);
    expect(r.stderr).toBe(`pyzap: this bundle's Python needs glibc ${floor} or newer, but this system has glibc 2.17 (${path.dirname(interp)}/libc.so.6); run it on a newer system, or build it on a system as old as this one\n`);
    expect(r.status).toBe(79);
    expect(r.stdout).toBe("");
    expect(existsSync(path.join(root, "cache", runtimeRecord(hello, "key")))).toBe(false);
  });
});

// A CPython install tree as python-build-standalone's install_only archives
// lay it out (python/bin/python3, python/lib/...), made from this machine's
// interpreter: its executable, libpython, stdlib and pip, nothing else.
const MAKE_DIST = `
import os, sys, sysconfig, tarfile
prefix, out = sys.base_prefix, sys.argv[1]
xy = '%d.%d' % sys.version_info[:2]
stdlib = os.path.join(prefix, 'lib', 'python' + xy)
def skip(ti):
    parts = ti.name.split('/')
    if '__pycache__' in parts or 'test' in parts[3:5] or any(p.startswith('config-') for p in parts): return None
    if 'site-packages' in parts and not ('pip' in parts or parts[-1] == 'site-packages'): return None
    return ti
with tarfile.open(out, 'w:gz') as t:
    exe = os.path.realpath(sys.executable)
    t.add(exe, 'python/bin/' + os.path.basename(exe))
    link = tarfile.TarInfo('python/bin/python3'); link.type = tarfile.SYMTYPE; link.linkname = os.path.basename(exe); t.addfile(link)
    lib = sysconfig.get_config_var('INSTSONAME')
    if lib and os.path.exists(os.path.join(prefix, 'lib', lib)): t.add(os.path.join(prefix, 'lib', lib), 'python/lib/' + lib)
    t.add(stdlib, 'python/lib/python' + xy, filter=skip)
`;

describe("--python-dist", () => {
  test("a CPython install tree given as a tarball builds a standalone bundle that runs", () => {
    const tarball = path.join(dir, "cpython-install_only.tar.gz");
    execFileSync("python3", ["-c", MAKE_DIST, tarball]);
    const out = path.join(dir, "hello-dist.pyz");
    ok(pyzap(["bundle", path.join(REPO, "examples/hello"), "-c", "hello", "--python-dist", tarball, "-o", out, "-q"]));
    expect(runtimeRecord(out, "exe")).toMatch(/^bin\/python3\.\d+$/);
    const r = run(out, ["dist"], { PYZAP_CACHE: path.join(dir, "cache-dist") });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("&lt;b&gt;hello, dist&lt;/b&gt;");
  }, 600_000); // pip runs from a stdlib without __pycache__: slow on a busy machine

  test("a directory that holds no interpreter is refused with what was looked for", () => {
    const r = pyzap(["bundle", path.join(REPO, "examples/hello"), "-c", "hello", "--python-dist", dir, "-o", path.join(dir, "x.pyz")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`pyzap: The "--python-dist" option has no bin/python3 or python/bin/python3 or install/bin/python3: ${dir}`);
  });

  test.skipIf(!existsSync("/usr/bin/python3"))("Debian's /usr/bin/python3 is refused as not relocatable, naming the binary and the library", () => {
    const r = pyzap(["bundle", path.join(REPO, "examples/hello"), "-c", "hello", "--standalone", "--python", "/usr/bin/python3", "-o", path.join(dir, "deb.pyz")]);
    expect(r.status).toBe(12);
    expect(r.stderr).toMatch(/pyzap: this interpreter cannot be made standalone: \/usr\/bin\/python3\.\d+ needs lib\S+\.so\.\d+, and it has no RPATH\/RUNPATH/);
    expect(existsSync(path.join(dir, "deb.pyz"))).toBe(false);
  });
});
