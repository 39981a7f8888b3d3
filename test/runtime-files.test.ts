// Packages that need their files, kept in the archive: jinja2's PackageLoader
// reads templates from the app's package, importlib.resources.as_file() and
// certifi.where() get a real file that stays the same from one start to the
// next (never a new temporary copy), a mypyc-compiled package (isort) finds
// its pure-Python submodules, and code that opens a path inside the archive
// ends with one line that names the package and the flag that fixes it.
// Real bundles run on a bare venv (a clean target).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, ok, pyzap, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const cache = path.join(dir, "cache");
const tmp = path.join(dir, "tmp");
const venv = path.join(dir, "venv");
const env = { PYZAP_CACHE: cache, PYZAP_PYTHON: path.join(venv, "bin/python3"), TMPDIR: tmp };

const APP = `
import importlib.resources, json, certifi, jinja2

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
    }))
`;

beforeAll(() => {
  ok(run("python3", ["-m", "venv", "--without-pip", venv]));
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
