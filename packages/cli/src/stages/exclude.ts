// Distributions left out of a bundle: those named with --exclude, and for
// --site-packages the installers a venv always carries (pip, setuptools,
// wheel: 991 of 992 unpacked files of one venv bundle were pip's) unless a
// bundled distribution requires one or the console script is one of theirs.
// What each distribution installed and requires is read by the build
// interpreter (helpers/dist_metadata.py, importlib.metadata and RECORD as CSV).
import { PyzapError } from "../util/errors.js";
import type { Distribution } from "./entrypoint.js";

const INSTALLERS = ["pip", "setuptools", "wheel"];

export interface Exclusion {
  /** Relative paths (as walkTree names them) to leave out. */
  paths: (rel: string) => boolean;
  /** "pip 23.2.1" for each distribution left out, to tell the user. */
  left: string[];
}

export const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");

export function chooseExclusions(dists: Distribution[], opts: { exclude: string[]; dropInstallers: boolean; consoleScript?: string }): Exclusion {
  const byKey = new Map(dists.map((d) => [normalizeName(d.name), d]));
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
      if (!dist || (opts.consoleScript && dist.scripts.some(([script]) => script === opts.consoleScript))) continue;
      const needed = dists.some((d) => !INSTALLERS.includes(normalizeName(d.name)) && !out.has(d) && d.requires.includes(key));
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
