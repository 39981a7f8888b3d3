// `--python-dist DIR|TARBALL`: build with a CPython distribution the user
// downloaded and extracted (or not yet), such as python-build-standalone's
// "install_only" archives (python/bin/python3, python/lib/...). Its
// interpreter resolves the requirements and becomes the runtime; whether it
// can be relocated is decided like for any interpreter (relocate.ts).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { PyzapError } from "../../util/errors.js";

const CANDIDATES = ["bin/python3", "python/bin/python3", "install/bin/python3"];

/** The interpreter of the distribution at `given` (extracted into workDir if it is an archive). */
export function pythonFromDist(given: string, workDir: string): string {
  if (!existsSync(given)) {
    throw new PyzapError("INPUT_NOT_FOUND", `The "--python-dist" option names nothing: ${given}`, { hint: "give the extracted directory or the .tar.gz of a CPython distribution" });
  }
  let root = path.resolve(given);
  if (!statSync(root).isDirectory()) {
    const dest = path.join(workDir, "python-dist");
    mkdirSync(dest, { recursive: true });
    const r = spawnSync("tar", ["-xf", root, "-C", dest], { encoding: "utf8" });
    if (r.status !== 0) {
      throw new PyzapError("USAGE", `The "--python-dist" option is not a directory or an archive tar can read: ${given}: ${(r.stderr || r.error?.message || "").trim()}`);
    }
    root = dest;
  }
  const found = CANDIDATES.map((c) => path.join(root, c)).find((p) => existsSync(p));
  if (!found) {
    throw new PyzapError("USAGE", `The "--python-dist" option has no ${CANDIDATES.join(" or ")}: ${given}`, {
      hint: "use a CPython install tree, e.g. python-build-standalone's *-install_only.tar.gz",
    });
  }
  return found;
}
