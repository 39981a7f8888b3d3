// Checks on a cache root after a run: what is in it, and whether the entry
// holds exactly the bundle's native files (the "entry verifies" of issue 6).
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Names in the root, sorted; [] if it does not exist. */
export function listRoot(root: string): string[] {
  return existsSync(root) ? readdirSync(root).sort() : [];
}

/** ROOT/pyc-H, the bytecode packs a run unpacked (one per bundle), and what is in it. */
export function bytecodeDirs(root: string): string[] {
  return listRoot(root).filter((n) => /^pyc-[0-9a-f]{16}$/.test(n));
}

/** The one 16-hex-digit entry of the root, or null. */
export function entryKey(root: string): string | null {
  const keys = listRoot(root).filter((n) => /^[0-9a-f]{16}$/.test(n));
  return keys.length === 1 ? keys[0]! : null;
}

/** What is wrong with ROOT/KEY compared with the natives and the bundle's cfg; [] when it verifies. */
export function entryProblems(root: string, natives: Map<string, Buffer>, bundle: string): string[] {
  const key = entryKey(root);
  if (!key) return [`no single entry in ${root}: ${listRoot(root).join(", ")}`];
  const entry = path.join(root, key);
  const problems: string[] = [];
  for (const [rel, bytes] of natives) {
    const file = path.join(entry, "site", rel);
    const st = existsSync(file) ? lstatSync(file) : null;
    if (!st?.isFile()) problems.push(`${rel}: not a regular file`);
    else if ((st.mode & 0o777) !== 0o755) problems.push(`${rel}: mode ${(st.mode & 0o777).toString(8)}`);
    else if (!readFileSync(file).equals(bytes)) problems.push(`${rel}: content differs`);
  }
  const cfg = readCfg(bundle);
  const entryCfg = path.join(entry, "entry.cfg");
  if (!existsSync(entryCfg) || !readFileSync(entryCfg).equals(cfg)) problems.push("entry.cfg differs from the bundle's launcher.cfg");
  return problems;
}

/** The bundle's .pyzap/launcher.cfg (read with Python's zipfile, like any zip reader). */
export function readCfg(bundle: string): Buffer {
  const r = spawnSync("python3", ["-c", "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('.pyzap/launcher.cfg'))", bundle]);
  if (r.status !== 0) throw new Error(`cannot read launcher.cfg of ${bundle}: ${r.stderr}`);
  return r.stdout;
}
