// examples/mod-wsgi: the bundled app writes an Apache config and starts
// Debian's apache2 with Debian's mod_wsgi as a child process; mod_wsgi's
// daemon process embeds Debian's libpython3.X and serves a WSGI app whose
// modules (pure markupsafe from the archive, its C extension from the cache
// entry) exist only inside the bundle. It finds them because the child
// inherits the PYTHONPATH the launcher exported. Built and run with Debian's
// /usr/bin/python3 (the Python mod_wsgi is linked against). Needs the apt
// packages listed in .ci/run.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { freePort, missingForApache, watchOutput } from "./servers.js";
import { userInfo } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { BASE_ENV, ok, pyzap, REPO, run, tempDir } from "./helpers.js";
import { escapeRegExp, pythonTags, type PythonTags } from "./pythons.js";

const PY = "/usr/bin/python3";
const missing = missingForApache("realapps-apache");
const isRoot = process.geteuid?.() === 0;
if (missing.length === 0 && !isRoot) console.warn("realapps-apache: the www-data case is skipped: it needs root (CI runs as root)");

const NOBODY = 65534; // Debian's nobody:nogroup

describe.skipIf(missing.length > 0)("Apache httpd + mod_wsgi started by a bundled app", () => {
  const dir = tempDir();
  const out = path.join(dir, "wsgi-demo.pyz");
  let key = "";
  let py: PythonTags; // Debian's interpreter's version and extension suffix, whatever they are

  beforeAll(() => {
    py = pythonTags(PY);
    // Apache's workers and the mod_wsgi daemon may run as another user: they
    // read the bundle file itself, so its directory must be traversable.
    chmodSync(dir, 0o755);
    ok(pyzap(["bundle", "--python", PY, path.join(REPO, "examples/mod-wsgi"), "-c", "wsgi-demo", "-o", out]));
    key = (JSON.parse(ok(run("unzip", ["-p", out, ".pyzap/manifest.json"])).stdout) as { cacheKey: string }).cacheKey;
  });

  test("an unprivileged user's bundle: the page imports pure code from the archive and the C extension from the cache", async () => {
    // As root (CI), run it as nobody, so Apache and mod_wsgi run as one ordinary user.
    const home = path.join(dir, "user");
    mkdirSync(home, { mode: 0o755 });
    if (isRoot) chownSync(home, NOBODY, NOBODY);
    const cache = path.join(home, "cache");
    const runDir = path.join(home, "run");
    const prefix = isRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"] : [];
    const server = await startServer(prefix, out, runDir, { PYZAP_CACHE: cache, HOME: home });
    try {
      const body = await page(server.port);
      expect(body).toContain("Hello from Apache httpd + mod_wsgi, served from a pyzap bundle");
      expect(body).toContain("escaped by markupsafe: &lt;b&gt;pyzap&lt;/b&gt;");
      expect(body).toContain(`markupsafe: ${out}/site-packages/markupsafe/__init__.py\n`);
      expect(body).toMatch(new RegExp(`markupsafe._speedups: ${escapeRegExp(path.join(cache, key, "site/markupsafe/_speedups"))}${escapeRegExp(py.extSuffix)}\n`));
      expect(body).toContain(`bundle: ${out}\n`);
      expect(body).toContain(`user ${isRoot ? "nobody" : userInfo().username}, mod_wsgi process group wsgidemo, Python ${py.version}.`);
      // mod_wsgi's log: the daemon process, and python-path= from _pyzap.info().
      const log = readFileSync(path.join(runDir, "error.log"), "utf8");
      expect(log).toContain("Starting process 'wsgidemo'");
      expect(log).toContain(`Adding '${out}/site-packages' to path.`);
      // SIGTERM to the bundle stops Apache and its mod_wsgi daemon, and the app exits 0.
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain("wsgi-demo: stopped");
      expect(alive(server.apachePid)).toBe(false);
    } finally {
      await server.stop();
    }
  });

  test.skipIf(!isRoot)("as root: Apache's workers and the mod_wsgi daemon run as www-data and read the root-owned cache entry", async () => {
    const cache = path.join(dir, "root-cache"); // created 0755 by the launcher, on a 0755 path
    const runDir = path.join(dir, "root-run");
    const server = await startServer([], out, runDir, { PYZAP_CACHE: cache });
    try {
      const body = await page(server.port);
      expect(body).toContain("escaped by markupsafe: &lt;b&gt;pyzap&lt;/b&gt;");
      expect(body).toMatch(new RegExp(`markupsafe._speedups: ${escapeRegExp(path.join(cache, key, "site/markupsafe/_speedups"))}${escapeRegExp(py.extSuffix)}\n`));
      expect(body).toContain("user www-data, mod_wsgi process group wsgidemo");
      expect(readFileSync(path.join(runDir, "error.log"), "utf8")).toContain("Starting process 'wsgidemo' with uid=33, gid=33");
      // What made it work: the entry belongs to root and is readable by everyone.
      const entry = path.join(cache, key);
      expect(statSync(entry).uid).toBe(0);
      for (const file of walk(entry)) {
        const st = statSync(file);
        const need = st.isDirectory() ? 0o005 : 0o004; // others may enter directories and read files
        expect(st.mode & need, file).toBe(need);
      }
    } finally {
      await server.stop();
    }
  });
});

interface Server {
  child: ChildProcess;
  port: number;
  apachePid: number;
  exited: Promise<number | null>;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the bundle on a free loopback port (another one if that port was taken meanwhile). */
async function startServer(prefix: string[], bundle: string, runDir: string, env: NodeJS.ProcessEnv): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, prefix, bundle, runDir, env);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes("Address already in use")) throw err;
    }
  }
}

async function startOn(port: number, prefix: string[], bundle: string, runDir: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const argv = [...prefix, bundle, "--port", String(port), "--run-dir", runDir, "--stop-after", "120"];
  // --stop-after: the server stops by itself even if this test dies.
  const child = spawn(argv[0], argv.slice(1), { env: { ...BASE_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output = watchOutput(child);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000); // Apache dies with it (PDEATHSIG)
    await exited;
    clearTimeout(timer);
  };
  try {
    await output.until((out) => out.includes("wsgi-demo: serving"), 60_000, "wsgi-demo starting Apache");
  } catch (err) {
    await stop();
    throw err;
  }
  const apachePid = Number(/apache2 pid (\d+)/.exec(output.text())?.[1]);
  return { child, port, apachePid, exited, output: output.text, stop };
}

async function page(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return body;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function walk(root: string): string[] {
  const found = [root];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    found.push(...(entry.isDirectory() ? walk(full) : [full]));
  }
  return found;
}

