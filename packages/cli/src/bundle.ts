// `pyzap bundle`: only wires the stages together
// (resolve -> classify -> assemble -> write); each lives in its own module.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { assemble } from "./assemble.js";
import { bootstrapFiles } from "./bootstrap.js";
import { classify } from "./classify.js";
import type { BundleArgs } from "./commands/bundle.js";
import { chooseEntryPoint } from "./entrypoint.js";
import { findLauncher } from "./launcher.js";
import { probePython } from "./python.js";
import { resolve } from "./resolve.js";
import { walkTree } from "./walk.js";
import { writeBundle } from "./write.js";

export async function runBundle(args: BundleArgs): Promise<void> {
  const launcher = findLauncher();
  const bootstrap = bootstrapFiles();
  const python = probePython(args.python);
  const resolved = resolve(python, args.pipArgs, args.sitePackages);
  const workDir = mkdtempSync(path.join(tmpdir(), "pyzap-build-"));
  try {
    const files = walkTree(resolved.siteDir);
    const entry = chooseEntryPoint(files, args);
    const classified = classify(files, python.extensionSuffixes);
    const output = path.resolve(args.output ?? `${entry.name}.pyz`);
    const { entries, manifest } = await assemble({ python, classified, entry, bootstrap, launcher, workDir });
    await writeBundle(output, launcher, entries);
    const size = statSync(output).size;
    process.stderr.write(
      `pyzap: wrote ${output} (${mib(size)}, ${entries.length} entries; ` +
        `${manifest.totals.unpackedFiles} native files, ${mib(manifest.totals.unpackedBytes)}, unpacked on first run; ` +
        `needs Python ${python.requires})\n`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    resolved.cleanup();
  }
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
