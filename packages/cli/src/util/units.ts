// Human units for every command: sizes and durations in and out, small tables.
import { PyzapError } from "./errors.js";

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "2G", "500M", "1.5GiB", "4096" -> bytes (binary units). */
export function parseSize(option: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m?.[1] || unit === undefined) {
    throw new PyzapError("USAGE", `the ${option} option is not a size: ${value}`, { hint: "use a number with K, M, G or T, e.g. 2G" });
  }
  return Math.floor(Number(m[1]) * unit);
}

/** "30d", "12h", "90m", "45s", "2w" -> milliseconds. */
export function parseDuration(option: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  const unit = TIME_UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m?.[1] || unit === undefined) {
    throw new PyzapError("USAGE", `the ${option} option is not a duration: ${value}`, { hint: "use a number with s, m, h, d or w, e.g. 30d" });
  }
  return Number(m[1]) * unit;
}

/** "1 file", "2 files"; "1 entry", "3 entries". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "3 min ago", "2 d ago" from an ISO time. */
export function humanAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

// Control characters other than tab and newline, C1 included: what a crafted
// name needs to move the cursor or rewrite the terminal.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** `text` with control characters shown as \xHH, for text that comes from a bundle or the cache. */
export const printable = (text: string): string => text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
