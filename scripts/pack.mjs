// `npm run pack -- DEST`: the npm tarballs a release publishes, written to DEST.
// Like esbuild, the CLI lists one optional dependency per platform launcher
// package; npm installs only the one whose os/cpu match the machine. The
// dependencies are added here, at pack time, not in the repository's
// package.json: inside the workspace they would have to resolve from the
// registry before they are published, and `npm ci` would refuse the lock file.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "..");
const PLATFORMS = ["linux-x64", "linux-arm64"];

function pack(dir, dest) {
  const result = spawnSync("npm", ["pack", "--silent", "--pack-destination", dest, dir], { encoding: "utf8", cwd: REPO });
  if (result.status !== 0) throw new Error(`npm pack ${dir} failed:\n${result.stderr}`);
  return path.join(dest, result.stdout.trim().split("\n").pop());
}

function main() {
  const dest = path.resolve(process.argv[2] ?? "dist-npm");
  mkdirSync(dest, { recursive: true });
  const packed = [pack(path.join(REPO, "packages/bootstrap"), dest)];
  const cli = JSON.parse(readFileSync(path.join(REPO, "packages/cli/package.json"), "utf8"));
  for (const platform of PLATFORMS) {
    const dir = path.join(REPO, `packages/launcher-${platform}`);
    if (existsSync(path.join(dir, "bin/pyzap-launcher"))) packed.push(pack(dir, dest));
    else process.stderr.write(`pack: no launcher built for ${platform} (npm run build on a machine that can target it)\n`);
  }
  // The CLI from a copy whose package.json names every platform package.
  const staging = mkdtempSync(path.join(tmpdir(), "pyzap-pack-"));
  try {
    for (const entry of ["bin", "dist", "helpers", "package.json"]) cpSync(path.join(REPO, "packages/cli", entry), path.join(staging, entry), { recursive: true });
    cli.optionalDependencies = Object.fromEntries(PLATFORMS.map((p) => [`@pyzap/launcher-${p}`, cli.version]));
    writeFileSync(path.join(staging, "package.json"), `${JSON.stringify(cli, null, 2)}\n`);
    packed.push(pack(staging, dest));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  process.stdout.write(`${packed.join("\n")}\n`);
}

main();
