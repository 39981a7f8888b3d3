// Interpreters on this machine: a second Python for the tests that need one,
// and what an interpreter (or this CPU) puts in bundles and file names.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir, machine } from "node:os";
import path from "node:path";

/** Path of a CPython whose X.Y differs from python3's, or null. */
export function otherPythonVersion(): string | null {
  const own = version("python3");
  for (const candidate of candidates()) {
    const v = version(candidate);
    if (v && v !== own) return candidate;
  }
  return null;
}

function candidates(): string[] {
  const out = ["python3.12", "python3.13", "python3.10", "python3.9"].map((n) => `/usr/bin/${n}`);
  for (const v of pyenvVersions().reverse()) out.push(path.join(PYENV_VERSIONS, v, "bin/python3"));
  return out.filter((p) => existsSync(p));
}

const PYENV_VERSIONS = path.join(process.env.PYENV_ROOT || path.join(homedir(), ".pyenv"), "versions");

/** The interpreter of one pyenv version ("2.7.18" -> ~/.pyenv/versions/2.7.18/bin/python). */
export function pyenvPython(version: string): string {
  return path.join(PYENV_VERSIONS, version, "bin/python");
}

/** The versions pyenv has installed here ("2.7.18", "3.6.15", ..., "3.13.1"), oldest first; CI's machine image has the same. */
export function pyenvVersions(): string[] {
  if (!existsSync(PYENV_VERSIONS)) return [];
  const numbers = (v: string) => v.split(".").map((n) => Number.parseInt(n, 10));
  const older = (a: string, b: string) => {
    const [x, y] = [numbers(a), numbers(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  return readdirSync(PYENV_VERSIONS)
    .filter((v) => /^\d/.test(v) && existsSync(pyenvPython(v)))
    .sort(older);
}

/** pyenv's newest interpreter of one X.Y ("3.12" -> ~/.pyenv/versions/3.12.1/bin/python), or null. */
export function pyenvPythonFor(xy: string): string | null {
  const found = pyenvVersions().filter((v) => v.startsWith(`${xy}.`)).pop();
  return found === undefined ? null : pyenvPython(found);
}

/** One pyenv interpreter per X.Y whose X.Y matches `wanted` (e.g. /^3\./), oldest first. */
export function pyenvPythonsMatching(wanted: RegExp): string[] {
  const xys = [...new Set(pyenvVersions().map((v) => v.split(".").slice(0, 2).join(".")))];
  return xys.filter((xy) => wanted.test(xy)).map((xy) => pyenvPythonFor(xy)!);
}

function version(cmd: string): string | null {
  const r = spawnSync(cmd, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim().startsWith("3.") ? r.stdout.trim() : null;
}

export interface PythonTags {
  /** "3.11" */
  version: string;
  /** "cpython-311" */
  cacheTag: string;
  /** "cpython-311-x86_64-linux-gnu" */
  soabi: string;
  /** ".cpython-311-x86_64-linux-gnu.so": how the interpreter names a C extension module */
  extSuffix: string;
  /** "linux-x86_64" (sysconfig's platform) */
  platform: string;
}

/** What an interpreter puts in bundles and file names, asked of the interpreter itself (tests must not assume 3.11 or x86_64). */
export function pythonTags(python = "python3"): PythonTags {
  const probe = [
    "import json, sys, sysconfig",
    "print(json.dumps({'version': '%d.%d' % sys.version_info[:2], 'cacheTag': sys.implementation.cache_tag,",
    "  'soabi': sysconfig.get_config_var('SOABI'), 'extSuffix': sysconfig.get_config_var('EXT_SUFFIX'),",
    "  'platform': sysconfig.get_platform()}))",
  ].join("\n");
  const r = spawnSync(python, ["-c", probe], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot ask ${python} for its tags: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as PythonTags;
}

/** The launcher's name for this machine, as its marker says it ("linux-x86_64", "linux-aarch64"): uname's. */
export function launcherTarget(): string {
  return `${process.platform}-${machine()}`;
}

/** Escape text for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
