// Reading the repository's own files for the consistency tests: the same fact
// written in C, Python, TypeScript and Markdown must say the same thing.
import { readFileSync } from "node:fs";
import path from "node:path";

export const REPO = path.resolve(import.meta.dirname, "../..");

export function readRepo(rel: string): string {
  return readFileSync(path.join(REPO, rel), "utf8");
}

/** `NAME = 123` assignments at the top level of a Python file. */
export function pythonIntConstants(rel: string): Map<string, number> {
  return new Map([...readRepo(rel).matchAll(/^([A-Z][A-Z0-9_]*) = (\d+)\b/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** The rows of the first Markdown table after the line that contains `heading`, as trimmed cells. */
export function markdownTable(rel: string, heading: string): string[][] {
  const text = readRepo(rel);
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`${rel}: no "${heading}"`);
  const lines = text.slice(at).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split("|").map((c) => c.trim()));
  }
  return rows.slice(2); // header and |---| line
}
