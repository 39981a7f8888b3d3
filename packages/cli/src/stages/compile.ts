// Byte-compiles every .py of the bundle with the build interpreter, so the
// archive carries a .pyc beside each .py and imports never compile at run
// time; the same helper reads each site-packages source once more through
// Python's own parser to find code that needs its package as real files
// (helpers/zipsafety.py).
import { availableParallelism } from "node:os";
import path from "node:path";
import { runHelper } from "../util/helper.js";
import type { PythonInfo } from "../util/python.js";
import type { TreeFile } from "../util/walk.js";
import { moduleName } from "./module-names.js";

export interface CompileJob {
  source: string; // absolute path of the .py
  output: string; // absolute path of the .pyc to write
  display: string; // co_filename recorded in the code objects
  /** Dotted module name to analyse ("pkg.sub" for pkg/sub/__init__.py); null: compile only. */
  module?: string | null;
  isPackage?: boolean;
}

/** What zipsafety.py reports: see its docstring for the kinds. */
export type FindingKind = "path" | "listing" | "framework" | "templates" | "resource_file" | "as_file" | "error_path" | "tests";

export interface Finding {
  source: string; // absolute path of the .py
  line: number;
  kind: FindingKind;
  /** Top-level package the finding is about; "" = the file's own. */
  target: string;
  what: string;
  /** False when the path escapes where the scan cannot follow it. */
  certain: boolean;
  /** True when the path provably stays inside the module's own directory (zipsafety.Origin.up == 0); absent: no. */
  within?: boolean;
}

export interface Compiled {
  /** Sources that are not valid Python (kept as source only). */
  failed: Set<string>;
  findings: Finding[];
}

interface HelperOutput {
  failures: [string, string][];
  findings: Record<string, [number, FindingKind, string, string, boolean, boolean?][]>;
}

export async function compileAll(python: PythonInfo, jobs: CompileJob[]): Promise<Compiled> {
  if (jobs.length === 0) return { failed: new Set(), findings: [] };
  const input = jobs.map((j) => [j.source, j.output, j.display, j.module ?? null, j.isPackage ?? false]);
  // One helper per core, each on a contiguous share: compiling and parsing
  // is CPU-bound and the jobs are independent (pandas + scipy + numpy: 2,901
  // modules). The archive is the same byte for byte. Small trees stay in one process.
  const parts = Math.max(1, Math.min(availableParallelism(), Math.floor(input.length / MIN_JOBS_PER_HELPER)));
  const size = Math.ceil(input.length / parts);
  const chunks = Array.from({ length: parts }, (_, i) => input.slice(i * size, (i + 1) * size)).filter((c) => c.length > 0);
  const outs = await Promise.all(chunks.map((chunk) => runHelper<HelperOutput>(python, "compile_pyc", chunk)));
  const failures = outs.flatMap((o) => o.failures);
  if (failures.length > 0 && process.env.PYZAP_DEBUG) {
    for (const [source, why] of failures) process.stderr.write(`pyzap: debug: not compiled (kept as source): ${source}: ${why}\n`);
  }
  const findings: Finding[] = [];
  for (const out of outs) {
    for (const [source, list] of Object.entries(out.findings)) {
      for (const [line, kind, target, what, certain, within] of list) findings.push({ source: path.resolve(source), line, kind, target, what, certain, within: within === true });
    }
  }
  return { failed: new Set(failures.map(([source]) => path.resolve(source))), findings };
}

// Below this many modules per helper, a second interpreter's start-up (~20 ms) is not worth it.
const MIN_JOBS_PER_HELPER = 200;

/** Where the site-packages pass writes the .pyc of `rel` (the archive's `site-packages/RELc`). */
export const sitePycPath = (workDir: string, rel: string) => path.join(workDir, "pyc", "site-packages", `${rel}c`);

/** Compiles and analyses every .py of the staged tree, reading each once. */
export async function compileSite(python: PythonInfo, files: TreeFile[], workDir: string): Promise<Compiled> {
  return compileAll(python, siteJobs(files, workDir));
}

/** The compile-and-analyse jobs of a staged tree (exported so tests can batch many trees into one helper run). */
export function siteJobs(files: TreeFile[], workDir: string): CompileJob[] {
  const jobs: CompileJob[] = [];
  for (const f of files) {
    if (!f.rel.endsWith(".py")) continue;
    const name = moduleName(f.rel);
    jobs.push({ source: f.abs, output: sitePycPath(workDir, f.rel), display: `site-packages/${f.rel}`, module: name?.module ?? null, isPackage: name?.isPackage ?? false });
  }
  return jobs;
}
