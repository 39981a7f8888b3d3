// Where the build interpreter keeps the parts a standalone runtime copies,
// as paths relative to its prefix so the runtime keeps the same layout (and
// CPython's getpath finds its prefix from the executable, as it does there).
import { spawnSync } from "node:child_process";
import { PyzapError } from "../../util/errors.js";

export interface RuntimeLayout {
  /** Real path of sys.base_prefix. */
  prefix: string;
  /** The real executable, and where it goes in the runtime ("bin/python3.11"). */
  executable: string;
  executableRel: string;
  /** The pure-Python standard library directory, and the zip getpath looks for ("lib/python311.zip"). */
  stdlib: string;
  zipRel: string;
  /** lib-dynload, and where it goes ("lib/python3.11/lib-dynload"). */
  dynload: string;
  dynloadRel: string;
  version: string;
}

const PROBE = `
import json, os, sys, sysconfig
prefix = os.path.realpath(sys.base_prefix)
exe = os.path.realpath(sys.executable)
def rel(p, default):
    r = os.path.relpath(os.path.realpath(p), prefix)
    return default if r.startswith('..') else r
dynload = [p for p in sys.path if os.path.basename(p) == 'lib-dynload']
zips = [p for p in sys.path if p.endswith('.zip') and os.path.basename(p).startswith('python')]
xy = '%d.%d' % sys.version_info[:2]
print(json.dumps({
  "prefix": prefix,
  "executable": exe,
  "executableRel": rel(exe, 'bin/' + os.path.basename(exe)),
  "stdlib": os.path.realpath(sysconfig.get_paths()['stdlib']),
  "zipRel": rel(zips[0], 'lib/python%d%d.zip' % sys.version_info[:2]) if zips else 'lib/python%d%d.zip' % sys.version_info[:2],
  "dynload": os.path.realpath(dynload[0]) if dynload else '',
  "dynloadRel": rel(dynload[0], 'lib/python%s/lib-dynload' % xy) if dynload else 'lib/python%s/lib-dynload' % xy,
  "version": '%d.%d.%d' % sys.version_info[:3],
}))
`;

export function probeLayout(python: string): RuntimeLayout {
  const r = spawnSync(python, ["-E", "-s", "-c", PROBE], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new PyzapError("BUILD_PYTHON", `cannot read the layout of ${python}: ${r.error?.message ?? r.stderr.trim().split("\n").pop()}`, { cause: r.error });
  }
  return JSON.parse(r.stdout) as RuntimeLayout;
}
