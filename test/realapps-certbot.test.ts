// certbot 2.1 from Debian, turned into wheels by test/debwheel and bundled as
// a user would from PyPI (`pyzap bundle certbot -c certbot`), built with
// Debian's /usr/bin/python3 and run on a bare venv of it, as on a clean target:
// Debian's certbot (installed here to build the wheels) is not visible, so
// what works is the bundle's own copy. Then a real issuance against Debian's
// pebble ACME test server on loopback. Needs the apt packages listed in .ci/run.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { freePort, watchOutput } from "./servers.js";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bytecodeOf, ok, pyzap, run, tempDir } from "./helpers.js";

const PY = "/usr/bin/python3";
const DEBWHEEL = path.resolve(import.meta.dirname, "debwheel/debwheel.py");
const need: [string, boolean][] = [
  ["python3-certbot (apt)", existsSync("/usr/lib/python3/dist-packages/certbot/__init__.py")],
  ["pebble (apt)", existsSync("/usr/bin/pebble")],
  ["openssl (apt)", existsSync("/usr/bin/openssl")],
  ["pip for /usr/bin/python3 (apt python3-pip)", existsSync("/usr/lib/python3/dist-packages/pip")],
];
const missing = need.filter(([, have]) => !have).map(([what]) => what);
if (missing.length > 0) console.warn(`realapps-certbot: skipped, missing ${missing.join(", ")} (CI installs them: .ci/run)`);

describe.skipIf(missing.length > 0)("certbot from Debian's packages", () => {
  const dir = tempDir();
  const wheels = path.join(dir, "wheels");
  const out = path.join(dir, "certbot.pyz");
  const zipped = path.join(dir, "certbot-zipped.pyz");
  const venv = path.join(dir, "venv");
  const cache = path.join(dir, "cache");
  const env = { PYZAP_CACHE: cache, PYZAP_PYTHON: path.join(venv, "bin/python3") };
  // certbot writes logs and state: keep them in the test's directory.
  const dirs = ["--config-dir", path.join(dir, "cfg"), "--work-dir", path.join(dir, "work"), "--logs-dir", path.join(dir, "logs")];

  beforeAll(() => {
    ok(run(PY, [DEBWHEEL, "--out", wheels, "python3-certbot"]));
    ok(pyzap(["bundle", "--python", PY, "--no-index", "--find-links", wheels, "certbot", "-c", "certbot", "-o", out]));
    ok(pyzap(["bundle", "--python", PY, "--no-index", "--find-links", wheels, "certbot", "-c", "certbot", "-o", zipped, "--zip", "certbot"]));
    ok(run(PY, ["-m", "venv", "--without-pip", venv]));
  });

  test("--version and --help work", () => {
    expect(ok(run(out, ["--version"], env)).stdout).toBe("certbot 2.1.0\n");
    const help = ok(run(out, ["--help"], env)).stdout;
    expect(help).toContain("certbot [SUBCOMMAND] [options] [-d DOMAIN]");
    expect(help).toContain("obtain, install, and renew certificates");
  });

  test("the bundle is smaller than its bytecode alone would be STORED; an error shows certbot's source lines", () => {
    const pyc = bytecodeOf(out, PY).reduce((n, b) => n + b.size, 0);
    // certbot 2.1: 4.1 MB against 6.4 MB of bytecode (8.9 MB when it was STORED), under issue #13's 4 MiB.
    expect(statSync(out).size).toBeLessThan(pyc);
    expect(statSync(out).size).toBeLessThanOrEqual(4 << 20);
    // No ACME server at that port: urllib3 raises inside the archive and -vv prints the traceback.
    const r = run(out, ["certonly", "--webroot", "-w", dir, "-d", "example.invalid", "--non-interactive", "--agree-tos", "-m", "a@example.invalid", "--server", "http://127.0.0.1:9/dir", "-vv", ...dirs], env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`File "${out}/site-packages/(certbot|acme|requests|urllib3)/[^"]+\\.py", line \\d+, in \\w+\\n {4}\\S`));
  });

  test("plugins lists the plugins declared as entry points in the archive", () => {
    const result = ok(run(out, ["plugins", ...dirs], env));
    expect(result.stdout).toContain("* standalone");
    expect(result.stdout).toContain("Entry point: standalone = certbot._internal.plugins.standalone:Authenticator");
    expect(result.stdout).toContain("* webroot");
  });

  test("the same without the launcher (python3 app.pyz) and with PYZAP_ZIPIMPORT=1", () => {
    for (const [file, args, extra] of [
      [env.PYZAP_PYTHON, [out, "plugins", ...dirs], {}],
      [out, ["plugins", ...dirs], { PYZAP_ZIPIMPORT: "1" }],
    ] as const) {
      const result = ok(run(file, [...args], { ...env, ...extra }));
      expect(result.stdout).toContain("Entry point: standalone = certbot._internal.plugins.standalone:Authenticator");
    }
  });

  // certbot asks for its own files with pkg_resources.resource_filename: the build unpacks its data files (the code stays zipped);
  // kept zipped (--zip certbot), the runtime extracts the file asked for once, into CACHE/res-H.
  test.each([
    ["unpacked by the build", () => out, /\/[0-9a-f]{16}\/site\/certbot\/ssl-dhparams\.pem$/],
    ["kept zipped", () => zipped, /\/res-[0-9a-f]{16}\/site\/certbot\/ssl-dhparams\.pem$/],
  ])("importlib.metadata and pkg_resources see the bundled distributions, resource_filename a real file (%s)", (_, bundleOf, pemPath) => {
    const file = bundleOf();
    ok(run(file, ["plugins", ...dirs], env)); // certbot itself works; unpacks the cache entry
    const key = ok(run(file, ["--json"], { ...env, PYZAP: "info" })).stdout.match(/"cacheKey":\s*"([0-9a-f]{16})"/)?.[1];
    // What a Python subprocess of the bundle gets (the launcher's PYTHONPATH).
    const pythonpath = [`${file}/.pyzap/boot`, `${cache}/${key}/site`, `${file}/site-packages`].join(":");
    const code = [
      "import importlib.metadata as md, json, os, pkg_resources",
      'pem = pkg_resources.resource_filename("certbot", "ssl-dhparams.pem")',
      "print(json.dumps({",
      '  "metadata": str(md.distribution("certbot").locate_file("certbot-2.1.0.dist-info/METADATA")),',
      '  "location": pkg_resources.get_distribution("certbot").location,',
      '  "require": [d.location for d in pkg_resources.require("acme")],',
      '  "plugins": sorted(e.name for e in pkg_resources.iter_entry_points("certbot.plugins")),',
      '  "exists": pkg_resources.resource_exists("certbot", "ssl-dhparams.pem"),',
      '  "listdir": "ssl-dhparams.pem" in pkg_resources.resource_listdir("certbot", ""),',
      '  "pem": pem, "pem_is_file": os.path.isfile(pem),',
      '  "pem_same": open(pem, "rb").read() == pkg_resources.resource_string("certbot", "ssl-dhparams.pem"),',
      "}))",
    ].join("\n");
    const r = JSON.parse(ok(run(env.PYZAP_PYTHON, ["-c", code], { ...env, PYTHONPATH: pythonpath })).stdout) as Record<string, unknown>;
    expect(r.metadata).toBe(`${file}/site-packages/certbot-2.1.0.dist-info/METADATA`);
    expect(r.location).toBe(`${file}/site-packages`);
    expect(r.require).toEqual(expect.arrayContaining([`${file}/site-packages`]));
    expect(r.plugins).toEqual(expect.arrayContaining(["manual", "null", "standalone", "webroot"]));
    expect(r.exists).toBe(true);
    expect(r.listdir).toBe(true);
    expect(r.pem).toMatch(new RegExp(`^${cache}/`)); // a real file in the cache, not inside the .pyz
    expect(r.pem).toMatch(pemPath);
    expect(r.pem_is_file).toBe(true);
    expect(r.pem_same).toBe(true);
  });

  test("run by Debian's python3, which has certbot and its dependencies in dist-packages, nothing of theirs is imported", () => {
    // The bare venv of the other tests cannot see dist-packages at all: here the
    // interpreter can, so this is what proves the bundle's isolation.
    expect(run(PY, ["-c", "import certbot, acme, cryptography, requests"]).status).toBe(0);
    const result = ok(run(out, ["--version"], { ...env, PYZAP_PYTHON: PY, PYTHONVERBOSE: "1" }));
    const fromSystem = result.stderr.split("\n").filter((l) => /dist-packages\/(certbot|acme|josepy|cryptography|requests|urllib3|OpenSSL|configobj|configargparse|pytz|_cffi_backend)/.test(l));
    expect(fromSystem).toEqual([]);
    expect(result.stderr).toMatch(new RegExp(`(${out}/site-packages|${cache}/[0-9a-f]{16}/site)/certbot/`));
    // What made certbot break on a clean target: metadata found through the host's paths.
    const code = "import sys, json, importlib.metadata as m, pkg_resources as p; print(json.dumps([[e for e in sys.path if 'dist-packages' in e], str(m.distribution('certbot').locate_file('certbot/__init__.py')), p.get_distribution('certbot').location]))";
    const [hostPaths, metadataPath, location] = JSON.parse(ok(run(out, ["-c", code], { ...env, PYZAP_PYTHON: PY, PYZAP_INTERPRETER: "1" })).stdout) as [string[], string, string];
    expect(hostPaths).toEqual([]);
    expect(metadataPath.startsWith(`${out}/site-packages/`)).toBe(true);
    expect(location.startsWith(out)).toBe(true);
  });

  describe("a certificate issuance against pebble", () => {
    let pebble: ChildProcess | undefined;
    let acmePort = 0;
    let httpPort = 0;
    const ca = path.join(dir, "ca.pem");

    beforeAll(async () => {
      [acmePort, httpPort] = [await freePort(), await freePort()];
      const mgmtPort = await freePort();
      const key = path.join(dir, "ca.key");
      ok(run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", ca, "-days", "2", "-subj", "/CN=pyzap test CA"]));
      const srvKey = path.join(dir, "srv.key");
      const csr = path.join(dir, "srv.csr");
      const srvCert = path.join(dir, "srv.pem");
      const ext = path.join(dir, "ext.cnf");
      writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
      ok(run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", srvKey, "-out", csr, "-subj", "/CN=127.0.0.1"]));
      ok(run("openssl", ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", key, "-CAcreateserial", "-out", srvCert, "-days", "2", "-extfile", ext]));
      const config = path.join(dir, "pebble.json");
      writeFileSync(
        config,
        JSON.stringify({
          pebble: {
            listenAddress: `127.0.0.1:${acmePort}`,
            managementListenAddress: `127.0.0.1:${mgmtPort}`,
            certificate: srvCert,
            privateKey: srvKey,
            httpPort,
            tlsPort: await freePort(),
            ocspResponderURL: "",
            externalAccountBindingRequired: false,
          },
        }),
      );
      // PEBBLE_VA_ALWAYS_VALID: no real challenge fetch; NONCEREJECT=0: no random badNonce.
      const child = spawn("pebble", ["-config", config], {
        env: { ...process.env, PEBBLE_VA_ALWAYS_VALID: "1", PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      pebble = child;
      await watchOutput(child).until((out) => out.includes("Listening on:"), 30_000, '"Listening on:"');
    });

    afterAll(() => {
      pebble?.kill();
    });

    test("certbot certonly --standalone gets a certificate for the requested name", () => {
      const result = run(
        out,
        ["certonly", "--standalone", "--non-interactive", "--agree-tos", "--register-unsafely-without-email", "-d", "pyzap.example.test",
          "--http-01-port", String(httpPort), "--http-01-address", "127.0.0.1", "--server", `https://127.0.0.1:${acmePort}/dir`, ...dirs],
        { ...env, REQUESTS_CA_BUNDLE: ca },
      );
      ok(result);
      expect(result.stdout).toContain("Successfully received certificate.");
      const cert = path.join(dir, "cfg/live/pyzap.example.test/cert.pem");
      const text = ok(run("openssl", ["x509", "-in", cert, "-noout", "-ext", "subjectAltName", "-issuer"])).stdout;
      expect(text).toContain("DNS:pyzap.example.test");
      expect(text).toContain("Pebble Intermediate CA");
    });
  });
});
