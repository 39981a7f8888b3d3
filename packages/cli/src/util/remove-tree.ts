// Removes a build's temporary tree (pip's staging, the compiled .pyc) with
// many unlinks in flight. Once the kernel has written a file's blocks back,
// unlinking it waits for the device (ext4 with `discard` here: ~3 ms a file):
// 1,516 such files took 4.2-5.5 s one by one and 0.6-0.8 s four at a time, and
// the 2,901 .pyc of pandas + scipy + numpy once held a finished build 8.8 s.
import { readdirSync, rmSync } from "node:fs";
import { rmdir, unlink } from "node:fs/promises";
import path from "node:path";

// libuv's threadpool runs 4 by default; a few more keep it busy.
const IN_FLIGHT = 8;

export async function removeTree(root: string): Promise<void> {
  try {
    const files: string[] = [];
    const levels: string[][] = [];
    collect(root, 0, files, levels);
    await inParallel(files, (f) => unlink(f));
    // Deepest directories first: each is empty once the level below is gone.
    for (const dirs of levels.reverse()) await inParallel(dirs, (d) => rmdir(d));
  } catch {
    // Whatever went wrong (a file appeared, permissions): the plain way.
  }
  rmSync(root, { recursive: true, force: true });
}

function collect(dir: string, depth: number, files: string[], levels: string[][]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  (levels[depth] ??= []).push(dir);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) collect(p, depth + 1, files, levels);
    else files.push(p);
  }
}

async function inParallel(items: string[], op: (item: string) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await op(items[next++] ?? "");
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
}
