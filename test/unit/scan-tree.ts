// Writes small synthetic site-packages trees and runs the real build helper
// over them (compile + scan, no bundle): what the unit tests of the analysis use.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileAll, siteJobs, type Finding } from "../../packages/cli/src/stages/compile.js";
import type { PythonInfo } from "../../packages/cli/src/util/python.js";
import { walkTree, type TreeFile } from "../../packages/cli/src/util/walk.js";
import type { PackageDecision } from "../../packages/cli/src/format/manifest.js";
import { decidePackages, type NativeKind, type UnpackOptions } from "../../packages/cli/src/stages/zipunsafe.js";
import type { Distribution } from "../../packages/cli/src/stages/entrypoint.js";

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

/**
 * Scans many synthetic trees with ONE run of the build helper: starting a
 * Python per test case made the unit project take most of a minute on a
 * loaded machine. Add every tree while the file is collected (`add` returns
 * the tree's result, readable once `run` is done), call `run` in beforeAll.
 */
interface BatchedTree {
  root: string;
  tree: TreeFile[];
  scanned?: Scanned;
}

export class ScanBatch {
  private readonly trees: BatchedTree[] = [];

  add(files: Record<string, string>): () => Scanned {
    const root = writeTree(files);
    const entry: BatchedTree = { root, tree: walkTree(root) };
    this.trees.push(entry);
    return () => {
      if (!entry.scanned) throw new Error("ScanBatch: call run() in beforeAll before reading a result");
      return entry.scanned;
    };
  }

  async run(python = PYTHON): Promise<void> {
    const jobs = this.trees.flatMap(({ root, tree }) => siteJobs(tree, path.join(root, ".work")));
    const compiled = await compileAll(python, jobs);
    for (const entry of this.trees) {
      const { root, tree } = entry;
      const raw = compiled.findings.filter((f) => f.source.startsWith(root + path.sep));
      const rel = (abs: string) => path.relative(root, abs);
      const findings = raw
        .map((f): [string, number, string, string, boolean] => [rel(f.source), f.line, f.kind, f.target, f.certain])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
      entry.scanned = {
        findings,
        raw,
        decide: (options = {}, dists = [], nativeKind = () => null) => new Map(decidePackages(tree, nativeKind, raw, dists, options).map((d) => [d.name, d])),
      };
    }
  }
}
