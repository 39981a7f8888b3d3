// What is in a cache root: one record per key, put together from ROOT/KEY
// (complete entry), ROOT/KEY.lock (someone extracting or deleting it) and
// ROOT/KEY.tmp-PID / ROOT/KEY.del-PID (work in progress, or left by a crash)
// and ROOT/KEY.users/H (one record per bundle that used the entry). Beside
// the entries, the runtime unpacks on demand ROOT/res-H (resources: a file
// asked for by path that the build did not unpack, _pyzap/_resources.py) and
// ROOT/pyc-H (bytecode packs, _pyzap/_bytecode.py): listed, pruned and cleaned
// the same way, with no entry.cfg to verify.
import { lstatSync, readdirSync, readFileSync, type Stats } from "node:fs";
import path from "node:path";
import { readCfg } from "../format/cfg.js";
import { ENTRY_CFG } from "../format/layout.js";

/** ROOT/res-H: resources the runtime extracted once (docs/format.md, "The cache"). */
export const RESOURCES_PREFIX = "res-";
/** ROOT/pyc-H: bytecode packs the runtime unpacked, one file per pack (docs/format.md, "Bytecode packs"). */
export const BYTECODE_PREFIX = "pyc-";

export type EntryKind = "entry" | "resources" | "bytecode";
/** What the runtime unpacks on demand, by the prefix of its key: its kind and where its files are. */
const RUNTIME_KINDS: Record<string, { kind: EntryKind; filesDir: string }> = {
  [RESOURCES_PREFIX]: { kind: "resources", filesDir: "site" },
  [BYTECODE_PREFIX]: { kind: "bytecode", filesDir: "" },
};
const kindOf = (key: string) => RUNTIME_KINDS[key.slice(0, 4)] ?? { kind: "entry" as const, filesDir: "site" };
/** A whole key: 16 hex digits, after res- or pyc- for what the runtime unpacked. */
export const KEY_RE = /^(?:res-|pyc-)?[0-9a-f]{16}$/;
/** A key or the start of one (pyzap cache clean/verify). */
export const KEY_PREFIX_RE = /^(?:res-|pyc-)?[0-9a-f]{1,16}$/;

export const LOCK_STALE_MS = 10_000; // docs/format.md: a lock older than this (mtime) is stale

/** By its mtime's age alone: older than 10 s, or more than 10 s in the future (docs/vectors/protocol.txt, "lockage"). */
export function lockAgeIsStale(ageMs: number): boolean {
  return ageMs > LOCK_STALE_MS || ageMs < -LOCK_STALE_MS;
}

export interface Leftover {
  path: string;
  pid: number;
  alive: boolean;
}

export interface CacheEntry {
  key: string;
  /** "entry": unpacked by a launcher from a bundle's cfg; "resources" (ROOT/res-H), "bytecode" (ROOT/pyc-H): unpacked by the runtime. */
  kind: EntryKind;
  state: "complete" | "partial" | "locked";
  /** ROOT/KEY, null when only a partial extraction exists. */
  path: string | null;
  /** The bundles that used it (KEY.users, most recent first); else the one that extracted it (entry.cfg, no path). */
  bundles: BundleUse[];
  files: number;
  bytes: number; // sum of the sizes of the files under site/
  diskBytes: number; // blocks allocated to everything under ROOT/KEY
  created: string | null; // when entry.cfg was written, i.e. the extraction finished
  lastUsed: string | null; // ROOT/KEY's mtime (the launcher refreshes it once a day)
  lock: { path: string; ageMs: number; stale: boolean } | null;
  leftovers: Leftover[];
}

export interface BundleUse {
  name: string | null;
  version: string | null;
  path: string | null; // the bundle's real path when it last used the entry
  lastUsed: string | null; // the record's mtime (refreshed at most once a day)
}

const NAME = /^((?:res-|pyc-)?[0-9a-f]{16})(?:\.(lock|users)|\.(tmp|del|bad)-(\d+))?$/;
const RECORD = /^[0-9a-f]{16}$/;

/** Every key found in `root`, sorted by key. */
export function scanRoot(root: string, now = Date.now()): CacheEntry[] {
  return scanAll(root, now).entries;
}

/** scanRoot, plus the KEY.users directories whose entry is gone (debris for prune). */
export function scanAll(root: string, now = Date.now()): { entries: CacheEntry[]; orphanUsers: string[] } {
  const users = new Map<string, string>();
  const byKey = new Map<string, CacheEntry>();
  const get = (key: string): CacheEntry => {
    let e = byKey.get(key);
    if (!e) {
      e = { key, kind: kindOf(key).kind, state: "partial", path: null, bundles: [], files: 0, bytes: 0, diskBytes: 0, created: null, lastUsed: null, lock: null, leftovers: [] };
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
    if (m[2] === "users") {
      users.set(m[1], full);
      continue;
    }
    const entry = get(m[1]);
    if (m[2] === "lock") {
      const ageMs = now - st.mtimeMs;
      entry.lock = { path: full, ageMs: Math.round(ageMs), stale: lockAgeIsStale(ageMs) };
    } else if (m[3] && m[4]) {
      const pid = Number(m[4]);
      entry.leftovers.push({ path: full, pid, alive: isAlive(pid) });
    } else {
      describeEntry(entry, full, st);
    }
  }
  const orphanUsers: string[] = [];
  for (const [key, dir] of users) {
    const e = byKey.get(key);
    if (!e?.path) orphanUsers.push(dir);
    else {
      const found = readUsers(dir);
      if (found.length > 0) e.bundles = found;
    }
  }
  for (const e of byKey.values()) if (e.lock && !e.lock.stale) e.state = "locked";
  const entries = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  return { entries, orphanUsers: orphanUsers.sort() };
}

/** The records of a KEY.users directory, most recently used first (then by record name). */
function readUsers(dir: string): BundleUse[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => RECORD.test(n)).sort();
  } catch {
    return [];
  }
  const out: BundleUse[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    let text: string;
    try {
      if (!lstatSync(full).isFile()) continue;
      text = readFileSync(full, "utf8");
    } catch {
      continue; // removed meanwhile
    }
    const fields = text.replace(/\n$/, "").split("\t");
    if (fields.length !== 3) continue;
    const [bundleName, version, bundlePath] = fields as [string, string, string];
    out.push({ name: bundleName || null, version: version || null, path: bundlePath || null, lastUsed: mtimeIso(full) });
  }
  // Stable sort: equal times keep the record-name order.
  return out.sort((a, b) => ((b.lastUsed ?? "") < (a.lastUsed ?? "") ? -1 : (b.lastUsed ?? "") > (a.lastUsed ?? "") ? 1 : 0));
}

function describeEntry(entry: CacheEntry, dir: string, st: Stats): void {
  entry.state = "complete";
  entry.path = dir;
  entry.lastUsed = mtimeIso(dir);
  const sizes = { files: 0, bytes: 0, diskBytes: st.blocks * 512 };
  const filesDir = path.join(dir, kindOf(entry.key).filesDir);
  measure(dir, sizes, filesDir);
  Object.assign(entry, sizes);
  if (entry.kind !== "entry") {
    // No entry.cfg: written once (its files), then only its mtime is refreshed by the runtime that uses it.
    entry.created = mtimeIso(filesDir);
    entry.bundles = [];
    return;
  }
  const cfg = path.join(dir, ENTRY_CFG);
  const cfgStat = lstatOrNull(cfg);
  entry.created = cfgStat ? mtimeIso(cfg) : null;
  const header = cfgStat ? readHeader(cfg) : {};
  entry.bundles = [{ name: header.name ?? null, version: header.version ?? null, path: null, lastUsed: null }];
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

/** name and version records of an entry.cfg; none when it is unreadable or malformed (verify says which). */
export function readHeader(cfg: string): { name?: string; version?: string } {
  try {
    const { records } = readCfg(readFileSync(cfg), ENTRY_CFG);
    return { name: records.get("name"), version: records.get("version") };
  } catch {
    return {};
  }
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
