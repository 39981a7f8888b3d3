// End to end: a bundle's bytecode ships in xz packs (.pyzap/bytecode/N.xz)
// and each pack is unpacked once, when one of its modules is first imported,
// into CACHE/pyc-H/N (docs/format.md, "Bytecode packs"). What a user would
// notice: only what runs is unpacked; processes started together on an empty
// cache all work and leave one copy; a process killed mid-write leaves
// nothing that is used; `pyzap cache` never pulls a pack from under a running
// app; a damaged pack is one line, not a traceback from marshal; without a
// writable cache it still runs; --compress 0 keeps .pyc entries zipimport reads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { bytecodeOf, ok, pyzap, run, start, tempDir, whenStopped } from "./helpers.js";

const dir = tempDir();
const site = path.join(dir, "site");
const out = path.join(dir, "app.pyz");
const stored = path.join(dir, "stored.pyz");
// Two packages with more than 256 KiB of bytecode each (~60 KB a module): a pack of their own each.
const PACKAGES = ["alpha", "beta"];
const MODULES = 6;

function writeApp(): void {
  for (const pkg of PACKAGES) {
    mkdirSync(path.join(site, pkg), { recursive: true });
    writeFileSync(path.join(site, pkg, "__init__.py"), `from . import ${Array.from({ length: MODULES }, (_, i) => `m${i}`).join(", ")}\n`);
    for (let i = 0; i < MODULES; i++) {
      // ~100 KB of constants per module, each line different (xz still has work to do).
      const lines = Array.from({ length: 1500 }, (_, j) => `    "${pkg} module ${i} line ${j} ${"x".repeat(j % 37)}",`).join("\n");
      writeFileSync(path.join(site, pkg, `m${i}.py`), `TEXT = [\n${lines}\n]\nVALUE = "${pkg}.m${i}"\n`);
    }
  }
  // A test suite inside alpha: seldom imported, so not in the pack of the code that runs.
  mkdirSync(path.join(site, "alpha/tests"), { recursive: true });
  writeFileSync(path.join(site, "alpha/tests/__init__.py"), "");
  writeFileSync(path.join(site, "alpha/tests/test_m0.py"), "from alpha import m0\n\n\ndef test_value():\n    assert m0.VALUE == 'alpha.m0'\n");
  mkdirSync(path.join(site, "app"), { recursive: true });
  writeFileSync(path.join(site, "app/__init__.py"), "");
  writeFileSync(path.join(site, "app/cli.py"), "import sys\n\n\ndef main():\n    exec(sys.argv[1], {})\n");
}

beforeAll(() => {
  writeApp();
  ok(pyzap(["bundle", "--site-packages", site, "-e", "app.cli:main", "-o", out, "-q"]));
  ok(pyzap(["bundle", "--site-packages", site, "-e", "app.cli:main", "-o", stored, "-q", "--compress", "0"]));
});

let caches = 0;
/** A fresh cache root per test. */
function freshCache(): string {
  const cache = path.join(dir, `cache-${++caches}`);
  mkdirSync(cache, { mode: 0o755 });
  return cache;
}

/** CACHE/pyc-H: the bundle's one bytecode directory, and the files in it. */
function packDir(cache: string): { dir: string; files: string[] } {
  const found = readdirSync(cache).filter((n) => /^pyc-[0-9a-f]{16}$/.test(n));
  expect(found, `pyc- directories in ${cache}`).toHaveLength(1);
  const full = path.join(cache, found[0]!);
  return { dir: full, files: readdirSync(full).sort() };
}

/** The pack (its unpacked copy's name) that holds PKG's modules (not its tests). */
function packOf(pkg: string): string {
  const code = bytecodeOf(out).filter((b) => b.name.startsWith(`site-packages/${pkg}/`) && !b.name.includes("/tests/"));
  const packs = new Set(code.map((b) => String(b.pack)));
  expect(packs.size, `${pkg} in one pack`).toBe(1);
  return [...packs][0]!;
}

const IMPORT = (pkg: string) => `import ${pkg}; print(${pkg}.m${MODULES - 1}.VALUE, len(${pkg}.m0.TEXT))`;

describe("the layout", () => {
  test("no .pyc of the archive's modules is an entry: each is in a pack, alpha and beta in packs of their own", () => {
    const pycs = bytecodeOf(out);
    expect(pycs.filter((b) => b.where === "entry")).toEqual([]);
    expect(pycs.map((b) => b.name)).toContain("site-packages/alpha/m0.pyc");
    expect(pycs).toHaveLength(PACKAGES.length * (MODULES + 1) + 2 + 2);
    expect(packOf("alpha")).not.toBe(packOf("beta"));
    const tests = pycs.filter((b) => b.name.startsWith("site-packages/alpha/tests/"));
    expect(tests).toHaveLength(2);
    expect(tests.map((b) => String(b.pack))).not.toContain(packOf("alpha"));
    // --compress 0: one STORED entry per .pyc, no packs.
    const plain = bytecodeOf(stored);
    expect(plain.every((b) => b.where === "entry")).toBe(true);
    expect(plain.map((b) => b.name)).toEqual(pycs.map((b) => b.name));
    expect(statSync(out).size).toBeLessThan(statSync(stored).size / 2);
  });
});

describe("unpacked on first use", () => {
  test("importing alpha unpacks alpha's pack, not beta's; importing beta later adds it; the next runs read the copies", () => {
    const cache = freshCache();
    const env = { PYZAP_CACHE: cache };
    expect(ok(run(out, [IMPORT("alpha")], env)).stdout).toBe(`alpha.m${MODULES - 1} 1500\n`);
    const first = packDir(cache);
    expect(first.files).toContain(packOf("alpha"));
    expect(first.files).not.toContain(packOf("beta"));
    const copy = path.join(first.dir, packOf("alpha"));
    const before = statSync(copy);
    expect(before.mode & 0o777).toBe(0o644);
    expect(ok(run(out, [IMPORT("beta")], env)).stdout).toBe(`beta.m${MODULES - 1} 1500\n`);
    expect(packDir(cache).files).toContain(packOf("beta"));
    // Read, not written again.
    const after = statSync(copy);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    const listed = JSON.parse(ok(pyzap(["cache", "list", "--json"], env)).stdout) as { entries: { key: string; kind: string; files: number; state: string }[] };
    const bytecode = listed.entries.filter((e) => e.kind === "bytecode");
    expect(bytecode.map((e) => [e.key, e.state])).toEqual([[path.basename(first.dir), "complete"]]);
    expect(bytecode[0]!.files).toBe(packDir(cache).files.length);
  });

  test("pkgutil.iter_modules lists packed modules, and PYZAP_ZIPIMPORT=1 is ignored with a debug note", () => {
    const env = { PYZAP_CACHE: freshCache() };
    const listed = ok(run(out, ["import pkgutil, alpha; print(sorted(m.name for m in pkgutil.iter_modules(alpha.__path__)))"], env)).stdout;
    expect(listed).toBe(`[${[...Array.from({ length: MODULES }, (_, i) => `'m${i}'`), "'tests'"].join(", ")}]\n`);
    const r = ok(run(out, [IMPORT("alpha")], { ...env, PYZAP_ZIPIMPORT: "1", PYZAP_DEBUG: "1" }));
    expect(r.stdout).toBe(`alpha.m${MODULES - 1} 1500\n`);
    expect(r.stderr).toContain("PYZAP_ZIPIMPORT=1 ignored: the bytecode of");
    // --compress 0: zipimport itself imports the STORED .pyc.
    const z = ok(run(stored, [`${IMPORT("alpha")}; import alpha; print(type(alpha.__loader__).__name__)`], { ...env, PYZAP_ZIPIMPORT: "1" }));
    expect(z.stdout).toBe(`alpha.m${MODULES - 1} 1500\nzipimporter\n`);
  });
});

describe("several processes, crashes and pyzap cache", () => {
  test("eight processes started at once on an empty cache all succeed and leave one copy of each pack", async () => {
    const cache = freshCache();
    const code = `${IMPORT("alpha")}; ${IMPORT("beta")}`;
    const runs = Array.from({ length: 8 }, () => start(out, [code], { PYZAP_CACHE: cache }));
    for (const r of runs) {
      const done = await r.done;
      expect(done.status, done.stderr).toBe(0);
      expect(done.stdout).toBe(`alpha.m${MODULES - 1} 1500\nbeta.m${MODULES - 1} 1500\n`);
    }
    const { dir: pyc, files } = packDir(cache);
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([packOf("alpha"), packOf("beta")]));
    expect(readdirSync(cache).filter((n) => n.startsWith("pyc-"))).toEqual([path.basename(pyc)]);
  });

  test("killed while writing a pack: the .tmp-PID left is never used, the next run unpacks again and removes it", async () => {
    const cache = freshCache();
    // Stops itself at the fsync of alpha's copy, after writing it and before its rename.
    const code = `import os, signal; fsync = os.fsync; os.fsync = lambda fd: (os.kill(os.getpid(), signal.SIGSTOP), fsync(fd)); ${IMPORT("alpha")}`;
    const app = start(out, [code], { PYZAP_CACHE: cache });
    await whenStopped(app.pid);
    const tmp = `${packOf("alpha")}.tmp-${app.pid}`;
    expect(packDir(cache).files).toContain(tmp);
    expect(packDir(cache).files).not.toContain(packOf("alpha"));
    process.kill(app.pid, "SIGKILL");
    expect((await app.done).signal).toBe("SIGKILL");
    // Garbage in the leftover: were it used, the import would fail.
    writeFileSync(path.join(packDir(cache).dir, tmp), "garbage");
    expect(ok(run(out, [IMPORT("alpha")], { PYZAP_CACHE: cache })).stdout).toBe(`alpha.m${MODULES - 1} 1500\n`);
    expect(packDir(cache).files).toContain(packOf("alpha"));
    expect(packDir(cache).files).not.toContain(tmp);
  });

  test("pyzap cache clean --all and prune leave a pack directory in use in place; the app keeps working", async () => {
    const cache = freshCache();
    const env = { PYZAP_CACHE: cache };
    const code = `import os, signal; ${IMPORT("alpha")}; os.kill(os.getpid(), signal.SIGSTOP); ${IMPORT("beta")}`;
    const app = start(out, [code], env);
    await whenStopped(app.pid);
    const key = path.basename(packDir(cache).dir);
    const busy = pyzap(["cache", "clean", "--all"], env);
    expect(busy.status, busy.stderr).toBe(24);
    expect(busy.stderr).toContain(key);
    const pruned = JSON.parse(ok(pyzap(["cache", "prune", "--max-size", "0", "--json"], env)).stdout) as { actions: { key: string; outcome: string }[] };
    expect(pruned.actions.filter((a) => a.key === key).map((a) => a.outcome)).toEqual(["in-use"]);
    const byPython = run(out, ["clean", "--all"], { ...env, PYZAP: "cache" });
    expect(byPython.status, byPython.stderr).toBe(24);
    expect(existsSync(path.join(cache, key, packOf("alpha")))).toBe(true);
    process.kill(app.pid, "SIGCONT");
    const done = await app.done;
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toBe(`alpha.m${MODULES - 1} 1500\nbeta.m${MODULES - 1} 1500\n`);
    ok(pyzap(["cache", "clean", "--all"], env));
    expect(readdirSync(cache).filter((n) => n.startsWith("pyc-"))).toEqual([]);
  });
});

describe("a bundle with more than 16 MiB of bytecode", () => {
  test("has zlib packs (a first run inflates them much faster than xz), which need no lzma and are unpacked the same way", () => {
    const bigSite = path.join(dir, "bigsite");
    mkdirSync(path.join(bigSite, "huge"), { recursive: true });
    writeFileSync(path.join(bigSite, "huge/__init__.py"), "");
    // 17 modules of one 1 MiB string each: 17 MiB of bytecode.
    for (let i = 0; i < 17; i++) writeFileSync(path.join(bigSite, `huge/m${i}.py`), `DATA = "${`${i} abcdefgh `.repeat(1 << 20).slice(0, 1 << 20)}"\n`);
    writeFileSync(path.join(bigSite, "huge/cli.py"), "import sys\n\n\ndef main():\n    exec(sys.argv[1], {})\n");
    const huge = path.join(dir, "huge.pyz");
    ok(pyzap(["bundle", "--site-packages", bigSite, "-e", "huge.cli:main", "-o", huge, "-q"]));
    const packs = bytecodeOf(huge);
    expect(packs.every((b) => b.where === "pack")).toBe(true);
    const names = ok(run("python3", ["-c", "import sys, zipfile; print('\\n'.join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith('.pyzap/bytecode/')))", huge])).stdout.trim().split("\n");
    expect(names.filter((n) => n.endsWith(".zz")).length).toBeGreaterThan(1);
    expect(names.filter((n) => n.endsWith(".xz"))).toEqual([]);
    const cache = freshCache();
    const code = "import sys; sys.modules['lzma'] = None; import huge.m16; print(len(huge.m16.DATA), huge.m16.DATA[:12])";
    expect(ok(run(huge, [code], { PYZAP_CACHE: cache })).stdout).toBe(`${1 << 20} 16 abcdefgh \n`);
    expect(packDir(cache).files.length).toBeGreaterThan(0);
    expect(ok(run(huge, [code], { PYZAP_CACHE: cache })).stdout).toBe(`${1 << 20} 16 abcdefgh \n`);
  }, 120_000);
});

describe("when things go wrong", () => {
  test("a damaged pack in the archive: one line naming it and exit 65, not a traceback", () => {
    const bad = path.join(dir, "damaged.pyz");
    const bytes = readFileSync(out);
    const pack = `.pyzap/bytecode/${packOf("alpha")}.xz`;
    const where = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1]); i = z.getinfo(sys.argv[2]); f = open(sys.argv[1], 'rb'); f.seek(i.header_offset + 26)\nn, m = int.from_bytes(f.read(2), 'little'), int.from_bytes(f.read(2), 'little'); print(i.header_offset + 30 + n + m, i.compress_size)";
    const [at, size] = ok(run("python3", ["-c", where, out, pack])).stdout.trim().split(" ").map(Number) as [number, number];
    bytes.fill(0x5a, at + Math.floor(size / 4), at + Math.floor(size / 2));
    writeFileSync(bad, bytes, { mode: 0o755 });
    const r = run(bad, [IMPORT("alpha")], { PYZAP_CACHE: freshCache() });
    expect(r.status).toBe(65);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^pyzap: ${bad}: bytecode pack ${packOf("alpha")}\\.xz is corrupt \\(.*\\); rebuild the bundle or copy it again$`))]);
    // Another pack still reads.
    expect(ok(run(bad, [IMPORT("beta")], { PYZAP_CACHE: freshCache() })).stdout).toBe(`beta.m${MODULES - 1} 1500\n`);
  });

  test("a Python without lzma and a pack not unpacked yet: one line saying what to do, exit 77; unpacked packs still read", () => {
    const cache = freshCache();
    const noLzma = "import sys; sys.modules['lzma'] = None; ";
    const r = run(out, [noLzma + IMPORT("alpha")], { PYZAP_CACHE: cache });
    expect(r.status).toBe(77);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^pyzap: .* has no lzma module, needed to unpack the bundle's bytecode; run it with a Python built with lzma \(PYZAP_PYTHON\), or rebuild the bundle with --compress 0$/)]);
    ok(run(out, [IMPORT("alpha")], { PYZAP_CACHE: cache }));
    expect(ok(run(out, [noLzma + IMPORT("alpha")], { PYZAP_CACHE: cache })).stdout).toBe(`alpha.m${MODULES - 1} 1500\n`);
  });

  test("a copy that cannot be written: the pack is decompressed in memory, said under PYZAP_DEBUG=1", () => {
    const cache = freshCache();
    ok(run(out, ["import app"], { PYZAP_CACHE: cache }));
    // A directory where alpha's copy should go: the rename over it fails.
    mkdirSync(path.join(packDir(cache).dir, packOf("alpha")));
    const r = ok(run(out, [IMPORT("alpha")], { PYZAP_CACHE: cache, PYZAP_DEBUG: "1" }));
    expect(r.stdout).toBe(`alpha.m${MODULES - 1} 1500\n`);
    expect(r.stderr).toMatch(/keeping bytecode pack \S+ in memory/);
    expect(packDir(cache).files.filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("no usable cache directory (every candidate read-only): it still runs, from memory", (ctx) => {
    // A mount namespace where the cache candidates are read-only (root here; CI runs as root too).
    const wrap = `for d in /tmp /var/tmp /dev/shm /var/cache; do mount --bind $d $d && mount -o remount,bind,ro $d || exit 99; done; exec "$@"`;
    const probe = spawnSync("unshare", ["-m", "sh", "-c", wrap, "sh", "true"]);
    if (probe.status !== 0) {
      process.stdout.write(`skipped: cannot make read-only mounts here (unshare -m: ${probe.status ?? probe.error?.message})\n`);
      ctx.skip();
    }
    const r = run("unshare", ["-m", "sh", "-c", wrap, "sh", out, IMPORT("alpha")], { PYZAP_CACHE: path.join(dir, "nowhere"), PYZAP_DEBUG: "1", XDG_RUNTIME_DIR: undefined });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`alpha.m${MODULES - 1} 1500\n`);
    expect(r.stderr).toMatch(/bytecode packs of \S+: no cache directory \(.*\); decompressing them in memory/);
  });
});
