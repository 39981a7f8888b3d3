// `pyzap help [COMMAND]`: the same text as `pyzap COMMAND --help`. main.ts
// hands in its own entry point, so this module never imports main.ts.
import type { CommandModule } from "yargs";

export function helpCommand(run: (argv: string[]) => Promise<number>): CommandModule<object, { command?: string }> {
  return {
    command: "help [command]",
    describe: "Show the help of a command (pyzap help bundle)",
    builder: (yargs) => yargs.example("pyzap help cache", "the cache subcommands and their options"),
    handler: async (argv) => {
      process.exitCode = await run(argv.command ? [argv.command, "--help"] : ["--help"]);
    },
  };
}
