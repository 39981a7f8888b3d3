// `[tool.pyzap]` in a project's pyproject.toml: the long names of the bundle
// command's flags as keys; flags on the command line win. `pyzap bundle .`
// (or `pyzap bundle` in a project directory) bundles the project itself.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { camel, configKeys, valueProblem, type BundleArgs, type Kind, type OptionSpec } from "./options.js";
import { PyzapError } from "../util/errors.js";

// Key -> its row of the bundle options' table.
const KEYS: Record<string, OptionSpec> = Object.fromEntries(configKeys());

/** `args` completed from the project's [tool.pyzap], if the bundle names a project (or runs in one). */
export function withProjectConfig(args: BundleArgs, cwd = process.cwd()): BundleArgs {
  const project = findProject(args.pipArgs, cwd);
  if (!project) return args;
  const config = readConfig(project);
  const merged: BundleArgs = { ...args };
  const record = merged as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(config)) {
    const { kind, config: where } = KEYS[key]!;
    const field = camel(key);
    if (field === "pipArgs") continue;
    const given = record[field];
    if (given !== undefined && !(Array.isArray(given) && given.length === 0)) continue; // the flag wins
    record[field] = where === "path" && typeof value === "string" ? path.resolve(project, value) : kind === "strings" ? [...(value as string[])] : value;
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
    if (!hasKind(value, spec.kind)) {
      throw new PyzapError("USAGE", `${file}: [tool.pyzap] ${key} must be ${describe(spec.kind)}, not ${JSON.stringify(value)}`);
    }
    // The same value checks as the flags, before any work.
    const bad = valueProblem(key, value, "config");
    if (bad) throw new PyzapError("USAGE", `${file}: [tool.pyzap] ${key} ${bad.problem}`, bad.hint ? { hint: bad.hint } : {});
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
