// pyzap's version is the CLI package's (what npm publishes); every other place
// that states it must agree, so a release bumps one number and this test
// names whatever was forgotten.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { VERSION } from "./cli-src.js";
import { readRepo, REPO } from "./repo.js";

const json = (rel: string) => JSON.parse(readRepo(rel)) as { name: string; version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
const THE_VERSION = json("packages/cli/package.json").version;

test("the CLI's --version (src/util/version.ts) is the package's", () => {
  expect(VERSION).toBe(THE_VERSION);
});

test("the launchers are built with it (launcher-c/Makefile reads it; version.h holds no number of its own)", () => {
  expect(readRepo("launcher-c/src/version.h")).not.toMatch(/#define PYZAP_LAUNCHER_VERSION "/);
  const built = ["launcher-c/build/pyzap-launcher", ...readdirSync(path.join(REPO, "packages/cli/launchers")).map((p) => `packages/cli/launchers/${p}/pyzap-launcher`)];
  const markers = built.filter((rel) => existsSync(path.join(REPO, rel))).map((rel) => [rel, /pyzap-launcher (\d+\.\d+\.\d+) /.exec(readFileSync(path.join(REPO, rel)).toString("latin1"))?.[1]]);
  expect(markers.length, "npm run build made the launchers").toBeGreaterThan(0);
  for (const [rel, version] of markers) expect(version, rel).toBe(THE_VERSION);
});

test("every workspace package has it, and the CLI ships its own parts inside it (no @pyzap/* dependency to publish)", () => {
  const packages = readdirSync(path.join(REPO, "packages")).filter((d) => existsSync(path.join(REPO, "packages", d, "package.json")));
  expect(packages).toContain("bootstrap");
  for (const dir of packages) expect(json(`packages/${dir}/package.json`).version, `packages/${dir}`).toBe(THE_VERSION);
  const cli = json("packages/cli/package.json");
  const own = Object.entries({ ...cli.dependencies, ...cli.optionalDependencies }).filter(([name]) => name.startsWith("@pyzap/"));
  expect(own).toEqual([]);
});

test("the docs show it wherever they show the launcher marker or the npm tarball", () => {
  // The marker ("pyzap-launcher 0.1.0 linux-x86_64", launcher-c/README.md) and
  // `npm run pack`'s file name ("dist-npm/pyzap-0.1.0.tgz", README.md); a doc
  // that starts showing either is checked too.
  const docs = ["README.md", "docs/format.md", "docs/exit-codes.md", "launcher-c/README.md", "packages/bootstrap/README.md"];
  const shown = docs.flatMap((rel) => [...readRepo(rel).matchAll(/pyzap-launcher (\d+\.\d+\.\d+)|pyzap-(\d+\.\d+\.\d+)\.tgz/g)].map((m) => [rel, m[1] ?? m[2]]));
  expect(shown.filter(([rel]) => rel === "launcher-c/README.md").length, "launcher-c/README.md shows the marker").toBeGreaterThan(0);
  expect(shown.filter(([rel]) => rel === "README.md").length, "README.md shows the tarball's name").toBeGreaterThan(0);
  for (const [rel, version] of shown) expect(version, rel).toBe(THE_VERSION);
});
