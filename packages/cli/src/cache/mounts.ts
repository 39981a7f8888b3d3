// Whether a path is on a noexec mount: the per-mount "noexec" option of the
// mount that holds it, from /proc/self/mountinfo (what statvfs's ST_NOEXEC
// reports, without a native addon).
import { readFileSync } from "node:fs";

interface Mount {
  point: string;
  options: string[];
}

function readMounts(): Mount[] {
  let text: string;
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
    const fields = line.split(" ");
    if (fields.length < 6 || fields[4] === undefined || fields[5] === undefined) continue;
    mounts.push({ point: unescape(fields[4]), options: fields[5].split(",") });
  }
  return mounts;
}

// mountinfo writes space, tab, newline and backslash as \ooo.
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** True when the mount holding `realPath` (already resolved) is mounted noexec. */
export function isNoexec(realPath: string): boolean {
  let best: Mount | undefined;
  for (const m of readMounts()) {
    const inside = m.point === "/" || realPath === m.point || realPath.startsWith(`${m.point}/`);
    // Later lines stack over earlier ones at the same point.
    if (inside && (!best || m.point.length >= best.point.length)) best = m;
  }
  return best?.options.includes("noexec") ?? false;
}
