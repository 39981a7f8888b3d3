// Measuring helpers for bench/run.mjs: hyperfine in rounds, medians, spread,
// ratios paired round by round, and markdown tables.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import path from "node:path";

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/**
 * Runs every command `runs` times in each of `rounds` rounds (hyperfine, no
 * shell), commands alternating round by round so that a noisy moment hits all
 * of them. Returns per command: all times (ms) and the median of each round.
 */
export function measure(commands, { rounds = 5, runs = 20, warmup = 3, env = {}, prepare } = {}) {
  // cpuRounds: user + system CPU per run (hyperfine's mean of the round), which
  // other jobs on a shared machine disturb far less than wall time.
  const results = commands.map(() => ({ times: [], roundMedians: [], cpuRounds: [] }));
  const dir = mkdtempSync(path.join(tmpdir(), "pyzap-hyperfine-"));
  const file = path.join(dir, "out.json");
  for (let r = 0; r < rounds; r++) {
    const args = ["-N", "--style", "none", "--warmup", String(warmup), "--runs", String(runs), "--export-json", file];
    if (prepare) args.push("--prepare", prepare);
    execFileSync("hyperfine", [...args, ...commands.map((c) => c.cmd)], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.results.forEach((res, i) => {
      const times = res.times.map((t) => t * 1000);
      results[i].times.push(...times);
      results[i].roundMedians.push(median(times));
      results[i].cpuRounds.push((res.user + res.system) * 1000);
    });
  }
  rmSync(dir, { recursive: true, force: true });
  return results.map((res, i) => ({ ...commands[i], ...res, median: median(res.times), p10: quantile(res.times, 0.1), p90: quantile(res.times, 0.9) }));
}

/** Ratio a/b from round medians paired in the same round: median and min–max over the rounds. */
export function ratio(a, b) {
  const rs = a.roundMedians.map((t, i) => t / b.roundMedians[i]);
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

/** Ratio of CPU time (user + system) a/b, paired by round, like ratio(). */
export function cpuRatio(a, b) {
  const rs = a.cpuRounds.map((t, i) => t / b.cpuRounds[i]);
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

/** Difference a-b in ms, paired by round. */
export function diff(a, b) {
  const ds = a.roundMedians.map((t, i) => t - b.roundMedians[i]);
  return { median: median(ds), min: Math.min(...ds), max: Math.max(...ds) };
}

export const ms = (x) => `${x.toFixed(1)} ms`;
export const spread = (m) => `${m.p10.toFixed(1)}–${m.p90.toFixed(1)}`;
export const fmtRatio = (r) => `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
export const fmtDiff = (d) => `${d.median >= 0 ? "+" : ""}${d.median.toFixed(1)} ms (${d.min.toFixed(1)} … ${d.max.toFixed(1)})`;

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Wall time of one run of a command, in ms (for builds: seconds-long, measured a few times). */
export function timeOnce(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return t;
}

/** Files and bytes under a directory. */
export function tree(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) (files++, (bytes += statSync(p).size));
    }
  };
  if (existsSync(dir)) walk(dir);
  return { files, bytes };
}

export const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;

export function machine(python) {
  const model = cpus()[0]?.model ?? "?";
  const os = existsSync("/etc/os-release") ? (/PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "?") : "?";
  const py = spawnSync(python, ["-c", "import sys; print(sys.version.split()[0])"], { encoding: "utf8" }).stdout.trim();
  const hf = spawnSync("hyperfine", ["--version"], { encoding: "utf8" }).stdout.trim();
  return `${os}, Linux ${release()}, ${cpus().length} × ${model}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at start; ${python} (Python ${py}); ${hf}`;
}
