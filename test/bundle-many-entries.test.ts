// End to end: a bundle of more than 65,535 entries (ZIP64 end records) built
// with Python 3.11, 3.12 and 3.13, run through the launcher and as
// `pythonX.Y app.pyz`. Before 3.13, zipimport ignores ZIP64: such bundles
// used to stop at every start with "bad central directory size".
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ok, pyzap, run } from "./helpers.js";
import { pyenvPythonFor } from "./pythons.js";

const DATA_FILES = 66_000;
const dir = mkdtempSync(path.join(tmpdir(), "pyzap-many-"));
// Node 20's recursive rmSync took 128 s on these 66,000 files (rm -rf: 3 s).
afterAll(() => spawnSync("rm", ["-rf", dir]));
const site = path.join(dir, "site-packages");

// bigapp ships 66,000 one-line data files (no .py: nothing to compile, so
// the build stays fast). zzz_last sorts after all of them and is unpacked
// into the cache, so the launcher and the Python fallback must both walk the
// whole central directory to find it.
beforeAll(() => {
  mkdirSync(path.join(site, "bigapp/data"), { recursive: true });
  mkdirSync(path.join(site, "zzz_last"), { recursive: true });
  writeFileSync(
    path.join(site, "bigapp/__init__.py"),
    [
      "import pkgutil",
      "def main():",
      "    import zzz_last",
      "    last = pkgutil.get_data('bigapp', 'data/f%05d.txt' % (" + DATA_FILES + " - 1)).decode().strip()",
      "    print(last, '|', zzz_last.greeting(), '|', 'cache' if '.pyz' not in zzz_last.__file__ else 'archive')",
      "",
    ].join("\n"),
  );
  writeFileSync(
    path.join(site, "zzz_last/__init__.py"),
    "import os\ndef greeting():\n    with open(os.path.join(os.path.dirname(__file__), 'greeting.txt')) as f:\n        return f.read().strip()\n",
  );
  writeFileSync(path.join(site, "zzz_last/greeting.txt"), "hello from after entry 65535\n");
  for (let i = 0; i < DATA_FILES; i++) writeFileSync(path.join(site, `bigapp/data/f${String(i).padStart(5, "0")}.txt`), `data ${i}\n`);
});

/** pythonX.Y from PATH or pyenv, or null. */
function findPython(version: string): string | null {
  for (const exe of [`python${version}`, pyenvPythonFor(version)].filter((p) => p !== null)) {
    const r = spawnSync(exe, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
    if (r.status === 0) return r.stdout.trim();
  }
  return null;
}

const EXPECTED = `data ${DATA_FILES - 1} | hello from after entry 65535 | cache\n`;

describe.each(["3.11", "3.12", "3.13"])("a bundle of more than 65,535 entries for Python %s", (version) => {
  const python = findPython(version);
  if (!python) console.log(`skipped: no python${version} here (pyenv or PATH)`);

  test.skipIf(!python)("builds, starts through the launcher and as python app.pyz, and finds what lies past entry 65,535", () => {
    const app = path.join(dir, `app-${version}.pyz`);
    // --compress 0: the entry count is what matters; deflating 66,000
    // one-line files would triple the build time.
    const built = ok(pyzap(["bundle", "--site-packages", site, "-e", "bigapp:main", "--unpack", "zzz_last", "--python", python!, "--compress", "0", "-o", app, "--json"]));
    expect(JSON.parse(built.stdout).entries).toBeGreaterThan(65_535);

    const viaLauncher = run(app, [], { PYZAP_CACHE: path.join(dir, `cache-launcher-${version}`) });
    expect(viaLauncher.stderr).toBe("");
    expect(viaLauncher.stdout).toBe(EXPECTED);
    expect(viaLauncher.status).toBe(0);

    const viaPython = run(python!, [app], { PYZAP_CACHE: path.join(dir, `cache-python-${version}`) });
    expect(viaPython.stderr).toBe("");
    expect(viaPython.stdout).toBe(EXPECTED);
    expect(viaPython.status).toBe(0);
  }, 300_000);
});
