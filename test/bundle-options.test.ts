// `pyzap bundle`'s command line: what is refused before any work (with the
// exit code the README gives), what reaches pip, and the options that shape
// what goes into the bundle (-c optional, --exclude, --site-packages venvs).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { BASE_ENV, CLI, ok, pyzap, run, tempDir } from "./helpers.js";
import { otherPythonVersion, pyenvPythonFor } from "./pythons.js";

const wheelhouse = inject("wheelhouse");
const dir = tempDir();
const local = ["--no-index", "--find-links", wheelhouse];

/** One line on stderr (after the stage lines, if the check needed work), the code, and never a stack trace. */
function expectRefused(result: ReturnType<typeof pyzap>, code: number, line: RegExp | string, afterStages = false) {
  expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: code });
  const lines = result.stderr.split("\n").filter(Boolean);
  const stages = lines.slice(0, -1);
  if (afterStages) expect(stages.filter((l) => !/^pyzap: (resolving|classifying|reading) /.test(l))).toEqual([]);
  else expect(stages).toEqual([]);
  const last = `${lines[lines.length - 1] ?? ""}\n`;
  if (typeof line === "string") expect(last).toBe(`pyzap: ${line}\n`);
  else expect(last).toMatch(line);
}
const archiveNames = (file: string) => ok(run("unzip", ["-Z1", file])).stdout.split("\n");

describe("refused before any work", () => {
  test("a mistyped option names the closest valid one (exit 2), instead of going to pip", () => {
    expectRefused(pyzap(["bundle", "certbot", "--compres", "6"]), 2, "unknown option --compres: neither pyzap's nor pip's; did you mean --compress?");
    expectRefused(pyzap(["bundle", "certbot", "--exlcude", "pip"]), 2, "unknown option --exlcude: neither pyzap's nor pip's; did you mean --exclude?");
    expectRefused(pyzap(["bundle", "certbot", "--frobnicate"]), 2, /^pyzap: unknown option --frobnicate: neither pyzap's nor pip's; see pyzap bundle --help; put options for a newer pip after --\n$/);
  });

  test("--compress that is not 0-9 is named as typed", () => {
    expectRefused(pyzap(["bundle", "certbot", "--compress", "abc"]), 2, 'The "--compress" option must be a whole number from 0 to 9, not abc; e.g. --compress 9');
  });

  test("inputs that do not exist are exit 3, as the README says", () => {
    expectRefused(pyzap(["bundle", "./nope"], {}, dir), 3, "the local requirement does not exist: ./nope; check the path (relative paths start from the current directory)");
    expectRefused(pyzap(["bundle", "-r", "nope.txt"], {}, dir), 3, /^pyzap: the requirement file does not exist: nope\.txt; /);
    expectRefused(pyzap(["bundle", "--requirement=nope.txt"], {}, dir), 3, /^pyzap: the requirement file does not exist: nope\.txt; /);
  });

  test("no arguments: one line, no stage printed first", () => {
    expectRefused(pyzap(["bundle"], {}, dir), 2, /^pyzap: nothing to bundle: no requirement was given; /);
  });

  test("-o naming a directory, or in a directory that does not exist, is exit 9 and creates nothing", () => {
    expectRefused(pyzap(["bundle", "certbot", "-o", dir]), 9, `The "--output" option is a directory: ${dir}; name the file to write, e.g. -o ${dir}/app.pyz`);
    const missing = path.join(dir, "no/such/dir");
    expectRefused(pyzap(["bundle", "certbot", "-o", `${missing}/x.pyz`]), 9, `the directory of the "--output" file does not exist: ${missing}; create it first (mkdir -p ${missing})`);
    expect(existsSync(path.join(dir, "no"))).toBe(false);
  });

  test("a program that is not Python is named without echoing the probe", () => {
    expectRefused(pyzap(["bundle", "certbot", "--python", "/bin/ls"]), 4, '"/bin/ls" is not a Python interpreter pyzap can use (it exited 2 without describing itself); pass --python /path/to/python3 (the bundle will need the same X.Y at run time)');
  });

  const shim = spawnSync("python3.12", ["-c", "pass"], { encoding: "utf8" });
  const inactiveShim = shim.status !== 0 && shim.stderr.startsWith("pyenv:");
  if (!inactiveShim) console.log("skipping the pyenv shim test: python3.12 is not an inactive pyenv shim here");
  test.skipIf(!inactiveShim)("an inactive pyenv shim is one line naming the versions that have it", () => {
    expectRefused(pyzap(["bundle", "certbot", "--python", "python3.12"]), 4, /^pyzap: "python3\.12" is a pyenv shim, but no active pyenv version provides it \(it is in 3\.12\.\d+\); pass --python \/.+\/versions\/3\.12\.\d+\/bin\/python3\.12, or activate it/);
  });

  for (const [version, label] of [["2.7", "Python 2.7"], ["3.6", "Python 3.6"]] as const) {
    const python = pyenvPythonFor(version);
    if (!python) console.log(`skipping the ${version} test: no pyenv ${version} here`);
    test.skipIf(!python)(`Python ${version} is refused up front, with the versions pyzap supports`, () => {
      expectRefused(pyzap(["bundle", "certbot", "--python", python!]), 4, new RegExp(`^pyzap: "${python}" is ${label}\\.\\d+; pyzap builds with CPython 3\\.7 or newer; `));
    });
  }

  test("a Python without pip is named as such, with the ways out", () => {
    const venv = path.join(dir, "nopip");
    ok(run("python3", ["-m", "venv", "--without-pip", venv]));
    expectRefused(pyzap(["bundle", "certbot", "--python", `${venv}/bin/python3`]), 4, /^pyzap: ".+\/nopip\/bin\/python3" is Python 3\.\d+\.\d+ without pip, which pyzap runs to resolve the requirements; install it .+ensurepip.+--site-packages DIR\n$/);
  });
});

describe("what reaches pip", () => {
  test("pip's own -c (and any option we share with pip) goes after --", () => {
    const pins = path.join(dir, "pins.txt");
    writeFileSync(pins, "fixture-ext==9.9.9\n");
    // Our -c names the console script; pip's -c after -- is a constraint pip obeys.
    const refused = pyzap(["bundle", ...local, "-c", "fixture-ext-demo", "-o", path.join(dir, "c.pyz"), "--", "fixture-ext", "-c", pins]);
    expect(refused.status).toBe(5);
    expect(refused.stderr).toMatch(/fixture-ext==9\.9\.9/);
    writeFileSync(pins, "fixture-ext==1.2.3\n");
    ok(pyzap(["bundle", ...local, "-c", "fixture-ext-demo", "-o", path.join(dir, "c.pyz"), "--", "fixture-ext", "-c", pins]));
  });

  test("the README's recipe for another platform: our --platform picks the launcher, pip's (after --) the wheels", () => {
    const app = path.join(dir, "arm.pyz");
    const result = ok(pyzap(["bundle", "-c", "fixture-pure-exec", "--platform", "linux-arm64", "-o", app, "--", ...local, "fixture-pure", "--platform", "manylinux2014_aarch64", "--only-binary=:all:"]));
    expect(result.stdout).toMatch(/platform +linux-arm64/);
    expect(result.stderr).toMatch(/resolving with pip: .*fixture-pure --platform manylinux2014_aarch64 --only-binary=:all:/);
  });

  test("Ctrl-C while pip runs removes every temporary directory and exits 130", async () => {
    const tmp = path.join(dir, "tmp-sigint");
    mkdirSync(tmp);
    // A build Python whose pip never finishes (the probe still answers).
    const slow = path.join(dir, "slow-python");
    writeFileSync(slow, `#!/bin/sh\ncase "$*" in *"-m pip"*) touch "${tmp}/../pip-started"; exec sleep 60 ;; esac\nexec python3 "$@"\n`);
    chmodSync(slow, 0o755);
    const child = spawn(process.execPath, [CLI, "bundle", "--python", slow, "fixture-ext", "-o", path.join(dir, "int.pyz")], { env: { ...BASE_ENV, TMPDIR: tmp }, stdio: "ignore" });
    const code = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    while (!existsSync(path.join(dir, "pip-started"))) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp).some((d) => d.startsWith("pyzap-staging-"))).toBe(true);
    child.kill("SIGINT");
    expect(await code).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("a successful build leaves no temporary directory", () => {
    const tmp = path.join(dir, "tmp-ok");
    mkdirSync(tmp);
    ok(pyzap(["bundle", ...local, "fixture-ext", "-o", path.join(dir, "tmp-ok.pyz")], { TMPDIR: tmp }));
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("a pip failure leaves no temporary directory either", () => {
    const tmp = path.join(dir, "tmp-fail");
    mkdirSync(tmp);
    expect(pyzap(["bundle", ...local, "no-such-dist-xyz"], { TMPDIR: tmp }).status).toBe(5);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe("what goes into the bundle", () => {
  test("-c is optional when the bundle has exactly one console script, required with more", () => {
    const app = path.join(dir, "only.pyz");
    const result = ok(pyzap(["bundle", ...local, "fixture-ext", "-o", app]));
    expect(result.stdout).toContain(`wrote ${app}`);
    expect((JSON.parse(ok(run(app, [], { PYZAP_CACHE: path.join(dir, "cache") })).stdout) as { sum: number }).sum).toBe(5);
    expectRefused(pyzap(["bundle", ...local, "fixture-ext", "fixture-pure", "-o", path.join(dir, "two.pyz")]), 2, /say what the bundle runs: -c CONSOLE_SCRIPT or -e MODULE:FUNCTION; console scripts available: fixture-ext-demo \(fixture[-_]ext\), fixture-pure-exec \(fixture[-_]pure\)\n$/, true);
  });

  test("--exclude DIST leaves a distribution's files out; an unknown one lists what is bundled", () => {
    const app = path.join(dir, "excluded.pyz");
    ok(pyzap(["bundle", ...local, "fixture-ext", "fixture-pure", "-c", "fixture-ext-demo", "--exclude", "fixture_pure", "-o", app]));
    const names = archiveNames(app);
    expect(names.some((n) => n.startsWith("site-packages/fixture_ext/"))).toBe(true);
    expect(names.filter((n) => /fixture_pure/.test(n))).toEqual([]);
    expectRefused(pyzap(["bundle", ...local, "fixture-ext", "--exclude", "nope", "-o", path.join(dir, "x.pyz")]), 2, /^pyzap: --exclude nope: no distribution of that name is bundled; bundled: fixture[-_]ext\n$/, true);
  });

  test("--site-packages of a venv leaves out pip and setuptools, and runs on a clean target", () => {
    const venv = path.join(dir, "venv-with-pip");
    ok(run("python3", ["-m", "venv", venv]));
    ok(run(`${venv}/bin/python3`, ["-m", "pip", "install", "-q", ...local, "fixture-ext"], { PIP_RETRIES: "0" }));
    const site = ok(run(`${venv}/bin/python3`, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])).stdout.trim();
    const app = path.join(dir, "venv.pyz");
    const result = ok(pyzap(["bundle", "--site-packages", site, "-o", app]));
    expect(result.stderr).toMatch(/^pyzap: left out pip \d[\d.]*/m);
    const names = archiveNames(app);
    expect(names.filter((n) => /site-packages\/(pip|setuptools|_distutils_hack)\//.test(n))).toEqual([]);
    const target = path.join(dir, "clean-target");
    ok(run("python3", ["-m", "venv", "--without-pip", target]));
    expect(JSON.parse(ok(run(app, [], { PYZAP_PYTHON: `${target}/bin/python3`, PYZAP_CACHE: path.join(dir, "cache") })).stdout).sum).toBe(5);
  });

  const other = otherPythonVersion();
  if (!other) console.log("skipping the foreign-venv test: no second Python version here");
  test.skipIf(!other)("--site-packages of another Python's venv builds with that Python, and refuses another --python", () => {
    const venv = path.join(dir, "venv-other");
    ok(run(other!, ["-m", "venv", "--without-pip", venv]));
    const [site, xy] = ok(run(`${venv}/bin/python3`, ["-c", "import sysconfig, sys; print(sysconfig.get_paths()['purelib']); print('%d.%d' % sys.version_info[:2])"])).stdout.trim().split("\n") as [string, string];
    mkdirSync(path.join(site, "demo"));
    mkdirSync(path.join(site, "demo-1.0.dist-info"));
    writeFileSync(path.join(site, "demo/__init__.py"), "import sys\ndef main():\n    print('%d.%d' % sys.version_info[:2])\n");
    writeFileSync(path.join(site, "demo-1.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n");
    writeFileSync(path.join(site, "demo-1.0.dist-info/entry_points.txt"), "[console_scripts]\ndemo = demo:main\n");
    const app = path.join(dir, "other.pyz");
    expect(ok(pyzap(["bundle", "--site-packages", site, "-o", app])).stdout).toMatch(new RegExp(`python +${xy.replace(".", "\\.")} `));
    expect(ok(run(app, [], { PYZAP_CACHE: path.join(dir, "cache") })).stdout).toBe(`${xy}\n`);
    expectRefused(pyzap(["bundle", "--site-packages", site, "--python", "python3", "-o", app]), 4, new RegExp(`is for Python ${xy.replace(".", "\\.")} \\(.+pyvenv\\.cfg\\), but the build interpreter python3 is 3\\.\\d+; pass a Python ${xy.replace(".", "\\.")} with --python, or drop --python`));
  });
});
