// Every option of `pyzap bundle`, once: the yargs spec, the [tool.pyzap] keys,
// the BundleArgs type and the value checks are all derived from this table,
// so adding an option is adding a row. The order of the rows is the order of
// `pyzap bundle --help` and of the "valid keys" hint.
import { compressProblem, PLATFORM_HINT, platformProblem } from "./option-values.js";

/** string: one value; strings: repeatable on the command line, an array in TOML; number: "0".."9" typed, a TOML integer. */
export type Kind = "string" | "strings" | "boolean" | "number";

export interface OptionSpec {
  kind: Kind;
  /** One-letter alias on the command line. */
  alias?: string;
  /** The --help text; "repeatable" is added for kind strings. */
  describe: string;
  /** false: command line only; "value" / "path" (resolved against the project directory): also a [tool.pyzap] key. */
  config: false | "value" | "path";
  /** true: a [tool.pyzap] key only (pip-args: on the command line they are the positional arguments). */
  configOnly?: true;
  /** The same check on `--name value` and on `name = value`: null or what is wrong. */
  problem?: (value: unknown) => string | null;
  /** After a failed check: the hint, or an example value shown as `--name V` / `name = V`. */
  hint?: string;
  example?: string;
}

export const BUNDLE_OPTIONS = {
  "console-script": {
    kind: "string",
    alias: "c",
    config: "value",
    describe: "console script of a bundled distribution to run (optional when there is exactly one)",
  },
  "entry-point": { kind: "string", alias: "e", config: "value", describe: "module:function to run instead of a console script" },
  output: { kind: "string", alias: "o", config: "path", describe: "file to write (default: NAME.pyz); its directory must exist" },
  python: {
    kind: "string",
    config: "value",
    describe: "build interpreter (default: python3 on PATH, or the venv's own for --site-packages); the bundle runs with the same X.Y",
  },
  platform: {
    kind: "string",
    config: "value",
    describe: "platform of the launcher (linux-x64, linux-arm64); default: that of the bundled native code, else this machine",
    problem: (value) => platformProblem(value as string),
    hint: PLATFORM_HINT,
  },
  "site-packages": {
    kind: "string",
    config: "path",
    describe: "bundle this existing site-packages directory instead of running pip (pip, setuptools and wheel are left out unless something needs them)",
  },
  "pip-args": { kind: "strings", config: "value", configOnly: true, describe: "arguments for pip install, before those of the command line" },
  unpack: { kind: "strings", config: "value", describe: "unpack this top-level package (or distribution) whole into the cache" },
  zip: { kind: "strings", config: "value", describe: "keep this package in the archive even if it looks zip-unsafe" },
  exclude: { kind: "strings", config: "value", describe: "leave this distribution out of the bundle (all its files, per its RECORD)" },
  "unpack-all": { kind: "boolean", config: "value", describe: "unpack every package into the cache (like shiv)" },
  compress: {
    kind: "number",
    config: "value",
    describe: "zlib level 0-9 for bytecode, data and native files (sources go into xz chunks); 0 stores every entry: faster imports, bigger file. Default 6",
    problem: compressProblem,
    example: "9",
  },
  standalone: {
    kind: "boolean",
    config: "value",
    describe: "carry the build interpreter (libpython, lib-dynload, the libraries they need, the stdlib): the target needs no Python, only glibc",
  },
  "python-dist": {
    kind: "string",
    config: "path",
    describe: "build with and carry this CPython distribution (a directory or a .tar.gz such as python-build-standalone's install_only); implies --standalone",
  },
  "stdlib-keep": {
    kind: "strings",
    config: "value",
    describe: "with --standalone: keep this standard-library module that is left out by default (test, tkinter, ensurepip...), or 'sources' (the .py files)",
  },
  "stdlib-drop": {
    kind: "strings",
    config: "value",
    describe: "with --standalone: leave out this standard-library module or package (and its extension module)",
  },
  quiet: { kind: "boolean", alias: "q", config: false, describe: "print nothing but errors" },
  verbose: { kind: "boolean", alias: "v", config: false, describe: "stream pip's output" },
  json: { kind: "boolean", config: false, describe: "print the summary as JSON on stdout (implies --quiet)" },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof BUNDLE_OPTIONS;

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type ValueOf<K extends Kind> = K extends "strings" ? string[] : K extends "boolean" ? boolean : K extends "number" ? number : string;

/** The options as runBundle gets them: camelCase fields, repeatable ones as arrays, plus what the handler adds. */
export type BundleArgs = { -readonly [N in OptionName as Camel<N>]?: ValueOf<(typeof BUNDLE_OPTIONS)[N]["kind"]> } & {
  /** Everything pyzap does not own, for `pip install --target`, in order. */
  pipArgs: string[];
  /** Where `output` came from: a relative `-o` names an existing directory; the project's config may create one. */
  outputFromConfig?: boolean;
};

export const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const table = BUNDLE_OPTIONS as Record<string, OptionSpec>;

/** The options of the command line, in table order. */
export const commandLineOptions = (): [string, OptionSpec][] => Object.entries(table).filter(([, spec]) => !spec.configOnly);

/** The [tool.pyzap] keys, in table order. */
export const configKeys = (): [string, OptionSpec][] => Object.entries(table).filter(([, spec]) => spec.config !== false);

/** The failed check of `name`'s value as { problem, hint }, or null; `where` picks the example's spelling. */
export function valueProblem(name: string, value: unknown, where: "flag" | "config"): { problem: string; hint?: string } | null {
  const spec = table[name];
  const problem = spec?.problem?.(value) ?? null;
  if (!spec || !problem) return null;
  const example = spec.example === undefined ? undefined : where === "flag" ? `e.g. --${name} ${spec.example}` : `e.g. ${name} = ${spec.example}`;
  return { problem, hint: spec.hint ?? example };
}
