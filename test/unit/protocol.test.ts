// docs/vectors/protocol.txt, the cache protocol's decisions in one place, as
// the TypeScript side (inspect, pyzap cache) answers them, in-process: cfg
// parsing, the cache-root chain, the directory rule, lock age. The C and
// Python runners of the same file run in test/conformance.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { candidates, dirProblem, lockAgeIsStale, parseCfg } from "./cli-src.js";
import { REPO } from "./repo.js";

const KINDS = ["cfg", "dir", "chain", "lockage"];

const lines = readFileSync(path.join(REPO, "docs/vectors/protocol.txt"), "utf8")
  .split("\n")
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => l.split("\t"));
const cases = (kind: string) => lines.filter((f) => f[0] === kind).map((f) => f.slice(1));

describe("docs/vectors/protocol.txt", () => {
  test("every line is a known kind, and every kind has cases", () => {
    expect(lines.filter((f) => !KINDS.includes(f[0]!))).toEqual([]);
    for (const kind of KINDS) expect(cases(kind).length, kind).toBeGreaterThan(kind === "cfg" ? 40 : 2);
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
