// numpy from pip's index, as a user would bundle it: a small app computes
// something real with it and checks the answer; numpy's Python stays in the
// archive, its many extension modules and OpenBLAS load from the cache.
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { cleanTarget, ok, pyzap, run, tempDir } from "./helpers.js";
import { pythonTags } from "./pythons.js";

const dir = tempDir();
const app = path.join(dir, "npcheck");
const cache = path.join(dir, "cache");

mkdirSync(path.join(app, "src/npcheck"), { recursive: true });
writeFileSync(
  path.join(app, "pyproject.toml"),
  `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "npcheck"\nversion = "1.0"\ndependencies = ["numpy"]\n\n[project.scripts]\nnpcheck = "npcheck:main"\n`,
);
writeFileSync(
  path.join(app, "src/npcheck/__init__.py"),
  `import json
import numpy as np


def main():
    a = np.array([[4.0, 1.0], [2.0, 3.0]])
    rng = np.random.default_rng(42)
    m = rng.standard_normal((200, 200))
    inv_err = float(np.abs(m @ np.linalg.inv(m) - np.eye(200)).max())
    print(json.dumps({
        "eig": sorted(np.linalg.eigvals(a).real.round(12).tolist()),
        "solve": np.linalg.solve(a, np.array([1.0, 2.0])).round(12).tolist(),
        "fft": np.abs(np.fft.fft([1, 2, 3, 4])).round(6).tolist(),
        "inv_err_ok": inv_err < 1e-8,
        "numpy_file": np.__file__,
        "linalg_file": np.linalg._umath_linalg.__file__,
    }))
`,
);

test("a numpy app computes the right answers; natives from the cache, Python from the archive", () => {
  const out = path.join(dir, "npcheck.pyz");
  ok(pyzap(["bundle", app, "-c", "npcheck", "-o", out]));
  // A clean target: pyenv's python3 has numpy in its own site-packages, a bare venv of it does not.
  const result = ok(run(out, [], { PYZAP_CACHE: cache, PYZAP_PYTHON: cleanTarget(path.join(dir, "venv"), ["numpy"]) }));
  const r = JSON.parse(result.stdout);
  expect(r.eig).toEqual([2, 5]);
  expect(r.solve).toEqual([0.1, 0.6]);
  expect(r.fft).toEqual([10, 2.828427, 2, 2.828427]);
  expect(r.inv_err_ok).toBe(true);
  expect(r.numpy_file.replace(/c$/, "")).toBe(`${out}/site-packages/numpy/__init__.py`);
  const [key] = readdirSync(cache).filter((n) => /^[0-9a-f]{16}$/.test(n));
  expect(r.linalg_file.startsWith(path.join(cache, `${key}`, "site/numpy/linalg/"))).toBe(true);
  // Only native files were unpacked: many extension modules plus OpenBLAS.
  const cfg = ok(run("unzip", ["-p", out, ".pyzap/launcher.cfg"])).stdout.split("\n").filter((l) => l.startsWith("f "));
  const paths = cfg.map((l) => l.split(" ").slice(4).join(" "));
  // Extension modules for the interpreter that built the bundle (python3), whatever its version and CPU.
  const { extSuffix } = pythonTags();
  expect(paths.filter((p) => p.endsWith(extSuffix)).length).toBeGreaterThan(10);
  expect(paths.some((p) => p.startsWith("numpy.libs/"))).toBe(true);
  expect(paths.every((p) => !p.endsWith(".py"))).toBe(true);
  const sizeMiB = (statSync(out).size / 1048576).toFixed(1);
  process.stderr.write(`numpy bundle: ${sizeMiB} MiB, ${paths.length} files unpacked\n`);
});
