// Zip-unsafe packages: code that opens paths derived from __file__ gets its
// whole package unpacked into the cache entry; --unpack, --zip and
// --unpack-all override the scan. Real bundles of the fixture-data wheel,
// real runs. (The scan itself, pattern by pattern: test/unit/zipsafety.test.ts.)
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, filesUnder, ok, pyzap, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const cache = path.join(dir, "cache");
// Unset so the run would write bytecode if the entry lacked any.
const env = { PYZAP_CACHE: cache, PYTHONDONTWRITEBYTECODE: undefined };

interface Report {
  greeting: string;
  data_file: string;
  ns_text: string;
  ns_file: string;
  res_text: string;
  res_file: string;
  version: string;
  child: [number, string[], string];
}
interface Decision {
  name: string;
  runsFrom: "archive" | "cache";
  unpacked: boolean;
  reason: string;
  finding: { file: string; line: number; what: string } | null;
}

const manifest = (file: string) => JSON.parse(ok(run("unzip", ["-p", file, ".pyzap/manifest.json"])).stdout) as { cacheKey: string; packages: Decision[] };
const cfgPaths = (file: string) =>
  ok(run("unzip", ["-p", file, ".pyzap/launcher.cfg"]))
    .stdout.split("\n")
    .filter((l) => l.startsWith("f "))
    .map((l) => l.split(" ").slice(4).join(" "));
const build = (name: string, extra: string[] = []) => {
  const out = path.join(dir, name);
  const result = bundle(wheelhouse, "fixture-data", "fixture-data-demo", out, extra);
  return { out, stderr: result.stderr };
};
const report = (file: string, args: string[] = []) => JSON.parse(ok(run(file, args, env)).stdout) as Report;

let auto: { out: string; stderr: string };
beforeAll(() => {
  auto = build("auto.pyz");
});

describe("a package that reads its data through __file__", () => {
  test("works out of the box: the package runs from the cache, the build says why", () => {
    expect(auto.stderr).toContain(
      "pyzap: fixture_data: unpacked whole: fixture_data/__init__.py:9 gives open() a path derived from __file__, and fixture_data ships data files",
    );
    const r = report(auto.out);
    const site = path.join(cache, manifest(auto.out).cacheKey, "site");
    expect(r.greeting).toBe("hello from a data file");
    expect(r.data_file).toBe(path.join(site, "fixture_data/__init__.py"));
    expect(r.ns_text).toBe("namespace data");
    expect(r.ns_file).toBe(path.join(site, "fixture_ns/reader.py"));
    expect(r.version).toBe("0.4.0"); // importlib.metadata from the archive
    // A Python subprocess sees the unpacked copies too, not the zipped ones.
    expect(r.child).toEqual([0, [path.join(site, "fixture_data/__init__.py"), path.join(site, "fixture_ns/reader.py")], ""]);
  });

  test("a package reading through importlib.resources stays zipped and works", () => {
    const r = report(auto.out);
    expect(r.res_text).toBe("resource data");
    // (__init__.py or .pyc depending on the runtime's loader: either way inside the archive)
    expect(r.res_file.replace(/c$/, "")).toBe(`${auto.out}/site-packages/fixture_res/__init__.py`);
  });

  test("the manifest records where every package runs from, with the file and line that decided", () => {
    const packages = manifest(auto.out).packages;
    expect(packages.map((p) => [p.name, p.runsFrom, p.finding])).toEqual([
      ["fixture_data", "cache", { file: "fixture_data/__init__.py", line: 9, what: "gives open() a path derived from __file__" }],
      ["fixture_ns", "cache", { file: "fixture_ns/reader.py", line: 5, what: "calls .read_text() on a path derived from __file__" }],
      ["fixture_res", "archive", null],
    ]);
    expect(packages.find((p) => p.name === "fixture_res")?.reason).toBe("zipped: no code reads the package's own files by path");
  });

  test("the unpacked package has verified bytecode and nothing is written into the entry at run time", () => {
    ok(run(auto.out, [], env));
    const paths = cfgPaths(auto.out);
    const tag = ok(run("python3", ["-c", "import sys; print(sys.implementation.cache_tag)"])).stdout.trim();
    expect(paths).toContain(`fixture_data/__pycache__/__init__.${tag}.pyc`);
    expect(paths).toContain("fixture_data/data/greeting.txt");
    const entry = path.join(cache, manifest(auto.out).cacheKey);
    expect(filesUnder(path.join(entry, "site"))).toEqual([...paths].sort());
  });

  test("its tests/ stay zipped, the build says so, and they still import from the archive", () => {
    expect(auto.stderr).toMatch(/pyzap: fixture_data: unpacked whole: .*; its tests\/ \(2 files\) and 1 \.po file \(their compiled \.mo are unpacked\) stay zipped/);
    const paths = cfgPaths(auto.out);
    expect(paths.filter((p) => p.includes("tests/"))).toEqual([]);
    expect(paths).toContain("fixture_data/data/greeting.txt");
    const [verdict, file] = ok(run(auto.out, ["selftest"], env)).stdout.trim().split(" ");
    expect(verdict).toBe("passed");
    expect(file?.replace(/c$/, "")).toBe(`${auto.out}/site-packages/fixture_data/tests/test_greeting.py`);
  });

  test("a gettext catalogue's .po source stays zipped; its .mo is unpacked and gettext reads it", () => {
    const paths = cfgPaths(auto.out);
    expect(paths).toContain("fixture_data/locale/de/LC_MESSAGES/fixture.mo");
    expect(paths).not.toContain("fixture_data/locale/de/LC_MESSAGES/fixture.po");
    expect(ok(run(auto.out, ["gettext"], env)).stdout).toBe("hallo aus einer Datei\n");
  });

  test("--unpack PKG unpacks its tests/ too (the user asked for all of it)", () => {
    const { out, stderr } = build("unpack-data.pyz", ["--unpack", "fixture_data"]);
    expect(stderr).not.toContain("stay zipped");
    expect(cfgPaths(out)).toContain("fixture_data/tests/test_greeting.py");
    expect(cfgPaths(out)).toContain("fixture_data/locale/de/LC_MESSAGES/fixture.po");
    expect(ok(run(out, ["selftest"], env)).stdout).toContain(path.join(cache, manifest(out).cacheKey, "site/fixture_data/tests/test_greeting.py"));
  });

  test("also without the launcher (python3 app.pyz)", () => {
    const r = JSON.parse(ok(run("python3", [auto.out], { ...env, PYZAP_CACHE: path.join(dir, "cache-py") })).stdout) as Report;
    expect(r.greeting).toBe("hello from a data file");
    expect(r.data_file).toBe(path.join(dir, "cache-py", manifest(auto.out).cacheKey, "site/fixture_data/__init__.py"));
  });
});

describe("overrides", () => {
  test("--zip PKG keeps it in the archive, where opening a path derived from __file__ fails", () => {
    const { out, stderr } = build("zipped.pyz", ["--zip", "fixture_data"]);
    expect(stderr).toContain("pyzap: fixture_data: kept zipped: --zip fixture_data (although fixture_data/__init__.py:9");
    const result = run(out, ["greet"], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`NotADirectoryError: [Errno 20] Not a directory: '${out}/site-packages/fixture_data/data/greeting.txt'`);
    expect(manifest(out).packages.find((p) => p.name === "fixture_data")?.unpacked).toBe(false);
  });

  test("a namespace package kept zipped imports from the archive", () => {
    const { out } = build("ns-zipped.pyz", ["--zip", "fixture_ns"]);
    // cli.py imports fixture_ns.reader at module level: it must come from the zip.
    expect(ok(run(out, ["greet"], env)).stdout).toBe("hello from a data file\n");
    const result = run(out, [], env);
    expect(result.stderr).toContain(`NotADirectoryError: [Errno 20] Not a directory: '${out}/site-packages/fixture_ns/ns.txt'`);
  });

  test("--unpack PKG unpacks a package the scan would keep zipped", () => {
    const { out } = build("unpack-res.pyz", ["--unpack", "fixture_res"]);
    const r = report(out);
    expect(r.res_text).toBe("resource data");
    expect(r.res_file).toBe(path.join(cache, manifest(out).cacheKey, "site/fixture_res/__init__.py"));
    expect(manifest(out).packages.find((p) => p.name === "fixture_res")?.reason).toBe("unpacked whole: --unpack fixture_res");
  });

  test("--unpack-all unpacks every package; metadata still comes from the archive", () => {
    const { out } = build("all.pyz", ["--unpack-all"]);
    const r = report(out);
    expect(r.res_file).toBe(path.join(cache, manifest(out).cacheKey, "site/fixture_res/__init__.py"));
    expect(r.version).toBe("0.4.0");
    expect(cfgPaths(out).some((p) => p.includes(".dist-info/"))).toBe(false);
  });

  test("an unknown name is one clear line and exit 3; contradicting options exit 2", () => {
    const unknown = pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-data", "-c", "fixture-data-demo", "-o", path.join(dir, "x.pyz"), "--unpack", "nosuch"]);
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toContain("pyzap: --unpack nosuch: no top-level package or distribution of that name is in the bundle");
    expect(unknown.stderr).toContain("fixture_data, fixture_ns, fixture_res");
    expect(unknown.stderr).not.toContain("    at ");
    const both = pyzap(["bundle", "--no-index", "--find-links", wheelhouse, "fixture-data", "-c", "fixture-data-demo", "-o", path.join(dir, "x.pyz"), "--unpack", "fixture_data", "--zip", "fixture_data"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("fixture_data is named by both --unpack and --zip");
  });
});
