// `pyzap bundle`: the command's spec only; the work is imported lazily so
// `pyzap --help` does not load the zip writer, xxhash and friends.
import type { ArgumentsCamelCase, Argv, CommandModule, Options } from "yargs";
import { PyzapError } from "../util/errors.js";
import { camel, commandLineOptions, valueProblem, type BundleArgs } from "../stages/options.js";
import { longOptions } from "./declared-options.js";
import { findMistypedOption } from "./pip-options.js";


// As yargs hands them over: repeatable options are a string or an array, --compress a string.
type RawArgs = { [field: string]: unknown; _: (string | number)[]; "--"?: (string | number)[] };

// A repeated option arrives as an array, a single one as a string.
const repeated = (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat().map(String));

/** The yargs spec of every command-line row of the table. */
function yargsOptions(): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const [name, spec] of commandLineOptions()) {
    options[name] = {
      ...(spec.alias ? { alias: spec.alias } : {}),
      // Repeatable options are not `array: true`: that would swallow the pip arguments that follow;
      // --compress is a string, so that `--compress abc` can be named as it was typed.
      type: spec.kind === "boolean" ? "boolean" : "string",
      ...(spec.kind === "boolean" ? {} : { requiresArg: true }),
      describe: spec.kind === "strings" ? `${spec.describe}; repeatable` : spec.describe,
    };
  }
  return options;
}

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
      .options(yargsOptions())
      .conflicts("python-dist", "python")
      .check((argv) => {
        // A thrown PyzapError keeps its hint; main.ts maps USAGE to exit 2.
        for (const [name] of commandLineOptions()) {
          const value = argv[name];
          const bad = value === undefined ? null : valueProblem(name, value, "flag");
          if (bad) throw new PyzapError("USAGE", `The "--${name}" option ${bad.problem}`, bad.hint ? { hint: bad.hint } : {});
        }
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
    const { runBundle } = await import("../stages/bundle.js");
    const args: Record<string, unknown> = {};
    for (const [name, spec] of commandLineOptions()) {
      const value = argv[camel(name)];
      args[camel(name)] = spec.kind === "strings" ? repeated(value as string | string[] | undefined) : spec.kind === "number" && value !== undefined ? Number(value) : value;
    }
    // Everything yargs did not own (including unknown options) is pip's, then what followed `--`.
    args.pipArgs = [...argv._.slice(1), ...(argv["--"] ?? [])].map(String);
    await runBundle(args as unknown as BundleArgs);
  },
};
