// Every other CPython on this machine (pyenv's 2.7, 3.6 ... 3.13; CI's image
// has the same) meeting a real bundle built with python3: the launcher's
// `-c` bootstrap, the bundle's __main__.py, its sitecustomize and the
// generated bundle.py are compiled from source by that interpreter (the .pyc
// are for the bundle's), so each must parse there and then say, in one line,
// that this is the wrong Python, or step aside in a child process.
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, run, tempDir } from "./helpers.js";
import { pyenvPython, pyenvVersions, pythonTags } from "./pythons.js";

const dir = tempDir();
const app = path.join(dir, "ext.pyz");
const cache = path.join(dir, "cache");
const own = pythonTags();
const others = pyenvVersions().filter((v) => !v.startsWith(`${own.version}.`));
if (others.length === 0) console.log("old-pythons: skipped, no pyenv Python of another X.Y here (CI's image has 2.7 and 3.6 to 3.13)");

describe.skipIf(others.length === 0)("another Python meets a real bundle", () => {
  beforeAll(() => {
    bundle(inject("wheelhouse"), "fixture-ext", "fixture-ext-demo", app);
  });

  const v = own.version.replace(".", "\\.");
  const NEEDS = `^pyzap: this bundle needs Python ${v} \\(${own.cacheTag}\\), but .* is Python \\d+\\.\\d+; `;
  // Through the launcher PYZAP_PYTHON is the fix; as `pythonX.Y app.pyz` it is
  // not (the launcher is not involved), so the line names the right command.
  const VIA_LAUNCHER = new RegExp(`${NEEDS}set PYZAP_PYTHON to a Python ${v} interpreter\\n$`);
  const VIA_PYTHON = new RegExp(`${NEEDS}run it with a Python ${v} \\(python${v} .*ext\\.pyz\\) or as \\./ext\\.pyz\\n$`);

  test.each(others)("Python %s: exit 78 and one line, through the launcher and as `python app.pyz`", (version) => {
    const python = pyenvPython(version);
    const viaLauncher = run(app, [], { PYZAP_CACHE: cache, PYZAP_PYTHON: python });
    const viaPython = run(python, [app], { PYZAP_CACHE: cache });
    for (const r of [viaLauncher, viaPython]) expect([r.status, r.stdout], r.stderr).toEqual([78, ""]);
    expect(viaLauncher.stderr).toMatch(VIA_LAUNCHER);
    expect(viaPython.stderr).toMatch(VIA_PYTHON);
  });

  // The bundle's own commands are written for the bundle's Python (2.7 cannot
  // import them): the version check comes first, for each of them.
  test.each(others)("Python %s: PYZAP=info, env and cache also exit 78 with the one line, before any command runs", (version) => {
    const python = pyenvPython(version);
    for (const [command, args] of [["info", []], ["env", ["--export"]], ["cache", ["list"]]] as const) {
      const r = run(app, [...args], { PYZAP: command, PYZAP_CACHE: cache, PYZAP_PYTHON: python });
      expect([command, r.status, r.stdout], r.stderr).toEqual([command, 78, ""]);
      expect(r.stderr).toMatch(VIA_LAUNCHER);
    }
  });

  test.each(others)("Python %s as a child of the app: the bundle's paths are dropped, nothing printed", (version) => {
    // Stands in for the app's interpreter: started by the launcher with the
    // PYTHONPATH it exports, it runs the foreign Python the way an app's
    // subprocess would (os.execv keeps the environment).
    const child = path.join(dir, `child-${version}`);
    writeFileSync(child, `#!/bin/sh\nexec ${pyenvPython(version)} -c 'import sys, json; print(json.dumps(sys.path))'\n`);
    chmodSync(child, 0o755);
    const r = run(app, [], { PYZAP_CACHE: cache, PYZAP_PYTHON: child });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const seen = JSON.parse(r.stdout) as string[];
    expect(seen.filter((p) => p.startsWith(app) || p.startsWith(cache))).toEqual([]);
  });
});
