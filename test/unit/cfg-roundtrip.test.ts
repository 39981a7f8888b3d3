// The cfg the build writes (format/cfg.ts: cfgText, fileLine, the key of
// format/key.ts) is what the reader that follows the launcher's rules
// accepts, field for field; and a path the reader would refuse is refused
// when writing, so such a bundle is never built. The reader's own cases are
// docs/vectors/protocol.txt (test/unit/protocol.test.ts).
import { describe, expect, test } from "vitest";
import { cacheKey, cfgText, entryCfg, fileLine, LIMITS, parseCfg, PyzapError, type CfgFile } from "./cli-src.js";

const FILES: CfgFile[] = [
  { hash: "00000000000000aa", size: 0, mode: 0o644, path: "a b/with spaces.so" },
  { hash: "0123456789abcdef", size: 2 ** 40, mode: 0o755, path: "café/ünïcode.so" },
  { hash: "fedcba9876543210", size: 12, mode: 0o644, path: "pkg/_native.cpython-312-aarch64-linux-gnu.so" },
];
FILES.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path))); // the order the build writes

/** A launcher.cfg as the build writes it. */
async function written(files: CfgFile[], records: [string, string][] = [["name", "demo"], ["version", "1.0"]]) {
  const { key, text } = await entryCfg(records, files);
  return { key: key ?? "-", raw: Buffer.from(text) };
}

describe("a cfg written by the build reads back", () => {
  test("records, files and key, as written", async () => {
    const { key, raw } = await written(FILES, [["name", "demo"], ["version", "1.0"], ["python", "/usr/bin/python3.12"], ["pyver", "3.12"], ["runtime", "0123456789abcdef"]]);
    const cfg = await parseCfg(raw);
    expect(cfg.key).toBe(key);
    expect(Object.fromEntries(cfg.records)).toEqual({ name: "demo", version: "1.0", python: "/usr/bin/python3.12", pyver: "3.12", runtime: "0123456789abcdef", key });
    expect(cfg.files).toEqual(FILES);
  });

  test("nothing to unpack: key -", async () => {
    const cfg = await parseCfg((await written([])).raw);
    expect([cfg.key, cfg.files]).toEqual([null, []]);
  });

  test("the key is of the f lines: another size, mode or hash is another key, and a stale key is refused", async () => {
    const { key, raw } = await written(FILES);
    for (const change of [{ size: 13 }, { mode: 0o755 as const }, { hash: "fedcba9876543211" }]) {
      const changed = FILES.map((f, i) => (i === 2 ? { ...f, ...change } : f));
      expect(await cacheKey(changed.map(fileLine)), JSON.stringify(change)).not.toBe(key);
    }
    const stale = Buffer.from(raw.toString("utf8").replace(" 12 644 ", " 13 644 "));
    await expect(parseCfg(stale)).rejects.toThrow(`key ${key} is not the hash of its f lines`);
  });
});

describe("the writer refuses what the reader would", () => {
  const deep = Array.from({ length: LIMITS.depth + 1 }, () => "a").join("/");
  test.each([
    ["/abs/x.so", "must be relative"],
    ["a/../x.so", '"." or ".." component'],
    ["a//x.so", "empty"],
    [`${"y".repeat(LIMITS.component + 1)}.so`, `components of at most ${LIMITS.component} bytes`],
    [deep, `at most ${LIMITS.depth} components`],
  ])("%s", async (path, why) => {
    const file: CfgFile = { hash: "00000000000000aa", size: 1, mode: 0o644, path };
    expect(() => fileLine(file)).toThrow(PyzapError);
    expect(() => fileLine(file)).toThrow(why);
    // The same line forced into a cfg: the reader refuses it for the same reason.
    const line = `f ${file.hash} 1 644 ${path}\n`;
    const raw = Buffer.from(`pyzap 1\nkey ${await cacheKey([line])}\n${line}`);
    await expect(parseCfg(raw)).rejects.toThrow(why);
  });

  test("a record value cannot hold a newline (it would forge a record)", () => {
    expect(() => cfgText([["name", "demo\nkey 0123456789abcdef"]], [])).toThrow();
  });
});
