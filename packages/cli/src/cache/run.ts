// `pyzap cache dir|list|prune|clean|verify`: each prints a table, or JSON
// with --json, and fails (through PyzapError) only when the user must act.
import { existsSync } from "node:fs";
import path from "node:path";
import { PyzapError } from "../util/errors.js";
import { prune } from "./prune.js";
import { removeEntry, type RemoveOutcome } from "./remove.js";
import { chooseRoot } from "./root.js";
import { KEY_PREFIX_RE, KEY_RE as KEY, scanRoot } from "./scan.js";
import { humanAgo, humanBytes, parseDuration, parseSize, plural, printable, table } from "../util/units.js";
import { verifyEntry, type VerifyResult } from "./verify.js";

// Names, versions and paths come from bundles and their use records, which
// anyone can craft: never send their control characters (escape sequences)
// to the terminal raw. JSON output escapes them itself.
const print = (text: string): void => void process.stdout.write(printable(text));
const printJson = (value: unknown) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** The root the launcher would use; exit 23 (NO_CACHE) when there is none. */
function requireRoot(): string {
  const choice = chooseRoot();
  // An explicit root the user cannot use is an error, not a reason to work
  // on another root (root's prune would otherwise run on /var/cache/pyzap).
  const explicit = choice.tried[0];
  if (process.env.PYZAP_CACHE && explicit?.source === "$PYZAP_CACHE" && explicit.skipped !== null) {
    throw new PyzapError("NO_CACHE", `PYZAP_CACHE=${explicit.path} cannot be used: ${explicit.skipped}`, {
      hint: "point PYZAP_CACHE at a directory you own that nobody else can write to, or unset it",
    });
  }
  if (choice.root) return choice.root;
  const why = choice.tried.map((t) => `${t.path} (${t.skipped})`).join("; ");
  throw new PyzapError("NO_CACHE", `no usable cache directory (tried ${why})`, {
    hint: "set PYZAP_CACHE to a directory you own, on a filesystem that allows exec",
  });
}

export function cacheDir(json: boolean): void {
  const choice = chooseRoot();
  if (json) {
    printJson(choice);
    return;
  }
  if (!choice.root) requireRoot();
  print(`${choice.root}\n`);
  for (const t of choice.tried) {
    process.stderr.write(`pyzap: ${t.path} (${t.source}): ${t.skipped === null ? "chosen" : `skipped, ${t.skipped}`}\n`);
  }
}

export function cacheList(json: boolean): void {
  const root = requireRoot();
  const entries = scanRoot(root);
  if (json) {
    printJson({ root, entries });
    return;
  }
  if (entries.length === 0) {
    print(`no entries in ${root}\n`);
    return;
  }
  // The same columns and formats as PYZAP=cache list; bundle paths last (they are long).
  const rows = entries.map((e) => [e.key, humanBytes(e.bytes), humanBytes(e.diskBytes), String(e.files), humanAgo(e.created), humanAgo(e.lastUsed), e.state, e.kind !== "entry" ? `(${e.kind} unpacked on demand)` : bundlesCell(e.bundles)]);
  print(table(["KEY", "SIZE", "ON DISK", "FILES", "CREATED", "LAST USED", "STATE", "BUNDLES"], rows));
  const total = entries.reduce((n, e) => n + e.diskBytes, 0);
  print(`${plural(entries.length, "entry", "entries")}, ${humanBytes(total)} on disk in ${root}\n`);
}

export async function cachePrune(opts: { olderThan?: string; maxSize?: string; dryRun: boolean; json: boolean }): Promise<void> {
  const olderThanMs = opts.olderThan !== undefined ? parseDuration("--older-than", opts.olderThan) : opts.maxSize !== undefined ? null : parseDuration("--older-than", "30d");
  const maxBytes = opts.maxSize !== undefined ? parseSize("--max-size", opts.maxSize) : null;
  const root = requireRoot();
  const actions = await prune(root, { olderThanMs, maxBytes, dryRun: opts.dryRun });
  if (opts.json) {
    printJson({ root, dryRun: opts.dryRun, actions });
    return;
  }
  if (actions.length === 0) {
    print(`nothing to prune in ${root}\n`);
    return;
  }
  print(table(["KEY", "WHAT", "OUTCOME", "ON DISK", "WHY"], actions.map((a) => [a.key, a.what, a.outcome, humanBytes(a.bytes), a.why])));
  const freed = actions.filter((a) => a.outcome === "removed" || a.outcome === "would-remove").reduce((n, a) => n + a.bytes, 0);
  print(`${opts.dryRun ? "would free" : "freed"} ${humanBytes(freed)} in ${root}\n`);
}

export async function cacheClean(opts: { keys: string[]; all: boolean; json: boolean }): Promise<void> {
  if (!opts.all && opts.keys.length === 0) {
    throw new PyzapError("USAGE", "pyzap cache clean needs --all or the KEYs to remove", { hint: "pyzap cache list shows the keys" });
  }
  const root = requireRoot();
  const keys = opts.all ? scanRoot(root).filter((e) => e.path).map((e) => e.key) : expandKeys(root, opts.keys);
  const results: { key: string; outcome: RemoveOutcome }[] = [];
  for (const key of keys) results.push({ key, outcome: await removeEntry(root, key) });
  if (opts.json) printJson({ root, results });
  else if (results.length === 0) print(`no entries in ${root}\n`);
  else print(table(["KEY", "OUTCOME"], results.map((r) => [r.key, r.outcome])));
  if (!opts.all) {
    const missing = results.filter((r) => r.outcome === "missing").map((r) => r.key);
    if (missing.length) throw new PyzapError("INPUT_NOT_FOUND", `no such entry in ${root}: ${missing.join(", ")}`, { hint: "pyzap cache list shows the keys" });
  }
  const busy = results.filter((r) => r.outcome === "locked" || r.outcome === "in-use").map((r) => r.key);
  if (busy.length) {
    throw new PyzapError("ENTRY_BUSY", `left ${busy.length} entr${busy.length === 1 ? "y" : "ies"} in place because ${busy.length === 1 ? "it is" : "they are"} locked or in use: ${busy.join(", ")}`, {
      hint: "run it again when the applications using them have stopped",
    });
  }
}

export async function cacheVerify(opts: { keys: string[]; repair: boolean; json: boolean }): Promise<void> {
  const root = requireRoot();
  const given = expandKeys(root, opts.keys);
  for (const k of given) {
    if (!existsSync(path.join(root, k))) throw new PyzapError("INPUT_NOT_FOUND", `no such entry in ${root}: ${k}`, { hint: "pyzap cache list shows the keys" });
    const kind = scanRoot(root).find((e) => e.key === k)?.kind ?? "entry";
    if (kind !== "entry") {
      throw new PyzapError("USAGE", `${k} holds ${kind} the runtime unpacked, each file checked (${kind === "bytecode" ? "xz check" : "CRC-32"}, size) as it was written: there is no entry.cfg to verify it against`, {
        hint: "pyzap cache clean KEY removes it; the next run that needs it extracts it again",
      });
    }
  }
  // Entries only: what the runtime unpacked has no entry.cfg (see above).
  const keys = given.length ? given : scanRoot(root).filter((e) => e.kind === "entry" && e.state !== "partial" && e.path).map((e) => e.key);
  const results: (VerifyResult & { repair: RemoveOutcome | null })[] = [];
  for (const key of keys) {
    const r = await verifyEntry(path.join(root, key));
    results.push({ ...r, repair: !r.ok && opts.repair ? await removeEntry(root, key) : null });
  }
  if (opts.json) printJson({ root, results });
  else {
    for (const r of results) {
      print(`${r.key}  ${r.ok ? "ok" : "BAD"}  ${plural(r.files, "file")}${r.repair ? `  repair: ${r.repair}` : ""}\n`);
      for (const p of r.problems) print(`  ${p.problem}: ${p.path}\n`);
    }
    if (results.length === 0) print(`no entries in ${root}\n`);
  }
  const unrepaired = results.filter((r) => !r.ok && r.repair !== "removed");
  if (unrepaired.length) {
    throw new PyzapError("VERIFY_FAILED", `${unrepaired.length} cache entr${unrepaired.length === 1 ? "y does" : "ies do"} not match ${unrepaired.length === 1 ? "its" : "their"} entry.cfg: ${unrepaired.map((r) => r.key).join(", ")}`, {
      hint: opts.repair ? "they are locked or in use; run it again when they are not" : "pyzap cache verify --repair deletes them so the next run re-extracts",
    });
  }
}

/** Keys as typed, or unique prefixes of the keys in `root` (like git's short hashes). */
function expandKeys(root: string, typed: string[]): string[] {
  const hint = { hint: "a key is 16 lowercase hex digits (res- or pyc- and 16 for resources or bytecode) or a prefix of one, see pyzap cache list" };
  let known: string[] | null = null;
  return typed.map((k) => {
    if (!KEY_PREFIX_RE.test(k)) throw new PyzapError("USAGE", `not a cache key: ${k}`, hint);
    if (KEY.test(k)) return k;
    known ??= scanRoot(root).map((e) => e.key);
    const matches = known.filter((key) => key.startsWith(k));
    if (matches.length === 1) return matches[0] ?? k;
    if (matches.length === 0) throw new PyzapError("INPUT_NOT_FOUND", `no entry in ${root} has a key starting with ${k}`, { hint: "pyzap cache list shows the keys" });
    throw new PyzapError("USAGE", `${k} is the start of ${matches.length} keys: ${matches.join(", ")}`, { hint: "type more of the key" });
  });
}

/** "hello 1.0.0: /srv/a.pyz, /srv/b.pyz", one group per name and version. */
function bundlesCell(bundles: { name: string | null; version: string | null; path: string | null }[]): string {
  const groups = new Map<string, string[]>();
  for (const b of bundles) {
    const label = `${b.name ?? "?"} ${b.version ?? ""}`.trim();
    const paths = groups.get(label) ?? [];
    if (b.path && !paths.includes(b.path)) paths.push(b.path);
    groups.set(label, paths);
  }
  return [...groups].map(([label, paths]) => (paths.length ? `${label}: ${paths.join(", ")}` : label)).join("; ") || "-";
}
