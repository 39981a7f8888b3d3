// Watching a child process the tests stop at a launcher test point.
import { existsSync, readFileSync } from "node:fs";

/** Resolves once process pid is stopped (state T), polling /proc; fails after 60 s. */
export async function stopped(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
    if (/\) T /.test(stat)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`process ${pid} never stopped`);
}
