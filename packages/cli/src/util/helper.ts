// Runs one of pyzap's Python build helpers (packages/cli/helpers) with the
// build interpreter: JSON in on stdin, JSON out on stdout. Python does what
// only Python does right (its own parser, importlib.metadata, bytecode).
import path from "node:path";
import { PyzapError } from "./errors.js";
import { PACKAGE_ROOT } from "./package-root.js";
import { runProcess } from "./process.js";
import type { PythonInfo } from "./python.js";

export type HelperName = "compile_pyc" | "dist_metadata" | "pack_sources" | "stdlib_zip";

/** Path of a helper script, for tests that run it directly. */
export function helperPath(name: HelperName): string {
  return path.join(PACKAGE_ROOT, "helpers", `${name}.py`);
}

export async function runHelper<T>(python: Pick<PythonInfo, "command">, name: HelperName, input: unknown): Promise<T> {
  // -E -s: the user's PYTHONPATH or user site must not change how we build.
  const result = await runProcess(python.command, ["-E", "-s", helperPath(name)], { input: JSON.stringify(input) });
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim().split("\n").pop() ?? `exit ${result.status}`;
    throw new PyzapError("BUILD_PYTHON", `the build interpreter ${python.command} failed running pyzap's ${name}.py: ${why}`, {
      hint: "pyzap needs CPython 3.7 or newer to build; pass another one with --python",
      cause: result.error,
    });
  }
  return JSON.parse(result.stdout) as T;
}
