// `[tool.pyzap]` in a project's pyproject.toml: the long names of the bundle
// command's flags as keys; flags on the command line win. `pyzap bundle .`
// (or `pyzap bundle` in a project directory) bundles the project itself.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import type { BundleArgs } from "./commands/bundle.js";
import { compressProblem, PLATFORM_HINT, platformProblem } from "./commands/bundle-values.js";
import { PyzapError } from "./errors.js";

type Kind = "string" | "strings" | "boolean" | "number";
// Key -> [field of BundleArgs, kind, is a path relative to the project].
const KEYS: Record<string, [keyof BundleArgs, Kind, boolean]> = {
  "console-script": ["consoleScript", "string", false],
  "entry-point": ["entryPoint", "string", false],
  output: ["output", "string", true],
  python: ["python", "string", false],
  "site-packages": ["sitePackages", "string", true],
  platform: ["platform", "string", false],
  "pip-args": ["pipArgs", "strings", false],
  unpack: ["unpack", "strings", false],
  zip: ["zip", "strings", false],
  exclude: ["exclude", "strings", false],
  "unpack-all": ["unpackAll", "boolean", false],
  compress: ["compress", "number", false],
  standalone: ["standalone", "boolean", false],
  "python-dist": ["pythonDist", "string", true],
  "stdlib-keep": ["stdlibKeep", "strings", false],
  "stdlib-drop": ["stdlibDrop", "strings", false],
};

/** `args` completed from the project's [tool.pyzap], if the bundle names a project (or runs in one). */
export function withProjectConfig(args: BundleArgs, cwd = process.cwd()): BundleArgs {
  const project = findProject(args.pipArgs, cwd);
  if (!project) return args;
  const config = readConfig(project);
  const merged: BundleArgs = { ...args };
  const record = merged as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    const [field, kind, isPath] = KEYS[key]!;
    if (field === "pipArgs") continue;
    const given = record[field];
    if (given !== undefined && !(Array.isArray(given) && given.length === 0)) continue; // the flag wins
    record[field] = isPath && typeof value === "string" ? path.resolve(project, value) : kind === "strings" ? [...(value as string[])] : value;
    if (field === "output") merged.outputFromConfig = true;
  }
  const configPipArgs = (config["pip-args"] as string[] | undefined) ?? [];
  // No requirement on the command line: the project directory is what pip installs.
  const requirement = args.pipArgs.length === 0 && !merged.sitePackages ? [project] : [];
  merged.pipArgs = [...configPipArgs, ...requirement, ...args.pipArgs];
  return merged;
}

function findProject(pipArgs: string[], cwd: string): string | null {
  const candidates = pipArgs.length === 0 ? [cwd] : pipArgs.filter((a) => !a.startsWith("-")).map((a) => path.resolve(cwd, a));
  for (const dir of candidates) {
    if (isDirectory(dir) && existsSync(path.join(dir, "pyproject.toml"))) return dir;
  }
  return null;
}

function readConfig(project: string): Record<string, unknown> {
  const file = path.join(project, "pyproject.toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new PyzapError("USAGE", `${file} is not valid TOML: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  const tool = (doc.tool as Record<string, unknown> | undefined)?.pyzap;
  if (tool === undefined) return {};
  if (typeof tool !== "object" || tool === null || Array.isArray(tool)) {
    throw new PyzapError("USAGE", `${file}: [tool.pyzap] must be a table`);
  }
  const config = tool as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    const spec = KEYS[key];
    if (!spec) {
      throw new PyzapError("USAGE", `${file}: unknown key "${key}" in [tool.pyzap]`, { hint: `valid keys: ${Object.keys(KEYS).join(", ")}` });
    }
    if (!hasKind(value, spec[1])) {
      throw new PyzapError("USAGE", `${file}: [tool.pyzap] ${key} must be ${describe(spec[1])}, not ${JSON.stringify(value)}`);
    }
    // The same value checks as the flags, before any work.
    const problem = key === "compress" ? compressProblem(value) : key === "platform" ? platformProblem(value as string) : null;
    if (problem) {
      throw new PyzapError("USAGE", `${file}: [tool.pyzap] ${key} ${problem}`, key === "platform" ? { hint: PLATFORM_HINT } : { hint: "e.g. compress = 9" });
    }
  }
  return config;
}

function hasKind(value: unknown, kind: Kind): boolean {
  if (kind === "strings") return Array.isArray(value) && value.every((v) => typeof v === "string");
  return typeof value === kind;
}

const describe = (kind: Kind) => ({ strings: "an array of strings", boolean: "true or false", number: "a number", string: "a string" })[kind];

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
