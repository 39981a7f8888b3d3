// The fixed parts of a zip that pyzap writes itself (zipwriter.ts): local and
// central headers and the end records, section numbers from PKWARE's
// APPNOTE.TXT 6.3. Offsets are relative to the zip's first byte; zipfix.ts
// makes them absolute once the launcher is in front.

export const U32_MAX = 0xffffffff;
export const U16_MAX = 0xffff;
const LOCAL_SIG = 0x04034b50; // 4.3.7
const CENTRAL_SIG = 0x02014b50; // 4.3.12
const ZIP64_EOCD_SIG = 0x06064b50; // 4.3.14
const ZIP64_LOCATOR_SIG = 0x07064b50; // 4.3.15
const EOCD_SIG = 0x06054b50; // 4.3.16
const ZIP64_EXTRA_ID = 0x0001; // 4.5.3
const UTF8_NAMES = 0x0800; // general purpose bit 11: names are UTF-8
const VERSION_DEFAULT = 20; // 2.0: deflate, directories
const VERSION_ZIP64 = 45; // 4.5: ZIP64 fields
const MADE_BY_UNIX = 3 << 8; // 4.4.2: external attributes hold st_mode
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const DOS_DIRECTORY = 0x10;

/** One entry as it lands in the zip: what its headers say. */
export interface ZipRecord {
  name: Buffer;
  method: 0 | 8;
  crc: number;
  /** Bytes of the data as stored (deflated or not). */
  csize: number;
  /** Bytes once inflated. */
  usize: number;
  /** Where its local header starts. */
  offset: number;
  mode: number;
  /** DOS date << 16 | DOS time. */
  dosDateTime: number;
}

/**
 * The local header (4.3.7). `reserveZip64`: sizes go in a ZIP64 extra field
 * (an entry whose sizes may pass 4 GiB; the central header decides for readers).
 */
export function localHeader(r: ZipRecord, reserveZip64: boolean): Buffer {
  const zip64 = reserveZip64 || r.usize >= U32_MAX || r.csize >= U32_MAX;
  const head = Buffer.alloc(30 + r.name.length + (zip64 ? 20 : 0));
  head.writeUInt32LE(LOCAL_SIG, 0);
  head.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  head.writeUInt16LE(UTF8_NAMES, 6);
  head.writeUInt16LE(r.method, 8);
  head.writeUInt32LE(r.dosDateTime >>> 0, 10); // time (low 16 bits), then date
  head.writeUInt32LE(r.crc >>> 0, 14);
  head.writeUInt32LE(zip64 ? U32_MAX : r.csize, 18);
  head.writeUInt32LE(zip64 ? U32_MAX : r.usize, 22);
  head.writeUInt16LE(r.name.length, 26);
  head.writeUInt16LE(zip64 ? 20 : 0, 28);
  r.name.copy(head, 30);
  if (zip64) {
    const x = 30 + r.name.length;
    head.writeUInt16LE(ZIP64_EXTRA_ID, x);
    head.writeUInt16LE(16, x + 2);
    head.writeBigUInt64LE(BigInt(r.usize), x + 4);
    head.writeBigUInt64LE(BigInt(r.csize), x + 12);
  }
  return head;
}

/** The central header (4.3.12): 32-bit fields past 4 GiB move into a ZIP64 extra field, in APPNOTE's order. */
export function centralHeader(r: ZipRecord): Buffer {
  const big = [r.usize, r.csize, r.offset].map((v) => v >= U32_MAX);
  const values = [r.usize, r.csize, r.offset].filter((_, i) => big[i]);
  const extraLen = values.length > 0 ? 4 + 8 * values.length : 0;
  const version = extraLen > 0 ? VERSION_ZIP64 : VERSION_DEFAULT;
  const isDir = r.name[r.name.length - 1] === 0x2f; // "/"
  const head = Buffer.alloc(46 + r.name.length + extraLen);
  head.writeUInt32LE(CENTRAL_SIG, 0);
  head.writeUInt16LE(MADE_BY_UNIX | version, 4);
  head.writeUInt16LE(version, 6);
  head.writeUInt16LE(UTF8_NAMES, 8);
  head.writeUInt16LE(r.method, 10);
  head.writeUInt32LE(r.dosDateTime >>> 0, 12);
  head.writeUInt32LE(r.crc >>> 0, 16);
  head.writeUInt32LE(big[1] ? U32_MAX : r.csize, 20);
  head.writeUInt32LE(big[0] ? U32_MAX : r.usize, 24);
  head.writeUInt16LE(r.name.length, 28);
  head.writeUInt16LE(extraLen, 30);
  // comment length, disk number, internal attributes: 0
  head.writeUInt32LE((((isDir ? S_IFDIR : S_IFREG) | r.mode) * 0x10000 + (isDir ? DOS_DIRECTORY : 0)) >>> 0, 38);
  head.writeUInt32LE(big[2] ? U32_MAX : r.offset, 42);
  r.name.copy(head, 46);
  if (extraLen > 0) {
    let x = 46 + r.name.length;
    head.writeUInt16LE(ZIP64_EXTRA_ID, x);
    head.writeUInt16LE(extraLen - 4, x + 2);
    x += 4;
    for (const v of values) {
      head.writeBigUInt64LE(BigInt(v), x);
      x += 8;
    }
  }
  return head;
}

/**
 * The end of the zip: with `zip64`, the ZIP64 end record and locator
 * (4.3.14-15) and a classic record of placeholders (endrecord.ts fills in real
 * values where old readers need them); otherwise the classic record alone.
 */
export function endRecords(entries: number, cdOffset: number, cdSize: number, zip64: boolean): Buffer {
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD_SIG, 0);
  if (!zip64) {
    eocd.writeUInt16LE(entries, 8);
    eocd.writeUInt16LE(entries, 10);
    eocd.writeUInt32LE(cdSize, 12);
    eocd.writeUInt32LE(cdOffset, 16);
    return eocd;
  }
  eocd.writeUInt16LE(U16_MAX, 8);
  eocd.writeUInt16LE(U16_MAX, 10);
  eocd.writeUInt32LE(U32_MAX, 12);
  eocd.writeUInt32LE(U32_MAX, 16);
  const rec = Buffer.alloc(56);
  rec.writeUInt32LE(ZIP64_EOCD_SIG, 0);
  rec.writeBigUInt64LE(44n, 4); // size of the rest of the record
  rec.writeUInt16LE(MADE_BY_UNIX | VERSION_ZIP64, 12);
  rec.writeUInt16LE(VERSION_ZIP64, 14);
  rec.writeBigUInt64LE(BigInt(entries), 24);
  rec.writeBigUInt64LE(BigInt(entries), 32);
  rec.writeBigUInt64LE(BigInt(cdSize), 40);
  rec.writeBigUInt64LE(BigInt(cdOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(ZIP64_LOCATOR_SIG, 0);
  locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
  locator.writeUInt32LE(1, 16); // total number of disks
  return Buffer.concat([rec, locator, eocd]);
}

/** DOS date and time (4.4.6) of a Date's local components: date << 16 | time. */
export function dosDateTime(d: Date): number {
  const date = ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
  return date * 0x10000 + time;
}
