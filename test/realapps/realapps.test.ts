// Real applications from pip's index, each bundled with plain
// `pyzap bundle REQ -c SCRIPT` and run on a bare venv of the same Python (a
// clean target: the app is not installed there), compared with the same app
// pip-installed into a venv. The rows are in apps.ts; the report (table for
// the closing note) is written by report.ts.
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../helpers.js";
import { APPS } from "./apps.js";
import { limiter } from "./exec.js";
import { appDir, runApp, type AppResult } from "./harness.js";
import { writeReport } from "./report.js";
import { prepareShared, type Shared } from "./shared.js";

const started = Date.now();
const root = tempDir("pyzap-realapps-");
// Two cores: two apps at a time keeps both busy (pip, compression, the apps).
const limit = limiter(Number(process.env.REALAPPS_JOBS ?? 2));
const results: AppResult[] = [];
let shared: Promise<Shared>;

beforeAll(() => {
  shared = prepareShared(root);
  shared.catch(() => {}); // reported by every test that awaits it
});

afterAll(async () => {
  const md = writeReport(results, Date.now() - started);
  process.stderr.write(`\nreal applications (${md}):\n${readFileSync(md, "utf8")}`);
  await (await shared.catch(() => null))?.server.close();
});

describe.concurrent("real applications: bundled on a clean target vs pip-installed in a venv", () => {
  for (const app of APPS) {
    test(app.name, async () => {
      const r = await limit(async () => {
        const s = await shared;
        try {
          return await runApp(app, s);
        } finally {
          // Each app leaves ~100 MB (venv, bundle, cache): free it now, while
          // other apps run, rather than all at the end.
          if (process.env.REALAPPS_KEEP !== "1") await rm(appDir(s, app), { recursive: true, force: true });
        }
      });
      results.push(r);
      expect(r.passed, `${app.name}: ${r.symptom}\n${r.details}`).toBe(true);
    }, 3_600_000);
  }
});
