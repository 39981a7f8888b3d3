// The cache root chain, as the launcher walks it (docs/format.md "Choosing
// ROOT", launcher-c/src/cacheroot.c): same candidates, same checks, same
// creation of missing directories, and an exec probe. Node cannot mmap, so
// ST_NOEXEC comes from /proc/self/mountinfo and the mmap(PROT_EXEC) probe runs
// in a one-line python3.
import { spawnSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, realpathSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { isNoexec } from "./mounts.js";

/** ROOT/KEY.tmp-PID/site/PATH (PATH <= 1024 bytes) must fit PATH_MAX: launcher-c/src/cacheroot.h. */
const ROOT_REAL_MAX = 4096 - 1024 - 64;

export interface Candidate {
  path: string;
  /** What put it on the list, e.g. "$PYZAP_CACHE" or "euid 0". */
  source: string;
  makeParent: boolean;
  allowLink: boolean;
}

export interface RootChoice {
  /** The root the launcher would use, or null when no candidate is usable. */
  root: string | null;
  source: string | null;
  /** Every candidate looked at, in order, with why it was skipped (null = chosen). */
  tried: { path: string; source: string; skipped: string | null }[];
}

/** The candidates in the launcher's order for this environment and user. */
export function candidates(env: NodeJS.ProcessEnv = process.env, euid = process.geteuid?.() ?? 0): Candidate[] {
  const out: Candidate[] = [];
  const add = (p: string, source: string, makeParent = false, allowLink = false) => out.push({ path: p, source, makeParent, allowLink });
  const abs = (name: string) => (env[name]?.startsWith("/") ? env[name] : undefined);
  if (env.PYZAP_CACHE) add(env.PYZAP_CACHE, "$PYZAP_CACHE", false, true);
  if (euid === 0) add("/var/cache/pyzap", "euid 0");
  else if (abs("XDG_CACHE_HOME")) add(`${abs("XDG_CACHE_HOME")}/pyzap`, "$XDG_CACHE_HOME", true);
  else if (abs("HOME")) add(`${abs("HOME")}/.cache/pyzap`, "$HOME", true);
  if (abs("XDG_RUNTIME_DIR")) add(`${abs("XDG_RUNTIME_DIR")}/pyzap`, "$XDG_RUNTIME_DIR");
  for (const base of ["/var/tmp", "/tmp", "/dev/shm"]) add(`${base}/pyzap-${euid}`, "fallback");
  return out;
}

/** Walk the chain like the launcher does before an extraction; the first usable root wins. */
export function chooseRoot(env: NodeJS.ProcessEnv = process.env): RootChoice {
  const euid = process.geteuid?.() ?? 0;
  const tried: RootChoice["tried"] = [];
  for (const c of candidates(env, euid)) {
    const skipped = checkRoot(c, euid) ?? probeExec(c.path, env);
    tried.push({ path: c.path, source: c.source, skipped });
    // The launcher hands Python the resolved path, the directory it checked.
    if (skipped === null) return { root: realpathSync(c.path), source: c.source, tried };
  }
  return { root: null, source: null, tried };
}

/** Why `c` cannot be the root (creating it if missing, as the launcher does), or null. */
export function checkRoot(c: Candidate, euid: number): string | null {
  if (!c.path.startsWith("/")) return "not an absolute path";
  if (c.path.includes(":")) return "contains ':', which cannot go on PYTHONPATH";
  let st: Stats;
  try {
    st = lstatSync(c.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return `lstat: ${errText(error)}`;
    const made = createRoot(c);
    if (made) return made;
    st = lstatSync(c.path);
  }
  if (st.isSymbolicLink()) {
    if (!c.allowLink) return "is a symlink";
    if (st.uid !== euid && st.uid !== 0) return `is a symlink owned by uid ${st.uid}`;
    try {
      st = statSync(c.path);
    } catch (error) {
      return `open: ${errText(error)}`;
    }
  }
  const mode = st.mode & 0o7777;
  if (!st.isDirectory()) return "open: Not a directory";
  if (st.uid !== euid) return `owned by uid ${st.uid}, not by you (uid ${euid})`;
  if (mode & 0o022) return `writable by group or others (mode ${octal(mode)})`;
  if ((mode & 0o300) !== 0o300) return `not writable by you (mode ${octal(mode)})`;
  const real = realpathSync(c.path);
  if (Buffer.byteLength(real) > ROOT_REAL_MAX) return `its real path is longer than ${ROOT_REAL_MAX} bytes`;
  if (real.includes(":")) return "its real path contains ':', which cannot go on PYTHONPATH";
  const ancestors = ancestorProblem(real, euid);
  if (ancestors) return ancestors;
  if (isNoexec(real)) return "on a filesystem mounted noexec";
  return null;
}

/**
 * OpenSSH's StrictModes rule, as the launcher applies it (launcher-c/src/trust.c):
 * the root and every directory above it owned by root or us, and writable by
 * nobody else unless the sticky bit is set. Otherwise another user could
 * rename the root (or an entry) and put theirs in its place.
 */
export function ancestorProblem(real: string, euid: number): string | null {
  for (let dir = real, depth = 0; ; dir = path.dirname(dir), depth++) {
    const st = statSync(dir);
    const problem = dirProblem(st.uid, st.mode, euid);
    if (problem) return `${depth ? "an ancestor directory is " : ""}${problem}`;
    if (dir === "/") return null;
  }
}

/** The rule for one directory (docs/vectors/protocol.txt, "dir"), or null if it is safe. */
export function dirProblem(uid: number, mode: number, euid: number): string | null {
  const perm = mode & 0o7777;
  if (uid !== 0 && uid !== euid) return `owned by uid ${uid} (neither root nor you)`;
  if (perm & 0o022 && !(perm & 0o1000)) return `writable by group or others without the sticky bit (mode ${octal(perm)})`;
  return null;
}

function createRoot(c: Candidate): string | null {
  try {
    if (c.makeParent) mkdirSync(path.dirname(c.path), { recursive: true, mode: 0o700 });
  } catch (error) {
    return `cannot create its parent: ${errText(error)}`;
  }
  try {
    mkdirSync(c.path, { mode: 0o755 });
    chmodSync(c.path, 0o755); // not masked by the umask, like the launcher
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return `mkdir: ${errText(error)}`;
  }
  return null;
}

// The launcher's probe: a 1-byte ROOT/.probe-PID mapped PROT_READ|PROT_EXEC.
const PROBE = [
  "import mmap, os, sys",
  "p = '%s/.probe-%d' % (sys.argv[1], os.getpid())",
  "fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)",
  "try:",
  "    os.write(fd, b'\\x7f')",
  "    mmap.mmap(fd, 1, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC).close()",
  "except OSError as e:",
  "    sys.exit('does not allow executable mappings (mmap PROT_EXEC: %s)' % e.strerror)",
  "finally:",
  "    os.close(fd); os.unlink(p)",
].join("\n");

/** Why files under `root` cannot be mapped executable, or null; null too when no python3 can run the probe. */
export function probeExec(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const python = env.PYZAP_PYTHON || "python3";
  const result = spawnSync(python, ["-I", "-S", "-c", PROBE, root], { encoding: "utf8", env: { ...env } });
  if (result.error) return null; // no interpreter here: the mountinfo check is all we can do
  if (result.status === 0) return null;
  return result.stderr.trim().split("\n").pop() || `exec probe failed (exit ${result.status})`;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

export function errText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, "").replace(/, \w+ '.*'$/, "")}` : String(error);
}
