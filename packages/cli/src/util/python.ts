// The build interpreter: which Python runs pip and compiles bytecode, and what
// the bundle will need at run time (version, cache tag, platform). Checked up
// front: CPython 3.7 or newer (unchecked-hash .pyc, PEP 552), with pip unless
// the bundle comes from --site-packages.
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import path from "node:path";
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
  hasPip: boolean;
  /** Where this interpreter keeps what a standalone runtime copies (--standalone). */
  layout: RuntimeLayout;
}

/** Paths of the interpreter's install, and where each goes in a standalone runtime (relative to its prefix). */
export interface RuntimeLayout {
  /** Real path of sys.base_prefix. */
  prefix: string;
  /** Where the real executable goes in the runtime ("bin/python3.11"). */
  executableRel: string;
  /** The pure-Python standard library directory, and the zip getpath looks for ("lib/python311.zip"). */
  stdlib: string;
  zipRel: string;
  /** lib-dynload, and where it goes ("lib/python3.11/lib-dynload"). */
  dynload: string;
  dynloadRel: string;
}

export const MIN_PYTHON = [3, 7] as const;

// Printed as JSON by the interpreter itself: the only reliable source. It runs
// on 2.7 and 3.x alike so that an old Python is named, not a traceback.
const PROBE = `
import json, os, sys
v = sys.version_info
out = {"pyzapProbe": 1, "version": "%d.%d.%d" % tuple(v[:3]), "requires": "%d.%d" % tuple(v[:2]),
       "implementation": getattr(getattr(sys, "implementation", None), "name", "cpython"),
       "executable": os.path.realpath(sys.executable)}
if v >= (3, 4):
    import sysconfig, importlib.machinery as m, importlib.util as u
    out.update(cacheTag=sys.implementation.cache_tag, soabi=sysconfig.get_config_var("SOABI"),
               platform=sysconfig.get_platform(), extensionSuffixes=m.EXTENSION_SUFFIXES,
               hasPip=u.find_spec("pip") is not None)
    # The standalone runtime keeps the install's layout relative to its prefix.
    prefix = os.path.realpath(sys.base_prefix)
    def rel(p, default):
        r = os.path.relpath(os.path.realpath(p), prefix)
        return default if r.startswith('..') else r
    xy, zip_name = "%d.%d" % tuple(v[:2]), "lib/python%d%d.zip" % tuple(v[:2])
    dynload = [p for p in sys.path if os.path.basename(p) == "lib-dynload"]
    zips = [p for p in sys.path if p.endswith(".zip") and os.path.basename(p).startswith("python")]
    out["layout"] = {"prefix": prefix, "executableRel": rel(out["executable"], "bin/" + os.path.basename(out["executable"])),
                     "stdlib": os.path.realpath(sysconfig.get_paths()["stdlib"]),
                     "zipRel": rel(zips[0], zip_name) if zips else zip_name,
                     "dynload": os.path.realpath(dynload[0]) if dynload else "",
                     "dynloadRel": rel(dynload[0], "lib/python%s/lib-dynload" % xy) if dynload else "lib/python%s/lib-dynload" % xy}
print(json.dumps(out))
`;

type Probe = Omit<PythonInfo, "command"> & { pyzapProbe?: number; implementation: string };

/** Run the chosen interpreter once, describe it, and refuse one pyzap cannot build with. */
export function probePython(command = "python3", needs: { pip: boolean } = { pip: true }): PythonInfo {
  const result = spawnSync(command, ["-c", PROBE], { encoding: "utf8" });
  const hint = "pass --python /path/to/python3 (the bundle will need the same X.Y at run time)";
  if (result.error) {
    const why = (result.error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : result.error.message;
    throw new PyzapError("BUILD_PYTHON", `cannot run the build interpreter "${command}": ${why}`, { hint, cause: result.error });
  }
  const info = parseProbe(result.stdout);
  if (result.status !== 0 || !info) throw notPython(command, result.status, result.stderr);
  const label = `"${command}" is ${info.implementation === "cpython" ? "Python" : info.implementation} ${info.version}`;
  const [major = 0, minor = 0] = info.requires.split(".").map(Number);
  if (info.implementation !== "cpython" || major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new PyzapError("BUILD_PYTHON", `${label}; pyzap builds with CPython ${MIN_PYTHON.join(".")} or newer`, { hint });
  }
  if (needs.pip && !info.hasPip) {
    throw new PyzapError("BUILD_PYTHON", `${label} without pip, which pyzap runs to resolve the requirements`, {
      hint: `install it (${command} -m ensurepip, or apt-get install python3-pip), pass another --python, or bundle an existing environment with --site-packages DIR`,
    });
  }
  return { command, ...info };
}

function parseProbe(stdout: string): Probe | null {
  try {
    const info = JSON.parse(stdout.trim().split("\n").pop() ?? "") as Probe;
    return info.pyzapProbe === 1 ? info : null;
  } catch {
    return null;
  }
}

// One line whatever the program printed: never the probe script itself
// (which `ls -c SCRIPT` would echo), and pyenv's several-line advice condensed.
function notPython(command: string, status: number | null, stderr: string): PyzapError {
  const pyenv = /exists in these Python versions:\n((?:[ \t]+\S+\n)+)/.exec(stderr);
  if (stderr.startsWith("pyenv:") && pyenv?.[1]) {
    const versions = pyenv[1].trim().split(/\s+/);
    const root = process.env.PYENV_ROOT ?? path.join(homedir(), ".pyenv");
    return new PyzapError("BUILD_PYTHON", `"${command}" is a pyenv shim, but no active pyenv version provides it (it is in ${versions.join(", ")})`, {
      hint: `pass --python ${path.join(root, "versions", versions[0] ?? "VERSION", "bin", path.basename(command))}, or activate it (pyenv shell ${versions[0]})`,
    });
  }
  const lines = stderr.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  const why = /^\w*(Error|Exception)\b/.test(last) ? `: ${last}` : status === null ? "" : ` (it exited ${status} without describing itself)`;
  return new PyzapError("BUILD_PYTHON", `"${command}" is not a Python interpreter pyzap can use${why}`, {
    hint: "pass --python /path/to/python3 (the bundle will need the same X.Y at run time)",
  });
}
