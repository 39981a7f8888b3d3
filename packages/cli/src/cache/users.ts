// Which running processes use a cache entry: those the launcher (or the
// bootstrap) started for it carry PYZAP_ENTRY_DIR=ROOT/KEY in their
// environment, children included; any process that loaded one of its files
// has it in /proc/PID/maps. The warm path takes no lock, so this is how a
// deletion avoids pulling an entry from under a running application.
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

/** PIDs (other than ours) using ROOT/KEY; `dirs` are the names it may go by. */
export function entryUsers(dirs: string[]): number[] {
  const names = new Set<string>();
  for (const d of dirs) {
    names.add(d);
    try {
      names.add(path.join(realpathSync(path.dirname(d)), path.basename(d)));
    } catch {
      // the root vanished: the literal name is all we have
    }
  }
  const envNeedles = [...names].map((d) => Buffer.from(`\0PYZAP_ENTRY_DIR=${d}\0`));
  const mapNeedles = [...names].map((d) => ` ${d}/`);
  const users: number[] = [];
  const euid = process.geteuid?.() ?? 0;
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    // Anyone can put PYZAP_ENTRY_DIR in their environment to pin our
    // entries: only our own processes' environments count. Another user's
    // process counts if it really has a file of the entry mapped (an
    // Apache worker that dropped to www-data: its parent, ours, carries
    // the environment).
    if ((ownedBy(pid, euid) && environUses(pid, envNeedles)) || mapsUse(pid, mapNeedles) || fdsUse(pid, names)) users.push(pid);
  }
  return users;
}

function ownedBy(pid: number, uid: number): boolean {
  try {
    return statSync(`/proc/${pid}`).uid === uid;
  } catch {
    return false;
  }
}

function listPids(): number[] {
  try {
    return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

function environUses(pid: number, needles: Buffer[]): boolean {
  let env: Buffer;
  try {
    env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
  } catch {
    return false; // gone, or not ours to read
  }
  return needles.some((n) => env.includes(n));
}

/** A launcher holds ROOT/KEY open from its check until Python has started (and after). */
function fdsUse(pid: number, names: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (names.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

function mapsUse(pid: number, needles: string[]): boolean {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, "utf8");
  } catch {
    return false;
  }
  return needles.some((n) => maps.includes(n));
}
