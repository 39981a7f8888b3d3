// Runs before `npm pack` of packages/cli (its "prepack" script): makes the one
// `pyzap` tarball complete, or refuses to pack. It holds every prebuilt
// launcher (payload for the bundle's target, whatever machine builds) and the
// Python runtime, so `npm install -g pyzap-X.tgz` needs no compiler and no
// other package of ours.
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "..");
const CLI = path.join(REPO, "packages/cli");
const PLATFORMS = { "linux-x64": "linux-x86_64", "linux-arm64": "linux-aarch64" };

function fail(message) {
  process.stderr.write(`prepack: ${message}\n`);
  process.exit(1);
}

const { version } = JSON.parse(readFileSync(path.join(CLI, "package.json"), "utf8"));
// The CLI reads its version from this package.json at run time; the launchers
// were built with it (launcher-c/Makefile): a stale build shows below.
if (!existsSync(path.join(CLI, "dist/main.js"))) fail("packages/cli/dist is missing: run npm run build first");

// Each launcher's embedded marker must name its platform and this version.
for (const [platform, target] of Object.entries(PLATFORMS)) {
  const file = path.join(CLI, "launchers", platform, "pyzap-launcher");
  if (!existsSync(file)) fail(`no ${platform} launcher at ${file}: npm run build on a machine with its cross compiler (see .ci/run)`);
  const marker = /pyzap-launcher (\d+\.\d+\.\d+) ([\w-]+)/.exec(readFileSync(file).toString("latin1"));
  if (!marker) fail(`${file} has no pyzap-launcher version marker`);
  if (marker[1] !== version || marker[2] !== target) {
    fail(`${file} is "pyzap-launcher ${marker[1]} ${marker[2]}", expected "${version} ${target}": rebuild (npm run build)`);
  }
}

// The runtime, fresh from packages/bootstrap/python (no bytecode caches).
const runtime = path.join(CLI, "runtime");
rmSync(runtime, { recursive: true, force: true });
cpSync(path.join(REPO, "packages/bootstrap/python"), runtime, {
  recursive: true,
  filter: (src) => !src.includes("__pycache__") && !src.endsWith(".pyc"),
});
