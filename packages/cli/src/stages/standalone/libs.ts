// Finding the shared libraries a runtime needs, the way the dynamic loader
// does on the build machine (ld.so(8), "Rpath token expansion" and search
// order): the object's DT_RPATH (when it has no DT_RUNPATH), its
// DT_RUNPATH, the ld.so cache, then the default directories. LD_LIBRARY_PATH
// is ignored: the target will not have the build machine's environment.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { readElf, type ElfInfo } from "./elf.js";

/**
 * glibc's own libraries: every glibc system has them, and they must come from
 * the target (they go with its loader and kernel interface). Everything else
 * a runtime needs (libssl, libffi, libsqlite3, libz, ncurses...) is carried.
 */
const BASELINE = /^(?:libc\.so\.6|libm\.so\.6|libmvec\.so\.1|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|libresolv\.so\.2|libanl\.so\.1|libnsl\.so\.1|libBrokenLocale\.so\.1|libthread_db\.so\.1|libc_malloc_debug\.so\.0|ld-linux[^/]*\.so\.\d+|ld64\.so\.\d+|ld\.so\.\d+|linux-vdso\.so\.1|linux-gate\.so\.1)$/;

export const isBaseline = (soname: string): boolean => BASELINE.test(soname);

export interface ElfFile {
  /** Where it is on the build machine (real path). */
  abs: string;
  info: ElfInfo;
}

export function readElfFile(abs: string): ElfFile | null {
  const info = readElf(readFileSync(abs));
  return info ? { abs, info } : null;
}

/** The ld.so cache as soname -> paths, from `ldconfig -p` (empty if there is none). */
function ldCache(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const ldconfig of ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"]) {
    const r = spawnSync(ldconfig, ["-p"], { encoding: "utf8" });
    if (r.status !== 0) continue;
    for (const line of r.stdout.split("\n")) {
      const m = /^\s+(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
      if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[3]!]);
    }
    break;
  }
  return map;
}

const DEFAULT_DIRS = ["/lib64", "/usr/lib64", "/lib", "/usr/lib"];
const MULTIARCH: Record<number, string> = { 0x3e: "x86_64-linux-gnu", 0xb7: "aarch64-linux-gnu", 0x03: "i386-linux-gnu", 0x28: "arm-linux-gnueabihf" };

export class LibraryResolver {
  private cache: Map<string, string[]> | null = null;

  /** Real path of `soname` needed by `from`, or null when the loader would not find it. */
  resolve(soname: string, from: ElfFile): string | null {
    if (soname.includes("/")) return existsSync(soname) ? realpathSync(soname) : null;
    const origin = path.dirname(from.abs);
    const sp = from.info.searchPath;
    const dirs = sp ? sp.value.split(":").map((d) => d.replace(/\$(?:\{ORIGIN\}|ORIGIN)/g, origin)) : [];
    this.cache ??= ldCache();
    const multiarch = MULTIARCH[from.info.machine];
    const candidates = [
      ...dirs.map((d) => path.join(d, soname)),
      ...(this.cache.get(soname) ?? []),
      ...[...(multiarch ? [`/lib/${multiarch}`, `/usr/lib/${multiarch}`] : []), ...DEFAULT_DIRS].map((d) => path.join(d, soname)),
    ];
    for (const c of candidates) {
      if (!existsSync(c)) continue;
      const real = realpathSync(c);
      const elf = readElfFile(real);
      // The loader skips a library built for another machine or class.
      if (elf && elf.info.machine === from.info.machine && elf.info.class64 === from.info.class64) return real;
    }
    return null;
  }
}
