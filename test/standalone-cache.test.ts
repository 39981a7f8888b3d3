// A standalone bundle's runtime entry (ROOT/RKEY) follows the app entry's
// cache rules, by the same launcher code: `pyzap cache clean`/`prune` cannot
// remove it between the launcher's check and Python's start, and a start
// touches it when its mtime is a day or more away from now, in the past or
// (after a clock step) in the future, so that prune judges it by its last use.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildTestingLauncher, ok, pyzap, REPO, run, start, tempDir, whenStopped } from "./helpers.js";

const dir = tempDir("pyzap-standalone-cache-");
const launcher = buildTestingLauncher(path.join(dir, "testing-launcher"));
const hello = path.join(dir, "hello.pyz");
ok(pyzap(["bundle", path.join(REPO, "examples/hello"), "-c", "hello", "--standalone", "-o", hello, "-q"], { PYZAP_LAUNCHER: launcher }));
const runtimeKey = /^key (.*)$/m.exec(execFileSync("unzip", ["-p", hello, ".pyzap/runtime.cfg"], { encoding: "utf8" }))![1]!;

let n = 0;
const freshCache = () => path.join(dir, `cache-${++n}`);

describe("the runtime entry while a start uses it", () => {
  test("prune --older-than 0d and clean --all, run while the launcher stands between its check and Python, leave it alone", async () => {
    const root = freshCache();
    ok(run(hello, ["first"], { PYZAP_CACHE: root }));
    const trace = run(hello, ["traced"], { PYZAP_CACHE: root, PYZAP_TEST_TRACE: "1" });
    const points = [...trace.stderr.matchAll(/^pyzap: test point (\d+): (.*)$/gm)].map((m) => ({ n: Number(m[1]), what: m[2]! }));
    // Warm: the app's entry, then the runtime's, each held open; then the exec.
    expect(points.map((p) => p.what)).toEqual(["warm entry kept open", "warm entry kept open", "about to exec Python"]);
    for (const { n: at, what } of points.slice(1)) {
      for (const command of [["prune", "--older-than", "0d"], ["clean", "--all"]]) {
        const launch = start(hello, ["held"], { PYZAP_CACHE: root, PYZAP_TEST_AT: `${at}:stop` });
        await whenStopped(launch.pid);
        const r = pyzap(["cache", ...command, "--json"], { PYZAP_CACHE: root });
        const outcomes = JSON.parse(r.stdout) as { actions?: { key: string; outcome: string }[]; results?: { key: string; outcome: string }[] };
        const runtime = (outcomes.actions ?? outcomes.results ?? []).find((a) => a.key === runtimeKey);
        expect(runtime?.outcome, `${command.join(" ")} at "${what}": ${r.stdout}`).toBe("in-use");
        process.kill(launch.pid, "SIGCONT");
        const done = await launch.done;
        expect(done.stderr).toBe("");
        expect(done.status).toBe(0);
        expect(done.stdout).toContain("hello, held");
        expect(readdirSync(root)).toContain(runtimeKey);
      }
    }
  });
});

describe("the runtime entry's last-use time", () => {
  const DAY = 24 * 3600;
  for (const [label, offset] of [["two days old", -2 * DAY], ["two days in the future", 2 * DAY]] as const) {
    test(`a start touches it when it is ${label}`, () => {
      const root = freshCache();
      ok(run(hello, ["first"], { PYZAP_CACHE: root }));
      const entry = path.join(root, runtimeKey);
      expect(readFileSync(path.join(entry, "entry.cfg"), "utf8")).toContain("\nexe ");
      const then = Date.now() / 1000 + offset;
      utimesSync(entry, then, then);
      ok(run(hello, ["again"], { PYZAP_CACHE: root }));
      expect(Math.abs(statSync(entry).mtimeMs / 1000 - Date.now() / 1000)).toBeLessThan(600);
    });
  }
});
