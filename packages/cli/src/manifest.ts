// `.pyzap/manifest.json`: what the bundle is, for `pyzap inspect` and tools.
// The launcher never reads it (it has launcher.cfg); the bootstrap reads the
// generated bundle.py instead, so this file is free to be verbose.
import type { EntryPoint } from "./entrypoint.js";
import type { Launcher } from "./launcher.js";
import type { PythonInfo } from "./python.js";
import type { RuntimeInfo } from "./standalone/runtime.js";
import { VERSION } from "./version.js";
import type { PackageDecision } from "./zipunsafe.js";

export interface UnpackRecord {
  path: string; // relative to site-packages/ in the zip and to KEY/site/ in the cache
  size: number;
  mode: 0o644 | 0o755;
  xxh64: string;
  reason: string;
  module: string | null;
}

export interface Manifest {
  format: 1;
  name: string;
  version: string;
  entry: string;
  cacheKey: string | null;
  python: {
    executable: string;
    version: string;
    requires: string;
    cacheTag: string;
    soabi: string | null;
    platform: string;
  };
  launcher: { version: string; target: string; size: number };
  unpack: UnpackRecord[];
  /** Top-level packages unpacked whole (or kept zipped by --zip although zip-unsafe), with why. */
  packages: PackageDecision[];
  totals: { unpackedFiles: number; unpackedBytes: number; zippedBytes: number };
  /** --standalone: the carried interpreter (a second cache entry, shared by content). */
  runtime?: RuntimeInfo;
  builtBy: string;
}

export function buildManifest(input: {
  python: PythonInfo;
  entry: EntryPoint;
  key: string | null;
  unpack: UnpackRecord[];
  packages: PackageDecision[];
  launcher: Launcher;
  zippedBytes: number;
  runtime?: RuntimeInfo | null;
}): Manifest {
  const { python, entry, unpack, launcher } = input;
  return {
    format: 1,
    name: entry.name,
    version: entry.version,
    entry: entry.target,
    cacheKey: input.key,
    python: {
      executable: python.executable,
      version: python.version,
      requires: python.requires,
      cacheTag: python.cacheTag,
      soabi: python.soabi,
      platform: python.platform,
    },
    launcher: { version: launcher.version, target: launcher.target, size: launcher.bytes.length },
    unpack,
    packages: input.packages,
    totals: {
      unpackedFiles: unpack.length,
      unpackedBytes: unpack.reduce((n, f) => n + f.size, 0),
      zippedBytes: input.zippedBytes,
    },
    ...(input.runtime ? { runtime: input.runtime } : {}),
    builtBy: `pyzap ${VERSION}`,
  };
}
