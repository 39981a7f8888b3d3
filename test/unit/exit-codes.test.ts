// Exit codes are an interface (README "Exit codes", docs/format.md) written in
// six places: launcher-c/src/msg.h, the bootstrap's _errors.py, __main__.py
// and _commands.py, the CLI's errors.ts, and the README and docs tables. This
// test holds them equal: change a code in one place and it names the others.
import { describe, expect, test } from "vitest";
import { EXIT_BUG, EXIT_CODES, type ErrorCode } from "./cli-src.js";
import { markdownTable, pythonIntConstants, readRepo } from "./repo.js";

const sorted = (codes: Iterable<number>) => [...new Set(codes)].sort((a, b) => a - b);

// The launcher's enum: PZ_EX_NAME = code.
const launcher = new Map([...readRepo("launcher-c/src/msg.h").matchAll(/\bPZ_EX_(\w+) = (\d+),/g)].map((m) => [m[1]!, Number(m[2])]));
const errorsPy = pythonIntConstants("packages/bootstrap/python/_pyzap/_errors.py");
const mainPy = pythonIntConstants("packages/bootstrap/python/__main__.py");
const commandsPy = pythonIntConstants("packages/bootstrap/python/_pyzap/_commands.py");

// docs/format.md: | code | who | meaning |
const formatRows = markdownTable("docs/format.md", "## Exit codes").map(([code, who]) => ({ code: Number(code), who: who ?? "" }));
const readmeRuntime = markdownTable("docs/exit-codes.md", "## A bundle: the launcher and the bootstrap").map(([code]) => Number(code));
const readmeCli = markdownTable("docs/exit-codes.md", "## The `pyzap` command").map(([code]) => Number(code));

// The same failure under the launcher's and the bootstrap's names.
const LAUNCHER_TO_BOOTSTRAP: Record<string, string> = { CORRUPT: "CORRUPT", NOCACHE: "NO_CACHE", IO: "IO_ERROR", NOSPACE: "DISK_FULL", LOCK: "LOCK_TIMEOUT" };
// `PYZAP=cache` answers like `pyzap cache`: its constants are the CLI's codes.
const COMMANDS_TO_CLI: Record<string, ErrorCode> = { USAGE: "USAGE", NOT_FOUND: "INPUT_NOT_FOUND", NO_CACHE: "NO_CACHE", ENTRY_BUSY: "ENTRY_BUSY" };

describe("the launcher's and the bootstrap's exit codes", () => {
  test("every parser found something (a moved file fails here, not silently)", () => {
    for (const found of [launcher, errorsPy, mainPy, commandsPy]) expect(found.size).toBeGreaterThan(1);
    expect(formatRows.length).toBeGreaterThan(5);
  });

  test("docs/format.md lists exactly the launcher's codes (msg.h) as the launcher's", () => {
    expect(sorted(formatRows.filter((r) => r.who.includes("launcher")).map((r) => r.code))).toEqual(sorted(launcher.values()));
  });

  test("docs/format.md lists exactly the bootstrap's codes (_errors.py, __main__.py) as the bootstrap's", () => {
    const bootstrap = sorted([...errorsPy.values(), ...mainPy.values()]);
    expect(sorted(formatRows.filter((r) => r.who.includes("bootstrap")).map((r) => r.code))).toEqual(bootstrap);
  });

  test("a failure has one code whoever reports it: the launcher, _errors.py or __main__.py", () => {
    for (const [name, code] of launcher) {
      const pyName = LAUNCHER_TO_BOOTSTRAP[name];
      if (pyName === undefined) continue; // launcher-only (66, 126, 127)
      expect(errorsPy.get(pyName), `_errors.py ${pyName} vs msg.h PZ_EX_${name}`).toBe(code);
    }
    for (const [name, code] of mainPy) {
      if (errorsPy.has(name)) expect(code, `__main__.py ${name} vs _errors.py`).toBe(errorsPy.get(name));
    }
  });

  test("docs/exit-codes.md's table is docs/format.md's", () => {
    expect(readmeRuntime).toEqual(formatRows.map((r) => r.code));
  });

  test("launcher-c/README.md's summary names the launcher's codes", () => {
    const line = /\*\*exit codes\*\* \(([^)]*)\)/.exec(readRepo("launcher-c/README.md").replace(/\n/g, " "))?.[1] ?? "";
    expect(sorted([...line.matchAll(/\b(\d{2,3})\b/g)].map((m) => Number(m[1])))).toEqual(sorted(launcher.values()));
  });
});

describe("the CLI's exit codes", () => {
  test("one code per error, and docs/exit-codes.md's table lists exactly them", () => {
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    // 130: Ctrl-C (128 + SIGINT), from temp-paths.ts's signal handler.
    expect(readRepo("packages/cli/src/util/temp-paths.ts")).toMatch(/SIGINT: 2\b/);
    expect(readmeCli).toEqual(sorted([...codes, EXIT_BUG, 128 + 2]));
  });

  test("PYZAP=cache exits like pyzap cache (_commands.py uses the CLI's codes)", () => {
    for (const [name, code] of commandsPy) {
      const cli = COMMANDS_TO_CLI[name];
      expect(cli, `_commands.py ${name} = ${code}: say here which CLI error it is`).toBeDefined();
      expect(code, `_commands.py ${name} vs errors.ts ${cli}`).toBe(EXIT_CODES[cli!]);
    }
  });
});
