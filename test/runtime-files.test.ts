// Packages that need their files, kept in the archive: jinja2's PackageLoader
// reads templates from the app's package, importlib.resources.as_file() and
// certifi.where() get a real file that stays the same from one start to the
// next (never a new temporary copy), a mypyc-compiled package (isort) finds
// its pure-Python submodules, and code that opens a path inside the archive
// ends with one line that names the package and the flag that fixes it.
// Real bundles run on a bare venv (a clean target).
import { mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, cleanTarget, ok, pyzap, run, start, tempDir, whenStopped } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const cache = path.join(dir, "cache");
const tmp = path.join(dir, "tmp");
const venv = path.join(dir, "venv");
const env = { PYZAP_CACHE: cache, PYZAP_PYTHON: path.join(venv, "bin/python3"), TMPDIR: tmp };

const APP = `
import importlib.resources, json, os, signal, certifi, jinja2

def main():
    env = jinja2.Environment(loader=jinja2.PackageLoader("tmplapp"))
    with importlib.resources.as_file(importlib.resources.files("tmplapp") / "templates" / "hello.txt") as p:
        as_file = str(p)
        as_file_text = p.read_text()
    print(json.dumps({
        "rendered": env.get_template("hello.txt").render(name="pyzap"),
        "templates": env.list_templates(),
        "as_file": as_file,
        "as_file_text": as_file_text,
        "certifi": certifi.where(),
        "certifi_head": open(certifi.where()).read(40),
    }), flush=True)
    if os.environ.get("TMPLAPP_STOP"):  # still running, for the cache tests: stopped until SIGCONT
        os.kill(os.getpid(), signal.SIGSTOP)
`;

beforeAll(() => {
  cleanTarget(venv, ["jinja2", "certifi"]);
  mkdirSync(tmp);
});

describe("an app that reads its package's files, kept zipped", () => {
  const out = path.join(dir, "tmplapp.pyz");
  interface Report {
    rendered: string;
    templates: string[];
    as_file: string;
    as_file_text: string;
    certifi: string;
    certifi_head: string;
  }

  beforeAll(() => {
    const site = path.join(dir, "site");
    ok(run("python3", ["-m", "pip", "install", "-q", "--target", site, "jinja2", "certifi"]));
    mkdirSync(path.join(site, "tmplapp/templates"), { recursive: true });
    writeFileSync(path.join(site, "tmplapp/__init__.py"), APP);
    writeFileSync(path.join(site, "tmplapp/templates/hello.txt"), "hello {{ name }}\n");
    ok(pyzap(["bundle", "--site-packages", site, "-e", "tmplapp:main", "-o", out, "--zip", "tmplapp", "--zip", "certifi"]));
  });

  test("jinja2's PackageLoader, as_file() and certifi.where() work, with the same real files at every start", () => {
    const first = JSON.parse(ok(run(out, [], env)).stdout) as Report;
    expect(first.rendered).toBe("hello pyzap");
    expect(first.templates).toEqual(["hello.txt"]);
    expect(first.as_file_text).toBe("hello {{ name }}\n");
    expect(first.as_file).toMatch(new RegExp(`^${cache}/.*/tmplapp/templates/hello\\.txt$`));
    expect(first.certifi).toMatch(new RegExp(`^${cache}/.*/certifi/cacert\\.pem$`));
    expect(first.certifi_head).toContain("\n");
    const second = JSON.parse(ok(run(out, [], env)).stdout) as Report;
    expect(second.as_file).toBe(first.as_file);
    expect(second.certifi).toBe(first.certifi);
    expect(readdirSync(tmp)).toEqual([]);
  });

  // The copies live in CACHE/res-H beside the entries: pyzap cache must see
  // them, never pull one from under a running app, and prune them by age.
  test("pyzap cache lists the extracted resources, keeps them while an app uses them, and removes them after", async () => {
    ok(run(out, [], env));
    const resources = () => readdirSync(cache).filter((n) => /^res-[0-9a-f]{16}$/.test(n));
    expect(resources().length).toBeGreaterThan(0);
    const listed = JSON.parse(ok(pyzap(["cache", "list", "--json"], env)).stdout) as { entries: { key: string; kind: string; files: number; state: string }[] };
    expect(listed.entries.filter((e) => e.kind === "resources").map((e) => e.key).sort()).toEqual(resources().sort());
    expect(listed.entries.filter((e) => e.kind === "resources").every((e) => e.files > 0 && e.state === "complete")).toBe(true);

    // A month unused: the next run that uses it refreshes its mtime (once a day, as for entries), so prune keeps it.
    const monthAgo = new Date(Date.now() - 30 * 86_400_000);
    for (const r of resources()) utimesSync(path.join(cache, r), monthAgo, monthAgo);
    ok(run(out, [], env));
    for (const r of resources()) expect(Date.now() - statSync(path.join(cache, r)).mtimeMs).toBeLessThan(3_600_000);
    ok(pyzap(["cache", "prune", "--older-than", "7d"], env));
    expect(resources().length).toBeGreaterThan(0);

    const app = start(out, [], { ...env, TMPLAPP_STOP: "1" });
    await whenStopped(app.pid);
    const busy = pyzap(["cache", "clean", "--all"], env);
    expect(busy.status, busy.stderr).toBe(24);
    expect(busy.stderr).toMatch(/res-[0-9a-f]{16}/);
    expect(resources().length).toBeGreaterThan(0);
    process.kill(app.pid, "SIGCONT");
    expect((await app.done).status).toBe(0);
    ok(pyzap(["cache", "clean", "--all"], env));
    expect(resources()).toEqual([]);

    // Extracted again by the next run; left unused for a month, prune removes it.
    ok(run(out, [], env));
    expect(resources().length).toBeGreaterThan(0);
    for (const r of resources()) utimesSync(path.join(cache, r), monthAgo, monthAgo);
    ok(pyzap(["cache", "prune", "--older-than", "7d"], env));
    expect(resources()).toEqual([]);
    // And nothing to verify against: said, not failed silently.
    expect(pyzap(["cache", "verify"], env).status).toBe(0);
  });
});

describe("a mypyc-compiled package (native __init__, pure-Python submodules)", () => {
  test("isort runs from the bundle: --version, and it sorts a file", () => {
    const out = path.join(dir, "isort.pyz");
    ok(pyzap(["bundle", "isort", "-c", "isort", "-o", out]));
    expect(ok(run(out, ["--version"], env)).stdout).toContain("VERSION");
    const file = path.join(dir, "imports.py");
    writeFileSync(file, "import sys\nimport os\n");
    ok(run(out, [file], env));
    expect(readFileSync(file, "utf8")).toBe("import os\nimport sys\n");
  }, 120_000);
});

describe("code that opens a path inside the archive", () => {
  test("ends with one line naming the package and --unpack PKG", () => {
    const out = path.join(dir, "zipped.pyz");
    bundle(wheelhouse, "fixture-data", "fixture-data-demo", out, ["--zip", "fixture_data"]);
    const result = run(out, ["greet"], env);
    expect(result.status).toBe(1);
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.at(-2)).toContain("NotADirectoryError");
    expect(lines.at(-1)).toBe(
      `pyzap: fixture_data opened ${out}/site-packages/fixture_data/data/greeting.txt, a path inside the bundle, ` +
        "which is not a real file; rebuild the bundle with --unpack fixture_data",
    );
  });
});
