// Running something other than the entry point from a built bundle, without
// rebuilding (shiv's SHIV_INTERPRETER / SHIV_CONSOLE_SCRIPT / SHIV_ENTRY_POINT,
// pex's PEX_INTERPRETER / PEX_SCRIPT / PEX_MODULE): through the launcher and as
// `python3 app.pyz`, which take different paths to __main__.py.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { BASE_ENV, bundle, tempDir } from "./helpers.js";

const dir = tempDir();
const app = path.join(dir, "app.pyz");
const cache = path.join(dir, "cache");

/** Runs the bundle one of the two ways, with `env` and optional stdin. */
function start(how: "launcher" | "python", args: string[], env: Record<string, string>, input?: string) {
  const [file, argv] = how === "launcher" ? [app, args] : ["python3", [app, ...args]];
  const r = spawnSync(file, argv, { encoding: "utf8", input, env: { ...BASE_ENV, PYZAP_CACHE: cache, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.each(["launcher", "python"] as const)("alternate entry points (%s)", (how) => {
  beforeAll(() => {
    // Two distributions, two console scripts; the bundle runs fixture-ext-demo.
    bundle(inject("wheelhouse"), "fixture-ext", "fixture-ext-demo", app, ["fixture-pure"]);
  });

  test("PYZAP_INTERPRETER=1 -c CODE ARGS: the bundle's packages, python's argv, and the variable not passed on", () => {
    const code = "import fixture_ext, sys, os; print(fixture_ext.__file__); print(sys.argv); print(os.environ.get('PYZAP_INTERPRETER'))";
    const r = start(how, ["-c", code, "a", "b"], { PYZAP_INTERPRETER: "1" });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout.split("\n")).toEqual([`${app}/site-packages/fixture_ext/__init__.py`, "['-c', 'a', 'b']", "None", ""]);
  });

  test("PYZAP_INTERPRETER=1 with no arguments is a REPL that sees the bundle", () => {
    const r = start(how, [], { PYZAP_INTERPRETER: "1" }, "import fixture_pure\nprint('repl', fixture_pure.__name__)\n");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("repl fixture_pure");
    expect(r.stderr).toContain(`(pyzap: the packages of ${app})`);
  });

  test("PYZAP_INTERPRETER=1 -m MODULE runs a module as __main__", () => {
    const r = start(how, ["-m", "json.tool"], { PYZAP_INTERPRETER: "1" }, '{"b": [1]}');
    expect([r.status, r.stdout]).toEqual([0, '{\n    "b": [\n        1\n    ]\n}\n']);
  });

  test("PYZAP_SCRIPT=NAME runs another console script of the bundle; an unknown one lists those there are", () => {
    const other = start(how, ["print('from the other script')"], { PYZAP_SCRIPT: "fixture-pure-exec" });
    expect([other.status, other.stdout]).toEqual([0, "from the other script\n"]);
    const unknown = start(how, [], { PYZAP_SCRIPT: "nope" });
    expect([unknown.status, unknown.stdout, unknown.stderr]).toEqual([
      2,
      "",
      "pyzap: PYZAP_SCRIPT=nope: the bundle has no console script of that name; it has: fixture-ext-demo, fixture-pure-exec\n",
    ]);
  });

  test("PYZAP_MODULE=MOD:FUNC calls a function like a console script; bad values and two variables are usage errors", () => {
    const r = start(how, ["print(6 * 7)"], { PYZAP_MODULE: "fixture_pure.cli:main" });
    expect([r.status, r.stdout]).toEqual([0, "42\n"]);
    const bad = start(how, [], { PYZAP_MODULE: "not a module" });
    expect([bad.status, bad.stderr]).toEqual([2, "pyzap: PYZAP_MODULE=not a module is not MODULE or MODULE:FUNCTION, e.g. PYZAP_MODULE=json.tool\n"]);
    const both = start(how, [], { PYZAP_MODULE: "json.tool", PYZAP_SCRIPT: "fixture-pure-exec" });
    expect([both.status, both.stderr]).toEqual([2, "pyzap: set only one of PYZAP_INTERPRETER, PYZAP_SCRIPT, PYZAP_MODULE, not PYZAP_SCRIPT and PYZAP_MODULE\n"]);
  });

  test("without the variables (or set to 0) the entry point runs", () => {
    const r = start(how, [], { PYZAP_INTERPRETER: "0" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty("sum");
  });
});
