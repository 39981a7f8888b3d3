// What `pyzap cache list` makes of a cache root (scanAll), in process on a
// crafted root: complete, partial and locked entries, stale locks, leftovers
// of live and dead processes, use records and their orphans, and names that
// are not ours.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { scanAll } from "./cli-src.js";

const root = mkdtempSync(path.join(tmpdir(), "pyzap-unit-scan-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NOW = Date.now();
const key = (c: string) => c.repeat(16);
const at = (p: string, secondsAgo: number) => utimesSync(p, (NOW - secondsAgo * 1000) / 1000, (NOW - secondsAgo * 1000) / 1000);
function put(rel: string, text = "") {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}
const dir = (rel: string) => mkdirSync(path.join(root, rel), { recursive: true });
const deadPid = spawnSync("true").pid!; // exited: nobody has it (for the test's few milliseconds)

// entry.cfg is a copy of the bundle's launcher.cfg (docs/format.md).
// a: complete, extracted by "demo 1.0", used by two bundles (the newer first).
put(`${key("a")}/entry.cfg`, "pyzap 1\nname demo\nversion 1.0\nkey -\nf 0000000000000000 3 644 pkg/x.so\n");
put(`${key("a")}/site/pkg/x.so`, "abc");
put(`${key("a")}/site/pkg/y.txt`, "12345");
put(`${key("a")}.users/${key("1")}`, "demo\t1.0\t/srv/old.pyz\n");
put(`${key("a")}.users/${key("2")}`, "demo\t1.1\t/srv/new.pyz\n");
put(`${key("a")}.users/not-a-record`, "x\tx\tx\n");
at(path.join(root, `${key("a")}.users/${key("1")}`), 3600);
// b: only a dead process's tmp directory.
dir(`${key("b")}.tmp-${deadPid}`);
// c: being extracted by a live process (this one), its lock fresh.
dir(`${key("c")}.tmp-${process.pid}`);
dir(`${key("c")}.lock`);
// d: complete, with a lock left 20 s ago (stale after 10 s).
put(`${key("d")}/entry.cfg`, "pyzap 1\nname other\nversion 2\nkey -\n");
dir(`${key("d")}.lock`);
at(path.join(root, `${key("d")}.lock`), 20);
// e: use records whose entry is gone.
put(`${key("e")}.users/${key("3")}`, "gone\t0\t/srv/gone.pyz\n");
// Not ours: other names, a file named like a key, a symlink named like one.
dir("notakey");
dir("0123.lock");
put(key("f"), "a file");
symlinkSync(path.join(root, key("a")), path.join(root, key("9")));

test("each key is described from its directories, sorted by key", () => {
  const { entries, orphanUsers } = scanAll(root, NOW);
  expect(entries.map((e) => [e.key, e.state, e.path])).toEqual([
    [key("a"), "complete", path.join(root, key("a"))],
    [key("b"), "partial", null],
    [key("c"), "locked", null],
    [key("d"), "complete", path.join(root, key("d"))],
  ]);
  expect(orphanUsers).toEqual([path.join(root, `${key("e")}.users`)]);
});

test("a complete entry: files and bytes under site/, the bundles that used it, most recent first", () => {
  const a = scanAll(root, NOW).entries[0]!;
  expect([a.files, a.bytes]).toEqual([2, 8]);
  expect(a.bundles.map((b) => [b.name, b.version, b.path])).toEqual([
    ["demo", "1.1", "/srv/new.pyz"],
    ["demo", "1.0", "/srv/old.pyz"],
  ]);
  expect(a.lock).toBeNull();
});

test("without use records, the bundle that extracted it (entry.cfg's name and version)", () => {
  const d = scanAll(root, NOW).entries[3]!;
  expect(d.bundles).toEqual([{ name: "other", version: "2", path: null, lastUsed: null }]);
});

test("locks: fresh means locked, older than 10 s is stale and the entry stays complete", () => {
  const [, , c, d] = scanAll(root, NOW).entries;
  expect(c!.lock).toMatchObject({ stale: false });
  expect(d!.lock).toMatchObject({ stale: true });
  expect(d!.lock!.ageMs).toBeGreaterThanOrEqual(20_000);
});

test("leftovers say whether their process is alive", () => {
  const [, b, c] = scanAll(root, NOW).entries;
  expect(b!.leftovers).toEqual([{ path: path.join(root, `${key("b")}.tmp-${deadPid}`), pid: deadPid, alive: false }]);
  expect(c!.leftovers).toEqual([{ path: path.join(root, `${key("c")}.tmp-${process.pid}`), pid: process.pid, alive: true }]);
});
