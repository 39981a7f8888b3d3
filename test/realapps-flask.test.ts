// examples/flask-app: Flask + gunicorn (from pip's index), templates and
// static files found through the app module's __file__, so the package is
// unpacked whole. The bundle serves pages with 2 gunicorn workers on loopback.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { freePort, type Output, watchOutput } from "./servers.js";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { BASE_ENV, cleanTarget, ok, pyzap, REPO, run, tempDir } from "./helpers.js";

const dir = tempDir();
const out = path.join(dir, "flask-app.pyz");
const cache = path.join(dir, "cache");
let server: ChildProcess | undefined;
let port = 0;
let output: Output;
let exited: Promise<number | null>;

beforeAll(async () => {
  ok(pyzap(["bundle", path.join(REPO, "examples/flask-app"), "-c", "flask-app", "-o", out]));
  port = await freePort();
  const home = path.join(dir, "home"); // gunicorn keeps a control socket under $HOME
  mkdirSync(home);
  // pyenv's python3 has flask, jinja2 and markupsafe of its own: run on a target without them.
  const target = cleanTarget(path.join(dir, "target"), ["flask", "jinja2", "markupsafe", "gunicorn"]);
  // --stop-after: the server stops by itself even if this test dies.
  server = spawn(out, ["--bind", `127.0.0.1:${port}`, "--workers", "2", "--stop-after", "120"], {
    env: { ...BASE_ENV, PYZAP_CACHE: cache, HOME: home, PYZAP_PYTHON: target },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child = server;
  exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  output = watchOutput(child);
  await output.until((out) => out.includes("Listening at:") && (out.match(/Booting worker/g) ?? []).length >= 2, 60_000, "gunicorn booting 2 workers");
});

afterAll(async () => {
  server?.kill("SIGTERM");
  await exited;
});

test("the page is rendered from the template by one of the 2 workers", async () => {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(20_000) });
  expect(res.status).toBe(200);
  const body = await res.text();
  expect(body).toContain("<h1>Hello from a bundled Flask app</h1>");
  const manifest = JSON.parse(ok(run("unzip", ["-p", out, ".pyzap/manifest.json"])).stdout) as { cacheKey: string; packages: { name: string; unpacked: boolean }[] };
  expect(body).toContain(`templates under ${path.join(cache, manifest.cacheKey, "site/flaskapp")}`);
  // Only the app's package is unpacked: werkzeug's docstring example of
  // os.path.dirname(__file__) is not code and must not unpack werkzeug.
  expect(manifest.packages.filter((p) => p.unpacked).map((p) => p.name)).toEqual(["flaskapp"]);
});

test("static files come back byte for byte", async () => {
  const res = await fetch(`http://127.0.0.1:${port}/static/style.css`, { signal: AbortSignal.timeout(20_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/css");
  expect(await res.text()).toBe(readFileSync(path.join(REPO, "examples/flask-app/src/flaskapp/static/style.css"), "utf8"));
});

test("SIGTERM stops gunicorn and its workers", async () => {
  server?.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(output.text()).toContain("Shutting down: Master");
});

