// The standalone rows of `npm run bench`: examples/hello bundled with
// --standalone against the same interpreter running the same code normally
// (installed in a venv of that interpreter), warm and first run, plus sizes.
// The interpreter must be relocatable (a pyenv build here), so it is
// BENCH_STANDALONE_PYTHON (default: python3 on PATH), not BENCH_PYTHON.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { diff, fmtDiff, fmtRatio, measure, mib, ms, ratio, spread, table, timeOnce, tree } from "./lib.mjs";

const REPO = path.resolve(import.meta.dirname, "..");
const CLI = path.join(REPO, "packages/cli/bin/pyzap.js");

export function standaloneSection(work, opts) {
  const which = spawnSync(process.env.BENCH_STANDALONE_PYTHON || "python3", ["-c", "import os, sys; print(os.path.realpath(sys.executable))"], { encoding: "utf8" });
  if (which.status !== 0) return "## standalone\n\nskipped (no BENCH_STANDALONE_PYTHON / python3 to build with).";
  const python = which.stdout.trim();
  const env = { ...process.env, PIP_RETRIES: "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  const sh = (cmd, args, extra = {}) => timeOnce(cmd, args, { env: { ...env, ...extra } });
  const hello = path.join(REPO, "examples/hello");
  const cache = path.join(work, "cache-standalone");
  const pyz = path.join(work, "hello-standalone.pyz");
  const plain = path.join(work, "hello-plain.pyz");
  const build = sh(process.execPath, [CLI, "bundle", hello, "-c", "hello", "--standalone", "--python", python, "-o", pyz, "-q"]);
  sh(process.execPath, [CLI, "bundle", hello, "-c", "hello", "--python", python, "-o", plain, "-q"]);
  const venv = path.join(work, "hello-venv");
  sh(python, ["-m", "venv", venv]);
  sh(path.join(venv, "bin/pip"), ["install", "-q", hello]);
  sh(pyz, ["warm"], { PYZAP_CACHE: cache });
  sh(plain, ["warm"], { PYZAP_CACHE: cache, PYZAP_PYTHON: python });
  const same = `${path.join(venv, "bin/python")} -c "import sys; sys.argv[1:] = ['bench']; from hello import main; main()"`;
  const [base, script, standalone, bundle] = measure(
    [
      { name: "same interpreter, same code (`venv/bin/python -c 'from hello import main; main()'`)", cmd: same },
      { name: "venv console script `hello`", cmd: `${path.join(venv, "bin/hello")} bench` },
      { name: "**standalone bundle, warm**", cmd: `${pyz} bench` },
      { name: "ordinary bundle on the same interpreter, warm", cmd: `env PYZAP_PYTHON=${python} ${plain} bench` },
    ],
    { ...opts, env: { PYZAP_CACHE: cache } },
  );
  const [first] = measure([{ name: "standalone bundle, first run (cache emptied before each run)", cmd: `${pyz} bench` }], {
    ...opts,
    env: { PYZAP_CACHE: cache },
    prepare: `rm -rf ${cache}`,
  });
  sh(pyz, ["warm"], { PYZAP_CACHE: cache });
  const row = (m, vs) => [m.name, ms(m.median), spread(m), vs ? fmtDiff(diff(m, vs)) : "", vs ? fmtRatio(ratio(m, vs)) : ""];
  const entries = tree(cache);
  return [
    "## standalone hello (examples/hello --standalone, no Python needed on the target)",
    "",
    `Built with ${python}. Targets: warm ≤ 1.03 × the same interpreter running the same code; first run ≤ 0.3 s; bundle ≤ 15 MiB.`,
    "",
    table(["command", "median", "p10–p90", "vs same interpreter (paired)", "ratio (paired)"], [row(base), row(script, base), row(standalone, base), row(bundle, base), row(first, base)]),
    "",
    `Standalone bundle: ${mib(statSync(pyz).size)} (ordinary bundle: ${mib(statSync(plain).size)}); build ${(build / 1000).toFixed(1)} s. Cache after both ran: ${entries.files} files, ${mib(entries.bytes)} (the runtime entry is shared by every standalone bundle of this interpreter).`,
  ].join("\n");
}
