// `pyzap bundle`: only wires the stages together
// (resolve -> classify -> assemble -> write); each lives in its own module.
// Every check that needs no work comes first: a bad option fails in
// milliseconds, not after the pip resolve.
import { statSync } from "node:fs";
import path from "node:path";
import { assemble } from "./assemble.js";
import { bootstrapFiles } from "./bootstrap.js";
import { chooseBuildPython } from "./build-python.js";
import { classify } from "./classify.js";
import type { BundleArgs } from "./options.js";
import { compileSite } from "./compile.js";
import { chooseEntryPoint, readSiteMetadata } from "./entrypoint.js";
import { chooseExclusions } from "./exclude.js";
import { findLauncher } from "./launcher.js";
import { choosePlatform } from "./platform.js";
import { checkBeforeWork } from "./preflight.js";
import { withProjectConfig } from "./project-config.js";
import { Reporter } from "./reporter.js";
import { resolve } from "./resolve.js";
import { makeTempDir, removeTempTree } from "../util/temp-paths.js";
import { plural } from "../util/units.js";
import { systemLibsFor } from "./standalone/applibs.js";
import { pythonFromDist } from "./standalone/dist.js";
import { buildRuntime } from "./standalone/runtime.js";
import { walkTree } from "../util/walk.js";
import { writeBundle } from "./write.js";

export async function runBundle(given: BundleArgs): Promise<void> {
  const configured = withProjectConfig(given);
  checkBeforeWork(configured);
  // --python-dist: that distribution's interpreter resolves and is carried
  // (extracted into a temporary directory removed at exit).
  const args = configured.pythonDist
    ? { ...configured, standalone: true, python: pythonFromDist(configured.pythonDist, makeTempDir("pyzap-dist-")) }
    : configured;
  if (args.platform) findLauncher(args.platform); // a missing or stale launcher, before pip runs
  const bootstrap = bootstrapFiles();
  const python = chooseBuildPython(args);
  const report = new Reporter(args);
  let ok = false;
  report.stage(args.sitePackages ? `reading ${args.sitePackages}` : `resolving with pip: ${args.pipArgs.join(" ")}`);
  const resolved = await resolve(python, { pipArgs: args.pipArgs, sitePackages: args.sitePackages, echo: report.verbose }).catch((error: unknown) => {
    report.end(true);
    throw error;
  });
  const workDir = makeTempDir("pyzap-build-");
  let output: string | null = null;
  try {
    const read = await readSiteMetadata(python, resolved.siteDir, args.entryPoint);
    // pip installs only what was asked and what it requires: installers are dropped from a venv's site-packages only.
    const excluded = chooseExclusions(read.dists, { exclude: args.exclude ?? [], dropInstallers: !!args.sitePackages, consoleScript: args.consoleScript });
    if (excluded.left.length > 0) report.note(`left out ${excluded.left.join(", ")}`);
    const files = walkTree(resolved.siteDir).filter((f) => !excluded.paths(f.rel));
    // What --exclude (or the installers rule) left out is not in the bundle: not its scripts either.
    const gone = excluded.paths;
    const site = { ...read, dists: read.dists.filter((d) => !gone(`${d.distInfo}/METADATA`)), topLevels: read.topLevels.filter((t) => !gone(`${t}/`) && !gone(`${t}.py`)) };
    const entry = chooseEntryPoint(site, args);
    if (entry.note) report.note(`entry point ${entry.target}: ${entry.note}`);
    report.stage(`compiling and scanning ${plural(files.filter((f) => f.rel.endsWith(".py")).length, "module")}`);
    const compiled = await compileSite(python, files, workDir);
    report.stage(`classifying ${plural(files.length, "file")}`);
    const classified = classify(files, python.extensionSuffixes, { findings: compiled.findings, dists: site.dists }, { unpack: args.unpack, zip: args.zip, unpackAll: args.unpackAll });
    // Only what differs from "imported from the archive" is worth a line.
    for (const p of classified.packages) if (p.runsFrom === "cache" || p.dataUnpacked || (p.parts ?? []).length > 0 || p.reason.startsWith("kept zipped")) report.note(`${p.name}: ${p.reason}`);
    if (args.standalone) classified.unpacked.push(...systemLibsFor(classified.unpacked));
    output = path.resolve(args.output ?? `${entry.name}.pyz`);
    const platform = choosePlatform(classified.unpacked, args.platform);
    const launcher = findLauncher(platform);
    if (args.standalone) report.stage(`collecting the runtime of ${python.executable}`);
    const runtime = args.standalone ? await buildRuntime({ python, keep: args.stdlibKeep ?? [], drop: args.stdlibDrop ?? [], workDir }) : undefined;
    const { entries, manifest } = await assemble({ python, classified, entry, bootstrap, launcher, compiled, workDir, runtime, compress: args.compress });
    report.stage(`writing ${path.basename(output)} (${plural(entries.length, "entry", "entries")})`);
    await writeBundle(output, launcher, entries, { python: python.requires, compress: args.compress });
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
    // Both trees at once, many files in flight (util/remove-tree.ts).
    await Promise.all([removeTempTree(workDir), resolved.cleanup()]);
  }
}

/** How to run the bundle from here: "./app.pyz" or its path. */
function runCommand(output: string): string {
  const rel = path.relative(process.cwd(), output);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return output;
  return rel.includes("/") ? rel : `./${rel}`;
}
