// Stage 1: get every distribution the app needs into one directory, either by
// running the build interpreter's pip or by taking an existing site-packages.
// (What stays out of the bundle is decided from its metadata: exclude.ts.)
import path from "node:path";
import { PyzapError } from "../util/errors.js";
import { runProcess } from "../util/process.js";
import type { PythonInfo } from "../util/python.js";
import { makeTempDir, removeTemp, removeTempTree } from "../util/temp-paths.js";

export interface Resolved {
  /** Directory laid out like site-packages (top-level packages, *.dist-info). */
  siteDir: string;
  /** Removes what resolve created (nothing for --site-packages). */
  cleanup: () => Promise<void>;
}

export interface ResolveOptions {
  pipArgs: string[];
  sitePackages?: string;
  echo: boolean;
}

export async function resolve(python: PythonInfo, opts: ResolveOptions): Promise<Resolved> {
  // The inputs were checked before any work (preflight.ts): a directory, or pip arguments.
  if (opts.sitePackages) {
    return { siteDir: path.resolve(opts.sitePackages), cleanup: async () => {} };
  }
  const staging = makeTempDir("pyzap-staging-");
  try {
    await pipInstall(python, staging, opts.pipArgs, opts.echo);
    return { siteDir: staging, cleanup: () => removeTempTree(staging) };
  } catch (error) {
    removeTemp(staging);
    throw error;
  }
}

async function pipInstall(python: PythonInfo, target: string, pipArgs: string[], echo: boolean): Promise<void> {
  // --no-compile: we write our own bytecode (unchecked-hash, beside each .py).
  // --no-warn-conflicts: pip would check every distribution installed for the
  // build interpreter against the new ones, which says nothing about the
  // bundle (--target resolves without them): 0.3 s of CPU with 105 installed.
  const args = ["-m", "pip", "install", "--target", target, "--no-compile", "--no-warn-conflicts", "--disable-pip-version-check", "--no-warn-script-location", ...pipArgs];
  const result = await runProcess(python.command, args, { echo });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trimEnd();
    if (output && !echo) process.stderr.write(`\n${output}\n`);
    throw new PyzapError("PIP_FAILED", `pip failed (exit ${result.status ?? "none"}); pyzap ran: ${python.command} ${args.join(" ")}`, {
      hint: "fix the requirement or pip options above; pyzap passes every argument it does not own to pip (pip's own -c, -e, --platform, --python go after --)",
      cause: result.error,
    });
  }
}
