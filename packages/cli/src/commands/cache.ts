// `pyzap cache dir|list|prune|clean|verify`: the commands' specs only; the
// work is in ../cache/, imported lazily.
import type { Argv, CommandModule } from "yargs";

const json = { type: "boolean", default: false, describe: "print JSON (for scripts)" } as const;

/** The subcommands, each a yargs CommandModule: completion reads their options from these specs. */
export const cacheSubcommands: CommandModule<object, any>[] = [
  {
    command: "dir",
    describe: "The cache root the launcher uses here, and why",
    builder: (y) => y.option("json", json).example("pyzap cache dir", "where bundles unpack native code for this user, and why there"),
    handler: async (argv) => (await import("../cache/run.js")).cacheDir(argv.json),
  },
  {
    command: "list",
    describe: "One row per entry: key, bundle, size, files, created, last used, state",
    builder: (y) => y.option("json", json).example("pyzap cache list --json", "the same as JSON, for scripts"),
    handler: async (argv) => (await import("../cache/run.js")).cacheList(argv.json),
  },
  {
    command: "prune",
    describe: "Remove entries not used recently (default: 30 days) or over a size cap, and debris of crashed extractions",
    builder: (y) =>
      y
        .option("older-than", { type: "string", describe: "remove entries not used for this long: 30d, 12h, 2w (default 30d unless --max-size alone)" })
        .option("max-size", { type: "string", describe: "then remove the least recently used until the cache fits: 2G, 500M" })
        .option("dry-run", { type: "boolean", default: false, describe: "only say what would be removed" })
        .option("json", json)
        .example("pyzap cache prune --older-than 30d --max-size 2G", "drop what was not used for a month, then the oldest until under 2 GiB")
        .example("pyzap cache prune --dry-run", "only list what would go"),
    handler: async (argv) => (await import("../cache/run.js")).cachePrune({ olderThan: argv.olderThan, maxSize: argv.maxSize, dryRun: argv.dryRun, json: argv.json }),
  },
  {
    command: "clean [keys..]",
    describe: "Remove the given entries (or --all); locked or running entries are left alone",
    builder: (y) =>
      y
        .positional("keys", { type: "string", array: true, describe: "cache keys (pyzap cache list)" })
        .option("all", { type: "boolean", default: false, describe: "remove every entry" })
        .option("json", json)
        .example("pyzap cache clean 3f9a0c1e5b7d2468", "remove one entry (its bundle re-extracts it next time)")
        .example("pyzap cache clean --all", "remove every entry not in use"),
    handler: async (argv) => (await import("../cache/run.js")).cacheClean({ keys: (argv.keys ?? []).map(String), all: argv.all, json: argv.json }),
  },
  {
    command: "verify [keys..]",
    describe: "Re-hash every file of the entries against their entry.cfg",
    builder: (y) =>
      y
        .positional("keys", { type: "string", array: true, describe: "cache keys (default: all)" })
        .option("repair", { type: "boolean", default: false, describe: "delete bad entries so the next run re-extracts them" })
        .option("json", json)
        .example("pyzap cache verify --repair", "check every entry; delete the bad ones"),
    handler: async (argv) => (await import("../cache/run.js")).cacheVerify({ keys: (argv.keys ?? []).map(String), repair: argv.repair, json: argv.json }),
  },
];

const orList = (names: string[]) => `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;

/** A subcommand's name ("clean" of "clean [keys..]"). */
export const subcommandName = (c: CommandModule<object, any>) => String(c.command).split(" ")[0]!;

export const cacheCommand: CommandModule = {
  command: "cache <command>",
  describe: "Show and clean the cache of unpacked native files on this machine",
  builder: (yargs: Argv) => {
    for (const sub of cacheSubcommands) yargs.command(sub);
    return yargs
      .example("pyzap cache list", "what is unpacked on this machine, by bundle")
      .demandCommand(1, `pyzap cache needs a command: ${orList(cacheSubcommands.map(subcommandName))}`)
      .strict();
  },
  handler: () => {},
};
