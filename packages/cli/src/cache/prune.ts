// `pyzap cache prune`: entries not used within a period, then oldest-used
// first down to a size cap; leftovers of dead extractions, stale locks and
// use records (KEY.users) whose entry is gone.
import path from "node:path";
import { removeEntry, removeLeftover, removeOrphanUsers, withEntryLock, type RemoveOutcome } from "./remove.js";
import { scanAll, type CacheEntry } from "./scan.js";

export interface PruneOptions {
  /** Entries whose last use is older than this go; null: no age rule. */
  olderThanMs: number | null;
  maxBytes: number | null;
  dryRun: boolean;
}

export interface PruneAction {
  key: string;
  path: string;
  what: "entry" | "leftover" | "stale-lock";
  why: string;
  bytes: number;
  outcome: RemoveOutcome;
}

export async function prune(root: string, opts: PruneOptions, now = Date.now()): Promise<PruneAction[]> {
  const actions: PruneAction[] = [];
  const { entries, orphanUsers } = scanAll(root, now);
  for (const e of entries) actions.push(...(await cleanDebris(root, e, opts.dryRun)));
  for (const dir of orphanUsers) {
    const key = path.basename(dir).slice(0, 16);
    actions.push({ key, path: dir, what: "leftover", why: "use records of a removed entry", bytes: 0, outcome: await removeOrphanUsers(root, key, opts.dryRun) });
  }

  // Locked ones included: removeEntry reports them as "locked" and leaves them.
  const complete = entries.filter((e) => e.path && e.lastUsed);
  // An mtime in the future (a clock step, or set on purpose) would keep an
  // entry forever: count it as never used.
  const lastUsed = (e: CacheEntry) => {
    const t = Date.parse(e.lastUsed ?? "");
    return t > now + 24 * 3600_000 ? 0 : t;
  };
  const kept: CacheEntry[] = [];
  for (const e of complete) {
    if (opts.olderThanMs !== null && now - lastUsed(e) > opts.olderThanMs) {
      const outcome = await removeEntry(root, e.key, opts.dryRun);
      actions.push({ key: e.key, path: e.path!, what: "entry", why: `last used ${e.lastUsed}`, bytes: e.diskBytes, outcome });
      if (outcome === "removed" || outcome === "would-remove" || outcome === "missing") continue;
    }
    kept.push(e);
  }

  if (opts.maxBytes !== null) {
    let total = kept.reduce((n, e) => n + e.diskBytes, 0);
    // Entries used within the period are never pruned, even over the cap.
    const candidates = kept
      .filter((e) => opts.olderThanMs === null || now - lastUsed(e) > opts.olderThanMs)
      .sort((a, b) => lastUsed(a) - lastUsed(b));
    for (const e of candidates) {
      if (total <= opts.maxBytes) break;
      const outcome = await removeEntry(root, e.key, opts.dryRun);
      actions.push({ key: e.key, path: e.path!, what: "entry", why: `over --max-size, last used ${e.lastUsed}`, bytes: e.diskBytes, outcome });
      if (outcome === "removed" || outcome === "would-remove") total -= e.diskBytes;
    }
  }
  return actions;
}

/** Leftover tmp/del directories of dead processes and a stale lock, removed under the key's lock. */
async function cleanDebris(root: string, e: CacheEntry, dryRun: boolean): Promise<PruneAction[]> {
  const dead = e.leftovers.filter((l) => !l.alive);
  if (dead.length === 0 && !e.lock?.stale) return [];
  const actions: PruneAction[] = [];
  // proper-lockfile removes a stale lock itself when it takes it; a dry run takes no lock.
  const result = dryRun ? undefined : await withEntryLock(root, e.key, () => {
    for (const l of dead) {
      actions.push({ key: e.key, path: l.path, what: "leftover", why: `process ${l.pid} is gone`, bytes: 0, outcome: removeLeftover(l.path, dryRun) });
    }
  });
  if (dryRun) {
    for (const l of dead) actions.push({ key: e.key, path: l.path, what: "leftover", why: `process ${l.pid} is gone`, bytes: 0, outcome: "would-remove" });
  }
  if (e.lock?.stale) {
    const outcome: RemoveOutcome = result === "locked" ? "locked" : dryRun ? "would-remove" : "removed";
    actions.push({ key: e.key, path: path.join(root, `${e.key}.lock`), what: "stale-lock", why: `not refreshed for ${Math.round(e.lock.ageMs / 1000)} s`, bytes: 0, outcome });
  }
  return actions;
}
