// What npm users get: `npm run pack` writes ONE tarball holding the CLI, its
// dependencies, every prebuilt launcher and the Python runtime. Installed
// globally into an empty prefix, offline, on a machine without a C compiler,
// it bundles for linux-x64 and for linux-arm64 (the launchers are payload
// for the target, not programs this machine runs).
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, inject, test } from "vitest";
import { hostPlatform } from "../packages/cli/src/stages/platform.js";
import { ok, REPO, run, tempDir } from "./helpers.js";

test("the one pyzap tarball installs with npm install -g offline, with no compiler, and bundles for x64 and arm64", () => {
  const work = tempDir();
  const tarballs = path.join(work, "tarballs");
  const tarball = ok(run("node", [path.join(REPO, "scripts/pack.mjs"), tarballs], {}, REPO)).stdout.trim();
  expect(readdirSync(tarballs)).toEqual([path.basename(tarball)]);
  const listing = ok(run("tar", ["-tzf", tarball])).stdout.split("\n");
  for (const file of ["package/launchers/linux-x64/pyzap-launcher", "package/launchers/linux-arm64/pyzap-launcher", "package/runtime/__main__.py", "package/runtime/sitecustomize.py", "package/runtime/_pyzap/__init__.py", "package/node_modules/yargs/package.json"]) {
    expect(listing).toContain(file);
  }
  const manifest = JSON.parse(ok(run("tar", ["-xOzf", tarball, "package/package.json"])).stdout) as Record<string, Record<string, string> | undefined>;
  expect(Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@pyzap/"))).toEqual([]);
  expect(manifest.optionalDependencies).toBeUndefined();

  // Compilers that fail loudly, first on PATH: nothing below may need one.
  const noCompilers = path.join(work, "no-compilers");
  mkdirSync(noCompilers);
  for (const name of ["cc", "gcc", "c++", "g++", "clang", "musl-gcc", "aarch64-linux-gnu-gcc", "make"]) {
    const shim = path.join(noCompilers, name);
    writeFileSync(shim, `#!/bin/sh\necho "${name}: not installed" >&2\nexit 127\n`);
    chmodSync(shim, 0o755);
  }
  const prefix = path.join(work, "prefix");
  const env = { PATH: `${noCompilers}:${process.env.PATH}`, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
  ok(run("npm", ["install", "-g", "--offline", "--prefix", prefix, tarball], env, work));
  const pyzap = path.join(prefix, "bin/pyzap");

  const project = path.join(work, "project");
  mkdirSync(project);
  const native = ok(run(pyzap, ["bundle", "--no-index", "--find-links", inject("wheelhouse"), "fixture-ext", "-c", "fixture-ext-demo", "-o", "demo.pyz"], env, project));
  expect(native.stdout).toContain(`wrote ${path.join(project, "demo.pyz")}`);
  expect(native.stdout).toMatch(new RegExp(`platform +${hostPlatform()}\n`)); // fixture-ext is compiled here
  const report = JSON.parse(ok(run(path.join(project, "demo.pyz"), [], { PYZAP_CACHE: path.join(work, "cache") })).stdout) as { sum: number };
  expect(report.sum).toBe(5);

  const arm = ok(run(pyzap, ["bundle", "--no-index", "--find-links", inject("wheelhouse"), "fixture-pure", "-c", "fixture-pure-exec", "--platform", "linux-arm64", "-o", "arm.pyz"], env, project));
  expect(arm.stdout).toMatch(/platform +linux-arm64/);
  const head = readFileSync(path.join(project, "arm.pyz")).subarray(0, 20);
  expect(head.readUInt16LE(18)).toBe(0xb7); // ELF e_machine: AArch64
});
