// `[tool.pyzap]` in pyproject.toml: a project bundles with `pyzap bundle .`
// (or plain `pyzap bundle` inside it) and no flags; flags still win; a bad
// key is one clear error naming the valid ones.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { ok, pyzap, run, tempDir } from "./helpers.js";

const dir = tempDir();
const project = path.join(dir, "cfgdemo");

function writeProject(toolTable: string) {
  mkdirSync(path.join(project, "cfgdemo"), { recursive: true });
  writeFileSync(path.join(project, "cfgdemo/__init__.py"), "import sys\nimport fixture_ext\ndef main():\n    print('cfgdemo', fixture_ext.add(20, 22), *sys.argv[1:])\n");
  writeFileSync(
    path.join(project, "pyproject.toml"),
    [
      "[build-system]",
      'requires = ["setuptools>=61"]',
      'build-backend = "setuptools.build_meta"',
      "[project]",
      'name = "cfgdemo"',
      'version = "0.3.0"',
      'dependencies = ["fixture-ext"]',
      "[project.scripts]",
      'cfgdemo = "cfgdemo:main"',
      "[tool.setuptools]",
      'packages = ["cfgdemo"]',
      toolTable,
    ].join("\n"),
  );
}

describe("[tool.pyzap]", () => {
  beforeAll(() => {
    const wheelhouse = inject("wheelhouse");
    writeProject(["[tool.pyzap]", 'console-script = "cfgdemo"', 'output = "dist/cfgdemo.pyz"', `pip-args = ["--find-links", ${JSON.stringify(wheelhouse)}]`].join("\n"));
  });

  test("`pyzap bundle .` needs no flags", () => {
    ok(pyzap(["bundle", "."], {}, project));
    const app = path.join(project, "dist/cfgdemo.pyz");
    expect(ok(run(app, ["x"], { PYZAP_CACHE: path.join(dir, "cache") })).stdout).toBe("cfgdemo 42 x\n");
  });

  test("`pyzap bundle` inside the project does the same, and flags win over the file", () => {
    const other = path.join(dir, "other.pyz");
    ok(pyzap(["bundle", "-o", other], {}, project));
    expect(existsSync(other)).toBe(true);
    expect(ok(run(other, [], { PYZAP_CACHE: path.join(dir, "cache") })).stdout).toBe("cfgdemo 42\n");
  });

  test("an unknown key names itself and the valid keys", () => {
    const bad = path.join(dir, "bad");
    mkdirSync(bad);
    writeFileSync(path.join(bad, "pyproject.toml"), '[project]\nname = "bad"\n[tool.pyzap]\nconsole_script = "x"\n');
    const result = pyzap(["bundle", "."], {}, bad);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown key "console_script" in [tool.pyzap]');
    expect(result.stderr).toMatch(/valid keys: console-script, entry-point, output/);
  });

  test("a value of the wrong type is named", () => {
    const bad = path.join(dir, "bad-type");
    mkdirSync(bad);
    writeFileSync(path.join(bad, "pyproject.toml"), '[tool.pyzap]\nunpack = "numpy"\n');
    const result = pyzap(["bundle", "."], {}, bad);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('[tool.pyzap] unpack must be an array of strings, not "numpy"');
  });

  test.each([
    ["compress = 11", "compress must be a whole number from 0 to 9, not 11"],
    ["compress = -1", "compress must be a whole number from 0 to 9, not -1"],
    ["compress = 2.5", "compress must be a whole number from 0 to 9, not 2.5"],
    ['platform = "windows-x86"', "platform must be linux-x64 or linux-arm64, not windows-x86"],
  ])("%s is refused before any work, leaving nothing behind", (line, message) => {
    const bad = path.join(dir, `bad-${line.replace(/\W+/g, "_")}`);
    const tmp = path.join(bad, "tmp");
    mkdirSync(tmp, { recursive: true });
    // A requirement pip could never resolve: reaching pip would be exit 5.
    writeFileSync(path.join(bad, "pyproject.toml"), `[project]\nname = "bad"\n[tool.pyzap]\n${line}\noutput = "dist/x.pyz"\npip-args = ["--no-index", "no-such-dist-xyz"]\n`);
    const result = pyzap(["bundle", "."], { TMPDIR: tmp }, bad);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`pyzap: ${path.join(bad, "pyproject.toml")}: [tool.pyzap] ${message}; ${line.startsWith("platform") ? "a launcher built by hand for another platform is used through PYZAP_LAUNCHER=FILE" : "e.g. compress = 9"}\n`);
    expect(readdirSync(tmp)).toEqual([]);
    expect(existsSync(path.join(bad, "dist"))).toBe(false);
  });
});
