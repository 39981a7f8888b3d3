// `pyzap inspect`: the command's spec only; yauzl is imported lazily.
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";

interface InspectArgs {
  file: string;
  json: boolean;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: "inspect <file>",
  describe: "Show what a bundle holds: entry point, Python, launcher, files unpacked at run time and why",
  builder: (yargs: Argv) =>
    yargs
      .positional("file", { type: "string", demandOption: true, describe: "the bundle (app.pyz)" })
      .option("json", { type: "boolean", default: false, describe: "print JSON (stable keys, for scripts)" })
      .example("pyzap inspect certbot.pyz", "entry point, Python, launcher, and every file unpacked on first run with its reason")
      .example("pyzap inspect certbot.pyz --json", "the same for scripts")
      .strict() as unknown as Argv<InspectArgs>,
  handler: async (argv: ArgumentsCamelCase<InspectArgs>) => {
    const { runInspect } = await import("../inspect/run.js");
    await runInspect(argv.file, argv.json);
  },
};
