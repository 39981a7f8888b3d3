// `npm run bench`: builds the fixtures, measures startup side by side in one
// run, prints markdown tables (paste them into bench/RESULTS.md).
//
// Environment: BENCH_PYTHON (default /usr/bin/python3, else python3),
// BENCH_ROUNDS / BENCH_RUNS (default 6 rounds × 20 runs per command),
// BENCH_STANDALONE_PYTHON (the relocatable interpreter of the standalone rows,
// default python3), BENCH_CERTBOT_WHEELS (a directory of certbot wheels; by default they are
// built from Debian's python3-certbot by test/debwheel/, and the certbot rows
// are skipped when that package is not installed), BENCH_BIG_PYTHON (the
// interpreter of the pandas + scipy + numpy and scikit-learn rows, default
// python3; pip must find those wheels in its configured index; BENCH_BIG=0
// skips them),
// BENCH_HEAVY_ROUNDS / BENCH_HEAVY_RUNS (the size and first-run rows, default
// 3 rounds × 5 runs: a big-stack first run takes seconds).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { standaloneSection } from "./standalone.mjs";
import { bigStackApp, sklearnApp, workloadSection } from "./workloads.mjs";
import { diff, fmtDiff, fmtRatio, machine, measure, median, mib, ms, ratio, spread, table, timeOnce, tree } from "./lib.mjs";

const REPO = path.resolve(import.meta.dirname, "..");
const CLI = path.join(REPO, "packages/cli/bin/pyzap.js");
const PYTHON = process.env.BENCH_PYTHON || (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const OPTS = { rounds: Number(process.env.BENCH_ROUNDS || 6), runs: Number(process.env.BENCH_RUNS || 20) };
const HEAVY = { rounds: Number(process.env.BENCH_HEAVY_ROUNDS || 3), runs: Number(process.env.BENCH_HEAVY_RUNS || 5) };
const BIG_PYTHON = process.env.BENCH_BIG_PYTHON || "python3";
const PIP_ENV = { ...process.env, PIP_RETRIES: "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" };

function check() {
  if (spawnSync("hyperfine", ["--version"]).status !== 0) fail("hyperfine is not installed; install it with: apt-get install -y hyperfine");
  if (!existsSync(path.join(REPO, "packages/cli/dist")) || !existsSync(path.join(REPO, "launcher-c/build/pyzap-launcher"))) {
    fail("pyzap is not built; run: npm run build");
  }
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const sh = (cmd, args, env = PIP_ENV) => timeOnce(cmd, args, { env });
const pyzapBundle = (args, env) => sh(process.execPath, [CLI, "bundle", ...args, "--python", PYTHON], { ...PIP_ENV, ...env });
const row = (name, m, base, vs) => [name, ms(m.median), spread(m), base ? fmtDiff(diff(m, base)) : "", vs ? fmtRatio(ratio(m, vs)) : ""];

// A hello-world app as a wheel, installed in a venv and bundled.
function helloWorld(work, cache) {
  const src = path.join(work, "hw-src");
  mkdirSync(path.join(src, "hw"), { recursive: true });
  writeFileSync(path.join(src, "hw/__init__.py"), "def main():\n    print('hello world')\n");
  writeFileSync(path.join(src, "setup.py"), "from setuptools import setup\nsetup(name='hw', version='1.0', packages=['hw'], entry_points={'console_scripts': ['hw = hw:main']})\n");
  const wheels = path.join(work, "wheels");
  sh(PYTHON, ["-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, src]);
  const venv = path.join(work, "hw-venv");
  sh(PYTHON, ["-m", "venv", venv]);
  sh(path.join(venv, "bin/pip"), ["install", "-q", "--no-index", "--find-links", wheels, "hw"]);
  const pyz = path.join(work, "hw.pyz");
  pyzapBundle(["--no-index", "--find-links", wheels, "hw", "-c", "hw", "-o", pyz], { PYZAP_CACHE: cache });
  return { venv: path.join(venv, "bin/hw"), pyz };
}

function helloSection(work) {
  const cache = path.join(work, "cache");
  const hw = helloWorld(work, cache);
  const env = { PYZAP_CACHE: cache };
  const [base, noSite, venv, pyz, pyzZipimport, noLauncher] = measure(
    [
      { name: "`python3 -c pass`", cmd: `${PYTHON} -c pass` },
      { name: "`python3 -S -c pass` (no site: what site and .pth files cost)", cmd: `${PYTHON} -S -c pass` },
      { name: "venv console script", cmd: hw.venv },
      { name: "**pyzap bundle, warm**", cmd: hw.pyz },
      { name: "pyzap bundle, CPython's zipimport (`PYZAP_ZIPIMPORT=1`)", cmd: `env PYZAP_ZIPIMPORT=1 ${hw.pyz}` },
      { name: "`python3 app.pyz` (no launcher)", cmd: `${PYTHON} ${hw.pyz}` },
    ],
    { ...OPTS, env },
  );
  const rows = [base, noSite, venv, pyz, pyzZipimport, noLauncher].map((m) => row(m.name, m, base, base));
  rows.push(["pyzap bundle vs venv console script", "", "", fmtDiff(diff(pyz, venv)), fmtRatio(ratio(pyz, venv))]);
  return [
    "## hello world (prints one line), warm",
    "",
    "Target: bundle ≤ +3 ms over `python3 -c pass`.",
    "",
    table(["command", "median", "p10–p90", "vs `python3 -c pass` (paired)", "ratio (paired)"], rows),
    "",
    `Bundle: ${mib(statSync(hw.pyz).size)}; nothing to unpack (no cache entry).`,
  ].join("\n");
}

// The launcher's own time: exec to exec, with an interpreter that exits at once.
function launcherSection(work) {
  const cache = path.join(work, "cache-markup");
  const pyz = path.join(work, "hello.pyz");
  pyzapBundle([path.join(REPO, "examples/hello"), "-c", "hello", "-o", pyz], { PYZAP_CACHE: cache });
  sh(pyz, ["warm"], { ...process.env, PYZAP_CACHE: cache });
  const env = { PYZAP_CACHE: cache, PYZAP_PYTHON: "/bin/true" };
  const [direct, through] = measure(
    [
      { name: "`/bin/true`", cmd: "/bin/true" },
      { name: "launcher (warm cache entry) → `/bin/true`", cmd: pyz },
    ],
    { ...OPTS, env },
  );
  const [warm] = measure([{ name: "examples/hello (markupsafe + 1 native), warm", cmd: pyz }], { ...OPTS, env: { PYZAP_CACHE: cache } });
  const [cold] = measure([{ name: "examples/hello, first run (cache emptied before each run)", cmd: pyz }], {
    ...OPTS,
    env: { PYZAP_CACHE: cache },
    prepare: `rm -rf ${cache}`,
  });
  sh(pyz, ["warm"], { ...process.env, PYZAP_CACHE: cache });
  const entry = tree(cache);
  return [
    "## The launcher's own time (target < 1 ms) and a first run",
    "",
    table(
      ["command", "median", "p10–p90", "difference", "ratio"],
      [row(direct.name, direct), row(through.name, through, direct, direct), row(warm.name, warm), row(cold.name, cold, warm, warm)],
    ),
    "",
    `Launcher's own time ≈ ${fmtDiff(diff(through, direct))} (paired by round). The first-run rows were measured in separate hyperfine calls: their ratio pairs rounds of different calls.`,
    `examples/hello bundle: ${mib(statSync(pyz).size)}; cache entry: ${entry.files} files, ${mib(entry.bytes)}.`,
  ].join("\n");
}

// Debian's certbot turned into wheels by the test fixture tool, unless
// BENCH_CERTBOT_WHEELS names a directory of wheels already.
function certbotWheels(work) {
  if (process.env.BENCH_CERTBOT_WHEELS) return process.env.BENCH_CERTBOT_WHEELS;
  if (spawnSync("dpkg", ["-s", "python3-certbot"]).status !== 0) return null;
  const out = path.join(work, "certbot-wheels");
  if (existsSync(out)) return out; // built for an earlier section of this run
  sh("/usr/bin/python3", [path.join(REPO, "test/debwheel/debwheel.py"), "--out", out, "python3-certbot"]);
  return out;
}

function certbotSection(work) {
  const wheels = certbotWheels(work);
  if (!wheels || !existsSync(wheels) || !readdirSync(wheels).some((w) => /^certbot-.*\.whl$/.test(w))) {
    const why = wheels ? `no certbot-*.whl in ${wheels}` : "Debian's python3-certbot is not installed (apt-get install python3-certbot), and BENCH_CERTBOT_WHEELS is not set";
    return `## certbot\n\nskipped (${why}).`;
  }
  const cache = path.join(work, "cache-certbot");
  const pyz = path.join(work, "certbot.pyz");
  const venv = path.join(work, "certbot-venv");
  const builds = { venv: [], pyz: [] };
  for (let i = 0; i < 3; i++) {
    rmSync(venv, { recursive: true, force: true });
    builds.venv.push(sh(PYTHON, ["-m", "venv", venv]) + sh(path.join(venv, "bin/pip"), ["install", "-q", "--no-index", "--find-links", wheels, "certbot"]));
    builds.pyz.push(pyzapBundle(["--no-index", "--find-links", wheels, "certbot", "-c", "certbot", "-o", pyz], { PYZAP_CACHE: cache }));
  }
  const bin = path.join(venv, "bin/certbot");
  // The bundle runs on a bare venv of the same interpreter: Debian's python3
  // itself sees python3-certbot in dist-packages, which a clean target lacks.
  const bare = path.join(work, "certbot-bare-venv");
  rmSync(bare, { recursive: true, force: true });
  sh(PYTHON, ["-m", "venv", "--without-pip", bare]);
  const env = { PYZAP_CACHE: cache, PYZAP_PYTHON: path.join(bare, "bin/python3") };
  sh(pyz, ["--version"], { ...process.env, ...env });
  const [vVenv, vPyz, hVenv, hPyz] = measure(
    [
      { name: "venv `certbot --version`", cmd: `${bin} --version` },
      { name: "**pyzap `certbot --version`, warm**", cmd: `${pyz} --version` },
      { name: "venv `certbot --help`", cmd: `${bin} --help` },
      { name: "**pyzap `certbot --help`, warm**", cmd: `${pyz} --help` },
    ],
    { ...OPTS, env },
  );
  const [first] = measure([{ name: "pyzap `certbot --version`, first run (cache emptied before each run)", cmd: `${pyz} --version` }], {
    ...OPTS,
    env,
    prepare: `rm -rf ${cache}`,
  });
  sh(pyz, ["--version"], { ...process.env, ...env });
  const entry = tree(cache);
  const b = (xs) => `${(median(xs) / 1000).toFixed(1)} s`;
  return [
    "## certbot (Debian-built wheels, same interpreter; the bundle runs on a bare venv of it)",
    "",
    "Targets: warm ≤ 0.9 × venv; first run ≤ 1.2 × warm; build no slower than pip into a venv.",
    "",
    table(
      ["command", "median", "p10–p90", "difference", "ratio"],
      [row(vVenv.name, vVenv), row(vPyz.name, vPyz, vVenv, vVenv), row(hVenv.name, hVenv), row(hPyz.name, hPyz, hVenv, hVenv), row(first.name, first, vPyz, vPyz)],
    ),
    "",
    `Build (median of 3): \`python3 -m venv\` + \`pip install\` ${b(builds.venv)}; \`pyzap bundle\` ${b(builds.pyz)}.`,
    `certbot.pyz: ${mib(statSync(pyz).size)}; cache entry: ${entry.files} files, ${mib(entry.bytes)}.`,
  ].join("\n");
}

function certbotSizesSection(work) {
  const wheels = certbotWheels(work);
  if (!wheels || !existsSync(wheels)) return "## certbot: sizes and first runs\n\nskipped (no certbot wheels, see the certbot section).";
  // --compress 0: bytecode STORED, the size/warm-start trade of deflated bytecode in one run.
  const variants = [{ label: "pyzap `--compress 0` (nothing deflated)", flags: ["--compress", "0"] }];
  return workloadSection(work, { title: "certbot", python: PYTHON, cli: CLI, pipArgs: ["--no-index", "--find-links", wheels, "certbot"], script: "certbot", args: ["--version"], opts: HEAVY, variants });
}

// The big workloads: an app of ours whose wheel pip installs with its heavy
// dependencies from the configured index (which must offer them for BIG_PYTHON).
function heavySection(work, title, makeApp, script) {
  if (process.env.BENCH_BIG === "0") return `## ${title}\n\nskipped (BENCH_BIG=0).`;
  try {
    const wheels = makeApp(work, PYTHON);
    return workloadSection(work, { title, python: BIG_PYTHON, cli: CLI, pipArgs: ["--find-links", wheels, script], script, args: [], opts: HEAVY });
  } catch (error) {
    return `## ${title}\n\nskipped (${String(error.message).split("\n")[0]}).`;
  }
}

const bigStackSection = (work) => heavySection(work, "pandas + scipy + numpy", bigStackApp, "bigstack");
const sklearnSection = (work) => heavySection(work, "scikit-learn", sklearnApp, "sklapp");

function main() {
  check();
  const work = mkdtempSync(path.join(tmpdir(), "pyzap-bench-"));
  try {
    const out = [`# pyzap startup benchmark`, "", `Machine: ${machine(PYTHON)}.`, "", `Each command: ${OPTS.rounds} rounds × ${OPTS.runs} runs (hyperfine -N, 3 warm-up runs per round); paired figures compare round medians of the same round.`];
    const standalone = (work) => standaloneSection(work, OPTS, { certbotWheels: () => certbotWheels(work) });
    const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",") : null; // e.g. BENCH_ONLY=certbotSizesSection
    for (const section of [helloSection, launcherSection, certbotSection, certbotSizesSection, bigStackSection, sklearnSection, standalone]) {
      if (only && !only.includes(section.name) && !(section === standalone && only.includes("standaloneSection"))) continue;
      out.push("", section(work));
      process.stderr.write(`bench: ${section.name} done\n`);
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
