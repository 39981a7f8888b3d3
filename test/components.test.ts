// The launcher's C unit tests (zip reader and cfg parser at their limits,
// plus a hand-made bundle smoke test) and the bootstrap's Python unit tests,
// run as part of the one test command.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";
import { BASE_ENV, REPO } from "./helpers.js";

test("launcher-c: make check passes", () => {
  const result = spawnSync("make", ["-s", "-C", path.join(REPO, "launcher-c"), "check"], { encoding: "utf8", env: BASE_ENV });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
});

test("bootstrap: Python unit tests pass", () => {
  const result = spawnSync("python3", ["-m", "unittest", "discover", "-s", "tests"], {
    encoding: "utf8",
    cwd: path.join(REPO, "packages/bootstrap"),
    env: BASE_ENV,
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stderr).toMatch(/Ran [1-9]\d* tests?/);
});
