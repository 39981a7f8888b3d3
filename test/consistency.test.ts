// The CLI and the bundle's own commands agree: `pyzap cache list` and
// `PYZAP=cache ./app.pyz list` print the same table (sizes, relative times,
// every copy of a bundle by path), `pyzap inspect --json` and
// `PYZAP=info --json` the same keys and forms; keys can be shortened to a
// unique prefix; counts are "1 entry", "1 file".
import { cpSync, readdirSync, utimesSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, ok, pyzap, run, tempDir } from "./helpers.js";

const dir = tempDir();
const cache = path.join(dir, "cache");
const app = path.join(dir, "ext.pyz");
const copy = path.join(dir, "ext-copy.pyz");
const env = { PYZAP_CACHE: cache };
let key = "";

/** Every file and directory under `p`, and `p`, dated `when` (so relative times do not tick during the test). */
function backdate(p: string, when: Date) {
  for (const name of readdirSync(p, { recursive: true })) utimesSync(path.join(p, String(name)), when, when);
  utimesSync(p, when, when);
}

describe("the CLI and PYZAP=cache / PYZAP=info", () => {
  beforeAll(() => {
    bundle(inject("wheelhouse"), "fixture-ext", "fixture-ext-demo", app);
    cpSync(app, copy);
    ok(run(app, [], env));
    ok(run(copy, [], env));
    key = JSON.parse(ok(run("unzip", ["-p", app, ".pyzap/manifest.json"])).stdout).cacheKey as string;
  });

  test("cache list: the same table from both, with both copies' paths, once per bundle", () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const name of readdirSync(cache)) backdate(path.join(cache, name), twoHoursAgo);
    const cli = ok(pyzap(["cache", "list"], env)).stdout;
    const own = ok(run(app, ["list"], { ...env, PYZAP: "cache" })).stdout;
    // The launcher refreshed the entry's "last used" when PYZAP=cache started: compare the rest.
    const stable = (text: string) => text.replace(/\d+ (s|min|h) ago/g, "<ago>");
    expect(stable(own)).toBe(stable(cli));
    const lines = cli.split("\n");
    expect(lines[0]).toMatch(/^KEY +SIZE +ON DISK +FILES +CREATED +LAST USED +STATE +BUNDLES$/);
    expect(lines[1]).toMatch(new RegExp(`^${key} +[\\d.]+ KiB +[\\d.]+ KiB +1 +2 h ago +\\S+ \\S+ ago +complete +fixture-ext-demo 1\\.2\\.3: `));
    expect(lines[1]).toContain(app);
    expect(lines[1]).toContain(copy);
    expect(lines[1]?.match(/fixture-ext-demo 1\.2\.3/g)).toHaveLength(1);
    // Both copies share one bytecode directory (the same packs), listed in both tables alike.
    expect(lines[2]).toMatch(/^pyc-[0-9a-f]{16} +[\d.]+ KiB +[\d.]+ KiB +1 +2 h ago +2 h ago +complete +\(bytecode unpacked on demand\)$/);
    expect(lines[3]).toMatch(/^2 entries, [\d.]+ KiB on disk in /);
  });

  test("sizes: list's ON DISK is what prune would free", () => {
    const list = ok(pyzap(["cache", "list"], env)).stdout.split("\n")[1] ?? "";
    const prune = ok(pyzap(["cache", "prune", "--dry-run", "--older-than", "1s"], env)).stdout;
    const onDisk = /^\S+ +\S+ KiB +(\S+ KiB)/.exec(list)?.[1];
    expect(onDisk).toBeDefined();
    expect(prune).toMatch(new RegExp(`^${key} +entry +would-remove +${onDisk} `, "m"));
    expect(prune.split("\n")[0]).toMatch(/ON DISK/);
  });

  test("inspect --json and PYZAP=info --json share keys and forms", () => {
    const inspect = JSON.parse(ok(pyzap(["inspect", "--json", app])).stdout) as Record<string, unknown>;
    const info = JSON.parse(ok(run(app, ["--json"], { ...env, PYZAP: "info" })).stdout) as Record<string, unknown>;
    for (const k of ["file", "size", "format", "name", "version", "entry", "cacheKey", "python", "unpack", "builtBy"]) {
      expect({ [k]: info[k] }).toEqual({ [k]: inspect[k] });
    }
    expect(info.launcher).toMatchObject(inspect.launcher as object);
    expect(info.cache).toEqual({ root: cache, entry: path.join(cache, key), present: true });
  });

  test("a unique key prefix is enough for cache clean and verify; an ambiguous one lists the keys", () => {
    expect(ok(pyzap(["cache", "verify", key.slice(0, 6)], env)).stdout).toBe(`${key}  ok  1 file\n`);
    // A second entry sharing the first 3 digits.
    const twin = `${key.slice(0, 3)}${key[3] === "0" ? "1" : "0"}${key.slice(4)}`;
    cpSync(path.join(cache, key), path.join(cache, twin), { recursive: true });
    const ambiguous = pyzap(["cache", "clean", key.slice(0, 3)], env);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toBe(`pyzap: ${key.slice(0, 3)} is the start of 2 keys: ${[key, twin].sort().join(", ")}; type more of the key\n`);
    const own = run(app, ["clean", twin.slice(0, 5)], { ...env, PYZAP: "cache" });
    expect(own.stdout).toMatch(new RegExp(`^${twin} +removed$`, "m"));
    expect(ok(pyzap(["cache", "clean", key.slice(0, 5)], env)).stdout).toMatch(new RegExp(`^${key} +removed$`, "m"));
    const none = pyzap(["cache", "clean", "f00"], env);
    expect([none.status, none.stderr]).toEqual([3, `pyzap: no entry in ${cache} has a key starting with f00; pyzap cache list shows the keys\n`]);
  });
});
