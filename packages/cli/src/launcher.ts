// Finds the launcher binary for a platform, the way esbuild finds its
// binary: PYZAP_LAUNCHER, then the @pyzap/launcher-OS-CPU package (an
// optional dependency of pyzap; npm installs the one for this machine),
// then a checkout's own build (packages/launcher-OS-CPU/bin, made by
// `npm run build`).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { PyzapError } from "./errors.js";

export interface Launcher {
  path: string;
  bytes: Buffer;
  /** "0.1.0", read from the marker string the launcher embeds. */
  version: string;
  /** "linux-x86_64", as the launcher's marker says. */
  target: string;
}

// The launcher's marker names CPUs the way uname does.
const MARKER_ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };
const SHIPPED = ["linux-x64", "linux-arm64"];

export function findLauncher(platform: string): Launcher {
  const override = process.env.PYZAP_LAUNCHER;
  const file = override || locate(platform);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new PyzapError("LAUNCHER_MISSING", `cannot read the launcher ${file}: ${(error as Error).message}`, {
      hint: override ? "PYZAP_LAUNCHER must name a pyzap launcher binary" : "reinstall pyzap",
      cause: error,
    });
  }
  const marker = parseLauncherMarker(bytes);
  if (!marker) {
    throw new PyzapError("LAUNCHER_MISSING", `${file} is not a pyzap launcher (no version marker in it)`);
  }
  const [os, cpu = ""] = platform.split("-");
  const expected = `${os}-${MARKER_ARCH[cpu] ?? cpu}`;
  if (marker.target !== expected) {
    throw new PyzapError("PLATFORM", `the launcher ${file} is for ${marker.target}, but the bundle is for ${platform}`, {
      hint: override ? "point PYZAP_LAUNCHER at a launcher for the bundle's platform" : "reinstall pyzap",
    });
  }
  return { path: file, bytes, ...marker };
}

/** The marker every launcher embeds ("pyzap-launcher X.Y.Z OS-ARCH"), or null. */
export function parseLauncherMarker(bytes: Buffer): { version: string; target: string } | null {
  const m = /pyzap-launcher (\d+\.\d+\.\d+) ([\w-]+)/.exec(bytes.toString("latin1"));
  return m?.[1] && m[2] ? { version: m[1], target: m[2] } : null;
}

function locate(platform: string): string {
  const name = `@pyzap/launcher-${platform}`;
  try {
    return createRequire(import.meta.url).resolve(`${name}/bin/pyzap-launcher`);
  } catch {
    // not installed from npm: try a checkout's build
  }
  const inCheckout = fileURLToPath(new URL(`../../launcher-${platform}/bin/pyzap-launcher`, import.meta.url));
  if (existsSync(inCheckout)) return inCheckout;
  const supported = SHIPPED.includes(platform);
  throw new PyzapError("LAUNCHER_MISSING", `no pyzap launcher for ${platform}: ${supported ? `${name} is not installed` : `pyzap ships launchers for ${SHIPPED.join(", ")} only`}`, {
    hint: supported
      ? `reinstall pyzap without --no-optional (npm installs ${name} on ${platform} machines), or set PYZAP_LAUNCHER`
      : "build launcher-c on that platform (make -C launcher-c) and set PYZAP_LAUNCHER to the binary",
  });
}
