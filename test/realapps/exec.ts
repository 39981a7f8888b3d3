// Runs a process without blocking the event loop, so several apps can build
// and run at once; a bound on time kills the whole process group.
import { spawn } from "node:child_process";

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  timeoutMs?: number;
}

export function exec(file: string, args: string[], options: ExecOptions = {}): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }, options.timeoutMs ?? 300_000);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => err.push(Buffer.from(`spawn ${file}: ${e.message}\n`)));
    child.stdin.on("error", () => {}); // the child may exit without reading its input
    child.stdin.end(options.stdin ?? "");
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: Date.now() - started, timedOut });
    });
  });
}

/** Throws with the process's output unless it exited 0. */
export async function mustRun(what: string, file: string, args: string[], options: ExecOptions = {}): Promise<Ran> {
  const r = await exec(file, args, options);
  if (r.status !== 0) {
    throw new Error(`${what} failed: ${file} ${args.join(" ")}\nexit ${r.status} (signal ${r.signal})${r.timedOut ? " timed out" : ""}\nstdout:\n${tail(r.stdout)}\nstderr:\n${tail(r.stderr)}`);
  }
  return r;
}

/** The last lines of a long output, enough to see a traceback's cause. */
export function tail(text: string, lines = 25): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["...", ...all.slice(-lines)] : all).join("\n");
}

/** Runs `work` with at most `n` at a time (the machine has 2 cores). */
export function limiter(n: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= n) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
