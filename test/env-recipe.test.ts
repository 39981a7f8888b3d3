// `PYZAP=env ./app.pyz`: the environment a Python outside the bundle needs to
// see its packages, for a service started without the bundle (systemd's
// EnvironmentFile=, the `envvars` file that mod_wsgi-express setup-server's
// apachectl sources). Here the README's recipe runs with a real Apache:
// httpd + Debian's mod_wsgi, started from a shell that sourced `envvars`,
// serves a WSGI app that exists only in the bundle, native code included.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { BASE_ENV, ok, pyzap, REPO, run, tempDir } from "./helpers.js";
import { freePort, missingForApache, watchOutput } from "./servers.js";

const PY = "/usr/bin/python3";
const missing = missingForApache("env-recipe");

const dir = tempDir();
const app = path.join(dir, "wsgi-demo.pyz");
const cache = path.join(dir, "cache");

describe.skipIf(missing.length > 0)("PYZAP=env", () => {
  beforeAll(() => {
    ok(pyzap(["bundle", "--python", PY, path.join(REPO, "examples/mod-wsgi"), "-o", app]));
  });

  test("prints PYTHONPATH and PYZAP_* the same through the launcher and through python3 app.pyz, and PYZAP=info shows them", () => {
    const launched = ok(run(app, [], { PYZAP: "env", PYZAP_CACHE: cache })).stdout;
    const lines = launched.split("\n");
    expect(lines[0]).toMatch(/^# wsgi-demo 1\.0\.0: for a Python 3\.\d+ \(cpython-3\d+\) outside the bundle/);
    const key = JSON.parse(ok(run("unzip", ["-p", app, ".pyzap/manifest.json"])).stdout).cacheKey as string;
    expect(lines.slice(1)).toEqual([`PYTHONPATH=${app}/.pyzap/boot:${cache}/${key}/site:${app}/site-packages`, `PYZAP_ARCHIVE=${app}`, `PYZAP_ENTRY_DIR=${cache}/${key}`, ""]);
    // Without the launcher, from another cache: the entry is unpacked first, as a start would.
    const other = path.join(dir, "cache-2");
    const direct = ok(run(PY, [app, "--export"], { PYZAP: "env", PYZAP_CACHE: other })).stdout;
    expect(direct).toContain(`export PYZAP_ENTRY_DIR=${other}/${key}\n`);
    expect(existsSync(path.join(other, key, "site"))).toBe(true);
    expect(JSON.parse(ok(run(app, ["--json"], { PYZAP: "env", PYZAP_CACHE: cache })).stdout)).toEqual({
      PYTHONPATH: `${app}/.pyzap/boot:${cache}/${key}/site:${app}/site-packages`,
      PYZAP_ARCHIVE: app,
      PYZAP_ENTRY_DIR: `${cache}/${key}`,
    });
    expect(ok(run(app, [], { PYZAP: "info", PYZAP_CACHE: cache })).stdout).toContain(`    PYTHONPATH=${app}/.pyzap/boot:${cache}/${key}/site:${app}/site-packages\n`);
    const bad = run(app, ["--shell"], { PYZAP: "env", PYZAP_CACHE: cache });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^pyzap: PYZAP=env takes --export or --json, not --shell\n/);
  });

  test("the README recipe: Apache started by a shell that sourced envvars serves the bundle's app", async () => {
    const runDir = path.join(dir, "apache");
    mkdirSync(runDir);
    // What setup-server writes, reduced: a config, a WSGI script, and envvars.
    writeFileSync(path.join(runDir, "envvars"), ok(run(app, ["--export"], { PYZAP: "env", PYZAP_CACHE: cache })).stdout);
    writeFileSync(path.join(runDir, "app.wsgi"), "from wsgidemo.app import application\n");
    const port = await freePort();
    const modules = "/usr/lib/apache2/modules";
    writeFileSync(path.join(runDir, "httpd.conf"), [
      `ServerRoot "${runDir}"`, `DefaultRuntimeDir "${runDir}"`, `PidFile "${runDir}/httpd.pid"`, "ServerName 127.0.0.1", `Listen 127.0.0.1:${port}`,
      `LoadModule mpm_event_module ${modules}/mod_mpm_event.so`, `LoadModule authz_core_module ${modules}/mod_authz_core.so`, `LoadModule wsgi_module ${modules}/mod_wsgi.so`,
      `ErrorLog "${runDir}/error.log"`, ...(process.getuid?.() === 0 ? ["User nobody", "Group nogroup"] : []),
      "WSGIRestrictEmbedded On", `WSGISocketPrefix "${runDir}/wsgi"`,
      `WSGIDaemonProcess demo processes=1 threads=2 home="${runDir}"`, "WSGIProcessGroup demo", "WSGIApplicationGroup %{GLOBAL}",
      `WSGIScriptAlias / "${runDir}/app.wsgi"`, `<Directory "${runDir}">`, "  Require all granted", "</Directory>", "",
    ].join("\n"));
    // Workers run as nobody when we are root: let them reach the files.
    spawnSync("chmod", ["-R", "a+rX", dir]);
    // Like setup-server's apachectl: `. envvars`, then httpd (in the foreground here).
    const child = spawn("sh", ["-c", `. "${runDir}/envvars" && exec /usr/sbin/apache2 -f "${runDir}/httpd.conf" -DFOREGROUND`], { env: { ...BASE_ENV, PYTHONPATH: undefined }, stdio: ["ignore", "pipe", "pipe"] });
    const output = watchOutput(child);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      let body = "";
      for (let i = 0; i < 100 && !body; i++) {
        body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => "");
        if (!body) await new Promise((r) => setTimeout(r, 100));
      }
      expect(body, output.text()).toContain("Hello from Apache httpd + mod_wsgi, served from a pyzap bundle");
      expect(body).toContain(`markupsafe: ${app}/site-packages/markupsafe/__init__.py`);
      expect(body).toMatch(new RegExp(`markupsafe\\._speedups: ${cache}/[0-9a-f]{16}/site/markupsafe/_speedups\\.`));
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
