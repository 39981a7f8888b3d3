// What `pyzap bundle` prints: stage lines on stderr (animated and coloured
// only on a terminal, never coloured with NO_COLOR), a summary on stdout,
// nothing with --quiet, JSON with --json, pip's own output with --verbose.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { hostPlatform } from "../packages/cli/src/stages/platform.js";
import { CLI, ok, pyzap, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const args = (out: string, ...extra: string[]) => ["bundle", "--no-index", "--find-links", wheelhouse, "fixture-ext", "-c", "fixture-ext-demo", "-o", out, ...extra];
const SGR = /\x1b\[[0-9;]*m/; // a colour or style escape

/** Replaces what changes from run to run (paths, sizes, keys, counts). */
function normalise(text: string): string {
  return text
    .replaceAll(dir, "<dir>")
    .replaceAll(wheelhouse, "<wheels>")
    .replace(/\/\S*python3[.\d]*/g, "<python>")
    .replace(/\d+(\.\d+)? (B|KiB|MiB)/g, "<size>")
    .replace(/[0-9a-f]{16}/g, "<key>")
    .replace(/\b\d+ (entries|files|modules)\b/g, "<n> $1")
    .replace(/\b3\.\d+ \(cpython-3\d+\)/g, "<X.Y> (<tag>)")
    .replace(new RegExp(`(platform +)${hostPlatform()}$`, "m"), "$1<this machine's>"); // fixture-ext's native code is built here
}

describe("pyzap bundle output", () => {
  test("without a terminal: plain stage lines on stderr, the summary on stdout", () => {
    const result = ok(pyzap(args(path.join(dir, "plain.pyz")), {}, dir));
    expect(result.stderr).not.toMatch(SGR);
    expect(normalise(result.stderr)).toMatchInlineSnapshot(`
      "pyzap: resolving with pip: --no-index --find-links <wheels> fixture-ext
      pyzap: compiling and scanning <n> modules
      pyzap: classifying <n> files
      pyzap: writing plain.pyz (<n> entries)
      "
    `);
    expect(normalise(result.stdout)).toMatchInlineSnapshot(`
      "wrote <dir>/plain.pyz
        size      <size> (launcher <size> + zip)
        archive   <n> entries
        unpacked  1 file, <size>, on first run (cache key <key>)
        python    <X.Y> (<tag>), built with <python>
        platform  <this machine's>
        run it    ./plain.pyz
      "
    `);
  });

  test("--quiet prints nothing at all on success", () => {
    const result = ok(pyzap(args(path.join(dir, "quiet.pyz"), "--quiet")));
    expect([result.stdout, result.stderr]).toEqual(["", ""]);
  });

  test("--json prints only the summary, as JSON, on stdout", () => {
    const out = path.join(dir, "json.pyz");
    const result = ok(pyzap(args(out, "--json")));
    expect(result.stderr).toBe("");
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(["output", "size", "launcherSize", "entries", "unpackedFiles", "unpackedBytes", "cacheKey", "python", "platform", "run"]);
    expect(summary).toMatchObject({ output: out, unpackedFiles: 1, platform: hostPlatform(), run: out });
  });

  test("--verbose streams pip's own output", () => {
    const result = ok(pyzap(args(path.join(dir, "verbose.pyz"), "--verbose")));
    expect(result.stderr).toMatch(/Successfully installed fixture-ext-1\.2\.3/);
  });

  // `script` gives the CLI a pseudo-terminal, as a user's shell would.
  const inTerminal = (extraEnv: string) =>
    run("script", ["-qec", `${extraEnv} ${process.execPath} ${CLI} ${args(path.join(dir, "tty.pyz")).join(" ")}`, "/dev/null"], { PIP_RETRIES: "0" });

  test("on a terminal the stage line is animated in place and coloured", () => {
    const result = ok(inTerminal(""));
    expect(result.stdout).toMatch(/\r\x1b\[K/);
    expect(result.stdout).toMatch(/\x1b\[32m✓\x1b\[0m resolving with pip/);
  });

  test("on an 80-column terminal a long stage line is cut to fit, so each frame redraws one row", () => {
    // A resolve line far wider than the terminal (pip arguments are long).
    const long = path.join(dir, "a-find-links-directory-with-a-name-long-enough-to-wrap-an-80-column-terminal");
    mkdirSync(long, { recursive: true });
    const command = `stty cols 80; NO_COLOR=1 ${process.execPath} ${CLI} ${args(path.join(dir, "narrow.pyz"), "--find-links", long).join(" ")}`;
    const result = ok(run("script", ["-qec", command, "/dev/null"], { PIP_RETRIES: "0" }));
    const frames = result.stdout.split(/\r\x1b\[K/).map((f) => f.replace(/\r?\n$/, ""));
    const spinning = frames.filter((f) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] resolving with pip/.test(f));
    expect(spinning.length).toBeGreaterThan(0);
    for (const frame of spinning) {
      expect([...frame].length).toBeLessThan(80);
      expect(frame).toMatch(/… \d+\.\d s$/);
    }
  });

  test("NO_COLOR turns colours off, even on a terminal", () => {
    const result = ok(inTerminal("NO_COLOR=1"));
    expect(result.stdout).toMatch(/✓ resolving with pip/);
    expect(result.stdout).not.toMatch(SGR);
  });
});
