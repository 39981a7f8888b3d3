// Finds interpreters on this machine for tests that need a second Python.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
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
  const pyenv = path.join(process.env.PYENV_ROOT ?? path.join(homedir(), ".pyenv"), "versions");
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv).sort().reverse()) out.push(path.join(pyenv, v, "bin/python3"));
  }
  return out.filter((p) => existsSync(p));
}

function version(cmd: string): string | null {
  const r = spawnSync(cmd, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim().startsWith("3.") ? r.stdout.trim() : null;
}
