// Stage 1: get every distribution the app needs into one directory, either by
// running the build interpreter's pip or by taking an existing site-packages.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PyzapError } from "./errors.js";
import { runProcess } from "./process.js";
import type { PythonInfo } from "./python.js";

export interface Resolved {
  /** Directory laid out like site-packages (top-level packages, *.dist-info). */
  siteDir: string;
  /** Removes what resolve created (nothing for --site-packages). */
  cleanup: () => void;
}

export async function resolve(python: PythonInfo, pipArgs: string[], sitePackages?: string, echo = false): Promise<Resolved> {
  if (sitePackages) return useSitePackages(sitePackages, pipArgs);
  if (pipArgs.length === 0) {
    throw new PyzapError("USAGE", "nothing to bundle: no requirement was given", {
      hint: "name what pip should install (pyzap bundle certbot -c certbot) or pass --site-packages DIR",
    });
  }
  const staging = mkdtempSync(path.join(tmpdir(), "pyzap-staging-"));
  const cleanup = () => rmSync(staging, { recursive: true, force: true });
  try {
    await pipInstall(python, staging, pipArgs, echo);
  } catch (error) {
    cleanup();
    throw error;
  }
  return { siteDir: staging, cleanup };
}

function useSitePackages(dir: string, pipArgs: string[]): Resolved {
  if (pipArgs.length > 0) {
    throw new PyzapError("USAGE", `--site-packages cannot be combined with pip arguments: ${pipArgs.join(" ")}`);
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new PyzapError("INPUT_NOT_FOUND", `The "--site-packages" option is not a directory: ${dir}`);
  }
  return { siteDir: path.resolve(dir), cleanup: () => {} };
}

async function pipInstall(python: PythonInfo, target: string, pipArgs: string[], echo: boolean): Promise<void> {
  // --no-compile: we write our own bytecode (unchecked-hash, beside each .py).
  const args = ["-m", "pip", "install", "--target", target, "--no-compile", "--disable-pip-version-check", "--no-warn-script-location", ...pipArgs];
  const result = await runProcess(python.command, args, { echo });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trimEnd();
    if (output && !echo) process.stderr.write(`\n${output}\n`);
    throw new PyzapError("PIP_FAILED", `pip failed (exit ${result.status ?? "none"}); pyzap ran: ${python.command} ${args.join(" ")}`, {
      hint: "fix the requirement or pip options above; pyzap passes every argument it does not own to pip",
      cause: result.error,
    });
  }
}
