// The checks on a bundle option's value, shared by the command line and
// [tool.pyzap], so `compress = 11` in pyproject.toml is refused the same way
// as `--compress 11`, before any work. Each returns null or what is wrong.
import { SHIPPED_PLATFORMS } from "./launcher.js";

/** "0".."9" (a string from the command line) or a number from TOML. */
export function compressProblem(value: unknown): string | null {
  const ok = typeof value === "number" ? Number.isInteger(value) && value >= 0 && value <= 9 : typeof value === "string" && /^[0-9]$/.test(value.trim());
  return ok ? null : `must be a whole number from 0 to 9, not ${String(value)}`;
}

/** One of the shipped launchers' platforms; any OS-CPU with PYZAP_LAUNCHER (a launcher built by hand). */
export function platformProblem(value: string, env = process.env): string | null {
  if (SHIPPED_PLATFORMS.includes(value)) return null;
  if (env.PYZAP_LAUNCHER && /^[a-z0-9]+-[a-z0-9_]+$/.test(value)) return null;
  return `must be ${SHIPPED_PLATFORMS.join(" or ")}, not ${value}`;
}

export const PLATFORM_HINT = "a launcher built by hand for another platform is used through PYZAP_LAUNCHER=FILE";
