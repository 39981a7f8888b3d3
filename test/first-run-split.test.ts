// A first run with a big cache entry inflates it in two processes: the
// launcher and a helper it forks, each writing half of the files by bytes
// (launcher-c/src/extract.c, SPLIT_MIN_BYTES). What a user would notice if
// it broke: the entry is not whole or not what the bundle holds, a helper
// outlives a launcher killed mid-extraction and writes on, or the next start
// does not recover. Watched on a real bundle whose data is unpacked.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { BASE_ENV, ok, pyzap, run, tempDir } from "./helpers.js";

const dir = tempDir("pyzap-split-");
const site = path.join(dir, "site");
const out = path.join(dir, "bulk.pyz");
const small = path.join(dir, "small.pyz");
// 48 MiB to unpack (past the 16 MiB threshold), compressible like real data: base64 of random bytes.
const FILES = 6;
const BYTES = 8 << 20;
const hasStrace = spawnSync("strace", ["-V"]).status === 0;
if (!hasStrace) console.log("skipping the process-count test of first-run-split: strace is not installed (apt-get install strace)");

beforeAll(() => {
  mkdirSync(path.join(site, "bulk/data"), { recursive: true });
  writeFileSync(
    path.join(site, "bulk/__init__.py"),
    "import hashlib, os\n\ndef main():\n    d = os.path.join(os.path.dirname(__file__), 'data')\n    for n in sorted(os.listdir(d)):\n        print(n, hashlib.sha256(open(os.path.join(d, n), 'rb').read()).hexdigest())\n",
  );
  for (let i = 0; i < FILES; i++) writeFileSync(path.join(site, `bulk/data/part${i}.txt`), randomBytes((BYTES * 3) / 4).toString("base64"));
  mkdirSync(path.join(dir, "small-site/tiny"), { recursive: true });
  writeFileSync(path.join(dir, "small-site/tiny/__init__.py"), "def main():\n    print('tiny')\n");
  writeFileSync(path.join(dir, "small-site/tiny/blob.txt"), "x".repeat(1000));
  ok(pyzap(["bundle", "--site-packages", site, "-e", "bulk:main", "--unpack", "bulk", "-o", out, "-q"]));
  ok(pyzap(["bundle", "--site-packages", path.join(dir, "small-site"), "-e", "tiny:main", "--unpack", "tiny", "-o", small, "-q"]));
});

/** What the app prints: each data file's SHA-256, as read from the cache entry. */
const expected = () =>
  Array.from({ length: FILES }, (_, i) => `part${i}.txt ${spawnSync("sha256sum", [path.join(site, `bulk/data/part${i}.txt`)], { encoding: "utf8" }).stdout.split(" ")[0]}`).join("\n") + "\n";

let caches = 0;
const freshCache = () => path.join(dir, `cache-${++caches}`);

/** Processes that create files in the entry's temporary directory, by pid, from strace -f. */
function writers(file: string, pinned = false): { pids: Set<string>; stdout: string } {
  const cache = freshCache();
  const log = path.join(dir, `strace-${caches}.txt`);
  const cmd = ["strace", "-f", "-qq", "-o", log, "-e", "trace=openat", file];
  const r = spawnSync(pinned ? "taskset" : cmd[0]!, pinned ? ["-c", "0", ...cmd] : cmd.slice(1), { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: cache } });
  expect(r.status, r.stderr).toBe(0);
  const pids = new Set<string>();
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const m = /^(\d+)\s+openat\(\d+, "[^"]+", [^)]*O_CREAT\|O_EXCL/.exec(line);
    if (m) pids.add(m[1]!);
  }
  return { pids, stdout: r.stdout };
}

describe("a first run with a big entry", () => {
  test("unpacks it in two processes into an entry that verifies; the app reads every file whole", () => {
    const cache = freshCache();
    const r = run(out, [], { PYZAP_CACHE: cache });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected());
    expect(ok(pyzap(["cache", "verify"], { PYZAP_CACHE: cache })).stdout).toMatch(/ ok /);
    expect(readdirSync(cache).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  test.skipIf(!hasStrace)("two processes write the big entry's files; one writes a small entry's, or the big one on one CPU", () => {
    const big = writers(out);
    expect(big.stdout).toBe(expected());
    expect(big.pids.size).toBe(2);
    expect(writers(small).pids.size).toBe(1);
    // Pinned to one CPU (a container's cpuset): a helper would only take turns with the launcher.
    expect(writers(out, true).pids.size).toBe(1);
  });

  test("a launcher killed mid-extraction takes its helper with it; the next start recovers", async () => {
    const cache = freshCache();
    mkdirSync(cache, { mode: 0o755 });
    const child = spawn(out, [], { env: { ...BASE_ENV, PYZAP_CACHE: cache }, stdio: "ignore" });
    const gone = new Promise((resolve) => child.once("exit", resolve));
    // Kill it while the temporary entry is being written.
    let seen = false;
    for (let i = 0; i < 4000 && !seen; i++) {
      seen = existsSync(cache) && readdirSync(cache).some((n) => n.includes(".tmp-") && existsSync(path.join(cache, n, "site/bulk/data")));
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(seen).toBe(true);
    child.kill("SIGKILL");
    await gone;
    // No process of the bundle is left (the helper died with the launcher), so nothing writes on.
    const left = () =>
      readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0] === out;
          } catch {
            return false;
          }
        });
    // At once: without PR_SET_PDEATHSIG the helper would still be inflating its ~24 MiB here.
    for (let i = 0; i < 5 && left().length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(left()).toEqual([]);
    expect(readdirSync(cache).some((n) => n.includes(".tmp-"))).toBe(true); // the killed run's leftover
    const again = run(out, [], { PYZAP_CACHE: cache });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(expected());
    expect(readdirSync(cache).filter((n) => n.includes(".tmp-"))).toEqual([]); // reclaimed
    expect(ok(pyzap(["cache", "verify"], { PYZAP_CACHE: cache })).stdout).toMatch(/ ok /);
  });

  test("a disk that fills up under both processes: exit 75 and one line, nothing left", (ctx) => {
    // A 20 MiB tmpfs in a mount namespace of its own (root; CI runs as root): too small for 48 MiB.
    const small = path.join(dir, "small-disk");
    mkdirSync(small, { recursive: true });
    const script = `mount -t tmpfs -o size=20m,mode=0755 tmpfs ${small} || exit 99; PYZAP_CACHE=${small}/cache ${out}; echo "rc=$?"; echo "left: $(ls -A ${small}/cache | tr "\\n" " ")"`;
    const r = spawnSync("unshare", ["-m", "sh", "-c", script], { encoding: "utf8", env: BASE_ENV });
    if (r.status === 99 || r.error) {
      process.stdout.write(`skipped: cannot mount a small tmpfs here (${r.error?.message ?? r.stderr.trim()})\n`);
      ctx.skip();
    }
    expect(r.stdout).toContain("rc=75");
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("pyzap:"));
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/No space left on device.*free some space/);
    expect(r.stdout).toMatch(/^left: $/m);
  });
});
