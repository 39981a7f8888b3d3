// Everything about a `pyzap bundle` command line that can be checked before
// any work (before pip runs for minutes): the output path and the inputs it
// names. Value checks of single options are in commands/bundle-values.ts.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { BundleArgs } from "./options.js";
import { PyzapError } from "../util/errors.js";

// pip options whose value is a local file or directory that must exist.
const PATH_OPTIONS = new Map([
  ["-r", "requirement"], ["--requirement", "requirement"], ["-c", "constraint"], ["--constraint", "constraint"],
  ["-e", "editable"], ["--editable", "editable"], ["-f", "find-links"], ["--find-links", "find-links"],
]);

export function checkBeforeWork(args: BundleArgs): void {
  if (!args.sitePackages && args.pipArgs.length === 0) {
    throw new PyzapError("USAGE", "nothing to bundle: no requirement was given", {
      hint: "name what pip should install (pyzap bundle certbot -c certbot), a project directory (pyzap bundle .) or pass --site-packages DIR",
    });
  }
  if (args.sitePackages && args.pipArgs.length > 0) {
    throw new PyzapError("USAGE", `--site-packages cannot be combined with pip arguments: ${args.pipArgs.join(" ")}`, {
      hint: "bundle either an existing site-packages directory or what pip installs, not both",
    });
  }
  if (args.sitePackages && !isDirectory(args.sitePackages)) {
    throw new PyzapError("INPUT_NOT_FOUND", `The "--site-packages" option is not a directory: ${args.sitePackages}`);
  }
  for (const missing of missingInputs(args.pipArgs)) {
    throw new PyzapError("INPUT_NOT_FOUND", `${missing.what} does not exist: ${missing.path}`, { hint: "check the path (relative paths start from the current directory)" });
  }
  if (args.output !== undefined) checkOutput(args.output, !!args.outputFromConfig);
}

/** Local paths named in pip's arguments that are not there. */
function missingInputs(pipArgs: string[]): { what: string; path: string }[] {
  const missing: { what: string; path: string }[] = [];
  for (let i = 0; i < pipArgs.length; i++) {
    const word = pipArgs[i] ?? "";
    const [flag, inline] = splitOption(word);
    const kind = PATH_OPTIONS.get(flag);
    if (kind) {
      const value = inline ?? pipArgs[++i];
      if (value !== undefined && isLocalPath(value, kind !== "requirement" && kind !== "constraint") && !existsSync(expand(value))) {
        missing.push({ what: `the ${kind} ${kind === "find-links" || kind === "editable" ? "location" : "file"}`, path: value });
      }
      continue;
    }
    if (word.startsWith("-")) continue;
    if (isLocalPath(word, true) && !existsSync(expand(word))) missing.push({ what: "the local requirement", path: word });
  }
  return missing;
}

// "--requirement=x", "-rx", "-r" -> [flag, inline value].
function splitOption(word: string): [string, string | undefined] {
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    return eq < 0 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)];
  }
  if (/^-[rcef]./.test(word)) return [word.slice(0, 2), word.slice(2)];
  return [word, undefined];
}

// A requirement is a path (not a name or URL) when it looks like one the way
// pip decides: it starts with ., / or ~. An option's value that is a file is
// a path whatever it looks like.
function isLocalPath(value: string, mustLookLikePath: boolean): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith("file:")) return false;
  return !mustLookLikePath || /^(\.{1,2}(\/|$)|\/|~)/.test(value);
}

const expand = (p: string) => (p.startsWith("~/") ? path.join(process.env.HOME ?? "~", p.slice(2)) : p);

function checkOutput(output: string, fromConfig: boolean): void {
  const file = path.resolve(output);
  if (isDirectory(file)) {
    throw new PyzapError("WRITE_FAILED", `The "--output" option is a directory: ${output}`, { hint: `name the file to write, e.g. -o ${path.join(output, "app.pyz")}` });
  }
  // The project's own layout (output = "dist/app.pyz") may create its directory;
  // a mistyped -o on the command line should not create a tree.
  const dir = path.dirname(file);
  if (!fromConfig && !isDirectory(dir)) {
    throw new PyzapError("WRITE_FAILED", `the directory of the "--output" file does not exist: ${dir}`, { hint: `create it first (mkdir -p ${dir})` });
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
