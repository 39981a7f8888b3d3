// The manifest of a new bundle (its schema: format/manifest.ts), from what
// the stages found.
import type { Manifest, PackageDecision, RuntimeInfo, UnpackRecord } from "../format/manifest.js";
import type { PythonInfo } from "../util/python.js";
import { VERSION } from "../util/version.js";
import type { EntryPoint } from "./entrypoint.js";
import type { Launcher } from "./launcher.js";

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
