// `pyzap bundle`: the command's spec only; the work is imported lazily so
// `pyzap --help` does not load archiver, xxhash and friends.
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";

export interface BundleArgs {
  consoleScript?: string;
  entryPoint?: string;
  output?: string;
  python?: string;
  sitePackages?: string;
  platform?: string;
  /** Top-level packages (or distributions) to unpack whole / keep zipped, overriding the zip-safety scan. */
  unpack?: string[];
  zip?: string[];
  unpackAll?: boolean;
  compress?: number;
  /** Carry the build interpreter's runtime: the target needs no Python (src/standalone/). */
  standalone?: boolean;
  /** Standard-library modules to keep / leave out of a standalone runtime (see standalone/stdlib.ts). */
  stdlibKeep?: string[];
  stdlibDrop?: string[];
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  pipArgs: string[];
}

type RawArgs = Omit<BundleArgs, "pipArgs" | "unpack" | "zip" | "stdlibKeep" | "stdlibDrop"> & {
  _: (string | number)[];
  unpack?: string | string[];
  zip?: string | string[];
  stdlibKeep?: string | string[];
  stdlibDrop?: string | string[];
};

// A repeated option arrives as an array, a single one as a string.
const repeated = (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat().map(String));

export const bundleCommand: CommandModule<object, RawArgs> = {
  // No declared positional: with "unknown-options-as-args" yargs keeps every
  // argument it does not own in `_`, in order, which is what pip must get.
  command: "bundle",
  describe: "Resolve an application with pip and write it as one executable file",
  builder: (yargs: Argv) =>
    yargs
      .parserConfiguration({ "unknown-options-as-args": true, "parse-positional-numbers": false })
      .usage("$0 bundle [PIP_ARGS...] (-c NAME | -e MOD:FUNC) [-o FILE]\n\nPIP_ARGS go to `pip install --target` as they are (certbot, -r req.txt, --find-links DIR, ./path).")
      .option("console-script", {
        alias: "c",
        type: "string",
        describe: "console script of a bundled distribution to run",
      })
      .option("entry-point", {
        alias: "e",
        type: "string",
        describe: "module:function to run instead of a console script",
      })
      .option("output", { alias: "o", type: "string", describe: "file to write (default: NAME.pyz)" })
      .option("python", {
        type: "string",
        describe: "build interpreter (default: python3 on PATH); the bundle runs with the same X.Y",
      })
      .option("platform", {
        type: "string",
        requiresArg: true,
        describe: "platform of the launcher (linux-x64, linux-arm64); default: that of the bundled native code, else this machine",
      })
      .option("site-packages", {
        type: "string",
        describe: "bundle this existing site-packages directory instead of running pip",
      })
      .option("unpack", {
        // Not `array: true`: that would swallow the pip arguments that follow.
        type: "string",
        requiresArg: true,
        describe: "unpack this top-level package (or distribution) whole into the cache; repeatable",
      })
      .option("zip", {
        type: "string",
        requiresArg: true,
        describe: "keep this package in the archive even if it looks zip-unsafe; repeatable",
      })
      .option("unpack-all", { type: "boolean", describe: "unpack every package into the cache (like shiv)" })
      .option("compress", {
        type: "number",
        requiresArg: true,
        describe: "zlib level 0-9 for sources, data and native files (.pyc are always stored); 0 stores everything. Default 6",
      })
      .option("standalone", {
        type: "boolean",
        describe: "carry the build interpreter (libpython, lib-dynload, the libraries they need, the stdlib): the target needs no Python, only glibc",
      })
      .option("stdlib-keep", {
        type: "string",
        requiresArg: true,
        describe: "with --standalone: keep this standard-library module that is left out by default (test, tkinter, ensurepip...), or 'sources' (the .py files); repeatable",
      })
      .option("stdlib-drop", {
        type: "string",
        requiresArg: true,
        describe: "with --standalone: leave out this standard-library module or package (and its extension module); repeatable",
      })
      .check((argv) => {
        const level = argv.compress as number | undefined;
        // A string goes to .fail(): one usage line, exit 2.
        if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
          return `The "--compress" option must be a whole number from 0 to 9, not ${String(level)}`;
        }
        return true;
      })
      .option("quiet", { alias: "q", type: "boolean", describe: "print nothing but errors" })
      .option("verbose", { alias: "v", type: "boolean", describe: "stream pip's output" })
      .option("json", { type: "boolean", describe: "print the summary as JSON on stdout (implies --quiet)" })
      .conflicts("quiet", "verbose")
      .conflicts("console-script", "entry-point")
      .conflicts("unpack-all", "zip")
      .example("pyzap bundle certbot -c certbot -o certbot.pyz", "bundle certbot from the package index")
      .example("pyzap bundle ./examples/hello -c hello --standalone", "a bundle that runs where there is no Python at all")
      .example("pyzap bundle --no-index --find-links ./wheels demo -c demo", "bundle from local wheels") as unknown as Argv<RawArgs>,
  handler: async (argv: ArgumentsCamelCase<RawArgs>) => {
    const { runBundle } = await import("../bundle.js");
    await runBundle({
      consoleScript: argv.consoleScript,
      entryPoint: argv.entryPoint,
      output: argv.output,
      python: argv.python,
      sitePackages: argv.sitePackages,
      platform: argv.platform,
      unpack: repeated(argv.unpack),
      zip: repeated(argv.zip),
      unpackAll: argv.unpackAll,
      compress: argv.compress,
      standalone: argv.standalone,
      stdlibKeep: repeated(argv.stdlibKeep),
      stdlibDrop: repeated(argv.stdlibDrop),
      quiet: argv.quiet,
      verbose: argv.verbose,
      json: argv.json,
      // Everything yargs did not own (including unknown options) is pip's.
      pipArgs: argv._.slice(1).map(String),
    });
  },
};
