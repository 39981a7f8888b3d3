// Reads what `pyzap inspect` shows from a bundle with yauzl: the central
// directory (sizes of every entry), .pyzap/manifest.json, .pyzap/launcher.cfg
// and the launcher bytes in front of the zip (its embedded version marker).
import { closeSync, openSync, readSync, statSync } from "node:fs";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { LIMITS, parseCfg, type Cfg } from "../format/cfg.js";
import { parseLauncherMarker } from "../format/launcher-marker.js";
import { LAUNCHER_CFG as CFG, MANIFEST_NAME as MANIFEST } from "../format/layout.js";
import type { Manifest } from "../format/manifest.js";
import { PyzapError } from "../util/errors.js";

export interface ZipListing {
  entries: { name: string; size: number; compressedSize: number }[];
  /** Offset of the first local header: the launcher's size. */
  zipStart: number;
  manifest: Manifest;
  /** launcher.cfg, checked as the launcher checks it (a tampered one is refused). */
  cfg: Cfg;
}

// What inspect is willing to inflate from a file it does not trust: the
// launcher's own cfg limit, and room for a manifest of ~100,000 unpacked
// files. A manifest that claims more is refused before a byte is inflated
// (yauzl then holds every entry to its declared size).
const CFG_MAX_BYTES = LIMITS.bytes;
const MANIFEST_MAX_BYTES = 64 << 20;

/** Checks `file` names a regular file; missing -> exit 3, directory -> exit 22. */
export function statInput(file: string): number {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new PyzapError("INPUT_NOT_FOUND", `no such file: ${file}`, { hint: "give the path of a bundle written by pyzap bundle" });
  }
  if (st.isDirectory()) throw new PyzapError("INPUT_IS_DIRECTORY", `${file} is a directory, not a bundle`, { hint: "give the path of a bundle file (app.pyz)" });
  return st.size;
}

/** The launcher marker ("pyzap-launcher X.Y.Z TARGET") in the first bytes, if any. */
export function readLauncherMarker(file: string, limit: number): { version: string; target: string } | null {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(Math.min(limit, 4 << 20));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return parseLauncherMarker(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

export async function readBundle(file: string): Promise<ZipListing> {
  const zip = await openZip(file);
  try {
    const entries: ZipListing["entries"] = [];
    let zipStart = Number.MAX_SAFE_INTEGER;
    const wanted = new Map<string, Entry>();
    for await (const entry of walk(zip)) {
      entries.push({ name: entry.fileName, size: entry.uncompressedSize, compressedSize: entry.compressedSize });
      zipStart = Math.min(zipStart, entry.relativeOffsetOfLocalHeader);
      if (entry.fileName === MANIFEST || entry.fileName === CFG) wanted.set(entry.fileName, entry);
    }
    const cfgEntry = wanted.get(CFG);
    const manifestEntry = wanted.get(MANIFEST);
    if (!cfgEntry) throw new PyzapError("NOT_A_BUNDLE", `${file} is a zip but not a pyzap bundle (no ${CFG})`, { hint: "build one with pyzap bundle" });
    if (!manifestEntry) throw new PyzapError("CORRUPT_BUNDLE", `${file} has no ${MANIFEST}`, { hint: "rebuild the bundle with pyzap bundle" });
    for (const [entry, max] of [[cfgEntry, CFG_MAX_BYTES], [manifestEntry, MANIFEST_MAX_BYTES]] as const) {
      if (entry.uncompressedSize > max) {
        throw new PyzapError("CORRUPT_BUNDLE", `${file}: ${entry.fileName} claims ${entry.uncompressedSize} bytes, more than any bundle needs (${max})`, {
          hint: "this is not a bundle pyzap wrote; do not run it",
        });
      }
    }
    const cfg = await parseCfg(await readEntry(zip, cfgEntry, file), `${file}: ${CFG}`);
    let manifest: Manifest;
    try {
      manifest = JSON.parse((await readEntry(zip, manifestEntry, file)).toString("utf8")) as Manifest;
    } catch (error) {
      if (error instanceof PyzapError) throw error;
      throw new PyzapError("CORRUPT_BUNDLE", `${file}: ${MANIFEST} is not valid JSON`, { hint: "rebuild the bundle with pyzap bundle", cause: error });
    }
    return { entries, zipStart: entries.length ? zipStart : 0, manifest, cfg };
  } finally {
    zip.close();
  }
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) reject(unreadable(file, error));
      else resolve(zip);
    });
  });
}

// A launcher in front but no readable zip after it: a bundle cut short
// (interrupted copy or download). Anything else is not a bundle at all.
function unreadable(file: string, cause: unknown): PyzapError {
  const size = statSync(file).size;
  if (readLauncherMarker(file, size)) {
    return new PyzapError("CORRUPT_BUNDLE", `${file} is a truncated or corrupt pyzap bundle: the launcher is there but its zip cannot be read (${(cause as Error)?.message ?? cause})`, {
      hint: "copy or download it again, or rebuild it with pyzap bundle",
      cause,
    });
  }
  return new PyzapError("NOT_A_BUNDLE", `${file} is not a pyzap bundle (not a zip archive)`, { hint: "give the path of a bundle written by pyzap bundle", cause });
}

async function* walk(zip: ZipFile): AsyncGenerator<Entry> {
  for (;;) {
    const next = await new Promise<Entry | null>((resolve, reject) => {
      const cleanup = () => zip.removeAllListeners("entry").removeAllListeners("end").removeAllListeners("error");
      zip.once("entry", (e: Entry) => (cleanup(), resolve(e)));
      zip.once("end", () => (cleanup(), resolve(null)));
      zip.once("error", (err: Error) => (cleanup(), reject(err)));
      zip.readEntry();
    }).catch((error: unknown) => {
      throw new PyzapError("CORRUPT_BUNDLE", `the zip directory is corrupt: ${(error as Error).message}`, { hint: "rebuild the bundle with pyzap bundle", cause: error });
    });
    if (!next) return;
    yield next;
  }
}

function readEntry(zip: ZipFile, entry: Entry, file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      const fail = (cause: unknown) =>
        reject(new PyzapError("CORRUPT_BUNDLE", `${file}: cannot read ${entry.fileName}: ${(cause as Error)?.message ?? cause}`, { hint: "rebuild the bundle with pyzap bundle", cause }));
      if (error || !stream) return fail(error);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", fail);
      stream.on("end", () => resolve(Buffer.concat(chunks)));
    });
  });
}
