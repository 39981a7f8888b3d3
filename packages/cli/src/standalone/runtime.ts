// `--standalone`: the build interpreter's runtime as a second cache entry.
// Its files (executable, libpython, lib-dynload, carried libraries, the
// stdlib zip) sit in the archive under .pyzap/runtime/, listed with their
// hashes in .pyzap/runtime.cfg (launcher.cfg's format); launcher.cfg names
// its key. The key is a hash of the content only, so every bundle built with
// the same interpreter (and the same stdlib choices) shares one entry.
import { statSync } from "node:fs";
import path from "node:path";
import type { ArchiveEntry } from "../assemble.js";
import { cacheKey, hashFile } from "../hash.js";
import { compareBytes } from "../walk.js";
import { collectNatives, LIB_REL } from "./collect.js";
import { glibcFloor } from "./elf.js";
import { probeLayout } from "./probe.js";
import { stageNatives } from "./relocate.js";
import { dropSet, writeStdlibZip } from "./stdlib.js";

export const RUNTIME_CFG = ".pyzap/runtime.cfg";
export const RUNTIME_PREFIX = ".pyzap/runtime/";

export interface RuntimeOptions {
  python: string; // the real executable of the build interpreter
  keep: string[];
  drop: string[];
  workDir: string;
}

/** What `pyzap inspect` and the manifest say about the runtime. */
export interface RuntimeInfo {
  key: string;
  version: string;
  executable: string; // inside the runtime: "bin/python3.11"
  glibc: string | null; // "2.34": the newest GLIBC_x.y any embedded binary needs
  interp: string | null; // the dynamic loader the executable asks for
  files: number;
  bytes: number;
  stdlibModules: number;
  dropped: string[];
  libraries: string[]; // carried shared libraries (sonames), libpython included
}

export interface Runtime {
  info: RuntimeInfo;
  entries: ArchiveEntry[];
}

export async function buildRuntime(options: RuntimeOptions): Promise<Runtime> {
  const layout = probeLayout(options.python);
  const drop = dropSet(options.keep, options.drop);
  const stageDir = path.join(options.workDir, "runtime");
  const { natives, dropped } = collectNatives(layout, drop);
  const staged = stageNatives(natives, stageDir, LIB_REL);
  const zipAbs = path.join(stageDir, layout.zipRel);
  const stdlib = writeStdlibZip(options.python, layout.stdlib, zipAbs, drop, options.keep);

  const files = [...staged.map((s) => ({ rel: s.rel, abs: s.abs, mode: 0o755 })), { rel: layout.zipRel, abs: zipAbs, mode: 0o644 }];
  files.sort((a, b) => compareBytes(a.rel, b.rel));
  const lines: string[] = [];
  let bytes = 0;
  for (const f of files) {
    const size = statSync(f.abs).size;
    bytes += size;
    lines.push(`f ${await hashFile(f.abs)} ${size} ${f.mode.toString(8)} ${f.rel}\n`);
  }
  const key = await cacheKey(lines);
  const floor = glibcFloor(natives.flatMap((n) => n.info.versions));
  const info: RuntimeInfo = {
    key,
    version: layout.version,
    executable: layout.executableRel,
    glibc: floor ? floor.join(".") : null,
    interp: natives[0]!.info.interp,
    files: files.length,
    bytes,
    stdlibModules: stdlib.modules,
    dropped: [...new Set([...stdlib.dropped, ...dropped])].sort(),
    libraries: natives.filter((n) => n.kind === "library").map((n) => path.posix.basename(n.rel)).sort(),
  };
  const entries: ArchiveEntry[] = files.map((f) => ({ name: RUNTIME_PREFIX + f.rel, file: f.abs, store: false, mode: f.mode as 0o644 | 0o755 }));
  entries.push({ name: RUNTIME_CFG, data: Buffer.from(runtimeCfg(info, lines)), store: true, mode: 0o644 });
  return { info, entries };
}

// docs/format.md, ".pyzap/runtime.cfg": launcher.cfg's format and records,
// plus where the executable is, the glibc floor and the loader.
function runtimeCfg(info: RuntimeInfo, lines: string[]): string {
  const head = ["pyzap 1", "name cpython", `version ${info.version}`, `key ${info.key}`, `exe ${info.executable}`];
  if (info.glibc) head.push(`glibc ${info.glibc}`);
  if (info.interp) head.push(`interp ${info.interp}`);
  return `${head.join("\n")}\n${lines.join("")}`;
}
