// `npm run pack -- DEST`: writes the one release tarball, pyzap-X.Y.Z.tgz, to
// DEST (default dist-npm) and prints its path. It holds every prebuilt
// launcher, the Python runtime (both checked by scripts/prepack.mjs) and the
// CLI's own dependencies (bundleDependencies), so `npm install -g` of it
// works offline and without a compiler.
//
// `npm pack -w pyzap` alone cannot bundle the dependencies: in a workspace
// they are hoisted to the root node_modules, where npm pack does not look. So
// the workspace tarball is unpacked into a scratch directory, its production
// dependencies installed there (from npm's cache when it has them), and
// packed again.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "..");
const dest = path.resolve(process.argv[2] ?? "dist-npm");

function npm(args, cwd) {
  const result = spawnSync("npm", [...args, "--no-audit", "--no-fund"], { encoding: "utf8", cwd, stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) {
    process.stderr.write(`pack: npm ${args.join(" ")} failed (exit ${result.status})\n`);
    process.exit(result.status || 1);
  }
  return result.stdout.trim().split("\n").pop();
}

mkdirSync(dest, { recursive: true });
const scratch = mkdtempSync(path.join(tmpdir(), "pyzap-pack-"));
try {
  const bare = path.join(scratch, npm(["pack", "--silent", "-w", "pyzap", "--pack-destination", scratch], REPO));
  const tar = spawnSync("tar", ["-xzf", bare, "-C", scratch], { stdio: "inherit" });
  if (tar.status !== 0) process.exit(1);
  const pkg = path.join(scratch, "package");
  npm(["install", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-package-lock"], pkg);
  const name = npm(["pack", "--silent", "--ignore-scripts", "--pack-destination", scratch], pkg);
  copyFileSync(path.join(scratch, name), path.join(dest, name));
  process.stdout.write(`${path.join(dest, name)}\n`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
