// Entry point of the `pyzap` command: builds the yargs parser from one
// CommandModule per command and maps errors to exit codes.
import yargs from "yargs";
import { bundleCommand } from "./commands/bundle.js";
import { cacheCommand } from "./commands/cache.js";
import { completeWords, completionScript, SUPPORTED_SHELLS } from "./commands/completion.js";
import { helpCommand } from "./commands/help.js";
import { inspectCommand } from "./commands/inspect.js";
import { EXIT_BUG, EXIT_CODES, PyzapError } from "./util/errors.js";
import { VERSION } from "./util/version.js";

export async function main(argv: string[]): Promise<number> {
  // Completion is answered here, before yargs: it must never run a command.
  // (--get-yargs-completions: scripts an older pyzap printed into a shell.)
  if (argv[0] === "__complete" || argv[0] === "--get-yargs-completions") {
    const words = argv[0] === "__complete" ? argv.slice(argv[1] === "--" ? 2 : 1) : argv.slice(2);
    process.stdout.write(completeWords(words.length > 0 ? words : [""]).map((c) => `${c}\n`).join(""));
    return 0;
  }
  try {
    await yargs(argv)
      .scriptName("pyzap")
      .command(bundleCommand)
      .command(inspectCommand)
      .command(cacheCommand)
      .command(helpCommand(main))
      .command(
        "completion [shell]",
        "Print a shell completion script: source <(pyzap completion bash|zsh), pyzap completion fish | source",
        (y) => y.positional("shell", { type: "string", describe: "bash, zsh or fish (default: that of $SHELL, else bash)" }).strict(),
        (args) => {
          if (args.shell !== undefined && !SUPPORTED_SHELLS.includes(args.shell)) {
            throw new PyzapError("USAGE", `pyzap has no completion for the shell ${args.shell}`, { hint: `pick one of ${SUPPORTED_SHELLS.join(", ")}` });
          }
          const fromEnv = (process.env.SHELL ?? "").split("/").pop() ?? "";
          process.stdout.write(completionScript(args.shell ?? (SUPPORTED_SHELLS.includes(fromEnv) ? fromEnv : "bash")));
        },
      )
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
        // yargs' own messages may span lines ("Invalid values:\n  Argument: ..."): keep one.
        if (message) throw new PyzapError("USAGE", message.replace(/:?\s*\n\s*/g, ": "), { hint: "see pyzap --help" });
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
