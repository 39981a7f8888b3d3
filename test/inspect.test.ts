// `pyzap inspect` on real bundles from the fixture wheelhouse, and on inputs
// that are not bundles.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, ok, pyzap, run, tempDir } from "./helpers.js";
import { escapeRegExp, launcherTarget, pythonTags } from "./pythons.js";

const dir = tempDir();
const libs = path.join(dir, "libs.pyz");
// The bundle is built with python3 on this machine: its tags, not 3.11's or x86_64's.
const host = pythonTags();

beforeAll(() => {
  bundle(inject("wheelhouse"), "fixture-libs", "fixture-libs-demo", libs);
});

/** Replace what depends on the machine (paths, compiler output, launcher build) so the shape is what is compared. */
function normalise(value: Record<string, any>): Record<string, any> {
  // The interpreter's and the CPU's names (the test checks them against the
  // interpreter) and the bootstrap's own file count belong to other parts of
  // pyzap, not to inspect.
  const v = JSON.parse(JSON.stringify(value).replaceAll(host.extSuffix, "<EXT_SUFFIX>"));
  Object.assign(v.python, { requires: "<X.Y>", cacheTag: "<CACHE_TAG>", soabi: "<SOABI>", platform: "<PLATFORM>" });
  v.launcher.target = "<TARGET>";
  v.file = "<bundle>";
  v.size = "<bytes>";
  v.cacheKey = "<xxh64>";
  v.python.executable = "<python>";
  v.python.version = "<X.Y.Z>";
  v.launcher.size = "<bytes>";
  v.launcher.version = "<version>";
  v.builtBy = v.builtBy.replace(/\d+\.\d+\.\d+/, "<version>");
  v.totals.entries = "<n>";
  v.totals.zipped.files = "<n>";
  for (const u of v.unpack) Object.assign(u, { size: "<bytes>", xxh64: "<xxh64>" });
  for (const t of [v.totals.zipped, v.totals.unpacked]) Object.assign(t, { bytes: "<bytes>", compressedBytes: "<bytes>" });
  // Bytecode differs from one Python version to the next.
  if (v.bytecode) {
    v.bytecode.key = "<sha256>";
    for (const p of v.bytecode.packs) Object.assign(p, { bytes: "<bytes>", packedBytes: "<bytes>" });
  }
  return v;
}

describe("pyzap inspect", () => {
  test("lists the C extension and the pkg.libs library with their reasons; --json is stable", () => {
    const result = JSON.parse(ok(pyzap(["inspect", libs, "--json"])).stdout);
    expect(result.unpack.map((u: { path: string; reason: string }) => [u.path, u.reason])).toEqual([
      ["fixture_libs.libs/libfoo.so.1", "native: ELF shared library"],
      [`fixture_libs/_core${host.extSuffix}`, "native: ELF extension module fixture_libs._core"],
    ]);
    // What the bundle needs, as the build interpreter says it; the launcher for this CPU.
    expect(result.python).toMatchObject({ requires: host.version, cacheTag: host.cacheTag, soabi: host.soabi, platform: host.platform });
    expect(result.launcher.target).toBe(launcherTarget());
    // The numbers agree with the file and with each other.
    const manifest = JSON.parse(ok(run("unzip", ["-p", libs, ".pyzap/manifest.json"])).stdout);
    expect(result.cacheKey).toBe(manifest.cacheKey);
    expect(result.size).toBe(readFileSync(libs).length);
    expect(result.totals.unpacked).toMatchObject({ files: 2, bytes: manifest.totals.unpackedBytes });
    const firstHeader = ok(run("python3", ["-c", "import sys, zipfile; print(min(i.header_offset for i in zipfile.ZipFile(sys.argv[1]).infolist()))", libs])).stdout;
    expect(result.launcher.size).toBe(Number(firstHeader));
    expect(result.launcher.size).toBeGreaterThan(10_000);
    expect(result.launcher.version).toMatch(/^\d+\.\d+\.\d+$/);
    // The bytecode packs, as the archive holds them: each pack's size in the zip, its modules and raw size from the index.
    const packs = "import json, marshal, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1]); i = marshal.loads(z.read('.pyzap/bytecode/index'))\nprint(json.dumps({'key': i['key'], 'packs': [{'name': n, 'modules': sum(1 for f in i['files'].values() if f[0] == k), 'bytes': raw, 'packedBytes': z.getinfo('.pyzap/bytecode/' + n).compress_size} for k, (n, raw, h) in enumerate(i['packs'])]}))";
    const expected = JSON.parse(ok(run("python3", ["-c", packs, libs])).stdout) as { key: string; packs: object[] };
    expect(result.bytecode).toMatchObject(expected);
    expect(normalise(result)).toMatchSnapshot();
    // Stable: a second run prints the same bytes.
    expect(ok(pyzap(["inspect", libs, "--json"])).stdout).toBe(JSON.stringify(result, null, 2) + "\n");
  });

  test("the human form names the bundle, the Python, the launcher and each unpacked file", () => {
    const out = ok(pyzap(["inspect", libs])).stdout;
    expect(out).toMatch(/bundle +fixture-libs-demo 0\.1\.0, runs fixture_libs:main/);
    expect(out).toMatch(new RegExp(`\n  python +${escapeRegExp(`${host.version} (${host.cacheTag}, ${host.soabi})`)}, built with `));
    expect(out).toMatch(new RegExp(`\n  launcher +\\d+\\.\\d+\\.\\d+ ${escapeRegExp(launcherTarget())}, `));
    expect(out).toMatch(/unpacked +2 files/);
    expect(out).toMatch(/\n  bytecode +1 module in 1 xz pack, \d+ B; each unpacked \(\d+ B in all\) into the cache \(pyc-[0-9a-f]{16}\) on the first import of one of its modules\n/);
    expect(out).toMatch(/\nBYTECODE PACK +MODULES +PACKED +UNPACKED +PACKAGES\n0\.xz +1 +\d+ B +\d+ B +fixture_libs\n/);
    expect(out).toMatch(/fixture_libs\.libs\/libfoo\.so\.1 +\d+ KiB +644 +native: ELF shared library/);
    // Where each package's code runs from, and why.
    expect(out).toMatch(/^PACKAGE +RUNS FROM +WHY\nfixture_libs +archive +zipped: no code reads the package's own files by path; its 1 native file is unpacked\n/m);
  });

  test("bad input: one clear line each, with its own exit code", () => {
    const text = path.join(dir, "notes.txt");
    writeFileSync(text, "not a bundle\n");
    const plainZip = path.join(dir, "plain.zip");
    ok(run("python3", ["-c", `import zipfile; zipfile.ZipFile(${JSON.stringify(plainZip)}, "w").writestr("a.txt", "x")`]));
    const truncated = path.join(dir, "truncated.pyz");
    const whole = readFileSync(libs);
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const folder = path.join(dir, "folder");
    mkdirSync(folder);

    const cases: [string, number, RegExp][] = [
      [text, 20, /^pyzap: .*notes\.txt is not a pyzap bundle \(not a zip archive\)(; .+)?$/],
      [plainZip, 20, /^pyzap: .*plain\.zip is a zip but not a pyzap bundle \(no \.pyzap\/launcher\.cfg\)(; .+)?$/],
      [truncated, 21, /^pyzap: .*truncated\.pyz is a truncated or corrupt pyzap bundle: the launcher is there but its zip cannot be read/],
      [folder, 22, /^pyzap: .*folder is a directory, not a bundle(; .+)?$/],
      [path.join(dir, "missing.pyz"), 3, /^pyzap: no such file: .*missing\.pyz(; .+)?$/],
    ];
    for (const [file, code, first] of cases) {
      const r = pyzap(["inspect", file]);
      expect([r.status, r.stdout], file).toEqual([code, ""]);
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines, r.stderr).toHaveLength(1); // one line: what was wrong; what to do
      expect(lines[0]).toMatch(first);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

// A bundle is a file anyone can craft: inspect must not be the way in.
describe("inspect on a tampered bundle", () => {
  /** A copy of `libs` with its manifest and launcher.cfg rewritten by `edit` (Python's zipfile). */
  function tampered(name: string, edit: string): string {
    const out = path.join(dir, name);
    const script = `
import json, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin:
    # Everything read first: writestr() rewrites the ZipInfo it is given.
    items = [(info, zin.read(info)) for info in zin.infolist()]
with zipfile.ZipFile(dst, "w") as zout:
    for info, data in items:
        if info.filename == ".pyzap/manifest.json":
            m = json.loads(data)
            ${edit}
            data = m if isinstance(m, bytes) else json.dumps(m).encode()
        zout.writestr(info, data)
`;
    ok(run("python3", ["-c", script, libs, out]));
    return out;
  }

  test("a manifest that would inflate to gigabytes is refused before it is read (exit 21)", () => {
    const bomb = tampered("bomb.pyz", 'm = b" " * (65 << 20)');
    const r = pyzap(["inspect", bomb]);
    expect([r.status, r.stdout]).toEqual([21, ""]);
    expect(r.stderr).toContain(`${bomb}: .pyzap/manifest.json claims ${65 << 20} bytes, more than any bundle needs`);
  });

  test("escape sequences in names reach the terminal escaped", () => {
    const ansi = tampered("ansi.pyz", 'm["name"] = "evil\\x1b]0;owned\\x07\\x1b[2J"');
    const r = ok(pyzap(["inspect", ansi]));
    expect(r.stdout).not.toMatch(/\x1b|\x07/);
    expect(r.stdout).toContain("evil\\x1b]0;owned\\x07\\x1b[2J");
  });

  test("a manifest that hides what launcher.cfg unpacks is refused, not described (exit 21)", () => {
    const hiding = tampered("hiding.pyz", 'm["unpack"] = []');
    const r = pyzap(["inspect", hiding]);
    expect(r.status).toBe(21);
    expect(r.stderr).toMatch(/its manifest does not match launcher\.cfg, which the launcher follows: launcher\.cfg unpacks \S+, which the manifest does not list/);
    const otherKey = tampered("otherkey.pyz", 'm["cacheKey"] = "0123456789abcdef"');
    expect(pyzap(["inspect", otherKey]).stderr).toContain("cache key 0123456789abcdef in the manifest");
  });
});
