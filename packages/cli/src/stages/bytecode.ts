// Which .pyc go into which bytecode pack (docs/format.md, "Bytecode packs").
// A module's code is read from its pack's unpacked copy in the cache, and a
// pack is unpacked the first time one of its modules is imported: a pack is
// one top-level package, so a run unpacks the packages it imports and not the
// others; a big package is cut into pieces of neighbouring modules, so
// `import scipy.stats` does not decompress all of scipy; small packages and
// modules share a pack (xz on a few KiB gains little and each pack is a file).
import { statSync } from "node:fs";
import { SITE_PREFIX } from "../format/layout.js";

/** A .pyc to pack: its archive name (site-packages/pkg/mod.pyc) and the file on disk. */
export interface PackFile {
  name: string;
  abs: string;
}

/**
 * xz preset of the packs. certbot (387 .pyc, 6.3 MiB raw): preset 1 packs to
 * 1.66 MiB (0.29 s of CPU), 4 to 1.56 (0.87 s), 6 to 1.51 (1.27 s), against
 * 2.39 MiB as deflated entries; decompressing costs the same whatever the preset.
 */
export const PACK_PRESET = 6;

/**
 * Up to this much raw bytecode the packs are xz, beyond it zlib (at the
 * --compress level). A first run decompresses every pack it touches, and xz
 * does ~80 MB/s here against ~400 for zlib: certbot (6.3 MiB, xz) pays ~80 ms
 * once for a bundle 0.8 MiB smaller, but pandas + scipy + numpy (62 MiB, 17 MB
 * of packs touched by `import numpy, pandas, scipy.stats`) would pay ~0.35 s,
 * taking its first run past twice its warm run (callgrind: +1,376 M
 * instructions on a 4,767 M warm start), and its build 12 s more of CPU.
 */
export const XZ_MAX_BYTES = 16 << 20;

/** "xz" for the packs of `bytes` of raw bytecode, else "zz" (zlib). */
export const packCodec = (bytes: number): "xz" | "zz" => (bytes <= XZ_MAX_BYTES ? "xz" : "zz");
/**
 * A top-level package with more raw bytecode than this is cut into pieces of
 * about this size. 256 KiB pieces: pandas + scipy + numpy's first run touches
 * 17.5 instead of 20.2 MB of packs, but certbot's bundle is 17 KB bigger.
 */
const PIECE_BYTES = 1 << 20;
/**
 * A top-level package with less than this goes into a pack it shares with its
 * small neighbours, which holds up to SHARED_BYTES. certbot (xz -6): 64 KiB /
 * 256 KiB packs to 1,588 KB in 16 packs, 256 KiB / 1 MiB to 1,566 KB in 10
 * (one pack per top-level package: 1,582 KB in 20; all in one: 1,464 KB).
 */
const SMALL_BYTES = 256 << 10;
const SHARED_BYTES = 1 << 20;

/** "pkg" for site-packages/pkg/sub/mod.pyc and site-packages/pkg.pyc. */
export function topLevel(name: string): string {
  const rest = name.startsWith(SITE_PREFIX) ? name.slice(SITE_PREFIX.length) : name;
  return rest.includes("/") ? rest.slice(0, rest.indexOf("/")) : rest.replace(/\.pyc$/, "");
}

/**
 * In a directory named tests, test or testing below its top-level package:
 * test suites ship in wheels and are seldom imported, so they get packs of
 * their own instead of sharing pieces with the code that runs. pandas + scipy
 * + numpy: 46 of its 65 MB of bytecode are tests; `import numpy, pandas,
 * scipy.stats` (15 MB of modules) unpacks 20 MB of packs instead of 31 MB.
 * certbot: 0.6 KB bigger.
 */
function isTest(name: string): boolean {
  const dirs = name.split("/").slice(2, -1);
  return dirs.some((d) => d === "tests" || d === "test" || d === "testing");
}

/** The packs; `files` are .pyc sorted by archive name (each pack keeps that order). */
export function planPacks(files: PackFile[]): PackFile[][] {
  const groups: { files: PackFile[]; bytes: number }[] = [];
  const keyed = files.map((f) => ({ f, top: topLevel(f.name), test: isTest(f.name) }));
  // Stable: a top-level package's code, then its tests, each in name order.
  keyed.sort((a, b) => (a.top !== b.top ? (a.top < b.top ? -1 : 1) : Number(a.test) - Number(b.test)));
  let key: string | null = null;
  for (const { f, top, test } of keyed) {
    const size = statSync(f.abs).size;
    const last = groups[groups.length - 1];
    if (last && `${top}\0${test}` === key) {
      last.files.push(f);
      last.bytes += size;
    } else groups.push({ files: [f], bytes: size });
    key = `${top}\0${test}`;
  }
  const packs: PackFile[][] = [];
  let shared: PackFile[] = [];
  let sharedBytes = 0;
  const flushShared = () => {
    if (shared.length) packs.push(shared);
    shared = [];
    sharedBytes = 0;
  };
  for (const g of groups) {
    if (g.bytes < SMALL_BYTES) {
      if (sharedBytes + g.bytes > SHARED_BYTES) flushShared();
      shared.push(...g.files);
      sharedBytes += g.bytes;
    } else if (g.bytes > PIECE_BYTES) packs.push(...cut(g.files, Math.ceil(g.bytes / PIECE_BYTES), g.bytes));
    else packs.push(g.files);
  }
  flushShared();
  return packs;
}

/** `files` in `n` runs of about equal raw size, in order. */
function cut(files: PackFile[], n: number, total: number): PackFile[][] {
  const pieces: PackFile[][] = [];
  let piece: PackFile[] = [];
  let filled = 0;
  for (const f of files) {
    piece.push(f);
    filled += statSync(f.abs).size;
    if (filled >= (total * (pieces.length + 1)) / n && pieces.length < n - 1) {
      pieces.push(piece);
      piece = [];
    }
  }
  if (piece.length) pieces.push(piece);
  return pieces;
}
