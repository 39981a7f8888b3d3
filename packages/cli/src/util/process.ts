// Runs a child process without blocking the event loop (so the progress
// line keeps moving), capturing its output and optionally echoing it.
import { spawn } from "node:child_process";

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

export function runProcess(command: string, args: string[], options: { input?: string; echo?: boolean } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    let failed: Error | undefined;
    child.on("error", (error) => {
      failed = error;
    });
    child.stdin.on("error", () => {}); // a child that exits early closes its stdin
    child.stdin.end(options.input ?? "");
    child.on("close", (status) => {
      resolve({ status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), error: failed });
    });
  });
}
