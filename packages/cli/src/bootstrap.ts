// Finds the Python runtime every bundle carries (packages/bootstrap/python)
// and maps its files to their place in the archive.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PyzapError } from "./errors.js";
import { walkTree, type TreeFile } from "./walk.js";

export interface BootstrapFile extends TreeFile {
  archiveName: string;
}

export function bootstrapFiles(): BootstrapFile[] {
  const dir = bootstrapDir();
  return walkTree(dir)
    .filter((f) => f.rel.endsWith(".py"))
    .map((f) => ({ ...f, archiveName: f.rel === "__main__.py" ? "__main__.py" : `.pyzap/boot/${f.rel}` }));
}

function bootstrapDir(): string {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve("@pyzap/bootstrap/package.json")), "python");
  } catch (error) {
    throw new PyzapError("LAUNCHER_MISSING", "the @pyzap/bootstrap package is not installed next to pyzap", {
      hint: "reinstall pyzap (npm ci in a checkout)",
      cause: error,
    });
  }
  if (!existsSync(path.join(dir, "__main__.py"))) {
    throw new PyzapError("LAUNCHER_MISSING", `the bootstrap runtime is incomplete: ${dir}/__main__.py is missing`);
  }
  return dir;
}
