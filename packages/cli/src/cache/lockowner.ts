// ROOT/KEY.lock is stale by age (proper-lockfile's rule: mtime older than
// 10 s). Two more cases, the launcher's too (launcher-c/src/lock.c): a lock
// dated more than 10 s in the future (nothing refreshes a lock into the
// future), and a lock whose holder recorded itself in ROOT/KEY.lock.owner
// ("PID PIDNS LOCKINO") and is gone: a crash then costs no 10 s wait.
import { lstatSync, readFileSync, readlinkSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { lockAgeIsStale } from "./scan.js";

export { lockAgeIsStale };

/** Why ROOT/KEY.lock can be taken over now, or null (absent, alive, or unknown: age decides). */
export function deadLockReason(root: string, key: string, now = Date.now()): string | null {
  let st;
  try {
    st = lstatSync(path.join(root, `${key}.lock`));
  } catch {
    return null;
  }
  if (lockAgeIsStale(now - st.mtimeMs)) return now < st.mtimeMs ? "dated in the future" : "stale";
  let record: string[];
  try {
    record = readFileSync(path.join(root, `${key}.lock.owner`), "utf8").trim().split(" ");
  } catch {
    return null;
  }
  const [pid, ns, ino] = record;
  if (record.length !== 3 || !/^[1-9]\d*$/.test(pid!) || ino !== String(st.ino) || ns !== ownPidNamespace()) return null;
  try {
    process.kill(Number(pid), 0);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? `its holder, process ${pid}, is gone` : null;
  }
}

/** Remove ROOT/KEY.lock (and its owner record) if deadLockReason says so. */
export function breakDeadLock(root: string, key: string): void {
  if (deadLockReason(root, key) === null) return;
  rmSync(path.join(root, `${key}.lock.owner`), { force: true });
  try {
    rmdirSync(path.join(root, `${key}.lock`));
  } catch {
    // gone meanwhile, or taken again: proper-lockfile decides below
  }
}

function ownPidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid").replace(/[ \n]/g, "_");
  } catch {
    return "";
  }
}
