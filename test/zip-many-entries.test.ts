// Zips with 65,535 entries or more (ZIP64 end records) and zips past 4 GiB:
// every Python that may run a bundle must import from the first kind, and
// the build must refuse the second kind for a Python that cannot.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import yauzl from "yauzl";
import type { ArchiveEntry } from "../packages/cli/src/assemble.js";
import { checkReadableBy, chooseEndRecord, classicEndRecord, sureToPass4GiB, whyZip64 } from "../packages/cli/src/endrecord.js";
import { PyzapError } from "../packages/cli/src/errors.js";
import { writeBundle } from "../packages/cli/src/write.js";
import type { ZipLayout } from "../packages/cli/src/zipfix.js";
import { tempDir } from "./helpers.js";

const GiB = 1024 ** 3;
const small: ZipLayout = { entries: 70000, cdOffset: 5_000_000, cdSize: 4_200_000, eocdPos: 9_200_076, zip64Records: true, zip64Headers: 0 };

describe("the end record the writer chooses", () => {
  test("a zip with ZIP64 records whose offsets fit in 32 bits gets a classic record old readers can use", () => {
    expect(chooseEndRecord(small)).toBe("both");
    const eocd = classicEndRecord(small);
    expect(eocd.readUInt32LE(0)).toBe(0x06054b50);
    expect(eocd.readUInt16LE(10)).toBe(70000 - 65536); // count modulo 65536
    expect(eocd.readUInt32LE(12)).toBe(4_200_076); // CD + 76 bytes of ZIP64 records
    expect(eocd.readUInt32LE(16)).toBe(5_000_000);
  });

  test("without ZIP64 records the classic record stays as written", () => {
    expect(chooseEndRecord({ ...small, entries: 100, zip64Records: false })).toBe("classic");
  });

  test("past 4 GiB, or with one file over 4 GiB, only ZIP64 can describe the zip", () => {
    const big = { ...small, cdOffset: 5 * GiB, eocdPos: 5 * GiB + 4_200_076 };
    expect(chooseEndRecord(big)).toBe("zip64");
    expect(whyZip64(big)).toMatch(/the bundle is 5\.0 GiB, over 4 GiB/);
    // A huge but compressible file: the zip is small, its central header is not.
    const huge = { ...small, zip64Headers: 1 };
    expect(chooseEndRecord(huge)).toBe("zip64");
    expect(whyZip64(huge)).toMatch(/1 file\(s\) of the bundle have sizes or offsets over 4 GiB/);
    // The last byte a 32-bit offset reaches is still fine.
    expect(chooseEndRecord({ ...small, eocdPos: 0xffffffff })).toBe("both");
    expect(chooseEndRecord({ ...small, eocdPos: 0x100000000 })).toBe("zip64");
  });

  test("a ZIP64-only zip is refused for Python before 3.13 (exit 11), accepted from 3.13 on", () => {
    const refused = catchError(() => checkReadableBy("3.12", "the bundle is 5.0 GiB, over 4 GiB"));
    expect(refused.code).toBe("ZIP_TOO_BIG");
    expect(refused.exitCode).toBe(11);
    expect(refused.message).toMatch(/the bundle is 5\.0 GiB, over 4 GiB, so the zip needs ZIP64 offsets, and Python 3\.12 cannot import/);
    expect(refused.hint).toMatch(/--python python3\.13/);
    for (const ok of ["3.13", "3.14", "4.0"]) expect(() => checkReadableBy(ok, "x")).not.toThrow();
    for (const old of ["3.6", "3.11", "2.7"]) expect(() => checkReadableBy(old, "x")).toThrow(PyzapError);
  });

  test("what is sure to pass 4 GiB is known before writing", () => {
    expect(sureToPass4GiB(1 << 20, [{ name: "a.bin", size: 3 * GiB, stored: false }])).toBeNull();
    expect(sureToPass4GiB(1 << 20, [{ name: "a.bin", size: 4 * GiB + 1, stored: false }])).toMatch(/a\.bin is 4\.0 GiB, over 4 GiB/);
    const stored = [1, 2, 3].map((i) => ({ name: `f${i}.pyc`, size: 1.5 * GiB, stored: true }));
    expect(sureToPass4GiB(0, stored)).toMatch(/the stored files alone take 4\.5 GiB/);
  });

  test("the build refuses, before writing, a file over 4 GiB for Python 3.11", async () => {
    const dir = tempDir();
    const output = path.join(dir, "big.pyz");
    // A sparse file: 5 GiB of size, no disk used; never read because refused first.
    const sparse = path.join(dir, "huge.bin");
    spawnSync("truncate", ["-s", String(5 * GiB), sparse]);
    const entries: ArchiveEntry[] = [{ name: "site-packages/huge.bin", file: sparse, store: false, mode: 0o644 }];
    const error = await writeBundle(output, launcher, entries, { python: "3.11" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PyzapError);
    expect((error as PyzapError).exitCode).toBe(11);
    expect((error as PyzapError).message).toMatch(/site-packages\/huge\.bin is 5\.0 GiB, over 4 GiB/);
    expect(existsSync(output)).toBe(false);
  });
});

const launcher = { path: "fake", bytes: Buffer.alloc(4099, 0x41), version: "0.0.0", target: "test" };

/** Every CPython 3 on this machine: python3, and pyenv's when there are some. */
function pythons(): string[] {
  const found = new Map<string, string>();
  const pyenv = path.join(process.env.PYENV_ROOT ?? path.join(homedir(), ".pyenv"), "versions");
  const candidates = ["python3", ...(existsSync(pyenv) ? readdirSync(pyenv).map((v) => path.join(pyenv, v, "bin/python3")) : [])];
  for (const exe of candidates) {
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

function catchError(fn: () => void): PyzapError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PyzapError) return error;
    throw error;
  }
  throw new Error("expected a PyzapError");
}
