// The launcher's size, as the docs state it, held against the launcher
// `npm run build` put in the package: the docs once said "~80 KB", "~120 KB"
// and "a few kilobytes" for one ~137 KiB binary. Every statement is in KiB,
// as `pyzap bundle` prints it ("launcher 137 KiB + zip"), and within 10 %.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { readRepo, REPO } from "./repo.js";

const TOLERANCE = 0.1;
const LAUNCHER = path.join(REPO, "packages/cli/launchers/linux-x64/pyzap-launcher");
const built = existsSync(LAUNCHER) ? statSync(LAUNCHER).size / 1024 : null;
if (built === null) console.log(`launcher-size: skipped, ${path.relative(REPO, LAUNCHER)} is not built (npm run build; needs an x86-64 host)`);
// The Makefile links with musl-gcc when it is on PATH, else with glibc (launcher-c/README.md).
const musl = spawnSync("sh", ["-c", "command -v musl-gcc"]).status === 0;

const readmes = (dir: string) =>
  readdirSync(path.join(REPO, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(REPO, dir, d.name, "README.md")))
    .map((d) => `${dir}/${d.name}/README.md`);
const DOCS = [
  "README.md",
  "launcher-c/README.md",
  "launcher-c/Makefile",
  ...readdirSync(path.join(REPO, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ...readmes("packages"),
  ...readmes("examples"),
];

/** Every number matched by `pattern` (its first group) in `rel`, at least one. */
function stated(rel: string, pattern: RegExp): number[] {
  const found = [...readRepo(rel).matchAll(new RegExp(pattern, "g"))].map((m) => Number(m[1]));
  expect(found.length, `${rel} no longer states ${pattern}: update this test with the docs`).toBeGreaterThan(0);
  return found;
}

test("the launcher's size is stated one way: KiB, never KB or kilobytes", () => {
  for (const rel of DOCS) {
    const whole = rel.startsWith("launcher-c/");
    const lines = readRepo(rel).split("\n").filter((l) => whole || /launcher/i.test(l));
    expect(lines.filter((l) => /\d\s*KB\b|kilobyte/i.test(l)), rel).toEqual([]);
  }
});

test.skipIf(built === null)(`the stated sizes are the built launcher's, within ${TOLERANCE * 100} %`, () => {
  const statements: [string, number][] = [];
  if (musl) {
    // What `pyzap bundle` printed in the docs' real sessions (linux-x64 bundles, musl launcher).
    for (const rel of DOCS.filter((r) => r.endsWith("README.md"))) {
      for (const m of readRepo(rel).matchAll(/\(launcher ([\d.]+) KiB \+ zip\)/g)) statements.push([`${rel} (session)`, Number(m[1])]);
    }
    expect(statements.length, "the README's real session shows the launcher's size").toBeGreaterThan(0);
    for (const kib of stated("README.md", /launcher \(static ELF, ~(\d+) KiB\)/)) statements.push(["README.md", kib]);
    for (const kib of stated("launcher-c/README.md", /\(~(\d+) KiB with musl\)/)) statements.push(["launcher-c/README.md", kib]);
  } else {
    console.log("launcher-size: musl-gcc is not on PATH, so the launcher is the glibc build: checking the glibc figure only");
    for (const kib of stated("launcher-c/README.md", /\(glibc, ~(\d+) KiB\)/)) statements.push(["launcher-c/README.md (glibc)", kib]);
  }
  for (const [where, kib] of statements) {
    expect([where, Math.abs(kib - built!) / built! <= TOLERANCE], `${where} says ${kib} KiB; the launcher is ${built!.toFixed(1)} KiB`).toEqual([where, true]);
  }
});
