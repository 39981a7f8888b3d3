// Turns `-c NAME` or `-e MOD:FUNC` into the `module:attr` the bundle runs,
// using the console scripts declared by the bundled distributions.
import { readFileSync } from "node:fs";
import { PyzapError } from "./errors.js";
import type { TreeFile } from "./walk.js";

export interface ConsoleScript {
  name: string;
  target: string; // "certbot.main:main"
  distribution: string;
  version: string;
}

export interface EntryPoint {
  /** What the bundle runs: "module:attr[.attr]". */
  target: string;
  /** For messages and the cache list: the console script or the module. */
  name: string;
  version: string;
}

const TARGET = /^[\p{ID_Start}_][\p{ID_Continue}.]*(:[\p{ID_Start}_][\p{ID_Continue}.]*)?$/u;

export function chooseEntryPoint(files: TreeFile[], opts: { consoleScript?: string; entryPoint?: string }): EntryPoint {
  if (opts.entryPoint) {
    const target = opts.entryPoint.trim();
    if (!TARGET.test(target)) {
      throw new PyzapError("ENTRY_POINT", `The "--entry-point" option is not module:function: ${opts.entryPoint}`, {
        hint: "e.g. -e mypkg.cli:main",
      });
    }
    return { target, name: target.split(/[.:]/)[0] ?? target, version: "0" };
  }
  const scripts = consoleScripts(files);
  if (!opts.consoleScript) {
    // Exactly one console script in the bundle: that is what it runs.
    const only = scripts.length === 1 ? scripts[0] : undefined;
    if (only) return { target: only.target, name: only.name, version: only.version };
    throw new PyzapError("USAGE", "say what the bundle runs: -c CONSOLE_SCRIPT or -e MODULE:FUNCTION", {
      hint: listHint(scripts),
    });
  }
  const script = scripts.find((s) => s.name === opts.consoleScript);
  if (!script) {
    throw new PyzapError("ENTRY_POINT", `no console script named "${opts.consoleScript}" in the bundled distributions`, {
      hint: listHint(scripts),
    });
  }
  return { target: script.target, name: script.name, version: script.version };
}

function listHint(scripts: ConsoleScript[]): string {
  if (scripts.length === 0) return "the bundled distributions declare no console scripts; use -e MODULE:FUNCTION";
  return `console scripts available: ${scripts.map((s) => `${s.name} (${s.distribution})`).join(", ")}`;
}

/** Every [console_scripts] and [gui_scripts] entry of every *.dist-info. */
export function consoleScripts(files: TreeFile[]): ConsoleScript[] {
  const scripts: ConsoleScript[] = [];
  for (const file of files) {
    const match = /^([^/]+)\.dist-info\/entry_points\.txt$/.exec(file.rel);
    if (!match?.[1]) continue;
    const [distribution, version = "0"] = splitDistInfoName(match[1]);
    const text = readFileSync(file.abs, "utf8");
    for (const [name, target] of parseScripts(text)) {
      scripts.push({ name, target, distribution, version });
    }
  }
  return scripts.sort((a, b) => a.name.localeCompare(b.name));
}

function splitDistInfoName(stem: string): [string, string | undefined] {
  const dash = stem.lastIndexOf("-");
  return dash < 0 ? [stem, undefined] : [stem.slice(0, dash), stem.slice(dash + 1)];
}

// entry_points.txt is INI: "[console_scripts]\nname = module:attr [extra]".
function parseScripts(text: string): [string, string][] {
  const out: [string, string][] = [];
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1].trim();
      continue;
    }
    if (section !== "console_scripts" && section !== "gui_scripts") continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const target = line.slice(eq + 1).replace(/\[.*\]\s*$/, "").trim();
    out.push([line.slice(0, eq).trim(), target]);
  }
  return out;
}

