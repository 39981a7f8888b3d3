// Byte-compiles every .py of the bundle with the build interpreter, so the
// archive carries a .pyc beside each .py and imports never compile at run time.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PyzapError } from "./errors.js";
import type { PythonInfo } from "./python.js";

export interface CompileJob {
  source: string; // absolute path of the .py
  output: string; // absolute path of the .pyc to write
  display: string; // co_filename recorded in the code objects
}

const HELPER = fileURLToPath(new URL("../helpers/compile_pyc.py", import.meta.url));

/** Compiles the jobs; returns the sources that are not valid Python (kept as source only). */
export function compileAll(python: PythonInfo, jobs: CompileJob[]): Set<string> {
  if (jobs.length === 0) return new Set();
  const input = JSON.stringify(jobs.map((j) => [j.source, j.output, j.display]));
  // -E -s: the user's PYTHONPATH or user site must not change how we compile.
  const result = spawnSync(python.executable, ["-E", "-s", HELPER], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new PyzapError("PYTHON_NOT_FOUND", `byte-compiling with ${python.command} failed: ${result.error?.message ?? result.stderr.trim()}`, {
      cause: result.error,
    });
  }
  const failures = JSON.parse(result.stdout) as [string, string][];
  if (failures.length > 0 && process.env.PYZAP_DEBUG) {
    for (const [source, why] of failures) process.stderr.write(`pyzap: debug: not compiled (kept as source): ${source}: ${why}\n`);
  }
  return new Set(failures.map(([source]) => path.resolve(source)));
}
