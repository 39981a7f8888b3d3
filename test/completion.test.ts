// Shell completion: `source <(pyzap completion bash)` (zsh, fish alike)
// completes commands and options, and pressing TAB never runs a command:
// `pyzap bundle bla<TAB>` once started pip with the half-typed word.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ok, REPO, run, tempDir } from "./helpers.js";

const dir = tempDir();
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

// `pyzap` on PATH is this checkout's, and `python3` a shim that leaves a
// mark: any Python started by a completion would be a handler running.
const bin = path.join(dir, "bin");
const marker = path.join(dir, "python-ran");
mkdirSync(bin);
writeFileSync(path.join(bin, "pyzap"), `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, "packages/cli/bin/pyzap.js")}" "$@"\n`);
for (const name of ["python3", "python", "pip"]) writeFileSync(path.join(bin, name), `#!/bin/sh\ntouch "${marker}"\nexit 1\n`);
for (const name of ["pyzap", "python3", "python", "pip"]) chmodSync(path.join(bin, name), 0o755);
const env = { PATH: `${bin}:${process.env.PATH}`, HOME: dir };

// The shell's own way of asking: each returns the candidates, one per line.
const shells: Record<string, (words: string[]) => string[]> = {
  bash: (words) => {
    const script = [
      "source <(pyzap completion bash)",
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}`,
      "_pyzap_complete",
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join("\n");
    return lines(ok(run("bash", ["-c", script], env)).stdout);
  },
  zsh: (words) => {
    // compadd is zsh's builtin for offering candidates: print them instead.
    const script = [
      "autoload -Uz compinit && compinit -u -d $HOME/.zcompdump",
      "source <(pyzap completion zsh)",
      'compadd() { shift $(( $# - 1 )); print -l -- "${(@P)1}"; }',
      '_files() { print -- "<files>"; }',
      `words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}`,
      "_pyzap",
    ].join("\n");
    return lines(ok(run("zsh", ["-f", "-c", script], env)).stdout);
  },
  fish: (words) => lines(ok(run("fish", ["--no-config", "-c", `pyzap completion fish | source; complete -C '${words.join(" ")}'`], env)).stdout),
};
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

for (const [shell, complete] of Object.entries(shells)) {
  if (!has(shell)) console.log(`skipping ${shell} completion tests: ${shell} is not installed (apt-get install ${shell})`);
  describe.skipIf(!has(shell))(`${shell} completion`, () => {
    test("completes commands, options and values", () => {
      expect(complete(["pyzap", "ca"])).toEqual(["cache"]);
      expect(complete(["pyzap", "bundle", "--comp"])).toEqual(["--compress"]);
      expect(complete(["pyzap", "bundle", "--platform", "linux-a"])).toEqual(["linux-arm64"]);
      expect(complete(["pyzap", "cache", "prune", "--d"])).toEqual(["--dry-run"]);
    });

    test("never runs a command: pyzap bundle bla<TAB> starts no Python and no pip", () => {
      const got = complete(["pyzap", "bundle", "bla"]);
      // Nothing of ours: the shell offers file names (zsh's _files stands for them here).
      expect(got.filter((c) => c !== "<files>")).toEqual([]);
      complete(["pyzap", "bundle", "certbot", "-c", "cert"]);
      expect(existsSync(marker)).toBe(false);
    });
  });
}

test("each shell gets its own script; an unknown shell is a usage error", () => {
  const scripts = ["bash", "zsh", "fish"].map((shell) => ok(run("pyzap", ["completion", shell], env)).stdout);
  expect(new Set(scripts).size).toBe(3);
  expect(scripts[1]).toContain("compdef _pyzap pyzap");
  expect(scripts[2]).toContain("complete -c pyzap");
  const bad = run("pyzap", ["completion", "tcsh"], env);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^pyzap: .*tcsh/m);
});

test("a yargs completion script an older pyzap printed is answered the same safe way", () => {
  const result = ok(run("pyzap", ["--get-yargs-completions", "pyzap", "bundle", "bla"], env));
  expect(result.stdout).toBe("");
  expect(existsSync(marker)).toBe(false);
});
