// The writer's decision about the end of the zip (packages/cli/src/format/endrecord.ts):
// a classic record old zipimports can use while offsets fit in 32 bits, and a
// refusal, before or after writing, when they do not and the target Python
// is older than 3.13. Nothing here writes gigabytes.
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { type ArchiveEntry, checkReadableBy, chooseEndRecord, classicEndRecord, PyzapError, sureToPass4GiB, whyZip64, writeBundle, type ZipLayout } from "./cli-src.js";

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
    const dir = mkdtempSync(path.join(tmpdir(), "pyzap-unit-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const output = path.join(dir, "big.pyz");
    // A sparse file: 5 GiB of size, no disk used; never read because refused first.
    const sparse = path.join(dir, "huge.bin");
    writeFileSync(sparse, "");
    truncateSync(sparse, 5 * GiB);
    const entries: ArchiveEntry[] = [{ name: "site-packages/huge.bin", file: sparse, store: false, mode: 0o644 }];
    const error = await writeBundle(output, launcher, entries, { python: "3.11" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PyzapError);
    expect((error as PyzapError).exitCode).toBe(11);
    expect((error as PyzapError).message).toMatch(/site-packages\/huge\.bin is 5\.0 GiB, over 4 GiB/);
    expect(existsSync(output)).toBe(false);
  });
});

const launcher = { path: "fake", bytes: Buffer.alloc(4099, 0x41), version: "0.0.0", target: "test" };

function catchError(fn: () => void): PyzapError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PyzapError) return error;
    throw error;
  }
  throw new Error("expected a PyzapError");
}
