// The pure-Python standard library of a standalone runtime: one zip where
// CPython's getpath looks for it (lib/python311.zip), so the interpreter
// imports `encodings` and the rest from it at start-up, before `site`, with
// no environment variable (sys.executable children, `-I`, `-E` included).
// What an application does not need at run time is left out; see DEFAULT_DROP.
import path from "node:path";
import { runHelper } from "../../util/helper.js";
import type { PythonInfo } from "../../util/python.js";

/**
 * Left out unless `--stdlib-keep NAME`: test suites (also every `test/`,
 * `tests/`, `idle_test/` inside a package, kept by `--stdlib-keep test`),
 * CPython's own test extension modules, IDLE, tkinter and turtle (Tcl/Tk's
 * script library is not carried, so they could not run), ensurepip (pip's
 * wheels), lib2to3, nis (deprecated, and it would carry Kerberos).
 */
export const DEFAULT_DROP = [
  "test", "idlelib", "tkinter", "_tkinter", "turtle", "turtledemo", "ensurepip", "lib2to3", "nis",
  "_testcapi", "_testbuffer", "_testimportmultiple", "_testmultiphase", "_testinternalcapi", "_testclinic",
  "_testsinglephase", "_ctypes_test", "_xxtestfuzz", "xxlimited", "xxlimited_35",
];

export function dropSet(keep: string[], drop: string[]): Set<string> {
  const set = new Set(DEFAULT_DROP.filter((n) => !keep.includes(n)));
  for (const n of drop) set.add(n);
  return set;
}

export interface StdlibZip {
  modules: number;
  files: number;
  dropped: string[];
  /** Written beside the zip, relative to its directory: "pyzap-early/encodings/__init__.pyc", ..., "pyzap-early/stdlib.idx". */
  early: string[];
}

/** The directory the launcher puts on PYTHONPATH ahead of the zip (runtime.cfg's `early`). */
export const EARLY_DIR = "pyzap-early";

/**
 * `keep` may also name "sources": the .py of each module beside its .pyc
 * (source lines in tracebacks through the stdlib; ~2.7 MB more, and twice
 * the zip entries CPython reads at every start).
 */
export async function writeStdlibZip(python: PythonInfo, output: string, drop: Set<string>, keep: string[]): Promise<StdlibZip> {
  const input = { stdlib: python.layout.stdlib, output, drop: [...drop], nested_tests: keep.includes("test"), sources: keep.includes("sources"), zip_name: path.basename(output) };
  return runHelper<StdlibZip>(python, "stdlib_zip", input);
}
