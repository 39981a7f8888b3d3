// The build interpreter: which Python runs pip and compiles bytecode, and what
// the bundle will need at run time (version, cache tag, platform).
import { spawnSync } from "node:child_process";
import { PyzapError } from "./errors.js";

export interface PythonInfo {
  /** What the user asked for (or "python3"), used to run pip and compileall. */
  command: string;
  /** The real executable (symlinks and pyenv shims resolved), recorded in the bundle. */
  executable: string;
  version: string; // "3.11.7"
  requires: string; // "3.11"
  cacheTag: string; // "cpython-311"
  soabi: string | null; // "cpython-311-x86_64-linux-gnu"
  platform: string; // "linux-x86_64"
  extensionSuffixes: string[]; // [".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so"]
}

// Printed as JSON by the interpreter itself: the only reliable source.
const PROBE = `
import json, os, sys, sysconfig, importlib.machinery as m
print(json.dumps({
  "executable": os.path.realpath(sys.executable),
  "version": "%d.%d.%d" % sys.version_info[:3],
  "requires": "%d.%d" % sys.version_info[:2],
  "cacheTag": sys.implementation.cache_tag,
  "soabi": sysconfig.get_config_var("SOABI"),
  "platform": sysconfig.get_platform(),
  "extensionSuffixes": m.EXTENSION_SUFFIXES,
}))
`;

/** Run the chosen interpreter once and describe it. */
export function probePython(command = "python3"): PythonInfo {
  const result = spawnSync(command, ["-c", PROBE], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim().split("\n").pop();
    throw new PyzapError("PYTHON_NOT_FOUND", `cannot run the build interpreter "${command}": ${why}`, {
      hint: "pass --python /path/to/python3 (the bundle will need the same X.Y at run time)",
      cause: result.error,
    });
  }
  const info = JSON.parse(result.stdout) as Omit<PythonInfo, "command">;
  if (!info.cacheTag) {
    throw new PyzapError("PYTHON_NOT_FOUND", `"${command}" has no bytecode cache tag; pyzap needs CPython`);
  }
  return { command, ...info };
}
