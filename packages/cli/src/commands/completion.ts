// Shell completion that can never run a command: the shell calls
// `pyzap __complete -- WORDS...`, which main.ts answers from the option
// tables below before yargs sees the arguments, so `pyzap bundle bla<TAB>`
// lists options or falls back to file names and never starts pip.
import yargs, { type Argv } from "yargs";
import { SHIPPED_PLATFORMS } from "../stages/launcher.js";
import { bundleCommand } from "./bundle.js";
import { cacheSubcommands, subcommandName } from "./cache.js";
import { longOptions, shortOptions } from "./declared-options.js";
import { inspectCommand } from "./inspect.js";

const COMMANDS = ["bundle", "inspect", "cache", "help", "completion"];
const SHELLS = ["bash", "zsh", "fish"];

/**
 * A command's options, as its own yargs spec declares them (so a new option
 * is completed without touching this file), --help last; not its positionals
 * ("<file>", "[keys..]"), which yargs lists among the options.
 */
function declared(command: { command?: string | readonly string[]; builder?: unknown }, short = false): string[] {
  const y = yargs([]);
  (command.builder as (y: Argv) => Argv)(y);
  const positionals = new Set([...String(command.command ?? "").matchAll(/[<[]([\w-]+)/g)].map((m) => m[1]));
  const longs = longOptions(y).filter((o) => o !== "help" && !positionals.has(o));
  return [...longs.map((o) => `--${o}`), ...(short ? shortOptions(y).filter((o) => o !== "-h") : []), "--help"];
}

const bundleOptions = () => [...declared(bundleCommand, true), "-h"];
const CACHE = () => new Map(cacheSubcommands.map((c) => [subcommandName(c), declared(c)]));

/** Candidates for the last of `words` (the words after "pyzap", the last one being typed). */
export function completeWords(words: string[]): string[] {
  const current = words[words.length - 1] ?? "";
  const before = words.slice(0, -1);
  const [command, sub] = before;
  const previous = before[before.length - 1];
  let candidates: string[] = [];
  if (command === undefined) candidates = current.startsWith("-") ? ["--help", "--version"] : COMMANDS;
  else if (command === "bundle") {
    if (previous === "--platform") candidates = SHIPPED_PLATFORMS;
    else if (current.startsWith("-")) candidates = bundleOptions();
  } else if (command === "inspect") candidates = current.startsWith("-") ? declared(inspectCommand) : [];
  else if (command === "cache") candidates = sub === undefined ? [...CACHE().keys()] : current.startsWith("-") ? (CACHE().get(sub) ?? []) : [];
  else if (command === "help" && sub === undefined) candidates = COMMANDS.filter((c) => c !== "help");
  else if (command === "completion" && sub === undefined) candidates = SHELLS;
  return candidates.filter((c) => c.startsWith(current));
}

/** The script for `shell`, to be sourced: `source <(pyzap completion bash)`. */
export function completionScript(shell: string, program = "pyzap"): string {
  if (shell === "zsh") {
    return `#compdef ${program}
# ${program} completion for zsh: source <(${program} completion zsh)  (after compinit)
_${program}() {
  local -a candidates
  candidates=("\${(@f)$(${program} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then compadd -a candidates; else _files; fi
}
compdef _${program} ${program}
`;
  }
  if (shell === "fish") {
    return `# ${program} completion for fish: ${program} completion fish | source
function __${program}_complete
    set -l words (commandline -opc) (commandline -ct)
    ${program} __complete -- $words[2..-1] 2>/dev/null
end
complete -c ${program} -a '(__${program}_complete)'
`;
  }
  return `# ${program} completion for bash: source <(${program} completion bash)
_${program}_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(${program} __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o bashdefault -o default -F _${program}_complete ${program}
`;
}

export const SUPPORTED_SHELLS = SHELLS;
