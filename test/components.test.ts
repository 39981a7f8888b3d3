// The launcher's C unit tests (zip reader and cfg parser at their limits,
// plus a hand-made bundle smoke test) and the bootstrap's Python unit tests,
// run as part of the one test command. A bootstrap test may skip only when
// this machine lacks what it needs (each skip is printed with its reason):
// a suite that passes because everything skipped is a failure.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { BASE_ENV, REPO } from "./helpers.js";
import { pyenvVersions, pythonTags } from "./pythons.js";

test("launcher-c: make check passes", () => {
  const result = spawnSync("make", ["-s", "-C", path.join(REPO, "launcher-c"), "check"], { encoding: "utf8", env: BASE_ENV });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
});

const succeeds = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).status === 0;

// Why a bootstrap test may skip, and whether this machine has what it lacked.
// A skip whose reason is not here fails: say here when it is legitimate.
const PREREQUISITES: [RegExp, string, () => boolean][] = [
  [/^needs gcc and Python\.h/, "gcc and python3's Python.h", () => succeeds("gcc", ["--version"]) && succeeds("python3", ["-c", "import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"])],
  [/^needs gcc$/, "gcc", () => succeeds("gcc", ["--version"])],
  [/^needs \/usr\/bin\/python3$/, "/usr/bin/python3", () => existsSync("/usr/bin/python3")],
  [
    /^\/usr\/bin\/python3 has no sitecustomize or another version$/,
    "/usr/bin/python3 with a sitecustomize and python3's cache tag",
    () => spawnSync("/usr/bin/python3", ["-c", "import sys, sitecustomize; print(sys.implementation.cache_tag)"], { encoding: "utf8" }).stdout.trim() === pythonTags().cacheTag,
  ],
  [/^no Python (3 )?of another version installed$/, "a pyenv Python of another X.Y", () => pyenvVersions().some((v) => !v.startsWith(`${pythonTags().version}.`))],
  [/^no Python 2\.7 or 3\.6 /, "pyenv's 2.7 or 3.6", () => pyenvVersions().some((v) => /^(2\.7|3\.6)\./.test(v))],
];

test("bootstrap: Python unit tests pass, and none skipped that this machine can run", () => {
  const result = spawnSync("python3", ["-m", "unittest", "discover", "-v", "-s", "tests"], {
    encoding: "utf8",
    cwd: path.join(REPO, "packages/bootstrap"),
    env: BASE_ENV,
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  const ran = Number(/^Ran (\d+) tests? in /m.exec(result.stderr)?.[1]);
  // unittest -v: "test_x (module.Class.test_x) ... skipped 'reason'", one line per skip;
  // "setUpClass (module.Class) ... skipped 'reason'" when a whole class (or module) skips.
  const skipped = [...result.stderr.matchAll(/^(\w+) \(([\w.]+)\)(?: \.\.\.|\n.*\.\.\.) skipped '(.*)'$/gm)].map((m) => ({ test: `${m[2]}`, reason: m[3] ?? "" }));
  for (const s of skipped) console.log(`bootstrap test skipped: ${s.test}: ${s.reason}`);
  expect(ran, result.stderr).toBeGreaterThan(skipped.length);
  // A class or module skipped whole leaves its tests out of "Ran N": every test written must have run.
  const tests = path.join(REPO, "packages/bootstrap/tests");
  const written = readdirSync(tests).filter((f) => /^test_.*\.py$/.test(f)).reduce((n, f) => n + [...readFileSync(path.join(tests, f), "utf8").matchAll(/^ {4}def test\w*\(self/gm)].length, 0);
  expect(ran, "tests written in packages/bootstrap/tests vs tests unittest ran").toBe(written);
  for (const { test: name, reason } of skipped) {
    const known = PREREQUISITES.find(([re]) => re.test(reason));
    expect(known, `${name} skipped for a reason components.test.ts does not know: ${reason}`).toBeDefined();
    const [, what, present] = known!;
    expect(present(), `${name} skipped ("${reason}"), but this machine has ${what}`).toBe(false);
  }
});
