// The documented exit codes are the code's: docs/exit-codes.md's tables are
// read and compared with the CLI's errors.ts, the launcher's msg.h and the
// bootstrap's constants; and the README's Quick start stays as CI runs it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { EXIT_BUG, EXIT_CODES } from "../packages/cli/src/errors.js";
import { REPO } from "./helpers.js";

const read = (rel: string) => readFileSync(path.join(REPO, rel), "utf8");

/** The codes of the `| code | meaning |` table under `heading`. */
function tableCodes(markdown: string, heading: string): number[] {
  const start = markdown.indexOf(heading);
  expect(start, `no "${heading}" in docs/exit-codes.md`).toBeGreaterThan(-1);
  const rest = markdown.slice(start + heading.length);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
}

const sorted = (codes: Iterable<number>) => [...new Set(codes)].sort((a, b) => a - b);

test("the pyzap command's table lists exactly the CLI's exit codes", () => {
  const documented = tableCodes(read("docs/exit-codes.md"), "## The `pyzap` command");
  // 130: Ctrl-C (128 + SIGINT), from temp-paths.ts's signal handler.
  expect(read("packages/cli/src/temp-paths.ts")).toMatch(/SIGINT: 2\b/);
  expect(documented).toEqual(sorted([...Object.values(EXIT_CODES), EXIT_BUG, 128 + 2]));
});

test("the bundle's table lists exactly the launcher's and the bootstrap's exit codes", () => {
  const documented = tableCodes(read("docs/exit-codes.md"), "## A bundle: the launcher and the bootstrap");
  const launcher = [...read("launcher-c/src/msg.h").matchAll(/PZ_EX_\w+ = (\d+)/g)].map((m) => Number(m[1]));
  const bootstrap = [read("packages/bootstrap/python/_pyzap/_errors.py"), read("packages/bootstrap/python/__main__.py")]
    .flatMap((text) => [...text.matchAll(/^[A-Z_]+ = (\d+)/gm)].map((m) => Number(m[1])));
  expect(launcher.length).toBeGreaterThan(0);
  expect(documented).toEqual(sorted([...launcher, ...bootstrap]));
});

test("the README's Quick start: exactly two commands, no sudo, the scripts it names exist", () => {
  const readme = read("README.md");
  const block = /## Quick start\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = block.split("\n").filter(Boolean);
  expect(commands).toHaveLength(2);
  for (const command of commands) expect(command).not.toMatch(/\bsudo\b/);
  expect(commands[0]).toMatch(/^scripts\/install-deps\.sh && npm ci && npx pyzap bundle /);
  expect(read(".ci/run")).toContain("/^## Quick start/");
  expect(readme).toContain("(docs/exit-codes.md)");
});
