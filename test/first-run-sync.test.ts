// A first run makes its cache entry durable with one syncfs before the
// rename (docs/format.md, "Durability"), not with an fsync per file (one disk
// cache flush each) and without starting writeback per file; where syncfs is
// refused it falls back to fsyncing every file and directory. Watched with
// strace on real bundles; kill -9 at the new "synced" point is covered by
// hardening.test.ts ("crash mid-extraction" visits every point).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { BASE_ENV, REPO, tempDir } from "./helpers.js";
import { makeApp, NATIVES, type App } from "./hardening/app.js";
import { entryKey, entryProblems } from "./hardening/entry.js";

const hasStrace = spawnSync("strace", ["-V"]).status === 0;
if (!hasStrace) console.log("skipping first-run-sync tests: strace is not installed (apt-get install strace)");

const dir = tempDir("pyzap-firstrun-");
let app: App;
let counter = 0;

beforeAll(() => {
  if (!hasStrace) return;
  const make = spawnSync("make", ["-s", "-C", path.join(REPO, "launcher-c"), "all", "testing"], { encoding: "utf8" });
  if (make.status !== 0) throw new Error(`make testing failed:\n${make.stdout}${make.stderr}`);
  app = makeApp(dir);
});

interface Traced { status: number | null; stderr: string; calls: string[]; root: string }

/** Runs a bundle on a fresh cache under strace; calls: the syscalls that make data durable or publish it, in order. */
function traced(file: string, env: NodeJS.ProcessEnv = {}): Traced {
  const root = path.join(dir, `cache-${++counter}`);
  const log = path.join(dir, `strace-${counter}.txt`);
  const r = spawnSync("strace", ["-f", "-qq", "-o", log, "-e", "trace=fsync,fdatasync,syncfs,sync_file_range,rename,renameat,renameat2", file], {
    encoding: "utf8",
    env: { ...BASE_ENV, PYZAP_CACHE: root, ...env },
  });
  const calls = spawnSync("cat", [log], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => /^\d+\s+(\w+)\((.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => (m[1]!.startsWith("rename") ? `rename ${/"([^"]*)"[^"]*"([^"]*)"/.exec(m[2]!)?.slice(1).join(" -> ")}` : m[1]!));
  return { status: r.status, stderr: r.stderr, calls, root };
}

describe.skipIf(!hasStrace)("the first run's durability", () => {
  test("one syncfs, then the rename that publishes the entry; no fsync or writeback per file", () => {
    const t = traced(app.shipped);
    expect(t.status, t.stderr).toBe(0);
    const key = entryKey(t.root)!;
    const publish = t.calls.findIndex((c) => new RegExp(`^rename ${key}\\.tmp-\\d+ -> ${key}$`).test(c));
    expect(publish, t.calls.join("\n")).toBeGreaterThan(0);
    expect(t.calls.slice(0, publish).filter((c) => c === "syncfs")).toEqual(["syncfs"]);
    // entry.cfg's own fsync is the only one; the files are covered by syncfs
    expect(t.calls.slice(0, publish).filter((c) => c === "fsync").length).toBeLessThanOrEqual(1);
    expect(t.calls).not.toContain("sync_file_range");
    expect(entryProblems(t.root, app.natives, app.shipped)).toEqual([]);
  });

  test("where syncfs is refused, every file and directory is fsynced before the rename", () => {
    const t = traced(app.testing, { PYZAP_TEST_REFUSE: "syncfs", PYZAP_DEBUG: "1" });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).toContain("pyzap: debug: syncfs: Function not implemented; fsyncing each file instead");
    const key = entryKey(t.root)!;
    const publish = t.calls.findIndex((c) => new RegExp(`^rename ${key}\\.tmp-\\d+ -> ${key}$`).test(c));
    // each native, its directory, site/, the tmp directory (and entry.cfg)
    expect(t.calls.slice(0, publish).filter((c) => c === "fsync").length).toBeGreaterThanOrEqual(NATIVES + 3);
    expect(entryProblems(t.root, app.natives, app.shipped)).toEqual([]);
  });

  test("PYZAP_DEBUG says where a first run's time went", () => {
    const t = traced(app.shipped, { PYZAP_DEBUG: "1" });
    expect(t.stderr).toMatch(/pyzap: debug: unpacked in \d+ ms, verified in \d+ ms, synced in \d+ ms/);
  });
});
