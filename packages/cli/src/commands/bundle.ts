// `pyzap bundle`: the command's spec only; the work is imported lazily so
// `pyzap --help` does not load archiver, xxhash and friends.
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { PyzapError } from "../errors.js";
import { compressProblem, PLATFORM_HINT, platformProblem } from "./bundle-values.js";
import { longOptions } from "./declared-options.js";
import { findMistypedOption } from "./pip-options.js";

export interface BundleArgs {
  consoleScript?: string;
  entryPoint?: string;
  output?: string;
  /** Where `output` came from: a relative `-o` names an existing directory; the project's config may create one. */
  outputFromConfig?: boolean;
  python?: string;
  sitePackages?: string;
  platform?: string;
  /** Top-level packages (or distributions) to unpack whole / keep zipped, overriding the zip-safety scan. */
  unpack?: string[];
  zip?: string[];
  /** Distributions left out of the bundle (their files per RECORD). */
  exclude?: string[];
  unpackAll?: boolean;
  compress?: number;
  /** Carry the build interpreter's runtime: the target needs no Python (src/standalone/). */
  standalone?: boolean;
  /** Standard-library modules to keep / leave out of a standalone runtime (see standalone/stdlib.ts). */
  stdlibKeep?: string[];
  stdlibDrop?: string[];
  /** A CPython distribution (directory or tarball) to build with and carry; implies standalone. */
  pythonDist?: string;
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  pipArgs: string[];
}

type RawArgs = Omit<BundleArgs, "pipArgs" | "unpack" | "zip" | "exclude" | "compress" | "stdlibKeep" | "stdlibDrop"> & {
  _: (string | number)[];
  "--"?: (string | number)[];
  unpack?: string | string[];
  zip?: string | string[];
  exclude?: string | string[];
  compress?: string;
  stdlibKeep?: string | string[];
  stdlibDrop?: string | string[];
};

// A repeated option arrives as an array, a single one as a string.
const repeated = (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat().map(String));

export const bundleCommand: CommandModule<object, RawArgs> = {
  // No declared positional: with "unknown-options-as-args" yargs keeps every
  // argument it does not own in `_`, in order, which is what pip must get;
  // with "populate--" what follows `--` is kept apart, for pip unchecked.
  command: "bundle",
  describe: "Resolve an application with pip and write it as one executable file",
  builder: (yargs: Argv) =>
    yargs
      .parserConfiguration({ "unknown-options-as-args": true, "parse-positional-numbers": false, "populate--": true })
      .usage(
        "$0 bundle [PIP_ARGS...] [-c NAME | -e MOD:FUNC] [-o FILE] [-- PIP_ARGS...]\n\n" +
          "PIP_ARGS go to `pip install --target` as they are (certbot, -r req.txt, --find-links DIR, ./path). " +
          "pip options that pyzap also has (-c, -e, --platform, --python, -q, -v) go after `--`: " +
          "pyzap bundle -c app -- app -c constraints.txt --platform manylinux2014_x86_64 --only-binary=:all:",
      )
      .option("console-script", {
        alias: "c",
        type: "string",
        requiresArg: true,
        describe: "console script of a bundled distribution to run (optional when there is exactly one)",
      })
      .option("entry-point", {
        alias: "e",
        type: "string",
        requiresArg: true,
        describe: "module:function to run instead of a console script",
      })
      .option("output", { alias: "o", type: "string", requiresArg: true, describe: "file to write (default: NAME.pyz); its directory must exist" })
      .option("python", {
        type: "string",
        requiresArg: true,
        describe: "build interpreter (default: python3 on PATH, or the venv's own for --site-packages); the bundle runs with the same X.Y",
      })
      .option("platform", {
        type: "string",
        requiresArg: true,
        describe: "platform of the launcher (linux-x64, linux-arm64); default: that of the bundled native code, else this machine",
      })
      .option("site-packages", {
        type: "string",
        requiresArg: true,
        describe: "bundle this existing site-packages directory instead of running pip (pip, setuptools and wheel are left out unless something needs them)",
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
      .option("exclude", {
        type: "string",
        requiresArg: true,
        describe: "leave this distribution out of the bundle (all its files, per its RECORD); repeatable",
      })
      .option("unpack-all", { type: "boolean", describe: "unpack every package into the cache (like shiv)" })
      .option("compress", {
        // A string, so that `--compress abc` can be named as it was typed.
        type: "string",
        requiresArg: true,
        describe: "zlib level 0-9 for sources, data and native files (.pyc are always stored); 0 stores everything. Default 6",
      })
      .option("standalone", {
        type: "boolean",
        describe: "carry the build interpreter (libpython, lib-dynload, the libraries they need, the stdlib): the target needs no Python, only glibc",
      })
      .option("python-dist", {
        type: "string",
        requiresArg: true,
        describe: "build with and carry this CPython distribution (a directory or a .tar.gz such as python-build-standalone's install_only); implies --standalone",
      })
      .conflicts("python-dist", "python")
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
      .option("quiet", { alias: "q", type: "boolean", describe: "print nothing but errors" })
      .option("verbose", { alias: "v", type: "boolean", describe: "stream pip's output" })
      .option("json", { type: "boolean", describe: "print the summary as JSON on stdout (implies --quiet)" })
      .check((argv) => {
        // A thrown PyzapError keeps its hint; main.ts maps USAGE to exit 2.
        const compress = argv.compress as string | undefined;
        const problem = compress === undefined ? null : compressProblem(compress);
        if (problem) throw new PyzapError("USAGE", `The "--compress" option ${problem}`, { hint: "e.g. --compress 9" });
        const platform = argv.platform as string | undefined;
        const bad = platform === undefined ? null : platformProblem(platform);
        if (bad) throw new PyzapError("USAGE", `The "--platform" option ${bad}`, { hint: PLATFORM_HINT });
        const mistyped = findMistypedOption(argv._.slice(1).map(String), longOptions(yargs));
        if (mistyped) {
          throw new PyzapError("USAGE", `unknown option ${mistyped.word}: neither pyzap's nor pip's`, {
            hint: mistyped.suggestion ? `did you mean ${mistyped.suggestion}?` : "see pyzap bundle --help; put options for a newer pip after --",
          });
        }
        return true;
      })
      .conflicts("quiet", "verbose")
      .conflicts("console-script", "entry-point")
      .conflicts("unpack-all", "zip")
      .example("pyzap bundle certbot -c certbot -o certbot.pyz", "bundle certbot from the package index")
      .example("pyzap bundle ./examples/hello -c hello --standalone", "a bundle that runs where there is no Python at all")
      .example("pyzap bundle --no-index --find-links ./wheels demo -c demo", "bundle from local wheels")
      .example("pyzap bundle --site-packages venv/lib/python3.11/site-packages -c myapp", "bundle an existing venv (built with its own Python)")
      .example("pyzap bundle -c app -- app -c constraints.txt", "pip's own -c (or --platform) goes after --") as unknown as Argv<RawArgs>,
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
      exclude: repeated(argv.exclude),
      unpackAll: argv.unpackAll,
      compress: argv.compress === undefined ? undefined : Number(argv.compress),
      standalone: argv.standalone,
      pythonDist: argv.pythonDist,
      stdlibKeep: repeated(argv.stdlibKeep),
      stdlibDrop: repeated(argv.stdlibDrop),
      quiet: argv.quiet,
      verbose: argv.verbose,
      json: argv.json,
      // Everything yargs did not own (including unknown options) is pip's, then what followed `--`.
      pipArgs: [...argv._.slice(1), ...(argv["--"] ?? [])].map(String),
    });
  },
};
