// Issue 11, "No way in": another local user, a privilege change or a planted
// file must not get code run. Each test sets up the attack of the issue as it
// was reproduced (real users: root, nobody and uid 1234, in a private mount
// namespace like test/hardening.test.ts) and checks that it now does no harm.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { BASE_ENV, CLI, LAUNCHER, REPO, run, tempDir, testPoints, whenStopped } from "./helpers.js";
import { makeApp, type App } from "./hardening/app.js";
import { entryKey, entryProblems, listRoot } from "./hardening/entry.js";
import { asNobody, canMount, inNamespace, SYSTEM_PYTHON } from "./hardening/ns.js";

if (!canMount) console.log("skipping the multi-user tests of issue 11: they need root and mount namespaces (CI has both)");

const ATTACKER = 1234;
const dir = tempDir("pyzap-noway-");
let app: App;

beforeAll(() => {
  const make = spawnSync("make", ["-s", "-C", path.join(REPO, "launcher-c"), "all", "testing"], { encoding: "utf8" });
  if (make.status !== 0) throw new Error(`make failed:\n${make.stdout}${make.stderr}`);
  app = makeApp(dir);
});

/** The `pyzap: debug: entry ROOT/KEY` line's ROOT/KEY, or "". */
const entryOf = (stderr: string) => /debug: entry (\S+)$/m.exec(stderr)?.[1] ?? "";

describe.skipIf(!canMount)("1. a cache root another user could swap is refused", () => {
  // nobody's cache lives where uid 1234 can rename directories: under a
  // directory writable by all without the sticky bit. Before the fix the
  // launcher used it, and 1234 could swap KEY/site/... after the check.
  const setup = () => [
    `cp ${app.shipped} /srv/app.pyz`, // before /tmp (where the test directory is) is hidden
    "mkdir -m 0777 /srv/shared",
    "mkdir /srv/shared/nobody && chown 65534:65534 /srv/shared/nobody",
    "mkdir /srv/home && chown 65534:65534 /srv/home",
    "for d in /var/tmp /tmp /dev/shm; do mount -t tmpfs -o mode=1777 tmpfs $d; done",
  ];
  const asVictim = (extra: string[], cmd: string, env: string) =>
    inNamespace([...setup(), ...extra, asNobody(cmd, `HOME=/srv/home PYZAP_DEBUG=1 PYZAP_PYTHON=${SYSTEM_PYTHON} ${env}`)].join("\n"));
  const refused = /\/srv\/shared\/nobody\/pyzap skipped: an ancestor directory is writable by group or others without the sticky bit \(mode 0777\)/;

  test("launcher: XDG_CACHE_HOME under a shared directory is skipped, the next candidate used", () => {
    const r = asVictim([], "/srv/app.pyz", "XDG_CACHE_HOME=/srv/shared/nobody");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("ok\n");
    expect(r.stderr).toMatch(refused);
    expect(entryOf(r.stderr)).toMatch(/^\/var\/tmp\/pyzap-65534\/[0-9a-f]{16}$/);
  });

  test("launcher: a ~/.cache symlink into a shared directory is skipped", () => {
    const r = asVictim(["ln -s /srv/shared/nobody /srv/home/.cache && chown -h 65534:65534 /srv/home/.cache"], "/srv/app.pyz", "");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\/srv\/home\/\.cache\/pyzap skipped: an ancestor directory is writable by group or others without the sticky bit/);
    expect(entryOf(r.stderr)).toMatch(/^\/var\/tmp\/pyzap-65534\//);
  });

  test("launcher: a sticky shared directory (like /tmp) is fine", () => {
    const r = asVictim(["chmod 1777 /srv/shared"], "/srv/app.pyz", "XDG_CACHE_HOME=/srv/shared/nobody");
    expect(r.status, r.stderr).toBe(0);
    expect(entryOf(r.stderr)).toMatch(/^\/srv\/shared\/nobody\/pyzap\/[0-9a-f]{16}$/);
  });

  test("python3 app.pyz (no launcher) refuses the same root", () => {
    const r = asVictim([], `${SYSTEM_PYTHON} /srv/app.pyz`, "XDG_CACHE_HOME=/srv/shared/nobody");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("ok\n");
    // The bundle's own launcher does the cache work for the fallback: its words.
    expect(r.stderr).toMatch(/unpacking for \/srv\/app\.pyz/);
    expect(r.stderr).toMatch(refused);
  });

  test("as root: PYZAP_CACHE inside another user's directory is skipped by the launcher and refused by pyzap cache", () => {
    const r = inNamespace([
      `mkdir /srv/u && chown ${ATTACKER} /srv/u && mkdir /srv/u/cache`,
      "mount -t tmpfs -o mode=0755 tmpfs /var/cache",
      `cp ${app.shipped} /srv/app.pyz`,
      "PYZAP_CACHE=/srv/u/cache PYZAP_DEBUG=1 /srv/app.pyz",
      `set +e; PYZAP_CACHE=/srv/u/cache ${process.execPath} ${CLI} cache prune; echo "prune rc=$?"`,
    ].join("\n"));
    expect(r.stdout).toContain("ok\n");
    expect(r.stderr).toMatch(/cache root \/srv\/u\/cache skipped: an ancestor directory is owned by uid 1234 \(neither root nor you\)/);
    expect(entryOf(r.stderr)).toMatch(/^\/var\/cache\/pyzap\//);
    // Item 17: the explicit root is refused, prune does not fall through to /var/cache/pyzap.
    expect(r.stdout).toContain("prune rc=23");
    expect(r.stderr).toMatch(/^pyzap: PYZAP_CACHE=\/srv\/u\/cache cannot be used: an ancestor directory is owned by uid 1234/m);
  });
});

describe.skipIf(!canMount)("2. an interpreter another user controls is not run", () => {
  test("as root, a cfg python under a directory of uid 1234 is skipped, PATH's is used", () => {
    // The bundle was built with --python /srv/ci/bin/python3.X; uid 1234 owns /srv/ci.
    const pyver = spawnSync(SYSTEM_PYTHON, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).stdout.trim();
    const evil = `/srv/ci/bin/python${pyver}`;
    const bundle = path.join(dir, "ci.pyz");
    writeFileSync(path.join(dir, "main.py"), "import sys\nprint('python', sys.executable)\n");
    const mk = spawnSync("python3", [path.join(REPO, "launcher-c/test/mkbundle.py"), LAUNCHER, bundle, `${SYSTEM_PYTHON}:pkg/lib.so:755`, "--python", evil, "--pyver", pyver, "--main", path.join(dir, "main.py")], { encoding: "utf8" });
    expect(mk.status, mk.stderr).toBe(0);
    const r = inNamespace([
      `mkdir -p /srv/ci/bin && chown -R ${ATTACKER} /srv/ci`,
      `printf '#!/bin/sh\\ntouch /srv/pwned\\n' > ${evil} && chmod 755 ${evil} && chown ${ATTACKER} ${evil}`,
      `cp ${bundle} /srv/app.pyz && chmod 755 /srv/app.pyz`,
      `PATH=${path.dirname(SYSTEM_PYTHON)}:/bin PYZAP_CACHE=/srv/cache PYZAP_DEBUG=1 /srv/app.pyz`,
      'echo "pwned=$(test -e /srv/pwned && echo yes || echo no)"',
    ].join("\n"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("pwned=no");
    expect(r.stdout).toContain(`python ${path.dirname(SYSTEM_PYTHON)}/python${pyver}`);
    expect(r.stderr).toMatch(new RegExp(`python: ${evil} skipped: /srv/ci is owned by uid 1234 \\(neither root nor you\\)`));
  });
});

describe("3. pyzap bundle -o in a shared directory", () => {
  test.skipIf(!canMount)("a symlink planted at the temporary name is not followed; the victim file is untouched", () => {
    // Before the fix the temporary file was OUTPUT.tmp-PID, opened O_CREAT|O_TRUNC:
    // in a PID namespace the CLI is PID 1, so uid 1234 knows the name in advance.
    const shared = path.join(dir, "shared");
    mkdirSync(shared, { mode: 0o1777 });
    spawnSync("chmod", ["1777", shared]);
    const secret = path.join(dir, "secret");
    writeFileSync(secret, "root only\n", { mode: 0o600 });
    const out = path.join(shared, "app.pyz");
    for (const pid of [1, 2, 3]) {
      spawnSync("ln", ["-s", secret, `${out}.tmp-${pid}`]);
      spawnSync("chown", ["-h", String(ATTACKER), `${out}.tmp-${pid}`]);
    }
    const r = spawnSync("unshare", ["-pf", "--mount-proc", process.execPath, CLI, "bundle", "--site-packages", app.site, "-e", "hardapp:main", "-o", out], { encoding: "utf8", env: BASE_ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(secret, "utf8")).toBe("root only\n");
    expect(lstatSync(secret).mode & 0o7777).toBe(0o600);
    expect(lstatSync(out).isFile()).toBe(true);
    expect(run(out, [], { PYZAP_CACHE: path.join(dir, "cache-3") }).stdout).toBe("ok\n");
  });

  test.skipIf(!canMount)("an output path that is another user's symlink is refused (exit 9), its target untouched", () => {
    const target = path.join(dir, "target");
    writeFileSync(target, "theirs\n", { mode: 0o644 });
    const out = path.join(dir, "planted.pyz");
    spawnSync("ln", ["-s", target, out]);
    spawnSync("chown", ["-h", String(ATTACKER), out]);
    const r = spawnSync(process.execPath, [CLI, "bundle", "--site-packages", app.site, "-e", "hardapp:main", "-o", out], { encoding: "utf8", env: BASE_ENV });
    expect(r.status, r.stderr).toBe(9);
    expect(r.stderr).toMatch(/planted\.pyz is a symbolic link owned by uid 1234, not by you/);
    expect(readFileSync(target, "utf8")).toBe("theirs\n");
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
  });
});

describe("4. python3 app.pyz publishes only verified entries", () => {
  // A bundle with a legitimate bundle's launcher.cfg (so its key) but another
  // .so of the same size in its zip. Before the fix the fallback checked only
  // sizes and CRC-32, published the entry, and every bundle with that key
  // then loaded the planted library.
  const poison = path.join(dir, "poison.pyz");
  const POISON = [
    "import os, sys, zipfile",
    "src, out = sys.argv[1], sys.argv[2]",
    "z = zipfile.ZipFile(src)",
    "first = min(i.header_offset for i in z.infolist())",
    "open(out, 'wb').write(open(src, 'rb').read(first))",
    "with zipfile.ZipFile(out, 'a') as w:",
    "    for i in z.infolist():",
    "        data = z.read(i)",
    "        if i.filename.endswith('libbig1.so'):",
    "            data = data[:64] + os.urandom(len(data) - 64)",
    "        w.writestr(i, data, i.compress_type)",
    "os.chmod(out, 0o755)",
  ].join("\n");

  test("the shared entry is not poisoned: exit 65 with one line, nothing published, the real bundle unaffected", () => {
    const mk = spawnSync("python3", ["-c", POISON, app.shipped, poison], { encoding: "utf8" });
    expect(mk.status, mk.stderr).toBe(0);
    const root = path.join(dir, "cache-4");
    const r = spawnSync("python3", [poison], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
    expect(r.status, r.stderr).toBe(65);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^pyzap: bundle .*poison\.pyz is corrupt: site-packages\/hardapp\.libs\/libbig1\.so: its content does not match the hash in launcher\.cfg/);
    expect(readdirSync(root).filter((n) => !n.startsWith("."))).toEqual([]);
    const real = spawnSync("python3", [app.shipped], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
    expect(real.status, real.stderr).toBe(0);
    expect(entryProblems(root, app.natives, app.shipped)).toEqual([]);
  });
});

describe.skipIf(!canMount)("6. a privilege change does not trust the caller's environment", () => {
  test("a setuid copy run by nobody ignores PYZAP_PYTHON, PYZAP_CACHE and PYTHONPATH", () => {
    const r = inNamespace([
      "mount -t tmpfs -o mode=0755 tmpfs /var/cache",
      `cp ${app.shipped} /srv/app.pyz && chmod 4755 /srv/app.pyz`,
      "mkdir -m 0777 /srv/n",
      `printf '#!/bin/sh\\ntouch /srv/n/pwned\\n' > /srv/n/python3 && chmod 755 /srv/n/python3 && chown 65534 /srv/n/python3`,
      "mkdir /srv/n/cache && chown 65534 /srv/n/cache",
      "set +e",
      `setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin PYZAP_PYTHON=/srv/n/python3 PYZAP_CACHE=/srv/n/cache PYTHONPATH=/srv/n PYTHONHOME=/srv/n /srv/app.pyz env`,
      'echo "rc=$? pwned=$(test -e /srv/n/pwned && echo yes || echo no)"',
    ].join("\n"));
    expect(r.stdout).toMatch(/rc=0 pwned=no/);
    const got = JSON.parse(r.stdout.split("\n")[0]!) as { env: Record<string, string> };
    expect(got.env.PYZAP_ENTRY_DIR).toMatch(/^\/var\/cache\/pyzap\//);
    expect(got.env.PYTHONPATH).not.toContain("/srv/n");
    expect(got.env.PYTHONHOME).toBeUndefined();
  });
});

describe("18. PYTHONPATH does not grow through re-executions", () => {
  test("a bundle started from its own environment gets the same PYTHONPATH", () => {
    const env = { PYZAP_CACHE: path.join(dir, "cache-18"), PYTHONPATH: "/keep/me" };
    const first = JSON.parse(run(app.shipped, ["env"], env).stdout) as { env: Record<string, string> };
    const second = JSON.parse(run(app.shipped, ["env"], { ...env, PYTHONPATH: first.env.PYTHONPATH }).stdout) as { env: Record<string, string> };
    // The runtime leaves only the bundle's boot directory for children (they add the rest themselves).
    expect(first.env.PYTHONPATH!.split(":")).toEqual([`${app.shipped}/.pyzap/boot`, "/keep/me"]);
    expect(second.env.PYTHONPATH).toBe(first.env.PYTHONPATH);
    expect(existsSync(first.env.PYZAP_ENTRY_DIR!)).toBe(true);
  });
});

describe.skipIf(!canMount)("7. another user's environment does not pin root's entries", () => {
  test("env PYZAP_ENTRY_DIR=ROOT/KEY sleep, as nobody, does not keep root's clean from removing KEY", async () => {
    const root = path.join(dir, "cache-7");
    expect(run(app.shipped, [], { PYZAP_CACHE: root }).status).toBe(0);
    const key = entryKey(root)!;
    const pinner = spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "env", `PYZAP_ENTRY_DIR=${root}/${key}`, "sleep", "30"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 300));
    try {
      const r = spawnSync(process.execPath, [CLI, "cache", "clean", key], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(path.join(root, key))).toBe(false);
    } finally {
      pinner.kill("SIGKILL");
    }
  });
});

describe("8, 19. locks: a crashed or future-dated holder costs no wait", () => {
  /** The test points of one cold extraction by the testing launcher. */
  const points = () => testPoints(run(app.testing, [], { PYZAP_CACHE: path.join(dir, `cache-points-${Date.now()}`), PYZAP_TEST_TRACE: "1" }).stderr);

  test("19: killed mid-extraction, the next start takes the lock over at once (no 10 s wait), the entry verifies", () => {
    const chunk = points().find(({ what }) => what === "wrote a chunk")!.n;
    const root = path.join(dir, "cache-19");
    expect(run(app.testing, [], { PYZAP_CACHE: root, PYZAP_TEST_AT: String(chunk) }).signal).toBe("SIGKILL");
    expect(listRoot(root).some((n) => n.endsWith(".lock"))).toBe(true);
    const t0 = Date.now();
    const next = run(app.shipped, [], { PYZAP_CACHE: root, PYZAP_DEBUG: "1" });
    expect(next.status, next.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(next.stderr).toMatch(/lock \w+\.lock: its holder, process \d+, is gone; removing it/);
    expect(entryProblems(root, app.natives, app.shipped)).toEqual([]);
    expect(listRoot(root).filter((n) => /\.(lock|tmp-\d+|owner)$/.test(n))).toEqual([]);
  });

  test("19: pyzap cache prune takes over a dead holder's lock at once and removes its leftovers", () => {
    const chunk = points().find(({ what }) => what === "wrote a chunk")!.n;
    const root = path.join(dir, "cache-19b");
    expect(run(app.testing, [], { PYZAP_CACHE: root, PYZAP_TEST_AT: String(chunk) }).signal).toBe("SIGKILL");
    expect(listRoot(root).filter((n) => /\.(lock|tmp-\d+)$/.test(n))).toHaveLength(2);
    const r = spawnSync(process.execPath, [CLI, "cache", "prune", "--json"], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
    expect(r.status, r.stderr).toBe(0);
    expect(listRoot(root).filter((n) => /\.(lock|tmp-\d+|owner)$/.test(n))).toEqual([]);
  });

  test("8: a lock dated an hour in the future is stale, not a 300 s wait and exit 76", () => {
    const root = path.join(dir, "cache-8");
    mkdirSync(root, { mode: 0o755 });
    expect(run(app.shipped, [], { PYZAP_CACHE: root }).status).toBe(0);
    const key = entryKey(root)!;
    spawnSync("rm", ["-rf", path.join(root, key)]);
    mkdirSync(path.join(root, `${key}.lock`));
    const future = new Date(Date.now() + 3600_000);
    utimesSync(path.join(root, `${key}.lock`), future, future);
    const t0 = Date.now();
    const r = run(app.shipped, [], { PYZAP_CACHE: root, PYZAP_DEBUG: "1" });
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.stderr).toMatch(/lock \w+\.lock: stale \(mtime -\d+ ms ago\)/);
  });

  test("8: an entry dated in the future is pruned by --older-than, and the launcher re-dates it on use", () => {
    const root = path.join(dir, "cache-8b");
    expect(run(app.shipped, [], { PYZAP_CACHE: root }).status).toBe(0);
    const key = entryKey(root)!;
    const future = new Date(Date.now() + 365 * 24 * 3600_000);
    utimesSync(path.join(root, key), future, future);
    expect(run(app.shipped, [], { PYZAP_CACHE: root }).status).toBe(0);
    expect(lstatSync(path.join(root, key)).mtimeMs).toBeLessThan(Date.now() + 60_000);
    utimesSync(path.join(root, key), future, future);
    const r = spawnSync(process.execPath, [CLI, "cache", "prune", "--older-than", "1d", "--json"], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(root, key))).toBe(false);
  });
});

describe("16. the lock stays fresh while an extraction verifies and fsyncs", () => {
  test("after a pause before verifying, the lock is refreshed by the verify phase itself", async () => {
    const trace = run(app.testing, [], { PYZAP_CACHE: path.join(dir, "cache-16-trace"), PYZAP_TEST_TRACE: "1" });
    const points = testPoints(trace.stderr);
    const written = points.find(({ what }) => what === "wrote entry.cfg")!.n;
    const verified = points.find(({ n, what }) => n > written && what === "verified a file")!.n;
    const root = path.join(dir, "cache-16");
    const child = spawn(app.testing, [], { env: { ...BASE_ENV, PYZAP_CACHE: root, PYZAP_TEST_AT: `${written}:stop,${verified}:stop` }, stdio: "ignore" });
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    await whenStopped(child.pid!);
    const lock = path.join(root, `${entryKeyOf(root)}.lock`);
    await new Promise((r) => setTimeout(r, 1200)); // a slow disk: longer than the refresh interval
    const resumed = Date.now();
    process.kill(child.pid!, "SIGCONT");
    await new Promise((r) => setTimeout(r, 50));
    await whenStopped(child.pid!);
    // Before the fix the last refresh happened while writing, before the pause.
    expect(lstatSync(lock).mtimeMs).toBeGreaterThanOrEqual(resumed - 20);
    process.kill(child.pid!, "SIGCONT");
    expect(await exited).toBe(0);
  });
});

/** KEY of the one KEY.lock or KEY.tmp-PID in root. */
function entryKeyOf(root: string): string {
  return listRoot(root).map((n) => /^([0-9a-f]{16})\./.exec(n)?.[1]).find(Boolean)!;
}

describe("13. pyzap cache clean cannot pull an entry from a starting bundle", () => {
  test("a start stopped right after its warm check keeps its entry through clean --all", async () => {
    const root = path.join(dir, "cache-13");
    expect(run(app.testing, [], { PYZAP_CACHE: root }).status).toBe(0);
    const key = entryKey(root)!;
    // The first test point of a warm start: the entry checked and held open, Python not yet started.
    const child = spawn(app.testing, ["env"], { env: { ...BASE_ENV, PYZAP_CACHE: root, PYZAP_TEST_AT: "1:stop" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!/\) T /.test(existsSync(`/proc/${child.pid}/stat`) ? readFileSync(`/proc/${child.pid}/stat`, "utf8") : "") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    // The bytecode directory the first run left (ROOT/pyc-H): no process holds it yet, so it goes; Python unpacks again.
    const bytecode = readdirSync(root).filter((n) => n.startsWith("pyc-"));
    const clean = spawnSync(process.execPath, [CLI, "cache", "clean", "--all", "--json"], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
    process.kill(child.pid!, "SIGCONT");
    expect(clean.status, clean.stderr).toBe(24);
    expect(JSON.parse(clean.stdout).results).toEqual([{ key, outcome: "in-use" }, ...bytecode.map((k) => ({ key: k, outcome: "removed" }))]);
    expect(await exited).toBe(0);
    const env = (JSON.parse(out) as { env: Record<string, string> }).env;
    expect(existsSync(path.join(env.PYZAP_ENTRY_DIR!, "site/hardapp.libs/libbig0.so"))).toBe(true);
  });
});

describe("12. names from bundles never reach the terminal raw", () => {
  test("pyzap cache list escapes the control characters of a crafted use record", () => {
    const root = path.join(dir, "cache-12");
    expect(run(app.shipped, [], { PYZAP_CACHE: root }).status).toBe(0);
    const key = entryKey(root)!;
    writeFileSync(path.join(root, `${key}.users`, "0123456789abcdef"), "\x1b]0;owned\x07\x1b[2J\tv1\t/x.pyz\n");
    const r = spawnSync(process.execPath, [CLI, "cache", "list"], { encoding: "utf8", env: { ...BASE_ENV, PYZAP_CACHE: root } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\x1b\x07]/);
    expect(r.stdout).toContain("\\x1b]0;owned\\x07\\x1b[2J");
  });
});

describe("14. a bundle replaced while it starts", () => {
  test("renamed over between the entry check and Python: the new file runs with its own entry", async () => {
    const other = makeApp(path.join(dir, "other")); // other natives: another key
    mkdirSync(path.join(dir, "r14"));
    const target = path.join(dir, "r14/app.pyz");
    spawnSync("cp", [app.testing, target]);
    const root = path.join(dir, "cache-14");
    for (const b of [target, other.shipped]) expect(run(b, [], { PYZAP_CACHE: root }).status).toBe(0);
    const keys = listRoot(root).filter((n) => /^[0-9a-f]{16}$/.test(n));
    expect(keys).toHaveLength(2);
    // Stop the warm start of the first bundle just before it execs Python (test point 2).
    const child = spawn(target, ["env"], { env: { ...BASE_ENV, PYZAP_CACHE: root, PYZAP_TEST_AT: "2:stop", PYZAP_DEBUG: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    child.stderr!.on("data", (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!/\) T /.test(existsSync(`/proc/${child.pid}/stat`) ? readFileSync(`/proc/${child.pid}/stat`, "utf8") : "") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    spawnSync("cp", [other.shipped, `${target}.new`]);
    spawnSync("mv", [`${target}.new`, target]); // the usual atomic update
    process.kill(child.pid!, "SIGCONT");
    expect(await exited, err).toBe(0);
    expect(err).toContain("was replaced while starting; starting the new file");
    const env = (JSON.parse(out) as { env: Record<string, string> }).env;
    const otherKey = keys.find((k) => existsSync(path.join(root, k, "site/hardapp.libs/libbig0.so")) && readFileSync(path.join(root, k, "site/hardapp.libs/libbig0.so")).equals(other.natives.get("hardapp.libs/libbig0.so")!));
    expect(env.PYZAP_ENTRY_DIR).toBe(path.join(root, otherKey!));
    expect(env.PYZAP_RESTARTED).toBeUndefined();
  });
});
