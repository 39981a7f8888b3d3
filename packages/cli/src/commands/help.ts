// `pyzap help [COMMAND]`: the same text as `pyzap COMMAND --help`.
import type { CommandModule } from "yargs";

export const helpCommand: CommandModule<object, { command?: string }> = {
  command: "help [command]",
  describe: "Show the help of a command (pyzap help bundle)",
  builder: (yargs) => yargs.example("pyzap help cache", "the cache subcommands and their options"),
  handler: async (argv) => {
    const { main } = await import("../main.js");
    process.exitCode = await main(argv.command ? [argv.command, "--help"] : ["--help"]);
  },
};
