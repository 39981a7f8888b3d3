// Size and first-run rows of `npm run bench`: one application installed in a
// venv, bundled by pyzap, and bundled with `--unpack-all` (every package
// unpacked into the cache, which is what shiv does), measured side by side:
// bundle size, cache size after the first run, first run (cache emptied before
// each run) and warm run. Bundles run on a bare venv of the same interpreter
// (`PYZAP_PYTHON`), so nothing installed beside the host's Python is seen.
// Before each first run the caches are moved aside, not deleted: deleting
// thousands of files just before a run makes ext4 (without a journal, as on
// the bench VM) skip every recently freed inode while allocating new ones,
// which cost up to 1 ms of system time per file created, an artefact no user
// sees. They are deleted once the section is done.
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cpuRatio, fmtRatio, measure, median, mib, ms, ratio, spread, table, timeOnce, tree } from "./lib.mjs";

const PIP_ENV = { ...process.env, PIP_RETRIES: "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
const sh = (cmd, args, env = PIP_ENV) => timeOnce(cmd, args, { env });

/**
 * spec: { title, python, cli (pyzap.js), pipArgs (what to install), script
 * (console script), args (its arguments), opts ({rounds, runs}), variants
 * (optional: more builds to compare, [{label, flags}], measured in the same
 * interleaved rounds, between the default and `--unpack-all`) }.
 */
export function workloadSection(work, spec) {
  const dir = path.join(work, spec.script);
  mkdirSync(dir, { recursive: true });
  const bare = path.join(dir, "bare");
  sh(spec.python, ["-m", "venv", "--without-pip", bare]);
  const venv = path.join(dir, "venv");
  const venvBuild = sh(spec.python, ["-m", "venv", venv]) + sh(path.join(venv, "bin/pip"), ["install", "-q", ...spec.pipArgs]);
  const variants = [
    { label: "pyzap", flags: [] },
    ...(spec.variants ?? []),
    { label: "pyzap `--unpack-all` (shiv's layout)", flags: ["--unpack-all"] },
  ].map((v, i) => {
    const pyz = path.join(dir, `app${i}.pyz`);
    const cache = path.join(dir, `cache${i}`);
    const build = sh(process.execPath, [spec.cli, "bundle", ...spec.pipArgs, "-c", spec.script, "-o", pyz, ...v.flags, "--python", spec.python, "-q"]);
    return { ...v, pyz, cache, build, cmd: `env PYZAP_CACHE=${cache} PYZAP_PYTHON=${bare}/bin/python3 ${pyz} ${spec.args.join(" ")}` };
  });
  const venvCmd = `${path.join(venv, "bin", spec.script)} ${spec.args.join(" ")}`.trim();
  // First runs: every cache emptied before each run, the variants interleaved.
  const aside = path.join(dir, "old-caches");
  mkdirSync(aside, { recursive: true });
  const moveAside = variants.map((v) => `if [ -e ${v.cache} ]; then mv ${v.cache} $(mktemp -d -p ${aside}); fi`).join("; ");
  const firsts = measure(
    variants.map((v) => ({ name: v.label, cmd: v.cmd })),
    { rounds: spec.opts.rounds, runs: spec.opts.runs, warmup: 0, prepare: `sh -c '${moveAside}'` }, // hyperfine -N runs no shell
  );
  rmSync(aside, { recursive: true, force: true });
  for (const v of variants) {
    rmSync(v.cache, { recursive: true, force: true });
    sh("sh", ["-c", `${v.cmd} >/dev/null`]);
    v.entry = tree(v.cache);
  }
  const [warmVenv, ...warms] = measure(
    [{ name: "venv", cmd: venvCmd }, ...variants.map((v) => ({ name: v.label, cmd: v.cmd }))],
    { rounds: spec.opts.rounds, runs: spec.opts.runs, warmup: 1 },
  );
  const venvSize = tree(venv);
  const cpu = (m) => ms(median(m.cpuRounds));
  const rows = [["venv", `(venv: ${mib(venvSize.bytes)}, ${venvSize.files} files)`, "", "", ms(warmVenv.median), spread(warmVenv), "1.00×", cpu(warmVenv), "1.00×", "", `${(venvBuild / 1000).toFixed(1)} s`]];
  variants.forEach((v, i) => {
    const first = firsts[i];
    const warm = warms[i];
    rows.push([
      `**${v.label}**`,
      mib(statSync(v.pyz).size),
      `${mib(v.entry.bytes)}, ${v.entry.files} files`,
      ms(first.median),
      ms(warm.median),
      spread(warm),
      fmtRatio(ratio(warm, warmVenv)),
      cpu(warm),
      fmtRatio(cpuRatio(warm, warmVenv)),
      fmtRatio(ratio(first, firsts[firsts.length - 1])),
      `${(v.build / 1000).toFixed(1)} s`,
    ]);
  });
  return [
    `## ${spec.title}: sizes, first run and warm against a venv and \`--unpack-all\``,
    "",
    `\`${spec.script} ${spec.args.join(" ")}\`; bundles run on a bare venv of ${spec.python}. ${spec.opts.rounds} rounds × ${spec.opts.runs} runs per command; first runs start with every cache moved aside (deleted after the section).`,
    "",
    table(["variant", "bundle", "cache after first run", "first run", "warm", "warm p10–p90", "warm vs venv (paired)", "warm CPU (user+sys)", "warm CPU vs venv (paired)", "first run vs `--unpack-all` first run (paired)", "build"], rows),
  ].join("\n");
}

/** A one-module app whose console script imports the big stack and uses each package once. */
export function bigStackApp(work, python) {
  const main = 'def main():\n    import numpy, pandas, scipy.stats\n    frame = pandas.DataFrame({"x": numpy.arange(5.0)})\n    print(frame["x"].sum(), scipy.stats.norm.cdf(0.0))\n';
  return appWheel(work, python, "bigstack", ["numpy", "pandas", "scipy"], main);
}

/** A one-module app that fits a scikit-learn model (which imports numpy, scipy and joblib). */
export function sklearnApp(work, python) {
  const main =
    "def main():\n    import numpy\n    from sklearn.linear_model import LinearRegression\n    x = numpy.arange(6.0).reshape(-1, 1)\n    print(round(float(LinearRegression().fit(x, 2 * x.ravel() + 1).intercept_), 3))\n";
  return appWheel(work, python, "sklapp", ["scikit-learn"], main);
}

// A wheel of package NAME (console script NAME = NAME:main) requiring REQUIRES.
function appWheel(work, python, name, requires, main) {
  const src = path.join(work, `${name}-src`);
  mkdirSync(path.join(src, name), { recursive: true });
  writeFileSync(path.join(src, `${name}/__init__.py`), main);
  writeFileSync(
    path.join(src, "setup.py"),
    `from setuptools import setup\nsetup(name='${name}', version='1.0', packages=['${name}'], install_requires=${JSON.stringify(requires)}, entry_points={'console_scripts': ['${name} = ${name}:main']})\n`,
  );
  const wheels = path.join(work, `${name}-wheels`);
  sh(python, ["-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, src]);
  return wheels;
}
