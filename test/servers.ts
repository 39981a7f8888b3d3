// For tests that start real servers: free loopback ports and waiting, with a
// bound, for what a child process prints.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

/** A loopback port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Output {
  /** Everything the child printed so far, stdout and stderr interleaved. */
  text(): string;
  /** Resolves once `ready(text)` holds; rejects if the child exits first or after `ms`. */
  until(ready: (text: string) => boolean, ms: number, what: string): Promise<void>;
}

/** Starts collecting a child's output (call it right after spawn). */
export function watchOutput(child: ChildProcess): Output {
  let seen = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    seen += chunk.toString();
    for (const check of waiters) check();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return {
    text: () => seen,
    until: (ready, ms, what) =>
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off("exit", onExit);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (ready(seen)) done();
        };
        const onExit = (code: number | null) => done(new Error(`exited ${code} before ${what}:\n${seen}`));
        const timer = setTimeout(() => done(new Error(`no ${what} within ${ms} ms:\n${seen}`)), ms);
        waiters.add(check);
        child.on("exit", onExit);
        check();
      }),
  };
}

/** What the Apache + mod_wsgi tests need from Debian (CI installs it: scripts/install-deps.sh --test). */
const APACHE_NEEDS: [what: string, file: string][] = [
  ["apache2 (apt apache2)", "/usr/sbin/apache2"],
  ["mod_wsgi (apt libapache2-mod-wsgi-py3)", "/usr/lib/apache2/modules/mod_wsgi.so"],
  ["pip for /usr/bin/python3 (apt python3-pip)", "/usr/lib/python3/dist-packages/pip"],
];

/** The Apache test prerequisites this machine lacks, by name; printed once with `test` as the reason for skipping. */
export function missingForApache(test: string): string[] {
  const missing = APACHE_NEEDS.filter(([, file]) => !existsSync(file)).map(([what]) => what);
  if (missing.length > 0) console.warn(`${test}: skipped, missing ${missing.join(", ")} (CI installs them: scripts/install-deps.sh --test)`);
  return missing;
}
