// Launchers per platform, all shipped inside the one pyzap package: the
// bundle gets the launcher that matches its native code; the arm64 launcher is
// cross-compiled here and runs its tests under qemu; the shipped binaries
// are reproducible from source.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, truncateSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { hostPlatform } from "../packages/cli/src/stages/platform.js";
import { ok, pyzap, REPO, run, tempDir } from "./helpers.js";

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
// build-dist.sh cross-compiles the arm64 launcher on an x86-64 host (the arm64 tests below assume one).
const canCross = hostPlatform() === "linux-x64" && has("aarch64-linux-gnu-gcc") && existsSync("/usr/lib/aarch64-linux-gnu/libz.a");
const canEmulate = canCross && has("qemu-aarch64-static");
if (!canEmulate) console.log("skipping arm64 tests: they need gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, zlib1g-dev:arm64 and qemu-user-static (CI installs them)");

const dir = tempDir();
const manifest = (file: string) => JSON.parse(ok(run("unzip", ["-p", file, ".pyzap/manifest.json"])).stdout) as { launcher: { target: string } };

/** A site-packages tree with a console script and, optionally, ELF files built by `cc`. */
function sitePackages(name: string, libs: { cc: string; rel: string }[]): string {
  const site = path.join(dir, name);
  mkdirSync(path.join(site, "demo"), { recursive: true });
  mkdirSync(path.join(site, "demo-1.0.dist-info"));
  writeFileSync(path.join(site, "demo/__init__.py"), "import sys\ndef main():\n    print('demo says', *sys.argv[1:])\n");
  writeFileSync(path.join(site, "demo-1.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n");
  writeFileSync(path.join(site, "demo-1.0.dist-info/entry_points.txt"), "[console_scripts]\ndemo = demo:main\n");
  const src = path.join(dir, "lib.c");
  writeFileSync(src, "int demo_answer(void) { return 42; }\n");
  for (const lib of libs) ok(run(lib.cc, ["-shared", "-fPIC", "-o", path.join(site, lib.rel), src]));
  return site;
}

describe("choosing the launcher", () => {
  // gcc builds for this machine: the other shipped platform is the wrong one.
  const host = hostPlatform();
  const other = host === "linux-arm64" ? "linux-x64" : "linux-arm64";
  test(`a bundle with this machine's natives (${host}) refuses --platform ${other}`, () => {
    const site = sitePackages("site-host", [{ cc: "gcc", rel: "demo/libx.so.1" }]);
    const result = pyzap(["bundle", "--site-packages", site, "-c", "demo", "--platform", other, "-o", path.join(dir, "no.pyz")]);
    expect(result.status).toBe(10);
    expect(result.stderr).toMatch(new RegExp(`^pyzap: --platform ${other} does not match the bundled native code: ${host} \\(demo/libx\\.so\\.1\\)`, "m"));
  });

  test.skipIf(!canCross)("a bundle mixing x86_64 and arm64 natives is refused, naming one file of each", () => {
    const site = sitePackages("site-mixed", [{ cc: "gcc", rel: "demo/libx.so" }, { cc: "aarch64-linux-gnu-gcc", rel: "demo/liba.so" }]);
    const result = pyzap(["bundle", "--site-packages", site, "-c", "demo", "-o", path.join(dir, "mixed.pyz")]);
    expect(result.status).toBe(10);
    expect(result.stderr).toContain("linux-arm64 (demo/liba.so)");
    expect(result.stderr).toContain("linux-x64 (demo/libx.so)");
  });

  test("an unknown --platform is a usage error naming the platforms pyzap ships, before any work", () => {
    for (const platform of ["linux-riscv64", "windows-x86"]) {
      const result = pyzap(["bundle", "--site-packages", "/nonexistent", "-c", "demo", "--platform", platform, "-o", path.join(dir, "rv.pyz")]);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`pyzap: The "--platform" option must be linux-x64 or linux-arm64, not ${platform}; a launcher built by hand for another platform is used through PYZAP_LAUNCHER=FILE\n`);
    }
  });

  test("a launcher of another version is refused with the versions named", () => {
    const site = sitePackages("site-version", []);
    const old = path.join(dir, "old-launcher");
    writeFileSync(old, Buffer.concat([readFileSync(path.join(REPO, "packages/cli/launchers/linux-x64/pyzap-launcher")).subarray(0, 64), Buffer.from("\0pyzap-launcher 0.0.9 linux-x86_64\0")]));
    const result = pyzap(["bundle", "--site-packages", site, "-c", "demo", "--platform", "linux-x64", "-o", path.join(dir, "old.pyz")], { PYZAP_LAUNCHER: old });
    expect(result.status).toBe(7);
    expect(result.stderr).toMatch(/^pyzap: the launcher .+old-launcher is version 0\.0\.9, but this pyzap is \d+\.\d+\.\d+; point PYZAP_LAUNCHER at a /m);
  });
});

describe.skipIf(!canEmulate)("the arm64 launcher under qemu", () => {
  test("its C unit tests pass", () => {
    const build = path.join(dir, "arm64-unit");
    ok(run("make", ["-s", "-C", path.join(REPO, "launcher-c"), `${build}/unit`, `TBUILD=${build}`, "TCC=aarch64-linux-gnu-gcc -static"]));
    const result = ok(run("qemu-aarch64-static", [`${build}/unit`], {}, path.join(REPO, "launcher-c")));
    expect(result.stdout + result.stderr).toMatch(/unit: [1-9]\d* passed, 0 failed/);
  });

  test("a bundle with arm64 natives gets the arm64 launcher, unpacks and runs", () => {
    const site = sitePackages("site-arm64", [{ cc: "aarch64-linux-gnu-gcc", rel: "demo/libarm.so.1" }]);
    const app = path.join(dir, "arm.pyz");
    ok(pyzap(["bundle", "--site-packages", site, "-c", "demo", "-o", app]));
    expect(manifest(app).launcher.target).toBe("linux-aarch64");
    const cache = path.join(dir, "arm-cache");
    // qemu runs the launcher; the Python it execs is this machine's own.
    const result = ok(run("qemu-aarch64-static", [app, "from", "arm64"], { PYZAP_CACHE: cache }));
    expect(result.stdout).toBe("demo says from arm64\n");
    const key = JSON.parse(ok(run("unzip", ["-p", app, ".pyzap/manifest.json"])).stdout).cacheKey as string;
    expect(readFileSync(path.join(cache, key, "site/demo/libarm.so.1")).equals(readFileSync(path.join(site, "demo/libarm.so.1")))).toBe(true);

    const broken = path.join(dir, "arm-broken.pyz");
    cpSync(app, broken);
    truncateSync(broken, statSync(broken).size - 100);
    const bad = run("qemu-aarch64-static", [broken], { PYZAP_CACHE: path.join(dir, "arm-cache-2") });
    expect(bad.status).toBe(65);
    expect(bad.stderr).toMatch(/^pyzap: .+\n$/);
    expect(run("qemu-aarch64-static", [app], { PYZAP_CACHE: cache, PYZAP_PYTHON: "/nonexistent/python3" }).status).toBe(127);
  });
});

describe("the shipped launchers", () => {
  // What build-dist.sh ships: this machine's build, and arm64's cross-compiled on x86-64.
  const targets: [string, Record<string, string>][] = [[hostPlatform(), {}], ...(canCross ? [["linux-arm64", { LCC: "aarch64-linux-gnu-gcc", ZLIB_A: "/usr/lib/aarch64-linux-gnu/libz.a" }] as [string, Record<string, string>]] : [])];
  // Rebuilt as someone else would: from a copy of the sources at another
  // path, into another build directory, with another clock for the compiler
  // (SOURCE_DATE_EPOCH sets gcc's __DATE__/__TIME__), time zone, locale and
  // umask. A date, an absolute path or the environment leaking into the
  // binary makes the bytes differ from what `npm run build` shipped.
  const launcherC = path.join(REPO, "launcher-c");
  const elsewhere = { SOURCE_DATE_EPOCH: "1000000000", TZ: "Pacific/Kiritimati", LC_ALL: "POSIX", LANG: "POSIX" };
  test.each(targets)("%s is reproducible from source", (platform, vars) => {
    const shipped = path.join(REPO, `packages/cli/launchers/${platform}/pyzap-launcher`);
    const src = path.join(dir, `elsewhere-${platform}`, "a/longer/path/to/the/launcher");
    cpSync(launcherC, src, { recursive: true, filter: (p) => path.relative(launcherC, p).split(path.sep)[0] !== "build" });
    const build = path.join(dir, `rebuild-${platform}`);
    // The copy has no packages/cli beside it: the version's one source is named for make.
    const args = [...Object.entries(vars).map(([k, v]) => `${k}=${v}`), `VERSION_FILE=${path.join(REPO, "packages/cli/package.json")}`];
    ok(run("sh", ["-c", 'umask 077 && exec make -s -C "$0" "$@"', src, `BUILD=${build}`, ...args], elsewhere));
    const rebuilt = readFileSync(path.join(build, "pyzap-launcher"));
    const ships = readFileSync(shipped);
    const differsAt = rebuilt.findIndex((byte, i) => byte !== ships[i]);
    expect(rebuilt.equals(ships), `rebuilt ${rebuilt.length} bytes, shipped ${ships.length}; first difference at byte ${differsAt}`).toBe(true);
  });
});
