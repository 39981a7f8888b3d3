// --unpack / --zip / --unpack-all and what they do to the per-package
// decision (decidePackages), in process on small site-packages trees. The
// zip-safety heuristics themselves are the analysis tests'; these are the
// user's overrides and the errors a mistyped name gets.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { PyzapError, decidePackages, type NativeKind, type TreeFile } from "./cli-src.js";

const base = mkdtempSync(path.join(tmpdir(), "pyzap-unit-unpack-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let count = 0;
/** A site-packages tree from {relative path: content}. */
function tree(files: Record<string, string>): TreeFile[] {
  const root = path.join(base, `t${++count}`);
  return Object.entries(files).map(([rel, text]) => {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    return { rel, abs, size: text.length, executable: false };
  });
}

const noNatives = (): NativeKind => null;
const READS_OWN_FILES = "import os\nHERE = os.path.dirname(__file__)\n";
const site = () =>
  tree({
    "zipsafe/__init__.py": "x = 1\n",
    "reader/__init__.py": READS_OWN_FILES,
    "reader/data.json": "{}",
    "single.py": "y = 2\n",
    "my_dist-1.0.dist-info/RECORD": "zipsafe/__init__.py,sha256=x,6\nsingle.py,sha256=y,6\nmy_dist-1.0.dist-info/RECORD,,\n",
  });

describe("decidePackages with the user's overrides", () => {
  test("no options: only the package that reads its own files next to data is unpacked, with where it does", () => {
    expect(decidePackages(site(), noNatives).map((d) => [d.name, d.unpacked, d.reason])).toEqual([
      ["reader", true, "zip-unsafe: reader/__init__.py:2 derives a path from __file__ and reader ships data or native files"],
    ]);
  });

  test("--zip keeps a detected package zipped and says what it overrode", () => {
    const [decision] = decidePackages(site(), noNatives, { zip: ["reader"] });
    expect(decision).toMatchObject({ name: "reader", unpacked: false });
    expect(decision!.reason).toMatch(/^kept zipped: --zip reader \(although reader\/__init__\.py:2 /);
  });

  test("--unpack takes an import name, or a distribution name (its RECORD's top-level names)", () => {
    const byName = decidePackages(site(), noNatives, { unpack: ["single"] });
    expect(byName.filter((d) => d.unpacked).map((d) => [d.name, d.reason])).toEqual([
      ["reader", "zip-unsafe: reader/__init__.py:2 derives a path from __file__ and reader ships data or native files"],
      ["single", "unpacked whole: --unpack single"],
    ]);
    const byDist = decidePackages(site(), noNatives, { unpack: ["My.Dist"] }); // PEP 503: My.Dist is my_dist
    expect(byDist.filter((d) => d.reason.includes("--unpack")).map((d) => d.name)).toEqual(["single", "zipsafe"]);
  });

  test("--unpack-all unpacks every top-level package and module; --zip still wins", () => {
    const decisions = decidePackages(site(), noNatives, { unpackAll: true, zip: ["zipsafe"] });
    expect(decisions.map((d) => [d.name, d.unpacked])).toEqual([
      ["reader", true],
      ["single", true],
      ["zipsafe", false],
    ]);
  });

  test("a name that is neither a package nor a distribution: exit 3, listing what is there", () => {
    try {
      decidePackages(site(), noNatives, { unpack: ["nosuch"] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PyzapError);
      expect((error as PyzapError).code).toBe("INPUT_NOT_FOUND");
      expect((error as PyzapError).message).toBe("--unpack nosuch: no top-level package or distribution of that name is in the bundle");
      expect((error as PyzapError).hint).toBe("the bundle's top-level packages are: reader, single, zipsafe");
    }
  });

  test("the same package named by --unpack and --zip is a usage error", () => {
    expect(() => decidePackages(site(), noNatives, { unpack: ["reader"], zip: ["reader"] })).toThrow("reader is named by both --unpack and --zip");
  });

  test("an importable extension module is not data; another native file is", () => {
    const files = tree({ "fast/__init__.py": READS_OWN_FILES, "fast/_speed.so": "\x7fELF" });
    expect(decidePackages(files, () => "module")).toEqual([]);
    expect(decidePackages(files, (f) => (f.rel.endsWith(".so") ? "other" : null)).map((d) => d.name)).toEqual(["fast"]);
  });
});
