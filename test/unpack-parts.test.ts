// Narrowed unpack decisions, on a real bundle of the fixture-part wheel run
// for real: a package that lists its own folder only to word an import error
// runs from the archive (scikit-learn's __check_build); its subpackage that
// reads templates beside its __file__ is unpacked alone and imported from the
// cache (pandas' Styler); a package that lists its own folder on the normal
// path is still unpacked whole. (The scan's patterns: test/unit/zipsafety.test.ts.)
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, filesUnder, ok, pyzap, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const cache = path.join(dir, "cache");
const env = { PYZAP_CACHE: cache };

interface Decision {
  name: string;
  runsFrom: "archive" | "cache";
  parts?: string[];
  reason: string;
}
interface Report {
  package_file: string;
  view_file: string;
  templates: string[];
  page: string;
  plugins: string[];
  listing_file: string;
}

let out: string;
let stderr: string;
let decisions: Map<string, Decision>;
let key: string;
beforeAll(() => {
  out = path.join(dir, "part.pyz");
  stderr = bundle(wheelhouse, "fixture-part", "fixture-part-demo", out).stderr;
  const manifest = JSON.parse(ok(run("unzip", ["-p", out, ".pyzap/manifest.json"])).stdout) as { cacheKey: string; packages: Decision[] };
  decisions = new Map(manifest.packages.map((p) => [p.name, p]));
  key = manifest.cacheKey;
});

describe("a package whose own-folder listing is only on an error path", () => {
  test("runs from the archive; only its subpackage that reads templates by path is unpacked, and the build says so", () => {
    expect(decisions.get("fixture_errpath")).toMatchObject({ runsFrom: "archive", parts: ["fixture_errpath/view"] });
    expect(stderr).toContain(
      "pyzap: fixture_errpath: parts unpacked: fixture_errpath/view/ (fixture_errpath/view/render.py:9 lists a directory derived from __file__ (os.listdir), inside its own folder); the rest runs from the archive",
    );
    const inspect = ok(pyzap(["inspect", out])).stdout;
    expect(inspect).toMatch(/^fixture_errpath\s+archive\+part\s+parts unpacked: fixture_errpath\/view\//m);
  });

  test("imports from the archive, the subpackage from the cache entry, where its templates are real files", () => {
    const r = JSON.parse(ok(run(out, [], env)).stdout) as Report;
    const site = path.join(cache, key, "site");
    expect(r.package_file.replace(/c$/, "")).toBe(`${out}/site-packages/fixture_errpath/__init__.py`);
    expect(r.view_file).toBe(path.join(site, "fixture_errpath/view/render.py"));
    expect(r.templates).toEqual(["page.tpl"]);
    expect(r.page).toBe("<p>{{ greeting }}</p>");
    // Nothing of fixture_errpath outside view/ is in the cache entry.
    const unpacked = filesUnder(path.join(site, "fixture_errpath"));
    expect(unpacked.length).toBeGreaterThan(0);
    expect(unpacked.filter((f) => !f.startsWith("view/"))).toEqual([]);
    expect(unpacked).toContain("view/templates/page.tpl");
  });

  test("also without the launcher (python3 app.pyz)", () => {
    const r = JSON.parse(ok(run("python3", [out], env)).stdout) as Report;
    expect(r.view_file).toBe(path.join(cache, key, "site", "fixture_errpath/view/render.py"));
    expect(r.page).toBe("<p>{{ greeting }}</p>");
  });
});

describe("a package that lists its own folder on the normal path", () => {
  test("is still unpacked whole, and works", () => {
    expect(decisions.get("fixture_listing")).toMatchObject({ runsFrom: "cache" });
    expect(decisions.get("fixture_listing")?.reason).toMatch(/^unpacked whole: fixture_listing\/__init__\.py:5 lists a directory derived from __file__ \(os\.listdir\); a directory listing needs the package on disk/);
    const r = JSON.parse(ok(run(out, [], env)).stdout) as Report;
    expect(r.plugins).toEqual(["alpha", "beta"]);
    expect(r.listing_file).toBe(path.join(cache, key, "site", "fixture_listing/__init__.py"));
  });
});
