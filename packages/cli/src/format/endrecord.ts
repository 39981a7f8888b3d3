// The end of a bundle's zip must be readable by every Python that runs it.
//
// CPython's zipimport before 3.13 knows nothing of ZIP64. It takes the classic
// end record (APPNOTE 4.3.16) from the last 22 bytes, finds the central
// directory at (record position - CD size), trusts 32-bit sizes and offsets
// and never checks the entry count. 3.13 reads the ZIP64 end record when it
// sits right before the locator and the classic record, then checks the count.
// The writer adds ZIP64 end records from 65,535 entries on and saturates
// every classic field (0xFFFF, 0xFFFFFFFF): 3.11 and 3.12 then fail at every
// start with "bad central directory size".
//
// While every offset fits in 32 bits we keep the ZIP64 records (zipfile,
// zipimport 3.13, yauzl and the launcher use them) and fill the classic
// record with real values for the readers that ignore them:
//   entry count  the count modulo 65536: the convention of zips written
//                before ZIP64, which unzip, Go and Java accept by counting
//   CD size      from the first central header to this record, so it covers
//                the 76 bytes of ZIP64 records and an old reader that
//                subtracts it lands on the first central header
//   CD offset    the real, absolute one
// unzip cross-checks the classic size against the ZIP64 one; as they differ
// it reads the archive as a pre-ZIP64 one, tests every entry, and ends with a
// note (exit 1) because a ZIP64 record, not the classic one, follows the CD.
// Past 4 GiB no classic record can describe the archive: only Python 3.13 and
// later can import from it, and the build refuses older targets.
import { PyzapError } from "../util/errors.js";
import { humanBytes } from "../util/units.js";
import type { ZipLayout } from "./zipfix.js";

const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const EOCD_SIG = 0x06054b50;
const EOCD_SIZE = 22;
/** The first CPython whose zipimport reads ZIP64 end records. */
const ZIP64_PYTHON = [3, 13] as const;

/**
 * classic: a classic end record only (what the writer wrote);
 * both: ZIP64 records plus a classic record that old readers can use;
 * zip64: offsets past 4 GiB, readable only by ZIP64 readers.
 */
export type EndRecordKind = "classic" | "both" | "zip64";

export function chooseEndRecord(layout: ZipLayout): EndRecordKind {
  if (layout.zip64Headers > 0 || layout.eocdPos > U32_MAX) return "zip64";
  return layout.zip64Records ? "both" : "classic";
}

/** The classic end record for readers that ignore ZIP64 ("both" layouts). */
export function classicEndRecord(layout: ZipLayout): Buffer {
  const eocd = Buffer.alloc(EOCD_SIZE);
  eocd.writeUInt32LE(EOCD_SIG, 0);
  eocd.writeUInt16LE(layout.entries % (U16_MAX + 1), 8);
  eocd.writeUInt16LE(layout.entries % (U16_MAX + 1), 10);
  eocd.writeUInt32LE(layout.eocdPos - layout.cdOffset, 12);
  eocd.writeUInt32LE(layout.cdOffset, 16);
  return eocd; // disk numbers and comment length stay 0
}

/** Whether CPython X.Y's zipimport reads ZIP64 end records. */
export function zipimportReadsZip64(python: string): boolean {
  const [major = 0, minor = 0] = python.split(".").map(Number);
  return major > ZIP64_PYTHON[0] || (major === ZIP64_PYTHON[0] && minor >= ZIP64_PYTHON[1]);
}

/** Refuses an archive that the target Python could not import from. */
export function checkReadableBy(python: string, why: string): void {
  if (zipimportReadsZip64(python)) return;
  throw new PyzapError(
    "ZIP_TOO_BIG",
    `${why}, so the zip needs ZIP64 offsets, and Python ${python} cannot import from such a zip (zipimport reads ZIP64 from Python ${ZIP64_PYTHON.join(".")} on)`,
    { hint: `build with Python ${ZIP64_PYTHON.join(".")} or later (--python python${ZIP64_PYTHON.join(".")}), or leave large data files out of the bundle` },
  );
}

/** Before writing: a reason the zip is sure to pass 4 GiB, or null. */
export function sureToPass4GiB(launcherBytes: number, entries: { name: string; size: number; stored: boolean }[]): string | null {
  let stored = launcherBytes;
  for (const e of entries) {
    // The writer keeps the sizes of a file this big in a ZIP64 extra field.
    if (e.size > U32_MAX) return `${e.name} is ${humanBytes(e.size)}, over 4 GiB`;
    if (e.stored) stored += e.size;
  }
  return stored > U32_MAX ? `the stored files alone take ${humanBytes(stored)}, over 4 GiB` : null;
}

/** After writing: why a "zip64" layout could not do with 32-bit offsets. */
export function whyZip64(layout: ZipLayout): string {
  if (layout.zip64Headers > 0) return `${layout.zip64Headers} file(s) of the bundle have sizes or offsets over 4 GiB`;
  return `the bundle is ${humanBytes(layout.eocdPos + EOCD_SIZE)}, over 4 GiB`;
}
