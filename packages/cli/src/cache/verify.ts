// `pyzap cache verify`: re-hash every file of an entry against the entry.cfg
// it was extracted from (the f lines: xxh64 size mode path), read by the one
// cfg parser (format/cfg.ts), so an entry.cfg the launcher would refuse is
// reported, never half-read.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseCfg, type Cfg } from "../format/cfg.js";
import { hashFile } from "../format/key.js";
import { ENTRY_CFG } from "../format/layout.js";
import { lstatOrNull } from "./scan.js";

export interface VerifyProblem {
  path: string;
  problem: "missing" | "modified" | "size" | "mode" | "not a file" | "unexpected" | "no entry.cfg" | "bad entry.cfg";
}

export interface VerifyResult {
  key: string;
  path: string;
  files: number;
  ok: boolean;
  problems: VerifyProblem[];
}

export async function verifyEntry(entryDir: string): Promise<VerifyResult> {
  const key = path.basename(entryDir);
  const result: VerifyResult = { key, path: entryDir, files: 0, ok: false, problems: [] };
  let raw: Buffer;
  try {
    raw = readFileSync(path.join(entryDir, ENTRY_CFG));
  } catch {
    result.problems.push({ path: ENTRY_CFG, problem: "no entry.cfg" });
    return result;
  }
  let cfg: Cfg;
  try {
    cfg = await parseCfg(raw, ENTRY_CFG);
  } catch {
    result.problems.push({ path: ENTRY_CFG, problem: "bad entry.cfg" });
    return result;
  }
  // An entry lives at ROOT/KEY: a cfg with another key was put there by hand.
  if (cfg.key !== key) {
    result.problems.push({ path: ENTRY_CFG, problem: "bad entry.cfg" });
    return result;
  }
  const files = cfg.files;
  result.files = files.length;
  const site = path.join(entryDir, "site");
  for (const f of files) {
    const full = path.join(site, f.path);
    const st = lstatOrNull(full);
    let problem: VerifyProblem["problem"] | null = null;
    if (!st) problem = "missing";
    else if (!st.isFile()) problem = "not a file";
    else if (st.size !== f.size) problem = "size";
    else if ((await hashFile(full)) !== f.hash) problem = "modified";
    else if ((st.mode & 0o777) !== f.mode) problem = "mode";
    if (problem) result.problems.push({ path: f.path, problem });
  }
  const listed = new Set(files.map((f) => f.path));
  for (const rel of listFiles(site, "")) {
    if (!listed.has(rel)) result.problems.push({ path: rel, problem: "unexpected" });
  }
  result.ok = result.problems.length === 0;
  return result;
}

/** Non-directory paths under `dir`, relative, sorted. */
function listFiles(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = lstatOrNull(path.join(dir, name));
    if (st?.isDirectory()) out.push(...listFiles(path.join(dir, name), rel));
    else out.push(rel);
  }
  return out;
}
