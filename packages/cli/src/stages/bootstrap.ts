// Finds the Python runtime every bundle carries and maps its files to their
// place in the archive. In a checkout it is packages/bootstrap/python (always
// current); in the installed `pyzap` package, the copy `npm pack` put in
// runtime/ (scripts/prepack.mjs).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { BOOT_PREFIX } from "../format/layout.js";
import { PyzapError } from "../util/errors.js";
import { PACKAGE_ROOT } from "../util/package-root.js";
import { walkTree, type TreeFile } from "../util/walk.js";

export interface BootstrapFile extends TreeFile {
  archiveName: string;
}

export function bootstrapFiles(): BootstrapFile[] {
  const dir = bootstrapDir();
  return walkTree(dir)
    .filter((f) => f.rel.endsWith(".py"))
    .map((f) => ({ ...f, archiveName: f.rel === "__main__.py" ? "__main__.py" : `${BOOT_PREFIX}${f.rel}` }));
}

export function bootstrapDir(): string {
  const checkout = path.join(PACKAGE_ROOT, "../bootstrap/");
  const packaged = path.join(PACKAGE_ROOT, "runtime");
  const dir = isCheckoutBootstrap(checkout) ? `${checkout}python` : packaged;
  if (!existsSync(`${dir}/__main__.py`)) {
    throw new PyzapError("INSTALL_INCOMPLETE", `the Python runtime is missing from this pyzap installation: ${dir}/__main__.py`, {
      hint: "reinstall pyzap (in a checkout: npm ci)",
    });
  }
  return dir;
}

// Only our own workspace package counts, not any directory named "bootstrap"
// that happens to sit two levels up in an installation.
function isCheckoutBootstrap(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(`${dir}package.json`, "utf8")) as { name?: string }).name === "@pyzap/bootstrap";
  } catch {
    return false;
  }
}
