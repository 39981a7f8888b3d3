// Makes the offsets of a zip that was written after `prefix` bytes (the
// launcher) absolute, so readers that trust them (yauzl, unzip) accept the
// file. The writer (zipwriter.ts) counts offsets from the zip's start, so we patch after
// writing: the EOCD's central-directory offset, each central header's local
// header offset, and in ZIP64 archives the ZIP64 EOCD record and locator.
// It returns where things ended up, for the end-record decision (endrecord.ts).
// Section numbers refer to PKWARE's APPNOTE.TXT 6.3.
import type { FileHandle } from "node:fs/promises";
import { PyzapError } from "../util/errors.js";

const EOCD_SIG = 0x06054b50; // 4.3.16
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50; // 4.3.15
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIG = 0x06064b50; // 4.3.14
const CENTRAL_SIG = 0x02014b50; // 4.3.12
const CENTRAL_SIZE = 46;
const ZIP64_EXTRA_ID = 0x0001; // 4.5.3
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

/** Where the parts of a written zip are, offsets absolute (launcher included). */
export interface ZipLayout {
  entries: number;
  /** Offset of the first central header. */
  cdOffset: number;
  /** Bytes of central headers (without the ZIP64 end records). */
  cdSize: number;
  /** Offset of the end of central directory record (the last 22 bytes). */
  eocdPos: number;
  /** Whether the ZIP64 end record and locator sit between the CD and the EOCD. */
  zip64Records: boolean;
  /** Central headers that keep a size or offset in a ZIP64 extra field. */
  zip64Headers: number;
}

export async function makeOffsetsAbsolute(fh: FileHandle, prefix: number): Promise<ZipLayout> {
  const size = (await fh.stat()).size;
  const { eocdPos, eocd } = await findEocd(fh, size);
  let cdOffset = eocd.readUInt32LE(16);
  let cdSize = eocd.readUInt32LE(12);
  let entries = eocd.readUInt16LE(10);
  // ZIP64 records are used when the locator is there (APPNOTE 4.3.15), as every
  // reader we rely on does; placeholders without one are an error.
  const placeholders = cdOffset === U32_MAX || cdSize === U32_MAX || entries === U16_MAX;
  const locator = eocdPos >= ZIP64_LOCATOR_SIZE ? await readAt(fh, eocdPos - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE, size) : undefined;
  const hasLocator = locator?.readUInt32LE(0) === ZIP64_LOCATOR_SIG;
  if (placeholders && !hasLocator) fail("ZIP64 locator missing");
  let z64: { pos: number; rec: Buffer; locator: Buffer } | undefined;
  if (locator && hasLocator) {
    const pos = prefix + toNumber(locator.readBigUInt64LE(8));
    const rec = await readAt(fh, pos, 56, size);
    if (rec.readUInt32LE(0) !== ZIP64_EOCD_SIG) fail("ZIP64 end record not where the locator says");
    entries = toNumber(rec.readBigUInt64LE(32));
    cdSize = toNumber(rec.readBigUInt64LE(40));
    cdOffset = toNumber(rec.readBigUInt64LE(48));
    z64 = { pos, rec, locator };
  }
  const cd = await readAt(fh, prefix + cdOffset, cdSize, size);
  const zip64Headers = patchCentralDirectory(cd, entries, prefix);
  await fh.write(cd, 0, cd.length, prefix + cdOffset);
  if (z64) {
    z64.rec.writeBigUInt64LE(BigInt(prefix + cdOffset), 48);
    z64.locator.writeBigUInt64LE(BigInt(z64.pos), 8);
    await fh.write(z64.rec, 0, z64.rec.length, z64.pos);
    await fh.write(z64.locator, 0, z64.locator.length, eocdPos - ZIP64_LOCATOR_SIZE);
  }
  if (eocd.readUInt32LE(16) !== U32_MAX) {
    eocd.writeUInt32LE(checkU32(prefix + cdOffset), 16);
    await fh.write(eocd, 0, EOCD_SIZE, eocdPos);
  }
  return { entries, cdOffset: prefix + cdOffset, cdSize, eocdPos, zip64Records: z64 !== undefined, zip64Headers };
}

/** Returns how many headers use a ZIP64 extra field. */
function patchCentralDirectory(cd: Buffer, entries: number, prefix: number): number {
  let pos = 0;
  let zip64Headers = 0;
  for (let i = 0; i < entries; i++) {
    if (pos + CENTRAL_SIZE > cd.length || cd.readUInt32LE(pos) !== CENTRAL_SIG) fail(`central header ${i} is malformed`);
    const nameLen = cd.readUInt16LE(pos + 28);
    const extraLen = cd.readUInt16LE(pos + 30);
    const commentLen = cd.readUInt16LE(pos + 32);
    const end = pos + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (end > cd.length) fail(`central header ${i} runs past the directory`);
    const local = cd.readUInt32LE(pos + 42);
    if (local === U32_MAX || cd.readUInt32LE(pos + 20) === U32_MAX || cd.readUInt32LE(pos + 24) === U32_MAX) zip64Headers++;
    if (local === U32_MAX) {
      patchZip64Extra(cd, pos, cd.subarray(pos + CENTRAL_SIZE + nameLen, pos + CENTRAL_SIZE + nameLen + extraLen), prefix);
    } else {
      cd.writeUInt32LE(checkU32(local + prefix), pos + 42);
    }
    pos = end;
  }
  return zip64Headers;
}

// The ZIP64 extra field holds, in this order, only the values whose 32-bit
// header field is 0xFFFFFFFF: uncompressed size, compressed size, local offset.
function patchZip64Extra(cd: Buffer, header: number, extra: Buffer, prefix: number): void {
  let pos = 0;
  while (pos + 4 <= extra.length) {
    const id = extra.readUInt16LE(pos);
    const len = extra.readUInt16LE(pos + 2);
    if (pos + 4 + len > extra.length) break;
    if (id === ZIP64_EXTRA_ID) {
      let field = pos + 4;
      if (cd.readUInt32LE(header + 24) === U32_MAX) field += 8;
      if (cd.readUInt32LE(header + 20) === U32_MAX) field += 8;
      if (field + 8 > pos + 4 + len) break;
      extra.writeBigUInt64LE(extra.readBigUInt64LE(field) + BigInt(prefix), field);
      return;
    }
    pos += 4 + len;
  }
  fail("a central header says its offset is in a ZIP64 extra field that is not there");
}

async function findEocd(fh: FileHandle, size: number): Promise<{ eocdPos: number; eocd: Buffer }> {
  const window = Math.min(size, EOCD_SIZE + U16_MAX);
  const tail = await readAt(fh, size - window, window, size);
  for (let i = window - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === window) {
      return { eocdPos: size - window + i, eocd: Buffer.from(tail.subarray(i, i + EOCD_SIZE)) };
    }
  }
  return fail("end of central directory not found");
}

async function readAt(fh: FileHandle, pos: number, len: number, size: number): Promise<Buffer> {
  if (pos < 0 || len < 0 || len > size - pos) fail(`read of ${len} bytes at ${pos} is outside the file`);
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  if (bytesRead !== len) fail(`short read at ${pos}`);
  return buf;
}

function checkU32(value: number): number {
  if (value > U32_MAX) fail("an offset no longer fits in 32 bits; the archive needs ZIP64");
  return value;
}

function toNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail("a ZIP64 value is out of range");
  return Number(value);
}

function fail(what: string): never {
  throw new PyzapError("BAD_ARCHIVE", `cannot make the zip's offsets absolute: ${what}`);
}
