// Shared by the end-to-end tests: temporary directories that clean up after
// themselves, running the real CLI, and running real bundles.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

export const REPO = path.resolve(import.meta.dirname, "..");
export const CLI = path.join(REPO, "packages/cli/bin/pyzap.js");
export const LAUNCHER = path.join(REPO, "launcher-c/build/pyzap-launcher");

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix = "pyzap-test-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Never wait on the unreachable default index; don't inherit a user's cache.
export const BASE_ENV: NodeJS.ProcessEnv = { ...process.env, PIP_RETRIES: "0", PYZAP_CACHE: undefined, PYZAP_DEBUG: undefined, PYZAP_PYTHON: undefined };

export type Result = SpawnSyncReturns<string>;

export function pyzap(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Result {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...BASE_ENV, ...env }, cwd });
}

export function run(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, cwd?: string): Result {
  return spawnSync(file, args, { encoding: "utf8", env: { ...BASE_ENV, ...env }, cwd });
}

/** Fails with the process's output when it did not exit 0. */
export function ok(result: Result): Result {
  if (result.status !== 0) {
    throw new Error(`exit ${result.status} (signal ${result.signal})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return result;
}

export function bundle(wheelhouse: string, requirement: string, script: string, output: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Result {
  return ok(pyzap(["bundle", "--no-index", "--find-links", wheelhouse, requirement, "-c", script, "-o", output, ...extra], env));
}
