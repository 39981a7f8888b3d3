// `pyzap cache` and `PYZAP=cache ./app.pyz`: real bundles from the fixture
// wheelhouse, real runs, a real cache root per test (PYZAP_CACHE).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, buildTestingLauncher, ok, pyzap, run, start, tempDir, testPoints, whenStopped, type Result } from "./helpers.js";

/** The error's one line, without the "; what to do" part (and it must be one line). */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  return (lines[0] ?? "").replace(/; [^;]*$/, "");
}

const dir = tempDir();
const ext = path.join(dir, "ext.pyz");
const libs = path.join(dir, "libs.pyz");
const DAY = 86_400;

interface Entry {
  key: string;
  kind: string;
  state: string;
  path: string | null;
  bundles: { name: string | null; version: string | null; path: string | null; lastUsed: string | null }[];
  files: number;
  bytes: number;
  lastUsed: string | null;
}

interface Manifest {
  name: string;
  version: string;
  cacheKey: string;
  totals: { unpackedFiles: number; unpackedBytes: number };
}

let manifests: Record<"ext" | "libs", Manifest>;

beforeAll(() => {
  const wheelhouse = inject("wheelhouse");
  bundle(wheelhouse, "fixture-ext", "fixture-ext-demo", ext);
  bundle(wheelhouse, "fixture-libs", "fixture-libs-demo", libs);
  const manifest = (file: string) => JSON.parse(ok(run("unzip", ["-p", file, ".pyzap/manifest.json"])).stdout) as Manifest;
  manifests = { ext: manifest(ext), libs: manifest(libs) };
});

let counter = 0;
/** A fresh, empty cache root (mode 0755, owned by us). */
function freshCache(): string {
  const root = path.join(dir, `cache-${++counter}`);
  mkdirSync(root, { mode: 0o755 });
  return root;
}

const json = <T>(result: Result): T => JSON.parse(ok(result).stdout) as T;
const list = (root: string) => json<{ root: string; entries: Entry[] }>(pyzap(["cache", "list", "--json"], { PYZAP_CACHE: root })).entries;
// Each run also unpacks the bundle's bytecode packs into ROOT/pyc-H (kind "bytecode", test/bytecode-packs.test.ts).
const bytecodeKeys = (root: string) => readdirSync(root).filter((n) => /^pyc-[0-9a-f]{16}$/.test(n)).sort();
const setAge = (p: string, days: number) => utimesSync(p, Date.now() / 1000 - days * DAY, Date.now() / 1000 - days * DAY);

describe("pyzap cache list / dir", () => {
  test("two bundles give two entries with their sizes, file counts and names; PYZAP=cache list agrees", () => {
    const root = freshCache();
    ok(run(ext, [], { PYZAP_CACHE: root }));
    ok(run(libs, [], { PYZAP_CACHE: root }));
    const entries = list(root);
    expect(entries.filter((e) => e.kind === "entry").map((e) => e.key)).toEqual([manifests.ext.cacheKey, manifests.libs.cacheKey].sort());
    // One bytecode directory per bundle, beside the entries.
    expect(entries.filter((e) => e.kind === "bytecode").map((e) => [e.key, e.state, e.files > 0])).toEqual(bytecodeKeys(root).map((k) => [k, "complete", true]));
    expect(bytecodeKeys(root)).toHaveLength(2);
    for (const m of Object.values(manifests)) {
      const e = entries.find((x) => x.key === m.cacheKey)!;
      expect(e).toMatchObject({ state: "complete", path: path.join(root, m.cacheKey), files: m.totals.unpackedFiles, bytes: m.totals.unpackedBytes });
      const used = realpathSync(m === manifests.ext ? ext : libs);
      expect(e.bundles).toEqual([{ name: m.name, version: m.version, path: used, lastUsed: expect.any(String) }]);
    }
    const human = ok(pyzap(["cache", "list"], { PYZAP_CACHE: root })).stdout;
    expect(human).toMatch(new RegExp(`${manifests.libs.cacheKey}\\s+\\d+ KiB\\s+\\d+ KiB\\s+2\\s+.*complete\\s+fixture-libs-demo 0\\.1\\.0: `));

    // The bundle's own command on a server without Node: the same JSON.
    const fromBundle = json<{ entries: Entry[] }>(run(ext, ["list", "--json"], { PYZAP_CACHE: root, PYZAP: "cache" }));
    expect(fromBundle.entries).toEqual(entries);
    expect(ok(run(libs, ["list"], { PYZAP_CACHE: root, PYZAP: "cache" })).stdout).toContain("fixture-ext-demo 1.2.3");
  });

  test("two bundles sharing one entry are both listed with their real paths; clean and prune remove the use records", () => {
    const root = freshCache();
    const other = path.join(dir, "other.pyz");
    ok(pyzap(["bundle", "--no-index", "--find-links", inject("wheelhouse"), "fixture-ext", "-e", "fixture_ext.cli:main", "-o", other]));
    const key = manifests.ext.cacheKey;
    ok(run(ext, [], { PYZAP_CACHE: root })); // cold: extracts
    ok(run(other, [], { PYZAP_CACHE: root })); // warm: same key, a second bundle
    ok(run("python3", [ext], { PYZAP_CACHE: root })); // the fallback adds no second record for ext
    const [entry] = list(root);
    expect(entry?.key).toBe(key);
    const paths = entry!.bundles.map((b) => b.path).sort();
    expect(paths).toEqual([realpathSync(ext), realpathSync(other)].sort());
    const byPath = new Map(entry!.bundles.map((u) => [u.path, u]));
    expect(byPath.get(realpathSync(ext))).toMatchObject({ name: manifests.ext.name, version: manifests.ext.version, lastUsed: expect.any(String) });
    const otherManifest = JSON.parse(ok(run("unzip", ["-p", other, ".pyzap/manifest.json"])).stdout) as Manifest;
    expect(byPath.get(realpathSync(other))).toMatchObject({ name: otherManifest.name, version: otherManifest.version, lastUsed: expect.any(String) });
    expect(readdirSync(path.join(root, `${key}.users`))).toHaveLength(2);
    const fromBundle = json<{ entries: Entry[] }>(run(other, ["list", "--json"], { PYZAP_CACHE: root, PYZAP: "cache" }));
    expect(fromBundle.entries).toEqual(list(root));
    const human = ok(pyzap(["cache", "list"], { PYZAP_CACHE: root })).stdout;
    for (const name of [`${manifests.ext.name} ${manifests.ext.version}`, `${otherManifest.name} ${otherManifest.version}`]) expect(human).toContain(name);

    ok(pyzap(["cache", "clean", key], { PYZAP_CACHE: root }));
    expect(readdirSync(root).filter((n) => n.startsWith(key))).toEqual([]);

    // Use records left without their entry are debris: prune removes them (CLI and PYZAP=cache).
    for (const prune of [() => pyzap(["cache", "prune"], { PYZAP_CACHE: root }), () => run(libs, ["prune"], { PYZAP_CACHE: root, PYZAP: "cache" })]) {
      ok(run(ext, [], { PYZAP_CACHE: root }));
      ok(pyzap(["cache", "clean", key], { PYZAP_CACHE: root }));
      mkdirSync(path.join(root, `${key}.users`));
      writeFileSync(path.join(root, `${key}.users`, "0123456789abcdef"), "x\t1\t/gone.pyz\n");
      ok(prune());
      expect(readdirSync(root).filter((n) => n.startsWith(key))).toEqual([]);
    }
  });

  test("cache dir names the root and why; an unsafe PYZAP_CACHE is skipped with the reason", () => {
    const root = freshCache();
    const chosen = json<{ root: string; tried: { path: string; skipped: string | null }[] }>(pyzap(["cache", "dir", "--json"], { PYZAP_CACHE: root }));
    expect(chosen.root).toBe(root);
    expect(ok(pyzap(["cache", "dir"], { PYZAP_CACHE: root })).stdout).toBe(`${root}\n`);
    expect(ok(run(ext, ["dir"], { PYZAP_CACHE: root, PYZAP: "cache" })).stdout).toBe(`${root}\n`);

    const open = freshCache();
    spawnSync("chmod", ["0777", open]);
    const skipped = json<{ tried: { path: string; skipped: string | null }[] }>(pyzap(["cache", "dir", "--json"], { PYZAP_CACHE: open }));
    expect(skipped.tried[0]).toMatchObject({ path: open, skipped: "writable by group or others (mode 0777)" });
  });

  test("PYZAP=info describes the bundle; any other PYZAP value is refused, normal arguments are not intercepted", () => {
    const root = freshCache();
    const info = json<Manifest & { cache: { entry: string; present: boolean } }>(run(libs, ["--json"], { PYZAP_CACHE: root, PYZAP: "info" }));
    expect(info.cacheKey).toBe(manifests.libs.cacheKey);
    expect(info.cache.entry).toBe(path.join(root, manifests.libs.cacheKey));
    const bad = run(libs, [], { PYZAP_CACHE: root, PYZAP: "bogus" });
    expect(bad.status).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe("pyzap: PYZAP=bogus is not a command: use PYZAP=info, PYZAP=env or PYZAP=cache, or unset PYZAP to run the application");
    // "list" as an argument of the application is the application's.
    expect(JSON.parse(ok(run(ext, ["list"], { PYZAP_CACHE: root })).stdout).argv.slice(1)).toEqual(["list"]);
  });
});

describe("last used, prune and clean", () => {
  test("running a bundle refreshes its entry's last-used; prune --older-than removes exactly the old entry", () => {
    const root = freshCache();
    ok(run(ext, [], { PYZAP_CACHE: root }));
    ok(run(libs, [], { PYZAP_CACHE: root }));
    const extEntry = path.join(root, manifests.ext.cacheKey);
    const libsEntry = path.join(root, manifests.libs.cacheKey);
    setAge(extEntry, 2);
    ok(run(ext, [], { PYZAP_CACHE: root }));
    expect(Date.now() - statSync(extEntry).mtimeMs).toBeLessThan(60_000);

    setAge(libsEntry, 40);
    const dry = json<{ actions: { key: string; outcome: string }[] }>(pyzap(["cache", "prune", "--older-than", "30d", "--dry-run", "--json"], { PYZAP_CACHE: root }));
    expect(dry.actions).toEqual([expect.objectContaining({ key: manifests.libs.cacheKey, what: "entry", outcome: "would-remove" })]);
    expect(existsSync(libsEntry)).toBe(true);

    const done = json<{ actions: { key: string; outcome: string }[] }>(pyzap(["cache", "prune", "--older-than", "30d", "--json"], { PYZAP_CACHE: root }));
    expect(done.actions).toEqual([expect.objectContaining({ key: manifests.libs.cacheKey, outcome: "removed" })]);
    expect(list(root).map((e) => e.key)).toEqual([manifests.ext.cacheKey, ...bytecodeKeys(root)]);
    expect(bytecodeKeys(root)).toHaveLength(2); // used a moment ago: not old
    expect(readdirSync(root).filter((n) => !n.startsWith("pyc-")).sort()).toEqual([manifests.ext.cacheKey, `${manifests.ext.cacheKey}.users`]); // libs' use record went with it
    // The next run simply extracts it again.
    expect(JSON.parse(ok(run(libs, [], { PYZAP_CACHE: root })).stdout).answer).toBe(42);
  });

  test("prune --max-size removes the least recently used first", () => {
    const root = freshCache();
    ok(run(ext, [], { PYZAP_CACHE: root }));
    ok(run(libs, [], { PYZAP_CACHE: root }));
    setAge(path.join(root, manifests.ext.cacheKey), 3);
    setAge(path.join(root, manifests.libs.cacheKey), 2);
    // Room for all but the oldest: the bytecode directories, used just now, come last.
    const room = list(root).filter((e) => e.key !== manifests.ext.cacheKey).reduce((n, e) => n + (e as Entry & { diskBytes: number }).diskBytes, 0);
    const res = json<{ actions: { key: string; outcome: string }[] }>(pyzap(["cache", "prune", "--max-size", String(room), "--json"], { PYZAP_CACHE: root }));
    expect(res.actions.map((a) => [a.key, a.outcome])).toEqual([[manifests.ext.cacheKey, "removed"]]);
    expect(list(root).map((e) => e.key)).toEqual([manifests.libs.cacheKey, ...bytecodeKeys(root)]);
    expect(pyzap(["cache", "prune", "--max-size", "lots"], { PYZAP_CACHE: root }).stderr).toMatch(/^pyzap: the --max-size option is not a size: lots(; [^\n]+)?\n$/);
  });

  test("a locked entry survives prune and clean (CLI and PYZAP=cache); stale locks and dead leftovers are cleaned", () => {
    const root = freshCache();
    ok(run(ext, [], { PYZAP_CACHE: root }));
    const key = manifests.ext.cacheKey;
    setAge(path.join(root, key), 40);
    mkdirSync(path.join(root, `${key}.lock`)); // someone is extracting or deleting it right now

    expect(list(root)[0]!.state).toBe("locked");
    const pruned = json<{ actions: { outcome: string }[] }>(pyzap(["cache", "prune", "--older-than", "1d", "--json"], { PYZAP_CACHE: root }));
    expect(pruned.actions.map((a) => a.outcome)).toEqual(["locked"]);
    const clean = pyzap(["cache", "clean", key], { PYZAP_CACHE: root });
    expect(clean.status).toBe(24);
    expect(oneLine(clean.stderr)).toBe(`pyzap: left 1 entry in place because it is locked or in use: ${key}`);
    expect(run(libs, ["clean", "--all"], { PYZAP_CACHE: root, PYZAP: "cache" }).status).toBe(24);
    expect(existsSync(path.join(root, key, "entry.cfg"))).toBe(true);

    // The holder died 11 s ago, and an extraction by a process that no longer exists was left behind.
    setAge(path.join(root, `${key}.lock`), 11 / DAY);
    mkdirSync(path.join(root, `${key}.tmp-999999999`));
    const res = json<{ actions: { what: string; outcome: string }[] }>(pyzap(["cache", "prune", "--older-than", "1d", "--json"], { PYZAP_CACHE: root }));
    expect(res.actions.map((a) => [a.what, a.outcome]).sort()).toEqual([["entry", "removed"], ["leftover", "removed"], ["stale-lock", "removed"]]);
    expect(readdirSync(root)).toEqual([]);
  });

  test("an entry a running process uses (PYZAP_ENTRY_DIR in its environment) is not removed", async () => {
    const root = freshCache();
    ok(run(ext, [], { PYZAP_CACHE: root }));
    const entry = path.join(root, manifests.ext.cacheKey);
    // What a subprocess of the bundled application looks like.
    const child = spawn("sleep", ["60"], { env: { ...process.env, PYZAP_ENTRY_DIR: entry }, stdio: "ignore" });
    try {
      await new Promise((resolve) => child.once("spawn", resolve));
      const [pyc] = bytecodeKeys(root);
      const res = pyzap(["cache", "clean", "--all", "--json"], { PYZAP_CACHE: root });
      expect(res.status).toBe(24);
      // The bytecode directory: nobody holds it open (the bundle's run is over).
      expect(JSON.parse(res.stdout).results).toEqual([{ key: manifests.ext.cacheKey, outcome: "in-use" }, { key: pyc, outcome: "removed" }]);
      expect(run(ext, ["clean", "--all"], { PYZAP_CACHE: root, PYZAP: "cache" }).status).toBe(24);
      expect(existsSync(entry)).toBe(true);
    } finally {
      child.kill();
    }
    await new Promise((resolve) => child.once("exit", resolve));
    ok(pyzap(["cache", "clean", manifests.ext.cacheKey], { PYZAP_CACHE: root }));
    expect(existsSync(entry)).toBe(false);
  });

  test("PYZAP=cache prune and clean remove entries like the CLI", () => {
    const root = freshCache();
    ok(run(ext, [], { PYZAP_CACHE: root }));
    ok(run(libs, [], { PYZAP_CACHE: root }));
    setAge(path.join(root, manifests.libs.cacheKey), 40);
    const pruned = json<{ actions: { key: string; outcome: string }[] }>(run(ext, ["prune", "--older-than", "30d", "--json"], { PYZAP_CACHE: root, PYZAP: "cache" }));
    expect(pruned.actions).toEqual([expect.objectContaining({ key: manifests.libs.cacheKey, outcome: "removed" })]);
    ok(run(libs, ["clean", manifests.ext.cacheKey], { PYZAP_CACHE: root, PYZAP: "cache" }));
    // libs' own launcher extracted its entry again to start; nothing else is left but the bytecode directories.
    expect(readdirSync(root).sort()).toEqual([manifests.libs.cacheKey, `${manifests.libs.cacheKey}.users`, ...bytecodeKeys(root)]);
    expect(bytecodeKeys(root)).toHaveLength(2);
  });
});

describe("races with the launcher", () => {
  // Deterministic interleavings instead of parallel loops and sleeps: the
  // fault-injection launcher (launcher-c/src/testhook.h) stops itself at each
  // step of a cold start (PYZAP_TEST_AT=N:stop), `pyzap cache clean --all`
  // runs while it is stopped there, then the start goes on. Every step is
  // tried, whatever the timing of the machine.
  let testing: string; // fixture-ext's bundle, with the testing launcher in front
  beforeAll(() => {
    const launcher = buildTestingLauncher(path.join(dir, "testing-launcher"));
    testing = path.join(dir, "ext-testing.pyz");
    bundle(inject("wheelhouse"), "fixture-ext", "fixture-ext-demo", testing, [], { PYZAP_LAUNCHER: launcher });
  });

  /** The app ran to the end with its extension module from the complete entry in `root`. */
  function expectRanFromEntry(r: { status: number | null; stdout: string; stderr: string }, root: string) {
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { sum: number; native_file: string };
    expect(report.sum).toBe(5);
    expect(report.native_file.startsWith(`${path.join(root, manifests.ext.cacheKey)}/site/`)).toBe(true);
  }

  /** Nothing half-done is left: the complete entry (and its use record) only, and it verifies. */
  function expectOnlyCompleteEntry(root: string) {
    const key = manifests.ext.cacheKey;
    expect(readdirSync(root).filter((n) => n !== `${key}.users` && !n.startsWith("pyc-"))).toEqual([key]);
    ok(pyzap(["cache", "verify", key], { PYZAP_CACHE: root }));
  }

  test("clean --all at each step of a cold start: every run exits 0 on a complete entry, clean leaves it alone", async () => {
    const traced = freshCache();
    const trace = run(testing, [], { PYZAP_CACHE: traced, PYZAP_TEST_TRACE: "1" });
    expectRanFromEntry(trace, traced);
    const points = testPoints(trace.stderr);
    // The steps this test is about, from the first directory made to the rename.
    expect(points.map((p) => p.what)).toEqual(expect.arrayContaining(["made the tmp directory", "wrote a file", "wrote entry.cfg", "verified", "renamed into place"]));
    let locked = 0;
    for (const { n, what } of points) {
      const root = freshCache();
      const launch = start(testing, [], { PYZAP_CACHE: root, PYZAP_TEST_AT: `${n}:stop` });
      await whenStopped(launch.pid);
      const before = readdirSync(root).sort();
      const clean = pyzap(["cache", "clean", "--all", "--json"], { PYZAP_CACHE: root });
      const results = (JSON.parse(clean.stdout) as { results: { key: string; outcome: string }[] }).results;
      // The cold start holds the entry's lock, then (from the rename until
      // Python runs) the entry itself open: clean leaves everything as it is.
      expect(readdirSync(root).sort(), `clean --all while the launcher stopped at "${what}"`).toEqual(before);
      expect(results.every((x) => x.outcome === "locked" || x.outcome === "in-use"), `${what}: ${clean.stdout}`).toBe(true);
      expect(clean.status, clean.stderr).toBe(results.length > 0 ? 24 : 0);
      locked += results.length;
      process.kill(launch.pid, "SIGCONT");
      expectRanFromEntry(await launch.done, root);
      expectOnlyCompleteEntry(root);
    }
    console.log(`race: clean --all ran at ${points.length} steps of a cold start; it found the entry locked at ${locked}`);
    expect(locked).toBeGreaterThan(0); // at least "renamed into place": the entry exists, still locked
    // And after the start: the entry is free to go, the next start extracts it again.
    const root = freshCache();
    expectRanFromEntry(run(testing, [], { PYZAP_CACHE: root }), root);
    const [pyc] = bytecodeKeys(root);
    expect(JSON.parse(ok(pyzap(["cache", "clean", "--all", "--json"], { PYZAP_CACHE: root })).stdout).results).toEqual([
      { key: manifests.ext.cacheKey, outcome: "removed" },
      { key: pyc, outcome: "removed" },
    ]);
    expect(readdirSync(root)).toEqual([]);
    expectRanFromEntry(run(testing, [], { PYZAP_CACHE: root }), root);
  });
});

describe("pyzap cache verify", () => {
  test("detects a modified and a deleted file; --repair makes the next run re-extract a clean entry", () => {
    const root = freshCache();
    ok(run(libs, [], { PYZAP_CACHE: root }));
    const key = manifests.libs.cacheKey;
    const site = path.join(root, key, "site");
    expect(json<{ results: { ok: boolean }[] }>(pyzap(["cache", "verify", "--json"], { PYZAP_CACHE: root })).results[0]!.ok).toBe(true);

    const lib = path.join(site, "fixture_libs.libs/libfoo.so.1");
    const bytes = readFileSync(lib);
    bytes[bytes.length - 1] ^= 0xff; // same size, different content
    spawnSync("chmod", ["u+w", lib]);
    writeFileSync(lib, bytes);
    const core = readdirSync(path.join(site, "fixture_libs")).find((n) => n.startsWith("_core."))!;
    spawnSync("rm", ["-f", path.join(site, "fixture_libs", core)]);

    const bad = pyzap(["cache", "verify", "--json", key], { PYZAP_CACHE: root });
    expect(bad.status).toBe(25);
    expect(JSON.parse(bad.stdout).results[0].problems).toEqual([
      { path: "fixture_libs.libs/libfoo.so.1", problem: "modified" },
      { path: `fixture_libs/${core}`, problem: "missing" },
    ]);
    expect(oneLine(bad.stderr)).toBe(`pyzap: 1 cache entry does not match its entry.cfg: ${key}`);

    const repaired = ok(pyzap(["cache", "verify", "--repair"], { PYZAP_CACHE: root }));
    expect(repaired.stdout).toContain(`${key}  BAD  2 files  repair: removed`);
    expect(existsSync(path.join(root, key))).toBe(false);
    expect(JSON.parse(ok(run(libs, [], { PYZAP_CACHE: root })).stdout).answer).toBe(42);
    expect(ok(pyzap(["cache", "verify"], { PYZAP_CACHE: root })).stdout).toBe(`${key}  ok  2 files\n`);
  });

  test("bad keys and missing entries are one line with their own exit code", () => {
    const root = freshCache();
    const notKey = pyzap(["cache", "verify", "nope"], { PYZAP_CACHE: root });
    expect([notKey.status, oneLine(notKey.stderr)]).toEqual([2, "pyzap: not a cache key: nope"]);
    const missing = pyzap(["cache", "clean", "0123456789abcdef"], { PYZAP_CACHE: root });
    expect([missing.status, oneLine(missing.stderr)]).toEqual([3, `pyzap: no such entry in ${root}: 0123456789abcdef`]);
    expect(pyzap(["cache", "clean"], { PYZAP_CACHE: root }).status).toBe(2);
  });
});

const canMount = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;
if (!canMount) console.log("skipping the noexec `pyzap cache dir` test: it needs root and mount namespaces (CI has both)");

test.skipIf(!canMount)("cache dir skips a noexec PYZAP_CACHE, as the launcher does", () => {
  const mnt = freshCache();
  const script = `mount -t tmpfs -o noexec,mode=0755 tmpfs ${mnt} && exec "$@"`;
  const res = spawnSync("unshare", ["-m", "sh", "-c", script, "sh", process.execPath, path.resolve("packages/cli/bin/pyzap.js"), "cache", "dir", "--json"], {
    encoding: "utf8",
    env: { ...process.env, PYZAP_CACHE: mnt },
  });
  expect(res.status, res.stderr).toBe(0);
  const choice = JSON.parse(res.stdout) as { root: string; tried: { path: string; skipped: string | null }[] };
  expect(choice.tried[0]).toEqual({ path: mnt, source: "$PYZAP_CACHE", skipped: "on a filesystem mounted noexec" });
  expect(choice.root).not.toBe(mnt);
});
