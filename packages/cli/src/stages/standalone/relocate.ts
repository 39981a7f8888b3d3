// Copies the runtime's native files into the staging tree, stripped of debug
// information, with every RPATH/RUNPATH pointing at the runtime's lib/
// through $ORIGIN, so the runtime works wherever the cache puts it. The
// executable's search path becomes a DT_RPATH: the loader applies that to
// libraries without a RUNPATH of their own (the carried libssl needing
// libcrypto, for instance). Then checks that every non-baseline library each
// file needs resolves inside the runtime, and refuses the interpreter with
// the reason when one does not.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PyzapError } from "../../util/errors.js";
import type { NativeFile } from "./collect.js";
import { readElf } from "./elf.js";
import { rewriteSearchPath } from "./elf.js";
import { isBaseline } from "./libs.js";

export interface StagedNative {
  rel: string;
  abs: string; // the staged copy
  hasSearchPath: boolean;
}

export function stageNatives(natives: NativeFile[], stageDir: string, libRel: string): StagedNative[] {
  const staged: StagedNative[] = [];
  for (const n of natives) {
    const out = path.join(stageDir, n.rel);
    mkdirSync(path.dirname(out), { recursive: true });
    strip(n.abs, out);
    const buf = readFileSync(out);
    const origin = path.posix.relative(path.posix.dirname(n.rel), libRel) || ".";
    const value = origin === "." ? "$ORIGIN" : `$ORIGIN/${origin}`;
    let hasSearchPath = false;
    if (readElf(buf)?.searchPath) {
      if (!rewriteSearchPath(buf, value, n.kind === "executable")) {
        throw notRelocatable(`the RUNPATH of ${n.abs} (${readElf(buf)?.searchPath?.value}) is too short to point at the bundled libraries (${value})`);
      }
      writeFileSync(out, buf);
      hasSearchPath = true;
    }
    staged.push({ rel: n.rel, abs: out, hasSearchPath });
  }
  checkResolvable(natives, staged, libRel);
  return staged;
}

/** Every non-baseline DT_NEEDED of every file must be found in libRel by the target's loader. */
function checkResolvable(natives: NativeFile[], staged: StagedNative[], libRel: string): void {
  const exe = staged[natives.findIndex((n) => n.kind === "executable")];
  const carried = new Set(natives.filter((n) => n.kind === "library").map((n) => path.posix.basename(n.rel)));
  natives.forEach((n, i) => {
    const own = staged[i]!.hasSearchPath;
    for (const soname of n.info.needed) {
      if (isBaseline(soname)) continue;
      if (!carried.has(soname)) throw notRelocatable(`${n.abs} needs ${soname}, which was not collected`);
      if (!own && !exe?.hasSearchPath) {
        const who = n.kind === "executable" ? "it has no" : `neither it nor ${natives[0]!.abs} has an`;
        throw notRelocatable(`${n.abs} needs ${soname}, and ${who} RPATH/RUNPATH pyzap can point at the runtime's ${libRel}/`);
      }
    }
  });
}

function notRelocatable(why: string): PyzapError {
  return new PyzapError("PYTHON_NOT_RELOCATABLE", `this interpreter cannot be made standalone: ${why}`, {
    hint: "build with a pyenv or python.org-style CPython configured with --enable-shared (which records an RPATH), or pass --python a relocatable CPython such as a python-build-standalone install_only build",
  });
}

/** strip --strip-unneeded (debug info and local symbols; the dynamic ones stay); a plain copy without binutils. */
function strip(src: string, out: string): void {
  const r = spawnSync("strip", ["--strip-unneeded", "-o", out, src], { encoding: "utf8" });
  if (r.status !== 0) copyFileSync(src, out);
}
