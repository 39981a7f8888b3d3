// The bundle the hardening tests run: a small app whose behaviour is chosen
// by argv (exit codes, signals, stdio, TTY, environment), plus "large
// natives" (ELF files of 1.5 MiB each) so that extraction takes long enough
// to race, to be killed in the middle of, and to fill a small disk.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LAUNCHER, ok, pyzap } from "../helpers.js";

export const NATIVES = 4;
export const NATIVE_SIZE = 1536 * 1024;

const APP = `import json, os, signal, sys

def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "ok"
    if cmd == "ok":
        print("ok")
    elif cmd == "exit":
        sys.exit(int(sys.argv[2]))
    elif cmd == "kill":
        os.kill(os.getpid(), getattr(signal, "SIG" + sys.argv[2]))
    elif cmd == "wait":
        print("ready %d" % os.getpid(), flush=True)
        sys.stdin.read()
    elif cmd == "tty":
        print(json.dumps([os.isatty(fd) for fd in range(3)]))
    elif cmd == "cat":
        data = sys.stdin.buffer.read()
        sys.stdout.buffer.write(data)
        sys.stderr.write("%d bytes\\n" % len(data))
    elif cmd == "env":
        print(json.dumps({"env": dict(os.environ), "cwd": os.getcwd(), "umask": os.umask(0)}))
`;

export interface App {
  /** site-packages tree the bundles were made from */
  site: string;
  /** path under KEY/site -> its bytes */
  natives: Map<string, Buffer>;
  /** bundle with the shipped launcher */
  shipped: string;
  /** the same payload with the fault-injection launcher (make testing) */
  testing: string;
}

export const TESTING_LAUNCHER = path.join(path.dirname(LAUNCHER), "testing/pyzap-launcher");

/** Writes the site-packages tree and bundles it with both launchers. */
export function makeApp(dir: string): App {
  const site = path.join(dir, "site");
  mkdirSync(path.join(site, "hardapp"), { recursive: true });
  mkdirSync(path.join(site, "hardapp.libs"), { recursive: true });
  writeFileSync(path.join(site, "hardapp/__init__.py"), APP);
  // A real ELF header (the launcher's own) so the builder sees native code
  // for this platform; random bytes after it, so deflate cannot shrink it.
  const header = readFileSync(LAUNCHER).subarray(0, 64);
  const natives = new Map<string, Buffer>();
  for (let i = 0; i < NATIVES; i++) {
    const rel = `hardapp.libs/libbig${i}.so`;
    const bytes = Buffer.concat([header, randomBytes(NATIVE_SIZE - header.length)]);
    writeFileSync(path.join(site, rel), bytes, { mode: 0o755 });
    natives.set(rel, bytes);
  }
  const build = (out: string, launcher?: string) =>
    ok(pyzap(["bundle", "--site-packages", site, "-e", "hardapp:main", "-o", out], launcher ? { PYZAP_LAUNCHER: launcher } : {}));
  const shipped = path.join(dir, "app.pyz");
  const testing = path.join(dir, "app-testing.pyz");
  build(shipped);
  build(testing, TESTING_LAUNCHER);
  return { site, natives, shipped, testing };
}
