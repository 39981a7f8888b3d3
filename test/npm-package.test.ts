// What npm users get: the packed tarballs installed into an empty project on
// a machine without a C compiler still make working bundles (the launcher
// comes prebuilt in @pyzap/launcher-linux-x64).
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, inject, test } from "vitest";
import { ok, REPO, run, tempDir } from "./helpers.js";

test("npm pack + npm install of the tarballs, then npx pyzap bundle, with no cc/gcc on PATH", () => {
  const work = tempDir();
  const tarballs = path.join(work, "tarballs");
  mkdirSync(tarballs);
  ok(run("node", [path.join(REPO, "scripts/pack.mjs"), tarballs], {}, REPO));
  // The CLI names every platform package as an optional dependency, as esbuild does.
  const cliTarball = readdirSync(tarballs).find((t) => /^pyzap-\d/.test(t))!;
  const manifest = JSON.parse(ok(run("tar", ["-xOzf", path.join(tarballs, cliTarball), "package/package.json"])).stdout) as { optionalDependencies: Record<string, string> };
  expect(Object.keys(manifest.optionalDependencies)).toEqual(["@pyzap/launcher-linux-x64", "@pyzap/launcher-linux-arm64"]);

  // Compilers that fail loudly, first on PATH: nothing below may need one.
  const noCompilers = path.join(work, "no-compilers");
  mkdirSync(noCompilers);
  for (const name of ["cc", "gcc", "c++", "g++", "clang", "musl-gcc", "make"]) {
    const shim = path.join(noCompilers, name);
    writeFileSync(shim, `#!/bin/sh\necho "${name}: not installed" >&2\nexit 127\n`);
    chmodSync(shim, 0o755);
  }
  const env = { PATH: `${noCompilers}:${process.env.PATH}`, npm_config_audit: "false", npm_config_fund: "false" };

  const project = path.join(work, "project");
  mkdirSync(project);
  writeFileSync(path.join(project, "package.json"), '{ "name": "uses-pyzap", "version": "1.0.0", "private": true }\n');
  // What a linux-x64 user's npm would fetch: the CLI, the runtime and this platform's launcher.
  const packed = readdirSync(tarballs).filter((t) => !t.includes("arm64")).map((t) => path.join(tarballs, t));
  expect(packed).toHaveLength(3);
  ok(run("npm", ["install", "--no-save", ...packed], env, project));

  const app = path.join(project, "demo.pyz");
  const bundle = ok(run("npx", ["--no-install", "pyzap", "bundle", "--no-index", "--find-links", inject("wheelhouse"), "fixture-ext", "-c", "fixture-ext-demo", "-o", app], env, project));
  expect(bundle.stdout).toContain(`wrote ${app}`);
  const report = JSON.parse(ok(run(app, [], { PYZAP_CACHE: path.join(work, "cache") })).stdout) as { sum: number };
  expect(report.sum).toBe(5);
});
