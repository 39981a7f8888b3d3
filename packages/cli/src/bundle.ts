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
import { choosePlatform } from "./platform.js";
import { withProjectConfig } from "./project-config.js";
import { probePython } from "./python.js";
import { Reporter } from "./reporter.js";
import { resolve } from "./resolve.js";
import { systemLibsFor } from "./standalone/applibs.js";
import { buildRuntime } from "./standalone/runtime.js";
import { walkTree } from "./walk.js";
import { writeBundle } from "./write.js";

export async function runBundle(given: BundleArgs): Promise<void> {
  const args = withProjectConfig(given);
  const report = new Reporter(args);
  let ok = false;
  const bootstrap = bootstrapFiles();
  const python = probePython(args.python);
  report.stage(args.sitePackages ? `reading ${args.sitePackages}` : `resolving with pip: ${args.pipArgs.join(" ")}`);
  const resolved = await resolve(python, args.pipArgs, args.sitePackages, report.verbose).catch((error: unknown) => {
    report.end(true);
    throw error;
  });
  const workDir = mkdtempSync(path.join(tmpdir(), "pyzap-build-"));
  try {
    const files = walkTree(resolved.siteDir);
    report.stage(`classifying ${files.length} files`);
    const entry = chooseEntryPoint(files, args);
    const classified = classify(files, python.extensionSuffixes, { unpack: args.unpack, zip: args.zip, unpackAll: args.unpackAll });
    for (const p of classified.packages) report.note(`${p.name}: ${p.reason}`);
    if (args.standalone) classified.unpacked.push(...systemLibsFor(classified.unpacked));
    const output = path.resolve(args.output ?? `${entry.name}.pyz`);
    const platform = choosePlatform(classified.unpacked, args.platform);
    const launcher = findLauncher(platform);
    report.stage(`compiling ${classified.zipped.filter((f) => f.rel.endsWith(".py")).length + classified.unpacked.filter((f) => f.rel.endsWith(".py")).length} modules`);
    if (args.standalone) report.stage(`collecting the runtime of ${python.executable}`);
    const runtime = args.standalone ? await buildRuntime({ python: python.executable, keep: args.stdlibKeep ?? [], drop: args.stdlibDrop ?? [], workDir }) : undefined;
    const { entries, manifest } = await assemble({ python, classified, entry, bootstrap, launcher, workDir, runtime });
    report.stage(`writing ${path.basename(output)} (${entries.length} entries)`);
    await writeBundle(output, launcher, entries, { compress: args.compress });
    ok = true;
    report.done({
      output,
      size: statSync(output).size,
      launcherSize: launcher.bytes.length,
      entries: entries.length,
      unpackedFiles: manifest.totals.unpackedFiles,
      unpackedBytes: manifest.totals.unpackedBytes,
      cacheKey: manifest.cacheKey,
      python: { requires: python.requires, cacheTag: python.cacheTag, executable: python.executable },
      platform,
      ...(runtime ? { runtime: runtime.info } : {}),
      run: runCommand(output),
    });
  } finally {
    report.end(!ok);
    rmSync(workDir, { recursive: true, force: true });
    resolved.cleanup();
  }
}

/** How to run the bundle from here: "./app.pyz" or its path. */
function runCommand(output: string): string {
  const rel = path.relative(process.cwd(), output);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return output;
  return rel.includes("/") ? rel : `./${rel}`;
}
