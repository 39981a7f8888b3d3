// The suite's table, for the issue's closing note: one row per app with its
// result, what it cost in the cache, and the bundle's size.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AppResult } from "./harness.js";

const MiB = (n: number | null) => (n === null ? "-" : (n / 1048576).toFixed(1));
const s = (ms: number | null) => (ms === null ? "-" : (ms / 1000).toFixed(1));

export function markdown(results: AppResult[], wallMs: number): string {
  const rows = [...results].sort((a, b) => a.name.localeCompare(b.name));
  const lines = [
    "| app | covers | result | cache files | cache MiB | unpacked by build (files / MiB) | --unpack-all (files / MiB) | bundle MiB | build s | first run s | venv run s |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.name} | ${r.covers} | ${r.passed ? "pass" : `FAIL: ${r.symptom.replaceAll("|", "\\|")}`} | ${r.cacheFiles ?? "-"} | ${MiB(r.cacheBytes)} | ${r.unpackedFiles ?? "-"} / ${MiB(r.unpackedBytes)} | ${r.unpackAllFiles ?? "-"} / ${MiB(r.unpackAllBytes)} | ${MiB(r.bundleBytes)} | ${s(r.buildMs)} | ${s(r.firstRunMs)} | ${s(r.venvRunMs)} |`),
  ];
  const sum = (k: "cacheFiles" | "cacheBytes" | "bundleBytes" | "unpackedBytes" | "unpackAllBytes") => rows.reduce((n, r) => n + (r[k] ?? 0), 0);
  const passed = rows.filter((r) => r.passed).length;
  lines.push("", `${passed} of ${rows.length} apps pass. Cache after first runs: ${sum("cacheFiles")} files, ${MiB(sum("cacheBytes"))} MiB; bundles: ${MiB(sum("bundleBytes"))} MiB. Suite wall time: ${s(wallMs)} s.`);
  if (rows.some((r) => r.unpackAllBytes !== null)) {
    lines.push("", `Unpacked on first run: ${MiB(sum("unpackedBytes"))} MiB as built; ${MiB(sum("unpackAllBytes"))} MiB with --unpack-all (shiv's behaviour).`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes realapps-report.{md,json} to $REALAPPS_REPORT_DIR (default: the temp dir); returns the markdown's path. */
export function writeReport(results: AppResult[], wallMs: number): string {
  const dir = process.env.REALAPPS_REPORT_DIR ?? tmpdir();
  mkdirSync(dir, { recursive: true });
  const md = path.join(dir, "realapps-report.md");
  writeFileSync(md, markdown(results, wallMs));
  writeFileSync(path.join(dir, "realapps-report.json"), `${JSON.stringify({ wallMs, results }, null, 2)}\n`);
  return md;
}
