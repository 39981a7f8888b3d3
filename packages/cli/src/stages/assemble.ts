// Stage 3: everything the archive will hold, in order: launcher.cfg, the
// manifest, the bootstrap and the site-packages tree, each .py with its .pyc.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { entryCfg, oneLine } from "../format/cfg.js";
import { hashFile } from "../format/key.js";
import { BOOT_PREFIX, LAUNCHER_CFG, MANIFEST_NAME, SITE_PREFIX } from "../format/layout.js";
import type { Manifest, UnpackRecord } from "../format/manifest.js";
import type { PythonInfo } from "../util/python.js";
import { compareBytes } from "../util/walk.js";
import type { BootstrapFile } from "./bootstrap.js";
import type { Classified, UnpackedFile } from "./classify.js";
import { compileAll, sitePycPath, type CompileJob, type Compiled } from "./compile.js";
import type { EntryPoint } from "./entrypoint.js";
import type { Launcher } from "./launcher.js";
import { buildManifest } from "./manifest.js";
import { packable, packSources, type SourceFile } from "./sources.js";
import { APP_LIBS_DIR } from "./standalone/applibs.js";
import type { Runtime } from "./standalone/runtime.js";
import type { ArchiveEntry } from "./write.js";

export interface Assembled {
  entries: ArchiveEntry[];
  manifest: Manifest;
}

export interface AssembleInput {
  python: PythonInfo;
  classified: Classified;
  entry: EntryPoint;
  bootstrap: BootstrapFile[];
  launcher: Launcher;
  /** The site-packages .pyc files, written by compileSite into workDir. */
  compiled: Compiled;
  /** Scratch directory for generated sources and .pyc files. */
  workDir: string;
  /** --standalone: the interpreter's runtime, carried as a second cache entry. */
  runtime?: Runtime;
  /** --compress: 0 keeps one STORED entry per .pyc (what zipimport reads); otherwise bytecode packs. */
  compress?: number;
}

export async function assemble(input: AssembleInput): Promise<Assembled> {
  const { python, classified, entry } = input;
  const hasSource = new Set([...classified.zipped, ...classified.unpacked].filter((f) => f.rel.endsWith(".py")).map((f) => f.rel));
  // A stale .pyc beside a .py would shadow the one we compile.
  const stale = (f: { rel: string }) => f.rel.endsWith(".pyc") && hasSource.has(f.rel.slice(0, -1));
  const unpackedFiles = [...classified.unpacked.filter((f) => !stale(f)), ...pycacheFiles(python, classified.unpacked, input)];
  const site = [...classified.zipped.filter((f) => !stale(f)), ...classified.unpacked.filter((f) => !f.wholePackage)];
  // A compiled module's source goes into the solid chunks, not an entry of its own,
  // and its bytecode into the packs (docs/format.md, "Bytecode packs").
  const packed = input.compress !== 0;
  const sources: SourceFile[] = [];
  const pycs: SourceFile[] = [];
  const siteEntries: ArchiveEntry[] = [];
  for (const f of site) {
    const name = `${SITE_PREFIX}${f.rel}`;
    const compiled = f.rel.endsWith(".py") && !input.compiled.failed.has(path.resolve(f.abs));
    if (compiled && packable(name)) sources.push({ name, abs: f.abs });
    else siteEntries.push({ name, file: f.abs, mode: modeOf(f.executable), store: false });
    if (!compiled) continue;
    const pyc = { name: `${name}c`, abs: sitePycPath(input.workDir, f.rel) };
    if (packed) pycs.push(pyc);
    else siteEntries.push({ name: pyc.name, file: pyc.abs, store: false, mode: 0o644 });
  }
  sources.sort((a, b) => compareBytes(a.name, b.name));
  pycs.sort((a, b) => compareBytes(a.name, b.name));
  // Packing (xz or zlib, in the build interpreter's helpers) runs while the unpacked files are hashed here.
  const packing = packSources(python, sources, input.workDir, packed ? pycs : null, input.compress ?? 6);
  packing.catch(() => {}); // awaited below; a failure meanwhile must not go unhandled
  const unpack = await describeUnpacked(unpackedFiles);
  const cfg = await launcherCfg(input, unpack);
  const manifest = buildManifest({
    python,
    entry,
    key: cfg.key,
    unpack,
    packages: classified.packages,
    launcher: input.launcher,
    zippedBytes: sum(classified.zipped),
    runtime: input.runtime?.info ?? null,
  });

  // Sources: [archive name, file on disk]; each .py among them gets a .pyc beside it.
  const boot: [string, string][] = input.bootstrap.map((f) => [f.archiveName, f.abs]);
  boot.push([`${BOOT_PREFIX}_pyzap/bundle.py`, writeGenerated(input.workDir, "bundle.py", bundlePy(manifest, classified))]);

  const entries: ArchiveEntry[] = boot.map(([name, file]) => ({ name, file, mode: 0o644, store: false }));
  entries.push(...(await compileEntries(python, boot, input.workDir)));
  entries.push(...siteEntries);
  const packs = await packing;
  entries.push(...packs.entries);
  if (packs.bytecode) manifest.bytecode = packs.bytecode;
  entries.push(...namespaceDirs(classified.zipped.map((f) => f.rel)));
  // Whole packages: only extracted from the archive, never imported from it,
  // so their sources carry no .pyc beside them; their bytecode is unpacked.
  // Deflated like the rest: it is inflated once, on the first run, never on
  // an import (pandas + scipy + numpy: 134 -> 114 MiB for ~0.1 s of inflate).
  for (const f of unpackedFiles) {
    if (f.wholePackage) entries.push({ name: `${SITE_PREFIX}${f.rel}`, file: f.abs, mode: modeOf(f.executable), store: false });
  }
  if (input.runtime) entries.push(...input.runtime.entries);
  entries.push({ name: MANIFEST_NAME, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), store: false, mode: 0o644 });
  entries.sort((a, b) => compareBytes(a.name, b.name));
  // The launcher reads the first central-directory entry on its warm path.
  entries.unshift({ name: LAUNCHER_CFG, data: Buffer.from(cfg.text), store: true, mode: 0o644 });
  return { entries, manifest };
}

async function describeUnpacked(files: UnpackedFile[]): Promise<UnpackRecord[]> {
  const records: UnpackRecord[] = [];
  for (const f of files) {
    records.push({ path: f.rel, size: f.size, mode: modeOf(f.executable), xxh64: await hashFile(f.abs), reason: f.reason, module: f.module });
  }
  return records.sort((a, b) => compareBytes(a.path, b.path));
}

// The bootstrap and the generated bundle.py (the site-packages were compiled with the scan).
async function compileEntries(python: PythonInfo, sources: [string, string][], workDir: string): Promise<ArchiveEntry[]> {
  const jobs: CompileJob[] = sources
    .filter(([name]) => name.endsWith(".py"))
    .map(([name, file]) => ({ source: file, output: path.join(workDir, "pyc", `${name}c`), display: name }));
  const { failed } = await compileAll(python, jobs);
  return jobs
    .filter((job) => !failed.has(path.resolve(job.source)))
    .map((job) => ({ name: `${job.display}c`, file: job.output, store: !COLD_BOOT.has(job.display), mode: 0o644 }));
}

// The bootstrap's modules that a run started by the launcher never imports:
// the bundle's own commands (PYZAP=cache|info|env), the no-launcher extraction
// and what only it needs, PYZAP_INTERPRETER/SCRIPT/MODULE. Deflated, as no
// start reads them: 113 KB of .pyc become ~40 KB (certbot's bundle: 4 % of it).
const COLD_BOOT = new Set(["_commands", "_extract", "_cfg", "_xxh64", "_alternate"].map((m) => `${BOOT_PREFIX}_pyzap/${m}.py`));

// A package unpacked whole runs from KEY/site with the ordinary source loader:
// give it unchecked-hash bytecode where that loader looks
// (`__pycache__/mod.cpython-311.pyc`), listed in the cfg like every unpacked
// file, so it is verified and nothing is ever written into the entry at run
// time. It is the .pyc compileSite wrote (the source loader sets co_filename
// to the real path whatever the .pyc says).
function pycacheFiles(python: PythonInfo, unpacked: UnpackedFile[], input: AssembleInput): UnpackedFile[] {
  const sources = unpacked.filter((f) => f.wholePackage && f.rel.endsWith(".py"));
  const rel = (f: UnpackedFile) => f.rel.replace(/([^/]+)\.py$/, `__pycache__/$1.${python.cacheTag}.pyc`);
  return sources
    .filter((f) => !input.compiled.failed.has(path.resolve(f.abs)))
    .map((f) => {
      const abs = sitePycPath(input.workDir, f.rel);
      return { rel: rel(f), abs, size: statSync(abs).size, executable: false, reason: f.reason, module: null, wholePackage: f.wholePackage, platform: null };
    });
}

// Bytecode goes into xz packs, unpacked once per pack into the cache (the
// bootstrap's stays STORED: it is read at every start, by zipimport). Measured
// on certbot --version (callgrind, warm): STORED bytecode is 6.05 MiB of an
// 8.6 MiB bundle, deflated 2.2 MiB; inflating the 5.1 MiB that one start
// imports cost ~106 M instructions (~8 % of the start, ~14 ms). Packs are
// smaller still (1.5 MiB) and a warm start reads their unpacked copies, with
// no inflate. --compress 0 keeps STORED entries, the layout zipimport reads.

// zipimport (3.11) sees a namespace package's portion in the archive only if
// the zip has an explicit entry for its directory ("pkg/"): add one for each
// directory that holds Python code but no __init__.py.
function namespaceDirs(rels: string[]): ArchiveEntry[] {
  const withInit = new Set(rels.filter((r) => /(^|\/)__init__\.py$/.test(r)).map((r) => path.posix.dirname(r)));
  const dirs = new Set<string>();
  for (const rel of rels) {
    if (!rel.endsWith(".py") || /\.(?:dist-info|egg-info|data)\//.test(rel)) continue;
    // Every ancestor up to the nearest regular package (its own subdirs are found through it).
    for (let dir = path.posix.dirname(rel); dir !== "." && !withInit.has(dir); dir = path.posix.dirname(dir)) dirs.add(dir);
  }
  return [...dirs].map((d) => ({ name: `${SITE_PREFIX}${d}/`, data: Buffer.alloc(0), store: true, mode: 0o755 as const }));
}

// docs/format.md, ".pyzap/launcher.cfg": its key is the bundle's cache key.
function launcherCfg(input: AssembleInput, unpack: UnpackRecord[]): Promise<{ key: string | null; text: string }> {
  const records: [string, string][] = [
    ["name", oneLine(input.entry.name)],
    ["version", oneLine(input.entry.version)],
    ["python", input.python.executable],
    ["pyver", input.python.requires],
  ];
  if (input.runtime) records.push(["runtime", input.runtime.info.key]);
  return entryCfg(records, unpack.map((f) => ({ hash: f.xxh64, size: f.size, mode: f.mode, path: f.path })));
}

// docs/format.md, "bundle.py": Python literals only (JSON strings are valid Python strings).
function bundlePy(m: Manifest, classified: Classified): string {
  const native: Record<string, string> = {};
  for (const f of classified.unpacked) if (f.module) native[f.module] = f.rel;
  const [major, minor] = m.python.requires.split(".");
  // For importlib.metadata (the runtime's MetadataFinder): no zip listing at run time.
  const dists = [...new Set(classified.zipped.map((f) => /^([^/]+\.dist-info)\//.exec(f.rel)?.[1]).filter((d): d is string => !!d))].sort();
  const str = (s: string | null) => (s === null ? "None" : JSON.stringify(s));
  // site runs the .pth files of a site directory; the runtime does it for the
  // archive's site-packages, which site never sees (setuptools' distutils
  // hack, old-style namespace packages' -nspkg.pth, extra path lines).
  const pth = classified.zipped.filter((f) => /^[^/]+\.pth$/.test(f.rel)).sort((a, b) => compareBytes(a.rel, b.rel));
  return [
    "# Generated by pyzap for this bundle; read by the _pyzap runtime.",
    "FORMAT = 1",
    `NAME = ${str(m.name)}`,
    `VERSION = ${str(m.version)}`,
    `ENTRY = ${str(m.entry)}`,
    `KEY = ${str(m.cacheKey)}`,
    `CACHE_TAG = ${str(m.python.cacheTag)}`,
    `PY_VERSION = (${major}, ${minor})`,
    `DISTS = [${dists.map(str).join(", ")}]`,
    `PTH = [${pth.map((f) => `\n    (${str(f.rel)}, ${str(readFileSync(f.abs, "utf8"))}),`).join("")}\n]`,
    `NATIVE = {${Object.keys(native).sort().map((k) => `\n    ${str(k)}: ${str(native[k] ?? "")},`).join("")}\n}`,
    // Subpackages unpacked whole while their package runs from the archive.
    `PACKAGES = {${partsOf(classified).map(([name, dir]) => `\n    ${str(name)}: ${str(dir)},`).join("")}\n}`,
    // --standalone: system libraries to load before the first extension module, in order.
    `PRELOAD = [${classified.unpacked.filter((f) => f.rel.startsWith(`${APP_LIBS_DIR}/`)).map((f) => str(f.rel)).join(", ")}]`,
    "",
  ].join("\n");
}

/** [dotted name, directory under KEY/site] of every subpackage unpacked whole, sorted. */
function partsOf(classified: Classified): [string, string][] {
  const dirs = classified.packages.flatMap((p) => p.parts ?? []).sort(compareBytes);
  return dirs.map((dir) => [dir.split("/").join("."), dir]);
}

function writeGenerated(workDir: string, name: string, text: string): string {
  const dir = path.join(workDir, "generated");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const modeOf = (executable: boolean): 0o644 | 0o755 => (executable ? 0o755 : 0o644);
const sum = (files: { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
