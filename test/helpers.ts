// Shared by the end-to-end tests: temporary directories that clean up after
// themselves, running the real CLI, and running real bundles.
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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

export interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `file` without waiting: its pid now, its outcome when it exits. */
export function start(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): { pid: number; done: Promise<Outcome> } {
  const child = spawn(file, args, { env: { ...BASE_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`cannot start ${file}`);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { pid: child.pid, done };
}

/** Resolves once process `pid` has stopped itself (state T in /proc); fails if it exits first or after 60 s. */
export async function whenStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      throw new Error(`process ${pid} exited instead of stopping`);
    }
    const state = /.*\) (\S) /s.exec(stat)?.[1]; // the field after the last ")" (comm may hold one)
    if (state === "T") return;
    if (state === "Z") throw new Error(`process ${pid} exited instead of stopping`);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`process ${pid} never stopped`);
}

/** The test points a testing launcher passed, in order, from its stderr with PYZAP_TEST_TRACE=1 (launcher-c/src/testhook.c). */
export function testPoints(stderr: string): { n: number; what: string }[] {
  return [...stderr.matchAll(/^pyzap: test point (\d+): (.*)$/gm)].map((m) => ({ n: Number(m[1]), what: m[2]! }));
}

/** Builds the launcher with its fault-injection test points (launcher-c/src/testhook.h) into `dir`; returns its path. */
export function buildTestingLauncher(dir: string): string {
  // A build directory of our own: other test files run `make` in launcher-c/build at the same time.
  ok(spawnSync("make", ["-s", "-C", path.join(REPO, "launcher-c"), "testing", `BUILD=${dir}`], { encoding: "utf8" }));
  return path.join(dir, "testing/pyzap-launcher");
}

/**
 * A clean target: a `venv --without-pip` of `python` in `dir`, checked to
 * lack each of `modules` (pyenv's python3 here has numpy, flask, jinja2 and
 * certifi in its own site-packages: a bundle run there could lean on them).
 * Returns its python3, for PYZAP_PYTHON.
 */
export function cleanTarget(dir: string, modules: string[], python = "python3"): string {
  ok(run(python, ["-m", "venv", "--without-pip", dir]));
  const target = path.join(dir, "bin/python3");
  for (const m of modules) {
    if (run(target, ["-c", `import ${m}`]).status === 0) throw new Error(`the clean target ${dir} can import ${m}`);
  }
  return target;
}

/**
 * Every .pyc of a bundle's site-packages and where it is: "entry" (a zip entry
 * of its own: --compress 0, or a module that is not packed) or "pack" (in
 * .pyzap/bytecode/N.xz, listed by the marshal'ed index, docs/format.md).
 */
export function bytecodeOf(pyz: string, python = "python3"): { name: string; size: number; where: "entry" | "pack"; pack: number | null }[] {
  const code = [
    "import json, marshal, sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "rows = [[i.filename, i.file_size, 'entry', None] for i in z.infolist() if i.filename.startswith('site-packages/') and i.filename.endswith('.pyc')]",
    "names = set(z.namelist())",
    "index = marshal.loads(z.read('.pyzap/bytecode/index')) if '.pyzap/bytecode/index' in names else {'files': {}}",
    "rows += [[n, size, 'pack', pack] for n, (pack, offset, size) in index['files'].items()]",
    "print(json.dumps(sorted(rows)))",
  ].join("\n");
  const rows = JSON.parse(ok(run(python, ["-c", code, pyz])).stdout) as [string, number, "entry" | "pack", number | null][];
  return rows.map(([name, size, where, pack]) => ({ name, size, where, pack }));
}

/** The files under `root` (not directories), as paths relative to it, sorted. */
export function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}
