// Temporary directories and files of a build, removed on every way out: a
// normal return, an error, and Ctrl-C / SIGTERM / SIGHUP (a signal would
// otherwise end Node before any `finally` runs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeTree } from "./remove-tree.js";

const live = new Set<string>();
const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
let installed = false;

/** A new directory under the system's temp dir, removed at exit if still there. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  track(dir);
  return dir;
}

/** Removes `p` (file or directory) at exit or on a signal unless `release`d first. */
export function track(p: string): void {
  live.add(p);
  if (installed) return;
  installed = true;
  process.on("exit", removeAll);
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      removeAll();
      // The shell's convention: killed by signal N exits 128 + N.
      process.exit(128 + number);
    });
  }
}

/** Removes `p` now and forgets it. */
export function removeTemp(p: string): void {
  rmSync(p, { recursive: true, force: true });
  live.delete(p);
}

/** removeTemp for big trees: many unlinks in flight (remove-tree.ts). */
export async function removeTempTree(p: string): Promise<void> {
  await removeTree(p);
  live.delete(p);
}

/** Forgets `p` (it became the output). */
export function release(p: string): void {
  live.delete(p);
}

function removeAll(): void {
  for (const p of live) rmSync(p, { recursive: true, force: true });
  live.clear();
}
