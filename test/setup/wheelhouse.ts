// Global setup: builds the fixture wheels once per test run, as a user would
// (`pip wheel --no-build-isolation`) in a throw-away venv that has setuptools
// and wheel, and hands the wheelhouse directory to the tests. Several projects
// (vitest.config.ts) list this file; they share one build, removed when the
// last of them tears down.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");

declare module "vitest" {
  export interface ProvidedContext {
    wheelhouse: string;
  }
}

// Global setups of all projects run in the one main process: share through it.
const shared = globalThis as { pyzapWheelhouse?: { root: string; wheels: string; users: number } };

export default function setup(project: TestProject) {
  const built = (shared.pyzapWheelhouse ??= { ...buildWheelhouse(), users: 0 });
  built.users += 1;
  project.provide("wheelhouse", built.wheels);
  return () => {
    built.users -= 1;
    if (built.users > 0) return;
    rmSync(built.root, { recursive: true, force: true });
    shared.pyzapWheelhouse = undefined;
  };
}

function buildWheelhouse(): { root: string; wheels: string } {
  const root = mkdtempSync(path.join(tmpdir(), "pyzap-wheels-"));
  const env = { ...process.env, PIP_RETRIES: "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  const run = (cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    execFileSync(cmd, args, { env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });

  const venv = path.join(root, "venv");
  run("python3", ["-m", "venv", venv]);
  run(path.join(venv, "bin/python"), ["-m", "pip", "install", "-q", "setuptools", "wheel"]);

  const wheels = path.join(root, "wheels");
  mkdirSync(wheels);
  const buildWheel = (name: string, extra: NodeJS.ProcessEnv = {}) => {
    const src = path.join(root, "src", name); // pip builds in the source tree: use a copy
    cpSync(path.join(FIXTURES, name), src, { recursive: true });
    run(path.join(venv, "bin/python"), ["-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-index", "--no-deps", "-w", wheels, src], extra);
  };

  buildWheel("fixture_ext");
  buildWheel("fixture_pure");
  buildWheel("fixture_data");
  buildWheel("fixture_part");

  const libDir = path.join(root, "libfoo");
  mkdirSync(libDir);
  run("gcc", ["-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", path.join(libDir, "libfoo.so.1"), path.join(FIXTURES, "fixture_libs/libfoo/foo.c")]);
  run("ln", ["-s", "libfoo.so.1", path.join(libDir, "libfoo.so")]);
  buildWheel("fixture_libs", { LIBFOO_DIR: libDir });
  const libsWheel = readdirSync(wheels).find((w) => w.startsWith("fixture_libs-"));
  if (!libsWheel) throw new Error("fixture_libs wheel was not built");
  run("python3", [path.join(FIXTURES, "add_libs_to_wheel.py"), path.join(wheels, libsWheel), "fixture_libs.libs", path.join(libDir, "libfoo.so.1")]);

  return { root, wheels };
}
