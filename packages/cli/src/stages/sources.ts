// The sources of compiled modules, packed into solid chunks instead of one
// zip entry each (docs/format.md, "Sources"): a module runs from its .pyc, and
// its source is read only for a traceback, inspect or linecache, so it can be
// compressed hard. certbot: 1.20 MiB of deflated .py entries become 0.94 MiB
// of xz chunks, and 388 fewer entries to list at every start.
import { statSync } from "node:fs";
import path from "node:path";
import { BYTECODE_PREFIX, SOURCES_PREFIX } from "../format/layout.js";
import { runHelper } from "../util/helper.js";
import type { PythonInfo } from "../util/python.js";
import type { BytecodeInfo } from "../format/manifest.js";
import { packCodec, PACK_PRESET, planPacks, topLevel } from "./bytecode.js";
import type { ArchiveEntry } from "./write.js";

/**
 * Raw bytes of source per chunk. A traceback, or a library that reads its own
 * source at start-up (pyparsing's traceback.extract_stack() in pkg_resources),
 * decompresses the chunks that hold the files it reads. certbot --version
 * (callgrind, warm; sizes at xz -6): 64 KiB chunks 0.94 MiB and 1,258 M
 * instructions, 256 KiB 0.87 MiB and 1,262 M, 1 MiB 0.81 MiB and 1,341 M.
 */
const CHUNK_BYTES = 256 << 10;

export interface SourceFile {
  /** Archive name, e.g. site-packages/pkg/mod.py. */
  name: string;
  /** The file on disk. */
  abs: string;
}

interface HelperOutput {
  chunks: string[];
  index: string;
  /** Absent when no packs were asked for, or the build Python has no lzma. */
  bytecode?: { packs: string[]; index: string; raw: number[]; key: string };
}

/**
 * Packs `files` (in archive order) and, when `pycs` is given (.pyc in archive
 * order), the bytecode packs too, in one pool of the build interpreter; the
 * entries that hold them. `pycs` come back as entries of their own (deflated)
 * when the build Python cannot make packs (no lzma).
 */
export async function packSources(python: PythonInfo, files: SourceFile[], workDir: string, pycs: SourceFile[] | null = null, level = 6): Promise<{ entries: ArchiveEntry[]; bytecode: BytecodeInfo | null }> {
  if (files.length === 0 && !pycs?.length) return { entries: [], bytecode: null };
  const out = path.join(workDir, "sources");
  const bytecodeOut = path.join(workDir, "bytecode");
  const planned = pycs?.length ? planPacks(pycs) : [];
  const raw = (pycs ?? []).reduce((n, f) => n + statSync(f.abs).size, 0);
  const bytecode = planned.length ? { packs: planned.map((pack) => pack.map((f) => [f.name, f.abs])), out: bytecodeOut, codec: packCodec(raw), preset: PACK_PRESET, level } : undefined;
  const result = await runHelper<HelperOutput>(python, "pack_sources", { files: files.map((f) => [f.name, f.abs]), out, chunk: CHUNK_BYTES, bytecode });
  // Chunks are xz (or zlib) already: deflating them again would gain nothing.
  const entries: ArchiveEntry[] = [];
  if (files.length) {
    entries.push(...result.chunks.map((chunk): ArchiveEntry => ({ name: `${SOURCES_PREFIX}${chunk}`, file: path.join(out, chunk), store: true, mode: 0o644 })));
    entries.push({ name: `${SOURCES_PREFIX}index`, file: path.join(out, result.index), store: false, mode: 0o644 });
  }
  let info: BytecodeInfo | null = null;
  if (result.bytecode) {
    const { key, raw: sizes } = result.bytecode;
    info = { key, packs: result.bytecode.packs.map((name, i) => ({ name, modules: planned[i]?.length ?? 0, bytes: sizes[i] ?? 0, packages: [...new Set((planned[i] ?? []).map((f) => topLevel(f.name)))] })) };
    entries.push(...result.bytecode.packs.map((pack): ArchiveEntry => ({ name: `${BYTECODE_PREFIX}${pack}`, file: path.join(bytecodeOut, pack), store: true, mode: 0o644 })));
    entries.push({ name: `${BYTECODE_PREFIX}index`, file: path.join(bytecodeOut, result.bytecode.index), store: false, mode: 0o644 });
  } else if (pycs) entries.push(...pycs.map((f): ArchiveEntry => ({ name: f.name, file: f.abs, store: false, mode: 0o644 })));
  return { entries, bytecode: info };
}

/** A source that can go into a chunk: its name fits on one index line. */
export const packable = (name: string) => !name.includes("\n");
