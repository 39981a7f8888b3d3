// Finds the launcher binary that goes in front of every bundle.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PyzapError } from "./errors.js";

export interface Launcher {
  path: string;
  bytes: Buffer;
  /** "0.1.0", read from the marker string the launcher embeds. */
  version: string;
  /** "linux-x86_64" */
  target: string;
}

// A checkout builds it with `make -C launcher-c` (npm ci does that).
const IN_CHECKOUT = fileURLToPath(new URL("../../../launcher-c/build/pyzap-launcher", import.meta.url));

export function findLauncher(): Launcher {
  const override = process.env.PYZAP_LAUNCHER;
  const file = override || IN_CHECKOUT;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new PyzapError("LAUNCHER_MISSING", `no launcher for ${process.platform}-${process.arch} at ${file}`, {
      hint: override ? "PYZAP_LAUNCHER must name a pyzap launcher binary" : "build it with: make -C launcher-c",
      cause: error,
    });
  }
  const marker = /pyzap-launcher (\d+\.\d+\.\d+) ([\w-]+)/.exec(bytes.toString("latin1"));
  if (!marker?.[1] || !marker[2]) {
    throw new PyzapError("LAUNCHER_MISSING", `${file} is not a pyzap launcher (no version marker in it)`);
  }
  return { path: file, bytes, version: marker[1], target: marker[2] };
}
