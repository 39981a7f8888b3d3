// docs/vectors/protocol.txt, the protocol's decisions in one place: the
// TypeScript side (pyzap cache) answers every case itself, and the C and
// Python runners of the same file must pass (issue 11, "One protocol").
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { lockAgeIsStale } from "../packages/cli/src/cache/lockowner.js";
import { parseCfg } from "../packages/cli/src/format/cfg.js";
import { candidates, dirProblem } from "../packages/cli/src/cache/root.js";
import { REPO } from "./helpers.js";

const lines = readFileSync(path.join(REPO, "docs/vectors/protocol.txt"), "utf8")
  .split("\n")
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => l.split("\t"));
const cases = (kind: string) => lines.filter((f) => f[0] === kind).map((f) => f.slice(1));

describe("docs/vectors/protocol.txt", () => {
  test("every line is a known kind", () => {
    expect(lines.filter((f) => !["cfg", "dir", "chain", "lockage"].includes(f[0]!))).toEqual([]);
    expect(cases("cfg").length).toBeGreaterThan(40);
  });

  // The TS reader (inspect, pyzap cache verify) accepts and refuses what the launcher does.
  test.each(cases("cfg"))("cfg: %s %s", async (verdict, _name, text) => {
    const outcome = await parseCfg(unescape(text!)).then(
      () => "accept",
      (error: Error) => `reject (${error.message})`,
    );
    expect(outcome.startsWith(verdict!)).toBe(true);
  });

  test.each(cases("chain"))("chain: euid %s, %s", (euid, env, expected) => {
    const environ = env === "-" ? {} : Object.fromEntries(env!.split(";").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    expect(candidates(environ, Number(euid)).map((c) => c.path).join(",")).toBe(expected);
  });

  test.each(cases("dir"))("dir: euid %s, owner %s, mode %s", (euid, uid, mode, problem) => {
    expect(dirProblem(Number(uid), 0o040000 | parseInt(mode!, 8), Number(euid)) ?? "-").toBe(problem);
  });

  test.each(cases("lockage"))("lock age %s ms: %s", (age, verdict) => {
    expect(lockAgeIsStale(Number(age))).toBe(verdict === "stale");
  });

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

/** A vector's text field as bytes: \n \t \\ and \xHH are escapes, the rest is literal. */
function unescape(field: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const e = field[++i];
    if (e === "n") bytes.push(0x0a);
    else if (e === "t") bytes.push(0x09);
    else if (e === "\\") bytes.push(0x5c);
    else if (e === "x") {
      bytes.push(parseInt(field.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new Error(`bad escape \\${e} in ${field.slice(0, 40)}`);
  }
  return Buffer.from(bytes);
}
