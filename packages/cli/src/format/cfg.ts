// The cfg files of a bundle (docs/format.md, ".pyzap/launcher.cfg"): what the
// launcher acts on. One home in TypeScript for writing them (the build) and
// reading them (inspect, `pyzap cache verify`), with the rules of
// launcher-c/src/cfg.c and _pyzap/_cfg.py; docs/vectors/protocol.txt holds the
// cases all three must agree on (test/unit/protocol.test.ts runs them here).
// launcher.cfg, runtime.cfg and a cache entry's entry.cfg share this format.
import { PyzapError } from "../util/errors.js";
import { cacheKey, cacheKeyOfLines } from "./key.js";
import { LAUNCHER_CFG } from "./layout.js";


export const LIMITS = {
  bytes: 16 * 1024 * 1024,
  files: 1_000_000,
  line: 8192,
  component: 255, // bytes per path component
  path: 1024, // bytes per f path
  depth: 128, // components per f path
} as const;

/** One `f HASH SIZE MODE PATH` line: a file the launcher unpacks into ROOT/KEY/site. */
export interface CfgFile {
  hash: string;
  size: number;
  mode: 0o644 | 0o755;
  /** Relative, "/"-separated; the bytes as written (any bytes but NUL, "/" and "\n"). */
  path: string;
}

export interface Cfg {
  /** The header records ("name", "version", "python", …) in file order; f lines excluded. */
  records: Map<string, string>;
  /** The cache key: 16 hex digits, or null for "-" (nothing to unpack). */
  key: string | null;
  files: CfgFile[];
  /** The f lines as read (without their newlines): what the key hashes. */
  fLines: Buffer[];
}

/** Records the launcher checks; any other record is ignored (forward compatibility). */
const CHECKED = new Set(["name", "version", "key", "python", "pyver"]);

/**
 * Parse and check cfg bytes as the launcher does: limits, path rules, sorted
 * paths, and the key recomputed from the f lines. Throws PyzapError
 * (CORRUPT_BUNDLE) naming the first problem.
 */
export async function parseCfg(raw: Buffer, what = LAUNCHER_CFG): Promise<Cfg> {
  const cfg = readCfg(raw, what);
  if (cfg.key !== null) {
    const computed = await cacheKeyOfLines(cfg.fLines);
    if (computed !== cfg.key) throw badCfg(what, `key ${cfg.key} is not the hash of its f lines (${computed})`);
  }
  return cfg;
}

/** parseCfg without the key check, which needs the (asynchronously loaded) hasher. */
export function readCfg(raw: Buffer, what = LAUNCHER_CFG): Cfg {
  const bad = (why: string) => badCfg(what, why);
  if (raw.length > LIMITS.bytes) throw bad(`larger than ${LIMITS.bytes} bytes`);
  if (raw.length === 0 || raw[raw.length - 1] !== 0x0a) throw bad("not terminated by a newline");
  const lines = splitLines(raw.subarray(0, raw.length - 1));
  const records = new Map<string, string>();
  const files: CfgFile[] = [];
  const fLines: Buffer[] = [];
  let last: Buffer | null = null;
  for (const [index, line] of lines.entries()) {
    const n = index + 1;
    if (line.length > LIMITS.line) throw bad(`line ${n} is longer than ${LIMITS.line} bytes`);
    if (line.includes(0)) throw bad(`line ${n} contains a NUL byte`);
    if (n === 1) {
      if (!line.equals(Buffer.from("pyzap 1"))) throw bad(`first line is ${JSON.stringify(line.subarray(0, 40).toString("latin1"))}, expected "pyzap 1" (format 1)`);
      continue;
    }
    const space = line.indexOf(0x20);
    const record = (space < 0 ? line : line.subarray(0, space)).toString("latin1");
    const rest = space < 0 ? null : line.subarray(space + 1);
    if (!record) throw bad(`line ${n}: empty line or record name`);
    if (record === "f") {
      if (!rest) throw bad(`line ${n}: f line has no fields`);
      const file = parseFileLine(rest, n, bad);
      if (last && Buffer.compare(file.bytes, last) <= 0) throw bad(`line ${n}: paths are not sorted or repeat (${file.parsed.path})`);
      last = file.bytes;
      if (files.length >= LIMITS.files) throw bad(`more than ${LIMITS.files} files`);
      files.push(file.parsed);
      fLines.push(line);
    } else if (record === "pyzap") {
      throw bad(`line ${n}: a second "pyzap" header`);
    } else if (CHECKED.has(record)) {
      if (!rest) throw bad(`line ${n}: record "${record}" has no value`);
      if (records.has(record)) throw bad(`line ${n}: record "${record}" appears twice`);
      const value = rest.toString("utf8");
      if (record === "key" && value !== "-" && !HEX16.test(value)) throw bad(`line ${n}: key must be 16 lowercase hex digits or "-"`);
      if (record === "python" && (!value.startsWith("/") || rest.length > 4095)) throw bad(`line ${n}: python must be an absolute path of at most 4095 bytes`);
      if (record === "pyver" && !/^\d{1,3}\.\d{1,3}$/.test(value)) throw bad(`line ${n}: pyver must look like 3.11`);
      records.set(record, value);
    } else if (rest) {
      records.set(record, rest.toString("utf8"));
    }
  }
  const key = records.get("key");
  if (key === undefined) throw bad("no key record");
  if (key === "-" && files.length > 0) throw bad(`key is "-" but there are ${files.length} f lines`);
  return { records, key: key === "-" ? null : key, files, fLines };
}

const badCfg = (what: string, why: string) => new PyzapError("CORRUPT_BUNDLE", `bad ${what}: ${why}`, { hint: "rebuild the bundle with pyzap" });

/**
 * A cfg as the build writes it (launcher.cfg, runtime.cfg): "pyzap 1", its
 * key (the hash of its f lines, "-" for none), the other records in order,
 * then one f line per file (sorted by path bytes). The lines are rendered
 * once, for both the key and the text.
 */
export async function entryCfg(records: [string, string][], files: CfgFile[]): Promise<{ key: string | null; text: string }> {
  const lines = files.map(fileLine);
  const key = lines.length > 0 ? await cacheKey(lines) : null;
  return { key, text: cfgText([["key", key ?? "-"], ...records], lines) };
}

/** "pyzap 1", the records in order, then the f lines (each ending in "\n"). */
export function cfgText(records: [string, string][], fLines: string[]): string {
  for (const [name, value] of records) {
    if (/[\n\0]/.test(value) || !/^[a-z]+$/.test(name)) throw new Error(`cfg record ${JSON.stringify(name)} cannot hold ${JSON.stringify(value)}`);
  }
  const head = ["pyzap 1", ...records.map(([name, value]) => `${name} ${value}`)];
  return `${head.join("\n")}\n${fLines.join("")}`;
}

/** One f line, with its newline. A path the launcher would refuse is refused here, so such a bundle is never written. */
export function fileLine(f: CfgFile): string {
  const problem = pathProblem(Buffer.from(f.path));
  if (problem) {
    throw new PyzapError("BAD_ARCHIVE", `${f.path.slice(0, 120)}: a path to unpack ${problem}`, {
      hint: "leave that package zipped (--zip PKG) or shorten its paths",
    });
  }
  return `f ${f.hash} ${f.size} ${f.mode.toString(8)} ${f.path}\n`;
}

/** null, or why an f path breaks the launcher's rules: relative, no empty/./.. component, the limits. */
export function pathProblem(path: Buffer): string | null {
  if (path.length === 0 || path[0] === 0x2f || path.includes(0) || path.includes(0x0a)) return "must be relative, without NUL or newline";
  if (path.length > LIMITS.path) return `may have at most ${LIMITS.path} bytes`;
  const parts = path.toString("latin1").split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) return 'may not have an empty, "." or ".." component';
  if (parts.some((p) => p.length > LIMITS.component)) return `may have components of at most ${LIMITS.component} bytes`;
  if (parts.length > LIMITS.depth) return `may have at most ${LIMITS.depth} components`;
  return null;
}

const HEX16 = /^[0-9a-f]{16}$/;
const SIZE = /^(0|[1-9][0-9]{0,18})$/;

function parseFileLine(fields: Buffer, n: number, bad: (why: string) => PyzapError): { parsed: CfgFile; bytes: Buffer } {
  // HASH SIZE MODE PATH: the path is everything after the third space (it may hold spaces).
  const cuts: number[] = [];
  for (let i = 0; i < fields.length && cuts.length < 3; i++) if (fields[i] === 0x20) cuts.push(i);
  if (cuts.length < 3) throw bad(`line ${n}: expected "f HASH SIZE MODE PATH"`);
  const [a, b, c] = cuts as [number, number, number];
  const hash = fields.subarray(0, a).toString("latin1");
  const size = fields.subarray(a + 1, b).toString("latin1");
  const mode = fields.subarray(b + 1, c).toString("latin1");
  const bytes = fields.subarray(c + 1);
  if (!HEX16.test(hash)) throw bad(`line ${n}: hash must be 16 lowercase hex digits`);
  if (!SIZE.test(size) || BigInt(size) > 0x7fffffffffffffffn) throw bad(`line ${n}: size must be a decimal number`);
  if (mode !== "644" && mode !== "755") throw bad(`line ${n}: mode must be 644 or 755`);
  const problem = pathProblem(bytes);
  if (problem) throw bad(`line ${n}: the path ${problem}`);
  return { parsed: { hash, size: Number(size), mode: mode === "755" ? 0o755 : 0o644, path: bytes.toString("utf8") }, bytes };
}

function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  lines.push(buf.subarray(start));
  return lines;
}

/** A name or version as a record value: whitespace becomes "_". */
export const oneLine = (s: string) => s.replace(/\s+/g, "_");
