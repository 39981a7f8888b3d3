// Stage 4: launcher bytes, then the zip, written to a temporary file that is
// renamed over the output only when complete (never a half-written bundle).
import { randomBytes } from "node:crypto";
import { constants, lstatSync, statSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { PyzapError } from "../util/errors.js";
import { checkReadableBy, chooseEndRecord, classicEndRecord, sureToPass4GiB, whyZip64 } from "../format/endrecord.js";
import type { Launcher } from "./launcher.js";
import { release, track } from "../util/temp-paths.js";
import { makeOffsetsAbsolute } from "../format/zipfix.js";
import { writeZip } from "../format/zipwriter.js";

/** One entry of the bundle's zip, as the stages hand it to the writer. */
export interface ArchiveEntry {
  name: string;
  /** Content: a file on disk or bytes in memory. */
  file?: string;
  data?: Buffer;
  /** STORED instead of deflated (the cfg, the bootstrap's .pyc, data compressed already). */
  store: boolean;
  mode: 0o644 | 0o755;
}

// From this many entries the classic end record's count (16 bits) is the
// ZIP64 placeholder 0xFFFF: a placeholder without ZIP64 records is refused by
// the launcher (APPNOTE 4.4.1.4).
const ZIP64_ENTRIES = 0xffff;

export interface WriteOptions {
  /** X.Y of the Python the bundle runs on: before 3.13 its zipimport cannot read ZIP64 offsets. */
  python: string;
  /** Force ZIP64 records even for small archives (tests use it). */
  forceZip64?: boolean;
  /**
   * zlib level for the deflated entries, 0-9 (0: store everything). Default 6:
   * on certbot (9.2 MB) level 9 saved 0.2% of the size for 16% more build time.
   */
  compress?: number;
  /** Entries deflated at the same time (default: one per core); the archive is the same whatever it is. */
  threads?: number;
}

export async function writeBundle(output: string, launcher: Launcher, entries: ArchiveEntry[], options: WriteOptions): Promise<void> {
  const level = options.compress ?? 6;
  const sizes = entries.map((e) => ({ name: e.name, size: e.data?.length ?? statSync(e.file ?? "").size, stored: e.store || level === 0 }));
  // Refuse before writing gigabytes when the outcome is already known.
  const tooBig = sureToPass4GiB(launcher.bytes.length, sizes);
  if (tooBig) checkReadableBy(options.python, tooBig);
  refuseForeignLink(output);
  // An unpredictable name, created exclusively and never through a symlink:
  // in a directory others can write to (/tmp), a link planted at the temporary
  // name cannot redirect the write (or the chmod) to another file.
  const temp = `${output}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  let created = false;
  try {
    await mkdir(path.dirname(output), { recursive: true });
    const fh = await open(temp, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    created = true;
    track(temp); // removed should a signal end us mid-write
    try {
      await fh.write(launcher.bytes, 0, launcher.bytes.length, 0);
      const zip64 = options.forceZip64 || entries.length >= ZIP64_ENTRIES;
      await writeZip(fh, launcher.bytes.length, entries, { level, date: archiveDate(), zip64, threads: options.threads ?? availableParallelism() });
      const layout = await makeOffsetsAbsolute(fh, launcher.bytes.length);
      const end = chooseEndRecord(layout);
      if (end === "zip64") checkReadableBy(options.python, whyZip64(layout));
      if (end === "both") {
        const eocd = classicEndRecord(layout);
        await fh.write(eocd, 0, eocd.length, layout.eocdPos);
      }
      await fh.chmod(0o755);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, output); // replaces a link of ours at `output`, never follows it
    release(temp);
  } catch (error) {
    if (created) await rm(temp, { force: true });
    if (error instanceof PyzapError) throw error;
    throw new PyzapError("WRITE_FAILED", `cannot write ${output}: ${(error as Error).message}`, {
      hint: "check that the output directory exists, is writable and has space",
      cause: error,
    });
  }
}

/**
 * An output path that is a symlink owned by another user (not root) was
 * planted there: refuse it rather than replace what its owner may rely on.
 */
function refuseForeignLink(output: string): void {
  let st;
  try {
    st = lstatSync(output);
  } catch {
    return;
  }
  const euid = process.geteuid?.() ?? 0;
  if (st.isSymbolicLink() && st.uid !== euid && st.uid !== 0) {
    throw new PyzapError("WRITE_FAILED", `${output} is a symbolic link owned by uid ${st.uid}, not by you`, {
      hint: "remove it or choose another output path (-o)",
    });
  }
}

// Zip timestamps are DOS local time. A Date built from local components gives
// the same bytes in every time zone: SOURCE_DATE_EPOCH's UTC time, or 1980-01-01.
function archiveDate(): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  if (!process.env.SOURCE_DATE_EPOCH || !Number.isFinite(epoch)) return new Date(1980, 0, 1, 0, 0, 0);
  const utc = new Date(Math.max(epoch, 315532800) * 1000);
  return new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds());
}
