// `--standalone`: the build interpreter's runtime as a second cache entry.
// Its files (executable, libpython, lib-dynload, carried libraries, the
// stdlib zip) sit in the archive under .pyzap/runtime/, listed with their
// hashes in .pyzap/runtime.cfg (launcher.cfg's format); launcher.cfg names
// its key. The key is a hash of the content only, so every bundle built with
// the same interpreter (and the same stdlib choices) shares one entry.
import { statSync } from "node:fs";
import path from "node:path";
import { entryCfg, type CfgFile } from "../../format/cfg.js";
import { hashFile } from "../../format/key.js";
import { RUNTIME_CFG, RUNTIME_PREFIX } from "../../format/layout.js";
import type { RuntimeInfo } from "../../format/manifest.js";
import type { PythonInfo } from "../../util/python.js";
import { compareBytes } from "../../util/walk.js";
import type { ArchiveEntry } from "../write.js";
import { collectNatives, LIB_REL } from "./collect.js";
import { glibcFloor } from "./elf.js";
import { stageNatives } from "./relocate.js";
import { dropSet, EARLY_DIR, writeStdlibZip } from "./stdlib.js";

export interface RuntimeOptions {
  python: PythonInfo; // the build interpreter, probed once (its layout included)
  keep: string[];
  drop: string[];
  workDir: string;
}

export interface Runtime {
  info: RuntimeInfo;
  entries: ArchiveEntry[];
}

export async function buildRuntime(options: RuntimeOptions): Promise<Runtime> {
  const layout = options.python.layout;
  const drop = dropSet(options.keep, options.drop);
  const stageDir = path.join(options.workDir, "runtime");
  const { natives, dropped } = collectNatives(options.python, drop);
  const staged = stageNatives(natives, stageDir, LIB_REL);
  const zipAbs = path.join(stageDir, layout.zipRel);
  const stdlib = await writeStdlibZip(options.python, zipAbs, drop, options.keep);

  const zipDir = path.posix.dirname(layout.zipRel);
  const early = stdlib.early.map((rel) => ({ rel: path.posix.join(zipDir, rel), abs: path.join(path.dirname(zipAbs), rel), mode: 0o644 as const }));
  const files = [...staged.map((s) => ({ rel: s.rel, abs: s.abs, mode: 0o755 as const })), { rel: layout.zipRel, abs: zipAbs, mode: 0o644 as const }, ...early];
  files.sort((a, b) => compareBytes(a.rel, b.rel));
  const listed: CfgFile[] = [];
  for (const f of files) listed.push({ hash: await hashFile(f.abs), size: statSync(f.abs).size, mode: f.mode, path: f.rel });
  const bytes = listed.reduce((n, f) => n + f.size, 0);
  const floor = glibcFloor(natives.flatMap((n) => n.info.versions));
  const described = {
    version: options.python.version,
    executable: layout.executableRel,
    early: early.length ? path.posix.join(zipDir, EARLY_DIR) : null,
    glibc: floor ? floor.join(".") : null,
    interp: natives[0]!.info.interp,
  };
  const cfg = await runtimeCfg(described, listed);
  const info: RuntimeInfo = {
    key: cfg.key!, // a runtime always has files
    ...described,
    files: files.length,
    bytes,
    stdlibModules: stdlib.modules,
    dropped: [...new Set([...stdlib.dropped, ...dropped])].sort(),
    libraries: natives.filter((n) => n.kind === "library").map((n) => path.posix.basename(n.rel)).sort(),
  };
  const entries: ArchiveEntry[] = files.map((f) => ({ name: RUNTIME_PREFIX + f.rel, file: f.abs, store: false, mode: f.mode }));
  entries.push({ name: RUNTIME_CFG, data: Buffer.from(cfg.text), store: true, mode: 0o644 });
  return { info, entries };
}

// docs/format.md, ".pyzap/runtime.cfg": launcher.cfg's format and records,
// plus where the executable is, the glibc floor and the loader.
function runtimeCfg(info: Pick<RuntimeInfo, "version" | "executable" | "glibc" | "interp" | "early">, files: CfgFile[]): Promise<{ key: string | null; text: string }> {
  const records: [string, string][] = [["name", "cpython"], ["version", info.version], ["exe", info.executable]];
  if (info.glibc) records.push(["glibc", info.glibc]);
  if (info.interp) records.push(["interp", info.interp]);
  if (info.early) records.push(["early", info.early]);
  return entryCfg(records, files);
}
