// Where each top-level package runs from: the archive (the default), the
// archive with its data files unpacked into the cache entry, or the cache
// entry whole (`KEY/site/PKG/...`, ahead of the archive on sys.path). The
// evidence comes from the build helper, which reads every module with
// Python's own parser (helpers/zipsafety.py); this file only weighs it.
// `--unpack PKG` and `--zip PKG` override.
import path from "node:path";
import type { PackageDecision } from "../format/manifest.js";
import { PyzapError } from "../util/errors.js";
import type { TreeFile } from "../util/walk.js";
import type { Finding } from "./compile.js";
import type { Distribution } from "./entrypoint.js";
import { normalizeName } from "./exclude.js";
import { topLevelName } from "./module-names.js";

export interface UnpackOptions {
  /** Top-level packages (or distribution names) to unpack whole whatever the scan says. */
  unpack?: string[];
  /** Top-level packages (or distribution names) to keep zipped whatever the scan says. */
  zip?: string[];
  /** Unpack every top-level package and module (shiv's behaviour). */
  unpackAll?: boolean;
}

/** "module": an importable extension module; "other": any other ELF file; null: not native. */
export type NativeKind = "module" | "other" | null;


// jinja2's PackageLoader reads templates through the package's loader when
// it is a zipimport.zipimporter, which the runtime's importer is (README,
// "What works from the archive"): its templates need not be real files.
const PACKAGE_LOADER_WORKS_ZIPPED = true;

// A compiled (mypyc) __init__ runs from the cache; the runtime gives its
// package a __path__ that also searches the archive, so its pure-Python
// submodules can stay zipped (black, isort). False: no rule for them.
const NATIVE_INIT_NEEDS_SIBLINGS = false;

// Files that are not "data the code reads at run time": Python sources, stubs,
// bytecode and markers; C/Cython/Fortran sources, headers, static libraries
// and build files (numpy ships hundreds, for compiling against it); licences
// and docs. A package whose only non-code files are these has nothing to
// read by path, so a path derived from __file__ alone does not unpack it.
const NOT_DATA = [
  /\.(?:py|pyc|pyi|pxd|pyx|pxi|c|h|cc|cpp|cxx|hpp|f|f90|f77|a|lib|pc|md|rst)$/i,
  /(?:^|\/)(?:py\.typed|setup\.cfg|meson\.build[^/]*|CMakeLists\.txt)$/,
  /(?:^|\/)(?:LICEN[CS]E|COPYING|AUTHORS|NOTICE|README|CHANGE|[A-Z_]*CHANGES)[^/]*$/i,
  /(?:^|\/)(?:include|pkgconfig|npy-pkg-config)\//,
];
// Test suites, test helpers and maintainers' scripts find their fixtures
// through __file__ but do not run in the app (pylint's testutils/, scipy's
// _precompute/, numpy's distutils, which Python 3.12 no longer has).
// _build_utils/: the scripts meson runs from the source tree at build time
// (scikit-learn's version.py reads ../__init__.py), never imported by the package.
const SKIP_DIR = /(?:^|\/)(?:tests?|testing|_testing|testutils|_precompute|_examples|examples|benchmarks|distutils|_build_utils)\/|(?:^|\/)conftest\.py$/;
// A package unpacked whole because its code reads its own files still leaves
// in the archive what no running app reads by path, each file of which would
// be an inode created and written on every first run:
// - its test suites (`tests/` directories): the runtime's SiblingFinder
//   still imports them from there (pandas: 2,244 of 2,937 files, 39 of 75 MiB);
// - gettext catalogue sources (`X.po` beside its compiled `X.mo`, which is
//   what gettext opens; django: 1,226 of 4,545 files).
const TESTS_DIR = /(?:^|\/)tests\//;

/** What a package unpacked whole by the scan leaves zipped: "tests", "po", or null (unpacked). */
export function leftZipped(rel: string, inBundle: (rel: string) => boolean): "tests" | "po" | null {
  if (TESTS_DIR.test(rel.slice(rel.indexOf("/") + 1))) return "tests";
  if (rel.endsWith(".po") && inBundle(`${rel.slice(0, -3)}.mo`)) return "po";
  return null;
}

/** A non-code file the package may read at run time. */
export const isData = (rel: string) => !SKIP_DIR.test(rel) && !NOT_DATA.some((re) => re.test(rel));


interface Evidence {
  finding: Finding;
  file: string; // site-packages relative
}

/**
 * Decide, for every top-level package, where it runs from. Unpacked whole
 * when code outside its tests lists its own directory, or reaches its files
 * by a path (`__file__`, `Flask(__name__)`...) and it
 * ships data or native files that are not extension modules; data files
 * unpacked when it asks for real files through importlib.resources.as_file or
 * pkg_resources.resource_filename: the runtime answers those with the file in
 * the cache entry, so the code can stay in the archive.
 */
export function decidePackages(
  files: TreeFile[],
  nativeKind: (f: TreeFile) => NativeKind,
  findings: Finding[],
  dists: Distribution[],
  options: UnpackOptions = {},
): PackageDecision[] {
  const groups = new Map<string, TreeFile[]>();
  for (const f of files) {
    const name = topLevelName(f.rel);
    if (name === null) continue;
    let group = groups.get(name);
    if (!group) groups.set(name, (group = []));
    group.push(f);
  }
  const unpack = new Set(resolveNames(options.unpack ?? [], "--unpack", groups, dists));
  const zip = new Set(resolveNames(options.zip ?? [], "--zip", groups, dists));
  for (const name of unpack) {
    if (zip.has(name)) throw new PyzapError("USAGE", `${name} is named by both --unpack and --zip`, { hint: "keep one of the two options for it" });
  }
  const evidence = attribute(files, findings);

  const decisions: PackageDecision[] = [];
  for (const [name, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Extension modules are served by the import system from the cache and
    // need no __file__; other native files (an Apache module, a helper
    // program) are found through paths, like data.
    const isDir = group.some((f) => f.rel.includes("/"));
    const shipsData = isDir && group.some((f) => {
      const kind = nativeKind(f);
      return kind === "other" || (kind === null && isData(f.rel));
    });
    const found = evidence.get(name) ?? [];
    // auditwheel's pkg.libs/ and other directories without Python are not
    // packages: their native files are unpacked one by one (classify.ts).
    const hasCode = group.some((f) => /\.pyc?$/.test(f.rel));
    if (!hasCode && !unpack.has(name) && !zip.has(name) && !options.unpackAll) continue;
    const nativeInit = NATIVE_INIT_NEEDS_SIBLINGS ? group.find((f) => nativeKind(f) === "module" && /^[^/]+\/__init__\.[^/]+$/.test(f.rel)) : undefined;
    const decided: Weighed = nativeInit
      ? { placement: "whole", why: `${nativeInit.rel} is a compiled __init__: its pure-Python submodules must sit beside it`, evidence: null }
      : weigh(name, found, shipsData, group, nativeKind);
    const natives = group.filter((f) => nativeKind(f) !== null).length;
    if (decided.placement === "archive" && natives > 0) decided.why += `; its ${natives} native file${natives === 1 ? " is" : "s are"} unpacked`;
    const decision = (runsFrom: "archive" | "cache", dataUnpacked: boolean, reason: string, e: Evidence | null, trimmed = false, parts: string[] = []): PackageDecision => ({
      name,
      runsFrom,
      unpacked: runsFrom === "cache",
      dataUnpacked,
      ...(parts.length > 0 ? { parts } : {}),
      trimmed,
      reason,
      finding: e ? { file: e.file, line: e.finding.line, what: e.finding.what } : null,
    });
    if (unpack.has(name)) decisions.push(decision("cache", false, `unpacked whole: --unpack ${name}`, decided.evidence));
    else if (zip.has(name)) {
      const although = decided.placement !== "archive" ? ` (although ${decided.why})` : "";
      decisions.push(decision("archive", false, `kept zipped: --zip ${name}${although}`, decided.evidence));
    } else if (options.unpackAll) decisions.push(decision("cache", false, "unpacked whole: --unpack-all", decided.evidence));
    else if (decided.placement === "whole") decisions.push(decision("cache", false, `unpacked whole: ${decided.why}`, decided.evidence, true));
    else if (decided.placement === "part") decisions.push(decision("archive", false, `parts unpacked: ${decided.why}`, decided.evidence, true, decided.parts));
    else if (decided.placement === "data") decisions.push(decision("archive", true, `data files unpacked: ${decided.why}`, decided.evidence));
    else decisions.push(decision("archive", false, `zipped: ${decided.why}`, decided.evidence));
  }
  return decisions;
}

interface Weighed {
  placement: "archive" | "data" | "part" | "whole";
  why: string;
  evidence: Evidence | null;
  /** placement "part": the subpackage directories unpacked whole. */
  parts?: string[];
}

function weigh(name: string, found: Evidence[], shipsData: boolean, group: TreeFile[], nativeKind: (f: TreeFile) => NativeKind): Weighed {
  const say = (e: Evidence) => `${e.file}:${e.finding.line} ${e.finding.what}${e.finding.certain ? "" : " (the scan cannot follow it: unpacked to be safe)"}`;
  const first = (kinds: string[]) => found.find((e) => kinds.includes(e.finding.kind));
  const pathKinds = ["path", "framework", ...(PACKAGE_LOADER_WORKS_ZIPPED ? [] : ["templates"])];
  const listing = first(["listing"]);
  // A certain finding first: the reason shown should be proof, not suspicion.
  const byPath = found.find((e) => pathKinds.includes(e.finding.kind) && e.finding.certain) ?? first(pathKinds);
  const asFile = first(["as_file", "resource_file"]);
  // (A package that also asks for real files through importlib.resources is
  // unpacked whole: the data it names may lie outside those subpackages.)
  if ((listing || (byPath && shipsData)) && !asFile) {
    const part = subpackagesOnly(found.filter((e) => e.finding.kind === "listing" || pathKinds.includes(e.finding.kind)), group, nativeKind);
    if (part) return part;
  }
  if (listing) return { placement: "whole", why: `${say(listing)}; a directory listing needs the package on disk`, evidence: listing };
  if (byPath && shipsData) return { placement: "whole", why: `${say(byPath)}, and ${name} ships data files`, evidence: byPath };
  if (asFile && shipsData) return { placement: "data", why: `${asFile.file}:${asFile.finding.line} ${asFile.finding.what}`, evidence: asFile };
  // Reads on a path that can only raise (an error message listing the
  // package's folder) never decide; the reason says they were seen.
  const errorPath = first(["error_path", "tests"]);
  const ignored = errorPath ? `; ignored: ${errorPath.file}:${errorPath.finding.line} ${errorPath.finding.what}` : "";
  if (byPath) return { placement: "archive", why: `${byPath.file}:${byPath.finding.line} ${byPath.finding.what}, but ${name} ships no data files to read there${ignored}`, evidence: byPath };
  if (errorPath) return { placement: "archive", why: `no code reads the package's own files by path${ignored}`, evidence: errorPath };
  return { placement: "archive", why: "no code reads the package's own files by path", evidence: null };
}

/**
 * When every deciding finding reads by a path that stays inside its own
 * module's directory, and that directory is a subpackage (not the top-level
 * one): those subpackages, unpacked whole and imported from the cache, give
 * the code the real files it reads, and the rest of the package stays in the
 * archive (pandas' Styler templates, scikit-learn's estimator CSS). A
 * subpackage whose findings are all plain reads and that ships no data files
 * has nothing to read there and is not unpacked. Null when any finding
 * escapes the module's directory or cannot be placed: the package is then
 * unpacked whole.
 */
function subpackagesOnly(deciding: Evidence[], group: TreeFile[], nativeKind: (f: TreeFile) => NativeKind): Weighed | null {
  const rels = new Set(group.map((f) => f.rel));
  const byDir = new Map<string, Evidence[]>();
  for (const e of deciding) {
    const dir = path.posix.dirname(e.file);
    const isPackage = rels.has(`${dir}/__init__.py`) || rels.has(`${dir}/__init__.pyc`);
    if (!e.finding.within || !dir.includes("/") || !isPackage || !dir.split("/").every((p) => IDENTIFIER.test(p))) return null;
    const list = byDir.get(dir) ?? [];
    list.push(e);
    byDir.set(dir, list);
  }
  // A subpackage inside another chosen one comes with it.
  const dirs = [...byDir.keys()].sort().filter((d, _, all) => !all.some((o) => o !== d && d.startsWith(`${o}/`)));
  const hasData = (dir: string) => group.some((f) => f.rel.startsWith(`${dir}/`) && (nativeKind(f) === "other" || (nativeKind(f) === null && isData(f.rel))));
  const needed = dirs.filter((d) => hasData(d) || [...byDir].some(([o, list]) => (o === d || o.startsWith(`${d}/`)) && list.some((e) => e.finding.kind === "listing")));
  if (needed.length === 0) return null;
  const evidence = byDir.get(needed[0] ?? "")?.find((e) => e.finding.certain) ?? byDir.get(needed[0] ?? "")?.[0] ?? null;
  if (!evidence) return null;
  const where = needed.map((d) => `${d}/`).join(", ");
  return {
    placement: "part",
    why: `${where} (${evidence.file}:${evidence.finding.line} ${evidence.finding.what}, inside its own folder); the rest runs from the archive`,
    evidence,
    parts: needed,
  };
}

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** Findings by the top-level package they are about, in file and line order; tests' findings dropped. */
function attribute(files: TreeFile[], findings: Finding[]): Map<string, Evidence[]> {
  const relOf = new Map(files.map((f) => [path.resolve(f.abs), f.rel]));
  const out = new Map<string, Evidence[]>();
  for (const finding of findings) {
    const file = relOf.get(finding.source);
    if (file === undefined || SKIP_DIR.test(file)) continue;
    const name = finding.target || topLevelName(file);
    if (!name) continue;
    let list = out.get(name);
    if (!list) out.set(name, (list = []));
    list.push({ finding, file });
  }
  for (const list of out.values()) list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.finding.line - b.finding.line));
  return out;
}

// `--unpack X` takes a top-level import name or a distribution name (its
// RECORD, read by the build helper, says which top-level names it installed).
function resolveNames(names: string[], option: string, groups: Map<string, TreeFile[]>, dists: Distribution[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (groups.has(name)) {
      out.push(name);
      continue;
    }
    const dist = dists.find((d) => normalizeName(d.name) === normalizeName(name));
    const fromDist = (dist?.topLevels ?? []).filter((n) => groups.has(n));
    if (fromDist.length === 0) {
      const known = [...groups.keys()].sort().join(", ");
      throw new PyzapError("INPUT_NOT_FOUND", `${option} ${name}: no top-level package or distribution of that name is in the bundle`, {
        hint: `the bundle's top-level packages are: ${known || "(none)"}`,
      });
    }
    out.push(...fromDist);
  }
  return out;
}

