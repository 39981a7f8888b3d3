// A bundle is isolated from the host's site-packages like a venv: a package
// installed on the host (and the host's .pth files) is invisible, the bundled
// copy and its metadata win, in the bundle's process, in Python children and
// without the launcher; PYZAP_INHERIT_PATH=1 lets the host's packages in,
// behind the bundle's. The host here is a venv whose site-packages holds a
// module of its own, an older fixture_pure and a .pth that installs a finder.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, ok, run, tempDir } from "./helpers.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const out = path.join(dir, "pure.pyz");
const host = path.join(dir, "host");
const hostPython = path.join(host, "bin/python3");
const env = { PYZAP_CACHE: path.join(dir, "cache"), PYZAP_PYTHON: hostPython };
let hostSite = "";

// Runs inside the bundle (fixture-pure-exec CODE): what the host could leak.
const CHECKS = `
import importlib.metadata, importlib.util, json, sys
import fixture_pure
print(json.dumps({
    "hostonly": importlib.util.find_spec("hostonly") is not None,
    "file": fixture_pure.__file__,
    "version": importlib.metadata.version("fixture-pure"),
    "pth_module": "hosthook" in sys.modules,
    "pth_finder": any(type(f).__name__ == "HostFinder" for f in sys.meta_path),
    "host_site": [p for p in sys.path if p.startswith(${JSON.stringify(dir)} + "/host/")],
}))
`;

interface Checks {
  hostonly: boolean;
  file: string;
  version: string;
  pth_module: boolean;
  pth_finder: boolean;
  host_site: string[];
}
const parse = (stdout: string) => JSON.parse(stdout) as Checks;

function expectIsolated(r: Checks) {
  expect(r.hostonly).toBe(false);
  expect(r.file).toBe(`${out}/site-packages/fixture_pure/__init__.py`);
  expect(r.version).toBe("2.5.1");
  expect(r.pth_module).toBe(false);
  expect(r.pth_finder).toBe(false);
  expect(r.host_site).toEqual([]);
}

beforeAll(() => {
  bundle(wheelhouse, "fixture-pure", "fixture-pure-exec", out);
  ok(run("python3", ["-m", "venv", "--without-pip", host]));
  hostSite = ok(run(hostPython, ["-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])).stdout.trim();
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(hostSite, rel)), { recursive: true });
    writeFileSync(path.join(hostSite, rel), text);
  };
  put("hostonly.py", "X = 1\n");
  put("fixture_pure/__init__.py", "SHADOW = True\n");
  put("fixture_pure-9.9.9.dist-info/METADATA", "Metadata-Version: 2.1\nName: fixture-pure\nVersion: 9.9.9\n");
  put("hosthook.py", "import sys\nclass HostFinder:\n    def find_spec(self, *a):\n        return None\nsys.meta_path.insert(0, HostFinder())\n");
  put("hosthook.pth", "import hosthook\n");
});

describe("the host's site-packages", () => {
  test("are what the host interpreter itself sees (the fixture works)", () => {
    const r = ok(run(hostPython, ["-c", "import hostonly, fixture_pure, sys; print(fixture_pure.SHADOW, 'hosthook' in sys.modules)"]));
    expect(r.stdout).toBe("True True\n");
  });

  test("are invisible to the bundle started by the launcher", () => {
    expectIsolated(parse(ok(run(out, [CHECKS], env)).stdout));
  });

  test("are invisible to a Python child (sys.executable -c) and a multiprocessing spawn worker", () => {
    const child = "import os, subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', os.environ['CHECKS']]).returncode)";
    expectIsolated(parse(ok(run(out, [child], { ...env, CHECKS })).stdout));
    const spawn = [
      "import multiprocessing as mp",
      "if __name__ != '__mp_main__':",
      "    with mp.get_context('spawn').Pool(1) as pool:",
      "        print(pool.apply(eval, (\"__import__('importlib.util').util.find_spec('hostonly') is None\",)))",
    ].join("\n");
    expect(ok(run(out, [spawn], env)).stdout).toBe("True\n");
  });

  test("are invisible without the launcher (python3 app.pyz)", () => {
    expectIsolated(parse(ok(run(hostPython, [out, CHECKS], env)).stdout));
  });

  test("PYZAP_INHERIT_PATH=1 lets them in behind the bundle's packages", () => {
    const r = parse(ok(run(out, [CHECKS], { ...env, PYZAP_INHERIT_PATH: "1" })).stdout);
    expect(r.hostonly).toBe(true);
    expect(r.file).toBe(`${out}/site-packages/fixture_pure/__init__.py`); // the bundled copy still wins
    expect(r.version).toBe("2.5.1");
    expect(r.host_site).toEqual([hostSite]);
  });
});
