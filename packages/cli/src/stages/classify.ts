// Stage 2: decide, file by file, what stays in the zip and what the launcher
// must unpack into the cache, and keep the reason for `pyzap inspect`.
import { elfPlatform } from "./platform.js";
import type { TreeFile } from "../util/walk.js";
import type { Finding } from "./compile.js";
import type { Distribution } from "./entrypoint.js";
import type { PackageDecision } from "../format/manifest.js";
import { topLevelName } from "./module-names.js";
import { decidePackages, isData, leftZipped, type UnpackOptions } from "./zipunsafe.js";

export interface UnpackedFile extends TreeFile {
  reason: string;
  /** Import name when the file is an extension module the native finder serves. */
  module: string | null;
  /** The top-level package when the file is unpacked as part of a whole package. */
  wholePackage: string | null;
  /** For ELF files, the platform they were built for ("linux-x64"); else null. */
  platform: string | null;
}

export interface Classified {
  zipped: TreeFile[];
  unpacked: UnpackedFile[];
  /** Every top-level package: where it runs from, and why. */
  packages: PackageDecision[];
}

// Native code cannot be loaded from inside a zip. Files are recognised by
// content, so versioned sonames (libfoo.so.1) and auditwheel's pkg.libs/
// directories are caught too; they keep their relative layout in the cache
// entry so $ORIGIN rpaths still resolve.
// Whole packages that need real files (zipunsafe.ts) join `unpacked` too:
// every file of theirs, with the package's reason; packages that ask for real
// files through importlib.resources get their data files unpacked.
export function classify(
  files: TreeFile[],
  extensionSuffixes: string[],
  evidence: { findings: Finding[]; dists: Distribution[] },
  options: UnpackOptions = {},
): Classified {
  // One read of each file's header: ELF or not, and for which platform.
  const elf = new Map<TreeFile, string>();
  for (const f of files) {
    const platform = elfPlatform(f.abs);
    if (platform) elf.set(f, platform);
  }
  const nativeKind = (f: TreeFile) => (!elf.has(f) ? null : extensionModuleName(f.rel, extensionSuffixes) ? "module" : "other");
  const packages = decidePackages(files, nativeKind, evidence.findings, evidence.dists, options);
  const whole = new Map(packages.filter((p) => p.unpacked).map((p) => [p.name, p.reason]));
  // Subpackages unpacked whole: the same treatment as a whole package, for the files under them.
  const parts = packages.flatMap((p) => (p.parts ?? []).map((dir) => ({ prefix: `${dir}/`, reason: p.reason })));
  const partReason = (rel: string) => parts.find((p) => rel.startsWith(p.prefix))?.reason;
  const data = new Map(packages.filter((p) => p.dataUnpacked).map((p) => [p.name, p.reason]));
  const trimmed = new Set(packages.filter((p) => p.trimmed).map((p) => p.name));
  const rels = new Set(files.map((f) => f.rel));
  const left = new Map<string, { tests: number; po: number }>(); // per package: files left zipped
  const zipped: TreeFile[] = [];
  const unpacked: UnpackedFile[] = [];
  for (const file of files) {
    const module = elf.has(file) ? extensionModuleName(file.rel, extensionSuffixes) : null;
    const top = topLevelName(file.rel);
    const wholeReason = top !== null ? (whole.get(top) ?? partReason(file.rel)) : undefined;
    const kind = wholeReason !== undefined && top !== null && trimmed.has(top) && !elf.has(file) ? leftZipped(file.rel, (r) => rels.has(r)) : null;
    if (kind !== null && top !== null) {
      zipped.push(file);
      const counts = left.get(top) ?? { tests: 0, po: 0 };
      counts[kind]++;
      left.set(top, counts);
    } else if (wholeReason !== undefined) {
      unpacked.push({ ...file, module, reason: wholeReason, wholePackage: top, platform: elf.get(file) ?? null });
    } else if (top !== null && data.has(top) && !elf.has(file) && isData(file.rel)) {
      unpacked.push({ ...file, module: null, reason: data.get(top) ?? "", wholePackage: null, platform: null });
    } else if (elf.has(file)) {
      const reason = module ? `native: ELF extension module ${module}` : "native: ELF shared library";
      unpacked.push({ ...file, module, reason, wholePackage: null, platform: elf.get(file) ?? null });
    } else {
      zipped.push(file);
    }
  }
  for (const p of packages) {
    const n = left.get(p.name);
    if (n) p.reason += `; ${leftNote(n.tests, n.po)} stay zipped`;
  }
  return { zipped, unpacked, packages };
}

// "its tests/ (1122 files) and 613 .po files (their .mo are unpacked)"
function leftNote(tests: number, po: number): string {
  const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
  const parts = [];
  if (tests) parts.push(`its tests/ (${files(tests)})`);
  if (po) parts.push(`${po} .po file${po === 1 ? "" : "s"} (their compiled .mo are unpacked)`);
  return parts.join(" and ");
}

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** "pkg/_ext.cpython-311-x86_64-linux-gnu.so" -> "pkg._ext"; null if not importable. */
export function extensionModuleName(rel: string, suffixes: string[]): string | null {
  // Longest suffix first: ".cpython-311-x86_64-linux-gnu.so" before ".so".
  const suffix = [...suffixes].sort((a, b) => b.length - a.length).find((s) => rel.endsWith(s));
  if (!suffix) return null;
  const parts = rel.slice(0, -suffix.length).split("/");
  if (!parts.every((p) => IDENTIFIER.test(p))) return null;
  if (parts.length > 1 && parts[parts.length - 1] === "__init__") parts.pop();
  return parts.join(".");
}
