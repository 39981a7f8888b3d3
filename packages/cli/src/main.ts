// Entry point of the `pyzap` command: builds the yargs parser from one
// CommandModule per command and maps errors to exit codes.
import yargs from "yargs";
import { bundleCommand } from "./commands/bundle.js";
import { cacheCommand } from "./commands/cache.js";
import { helpCommand } from "./commands/help.js";
import { inspectCommand } from "./commands/inspect.js";
import { EXIT_BUG, EXIT_CODES, PyzapError } from "./errors.js";
import { VERSION } from "./version.js";

export async function main(argv: string[]): Promise<number> {
  try {
    await yargs(argv)
      .scriptName("pyzap")
      .command(bundleCommand)
      .command(inspectCommand)
      .command(cacheCommand)
      .command(helpCommand)
      // Prints a bash (or, under zsh, a zsh) script: `source <(pyzap completion)`.
      .completion("completion", "Print a shell completion script (bash, zsh): source <(pyzap completion)")
      // Not strictCommands(): `bundle` passes unknown arguments on to pip.
      .command("*", false, {}, (argv) => {
        const what = argv._.length > 0 ? `unknown command: ${argv._[0]}` : "no command given";
        throw new PyzapError("USAGE", what, { hint: "see pyzap --help" });
      })
      .version(VERSION)
      .help()
      .alias("h", "help")
      .wrap(Math.min(100, process.stdout.columns || 100))
      .fail((message, error: unknown) => {
        // Ours pass through; a message from yargs' validation (or a check())
        // is a usage error; anything else a handler threw keeps its meaning.
        if (error instanceof PyzapError) throw error;
        if (message) throw new PyzapError("USAGE", message, { hint: "see pyzap --help" });
        if (error instanceof Error && error.name !== "YError") throw error;
        throw new PyzapError("USAGE", error instanceof Error ? error.message : "invalid arguments", { hint: "see pyzap --help" });
      })
      .parseAsync();
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof PyzapError) {
    // One line: what was wrong, then what to do.
    process.stderr.write(`pyzap: ${error.message}${error.hint ? `; ${error.hint}` : ""}\n`);
    if (process.env.PYZAP_DEBUG && error.cause) process.stderr.write(`${String(error.cause)}\n`);
    return EXIT_CODES[error.code];
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    `pyzap: internal error, this is a bug. Please report it with the command you ran and this output:\n${detail}\n`,
  );
  return EXIT_BUG;
}
