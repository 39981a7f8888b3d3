// --unpack / --zip / --unpack-all and what they do to the per-package
// decision (decidePackages), in process: the build helper's findings are
// given, not scanned, so this is only the decision logic. How the scan finds
// code that reads its own files is zipsafety.test.ts's.
import { describe, expect, test } from "vitest";
import { PyzapError, decidePackages, type Distribution, type Finding, type NativeKind, type TreeFile } from "./cli-src.js";

const SITE = "/site";
const file = (rel: string): TreeFile => ({ rel, abs: `${SITE}/${rel}`, size: 1, executable: false });
const FILES = ["zipsafe/__init__.py", "reader/__init__.py", "reader/data.json", "single.py", "my_dist-1.0.dist-info/RECORD"].map(file);
// What the helper reports for reader/__init__.py line 2.
const FINDINGS: Finding[] = [{ source: `${SITE}/reader/__init__.py`, line: 2, kind: "path", target: "", what: "derives a path from __file__", certain: true }];
const DISTS: Distribution[] = [{ name: "My.Dist", version: "1.0", distInfo: "my_dist-1.0.dist-info", requires: [], files: [], scripts: [], topLevels: ["single", "zipsafe"] }];
const noNatives = (_f: TreeFile): NativeKind => null;
const READER_WHY = "reader/__init__.py:2 derives a path from __file__, and reader ships data files";

const decide = (options = {}, files = FILES, findings = FINDINGS, natives = noNatives) =>
  decidePackages(files, natives, findings, DISTS, options).map((d) => [d.name, d.unpacked, d.reason]);

function thrown(fn: () => unknown): PyzapError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PyzapError);
    return error as PyzapError;
  }
  throw new Error("expected a PyzapError");
}

describe("decidePackages with the user's overrides", () => {
  test("no options: the package whose code reads its own files next to data is unpacked, with where it does", () => {
    expect(decide()).toEqual([
      ["reader", true, `unpacked whole: ${READER_WHY}`],
      ["single", false, "zipped: no code reads the package's own files by path"],
      ["zipsafe", false, "zipped: no code reads the package's own files by path"],
    ]);
  });

  test("--zip keeps a detected package zipped and says what it overrode", () => {
    expect(decide({ zip: ["reader"] })[0]).toEqual(["reader", false, `kept zipped: --zip reader (although ${READER_WHY})`]);
  });

  test("--unpack takes an import name, or a distribution name (PEP 503 normalised) for its top-level names", () => {
    expect(decide({ unpack: ["single"] }).filter(([, unpacked]) => unpacked)).toEqual([
      ["reader", true, `unpacked whole: ${READER_WHY}`],
      ["single", true, "unpacked whole: --unpack single"],
    ]);
    expect(decide({ unpack: ["my-dist"] }).filter(([, , reason]) => String(reason).includes("--unpack"))).toEqual([
      ["single", true, "unpacked whole: --unpack single"],
      ["zipsafe", true, "unpacked whole: --unpack zipsafe"],
    ]);
  });

  test("--unpack-all unpacks every top-level package and module; --zip still wins", () => {
    expect(decide({ unpackAll: true, zip: ["zipsafe"] }).map(([name, unpacked]) => [name, unpacked])).toEqual([
      ["reader", true],
      ["single", true],
      ["zipsafe", false],
    ]);
  });

  test("a name that is neither a package nor a distribution: exit 3, listing what is there", () => {
    const err = thrown(() => decide({ zip: ["nosuch"] }));
    expect([err.code, err.message]).toEqual(["INPUT_NOT_FOUND", "--zip nosuch: no top-level package or distribution of that name is in the bundle"]);
    expect(err.hint).toContain("reader, single, zipsafe");
  });

  test("the same package named by --unpack and --zip is a usage error", () => {
    const err = thrown(() => decide({ unpack: ["reader"], zip: ["my-dist", "reader"] }));
    expect([err.code, err.message]).toEqual(["USAGE", "reader is named by both --unpack and --zip"]);
  });

  test("an importable extension module is not data; another native file (found by path) is", () => {
    const files = ["fast/__init__.py", "fast/_speed.so"].map(file);
    const findings: Finding[] = [{ ...FINDINGS[0]!, source: `${SITE}/fast/__init__.py` }];
    expect(decide({}, files, findings, (f) => (f.rel.endsWith(".so") ? "module" : null))[0]?.[1]).toBe(false);
    expect(decide({}, files, findings, (f) => (f.rel.endsWith(".so") ? "other" : null))[0]?.[1]).toBe(true);
  });
});
