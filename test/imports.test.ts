// End to end: modules imported from a bundle's archive behave like modules
// installed in a directory (__file__, __spec__, resources, metadata, source,
// tracebacks), in the bundle's own process, in Python subprocesses and
// without the launcher; and the launcher passes argv, stdin, stdout, the exit
// status and signals through unchanged.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { BASE_ENV, bundle, bytecodeOf, ok, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const out = path.join(dir, "pure.pyz");
const cwd = path.join(dir, "cwd");
const env = { PYZAP_CACHE: path.join(dir, "cache") };

// Runs inside the bundle (fixture-pure-exec CODE) and prints what a user would check.
const CHECKS = `
import importlib.metadata, importlib.resources, inspect, json, linecache, os, pkgutil, sys
import fixture_pure, fixture_pure.sub, fixture_pns.part, fixture_ext, fixture_ext._speedups
try:
    import pyzap_cwd_probe
    cwd_import = True
except ImportError:
    cwd_import = False
print(json.dumps({
    "file": fixture_pure.__file__,
    "origin": fixture_pure.__spec__.origin,
    "sub_file": fixture_pure.sub.__file__,
    "co_filename": fixture_pure.sub.answer.__code__.co_filename,
    "resource": importlib.resources.files("fixture_pure").joinpath("data/greeting.txt").read_text(),
    "version": importlib.metadata.version("fixture-pure"),
    "dist_name": importlib.metadata.distribution("fixture_pure").metadata["Name"],
    "console_scripts": sorted(e.name for e in importlib.metadata.entry_points(group="console_scripts") if e.value.startswith("fixture_pure")),
    "record_sub": [f.read_text() for f in importlib.metadata.files("fixture-pure") if f.name == "__init__.py" and f.parent.name == "sub"],
    "located": (lambda d: [str(d), d.is_dir(), sorted(p.name for p in d.iterdir()), (d / "data" / "greeting.txt").read_text(),
                           (d / "sub" / "__init__.py").is_file(), (d / "nope.txt").exists()])(
        importlib.metadata.distribution("fixture-pure").locate_file("fixture_pure")),
    # As traceback and warnings ask: with the module globals, whose __loader__ serves the source.
    "linecache": linecache.getline(fixture_pure.sub.__file__, 3, fixture_pure.sub.__dict__),
    "source": inspect.getsource(fixture_pure.sub.answer),
    "ns_path": list(fixture_pns.__path__),
    "ns_part": fixture_pns.part.NAME,
    "submodules": sorted(m.name for m in pkgutil.iter_modules(fixture_pure.__path__)),
    "native": [fixture_ext._speedups.add(40, 2), fixture_ext._speedups.__file__, fixture_ext.__file__],
    "argv": sys.argv,
    "cwd_import": cwd_import,
}))
`;

interface Checks {
  file: string;
  origin: string;
  sub_file: string;
  co_filename: string;
  resource: string;
  version: string;
  dist_name: string;
  console_scripts: string[];
  record_sub: string[];
  located: [string, boolean, string[], string, boolean, boolean];
  linecache: string;
  source: string;
  ns_path: string[];
  ns_part: string;
  submodules: string[];
  native: [number, string, string];
  argv: string[];
  cwd_import: boolean;
}

const parse = (stdout: string) => JSON.parse(stdout) as Checks;
const site = `${out}/site-packages`;

/** What every way of importing from the archive must show. */
function expectArchiveImports(r: Checks) {
  expect(r.file).toBe(`${site}/fixture_pure/__init__.py`); // the source's path, not the .pyc's
  expect(r.origin).toBe(r.file);
  expect(r.sub_file).toBe(`${site}/fixture_pure/sub/__init__.py`);
  expect(r.co_filename).toBe(r.sub_file); // absolute, not the build-time relative name
  expect(r.resource).toBe("hello from a resource\n");
  expect(r.version).toBe("2.5.1");
  expect(r.dist_name).toBe("fixture-pure");
  expect(r.console_scripts).toEqual(["fixture-pure-exec"]);
  // A file listed in RECORD reads back through dist.files (the archive's copy).
  // dist.locate_file(): a directory listed as installed (sources, not bytecode), its files readable.
  expect(r.located).toEqual([`${site}/fixture_pure`, true, ["__init__.py", "cli.py", "data", "sub", "tests"], "hello from a resource\n", true, false]);
  expect(r.record_sub).toHaveLength(1);
  expect(r.record_sub[0]).toContain("def answer():");
  expect(r.linecache).toBe("    return 42\n");
  expect(r.source).toContain('"""The source of this function is read back with inspect.getsource()."""');
  expect(r.ns_path).toEqual([`${site}/fixture_pns`]);
  expect(r.ns_part).toBe("part of a namespace package");
  expect(r.submodules).toEqual(["cli", "sub", "tests"]);
  expect(r.native[0]).toBe(42);
  expect(r.native[1]).toMatch(new RegExp(`^${env.PYZAP_CACHE}/[0-9a-f]{16}/site/fixture_ext/_speedups\\.`));
  expect(r.native[2]).toBe(`${site}/fixture_ext/__init__.py`);
}

beforeAll(() => {
  bundle(wheelhouse, "fixture-pure", "fixture-pure-exec", out, ["fixture-ext"]);
  mkdirSync(cwd);
  // Would be imported if the current directory were on sys.path.
  writeFileSync(path.join(cwd, "pyzap_cwd_probe.py"), "");
});

describe("modules imported from the archive", () => {
  test("started by the launcher: paths, resources, metadata, source; the cwd is not on sys.path", () => {
    const r = parse(ok(run(out, [CHECKS, "-c", "--version"], env, cwd)).stdout);
    expectArchiveImports(r);
    expect(r.argv).toEqual([out, "-c", "--version"]);
    expect(r.cwd_import).toBe(false);
  });

  test("in a Python subprocess (sys.executable -c)", () => {
    const child = "import os, subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', os.environ['CHECKS']]).returncode)";
    const r = parse(ok(run(out, [child], { ...env, CHECKS }, cwd)).stdout);
    expectArchiveImports(r);
  });

  test("without the launcher (python3 app.pyz)", () => {
    const r = parse(ok(run("python3", [out, CHECKS, "x"], env, cwd)).stdout);
    expectArchiveImports(r);
    expect(r.argv).toEqual([out, "x"]);
    expect(r.cwd_import).toBe(false);
  });

  test("a module whose bytecode is in a pack (a test suite): source, linecache, traceback", () => {
    const code = [
      "import inspect, linecache, fixture_pure.tests as t",
      "print(repr(inspect.getsource(t.check)))",
      "print(repr(linecache.getline(t.__file__, 3, t.__dict__)))",
      "t.check()",
    ].join("; ");
    const r = run(out, [code], env, cwd);
    expect(r.status).toBe(1);
    const [source, line] = r.stdout.trim().split("\n");
    expect(source).toContain("def check():");
    expect(line).toBe(`'    raise AssertionError("raised from a deflated .pyc")\\n'`);
    expect(r.stderr).toContain(`File "${site}/fixture_pure/tests/__init__.py", line 3, in check\n`);
    expect(r.stderr).toContain('    raise AssertionError("raised from a deflated .pyc")');
    // Its bytecode is in a pack, not an entry of its own (docs/format.md, "Bytecode packs").
    expect(bytecodeOf(out).filter((b) => b.name === "site-packages/fixture_pure/tests/__init__.pyc").map((b) => b.where)).toEqual(["pack"]);
  });

  test("a traceback shows the archive path and the source line", () => {
    for (const argv of [[out], ["python3", out]]) {
      const [file, ...args] = argv as [string, ...string[]];
      const r = run(file, [...args, "import fixture_pure; fixture_pure.boom()"], env, cwd);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`File "${site}/fixture_pure/__init__.py", line 5, in boom\n`);
      expect(r.stderr).toContain('    raise ValueError("boom from the archive")');
      expect(r.stderr.trim().split("\n").at(-1)).toBe("ValueError: boom from the archive");
    }
  });
});

describe("the launcher passes the process through", () => {
  test("stdin, stdout and the exit status", () => {
    const code = "import sys; sys.stdout.write(sys.stdin.read().upper()); sys.stdout.flush(); sys.exit(7)";
    const r = spawnSync(out, [code], { input: "piped in\n", encoding: "utf8", env: { ...BASE_ENV, ...env } });
    expect(r.stdout).toBe("PIPED IN\n");
    expect(r.status).toBe(7);
  });

  test("a signal that kills the application kills the bundle's process", () => {
    const r = run(out, ["import os, signal; os.kill(os.getpid(), signal.SIGTERM)"], env);
    expect(r.signal).toBe("SIGTERM");
  });
});
