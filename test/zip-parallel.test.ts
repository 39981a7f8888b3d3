// The writer deflates several entries at once: the bundle must come out the
// same byte for byte on a 1-core and a many-core machine, and every entry
// must read back intact, whichever way it was written (deflated ahead,
// deflated small on the main thread, stored because it does not shrink,
// streamed because it is big).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { ArchiveEntry } from "../packages/cli/src/stages/write.js";
import { writeBundle } from "../packages/cli/src/stages/write.js";
import { tempDir } from "./helpers.js";

const dir = tempDir();
const launcher = { path: "fake", bytes: Buffer.alloc(4099, 0x41), version: "0.0.0", target: "test" };

// Bytes that do not compress, the same on every run.
function noise(bytes: number, seed: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < bytes; i++) parts.push(createHash("sha256").update(`${seed}${i}`).digest());
  return Buffer.concat(parts).subarray(0, bytes);
}

function entriesFor(): ArchiveEntry[] {
  const big = path.join(dir, "big.bin"); // past the size read whole: streamed
  writeFileSync(big, "");
  truncateSync(big, 80 << 20);
  const mid = path.join(dir, "mid.so");
  writeFileSync(mid, Buffer.concat(Array.from({ length: 40 }, (_, i) => Buffer.concat([noise(4096, `m${i % 3}`), Buffer.from(`block ${i}\n`.repeat(500))]))));
  const modules = Array.from({ length: 300 }, (_, i) => ({ name: `pkg/m${i}.py`, data: Buffer.from(`X = ${i}\n`.repeat(i * 20)), store: false, mode: 0o644 as const }));
  return [
    { name: ".pyzap/launcher.cfg", data: Buffer.from("pyzap 1\n"), store: true, mode: 0o644 },
    { name: "big.bin", file: big, store: false, mode: 0o644 },
    { name: "mid.so", file: mid, store: false, mode: 0o755 },
    { name: "noise.npz", data: noise(200_000, "n"), store: false, mode: 0o644 },
    { name: "empty.txt", data: Buffer.alloc(0), store: false, mode: 0o644 },
    { name: "pkg/", data: Buffer.alloc(0), store: true, mode: 0o755 },
    ...modules,
  ];
}

// Prints, for each entry: name, method (0 stored, 8 deflated), sha256 of the content.
const LIST = `
import hashlib, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    for i in z.infolist():
        print(i.filename, i.compress_type, hashlib.sha256(z.read(i)).hexdigest())
`;

describe("a bundle written with 1 and with 4 deflate threads", () => {
  test("is byte-identical, and every entry reads back as given", async () => {
    const entries = entriesFor();
    const one = path.join(dir, "one.pyz");
    const four = path.join(dir, "four.pyz");
    await writeBundle(one, launcher, entries, { python: "3.11", threads: 1 });
    await writeBundle(four, launcher, entries, { python: "3.11", threads: 4 });
    expect(readFileSync(four).equals(readFileSync(one))).toBe(true);

    const r = spawnSync("python3", ["-c", LIST, four], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const listed = r.stdout.trim().split("\n").map((l) => l.split(" "));
    expect(listed.map(([name]) => name)).toEqual(entries.map((e) => e.name));
    for (const [i, e] of entries.entries()) {
      const content = e.data ?? readFileSync(e.file ?? "");
      expect(listed[i]?.[2], e.name).toBe(createHash("sha256").update(content).digest("hex"));
    }
    const method = (name: string) => listed.find(([n]) => n === name)?.[1];
    // What deflating does not shrink is stored: smaller, and nothing to inflate at run time.
    expect(method("noise.npz")).toBe("0");
    expect(method("mid.so")).toBe("8");
    expect(method("big.bin")).toBe("8");
    expect(method("pkg/m10.py")).toBe("8");
    expect(method(".pyzap/launcher.cfg")).toBe("0");
  }, 60_000);
});
