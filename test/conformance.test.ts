// docs/vectors/protocol.txt, the protocol's decisions in one place: the C and
// Python runners of the file must pass (issue 11, "One protocol"). The
// TypeScript side answers every case in-process in test/unit/protocol.test.ts.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { REPO } from "./helpers.js";

describe("docs/vectors/protocol.txt", () => {
  test("the launcher's runner (launcher-c/test/test_vectors.c) agrees", () => {
    const r = spawnSync("make", ["-s", "-C", path.join(REPO, "launcher-c"), "build/test/unit"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const unit = spawnSync(path.join(REPO, "launcher-c/build/test/unit"), ["protocol.txt"], { encoding: "utf8", cwd: path.join(REPO, "launcher-c") });
    expect(unit.stdout + unit.stderr).toMatch(/unit: 1 passed, 0 failed/);
  });

  test("the Python fallback's runner (packages/bootstrap/tests/test_vectors.py) agrees", () => {
    const r = spawnSync("python3", ["-m", "unittest", "tests.test_vectors"], { encoding: "utf8", cwd: path.join(REPO, "packages/bootstrap") });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Ran 5 tests[\s\S]*OK/);
  });
});
