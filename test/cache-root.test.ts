// The cache root chain on real mounts: a noexec first choice falls back to
// the next candidate; with every candidate noexec the launcher stops with
// exit 73 and names each directory it tried. Needs root (mount namespaces,
// tmpfs, running as another user); CI runs as root.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { bundle, tempDir } from "./helpers.js";

const canMount = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;
if (!canMount) console.log("skipping cache-root tests: they need root and mount namespaces (CI has both)");

const NOBODY = "65534";
// Debian's interpreter: nobody cannot reach pyenv's under /root (0700).
const PYTHON = "/usr/bin/python3";

describe.skipIf(!canMount)("cache root on noexec mounts", () => {
  const dir = tempDir();
  const app = path.join(dir, "ext.pyz");
  // Inside the namespace everything lives under a fresh /srv, so that
  // mounting over /tmp (where the test directory is) hides nothing we need.
  const home = "/srv/home";

  beforeAll(() => {
    bundle(inject("wheelhouse"), "fixture-ext", "fixture-ext-demo", app);
  });

  /** Runs the bundle as nobody in a private mount namespace, after `setup` (shell). */
  function runAsNobody(setup: string) {
    const script = [
      "set -e",
      "mount -t tmpfs -o mode=0755 tmpfs /srv",
      `cp ${app} /srv/app.pyz`,
      `mkdir ${home}`,
      `mount -t tmpfs -o noexec,mode=0755 tmpfs ${home}`,
      `chown ${NOBODY}:${NOBODY} ${home}`,
      setup,
      `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups env -i PATH=/usr/bin:/bin HOME=${home} XDG_RUNTIME_DIR=${home}/run PYZAP_PYTHON=${PYTHON} PYZAP_DEBUG=\${DEBUG:-} /srv/app.pyz`,
    ].join("\n");
    return spawnSync("unshare", ["-m", "sh", "-c", script], { encoding: "utf8" });
  }

  test("skips a noexec ~/.cache and unpacks into the next candidate", () => {
    // A fresh /var/tmp inside the namespace: the host's is never touched.
    const result = runAsNobody("mount -t tmpfs -o mode=1777 tmpfs /var/tmp\nexport DEBUG=1");
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { native_file: string; sum: number };
    expect(report.sum).toBe(5);
    expect(report.native_file).toMatch(/^\/var\/tmp\/pyzap-65534\/[0-9a-f]{16}\/site\/fixture_ext\//);
    expect(result.stderr).toMatch(/\/srv\/home\/\.cache\/pyzap.*noexec/);
  });

  test("with every candidate noexec it exits 73 naming each directory tried", () => {
    const result = runAsNobody("for d in /var/tmp /tmp /dev/shm; do mount -t tmpfs -o noexec,mode=1777 tmpfs $d; done");
    expect(result.status, result.stderr).toBe(73);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    for (const tried of [`${home}/.cache/pyzap`, `${home}/run/pyzap`, "/var/tmp/pyzap-65534", "/tmp/pyzap-65534", "/dev/shm/pyzap-65534"]) {
      expect(lines[0]).toContain(tried);
    }
    expect(lines[0]).toMatch(/noexec.*PYZAP_CACHE/);
  });
});
