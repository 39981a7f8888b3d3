// The options a command's yargs spec declares, read back from the spec itself
// so that "did you mean" and shell completion never miss an option added to
// the spec later (running a builder parses nothing and runs no handler).
import type { Argv } from "yargs";

// getOptions() is yargs' own (used by its completion), missing from @types/yargs.
type WithOptions = { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } };

/** Long option names ("console-script"), without yargs' global --version. */
export function longOptions(y: Argv): string[] {
  return Object.keys((y as unknown as WithOptions).getOptions().key).filter((k) => k.length > 1 && k !== "version");
}

/** Short aliases ("-c"). */
export function shortOptions(y: Argv): string[] {
  const { alias } = (y as unknown as WithOptions).getOptions();
  return Object.values(alias).flat().filter((a) => a.length === 1).map((a) => `-${a}`);
}
