// The archive behind the launcher must be a zip that every reader accepts:
// offsets made absolute, with and without ZIP64 records.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import yauzl from "yauzl";
import type { ArchiveEntry } from "../packages/cli/src/stages/write.js";
import { writeBundle } from "../packages/cli/src/stages/write.js";
import { makeOffsetsAbsolute } from "../packages/cli/src/format/zipfix.js";
import { tempDir } from "./helpers.js";

const dir = tempDir();
// Any prefix works; an odd length catches offsets that were not adjusted.
const launcher = { path: "fake", bytes: Buffer.alloc(4099, 0x41), version: "0.0.0", target: "test" };
const entries: ArchiveEntry[] = [
  { name: ".pyzap/launcher.cfg", data: Buffer.from("pyzap 1\n"), store: true, mode: 0o644 },
  { name: "a/stored.pyc", data: Buffer.alloc(70000, 7), store: true, mode: 0o644 },
  { name: "a/deflated.py", data: Buffer.from("print('hi')\n".repeat(1000)), store: false, mode: 0o644 },
  { name: "b/lib.so", file: "/bin/ls", store: false, mode: 0o755 },
];

function readWithYauzl(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

describe.each([false, true])("a bundle written with forceZip64=%s", (forceZip64) => {
  const file = path.join(dir, `out-${forceZip64}.pyz`);

  test("is accepted by unzip, Python's zipfile and yauzl, with identical contents", async () => {
    await writeBundle(file, launcher, entries, { python: "3.11", forceZip64 });
    expect(statSync(file).mode & 0o777).toBe(0o755);
    expect(readFileSync(file).subarray(0, 4099).equals(launcher.bytes)).toBe(true);

    const unzip = spawnSync("unzip", ["-t", file], { encoding: "utf8" });
    expect(unzip.stdout + unzip.stderr).not.toMatch(/extra bytes/);
    expect(unzip.stdout.match(/ OK$/gm)).toHaveLength(entries.length);
    if (forceZip64) {
      // endrecord.ts: unzip reads the ZIP64 layout as a pre-ZIP64 zip and
      // notes that a ZIP64 record follows the central directory (exit 1).
      expect(unzip.stdout + unzip.stderr).toMatch(/didn't find end-of-central-dir signature at end of central dir/);
      expect(unzip.status).toBe(1);
    } else {
      expect(unzip.status).toBe(0);
    }

    const py = spawnSync("python3", ["-m", "zipfile", "-t", file], { encoding: "utf8" });
    expect(py.status, py.stderr).toBe(0);
    // Every zipimport, ZIP64-aware or not, reads the directory.
    const zi = spawnSync("python3", ["-c", "import sys, zipimport; z = zipimport.zipimporter(sys.argv[1]); print(z.get_data('a/deflated.py')[:11].decode())", file], { encoding: "utf8" });
    expect(zi.stderr).toBe("");
    expect(zi.stdout).toBe("print('hi')\n");

    const read = await readWithYauzl(file);
    expect([...read.keys()]).toEqual(entries.map((e) => e.name));
    expect(read.get("a/stored.pyc")?.equals(entries[1]!.data!)).toBe(true);
    expect(read.get("b/lib.so")?.equals(readFileSync("/bin/ls"))).toBe(true);
  });

  test("records ZIP64 only when asked", () => {
    const bytes = readFileSync(file);
    const hasZip64Eocd = bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    expect(hasZip64Eocd).toBe(forceZip64);
  });
});

// The writer only moves offsets into ZIP64 extra fields past 4 GiB, so build
// such a zip by hand (APPNOTE 4.3.7, 4.3.12, 4.3.14-16, 4.5.3) to check the
// fix-up of a local-header offset stored in the extra field.
function handMadeZip64(prefixLen: number): Buffer {
  const name = Buffer.from("hello.txt");
  const data = Buffer.from("hello from a zip64 extra\n");
  const crc = zlibCrc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const extra = Buffer.alloc(12);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8, 2);
  extra.writeBigUInt64LE(0n, 4); // local header at offset 0 of the zip
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(45, 4);
  central.writeUInt16LE(45, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(extra.length, 30);
  central.writeUInt32LE(0xffffffff, 42);
  const cd = Buffer.concat([central, name, extra]);
  const cdOffset = local.length + name.length + data.length;
  const eocd64 = Buffer.alloc(56);
  eocd64.writeUInt32LE(0x06064b50, 0);
  eocd64.writeBigUInt64LE(44n, 4);
  eocd64.writeUInt16LE(45, 12);
  eocd64.writeUInt16LE(45, 14);
  eocd64.writeBigUInt64LE(1n, 24);
  eocd64.writeBigUInt64LE(1n, 32);
  eocd64.writeBigUInt64LE(BigInt(cd.length), 40);
  eocd64.writeBigUInt64LE(BigInt(cdOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
  locator.writeUInt32LE(1, 16);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xffffffff, 12);
  eocd.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([Buffer.alloc(prefixLen, 0x42), local, name, data, cd, eocd64, locator, eocd]);
}

function zlibCrc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test("a local-header offset kept in a ZIP64 extra field is made absolute too", async () => {
  const file = path.join(dir, "extra64.zip");
  writeFileSync(file, handMadeZip64(777));
  const before = spawnSync("unzip", ["-t", file], { encoding: "utf8" });
  expect(before.stdout + before.stderr).toMatch(/777 extra bytes/);

  const fh = await open(file, "r+");
  await makeOffsetsAbsolute(fh, 777);
  await fh.close();

  const after = spawnSync("unzip", ["-p", file, "hello.txt"], { encoding: "utf8" });
  expect(after.stderr).toBe("");
  expect(after.stdout).toBe("hello from a zip64 extra\n");
  const read = await readWithYauzl(file);
  expect(read.get("hello.txt")?.toString()).toBe("hello from a zip64 extra\n");
});
