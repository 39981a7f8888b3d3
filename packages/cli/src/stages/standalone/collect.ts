// The native part of a standalone runtime: the interpreter executable, the
// lib-dynload extension modules, and every non-baseline shared library they
// need (libpython included), found like the loader finds them. Libraries go
// to the runtime's lib/ under their soname, where the rewritten search paths
// (relocate.ts) point.
import { readdirSync } from "node:fs";
import path from "node:path";
import { PyzapError } from "../../util/errors.js";
import type { PythonInfo } from "../../util/python.js";
import { isBaseline, LibraryResolver, readElfFile, type ElfFile } from "./libs.js";

/** Where carried libraries go in the runtime (libpython too). */
export const LIB_REL = "lib";

export interface NativeFile extends ElfFile {
  /** Path inside the runtime ("lib/libssl.so.3"). */
  rel: string;
  kind: "executable" | "module" | "library";
}

/** Module name of a lib-dynload file: "_ssl.cpython-311-x86_64-linux-gnu.so" -> "_ssl". */
export const dynloadModule = (file: string): string => file.split(".", 1)[0]!;

/** The natives, and the lib-dynload modules left out because `drop` names them. */
export function collectNatives(python: PythonInfo, drop: Set<string>): { natives: NativeFile[]; dropped: string[] } {
  const layout = python.layout;
  const exe = readElfFile(python.executable);
  if (!exe) throw new PyzapError("BUILD_PYTHON", `${python.executable} is not an ELF executable; --standalone needs a Linux CPython`);
  const natives: NativeFile[] = [{ ...exe, rel: layout.executableRel, kind: "executable" }];
  const all = layout.dynload ? readdirSync(layout.dynload).filter((f) => f.endsWith(".so")) : [];
  const modules = all.filter((f) => !drop.has(dynloadModule(f)));
  const dropped = all.filter((f) => drop.has(dynloadModule(f))).map(dynloadModule);
  for (const name of modules.sort()) {
    const elf = readElfFile(path.join(layout.dynload, name));
    if (elf) natives.push({ ...elf, rel: `${layout.dynloadRel}/${name}`, kind: "module" });
  }
  const resolver = new LibraryResolver();
  const bySoname = new Map<string, NativeFile>();
  for (let i = 0; i < natives.length; i++) {
    const from = natives[i]!;
    for (const soname of from.info.needed) {
      if (isBaseline(soname) || bySoname.has(soname)) continue;
      const abs = resolver.resolve(soname, from);
      if (!abs) {
        throw new PyzapError("BUILD_PYTHON", `${from.abs} needs ${soname}, which is not found on this machine`, {
          hint: `install it, or drop the module that needs it with --stdlib-drop ${from.kind === "module" ? dynloadModule(path.basename(from.abs)) : "MODULE"}`,
        });
      }
      const lib: NativeFile = { ...readElfFile(abs)!, rel: `${LIB_REL}/${soname}`, kind: "library" };
      bySoname.set(soname, lib);
      natives.push(lib);
    }
  }
  return { natives, dropped };
}
