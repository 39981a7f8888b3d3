// `pyzap inspect FILE [--json]`: what a bundle is, what it runs, which files
// get unpacked at run time and why, and how its bytes split between the two.
import path from "node:path";
import { humanBytes, table } from "../util/units.js";
import { PyzapError } from "../util/errors.js";
import { BYTECODE_PREFIX, RUNTIME_CFG, RUNTIME_PREFIX } from "../format/layout.js";
import type { Manifest, RuntimeInfo } from "../format/manifest.js";
import { plural, printable } from "../util/units.js";
import type { Cfg } from "../format/cfg.js";
import { readBundle, readLauncherMarker, statInput } from "./read.js";

export interface Inspection {
  file: string;
  size: number;
  format: number;
  name: string;
  version: string;
  entry: string;
  cacheKey: string | null;
  python: { executable: string; version: string; requires: string; cacheTag: string; soabi: string | null; platform: string };
  launcher: { version: string | null; target: string | null; size: number };
  unpack: { path: string; size: number; mode: string; xxh64: string; reason: string; module: string | null }[];
  /** Every top-level package: where its code runs from, and why. */
  packages: { name: string; runsFrom: "archive" | "cache"; dataUnpacked: boolean; parts?: string[]; reason: string }[];
  totals: {
    entries: number;
    zipped: { files: number; bytes: number; compressedBytes: number };
    unpacked: { files: number; bytes: number; compressedBytes: number };
  };
  /** --standalone: the carried interpreter (a second cache entry, shared by content). */
  runtime?: RuntimeInfo;
  /** Bytecode packs, each unpacked into CACHE/pyc-KEY on the first import of one of its modules. */
  bytecode?: { key: string; packs: { name: string; modules: number; bytes: number; packedBytes: number; packages: string[] }[] };
  builtBy: string;
}

export async function inspectBundle(file: string): Promise<Inspection> {
  const size = statInput(file);
  const z = await readBundle(file);
  const m = z.manifest;
  if (m.format !== 1 || !Array.isArray(m.unpack)) {
    throw new PyzapError("CORRUPT_BUNDLE", `${file}: manifest format ${String(m.format)} is not one this pyzap reads (1)`, { hint: "use the pyzap that built it" });
  }
  checkAgainstCfg(file, m, z.cfg);
  const marker = readLauncherMarker(file, z.zipStart);
  const unpackNames = new Set(m.unpack.map((u) => `site-packages/${u.path}`));
  const files = z.entries.filter((e) => !e.name.endsWith("/"));
  const sum = (list: typeof files, key: "size" | "compressedSize") => list.reduce((n, e) => n + e[key], 0);
  const unpacked = files.filter((e) => unpackNames.has(e.name));
  // The runtime of a standalone bundle is neither: it has its own line.
  const zipped = files.filter((e) => !unpackNames.has(e.name) && !e.name.startsWith(RUNTIME_PREFIX) && e.name !== RUNTIME_CFG);
  return {
    file: path.resolve(file),
    size,
    format: m.format,
    name: m.name,
    version: m.version,
    entry: m.entry,
    cacheKey: m.cacheKey,
    python: m.python,
    launcher: { version: marker?.version ?? null, target: marker?.target ?? null, size: z.zipStart },
    unpack: m.unpack.map((u) => ({ path: u.path, size: u.size, mode: u.mode.toString(8), xxh64: u.xxh64, reason: u.reason, module: u.module })),
    // Bundles from before runsFrom listed only the packages unpacked whole (or kept by --zip).
    packages: (m.packages ?? []).map((p) => ({ name: p.name, runsFrom: p.runsFrom ?? (p.unpacked ? "cache" : "archive"), dataUnpacked: p.dataUnpacked ?? false, ...(p.parts?.length ? { parts: p.parts } : {}), reason: p.reason })),
    totals: {
      entries: files.length,
      zipped: { files: zipped.length, bytes: sum(zipped, "size"), compressedBytes: sum(zipped, "compressedSize") },
      unpacked: { files: unpacked.length, bytes: sum(unpacked, "size"), compressedBytes: sum(unpacked, "compressedSize") },
    },
    ...(m.runtime ? { runtime: m.runtime } : {}),
    ...(m.bytecode ? { bytecode: bytecodePacks(file, m.bytecode, files) } : {}),
    builtBy: m.builtBy,
  };
}

/** The manifest's packs, with the size of each in the zip (which must hold them all). */
function bytecodePacks(file: string, info: NonNullable<Manifest["bytecode"]>, files: { name: string; compressedSize: number }[]): NonNullable<Inspection["bytecode"]> {
  const sizes = new Map(files.filter((e) => e.name.startsWith(BYTECODE_PREFIX)).map((e) => [e.name.slice(BYTECODE_PREFIX.length), e.compressedSize]));
  const packs = info.packs.map((p) => {
    const packedBytes = sizes.get(p.name);
    if (packedBytes === undefined) {
      throw new PyzapError("CORRUPT_BUNDLE", `${file}: its manifest lists bytecode pack ${printable(p.name)}, which the archive does not hold`, { hint: "rebuild the bundle" });
    }
    return { name: p.name, modules: p.modules, bytes: p.bytes, packedBytes, packages: p.packages };
  });
  return { key: info.key, packs };
}

/**
 * The manifest describes; launcher.cfg is what the launcher acts on. A bundle
 * whose two disagree (a tampered one) must not be described as harmless.
 */
function checkAgainstCfg(file: string, m: Pick<Manifest, "cacheKey" | "unpack">, cfg: Cfg): void {
  const told = { key: cfg.key, files: new Map(cfg.files.map((f) => [f.path, { xxh64: f.hash, size: f.size }])) };
  const problem = (what: string) =>
    new PyzapError("CORRUPT_BUNDLE", `${file}: its manifest does not match launcher.cfg, which the launcher follows: ${what}`, {
      hint: "the bundle was altered after pyzap wrote it; do not run it, rebuild it",
    });
  if ((m.cacheKey ?? null) !== told.key) throw problem(`cache key ${String(m.cacheKey)} in the manifest, ${String(told.key)} in launcher.cfg`);
  const listed = new Set(m.unpack.map((u) => u.path));
  for (const [p, f] of told.files) {
    const u = m.unpack.find((x) => x.path === p);
    if (!u) throw problem(`launcher.cfg unpacks ${printable(p)}, which the manifest does not list`);
    if (u.size !== f.size || u.xxh64 !== f.xxh64) throw problem(`${printable(p)} differs in size or hash`);
  }
  for (const p of listed) if (!told.files.has(p)) throw problem(`the manifest lists ${printable(p)}, which launcher.cfg does not unpack`);
}

export async function runInspect(file: string, json: boolean): Promise<void> {
  const i = await inspectBundle(file);
  if (json) {
    process.stdout.write(`${JSON.stringify(i, null, 2)}\n`);
    return;
  }
  const out: string[] = [
    `${i.file}  (${humanBytes(i.size)})`,
    `  bundle     ${i.name} ${i.version}, runs ${i.entry}`,
    `  python     ${i.python.requires} (${i.python.cacheTag}, ${i.python.soabi ?? "no SOABI"}), built with ${i.python.executable} ${i.python.version}`,
    `  launcher   ${i.launcher.version ?? "?"} ${i.launcher.target ?? "?"}, ${humanBytes(i.launcher.size)}`,
    `  cache key  ${i.cacheKey ?? "- (nothing to unpack)"}`,
    `  zipped     ${plural(i.totals.zipped.files, "file")}, ${humanBytes(i.totals.zipped.bytes)} (${humanBytes(i.totals.zipped.compressedBytes)} compressed), imported from the archive`,
    `  unpacked   ${plural(i.totals.unpacked.files, "file")}, ${humanBytes(i.totals.unpacked.bytes)}, into the cache on first run`,
    ...(i.bytecode
      ? [
          `  bytecode   ${plural(i.bytecode.packs.reduce((n, p) => n + p.modules, 0), "module")} in ${plural(i.bytecode.packs.length, i.bytecode.packs.some((p) => p.name.endsWith(".zz")) ? "zlib pack" : "xz pack")}, ${humanBytes(i.bytecode.packs.reduce((n, p) => n + p.packedBytes, 0))}; each unpacked (${humanBytes(i.bytecode.packs.reduce((n, p) => n + p.bytes, 0))} in all) into the cache (pyc-${i.bytecode.key}) on the first import of one of its modules`,
        ]
      : []),
    ...(i.runtime
      ? [
          `  runtime    CPython ${i.runtime.version} (${i.runtime.executable}), ${plural(i.runtime.files, "file")}, ${humanBytes(i.runtime.bytes)} unpacked once into a shared entry (key ${i.runtime.key})`,
          `  glibc      ${i.runtime.glibc ?? "?"} or newer on the target (loader ${i.runtime.interp ?? "?"}); carries ${i.runtime.libraries.join(", ")}`,
          `  stdlib     ${i.runtime.stdlibModules} modules precompiled; left out: ${i.runtime.dropped.join(", ") || "nothing"}`,
        ]
      : []),
    `  built by   ${i.builtBy}`,
    "",
  ];
  // Names and reasons come from the file: never send its escape sequences to the terminal raw.
  const write = (text: string) => void process.stdout.write(printable(text));
  write(out.join("\n"));
  if (i.packages.length) {
    const where = (p: Inspection["packages"][number]) => (p.runsFrom === "cache" ? "cache" : p.parts?.length ? "archive+part" : p.dataUnpacked ? "archive+data" : "archive");
    write("\n" + table(["PACKAGE", "RUNS FROM", "WHY"], i.packages.map((p) => [p.name, where(p), p.reason])));
  }
  if (i.bytecode) {
    const rows = i.bytecode.packs.map((p) => [p.name, String(p.modules), humanBytes(p.packedBytes), humanBytes(p.bytes), p.packages.join(", ")]);
    write("\n" + table(["BYTECODE PACK", "MODULES", "PACKED", "UNPACKED", "PACKAGES"], rows));
  }
  if (i.unpack.length) {
    write("\n" + table(["UNPACKED", "SIZE", "MODE", "REASON"], i.unpack.map((u) => [u.path, humanBytes(u.size), u.mode, u.reason])));
  }
}
