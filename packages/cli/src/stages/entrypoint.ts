// Turns `-c NAME` or `-e MOD:FUNC` into the `module:attr` the bundle runs,
// using what the bundled distributions declare (read by the build helper
// helpers/dist_metadata.py with importlib.metadata), and checks `-e` against
// the staged tree before anything is compiled.
import { PyzapError } from "../util/errors.js";
import { runHelper } from "../util/helper.js";
import type { PythonInfo } from "../util/python.js";

export interface Distribution {
  name: string;
  version: string;
  distInfo: string; // "Flask-3.1.3.dist-info"
  /** [console or gui script name, "module:attr"], from importlib.metadata. */
  scripts: [string, string][];
  /** Top-level import names its RECORD installed. */
  topLevels: string[];
  /** Normalized names it always requires (not those under an extra). */
  requires: string[];
  /** Paths it installed in the site dir (RECORD, then its dist-info's files). */
  files: string[];
}

export interface SiteMetadata {
  dists: Distribution[];
  /** Every top-level package or module in the staged tree. */
  topLevels: string[];
  /** The check of `-e`: what is wrong (exit 6), or what could not be checked. */
  entry: { problem: string | null; note: string | null } | null;
}

export interface EntryPoint {
  /** What the bundle runs: "module:attr[.attr]". */
  target: string;
  /** For messages and the cache list: the console script or the module. */
  name: string;
  version: string;
  /** Said at build time when the entry point could not be fully checked. */
  note?: string;
}

const TARGET = /^[\p{ID_Start}_][\p{ID_Continue}.]*(:[\p{ID_Start}_][\p{ID_Continue}.]*)?$/u;

/** Reads the staged distributions and, with `-e`, checks the entry point against the tree. */
export async function readSiteMetadata(python: PythonInfo, siteDir: string, entryPoint?: string): Promise<SiteMetadata> {
  return runHelper<SiteMetadata>(python, "dist_metadata", siteMetadataRequest(python, siteDir, entryPoint));
}

/** What dist_metadata.py reads on stdin (exported so tests can check many entry points in one helper run). */
export function siteMetadataRequest(python: Pick<PythonInfo, "extensionSuffixes">, siteDir: string, entryPoint?: string) {
  const entry = entryPoint === undefined ? null : checkSyntax(entryPoint);
  return { site: siteDir, entry, suffixes: python.extensionSuffixes };
}

function checkSyntax(entryPoint: string): string {
  const target = entryPoint.trim();
  if (!TARGET.test(target)) {
    throw new PyzapError("ENTRY_POINT", `The "--entry-point" option is not module:function: ${entryPoint}`, { hint: "e.g. -e mypkg.cli:main" });
  }
  return target;
}

export function chooseEntryPoint(site: SiteMetadata, opts: { consoleScript?: string; entryPoint?: string }): EntryPoint {
  const scripts = consoleScripts(site.dists);
  if (opts.entryPoint) {
    const target = checkSyntax(opts.entryPoint);
    if (site.entry?.problem) {
      throw new PyzapError("ENTRY_POINT", `The "--entry-point" option names something the bundle lacks: ${site.entry.problem}`, {
        hint: site.topLevels.length ? `the bundle's top-level packages are: ${site.topLevels.join(", ")}` : listHint(scripts),
      });
    }
    return { target, name: target.split(/[.:]/)[0] ?? target, version: "0", ...(site.entry?.note ? { note: site.entry.note } : {}) };
  }
  if (!opts.consoleScript) {
    // Exactly one console script in the bundle: that is what it runs.
    const only = scripts.length === 1 ? scripts[0] : undefined;
    if (only) return { target: only.target, name: only.name, version: only.version };
    throw new PyzapError("USAGE", "say what the bundle runs: -c CONSOLE_SCRIPT or -e MODULE:FUNCTION", { hint: listHint(scripts) });
  }
  const script = scripts.find((s) => s.name === opts.consoleScript);
  if (!script) {
    throw new PyzapError("ENTRY_POINT", `no console script named "${opts.consoleScript}" in the bundled distributions`, { hint: listHint(scripts) });
  }
  return { target: script.target.replace(/\s*\[.*\]\s*$/, "").trim(), name: script.name, version: script.version };
}

interface ConsoleScript {
  name: string;
  target: string; // "certbot.main:main"
  distribution: string;
  version: string;
}

function consoleScripts(dists: Distribution[]): ConsoleScript[] {
  const scripts = dists.flatMap((d) => d.scripts.map(([name, target]) => ({ name, target, distribution: d.name, version: d.version })));
  return scripts.sort((a, b) => a.name.localeCompare(b.name));
}

function listHint(scripts: ConsoleScript[]): string {
  if (scripts.length === 0) return "the bundled distributions declare no console scripts; use -e MODULE:FUNCTION";
  return `console scripts available: ${scripts.map((s) => `${s.name} (${s.distribution})`).join(", ")}`;
}
