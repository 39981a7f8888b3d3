// The standalone rows of `npm run bench`: examples/hello and certbot (the app
// with the most imports we have: ~450 modules), each bundled with
// --standalone, against the same interpreter running the same code normally
// (installed in a venv of that interpreter), warm and first run, plus sizes
// and, when valgrind is installed, instruction counts (one run each; exact on
// a shared machine, unlike wall time; the launcher's own instructions before
// its exec are not in them). The interpreter must be relocatable (a pyenv
// build here), so it is BENCH_STANDALONE_PYTHON (default: python3 on PATH),
// not BENCH_PYTHON.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { diff, fmtDiff, fmtRatio, measure, mib, ms, ratio, spread, table, timeOnce, tree } from "./lib.mjs";

const REPO = path.resolve(import.meta.dirname, "..");
const CLI = path.join(REPO, "packages/cli/bin/pyzap.js");

/** `certbotWheels()`: a directory of certbot wheels for this X.Y, or null (run.mjs builds them from Debian's). */
export function standaloneSection(work, opts, { certbotWheels } = {}) {
  const which = spawnSync(process.env.BENCH_STANDALONE_PYTHON || "python3", ["-c", "import os, sys; print(os.path.realpath(sys.executable))"], { encoding: "utf8" });
  if (which.status !== 0) return "## standalone\n\nskipped (no BENCH_STANDALONE_PYTHON / python3 to build with).";
  const python = which.stdout.trim();
  const env = { ...process.env, PIP_RETRIES: "0", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  const sh = (cmd, args, extra = {}) => timeOnce(cmd, args, { env: { ...env, ...extra } });
  const ctx = { work, opts, python, sh };
  const out = [helloPart(ctx)];
  const wheels = certbotWheels?.();
  if (wheels && existsSync(wheels) && readdirSync(wheels).some((w) => /^certbot-.*\.whl$/.test(w))) out.push("", certbotPart(ctx, wheels));
  else out.push("", "## standalone certbot\n\nskipped (no certbot wheels: see the certbot section).");
  return out.join("\n");
}

function helloPart({ work, opts, python, sh }) {
  const hello = path.join(REPO, "examples/hello");
  const cache = path.join(work, "cache-standalone");
  const pyz = path.join(work, "hello-standalone.pyz");
  const plain = path.join(work, "hello-plain.pyz");
  const build = sh(process.execPath, [CLI, "bundle", hello, "-c", "hello", "--standalone", "--python", python, "-o", pyz, "-q"]);
  sh(process.execPath, [CLI, "bundle", hello, "-c", "hello", "--python", python, "-o", plain, "-q"]);
  const venv = path.join(work, "hello-venv");
  sh(python, ["-m", "venv", venv]);
  sh(path.join(venv, "bin/pip"), ["install", "-q", hello]);
  // The ordinary bundle's clean target: a bare venv of the same interpreter
  // (the interpreter itself may have a site-packages full of .pth files).
  const bare = path.join(work, "hello-bare-venv");
  sh(python, ["-m", "venv", "--without-pip", bare]);
  const barePython = path.join(bare, "bin/python3");
  sh(pyz, ["warm"], { PYZAP_CACHE: cache });
  sh(plain, ["warm"], { PYZAP_CACHE: cache, PYZAP_PYTHON: barePython });
  const sameArgs = ["-c", "import sys; sys.argv[1:] = ['bench']; from hello import main; main()"];
  const same = `${path.join(venv, "bin/python")} -c "${sameArgs[1]}"`;
  const [base, script, standalone, bundle] = measure(
    [
      { name: "same interpreter, same code (`venv/bin/python -c 'from hello import main; main()'`)", cmd: same },
      { name: "venv console script `hello`", cmd: `${path.join(venv, "bin/hello")} bench` },
      { name: "**standalone bundle, warm**", cmd: `${pyz} bench` },
      { name: "ordinary bundle on a bare venv of the same interpreter, warm", cmd: `env PYZAP_PYTHON=${barePython} ${plain} bench` },
    ],
    { ...opts, env: { PYZAP_CACHE: cache } },
  );
  const [first] = measure([{ name: "standalone bundle, first run (cache emptied before each run)", cmd: `${pyz} bench` }], {
    ...opts,
    env: { PYZAP_CACHE: cache },
    prepare: `rm -rf ${cache}`,
  });
  sh(pyz, ["warm"], { PYZAP_CACHE: cache });
  const entries = tree(cache);
  const counted = instructions([[path.join(venv, "bin/python"), sameArgs], [pyz, ["bench"]]], { PYZAP_CACHE: cache });
  return [
    "## standalone hello (examples/hello --standalone, no Python needed on the target)",
    "",
    `Built with ${python}. Targets: warm ≤ 1.03 × the same interpreter running the same code; first run ≤ 0.3 s; bundle ≤ 15 MiB.`,
    "",
    table(["command", "median", "p10–p90", "vs same interpreter (paired)", "ratio (paired)"], [row(base), row(script, base), row(standalone, base), row(bundle, base), row(first, base)]),
    "",
    `Standalone bundle: ${mib(statSync(pyz).size)} (ordinary bundle: ${mib(statSync(plain).size)}); build ${(build / 1000).toFixed(1)} s. Cache after both ran: ${entries.files} files, ${mib(entries.bytes)} (the runtime entry is shared by every standalone bundle of this interpreter).`,
    counted ? `Instructions (callgrind, one warm run each): same interpreter ${counted[0]}, standalone bundle ${counted[1]}: ${(counted[1] / counted[0]).toFixed(3)} ×.` : "",
  ].join("\n");
}

function certbotPart({ work, opts, python, sh }, wheels) {
  const cache = path.join(work, "cache-standalone-certbot");
  const pyz = path.join(work, "certbot-standalone.pyz");
  const pip = ["--no-index", "--find-links", wheels, "certbot"];
  const build = sh(process.execPath, [CLI, "bundle", "--standalone", "--python", python, ...pip, "-c", "certbot", "-o", pyz, "-q"]);
  const venv = path.join(work, "certbot-standalone-venv");
  sh(python, ["-m", "venv", venv]);
  sh(path.join(venv, "bin/pip"), ["install", "-q", ...pip]);
  const bin = path.join(venv, "bin/certbot");
  sh(bin, ["--version"]);
  sh(pyz, ["--version"], { PYZAP_CACHE: cache });
  const [base, standalone] = measure(
    [
      { name: "same interpreter, same code (venv `certbot --version`)", cmd: `${bin} --version` },
      { name: "**standalone bundle `certbot --version`, warm**", cmd: `${pyz} --version` },
    ],
    { ...opts, env: { PYZAP_CACHE: cache } },
  );
  const heavy = { rounds: Math.min(opts.rounds, 3), runs: Math.min(opts.runs, 5) };
  const [first] = measure([{ name: "standalone bundle, first run (cache emptied before each run)", cmd: `${pyz} --version` }], {
    ...heavy,
    env: { PYZAP_CACHE: cache },
    prepare: `rm -rf ${cache}`,
  });
  sh(pyz, ["--version"], { PYZAP_CACHE: cache });
  const entries = tree(cache);
  const counted = instructions([[bin, ["--version"]], [pyz, ["--version"]]], { PYZAP_CACHE: cache });
  return [
    "## standalone certbot (Debian-built certbot wheels, --standalone)",
    "",
    `Built with ${python}. Target: warm ≤ 1.03 × the same interpreter running the same code. First run: ${heavy.rounds} rounds × ${heavy.runs} runs.`,
    "",
    table(["command", "median", "p10–p90", "vs same interpreter (paired)", "ratio (paired)"], [row(base), row(standalone, base), row(first, base)]),
    "",
    `Standalone bundle: ${mib(statSync(pyz).size)}; build ${(build / 1000).toFixed(1)} s. Cache after it ran: ${entries.files} files, ${mib(entries.bytes)}.`,
    counted ? `Instructions (callgrind, one warm run each): same interpreter ${counted[0]}, standalone bundle ${counted[1]}: ${(counted[1] / counted[0]).toFixed(3)} ×.` : "",
  ].join("\n");
}

const row = (m, vs) => [m.name, ms(m.median), spread(m), vs ? fmtDiff(diff(m, vs)) : "", vs ? fmtRatio(ratio(m, vs)) : ""];

/** Instructions each command executes (the exec'ed image's, under callgrind), or null without valgrind. */
function instructions(commands, extraEnv) {
  if (spawnSync("valgrind", ["--version"]).status !== 0) return null;
  return commands.map(([cmd, args]) => {
    const r = spawnSync("valgrind", ["--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=/dev/null", cmd, ...args], {
      encoding: "utf8",
      env: { ...process.env, ...extraEnv },
    });
    const counts = [...r.stderr.matchAll(/Collected : (\d+)/g)].map((m) => Number(m[1]));
    if (r.status !== 0 || counts.length === 0) throw new Error(`callgrind ${cmd} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
    return counts[counts.length - 1];
  });
}
