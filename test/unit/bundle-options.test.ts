// The one table of `pyzap bundle`'s options (commands/bundle-options.ts)
// against what a user sees: the options and texts of `pyzap bundle --help`
// (which completion and "did you mean" also read) and the keys [tool.pyzap]
// accepts, with the type each one takes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import yargs, { type Argv } from "yargs";
import { afterAll, describe, expect, test } from "vitest";
import { BUNDLE_OPTIONS, bundleCommand, camel, commandLineOptions, configKeys, longOptions, PyzapError, shortOptions, withProjectConfig } from "./cli-src.js";

function bundleSpec(): Argv {
  const y = yargs([]).scriptName("pyzap");
  (bundleCommand.builder as (y: Argv) => Argv)(y);
  return y;
}

describe("pyzap bundle --help is the table's command-line rows", () => {
  test("every row but the config-only ones is an option, with its alias, and nothing else is", () => {
    const y = bundleSpec();
    const names = commandLineOptions().map(([name]) => name);
    expect(longOptions(y).filter((o) => o !== "help").sort()).toEqual([...names].sort());
    expect(names).not.toContain("pip-args");
    const aliases = commandLineOptions().flatMap(([, spec]) => (spec.alias ? [`-${spec.alias}`] : []));
    expect(shortOptions(y).sort()).toEqual(aliases.sort());
  });

  test("the help lists the options in table order, each with its text, repeatable ones saying so", async () => {
    const full = (await bundleSpec().getHelp()).replace(/\s+/g, " ");
    const help = full.slice(full.indexOf("Options:"), full.indexOf("Examples:"));
    let last = -1;
    for (const [name, spec] of commandLineOptions()) {
      const at = help.indexOf(`--${name} `);
      expect(at, `--${name} in the help`).toBeGreaterThan(last);
      last = at;
      const text = spec.kind === "strings" ? `${spec.describe}; repeatable` : spec.describe;
      expect(help, `--${name}'s text`).toContain(text);
      expect(help.slice(at, help.indexOf("[", at + text.length))).toContain(text);
    }
  });
});

describe("[tool.pyzap] keys are the table's config rows", () => {
  const base = mkdtempSync(path.join(tmpdir(), "pyzap-unit-options-"));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const project = (body: string): string => {
    const dir = mkdtempSync(path.join(base, "p"));
    writeFileSync(path.join(dir, "pyproject.toml"), `[project]\nname = "demo"\n[tool.pyzap]\n${body}\n`);
    return dir;
  };
  const none = { pipArgs: [] };

  test("the valid keys named on an unknown key are exactly the config rows, in order; quiet, verbose and json are not keys", () => {
    let hint = "";
    try {
      withProjectConfig(none, project("nope = 1"));
    } catch (error) {
      expect(error).toBeInstanceOf(PyzapError);
      hint = (error as PyzapError).hint ?? "";
    }
    const keys = configKeys().map(([name]) => name);
    expect(hint).toBe(`valid keys: ${keys.join(", ")}`);
    for (const flagOnly of ["quiet", "verbose", "json"]) expect(keys).not.toContain(flagOnly);
  });

  test("each key takes a value of its row's type into its field, paths resolved against the project, and refuses another type", () => {
    const sample = { string: '"linux-x64"', strings: '["a", "b"]', boolean: "true", number: "7" } as const;
    for (const [name, spec] of configKeys()) {
      const dir = project(`${name} = ${sample[spec.kind]}`);
      if (spec.kind === "string" && spec.config === "path") mkdirSync(path.join(dir, "linux-x64"));
      const merged = withProjectConfig(none, dir) as unknown as Record<string, unknown>;
      const expected = { string: spec.config === "path" ? path.join(dir, "linux-x64") : "linux-x64", strings: ["a", "b"], boolean: true, number: 7 }[spec.kind];
      if (name === "pip-args") expect(merged.pipArgs).toEqual(["a", "b", dir]);
      else expect(merged[camel(name)], name).toEqual(expected);
      const wrong = spec.kind === "boolean" ? '"yes"' : "true";
      expect(() => withProjectConfig(none, project(`${name} = ${wrong}`)), name).toThrow(/\[tool\.pyzap\] .* must be /);
    }
  });

  test("a value check lives in the table once and applies to both the flag's and the key's value", () => {
    const checked = Object.entries(BUNDLE_OPTIONS).filter(([, spec]) => "problem" in spec).map(([name]) => name);
    expect(checked.sort()).toEqual(["compress", "platform"]);
    expect(() => withProjectConfig(none, project("compress = 11"))).toThrow(/compress must be a whole number from 0 to 9, not 11/);
    const cli = yargs([]).command(bundleCommand).exitProcess(false).fail(false);
    expect(() => cli.parse(["bundle", "app", "--compress", "11"])).toThrow(/The "--compress" option must be a whole number from 0 to 9, not 11/);
  });
});
