// How [tool.pyzap] and the command line combine (withProjectConfig), in
// process: flags win, paths are the project's, pip arguments are joined in a
// fixed order, and bad tables are usage errors that name the key.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { PyzapError, withProjectConfig, type BundleArgs } from "./cli-src.js";

const base = mkdtempSync(path.join(tmpdir(), "pyzap-unit-config-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let count = 0;
/** A project directory whose pyproject.toml has `tool` as its [tool.pyzap] body. */
function project(tool: string | null): string {
  const dir = path.join(base, `p${++count}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "pyproject.toml"), `[project]\nname = "demo"\n${tool === null ? "" : `[tool.pyzap]\n${tool}\n`}`);
  return dir;
}

const args = (extra: Partial<BundleArgs> = {}): BundleArgs => ({ pipArgs: [], unpack: [], zip: [], ...extra });

function usageError(fn: () => unknown): PyzapError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PyzapError);
    expect((error as PyzapError).code).toBe("USAGE");
    return error as PyzapError;
  }
  throw new Error("expected a usage error");
}

describe("[tool.pyzap] merged with the command line", () => {
  test("run inside a project with no arguments: the table fills the options and pip installs the project", () => {
    const dir = project('console-script = "demo"\noutput = "dist/demo.pyz"\nunpack = ["a", "b"]\ncompress = 9');
    const merged = withProjectConfig(args(), dir);
    expect(merged).toMatchObject({ consoleScript: "demo", output: path.join(dir, "dist/demo.pyz"), unpack: ["a", "b"], compress: 9, pipArgs: [dir] });
  });

  test("a flag given on the command line wins over the table, an empty list does not count as given", () => {
    const dir = project('console-script = "demo"\noutput = "demo.pyz"\nzip = ["fromcfg"]\nunpack = ["fromcfg"]');
    const merged = withProjectConfig(args({ pipArgs: [dir], consoleScript: "other", output: "/tmp/x.pyz", zip: ["flag"] }), base);
    expect(merged.consoleScript).toBe("other");
    expect(merged.output).toBe("/tmp/x.pyz"); // as given, not resolved against the project
    expect(merged.zip).toEqual(["flag"]);
    expect(merged.unpack).toEqual(["fromcfg"]);
  });

  test("pip-args come first, then the project (when no requirement is given), then the command line's", () => {
    const dir = project('pip-args = ["--find-links", "wheels"]');
    expect(withProjectConfig(args(), dir).pipArgs).toEqual(["--find-links", "wheels", dir]);
    expect(withProjectConfig(args({ pipArgs: [dir, "--no-index"] }), base).pipArgs).toEqual(["--find-links", "wheels", dir, "--no-index"]);
  });

  test("--site-packages replaces pip: the project is not added as a requirement", () => {
    const dir = project(`site-packages = "venv/lib"`);
    const merged = withProjectConfig(args(), dir);
    expect(merged.sitePackages).toBe(path.join(dir, "venv/lib"));
    expect(merged.pipArgs).toEqual([]);
  });

  test("outside a project, or without a table, the arguments are unchanged", () => {
    const plain = path.join(base, "plain");
    mkdirSync(plain);
    const given = args({ pipArgs: ["requests"], output: "x.pyz" });
    expect(withProjectConfig(given, plain)).toBe(given);
    const dir = project(null);
    expect(withProjectConfig(args({ pipArgs: [dir] }), base)).toEqual(args({ pipArgs: [dir] }));
  });

  test("the table is found through a requirement that names the project directory, relative to the working directory", () => {
    const dir = project('console-script = "demo"');
    expect(withProjectConfig(args({ pipArgs: [path.relative(base, dir)] }), base).consoleScript).toBe("demo");
  });
});

describe("a bad [tool.pyzap] is a usage error naming the key", () => {
  test("unknown key: the hint lists the valid ones", () => {
    const err = usageError(() => withProjectConfig(args(), project('console_script = "demo"')));
    expect(err.message).toMatch(/unknown key "console_script" in \[tool\.pyzap\]$/);
    expect(err.hint).toMatch(/^valid keys: .*console-script/);
  });

  test.each([
    ['unpack = "one"', /unpack must be an array of strings, not "one"/],
    ["unpack-all = 1", /unpack-all must be true or false, not 1/],
    ['compress = "9"', /compress must be a number, not "9"/],
    ["output = 3", /output must be a string, not 3/],
  ])("wrong type: %s", (line, message) => {
    expect(usageError(() => withProjectConfig(args(), project(line))).message).toMatch(message);
  });

  test("invalid TOML names the file", () => {
    const dir = project("output = ");
    expect(usageError(() => withProjectConfig(args(), dir)).message).toContain(`${path.join(dir, "pyproject.toml")} is not valid TOML`);
  });

  test("[tool.pyzap] that is not a table", () => {
    const dir = path.join(base, "notable");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "pyproject.toml"), '[tool]\npyzap = "yes"\n');
    expect(usageError(() => withProjectConfig(args(), dir)).message).toMatch(/\[tool\.pyzap\] must be a table$/);
  });
});
