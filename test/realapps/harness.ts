// One row, end to end: install the app with pip into a normal venv (the
// reference) and bundle it with plain `pyzap bundle REQ -c SCRIPT`; run both
// the same way on the same prepared files; compare exit statuses, normalised
// output and the files the app made; measure the bundle and its cache.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { App, Step } from "./app.js";
import { exec, mustRun, tail, type Ran } from "./exec.js";
import { CLEAN_ENV, type Shared } from "./shared.js";
import { describeTree, treeStats } from "./tree.js";

const CLI = path.resolve(import.meta.dirname, "../../packages/cli/bin/pyzap.js");
const STEP_TIMEOUT_MS = 240_000;

export interface AppResult {
  name: string;
  covers: string;
  passed: boolean;
  /** Why it failed, in one line (empty when it passed). */
  symptom: string;
  /** Everything needed to diagnose a failure. */
  details: string;
  bundleBytes: number | null;
  cacheFiles: number | null;
  cacheBytes: number | null;
  /** What the build decided to unpack (pyzap inspect totals). */
  unpackedFiles: number | null;
  unpackedBytes: number | null;
  /** What `--unpack-all` (shiv's behaviour) would unpack; measured only with REALAPPS_UNPACK_ALL=1. */
  unpackAllFiles: number | null;
  unpackAllBytes: number | null;
  buildMs: number | null;
  firstRunMs: number | null;
  venvRunMs: number | null;
}

interface Place {
  /** Runs the app with these arguments. */
  program: string[];
  env: NodeJS.ProcessEnv;
  work: string;
  home: string;
  /** Paths replaced by placeholders before comparing. */
  replace: [string, string][];
}

/** Where one app's venv, bundle, cache and work dirs go. */
export const appDir = (shared: Shared, app: App) => path.join(shared.root, "apps", app.name);

export async function runApp(app: App, shared: Shared): Promise<AppResult> {
  const dir = appDir(shared, app);
  mkdirSync(dir, { recursive: true });
  const result: AppResult = {
    name: app.name, covers: app.covers, passed: false, symptom: "", details: "",
    bundleBytes: null, cacheFiles: null, cacheBytes: null, unpackedFiles: null, unpackedBytes: null, unpackAllFiles: null, unpackAllBytes: null, buildMs: null, firstRunMs: null, venvRunMs: null,
  };
  const pipArgs = [...(app.fixture ? ["--find-links", shared.wheels, app.fixture] : []), ...(app.install ?? [])];
  const target = app.script ? ["-c", app.script] : ["-e", app.entry ?? ""];
  const exe = app.script ?? app.entry?.split(":")[0] ?? app.name;

  // The reference and the bundle build at the same time: both are mostly pip.
  const venv = path.join(dir, "venv");
  const bundleFile = path.join(dir, "bundle", exe); // named like the script, so usage lines match
  mkdirSync(path.dirname(bundleFile));
  const [, built] = await Promise.all([
    (async () => {
      // The build interpreter's pip installs into the venv (`pip --python`):
      // same result as the venv's own pip, without seeding pip into 33 venvs.
      await mustRun("reference venv", "python3", ["-m", "venv", "--without-pip", venv], { env: CLEAN_ENV });
      await mustRun("reference pip install", "python3", ["-m", "pip", "--python", path.join(venv, "bin/python"), "install", "-q", ...pipArgs], { env: CLEAN_ENV, timeoutMs: 900_000 });
    })(),
    exec(process.execPath, [CLI, "bundle", ...pipArgs, ...target, "-o", bundleFile, "-q"], { env: CLEAN_ENV, timeoutMs: 900_000 }),
  ]);
  result.buildMs = built.ms;
  if (built.status !== 0) {
    result.symptom = `build failed: ${lastLine(built.stderr)}`;
    result.details = `pyzap bundle exit ${built.status}\n${tail(built.stderr)}`;
    return result;
  }
  result.bundleBytes = statSync(bundleFile).size;
  [result.unpackedFiles, result.unpackedBytes] = await unpackedTotals(bundleFile);
  if (process.env.REALAPPS_UNPACK_ALL === "1") {
    // For the closing note's comparison only, never for the verdict.
    const all = path.join(dir, "unpack-all", exe);
    mkdirSync(path.dirname(all));
    await mustRun("pyzap bundle --unpack-all", process.execPath, [CLI, "bundle", ...pipArgs, ...target, "-o", all, "-q", "--unpack-all"], { env: CLEAN_ENV, timeoutMs: 900_000 });
    [result.unpackAllFiles, result.unpackAllBytes] = await unpackedTotals(all);
  }

  const cache = path.join(dir, "cache");
  const venvSite = (await mustRun("venv site", path.join(venv, "bin/python"), ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { env: CLEAN_ENV })).stdout.trim();
  const entryArgs = (python: string) => (app.script ? [] : [python, "-c", `import sys, ${exe}; sys.exit(${exe}.${app.entry?.split(":")[1]}())`]);
  const bundlePlace = place(app, path.join(dir, "b"), [bundleFile], { PYZAP_PYTHON: shared.bareTarget, PYZAP_CACHE: cache }, [
    [`${bundleFile}/site-packages`, "<SITE>"], [bundleFile, "<PROG>"], [cache, "<CACHE>"],
  ]);
  const venvProgram = app.script ? [path.join(venv, "bin", app.script)] : entryArgs(path.join(venv, "bin/python"));
  const venvPlace = place(app, path.join(dir, "v"), venvProgram, {}, [[venvSite, "<SITE>"], [venvProgram[0] ?? "", "<PROG>"], [venv, "<VENV>"]]);

  const [bundleRun, venvRun] = [await transcript(app, bundlePlace, shared), await transcript(app, venvPlace, shared)];
  result.firstRunMs = bundleRun.firstMs;
  result.venvRunMs = venvRun.firstMs;
  const stats = treeStats(cache);
  result.cacheFiles = stats.files;
  result.cacheBytes = stats.bytes;

  if (!app.expect.test(venvRun.text)) {
    result.symptom = "the reference (pip-installed venv) did not do the expected work: fix the row";
    result.details = `expected ${app.expect} in:\n${venvRun.text}`;
    return result;
  }
  if (bundleRun.text !== venvRun.text) {
    result.symptom = firstSymptom(bundleRun, venvRun);
    result.details = `--- venv\n${venvRun.text}\n--- bundle\n${bundleRun.text}\n--- bundle stderr\n${bundleRun.stderr}`;
    return result;
  }
  result.passed = true;
  return result;
}

/** Files and bytes a bundle unpacks on first run, as `pyzap inspect` counts them. */
async function unpackedTotals(bundleFile: string): Promise<[number | null, number | null]> {
  const inspected = await exec(process.execPath, [CLI, "inspect", "--json", bundleFile], { env: CLEAN_ENV });
  if (inspected.status !== 0) return [null, null];
  const { unpacked } = JSON.parse(inspected.stdout).totals;
  return [unpacked.files, unpacked.bytes];
}

function place(app: App, dir: string, program: string[], extra: NodeJS.ProcessEnv, replace: [string, string][]): Place {
  const work = path.join(dir, "work");
  const home = path.join(dir, "home");
  mkdirSync(work, { recursive: true });
  mkdirSync(home, { recursive: true });
  for (const [rel, text] of Object.entries(app.files ?? {})) {
    mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
    writeFileSync(path.join(work, rel), text);
  }
  const sub = (s: string) => s.replaceAll("{{WORK}}", work).replaceAll("{{HOME}}", home);
  const rowEnv = Object.fromEntries(Object.entries(app.env ?? {}).map(([k, v]) => [k, sub(v)]));
  const env = { ...CLEAN_ENV, HOME: home, XDG_CACHE_HOME: path.join(home, ".cache"), XDG_CONFIG_HOME: path.join(home, ".config"), XDG_DATA_HOME: path.join(home, ".local/share"), ...rowEnv, ...extra };
  // Longest first, so a path is replaced before any prefix of it.
  const all: [string, string][] = [...replace, [work, "<WORK>"], [home, "<HOME>"]];
  return { program, env, work, home, replace: all.sort((a, b) => b[0].length - a[0].length) };
}

interface Transcript {
  text: string;
  stderr: string;
  firstMs: number;
  lastError: string;
}

// Every step's exit status and stdout, then the trees and files the row
// names, all normalised: this is what must be equal in both places.
async function transcript(app: App, at: Place, shared: Shared): Promise<Transcript> {
  const parts: string[] = [];
  let stderr = "";
  let firstMs = 0;
  let lastError = "";
  for (const [i, step] of app.steps.entries()) {
    const r = await runStep(step, at, shared);
    if (i === 0) firstMs = r.ms;
    stderr += `$ ${describe(step)}\n${r.stderr}`;
    if (!lastError) lastError = errorLine(r.stderr);
    const shown = app.compareStderr ? `${r.stdout}## stderr\n${r.stderr}` : r.stdout;
    parts.push(`$ ${describe(step)}\n[exit ${r.status}${r.signal ? ` ${r.signal}` : ""}${r.timedOut ? " timed out" : ""}]\n${shown}`);
  }
  for (const rel of app.outputs ?? []) parts.push(`## tree ${rel}\n${describeTree(path.join(at.work, rel), false)}`);
  for (const rel of app.show ?? []) parts.push(`## file ${rel}\n${describeTree(path.join(at.work, rel), true)}`);
  let text = parts.join("\n");
  for (const [from, to] of at.replace) if (from) text = text.replaceAll(from, to);
  text = text.replaceAll(shared.server.url, "<URL>");
  if (app.normalize) text = app.normalize(text);
  return { text, stderr, firstMs, lastError };
}

function runStep(step: Step, at: Place, shared: Shared): Promise<Ran> {
  const url = (s: string) => s.replaceAll("{{URL}}", shared.server.url).replaceAll("{{WORK}}", at.work);
  const [file, ...args] = step.cmd ? step.cmd.map(url) : [...at.program, ...(step.args ?? []).map(url)];
  return exec(file ?? "", args, { cwd: at.work, env: at.env, stdin: step.stdin, timeoutMs: STEP_TIMEOUT_MS });
}

const describe = (step: Step) => (step.cmd ? step.cmd.join(" ") : `APP ${(step.args ?? []).join(" ")}`);

// The last "SomeError: why" line of a traceback (or of an app that reports one).
function errorLine(text: string): string {
  const lines = text.split("\n").filter((l) => /^\s*[\w.]*(Error|Exception|Exit)\b(: .*)?$/.test(l));
  return lines.at(-1)?.trim() ?? "";
}

function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1)?.trim() ?? "";
}

// The line a user would quote: the bundle's exception, else the first line that differs.
function firstSymptom(bundle: Transcript, venv: Transcript): string {
  if (bundle.lastError) return bundle.lastError.slice(0, 200);
  const a = bundle.text.split("\n");
  const b = venv.text.split("\n");
  const i = a.findIndex((line, n) => line !== b[n]);
  return `output differs at line ${i + 1}: bundle ${JSON.stringify(a[i] ?? "<end>").slice(0, 120)} vs venv ${JSON.stringify(b[i] ?? "<end>").slice(0, 120)}`;
}
