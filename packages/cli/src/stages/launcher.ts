// Finds the launcher binary for a bundle's platform. Every launcher ships
// inside the one `pyzap` package (launchers/OS-CPU/pyzap-launcher, filled by
// `npm run build`): they are payload for the bundle's target, not programs
// this machine runs, so a build on x64 can write an arm64 bundle.
// PYZAP_LAUNCHER overrides the choice (a launcher built by hand).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseLauncherMarker } from "../format/launcher-marker.js";
import { PyzapError } from "../util/errors.js";
import { PACKAGE_ROOT } from "../util/package-root.js";
import { VERSION } from "../util/version.js";

export interface Launcher {
  path: string;
  bytes: Buffer;
  /** Its version ("X.Y.Z"), read from the marker string the launcher embeds (util/version.ts must agree). */
  version: string;
  /** "linux-x86_64", as the launcher's marker says. */
  target: string;
}

// The launcher's marker names CPUs the way uname does.
const MARKER_ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };
export const SHIPPED_PLATFORMS = ["linux-x64", "linux-arm64"];

/** Where the package keeps the launcher for `platform`. */
export function shippedLauncherPath(platform: string): string {
  return path.join(PACKAGE_ROOT, "launchers", platform, "pyzap-launcher");
}

export function findLauncher(platform: string): Launcher {
  const override = process.env.PYZAP_LAUNCHER;
  if (!override && !SHIPPED_PLATFORMS.includes(platform)) {
    throw new PyzapError("PLATFORM", `pyzap has no launcher for ${platform}: it ships launchers for ${SHIPPED_PLATFORMS.join(", ")}`, {
      hint: "build launcher-c for that platform (make -C launcher-c) and set PYZAP_LAUNCHER to the binary",
    });
  }
  const file = override || shippedLauncherPath(platform);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new PyzapError("INSTALL_INCOMPLETE", `cannot read the ${platform} launcher ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: override ? "PYZAP_LAUNCHER must name a pyzap launcher binary" : "reinstall pyzap (in a checkout: npm run build)",
      cause: error,
    });
  }
  const marker = parseLauncherMarker(bytes);
  if (!marker) {
    throw new PyzapError("INSTALL_INCOMPLETE", `${file} is not a pyzap launcher (no version marker in it)`, {
      hint: override ? "PYZAP_LAUNCHER must name a pyzap launcher binary" : "reinstall pyzap",
    });
  }
  const [os, cpu = ""] = platform.split("-");
  const expected = `${os}-${MARKER_ARCH[cpu] ?? cpu}`;
  if (marker.target !== expected) {
    throw new PyzapError("PLATFORM", `the launcher ${file} is for ${marker.target}, but the bundle is for ${platform}`, {
      hint: override ? "point PYZAP_LAUNCHER at a launcher for the bundle's platform" : "reinstall pyzap",
    });
  }
  // A launcher from another release may read another launcher.cfg: refuse it
  // rather than write a bundle that fails on the server.
  if (marker.version !== VERSION) {
    throw new PyzapError("INSTALL_INCOMPLETE", `the launcher ${file} is version ${marker.version}, but this pyzap is ${VERSION}`, {
      hint: override ? `point PYZAP_LAUNCHER at a ${VERSION} launcher` : "reinstall pyzap (in a checkout: npm run build)",
    });
  }
  return { path: file, bytes, ...marker };
}
