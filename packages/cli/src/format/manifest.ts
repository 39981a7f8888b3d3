// `.pyzap/manifest.json`: what a bundle is, for `pyzap inspect` and tools
// (docs/format.md). The launcher never reads it (it has launcher.cfg); the
// bootstrap reads the generated bundle.py instead, so this file is free to be
// verbose. The build writes it (stages/manifest.ts), inspect reads it.

/** One file the launcher unpacks (an f line of launcher.cfg, with why). */
export interface UnpackRecord {
  path: string; // relative to site-packages/ in the zip and to KEY/site/ in the cache
  size: number;
  mode: 0o644 | 0o755;
  xxh64: string;
  reason: string;
  module: string | null;
}

/** How a top-level package runs, and what decided it (the build's zip-safety analysis). */
export interface PackageDecision {
  name: string; // top-level import name
  /** Where its Python code is imported from at run time. */
  runsFrom: "archive" | "cache";
  /** Unpacked whole into the cache entry. */
  unpacked: boolean;
  /** Code in the archive, data files also unpacked into the cache entry (real files for as_file, resource_filename). */
  dataUnpacked: boolean;
  /**
   * Subpackage directories (site-packages relative, "pandas/io/formats")
   * unpacked whole and imported from the cache while the rest of the package
   * runs from the archive: the code that reads its files by path stays inside
   * them. Absent or empty otherwise.
   */
  parts?: string[];
  /** Unpacked whole by the scan's decision (not --unpack/--unpack-all): what it does not need stays zipped (leftZipped in stages/zipunsafe.ts). */
  trimmed: boolean;
  /** One line for the build output and `pyzap inspect`. */
  reason: string;
  /** The finding that decided, if any: file relative to site-packages, 1-based line. */
  finding: { file: string; line: number; what: string } | null;
}

/** What `pyzap inspect` and the manifest say about the runtime. */
export interface RuntimeInfo {
  key: string;
  version: string;
  executable: string; // inside the runtime: "bin/python3.11"
  early: string | null; // inside the runtime: "lib/pyzap-early", put on PYTHONPATH by the launcher (_pyzap/_stdlib.py)
  glibc: string | null; // "2.34": the newest GLIBC_x.y any embedded binary needs
  interp: string | null; // the dynamic loader the executable asks for
  files: number;
  bytes: number;
  stdlibModules: number;
  dropped: string[];
  libraries: string[]; // carried shared libraries (sonames), libpython included
}

/** The bytecode packs (docs/format.md, "Bytecode packs"), for `pyzap inspect`. */
export interface BytecodeInfo {
  /** H of the cache directory ROOT/pyc-H the runtime unpacks them into. */
  key: string;
  packs: { name: string; modules: number; bytes: number; packages: string[] }[];
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
  /** Bytecode in packs (--compress 1-9); absent when each .pyc is an entry of its own. */
  bytecode?: BytecodeInfo;
  builtBy: string;
}
