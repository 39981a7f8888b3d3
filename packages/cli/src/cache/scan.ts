// What is in a cache root: one record per key, put together from ROOT/KEY
// (complete entry), ROOT/KEY.lock (someone extracting or deleting it) and
// ROOT/KEY.tmp-PID / ROOT/KEY.del-PID (work in progress, or left by a crash).
import { lstatSync, readdirSync, readFileSync, type Stats } from "node:fs";
import path from "node:path";

export const LOCK_STALE_MS = 10_000; // docs/format.md: a lock older than this (mtime) is stale

export interface Leftover {
  path: string;
  pid: number;
  alive: boolean;
}

export interface CacheEntry {
  key: string;
  state: "complete" | "partial" | "locked";
  /** ROOT/KEY, null when only a partial extraction exists. */
  path: string | null;
  /** The bundle that extracted it (entry.cfg's name/version); the bundle path is not recorded. */
  bundles: { name: string | null; version: string | null; path: null }[];
  files: number;
  bytes: number; // sum of the sizes of the files under site/
  diskBytes: number; // blocks allocated to everything under ROOT/KEY
  created: string | null; // when entry.cfg was written, i.e. the extraction finished
  lastUsed: string | null; // ROOT/KEY's mtime (the launcher refreshes it once a day)
  lock: { path: string; ageMs: number; stale: boolean } | null;
  leftovers: Leftover[];
}

const NAME = /^([0-9a-f]{16})(?:\.(lock)|\.(tmp|del)-(\d+))?$/;

/** Every key found in `root`, sorted by key. */
export function scanRoot(root: string, now = Date.now()): CacheEntry[] {
  const byKey = new Map<string, CacheEntry>();
  const get = (key: string): CacheEntry => {
    let e = byKey.get(key);
    if (!e) {
      e = { key, state: "partial", path: null, bundles: [], files: 0, bytes: 0, diskBytes: 0, created: null, lastUsed: null, lock: null, leftovers: [] };
      byKey.set(key, e);
    }
    return e;
  };
  for (const name of readdirSync(root)) {
    const m = NAME.exec(name);
    if (!m?.[1]) continue;
    const full = path.join(root, name);
    const st = lstatOrNull(full);
    if (!st?.isDirectory()) continue;
    const entry = get(m[1]);
    if (m[2] === "lock") {
      const ageMs = now - st.mtimeMs;
      entry.lock = { path: full, ageMs: Math.round(ageMs), stale: ageMs > LOCK_STALE_MS };
    } else if (m[3] && m[4]) {
      const pid = Number(m[4]);
      entry.leftovers.push({ path: full, pid, alive: isAlive(pid) });
    } else {
      describeEntry(entry, full, st);
    }
  }
  for (const e of byKey.values()) if (e.lock && !e.lock.stale) e.state = "locked";
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

function describeEntry(entry: CacheEntry, dir: string, st: Stats): void {
  entry.state = "complete";
  entry.path = dir;
  entry.lastUsed = mtimeIso(dir);
  const cfg = path.join(dir, "entry.cfg");
  const cfgStat = lstatOrNull(cfg);
  entry.created = cfgStat ? mtimeIso(cfg) : null;
  const header = cfgStat ? readHeader(cfg) : {};
  entry.bundles = [{ name: header.name ?? null, version: header.version ?? null, path: null }];
  const sizes = { files: 0, bytes: 0, diskBytes: st.blocks * 512 };
  measure(dir, sizes, path.join(dir, "site"));
  entry.files = sizes.files;
  entry.bytes = sizes.bytes;
  entry.diskBytes = sizes.diskBytes;
}

/** Adds up `dir` recursively; only regular files under `site` count as entry files. */
function measure(dir: string, sizes: { files: number; bytes: number; diskBytes: number }, site: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // deleted meanwhile: report what was there
  }
  for (const name of names) {
    const full = path.join(dir, name);
    const st = lstatOrNull(full);
    if (!st) continue;
    sizes.diskBytes += st.blocks * 512;
    if (st.isDirectory()) measure(full, sizes, site);
    else if (st.isFile() && full.startsWith(`${site}/`)) {
      sizes.files += 1;
      sizes.bytes += st.size;
    }
  }
}

/** name and version records of an entry.cfg (the header is before the f lines). */
export function readHeader(cfg: string): { name?: string; version?: string } {
  const out: { name?: string; version?: string } = {};
  let text: string;
  try {
    text = readFileSync(cfg, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    if (line.startsWith("f ")) break;
    if (line.startsWith("name ")) out.name = line.slice(5);
    else if (line.startsWith("version ")) out.version = line.slice(8);
  }
  return out;
}

/** mtime as ISO text, truncated to the millisecond from the exact nanoseconds (as _commands.py does). */
function mtimeIso(p: string): string | null {
  try {
    return new Date(Number(lstatSync(p, { bigint: true }).mtimeNs / 1_000_000n)).toISOString();
  } catch {
    return null;
  }
}

export function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

/** kill(pid, 0): ESRCH means gone; EPERM means alive but someone else's. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
