// A root filesystem with no Python in it, for running standalone bundles:
// the dynamic loader, glibc's own libraries and /bin/sh copied from this
// machine, nothing else. Entered as root with unshare (a private mount
// namespace, so /proc and /dev mounts never touch the host) and chroot.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

export const canChroot = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "-p", "-f", "true"]).status === 0;

// glibc's libraries (the baseline a standalone runtime expects on the target).
const GLIBC_LIBS = ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1", "libresolv.so.2"];

function copyTo(root: string, file: string, as = file): void {
  mkdirSync(path.join(root, path.dirname(as)), { recursive: true });
  copyFileSync(realpathSync(file), path.join(root, as));
}

/** Build ROOT with the loader `interp` (as the runtime names it), glibc and /bin/sh. */
export function makeRootfs(root: string, interp: string): void {
  for (const d of ["proc", "dev", "tmp", "app", "cache"]) mkdirSync(path.join(root, d), { recursive: true });
  copyTo(root, interp);
  const libDir = path.dirname(realpathSync(interp));
  for (const lib of GLIBC_LIBS) if (existsSync(path.join(libDir, lib))) copyTo(root, path.join(libDir, lib));
  copyTo(root, "/bin/sh");
}

/** Every file or directory under root whose name starts with "python". */
export function pythonsIn(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (/^python/i.test(name)) found.push(p);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory() && !p.startsWith(path.join(root, "proc")) && !p.startsWith(path.join(root, "dev"))) walk(p);
    }
  };
  walk(root);
  return found;
}

/** Run argv inside root (as root), with /proc and /dev mounted and only `env`. */
export function inRoot(root: string, argv: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const script = `set -e; mount -t proc proc '${root}/proc'; mount --rbind /dev '${root}/dev'; exec chroot '${root}' ${quoted}`;
  return spawnSync("unshare", ["--mount", "--pid", "--fork", "sh", "-c", script], {
    encoding: "utf8",
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/tmp", PYZAP_CACHE: "/cache", ...env },
  });
}
