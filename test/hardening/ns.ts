// Runs a shell script as root in a private mount namespace (unshare -m), so
// tmpfs mounts (a full disk, noexec, read-only) never touch the host. As in
// test/cache-root.test.ts everything lives under a fresh /srv tmpfs.
import { spawnSync } from "node:child_process";

export const canMount = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;
export const NOBODY = "65534";
/** Debian's interpreter: nobody cannot reach pyenv's under /root (0700). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export function inNamespace(script: string) {
  return spawnSync("unshare", ["-m", "sh", "-c", ["set -e", "mount -t tmpfs -o mode=0755 tmpfs /srv", script].join("\n")], { encoding: "utf8" });
}

/** `exec` line running CMD as nobody with a clean environment plus ENV (shell words). */
export function asNobody(cmd: string, env: string): string {
  return `exec setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups env -i PATH=/usr/bin:/bin ${env} ${cmd}`;
}
