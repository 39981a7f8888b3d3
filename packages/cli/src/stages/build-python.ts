// Which interpreter builds the bundle: --python, else for --site-packages the
// environment's own (pyvenv.cfg), else python3. A --site-packages of another
// Python's venv is refused rather than bundled under the wrong label.
import type { BundleArgs } from "./options.js";
import { PyzapError } from "../util/errors.js";
import { probePython, type PythonInfo } from "../util/python.js";
import { siteOrigin } from "./venv.js";

export function chooseBuildPython(args: BundleArgs): PythonInfo {
  if (!args.sitePackages) return probePython(args.python, { pip: true });
  const origin = siteOrigin(args.sitePackages);
  const python = probePython(args.python ?? origin.python ?? undefined, { pip: false });
  if (origin.requires && origin.requires !== python.requires) {
    throw new PyzapError("BUILD_PYTHON", `--site-packages ${args.sitePackages} is for Python ${origin.requires} (${origin.source}), but the build interpreter ${python.command} is ${python.requires}`, {
      hint: args.python ? `pass a Python ${origin.requires} with --python, or drop --python` : `pass --python /path/to/python${origin.requires}`,
    });
  }
  return python;
}
