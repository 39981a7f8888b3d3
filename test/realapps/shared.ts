// What every row shares: our fixture apps built as wheels (once), the bare
// target venv (the interpreter without the app: a clean target), and a local
// HTTP server.
import { cpSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { mustRun } from "./exec.js";
import { startServer, type LocalServer } from "./server.js";

export const FIXTURES = path.join(import.meta.dirname, "fixtures");

// Never wait on an unreachable index; never inherit a bundle's or a venv's settings.
const DROP = /^(PYTHON|PYZAP_|VIRTUAL_ENV|PIP_)/;
export const CLEAN_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !DROP.test(k))),
  PIP_RETRIES: "0",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
};

export interface Shared {
  root: string;
  /** Wheels of fixtures/*, for `--find-links`. */
  wheels: string;
  /** python3 of a `venv --without-pip`: what a clean target has. */
  bareTarget: string;
  server: LocalServer;
}

export async function prepareShared(root: string): Promise<Shared> {
  const server = await startServer();
  const bare = path.join(root, "bare-target");
  const [wheels] = await Promise.all([buildFixtureWheels(root), mustRun("bare venv", "python3", ["-m", "venv", "--without-pip", bare], { env: CLEAN_ENV })]);
  return { root, wheels, bareTarget: path.join(bare, "bin/python3"), server };
}

// As a user would: `pip wheel --no-build-isolation` in a venv that has
// setuptools (pip builds in the source tree, so from copies).
async function buildFixtureWheels(root: string): Promise<string> {
  const venv = path.join(root, "wheel-builder");
  const wheels = path.join(root, "wheels");
  mkdirSync(wheels);
  await mustRun("wheel-builder venv", "python3", ["-m", "venv", venv], { env: CLEAN_ENV });
  const py = path.join(venv, "bin/python");
  await mustRun("setuptools", py, ["-m", "pip", "install", "-q", "setuptools", "wheel"], { env: CLEAN_ENV });
  const sources = readdirSync(FIXTURES).map((name) => {
    const copy = path.join(root, "fixture-src", name);
    cpSync(path.join(FIXTURES, name), copy, { recursive: true });
    return copy;
  });
  await mustRun("fixture wheels", py, ["-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-index", "--no-deps", "-w", wheels, ...sources], { env: CLEAN_ENV });
  return wheels;
}
