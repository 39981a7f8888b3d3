// Distributions left out of a bundle: those named with --exclude, and for
// --site-packages the installers a venv always carries (pip, setuptools,
// wheel: 991 of 992 unpacked files of one venv bundle were pip's) unless a
// bundled distribution requires one or the console script is one of theirs.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PyzapError } from "../util/errors.js";

const INSTALLERS = ["pip", "setuptools", "wheel"];

interface Distribution {
  name: string; // "pip", as METADATA spells it
  key: string; // normalized (PEP 503)
  version: string;
  /** Paths inside the site dir, from RECORD, plus the dist-info itself. */
  files: string[];
  /** Normalized names this one requires (not counting extras). */
  requires: string[];
  scripts: string[];
}

export interface Exclusion {
  /** Relative paths (as walkTree names them) to leave out. */
  paths: (rel: string) => boolean;
  /** "pip 23.2.1" for each distribution left out, to tell the user. */
  left: string[];
}

export const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");

export function chooseExclusions(siteDir: string, opts: { exclude: string[]; dropInstallers: boolean; consoleScript?: string }): Exclusion {
  const dists = readDistributions(siteDir);
  const byKey = new Map(dists.map((d) => [d.key, d]));
  const out = new Set<Distribution>();
  for (const name of opts.exclude) {
    const dist = byKey.get(normalizeName(name));
    if (!dist) {
      throw new PyzapError("USAGE", `--exclude ${name}: no distribution of that name is bundled`, {
        hint: `bundled: ${dists.map((d) => d.name).sort().join(", ") || "none"}`,
      });
    }
    out.add(dist);
  }
  if (opts.dropInstallers) {
    for (const key of INSTALLERS) {
      const dist = byKey.get(key);
      if (!dist || (opts.consoleScript && dist.scripts.includes(opts.consoleScript))) continue;
      const needed = dists.some((d) => !INSTALLERS.includes(d.key) && !out.has(d) && d.requires.includes(key));
      if (!needed) out.add(dist);
    }
  }
  const files = new Set<string>();
  const tops = new Set<string>();
  for (const dist of out) for (const f of dist.files) files.add(f);
  // A top-level directory only excluded distributions own goes whole (its
  // __pycache__ and files RECORD forgot); a shared namespace keeps the rest.
  const owners = new Map<string, Set<Distribution>>();
  for (const dist of dists) {
    for (const f of dist.files) {
      const top = f.split("/")[0] ?? "";
      if (!f.includes("/") || top.endsWith(".dist-info")) continue;
      if (!owners.has(top)) owners.set(top, new Set());
      owners.get(top)?.add(dist);
    }
  }
  for (const [top, by] of owners) if ([...by].every((d) => out.has(d))) tops.add(top);
  return {
    paths: (rel) => files.has(rel) || tops.has(rel.split("/")[0] ?? ""),
    left: [...out].map((d) => `${d.name} ${d.version}`),
  };
}

function readDistributions(siteDir: string): Distribution[] {
  const dists: Distribution[] = [];
  for (const entry of readdirSync(siteDir)) {
    if (!entry.endsWith(".dist-info")) continue;
    const dir = path.join(siteDir, entry);
    const metadata = readText(path.join(dir, "METADATA"));
    const name = /^Name:\s*(.+)$/m.exec(metadata)?.[1]?.trim() ?? entry.replace(/-[^-]*\.dist-info$/, "");
    const version = /^Version:\s*(.+)$/m.exec(metadata)?.[1]?.trim() ?? "";
    const requires = [...metadata.matchAll(/^Requires-Dist:\s*([A-Za-z0-9._-]+)([^\n]*)$/gm)]
      .filter((m) => !/extra\s*==/.test(m[2] ?? ""))
      .map((m) => normalizeName(m[1] ?? ""));
    const record = readText(path.join(dir, "RECORD"))
      .split("\n")
      .map(recordPath)
      .filter((p) => p && !p.startsWith("..") && !path.isAbsolute(p));
    const inDistInfo = readdirSync(dir, { recursive: true }).map((f) => `${entry}/${String(f)}`);
    const scripts = [...readText(path.join(dir, "entry_points.txt")).matchAll(/^\s*([^\s=[#;]+)\s*=/gm)].map((m) => m[1] ?? "");
    dists.push({ name, key: normalizeName(name), version, files: [...record, ...inDistInfo], requires, scripts });
  }
  return dists;
}

/** The path field of a RECORD line: CSV, so a path with a comma is quoted ("a,b.py",sha256=...,12). */
function recordPath(line: string): string {
  if (!line.startsWith('"')) return line.split(",")[0]?.trim() ?? "";
  const m = /^"((?:[^"]|"")*)"/.exec(line);
  return m?.[1]?.replace(/""/g, '"') ?? "";
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
