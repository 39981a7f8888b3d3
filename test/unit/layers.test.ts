// The folders of packages/cli/src are the architecture (README, "Layout"):
// dependencies point one way, from the command line down to the utilities,
// and no module imports itself back through another.
//   main.ts -> commands/ -> stages/ | inspect/ | cache/ -> format/ -> util/
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { REPO } from "../helpers.js";

const SRC = path.join(REPO, "packages/cli/src");

/** What each folder may import besides itself. */
const MAY_IMPORT: Record<string, string[]> = {
  ".": ["commands", "util"], // main.ts
  commands: ["stages", "inspect", "cache", "format", "util"],
  stages: ["format", "util"],
  inspect: ["format", "util"],
  cache: ["format", "util"],
  format: ["util"],
  util: [],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith(".ts") ? [path.join(dir, d.name)] : [],
  );
}

/** Module (relative to src, without .ts) -> the modules it imports, static and dynamic. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)\.js"/g)].map((m) =>
      path.relative(SRC, path.resolve(path.dirname(file), m[1]!)),
    );
    graph.set(path.relative(SRC, file).replace(/\.ts$/, ""), targets);
  }
  return graph;
}

const folder = (mod: string) => (mod.includes("/") ? mod.slice(0, mod.indexOf("/")) : ".");

describe("packages/cli/src layering", () => {
  const graph = importGraph();

  test("the graph was read (every folder has modules, imports resolve)", () => {
    expect(new Set([...graph.keys()].map(folder))).toEqual(new Set(Object.keys(MAY_IMPORT)));
    const missing = [...graph.values()].flat().filter((t) => !graph.has(t));
    expect(missing).toEqual([]);
  });

  test("each folder imports only the folders below it", () => {
    const wrong: string[] = [];
    for (const [mod, targets] of graph) {
      for (const t of targets) {
        if (folder(t) !== folder(mod) && !MAY_IMPORT[folder(mod)]!.includes(folder(t))) wrong.push(`${mod} -> ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (mod: string) => {
      state.set(mod, "open");
      stack.push(mod);
      for (const t of graph.get(mod) ?? []) {
        if (state.get(t) === "open") cycles.push([...stack.slice(stack.indexOf(t)), t].join(" -> "));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(mod, "done");
    };
    for (const mod of graph.keys()) if (!state.has(mod)) visit(mod);
    expect(cycles).toEqual([]);
  });
});
