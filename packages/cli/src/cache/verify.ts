// `pyzap cache verify`: re-hash every file of an entry against the entry.cfg
// it was extracted from (the f lines: xxh64 size mode path).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { hashFile } from "../hash.js";
import { lstatOrNull } from "./scan.js";

export interface VerifyProblem {
  path: string;
  problem: "missing" | "modified" | "size" | "mode" | "not a file" | "unexpected" | "no entry.cfg";
}

export interface VerifyResult {
  key: string;
  path: string;
  files: number;
  ok: boolean;
  problems: VerifyProblem[];
}

export interface CfgFile {
  hash: string;
  size: number;
  mode: number;
  path: string;
}

/** The `f` lines of a launcher.cfg or entry.cfg (docs/format.md). */
export function parseFiles(text: string): CfgFile[] {
  const files: CfgFile[] = [];
  for (const line of text.split("\n")) {
    const m = /^f ([0-9a-f]{16}) (\d+) (644|755) (.+)$/.exec(line);
    if (m?.[1] && m[2] && m[3] && m[4]) files.push({ hash: m[1], size: Number(m[2]), mode: parseInt(m[3], 8), path: m[4] });
  }
  return files;
}

export async function verifyEntry(entryDir: string): Promise<VerifyResult> {
  const key = path.basename(entryDir);
  const result: VerifyResult = { key, path: entryDir, files: 0, ok: false, problems: [] };
  let text: string;
  try {
    text = readFileSync(path.join(entryDir, "entry.cfg"), "utf8");
  } catch {
    result.problems.push({ path: "entry.cfg", problem: "no entry.cfg" });
    return result;
  }
  const files = parseFiles(text);
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
