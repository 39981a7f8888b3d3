// File trees as text (to compare what two runs made) and as totals (the cache).
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The files under `root` (sorted), with their contents when asked; a file alone works too. */
export function describeTree(root: string, contents: boolean): string {
  if (!existsSync(root)) return "(missing)\n";
  const lines: string[] = [];
  const visit = (p: string, rel: string) => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(path.join(p, name), rel ? `${rel}/${name}` : name);
    } else if (st.isSymbolicLink()) {
      lines.push(`${rel} -> link`);
    } else {
      lines.push(contents ? `${rel}:\n${readFileSync(p, "utf8")}` : rel);
    }
  };
  visit(root, "");
  return `${lines.join("\n")}\n`;
}

/** Regular files and their bytes under `root` (0 when it does not exist). */
export function treeStats(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const visit = (p: string) => {
    const st = lstatSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  };
  if (existsSync(root)) visit(root);
  return { files, bytes };
}
