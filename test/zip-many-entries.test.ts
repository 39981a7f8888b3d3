// Zips with 65,535 entries or more (ZIP64 end records): every Python that may
// run a bundle must import from them (the writer's decisions for zips past
// 4 GiB are unit-tested in test/unit/endrecord.test.ts).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, test } from "vitest";
import yauzl from "yauzl";
import type { ArchiveEntry } from "../packages/cli/src/stages/write.js";
import { writeBundle } from "../packages/cli/src/stages/write.js";
import { tempDir } from "./helpers.js";
import { pyenvPythonsMatching } from "./pythons.js";

const launcher = { path: "fake", bytes: Buffer.alloc(4099, 0x41), version: "0.0.0", target: "test" };

/** Every CPython 3 on this machine: python3, and pyenv's when there are some. */
function pythons(): string[] {
  const found = new Map<string, string>();
  for (const exe of ["python3", ...pyenvPythonsMatching(/^3\./)]) {
    const r = spawnSync(exe, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
    const v = r.stdout?.trim();
    if (r.status === 0 && v?.startsWith("3.") && !found.has(v)) found.set(v, exe);
  }
  return [...found.values()];
}

// Each one imports the module in the last entry; python3 also lists the zip
// with zipfile (what the bootstrap extracts with when run as python3 app.pyz).
const PROBE = `
import sys, importlib
sys.path.insert(0, sys.argv[1])
print(importlib.import_module(sys.argv[2]).X)
if len(sys.argv) > 3:
    import zipfile
    print(len(zipfile.ZipFile(sys.argv[1]).infolist()))
`;

// One under, at and one over the 16-bit count. Stored one-line modules keep it fast.
describe.each([65534, 65535, 65536])("a zip of %i entries", (count) => {
  test("is imported from by every Python found, listed whole by zipfile, yauzl and unzip", async () => {
    const dir = tempDir();
    const file = path.join(dir, "many.zip");
    const names = Array.from({ length: count - 1 }, (_, i) => `pkg/m${String(i).padStart(6, "0")}.py`);
    const entries: ArchiveEntry[] = [
      { name: "pkg/__init__.py", data: Buffer.alloc(0), store: true, mode: 0o644 as const },
      ...names.map((name, i) => ({ name, data: Buffer.from(`X = ${i}\n`), store: true, mode: 0o644 as const })),
    ];
    await writeBundle(file, launcher, entries, { python: "3.11" });

    const last = `pkg.m${String(count - 2).padStart(6, "0")}`;
    const found = pythons();
    expect(found.length).toBeGreaterThan(0);
    for (const exe of found) {
      const r = spawnSync(exe, ["-c", PROBE, file, last], { encoding: "utf8" });
      expect(r.stderr, exe).toBe("");
      expect(r.stdout, exe).toBe(`${count - 2}\n`);
    }
    console.log(`zipimport read ${count} entries on ${found.join(", ")}`);
    const listed = spawnSync("python3", ["-c", PROBE, file, last, "list"], { encoding: "utf8" });
    expect(listed.stdout).toBe(`${count - 2}\n${count}\n`);

    // yauzl (pyzap inspect) takes ~20 s for this many entries on a loaded
    // machine: once, where the count must come from the ZIP64 record.
    if (count > 0xffff) expect(await countWithYauzl(file)).toBe(count);
    const unzip = spawnSync("unzip", ["-t", file], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(unzip.stdout.match(/ OK$/gm)).toHaveLength(count);
  }, 120_000);
});

function countWithYauzl(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      let n = 0;
      zip.on("entry", () => {
        n++;
        zip.readEntry();
      });
      zip.on("end", () => resolve(n));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}
