// The build helper's reading of the staged distributions
// (helpers/dist_metadata.py: importlib.metadata, RECORD as CSV) and its check
// of `-e MODULE:FUNCTION` (helpers/entry_check.py). Real helper, no bundle:
// one run for the whole file, answering every test's request.
import { beforeAll, describe, expect, test } from "vitest";
import { chooseEntryPoint, siteMetadataRequest, type SiteMetadata } from "../../packages/cli/src/stages/entrypoint.js";
import { PyzapError } from "../../packages/cli/src/util/errors.js";
import { probePython } from "../../packages/cli/src/util/python.js";
import { runHelperBatch } from "./helper-batch.js";
import { writeTree } from "./scan-tree.js";

const python = probePython("python3");
const suffix = python.extensionSuffixes[0] ?? ".so";

const site = writeTree({
  "app/__init__.py": "",
  "app/cli.py": [
    "import sys",
    "from os import path as ospath",
    "def main(): pass",
    "class Tool:",
    "    def run(self): pass",
    "handler = lambda: 0",
    "try:",
    "    from json import loads as fast",
    "except ImportError:",
    "    fast = None",
    "",
  ].join("\n"),
  "app/star.py": "from os.path import *\n",
  "app/lazy.py": "def __getattr__(name):\n    return name\n",
  [`app/_native${suffix}`]: "not really ELF: only the name matters here\n",
  "nspkg/mod.py": "def main(): pass\n",
  "app-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: app\nVersion: 1.0\nRequires-Dist: Markup_Safe (>=2)\nRequires-Dist: pytest ; extra == 'test'\nRequires-Dist: colorama; sys_platform == \"win32\"\n",
  "app-1.0.dist-info/entry_points.txt": "# comment\n[console_scripts]\napp = app.cli:main [extra]\n\n[gui_scripts]\napp-gui = app.cli:Tool\n\n[app.plugins]\nx = app.cli:main\n",
  "app-1.0.dist-info/RECORD": 'app/__init__.py,sha256=x,0\n"app/data,with,commas.txt",,\n"weird,top/x.py",,\n../../bin/app,,\napp-1.0.dist-info/RECORD,,\n',
});

const ACCEPTED = ["app.cli:main", "app.cli:Tool", "app.cli:Tool.run", "app.cli:handler", "app.cli:fast", "app.cli:ospath", "json.tool:main"];
const LACKING: [string, string][] = [
  ["nosuch.cli:main", "module nosuch.cli is not in the bundle: no nosuch/cli.py, nosuch/cli/__init__.py or extension module in the installed packages"],
  ["app.cli:mian", `app.cli defines no mian (${site}/app/cli.py)`],
  ["app.cli:Tool.nope", `app.cli.Tool defines no nope (${site}/app/cli.py)`],
  ["nspkg:main", "nspkg is a directory without __init__.py (a namespace package): it defines no main"],
  ["json.tool:nope", "json.tool defines no nope"],
];
const UNCHECKABLE: [string, string][] = [
  ["app.star:anything", "cannot tell whether app.star defines anything: it does `from os.path import *`; not checked"],
  ["app.lazy:anything", "cannot tell whether app.lazy defines anything: it defines a module-level __getattr__; not checked"],
  ["app._native:main", "cannot check that app._native defines main (native module): not checked"],
];

// What readSiteMetadata(python, site, target) answers, for no target and each target above.
const TARGETS = [undefined, ...ACCEPTED, ...LACKING.map(([t]) => t), ...UNCHECKABLE.map(([t]) => t)];
const answers = new Map<string | undefined, SiteMetadata>();
beforeAll(async () => {
  const metas = await runHelperBatch<SiteMetadata>(python.command, "dist_metadata", TARGETS.map((t) => siteMetadataRequest(python, site, t)));
  TARGETS.forEach((t, i) => answers.set(t, metas[i] as SiteMetadata));
}, 120_000);

function entry(target: string) {
  const meta = answers.get(target);
  if (!meta) throw new Error(`no answer for ${target}: add it to TARGETS`);
  return { meta, choose: () => chooseEntryPoint(meta, { entryPoint: target }) };
}

describe("distributions, read by importlib.metadata and RECORD as CSV", () => {
  test("console and gui scripts (extras dropped, other groups ignored), top-level names with commas in paths, requirements and files", () => {
    const { dists } = answers.get(undefined) as SiteMetadata;
    const files = ["app/__init__.py", "app/data,with,commas.txt", "weird,top/x.py", "app-1.0.dist-info/RECORD"];
    const own = ["app-1.0.dist-info/METADATA", "app-1.0.dist-info/RECORD", "app-1.0.dist-info/entry_points.txt"];
    expect(dists).toEqual([
      {
        name: "app",
        version: "1.0",
        distInfo: "app-1.0.dist-info",
        // Normalized, those under an extra left out (a platform marker is kept: --exclude's rule must not drop what may be needed).
        requires: ["colorama", "markup-safe"],
        // RECORD as CSV without what it installed outside the site dir (../../bin/app), then the dist-info's own files.
        files: [...files, ...own],
        scripts: [["app", "app.cli:main [extra]"], ["app-gui", "app.cli:Tool"]],
        topLevels: ["app", "weird,top"],
      },
    ]);
    expect(chooseEntryPoint({ dists, topLevels: ["app"], entry: null }, { consoleScript: "app" })).toEqual({ target: "app.cli:main", name: "app", version: "1.0" });
  });
});

describe("-e MODULE:FUNCTION is checked at build time", () => {
  test.each(ACCEPTED)("%s is accepted", (target) => {
    const { meta, choose } = entry(target);
    expect(meta.entry).toEqual({ problem: null, note: null });
    expect(choose().target).toBe(target);
  });

  test.each(LACKING)("%s: exit 6 saying what is wrong", (target, problem) => {
    const { choose } = entry(target);
    let error: unknown;
    try {
      choose();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyzapError);
    expect((error as PyzapError).exitCode).toBe(6);
    expect((error as PyzapError).message).toContain(`The "--entry-point" option names something the bundle lacks: ${problem}`);
    expect((error as PyzapError).hint).toBe("the bundle's top-level packages are: app, nspkg");
  });

  test.each(UNCHECKABLE)("%s is accepted, and the build says what it could not check", (target, note) => {
    const { choose } = entry(target);
    expect(choose().note).toBe(note);
  });
});
