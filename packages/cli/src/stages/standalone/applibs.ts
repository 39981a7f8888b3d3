// Standalone bundles also carry the system libraries the app's own native
// code needs but does not ship: manylinux wheels may expect libstdc++ and
// libgcc_s from the system (numpy 2 does), and a machine without Python may
// well lack them. They are unpacked with the app's natives
// (KEY/site/.pyzap-libs/SONAME) and the runtime loads them before the first
// extension module (bundle.py's PRELOAD, dependencies first), so the loader
// finds them by soname however the module's RUNPATH reads.
import { statSync } from "node:fs";
import path from "node:path";
import type { UnpackedFile } from "../classify.js";
import { PyzapError } from "../../util/errors.js";
import { isBaseline, LibraryResolver, readElfFile, type ElfFile } from "./libs.js";

export const APP_LIBS_DIR = ".pyzap-libs";

export function systemLibsFor(unpacked: UnpackedFile[]): UnpackedFile[] {
  const shipped = new Set(unpacked.map((f) => path.posix.basename(f.rel)));
  const resolver = new LibraryResolver();
  const queue: ElfFile[] = unpacked.filter((f) => f.platform).map((f) => readElfFile(f.abs)).filter((e): e is ElfFile => e !== null);
  const carried = new Map<string, ElfFile>();
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const soname of from.info.needed) {
      if (isBaseline(soname) || shipped.has(soname) || carried.has(soname)) continue;
      const abs = resolver.resolve(soname, from);
      if (!abs) {
        throw new PyzapError("PYTHON_NOT_RELOCATABLE", `${from.abs} needs ${soname}, which is neither in the bundle nor found on this machine`, {
          hint: "install it on the build machine so --standalone can carry it",
        });
      }
      const lib = readElfFile(abs)!;
      carried.set(soname, lib);
      queue.push(lib);
    }
  }
  return dependenciesFirst(carried).map(([soname, lib]) => ({
    rel: `${APP_LIBS_DIR}/${soname}`,
    abs: lib.abs,
    size: statSync(lib.abs).size,
    executable: true,
    reason: "native: system library an extension module needs, carried by --standalone",
    module: null,
    wholePackage: null,
    platform: null,
  }));
}

/** The carried libraries ordered so that each comes after those it needs. */
function dependenciesFirst(carried: Map<string, ElfFile>): [string, ElfFile][] {
  const done: [string, ElfFile][] = [];
  const seen = new Set<string>();
  const visit = (soname: string) => {
    const lib = carried.get(soname);
    if (!lib || seen.has(soname)) return;
    seen.add(soname);
    for (const dep of lib.info.needed) visit(dep);
    done.push([soname, lib]);
  };
  for (const soname of [...carried.keys()].sort()) visit(soname);
  return done;
}
