// Deleting a cache entry without ever racing the launcher: under ROOT/KEY.lock
// (proper-lockfile, as docs/format.md says), the entry is first renamed to
// ROOT/KEY.del-PID, a name the launcher never uses, so a launcher starting
// meanwhile sees no entry, waits for the lock and re-extracts. An entry whose
// lock is held, or that a running process uses, is left alone. Its use
// records (ROOT/KEY.users) go with it.
import { existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import { breakDeadLock } from "./lockowner.js";
import { LOCK_STALE_MS } from "./scan.js";
import { entryUsers } from "./users.js";

export type RemoveOutcome = "removed" | "locked" | "in-use" | "missing" | "would-remove";

/** Runs `fn` holding ROOT/KEY.lock; "locked" if someone else holds it (a fresh lock is never broken). */
export async function withEntryLock<T>(root: string, key: string, fn: () => T | Promise<T>): Promise<T | "locked"> {
  let release: () => Promise<void>;
  breakDeadLock(root, key);
  try {
    release = await lockfile.lock(path.join(root, key), {
      realpath: false,
      stale: LOCK_STALE_MS,
      lockfilePath: path.join(root, `${key}.lock`),
      retries: 0,
      // Taken from us as stale (we were stopped > 10 s): the rename into
      // .del-PID already happened or will fail harmlessly; do not crash.
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") return "locked";
    throw error;
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/** Removes ROOT/KEY if nobody holds its lock and no running process uses it. */
export async function removeEntry(root: string, key: string, dryRun = false): Promise<RemoveOutcome> {
  const entry = path.join(root, key);
  const outcome = await withEntryLock(root, key, (): RemoveOutcome => {
    if (!existsSync(entry)) return "missing";
    if (entryUsers([entry]).length > 0) return "in-use";
    if (dryRun) return "would-remove";
    const doomed = path.join(root, `${key}.del-${process.pid}`);
    rmSync(doomed, { recursive: true, force: true });
    renameSync(entry, doomed);
    // A launcher that found the entry just before the rename has exec'd
    // Python by now: check again and give the entry back if so.
    // (Open directories and mapped files now show the new name.)
    if (entryUsers([entry, doomed]).length > 0) {
      renameSync(doomed, entry);
      return "in-use";
    }
    rmSync(doomed, { recursive: true, force: true });
    rmSync(path.join(root, `${key}.users`), { recursive: true, force: true });
    return "removed";
  });
  return outcome;
}

/** Removes a leftover KEY.tmp-PID / KEY.del-PID whose process is gone. */
export function removeLeftover(dir: string, dryRun = false): RemoveOutcome {
  if (!dryRun) rmSync(dir, { recursive: true, force: true });
  return dryRun ? "would-remove" : "removed";
}

/** Removes ROOT/KEY.users when, under the key's lock, ROOT/KEY is (still) gone. */
export async function removeOrphanUsers(root: string, key: string, dryRun = false): Promise<RemoveOutcome> {
  if (dryRun) return "would-remove";
  return withEntryLock(root, key, (): RemoveOutcome => {
    if (existsSync(path.join(root, key))) return "missing";
    rmSync(path.join(root, `${key}.users`), { recursive: true, force: true });
    return "removed";
  });
}
