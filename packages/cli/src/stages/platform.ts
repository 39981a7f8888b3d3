// Which platform a bundle is for: the one its native code was built for
// (read from the ELF headers), else --platform, else this machine. Platform
// names are npm's (`linux-x64`, `linux-arm64`), as in the launcher packages.
import { closeSync, openSync, readSync } from "node:fs";
import { PyzapError } from "../util/errors.js";

// ELF e_machine values (System V gABI) for the CPUs npm names.
const MACHINES: Record<number, string> = { 0x3e: "x64", 0xb7: "arm64", 0x03: "ia32", 0x28: "arm", 0xf3: "riscv64", 0x15: "ppc64", 0x16: "s390x" };

/** npm's name for this machine: "linux-x64". */
export function hostPlatform(): string {
  return `${process.platform}-${process.arch}`;
}

/** The platform an ELF file was built for, or null if it is not ELF. */
export function elfPlatform(file: string): string | null {
  const head = Buffer.alloc(20);
  const fd = openSync(file, "r");
  try {
    if (readSync(fd, head, 0, 20, 0) < 20) return null;
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32BE(0) !== 0x7f454c46) return null;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return `linux-${MACHINES[machine] ?? `elf-machine-${machine}`}`;
}

/** One platform for the bundle, or an error naming the files that disagree. */
export function choosePlatform(natives: { rel: string; platform: string | null }[], requested?: string): string {
  const seen = new Map<string, string>(); // platform -> first file built for it
  for (const f of natives) {
    if (f.platform && !seen.has(f.platform)) seen.set(f.platform, f.rel);
  }
  const list = () => [...seen].map(([p, rel]) => `${p} (${rel})`).join(", ");
  if (seen.size > 1) {
    throw new PyzapError("PLATFORM", `the bundle mixes native code for several platforms: ${list()}`, {
      hint: "install the requirements for one platform (pip's --platform/--only-binary options) and bundle again",
    });
  }
  const native = [...seen.keys()][0];
  if (requested && native && requested !== native) {
    throw new PyzapError("PLATFORM", `--platform ${requested} does not match the bundled native code: ${list()}`, {
      hint: `drop --platform, or resolve the requirements for ${requested}`,
    });
  }
  return native ?? requested ?? hostPlatform();
}
