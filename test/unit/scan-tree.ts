// Writes a small synthetic site-packages tree and runs the real build helper
// over it (compile + scan, no bundle): what the unit tests of the analysis use.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileSite, type Finding } from "../../packages/cli/src/compile.js";
import type { PythonInfo } from "../../packages/cli/src/python.js";
import { walkTree, type TreeFile } from "../../packages/cli/src/walk.js";
import { decidePackages, type NativeKind, type PackageDecision, type UnpackOptions } from "../../packages/cli/src/zipunsafe.js";
import type { Distribution } from "../../packages/cli/src/entrypoint.js";

export const PYTHON = { command: "python3" } as PythonInfo;

/** A temporary site-packages holding `files` (relative path -> text). */
export function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "pyzap-unit-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

export interface Scanned {
  /** [file, line, kind, target, certain] of every finding, in file and line order. */
  findings: [string, number, string, string, boolean][];
  raw: Finding[];
  decide: (options?: UnpackOptions, dists?: Distribution[], nativeKind?: (f: TreeFile) => NativeKind) => Map<string, PackageDecision>;
}

export async function scanTree(files: Record<string, string>, python = PYTHON): Promise<Scanned> {
  const root = writeTree(files);
  const tree = walkTree(root);
  const compiled = await compileSite(python, tree, path.join(root, ".work"));
  const rel = (abs: string) => path.relative(root, abs);
  const findings = compiled.findings
    .map((f): [string, number, string, string, boolean] => [rel(f.source), f.line, f.kind, f.target, f.certain])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return {
    findings,
    raw: compiled.findings,
    decide: (options = {}, dists = [], nativeKind = () => null) => new Map(decidePackages(tree, nativeKind, compiled.findings, dists, options).map((d) => [d.name, d])),
  };
}
