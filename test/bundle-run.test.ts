// End to end: build real bundles from fixture wheels with the real CLI, run
// the real files, and check what a user would see.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, bytecodeOf, LAUNCHER, ok, pyzap, run, tempDir } from "./helpers.js";
import { otherPythonVersion } from "./pythons.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const cache = path.join(dir, "cache");
const ext = path.join(dir, "ext.pyz");
const env = { PYZAP_CACHE: cache };

interface Report {
  argv: string[];
  sum: number;
  pure_file: string;
  native_file: string;
  native_origin: string;
  version: string;
  pythonpath: string;
  child_executable?: { code: number; out: string; err: string };
  child_env?: { code: number; out: string; err: string };
  child_foreign?: { code: number; out: string; err: string };
}

const report = (stdout: string) => JSON.parse(stdout) as Report;
const manifestKey = (file: string) => JSON.parse(ok(run("unzip", ["-p", file, ".pyzap/manifest.json"])).stdout).cacheKey as string;
const launcherSize = statSync(LAUNCHER).size;
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Every path under `root` with its inode and mtime: changes if anything is re-extracted. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (d === root && name.endsWith(".users")) continue; // use records: checked where it matters
      const p = path.join(d, name);
      const st = statSync(p);
      out.push(`${path.relative(root, p)} ${st.ino} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

beforeAll(() => {
  bundle(wheelhouse, "fixture-ext", "fixture-ext-demo", ext);
});

describe("a bundle with a C extension", () => {
  test("runs with its arguments; the .so comes from the cache, pure Python from the archive", () => {
    const result = ok(run("./ext.pyz", ["arg1", "arg two"], env, dir));
    const r = report(result.stdout);
    const key = manifestKey(ext);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(r.argv).toEqual(["./ext.pyz", "arg1", "arg two"]);
    expect(r.sum).toBe(5);
    expect(r.version).toBe("1.2.3");
    expect(r.native_file).toBe(path.join(cache, key, "site/fixture_ext", path.basename(r.native_file)));
    expect(r.native_origin).toBe(r.native_file);
    expect(r.pure_file.startsWith(`${ext}/site-packages/fixture_ext/`)).toBe(true);
    expect(existsSync(r.pure_file)).toBe(false); // really inside the zip, not on disk
    expect(existsSync(r.native_file)).toBe(true);
  });

  test("passes the application's exit status through", () => {
    expect(run(ext, [], { ...env, FIXTURE_EXIT: "3" }).status).toBe(3);
  });

  test("the second run does not extract again", () => {
    ok(run(ext, [], env));
    const before = snapshot(cache);
    ok(run(ext, [], env));
    expect(snapshot(cache)).toEqual(before);
  });

  test("a renamed copy and a different bundle with the same natives share the entry", () => {
    ok(run(ext, [], env));
    const before = snapshot(cache);
    const renamed = path.join(dir, "renamed.pyz");
    copyFileSync(ext, renamed);
    ok(run(renamed, [], env));
    const other = path.join(dir, "other.pyz");
    ok(pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-ext", "-e", "fixture_ext.cli:main", "-o", other]));
    expect(sha(other)).not.toBe(sha(ext));
    expect(manifestKey(other)).toBe(manifestKey(ext));
    expect(report(ok(run(other, [], env)).stdout).sum).toBe(5);
    expect(snapshot(cache)).toEqual(before);
    // ...and each of the three left its use record for `pyzap cache list`.
    expect(readdirSync(path.join(cache, `${manifestKey(ext)}.users`))).toHaveLength(3);
  });

  test("Python subprocesses see the bundle's packages; a different Python version is not polluted", (ctx) => {
    const foreign = otherPythonVersion();
    if (!foreign) console.log("skipping the foreign-Python half: no Python of another X.Y is installed");
    const r = report(ok(run(ext, ["--children"], { ...env, FIXTURE_FOREIGN_PYTHON: foreign ?? "" })).stdout);
    const expected = `42 ${r.native_file} ${r.pure_file}`;
    expect(r.child_executable).toMatchObject({ code: 0, out: expected });
    expect(r.child_env).toMatchObject({ code: 0, out: expected });
    if (!foreign) return ctx.skip();
    expect(r.child_foreign?.code, r.child_foreign?.err).toBe(0);
    const seen = JSON.parse(r.child_foreign?.out ?? "{}") as { imported: boolean; path: string[] };
    expect(seen.imported).toBe(false);
    expect(seen.path.filter((p) => p.startsWith(ext) || p.startsWith(cache))).toEqual([]);
  });

  test("`python3 bundle.pyz` works without the launcher and uses the same cache entry", () => {
    ok(run(ext, [], env));
    const before = snapshot(cache);
    const r = report(ok(run("python3", [ext, "x"], env)).stdout);
    expect(r.argv).toEqual([ext, "x"]);
    expect(r.native_file.startsWith(path.join(cache, manifestKey(ext)))).toBe(true);
    expect(snapshot(cache)).toEqual(before);

    const fresh = path.join(dir, "fresh-cache");
    const r2 = report(ok(run("python3", [ext], { PYZAP_CACHE: fresh })).stdout);
    expect(r2.native_file.startsWith(path.join(fresh, manifestKey(ext), "site/"))).toBe(true);
  });
});

describe("an auditwheel-style wheel (pkg.libs/libfoo.so.1 through $ORIGIN)", () => {
  test("loads its vendored library from the cache entry", () => {
    const file = path.join(dir, "libs.pyz");
    bundle(wheelhouse, "fixture-libs", "fixture-libs-demo", file);
    const key = manifestKey(file);
    const out = JSON.parse(ok(run(file, [], env)).stdout) as { answer: number; native_file: string };
    expect(out.answer).toBe(42);
    expect(out.native_file.startsWith(path.join(cache, key, "site/fixture_libs/_core."))).toBe(true);
    expect(existsSync(path.join(cache, key, "site/fixture_libs.libs/libfoo.so.1"))).toBe(true);
  });
});

describe("the archive", () => {
  test("two builds of the same inputs are byte-identical, and unzip -t passes", () => {
    const again = path.join(dir, "again.pyz");
    bundle(wheelhouse, "fixture-ext", "fixture-ext-demo", again);
    expect(sha(again)).toBe(sha(ext));
    expect(ok(run("unzip", ["-t", ext])).stdout).toMatch(/No errors detected/);
    expect(statSync(ext).mode & 0o777).toBe(0o755);
  });

  test("the launcher config is the first entry; .pyc files are in the bytecode packs, their sources in the xz chunks", () => {
    const list = ok(run("zipinfo", [ext])).stdout.split("\n");
    const entries = list.filter((l) => /^[-d]r/.test(l));
    expect(entries[0]).toMatch(/ stor .* \.pyzap\/launcher\.cfg$/);
    expect(list.some((l) => / site-packages\/fixture_ext\/cli\.pyc$/.test(l))).toBe(false);
    expect(bytecodeOf(ext).filter((b) => b.name === "site-packages/fixture_ext/cli.pyc").map((b) => b.where)).toEqual(["pack"]);
    expect(list.some((l) => / stor .* \.pyzap\/bytecode\/0\.xz$/.test(l))).toBe(true);
    expect(list.some((l) => / site-packages\/fixture_ext\/cli\.py$/.test(l))).toBe(false);
    expect(list.some((l) => / stor .* \.pyzap\/sources\/0\.xz$/.test(l))).toBe(true);
  });
});

describe("a damaged bundle", () => {
  test.each([
    // Cut inside the zip: a file cut inside the launcher's own ELF image is
    // killed by the kernel's loader before any code of ours runs.
    ["truncated in the middle of the zip", (f: string) => truncateSync(f, launcherSize + Math.floor((statSync(f).size - launcherSize) / 2))],
    ["missing its last byte", (f: string) => truncateSync(f, statSync(f).size - 1)],
    ["with a garbage central directory", (f: string) => {
      const bytes = readFileSync(f);
      const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      const cd = bytes.readUInt32LE(eocd + 16);
      bytes.fill(0x5a, cd, eocd);
      writeFileSync(f, bytes);
    }],
  ])("%s gives one clear line and exit 65, never a crash", (_name, damage) => {
    const file = path.join(dir, "damaged.pyz");
    copyFileSync(ext, file);
    damage(file);
    const result = run(file, [], { PYZAP_CACHE: path.join(dir, "damaged-cache") });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(65);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^pyzap: .+\n$/);
  });
});
